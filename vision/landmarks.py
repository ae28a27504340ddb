"""Pose landmarks per frame and stacked over a clip (BlazePose 33-point topology)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

N_LANDMARKS = 33


class LM(IntEnum):
    """BlazePose landmark indices used by the measures."""

    NOSE = 0
    LEFT_EAR = 7
    RIGHT_EAR = 8
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Skeleton edges for drawing (pairs of landmark indices).
POSE_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
    (0, 7), (0, 8), (15, 19), (16, 20),
)  # fmt: skip


@dataclass(frozen=True)
class PoseFrame:
    """Landmarks of the main person in one frame; arrays are NaN when nobody was found."""

    t_s: float
    image_xy_px: np.ndarray  # (33, 2) pixels, x right, y down, in the upright frame
    world_xyz_m: np.ndarray  # (33, 3) metres, hip-centred, y down (MediaPipe world landmarks)
    visibility: np.ndarray  # (33,) 0..1
    n_people: int
    fingertip_xy_px: dict[str, np.ndarray] | None = None  # "left"/"right" -> (2,), from the hand model

    @property
    def found(self) -> bool:
        return self.n_people > 0

    @staticmethod
    def empty(t_s: float) -> PoseFrame:
        return PoseFrame(
            t_s=t_s,
            image_xy_px=np.full((N_LANDMARKS, 2), np.nan),
            world_xyz_m=np.full((N_LANDMARKS, 3), np.nan),
            visibility=np.zeros(N_LANDMARKS),
            n_people=0,
        )


@dataclass(frozen=True)
class LandmarkSeries:
    """All frames of a clip stacked: the input of the per-frame measures."""

    t_s: np.ndarray  # (N,)
    image_xy_px: np.ndarray  # (N, 33, 2)
    world_xyz_m: np.ndarray  # (N, 33, 3)
    visibility: np.ndarray  # (N, 33)
    n_people: np.ndarray  # (N,) int
    fingertip_xy_px: np.ndarray  # (N, 2, 2) [left, right] x (x, y); NaN where the hand model found none
    width: int
    height: int
    # (N,) int or None: frames with the same number were sampled at one steady rate. Coarse-to-fine
    # analysis mixes rates (see analysis.estimate); the filters clean each run on its own.
    sample_run: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    @staticmethod
    def from_frames(
        frames: list[PoseFrame], width: int, height: int, sample_run: np.ndarray | None = None
    ) -> LandmarkSeries:
        n = len(frames)
        tips = np.full((n, 2, 2), np.nan)
        for i, f in enumerate(frames):
            _put_fingertips(tips[i], f)
        return LandmarkSeries(
            t_s=np.array([f.t_s for f in frames], dtype=float),
            image_xy_px=np.stack([f.image_xy_px for f in frames]) if n else np.zeros((0, N_LANDMARKS, 2)),
            world_xyz_m=np.stack([f.world_xyz_m for f in frames]) if n else np.zeros((0, N_LANDMARKS, 3)),
            visibility=np.stack([f.visibility for f in frames]) if n else np.zeros((0, N_LANDMARKS)),
            n_people=np.array([f.n_people for f in frames], dtype=int),
            fingertip_xy_px=tips,
            width=width,
            height=height,
            sample_run=sample_run,
        )


def _put_fingertips(row: np.ndarray, frame: PoseFrame) -> None:
    """Write `frame`'s fingertips into `row` (2, 2): [left, right] x (x, y); hands not found are left as is."""
    for j, side in enumerate(("left", "right")):
        if frame.fingertip_xy_px and side in frame.fingertip_xy_px:
            row[j] = frame.fingertip_xy_px[side]


class RollingLandmarks:
    """The last `window_s` of frames, kept stacked: `series()` is a LandmarkSeries of views, O(1) per frame.

    The live path measures the last few seconds on every frame; stacking them again from PoseFrames
    each time cost ~1.5 ms a frame (benchmarks/live.py). Frames are appended in time order; the arrays
    grow by doubling and the kept rows move to the front when the end is reached.
    """

    def __init__(self, window_s: float, capacity: int = 512) -> None:
        self.window_s = window_s
        self._start = 0
        self._end = 0
        self._alloc(capacity)

    def _alloc(self, capacity: int) -> None:
        self._t_s = np.zeros(capacity)
        self._xy = np.zeros((capacity, N_LANDMARKS, 2))
        self._world = np.zeros((capacity, N_LANDMARKS, 3))
        self._vis = np.zeros((capacity, N_LANDMARKS))
        self._people = np.zeros(capacity, dtype=int)
        self._tips = np.full((capacity, 2, 2), np.nan)

    def __len__(self) -> int:
        return self._end - self._start

    def clear(self) -> None:
        self._start = self._end = 0

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return self._t_s, self._xy, self._world, self._vis, self._people, self._tips

    def _make_room(self) -> None:
        kept = slice(self._start, self._end)
        n = self._end - self._start
        old = self._arrays()
        if n >= len(self._t_s) // 2:  # mostly full: grow, so moving rows stays amortised O(1)
            self._alloc(2 * len(self._t_s))
        for dst, src in zip(self._arrays(), old, strict=True):
            dst[:n] = src[kept]
        self._start, self._end = 0, n

    def append(self, frame: PoseFrame) -> None:
        if self._end == len(self._t_s):
            self._make_room()
        i = self._end
        self._t_s[i] = frame.t_s
        self._xy[i] = frame.image_xy_px
        self._world[i] = frame.world_xyz_m
        self._vis[i] = frame.visibility
        self._people[i] = frame.n_people
        self._tips[i] = np.nan
        _put_fingertips(self._tips[i], frame)
        self._end += 1
        # Frames older than the window, counted back from the newest, leave it.
        first = np.searchsorted(self._t_s[self._start : self._end], frame.t_s - self.window_s, side="left")
        self._start += int(first)

    def series(self, width: int, height: int) -> LandmarkSeries:
        """The frames in the window (read-only views, valid until the next `append`)."""
        rows = slice(self._start, self._end)
        views = [a[rows] for a in self._arrays()]
        for v in views:
            v.flags.writeable = False
        t_s, xy, world, vis, people, tips = views
        return LandmarkSeries(t_s, xy, world, vis, people, tips, width, height)
