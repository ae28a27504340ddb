"""The history store: people, measurements and their per-frame series (one transaction per save)."""

from __future__ import annotations

import math
import sqlite3
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, delete, event, select, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from flexcheck.vocabulary import SEVERITIES, SEXES, SIDES, SLR_MODES, SOURCES, TESTS
from history.models import Measurement, MeasurementSeries, Person

if TYPE_CHECKING:
    from analysis.result import AnalysisResult

TEST_NAMES: tuple[str, ...] = TESTS
SIDE_NAMES: tuple[str, ...] = SIDES
SOURCE_NAMES: tuple[str, ...] = SOURCES
SEX_NAMES: tuple[str, ...] = SEXES
SLR_MODE_NAMES: tuple[str, ...] = SLR_MODES
SERIES_DTYPE = np.dtype("<f4")  # packed little-endian float32: compact and platform-independent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
_PG_MIGRATION_LOCK = zlib.crc32(b"flexcheck-history-migrate")  # advisory lock id


class HistoryError(Exception):
    """A one-line, user-facing problem with the history (bad input, unreachable database)."""


class NotFoundError(HistoryError):
    pass


class DuplicatePersonError(HistoryError):
    pass


@dataclass(frozen=True)
class CheckRecord:
    code: str
    severity: str
    message: str


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    birth_year: int | None
    sex: str | None
    height_cm: float | None
    created_at: datetime

    def age_years(self, on: date) -> int | None:
        """Age in whole years on a date (birth date unknown: assumes the birthday has passed)."""
        return None if self.birth_year is None else on.year - self.birth_year


@dataclass(frozen=True)
class SeriesArrays:
    """Per-frame series as float64 arrays holding the stored float32 values (NaN = not measured)."""

    t_s: np.ndarray
    angle_deg: np.ndarray
    knee_flexion_deg: np.ndarray
    reach_cm: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.t_s)
        arrays = [self.angle_deg, self.knee_flexion_deg] + ([] if self.reach_cm is None else [self.reach_cm])
        if any(np.ndim(a) != 1 or len(a) != n for a in [self.t_s, *arrays]):
            raise HistoryError("series arrays must be 1-D and the same length")

    @property
    def n_frames(self) -> int:
        return len(self.t_s)


@dataclass(frozen=True)
class NewMeasurement:
    person_id: int
    test: str
    side: str
    taken_at: datetime
    angle_deg: float | None
    reach_cm: float | None
    valid: bool
    series: SeriesArrays
    source: str
    checks: tuple[CheckRecord, ...] = ()
    band: str | None = None
    engine_version: str = ""
    model_name: str = ""
    annotated_path: str | None = None
    notes: str | None = None
    slr_mode: str | None = None  # SLR only: "active" (self-raised) or "passive" (a helper lifts the leg)
    symptoms: dict[str, Any] | None = None  # the symptom screen's answers (scoring.Symptoms as a dict)
    uncertainty_deg: float | None = None  # half-width of the engine's 90% interval for angle_deg
    reach_uncertainty_cm: float | None = None  # same for reach_cm (sit-and-reach)
    camera_yaw_deg: float | None = None  # the engine's camera yaw estimate (signed, docs/MEASURES.md)


@dataclass(frozen=True)
class MeasurementRow:
    id: int
    person_id: int
    test: str
    side: str
    taken_at: datetime
    angle_deg: float | None
    reach_cm: float | None
    valid: bool
    checks: tuple[CheckRecord, ...]
    band: str | None
    source: str
    engine_version: str
    model_name: str
    annotated_path: str | None
    notes: str | None
    slr_mode: str | None = None
    symptoms: dict[str, Any] | None = None
    uncertainty_deg: float | None = None
    reach_uncertainty_cm: float | None = None
    camera_yaw_deg: float | None = None


