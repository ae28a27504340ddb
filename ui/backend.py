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

from report import charts as report_charts

if TYPE_CHECKING:
    import pandas as pd

    from analysis.result import AnalysisResult
    from flexcheck.settings import Settings
    from history import HistoryStore, PersonRow
    from report.charts import BandRange
    from scoring import Asymmetry, Plan, Profile, Score
    from ui.live_bridge import LiveEngine

TEST_LABELS = {"slr": "Straight-leg raise", "sit-reach": "Sit-and-reach"}


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
    store: HistoryStore, person: PersonView, result: AnalysisResult, source: str, score: Score | None
) -> int:
    """Save a valid result (never an invalid one); returns the measurement id."""
    from history import measurement_from_result

    if not result.valid:
        raise ValueError("This recording did not pass the checks, so it is not saved.")
    band = score.band_id if score is not None and score.scored else None
    return store.save_measurement(measurement_from_result(result, person.id, source, band))


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
            "band": band_label(m.test, m.band, person),
            "source": m.source,
            "value_text": value_text(m.test, m.angle_deg, m.reach_cm),
        }
        for m in store.list_measurements(person.id)
    ]
    cols = ["id", "taken_at", "test", "side", "angle_deg", "reach_cm", "band", "source", "value_text"]
    return pd.DataFrame(rows, columns=cols)


def delete_measurement(store: HistoryStore, measurement_id: int) -> None:
    store.delete_measurement(measurement_id)


def delete_person(store: HistoryStore, person_id: int) -> None:
    """A real delete: the person and, by cascade, all their measurements and series."""
    store.delete_person(person_id)


def export_csv(store: HistoryStore, person: PersonView) -> str:
    out = io.StringIO()
    store.export_csv(out, person=person.name)
    return out.getvalue()


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


def score(result: AnalysisResult, person: PersonView | None) -> Score:
    from scoring import score_measurement

    reason = "; ".join(c.message for c in result.errors)
    return score_measurement(
        result.test, result.angle_deg, result.reach_cm, result.valid, _profile(person), invalid_reason=reason
    )


def band_ranges(test: str, person: PersonView | None) -> list[BandRange]:
    """The score bands of a test in its unit (deg for SLR, cm for sit-reach), closed for charts."""
    return report_charts.band_ranges(test, _profile(person))


def band_label(test: str, band_id: str | None, person: PersonView | None) -> str:
    if band_id is None:
        return "—"
    from scoring import bands

    return next((e.label for e in bands(test, _profile(person)) if e.id == band_id), band_id)


def history_value(test: str) -> tuple[str, str]:
    """Which column the history chart plots for a test, and its axis title."""
    return report_charts.history_value(test)


def history_bands(test: str, person: PersonView | None) -> list[BandRange]:
    return band_ranges(test, person)


def mdc(test: str, person: PersonView | None = None) -> float:
    from scoring import mdc as scoring_mdc

    return float(scoring_mdc(test, sex=person.sex if person else None))


def asymmetry(store: HistoryStore, person: PersonView, result: AnalysisResult) -> Asymmetry | None:
    """This result against the latest saved result of the other leg (same test), if any."""
    from scoring import asymmetry as scoring_asymmetry

    value = result.angle_deg if result.test == "slr" else result.reach_cm
    other_side = "right" if result.side == "left" else "left"
    field = "angle_deg" if result.test == "slr" else "reach_cm"
    others = [
        getattr(m, field)
        for m in store.list_measurements(person.id, test=result.test, side=other_side)
        if m.valid and getattr(m, field) is not None
    ]
    if value is None or not others:
        return None
    left, right = (value, others[-1]) if result.side == "left" else (others[-1], value)
    return scoring_asymmetry(result.test, left, right, sex=person.sex)


def plan(score: Score, asym: Asymmetry | None) -> Plan:
    from scoring import build_plan

    return build_plan(score, asymmetry=asym)


def compare(test: str, before: float, after: float, person: PersonView | None) -> str:
    """First vs latest, judged against the measurement error (MDC)."""
    from scoring import compare_sessions

    return compare_sessions(test, before, after, sex=person.sex if person else None).message


def history_asymmetry(df: pd.DataFrame, test: str, person: PersonView) -> str | None:
    """Latest left vs latest right measurement of a test, when both exist."""
    from scoring import asymmetry as scoring_asymmetry

    field, _ = history_value(test)
    latest: dict[str, float] = {}
    for side in ("left", "right"):
        values = df[(df["test"] == test) & (df["side"] == side)].sort_values("taken_at")[field].dropna()
        if len(values):
            latest[side] = float(values.iloc[-1])
    if len(latest) < 2:
        return None
    return scoring_asymmetry(test, latest["left"], latest["right"], sex=person.sex).message
