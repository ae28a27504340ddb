"""Live (webcam) analysis: the same stages as the offline pipeline, run frame by frame.

`push()` runs on the video thread of the webcam component; everything it shares with the page
(`status()`, `result()`) goes through one lock. The per-frame angle shown live comes from a causal
One Euro filter; the captured result is the offline analysis of the frames recorded so far, so the
webcam and the upload paths measure the same way.

The frames are pipelined over two pose trackers: `push()` hands the newest frame to the next tracker
and returns the frame before it, drawn, whose pose ran on the other core while the camera delivered
this one. A frame's overlay is thus back about one frame interval (33 ms at 30 fps) after it came in,
and never waits behind a busy call (benchmarks/live.py). For sit-and-reach one hand model runs on a
thread of its own, on the newest frame whenever it is free (frames that come while it is busy get no
hand job), and the frame path never waits for it: a frame whose hands are found before it is drawn
carries their fingertips, one whose hands come later is drawn and measured live without them (the
pose knuckle + a finger's length) and gets them filled into the recording when they come, so the
captured result has the fingertips of every frame the hand model saw; a frame without a hand job
keeps the fingertips last seen only while its hands are still (a held fold). Only the live measures
of the last `window_s` and the drawing run on the video thread. The people count runs on a thread of
its own; the re-analysis of the last `reanalyse_window_s` (for the captured peak) runs in a spawned
process at a lower priority, so it never holds the GIL in the frame path's way. Each is skipped while
the previous one still runs.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
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
from analysis.processes import spawn_pool, started
from analysis.result import AnalysisResult, Side, TestKind, VideoInfo
from vision.annotate import draw_overlay
from vision.landmarks import LM, LandmarkSeries, PoseFrame, RollingLandmarks
from vision.pose import (
    DEFAULT_HAND_MODEL,
    DEFAULT_POSE_MODEL,
    LIVE_HAND_MODEL,
    LIVE_POSE_MODEL,
    HandFinder,
    PeopleCount,
    PoseEstimator,
    create_estimator,
    with_fingertips,
)


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
class LiveOutput:
    """One analysed frame, drawn: what `push()` gives back (in the order the frames came in)."""

    annotated_rgb: np.ndarray
    status: LiveStatus
    t_s: float  # the camera time the frame was pushed with


@dataclass(frozen=True)
class _InFlight:
    rgb: np.ndarray
    t_s: float  # camera time
    rel_t_s: float  # since the session's first frame
    generation: int
    tracker: PoseEstimator
    pose: Future[PoseFrame]
    seq: int  # the frame's number in push order (its hand job, if it got one, carries it)


@dataclass(frozen=True)
class LiveConfig:
    window_s: float = 8.0  # landmarks used for the live angle (reference leg line, near side)
    max_buffer_s: float = 300.0  # at most this much is kept for the captured result
    reanalyse_every_s: float = 0.5
    # The re-analysis runs in a process of its own: on a thread it held the GIL in the frame path's
    # way (p95 latency 124 vs 56 ms without it, benchmarks/live.py). It costs ~0.2 s for 20 s of frames
    # and waits long enough between runs to use at most this share of one core, at this lower priority.
    reanalyse_max_core_share: float = 0.25
    reanalyse_nice: int = 10
    # It covers only the last this-many seconds, so its cost stops growing with the recording: a peak
    # held long enough is captured (and the recording analysed whole) well within it.
    reanalyse_window_s: float = 20.0
    # Other people in view are counted this often on a thread of their own: the count (two multi-pose
    # passes, ~50 ms) inline would stall the frame it lands on (benchmarks/live.py, p95 latency).
    people_count_every_s: float = 1.0
    # Pose trackers taking frames in turn; `push()` keeps trackers - 1 frames in flight. One tracker
    # (~25 ms a frame plus ~8 ms of measures and overlay, one after the other) cannot keep up with
    # 30 fps on the 2-core machine this is built on; two, pipelined, can (benchmarks/live.py).
    trackers: int = 2
    yaw_every_s: float = 0.5  # the set-up guidance's camera yaw is updated this often
    # Sit-and-reach: the hand model's thread runs this many steps below the frame path's CPU priority,
    # so on a busy machine the poses and the drawing come first and the hands take what is left.
    hands_nice: int = 10
    hands_every_s: float = 0.0  # at most one hand job this often (0: whenever the hand model is free)
    # A frame without hands of its own keeps the fingertips last seen (at most this long ago) where its
    # wrist and knuckle are still (moved at most this share of the forearm since): at a held fold the
    # hands do not move, and a reach measured from the knuckles there read 0.5-2.2 cm shorter on the
    # sample clips (benchmarks/live.py --replay). A moving hand gets none.
    hands_carry_s: float = 0.5
    hands_still_share: float = 0.05
    # The tests whose live tracker is the lite pose model (unless a model is given). SLR: p95 latency
    # 59-64 instead of 83 ms, and the captured peak as close to the truth as the full model's on the 8
    # SLR samples (mean |error| 1.04 vs 1.01 deg; benchmarks/live.py --replay). Sit-and-reach: p95 73-78
    # instead of 83-105 ms, but alone the lite model read one sample's reach 6.8 cm short and the
    # other's hip angle 3.4 deg high, hence `full_rerun_window_s`.
    lite_pose_tests: tuple[str, ...] = ("slr", "sit-reach")
    # Sit-and-reach on a tracker other than the full model: the frames of the last this-many seconds are
    # kept (~0.9 MB each at 640x480, 30 fps: ~110 MB for 4 s) and `result()` runs the full pose and hand
    # models on them, replacing the lite frames of that span. Capture fires after `capture_hold_s` of
    # hold plus a re-analysis or two (0.5-1 s), so the held fold is within it (0: off).
    full_rerun_window_s: float = 4.0
    # On a slow machine the re-analysis that decides the capture comes less often (it keeps to
    # `reanalyse_max_core_share`), so the capture can fire later after the hold began: the window then
    # grows to hold the hold plus two re-analysis gaps (`rerun_span_s`), up to this long.
    full_rerun_max_window_s: float = 8.0
    # A re-run frame replaces the live one only if its torso lies within this share of the torso
    # length of the live one's (`same_person`): the re-run could follow a bystander.
    rerun_same_person_share: float = 0.25
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
        # Started first (before any model is open, so a failure here leaves nothing to close) and now,
        # at model loading time, so the first re-analysis does not wait for its imports.
        self._background = started(spawn_pool(1, nice=self.config.reanalyse_nice))
        # The lite hand model: the same fingertips within ~1 px at lower cost (vision/models/README.md).
        # The people are counted with the full pose model whichever one tracks.
        lite = LIVE_POSE_MODEL if test in self.config.lite_pose_tests else None
        tracker_model = model_path or lite
        self._estimator = estimator or create_estimator(
            tracker_model, LIVE_HAND_MODEL, counter_model_path=model_path or DEFAULT_POSE_MODEL
        )
        # Sit-and-reach tracked by another model than the full one: the last frames, for `result()`.
        self._keep_frames = (
            test == "sit-reach"
            and estimator is None
            and tracker_model not in (None, DEFAULT_POSE_MODEL)
            and self.config.full_rerun_window_s > 0
        )
        # (rel_t_s, rgb) of the last `rerun_span_s`; the arrays are the caller's, not copied.
        self._window_rgb: deque[tuple[float, np.ndarray]] = deque()
        # The siblings share the first one's people counter; only the first one counts (off the frame
        # path), and every frame carries its count.
        self._trackers: list[PoseEstimator] = [self._estimator] + [
            self._estimator.sibling() for _ in range(self.config.trackers - 1)
        ]
        self._turn = 0  # the tracker that takes the next frame
        self._n_people = 0
        self._pose_pool = ThreadPoolExecutor(max_workers=len(self._trackers), thread_name_prefix="live-pose")
        # Sit-and-reach: one hand model on a thread of its own, never waited for on the frame path.
        # One finder sees the frames in time order (VIDEO mode needs increasing timestamps), so it
        # tracks the hand from one job to the next instead of searching for it again.
        self._finder: HandFinder | None = self._estimator.hand_finder() if test == "sit-reach" else None
        self._hands_pool = ThreadPoolExecutor(
            max_workers=1,
            thread_name_prefix="live-hands",
            initializer=_lower_thread_priority,
            initargs=(self.config.hands_nice,),
        )
        self._hands_job: Future[None] | None = None  # the latest hand job (page thread: result() waits)
        # Under the lock: the frame whose hands are being found; hands found before their frame was
        # recorded (by frame number); frames recorded while their hands were still being found.
        self._hands_seq: int | None = None
        self._hands_t_s = -np.inf  # the last frame given a hand job
        self._hands_early: dict[int, list[np.ndarray]] = {}
        self._hands_late: dict[int, float] = {}  # frame number -> its t_s in the recording
        self._hands_seen: PoseFrame | None = None  # the latest frame drawn with fingertips of its own
        self._in_flight: deque[_InFlight] = deque()  # pushed, not yet given back; video thread only
        self._lock = threading.Lock()
        self._frames: deque[PoseFrame] = deque()
        self._recent = RollingLandmarks(self.config.window_s)  # the last window_s of _frames, stacked
        self._yaw_deg: float | None = None  # the static camera yaw last worked out, and when
        self._yaw_t_s = -np.inf
        self._size = (0, 0)
        self._status = LiveStatus()
        self._result: AnalysisResult | None = None
        self._last_analysis_t_s = -np.inf
        self._reanalyse_gap_s = self.config.reanalyse_every_s
        self._t0: float | None = None
        self._filters = self._new_filters()
        self._pending: Future[tuple[AnalysisResult, float]] | None = None
        self._people_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-people")
        self._people_pending: Future[PeopleCount] | None = None
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
        """The frames recorded so far (those of the last `rerun_span_s` re-run on the full
        models, see `captured_frames`), analysed by the offline stages."""
        frames = self.captured_frames()
        with self._lock:
            size = self._size
        if not frames:
            return None
        return self._analyse(frames, size)

    def captured_frames(self) -> list[PoseFrame]:
        """The recorded frames, with those still kept as images (sit-and-reach on the lite tracker: the
        last `rerun_span_s`) replaced by the full pose and hand models' reading of them, run
        here from the window's first frame in a fresh VIDEO-mode stream (the caller's thread)."""
        frames = self.recorded_frames()
        with self._lock:
            window = list(self._window_rgb)
        if not frames or not window:
            return frames
        # The full models beside the live one, sharing its people counter (not used by the re-run).
        full = full_model_frames(window, self._estimator.sibling(DEFAULT_POSE_MODEL, DEFAULT_HAND_MODEL))
        recorded = {f.t_s: k for k, f in enumerate(frames)}
        for pose in full:
            k = recorded.get(pose.t_s)
            # Only where the fresh full-model stream follows the person the live trackers followed (it
            # does not inherit their "avoid the bystander"); the people count stays the live one.
            if k is not None and same_person(frames[k], pose, self.config.rerun_same_person_share):
                frames[k] = replace(pose, n_people=frames[k].n_people)
        return frames

    def recorded_frames(self) -> list[PoseFrame]:
        """The frames recorded so far (what `result()` analyses), once the running hand job is in."""
        job = self._hands_job
        if job is not None:
            wait_for([job], timeout=2.0)  # its fingertips are filled in before it finishes
        with self._lock:
            return list(self._frames)

    def reset(self) -> None:
        with self._lock:
            self._frames.clear()
            self._window_rgb.clear()
            self._recent.clear()
            self._yaw_deg, self._yaw_t_s = None, -np.inf
            self._status = LiveStatus()
            self._result = None
            self._last_analysis_t_s = -np.inf
            self._reanalyse_gap_s = self.config.reanalyse_every_s
            self._last_people_t_s = -np.inf
            self._t0 = None
            self._filters = self._new_filters()
            self._hands_t_s = -np.inf
            self._hands_early.clear()
            self._hands_late.clear()
            self._hands_seen = None
            self._generation += 1  # frames still in flight are given back undrawn and not recorded

    def close(self) -> None:
        self._background.shutdown(wait=True)
        self._people_thread.shutdown(wait=True)
        self._pose_pool.shutdown(wait=True)
        self._hands_pool.shutdown(wait=True)
        if self._finder is not None:
            self._finder.close()
        self._in_flight.clear()
        for tracker in reversed(self._trackers):  # siblings first: the first one owns the people counter
            tracker.close()

    # -- per frame (webcam thread) ------------------------------------------------------------
    @property
    def pipeline_depth(self) -> int:
        """Frames kept in flight after a `push()`: one per tracker beyond the first."""
        return len(self._trackers) - 1

    def push(self, rgb: np.ndarray, t_s: float) -> LiveOutput | None:
        """Start the pose of a frame (RGB, camera time s) on the next tracker and give back the oldest
        frame in flight, drawn, once more than `pipeline_depth` are in flight (None while it fills)."""
        seq = self._turn
        self._turn += 1
        with self._lock:
            if self._t0 is None:
                self._t0 = t_s
            rel_t_s, generation = t_s - self._t0, self._generation
            # The hands take the newest frame when their model is free; never a queue of frames.
            find_hands = (
                self._finder is not None
                and self._hands_seq is None
                and rel_t_s - self._hands_t_s >= self.config.hands_every_s
            )
            if find_hands:
                self._hands_seq, self._hands_t_s = seq, rel_t_s
        if find_hands:
            self._hands_job = self._hands_pool.submit(self._find_hands, rgb, rel_t_s, seq, generation)
        tracker = self._trackers[seq % len(self._trackers)]
        pose = self._pose_pool.submit(self._pose_of, tracker, rgb, rel_t_s)
        self._in_flight.append(_InFlight(rgb, t_s, rel_t_s, generation, tracker, pose, seq))
        out = None
        while len(self._in_flight) > self.pipeline_depth:
            out = self._finish(self._in_flight.popleft())
        return out

    def flush(self) -> list[LiveOutput]:
        """Finish every frame still in flight (end of a recording, or a caller that wants each frame back)."""
        out = []
        while self._in_flight:
            out.append(self._finish(self._in_flight.popleft()))
        return out

    def process(self, rgb: np.ndarray, t_s: float) -> tuple[np.ndarray, LiveStatus]:
        """One frame in, the same frame drawn out (no pipelining): for callers that need that frame back."""
        pushed = self.push(rgb, t_s)
        done = self.flush()
        last = done[-1] if done else pushed
        assert last is not None and last.t_s == t_s
        return last.annotated_rgb, last.status

    def _pose_of(self, tracker: PoseEstimator, rgb: np.ndarray, rel_t_s: float) -> PoseFrame:
        pose = tracker.estimate(rgb, rel_t_s, count_people=False)
        return replace(pose, n_people=max(self._n_people, 1)) if pose.found else pose

    def _find_hands(self, rgb: np.ndarray, rel_t_s: float, seq: int, generation: int) -> None:
        """On the hands thread: the hands of frame `seq`, handed to `_finish` if the frame is not drawn
        yet, else filled into the recorded frame (its live measures went without them)."""
        hands: list[np.ndarray] | None = None
        try:
            assert self._finder is not None
            hands = self._finder.detect(rgb, rel_t_s)
        finally:  # a failed job leaves its frame with the knuckle estimate, and frees the model
            with self._lock:
                self._hands_seq = None
                late_t_s = self._hands_late.pop(seq, None)
                if hands is not None and generation == self._generation:
                    if late_t_s is None:
                        self._hands_early[seq] = hands
                    else:
                        self._fill_in_fingertips(late_t_s, hands)

    def _with_hands(self, pose: PoseFrame, seq: int) -> PoseFrame:
        """(Under the lock.) Frame `seq` with its own fingertips if its hands are in, else with those last
        seen where its hands are still; one whose hands are still being found gets them filled in later."""
        hands = self._hands_early.pop(seq, None)
        if hands is not None:
            pose = with_fingertips(pose, hands)
            if pose.fingertip_xy_px:
                self._hands_seen = pose
            return pose
        if self._hands_seq == seq:  # still being found: filled in when they come
            self._hands_late[seq] = pose.t_s
        seen = self._hands_seen
        if seen is None or pose.t_s - seen.t_s > self.config.hands_carry_s:
            return pose
        tips = still_fingertips(pose, seen, self.config.hands_still_share)
        return replace(pose, fingertip_xy_px=tips) if tips else pose

    def _fill_in_fingertips(self, t_s: float, hands: list[np.ndarray]) -> None:
        """The recorded frame at `t_s` (searched from the newest) with the fingertips of `hands`."""
        for i in range(-1, -len(self._frames) - 1, -1):
            frame = self._frames[i]
            if frame.t_s == t_s:
                filled = self._frames[i] = with_fingertips(frame, hands)
                seen = self._hands_seen
                if filled.fingertip_xy_px and (seen is None or seen.t_s < t_s):
                    self._hands_seen = filled  # the frames after it may keep them where the hands are still
                return
            if frame.t_s < t_s:
                return

    def _finish(self, item: _InFlight) -> LiveOutput:
        """Record a frame whose pose is done, update the live status and draw it."""
        pose = item.pose.result()
        rgb, rel_t_s = item.rgb, item.rel_t_s
        if item.generation == self._generation and not self._frames:
            pose = self._first_people_count(rgb, pose, rel_t_s)
        with self._lock:
            if item.generation != self._generation:  # pushed before a reset(): not part of this session
                return LiveOutput(np.array(rgb, copy=True), self._status, item.t_s)
            self._count_people_in_background(rgb, pose, rel_t_s, item.tracker)
            pose = self._with_hands(pose, item.seq)
            self._frames.append(pose)
            self._recent.append(pose)
            self._size = (rgb.shape[1], rgb.shape[0])
            while self._frames and rel_t_s - self._frames[0].t_s > self.config.max_buffer_s:
                self._frames.popleft()
            if self._keep_frames:
                self._window_rgb.append((pose.t_s, rgb))
                span_s = rerun_span_s(self.config, self._reanalyse_gap_s)
                while rel_t_s - self._window_rgb[0][0] > span_s:
                    self._window_rgb.popleft()
            status = self._live_status(pose, rel_t_s)
            self._status = status
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
        return LiveOutput(draw_overlay(rgb, pose, overlay), status, item.t_s)

    def _first_people_count(self, rgb: np.ndarray, pose: PoseFrame, rel_t_s: float) -> PoseFrame:
        """The session's first frame: count the people at once (~0.1 s, once), so a tracker that locked
        onto a helper or bystander is put right from the next frames instead of recording them until the
        background count comes back (4 such frames made a valid 69 deg raise read "no raise"). Every
        tracker started on this scene, so each is told; this frame, if it was the bystander, is empty."""
        count = self._estimator.count_people(rgb, pose.image_xy_px if pose.found else None)
        self._n_people = count.n_people
        self._last_people_t_s = rel_t_s
        if count.bystander_xy_px is None:
            return replace(pose, n_people=max(count.n_people, 1)) if pose.found else pose
        for tracker in self._trackers:
            tracker.avoid(count.bystander_xy_px)
        return PoseFrame.empty(pose.t_s)

    def _count_people_in_background(
        self, rgb: np.ndarray, pose: PoseFrame, now_s: float, tracker: PoseEstimator
    ) -> None:
        busy = self._people_pending is not None and not self._people_pending.done()
        if busy or now_s - self._last_people_t_s < self.config.people_count_every_s:
            return
        self._last_people_t_s = now_s
        main_xy = pose.image_xy_px if pose.found else None
        # After the first count the subject is settled (`count_people`, keep_on_floor).
        self._people_pending = self._people_thread.submit(self._estimator.count_people, rgb, main_xy, True)
        self._people_pending.add_done_callback(lambda done: self._take_people_count(done, tracker))

    def _take_people_count(self, done: Future[PeopleCount], tracker: PoseEstimator) -> None:
        """The count judged the pose `tracker` gave: if that was a bystander, that tracker hides them."""
        if done.exception() is not None:
            return
        count = done.result()
        self._n_people = count.n_people
        if count.bystander_xy_px is not None:
            tracker.avoid(count.bystander_xy_px)

    def _live_status(self, pose: PoseFrame, now_s: float) -> LiveStatus:
        lms = self._recent.series(*self._size)
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
            camera_yaw_deg=self._camera_yaw_deg(lms, now_s) if pose.found else None,
        )
        busy = self._pending is not None and not self._pending.done()
        if now_s - self._last_analysis_t_s >= self._reanalyse_gap_s and not busy:
            self._last_analysis_t_s = now_s
            last_frames = [f for f in self._frames if now_s - f.t_s <= self.config.reanalyse_window_s]
            job = (last_frames, self._size, self.options, self._estimator.name)
            self._pending = self._background.submit(_timed_analysis, *job)
            generation = self._generation
            self._pending.add_done_callback(lambda done: self._take_reanalysis(done, generation))
        return self._with_capture(status)

    def _camera_yaw_deg(self, lms: LandmarkSeries, now_s: float) -> float | None:
        """The static yaw cue over the window, worked out again every `yaw_every_s` (it guides the set-up,
        read by a person turning a camera; each frame it cost ~0.7 ms of the frame path)."""
        if now_s - self._yaw_t_s >= self.config.yaw_every_s:
            self._yaw_deg, self._yaw_t_s = static_yaw_deg(lms, self.options.test), now_s
        return self._yaw_deg

    def _take_reanalysis(self, done: Future[tuple[AnalysisResult, float]], generation: int) -> None:
        """The re-analysis of the last `reanalyse_window_s` is back (for the captured peak)."""
        if done.cancelled() or done.exception() is not None:
            return  # the next one is due in `reanalyse_every_s`
        result, took_s = done.result()
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
        return analyse_recording(frames, size, self.options, self._estimator.name)


_HAND_POINTS = {
    "left": (LM.LEFT_WRIST, LM.LEFT_INDEX, LM.LEFT_ELBOW),
    "right": (LM.RIGHT_WRIST, LM.RIGHT_INDEX, LM.RIGHT_ELBOW),
}


def still_fingertips(frame: PoseFrame, seen: PoseFrame, max_move_share: float) -> dict[str, np.ndarray]:
    """The fingertips of `seen` (found by the hand model in an earlier frame) for each hand whose pose
    wrist and knuckle moved at most `max_move_share` of its forearm between `seen` and `frame`."""
    if not frame.found or not seen.found or not seen.fingertip_xy_px:
        return {}
    tips = {}
    now, then = frame.image_xy_px, seen.image_xy_px
    for side, tip in seen.fingertip_xy_px.items():
        wrist, knuckle, elbow = _HAND_POINTS[side]
        forearm_px = float(np.linalg.norm(now[wrist] - now[elbow]))
        moved_px = max(float(np.linalg.norm(now[i] - then[i])) for i in (wrist, knuckle))
        if moved_px <= max_move_share * forearm_px:  # False for NaN: a hand not placed is not still
            tips[side] = tip
    return tips


_TORSO = (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP)


def same_person(live: PoseFrame, rerun: PoseFrame, max_share: float) -> bool:
    """Both found, and the re-run's shoulders and hips lie within `max_share` of the live frame's torso
    length (shoulder midpoint to hip midpoint) of the live frame's, on average."""
    if not (live.found and rerun.found):
        return False
    a, b = live.image_xy_px[list(_TORSO)], rerun.image_xy_px[list(_TORSO)]
    torso_px = float(np.linalg.norm(a[:2].mean(axis=0) - a[2:].mean(axis=0)))
    moved_px = float(np.mean(np.linalg.norm(a - b, axis=1)))
    return moved_px <= max_share * torso_px  # False for NaN


