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
from scoring.symptoms import Strain, Symptoms

DAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Verdict ids (SLR bands, toe line, YMCA / FITNESSGRAM categories) that mean "tighter than usual" / "high".
TIGHT_VERDICTS = frozenset(
    {"tight", "reduced", "short_of_toes", "poor", "below_average", "needs_improvement"}
)
HIGH_VERDICTS = frozenset({"high", "above_average", "excellent"})
STRETCH_TYPES = frozenset({"dynamic", "static", "pnf", "foam_rolling", "lengthening", "nerve"})
_STRETCH_TYPES = frozenset({"dynamic", "static", "pnf", "foam_rolling"})  # get the extra tighter-side set
Route = Literal["urgent", "clinician", "check_first", "strain", "flexibility", "general"]


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
    duration_s: float | None = None  # continuous time (foam rolling), not a static hold

    def text(self) -> str:
        parts: list[str] = []
        if self.sets and self.reps and self.reps > 1:
            parts.append(f"{self.sets} x {self.reps} reps")
        elif self.sets:
            parts.append(f"{self.sets} x")
        if self.duration_s:
            parts.append(f"about {self.duration_s:g} s of slow rolling")
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
    type: (
        str  # dynamic | static | foam_rolling | pnf | nerve | strength | lengthening | eccentric | lifestyle
    )
    benefit: str
    steps: tuple[str, ...]
    dose: Dose
    frequency: Frequency
    cautions: tuple[str, ...]


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
    summary: str  # one paragraph that stands alone (reports quote it)
    items: tuple[PlanItem, ...]  # in the order to do them
    week: tuple[tuple[str, tuple[str, ...]], ...]  # (day, exercise ids)
    red_flags: tuple[str, ...]  # shown first
    stop: bool  # True: red flag, do no exercises, see a clinician first
    severity: SeverityGuidance | None
    evidence_notes: tuple[str, ...]
    disclaimer: str
    sources: tuple[str, ...]
    route: Route = "flexibility"
    cautions: tuple[str, ...] = ()  # shown with the summary (pain now, unanswered screen, active SLR)
    symptoms: Symptoms | None = None  # the answers the plan was built from; None = not asked


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
                duration_s=_opt_float(d.get("duration_s")),
            ),
            frequency=Frequency(
                int(f["per_week_min"]), int(f["per_week_max"]), bool(f["daily_as_needed"]), cite(f["source"])
            ),
            cautions=tuple(e["cautions"]),
        )
    return out


@cache
def _advice_texts() -> tuple[
    str, dict[str, tuple[str, str]], dict[str, tuple[str, str]], dict[str, SeverityGuidance], str
]:
    raw = load_json("exercises.json")
    notes = {n["id"]: (n["text"], n["source"]) for n in raw["evidence_notes"]}
    flags = {k: (v["text"], v["source"]) for k, v in raw["red_flags"].items()}
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
    return raw["disclaimer"], flags, notes, sev, raw["rice"]["text"]


def disclaimer() -> str:
    return _advice_texts()[0]


# Day offset by exercise type so strength, foam rolling and PNF do not all pile up on Monday.
_DAY_OFFSET = {"foam_rolling": 1, "pnf": 2, "lifestyle": 1, "lengthening": 1}


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


def is_tight(score: Score) -> bool:
    return score.scored and score.band_id in TIGHT_VERDICTS


def is_high(score: Score) -> bool:
    return score.scored and score.band_id in HIGH_VERDICTS


def _strength(
    why: str = "Strength supports the knee; flexible and strong muscles go together.",
) -> list[PlanItem]:
    return [
        _item(x, why) for x in ("hamstring_curls", "glute_bridges", "leg_lifts", "sit_to_stand", "bird_dog")
    ]


def _lifestyle() -> list[PlanItem]:
    return [
        _item("sitting_breaks", "Long sitting shortens the hamstrings."),
        _item("warm_up", "Warm up before sport or exercise."),
        _item("low_impact_activity", "Keeps the joints moving without excessive stress."),
    ]


