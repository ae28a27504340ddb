"""Per-frame measures on hand-built landmark series with known angles."""

from dataclasses import replace

import numpy as np
import pytest

from analysis.measures import measure_sit_reach, measure_slr
from tests.landmark_factory import series_from_points, slr_profile, supine_frame
from vision.landmarks import LM, N_LANDMARKS, LandmarkSeries


@pytest.mark.parametrize("raised", ["left", "right"])
@pytest.mark.parametrize("head_left", [True, False])
@pytest.mark.parametrize("peak_deg", [45.0, 80.0, 110.0])
def test_slr_angle_follows_the_raise(raised: str, head_left: bool, peak_deg: float) -> None:
    truth = slr_profile(peak_deg)
    lms = series_from_points([supine_frame(a, raised, head_left) for a in truth])
    m = measure_slr(lms)
    assert m.side == raised
    apart = truth > 25
    np.testing.assert_allclose(m.angle_deg[apart], truth[apart], atol=1e-6)
    assert np.nanmax(m.angle_deg) == pytest.approx(peak_deg, abs=1e-6)
    np.testing.assert_allclose(m.knee_flexion_deg, 0.0, atol=1e-6)


def test_slr_knee_flexion_and_resting_leg_lift() -> None:
    truth = slr_profile(70.0)
    lms = series_from_points(
        [supine_frame(a, "right", knee_flex_deg=25.0 if a > 60 else 0.0, rest_lift_deg=0.0) for a in truth]
    )
    m = measure_slr(lms)
    at_peak = truth >= 69.9
    np.testing.assert_allclose(m.knee_flexion_deg[at_peak], 25.0, atol=1e-6)
    # a lifted resting leg at the peak reads as a positive lift
    lifted = [supine_frame(a, "left", rest_lift_deg=12.0 if a > 60 else 0.0) for a in truth]
    m2 = measure_slr(series_from_points(lifted))
    assert np.nanmax(m2.resting_lift_deg) > 5.0


def test_slr_forced_side_is_reported() -> None:
    lms = series_from_points([supine_frame(a, "left") for a in slr_profile(60.0)])
    assert measure_slr(lms, "right").side == "right"


def test_slr_no_person_gives_nan() -> None:
    lms = series_from_points([np.full((N_LANDMARKS, 2), np.nan) for _ in range(5)])
    m = measure_slr(lms)
    assert np.all(np.isnan(m.angle_deg))


def seated_frame(fold_deg: float, fingertip_ahead_px: float) -> np.ndarray:
    """Seated, legs to the right along +x, trunk leaning forward by `fold_deg` from vertical."""
    pts = np.full((N_LANDMARKS, 2), np.nan)
    hip = np.array([300.0, 400.0])
    for h, k, a, t in (
        (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_FOOT_INDEX),
        (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_FOOT_INDEX),
    ):
        pts[h], pts[k], pts[a], pts[t] = (
            hip,
            hip + np.array([200, 0]),
            hip + np.array([400, 0]),
            hip + np.array([420, -40]),
        )
    rad = np.radians(fold_deg)
    shoulder = hip + 250 * np.array([np.sin(rad), -np.cos(rad)])
    pts[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]] = shoulder
    pts[[LM.LEFT_INDEX, LM.RIGHT_INDEX]] = hip + np.array([420 + fingertip_ahead_px, -40])
    pts[[LM.LEFT_WRIST, LM.RIGHT_WRIST]] = hip + np.array([400 + fingertip_ahead_px, -40])
    return pts


def test_sit_reach_hip_angle_trunk_incline_and_reach() -> None:
    folds = [0.0, 10.0, 30.0, 40.0]
    ahead_px = [-200.0, -100.0, 0.0, 50.0]
    lms = series_from_points([seated_frame(f, a) for f, a in zip(folds, ahead_px, strict=True)])
    # knuckles only (no hand model): reach = knuckle minus toe along the leg
    m = measure_sit_reach(lms, height_cm=None)
    np.testing.assert_allclose(m.hip_angle_deg, [90.0 - f for f in folds], atol=1e-6)
    np.testing.assert_allclose(m.trunk_incline_deg, folds, atol=1e-6)
    np.testing.assert_allclose(m.knee_flexion_deg, 0.0, atol=1e-6)
    assert m.scale_source == "none"  # hand-built series has no world shank length


def test_sit_reach_reach_cm_from_height() -> None:
    lms = series_from_points([seated_frame(30.0, a) for a in (-100.0, 0.0, 40.0)])
    m = measure_sit_reach(lms, height_cm=170.0)
    # shank is 200 px = 0.246 * 170 cm  ->  cm_per_px = 41.82 / 200
    cm_per_px = 0.246 * 170.0 / 200.0
    assert m.cm_per_px == pytest.approx(cm_per_px)
    # No hand-model fingertip: the knuckle plus a finger (0.068 of the height = 0.068 / 0.246 shank
    # lengths = 55.3 px), minus the 3 cm by which the front of the toes lies ahead of MediaPipe's foot_index
    finger_px = 0.068 / 0.246 * 200.0
    expected = (np.array([-100.0, 0.0, 40.0]) + finger_px) * cm_per_px - 3.0
    np.testing.assert_allclose(m.reach_cm, expected, atol=1e-6)
    assert not np.any(m.fingertips_found)


