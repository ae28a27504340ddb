from __future__ import annotations

import itertools
import math

import pytest

from scoring import (
    Profile,
    Session,
    asymmetry,
    bands,
    compare_sessions,
    mdc,
    score_measurement,
    sit_reach_bands,
    slr_bands,
)

IN = 2.54


@pytest.mark.parametrize("mode", ["active", "passive"])
@pytest.mark.parametrize(
    ("angle", "band"),
    [
        (0.0, "reduced"),
        (69.99, "reduced"),
        (79.99, "reduced"),
        (80.0, "moderate"),
        (85.0, "moderate"),
        (90.0, "moderate"),
        (90.01, "high"),
        (150.0, "high"),
    ],
)
def test_slr_band_edges(angle, band, mode):
    # Muyor 2011 (passive SLR, trained cyclists): reduced < 80, moderate 80-90, high > 90.
    s = score_measurement("slr", angle, None, True, slr_mode=mode)
    assert s.scored and s.band_id == band and s.slr_mode == mode
    assert s.value == angle and s.unit == "deg" and s.meaning and s.sources


def test_slr_labels_follow_the_source_words_and_active_says_the_cut_points_are_passive():
    passive = [score_measurement("slr", a, None, True, slr_mode="passive") for a in (60.0, 85.0, 100.0)]
    assert [s.band_label for s in passive] == [
        "Reduced extensibility",
        "Moderate extensibility",
        "High extensibility",
    ]
    for s in passive:
        assert "cyclists" in s.meaning and not any("passive tests" in n for n in s.notes)
    active = score_measurement("slr", 60.0, None, True)  # the default mode is active
    assert active.slr_mode == "active" and "active" in (active.band_label or "")
    assert any("come from passive tests" in n for n in active.notes)
    for s in (*passive, active):
        assert "more flexible than most" not in s.meaning.lower() and s.band_id != "tight"
    with pytest.raises(ValueError, match="SLR mode"):
        score_measurement("slr", 60.0, None, True, slr_mode="assisted")


@pytest.mark.parametrize(("angle", "check"), [(20.0, True), (39.9, True), (40.0, False), (75.0, False)])
def test_very_low_slr_says_have_it_checked(angle, check):
    for mode in ("active", "passive"):
        s = score_measurement("slr", angle, None, True, slr_mode=mode)
        assert bool(s.check_first) is check
        if check:
            assert "checked" in s.check_first and "before you start stretching" in s.check_first


@pytest.mark.parametrize(
    ("reach", "band"),
    [(-30.0, "short_of_toes"), (-0.01, "short_of_toes"), (0.0, "past_toes"), (12.0, "past_toes")],
)
def test_sit_reach_band_edges(reach, band):
    s = score_measurement("sit-reach", 100.0, reach, True)
    assert s.scored and s.band_id == band and s.unit == "cm"


def test_bands_tile_the_line_without_overlap():
    for test, lo, hi in (("active", -10.0, 200.0), ("passive", -10.0, 200.0), ("sit-reach", -90.0, 90.0)):
        from scoring.data_files import thresholds

        bs = thresholds().bands[test]
        x = lo
        while x <= hi:
            assert sum(b.contains(x) for b in bs) == 1, (test, x)
            x += 0.25


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"test": "slr", "angle_deg": 85.0, "reach_cm": None, "valid": False}, "quality checks"),
        (
            {
                "test": "slr",
                "angle_deg": 85.0,
                "reach_cm": None,
                "valid": False,
                "invalid_reason": "knee bent",
            },
            "knee bent",
        ),
        (
            {"test": "slr", "angle_deg": 85.0, "reach_cm": None, "valid": True, "low_confidence": True},
            "confidence",
        ),
        ({"test": "slr", "angle_deg": None, "reach_cm": None, "valid": True}, "no straight-leg-raise angle"),
        (
            {"test": "slr", "angle_deg": math.nan, "reach_cm": None, "valid": True},
            "no straight-leg-raise angle",
        ),
        ({"test": "slr", "angle_deg": 170.0, "reach_cm": None, "valid": True}, "plausible"),
        ({"test": "slr", "angle_deg": -5.0, "reach_cm": None, "valid": True}, "plausible"),
        ({"test": "sit-reach", "angle_deg": 80.0, "reach_cm": None, "valid": True}, "hip angle alone"),
        ({"test": "sit-reach", "angle_deg": 80.0, "reach_cm": 200.0, "valid": True}, "plausible"),
    ],
)
def test_not_scored_outcomes(kwargs, needle):
    s = score_measurement(**kwargs)
    assert not s.scored
    assert s.band_id is None and s.norm is None and s.value is None
    assert needle in s.reason and s.meaning.startswith("Not scored")


