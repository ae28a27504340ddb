"""Planar geometry on image points (x right, y down), vectorised over frames.

All angles are in degrees. Directions are 2D vectors; NaN propagates.
"""

from __future__ import annotations

import numpy as np


def direction_angle_deg(vec: np.ndarray) -> np.ndarray:
    """Angle of each vector from the +x axis, counter-clockwise as seen on screen (y points down)."""
    return wrap_deg(np.degrees(np.arctan2(-vec[..., 1], vec[..., 0])))


def wrap_deg(angle_deg: np.ndarray | float) -> np.ndarray:
    """Wrap to (-180, 180]."""
    wrapped = (np.asarray(angle_deg, dtype=float) + 180.0) % 360.0 - 180.0
    return np.where(wrapped == -180.0, 180.0, wrapped)


def signed_angle_deg(from_vec: np.ndarray, to_vec: np.ndarray) -> np.ndarray:
    """Signed angle turning `from_vec` onto `to_vec`, counter-clockwise on screen positive, (-180, 180]."""
    return wrap_deg(direction_angle_deg(to_vec) - direction_angle_deg(from_vec))


def unsigned_angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between two vectors, 0..180 (atan2 of cross and dot: exact near 0 and 180, unlike arccos)."""
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    dot = np.sum(a * b, axis=-1)
    return np.degrees(np.arctan2(np.abs(cross), dot))


def joint_angle_deg(a: np.ndarray, vertex: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Inner angle a-vertex-b, 0..180 (180 = straight)."""
    return unsigned_angle_deg(a - vertex, b - vertex)


def flexion_deg(a: np.ndarray, vertex: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Joint flexion: 0 when a-vertex-b is a straight line (clinical knee convention)."""
    return 180.0 - joint_angle_deg(a, vertex, b)


def circular_median_direction(vecs: np.ndarray) -> np.ndarray | None:
    """Robust mean direction of many 2D vectors: the median of their angles around the circular mean."""
    finite = np.all(np.isfinite(vecs), axis=-1)
    if not np.any(finite):
        return None
    angles = direction_angle_deg(vecs[finite])
    mean_rad = np.arctan2(np.mean(np.sin(np.radians(angles))), np.mean(np.cos(np.radians(angles))))
    mean_deg = float(np.degrees(mean_rad))
    median_deg = mean_deg + float(np.median(wrap_deg(angles - mean_deg)))
    rad = np.radians(median_deg)
    return np.array([np.cos(rad), -np.sin(rad)])  # back to image coordinates (y down)
