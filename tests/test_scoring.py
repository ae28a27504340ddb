from __future__ import annotations

import itertools
import math

import pytest

from scoring import (
    Profile,
    asymmetry,
    bands,
    compare_sessions,
    mdc,
    score_measurement,
    sit_reach_bands,
    slr_bands,
)

IN = 2.54


@pytest.mark.parametrize(
    ("angle", "band"),
    [
        (0.0, "tight"),
        (69.99, "tight"),
        (70.0, "reduced"),
        (79.99, "reduced"),
        (80.0, "normal"),
        (85.0, "normal"),
        (90.0, "normal"),
        (90.01, "high"),
        (150.0, "high"),
    ],
)
def test_slr_band_edges(angle, band):
    s = score_measurement("slr", angle, None, True)
    assert s.scored and s.band_id == band
    assert s.value == angle and s.unit == "deg" and s.meaning and s.sources


@pytest.mark.parametrize(
    ("reach", "band"),
    [(-30.0, "short_of_toes"), (-0.01, "short_of_toes"), (0.0, "past_toes"), (12.0, "past_toes")],
)
def test_sit_reach_band_edges(reach, band):
    s = score_measurement("sit-reach", 100.0, reach, True)
    assert s.scored and s.band_id == band and s.unit == "cm"


def test_bands_tile_the_line_without_overlap():
    for test, lo, hi in (("slr", -10.0, 200.0), ("sit-reach", -90.0, 90.0)):
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
    assert s.norm.source and all(src in s.sources for src in s.norm.source)


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


@pytest.mark.parametrize(
    ("test", "before", "after", "sex", "label", "direction"),
    [
        ("slr", 70.0, 78.0, "male", "within measurement error", "none"),
        ("slr", 70.0, 78.1, "male", "real change", "better"),
        ("slr", 70.0, 61.9, "male", "real change", "worse"),
        ("slr", 70.0, 81.0, None, "within measurement error", "none"),  # unknown sex -> 12 deg
        ("slr", 70.0, 82.5, "female", "real change", "better"),
        ("sit-reach", -5.0, -1.0, None, "within measurement error", "none"),
        ("sit-reach", -5.0, -0.9, None, "real change", "better"),
        ("sit-reach", 3.0, -2.0, "male", "real change", "worse"),
    ],
)
def test_compare_sessions(test, before, after, sex, label, direction):
    c = compare_sessions(test, before, after, sex)
    assert c.label == label and c.direction == direction
    assert c.delta == pytest.approx(after - before)
    assert c.mdc == mdc(test, sex) and c.sources
    assert (label == "real change") == ("Real change" in c.message)


def test_compare_sessions_never_compares_unscored():
    bad = score_measurement("slr", 90.0, None, False)
    good = score_measurement("slr", 60.0, None, True)
    c = compare_sessions("slr", good, bad)
    assert c.label == "not compared" and c.delta is None
    c2 = compare_sessions("slr", good, score_measurement("slr", 75.0, None, True), "male")
    assert c2.label == "real change" and c2.delta == pytest.approx(15.0)


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


def test_sit_reach_asymmetry_and_bad_input():
    assert asymmetry("sit-reach", -3.0, 2.0).tighter_side == "left"
    with pytest.raises(ValueError):
        asymmetry("slr", math.nan, 80.0)


def test_chart_band_helpers():
    edges = slr_bands()
    assert [(e.lo, e.hi, e.id) for e in edges] == [
        (None, 70.0, "tight"),
        (70.0, 80.0, "reduced"),
        (80.0, 90.0, "normal"),
        (90.0, None, "high"),
    ]
    assert bands("slr") == edges
    generic = sit_reach_bands()
    assert [(e.lo, e.hi) for e in generic] == [(None, 0.0), (0.0, None)]
    ymca = sit_reach_bands(Profile(40, "male"))
    assert [e.label for e in ymca] == ["poor", "below average", "average", "excellent"]
    assert ymca[2].lo == pytest.approx(0.0) and ymca[2].hi == pytest.approx(6 * IN)
    # consecutive edges meet
    for a, b in itertools.pairwise(ymca):
        assert a.hi == b.lo
