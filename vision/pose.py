"""Pose estimation behind a small interface; the MediaPipe Tasks backend with the bundled model.

The backend turns upright RGB frames into `PoseFrame`s. A second estimator (another model family)
only has to implement `PoseEstimator`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import numpy as np

from vision.frames import VideoError
from vision.landmarks import LM, N_LANDMARKS, PoseFrame
from vision.people import FLOOR_MAX_LEGS_OFF, find_others, legs_off_floor, paint_out, person_on_the_floor
from vision.segment import PersonSegmenter

# MediaPipe's C++ logging goes to stderr; keep it to errors so CLI output stays readable.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MODELS_DIR = Path(__file__).parent / "models"
DEFAULT_POSE_MODEL = MODELS_DIR / "pose_landmarker_full.task"
DEFAULT_HAND_MODEL = MODELS_DIR / "hand_landmarker_full.task"
# The live view's hand model: the same fingertips within ~1 px at lower cost (vision/models/README.md).
LIVE_HAND_MODEL = MODELS_DIR / "hand_landmarker_lite.task"
# The live view's tracker (both tests; sit-and-reach re-reads its captured window with the full model):
# SLR p95 latency 59-64 instead of 83 ms at 30 fps, the captured peak as close to the truth as the full
# model's on the SLR samples (benchmarks/live.py; README; analysis.live.LiveConfig.lite_pose_tests).
LIVE_POSE_MODEL = MODELS_DIR / "pose_landmarker_lite.task"
FINGERTIPS = (4, 8, 12, 16, 20)  # MediaPipe hand landmark indices of the five fingertips


class HandFinder(Protocol):
    """Frame-by-frame hand landmarks over one clip (timestamps must increase), for the fingertips."""

    def detect(self, rgb: np.ndarray, t_s: float) -> list[np.ndarray]: ...

    def new_stream(self) -> None: ...

    def close(self) -> None: ...


class PoseEstimator(Protocol):
    """Frame-by-frame pose estimation over one clip (timestamps must increase)."""

    name: str

    def estimate(self, rgb: np.ndarray, t_s: float, count_people: bool = False) -> PoseFrame: ...

    def count_people(
        self, rgb: np.ndarray, main_xy_px: np.ndarray | None, keep_on_floor: bool = False
    ) -> PeopleCount: ...

    def avoid(self, xy_px: np.ndarray) -> None: ...

    def new_stream(self) -> None: ...

    def sibling(
        self, model_path: Path | None = None, hand_model_path: Path | None = None
    ) -> PoseEstimator: ...

    def hand_finder(self) -> HandFinder: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PeopleCount:
    """The people in one frame, and whether the tracked person there was a bystander (not the person
    on the floor doing the test): then `bystander_xy_px` holds their landmarks (33, 2) pixels."""

    n_people: int
    bystander_xy_px: np.ndarray | None = None


@dataclass(frozen=True)
class PoseConfig:
    model_path: Path = DEFAULT_POSE_MODEL
    hand_model_path: Path = DEFAULT_HAND_MODEL
    # The people count's multi-pose model (None: `model_path`): the live view tracks with the lite model
    # but counts with the full one, which the small-second-person measurements were made with.
    counter_model_path: Path | None = None
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    # A second, multi-person detector runs on the frames the caller picks (`estimate(count_people=True)`)
    # to notice a second person without paying for multi-pose tracking on every frame.
    max_people: int = 3
    # The people count also looks for person pixels no skeleton explains (a body without a head in
    # view, vision/segment.py); see docs/MEASURES.md for what it finds and what it costs.
    people_mask: bool = True
    # Side-on, the reaching hands are together and the far one is mostly hidden behind the near one:
    # tracking one hand gave the same reach on the sample clips at 60 instead of 40-46 frames/s
    # (with two, the palm detector keeps searching for the hidden hand).
    max_hands: int = 1


_QUIET_LOCK = threading.Lock()
_quiet_depth = 0  # quiet sections open in any thread: fd 2 is process-wide, so they share one redirect
_quiet_saved_fd: int | None = None


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence LiteRT/XNNPACK start-up and shutdown chatter written by C++ straight to fd 2.

    It is not an error and it buries the one-line messages the CLI prints. Python-level errors are
    raised as exceptions and are not affected. Pose workers run on several threads: the first
    section to open redirects fd 2 and the last to close restores it (two overlapping naive
    redirects could leave stderr pointing at /dev/null for good).
    """
    global _quiet_depth, _quiet_saved_fd
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. captured): nothing to silence
        yield
        return
    with _QUIET_LOCK:
        if _quiet_depth == 0:
            sys.stderr.flush()
            _quiet_saved_fd = os.dup(fd)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _quiet_saved_fd is not None:
                os.dup2(_quiet_saved_fd, fd)
                os.close(_quiet_saved_fd)
                _quiet_saved_fd = None


