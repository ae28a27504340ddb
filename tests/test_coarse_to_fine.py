"""Coarse-to-fine analysis on two workers: the pieces on constructed data, then the real model on
every sample clip against a full-rate pass (every frame)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from analysis.estimate import SamplingConfig, merge, refine_windows
from analysis.filtering import clean_series, clean_series_runs
from analysis.pipeline import AnalysisOptions, analyze_video
from analysis.result import AnalysisResult, MeasureSeries, Rep, VideoInfo
from benchmarks import accuracy as acc
from tests.clip_analyses import engine_run
from vision.landmarks import PoseFrame
from vision.pose import HandFinder, PeopleCount, PoseEstimator
from vision.video_io import Span, iter_frames
from vision.workers import PoseWorkers, Stretch, frames_in, split_even, to_display

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_videos").glob("*.mp4"))


# -- pieces -----------------------------------------------------------------------------------------


def test_split_even_gives_contiguous_runs_of_equal_work() -> None:
    stretches = [Stretch(Span(0.0, 2.0, 1)), Stretch(Span(5.0, 9.0, 1)), Stretch(Span(9.0, 12.0, 3))]
    runs = split_even(stretches, 2, fps=30.0)
    work = [sum(frames_in(s, 30.0) for s in run) for run in runs]
    assert work == pytest.approx([(60 + 120 + 30) / 2] * 2, abs=1.0)  # 2 s + 4 s at 30 fps + 3 s at 10 fps
    pieces = [s.span for run in runs for s in run]
    assert all(a.end_s <= b.start_s + 1e-9 for a, b in itertools.pairwise(pieces))  # in time order
    assert sum(p.end_s - p.start_s for p in pieces) == pytest.approx(2 + 4 + 3)  # nothing lost or doubled
    # The cut falls inside the 5-9 s stretch: 60 + (105 - 60) frames = 1.5 s into it.
    assert runs[0][-1].span.end_s == pytest.approx(6.5, abs=0.05)


def test_to_display_scales_landmarks_back_to_display_pixels() -> None:
    pose = PoseFrame(
        1.0, np.full((33, 2), 10.0), np.zeros((33, 3)), np.ones(33), 1, {"left": np.array([4.0, 6.0])}
    )
    big = to_display(pose, 3.0, 3.0)  # a 3840x2160 clip analysed at 1280x720
    assert np.all(big.image_xy_px == 30.0)
    assert big.fingertip_xy_px is not None and list(big.fingertip_xy_px["left"]) == [12.0, 18.0]
    assert to_display(pose, 1.0, 1.0) is pose


def _pose(t_s: float) -> PoseFrame:
    return PoseFrame.empty(t_s)


def test_merge_keeps_full_rate_inside_windows_and_numbers_the_runs() -> None:
    coarse = [_pose(k / 10) for k in range(30)]  # 0..2.9 s at 10 fps
    fine = [_pose(1.0 + k / 30) for k in range(30)]  # 1.0..1.97 s at 30 fps
    frames, runs = merge(coarse, fine, [(1.0, 2.0)])
    t = np.array([f.t_s for f in frames])
    assert np.all(np.diff(t) > 0)
    assert len(frames) == 10 + 30 + 10
    assert list(np.unique(runs)) == [0, 1, 2]
    assert (
        np.all(runs[(t >= 1.0) & (t < 2.0)] == 1)
        and np.all(runs[t < 1.0] == 0)
        and np.all(runs[t >= 2.0] == 2)
    )


def test_mixed_rate_series_is_cleaned_run_by_run() -> None:
    rng = np.random.default_rng(3)
    t = np.r_[np.arange(0, 2, 0.1), np.arange(2, 4, 1 / 30), np.arange(4, 6, 0.1)]
    runs = np.r_[np.zeros(20, int), np.ones(60, int), np.full(20, 2)]
    x = 40 + 30 * np.sin(t) + rng.normal(0, 1.0, len(t))
    out = clean_series_runs(t, x, None, None, runs)
    fine = runs == 1
    # The 30 fps run is filtered exactly as it would be on its own (not resampled at 10 fps) ...
    np.testing.assert_allclose(out[fine], clean_series(t[fine], x[fine]))
    # ... and the whole-series filter, which resamples at the median interval, would not give that.
    assert not np.allclose(clean_series(t, x)[fine], out[fine])
    assert clean_series_runs(t, x, None, None, None) == pytest.approx(clean_series(t, x), nan_ok=True)


def _coarse_result(reps: list[Rep], angle: np.ndarray, t: np.ndarray) -> AnalysisResult:
    series = MeasureSeries(t, angle, np.zeros_like(t))
    return AnalysisResult(
        "slr", "left", VideoInfo(30, len(t), t[-1], 960, 540, 0), series, reps, True, None, None, None, []
    )


def test_refine_windows_cover_the_candidate_peaks_only() -> None:
    t = np.arange(0, 20, 0.1)
    angle = 10 + 60 * np.exp(-(((t - 4) / 1.0) ** 2)) + 45 * np.exp(-(((t - 14) / 1.0) ** 2))
    reps = [Rep(2.5, 4.0, 5.5, 70.0, held_s=0.6), Rep(12.5, 14.0, 15.5, 55.0, held_s=0.6)]
    config = SamplingConfig(refine_band_deg=8.0, refine_pad_s=1.0)
    windows = refine_windows(_coarse_result(reps, angle, t), config)
    assert len(windows) == 1  # the 55 deg rep is 15 deg below the best: it cannot be the answer
    a, b = windows[0]
    # Within 8 deg of the 70 deg peak: |t - 4| <= ~0.39 s, widened to the 0.5 s hold; plus the 1 s pad.
    assert a == pytest.approx(4 - 0.5 - 1.0, abs=0.11) and b == pytest.approx(4 + 0.5 + 1.0, abs=0.11)
    close = [Rep(2.5, 4.0, 5.5, 70.0), Rep(12.5, 14.0, 15.5, 66.0)]
    assert len(refine_windows(_coarse_result(close, angle, t), SamplingConfig())) == 2
    assert refine_windows(_coarse_result([], angle, t), SamplingConfig()) == []


def test_a_span_decodes_the_same_frames_as_the_whole_clip() -> None:
    clip = ROOT / "sample_videos" / "slr_left_near_tworeps_m.mp4"
    whole = {round(f.t_s, 4): f for f in iter_frames(clip)}
    part = list(iter_frames(clip, span=Span(3.0, 4.0, 1)))  # seeks to the keyframe before 3 s
    assert [f.index for f in part] == list(range(90, 120))
    for f in part:
        assert np.array_equal(whole[round(f.t_s, 4)].rgb, f.rgb)
    every_third = list(iter_frames(clip, span=Span(0.0, 2.0, 3)))
    assert [f.index for f in every_third] == list(range(0, 60, 3))
    assert list(iter_frames(clip, span=Span(100.0, 101.0))) == []  # past the end: nothing, no error


class _CountRecorder:
    """Stands in for the pose model only to record which frames the worker lets it count people on."""

    name = "recorder"

    def __init__(self) -> None:
        self.counted_t_s: list[float] = []

    def estimate(self, rgb: np.ndarray, t_s: float, count_people: bool = False) -> PoseFrame:
        if count_people:
            self.counted_t_s.append(t_s)
        return PoseFrame.empty(t_s)

    def count_people(
        self, rgb: np.ndarray, main_xy_px: np.ndarray | None, keep_on_floor: bool = False
    ) -> PeopleCount:
        raise AssertionError("not used by the workers")

    def avoid(self, xy_px: np.ndarray) -> None: ...

    def new_stream(self) -> None: ...

    def sibling(self, model_path: Path | None = None, hand_model_path: Path | None = None) -> PoseEstimator:
        raise AssertionError("one worker")

    def hand_finder(self) -> HandFinder:
        raise AssertionError("no fingertips here")

    def close(self) -> None: ...


def test_a_stretch_counts_people_at_most_once_per_its_interval() -> None:
    clip = ROOT / "sample_videos" / "slr_left_near_tworeps_m.mp4"  # 30 fps
    recorder = _CountRecorder()
    with PoseWorkers(lambda: recorder, n_workers=1) as workers:
        frames = workers.run(clip, [Stretch(Span(0.0, 5.0, 5), people_every_s=2.0)], 30.0, (960, 540))
        assert len(frames) == 30  # 6 fps over 5 s
        assert recorder.counted_t_s == pytest.approx([0.0, 2.0, 4.0], abs=1e-3)
        recorder.counted_t_s.clear()
        workers.run(clip, [Stretch(Span(1.0, 2.0, 5), count_people=False)], 30.0, (960, 540))
        assert recorder.counted_t_s == []
        workers.run(clip, [Stretch(Span(1.0, 2.0, 5), people_every_s=0.0)], 30.0, (960, 540))
        assert len(recorder.counted_t_s) == 6 + 3  # every frame, the 0.5 s warm-up before the stretch too
        recorder.counted_t_s.clear()
        # Two stretches of one pose stream (the second starts after the first ends): one count a second
        # across both, as in one pass, not a fresh count at the second one's start.
        two = [Stretch(Span(1.0, 2.0, 5)), Stretch(Span(2.6, 3.6, 5))]
        workers.run(clip, two, 30.0, (960, 540))
        assert recorder.counted_t_s == pytest.approx([0.5, 1.5, 2.5, 3.5], abs=1e-3)


# -- the real model on every sample clip ------------------------------------------------------------


ANNOTATED_CLIP = "slr_left_near_tworeps_m"


@pytest.fixture(scope="module")
def annotated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("annotated")


@pytest.fixture(scope="module")
def both_ways(annotated_dir: Path) -> dict[str, tuple[AnalysisResult, AnalysisResult]]:
    """Each sample clip coarse-to-fine, and the accuracy benchmark's run of it as the reference: the samples
    are shorter than `min_coarse_clip_s`, so that run is a full-rate pass (checked below), shared with
    tests/test_accuracy_regression.py instead of being run a second time."""
    coarse = SamplingConfig(min_coarse_clip_s=0.0)  # the samples are short: force the first pass
    out = {}
    for clip in SAMPLES:
        sidecar = acc.load_sidecar(clip.with_suffix(".json"))
        assert isinstance(sidecar, acc.Truth), sidecar
        drawn = annotated_dir / f"{clip.stem}.mp4" if clip.stem == ANNOTATED_CLIP else None
        options = AnalysisOptions(
            test=sidecar.test,  # type: ignore[arg-type]
            height_cm=sidecar.height_cm,
            camera_cues=True,
            sampling=coarse,
            annotated_path=drawn,
        )
        reference = engine_run(clip, sidecar.test, sidecar.height_cm)
        assert reference.sampling is None or reference.sampling.coarse_fps is None  # every frame
        out[clip.stem] = (analyze_video(clip, options), reference)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", [c.stem for c in SAMPLES])
def test_coarse_to_fine_peak_matches_a_full_rate_pass(
    both_ways: dict[str, tuple[AnalysisResult, AnalysisResult]], name: str
) -> None:
    fast, full = both_ways[name]
    assert fast.sampling is not None and fast.sampling.coarse_fps is not None
    assert fast.angle_deg is not None and full.angle_deg is not None
    assert abs(fast.angle_deg - full.angle_deg) <= 0.5, (fast.angle_deg, full.angle_deg)
    assert fast.valid == full.valid
    assert fast.side == full.side
    if full.reach_cm is not None:
        assert fast.reach_cm is not None and abs(fast.reach_cm - full.reach_cm) <= 1.0
    assert sorted(c.code for c in fast.checks) == sorted(c.code for c in full.checks)
    # The peak lies in a full-rate window, and the series holds only analysed frames: every
    # timestamp is one of the clip's, at most one per frame, fewer than the clip has.
    assert any(a <= (fast.peak_s or -1) <= b for a, b in fast.sampling.full_rate_s)
    clip_t = full.series.t_s
    t = fast.series.t_s
    assert len(t) == fast.sampling.frames_analysed < len(clip_t)
    assert np.all(np.min(np.abs(t[:, None] - clip_t[None, :]), axis=1) < 1e-6)
    doc = fast.to_json_dict()
    assert len(doc["frames"]) == doc["sampling"]["frames_analysed"]


@pytest.mark.slow
def test_annotated_video_of_a_coarse_to_fine_analysis_has_every_frame(
    both_ways: dict[str, tuple[AnalysisResult, AnalysisResult]], annotated_dir: Path
) -> None:
    fast, full = both_ways[ANNOTATED_CLIP]
    drawn = list(iter_frames(annotated_dir / f"{ANNOTATED_CLIP}.mp4"))
    assert len(drawn) == len(full.series.t_s)  # every frame of the clip, not only the analysed ones
    assert drawn[0].rgb.shape == (fast.video.height, fast.video.width, 3)