def _flexibility_items(score: Score) -> tuple[str, list[PlanItem]]:
    """Items chosen from the ONE verdict when there is no injury, red flag or nerve symptom."""
    if not score.scored:
        return (
            "Your measurement could not be scored, so this is a general routine. Measure again for a personal plan.",
            [*_lifestyle(), _item("leg_swings", "General warm-up.")],
        )
    verdict = f"'{score.band_label}'"
    if is_tight(score):
        dyn_n = exercise_library()["leg_swings"].frequency.per_week_min
        why = "Your result is below the sources' cut-point: stretch regularly."
        return (
            f"Flexibility plan: your result is {verdict}. Stretch {dyn_n} or more times a week and "
            "strengthen 3 times a week; measure again after a few weeks.",
            [
                _item("leg_swings", why),
                _item("active_hamstring_supine", why),
                _item("active_hamstring_standing", why),
                _item("static_hamstring_stretch", "Cool down after each stretching session.", sessions=dyn_n),
                _item("foam_rolling", "Reduces muscle tightness."),
                _item("pnf_hold_relax", "Adds range of motion once you are warm."),
                *_strength(),
                *_lifestyle(),
            ],
        )
    if is_high(score):
        return (
            f"Your result is {verdict}: keep it with your normal activity and focus on strength and control.",
            [*_strength(), *_lifestyle()],
        )
    return (
        f"Maintenance plan: your result is {verdict}. Keep it with a short dynamic warm-up and strength work.",
        [
            _item("leg_swings", "Keep your current flexibility."),
            _item("active_hamstring_standing", "Keep your current flexibility."),
            _item(
                "static_hamstring_stretch",
                "Gentle cool-down.",
                sessions=exercise_library()["leg_swings"].frequency.per_week_min,
            ),
            *_strength(),
            *_lifestyle(),
        ],
    )


def _strain_items(strain: Strain, rice: str) -> tuple[str, list[PlanItem]]:
    """The source article's severity path; lower-load lengthening work before the Nordic curl."""
    after_rest = "Start only after the first days of rest, and only when it does not hurt."
    items = [
        _item("static_hamstring_stretch", "Gentle stretching restores flexibility.", note=after_rest),
        _item(
            "hamstring_curls", "Rebuild hamstring strength gradually.", note="Light load; stop if it hurts."
        ),
        _item("glute_bridges", "Rebuild strength gradually."),
        _item("sit_to_stand", "Strengthen the quadriceps too, for balance at the knee."),
    ]
    lifestyle = [
        _item("sitting_breaks", "Avoid long sitting while recovering."),
        _item("low_impact_activity", "Keep moving gently, e.g. walking."),
    ]
    if strain == "mild":
        return (
            "Mild strain (grade 1): rest first, then gentle stretching and strengthening of the hamstrings "
            "and quadriceps. Your flexibility result may be limited by the injury; measure again once it has healed.",
            items + lifestyle,
        )
    items += [
        _item("askling_extender", "Step 1 of eccentric work: low-load lengthening.", note=after_rest),
        _item(
            "askling_glider",
            "Step 2: lengthening under body weight.",
            note="Only once the Extender is pain-free.",
        ),
        _item(
            "nordic_hamstring_curl",
            "Step 3, last: the hardest eccentric exercise.",
            sessions=1,
            note="Only once the Glider is pain-free and daily life is pain-free; start with one session a week.",
        ),
        *lifestyle,
    ]
    return (
        "Moderate strain (grade 2): start with R.I.C.E. for the first days, then gradual rehabilitation: "
        f"gentle stretching and strengthening, then eccentric work from low load up to the Nordic curl. Your "
        f"flexibility result may be limited by the injury; measure again once it has healed. {rice}",
        items,
    )


def _with_side(items: list[PlanItem], asym: Asymmetry | None) -> list[PlanItem]:
    if asym is None or not asym.flagged or asym.tighter_side is None or asym.test != "slr":
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


