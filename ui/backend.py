"""The UI's only door to the engine, scoring and history packages (no Streamlit here).

Small adapters turn their objects into what the pages show, so a change there touches one file.
Heavy modules (MediaPipe) are imported on first use to keep the app's start fast.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from flexcheck.vocabulary import SIDES
from report import charts as report_charts

if TYPE_CHECKING:
    import pandas as pd

    from analysis.result import AnalysisResult
    from flexcheck.settings import Settings
    from history import HistoryStore, PersonRow
    from report.charts import BandRange
    from scoring import Asymmetry, Plan, Profile, Score, Symptoms
    from ui.live_bridge import LiveEngine

TEST_LABELS = {"slr": "Straight-leg raise", "sit-reach": "Sit-and-reach"}
SLR_MODE_LABELS = {
    "active": "Active: I raise my own leg",
    "passive": "Passive: a helper lifts my leg",
}
PASSIVE_GUIDANCE = (
    "**For the helper:** stand on the far side from the camera so you do not hide the leg. Hold the heel "
    "with one hand and rest the other hand just above the knee to keep it straight. Lift the leg slowly, "
    "keeping it straight and the other leg flat, until the person first feels a firm stretch (not pain) "
    "or the pelvis starts to lift; hold for 2 seconds, then lower. Never push on through pain or tingling."
)


def test_label(test: str) -> str:
    return TEST_LABELS.get(test, test)


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    age: int | None
    sex: str | None
    height_cm: float | None


# -- settings, errors --------------------------------------------------------------------------


def settings() -> Settings:
    from flexcheck.settings import Settings

    return Settings.from_env()


def user_message(exc: BaseException) -> str:
    """The engine's own words for bad input; a plain line for anything else."""
    from history import HistoryError
    from vision.frames import VideoError

    if isinstance(exc, VideoError | HistoryError):
        return str(exc)
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)
    return f"an unexpected problem occurred ({type(exc).__name__})."


# -- engine ------------------------------------------------------------------------------------


def analyze_file(
    path: Path,
    test: str,
    side: str,
    height_cm: float | None,
    annotated_path: Path | None,
    progress: Callable[[float], None],
) -> AnalysisResult:
    from analysis.pipeline import AnalysisOptions, analyze_video

    opts = AnalysisOptions(
        test=test,  # type: ignore[arg-type]
        side=side,  # type: ignore[arg-type]
        height_cm=height_cm,
        model_path=settings().pose_model_path,
        annotated_path=annotated_path,
    )
    return analyze_video(path, opts, progress=progress)


def make_live_engine(test: str, side: str, height_cm: float | None) -> LiveEngine:
    from analysis.live import LiveAnalyzer

    return LiveAnalyzer(test, side, height_cm, settings().pose_model_path)  # type: ignore[arg-type]


# -- history -----------------------------------------------------------------------------------


def open_store(database_url: str) -> HistoryStore:
    from history import HistoryStore

    return HistoryStore.open(database_url)


def _person_view(p: PersonRow) -> PersonView:
    return PersonView(id=p.id, name=p.name, age=p.age_years(date.today()), sex=p.sex, height_cm=p.height_cm)


def list_people(store: HistoryStore) -> list[PersonView]:
    return [_person_view(p) for p in store.list_people()]


def get_person(store: HistoryStore, person_id: int) -> PersonView | None:
    from history import NotFoundError

    try:
        return _person_view(store.get_person(person_id))
    except NotFoundError:
        return None


def create_person(
    store: HistoryStore, name: str, age: int | None, sex: str | None, height_cm: float | None
) -> PersonView:
    taken = {p.name.casefold() for p in store.list_people()}
    if name.strip().casefold() in taken:  # "Ada" and "ada" would be two people in a list of names
        raise ValueError(f"{name.strip()!r} already exists: choose them in the list above.")
    birth_year = None if age is None else date.today().year - int(age)
    return _person_view(store.add_person(name, birth_year=birth_year, sex=sex, height_cm=height_cm))


def save(
    store: HistoryStore,
    person: PersonView,
    result: AnalysisResult,
    source: str,
    score: Score | None,
    slr_mode: str | None = None,
    symptoms: Symptoms | None = None,
) -> int:
    """Save by the history's one rule (valid results only) with its SLR mode and symptom answers; returns the id."""
    from history import measurement_from_result

    reason = why_not_saved(result)
    if reason:
        raise ValueError(f"Not saved: {reason}")
    band = score.band_id if score is not None and score.scored else None
    answers = None if symptoms is None else symptoms.to_dict()
    # measurement_from_result keeps the engine's uncertainty, so later comparisons use this session's own error
    row = measurement_from_result(result, person.id, source, band, slr_mode=slr_mode, symptoms=answers)
    return store.save_measurement(row)


