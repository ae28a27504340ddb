"""The one set of rules for what the history may hold: the store, CSV import and every writer use it.

Each rule raises HistoryError with a one-line message that names the field; CSV import prefixes the
line number ("line 7: ...").
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from flexcheck.vocabulary import SEVERITIES, SEXES, SIDES, SLR_MODES, SOURCES, TESTS
from history.records import CheckRecord, HistoryError, NewMeasurement

MAX_NAME_CHARS = 200
HEIGHT_RANGE_CM = (50.0, 250.0)
FIRST_BIRTH_YEAR = 1900


def finite_or_none(x: float | None, what: str) -> float | None:
    """None and NaN mean "no value"; infinities are refused."""
    if x is None:
        return None
    value = float(x)
    if math.isnan(value):
        return None
    if not math.isfinite(value):
        raise HistoryError(f"{what} must be a finite number")
    return value


def one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise HistoryError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def validate_person(name: str, birth_year: int | None, sex: str | None, height_cm: float | None) -> str:
    """Raise HistoryError for an implausible person; return the name as stored (trimmed)."""
    clean = name.strip()
    if not clean:
        raise HistoryError("a person needs a non-empty name")
    if len(clean) > MAX_NAME_CHARS:
        raise HistoryError(f"a name can have at most {MAX_NAME_CHARS} characters")
    if birth_year is not None and not FIRST_BIRTH_YEAR <= birth_year <= datetime.now(UTC).year:
        raise HistoryError(f"birth year {birth_year} is not plausible")
    if sex is not None:
        one_of(sex, SEXES, "sex")
    lo, hi = HEIGHT_RANGE_CM
    if height_cm is not None and not (lo <= float(height_cm) <= hi):
        raise HistoryError(f"height {height_cm} cm is not plausible ({lo:g}-{hi:g} cm)")
    return clean


def validate_checks(checks: tuple[CheckRecord, ...]) -> None:
    for c in checks:
        one_of(c.severity, SEVERITIES, "check severity")


def validate_measurement(m: NewMeasurement) -> None:
    """Raise HistoryError for values the store must never hold."""
    one_of(m.test, TESTS, "test")
    one_of(m.side, SIDES, "side")
    one_of(m.source, SOURCES, "source")
    if m.taken_at.tzinfo is None:
        raise HistoryError("taken_at must be timezone-aware (UTC)")
    validate_checks(m.checks)
    finite_or_none(m.angle_deg, "angle_deg")
    finite_or_none(m.reach_cm, "reach_cm")
    finite_or_none(m.camera_yaw_deg, "camera_yaw_deg")
    for what, u in (("uncertainty_deg", m.uncertainty_deg), ("reach_uncertainty_cm", m.reach_uncertainty_cm)):
        value = finite_or_none(u, what)
        if value is not None and value < 0:
            raise HistoryError(f"{what} must not be negative")
    if m.slr_mode is not None:
        if m.test != "slr":
            raise HistoryError("slr_mode applies to the straight-leg raise only")
        one_of(m.slr_mode, SLR_MODES, "slr_mode")
    if m.symptoms is not None and not (
        isinstance(m.symptoms, dict)
        and all(isinstance(k, str) and isinstance(v, str | int | bool | None) for k, v in m.symptoms.items())
    ):
        raise HistoryError("symptoms must map names to plain values (text, number, yes/no)")
