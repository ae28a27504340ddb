"""Frames -> landmarks for a clip, coarse to fine, on both cores.

The answer (the best held peak, its checks, the reps) does not need pose on every frame of a long
clip. A first pass at `coarse_fps` finds the repetitions; a second pass runs at the full frame rate
(and with the hand model, for sit-and-reach) only around the peaks that could be the best one, with
the padding the checks and the hold need. Frames of the coarse pass inside a refined window are
replaced by the full-rate ones; elsewhere the series keeps only the coarse frames (nothing is
interpolated in between). `LandmarkSeries.sample_run` tells the filters where the rate changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.events import EventConfig
from analysis.result import AnalysisResult, Sampling, TestKind
from vision.frames import VideoMeta
from vision.landmarks import LandmarkSeries, PoseFrame
from vision.pose import create_estimator
from vision.video_io import Span
from vision.workers import PoseWorkers, Stretch

ProgressFn = Callable[[float], None]
Analyse = Callable[[LandmarkSeries], AnalysisResult]


@dataclass(frozen=True)
class SamplingConfig:
    """How much of the clip the pose model sees. Times in seconds, angles in degrees."""

    full_rate: bool = (
        False  # pose (and hands) on every frame: the reference the coarse pass is tested against
    )
    # First pass. Reps last seconds, so 6 samples/s find every peak (a fold or raise of 1.5 s gets 9).
    # On the sample clips (first pass forced) the peak moved at most 0.44 deg from a full-rate pass at
    # 6 fps, as at 10 fps (0.43), the reach 0.51 cm (0.67); the 32 s clip costs ~20% fewer pose frames.
    coarse_fps: float = 6.0
    # A refined peak costs ~5 s of full-rate frames (the hold, the padding, the warm-up), so on
    # shorter clips the first pass costs more than it saves: they are analysed at full rate.
    min_coarse_clip_s: float = 10.0
    workers: int = 2  # pose threads (one model each); the machine this was built on has two cores
    max_model_side_px: int = 1280  # larger frames are scaled down while decoding (the model sees 256 px)
    # Reps whose coarse angle is within this of the best coarse rep are refined: a coarse (6 fps,
    # unsmoothed) peak is within a few degrees of the full-rate one, so farther reps cannot win.
    refine_margin_deg: float = 6.0
    refine_band_deg: float = 8.0  # full rate wherever the angle is this close to the rep's peak ...
    # ... plus this much before and after (filter edges, checks, hold ends). 0.5 s: on every sample
    # clip the peak then lies within 0.21 deg of a full-rate pass (0.38 with 1 s), for ~12% fewer frames.
    refine_pad_s: float = 0.5
    # The first pass counts the people in view this often. A count (two multi-pose passes and the person
    # mask, ~135 ms) every second was 4.6 of the 32 s clip's 26 CPU s, nearly as much as its 6 fps pose;
    # someone in view for 2 s is still seen. Shorter clips (no first pass) keep a stretch's 1 s.
    coarse_people_every_s: float = 2.0


@dataclass(frozen=True)
class Estimated:
    landmarks: LandmarkSeries
    sampling: Sampling
    model_name: str


def estimate_clip(
    path: Path,
    meta: VideoMeta,
    test: TestKind,
    config: SamplingConfig,
    analyse: Analyse,
    model_path: Path | None = None,
    progress: ProgressFn | None = None,
) -> Estimated:
    """Landmarks of the frames the answer needs (all of them with `config.full_rate`)."""
    report = progress or (lambda _x: None)
    fps = meta.fps
    hands = test == "sit-reach"
    step = max(1, round(fps / config.coarse_fps)) if config.coarse_fps > 0 else 1
    whole = Span(0.0, meta.duration_s + 1.0)  # past the end: a container's duration can be short
    size = (meta.width, meta.height)
    with PoseWorkers(
        lambda: create_estimator(model_path), config.workers, max_side_px=config.max_model_side_px
    ) as workers:
        if config.full_rate or step == 1 or meta.duration_s < config.min_coarse_clip_s:
            frames = workers.run(path, [Stretch(whole, hands)], fps, size, report)
            lms = LandmarkSeries.from_frames(frames, *size)
            return Estimated(lms, Sampling(None, ((0.0, meta.duration_s),), len(frames)), workers.name)
        first = Stretch(Span(0.0, whole.end_s, step), people_every_s=config.coarse_people_every_s)
        coarse = workers.run(path, [first], fps, size, lambda x: report(0.6 * x))
        coarse_lms = LandmarkSeries.from_frames(coarse, *size)
        windows = refine_windows(analyse(coarse_lms), config)
        # The first pass counted the people in view over the whole clip; if it saw nobody
        # else, counting again inside the windows would repeat that work (a third of the first pass).
        others_seen = any(f.n_people >= 2 for f in coarse)
        fine_stretches = [Stretch(Span(a, b, 1), hands, count_people=others_seen) for a, b in windows]
        fine = (
            workers.run(path, fine_stretches, fps, size, lambda x: report(0.6 + 0.4 * x)) if windows else []
        )
        name = workers.name
    frames, runs = merge(coarse, fine, windows)
    lms = LandmarkSeries.from_frames(frames, *size, sample_run=runs)
    return Estimated(lms, Sampling(config.coarse_fps, tuple(windows), len(frames)), name)


def refine_windows(coarse: AnalysisResult, config: SamplingConfig) -> list[tuple[float, float]]:
    """Time spans (s, merged, in order) to analyse at the full rate around the candidate peaks."""
    if not coarse.reps:
        return []
    sign = 1.0 if coarse.test == "slr" else -1.0
    best = max(sign * r.angle_deg for r in coarse.reps)
    t = coarse.series.t_s
    y = sign * np.asarray(coarse.series.angle_deg, dtype=float)
    spans: list[tuple[float, float]] = []
    for rep in coarse.reps:
        if sign * rep.angle_deg < best - config.refine_margin_deg:
            continue
        i = int(np.argmin(np.abs(t - rep.peak_s)))
        top = (
            np.nanmax(y[(t >= rep.start_s) & (t <= rep.end_s)]) if np.isfinite(y[i]) else sign * rep.angle_deg
        )
        near = np.isfinite(y) & (y >= top - config.refine_band_deg)
        a, b = _run_around(near, i) if near[i] else (i, i)
        lo = min(float(t[a]), rep.peak_s - EventConfig().min_hold_s) - config.refine_pad_s
        hi = max(float(t[b]), rep.peak_s + EventConfig().min_hold_s) + config.refine_pad_s
        spans.append((max(0.0, lo), min(float(t[-1]) + config.refine_pad_s, hi)))
    return _merge_spans(spans)


def merge(
    coarse: list[PoseFrame], fine: list[PoseFrame], windows: list[tuple[float, float]]
) -> tuple[list[PoseFrame], np.ndarray]:
    """Coarse frames outside the windows + full-rate frames inside, in time order, and the id of
    the steadily sampled run each frame belongs to (a new id wherever the rate changes)."""

    def inside(t_s: float) -> bool:
        return any(a - 1e-6 <= t_s < b - 1e-6 for a, b in windows)

    tagged = [(f.t_s, False, f) for f in coarse if not inside(f.t_s)] + [(f.t_s, True, f) for f in fine]
    tagged.sort(key=lambda x: x[0])
    runs = np.zeros(len(tagged), dtype=int)
    for k in range(1, len(tagged)):
        runs[k] = runs[k - 1] + (tagged[k][1] != tagged[k - 1][1])
    return [f for _, _, f in tagged], runs


def _run_around(mask: np.ndarray, i: int) -> tuple[int, int]:
    false_before = np.flatnonzero(~mask[:i])
    false_after = np.flatnonzero(~mask[i:])
    a = int(false_before[-1]) + 1 if false_before.size else 0
    b = i + int(false_after[0]) - 1 if false_after.size else len(mask) - 1
    return a, b


def _merge_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
