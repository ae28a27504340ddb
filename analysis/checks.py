"""Validity checks: was the test done properly and can the camera see it? Plain-language messages.

An `error` makes the result invalid; a `warning` keeps it but says what lowers confidence; `info`
explains how a number was obtained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.camera import turn_advice
from analysis.result import CameraEstimate, Check, Rep, Severity, TestKind
from vision.landmarks import LM, LandmarkSeries


@dataclass(frozen=True)
class CheckConfig:
    knee_bent_deg: float = 15.0  # knee flexion at the peak above this invalidates the test
    resting_lift_warn_deg: float = 8.0
    resting_lift_error_deg: float = 15.0
    side_on_warn_deg: float = 30.0  # world-landmark yaw (fallback when the clip gives no camera estimate)
    side_on_error_deg: float = 55.0
    # Camera estimate (analysis/camera.py): angles are corrected up to camera_correct_max_deg of yaw; beyond
    # it the view is too oblique to trust (benchmarks/accuracy.py per-yaw table) and the result is invalid.
    camera_note_deg: float = 10.0  # below this the view counts as side-on: no correction, no note
    camera_correct_max_deg: float = 38.0  # SLR
    # Sit-and-reach: corrected from sit_reach_correct_from_deg up to sit_reach_max_yaw_deg of estimated yaw
    # (camera toward the head), refused beyond (docs/MEASURES.md). The rectified view reads the fold better
    # than the raw one from 5 deg on (benchmarks/clips/camera_calib), and the estimate runs short at -20
    # (reads about -10), so the correction starts earlier than for SLR. Near 5 deg the estimate's noise
    # (sd ~4 deg) can switch it on or off between two samplings of one clip: 0.47 deg apart on a side-on
    # sample (3.5 vs 6.0 deg estimated), as the rectified view takes the thigh from the ankle.
    sit_reach_correct_from_deg: float = 5.0
    # A correction that moves the deepest fold by more than this is not trusted (pipeline._correction_plausible).
    sit_reach_max_correction_deg: float = 10.0
    sit_reach_max_yaw_deg: float = 30.0
    # Toward the feet: with the toes taken from the ankle (analysis.measures._toe_point) the calibration
    # renders corrected up to an estimated +28.4 deg read the reach within 1 cm but two (+5.9 where a +15
    # camera read +24.6; +2.8 with no fingertip) and the hip within 3.8 deg at 960x540 (640x360: +6.2, as
    # side-on); from +30.8 on their corrections fail the plausibility check. It was 20 while the toe point
    # was foot_index (reach -6.6 cm at +20, docs/MEASURES.md).
    sit_reach_max_toward_feet_deg: float = 30.0
    # Uncorrected, a view estimated this far toward the feet reads the hip +6..+19 deg (the calibration renders
    # whose correction failed the plausibility check, and every one refused at 20 before): refused, not warned.
    sit_reach_max_uncorrected_toward_feet_deg: float = 20.0
    min_found_fraction: float = 0.5
    # A person doing a test is seen for seconds on end; pose detections on a moving pattern with nobody
    # in it flicker for a frame or two (ffmpeg's mandelbrot source: 2 frames in a row). Below this
    # longest unbroken run the "person" is taken to be a false detection.
    min_person_run_s: float = 0.5
    low_visibility: float = 0.5
    very_low_visibility: float = 0.3
    multi_person_fraction: float = 0.3
    frame_margin_px: float = 2.0
    window_s: float = 0.5  # checks at the peak look at this window around it


# Landmarks a test needs to see (both sides; the far side may be hidden, so visibility is averaged).
SLR_KEYPOINTS = (LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_KNEE, LM.RIGHT_KNEE, LM.LEFT_ANKLE, LM.RIGHT_ANKLE)
SIT_REACH_KEYPOINTS = (*SLR_KEYPOINTS, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)


def keypoints(test: TestKind) -> tuple[int, ...]:
    return tuple(int(i) for i in (SLR_KEYPOINTS if test == "slr" else SIT_REACH_KEYPOINTS))


def window_mask(t_s: np.ndarray, center_s: float | None, half_width_s: float) -> np.ndarray:
    if center_s is None:
        return np.ones_like(t_s, dtype=bool)
    return np.abs(t_s - center_s) <= half_width_s


def longest_found_run_s(lms: LandmarkSeries) -> float:
    """Duration of the longest unbroken run of frames with a person (one frame counts one frame period)."""
    found = np.r_[False, lms.n_people > 0, False]
    edges = np.flatnonzero(np.diff(found.astype(int)))
    if edges.size == 0:
        return 0.0
    starts, ends = edges[::2], edges[1::2] - 1  # indices into lms (inclusive)
    period_s = float(np.median(np.diff(lms.t_s))) if len(lms) > 1 else 0.0
    return float(np.max(lms.t_s[ends] - lms.t_s[starts] + period_s))


def person_present(lms: LandmarkSeries, cfg: CheckConfig) -> bool:
    return len(lms) > 0 and longest_found_run_s(lms) >= cfg.min_person_run_s


def check_person(lms: LandmarkSeries, cfg: CheckConfig) -> list[Check]:
    found = lms.n_people > 0
    if not person_present(lms, cfg):
        return [
            Check(
                "no_person",
                "error",
                "No person was found in the video. Make sure your whole body is in view.",
            )
        ]
    out: list[Check] = []
    if found.mean() < cfg.min_found_fraction:
        out.append(
            Check(
                "person_lost",
                "warning",
                f"The person was only visible in {found.mean():.0%} of the video; light the room well and keep "
                "the whole body in view.",
            )
        )
    if np.mean(lms.n_people[found] >= 2) >= cfg.multi_person_fraction:
        out.append(
            Check(
                "multiple_people",
                "warning",
                "More than one person is in view. The measurement follows one of them; film one person at a time "
                "unless a helper is needed.",
            )
        )
    return out


def check_in_frame(lms: LandmarkSeries, test: TestKind, at: np.ndarray, cfg: CheckConfig) -> list[Check]:
    pts = lms.image_xy_px[at][:, list(keypoints(test)), :]
    pts = pts[np.all(np.isfinite(pts), axis=-1)]
    if pts.size == 0:
        return []
    m = cfg.frame_margin_px
    outside = (pts[:, 0] < m) | (pts[:, 1] < m) | (pts[:, 0] > lms.width - m) | (pts[:, 1] > lms.height - m)
    if outside.mean() > 0.1:
        return [
            Check(
                "out_of_frame",
                "error",
                "Part of the body (hips, knees or feet) is outside the picture at the peak. Move the camera back so "
                "the whole body stays in view.",
            )
        ]
    return []


def check_confidence(lms: LandmarkSeries, test: TestKind, at: np.ndarray, cfg: CheckConfig) -> list[Check]:
    vis = lms.visibility[at][:, list(keypoints(test))]
    found = lms.n_people[at] > 0
    if not np.any(found):
        return []
    mean_vis = float(np.mean(vis[found]))
    if mean_vis < cfg.very_low_visibility:
        return [
            Check(
                "low_confidence",
                "error",
                "The legs could not be seen clearly at the peak (hidden, dark or blurred), so the angle cannot be trusted.",
            )
        ]
    if mean_vis < cfg.low_visibility:
        return [
            Check(
                "low_confidence",
                "warning",
                "The legs were hard to see at the peak; the number may be off by several degrees.",
            )
        ]
    return []


def camera_yaw_deg(lms: LandmarkSeries, at: np.ndarray) -> float | None:
    """How far the camera is from a pure side view, from MediaPipe's 3D world landmarks.

    Side-on, the hip and shoulder axes point at the camera (along z); their in-image component grows
    with the camera's yaw away from the side.
    """
    w = lms.world_xyz_m[at]
    axes = np.concatenate(
        [w[:, LM.RIGHT_HIP] - w[:, LM.LEFT_HIP], w[:, LM.RIGHT_SHOULDER] - w[:, LM.LEFT_SHOULDER]]
    )
    axes = axes[np.all(np.isfinite(axes), axis=-1)]
    if axes.size == 0:
        return None
    in_plane = np.hypot(axes[:, 0], axes[:, 1])
    return float(np.degrees(np.arctan2(np.median(in_plane), np.median(np.abs(axes[:, 2])))))


def check_side_on(lms: LandmarkSeries, at: np.ndarray, cfg: CheckConfig) -> list[Check]:
    yaw = camera_yaw_deg(lms, at)
    if yaw is None:
        return []
    if yaw > cfg.side_on_error_deg:
        return [
            Check(
                "not_side_on",
                "error",
                f"The camera is far from a side view (about {yaw:.0f} deg off). Place it level with the hips, "
                "looking straight at your side.",
            )
        ]
    if yaw > cfg.side_on_warn_deg:
        return [
            Check(
                "not_side_on",
                "warning",
                f"The camera is about {yaw:.0f} deg off a side view; angles read from an angle can be off by "
                "several degrees. Film from straight to the side.",
            )
        ]
    return []


def max_yaw_deg(test: TestKind, cfg: CheckConfig, yaw_deg: float = 0.0) -> float:
    """The largest |yaw| corrected (beyond it: refused). `yaw_deg` > 0: camera toward the feet."""
    if test == "slr":
        return cfg.camera_correct_max_deg
    return cfg.sit_reach_max_toward_feet_deg if yaw_deg > 0 else cfg.sit_reach_max_yaw_deg


def too_oblique(camera: CameraEstimate, test: TestKind, cfg: CheckConfig) -> bool:
    """The one refusal rule for the view: beyond what the correction reaches, or a sit-and-reach toward the
    feet that needed the correction where it did not hold (pipeline._correction_plausible): uncorrected,
    those views read the hip 10-19 deg off."""
    yaw = camera.yaw_deg
    if abs(yaw) > max_yaw_deg(test, cfg, yaw):
        return True
    return (
        test == "sit-reach" and not camera.corrected and yaw > cfg.sit_reach_max_uncorrected_toward_feet_deg
    )


def check_camera(
    camera: CameraEstimate, test: TestKind, cfg: CheckConfig, world_yaw_deg: float | None = None
) -> list[Check]:
    """Say how far the camera was off the side view, which way to move it, and whether it was corrected.
    `world_yaw_deg`: the unsigned yaw from MediaPipe's world landmarks (`camera_yaw_deg`), a second opinion."""
    yaw = camera.yaw_deg
    where = "toward your feet" if yaw > 0 else "toward your head"
    if too_oblique(camera, test, cfg):
        return [
            Check(
                "not_side_on",
                "error",
                f"The camera is about {abs(yaw):.0f} deg off the side view ({where}), too far to correct. "
                f"Next time {turn_advice(yaw)}, so it looks straight at your side.",
            )
        ]
    if camera.corrected and abs(yaw) >= cfg.camera_note_deg:  # below it the view counts as side-on: no note
        return [
            Check(
                "not_side_on",
                "info",
                f"The camera was about {abs(yaw):.0f} deg off the side view ({where}); the angle is corrected for "
                f"it. For the most accurate number, {turn_advice(yaw)}.",
            )
        ]
    if abs(yaw) > cfg.camera_note_deg and (test == "slr" or (world_yaw_deg or 0.0) >= cfg.camera_note_deg):
        return [
            Check(
                "not_side_on",
                "warning",
                f"The camera was about {abs(yaw):.0f} deg off the side view ({where}), which can shift the numbers "
                f"by a few degrees. Next time {turn_advice(yaw)}.",
            )
        ]
    return []