def _week(items: list[PlanItem]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
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


def _route(score: Score, sym: Symptoms) -> Route:
    if sym.red_flags:
        return "urgent"
    if sym.nerve:
        return "clinician"
    if sym.strain in ("mild", "moderate"):
        return "strain"
    if score.check_first:
        return "check_first"
    return "flexibility" if score.scored else "general"


def build_plan(score: Score, asymmetry: Asymmetry | None = None, symptoms: Symptoms | None = None) -> Plan:
    """Weekly plan from the ONE verdict, optional SLR left/right asymmetry and the symptom screen.

    Order of precedence: red flags (stop, no exercises) > nerve symptoms (clinician first, no stretching)
    > a grade 1-2 strain (the article's severity path) > a very low SLR (have it checked first) > the
    flexibility plan. `symptoms=None` means the screen was not answered: the plan says so.
    """
    disc, flags, notes, severity, rice = _advice_texts()
    sym = symptoms or Symptoms()
    route = _route(score, sym)
    red: list[str] = []
    flag_srcs: list[str] = []
    cautions: list[str] = []
    if symptoms is None:
        cautions.append(
            "You have not answered the symptom questions: this plan assumes no pain, injury, tingling or numbness."
        )

    def flag(key: str) -> None:
        red.append(flags[key][0])
        flag_srcs.extend(cite(flags[key][1]))

    for key in sym.red_flags:  # the screen's order: the most urgent first
        flag(key)
    sev: SeverityGuidance | None = severity[sym.strain] if sym.strain else None
    items: list[PlanItem]
    evidence_ids = ["measurement_error"]
    if route == "urgent":
        summary = "Stop: see a clinician before doing any exercise. " + (
            "Some answers need urgent care today."
            if {"bladder_bowel", "calf_swelling"} & set(sym.red_flags)
            else ""
        )
        items = []
    elif route == "clinician":
        flag("nerve")
        summary = (
            "See a clinician first about the tingling, numbness or shooting pain down the leg. FlexCheck gives no "
            "stretching plan until you have been assessed; keep moving gently and take breaks from sitting."
        )
        items = [
            _item("sitting_breaks", "Long sitting can aggravate nerve tension."),
            _item("low_impact_activity", "Gentle walking keeps you moving; stop if it brings on symptoms."),
        ]
        evidence_ids.append("departure_tingling")
    elif route == "strain":
        assert sym.strain in ("mild", "moderate")
        summary, items = _strain_items(sym.strain, rice)
    elif route == "check_first":
        summary = score.check_first + " Until then, keep moving gently and take breaks from sitting."
        items = [
            _item("sitting_breaks", "Long sitting shortens the hamstrings."),
            _item("low_impact_activity", "Keeps the joints moving without excessive stress."),
        ]
        evidence_ids.append("check_first")
    else:
        summary, items = _flexibility_items(score)

    if route not in ("urgent", "clinician") and sym.pain_behind_knee:
        flag("pain_behind_knee")
        if route != "check_first" and not any(i.exercise.id == "sciatic_nerve_flossing" for i in items):
            items.append(
                _item(
                    "sciatic_nerve_flossing",
                    "The source document suggests nerve mobilisation when nerve tension adds to pulling behind the knee.",
                    note="Stop and see a clinician if it brings on tingling or numbness.",
                )
            )
    if route not in ("urgent", "clinician") and sym.pain_now:
        flag("pain_now")
        items = [i for i in items if i.exercise.id not in ("pnf_hold_relax", "nordic_hamstring_curl")]
    if route in ("flexibility", "general"):
        items = _with_side(items, asymmetry)
    if any(i.exercise.type in ("dynamic", "static") for i in items):
        evidence_ids.append("dynamic_vs_static")
    if any(i.exercise.type in ("eccentric", "lengthening") for i in items):
        evidence_ids.append("eccentric")
    if any(i.exercise.id in ("sit_to_stand", "bird_dog") for i in items):
        evidence_ids.append("strength_balance")
    evidence = [notes[k] for k in evidence_ids]
    srcs: list[str] = list(score.sources)
    for _, text_src in evidence:
        srcs.extend(cite(text_src))
    for i in items:
        srcs.extend(i.exercise.dose.source + i.exercise.frequency.source)
    if sev is not None:
        srcs.extend(sev.source)
    if asymmetry is not None and route in ("flexibility", "general"):
        srcs.extend(asymmetry.sources)
    srcs.extend(flag_srcs)
    return Plan(
        summary=summary.strip(),
        items=tuple(items),
        week=_week(items),
        red_flags=tuple(red),
        stop=route == "urgent",
        severity=sev,
        evidence_notes=tuple(t for t, _ in evidence),
        disclaimer=disc,
        sources=tuple(dict.fromkeys(srcs)),
        route=route,
        cautions=tuple(cautions),
        symptoms=symptoms,
    )
