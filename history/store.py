"""The history store: people, measurements and their per-frame series.

Writes go through one public transaction API, so a caller that needs several writes to stand or
fall together (CSV import, a batch) uses the same code and the same validation as a single save:

    with store.transaction() as tx:          # commits on success, rolls everything back on any error
        p = tx.get_person_by_name("Ana") or tx.add_person("Ana")
        tx.insert_measurement(dataclasses.replace(m, person_id=p.id))

Reads return the frozen record types of `history.records`; `read_history` gives exporters (CSV,
FHIR, the report) one consistent snapshot of people, measurements and series.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from history.engine import WRITE_OPTIONS, open_engine, schema_revision
from history.models import Measurement, MeasurementSeries, Person
from history.records import (
    CheckRecord,
    DuplicatePersonError,
    HistoryError,
    MeasurementRow,
    NewMeasurement,
    NotFoundError,
    PersonHistory,
    PersonRow,
    SeriesArrays,
    pack_series,
    unpack_series,
)
from history.validation import finite_or_none, validate_measurement, validate_person

__all__ = [
    "CheckRecord",
    "DuplicatePersonError",
    "HistoryError",
    "HistoryStore",
    "MeasurementRow",
    "NewMeasurement",
    "NotFoundError",
    "PersonRow",
    "SeriesArrays",
    "Transaction",
]


class Transaction:
    """Writes (and the reads they need) inside one database transaction; get one from
    `HistoryStore.transaction()`. Every write is validated by `history.validation` first."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add_person(
        self,
        name: str,
        birth_year: int | None = None,
        sex: str | None = None,
        height_cm: float | None = None,
        created_at: datetime | None = None,
    ) -> PersonRow:
        clean = validate_person(name, birth_year, sex, height_cm)
        person = Person(
            name=clean,
            birth_year=birth_year,
            sex=sex,
            height_cm=height_cm,
            created_at=created_at or datetime.now(UTC),
        )
        self._s.add(person)
        try:
            self._s.flush()
        except IntegrityError as exc:
            raise DuplicatePersonError(f"a person named {clean!r} already exists") from exc
        return _person_row(person)

    def get_person_by_name(self, name: str) -> PersonRow | None:
        p = self._s.scalars(select(Person).where(Person.name == name.strip())).one_or_none()
        return None if p is None else _person_row(p)

    def update_person(self, person: PersonRow) -> PersonRow:
        """Replace the stored fields of `person.id` (use `dataclasses.replace` on a fetched row)."""
        clean = validate_person(person.name, person.birth_year, person.sex, person.height_cm)
        p = self._s.get(Person, person.id)
        if p is None:
            raise NotFoundError(f"no person with id {person.id}")
        p.name, p.birth_year, p.sex, p.height_cm = clean, person.birth_year, person.sex, person.height_cm
        try:
            self._s.flush()
        except IntegrityError as exc:
            raise DuplicatePersonError(f"a person named {clean!r} already exists") from exc
        return _person_row(p)

    def delete_person(self, person_id: int) -> None:
        """Delete the person with all their measurements and series (database-level cascade)."""
        if self._s.execute(delete(Person).where(Person.id == person_id)).rowcount == 0:  # type: ignore[attr-defined]
            raise NotFoundError(f"no person with id {person_id}")

    def insert_measurement(self, m: NewMeasurement) -> int:
        """Add a measurement and its series; returns the new id."""
        validate_measurement(m)
        row = Measurement(
            person_id=m.person_id,
            test=m.test,
            side=m.side,
            taken_at=m.taken_at,
            angle_deg=finite_or_none(m.angle_deg, "angle_deg"),
            reach_cm=finite_or_none(m.reach_cm, "reach_cm"),
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
            uncertainty_deg=finite_or_none(m.uncertainty_deg, "uncertainty_deg"),
            reach_uncertainty_cm=finite_or_none(m.reach_uncertainty_cm, "reach_uncertainty_cm"),
            camera_yaw_deg=finite_or_none(m.camera_yaw_deg, "camera_yaw_deg"),
        )
        self._s.add(row)
        try:
            self._s.flush()
        except IntegrityError as exc:
            raise NotFoundError(f"no person with id {m.person_id}") from exc
        ser = m.series
        self._s.add(
            MeasurementSeries(
                measurement_id=row.id,
                n_frames=ser.n_frames,
                t_s=pack_series(ser.t_s),
                angle_deg=pack_series(ser.angle_deg),
                knee_flexion_deg=pack_series(ser.knee_flexion_deg),
                reach_cm=None if ser.reach_cm is None else pack_series(ser.reach_cm),
            )
        )
        self._s.flush()
        return row.id

    def delete_measurement(self, measurement_id: int) -> None:
        q = delete(Measurement).where(Measurement.id == measurement_id)
        if self._s.execute(q).rowcount == 0:  # type: ignore[attr-defined]
            raise NotFoundError(f"no measurement with id {measurement_id}")

    def measurement_keys(self, person_id: int) -> set[tuple[str, str, datetime]]:
        """(test, side, taken_at) of a person's stored measurements: what makes a row a duplicate."""
        q = select(Measurement.test, Measurement.side, Measurement.taken_at).where(
            Measurement.person_id == person_id
        )
        return {(t, s, at) for t, s, at in self._s.execute(q)}


