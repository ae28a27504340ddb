"""Scoring and advice: cited bands, norms, measurement error (MDC), asymmetry and an exercise plan.

Pure functions; the only I/O is reading the packaged data files in ``scoring/data/`` (every number
there carries its citation; see docs/EVIDENCE.md). Public API::

    from scoring import Profile, score_measurement, compare_sessions, asymmetry, build_plan, Symptoms

    score = score_measurement("slr", angle_deg=74.0, reach_cm=None, valid=True,
                              profile=Profile(age_years=30, sex="female"))
    score.scored, score.band_id, score.band_label, score.meaning, score.norm, score.sources
    # invalid / low-confidence / implausible input -> score.scored is False and score.reason says why:
    score_measurement("slr", 74.0, None, valid=False, invalid_reason="knee bent")

    sr = score_measurement("sit-reach", angle_deg=95.0, reach_cm=-6.0, valid=True,
                           profile=Profile(age_years=40, sex="male"))
    sr.norm.category     # "below average" (YMCA, converted to cm relative to the toes)

    sr.band_id, sr.band_label  # ONE verdict: "below_average", "Below average" (the norm when age/sex known)
    sr.context                 # ("Context: your fingertips stopped 6.0 cm short of your toes.",)
    score_measurement("slr", 35.0, None, True, slr_mode="passive").check_first  # "have it checked" text

    mdc("slr", sex="male")                  # 8.0 deg (minimal detectable change)
    asymmetry("slr", left_value=70, right_value=85)   # .flagged, .tighter_side, .message (SLR only)
    compare_sessions("slr", Session(70, "left", "active", 2.0), Session(85, "left", "active", 2.5))
    # .label "likely change" | "within measurement error" | "not compared"; .threshold (combined error)
    symptoms = parse_symptoms("recent_strain:2,pain_behind_knee")   # or Symptoms(...), Symptoms.from_dict
    build_plan(score, asymmetry=None, symptoms=symptoms)
    # Plan: summary, route, cautions, items (exercise + dose + steps + cautions), week grid, red_flags,
    #       stop, severity guidance, evidence_notes, disclaimer, sources, symptoms

    slr_bands(slr_mode)            # [BandEdge(lo, hi, id, label)] for chart threshold bands (deg)
    sit_reach_bands(profile)       # cm relative to the toes; YMCA / FITNESSGRAM categories when age/sex known
    bands(test, profile, slr_mode) # either of the above
    exercise_library()             # {id: Exercise}

Conventions: SLR value = SLR angle in degrees; sit-reach value = fingertip reach in cm relative to the
toes (+ = past the toes). Sit-reach `angle_deg` (trunk-thigh hip angle) is shown, never banded.
"""

from scoring.advice import (
    Dose,
    Exercise,
    Frequency,
    Plan,
    PlanItem,
    Route,
    SeverityGuidance,
    build_plan,
    disclaimer,
    exercise_library,
)
from scoring.scores import (
    Asymmetry,
    BandEdge,
    Change,
    NormResult,
    Profile,
    Score,
    Session,
    asymmetry,
    band_label,
    bands,
    change_threshold,
    check_slr_mode,
    compare_sessions,
    mdc,
    score_measurement,
    sit_reach_bands,
    sit_reach_norm,
    slr_bands,
    unit,
)
from scoring.symptoms import QUESTIONS, Question, Symptoms, parse_symptoms

__all__ = [
    "QUESTIONS",
    "Asymmetry",
    "BandEdge",
    "Change",
    "Dose",
    "Exercise",
    "Frequency",
    "NormResult",
    "Plan",
    "PlanItem",
    "Profile",
    "Question",
    "Route",
    "Score",
    "Session",
    "SeverityGuidance",
    "Symptoms",
    "asymmetry",
    "band_label",
    "bands",
    "build_plan",
    "change_threshold",
    "check_slr_mode",
    "compare_sessions",
    "disclaimer",
    "exercise_library",
    "mdc",
    "parse_symptoms",
    "score_measurement",
    "sit_reach_bands",
    "sit_reach_norm",
    "slr_bands",
    "unit",
]
