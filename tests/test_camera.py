"""Camera geometry (analysis/camera.py) on exactly projected points: a pinhole camera placed like the
renderer's (yaw + toward the feet, pitched down at the hip) films a leg swinging in the sagittal plane.
Expectations are hand-computed angles, not the module's own output."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import camera as cam
from analysis.checks import CheckConfig, check_camera
from analysis.geometry import unsigned_angle_deg
from analysis.result import CameraEstimate

W, H = 960, 540
F = cam.focal_px(W, H)


def _camera(yaw_deg: float, pitch_deg: float, dist_m: float = 2.6) -> tuple[np.ndarray, np.ndarray]:
    """Eye position and world->camera rotation (rows: x right, y down, z forward). World: x toward the
    feet, y toward the camera's side, z up; the camera looks at the origin."""
    yaw, pitch = np.radians(yaw_deg), np.radians(pitch_deg)
    eye = np.array([dist_m * np.sin(yaw), dist_m * np.cos(yaw), dist_m * np.tan(pitch)])
    fwd = -eye / np.linalg.norm(eye)
    right = np.cross(fwd, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    return eye, np.stack([right, down, fwd])


def _project(points: np.ndarray, eye: np.ndarray, rot: np.ndarray) -> np.ndarray:
    c = (points - eye) @ rot.T
    return np.stack([F * c[:, 0] / c[:, 2] + W / 2, F * c[:, 1] / c[:, 2] + H / 2], axis=1)


def _true_fit(eye: np.ndarray, rot: np.ndarray, hip: np.ndarray) -> cam.PlaneFit:
    """The plane y = hip_y as a PlaneFit, straight from the known camera."""
    n = rot @ np.array([0.0, -1.0, 0.0])  # away from the camera
    ref = rot @ (hip - eye)
    ref = ref / ref[2]
    return cam.PlaneFit(
        normal=n,
        floor_dir=rot @ np.array([1.0, 0.0, 0.0]),
        up_dir=rot @ np.array([0.0, 0.0, 1.0]),
        focal_px=F,
        center_px=np.array([W / 2, H / 2]),
        ref_ray=ref,
        params_rad=np.zeros(2),
        cov_rad2=np.eye(2) * 1e-4,
        cost=0.0,
        arc_deg=80.0,
    )


@pytest.mark.parametrize(("yaw_deg", "pitch_deg"), [(0.0, 0.0), (20.0, 2.0), (-25.0, 13.0), (30.0, 18.0)])
def test_rectified_angles_are_the_true_sagittal_angles(yaw_deg: float, pitch_deg: float) -> None:
    eye, rot = _camera(yaw_deg, pitch_deg)
    hip = np.zeros(3)  # at the look-at point, as in the renders (yaw and pitch are read along the ray to it)
    theta = np.radians(np.array([0.0, 30.0, 60.0, 80.0]))
    ankles = hip + 0.85 * np.stack([np.cos(theta), np.zeros_like(theta), np.sin(theta)], axis=1)
    hip_px, ankle_px = _project(hip[None], eye, rot), _project(ankles, eye, rot)
    fit = _true_fit(eye, rot, hip)
    assert fit.yaw_deg == pytest.approx(yaw_deg, abs=0.5)
    assert fit.pitch_deg == pytest.approx(pitch_deg, abs=1.0)  # the hip is a little off the look-at point
    rh, ra = cam.rectify_points(hip_px, fit), cam.rectify_points(ankle_px, fit)
    measured = unsigned_angle_deg(ra - rh, np.broadcast_to(ra[0] - rh[0], ra.shape))
    assert measured == pytest.approx(np.degrees(theta), abs=0.05)
    # ...while the image itself reads them wrong at a slant (the reason for the correction).
    raw = unsigned_angle_deg(ankle_px - hip_px, np.broadcast_to(ankle_px[0] - hip_px[0], ankle_px.shape))
    if abs(yaw_deg) >= 25:
        assert abs(raw[-1] - 80.0) > 2.0


def test_turn_advice_says_which_way_and_how_far() -> None:
    assert "toward your head" in cam.turn_advice(22.0) and "20 deg" in cam.turn_advice(22.0)
    assert "toward your feet" in cam.turn_advice(-15.0) and "15 deg" in cam.turn_advice(-15.0)
    line = cam.camera_setup_line(-15.0)
    assert line.startswith("Camera about 15 deg off the side view") and "toward your feet" in line
    assert "good" in cam.camera_setup_line(3.0)


@pytest.mark.parametrize(("yaw_deg", "pitch_deg"), [(15.0, 6.0), (-20.0, 12.0), (25.0, 9.0)])
def test_sit_reach_floor_line_slope_is_not_read_as_pitch(yaw_deg: float, pitch_deg: float) -> None:
    """Seated, the hip->ankle line dips ~3.5 deg below the floor. With the yaw known, the level-camera
    prior recovers the true pitch only when that dip is modelled (unmodelled: an error of about
    slope / sin(yaw), several degrees)."""
    eye, rot = _camera(yaw_deg, pitch_deg)
    dip = np.radians(cam.FLOOR_SLOPE_DEG["sit-reach"])
    hip, ankle = np.zeros(3), np.array([0.9, 0.0, -0.9 * np.tan(dip)])
    shoulder = np.array([0.15, 0.0, 0.5])
    hip_px, ankle_px, shoulder_px = (_project(p[None], eye, rot) for p in (hip, ankle, shoulder))
    floor = cam.Segments(hip_px, ankle_px, np.ones(1))
    priors = cam.Priors(yaw_deg=yaw_deg, yaw_sd_deg=0.5, pitch_sd_deg=1e3)  # no pull toward a usual pitch

    def pitch(slope_deg: float) -> float:
        fit = cam.fit_plane([], floor, (hip_px, shoulder_px), W, H, priors, slope_deg)
        assert fit is not None
        return fit.pitch_deg

    assert pitch(cam.FLOOR_SLOPE_DEG["sit-reach"]) == pytest.approx(pitch_deg, abs=1.0)
    assert abs(pitch(0.0) - pitch_deg) > 3.0


def _seated_side_on(far_knee_bent: bool) -> np.ndarray:
    """A side-on seated body (near = left, feet toward +x, leg 400 px) whose far-side points sit where
    MediaPipe puts them side-on (cam.STATIC_BIAS); the far leg straight or bent up (back-saver style)."""
    from vision.landmarks import LM, N_LANDMARKS

    leg = 400.0
    bias = dict(zip(("hip", "shoulder", "knee", "ankle"), cam.STATIC_BIAS["sit-reach"], strict=True))
    near = {"hip": np.array([300.0, 400.0]), "shoulder": np.array([330.0, 150.0])}
    near["knee"], near["ankle"] = near["hip"] + np.array([leg / 2, 0.0]), near["hip"] + np.array([leg, 0.0])
    pts = np.full((N_LANDMARKS, 2), np.nan)
    for part, point in near.items():
        pts[getattr(LM, f"LEFT_{part.upper()}")] = point
        pts[getattr(LM, f"RIGHT_{part.upper()}")] = point + np.array([bias[part] * leg, 0.0])
    if far_knee_bent:  # far knee up at 60 deg from the floor, its foot drawn back beside the near knee
        far_hip = pts[LM.RIGHT_HIP]
        pts[LM.RIGHT_KNEE] = far_hip + 0.5 * leg * np.array([np.cos(np.radians(60)), -np.sin(np.radians(60))])
        pts[LM.RIGHT_ANKLE] = far_hip + np.array([0.5 * leg, 0.0])
    return pts


def test_static_cue_ignores_a_bent_far_leg(monkeypatch: pytest.MonkeyPatch) -> None:
    """Side-on, the cue reads about 0 deg; a far knee bent up (back-saver sit-and-reach) pulls the far
    knee and ankle toward the hips, which must not read as a camera toward the head."""
    from tests.landmark_factory import series_from_points

    straight = series_from_points([_seated_side_on(False)] * 5)
    bent = series_from_points([_seated_side_on(True)] * 5)
    # (straight: the cue divides by the mid-hip->mid-ankle length, ~6% shorter than the near leg here)
    assert cam.static_yaw_deg(straight, "sit-reach", near_is_left=True) == pytest.approx(0.0, abs=2.0)
    assert cam.static_yaw_deg(bent, "sit-reach", near_is_left=True) == pytest.approx(0.0, abs=0.5)
    monkeypatch.setattr(cam, "FAR_LEG_BENT_DEG", 180.0)  # without the rule: about 26 deg toward the head
    unruled = cam.static_yaw_deg(bent, "sit-reach", near_is_left=True)
    assert unruled is not None and unruled < -20.0


def _lying_at_yaw(yaw_deg: float) -> np.ndarray:
    """A resting supine body (near = left, feet toward +x, leg 400 px) whose far-side points sit where the
    static cue's model puts them at `yaw_deg`: per pair, bias + slope x tan(yaw) leg lengths toward the
    feet, with the slope of that direction (cam.WIDTH_PER_LEG)."""
    from vision.landmarks import LM, N_LANDMARKS

    leg = 400.0
    feet_k, head_k = cam.WIDTH_PER_LEG["slr"]
    slopes = feet_k if yaw_deg >= 0 else head_k
    tan = np.tan(np.radians(yaw_deg))
    near = {"hip": np.array([300.0, 300.0]), "shoulder": np.array([-100.0, 300.0])}
    near["knee"], near["ankle"] = near["hip"] + np.array([leg / 2, 0.0]), near["hip"] + np.array([leg, 0.0])
    pts = np.full((N_LANDMARKS, 2), np.nan)
    parts = ("hip", "shoulder", "knee", "ankle")
    for part, bias, k in zip(parts, cam.STATIC_BIAS["slr"], slopes, strict=True):
        pts[getattr(LM, f"LEFT_{part.upper()}")] = near[part]
        pts[getattr(LM, f"RIGHT_{part.upper()}")] = near[part] + np.array([(bias + k * tan) * leg, 0.0])
    return pts


@pytest.mark.parametrize("yaw_deg", [-35.0, -30.0, -15.0, 0.0, 20.0])
def test_static_cue_reads_each_pair_with_its_own_slope(yaw_deg: float) -> None:
    """Lying, toward the head the far ankle comes out from behind the near leg three times faster than
    the far hip (calibration renders): each pair is read with its own slope. The cue divides by the
    mid-hip -> mid-ankle length, which the far ankle's shift stretches: tan(yaw) reads x leg / that."""
    from tests.landmark_factory import series_from_points

    pts = _lying_at_yaw(yaw_deg)
    lms = series_from_points([pts] * 5)
    from vision.landmarks import LM

    mid_leg = np.linalg.norm(
        (pts[LM.LEFT_ANKLE] + pts[LM.RIGHT_ANKLE]) / 2 - (pts[LM.LEFT_HIP] + pts[LM.RIGHT_HIP]) / 2
    )
    expected = np.degrees(np.arctan(np.tan(np.radians(yaw_deg)) * 400.0 / mid_leg))
    assert cam.static_yaw_deg(lms, "slr", near_is_left=True) == pytest.approx(expected, abs=0.5)


def test_static_cue_one_slope_over_reads_toward_the_head(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the per-pair slopes fix: with one slope (0.10) for every pair, a body at -30 deg reads beyond
    the 38 deg correction limit (a -30 deg check render read -51 and was refused)."""
    from tests.landmark_factory import series_from_points

    lms = series_from_points([_lying_at_yaw(-30.0)] * 5)
    monkeypatch.setattr(cam, "WIDTH_PER_LEG", {"slr": ((0.10,) * 4, (0.10,) * 4)})
    one_slope = cam.static_yaw_deg(lms, "slr", near_is_left=True)
    assert one_slope is not None and one_slope < -38.0


def _estimate(yaw_deg: float, corrected: bool) -> CameraEstimate:
    return CameraEstimate(yaw_deg, 10.0, 3.0, 3.0, corrected, "combined")


@pytest.mark.parametrize(
    ("yaw_deg", "corrected", "severity"),
    [
        (25.0, True, "info"),  # toward the feet, corrected: measured (was refused beyond 20)
        (31.0, True, "error"),  # beyond the 30 deg toward-the-feet limit
        (25.0, False, "error"),  # needed a correction that did not hold: the plain view reads +6..+15 deg
        (15.0, False, "warning"),  # a plain view this close is kept, with the warning
        (-25.0, False, "warning"),  # toward the head the plain view is kept, as before
    ],
)
def test_sit_reach_toward_the_feet_is_corrected_up_to_30_deg(
    yaw_deg: float, corrected: bool, severity: str
) -> None:
    checks = check_camera(_estimate(yaw_deg, corrected), "sit-reach", CheckConfig(), world_yaw_deg=20.0)
    assert [(c.code, c.severity) for c in checks] == [("not_side_on", severity)]
    # SLR keeps its own rule: a plain view at 25 deg is a warning
    if not corrected and yaw_deg > 0:
        assert check_camera(_estimate(yaw_deg, False), "slr", CheckConfig())[0].severity == "warning"