def test_unknown_test_is_rejected():
    with pytest.raises(ValueError, match="unknown test"):
        score_measurement("toe-touch", 80.0, None, True)


@pytest.mark.parametrize(
    ("age", "sex", "score_in", "category"),
    [
        # YMCA, scale inches with the toes at 15 in
        (40, "male", 11.49, "poor"),
        (40, "male", 11.5, "below average"),
        (40, "male", 15.0, "average"),
        (40, "male", 20.99, "average"),
        (40, "male", 21.0, "excellent"),
        (22, "female", 16.49, "poor"),
        (22, "female", 16.5, "below average"),
        (22, "female", 24.0, "excellent"),
        (30, "F", 14.49, "poor"),
        (30, "woman", 14.5, "below average"),
        (50, "male", 8.99, "poor"),
        (50, "male", 9.0, "below average"),
        (50, "male", 13.49, "average"),
        (50, "male", 13.5, "above average"),
        (60, "female", 15.5, "above average"),
        (70, "female", 10.99, "poor"),
        (70, "male", 11.5, "above average"),
        # FITNESSGRAM back-saver, toes at 9 in
        (12, "male", 8.0, "Healthy Fitness Zone"),
        (12, "male", 7.9, "Needs Improvement"),
        (9, "female", 9.0, "Healthy Fitness Zone"),
        (13, "female", 9.9, "Needs Improvement"),
        (16, "female", 12.0, "Healthy Fitness Zone"),
        (16, "female", 11.9, "Needs Improvement"),
    ],
)
def test_sit_reach_norm_lookup(age, sex, score_in, category):
    zero_in = 9.0 if age < 18 else 15.0
    reach_cm = (score_in - zero_in) * IN
    s = score_measurement("sit-reach", 90.0, reach_cm, True, Profile(age_years=age, sex=sex))
    assert s.scored and s.norm is not None
    assert s.norm.category == category
    # ONE verdict: the norm category is the band; the toe line is only context
    assert (
        s.band_id == category.lower().replace(" ", "_") and (s.band_label or "").lower() == category.lower()
    )
    assert s.norm.source and all(src in s.sources for src in s.norm.source)
    assert len(s.context) == 1 and s.context[0].startswith("Context:")


@pytest.mark.parametrize(
    ("reach_cm", "profile", "verdict", "context"),
    [
        # the cases: a 30-year-old woman at 0 cm; a 60-year-old man at -3 cm
        (0.0, Profile(30, "female"), "below_average", "about the level of your toes"),
        (-3.0, Profile(60, "male"), "above_average", "3.0 cm short of your toes"),
        (3.0, Profile(22, "female"), "poor", "3.0 cm past your toes"),
    ],
)
def test_sit_reach_has_one_verdict(reach_cm, profile, verdict, context):
    s = score_measurement("sit-reach", 90.0, reach_cm, True, profile)
    assert s.band_id == verdict and context in s.context[0]
    said = " ".join((s.meaning, *s.context, *s.notes)).lower()
    assert (
        "pass mark" not in said and "common sign" not in said and "past the toes" not in (s.band_label or "")
    )


