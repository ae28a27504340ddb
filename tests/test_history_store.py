"""History store on SQLite and a real PostgreSQL server: CRUD, series, cascade, migrations."""

from __future__ import annotations

import csv
import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from analysis.result import AnalysisResult, Check, MeasureSeries, VideoInfo
from history import (
    CheckRecord,
    DuplicatePersonError,
    HistoryError,
    HistoryStore,
    NewMeasurement,
    NotFoundError,
    SeriesArrays,
    export_csv,
    measurement_from_result,
    save_analysis,
)
from history.models import Base
from tests.history_fixtures import *  # noqa: F403  (fixtures: store, history_url, sqlite_url, pg_server)
from tests.history_fixtures import writer_measurement

NASTY_NAMES = ["Robert'); DROP TABLE person;--", "../../etc/passwd", 'Zoë "Q" O\'Brien, Jr.\n2nd line']


def _count(store: HistoryStore, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_people_crud(store: HistoryStore) -> None:
    ana = store.add_person("Ana", birth_year=1990, sex="female", height_cm=168.5)
    bo = store.add_person("  Bo ")
    assert bo.name == "Bo"
    assert store.get_person_by_name("Ana") == ana
    assert store.get_person(ana.id) == ana
    assert [p.name for p in store.list_people()] == ["Ana", "Bo"]
    assert ana.age_years(datetime(2026, 6, 1).date()) == 36
    with pytest.raises(DuplicatePersonError):
        store.add_person("Ana")
    updated = store.update_person(dataclasses.replace(ana, height_cm=None, name="Ana M"))
    assert store.get_person(ana.id) == updated
    assert updated.height_cm is None and updated.name == "Ana M"
    assert store.get_person_by_name("Ana") is None
    with pytest.raises(DuplicatePersonError):
        store.update_person(dataclasses.replace(updated, name="Bo"))
    store.delete_person(bo.id)
    assert [p.name for p in store.list_people()] == ["Ana M"]
    with pytest.raises(NotFoundError):
        store.delete_person(bo.id)
    for bad in [dict(name=" "), dict(name="x", sex="robot"), dict(name="x", height_cm=20.0)]:
        with pytest.raises(HistoryError):
            store.add_person(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_names_are_data_not_sql_or_paths(store: HistoryStore, tmp_path: Path, name: str) -> None:
    p = store.add_person(name, height_cm=170.0)
    store.save_measurement(writer_measurement(p.id, 1, 3))
    assert store.get_person_by_name(name) == p
    assert [x.name for x in store.list_people()] == [name]
    assert len(store.list_measurements(p.id)) == 1
    out = tmp_path / "out.csv"
    export_csv(store, out, person=name)
    created = {x.name for x in tmp_path.iterdir()} - {"history.db", "history.db-wal", "history.db-shm"}
    assert created == {"out.csv"}  # the name never became a path
    with out.open(encoding="utf-8", newline="") as fh:
        assert [row["person"] for row in csv.DictReader(fh)] == [name]
    assert _count(store, "person") == 1  # the table is still there


def test_save_list_series_roundtrip(store: HistoryStore) -> None:
    p = store.add_person("Cy")
    saved = [writer_measurement(p.id, 2, i) for i in range(6)]
    ids = [store.save_measurement(m) for m in saved]
    rows = store.list_measurements(p.id)
    assert [r.id for r in rows] == ids  # oldest first
    for r, m in zip(rows, saved, strict=True):
        assert (r.test, r.side, r.taken_at, r.angle_deg, r.reach_cm, r.valid, r.checks, r.notes) == (
            m.test, m.side, m.taken_at, m.angle_deg, m.reach_cm, m.valid, m.checks, m.notes,
        )  # fmt: skip
        got = store.get_series(r.id)
        np.testing.assert_array_equal(got.angle_deg, m.series.angle_deg.astype(np.float32))
        np.testing.assert_array_equal(np.isnan(got.knee_flexion_deg), np.isnan(m.series.knee_flexion_deg))
        assert (got.reach_cm is None) == (m.series.reach_cm is None)
    assert {r.test for r in store.list_measurements(p.id, test="slr")} == {"slr"}
    lefts = store.list_measurements(p.id, test="sit-reach", side="left")
    assert lefts and all(r.test == "sit-reach" and r.side == "left" for r in lefts)
    assert store.get_measurement(ids[0]) == rows[0]


def test_taken_at_is_stored_in_utc(store: HistoryStore) -> None:
    p = store.add_person("Tz")
    local = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    m = dataclasses.replace(writer_measurement(p.id, 1, 1), taken_at=local)
    row = store.get_measurement(store.save_measurement(m))
    assert row.taken_at == local and row.taken_at.tzinfo == UTC and row.taken_at.hour == 7
    with pytest.raises(HistoryError):
        store.save_measurement(dataclasses.replace(m, taken_at=datetime(2026, 1, 1)))


def test_rejects_bad_measurements_and_saves_nothing(store: HistoryStore) -> None:
    p = store.add_person("Val")
    good = writer_measurement(p.id, 1, 1)
    for bad in [
        dataclasses.replace(good, test="toe-touch"),
        dataclasses.replace(good, side="both"),
        dataclasses.replace(good, source="email"),
        dataclasses.replace(good, angle_deg=float("inf")),
        dataclasses.replace(good, checks=(CheckRecord("x", "fatal", "m"),)),
        dataclasses.replace(good, person_id=p.id + 999),
    ]:
        with pytest.raises(HistoryError):
            store.save_measurement(bad)
    with pytest.raises(HistoryError):
        SeriesArrays(np.zeros(3), np.zeros(2), np.zeros(3))
    # all-or-nothing batch: the second item fails, the first must not remain
    with pytest.raises(HistoryError):
        store.save_many([good, dataclasses.replace(good, person_id=p.id + 999)])
    assert _count(store, "measurement") == 0
    assert _count(store, "measurement_series") == 0
    nan_angle = store.save_measurement(dataclasses.replace(good, angle_deg=float("nan"), valid=False))
    assert store.get_measurement(nan_angle).angle_deg is None


def test_transaction_is_all_or_nothing(store: HistoryStore) -> None:
    with store.transaction() as tx:
        p = tx.add_person("Tx", birth_year=1980)
        m = writer_measurement(p.id, 1, 1)
        mid = tx.insert_measurement(m)
        assert tx.get_person_by_name(" Tx ") == p  # reads inside the transaction see its writes
        assert tx.measurement_keys(p.id) == {(m.test, m.side, m.taken_at)}
    assert store.get_measurement(mid).person_id == p.id
    bad_side = "side must be one of left, right, not 'middle'"
    with pytest.raises(HistoryError, match=bad_side), store.transaction() as tx:
        half = tx.add_person("Half")
        tx.insert_measurement(writer_measurement(half.id, 1, 2))
        tx.insert_measurement(dataclasses.replace(writer_measurement(half.id, 1, 3), side="middle"))
    assert store.get_person_by_name("Half") is None
    with pytest.raises(DuplicatePersonError), store.transaction() as tx:
        tx.insert_measurement(writer_measurement(p.id, 1, 4))
        tx.add_person("Tx")
    assert [r.id for r in store.list_measurements(p.id)] == [mid]
    assert _count(store, "measurement_series") == 1


def test_read_history_is_one_ordered_snapshot(store: HistoryStore) -> None:
    zed, amy = store.add_person("Zed"), store.add_person("Amy", height_cm=170.0)
    ids = [store.save_measurement(writer_measurement(amy.id, 2, i)) for i in (3, 1)]  # saved newest first
    store.save_measurement(writer_measurement(zed.id, 3, 0))
    history = store.read_history(include_series=True)
    assert [h.person.name for h in history] == ["Amy", "Zed"]
    assert [m.id for m in history[0].measurements] == ids[::-1]  # oldest (i=1) first
    assert set(history[0].series) == set(ids)
    assert history[0].series[ids[0]].n_frames == writer_measurement(amy.id, 2, 3).series.n_frames
    (only,) = store.read_history(person=" Zed ")
    assert only.person == zed and len(only.measurements) == 1 and only.series == {}
    with pytest.raises(NotFoundError, match="no person named 'Nobody'"):
        store.read_history(person="Nobody")


def test_delete_is_real_and_cascades(store: HistoryStore) -> None:
    a, b = store.add_person("A"), store.add_person("B")
    ids_a = [store.save_measurement(writer_measurement(a.id, 1, i)) for i in range(3)]
    store.save_measurement(writer_measurement(b.id, 2, 0))
    store.delete_measurement(ids_a[0])
    with pytest.raises(NotFoundError):
        store.get_series(ids_a[0])
    with pytest.raises(NotFoundError):
        store.delete_measurement(ids_a[0])
    assert (_count(store, "measurement"), _count(store, "measurement_series")) == (3, 3)
    store.delete_person(a.id)  # database-level ON DELETE CASCADE to measurements and series
    assert (_count(store, "measurement"), _count(store, "measurement_series")) == (1, 1)
    assert store.list_measurements(a.id) == []
    assert len(store.list_measurements(b.id)) == 1


def test_migrations_reopen_and_schema(history_url: str) -> None:
    s1 = HistoryStore.open(history_url)
    p = s1.add_person("Kept")
    s1.close()
    s2 = HistoryStore.open(history_url)  # re-open: already at head, data kept
    assert s2.schema_revision() == "0002"
    assert s2.get_person_by_name("Kept") == p
    with s2.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"
        # the migrations build exactly what the ORM models describe (no drift)
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
    s2.close()


def test_sqlite_pragmas_on_every_connection(sqlite_url: str) -> None:
    s = HistoryStore.open(sqlite_url)
    for _ in range(2):
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() > 0
        s.engine.dispose()  # next loop: a brand-new connection
    s.close()
    # a plain connection without our pragmas sees the FK constraint declared in the schema
    raw = create_engine(sqlite_url)
    with raw.connect() as conn:
        fks = conn.exec_driver_sql("PRAGMA foreign_key_list(measurement_series)").all()
        assert any(row[2] == "measurement" and row[6] == "CASCADE" for row in fks)
    raw.dispose()


def test_open_errors_are_one_line(tmp_path: Path) -> None:
    for url in ["mysql://x/y", "not a url", "postgresql://nobody@127.0.0.1:1/none"]:
        with pytest.raises(HistoryError) as info:
            HistoryStore.open(url)
        assert "\n" not in str(info.value)


def _result(valid: bool = True) -> AnalysisResult:
    t = np.arange(90) / 30.0
    angle = 30 + 40 * np.sin(t)
    return AnalysisResult(
        test="sit-reach",
        side="right",
        video=VideoInfo(30.0, 90, 3.0, 640, 480, 0),
        series=MeasureSeries(t, angle, np.zeros(90), np.linspace(-3, 4, 90)),
        reps=[],
        valid=valid,
        angle_deg=float(angle.max()),
        reach_cm=4.0,
        peak_s=1.5,
        checks=[Check("side_on", "warning", "turn a little")],
        engine_version="0.1.0",
        model_name="pose_landmarker_full",
    )


def test_measurement_from_result_and_save_analysis(store: HistoryStore) -> None:
    res = _result()
    m = measurement_from_result(res, person_id=7, source="upload", band="fair")
    assert isinstance(m, NewMeasurement)
    assert (m.test, m.side, m.angle_deg, m.reach_cm, m.band, m.model_name) == (
        "sit-reach", "right", res.angle_deg, 4.0, "fair", "pose_landmarker_full",
    )  # fmt: skip
    assert m.checks == (CheckRecord("side_on", "warning", "turn a little"),)
    mid = save_analysis(store, "New Person", res, "cli", None)  # creates the person
    mid2 = save_analysis(store, "New Person", res, "cli", "good")  # reuses them
    person = store.get_person_by_name("New Person")
    assert person is not None
    assert [r.id for r in store.list_measurements(person.id)] == [mid, mid2]
    ser = store.get_series(mid)
    assert ser.reach_cm is not None
    np.testing.assert_array_equal(ser.reach_cm, res.series.reach_cm.astype(np.float32))  # type: ignore[union-attr]


def test_mode_symptoms_uncertainty_are_kept_and_checked(store: HistoryStore) -> None:
    p = store.add_person("Mo")
    m = dataclasses.replace(
        writer_measurement(p.id, 1, 1),
        test="slr",
        slr_mode="passive",
        symptoms={"pain_now": False, "recent_strain_grade": 2, "tingling": True},
        uncertainty_deg=3.25,
        camera_yaw_deg=-12.5,
    )
    row = store.get_measurement(store.save_measurement(m))
    assert (row.slr_mode, row.symptoms, row.uncertainty_deg, row.camera_yaw_deg) == (
        "passive", {"pain_now": False, "recent_strain_grade": 2, "tingling": True}, 3.25, -12.5,
    )  # fmt: skip
    assert row.reach_uncertainty_cm is None
    for bad in [
        dataclasses.replace(m, slr_mode="assisted"),
        dataclasses.replace(m, test="sit-reach", slr_mode="active"),
        dataclasses.replace(m, uncertainty_deg=-1.0),
        dataclasses.replace(m, reach_uncertainty_cm=float("inf")),
        dataclasses.replace(m, symptoms={"pain_now": [1, 2]}),
    ]:
        with pytest.raises(HistoryError):
            store.save_measurement(bad)
    assert len(store.list_measurements(p.id)) == 1


def test_upgrade_from_0001_keeps_rows(sqlite_url: str) -> None:
    """A database made by the first release (revision 0001) opens, migrates and keeps its rows."""
    from alembic import command
    from alembic.config import Config

    from history.engine import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO person (name, created_at) VALUES ('Old', '2026-01-01 00:00:00')"))
        conn.execute(
            text(
                "INSERT INTO measurement (person_id, test, side, taken_at, angle_deg, valid, checks, source, "
                "engine_version, model_name) VALUES (1, 'slr', 'left', '2026-01-02 00:00:00', 71.5, 1, '[]', "
                "'cli', '0.1.0', 'm')"
            )
        )
    engine.dispose()
    store = HistoryStore.open(sqlite_url)
    try:
        assert store.schema_revision() == "0002"
        person = store.get_person_by_name("Old")
        assert person is not None
        (row,) = store.list_measurements(person.id)
        assert (row.angle_deg, row.slr_mode, row.symptoms, row.uncertainty_deg) == (71.5, None, None, None)
    finally:
        store.close()
