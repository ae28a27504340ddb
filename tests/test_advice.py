from __future__ import annotations

import pytest

from scoring import Profile, Symptoms, asymmetry, build_plan, disclaimer, exercise_library, score_measurement
from scoring.advice import DAYS

STRETCH = {"dynamic", "static", "pnf", "foam_rolling"}


def _ids(plan):
    return {i.exercise.id for i in plan.items}


def _types(plan):
    return {i.exercise.type for i in plan.items}


def slr(angle):
    return score_measurement("slr", angle, None, True)


def _assert_common(plan):
    assert plan.disclaimer == disclaimer() and "not a diagnosis" in plan.disclaimer
    assert len(plan.week) == 7 and [d for d, _ in plan.week] == list(DAYS)
    for item in plan.items:
        days = sum(item.exercise.id in ids for _, ids in plan.week)
        assert days == item.sessions_per_week, item.exercise.id
    assert plan.sources


def test_library_follows_the_article_frequencies():
    lib = exercise_library()
    by_type: dict[str, list] = {}
    for ex in lib.values():
        by_type.setdefault(ex.type, []).append(ex)
        assert ex.steps and ex.dose.source and ex.frequency.source
    for ex in by_type["dynamic"]:
        assert (ex.frequency.per_week_min, ex.frequency.per_week_max) == (4, 5)
    for ex in by_type["foam_rolling"]:
        assert (ex.frequency.per_week_min, ex.frequency.per_week_max) == (3, 4)
        assert any("nerve" in c for c in ex.cautions)
    for ex in by_type["nerve"]:
        assert ex.frequency.daily_as_needed and ex.frequency.text() == "daily, as needed"
    for ex in by_type["strength"]:
        assert ex.frequency.text() == "3 times a week"
    assert {
        "leg_swings",
        "pnf_hold_relax",
        "sciatic_nerve_flossing",
        "sciatic_nerve_bias",
        "glute_bridges",
        "hamstring_curls",
        "leg_lifts",
        "nordic_hamstring_curl",
        "sitting_breaks",
        "warm_up",
        "low_impact_activity",
        "static_hamstring_stretch",
    } <= set(lib)
    assert any("Petersen" in s for s in lib["nordic_hamstring_curl"].dose.source)
    assert lib["static_hamstring_stretch"].dose.text() == "3 x, hold 30 s, each side"


@pytest.mark.parametrize("angle", [60.0, 75.0])
def test_tight_result_gets_full_flexibility_plan(angle):
    plan = build_plan(slr(angle))
    _assert_common(plan)
    assert not plan.stop and plan.red_flags == ()
    assert {"dynamic", "static", "foam_rolling", "pnf", "strength", "lifestyle"} <= _types(plan)
    assert "nordic_hamstring_curl" not in _ids(plan)
    dyn = [i for i in plan.items if i.exercise.type == "dynamic"]
    assert all(i.sessions_per_week == 4 for i in dyn)
    assert any("27 randomised trials" in n for n in plan.evidence_notes)
    assert any("Cai" in s for s in plan.sources)


def test_sit_reach_norm_below_average_counts_as_tight():
    s = score_measurement(
        "sit-reach", 90.0, 2.0, True, Profile(22, "female")
    )  # 15.8 in: poor for women 18-25
    assert s.band_id == "past_toes" and s.norm is not None and s.norm.category == "poor"
    assert "foam_rolling" in _ids(build_plan(s))


def test_normal_result_gets_maintenance():
    plan = build_plan(slr(85.0))
    _assert_common(plan)
    assert "Maintenance" in plan.summary
    assert "dynamic" in _types(plan) and "foam_rolling" not in _types(plan) and "pnf" not in _types(plan)


def test_high_result_focuses_on_strength():
    plan = build_plan(slr(100.0))
    _assert_common(plan)
    assert not (_types(plan) & STRETCH) and "strength" in _types(plan)


def test_unscored_result_gets_general_plan_only():
    bad = score_measurement("slr", 60.0, None, False)
    plan = build_plan(bad)
    _assert_common(plan)
    assert "could not be scored" in plan.summary
    assert not (_types(plan) & {"pnf", "foam_rolling", "strength", "eccentric"})


def test_asymmetry_favours_the_tighter_side():
    a = asymmetry("slr", 65.0, 85.0, "male")
    plan = build_plan(slr(65.0), asymmetry=a)
    _assert_common(plan)
    for item in plan.items:
        if item.exercise.type in STRETCH:
            assert item.extra_set_side == "left" and "tighter (left)" in item.note
        else:
            assert item.extra_set_side is None
    even = build_plan(slr(65.0), asymmetry=asymmetry("slr", 65.0, 70.0, "male"))
    assert all(i.extra_set_side is None for i in even.items)


@pytest.mark.parametrize(
    "symptoms",
    [Symptoms(severe_pain=True), Symptoms(strain="severe"), Symptoms(severe_pain=True, strain="mild")],
)
def test_red_flags_stop_the_plan(symptoms):
    plan = build_plan(slr(60.0), asymmetry("slr", 60.0, 80.0), symptoms)
    _assert_common(plan)
    assert plan.stop and plan.items == ()
    assert all(ids == () for _, ids in plan.week)
    assert plan.red_flags and all(f.startswith("Stop and see a clinician") for f in plan.red_flags)
    if symptoms.strain == "severe":
        assert plan.severity is not None and plan.severity.see_professional
        assert "surgical" in plan.severity.notes


def test_tingling_means_clinician_first_then_nerve_mobilisation():
    plan = build_plan(slr(60.0), symptoms=Symptoms(tingling_or_numbness=True))
    _assert_common(plan)
    assert not plan.stop
    assert any(f.startswith("Stop and see a clinician") and "numbness" in f for f in plan.red_flags)
    assert {"sciatic_nerve_flossing", "sciatic_nerve_bias"} <= _ids(plan)
    assert all("clinician" in i.note for i in plan.items if i.exercise.type == "nerve")
    assert not (_types(plan) & {"pnf", "dynamic", "eccentric"})


def test_pain_behind_knee_adds_nerve_mobilisation_and_a_note():
    plan = build_plan(slr(85.0), symptoms=Symptoms(pain_behind_knee=True))
    _assert_common(plan)
    assert "sciatic_nerve_flossing" in _ids(plan)
    assert any("behind the knee" in f for f in plan.red_flags)
    assert not plan.stop


def test_mild_strain_follows_the_severity_table():
    plan = build_plan(slr(60.0), symptoms=Symptoms(strain="mild"))
    _assert_common(plan)
    assert plan.severity is not None and plan.severity.id == "mild" and not plan.severity.see_professional
    assert "gentle" in plan.summary.lower()
    assert _types(plan) <= {"static", "strength", "lifestyle"}


def test_moderate_strain_gets_rice_and_eccentric_work():
    plan = build_plan(slr(60.0), symptoms=Symptoms(strain="moderate"))
    _assert_common(plan)
    assert "R.I.C.E." in plan.summary
    assert "nordic_hamstring_curl" in _ids(plan)
    nordic = next(i for i in plan.items if i.exercise.id == "nordic_hamstring_curl")
    assert "pain-free" in nordic.note and nordic.sessions_per_week == 1
    assert any("Nordic" in n for n in plan.evidence_notes)