def test_fitnessgram_girls_values_say_they_are_unconfirmed():
    boy = score_measurement("sit-reach", 90.0, 0.0, True, Profile(12, "male"))
    girl = score_measurement("sit-reach", 90.0, 0.0, True, Profile(12, "female"))
    assert boy.norm is not None and "not yet confirmed" not in boy.norm.detail
    assert girl.norm is not None and "not yet confirmed" in girl.norm.detail
    assert any(src.startswith("unverified") for src in girl.sources)


@pytest.mark.parametrize(
    "profile",
    [
        None,
        Profile(40, None),
        Profile(40, "other"),
        Profile(None, "male"),
        Profile(3, "male"),
        Profile(130, "female"),
    ],
)
def test_no_norm_without_matching_profile(profile):
    s = score_measurement("sit-reach", 90.0, 0.0, True, profile)
    assert s.scored and s.norm is None
    assert any("age and sex" in n for n in s.notes)


def test_slr_has_no_age_sex_norm_and_sit_reach_hip_angle_is_informational():
    assert score_measurement("slr", 85.0, None, True, Profile(30, "male")).norm is None
    s = score_measurement("sit-reach", 64.0, 3.0, True)
    assert s.band_id == "past_toes" and any("64 deg" in n and "information only" in n for n in s.notes)
    assert s.context == ()  # without a norm the toe line IS the verdict


@pytest.mark.parametrize(
    ("test", "sex", "expected"),
    [
        ("slr", "male", 8.0),
        ("slr", "female", 12.0),
        ("slr", None, 12.0),
        ("slr", "other", 12.0),
        ("sit-reach", "male", 4.0),
        ("sit-reach", None, 4.0),
    ],
)
def test_mdc_values(test, sex, expected):
    assert mdc(test, sex) == expected


# Combined error = sqrt(MDC^2 + u1^2 + u2^2), u = engine 90% half-width x 1.96/1.645 (to 95%),
# or the default 3 deg / 2 cm when unknown. Hand-computed limits:
#   slr male, unknown u: sqrt(64 + 9 + 9) = 9.055;  slr female/unknown sex: sqrt(144 + 18) = 12.728
#   slr male, u90 = 2.0 both: u95 = 2.383 -> sqrt(64 + 2 * 5.679) = 8.681
#   sit-reach, unknown u: sqrt(16 + 4 + 4) = 4.899
@pytest.mark.parametrize(
    ("test", "before", "after", "sex", "u", "label", "direction"),
    [
        ("slr", 70.0, 79.0, "male", None, "within measurement error", "none"),  # 9 <= 9.055
        ("slr", 70.0, 79.1, "male", None, "likely change", "better"),
        ("slr", 70.0, 78.1, "male", None, "within measurement error", "none"),  # > MDC alone, not > combined
        ("slr", 70.0, 78.6, "male", 2.0, "within measurement error", "none"),  # 8.6 <= 8.681
        ("slr", 70.0, 78.7, "male", 2.0, "likely change", "better"),
        ("slr", 70.0, 60.9, "male", None, "likely change", "worse"),
        ("slr", 70.0, 82.7, None, None, "within measurement error", "none"),  # 12.7 <= 12.728
        ("slr", 70.0, 82.8, "female", None, "likely change", "better"),
        ("sit-reach", -5.0, -0.2, None, None, "within measurement error", "none"),  # 4.8 <= 4.899
        ("sit-reach", -5.0, 0.0, None, None, "likely change", "better"),
        ("sit-reach", 3.0, -2.0, "male", None, "likely change", "worse"),
    ],
)
def test_compare_sessions(test, before, after, sex, u, label, direction):
    c = compare_sessions(test, before, after, sex, before_uncertainty=u, after_uncertainty=u)
    assert c.label == label and c.direction == direction
    assert c.delta == pytest.approx(after - before)
    assert c.mdc == mdc(test, sex) and c.sources
    assert (label == "likely change") == c.message.startswith("Likely change")
    assert "real change" not in c.message.lower() and "got better" not in c.message
    assert "one examiner" in c.message and "within one session" in c.message
    assert ("assumed" in c.message) is (u is None)