def _knuckles_apart_left_tip(n_frames: int, y_px: float) -> LandmarkSeries:
    """Seated frames whose knuckles lie 60 px apart along the leg (the left 30 px ahead of their mean), the
    last frame with a left fingertip 25 px past the toe line (x = 720) at height `y_px`."""
    frames = [seated_frame(30.0, 0.0) for _ in range(n_frames)]
    for pts in frames:
        pts[LM.LEFT_INDEX] += np.array([30.0, 0.0])
        pts[LM.RIGHT_INDEX] -= np.array([30.0, 0.0])
    lms = series_from_points(frames)
    tips = lms.fingertip_xy_px.copy()
    tips[-1, 0] = np.array([300.0 + 420.0 + 25.0, y_px])
    return replace(lms, fingertip_xy_px=tips)


def test_sit_reach_knuckles_meet_halfway_and_a_fingertip_wins() -> None:
    """Two knuckles 60 px apart along the leg (a slanted view of hands either side of the body) read at
    their mean; where the hand model found a fingertip, that point is the reach, with no finger added."""
    lms = _knuckles_apart_left_tip(3, 360.0)
    m = measure_sit_reach(lms, height_cm=170.0)
    cm_per_px = 0.246 * 170.0 / 200.0
    finger_px = 0.068 / 0.246 * 200.0
    np.testing.assert_allclose(m.reach_cm[:2], finger_px * cm_per_px - 3.0, atol=1e-6)
    assert m.reach_cm[2] == pytest.approx(25.0 * cm_per_px - 3.0)
    assert list(m.fingertips_found) == [False, False, True]


def test_sit_reach_rectified_fingertip_moves_to_the_mid_plane() -> None:
    """Rectified from a slant, the one hand the hand model found (the left, its knuckle 30 px ahead of the
    knuckles' mean) is moved back by that offset: 25 px past the toe line reads as 25 - 30 = -5 px. The
    plain (side-on) view keeps the seen tip; with no fingertip both read the knuckles' mean plus a finger."""
    lms = _knuckles_apart_left_tip(2, 365.0)
    cm_per_px = 0.246 * 170.0 / 200.0
    seen = measure_sit_reach(lms, height_cm=170.0)
    moved = measure_sit_reach(lms, height_cm=170.0, hands_to_mid_plane=True)
    assert seen.reach_cm[1] == pytest.approx(25.0 * cm_per_px - 3.0)
    assert moved.reach_cm[1] == pytest.approx(-5.0 * cm_per_px - 3.0)
    assert moved.reach_cm[0] == pytest.approx(seen.reach_cm[0])
    # Part of the way (the pipeline ramps the move in over 5-10 deg of yaw): 25 - 0.4 x 30 = 13 px.
    partly = measure_sit_reach(lms, height_cm=170.0, hands_to_mid_plane=0.4)
    assert partly.reach_cm[1] == pytest.approx(13.0 * cm_per_px - 3.0)


def test_sit_reach_thigh_from_the_ankle_ignores_a_misplaced_knee() -> None:
    """Rectified views take the thigh from hip->ankle: a knee point 40 px off the leg line (the knee
    landmark under a folded trunk is the weak one) tilts the hip->knee thigh by atan(40 / 200) = 11.3 deg."""
    frames = [seated_frame(f, 0.0) for f in (10.0, 40.0)]
    for pts in frames:
        pts[[LM.LEFT_KNEE, LM.RIGHT_KNEE]] += np.array([0.0, -40.0])
    lms = series_from_points(frames)
    knee_thigh = measure_sit_reach(lms).hip_angle_deg
    ankle_thigh = measure_sit_reach(lms, thigh_to_ankle=True).hip_angle_deg
    np.testing.assert_allclose(ankle_thigh, [80.0, 50.0], atol=1e-6)
    np.testing.assert_allclose(knee_thigh, [80.0 - 11.31, 50.0 - 11.31], atol=0.01)


def test_sit_reach_toes_from_the_ankle_toward_the_feet() -> None:
    """Seen from toward the feet foot_index lands body by body up to 7 cm off the toes (docs/MEASURES.md,
    The reach): there the front of the toes is taken 0.22 shank lengths (44 px of a 200 px shank) beyond
    the near ankle (x = 700 -> 744). A fingertip 20 px past that line, with foot_index misplaced 30 px
    ahead of it, reads 20 px from the ankle and -10 px - 3 cm from foot_index; a share mixes the two."""
    lms = _knuckles_apart_left_tip(2, 365.0)
    tips = lms.fingertip_xy_px.copy()
    tips[-1, 0] = np.array([744.0 + 20.0, 365.0])  # 20 px past the true toe line
    image = lms.image_xy_px.copy()
    image[:, [LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX]] = np.array([744.0 + 30.0, 360.0])  # 30 px ahead
    lms = replace(lms, fingertip_xy_px=tips, image_xy_px=image)
    cm_per_px = 0.246 * 170.0 / 200.0
    by_toe = measure_sit_reach(lms, height_cm=170.0)
    by_ankle = measure_sit_reach(lms, height_cm=170.0, toe_from_ankle=1.0)
    half = measure_sit_reach(lms, height_cm=170.0, toe_from_ankle=0.5)
    assert by_ankle.reach_cm[1] == pytest.approx(20.0 * cm_per_px)
    assert by_toe.reach_cm[1] == pytest.approx(-10.0 * cm_per_px - 3.0)
    assert half.reach_cm[1] == pytest.approx(5.0 * cm_per_px - 1.5)
