"""The one adapter between the report and scoring's advice (scoring's plan API may change; only
this file follows it)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from history import MeasurementRow


@dataclass(frozen=True)
class PlanSummary:
    based_on: str  # which measurement, in words
    summary: str
    items: tuple[str, ...]  # "exercise: N sessions/week"
    red_flags: tuple[str, ...]
    stop: bool  # see a clinician before any exercise
    sources: tuple[str, ...]


def symptoms_from(answers: dict[str, Any] | None) -> Any:
    """scoring.Symptoms from the saved answers; unknown keys (an older or newer app) are ignored."""
    from scoring import Symptoms

    names = {f.name for f in dataclasses.fields(Symptoms)}
    return Symptoms(**{k: v for k, v in (answers or {}).items() if k in names})


def plan_summary(m: MeasurementRow, profile: Any, based_on: str) -> PlanSummary:
    from scoring import build_plan, score_measurement

    score = score_measurement(m.test, m.angle_deg, m.reach_cm, m.valid, profile)
    plan = build_plan(score, symptoms=symptoms_from(m.symptoms))
    items = tuple(f"{it.exercise.name}: {it.sessions_per_week} sessions/week" for it in plan.items)
    return PlanSummary(
        based_on=based_on,
        summary=plan.summary,
        items=items,
        red_flags=tuple(plan.red_flags),
        stop=bool(plan.stop),
        sources=tuple(plan.sources) + tuple(score.sources),
    )
