"""The history's record types and errors: what goes into the store and what comes out of it.

A leaf of the history package (numpy and the vocabulary only), so every other history module, the
CLI, the UI and the exporters can share these types without importing the store or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

SERIES_DTYPE = np.dtype("<f4")  # packed little-endian float32: compact and platform-independent


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


@dataclass(frozen=True)
class PersonHistory:
    """One person with their measurements (oldest first) and, when asked for, their series by id."""

    person: PersonRow
    measurements: tuple[MeasurementRow, ...]
    series: dict[int, SeriesArrays]


def pack_series(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=SERIES_DTYPE).tobytes()


def unpack_series(b: bytes, n: int) -> np.ndarray:
    """float64 array of the n stored float32 values; HistoryError when the bytes do not hold n."""
    if len(b) != n * SERIES_DTYPE.itemsize:
        raise HistoryError(
            f"stored series is damaged ({len(b) // SERIES_DTYPE.itemsize} values, expected {n})"
        )
    return np.frombuffer(b, dtype=SERIES_DTYPE).astype(np.float64)
