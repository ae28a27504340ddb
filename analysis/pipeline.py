"""Offline analysis of a recorded clip: frames -> landmarks -> measures -> series -> events -> result.

`analyze_video` runs the real pose model over a file; `analyze_landmarks` is the pure part from
landmarks on, shared with the live (webcam) path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from analysis import camera as cam
from analysis import checks as chk
from analysis import uncertainty as unc
from analysis.estimate import SamplingConfig, estimate_clip
from analysis.events import EventConfig, best_rep, detect_reps
from analysis.filtering import FilterConfig, clean_series_runs
from analysis.knee import fold_knee_flexion_deg
from analysis.measures import (
    LEG_POINTS,
    SIDE_POINTS,
    SitReachMeasures,
    SlrMeasures,
    measure_sit_reach,
    measure_slr,
    near_side,
    posture_summary,
)
from analysis.result import (
    AnalysisResult,
    CameraEstimate,
    Check,
    MeasureSeries,
    Rep,
    Side,
    TestKind,
    VideoInfo,
)
from vision.frames import VideoMeta
from vision.landmarks import LandmarkSeries
from vision.video_io import probe_video

ENGINE_VERSION = "0.1.0"
SideChoice = Literal["auto", "left", "right"]
ProgressFn = Callable[[float], None]


@dataclass(frozen=True)
class AnalysisOptions:
    test: TestKind
    side: SideChoice = "auto"
    height_cm: float | None = None  # person's height; sets the cm scale of the reach
    model_path: Path | None = None  # another pose .task (default: the bundled full model)
    annotated_path: Path | None = None  # write an annotated H.264 mp4 here
    max_size_mb: float = 2000.0  # refuse larger files with a clear message
    filters: FilterConfig = field(default_factory=FilterConfig)
    checks: chk.CheckConfig = field(default_factory=chk.CheckConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)  # coarse-to-fine, workers
    camera_cues: bool = False  # also report each camera cue alone (benchmarks/accuracy.py)


def analyze_video(path: Path, options: AnalysisOptions, progress: ProgressFn | None = None) -> AnalysisResult:
    """Analyse one clip with the real pose model. `progress` receives 0..1.

    Raises `VideoError` (a message for the person) when the file cannot be used.
    """
    path = Path(path)
    meta = probe_video(path, max_size_mb=options.max_size_mb)
    report = progress or (lambda _x: None)
    share = 0.8 if options.annotated_path else 1.0
    info = video_info(meta, meta.n_frames)
    est = estimate_clip(
        path,
        meta,
        options.test,
        options.sampling,
        lambda lms: analyze_landmarks(lms, info, options),
        options.model_path,
        lambda x: report(share * x),
    )
    result = replace(analyze_landmarks(est.landmarks, info, options, est.model_name), sampling=est.sampling)
    if options.annotated_path:
        from analysis.render import write_annotated_video  # drawing is only needed on request

        write_annotated_video(
            path, est.landmarks, result, options.annotated_path, lambda x: report(0.8 + 0.2 * x)
        )
    report(1.0)
    return result


def video_info(meta: VideoMeta, n_frames: int) -> VideoInfo:
    return VideoInfo(
        fps=meta.fps,
        frames=n_frames,
        duration_s=meta.duration_s,
        width=meta.width,
        height=meta.height,
        rotation_deg=meta.rotation_deg,
    )


# -- from landmarks on (pure) ------------------------------------------------------------------


def analyze_landmarks(
    landmarks: LandmarkSeries, video: VideoInfo, options: AnalysisOptions, model_name: str = ""
) -> AnalysisResult:
    if options.test == "slr":
        return _analyze_slr(landmarks, video, options, model_name)
    return _analyze_sit_reach(landmarks, video, options, model_name)


@dataclass(frozen=True)
class CameraView:
    """The camera estimate of one clip and whether the measures were taken in the rectified view."""

    fit: cam.PlaneFit | None = None
    estimate: CameraEstimate | None = None

    @property
    def corrected(self) -> bool:
        return self.estimate is not None and self.estimate.corrected


def _camera_view(
    lms: LandmarkSeries,
    test: TestKind,
    swing: cam.Swing,
    cfg: chk.CheckConfig,
    still: np.ndarray | None = None,
    cues: bool = False,
) -> CameraView:
    """Fit the sagittal plane; correct only when the view is not too oblique to trust the correction.
    `still`: frames where the body is at rest (the static cue's frames); `cues`: also fit the swing alone
    (for the benchmark's cue table: one more fit)."""
    static = cam.static_yaw_deg(lms, test, still)
    fit = cam.fit_from_swing(lms, swing, static, test)
    if fit is None:
        return CameraView()
    # Near side-on the estimate's noise (a few degrees) would add more error than the correction removes.
    from_deg = cfg.camera_note_deg if test == "slr" else cfg.sit_reach_correct_from_deg
    correct = from_deg <= abs(fit.yaw_deg) <= chk.max_yaw_deg(test, cfg, fit.yaw_deg)
    swing_yaw = cam.swing_only_yaw_deg(lms, swing) if cues else None
    return CameraView(fit, cam.estimate(fit, correct, static, swing_yaw))


def _analyze_slr(
    lms: LandmarkSeries, video: VideoInfo, options: AnalysisOptions, model: str
) -> AnalysisResult:
    m = measure_slr(lms, options.side)
    hip, _, ankle = LEG_POINTS[m.side]
    resting = np.abs(np.nan_to_num(m.angle_deg, nan=np.inf)) < cam.SLR_REST_DEG
    swing = cam.slr_swing(lms, hip, ankle, m.angle_deg)
    view = _camera_view(lms, "slr", swing, options.checks, resting, options.camera_cues)
    if view.corrected and view.fit is not None:
        m = measure_slr(cam.rectify(lms, view.fit, "slr", near_side(lms) == "left"), m.side)
    cfg, runs = options.filters, lms.sample_run
    angle = clean_series_runs(m.t_s, m.angle_deg, m.confidence, cfg, runs)
    knee = clean_series_runs(m.t_s, m.knee_flexion_deg, m.confidence, cfg, runs)
    lift = clean_series_runs(m.t_s, m.resting_lift_deg, m.confidence, cfg, runs)
    reps = [r for r in detect_reps(m.t_s, angle, EventConfig(mode="max")) if _rep_side(r, m) == m.side]
    series = MeasureSeries(m.t_s, angle, knee, None, {"resting_lift_deg": lift})
    return _finish(lms, video, options, model, m.side, series, reps, m, view)


def _analyze_sit_reach(
    lms: LandmarkSeries, video: VideoInfo, options: AnalysisOptions, model: str
) -> AnalysisResult:
    m = measure_sit_reach(lms, options.side, options.height_cm)
    view = _camera_view(lms, "sit-reach", cam.sit_reach_swing(lms), options.checks, None, options.camera_cues)
    series, reps = _sit_reach_series(m, lms, options)
    if view.corrected and view.fit is not None and view.estimate is not None:
        rect = _measure_rectified_sit_reach(
            cam.rectify(lms, view.fit, "sit-reach", m.side == "left"), m.side, options, view.estimate.yaw_deg
        )
        rect_series, rect_reps = _sit_reach_series(rect, lms, options)
        if _correction_plausible(rect_reps, reps, options.checks):
            m, series, reps = rect, rect_series, rect_reps
        else:  # the rectified view disagrees with the picture: report what the camera saw, uncorrected
            view = replace(view, estimate=replace(view.estimate, corrected=False))
    return _finish(lms, video, options, model, m.side, series, reps, m, view)


# The fingertip is moved onto the mid-plane in full from this many degrees past where the correction
# starts, in proportion below: side-on, MediaPipe's guess of the hidden knuckle only adds error (a
# side-on sample read -2.3 cm moved, -0.8 seen) while at 10 deg the move takes the reach from +3.6 /
# -3.1 to +0.3 / -1.8 cm; all at once, a yaw estimate crossing 5 deg between two samplings of one clip
# made its reach jump by 1.4 cm (tests/test_coarse_to_fine.py).
MID_PLANE_RAMP_DEG = 5.0


def _measure_rectified_sit_reach(
    rect: LandmarkSeries, side: Side, options: AnalysisOptions, yaw_deg: float
) -> SitReachMeasures:
    """Sit-and-reach measured on landmarks rectified for a camera at `yaw_deg`: the thigh from the ankle,
    the fingertip moved toward the mid-plane by the ramp's share and, toward the feet, the toes taken from
    the ankle by the same share."""
    from_deg = options.checks.sit_reach_correct_from_deg
    share = float(np.clip((abs(yaw_deg) - from_deg) / MID_PLANE_RAMP_DEG, 0.0, 1.0))
    toe_share = share if yaw_deg > 0 else 0.0
    return measure_sit_reach(
        rect, side, options.height_cm, thigh_to_ankle=True, hands_to_mid_plane=share, toe_from_ankle=toe_share
    )


def _sit_reach_series(
    m: SitReachMeasures, lms: LandmarkSeries, options: AnalysisOptions
) -> tuple[MeasureSeries, list[Rep]]:
    cfg, runs = options.filters, lms.sample_run
    hip = clean_series_runs(m.t_s, m.hip_angle_deg, m.confidence, cfg, runs)
    knee = clean_series_runs(m.t_s, m.knee_flexion_deg, m.confidence, cfg, runs)
    reach = clean_series_runs(m.t_s, m.reach_cm, m.confidence, cfg, runs)
    incline = clean_series_runs(m.t_s, m.trunk_incline_deg, m.confidence, cfg, runs)
    reps = detect_reps(m.t_s, hip, EventConfig(mode="min"), reach_cm=reach)
    return MeasureSeries(m.t_s, hip, knee, reach, {"trunk_incline_deg": incline}), reps


def _correction_plausible(corrected: list[Rep], seen: list[Rep], cfg: chk.CheckConfig) -> bool:
    """A yaw the correction may take (<= 30 deg) moves the deepest fold by a few degrees (at most ~5 on the
    calibration renders); much more means the rectified landmarks went wrong (a second person beside the
    mat: 82 deg for a 55 deg fold the plain view read as 53), not the camera."""
    if not seen:  # nothing to compare with
        return True
    if not corrected:  # the plain view found a fold the corrected one lost
        return False
    deepest = min(r.angle_deg for r in corrected)
    return abs(deepest - min(r.angle_deg for r in seen)) <= cfg.sit_reach_max_correction_deg


def _rep_side(rep: Rep, m: SlrMeasures) -> Side:
    """Which leg was up during a rep: the majority label of the higher leg around its peak."""
    window = chk.window_mask(m.t_s, rep.peak_s, max(0.25, (rep.end_s - rep.start_s) / 4))
    votes = m.raised_is_left[window]
    return "left" if votes.size and votes.mean() >= 0.5 else "right"


def _value_at(t_s: np.ndarray, values: np.ndarray | None, at_s: float | None) -> float | None:
    if values is None or at_s is None or len(t_s) == 0:
        return None
    v = float(values[int(np.argmin(np.abs(t_s - at_s)))])
    return v if np.isfinite(v) else None


def _finish(
    lms: LandmarkSeries,
    video: VideoInfo,
    options: AnalysisOptions,
    model: str,
    side: Side,
    series: MeasureSeries,
    reps: list[Rep],
    measures: SlrMeasures | SitReachMeasures,
    view: CameraView | None = None,
) -> AnalysisResult:
    """Choose the best valid rep and run the checks around it."""
    view = view or CameraView()
    cfg, test = options.checks, options.test
    mode: Literal["max", "min"] = "max" if test == "slr" else "min"
    straight = [r for r in reps if not _knee_bent(_knee_at_peak(lms, series, r, test), cfg)]
    best = best_rep(straight, mode) or best_rep(reps, mode)
    peak_s = best.peak_s if best else None
    at = chk.window_mask(series.t_s, peak_s, cfg.window_s) & (lms.n_people > 0)
    found: list[Check] = []
    found += chk.check_person(lms, cfg)
    if chk.person_present(lms, cfg):
        posture = posture_summary(lms)
        found += chk.check_posture(
            test, posture["trunk_from_horizontal_deg"], posture["legs_from_horizontal_deg"]
        )
        found += chk.check_movement(test, reps)
        found += chk.check_in_frame(lms, test, at, cfg)
        found += chk.check_confidence(lms, test, at, cfg)
        found += (
            chk.check_camera(view.estimate, test, cfg, chk.camera_yaw_deg(lms, at))
            if view.estimate
            else chk.check_side_on(lms, at, cfg)
        )
        knee = _knee_at_peak(lms, series, best, test) if best else None
        found += chk.check_knee(knee, test, cfg)
        if test == "slr":
            lift = series.extra.get("resting_lift_deg")
            found += chk.check_resting_leg(_value_at(series.t_s, lift, peak_s), cfg)
        found += _how_measured(measures, peak_s)
    if best is not None and len(straight) < len(reps) and best in straight:
        found.append(
            Check(
                "bent_reps_ignored",
                "info",
                f"{len(reps) - len(straight)} repetition(s) with a bent knee were left out of the result.",
            )
        )
    valid = best is not None and not any(c.severity == "error" for c in found)
    angle_unc, reach_unc = _uncertainty(lms, test, side, series, best, measures, view, options)
    return AnalysisResult(
        test=test,
        side=side,
        video=video,
        series=series,
        reps=reps,
        valid=valid,
        angle_deg=best.angle_deg if best else None,
        reach_cm=best.reach_cm if best else None,
        peak_s=peak_s,
        checks=found,
        engine_version=ENGINE_VERSION,
        model_name=model,
        uncertainty_deg=angle_unc,
        reach_uncertainty_cm=reach_unc,
        camera=view.estimate,
    )


def _knee_at_peak(lms: LandmarkSeries, series: MeasureSeries, rep: Rep, test: TestKind) -> float | None:
    """SLR: the raised knee at the peak frame. Sit-and-reach: the knee over the whole held fold
    (analysis.knee), because the knee landmark is hidden and jittery under the folded trunk."""
    if test == "sit-reach":
        return fold_knee_flexion_deg(lms, series.angle_deg, rep)
    return _value_at(series.t_s, series.knee_flexion_deg, rep.peak_s)


def _knee_bent(knee_flexion_deg: float | None, cfg: chk.CheckConfig) -> bool:
    return knee_flexion_deg is not None and knee_flexion_deg > cfg.knee_bent_deg


def _how_measured(m: SlrMeasures | SitReachMeasures, peak_s: float | None) -> list[Check]:
    if not isinstance(m, SitReachMeasures):
        return []
    out: list[Check] = []
    if m.scale_source == "world landmarks":
        out.append(
            Check(
                "reach_scale_estimated",
                "info",
                "Reach in cm is scaled from the body model because no height was given; enter your height for a "
                "more accurate reach.",
            )
        )
    elif m.scale_source == "none":
        out.append(Check("reach_unavailable", "warning", "The reach could not be scaled to centimetres."))
    at = chk.window_mask(m.t_s, peak_s, 0.25)
    if np.any(at) and not np.any(m.fingertips_found[at]):
        out.append(
            Check(
                "fingertips_estimated",
                "warning",
                "The fingertips were not found at the deepest reach, so the reach is estimated from the knuckles "
                "(a finger's length further) and is less certain.",
            )
        )
    return out


# -- the stated uncertainty ---------------------------------------------------------------------


def _raw_values(m: SlrMeasures | SitReachMeasures) -> tuple[np.ndarray, np.ndarray | None]:
    if isinstance(m, SlrMeasures):
        return m.angle_deg, None
    return m.hip_angle_deg, m.reach_cm


def _near_peak(t_s: np.ndarray, values: np.ndarray | None, peak_s: float, mode: str) -> float:
    """The peak value of a raw series (held median of the extreme 0.3 s), for camera perturbations."""
    if values is None:
        return float("nan")
    near = (np.abs(t_s - peak_s) <= 0.3) & np.isfinite(values)
    return float(np.median(values[near])) if np.any(near) else float("nan")


def _camera_shift(
    lms: LandmarkSeries, test: TestKind, side: Side, view: CameraView, peak_s: float, options: AnalysisOptions
) -> tuple[float, float]:
    """How much the peak angle (and reach) move when the plane estimate turns by one sd, each way."""
    fit = view.fit
    if fit is None or not view.corrected:
        return 0.0, 0.0
    sd = np.sqrt(np.clip(np.diag(fit.cov_rad2), 0.0, np.radians(20.0) ** 2))
    mode = "max" if test == "slr" else "min"

    def measure(f: cam.PlaneFit) -> tuple[float, float]:
        rect = cam.rectify(lms, f, test, near_side(lms) == "left")
        m: SlrMeasures | SitReachMeasures = (
            measure_slr(rect, side)
            if test == "slr"
            else _measure_rectified_sit_reach(
                rect, side, options, view.estimate.yaw_deg if view.estimate else 0.0
            )
        )
        a, r = _raw_values(m)
        return _near_peak(m.t_s, a, peak_s, mode), _near_peak(m.t_s, r, peak_s, mode)

    a0, r0 = measure(fit)
    da, dr = 0.0, 0.0
    for k in range(2):
        step = np.eye(2)[k] * sd[k]
        a1, r1 = measure(cam.perturbed(fit, float(step[0]), float(step[1])))
        da += (a1 - a0) ** 2 if np.isfinite(a1 - a0) else 0.0
        dr += (r1 - r0) ** 2 if np.isfinite(r1 - r0) else 0.0
    return float(np.sqrt(da)), float(np.sqrt(dr))


def _uncertainty(
    lms: LandmarkSeries,
    test: TestKind,
    side: Side,
    series: MeasureSeries,
    best: Rep | None,
    measures: SlrMeasures | SitReachMeasures,
    view: CameraView,
    options: AnalysisOptions,
) -> tuple[float | None, float | None]:
    if best is None:
        return None, None
    raw_angle, raw_reach = _raw_values(measures)
    t = series.t_s
    at = chk.window_mask(t, best.peak_s, 0.3) & (lms.n_people > 0)
    vis_idx = list(chk.keypoints(test))
    visibility = float(np.mean(lms.visibility[at][:, vis_idx])) if np.any(at) else 0.5
    if test == "slr":
        hip, _, ankle = LEG_POINTS[side]
        seg = lms.image_xy_px[:, ankle] - lms.image_xy_px[:, hip]
    else:
        seg = lms.image_xy_px[:, SIDE_POINTS[side]["shoulder"]] - lms.image_xy_px[:, SIDE_POINTS[side]["hip"]]
    seg_len = np.linalg.norm(seg, axis=1)
    segment_px = (
        float(np.nanmedian(seg_len[at])) if np.any(at) and np.any(np.isfinite(seg_len[at])) else 100.0
    )
    shift_deg, shift_cm = _camera_shift(lms, test, side, view, best.peak_s, options)
    yaw = view.estimate.yaw_deg if view.estimate is not None else 0.0
    n_peak = unc.frames_at(t, series.angle_deg, best.peak_s, best.held_s)
    ev = unc.PeakEvidence(
        jitter=unc.jitter_near(t, raw_angle, series.angle_deg, best.peak_s),
        frames_at_peak=n_peak,
        segment_px=segment_px,
        visibility=visibility,
        camera_shift=shift_deg,
        yaw_deg=yaw,
    )
    angle_u = unc.angle_uncertainty_deg(test, ev)
    reach_u = None
    if test == "sit-reach" and best.reach_cm is not None and series.reach_cm is not None:
        scale_source = measures.scale_source if isinstance(measures, SitReachMeasures) else "none"
        ev_r = unc.PeakEvidence(
            jitter=unc.jitter_near(
                t, raw_reach if raw_reach is not None else series.reach_cm, series.reach_cm, best.peak_s
            ),
            frames_at_peak=n_peak,
            segment_px=segment_px,
            visibility=visibility,
            camera_shift=shift_cm,
            yaw_deg=yaw,
        )
        tips = measures.fingertips_found[at] if isinstance(measures, SitReachMeasures) else np.ones(1, bool)
        cm_per_px = measures.cm_per_px if isinstance(measures, SitReachMeasures) else None
        reach_u = unc.reach_uncertainty_cm(ev_r, best.reach_cm, scale_source, bool(np.any(tips)), cm_per_px)
    return angle_u, reach_u
