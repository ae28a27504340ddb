"""Per-frame measures from landmarks: the SLR angle, knee flexion, hip angle, reach.

Conventions (see docs/MEASURES.md):
- SLR angle: angle between the raised leg's hip->ankle line and the resting leg's hip->ankle line in the
  image (sagittal) plane, positive as the leg rises. The resting-leg line is a robust reference taken
  from frames where the legs are clearly apart, because while the legs overlap MediaPipe snaps the
  resting ankle onto the raised foot.
- Knee flexion: 0 deg for a straight knee (hip-knee-ankle in line).
- Sit-and-reach hip angle: trunk-thigh angle at the hip (shoulder-hip-knee), about 90 deg sitting upright,
  smaller as the person folds forward. Reach: fingertip minus front of the toes along the leg, in cm,
  positive past the toes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.geometry import (
    circular_median_direction,
    flexion_deg,
    joint_angle_deg,
    signed_angle_deg,
    unsigned_angle_deg,
)
from analysis.result import Side
from flexcheck.vocabulary import SIDES
from vision.landmarks import LM, LandmarkSeries

# Legs count as "apart" (resting ankle not snapped onto the raised foot) beyond this separation.
LEGS_APART_DEG = 20.0
# Legs count as lying together (both on the floor) below this separation.
LEGS_TOGETHER_DEG = 8.0
MIN_TOGETHER_FRAMES = 8
# Shank (knee to ankle joint centre) as a fraction of standing height: Winter, Biomechanics and Motor
# Control of Human Movement, 4th ed. (2009), Fig. 4.1 segment lengths (0.285 H - 0.039 H).
SHANK_FRACTION_OF_HEIGHT = 0.246
# MediaPipe's foot_index landmark sits behind the front of the toes (the sit-and-reach zero line);
# measured on the synthetic renders in sample_videos/ (mean reach bias at the peak, see
# benchmarks/accuracy.py) and consistent with the real clip sr_real_01.
TOE_TIP_AHEAD_OF_FOOT_INDEX_CM = 3.0
# Seen from toward the feet, foot_index lands body by body from 6 cm behind to 6 cm ahead of the true toes
# (the soles face the camera), so there the front of the toes is taken this many shank lengths (5.4% of
# the height) along the leg beyond the near ankle, whose offset to the toes scales with the body (sd 1.0%
# of the height across the renders vs 2.3% from foot_index). Fitted on the 11 calibration renders
# corrected from toward the feet (benchmarks/clips/camera_calib, +10..+30 deg, four bodies): their median
# reach error is -0.1 cm. Ramped in with the yaw like the fingertip's move (pipeline.MID_PLANE_RAMP_DEG).
TOE_FRONT_BEYOND_ANKLE_PER_SHANK = 0.22
# MediaPipe's pose "index" point is a knuckle: without a hand-model fingertip, the fingertip is taken this
# many shank lengths further along the leg (0.068 x height / 0.246 x height). Measured where both are seen
# at the deepest reach on the calibration renders (sample_videos/ sit-and-reach, 0.067 and 0.070 of the
# height; benchmarks/clips/camera_calib 5 deg, 0.068); with the knuckle alone the reach read 10-14 cm short.
FINGERTIP_BEYOND_KNUCKLE_PER_SHANK = 0.068 / SHANK_FRACTION_OF_HEIGHT

LEG_POINTS: dict[Side, tuple[int, int, int]] = {
    "left": (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE),
    "right": (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE),
}
SIDE_POINTS: dict[Side, dict[str, int]] = {
    "left": {
        "shoulder": LM.LEFT_SHOULDER,
        "hip": LM.LEFT_HIP,
        "knee": LM.LEFT_KNEE,
        "ankle": LM.LEFT_ANKLE,
        "heel": LM.LEFT_HEEL,
        "toe": LM.LEFT_FOOT_INDEX,
        "wrist": LM.LEFT_WRIST,
        "knuckle": LM.LEFT_INDEX,
    },
    "right": {
        "shoulder": LM.RIGHT_SHOULDER,
        "hip": LM.RIGHT_HIP,
        "knee": LM.RIGHT_KNEE,
        "ankle": LM.RIGHT_ANKLE,
        "heel": LM.RIGHT_HEEL,
        "toe": LM.RIGHT_FOOT_INDEX,
        "wrist": LM.RIGHT_WRIST,
        "knuckle": LM.RIGHT_INDEX,
    },
}


@dataclass(frozen=True)
class SlrMeasures:
    t_s: np.ndarray
    angle_deg: np.ndarray  # raised leg vs the floor line (hip flexion from the table)
    between_legs_deg: np.ndarray  # raised leg vs the resting leg where it is seen apart, else vs the floor
    knee_flexion_deg: np.ndarray  # of the raised leg
    resting_lift_deg: np.ndarray  # resting leg vs the floor line where seen apart (0 = flat)
    raised_is_left: np.ndarray  # bool per frame: which landmark leg was the higher one
    confidence: np.ndarray  # 0..1 per frame (mean visibility of the leg points)
    side: Side
    reference_xy: np.ndarray | None  # unit direction of the floor line (image, hip toward feet)


@dataclass(frozen=True)
class SitReachMeasures:
    t_s: np.ndarray
    hip_angle_deg: np.ndarray
    trunk_incline_deg: np.ndarray  # trunk from vertical, + leaning forward
    knee_flexion_deg: np.ndarray
    reach_cm: np.ndarray
    confidence: np.ndarray
    side: Side  # body side nearer the camera
    cm_per_px: float | None
    scale_source: str  # "height" | "world landmarks" | "none"
    fingertips_found: np.ndarray  # bool per frame: reach used the hand model's fingertip
    extra: dict[str, np.ndarray] = field(default_factory=dict)


def _pts(lms: LandmarkSeries, idx: int) -> np.ndarray:
    return lms.image_xy_px[:, idx, :]


def _trunk_direction(lms: LandmarkSeries) -> np.ndarray:
    """Per frame: mid-shoulder -> mid-hip vector (points from the head toward the legs)."""
    shoulders = (_pts(lms, LM.LEFT_SHOULDER) + _pts(lms, LM.RIGHT_SHOULDER)) / 2
    hips = (_pts(lms, LM.LEFT_HIP) + _pts(lms, LM.RIGHT_HIP)) / 2
    return hips - shoulders


def _leg_vector(lms: LandmarkSeries, side: Side) -> np.ndarray:
    hip, _, ankle = LEG_POINTS[side]
    return _pts(lms, ankle) - _pts(lms, hip)


def measure_slr(lms: LandmarkSeries, side_choice: str = "auto") -> SlrMeasures:
    n = len(lms)
    leg_l, leg_r = _leg_vector(lms, "left"), _leg_vector(lms, "right")
    floor = circular_median_direction(_trunk_direction(lms))
    if floor is None:  # nobody found in any frame
        nan = np.full(n, np.nan)
        return SlrMeasures(lms.t_s, nan, nan, nan, nan, np.zeros(n, bool), np.zeros(n), "left", None)
    floor_b = np.broadcast_to(floor, leg_l.shape)
    elev_l = signed_angle_deg(floor_b, leg_l)
    elev_r = signed_angle_deg(floor_b, leg_r)
    sign = _raise_sign(elev_l, elev_r)
    elev_l, elev_r = sign * elev_l, sign * elev_r
    raised_is_left = np.nan_to_num(elev_l, nan=-np.inf) >= np.nan_to_num(elev_r, nan=-np.inf)
    raised = np.where(raised_is_left[:, None], leg_l, leg_r)
    resting = np.where(raised_is_left[:, None], leg_r, leg_l)
    separation = np.abs(np.where(raised_is_left, elev_l - elev_r, elev_r - elev_l))
    apart = separation > LEGS_APART_DEG
    reference = _floor_reference(leg_l, leg_r, resting, separation, apart)
    ref_b = np.broadcast_to(reference, raised.shape)
    angle = sign * signed_angle_deg(ref_b, raised)
    # The resting leg is only trusted where it is clearly apart from the raised one.
    lift = np.where(apart, sign * signed_angle_deg(ref_b, resting), 0.0)
    lift = np.where(np.isfinite(angle), lift, np.nan)
    knee = np.where(
        raised_is_left,
        flexion_deg(*(_pts(lms, i) for i in LEG_POINTS["left"])),
        flexion_deg(*(_pts(lms, i) for i in LEG_POINTS["right"])),
    )
    side = _raised_side(raised_is_left, apart & np.isfinite(angle), side_choice)
    leg_idx = [i for pts in LEG_POINTS.values() for i in pts]
    confidence = lms.visibility[:, leg_idx].mean(axis=1)
    between = angle - lift
    return SlrMeasures(lms.t_s, angle, between, knee, lift, raised_is_left, confidence, side, reference)


def _floor_reference(
    leg_l: np.ndarray, leg_r: np.ndarray, resting: np.ndarray, separation: np.ndarray, apart: np.ndarray
) -> np.ndarray:
    """Direction of the floor line under the legs (unit vector from hip toward the feet).

    Best evidence: frames where both legs lie together on the floor (before and between raises);
    there MediaPipe's snapping of one ankle onto the other does not matter. Otherwise: the resting leg
    in frames where the legs are clearly apart.
    """
    together = separation < LEGS_TOGETHER_DEG
    if np.count_nonzero(together) >= MIN_TOGETHER_FRAMES:
        ref = circular_median_direction(np.concatenate([leg_l[together], leg_r[together]]))
    else:
        ref = circular_median_direction(resting[apart] if np.any(apart) else resting)
    assert ref is not None  # callers only get here when some leg vectors are finite
    return ref


def _raise_sign(elev_l: np.ndarray, elev_r: np.ndarray) -> float:
    """+1 or -1 so that a raised leg reads positive whatever way the person lies in the image.

    A leg can only rise away from the floor; the larger excursion of either leg tells which way that is.
    """
    both = np.concatenate([elev_l, elev_r])
    both = both[np.isfinite(both)]
    if both.size == 0:
        return 1.0
    hi, lo = np.percentile(both, 98), np.percentile(both, 2)
    if max(abs(hi), abs(lo)) < LEGS_APART_DEG:
        # No clear raise: fall back to "up is up" in the image (y down) relative to the floor direction.
        return 1.0
    return 1.0 if abs(hi) >= abs(lo) else -1.0


def _raised_side(raised_is_left: np.ndarray, informative: np.ndarray, side_choice: str) -> Side:
    if side_choice in SIDES:
        return side_choice
    votes = raised_is_left[informative]
    if votes.size == 0:
        votes = raised_is_left
    return "left" if votes.size and np.mean(votes) >= 0.5 else "right"


def near_side(lms: LandmarkSeries) -> Side:
    """The body side nearer the camera: its landmarks are the more visible ones."""
    left = [LM.LEFT_SHOULDER, LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE]
    right = [LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE]
    vis = np.nan_to_num(lms.visibility)
    return "left" if vis[:, left].mean() >= vis[:, right].mean() else "right"


def measure_sit_reach(
    lms: LandmarkSeries,
    side_choice: str = "auto",
    height_cm: float | None = None,
    thigh_to_ankle: bool = False,
    hands_to_mid_plane: float = 0.0,
    toe_from_ankle: float = 0.0,
) -> SitReachMeasures:
    """`thigh_to_ankle`: take the thigh's direction from the hip->ankle line instead of hip->knee (for
    views rectified from an oblique camera, where the knee under the folded trunk is the weakest point).
    `hands_to_mid_plane`: move the hand model's fingertip toward the body's mid-plane by this share (0..1)
    of its knuckle's offset from the two knuckles' mean (rectified views: see `_fingertip`).
    `toe_from_ankle`: this share (0..1) of the front of the toes comes from the near ankle plus a foot's
    offset instead of foot_index (views rectified from toward the feet: see `_toe_point`)."""
    side: Side = side_choice if side_choice in SIDES else near_side(lms)
    p = {name: _pts(lms, idx) for name, idx in SIDE_POINTS[side].items()}
    # Trunk line from the mid-shoulder point: the far shoulder is seen nearly as well as the near one,
    # and averaging them follows the trunk better than either (benchmarks/accuracy.py).
    mid_shoulder = (_pts(lms, LM.LEFT_SHOULDER) + _pts(lms, LM.RIGHT_SHOULDER)) / 2
    hip_angle = joint_angle_deg(mid_shoulder, p["hip"], p["ankle" if thigh_to_ankle else "knee"])
    trunk = p["shoulder"] - p["hip"]
    forward = circular_median_direction(p["ankle"] - p["hip"])
    knee = flexion_deg(p["hip"], p["knee"], p["ankle"])
    n = len(lms)
    if forward is None:
        nan = np.full(n, np.nan)
        return SitReachMeasures(
            lms.t_s, nan, nan, nan, nan, np.zeros(n), side, None, "none", np.zeros(n, bool)
        )
    # Trunk inclination: 0 = upright, + = leaning toward the feet.
    up = np.array([forward[1], -forward[0]])  # perpendicular to the legs...
    up = -up if up[1] > 0 else up  # ...pointing up in the image (y down)
    incline = unsigned_angle_deg(trunk, np.broadcast_to(up, trunk.shape)) * np.sign(trunk @ forward)
    shank_px = _median_shank_px(lms, side)  # sets the finger's length and the cm scale
    fingertip, found = _fingertip(lms, forward, shank_px, hands_to_mid_plane)
    toe, toe_ahead_cm = _toe_point(lms, p["ankle"], forward, shank_px, toe_from_ankle)
    reach_px = (fingertip - toe) @ forward
    cm_per_px, scale_source = _scale_cm_per_px(lms, side, height_cm, shank_px)
    reach_cm = reach_px * cm_per_px - toe_ahead_cm if cm_per_px is not None else np.full(n, np.nan)
    idx = list(SIDE_POINTS[side].values())[:4]
    confidence = lms.visibility[:, idx].mean(axis=1)
    return SitReachMeasures(
        lms.t_s, hip_angle, incline, knee, reach_cm, confidence, side, cm_per_px, scale_source, found
    )


def _fingertip(
    lms: LandmarkSeries, forward: np.ndarray, shank_px: float, to_mid_plane: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Most forward fingertip per frame: hand-model fingertips where found, else the pose knuckles (their
    mean, or the one seen) moved a finger's length along the leg (the hands reach along it).

    `to_mid_plane`: the hands sit either side of the body's mid-plane, so at a slant (and rectified from
    it) the near hand appears ahead of the mid-plane and the far one behind. The hand model finds
    one hand at the deepest reach on the renders, so its fingertip is moved by that hand's knuckle
    offset from the two knuckles' mean (the mean of the hands' tip-beyond-knuckle where both are found).
    Check renders at -10 / +10 deg: the reach read +3.6 / -3.1 cm with the seen tip, +0.3 / -1.8 moved.
    Side-on views keep the seen tip: there MediaPipe's guess of the hidden knuckle only adds error
    (a side-on sample read -2.3 cm instead of -0.8)."""
    tips = lms.fingertip_xy_px  # (N, 2 hands, 2)
    along = tips @ forward
    has_tip = np.isfinite(along)
    best_hand = np.argmax(np.where(has_tip, along, -np.inf), axis=1)
    hand_tip = tips[np.arange(len(lms)), best_hand]
    found = np.any(has_tip, axis=1)
    knuckles = np.stack([_pts(lms, LM.LEFT_INDEX), _pts(lms, LM.RIGHT_INDEX)], axis=1)
    k_along = knuckles @ forward
    k_best = np.argmax(np.nan_to_num(k_along, nan=-np.inf), axis=1)
    # Both knuckles' mean where both are placed: the hands sit either side of the body's mid-plane, so
    # seen at a slant (or rectified from it) one appears ahead and the other behind by the same amount.
    both = np.all(np.isfinite(knuckles), axis=(1, 2))
    knuckle = np.where(both[:, None], knuckles.mean(axis=1), knuckles[np.arange(len(lms)), k_best])
    if to_mid_plane > 0:
        beyond = tips - knuckles  # each found hand's fingertip beyond its own knuckle
        seen = np.all(np.isfinite(beyond), axis=2)
        n_seen = seen.sum(axis=1)
        mean_beyond = np.where(seen[:, :, None], beyond, 0.0).sum(axis=1) / np.maximum(n_seen, 1)[:, None]
        moved = both & (n_seen > 0)
        shift = to_mid_plane * (knuckle + mean_beyond - hand_tip)
        hand_tip = np.where(moved[:, None], hand_tip + shift, hand_tip)
    finger_px = FINGERTIP_BEYOND_KNUCKLE_PER_SHANK * shank_px if np.isfinite(shank_px) else 0.0
    return np.where(found[:, None], hand_tip, knuckle + finger_px * forward), found


