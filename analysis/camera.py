"""Where the camera stands relative to the body's side, from the clip itself, and the correction for it.

Both tests are measured in the body's sagittal plane. A camera turned away from the side (yaw) or
tilted down (pitch) sees that plane at a slant, so angles drawn in the image are not the body's
angles. Once the plane's orientation relative to the camera is known, a homography (the camera turned
virtually about its own centre until it faces the plane square on) maps the landmarks to a true side
view, and the measures run unchanged on the rectified points (`rectify`).

The orientation comes from motion: a segment that swings in the sagittal plane keeps its length (SLR:
the raised leg's hip->ankle; sit-and-reach: mid-hip->mid-shoulder and mid-shoulder->mid-wrist). Seen at
a slant, its image length changes with its direction. The plane normal that makes the back-projected
lengths constant is the estimate: two unknowns, a coarse grid then Nelder-Mead (`fit_plane`).
Perspective is modelled with an assumed focal length (`FOCAL_PER_LONG_SIDE`); an affine model read the
renders several degrees off at 20 deg of pitch. A weak-perspective model cannot tell a camera turned
toward the feet and tilted down from one turned toward the head and tilted up; the camera stands above
the floor, so the fit keeps the downward-looking solution.

Sign convention (docs/MEASURES.md): `yaw_deg` > 0 when the camera stands toward the person's feet
(it looks back toward the head), < 0 toward the head; `pitch_deg` > 0 looking down.

A still body shows no swing, so the live Record page uses a static cue instead (`static_yaw_deg`): the far
side's hip, shoulder, knee and ankle appear shifted along the body toward the feet when the camera
stands toward the feet, by about (left-right width) x sin(yaw), against legs foreshortened by cos(yaw).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from analysis.geometry import flexion_deg
from analysis.result import CameraEstimate
from vision.landmarks import LM, LandmarkSeries

# Focal length as a fraction of the image's long side: a horizontal field of view of about 69 deg, typical
# of phone main cameras and webcams (and the renders' 42 deg vertical at 16:9).
FOCAL_PER_LONG_SIDE = 0.73
# Segments whose image direction spans less than this (deg) do not determine the plane.
MIN_ARC_DEG = 25.0
DIRECTION_BIN_DEG = 4.0
# The camera is above the floor; allow a little upward tilt for a camera on the floor itself.
MIN_PITCH_DEG = -8.0
GRID_ALPHA_DEG = np.arange(-70.0, 70.1, 10.0)
GRID_BETA_DEG = np.arange(-50.0, 50.1, 10.0)
# MediaPipe hip points seen at a slant, as a fraction of the leg length per unit tan(yaw) (see `rectify`).
HIP_PARALLAX = {"slr": 0.15, "sit-reach": 0.0}
# Mean squared relative length residual of a swing seen square on (MediaPipe jitter and drift, ~0.8%).
SWING_RESIDUAL_VAR = 6e-5
# How far the floor line (SLR: the resting leg's hip->ankle; sit-and-reach: mid-hip->mid-ankle) dips
# below the floor toward the feet. Seated, MediaPipe's hips sit higher above the mat than the ankles:
# +3..+4 deg in the true-plane rectified calibration renders. Unmodelled, the level-camera prior turned
# it into a pitch error of about slope / sin(yaw) (+10 deg at 25 deg of yaw, the hip angle +4 deg).
FLOOR_SLOPE_DEG = {"slr": 0.0, "sit-reach": 3.5}
# Static cue: the far side's shift along the body per unit leg length is BIAS + WIDTH_PER_LEG x tan(yaw);
# MediaPipe places the hidden side's points with a test-dependent offset even side-on (fitted on
# benchmarks/clips/camera_calib: benchmarks/accuracy.py prints each cue). WIDTH_PER_LEG is (camera toward
# the feet, toward the head), one slope per pair in PAIRS. Seated, the shift grows about twice as fast
# toward the head (the far shoulder and ankle swing out from behind the body), which read -30 deg as -52
# with one slope. Lying (SLR), toward the head the far knee and ankle come out from behind the near leg:
# per unit tan(yaw) the hip pair moves 0.10 leg lengths but the shoulder 0.18, the knee 0.16 and the
# ankle 0.31 (least squares through 0 on the calibration renders at -15 / -25 / -35 deg); with 0.10 for
# all four a -30 deg check render read -51 and was refused.
WIDTH_PER_LEG: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "slr": ((0.10, 0.10, 0.10, 0.10), (0.101, 0.182, 0.156, 0.307)),
    "sit-reach": ((0.118,) * 4, (0.211,) * 4),
}
STATIC_BIAS = {"slr": (0.012, 0.047, -0.005, -0.058), "sit-reach": (0.09, 0.109, 0.027, -0.031)}  # per PAIRS
STATIC_YAW_SD_DEG = 4.0
# A bent far leg (the back-saver sit-and-reach; the real side-view clip sr_real_01 reads its far knee
# at 67 deg, the renders at <= 12) pulls the far knee and ankle toward the hips, which read as a camera
# toward the head (-21 deg on that side view). Then only the trunk pairs count, with their own widths
# (fitted on the same calibration renders; sr_real_01 then reads +3).
FAR_LEG_BENT_DEG = 30.0
TRUNK_WIDTH_PER_LEG: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "slr": ((0.10,) * 2, (0.10,) * 2),
    "sit-reach": ((0.155,) * 2, (0.255,) * 2),
}

PAIRS = (
    (LM.LEFT_HIP, LM.RIGHT_HIP),
    (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER),
    (LM.LEFT_KNEE, LM.RIGHT_KNEE),
    (LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
)


Swing = tuple[list["Segments"], "Segments", tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Segments:
    """Image segments that keep their length in the sagittal plane: start/end (N, 2) px, weight (N,)."""

    start_px: np.ndarray
    end_px: np.ndarray
    weight: np.ndarray


@dataclass(frozen=True)
class PlaneFit:
    """The sagittal plane relative to the camera (camera coords: x right, y down, z forward)."""

    normal: np.ndarray  # (3,) unit, pointing away from the camera
    floor_dir: np.ndarray  # (3,) unit, in the plane, toward the feet
    up_dir: np.ndarray  # (3,) unit, in the plane, world up
    focal_px: float
    center_px: np.ndarray  # (2,) principal point
    ref_ray: np.ndarray  # (3,) ray to the hip (the plane passes through it at depth 1)
    params_rad: np.ndarray  # (2,) the fitted (alpha, beta)
    cov_rad2: np.ndarray  # (2, 2) covariance of params (Laplace approximation of the length residuals)
    cost: float
    arc_deg: float  # image-direction span of the segments

    @property
    def yaw_deg(self) -> float:
        return _yaw_pitch(self.ref_ray, self.normal, self.floor_dir, self.up_dir)[0]

    @property
    def pitch_deg(self) -> float:
        return _yaw_pitch(self.ref_ray, self.normal, self.floor_dir, self.up_dir)[1]


def focal_px(width: int, height: int) -> float:
    return FOCAL_PER_LONG_SIDE * float(max(width, height))


def _rays(px: np.ndarray, f: float, c: np.ndarray) -> np.ndarray:
    x = (px[..., 0] - c[0]) / f
    y = (px[..., 1] - c[1]) / f
    return np.stack([x, y, np.ones_like(x)], axis=-1)


def _normal(alpha: float, beta: float) -> np.ndarray:
    return np.array([np.sin(alpha) * np.cos(beta), np.sin(beta), np.cos(alpha) * np.cos(beta)])


def _on_plane(rays: np.ndarray, ref_ray: np.ndarray, n: np.ndarray) -> np.ndarray:
    """3D points where pixel rays meet the plane through `ref_ray` (depth 1) with normal `n`."""
    denom = rays @ n
    denom = np.where(np.abs(denom) < 1e-6, np.nan, denom)
    return rays * ((ref_ray @ n) / denom)[..., None]


def _length_cost(
    p: np.ndarray, rs: np.ndarray, re: np.ndarray, w: np.ndarray, seg_id: np.ndarray, ref: np.ndarray
) -> float:
    n = _normal(float(p[0]), float(p[1]))
    lengths = np.linalg.norm(_on_plane(re, ref, n) - _on_plane(rs, ref, n), axis=1)
    cost = 0.0
    for k in np.unique(seg_id):
        sel = seg_id == k
        lk, wk = lengths[sel], w[sel]
        mean = np.sum(wk * lk) / np.sum(wk)
        if not np.isfinite(mean) or mean <= 0:
            return np.inf
        cost += float(np.sum(wk * (lk / mean - 1.0) ** 2) / np.sum(wk))
    return cost


def _direction_bins(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    d = end - start
    return np.floor(np.degrees(np.arctan2(d[:, 1], d[:, 0])) / DIRECTION_BIN_DEG).astype(int)


def _balanced_weights(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Each direction bin counts once, so a long hold does not outweigh the swing."""
    bins = _direction_bins(start, end)
    _, inverse, counts = np.unique(bins, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse]