class HistoryStore:
    """People and their measurements in SQLite (default) or PostgreSQL. Safe to share between
    threads; several processes may write the same database at once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(engine.execution_options(**WRITE_OPTIONS), expire_on_commit=False)

    # ---- lifecycle -------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str) -> HistoryStore:
        """Connect, create the database file if needed and migrate the schema to the newest version."""
        return cls(open_engine(url))

    def schema_revision(self) -> str | None:
        return schema_revision(self._engine)

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
    def transaction(self) -> Iterator[Transaction]:
        """One write transaction; commits when the block ends, rolls everything back on any error."""
        with self._write() as session, session.begin():
            yield Transaction(session)

    # ---- people ----------------------------------------------------------------------------
    def add_person(
        self,
        name: str,
        birth_year: int | None = None,
        sex: str | None = None,
        height_cm: float | None = None,
    ) -> PersonRow:
        with self.transaction() as tx:
            return tx.add_person(name, birth_year, sex, height_cm)

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
        with self.transaction() as tx:
            return tx.update_person(person)

    def delete_person(self, person_id: int) -> None:
        """Delete the person with all their measurements and series (database-level cascade)."""
        with self.transaction() as tx:
            tx.delete_person(person_id)

    # ---- measurements ----------------------------------------------------------------------
    def save_measurement(self, m: NewMeasurement) -> int:
        """Save a measurement and its series in one transaction; returns the new id."""
        validate_measurement(m)  # before taking the write lock
        with self.transaction() as tx:
            return tx.insert_measurement(m)

    def save_many(self, items: Sequence[NewMeasurement]) -> list[int]:
        """Save several measurements in a single transaction (all or none)."""
        for m in items:
            validate_measurement(m)
        with self.transaction() as tx:
            return [tx.insert_measurement(m) for m in items]

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
        with self.transaction() as tx:
            tx.delete_measurement(measurement_id)

    # ---- exports ---------------------------------------------------------------------------
    def read_history(self, person: str | None = None, include_series: bool = False) -> list[PersonHistory]:
        """Everyone (or the person named `person`) with their measurements, oldest first, ordered by
        name; read in one transaction so an export never mixes two states of the database."""
        with self._read() as s, s.begin():
            q = select(Person).order_by(Person.name, Person.id)
            if person is not None:
                q = q.where(Person.name == person.strip())
            people = [_person_row(p) for p in s.scalars(q)]
            if person is not None and not people:
                raise NotFoundError(f"no person named {person!r}")
            ids = [p.id for p in people]
            by_person: dict[int, list[MeasurementRow]] = defaultdict(list)
            mq = select(Measurement).where(Measurement.person_id.in_(ids))
            for m in s.scalars(mq.order_by(Measurement.taken_at, Measurement.id)):
                by_person[m.person_id].append(_measurement_row(m))
            series: dict[int, SeriesArrays] = {}
            if include_series:
                sq = (
                    select(MeasurementSeries)
                    .join(Measurement, Measurement.id == MeasurementSeries.measurement_id)
                    .where(Measurement.person_id.in_(ids))
                )
                series = {r.measurement_id: _series_of(r) for r in s.scalars(sq)}
        return [
            PersonHistory(
                p,
                tuple(by_person[p.id]),
                {m.id: series[m.id] for m in by_person[p.id] if m.id in series},
            )
            for p in people
        ]


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


def _series_of(row: MeasurementSeries) -> SeriesArrays:
    n = row.n_frames
    return SeriesArrays(
        t_s=unpack_series(row.t_s, n),
        angle_deg=unpack_series(row.angle_deg, n),
        knee_flexion_deg=unpack_series(row.knee_flexion_deg, n),
        reach_cm=None if row.reach_cm is None else unpack_series(row.reach_cm, n),
    )