def normalize_url(url: str) -> URL:
    """`postgresql://` and `postgres://` use the psycopg 3 driver; everything else as given."""
    text_url = url.strip()
    if text_url.startswith("postgres://"):
        text_url = "postgresql://" + text_url[len("postgres://") :]
    try:
        parsed = make_url(text_url)
    except ArgumentError as exc:
        raise HistoryError(f"not a database URL: {url!r}") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise HistoryError(f"unsupported database {parsed.get_backend_name()!r} (use sqlite or postgresql)")
    return parsed


def _finite_or_none(x: float | None, what: str) -> float | None:
    if x is None:
        return None
    value = float(x)
    if math.isnan(value):
        return None
    if not math.isfinite(value):
        raise HistoryError(f"{what} must be a finite number")
    return value


def _pack(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=SERIES_DTYPE).tobytes()


def _unpack(b: bytes, n: int) -> np.ndarray:
    a = np.frombuffer(b, dtype=SERIES_DTYPE)
    if len(a) != n:
        raise HistoryError(f"stored series is damaged ({len(a)} values, expected {n})")
    return a.astype(np.float64)


def validate_measurement(m: NewMeasurement) -> None:
    """Raise HistoryError for values the store must never hold."""
    if m.test not in TEST_NAMES:
        raise HistoryError(f"test must be one of {', '.join(TEST_NAMES)}, not {m.test!r}")
    if m.side not in SIDE_NAMES:
        raise HistoryError(f"side must be one of {', '.join(SIDE_NAMES)}, not {m.side!r}")
    if m.source not in SOURCE_NAMES:
        raise HistoryError(f"source must be one of {', '.join(SOURCE_NAMES)}, not {m.source!r}")
    if m.taken_at.tzinfo is None:
        raise HistoryError("taken_at must be timezone-aware (UTC)")
    for c in m.checks:
        if c.severity not in SEVERITIES:
            raise HistoryError(f"check severity must be one of {', '.join(SEVERITIES)}, not {c.severity!r}")
    _finite_or_none(m.angle_deg, "angle_deg")
    _finite_or_none(m.reach_cm, "reach_cm")
    _finite_or_none(m.camera_yaw_deg, "camera_yaw_deg")
    for what, u in (("uncertainty_deg", m.uncertainty_deg), ("reach_uncertainty_cm", m.reach_uncertainty_cm)):
        value = _finite_or_none(u, what)
        if value is not None and value < 0:
            raise HistoryError(f"{what} must not be negative")
    if m.slr_mode is not None:
        if m.test != "slr":
            raise HistoryError("slr_mode applies to the straight-leg raise only")
        if m.slr_mode not in SLR_MODE_NAMES:
            raise HistoryError(f"slr_mode must be one of {', '.join(SLR_MODE_NAMES)}, not {m.slr_mode!r}")
    if m.symptoms is not None and not (
        isinstance(m.symptoms, dict)
        and all(isinstance(k, str) and isinstance(v, str | int | bool | None) for k, v in m.symptoms.items())
    ):
        raise HistoryError("symptoms must map names to plain values (text, number, yes/no)")


def _person_row(p: Person) -> PersonRow:
    return PersonRow(p.id, p.name, p.birth_year, p.sex, p.height_cm, p.created_at)


def _measurement_row(m: Measurement) -> MeasurementRow:
    return MeasurementRow(
        id=m.id,
        person_id=m.person_id,
        test=m.test,
        side=m.side,
        taken_at=m.taken_at,
        angle_deg=m.angle_deg,
        reach_cm=m.reach_cm,
        valid=bool(m.valid),
        checks=tuple(CheckRecord(str(c["code"]), str(c["severity"]), str(c["message"])) for c in m.checks),
        band=m.band,
        source=m.source,
        engine_version=m.engine_version,
        model_name=m.model_name,
        annotated_path=m.annotated_path,
        notes=m.notes,
        slr_mode=m.slr_mode,
        symptoms=None if m.symptoms is None else dict(m.symptoms),
        uncertainty_deg=m.uncertainty_deg,
        reach_uncertainty_cm=m.reach_uncertainty_cm,
        camera_yaw_deg=m.camera_yaw_deg,
    )