def _arc_deg(start: np.ndarray, end: np.ndarray) -> float:
    d = end - start
    ang = np.degrees(np.arctan2(d[:, 1], d[:, 0]))
    if ang.size < 2:
        return 0.0
    mean = np.degrees(np.arctan2(np.mean(np.sin(np.radians(ang))), np.mean(np.cos(np.radians(ang)))))
    rel = (ang - mean + 180.0) % 360.0 - 180.0
    return float(np.percentile(rel, 97) - np.percentile(rel, 3))


def _yaw_pitch(ray: np.ndarray, n: np.ndarray, e: np.ndarray, u: np.ndarray) -> tuple[float, float]:
    """Yaw (+ = camera toward the feet) and pitch (+ = looking down) of the line of sight `ray`."""
    o = ray / np.linalg.norm(ray)
    yaw = float(np.degrees(np.arctan2(-(o @ e), o @ n)))
    pitch = float(np.degrees(np.arcsin(np.clip(-(o @ u), -1.0, 1.0))))
    return yaw, pitch


def _frame(n: np.ndarray, floor_ray_dir: np.ndarray, up_hint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In-plane floor direction (toward the feet) and up direction, made orthonormal with `n`."""
    e = floor_ray_dir - (floor_ray_dir @ n) * n
    e = e / np.linalg.norm(e)
    u = np.cross(n, e)
    if u @ up_hint < 0:
        u = -u
    return e, u


@dataclass(frozen=True)
class Priors:
    """What is known before the swing: the static cue's yaw, a level camera (no roll), a usual pitch."""

    yaw_deg: float | None = None
    yaw_sd_deg: float = 8.0
    roll_sd_deg: float = 3.0
    pitch_deg: float = 10.0
    pitch_sd_deg: float = 8.0
    swing_weight: float = 0.0  # MediaPipe limb lengths drift a few % with the pose (benchmark cue table)


@dataclass(frozen=True)
class _Problem:
    rs: np.ndarray
    re: np.ndarray
    w: np.ndarray
    seg_id: np.ndarray
    ref: np.ndarray
    n_eff: int
    fl_s: np.ndarray
    fl_e: np.ndarray
    up_from: np.ndarray
    up_to: np.ndarray
    priors: Priors
    floor_slope_rad: float = 0.0


def _orient(p: np.ndarray, pb: _Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    n = _normal(float(p[0]), float(p[1]))
    # One (median) image point each: see fit_plane.
    floor_3d = (_on_plane(pb.fl_e, pb.ref, n) - _on_plane(pb.fl_s, pb.ref, n))[0]
    up_3d = (_on_plane(pb.up_to, pb.ref, n) - _on_plane(pb.up_from, pb.ref, n))[0]
    if not (np.all(np.isfinite(floor_3d)) and np.all(np.isfinite(up_3d))) or np.linalg.norm(floor_3d) == 0:
        return None
    e, u = _frame(n, floor_3d, up_3d)
    if pb.floor_slope_rad:
        # The floor line runs this much below the floor toward the feet: turn it back up in the plane.
        c, s = np.cos(pb.floor_slope_rad), np.sin(pb.floor_slope_rad)
        e, u = c * e + s * u, c * u - s * e
    return n, e, u


def _neg_log_post(p: np.ndarray, pb: _Problem) -> float:
    o = _orient(p, pb)
    if o is None:
        return np.inf
    n, e, u = o
    yaw, pitch = _yaw_pitch(pb.ref, n, e, u)
    pr = pb.priors
    nlp = 0.0
    if pr.swing_weight > 0 and len(pb.rs):
        swing = _length_cost(p, pb.rs, pb.re, pb.w, pb.seg_id, pb.ref)
        nlp += pr.swing_weight * pb.n_eff * swing / (2.0 * SWING_RESIDUAL_VAR)
    roll = float(np.degrees(np.arctan2(u[0], -u[1])))  # world up seen tilted in the image (y down)
    nlp += 0.5 * (roll / pr.roll_sd_deg) ** 2
    nlp += 0.5 * ((pitch - pr.pitch_deg) / pr.pitch_sd_deg) ** 2
    if pr.yaw_deg is not None:
        nlp += 0.5 * ((yaw - pr.yaw_deg) / pr.yaw_sd_deg) ** 2
    if pitch < MIN_PITCH_DEG:
        nlp += 0.5 * ((pitch - MIN_PITCH_DEG) / 1.0) ** 2
    return float(nlp)


def fit_plane(
    segments: list[Segments],
    floor: Segments,
    up_px: tuple[np.ndarray, np.ndarray],
    width: int,
    height: int,
    priors: Priors | None = None,
    floor_slope_deg: float = 0.0,
) -> PlaneFit | None:
    """Most probable plane orientation given the swing (segment lengths), the floor line, a level
    camera and the static yaw cue. `floor`: segments along the floor toward the feet; `up_px`: (from, to)
    image points whose difference points up in the body; `floor_slope_deg`: how far the floor line
    dips below the true floor toward the feet. None without a floor line."""
    priors = priors or Priors()
    f = focal_px(width, height)
    c = np.array([width / 2.0, height / 2.0])
    starts, ends, weights, ids = [], [], [], []
    arc = 0.0
    for k, seg in enumerate(segments):
        ok = (
            np.all(np.isfinite(seg.start_px), axis=1)
            & np.all(np.isfinite(seg.end_px), axis=1)
            & (seg.weight > 0)
        )
        if np.count_nonzero(ok) < 6:
            continue
        s, e = seg.start_px[ok], seg.end_px[ok]
        if _arc_deg(s, e) < MIN_ARC_DEG:
            continue
        arc = max(arc, _arc_deg(s, e))
        starts.append(s)
        ends.append(e)
        weights.append(seg.weight[ok] * _balanced_weights(s, e))
        ids.append(np.full(len(s), k))
    fl_ok = np.all(np.isfinite(floor.start_px), axis=1) & np.all(np.isfinite(floor.end_px), axis=1)
    up_ok = np.all(np.isfinite(up_px[0]), axis=1) & np.all(np.isfinite(up_px[1]), axis=1)
    if not np.any(fl_ok) or not np.any(up_ok):
        return None
    if starts:
        s_all, e_all = np.concatenate(starts), np.concatenate(ends)
        w_all, id_all = np.concatenate(weights), np.concatenate(ids)
        n_eff = len(np.unique(_direction_bins(s_all, e_all)))
    else:
        s_all = e_all = np.zeros((0, 2))
        w_all, id_all, n_eff = np.zeros(0), np.zeros(0, int), 0
    ref = _rays(np.nanmedian(floor.start_px[fl_ok], axis=0), f, c)
    pb = _Problem(
        _rays(s_all, f, c),
        _rays(e_all, f, c),
        w_all,
        id_all,
        ref,
        n_eff,
        # Median image points: back-projecting 2 points per step instead of every frame keeps the fit fast.
        _rays(np.median(floor.start_px[fl_ok], axis=0, keepdims=True), f, c),
        _rays(np.median(floor.end_px[fl_ok], axis=0, keepdims=True), f, c),
        _rays(np.median(up_px[0][up_ok], axis=0, keepdims=True), f, c),
        _rays(np.median(up_px[1][up_ok], axis=0, keepdims=True), f, c),
        priors,
        float(np.radians(floor_slope_deg)),
    )
    a_grid, b_grid = np.radians(GRID_ALPHA_DEG), np.radians(GRID_BETA_DEG)
    costs = np.array([[_neg_log_post(np.array([a, b]), pb) for b in b_grid] for a in a_grid])
    if not np.any(np.isfinite(costs)):
        return None
    i, j = np.unravel_index(int(np.nanargmin(np.where(np.isfinite(costs), costs, np.nan))), costs.shape)
    res = minimize(
        _neg_log_post,
        np.array([a_grid[i], b_grid[j]]),
        args=(pb,),
        method="Nelder-Mead",
        options={"xatol": 1e-5, "fatol": 1e-9},
    )
    p = np.asarray(res.x, dtype=float)
    o = _orient(p, pb)
    if o is None:
        return None
    n, e_dir, u_dir = o
    cov = _laplace_cov(p, pb)
    swing = _length_cost(p, pb.rs, pb.re, pb.w, pb.seg_id, pb.ref) if len(pb.rs) else float("nan")
    return PlaneFit(n, e_dir, u_dir, f, c, ref, p, cov, swing, arc)


def _laplace_cov(p: np.ndarray, pb: _Problem) -> np.ndarray:
    """Covariance of the fitted angles: inverse Hessian of the negative log posterior."""
    h = np.radians(0.5)
    hess = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            di, dj = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (
                _neg_log_post(p + di + dj, pb)
                - _neg_log_post(p + di - dj, pb)
                - _neg_log_post(p - di + dj, pb)
                + _neg_log_post(p - di - dj, pb)
            ) / (4 * h * h)
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full((2, 2), np.inf)
    if not np.all(np.isfinite(cov)) or cov[0, 0] <= 0 or cov[1, 1] <= 0:
        return np.full((2, 2), np.inf)
    return cov


def perturbed(fit: PlaneFit, d_alpha_rad: float, d_beta_rad: float) -> PlaneFit:
    """The same fit with the plane turned slightly (for propagating its uncertainty)."""
    p = fit.params_rad + np.array([d_alpha_rad, d_beta_rad])
    n = _normal(float(p[0]), float(p[1]))
    e, u = _frame(n, fit.floor_dir, fit.up_dir)
    return PlaneFit(n, e, u, fit.focal_px, fit.center_px, fit.ref_ray, p, fit.cov_rad2, fit.cost, fit.arc_deg)


def yaw_pitch_sd_deg(fit: PlaneFit) -> tuple[float, float]:
    """Standard deviations of yaw and pitch from the parameter covariance (numerical Jacobian)."""
    h = 1e-3
    base = np.array([fit.yaw_deg, fit.pitch_deg])
    jac = np.zeros((2, 2))
    for k in range(2):
        d = np.eye(2)[k] * h
        q = perturbed(fit, float(d[0]), float(d[1]))
        jac[:, k] = (np.array([q.yaw_deg, q.pitch_deg]) - base) / h
    cov = jac @ fit.cov_rad2 @ jac.T
    if not np.all(np.isfinite(cov)):
        return float("inf"), float("inf")
    return float(np.sqrt(max(cov[0, 0], 0.0))), float(np.sqrt(max(cov[1, 1], 0.0)))


def rectify_points(px: np.ndarray, fit: PlaneFit) -> np.ndarray:
    """Image points as a camera at the same spot would see them when turned to face the plane square on
    (x along the floor, y down). Exact for points in the plane; NaN propagates."""
    rot = np.stack([np.cross(-fit.up_dir, fit.normal), -fit.up_dir, fit.normal])  # rows: virtual x, y, z
    p = _rays(px, fit.focal_px, fit.center_px) @ rot.T
    with np.errstate(invalid="ignore", divide="ignore"):
        x = fit.focal_px * p[..., 0] / p[..., 2] + fit.center_px[0]
        y = fit.focal_px * p[..., 1] / p[..., 2] + fit.center_px[1]
    return np.stack([x, y], axis=-1)


def rectified_floor_x(fit: PlaneFit) -> float:
    """+1 if the feet point to +x in the rectified view, else -1 (its y axis is world down)."""
    return 1.0 if np.cross(-fit.up_dir, fit.normal) @ fit.floor_dir > 0 else -1.0


def rectify(
    lms: LandmarkSeries, fit: PlaneFit, test: str = "slr", near_is_left: bool = True
) -> LandmarkSeries:
    """The landmark series with image points (and fingertips) rectified to a side view.

    MediaPipe does not put its hip points on the joint centres but further out to the side (the near
    one toward the camera, the far one away from it). Seen at a slant, that offset shows up after
    rectification as a shift along the body of about HIP_PARALLAX x leg length x tan(yaw), toward the
    head for the near hip when the camera stands toward the feet (fitted on the calibration renders);
    the shift is undone."""
    pts = rectify_points(lms.image_xy_px, fit)
    legs = np.concatenate(
        [pts[:, LM.LEFT_ANKLE] - pts[:, LM.LEFT_HIP], pts[:, LM.RIGHT_ANKLE] - pts[:, LM.RIGHT_HIP]]
    )
    leg_px = np.linalg.norm(legs, axis=1)
    if np.any(np.isfinite(leg_px)):
        shift = HIP_PARALLAX.get(test, 0.0) * float(np.nanmedian(leg_px)) * np.tan(np.radians(fit.yaw_deg))
        toward_feet = rectified_floor_x(fit)
        for hip, near in ((LM.LEFT_HIP, near_is_left), (LM.RIGHT_HIP, not near_is_left)):
            pts[:, hip, 0] -= (1.0 if near else -1.0) * shift * toward_feet
    return dataclasses.replace(
        lms,
        image_xy_px=pts,
        fingertip_xy_px=rectify_points(lms.fingertip_xy_px, fit),
    )


def estimate(
    fit: PlaneFit, corrected: bool, static_yaw: float | None = None, swing_yaw: float | None = None
) -> CameraEstimate:
    yaw_sd, pitch_sd = yaw_pitch_sd_deg(fit)
    return CameraEstimate(
        yaw_deg=fit.yaw_deg,
        pitch_deg=fit.pitch_deg,
        yaw_sd_deg=yaw_sd,
        pitch_sd_deg=pitch_sd,
        corrected=corrected,
        source="combined",
        static_yaw_deg=static_yaw,
        swing_yaw_deg=swing_yaw,
    )


# -- the static cue (live view, and a cross-check) --------------------------------------------------


def _mid(lms: LandmarkSeries, a: int, b: int) -> np.ndarray:
    return (lms.image_xy_px[:, a] + lms.image_xy_px[:, b]) / 2


def static_yaw_deg(
    lms: LandmarkSeries, test: str = "slr", frames: np.ndarray | None = None, near_is_left: bool | None = None
) -> float | None:
    """Signed yaw from how far the far side's landmarks sit toward the feet of the near side's.

    Needs only a still body (the person setting up; for SLR pass the resting frames). Less precise
    than the swing: MediaPipe guesses the hidden side, and the body's width varies between people.
    """
    shifts = far_side_shifts(lms, test, frames, near_is_left)
    if shifts is None:
        return None
    per_pair, far_bent = shifts
    key = test if test in WIDTH_PER_LEG else "slr"
    feet_k, head_k = (TRUNK_WIDTH_PER_LEG if far_bent else WIDTH_PER_LEG)[key]
    # Each pair's shift in units of its own slope (= tan(yaw)), once per direction: the slope depends on
    # which way the camera stands, which is what the pooled median then tells.
    tan_feet = _pooled_median([s / k for s, k in zip(per_pair, feet_k, strict=True)])
    tan_head = _pooled_median([s / k for s, k in zip(per_pair, head_k, strict=True)])
    if tan_feet is None or tan_head is None:
        return None
    # shift / leg length = bias + (width / leg) x tan(yaw): the legs are foreshortened by cos(yaw) too
    if tan_feet >= 0:
        return float(np.degrees(np.arctan(tan_feet)))
    return float(np.degrees(np.arctan(min(tan_head, 0.0))))


def far_side_shifts(
    lms: LandmarkSeries, test: str = "slr", frames: np.ndarray | None = None, near_is_left: bool | None = None
) -> tuple[list[np.ndarray], bool] | None:
    """Per pair in PAIRS (only hips and shoulders when the far leg is bent up): the far point's shift
    toward the feet from the near one, in leg lengths, minus MediaPipe's side-on offset (STATIC_BIAS),
    for the selected frames; and whether the far leg was bent (its own slopes). None without frames."""
    if len(lms) == 0:
        return None
    sel = np.ones(len(lms), dtype=bool) if frames is None else frames
    vis = np.nan_to_num(lms.visibility)
    if near_is_left is None:
        near_is_left = bool(vis[:, [p[0] for p in PAIRS]].mean() >= vis[:, [p[1] for p in PAIRS]].mean())
    key = test if test in WIDTH_PER_LEG else "slr"
    far_bent = key == "sit-reach" and _far_knee_flexion_deg(lms, near_is_left) > FAR_LEG_BENT_DEG
    if far_bent:  # the near leg alone gives the direction of the feet
        near_hip, near_ankle = (
            (LM.LEFT_HIP, LM.LEFT_ANKLE) if near_is_left else (LM.RIGHT_HIP, LM.RIGHT_ANKLE)
        )
        legs = lms.image_xy_px[:, near_ankle] - lms.image_xy_px[:, near_hip]
    else:
        legs = _mid(lms, LM.LEFT_ANKLE, LM.RIGHT_ANKLE) - _mid(lms, LM.LEFT_HIP, LM.RIGHT_HIP)
    leg_len = np.linalg.norm(legs, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        toward_feet = legs / leg_len[:, None]
    n_pairs = 2 if far_bent else len(PAIRS)
    per_pair = []
    for (a, b), bias in list(zip(PAIRS, STATIC_BIAS[key], strict=True))[:n_pairs]:
        near, far = (a, b) if near_is_left else (b, a)
        d = lms.image_xy_px[:, far] - lms.image_xy_px[:, near]
        with np.errstate(invalid="ignore", divide="ignore"):
            per_pair.append((np.sum(d * toward_feet, axis=1) / leg_len)[sel] - bias)
    return per_pair, far_bent


def _pooled_median(parts: list[np.ndarray]) -> float | None:
    """Median over every pair's frames together (None with fewer than 4 finite values)."""
    s = np.concatenate(parts)
    s = s[np.isfinite(s)]
    return float(np.median(s)) if s.size >= 4 else None


def _far_knee_flexion_deg(lms: LandmarkSeries, near_is_left: bool) -> float:
    """Median image flexion of the far knee over the clip (0 when it cannot be seen)."""
    hip, knee, ankle = (
        (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE)
        if near_is_left
        else (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE)
    )
    p = lms.image_xy_px
    flex = flexion_deg(p[:, hip], p[:, knee], p[:, ankle])
    return float(np.nanmedian(flex)) if np.any(np.isfinite(flex)) else 0.0


# -- the two tests' swings ----------------------------------------------------------------------------

# SLR frames count as "resting" below this image angle and as part of the swing above REST (the first
# degrees of a raise are where MediaPipe snaps the resting ankle onto the raised foot).
SLR_REST_DEG = 6.0
SLR_SWING_FROM_DEG = 12.0


def slr_swing(lms: LandmarkSeries, hip_idx: int, ankle_idx: int, angle_deg: np.ndarray) -> Swing:
    """The raised leg's hip->ankle over the rest and the raise (image angle `angle_deg` per frame)."""
    hip, ankle = lms.image_xy_px[:, hip_idx], lms.image_xy_px[:, ankle_idx]
    a = np.nan_to_num(angle_deg, nan=-999.0)
    rest = np.abs(a) < SLR_REST_DEG
    used = a > SLR_SWING_FROM_DEG
    top = a >= (np.max(a) - 10.0 if np.any(used) else np.inf)
    return (
        [Segments(hip, ankle, used.astype(float))],
        Segments(hip[rest], ankle[rest], np.ones(int(rest.sum()))),
        (
            hip[top],
            ankle[top],
        ),
    )


def sit_reach_swing(lms: LandmarkSeries) -> Swing:
    """Trunk (mid-hip->mid-shoulder) and arms (mid-shoulder->mid-wrist) over the fold; legs as the floor."""
    hip = _mid(lms, LM.LEFT_HIP, LM.RIGHT_HIP)
    shoulder = _mid(lms, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    wrist = _mid(lms, LM.LEFT_WRIST, LM.RIGHT_WRIST)
    ankle = _mid(lms, LM.LEFT_ANKLE, LM.RIGHT_ANKLE)
    ones = np.ones(len(lms))
    segments = [Segments(hip, shoulder, ones), Segments(shoulder, wrist, ones)]
    return segments, Segments(hip, ankle, ones), (hip, shoulder)


def fit_from_swing(
    lms: LandmarkSeries, swing: Swing, static_yaw: float | None, test: str = "slr"
) -> PlaneFit | None:
    segments, floor, up = swing
    priors = Priors(yaw_deg=static_yaw, yaw_sd_deg=STATIC_YAW_SD_DEG)
    return fit_plane(segments, floor, up, lms.width, lms.height, priors, FLOOR_SLOPE_DEG.get(test, 0.0))


# The swing alone (no level-camera, pitch or static-yaw prior): only for the benchmark's cue table.
SWING_ONLY = Priors(yaw_deg=None, roll_sd_deg=1e3, pitch_sd_deg=1e3, swing_weight=1.0)


def swing_only_yaw_deg(lms: LandmarkSeries, swing: Swing) -> float | None:
    segments, floor, up = swing
    fit = fit_plane(segments, floor, up, lms.width, lms.height, SWING_ONLY)
    return None if fit is None else fit.yaw_deg


# -- what to tell the person ---------------------------------------------------------------------------

SIDE_ON_OK_DEG = 7.0  # within this, the live view calls the camera side-on


def turn_advice(yaw_deg: float) -> str:
    """Which way and roughly how far to move the camera around the person (+ yaw = it stands toward the feet)."""
    toward = "head" if yaw_deg > 0 else "feet"
    return f"move it about {_round5(abs(yaw_deg))} deg around you toward your {toward}"


def camera_setup_line(yaw_deg: float) -> str:
    """The Record page's line while the person sets up."""
    if abs(yaw_deg) <= SIDE_ON_OK_DEG:
        return "Camera looks side-on: good."
    where = "feet" if yaw_deg > 0 else "head"
    return f"Camera about {_round5(abs(yaw_deg))} deg off the side view, toward your {where}: {turn_advice(yaw_deg)}."


def _round5(x: float) -> int:
    return int(5 * round(x / 5)) if x >= 7.5 else round(x)