def check_knee(knee_flexion_deg: float | None, test: TestKind, cfg: CheckConfig) -> list[Check]:
    if knee_flexion_deg is None or not np.isfinite(knee_flexion_deg) or knee_flexion_deg <= cfg.knee_bent_deg:
        return []
    leg = "raised knee" if test == "slr" else "knee"
    return [
        Check(
            "knee_bent",
            "error",
            f"The {leg} was bent about {knee_flexion_deg:.0f} deg at the peak (limit {cfg.knee_bent_deg:.0f}). "
            "Keep the knee straight; raise only as far as you can with a straight leg.",
        )
    ]


def check_resting_leg(lift_deg: float | None, cfg: CheckConfig) -> list[Check]:
    if lift_deg is None or not np.isfinite(lift_deg) or lift_deg <= cfg.resting_lift_warn_deg:
        return []
    severity: Severity = "error" if lift_deg > cfg.resting_lift_error_deg else "warning"
    return [
        Check(
            "resting_leg_lifted",
            severity,
            f"The other leg came up about {lift_deg:.0f} deg. Keep it flat on the floor (a helper or a strap over "
            "the thigh can hold it).",
        )
    ]


def check_posture(
    test: TestKind, trunk_from_horizontal_deg: float, legs_from_horizontal_deg: float
) -> list[Check]:
    """Wrong test: sitting when SLR was chosen, lying when sit-and-reach was chosen, or standing."""
    if not np.isfinite(trunk_from_horizontal_deg):
        return []
    if legs_from_horizontal_deg > 50:
        return [
            Check(
                "wrong_test",
                "error",
                "This looks like a standing position. Both tests are done on the floor: lying on your back for the "
                "leg raise, sitting with straight legs for sit-and-reach.",
            )
        ]
    if test == "slr" and trunk_from_horizontal_deg > 40:
        return [
            Check(
                "wrong_test",
                "error",
                "The person seems to be sitting up, not lying on the back. For the straight-leg raise, lie flat "
                "(or choose the sit-and-reach test).",
            )
        ]
    if test == "sit-reach" and trunk_from_horizontal_deg < 25:
        return [
            Check(
                "wrong_test",
                "error",
                "The person seems to be lying down, not sitting. For sit-and-reach, sit with straight legs (or "
                "choose the straight-leg raise test).",
            )
        ]
    return []


def check_movement(test: TestKind, reps: list[Rep]) -> list[Check]:
    if reps:
        return []
    if test == "slr":
        msg = "No leg raise was found. Lie still, then raise one straight leg as far as is comfortable and hold."
        return [Check("no_raise", "error", msg)]
    msg = "No forward reach was found. Sit upright first, then reach slowly toward your toes and hold."
    return [Check("no_reach", "error", msg)]


def has_low_confidence(checks: list[Check]) -> bool:
    """A `low_confidence` check (warning or error) was raised: scoring must not band the number."""
    return any(c.code == "low_confidence" for c in checks)