def _check_person_fields(name: str, birth_year: int | None, sex: str | None, height_cm: float | None) -> str:
    clean = name.strip()
    if not clean:
        raise HistoryError("a person needs a non-empty name")
    if len(clean) > 200:
        raise HistoryError("a name can have at most 200 characters")
    if birth_year is not None and not 1900 <= birth_year <= datetime.now(UTC).year:
        raise HistoryError(f"birth year {birth_year} is not plausible")
    if sex is not None and sex not in SEX_NAMES:
        raise HistoryError(f"sex must be one of {', '.join(SEX_NAMES)}, not {sex!r}")
    if height_cm is not None and not (50.0 <= float(height_cm) <= 250.0):
        raise HistoryError(f"height {height_cm} cm is not plausible (50-250 cm)")
    return clean


def _ensure_wal(cur: Any) -> None:
    """Switch the file to WAL (the mode is stored in the file; an in-memory database stays "memory").
    Switching needs an exclusive lock, and SQLite reports "database is locked" at once, without its
    busy handler, while another process is creating the same new database: retry until the busy
    timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def _sqlite_setup(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout on every connection; we emit BEGIN ourselves so that
    DDL is transactional and writers take the write lock up front (no lock-upgrade deadlocks)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below control transactions
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _ensure_wal(cur)
        cur.execute("PRAGMA synchronous = FULL")  # a committed save survives power loss, not only a crash
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class HistoryStore:
    """People and their measurements in SQLite (default) or PostgreSQL. Safe to share between
    threads; several processes may write the same database at once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._is_sqlite = engine.dialect.name == "sqlite"
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(self._write_engine, expire_on_commit=False)

    # ---- lifecycle -------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str) -> HistoryStore:
        """Connect, create the database file if needed and migrate the schema to the newest version."""
        parsed = normalize_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = create_engine(parsed, pool_pre_ping=parsed.get_backend_name() != "sqlite")
        except (ArgumentError, ImportError) as exc:
            raise HistoryError(f"cannot use database URL: {exc}") from exc
        if engine.dialect.name == "sqlite":
            _sqlite_setup(engine)
        store = cls(engine)
        try:
            store._migrate()
        except OperationalError as exc:
            engine.dispose()
            raise HistoryError(f"cannot open the history database: {_first_line(exc)}") from exc
        except BaseException:
            engine.dispose()
            raise
        return store

    def _migrate(self) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        with self._write_engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises concurrent openers
            if not self._is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def schema_revision(self) -> str | None:
        with self._engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self._engine

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One write transaction; commits on success, rolls everything back on any error."""
        with self._write() as session, session.begin():
            yield session

    # ---- people ----------------------------------------------------------------------------
    def add_person(
        self,
        name: str,
        birth_year: int | None = None,
        sex: str | None = None,
        height_cm: float | None = None,
    ) -> PersonRow:
        clean = _check_person_fields(name, birth_year, sex, height_cm)
        person = Person(
            name=clean, birth_year=birth_year, sex=sex, height_cm=height_cm, created_at=datetime.now(UTC)
        )
        try:
            with self._writing() as s:
                s.add(person)
                s.flush()
                return _person_row(person)
        except IntegrityError as exc:
            raise DuplicatePersonError(f"a person named {clean!r} already exists") from exc

    def get_person(self, person_id: int) -> PersonRow:
        with self._read() as s:
            p = s.get(Person, person_id)
            if p is None:
                raise NotFoundError(f"no person with id {person_id}")
            return _person_row(p)

    def get_person_by_name(self, name: str) -> PersonRow | None:
        with self._read() as s:
            p = s.scalars(select(Person).where(Person.name == name.strip())).one_or_none()
            return None if p is None else _person_row(p)

    def list_people(self) -> list[PersonRow]:
        with self._read() as s:
            return [_person_row(p) for p in s.scalars(select(Person).order_by(Person.name, Person.id))]

    def update_person(self, person: PersonRow) -> PersonRow:
        """Replace the stored fields of `person.id` (use `dataclasses.replace` on a fetched row)."""
        clean = _check_person_fields(person.name, person.birth_year, person.sex, person.height_cm)
        try:
            with self._writing() as s:
                p = s.get(Person, person.id)
                if p is None:
                    raise NotFoundError(f"no person with id {person.id}")
                p.name, p.birth_year, p.sex, p.height_cm = (
                    clean,
                    person.birth_year,
                    person.sex,
                    person.height_cm,
                )
                s.flush()
                return _person_row(p)
        except IntegrityError as exc:
            raise DuplicatePersonError(f"a person named {clean!r} already exists") from exc

    def delete_person(self, person_id: int) -> None:
        """Delete the person with all their measurements and series (database-level cascade)."""
        with self._writing() as s:
            if s.execute(delete(Person).where(Person.id == person_id)).rowcount == 0:  # type: ignore[attr-defined]
                raise NotFoundError(f"no person with id {person_id}")

    # ---- measurements ----------------------------------------------------------------------
    def save_measurement(self, m: NewMeasurement) -> int:
        """Save a measurement and its series in one transaction; returns the new id."""
        validate_measurement(m)
        with self._writing() as s:
            return self._insert(s, m)

    def _insert(self, s: Session, m: NewMeasurement) -> int:
        row = Measurement(
            person_id=m.person_id,
            test=m.test,
            side=m.side,
            taken_at=m.taken_at,
            angle_deg=_finite_or_none(m.angle_deg, "angle_deg"),
            reach_cm=_finite_or_none(m.reach_cm, "reach_cm"),
            valid=bool(m.valid),
            checks=[{"code": c.code, "severity": c.severity, "message": c.message} for c in m.checks],
            band=m.band,
            source=m.source,
            engine_version=m.engine_version,
            model_name=m.model_name,
            annotated_path=m.annotated_path,
            notes=m.notes,
            slr_mode=m.slr_mode,
            symptoms=m.symptoms,
            uncertainty_deg=_finite_or_none(m.uncertainty_deg, "uncertainty_deg"),
            reach_uncertainty_cm=_finite_or_none(m.reach_uncertainty_cm, "reach_uncertainty_cm"),
            camera_yaw_deg=_finite_or_none(m.camera_yaw_deg, "camera_yaw_deg"),
        )
        s.add(row)
        try:
            s.flush()
        except IntegrityError as exc:
            raise NotFoundError(f"no person with id {m.person_id}") from exc
        ser = m.series
        s.add(
            MeasurementSeries(
                measurement_id=row.id,
                n_frames=ser.n_frames,
                t_s=_pack(ser.t_s),
                angle_deg=_pack(ser.angle_deg),
                knee_flexion_deg=_pack(ser.knee_flexion_deg),
                reach_cm=None if ser.reach_cm is None else _pack(ser.reach_cm),
            )
        )
        s.flush()
        return row.id

    def save_many(self, items: Sequence[NewMeasurement]) -> list[int]:
        """Save several measurements in a single transaction (all or none)."""
        for m in items:
            validate_measurement(m)
        with self._writing() as s:
            return [self._insert(s, m) for m in items]

    def list_measurements(
        self, person_id: int, test: str | None = None, side: str | None = None
    ) -> list[MeasurementRow]:
        """A person's measurements, oldest first."""
        q = select(Measurement).where(Measurement.person_id == person_id)
        if test is not None:
            q = q.where(Measurement.test == test)
        if side is not None:
            q = q.where(Measurement.side == side)
        with self._read() as s:
            return [_measurement_row(m) for m in s.scalars(q.order_by(Measurement.taken_at, Measurement.id))]

    def get_measurement(self, measurement_id: int) -> MeasurementRow:
        with self._read() as s:
            m = s.get(Measurement, measurement_id)
            if m is None:
                raise NotFoundError(f"no measurement with id {measurement_id}")
            return _measurement_row(m)

    def get_series(self, measurement_id: int) -> SeriesArrays:
        with self._read() as s:
            row = s.get(MeasurementSeries, measurement_id)
            if row is None:
                raise NotFoundError(f"no series for measurement {measurement_id}")
            return _series_of(row)

    def get_series_many(self, measurement_ids: Sequence[int]) -> dict[int, SeriesArrays]:
        """Series of several measurements in one query (for a history page)."""
        if not measurement_ids:
            return {}
        with self._read() as s:
            rows = s.scalars(
                select(MeasurementSeries).where(MeasurementSeries.measurement_id.in_(list(measurement_ids)))
            )
            return {r.measurement_id: _series_of(r) for r in rows}

    def delete_measurement(self, measurement_id: int) -> None:
        with self._writing() as s:
            q = delete(Measurement).where(Measurement.id == measurement_id)
            if s.execute(q).rowcount == 0:  # type: ignore[attr-defined]
                raise NotFoundError(f"no measurement with id {measurement_id}")

    # ---- CSV -------------------------------------------------------------------------------
    def export_csv(
        self, path_or_stream: str | Path | IO[str], person: str | None = None, include_series: bool = True
    ) -> int:
        from history.csv_io import export_csv

        return export_csv(self, path_or_stream, person=person, include_series=include_series)

    def import_csv(self, path_or_stream: str | Path | IO[str]) -> int:
        from history.csv_io import import_csv

        return import_csv(self, path_or_stream)