def result_uncertainty(result: AnalysisResult) -> tuple[float | None, float | None]:
    """The engine's 90% half-widths (angle deg, reach cm); None when the engine could not state one."""
    return result.uncertainty_deg, result.reach_uncertainty_cm


def why_not_saved(result: AnalysisResult) -> str:
    """Empty when the result may be saved, else the history's reason (the same rule as the CLI)."""
    from history.save_policy import save_decision

    return save_decision(result).reason


def measurements(store: HistoryStore, person: PersonView) -> pd.DataFrame:
    """A person's saved measurements, oldest first, as a table for the History page."""
    import pandas as pd

    rows = [
        {
            "id": m.id,
            "taken_at": pd.Timestamp(m.taken_at).tz_convert(None) if m.taken_at.tzinfo else m.taken_at,
            "test": m.test,
            "side": m.side,
            "angle_deg": m.angle_deg,
            "reach_cm": m.reach_cm,
            "band": band_label(m.test, m.band, person, m.slr_mode),
            "source": m.source,
            "value_text": value_text(m.test, m.angle_deg, m.reach_cm),
            "slr_mode": (m.slr_mode or "active") if m.test == "slr" else "",
            "uncertainty": m.uncertainty_deg if m.test == "slr" else m.reach_uncertainty_cm,
            "symptoms": symptoms_text(m.symptoms),
        }
        for m in store.list_measurements(person.id)
    ]
    cols = [
        "id", "taken_at", "test", "side", "angle_deg", "reach_cm", "band", "source", "value_text",
        "slr_mode", "uncertainty", "symptoms",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def delete_measurement(store: HistoryStore, measurement_id: int) -> None:
    store.delete_measurement(measurement_id)


def delete_person(store: HistoryStore, person_id: int) -> None:
    """A real delete: the person and, by cascade, all their measurements and series."""
    store.delete_person(person_id)


def export_csv(store: HistoryStore, person: PersonView) -> str:
    from history import export_csv as write_csv

    out = io.StringIO()
    write_csv(store, out, person=person.name)
    return out.getvalue()


def symptoms_text(answers: dict[str, object] | None) -> str:
    """Saved symptom answers in words ("—" when the screen was not answered)."""
    if answers is None:
        return "—"
    from scoring import Symptoms

    return Symptoms.from_dict(dict(answers)).describe()


def report_pdf(store: HistoryStore, person: PersonView) -> bytes:
    """The clinician report of this person's whole history (the same PDF as `flexcheck report`)."""
    from report.data import collect
    from report.pdf import render_pdf

    return render_pdf(collect(store, person.name))


def value_text(test: str, angle_deg: float | None, reach_cm: float | None) -> str:
    if test == "slr":
        return "—" if angle_deg is None else f"{angle_deg:.0f}°"
    return "—" if reach_cm is None else f"{reach_cm:+.1f} cm"


# -- scoring -----------------------------------------------------------------------------------


def _profile(person: PersonView | None) -> Profile | None:
    from scoring import Profile

    return None if person is None else Profile(age_years=person.age, sex=person.sex)


def score(result: AnalysisResult, person: PersonView | None, slr_mode: str | None = None) -> Score:
    from analysis.checks import has_low_confidence
    from scoring import score_measurement

    reason = "; ".join(c.message for c in result.errors)
    return score_measurement(
        result.test,
        result.angle_deg,
        result.reach_cm,
        result.valid,
        _profile(person),
        low_confidence=has_low_confidence(result.checks),
        invalid_reason=reason,
        slr_mode=slr_mode if result.test == "slr" else None,
    )


def band_ranges(test: str, person: PersonView | None, slr_mode: str | None = None) -> list[BandRange]:
    """The score bands of a test in its unit (deg for SLR, cm for sit-reach), closed for charts."""
    return report_charts.band_ranges(test, _profile(person), slr_mode)


def band_label(test: str, band_id: str | None, person: PersonView | None, slr_mode: str | None = None) -> str:
    if band_id is None:
        return "—"
    from scoring import band_label as scoring_band_label

    return scoring_band_label(test, band_id, _profile(person), slr_mode)


def history_value(test: str) -> tuple[str, str]:
    """Which column the history chart plots for a test, and its axis title."""
    return report_charts.history_value(test)


def history_bands(test: str, person: PersonView | None, slr_mode: str | None = None) -> list[BandRange]:
    return band_ranges(test, person, slr_mode)


def mdc(test: str, person: PersonView | None = None) -> float:
    from scoring import mdc as scoring_mdc

    return float(scoring_mdc(test, sex=person.sex if person else None))


def asymmetry(
    store: HistoryStore, person: PersonView, result: AnalysisResult, slr_mode: str | None = None
) -> Asymmetry | None:
    """SLR only: this result against the latest saved SLR of the other leg in the same mode, if any.

    Sit-and-reach tests both legs at once (its "side" is only the way the person faced), so no comparison.
    """
    from scoring import asymmetry as scoring_asymmetry

    if result.test != "slr" or result.angle_deg is None:
        return None
    mode = slr_mode or "active"
    other_side = "right" if result.side == "left" else "left"
    others = [
        m.angle_deg
        for m in store.list_measurements(person.id, test="slr", side=other_side)
        if m.valid and m.angle_deg is not None and (m.slr_mode or "active") == mode
    ]
    if not others:
        return None
    value = result.angle_deg
    left, right = (value, others[-1]) if result.side == "left" else (others[-1], value)
    return scoring_asymmetry("slr", left, right, sex=person.sex)


def change_since_last(
    store: HistoryStore, person: PersonView, result: AnalysisResult, slr_mode: str | None = None
) -> str | None:
    """This result against the latest saved one of the same test, leg (SLR) and SLR mode, if any."""
    from scoring import Session, check_slr_mode, compare_sessions

    value = result.angle_deg if result.test == "slr" else result.reach_cm
    if value is None or not result.valid:
        return None
    mode = check_slr_mode(slr_mode) if result.test == "slr" else None
    side = result.side if result.test == "slr" else None  # sit-and-reach: both legs at once
    rows = [
        m
        for m in store.list_measurements(person.id, test=result.test, side=side)
        if m.valid and ((m.slr_mode or "active") if result.test == "slr" else None) == mode
    ]
    field = "angle_deg" if result.test == "slr" else "reach_cm"
    rows = [m for m in rows if getattr(m, field) is not None]
    if not rows:
        return None
    last = rows[-1]
    u_deg, u_cm = result_uncertainty(result)
    before_u = last.uncertainty_deg if result.test == "slr" else last.reach_uncertainty_cm
    before = Session(getattr(last, field), last.side, mode, before_u)  # type: ignore[arg-type]
    after = Session(value, result.side, mode, u_deg if result.test == "slr" else u_cm)
    return compare_sessions(result.test, before, after, sex=person.sex).message


def plan(score: Score, asym: Asymmetry | None, symptoms: Symptoms | None = None) -> Plan:
    from scoring import build_plan

    return build_plan(score, asymmetry=asym, symptoms=symptoms)


def compare(sel: pd.DataFrame, test: str, person: PersonView | None) -> str | None:
    """First vs latest of one test, leg and SLR mode (the rows of `sel`), against the combined error."""
    import pandas as pd

    from scoring import Session, compare_sessions

    field, _ = history_value(test)
    rows = sel.dropna(subset=[field]).sort_values("taken_at")
    if len(rows) < 2:
        return None

    def session(r: pd.Series) -> Session:
        u = r["uncertainty"]
        return Session(float(r[field]), r["side"], r["slr_mode"] or None, None if pd.isna(u) else float(u))

    first, last = session(rows.iloc[0]), session(rows.iloc[-1])
    return compare_sessions(test, first, last, sex=person.sex if person else None).message


def history_asymmetry(
    df: pd.DataFrame, test: str, person: PersonView, slr_mode: str = "active"
) -> str | None:
    """SLR only: latest left vs latest right in the same mode, when both exist."""
    from scoring import asymmetry as scoring_asymmetry

    if test != "slr":
        return None
    latest: dict[str, float] = {}
    for side in SIDES:
        rows = df[(df["test"] == test) & (df["side"] == side) & (df["slr_mode"] == slr_mode)]
        values = rows.sort_values("taken_at")["angle_deg"].dropna()
        if len(values):
            latest[side] = float(values.iloc[-1])
    if len(latest) < 2:
        return None
    return scoring_asymmetry(test, latest["left"], latest["right"], sex=person.sex).message
