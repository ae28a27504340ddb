"""H.264 writer (PyAV, libx264, yuv420p). Portrait storage: frames are stored rotated and the
container's display matrix says how to turn them upright (like a phone)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_mp4(path: Path, frames_rgb: list[np.ndarray], fps: float, crf: int, rotation_deg: int = 0) -> None:
    """`rotation_deg` (0/90/180/270) is the CLOCKWISE turn a player must apply to the stored frames."""
    if rotation_deg % 90:
        raise ValueError("rotation_deg must be a multiple of 90")
    # Store the upright picture turned counter-clockwise by rotation_deg, so turning it clockwise restores it.
    k = (rotation_deg // 90) % 4
    stored = [np.ascontiguousarray(np.rot90(f, k=k)) for f in frames_rgb]
    h, w = stored[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(round(fps * 1000), 1000))
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "slow", "tune": "animation"}
        if k:
            # PyAV takes the counter-clockwise angle of the display transform.
            stream.set_display_rotation((-rotation_deg) % 360)
        for img in stored:
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
