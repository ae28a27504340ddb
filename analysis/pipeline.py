"""Offline analysis of a recorded clip: frames -> landmarks -> measures -> series -> events -> result.

`analyze_video` runs the real pose model over a file; `analyze_landmarks` is the pure part from
landmarks on, shared with the live (webcam) path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from analysis import checks as chk
from analysis.events import EventConfig, best_rep, detect_reps
from analysis.filtering import FilterConfig, clean_series
from analysis.knee import fold_knee_flexion_deg
from analysis.measures import SitReachMeasures, SlrMeasures, measure_sit_reach, measure_slr, posture_summary
from analysis.result import AnalysisResult, Check, MeasureSeries, Rep, Side, TestKind, VideoInfo
from vision.frames import VideoMeta
from vision.landmarks import LandmarkSeries, PoseFrame
from vision.pose import PoseEstimator, create_estimator
from vision.video_io import iter_frames, probe_video

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


def analyze_video(path: Path, options: AnalysisOptions, progress: ProgressFn | None = None) -> AnalysisResult:
    """Analyse one clip with the real pose model. `progress` receives 0..1.

    Raises `VideoError` (a message for the person) when the file cannot be used.
    """
    path = Path(path)
    meta = probe_video(path, max_size_mb=options.max_size_mb)
    report = progress or (lambda _x: None)
    share = 0.8 if options.annotated_path else 1.0
    with create_estimator(options.model_path) as estimator:
        frames = estimate_clip(path, meta, estimator, options.test, lambda x: report(share * x))
        model_name = estimator.name
    landmarks = LandmarkSeries.from_frames(frames, meta.width, meta.height)
    result = analyze_landmarks(landmarks, video_info(meta, len(frames)), options, model_name)
    if options.annotated_path:
        from analysis.render import write_annotated_video  # drawing is only needed on request

        write_annotated_video(
            path, landmarks, result, options.annotated_path, lambda x: report(0.8 + 0.2 * x)
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


def estimate_clip(
    path: Path, meta: VideoMeta, estimator: PoseEstimator, test: TestKind, progress: ProgressFn
) -> list[PoseFrame]:
    """Pose for every frame (decoding runs ahead on its own thread inside iter_frames)."""
    frames: list[PoseFrame] = []
    expected = max(meta.n_frames, 1)
    for frame in iter_frames(path):
        pose = estimator.estimate(frame.rgb, frame.t_s, want_fingertips=test == "sit-reach")
        frames.append(pose)
        if frame.index % 10 == 0:
            progress(min(frame.index / expected, 1.0))
    return frames


# -- from landmarks on (pure) ------------------------------------------------------------------


def analyze_landmarks(
    landmarks: LandmarkSeries, video: VideoInfo, options: AnalysisOptions, model_name: str = ""
) -> AnalysisResult:
    if options.test == "slr":
        return _analyze_slr(landmarks, video, options, model_name)
    return _analyze_sit_reach(landmarks, video, options, model_name)


def _analyze_slr(
    lms: LandmarkSeries, video: VideoInfo, options: AnalysisOptions, model: str
) -> AnalysisResult:
    m = measure_slr(lms, options.side)
    cfg = options.filters
    angle = clean_series(m.t_s, m.angle_deg, m.confidence, cfg)
    knee = clean_series(m.t_s, m.knee_flexion_deg, m.confidence, cfg)
    lift = clean_series(m.t_s, m.resting_lift_deg, m.confidence, cfg)
    reps = [r for r in detect_reps(m.t_s, angle, EventConfig(mode="max")) if _rep_side(r, m) == m.side]
    series = MeasureSeries(m.t_s, angle, knee, None, {"resting_lift_deg": lift})
    return _finish(lms, video, options, model, m.side, series, reps, m)


def _analyze_sit_reach(
    lms: LandmarkSeries, video: VideoInfo, options: AnalysisOptions, model: str
) -> AnalysisResult:
    m = measure_sit_reach(lms, options.side, options.height_cm)
    cfg = options.filters
    hip = clean_series(m.t_s, m.hip_angle_deg, m.confidence, cfg)
    knee = clean_series(m.t_s, m.knee_flexion_deg, m.confidence, cfg)
    reach = clean_series(m.t_s, m.reach_cm, m.confidence, cfg)
    incline = clean_series(m.t_s, m.trunk_incline_deg, m.confidence, cfg)
    reps = detect_reps(m.t_s, hip, EventConfig(mode="min"), reach_cm=reach)
    series = MeasureSeries(m.t_s, hip, knee, reach, {"trunk_incline_deg": incline})
    return _finish(lms, video, options, model, m.side, series, reps, m)


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
) -> AnalysisResult:
    """Choose the best valid rep and run the checks around it."""
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
        found += chk.check_side_on(lms, at, cfg)
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
                "The fingertips were not found at the deepest reach, so the reach is measured at the knuckles and "
                "may read about 5 cm short.",
            )
        )
    return out
