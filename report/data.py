"""What the report shows, gathered from the history through its public API (no PDF code here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from flexcheck.vocabulary import SIDES, TESTS
from history import HistoryStore, MeasurementRow, PersonRow
from report.charts import BandRange, band_ranges, history_value
from report.plan import PlanSummary, plan_summary

TEST_NAMES = {"slr": "Straight-leg raise", "sit-reach": "Sit-and-reach"}
UNITS = {"slr": "°", "sit-reach": " cm"}
# The same one-line caution the app shows under every page.
NOT_A_DIAGNOSIS = (
    "FlexCheck is a self-measurement aid, not a diagnosis. Stop if a test hurts, and see a health "
    "professional about pain, numbness, tingling or weakness."
)
SYMPTOM_WORDS = {
    "pain_behind_knee": "pain behind the knee",
    "tingling_or_numbness": "tingling or numbness",
    "severe_pain": "severe pain",
    "strain": "strain",
}


class ReportError(Exception):
    """No such person, or nothing to report: a one-line message."""


@dataclass(frozen=True)
class ReportRow:
    taken_at: datetime
    value_text: str  # "74.2° ± 3.1°", or "72.0°" when the uncertainty is unknown
    band: str
    slr_mode: str
    checks: str  # plain words
    engine_version: str
    source: str
    valid: bool


@dataclass(frozen=True)
class TestLeg:
    """One chart and one table: a test on one leg."""

    test: str
    side: str
    title: str
    value_field: str
    value_title: str
    frame: pd.DataFrame  # taken_at + value_field, valid measurements only (what the chart plots)
    bands: list[BandRange]
    baseline: float | None
    mdc: float | None
    rows: tuple[ReportRow, ...]


@dataclass(frozen=True)
class SymptomEntry:
    taken_at: datetime
    test: str
    side: str
    answers: str


@dataclass(frozen=True)
class ReportData:
    person: PersonRow
    age: int | None
    generated_at: datetime
    date_from: date | None
    date_to: date | None
    legs: tuple[TestLeg, ...]
    plan: PlanSummary | None
    symptoms: tuple[SymptomEntry, ...]
    sources: tuple[str, ...]
    not_a_diagnosis: str = NOT_A_DIAGNOSIS


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _in_range(m: MeasurementRow, date_from: date | None, date_to: date | None) -> bool:
    day = _utc(m.taken_at).date()
    return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)


def _value(m: MeasurementRow) -> float | None:
    return m.angle_deg if m.test == "slr" else m.reach_cm


def value_text(m: MeasurementRow) -> str:
    value = _value(m)
    if value is None:
        return "—"
    unc = m.uncertainty_deg if m.test == "slr" else m.reach_uncertainty_cm
    unit = UNITS[m.test]
    text = f"{value:.1f}{unit}" if m.test == "slr" else f"{value:+.1f}{unit}"
    return text if unc is None else f"{text} ± {unc:.1f}{unit}"


def checks_text(m: MeasurementRow) -> str:
    """The warnings and errors in the words the app used; 'all checks passed' when there were none."""
    said = [c.message for c in m.checks if c.severity in ("warning", "error")]
    if not m.valid and not said:
        said = ["not valid"]
    return " ".join(said) if said else "All checks passed."


def _band_label(m: MeasurementRow, profile: Any) -> str:
    from scoring import band_label

    return "—" if m.band is None else band_label(m.test, m.band, profile, m.slr_mode)


def symptoms_text(answers: dict[str, Any] | None) -> str:
    parts = []
    for key, value in (answers or {}).items():
        words = SYMPTOM_WORDS.get(key, key.replace("_", " "))
        if isinstance(value, bool):
            parts.append(f"{words}: {'yes' if value else 'no'}")
        elif value is not None:
            parts.append(f"{words}: {value}")
    return "; ".join(parts)


def collect(
    store: HistoryStore,
    person_name: str,
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
) -> ReportData:
    from scoring import Profile, mdc
    from scoring.scores import mdc_sources

    person = store.get_person_by_name(person_name)
    if person is None:
        raise ReportError(f"no person named {person_name!r}")
    if date_from and date_to and date_from > date_to:
        raise ReportError("--from is after --to")
    now = now or datetime.now(UTC)
    age = person.age_years(now.date())
    profile = Profile(age_years=age, sex=person.sex)
    chosen = [m for m in store.list_measurements(person.id) if _in_range(m, date_from, date_to)]
    legs: list[TestLeg] = []
    sources: list[str] = []
    for test in TESTS:
        for side in SIDES:
            ms = [m for m in chosen if m.test == test and m.side == side]
            if ms:
                legs.append(_leg(test, side, ms, profile, mdc(test, sex=person.sex)))
        if any(m.test == test for m in chosen):
            sources += mdc_sources(test)
    valid = [m for m in chosen if m.valid and _value(m) is not None]
    plan = None
    if valid:
        latest = valid[-1]
        when = f"{_utc(latest.taken_at):%Y-%m-%d}, {TEST_NAMES[latest.test]} ({latest.side})"
        plan = plan_summary(latest, profile, when)
        sources += plan.sources
    symptoms = tuple(
        SymptomEntry(m.taken_at, m.test, m.side, symptoms_text(m.symptoms)) for m in chosen if m.symptoms
    )
    return ReportData(
        person=person,
        age=age,
        generated_at=now,
        date_from=date_from,
        date_to=date_to,
        legs=tuple(legs),
        plan=plan,
        symptoms=tuple(s for s in symptoms if s.answers),
        sources=tuple(dict.fromkeys(sources)),  # de-duplicated, first-seen order
    )


def _leg(test: str, side: str, ms: list[MeasurementRow], profile: Any, mdc_value: float) -> TestLeg:
    field, title = history_value(test)
    points = [
        {"taken_at": _utc(m.taken_at).replace(tzinfo=None), field: _value(m)}
        for m in ms
        if m.valid and _value(m) is not None
    ]
    frame = pd.DataFrame(points, columns=["taken_at", field])
    rows = tuple(
        ReportRow(
            taken_at=_utc(m.taken_at),
            value_text=value_text(m),
            band=_band_label(m, profile),
            slr_mode=m.slr_mode or "—",
            checks=checks_text(m),
            engine_version=m.engine_version or "—",
            source=m.source,
            valid=m.valid,
        )
        for m in ms
    )
    return TestLeg(
        test=test,
        side=side,
        title=f"{TEST_NAMES[test]}, {side} leg",
        value_field=field,
        value_title=title,
        frame=frame,
        bands=band_ranges(test, profile, ms[-1].slr_mode if ms else None),
        baseline=float(frame[field].iloc[0]) if len(frame) else None,
        mdc=mdc_value,
        rows=rows,
    )