def test_compare_sessions_reads_uncertainty_from_sessions_and_needs_same_leg_and_mode():
    a, b = Session(70.0, "left", "active", 2.0), Session(78.7, "left", "active", 2.0)
    assert compare_sessions("slr", a, b, "male").label == "likely change"
    assert compare_sessions("slr", a, b, "male").threshold == pytest.approx(8.681, abs=1e-3)
    wide = Session(78.7, "left", "active", 6.0)  # a shaky session widens the limit
    assert compare_sessions("slr", a, wide, "male").label == "within measurement error"
    other_leg = compare_sessions("slr", a, Session(95.0, "right", "active", 2.0), "male")
    assert other_leg.label == "not compared" and "different legs" in other_leg.message
    other_mode = compare_sessions("slr", a, Session(95.0, "left", "passive", 2.0), "male")
    assert other_mode.label == "not compared" and "passively" in other_mode.message


def test_compare_sessions_never_compares_unscored():
    bad = score_measurement("slr", 90.0, None, False)
    good = score_measurement("slr", 60.0, None, True)
    c = compare_sessions("slr", good, bad)
    assert c.label == "not compared" and c.delta is None
    c2 = compare_sessions("slr", good, score_measurement("slr", 75.0, None, True), "male")
    assert c2.label == "likely change" and c2.delta == pytest.approx(15.0)


@pytest.mark.parametrize(
    ("left", "right", "sex", "flagged", "tighter"),
    [
        (70.0, 78.0, "male", False, None),
        (70.0, 78.5, "male", True, "left"),
        (90.0, 80.0, "male", True, "right"),
        (90.0, 80.0, "female", False, None),
        (70.0, 70.0, None, False, None),
    ],
)
def test_slr_asymmetry(left, right, sex, flagged, tighter):
    a = asymmetry("slr", left, right, sex)
    assert a.flagged is flagged and a.tighter_side == tighter
    assert a.difference == pytest.approx(abs(left - right))
    if flagged:
        assert f"{tighter} side is tighter" in a.message and "measurement error" in a.message
    else:
        assert "No real difference" in a.message


def test_sit_reach_has_no_left_right_comparison_and_bad_input():
    with pytest.raises(ValueError, match="both legs at once"):
        asymmetry("sit-reach", -3.0, 2.0)
    with pytest.raises(ValueError):
        asymmetry("slr", math.nan, 80.0)


def test_chart_band_helpers():
    edges = slr_bands("passive")
    assert [(e.lo, e.hi, e.id) for e in edges] == [
        (None, 80.0, "reduced"),
        (80.0, 90.0, "moderate"),
        (90.0, None, "high"),
    ]
    assert bands("slr", slr_mode="passive") == edges
    assert [e.id for e in bands("slr")] == [e.id for e in edges]  # same edges, active labels
    assert bands("slr")[0].label != edges[0].label
    hfz = sit_reach_bands(Profile(12, "male"))  # FITNESSGRAM boys: 8 in, toes at 9 in -> -2.54 cm
    assert (hfz[0].id, hfz[0].hi) == ("needs_improvement", pytest.approx(-IN))
    generic = sit_reach_bands()
    assert [(e.lo, e.hi) for e in generic] == [(None, 0.0), (0.0, None)]
    ymca = sit_reach_bands(Profile(40, "male"))
    assert [e.label for e in ymca] == ["poor", "below average", "average", "excellent"]
    assert ymca[2].lo == pytest.approx(0.0) and ymca[2].hi == pytest.approx(6 * IN)
    # consecutive edges meet
    for a, b in itertools.pairwise(ymca):
        assert a.hi == b.lo