def rerun_span_s(config: LiveConfig, reanalyse_gap_s: float) -> float:
    """How far back the kept frames reach: at least `full_rerun_window_s`, and enough for a capture that
    fires after the held `capture_hold_s` plus up to two re-analysis gaps (one may be running when the
    hold is long enough) and a second's margin, up to `full_rerun_max_window_s`."""
    needed_s = config.capture_hold_s + 2 * reanalyse_gap_s + 1.0
    return min(max(config.full_rerun_window_s, needed_s), config.full_rerun_max_window_s)


def full_model_frames(window: list[tuple[float, np.ndarray]], estimator: PoseEstimator) -> list[PoseFrame]:
    """`estimator` (fresh, VIDEO mode; closed here) and its hand model on (rel_t_s, rgb) frames in time
    order: the poses here, the hands on a second thread at the same time (the two do not depend on
    each other), each frame then with its fingertips."""
    finder = estimator.hand_finder()
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="full-hands") as hands_pool:
            hands = hands_pool.submit(lambda: [finder.detect(rgb, t_s) for t_s, rgb in window])
            poses = [estimator.estimate(rgb, t_s) for t_s, rgb in window]
            return [with_fingertips(pose, h) for pose, h in zip(poses, hands.result(), strict=True)]
    finally:
        finder.close()
        estimator.close()