def _toe_point(
    lms: LandmarkSeries, ankle: np.ndarray, forward: np.ndarray, shank_px: float, from_ankle: float
) -> tuple[np.ndarray, float]:
    """The toe reference per frame (px) and how far the front of the toes lies beyond it (cm): foot_index
    (+ 3 cm), or by the share `from_ankle` the near ankle plus a body-scaled foot's offset along the leg."""
    toe = _front_of_toes(lms, forward)
    if from_ankle <= 0 or not np.isfinite(shank_px):
        return toe, TOE_TIP_AHEAD_OF_FOOT_INDEX_CM
    front = ankle + TOE_FRONT_BEYOND_ANKLE_PER_SHANK * shank_px * forward
    return (1 - from_ankle) * toe + from_ankle * front, (1 - from_ankle) * TOE_TIP_AHEAD_OF_FOOT_INDEX_CM


def _front_of_toes(lms: LandmarkSeries, forward: np.ndarray) -> np.ndarray:
    """The foot point farthest along the leg of either foot (MediaPipe foot_index, per frame)."""
    feet = np.stack([_pts(lms, LM.LEFT_FOOT_INDEX), _pts(lms, LM.RIGHT_FOOT_INDEX)], axis=1)
    along = feet @ forward
    best = np.argmax(np.nan_to_num(along, nan=-np.inf), axis=1)
    return feet[np.arange(len(lms)), best]


