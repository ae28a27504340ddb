"""Live (webcam) analysis: the same stages as the offline pipeline, run frame by frame.

`process_latest()` runs on the video thread of the webcam component; everything it shares with the page
(`status()`, `result()`) goes through one lock. The per-frame angle shown live comes from a causal
One Euro filter; the captured result is the offline analysis of the frames recorded so far, so the
webcam and the upload paths measure the same way.

Per frame, only the pose model (two trackers taking frames in turn), the last `window_s` of landmarks
and the drawing run on the video thread. The people count and the re-analysis of the last
`reanalyse_window_s` (for the captured peak) run on background threads and are skipped while the
previous one still runs (benchmarks/live.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from analysis import checks as chk
from analysis.camera import static_yaw_deg
from analysis.events import EventConfig
from analysis.filtering import OneEuroFilter
from analysis.measures import measure_sit_reach, measure_slr
from analysis.overlay import build_overlay
from analysis.pipeline import AnalysisOptions, SideChoice, analyze_landmarks
from analysis.result import AnalysisResult, Side, TestKind, VideoInfo
from vision.annotate import draw_overlay
from vision.landmarks import LandmarkSeries, PoseFrame
from vision.pose import PoseEstimator, create_estimator


@dataclass(frozen=True)
class LiveStatus:
    t_s: float = 0.0
    person_found: bool = False
    side: Side | None = None
    angle_deg: float | None = None
    knee_flexion_deg: float | None = None
    reach_cm: float | None = None
    checks: dict[str, bool | None] = field(default_factory=dict)
    peak_deg: float | None = None  # best held peak so far (valid reps only)
    peak_held_s: float = 0.0
    captured: bool = False  # a valid peak was held long enough: the test is done
    frames: int = 0
    camera_yaw_deg: float | None = None  # signed, + = camera toward the feet (analysis/camera.py)


@dataclass(frozen=True)
class LiveConfig:
    window_s: float = 8.0  # landmarks used for the live angle (reference leg line, near side)
    max_buffer_s: float = 300.0  # at most this much is kept for the captured result
    reanalyse_every_s: float = 0.5
    # The background re-analysis costs ~0.2 s for 20 s of frames; it waits long enough between runs to
    # use at most this share of one core, so it never starves the per-frame path on a 2-core machine.
    reanalyse_max_core_share: float = 0.25
    # It covers only the last this-many seconds, so its cost stops growing with the recording: a peak
    # held long enough is captured (and the recording analysed whole) well within it.
    reanalyse_window_s: float = 20.0
    # Other people in view are counted this often on a thread of their own: the count (two multi-pose
    # passes, ~50 ms) inline would stall the frame it lands on (benchmarks/live.py, p95 latency).
    people_count_every_s: float = 1.0
    # Pose trackers taking frames in turn: when frames queue up, the newest two run at once, one per
    # core. One tracker (~25 ms a frame plus ~10 ms of measures and overlay) cannot keep up with 30 fps
    # on the 2-core machine this is built on (benchmarks/live.py).
    trackers: int = 2
    capture_hold_s: float = 1.0  # a peak held this long is captured
    one_euro_min_cutoff_hz: float = 1.0
    one_euro_beta: float = 0.05


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


class LiveAnalyzer:
    def __init__(
        self,
        test: TestKind,
        side: SideChoice = "auto",
        height_cm: float | None = None,
        model_path: Path | None = None,
        config: LiveConfig | None = None,
        estimator: PoseEstimator | None = None,
    ) -> None:
        self.options = AnalysisOptions(test=test, side=side, height_cm=height_cm, model_path=model_path)
        self.config = config or LiveConfig()
        self._estimator = estimator or create_estimator(model_path)
        # The siblings share the first one's people counter; only the first one counts (off the frame
        # path), and every frame carries its count.
        self._trackers: list[PoseEstimator] = [self._estimator] + [
            self._estimator.sibling() for _ in range(self.config.trackers - 1)
        ]
        self._turn = 0  # the tracker that takes the next frame
        self._n_people = 0
        self._pose_pool = ThreadPoolExecutor(
            max_workers=max(1, len(self._trackers) - 1), thread_name_prefix="live-pose"
        )
        self._lock = threading.Lock()
        self._frames: deque[PoseFrame] = deque()
        self._size = (0, 0)
        self._status = LiveStatus()
        self._result: AnalysisResult | None = None
        self._last_analysis_t_s = -np.inf
        self._reanalyse_gap_s = self.config.reanalyse_every_s
        self._t0: float | None = None
        self._filters = self._new_filters()
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-analysis")
        self._pending: Future[None] | None = None
        self._people_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-people")
        self._people_pending: Future[int] | None = None
        self._last_people_t_s = -np.inf
        self._generation = 0  # bumped by reset(): a re-analysis started before it is dropped

    def _new_filters(self) -> dict[str, OneEuroFilter]:
        c = self.config
        return {
            k: OneEuroFilter(c.one_euro_min_cutoff_hz, c.one_euro_beta, 1.0)
            for k in ("angle", "knee", "reach")
        }

    # -- thread-safe accessors -------------------------------------------------------------------
    def status(self) -> LiveStatus:
        with self._lock:
            return self._status

    def result(self) -> AnalysisResult | None:
        """The frames recorded so far, analysed by the offline stages."""
        with self._lock:
            frames, size = list(self._frames), self._size
        if not frames:
            return None
        return self._analyse(frames, size)

    def reset(self) -> None:
        with self._lock:
            self._frames.clear()
            self._status = LiveStatus()
            self._result = None
            self._last_analysis_t_s = -np.inf
            self._reanalyse_gap_s = self.config.reanalyse_every_s
            self._last_people_t_s = -np.inf
            self._t0 = None
            self._filters = self._new_filters()
            self._generation += 1

    def close(self) -> None:
        self._background.shutdown(wait=True)
        self._people_thread.shutdown(wait=True)
        self._pose_pool.shutdown(wait=True)
        for tracker in reversed(self._trackers):  # siblings first: the first one owns the people counter
            tracker.close()

    # -- per frame (webcam thread) ------------------------------------------------------------
    @property
    def frames_per_call(self) -> int:
        """How many of the newest queued frames `process_latest` analyses (one per tracker)."""
        return len(self._trackers)

    def process(self, rgb: np.ndarray, t_s: float) -> tuple[np.ndarray, LiveStatus]:
        return self.process_latest([(rgb, t_s)])

    def process_latest(self, frames: list[tuple[np.ndarray, float]]) -> tuple[np.ndarray, LiveStatus]:
        """The newest frames (RGB, time s; at most one per tracker, in time order) through the pose
        model at once; the recording gets all of them, the returned overlay and status are the newest's."""
        frames = frames[-len(self._trackers) :]
        with self._lock:
            if self._t0 is None:
                self._t0 = frames[0][1]
            t0 = self._t0
        poses = self._estimate_all([(rgb, t_s - t0) for rgb, t_s in frames])
        rgb, rel_t_s = frames[-1][0], frames[-1][1] - t0
        with self._lock:
            self._count_people_in_background(rgb, poses[-1], rel_t_s)
            for pose in poses:
                self._frames.append(pose)
            self._size = (rgb.shape[1], rgb.shape[0])
            while self._frames and rel_t_s - self._frames[0].t_s > self.config.max_buffer_s:
                self._frames.popleft()
            status = self._live_status(poses[-1], rel_t_s)
            self._status = status
        pose = poses[-1]
        overlay = build_overlay(
            self.options.test,
            status.side or "left",
            pose,
            status.angle_deg,
            status.knee_flexion_deg,
            status.reach_cm,
            rel_t_s,
            status.peak_deg,
            [(k.replace("_", " "), v) for k, v in status.checks.items()],
        )
        return draw_overlay(rgb, pose, overlay), status

    def _estimate_all(self, frames: list[tuple[np.ndarray, float]]) -> list[PoseFrame]:
        """Pose of each frame on the trackers in turn: the older frames on the pool, the newest here."""
        want_tips = self.options.test == "sit-reach"
        jobs = []
        for rgb, t_s in frames:
            tracker = self._trackers[self._turn % len(self._trackers)]
            self._turn += 1
            jobs.append((tracker, rgb, t_s))

        def run(job: tuple[PoseEstimator, np.ndarray, float]) -> PoseFrame:
            tracker, rgb, t_s = job
            pose = tracker.estimate(rgb, t_s, want_fingertips=want_tips, count_people=False)
            return replace(pose, n_people=max(self._n_people, 1)) if pose.found else pose

        older = [self._pose_pool.submit(run, job) for job in jobs[:-1]]
        newest = run(jobs[-1])
        return [f.result() for f in older] + [newest]

    def _count_people_in_background(self, rgb: np.ndarray, pose: PoseFrame, now_s: float) -> None:
        busy = self._people_pending is not None and not self._people_pending.done()
        if busy or now_s - self._last_people_t_s < self.config.people_count_every_s:
            return
        self._last_people_t_s = now_s
        main_xy = pose.image_xy_px if pose.found else None
        self._people_pending = self._people_thread.submit(self._estimator.count_people, rgb, main_xy)
        self._people_pending.add_done_callback(self._take_people_count)

    def _take_people_count(self, done: Future[int]) -> None:
        if done.exception() is None:
            self._n_people = done.result()

    def _window(self, now_s: float) -> LandmarkSeries:
        recent: list[PoseFrame] = []
        for f in reversed(self._frames):  # newest first: stop at the window's start, not the buffer's
            if now_s - f.t_s > self.config.window_s:
                break
            recent.append(f)
        return LandmarkSeries.from_frames(recent[::-1], *self._size)

    def _live_status(self, pose: PoseFrame, now_s: float) -> LiveStatus:
        lms = self._window(now_s)
        cfg = self.options.checks
        last = np.zeros(len(lms), dtype=bool)
        last[-1] = True
        recent = chk.window_mask(lms.t_s, now_s, 0.3)
        angle = knee = reach = float("nan")
        side: Side | None = None
        checks: dict[str, bool | None] = {}
        if pose.found:
            if self.options.test == "slr":
                m = measure_slr(lms, self.options.side)
                angle, knee, side = float(m.angle_deg[-1]), float(m.knee_flexion_deg[-1]), m.side
                lift = float(m.resting_lift_deg[-1])
                checks["other_leg_flat"] = (
                    None if not np.isfinite(lift) else lift <= cfg.resting_lift_warn_deg
                )
            else:
                s = measure_sit_reach(lms, self.options.side, self.options.height_cm)
                angle, knee, side = float(s.hip_angle_deg[-1]), float(s.knee_flexion_deg[-1]), s.side
                reach = float(s.reach_cm[-1])
            checks["knee_straight"] = None if not np.isfinite(knee) else knee <= cfg.knee_bent_deg
            yaw = chk.camera_yaw_deg(lms, recent)
            checks["side_on"] = None if yaw is None else yaw <= cfg.side_on_warn_deg
            checks["in_frame"] = not chk.check_in_frame(lms, self.options.test, last, cfg)
        f = self._filters
        status = LiveStatus(
            t_s=now_s,
            person_found=pose.found,
            side=side,
            angle_deg=_finite(f["angle"](now_s, angle)),
            knee_flexion_deg=_finite(f["knee"](now_s, knee)),
            reach_cm=_finite(f["reach"](now_s, reach)),
            checks=checks,
            frames=len(self._frames),
            camera_yaw_deg=static_yaw_deg(lms, self.options.test) if pose.found else None,
        )
        busy = self._pending is not None and not self._pending.done()
        if now_s - self._last_analysis_t_s >= self._reanalyse_gap_s and not busy:
            self._last_analysis_t_s = now_s
            last_frames = [f for f in self._frames if now_s - f.t_s <= self.config.reanalyse_window_s]
            self._pending = self._background.submit(
                self._reanalyse, last_frames, self._size, self._generation
            )
        return self._with_capture(status)

    def _reanalyse(self, frames: list[PoseFrame], size: tuple[int, int], generation: int) -> None:
        """Background thread: the offline analysis of the recording so far (for the captured peak)."""
        started = time.perf_counter()
        result = self._analyse(frames, size)
        took_s = time.perf_counter() - started
        with self._lock:
            self._reanalyse_gap_s = max(
                self.config.reanalyse_every_s, took_s / self.config.reanalyse_max_core_share
            )
            if generation == self._generation:
                self._result = result

    def _with_capture(self, status: LiveStatus) -> LiveStatus:
        r = self._result
        if r is None or r.angle_deg is None:
            return status
        best = next((rep for rep in r.reps if rep.peak_s == r.peak_s), None)
        held = best.held_s if best else 0.0
        # A leg still rising is not a peak yet: only a held one is shown as "best held peak".
        is_held_peak = r.valid and held >= EventConfig().min_hold_s
        return replace(
            status,
            peak_deg=r.angle_deg if is_held_peak else None,
            peak_held_s=held,
            captured=r.valid and held >= self.config.capture_hold_s,
        )

    def _analyse(self, frames: list[PoseFrame], size: tuple[int, int]) -> AnalysisResult:
        lms = LandmarkSeries.from_frames(frames, *size)
        duration = float(lms.t_s[-1] - lms.t_s[0]) if len(lms) > 1 else 0.0
        fps = (len(lms) - 1) / duration if duration > 0 else 0.0
        video = VideoInfo(
            fps=fps, frames=len(lms), duration_s=duration, width=size[0], height=size[1], rotation_deg=0
        )
        return analyze_landmarks(lms, video, self.options, self._estimator.name)
