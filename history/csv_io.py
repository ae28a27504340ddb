"""CSV export/import of the history: one row per measurement, with its person's fields.

Format (UTF-8, header row, RFC 4180 quoting, `\\n` line ends):
- empty cell = no value; numbers are written with Python's shortest exact repr, so a value read
  back is bit-for-bit the stored one; `taken_at` / `person_created_at` are ISO 8601 UTC with
  microseconds; `valid` is `true`/`false`; `checks` is a JSON list of {code, severity, message}.
- The per-frame series is included (so charts survive a backup) as base64 of little-endian float32
  arrays in the last columns (`n_frames`, `t_s_f32`, ...). Spreadsheet users can ignore them;
  `include_series=False` leaves them empty and such rows import with an empty series.
- Export is ordered by person name, then time, then id, so export -> import -> export is byte-identical.

Import is all-or-nothing (one transaction). A person is matched by name (created with the row's
fields if missing; an existing person's fields are kept). A row whose person, test, side and
taken_at match a stored measurement is skipped, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from history.files import atomic_text_out
from history.records import (
    SERIES_DTYPE,
    CheckRecord,
    HistoryError,
    MeasurementRow,
    NewMeasurement,
    SeriesArrays,
    pack_series,
)
from history.validation import validate_measurement, validate_person

if TYPE_CHECKING:
    from history.store import HistoryStore

PERSON_COLUMNS = ("person", "birth_year", "sex", "height_cm", "person_created_at")
MEASUREMENT_COLUMNS = (
    "test",
    "side",
    "taken_at",
    "angle_deg",
    "reach_cm",
    "valid",
    "band",
    "source",
    "engine_version",
    "model_name",
    "annotated_path",
    "notes",
    "checks",
    "slr_mode",
    "symptoms",
    "uncertainty_deg",
    "reach_uncertainty_cm",
    "camera_yaw_deg",
)
SERIES_COLUMNS = ("n_frames", "t_s_f32", "angle_deg_f32", "knee_flexion_deg_f32", "reach_cm_f32")
COLUMNS = PERSON_COLUMNS + MEASUREMENT_COLUMNS + SERIES_COLUMNS
REQUIRED_COLUMNS = ("person", "test", "side", "taken_at", "angle_deg", "reach_cm", "valid")


class CsvFormatError(HistoryError):
    """A malformed CSV file; the message names the line, e.g. "line 7: angle_deg 'abc' is not a number"."""


# ---- formatting ----------------------------------------------------------------------------
def _fmt_float(x: float | None) -> str:
    return "" if x is None else repr(float(x))


def _fmt_time(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="microseconds")


def export_csv(
    store: HistoryStore, target: str | Path | IO[str], person: str | None = None, include_series: bool = True
) -> int:
    """Write the history (or one person's) as CSV; returns the number of measurements written."""
    history = store.read_history(person=person, include_series=include_series)
    n = 0
    with atomic_text_out(target) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for h in history:
            p = h.person
            person_cells = [
                p.name,
                "" if p.birth_year is None else str(p.birth_year),
                p.sex or "",
                _fmt_float(p.height_cm),
                _fmt_time(p.created_at),
            ]
            for m in h.measurements:
                w.writerow([*person_cells, *_measurement_cells(m), *_series_cells(h.series.get(m.id))])
                n += 1
    return n


def _measurement_cells(m: MeasurementRow) -> list[str]:
    checks = [{"code": c.code, "severity": c.severity, "message": c.message} for c in m.checks]
    return [
        m.test,
        m.side,
        _fmt_time(m.taken_at),
        _fmt_float(m.angle_deg),
        _fmt_float(m.reach_cm),
        "true" if m.valid else "false",
        m.band or "",
        m.source,
        m.engine_version,
        m.model_name,
        m.annotated_path or "",
        m.notes or "",
        json.dumps(checks, ensure_ascii=False, separators=(",", ":")),
        m.slr_mode or "",
        "" if m.symptoms is None else json.dumps(m.symptoms, ensure_ascii=False, sort_keys=True),
        _fmt_float(m.uncertainty_deg),
        _fmt_float(m.reach_uncertainty_cm),
        _fmt_float(m.camera_yaw_deg),
    ]


def _series_cells(ser: SeriesArrays | None) -> list[str]:
    if ser is None:
        return [""] * len(SERIES_COLUMNS)

    def b64(a: np.ndarray) -> str:
        return base64.b64encode(pack_series(a)).decode("ascii")

    reach = "" if ser.reach_cm is None else b64(ser.reach_cm)
    return [str(ser.n_frames), b64(ser.t_s), b64(ser.angle_deg), b64(ser.knee_flexion_deg), reach]


# ---- parsing -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _PersonFields:
    name: str
    birth_year: int | None
    sex: str | None
    height_cm: float | None
    created_at: datetime | None


@dataclass(frozen=True)
class _ParsedRow:
    line: int
    person: _PersonFields
    measurement: NewMeasurement  # person_id is filled in at import time


class _Row:
    def __init__(self, line: int, cells: dict[str, str]) -> None:
        self.line, self.cells = line, cells

    def fail(self, msg: str) -> CsvFormatError:
        return CsvFormatError(f"line {self.line}: {msg}")

    def text(self, col: str) -> str:
        return self.cells.get(col, "")

    def opt_text(self, col: str) -> str | None:
        v = self.text(col)
        return v if v != "" else None

    def number(self, col: str) -> float | None:
        v = self.text(col).strip()
        if v == "":
            return None
        try:
            x = float(v)
        except ValueError:
            raise self.fail(f"{col} {v!r} is not a number") from None
        if not math.isfinite(x):
            raise self.fail(f"{col} {v!r} is not a finite number")
        return x

    def integer(self, col: str) -> int | None:
        v = self.text(col).strip()
        if v == "":
            return None
        try:
            return int(v)
        except ValueError:
            raise self.fail(f"{col} {v!r} is not a whole number") from None

    def time(self, col: str, optional: bool = False) -> datetime | None:
        v = self.text(col).strip()
        if v == "" and optional:
            return None
        try:
            t = datetime.fromisoformat(v)
        except ValueError:
            raise self.fail(f"{col} {v!r} is not an ISO 8601 date-time") from None
        if t.tzinfo is None:
            raise self.fail(f"{col} {v!r} has no time zone (write it in UTC, e.g. +00:00)")
        return t.astimezone(UTC)

    def boolean(self, col: str) -> bool:
        v = self.text(col).strip().lower()
        if v not in ("true", "false"):
            raise self.fail(f"{col} {self.text(col)!r} is not true or false")
        return v == "true"

    def checks(self) -> tuple[CheckRecord, ...]:
        v = self.text("checks").strip()
        if v == "":
            return ()
        try:
            data = json.loads(v)
        except json.JSONDecodeError:
            raise self.fail("checks is not valid JSON") from None
        keys = {"code", "severity", "message"}
        if not isinstance(data, list) or not all(
            isinstance(c, dict) and set(c) == keys and all(isinstance(c[k], str) for k in keys) for c in data
        ):
            raise self.fail("checks must be a JSON list of {code, severity, message} objects")
        return tuple(CheckRecord(c["code"], c["severity"], c["message"]) for c in data)

    def symptoms(self) -> dict[str, Any] | None:
        v = self.text("symptoms").strip()
        if v == "":
            return None
        try:
            data = json.loads(v)
        except json.JSONDecodeError:
            raise self.fail("symptoms is not valid JSON") from None
        if not isinstance(data, dict):
            raise self.fail("symptoms must be a JSON object")
        return data

    def array(self, col: str, n: int, optional: bool = False) -> np.ndarray | None:
        v = self.text(col).strip()
        if v == "" and (optional or n == 0):
            return None if optional else np.zeros(0)
        try:
            raw = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            raise self.fail(f"{col} is not base64") from None
        if len(raw) != n * SERIES_DTYPE.itemsize:
            raise self.fail(f"{col} holds {len(raw) // SERIES_DTYPE.itemsize} values, n_frames says {n}")
        return np.frombuffer(raw, dtype=SERIES_DTYPE).astype(np.float64)

    def series(self) -> SeriesArrays:
        n = self.integer("n_frames") or 0
        if n < 0:
            raise self.fail(f"n_frames {n} is negative")
        t_s = self.array("t_s_f32", n)
        angle = self.array("angle_deg_f32", n)
        knee = self.array("knee_flexion_deg_f32", n)
        assert t_s is not None and angle is not None and knee is not None
        return SeriesArrays(t_s, angle, knee, self.array("reach_cm_f32", n, optional=True))


def _parse_row(row: _Row) -> _ParsedRow:
    """Read the cells into typed values, then check them with the store's own rules."""
    person = _PersonFields(
        name=row.text("person"),
        birth_year=row.integer("birth_year"),
        sex=row.opt_text("sex"),
        height_cm=row.number("height_cm"),
        created_at=row.time("person_created_at", optional=True),
    )
    taken_at = row.time("taken_at")
    assert taken_at is not None
    m = NewMeasurement(
        person_id=0,
        test=row.text("test"),
        side=row.text("side"),
        taken_at=taken_at,
        angle_deg=row.number("angle_deg"),
        reach_cm=row.number("reach_cm"),
        valid=row.boolean("valid"),
        series=row.series(),
        source=row.text("source") or "upload",
        checks=row.checks(),
        band=row.opt_text("band"),
        engine_version=row.text("engine_version"),
        model_name=row.text("model_name"),
        annotated_path=row.opt_text("annotated_path"),
        notes=row.opt_text("notes"),
        slr_mode=row.opt_text("slr_mode"),
        symptoms=row.symptoms(),
        uncertainty_deg=row.number("uncertainty_deg"),
        reach_uncertainty_cm=row.number("reach_uncertainty_cm"),
        camera_yaw_deg=row.number("camera_yaw_deg"),
    )
    try:
        name = validate_person(person.name, person.birth_year, person.sex, person.height_cm)
        validate_measurement(m)
    except HistoryError as exc:
        raise row.fail(str(exc)) from None
    return _ParsedRow(row.line, replace(person, name=name), m)


def parse_csv(stream: IO[str]) -> list[_ParsedRow]:
    """Parse and validate every row first; raise CsvFormatError on the first bad line."""
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise CsvFormatError("line 1: the file is empty (expected a header row)")
        header = [h.strip().lstrip("\ufeff") for h in header]
        unknown = [h for h in header if h not in COLUMNS]
        if unknown:
            raise CsvFormatError(f"line 1: unknown column {unknown[0]!r}")
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise CsvFormatError(f"line 1: missing column {missing[0]!r}")
        if len(set(header)) != len(header):
            raise CsvFormatError("line 1: a column name appears twice")
        parsed = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank line
            row = _Row(reader.line_num, {})
            if len(cells) != len(header):
                raise row.fail(f"{len(cells)} cells, the header has {len(header)}")
            row.cells = dict(zip(header, cells, strict=True))
            parsed.append(_parse_row(row))
        return parsed
    except csv.Error as exc:
        raise CsvFormatError(f"line {reader.line_num}: {exc}") from None
    except UnicodeDecodeError:
        raise CsvFormatError(f"line {reader.line_num + 1}: the file is not UTF-8 text") from None


def import_csv(store: HistoryStore, source: str | Path | IO[str]) -> int:
    """Import a CSV written by `export_csv`; returns the number of measurements added."""
    if isinstance(source, str | Path):
        try:
            with open(source, encoding="utf-8", newline="") as fh:
                rows = parse_csv(fh)
        except OSError as exc:
            raise HistoryError(f"cannot read {source}: {exc.strerror or exc}") from None
    else:
        rows = parse_csv(source)
    return _store_rows(store, rows)


def _store_rows(store: HistoryStore, rows: list[_ParsedRow]) -> int:
    with store.transaction() as tx:  # one transaction: a bad row or a crash leaves the history unchanged
        ids: dict[str, int] = {}
        seen: set[tuple[int, str, str, datetime]] = set()
        added = 0
        for r in rows:
            pid = ids.get(r.person.name)
            if pid is None:
                p = r.person
                found = tx.get_person_by_name(p.name)
                if found is None:
                    found = tx.add_person(p.name, p.birth_year, p.sex, p.height_cm, created_at=p.created_at)
                pid = ids[p.name] = found.id
                seen.update((pid, *key) for key in tx.measurement_keys(pid))
            m = r.measurement
            key = (pid, m.test, m.side, m.taken_at)
            if key in seen:
                continue
            seen.add(key)
            tx.insert_measurement(replace(m, person_id=pid))
            added += 1
        return added