def _mp() -> tuple[Any, Any, Any]:
    import mediapipe as mp
    from mediapipe.tasks.python import vision as mpv
    from mediapipe.tasks.python.core.base_options import BaseOptions

    return mp, mpv, BaseOptions


class MediaPipeHandFinder:
    """MediaPipe Tasks HandLandmarker in VIDEO mode, loaded on first use: the hands in each frame."""

    def __init__(self, config: PoseConfig) -> None:
        self.config = config
        self._task: Any = None
        self._last_t_ms = -1
        self._warm = False

    def detect(self, rgb: np.ndarray, t_s: float) -> list[np.ndarray]:
        """Each hand found, as its 21 landmarks (21, 2) in pixels of `rgb`."""
        mp, _, _ = _mp()
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        height, width = rgb.shape[:2]
        t_ms = max(round(t_s * 1000), self._last_t_ms + 1)  # VIDEO mode needs strictly increasing ms
        if self._task is None:
            _, mpv, base_options = _mp()
            with quiet_native_stderr():
                self._task = mpv.HandLandmarker.create_from_options(
                    mpv.HandLandmarkerOptions(
                        base_options=base_options(model_asset_path=str(self.config.hand_model_path)),
                        running_mode=mpv.RunningMode.VIDEO,
                        num_hands=self.config.max_hands,
                        min_hand_detection_confidence=0.3,
                    )
                )
        self._last_t_ms = t_ms
        # The first inference prints memory-alignment notices from C++: silence them once.
        with quiet_native_stderr() if not self._warm else contextlib.nullcontext():
            result = self._task.detect_for_video(image, t_ms)
        self._warm = True
        return [np.array([[q.x * width, q.y * height] for q in hand]) for hand in result.hand_landmarks]

    def new_stream(self) -> None:
        """Forget the hand tracking and the clock (the model is loaded again on the next frame)."""
        self.close()
        self._last_t_ms = -1
        self._warm = False

    def close(self) -> None:
        if self._task is not None:
            with quiet_native_stderr():
                self._task.close()
        self._task = None


