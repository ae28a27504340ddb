"""Typed frame and video metadata records shared by the decoder, the pose backend and the writer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class VideoError(Exception):
    """A video that cannot be used; the message is written for the person who gave it."""


@dataclass(frozen=True)
class VideoMeta:
    """What we know about a clip before decoding it.

    width/height are the *display* size, i.e. after applying the container rotation.
    """

    width: int
    height: int
    fps: float
    n_frames: int  # container's count, or an estimate from duration * fps
    duration_s: float
    rotation_deg: int  # clockwise rotation applied to stored frames to display them (0/90/180/270)
    codec: str


@dataclass(frozen=True)
class Frame:
    """One decoded frame, upright (rotation applied), RGB uint8, with its real presentation time."""

    index: int
    t_s: float
    rgb: np.ndarray  # (H, W, 3) uint8, C-contiguous
