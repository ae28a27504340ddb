"""Sit-and-reach knee bend over the whole fold, not at one frame.

The knee landmark is the weakest point of the hip-knee-ankle angle: side-on, a folded trunk and
reaching arms cover the hip crease and the knee, and a single frame at the deepest fold can read
several degrees off either way. The knee check therefore takes the median of the per-frame knee
flexion over every frame of the repetition whose hip angle is within `FOLD_WINDOW_DEG` of its deepest
value (the held fold), using each leg in the frames where its hip, knee and ankle are all seen well
(side-on that is usually the near leg; the far leg joins when the camera sees it).
"""

from __future__ import annotations

import numpy as np

from analysis.geometry import flexion_deg
from analysis.measures import LEG_POINTS
from analysis.result import Rep
from vision.landmarks import LandmarkSeries

FOLD_WINDOW_DEG = 5.0  # frames this close to the deepest hip angle count as "at the fold"
MIN_LEG_VISIBILITY = 0.5  # a leg's hip, knee and ankle must all be at least this visible
MIN_FOLD_SAMPLES = 3


def fold_frames(t_s: np.ndarray, hip_angle_deg: np.ndarray, rep: Rep) -> np.ndarray:
    """Mask of the rep's frames within FOLD_WINDOW_DEG of its smallest (cleaned) hip angle."""
    in_rep = (t_s >= rep.start_s) & (t_s <= rep.end_s) & np.isfinite(hip_angle_deg)
    if not np.any(in_rep):
        return in_rep
    deepest = float(np.min(hip_angle_deg[in_rep]))
    return in_rep & (hip_angle_deg <= deepest + FOLD_WINDOW_DEG)


def fold_knee_flexion_deg(lms: LandmarkSeries, hip_angle_deg: np.ndarray, rep: Rep) -> float | None:
    """Median knee flexion (0 = straight) over the held fold, both legs where seen well; None if unseen."""
    at = fold_frames(lms.t_s, hip_angle_deg, rep)
    samples: list[np.ndarray] = []
    for side in ("left", "right"):
        idx = list(LEG_POINTS[side])
        seen = at & np.all(lms.visibility[:, idx] >= MIN_LEG_VISIBILITY, axis=1)
        flex = flexion_deg(*(lms.image_xy_px[seen][:, i] for i in idx))
        samples.append(flex[np.isfinite(flex)])
    values = np.concatenate(samples)
    if values.size < MIN_FOLD_SAMPLES:
        return None
    return float(np.median(values))
