"""Exercise library and weekly plan built from a score, asymmetry and self-reported symptoms.

Exercise types, examples and weekly frequencies follow the user's source document; the data file
(scoring/data/exercises.json) cites the source of every dose. Red flags always stop the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from analysis.result import Side
from scoring.data_files import cite, load_json
from scoring.scores import Asymmetry, Score

Strain = Literal["mild", "moderate", "severe"]
DAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_TIGHT_BANDS = frozenset({"tight", "reduced", "short_of_toes"})
_TIGHT_NORMS = frozenset({"poor", "below average", "Needs Improvement"})
_STRETCH_TYPES = frozenset({"dynamic", "static", "pnf", "foam_rolling"})


@dataclass(frozen=True)
class Dose:
    sets: int | None
    reps: int | None
    hold_s: float | None
    contract_s: float | None
    per_side: bool
    minutes_per_week: float | None
    progression: str
    source: tuple[str, ...]

    def text(self) -> str:
        parts: list[str] = []
        if self.sets and self.reps and self.reps > 1:
            parts.append(f"{self.sets} x {self.reps} reps")
        elif self.sets:
            parts.append(f"{self.sets} x")
        if self.contract_s:
            parts.append(f"push {self.contract_s:g} s")
        if self.hold_s:
            parts.append(f"hold {self.hold_s:g} s")
        if self.minutes_per_week:
            parts.append(f"{self.minutes_per_week:g} min a week in total")
        if self.per_side:
            parts.append("each side")
        return ", ".join(parts)


@dataclass(frozen=True)
class Frequency:
    per_week_min: int
    per_week_max: int
    daily_as_needed: bool
    source: tuple[str, ...]

    def text(self) -> str:
        if self.daily_as_needed:
            return "daily, as needed"
        if self.per_week_min == self.per_week_max:
            return f"{self.per_week_min} times a week"
        return f"{self.per_week_min}-{self.per_week_max} times a week"


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    type: str  # dynamic | static | foam_rolling | pnf | nerve | strength | eccentric | lifestyle
    benefit: str
    steps: tuple[str, ...]
    dose: Dose
    frequency: Frequency
    cautions: tuple[str, ...]


@dataclass(frozen=True)
class Symptoms:
    pain_behind_knee: bool = False
    tingling_or_numbness: bool = False
    strain: Strain | None = None
    severe_pain: bool = False


@dataclass(frozen=True)
class PlanItem:
    exercise: Exercise
    sessions_per_week: int
    why: str
    extra_set_side: Side | None = None  # favour the tighter side
    note: str = ""


@dataclass(frozen=True)
class SeverityGuidance:
    id: Strain
    label: str
    impact_on_knee: str
    strategies: str
    notes: str
    see_professional: bool
    source: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    summary: str
    items: tuple[PlanItem, ...]
    week: tuple[tuple[str, tuple[str, ...]], ...]  # (day, exercise ids)
    red_flags: tuple[str, ...]
    stop: bool  # True: do no exercises, see a clinician first
    severity: SeverityGuidance | None
    evidence_notes: tuple[str, ...]
    disclaimer: str
    sources: tuple[str, ...]


def _opt_int(x: object) -> int | None:
    return None if x is None else int(x)  # type: ignore[call-overload]


def _opt_float(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


def exercise_library() -> dict[str, Exercise]:
    """All exercises by id (a fresh dict; the cached library itself is not exposed)."""
    return dict(_library())


@cache
def _library() -> dict[str, Exercise]:
    out: dict[str, Exercise] = {}
    for e in load_json("exercises.json")["exercises"]:
        d, f = e["dose"], e["frequency"]
        out[e["id"]] = Exercise(
            id=e["id"],
            name=e["name"],
            type=e["type"],
            benefit=e["benefit"],
            steps=tuple(e["steps"]),
            dose=Dose(
                sets=_opt_int(d.get("sets")),
                reps=_opt_int(d.get("reps")),
                hold_s=_opt_float(d.get("hold_s")),
                contract_s=_opt_float(d.get("contract_s")),
                per_side=bool(d.get("per_side", False)),
                minutes_per_week=_opt_float(d.get("minutes_per_week")),
                progression=d.get("progression", ""),
                source=cite(d["source"]),
            ),
            frequency=Frequency(
                int(f["per_week_min"]), int(f["per_week_max"]), bool(f["daily_as_needed"]), cite(f["source"])
            ),
            cautions=tuple(e["cautions"]),
        )
    return out


@cache
def _advice_texts() -> tuple[
    str, dict[str, str], dict[str, tuple[str, str]], dict[str, SeverityGuidance], str
]:
    raw = load_json("exercises.json")
    notes = {n["id"]: (n["text"], n["source"]) for n in raw["evidence_notes"]}
    sev = {
        s["id"]: SeverityGuidance(
            s["id"],
            s["label"],
            s["impact_on_knee"],
            s["strategies"],
            s["notes"],
            bool(s["see_professional"]),
            cite(s["source"]),
        )
        for s in raw["injury_severity"]
    }
    return raw["disclaimer"], dict(raw["red_flags"]), notes, sev, raw["rice"]["text"]


def disclaimer() -> str:
    return _advice_texts()[0]


# Day offset by exercise type so strength, foam rolling and PNF do not all pile up on Monday.
_DAY_OFFSET = {"foam_rolling": 1, "pnf": 2, "lifestyle": 1}


def _days(sessions_per_week: int, offset: int = 0) -> tuple[int, ...]:
    """Spread n sessions over the week (Mon = 0) with rest days between where possible."""
    n = max(0, min(7, sessions_per_week))
    return tuple(sorted({(int(i * 7 / n) + offset) % 7 for i in range(n)})) if n else ()


def _item(ex_id: str, why: str, sessions: int | None = None, note: str = "") -> PlanItem:
    ex = exercise_library()[ex_id]
    n = (
        sessions
        if sessions is not None
        else (7 if ex.frequency.daily_as_needed else max(1, ex.frequency.per_week_min))
    )
    return PlanItem(ex, n, why, None, note)


def _is_tight(score: Score) -> bool:
    return score.band_id in _TIGHT_BANDS or (score.norm is not None and score.norm.category in _TIGHT_NORMS)


def _flexibility_items(score: Score) -> tuple[str, list[PlanItem]]:
    """Items chosen from the band when there is no injury or red flag."""
    lifestyle = [
        _item("sitting_breaks", "Long sitting shortens the hamstrings."),
        _item("warm_up", "Warm up before sport or exercise."),
        _item("low_impact_activity", "Keeps the joints moving without excessive stress."),
    ]
    strength = [
        _item(x, "Strength supports the knee; flexible and strong muscles go together.")
        for x in ("hamstring_curls", "glute_bridges", "leg_lifts")
    ]
    if not score.scored:
        return (
            "Your measurement could not be scored, so this is a general routine. Measure again for a personal plan.",
            [*lifestyle, _item("leg_swings", "General warm-up.")],
        )
    if _is_tight(score):
        dyn_n = exercise_library()["leg_swings"].frequency.per_week_min
        why = "Your hamstrings are tighter than usual: stretch regularly."
        return (
            f"Flexibility plan: your result is '{score.band_label}'. Stretch {dyn_n} or more times a week and "
            "strengthen 3 times a week; measure again after a few weeks.",
            [
                _item("leg_swings", why),
                _item("active_hamstring_supine", why),
                _item("active_hamstring_standing", why),
                _item("static_hamstring_stretch", "Cool down after each stretching session.", sessions=dyn_n),
                _item("foam_rolling", "Reduces muscle tightness."),
                _item("pnf_hold_relax", "Adds range of motion once you are warm."),
                *strength,
                *lifestyle,
            ],
        )
    if score.band_id == "high":
        return (
            "Your flexibility is already high: keep it with your normal activity and focus on strength and control.",
            [*strength, *lifestyle],
        )
    return (
        f"Maintenance plan: your result is '{score.band_label}'. Keep it with a short dynamic warm-up and "
        "strength work.",
        [
            _item("leg_swings", "Keep your current flexibility."),
            _item("active_hamstring_standing", "Keep your current flexibility."),
            _item(
                "static_hamstring_stretch",
                "Gentle cool-down.",
                sessions=exercise_library()["leg_swings"].frequency.per_week_min,
            ),
            *strength,
            *lifestyle,
        ],
    )


def _strain_items(strain: Strain, rice: str) -> tuple[str, list[PlanItem]]:
    gentle = "Gentle only, and only when it does not hurt."
    items = [
        _item("static_hamstring_stretch", gentle, note="Start only after the first days of rest."),
        _item("hamstring_curls", "Rebuild strength gradually.", note="Light load; stop if it hurts."),
        _item("glute_bridges", "Rebuild strength gradually."),
        _item("sitting_breaks", "Avoid long sitting while recovering."),
        _item("low_impact_activity", "Keep moving gently, e.g. walking."),
    ]
    if strain == "mild":
        return "Mild strain: rest first, then gentle stretching and strengthening.", items
    items.append(
        _item(
            "nordic_hamstring_curl",
            "Eccentric training for a moderate strain.",
            note="Only once daily life is pain-free.",
        )
    )
    return f"Moderate strain: start with R.I.C.E., then gradual rehabilitation. {rice}", items


def _with_side(items: list[PlanItem], asym: Asymmetry | None) -> list[PlanItem]:
    if asym is None or not asym.flagged or asym.tighter_side is None:
        return items
    side = asym.tighter_side
    return [
        PlanItem(
            i.exercise,
            i.sessions_per_week,
            i.why,
            side,
            (i.note + " " if i.note else "") + f"Add one extra set on your tighter ({side}) side.",
        )
        if i.exercise.type in _STRETCH_TYPES and i.exercise.dose.per_side
        else i
        for i in items
    ]


def build_plan(score: Score, asymmetry: Asymmetry | None = None, symptoms: Symptoms | None = None) -> Plan:
    """Weekly plan from the score, optional left/right asymmetry and optional self-reported symptoms."""
    disc, flags, notes, severity, rice = _advice_texts()
    sym = symptoms or Symptoms()
    red: list[str] = []
    stop = False
    sev: SeverityGuidance | None = severity[sym.strain] if sym.strain else None
    if sym.severe_pain:
        red.append(flags["severe_pain"])
        stop = True
    if sym.strain == "severe":
        red.append(flags["severe_strain"])
        stop = True
    if sym.tingling_or_numbness:
        red.append(flags["tingling_or_numbness"])

    items: list[PlanItem]
    if stop:
        summary = "Stop: see a clinician before doing any of these exercises."
        items = []
    elif sym.tingling_or_numbness:
        summary = (
            "See a clinician first about the tingling or numbness. Once they agree, gentle nerve mobilisation "
            "can ease nerve-related tightness; hold off on hard stretching until then."
        )
        cleared = "Only after a clinician has checked your symptoms."
        items = [
            _item("sciatic_nerve_flossing", "Eases nerve-related tightness.", note=cleared),
            _item("sciatic_nerve_bias", "Eases nerve-related tightness.", note=cleared),
            _item("sitting_breaks", "Long sitting can aggravate nerve tension."),
        ]
    elif sym.strain in ("mild", "moderate"):
        summary, items = _strain_items(sym.strain, rice)
    else:
        summary, items = _flexibility_items(score)

    if sym.pain_behind_knee and not stop:
        red.append(flags["pain_behind_knee"])
        if not any(i.exercise.id == "sciatic_nerve_flossing" for i in items):
            items.append(
                _item("sciatic_nerve_flossing", "Pulling behind the knee can be sciatic nerve tension.")
            )
    if not stop:
        items = _with_side(items, asymmetry)

    week = tuple(
        (
            day,
            tuple(
                i.exercise.id
                for i in items
                if d in _days(i.sessions_per_week, _DAY_OFFSET.get(i.exercise.type, 0))
            ),
        )
        for d, day in enumerate(DAYS)
    )
    evidence = [notes["measurement_error"]]
    if any(i.exercise.type in ("dynamic", "static") for i in items):
        evidence.append(notes["dynamic_vs_static"])
    if any(i.exercise.type == "eccentric" for i in items):
        evidence.append(notes["eccentric"])
    srcs: list[str] = list(score.sources)
    for text_src in (s for _, s in evidence):
        srcs.extend(cite(text_src))
    for i in items:
        srcs.extend(i.exercise.dose.source + i.exercise.frequency.source)
    if sev is not None:
        srcs.extend(sev.source)
    if asymmetry is not None:
        srcs.extend(asymmetry.sources)
    if red:
        srcs.extend(cite("article"))
    return Plan(
        summary=summary,
        items=tuple(items),
        week=week,
        red_flags=tuple(red),
        stop=stop,
        severity=sev,
        evidence_notes=tuple(t for t, _ in evidence),
        disclaimer=disc,
        sources=tuple(dict.fromkeys(srcs)),
    )
