"""Pose over chosen stretches of a clip on both cores: one estimator per worker thread.

MediaPipe's Tasks API calls its C library through ctypes, which lets go of the GIL for the whole
inference, so two threads in one process run two models at once (two processes would load
everything twice and copy frames between them). Each worker has its own estimator (its own VIDEO-
mode tracking state) and its own decoder, so decoding is parallel too and never waits on the other
worker. Each stretch handed to a worker is a new VIDEO stream that starts `warmup_s` early: those
frames only settle the tracker and its landmark smoothing, and are not reported.

Stretches that want fingertips are not split between the workers: one pose model takes them all and
the hand model runs beside it on the same frames, on a thread of its own, so the second core does
the hands instead of a second pose + hand pair. Measured on the sit-and-reach sample (960x540, peak
RSS): each pose model costs ~76 MB and each hand model ~40 MB once running, so one of each instead of
two of each is ~115 MB less, and the pose (~26 ms a frame) and hand (~20 ms) inferences are about as
long, so both cores stay busy.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

import numpy as np

from vision.landmarks import PoseFrame
from vision.malloc import keep_frames_out_of_heap
from vision.pose import HandFinder, PoseEstimator, with_fingertips
from vision.video_io import Span, iter_frames

ProgressFn = Callable[[float], None]


@dataclass(frozen=True)
class Stretch:
    """Frames to run pose on: `span` of the clip, with or without the hand model (fingertips), with or
    without counting the people in view."""

    span: Span
    fingertips: bool = False
    count_people: bool = True
    # At most one people count per this many seconds (kept across the stretches of one pose stream):
    # someone in view for a second is seen. A long clip's first pass counts less often
    # (`analysis.estimate.SamplingConfig.coarse_people_every_s`).
    people_every_s: float = 1.0


def frames_in(stretch: Stretch, fps: float) -> float:
    """Roughly how many frames the stretch analyses (for balancing the workers)."""
    s = stretch.span
    return max(0.0, s.end_s - s.start_s) * fps / s.step


def split_even(stretches: Sequence[Stretch], n_workers: int, fps: float) -> list[list[Stretch]]:
    """Cut the stretches (in time order) into `n_workers` runs of about equal frame counts.

    Each worker gets a contiguous run, so its timestamps keep increasing (VIDEO mode needs that).
    """
    total = sum(frames_in(s, fps) for s in stretches)
    share = total / max(n_workers, 1)
    runs: list[list[Stretch]] = [[] for _ in range(max(n_workers, 1))]
    worker, filled = 0, 0.0
    for stretch in stretches:
        rest = stretch
        while True:
            room = share - filled
            size = frames_in(rest, fps)
            if worker == len(runs) - 1 or size <= room + 1:
                runs[worker].append(rest)
                filled += size
                break
            cut_s = rest.span.start_s + room * rest.span.step / fps
            runs[worker].append(replace(rest, span=replace(rest.span, end_s=cut_s)))
            rest = replace(rest, span=replace(rest.span, start_s=cut_s))
            worker, filled = worker + 1, 0.0
    return [r for r in runs if r]


PROGRESS_EVERY_S = 0.25  # how often the caller's progress function is told
# Decoded frames waiting per worker. Decoding a frame takes a fraction of a pose inference, so two
# keep the model fed; the default 8 held ~12 MB per worker at 960x540 (~22 MB at 1280x720) for nothing.
PREFETCH_FRAMES = 2


class PoseWorkers:
    """Up to `n` estimators kept for the life of the `with` block (models load once for all passes).

    The first loads on entering (a bad model file fails there); the others when a run needs them.
    """

    def __init__(
        self,
        make_estimator: Callable[[], PoseEstimator],
        n_workers: int = 2,
        max_side_px: int | None = None,
        warmup_s: float = 0.5,
        # A fingertip window is one stream (not two halves) that starts mid-fold: its tracker settled
        # 0.5 s in read the sit-and-reach sample 0.58 deg above a full-rate pass (1 s: 0.43). The other
        # stretches keep 0.5 s: 1 s everywhere cost the 32 s SLR clip ~3 s of CPU (benchmarks/speed.py).
        fingertip_warmup_s: float = 1.0,
    ) -> None:
        self._make = make_estimator
        self.n_workers = max(1, n_workers)
        self.max_side_px = max_side_px
        self.warmup_s = warmup_s
        self.fingertip_warmup_s = fingertip_warmup_s
        self._stack = contextlib.ExitStack()
        self._estimators: list[PoseEstimator | None] = []
        self._pool: ThreadPoolExecutor | None = None
        self.name = ""

    def __enter__(self) -> PoseWorkers:
        keep_frames_out_of_heap()  # frames freed across threads would otherwise fragment the heap
        try:
            self._stack.callback(self._close_estimators)  # every landmarker closed, even on errors
            self.name = self._estimator(0).name
            self._pool = self._stack.enter_context(
                ThreadPoolExecutor(max_workers=self.n_workers, thread_name_prefix="pose")
            )
        except BaseException:
            self._stack.close()
            raise
        return self

    def _estimator(self, i: int) -> PoseEstimator:
        """Worker `i`'s estimator, loaded on first use. Slot 0 is filled on entering; a worker thread
        fills only its own slot, after `run` has made room for it (so the list never grows under it)."""
        while len(self._estimators) <= i:
            self._estimators.append(None)
        est = self._estimators[i]
        if est is None:
            first = self._estimators[0]
            # A sibling shares what keeps no per-stream state (the people counter) with the first.
            est = self._make() if first is None else first.sibling()
            self._estimators[i] = est
        return est

    def _close_idle(self, keep: int) -> None:
        """Close the estimators of the workers from `keep` on: their memory is not needed now."""
        for i in range(len(self._estimators) - 1, keep - 1, -1):
            est = self._estimators[i]
            if est is not None and i > 0:
                est.close()
                self._estimators[i] = None

    def _close_estimators(self) -> None:
        self._close_idle(1)  # the siblings first: the first one owns what they share
        if self._estimators and self._estimators[0] is not None:
            self._estimators[0].close()
            self._estimators[0] = None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stack.close()

    def run(
        self,
        path: Path,
        stretches: Sequence[Stretch],
        fps: float,
        display_size: tuple[int, int],
        progress: ProgressFn | None = None,
    ) -> list[PoseFrame]:
        """Pose for every frame the stretches keep, in time order (overlaps: the later stretch wins).

        Landmarks are in pixels of the upright frame at `display_size` (width, height), even when
        the frames were scaled down for the model at decode time.
        """
        if self._pool is None:
            raise RuntimeError("PoseWorkers is not open; use it as a context manager")
        # With fingertips, one pose worker takes every stretch and the hand model runs beside it.
        hands = any(s.fingertips for s in stretches)
        runs = [list(stretches)] if hands else split_even(stretches, self.n_workers, fps)
        self._close_idle(keep=len(runs))
        # Slot 0 was filled on entering (`_close_idle` never closes it). Room for every other worker's
        # slot now: a second worker loads its tracker (~0.3 s) on its own thread while the first is
        # already analysing, not before it starts.
        self._estimators += [None] * (len(runs) - len(self._estimators))
        total = max(sum(frames_in(s, fps) for s in stretches), 1.0)
        done = [0]
        lock = threading.Lock()

        def tick() -> None:
            with lock:
                done[0] += 1

        futures = [
            self._pool.submit(self._run_one, path, run, i, display_size, tick) for i, run in enumerate(runs)
        ]
        # Progress is reported from the caller's thread only: a UI (Streamlit) may update its widgets
        # from its own script thread alone, never from a worker.
        while concurrent.futures.wait(futures, timeout=PROGRESS_EVERY_S).done != set(futures):
            if progress is not None:
                progress(min(done[0] / total, 1.0))
        by_time: dict[float, PoseFrame] = {}
        for future in futures:  # results of later workers cover later times
            for pose in future.result():
                by_time[round(pose.t_s, 6)] = pose
        return [by_time[t] for t in sorted(by_time)]

    def _run_one(
        self,
        path: Path,
        run: list[Stretch],
        worker: int,
        display_size: tuple[int, int],
        tick: Callable[[], None],
    ) -> list[PoseFrame]:
        estimator = self._estimator(worker)
        if not any(s.fingertips for s in run):
            return self._run_stretches(path, run, estimator, None, None, display_size, tick)
        finder = estimator.hand_finder()
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hands") as hand_pool:
                return self._run_stretches(path, run, estimator, finder, hand_pool, display_size, tick)
        finally:
            finder.close()

    def _run_stretches(
        self,
        path: Path,
        run: list[Stretch],
        estimator: PoseEstimator,
        finder: HandFinder | None,
        hand_pool: ThreadPoolExecutor | None,
        display_size: tuple[int, int],
        tick: Callable[[], None],
    ) -> list[PoseFrame]:
        out: list[PoseFrame] = []
        last_count_t_s = -np.inf
        for stretch in run:
            span = stretch.span
            warmup_s = self.fingertip_warmup_s if stretch.fingertips else self.warmup_s
            warm = replace(span, start_s=max(span.start_s - warmup_s, 0.0))
            # Each stretch starts `warmup_s` early so the tracker and the landmark smoothing have settled
            # by its first reported frame, as in one pass over the clip. The first stretch of a run
            # starts a new VIDEO stream (the clip went back); a later one goes on with the same stream,
            # its jump forward forgotten within the warm-up: reloading the tracker for each stretch
            # cost ~0.2 s of CPU and grew the heap by each load (benchmarks/speed.py peak RSS).
            if not out or warm.start_s <= out[-1].t_s:
                estimator.new_stream()
                last_count_t_s = -np.inf
                if finder is not None:
                    finder.new_stream()
            frames = iter_frames(
                path,
                prefetch=PREFETCH_FRAMES,
                max_side_px=self.max_side_px,
                span=warm,
                threads=self.n_workers == 1,
            )
            for frame in frames:
                count_now = stretch.count_people and frame.t_s - last_count_t_s >= stretch.people_every_s
                if count_now:
                    last_count_t_s = frame.t_s
                # The hands of this frame are found on the hand thread while the pose runs here.
                hands = (
                    hand_pool.submit(finder.detect, frame.rgb, frame.t_s)
                    if stretch.fingertips and finder is not None and hand_pool is not None
                    else None
                )
                pose = estimator.estimate(frame.rgb, frame.t_s, count_people=count_now)
                if hands is not None:
                    pose = with_fingertips(pose, hands.result())
                if frame.t_s >= span.start_s - 1e-6:
                    height, width = frame.rgb.shape[:2]
                    out.append(to_display(pose, display_size[0] / width, display_size[1] / height))
                    tick()
        return out


def to_display(pose: PoseFrame, sx: float, sy: float) -> PoseFrame:
    """Landmarks of a frame scaled for the model, back in display pixels."""
    if sx == 1.0 and sy == 1.0:
        return pose
    scale = np.array([sx, sy])
    tips = None if pose.fingertip_xy_px is None else {k: v * scale for k, v in pose.fingertip_xy_px.items()}
    return replace(pose, image_xy_px=pose.image_xy_px * scale, fingertip_xy_px=tips)
