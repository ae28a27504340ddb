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

    mdc("slr", sex="male")                  # 8.0 deg (minimal detectable change)
    asymmetry("slr", left_value=70, right_value=85)   # .flagged, .tighter_side, .message
    compare_sessions("slr", before=70, after=80)      # .label "real change" | "within measurement error"
    build_plan(score, asymmetry=None, symptoms=Symptoms(pain_behind_knee=True))
    # Plan: summary, items (exercise + dose + sessions/week), week grid, red_flags, stop,
    #       severity guidance, evidence_notes, disclaimer, sources

    slr_bands()                    # [BandEdge(lo, hi, id, label)] for chart threshold bands (deg)
    sit_reach_bands(profile)       # cm relative to the toes; YMCA categories when age/sex known
    bands(test, profile)           # either of the above
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
    SeverityGuidance,
    Symptoms,
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
    asymmetry,
    bands,
    compare_sessions,
    mdc,
    score_measurement,
    sit_reach_bands,
    sit_reach_norm,
    slr_bands,
    unit,
)

__all__ = [
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
    "Score",
    "SeverityGuidance",
    "Symptoms",
    "asymmetry",
    "bands",
    "build_plan",
    "compare_sessions",
    "disclaimer",
    "exercise_library",
    "mdc",
    "score_measurement",
    "sit_reach_bands",
    "sit_reach_norm",
    "slr_bands",
    "unit",
]
