"""Fixtures and a deterministic writer for the history tests.

Use the fixtures in a test module with `from tests.history_fixtures import *  # noqa: F403`; one
PostgreSQL server (kept in the pytest config stash) serves the whole session.
`python -m tests.history_fixtures URL WRITER COUNT` saves COUNT measurements (-1: forever) for
person `writer-WRITER`, printing each index after its commit, so a checker can recompute them.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from history import CheckRecord, HistoryStore, NewMeasurement, SeriesArrays
from tests.pg_server import PgServer, PgUnavailable, start_pg_server

__all__ = ["history_url", "pg_server", "sqlite_url", "store"]

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


_PG_KEY = pytest.StashKey["PgServer | PgUnavailable"]()


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> PgServer:
    """One real server per test session, even though several modules import this fixture."""
    stash = request.config.stash
    if _PG_KEY not in stash:
        try:
            server = start_pg_server()
        except PgUnavailable as exc:
            stash[_PG_KEY] = exc
        else:
            stash[_PG_KEY] = server
            request.config.add_cleanup(server.stop)
    found = stash[_PG_KEY]
    if isinstance(found, PgUnavailable):
        pytest.skip(str(found))
    return found


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'history.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def history_url(request, tmp_path) -> str:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.create_database(f"t_{uuid.uuid4().hex[:16]}")


@pytest.fixture
def store(history_url) -> Iterator[HistoryStore]:
    s = HistoryStore.open(history_url)
    try:
        yield s
    finally:
        s.close()


# ---- deterministic writer -----------------------------------------------------------------
def writer_measurement(person_id: int, writer: int, i: int) -> NewMeasurement:
    """Measurement number i of a writer: every field is a pure function of (writer, i)."""
    n = 30 + (writer * 31 + i * 17) % 300
    t_s = np.arange(n) / 30.0
    angle = 40.0 + 30.0 * np.sin(t_s + writer) + 0.01 * i
    knee = np.full(n, float(i % 7))
    knee[::11] = np.nan  # gaps must survive too
    sit_reach = i % 2 == 0
    return NewMeasurement(
        person_id=person_id,
        test="sit-reach" if sit_reach else "slr",
        side="left" if i % 3 else "right",
        taken_at=EPOCH + timedelta(days=writer, seconds=i, microseconds=writer * 1000 + i % 1000),
        angle_deg=round(float(np.nanmax(angle)), 3),
        reach_cm=round(-5.0 + 0.1 * i, 2) if sit_reach else None,
        valid=i % 5 != 0,
        series=SeriesArrays(t_s, angle, knee, np.linspace(-10.0, float(i % 10), n) if sit_reach else None),
        source=("webcam", "upload", "cli")[i % 3],
        checks=(CheckRecord("knee_bent", "warning", f"check {i}"),) if i % 4 == 0 else (),
        band="good" if i % 2 else None,
        engine_version="test-1",
        model_name="writer",
        notes=f"w{writer}:i{i}",
        slr_mode=None if sit_reach else (None, "active", "passive")[i % 3],
        symptoms={"pain_now": i % 2 == 1, "recent_strain_grade": i % 4, "note": f"é{i}"} if i % 3 else None,
        uncertainty_deg=None if i % 4 == 3 else 1.5 + 0.25 * i,
        reach_uncertainty_cm=1.0 + 0.125 * i if sit_reach else None,
        camera_yaw_deg=None if i % 2 else -20.0 + 3.5 * i,
    )


def writer_person(writer: int) -> str:
    return f"writer-{writer}"


def assert_matches_writer(store: HistoryStore, person_name: str) -> list[int]:
    """Check every stored measurement of a writer's person equals what the writer saved (fields and
    complete series); return the saved indices, sorted."""
    person = store.get_person_by_name(person_name)
    if person is None:
        return []
    writer = int(person_name.split("-")[1])
    rows = store.list_measurements(person.id)
    series = store.get_series_many([r.id for r in rows])
    indices = []
    for r in rows:
        i = int(str(r.notes).split(":i")[1])
        want = writer_measurement(person.id, writer, i)
        assert (r.test, r.side, r.taken_at, r.angle_deg, r.reach_cm, r.valid) == (
            want.test, want.side, want.taken_at, want.angle_deg, want.reach_cm, want.valid,
        )  # fmt: skip
        assert (r.source, r.checks, r.band, r.engine_version, r.model_name) == (
            want.source, want.checks, want.band, want.engine_version, want.model_name,
        )  # fmt: skip
        assert (r.slr_mode, r.symptoms, r.uncertainty_deg, r.reach_uncertainty_cm, r.camera_yaw_deg) == (
            want.slr_mode, want.symptoms, want.uncertainty_deg, want.reach_uncertainty_cm, want.camera_yaw_deg,
        )  # fmt: skip
        assert r.id in series, f"measurement {r.id} has no series"
        got, exp = series[r.id], want.series
        assert got.n_frames == exp.n_frames
        for name in ("t_s", "angle_deg", "knee_flexion_deg", "reach_cm"):
            a, b = getattr(got, name), getattr(exp, name)
            if b is None:
                assert a is None
            else:
                np.testing.assert_array_equal(a, np.asarray(b, dtype=np.float32).astype(np.float64))
        indices.append(i)
    return sorted(indices)


def run_writer(url: str, writer: int, count: int) -> None:
    store = HistoryStore.open(url)
    name = writer_person(writer)
    person = store.get_person_by_name(name) or store.add_person(name)
    i = 0
    while count < 0 or i < count:
        store.save_measurement(writer_measurement(person.id, writer, i))
        print(i, flush=True)  # only after the commit returned
        i += 1
    store.close()


def run_batch_writer(url: str, writer: int, count: int) -> None:
    """Save `count` measurements in ONE transaction (save_many), printing `begin` and `done`."""
    store = HistoryStore.open(url)
    name = writer_person(writer)
    person = store.get_person_by_name(name) or store.add_person(name)
    items = [writer_measurement(person.id, writer, i) for i in range(count)]
    print("begin", flush=True)
    store.save_many(items)
    print("done", flush=True)
    store.close()


if __name__ == "__main__":
    run = run_batch_writer if sys.argv[4:] == ["batch"] else run_writer
    run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