def fingertips_near_wrists(pose_xy_px: np.ndarray, hands_px: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Fingertip of each hand: the fingertip farthest from its wrist (pose "index" is a knuckle)."""
    tips: dict[str, np.ndarray] = {}
    p = pose_xy_px
    wrists = {"left": p[LM.LEFT_WRIST], "right": p[LM.RIGHT_WRIST]}
    forearms = {
        "left": float(np.linalg.norm(p[LM.LEFT_WRIST] - p[LM.LEFT_ELBOW])),
        "right": float(np.linalg.norm(p[LM.RIGHT_WRIST] - p[LM.RIGHT_ELBOW])),
    }
    for pts in hands_px:
        # Assign the hand to the nearer pose wrist: the hand model's handedness is unreliable side-on.
        side = min(wrists, key=lambda s: float(np.nansum((wrists[s] - pts[0]) ** 2)))
        # A "hand" far from both pose wrists is a false detection (feet look like hands to it).
        if not np.linalg.norm(wrists[side] - pts[0]) <= 0.5 * forearms[side]:
            continue
        tip_dist = np.linalg.norm(pts[list(FINGERTIPS)] - pts[0], axis=1)
        tip = pts[FINGERTIPS[int(np.argmax(tip_dist))]]
        if side not in tips:
            tips[side] = tip
    return tips


def with_fingertips(frame: PoseFrame, hands_px: list[np.ndarray]) -> PoseFrame:
    """`frame` with the fingertips of the hands found in the same frame (none where no pose was found)."""
    if not frame.found:
        return frame
    tips = fingertips_near_wrists(frame.image_xy_px, hands_px)
    return PoseFrame(frame.t_s, frame.image_xy_px, frame.world_xyz_m, frame.visibility, frame.n_people, tips)


class MediaPipePoseEstimator:
    """MediaPipe Tasks PoseLandmarker in VIDEO mode (+ HandLandmarker for fingertips on request)."""

    def __init__(
        self,
        config: PoseConfig | None = None,
        shared_counter: Any = None,
        shared_segmenter: PersonSegmenter | None = None,
    ) -> None:
        self.config = config or PoseConfig()
        model_path = Path(self.config.model_path)
        if not model_path.is_file():
            raise VideoError(f"Pose model not found: {model_path}")
        self.name = model_path.name
        mp, _, _ = _mp()
        self._mp = mp
        self._tracker: Any = None
        with quiet_native_stderr():
            try:
                self._tracker = self._new_tracker()
                # Another worker's counter is reused: IMAGE mode keeps no state and MediaPipe runs
                # the calls on it one at a time; a second copy costs ~90 MB of RSS.
                self._owns_counter = shared_counter is None
                self._counter = shared_counter if shared_counter is not None else self._new_counter()
                # The people count's person mask (a body without a head in view); shared like the counter.
                self._segmenter = shared_segmenter
                if shared_segmenter is None and self.config.people_mask:
                    self._segmenter = PersonSegmenter()
            except (RuntimeError, ValueError) as exc:
                raise VideoError(f"Could not load the pose model {model_path.name}: {exc}") from exc
        self._last_t_ms = -1
        self._people = 0
        # A bystander the tracker locked onto: the tracker restarts on the next frame with them hidden.
        self._hide_xy: np.ndarray | None = None
        self._warm = False

    def _new_counter(self) -> Any:
        _, mpv, base_options = _mp()
        return mpv.PoseLandmarker.create_from_options(
            mpv.PoseLandmarkerOptions(
                base_options=base_options(
                    model_asset_path=str(self.config.counter_model_path or self.config.model_path)
                ),
                running_mode=mpv.RunningMode.IMAGE,
                num_poses=self.config.max_people,
                min_pose_detection_confidence=self.config.min_detection_confidence,
            )
        )

    def sibling(
        self, model_path: Path | None = None, hand_model_path: Path | None = None
    ) -> MediaPipePoseEstimator:
        """An estimator for a second worker thread: its own tracking (with other pose / hand models when
        given), this one's people counter and person segmenter.

        Close it before this one (the counter is closed by its owner).
        """
        config = replace(
            self.config,
            model_path=model_path or self.config.model_path,
            hand_model_path=hand_model_path or self.config.hand_model_path,
        )
        return MediaPipePoseEstimator(config, shared_counter=self._counter, shared_segmenter=self._segmenter)

    def hand_finder(self) -> MediaPipeHandFinder:
        """A hand model of its own (for a thread that finds the hands beside this pose model)."""
        return MediaPipeHandFinder(self.config)

    def _new_tracker(self) -> Any:
        _, mpv, base_options = _mp()
        return mpv.PoseLandmarker.create_from_options(
            mpv.PoseLandmarkerOptions(
                base_options=base_options(model_asset_path=str(self.config.model_path)),
                running_mode=mpv.RunningMode.VIDEO,
                num_poses=1,
                min_pose_detection_confidence=self.config.min_detection_confidence,
                min_tracking_confidence=self.config.min_tracking_confidence,
            )
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def new_stream(self) -> None:
        """Start a new VIDEO stream: forget the tracking and landmark-smoothing state and the clock.

        For a jump in the clip (a stretch analysed apart): MediaPipe smooths landmarks over time and
        needs increasing timestamps, so feeding it an earlier or distant frame without this would
        smooth across the jump. Reloads the tracking models (~0.2 s), not the people counter.
        """
        if self._last_t_ms < 0:  # nothing seen yet: already a new stream
            return
        with quiet_native_stderr():
            self._tracker.close()
            self._tracker = self._new_tracker()
        self._last_t_ms = -1
        self._warm = False

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        with quiet_native_stderr():
            counter = self._counter if self._owns_counter else None
            segmenter = self._segmenter if self._owns_counter else None
            for task in (self._tracker, counter, segmenter):
                if task is not None:
                    task.close()

    # -- estimation --------------------------------------------------------------------------
    def estimate(self, rgb: np.ndarray, t_s: float, count_people: bool = False) -> PoseFrame:
        """Pose of one frame (the fingertips come from a `hand_finder()` beside it). `count_people=True`
        also counts the people in view on this frame (two multi-pose passes and the person mask, more
        than the tracking itself): the caller picks which frames (`vision.workers.Stretch.people_every_s`)."""
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        t_ms = max(round(t_s * 1000), self._last_t_ms + 1)  # VIDEO mode needs strictly increasing ms
        self._last_t_ms = t_ms
        height, width = rgb.shape[:2]
        feed = image
        if self._hide_xy is not None:
            # A fresh tracker must detect again, and on this frame it cannot see the bystander; it then
            # tracks whoever it found from plain frames. At most once per people count.
            with quiet_native_stderr():
                self._tracker.close()
                self._tracker = self._new_tracker()
            hidden, _ = paint_out(rgb, self._hide_xy, 0.12)
            feed = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=hidden)
            self._hide_xy = None
        # The first inference prints memory-alignment notices from C++: silence them once.
        with quiet_native_stderr() if not self._warm else contextlib.nullcontext():
            result = self._tracker.detect_for_video(feed, t_ms)
        self._warm = True
        main_xy = _landmarks_px(result.pose_landmarks[0], width, height) if result.pose_landmarks else None
        if count_people:
            bystander = self._count_people(rgb, main_xy)
            if bystander is not None:
                self.avoid(bystander)
        if not result.pose_landmarks:
            return PoseFrame.empty(t_s)
        people = max(self._people, 1)
        return _to_pose_frame(result, t_s, width, height, people)

    def count_people(
        self, rgb: np.ndarray, main_xy_px: np.ndarray | None, keep_on_floor: bool = False
    ) -> PeopleCount:
        """Count the people in `rgb` (the tracked person at `main_xy_px` included); later `estimate` calls
        carry the count. For a caller that keeps the count off its per-frame path (the live view): it may
        run on one other thread while `estimate` runs, as it uses only the people counter. A bystander
        it finds tracked is only reported: the caller tells its tracker to `avoid` them.
        `keep_on_floor`: a tracked person with the legs along the floor is never called a bystander
        (once the subject is settled: folded deep, the subject's box shrinks below a child's sitting
        beside the mat, and the size rule alone would hand the tracker to the child)."""
        bystander = self._count_people(rgb, main_xy_px)
        if keep_on_floor and bystander is not None and legs_off_floor(bystander) < FLOOR_MAX_LEGS_OFF:
            bystander = None
        return PeopleCount(self._people, bystander)

    def avoid(self, xy_px: np.ndarray) -> None:
        """Restart the tracker on the next frame with the person at `xy_px` hidden (a bystander it may
        follow). Plain attribute assignment: safe from another thread while `estimate` runs."""
        self._hide_xy = xy_px

    def _count_people(self, rgb: np.ndarray, main_xy: np.ndarray | None) -> np.ndarray | None:
        """How many people are in view; returns the tracked person's landmarks if they are a bystander
        rather than the person on the floor doing the test."""
        segment = self._segmenter.person_prob if self._segmenter is not None else None
        others = find_others(rgb, main_xy, self._detect_people, segment=segment)
        self._people = others.n_others + (1 if main_xy is not None else 0)
        if main_xy is None or not others.n_others:
            return None
        subject = person_on_the_floor([main_xy, *others.landmarks_px])
        return main_xy if subject not in (None, 0) else None

    def _detect_people(self, rgb: np.ndarray) -> list[np.ndarray]:
        """Every person the IMAGE-mode multi-pose landmarker finds in a frame, as (33, 2) pixels."""
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        height, width = rgb.shape[:2]
        return [_landmarks_px(lms, width, height) for lms in self._counter.detect(image).pose_landmarks]


def _landmarks_px(lms: Any, width: int, height: int) -> np.ndarray:
    return np.array([[p.x * width, p.y * height] for p in lms], dtype=float)


def _to_pose_frame(result: Any, t_s: float, width: int, height: int, n_people: int) -> PoseFrame:
    lms = result.pose_landmarks[0]
    image_xy = _landmarks_px(lms, width, height)
    visibility = np.array([p.visibility if p.visibility is not None else 1.0 for p in lms], dtype=float)
    if result.pose_world_landmarks:
        world = np.array([[p.x, p.y, p.z] for p in result.pose_world_landmarks[0]], dtype=float)
    else:
        world = np.full((N_LANDMARKS, 3), np.nan)
    return PoseFrame(t_s, image_xy, world, visibility, n_people)


def create_estimator(
    model_path: Path | None = None,
    hand_model_path: Path = DEFAULT_HAND_MODEL,
    counter_model_path: Path | None = None,
) -> MediaPipePoseEstimator:
    """The default backend; `model_path` points at another pose `.task` (e.g. the official heavy model)."""
    return MediaPipePoseEstimator(
        PoseConfig(
            model_path=model_path or DEFAULT_POSE_MODEL,
            hand_model_path=hand_model_path,
            counter_model_path=counter_model_path,
        )
    )
