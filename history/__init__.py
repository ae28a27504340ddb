"""FlexCheck history: people and their range-of-motion measurements, kept safe over months.

Storage: SQLite in WAL mode by default (foreign keys on, busy timeout, synchronous=FULL), or
PostgreSQL by URL (`postgresql://...`, psycopg 3). The schema is created and migrated with Alembic
(`history/migrations/`) every time a store is opened.

API (all typed; errors are `HistoryError` subclasses with one-line, user-facing messages):

    store = HistoryStore.open(url)                 # creates the file/schema, `alembic upgrade head`
    p = store.add_person(name, birth_year=None, sex=None, height_cm=None) -> PersonRow
    store.get_person(id) / store.get_person_by_name(name) -> PersonRow | None / store.list_people()
    store.update_person(dataclasses.replace(p, height_cm=181.0)) -> PersonRow
    store.delete_person(id)                        # cascades to measurements and series
    mid = store.save_measurement(NewMeasurement(...)) -> int   # row + series in ONE transaction
    store.save_many([...]) -> list[int]            # several, all-or-nothing
    store.list_measurements(person_id, test=None, side=None) -> list[MeasurementRow]  # oldest first
    store.get_measurement(id) -> MeasurementRow
    store.get_series(id) -> SeriesArrays; store.get_series_many(ids) -> dict[int, SeriesArrays]
    store.delete_measurement(id)                   # cascades to the series
    store.export_csv(path_or_stream, person=None, include_series=True) -> rows written
    store.import_csv(path_or_stream) -> rows added (all-or-nothing; see history.csv_io for the format)
    store.close()

    measurement_from_result(result, person_id, source, band) -> NewMeasurement
    save_analysis(store, person_name, result, source, band) -> measurement id (creates the person)

`SeriesArrays` holds the per-frame t_s, angle_deg, knee_flexion_deg and (sit-reach) reach_cm as
numpy arrays; they are stored packed as float32 (values come back as those float32 values).
All queries go through the ORM with bound parameters: names and notes are data, never SQL or paths.
"""

from history.csv_io import CsvFormatError
from history.store import (
    CheckRecord,
    DuplicatePersonError,
    HistoryError,
    HistoryStore,
    MeasurementRow,
    NewMeasurement,
    NotFoundError,
    PersonRow,
    SeriesArrays,
    measurement_from_result,
    save_analysis,
)

__all__ = [
    "CheckRecord",
    "CsvFormatError",
    "DuplicatePersonError",
    "HistoryError",
    "HistoryStore",
    "MeasurementRow",
    "NewMeasurement",
    "NotFoundError",
    "PersonRow",
    "SeriesArrays",
    "measurement_from_result",
    "save_analysis",
]
