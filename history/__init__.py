"""FlexCheck history: people and their range-of-motion measurements, kept safe over months.

Storage: SQLite in WAL mode by default (foreign keys on, busy timeout, synchronous=FULL), or
PostgreSQL by URL (`postgresql://...`, psycopg 3). The schema is created and migrated with Alembic
(`history/migrations/`) every time a store is opened.

Modules, each one job, imported in this order (no cycles; tests/test_history_imports.py checks it):
    records     record types and errors (PersonRow, NewMeasurement, MeasurementRow, SeriesArrays, ...)
    validation  the one set of rules for what the store may hold (the store and CSV import use it)
    engine      URL normalisation, SQLite pragmas, migrations
    models      the SQLAlchemy ORM tables
    store       HistoryStore: reads, and writes through `store.transaction()`
    from_result the engine's AnalysisResult -> NewMeasurement, and save_analysis
    csv_io      CSV export/import over the store's public API
    fhir        FHIR R4 export over the store's public API

API (all typed; errors are `HistoryError` subclasses with one-line, user-facing messages):

    store = HistoryStore.open(url)                 # creates the file/schema, `alembic upgrade head`
    p = store.add_person(name, birth_year=None, sex=None, height_cm=None) -> PersonRow
    store.get_person(id) / store.get_person_by_name(name) -> PersonRow | None / store.list_people()
    store.update_person(dataclasses.replace(p, height_cm=181.0)) -> PersonRow
    store.delete_person(id)                        # cascades to measurements and series
    mid = store.save_measurement(NewMeasurement(...)) -> int   # row + series in ONE transaction
    store.save_many([...]) -> list[int]            # several, all-or-nothing
    with store.transaction() as tx: ...            # tx.add_person / insert_measurement / ..., all-or-nothing
    store.list_measurements(person_id, test=None, side=None) -> list[MeasurementRow]  # oldest first
    store.get_measurement(id) -> MeasurementRow
    store.get_series(id) -> SeriesArrays; store.get_series_many(ids) -> dict[int, SeriesArrays]
    store.read_history(person=None, include_series=False) -> list[PersonHistory]  # one snapshot
    store.delete_measurement(id)                   # cascades to the series
    store.close()

    export_csv(store, path_or_stream, person=None, include_series=True) -> rows written
    import_csv(store, path_or_stream) -> rows added (all-or-nothing; see history.csv_io for the format)
    export_fhir(store, path_or_stream, person=None) -> measurements written as a FHIR R4 Bundle
    measurement_from_result(result, person_id, source, band) -> NewMeasurement
    save_analysis(store, person_name, result, source, band) -> measurement id (creates the person)

`SeriesArrays` holds the per-frame t_s, angle_deg, knee_flexion_deg and (sit-reach) reach_cm as
numpy arrays; they are stored packed as float32 (values come back as those float32 values).
All queries go through the ORM with bound parameters: names and notes are data, never SQL or paths.
"""

from history.csv_io import CsvFormatError, export_csv, import_csv
from history.fhir import export_fhir
from history.from_result import measurement_from_result, save_analysis
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
)
from history.store import HistoryStore, Transaction

__all__ = [
    "CheckRecord",
    "CsvFormatError",
    "DuplicatePersonError",
    "HistoryError",
    "HistoryStore",
    "MeasurementRow",
    "NewMeasurement",
    "NotFoundError",
    "PersonHistory",
    "PersonRow",
    "SeriesArrays",
    "Transaction",
    "export_csv",
    "export_fhir",
    "import_csv",
    "measurement_from_result",
    "save_analysis",
]