def _median_shank_px(lms: LandmarkSeries, side: Side) -> float:
    """Median knee-to-ankle length in the image (NaN when never seen)."""
    _, knee, ankle = LEG_POINTS[side]
    shank_px = np.linalg.norm(_pts(lms, ankle) - _pts(lms, knee), axis=1)
    return float(np.nanmedian(shank_px)) if np.any(np.isfinite(shank_px)) else float("nan")


def _scale_cm_per_px(
    lms: LandmarkSeries, side: Side, height_cm: float | None, shank_px_med: float
) -> tuple[float | None, str]:
    """cm per image pixel near the legs: from the entered height, else from MediaPipe's metric world model.
    `shank_px_med`: the median knee-to-ankle length in the image (`_median_shank_px`)."""
    _, knee, ankle = LEG_POINTS[side]
    if not np.isfinite(shank_px_med) or shank_px_med <= 1:
        return None, "none"
    if height_cm:
        return SHANK_FRACTION_OF_HEIGHT * height_cm / shank_px_med, "height"
    world = lms.world_xyz_m
    shank_m = np.linalg.norm(world[:, ankle] - world[:, knee], axis=1)
    if np.any(np.isfinite(shank_m)):
        return 100.0 * float(np.nanmedian(shank_m)) / shank_px_med, "world landmarks"
    return None, "none"


def posture_summary(lms: LandmarkSeries) -> dict[str, float]:
    """Body orientation over the clip, for the wrong-test check (degrees from horizontal)."""
    trunk = _trunk_direction(lms)
    legs = np.concatenate([_leg_vector(lms, "left"), _leg_vector(lms, "right")])
    horizontal = np.array([1.0, 0.0])
    trunk_tilt = unsigned_angle_deg(trunk, np.broadcast_to(horizontal, trunk.shape))
    trunk_tilt = np.minimum(trunk_tilt, 180 - trunk_tilt)
    leg_tilt = unsigned_angle_deg(legs, np.broadcast_to(horizontal, legs.shape))
    leg_tilt = np.minimum(leg_tilt, 180 - leg_tilt)
    return {
        "trunk_from_horizontal_deg": float(np.nanmedian(trunk_tilt))
        if np.any(np.isfinite(trunk_tilt))
        else np.nan,
        "legs_from_horizontal_deg": float(np.nanmedian(leg_tilt))
        if np.any(np.isfinite(leg_tilt))
        else np.nan,
    }