def _series_of(row: MeasurementSeries) -> SeriesArrays:
    n = row.n_frames
    return SeriesArrays(
        t_s=_unpack(row.t_s, n),
        angle_deg=_unpack(row.angle_deg, n),
        knee_flexion_deg=_unpack(row.knee_flexion_deg, n),
        reach_cm=None if row.reach_cm is None else _unpack(row.reach_cm, n),
    )


def _first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    msg = str(orig if orig is not None else exc).strip()
    return msg.splitlines()[0] if msg else type(exc).__name__


# ---- from the engine's result -------------------------------------------------------------
def measurement_from_result(
    result: AnalysisResult,
    person_id: int,
    source: str,
    band: str | None,
    taken_at: datetime | None = None,
    annotated_path: str | None = None,
    notes: str | None = None,
    slr_mode: str | None = None,
    symptoms: dict[str, Any] | None = None,
) -> NewMeasurement:
    s = result.series
    return NewMeasurement(
        person_id=person_id,
        test=result.test,
        side=result.side,
        taken_at=taken_at or datetime.now(UTC),
        angle_deg=result.angle_deg,
        reach_cm=result.reach_cm,
        valid=result.valid,
        series=SeriesArrays(
            t_s=np.asarray(s.t_s, dtype=np.float64),
            angle_deg=np.asarray(s.angle_deg, dtype=np.float64),
            knee_flexion_deg=np.asarray(s.knee_flexion_deg, dtype=np.float64),
            reach_cm=None if s.reach_cm is None else np.asarray(s.reach_cm, dtype=np.float64),
        ),
        source=source,
        checks=tuple(CheckRecord(c.code, c.severity, c.message) for c in result.checks),
        band=band,
        engine_version=result.engine_version,
        model_name=result.model_name,
        annotated_path=annotated_path,
        notes=notes,
        slr_mode=slr_mode if result.test == "slr" else None,
        symptoms=symptoms,
    )


def save_analysis(
    store: HistoryStore,
    person_name: str,
    result: AnalysisResult,
    source: str,
    band: str | None,
    annotated_path: str | None = None,
    slr_mode: str | None = None,
    symptoms: dict[str, Any] | None = None,
) -> int:
    """Save an analysis for `person_name`, creating the person if missing; returns the measurement id."""
    person = store.get_person_by_name(person_name)
    if person is None:
        try:
            person = store.add_person(person_name)
        except DuplicatePersonError:  # created by another process meanwhile
            person = store.get_person_by_name(person_name)
            if person is None:
                raise
    return store.save_measurement(
        measurement_from_result(
            result,
            person.id,
            source,
            band,
            annotated_path=annotated_path,
            slr_mode=slr_mode,
            symptoms=symptoms,
        )
    )