def _lower_thread_priority(nice: int) -> None:
    """Lower the calling thread's CPU priority by `nice` steps (Linux: the nice value is per thread, and
    threads it starts, such as MediaPipe's, inherit it). Elsewhere the value is per process: no-op."""
    if nice > 0 and sys.platform.startswith("linux"):
        os.nice(nice)


def analyse_recording(
    frames: list[PoseFrame], size: tuple[int, int], options: AnalysisOptions, model_name: str
) -> AnalysisResult:
    """The offline stages on recorded webcam frames (width, height = `size`)."""
    lms = LandmarkSeries.from_frames(frames, *size)
    duration = float(lms.t_s[-1] - lms.t_s[0]) if len(lms) > 1 else 0.0
    fps = (len(lms) - 1) / duration if duration > 0 else 0.0
    video = VideoInfo(
        fps=fps, frames=len(lms), duration_s=duration, width=size[0], height=size[1], rotation_deg=0
    )
    return analyze_landmarks(lms, video, options, model_name)


def _timed_analysis(
    frames: list[PoseFrame], size: tuple[int, int], options: AnalysisOptions, model_name: str
) -> tuple[AnalysisResult, float]:
    """In the re-analysis process: the analysis and the CPU seconds it took there."""
    started_s = time.process_time()
    return analyse_recording(frames, size, options, model_name), time.process_time() - started_s
