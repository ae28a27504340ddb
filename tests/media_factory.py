"""Small test clips generated with PyAV at test time (no binary fixtures in the repository).

Every clip shows a frame counter as a pattern that survives lossy compression: the top-left
quadrant is bright red, so rotations can be checked, and the mean brightness of the frame
encodes its index (see `frame_level`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

TIME_BASE = Fraction(1, 90000)


def frame_level(index: int) -> int:
    """Grey level of the background of frame `index` (cycles, stays far from 0/255 clipping)."""
    return 40 + (index * 7) % 160


def pattern_frame(index: int, width: int, height: int) -> np.ndarray:
    """RGB frame: grey background coding the index, bright red block in the top-left corner."""
    img = np.full((height, width, 3), frame_level(index), dtype=np.uint8)
    img[: height // 3, : width // 3] = (230, 20, 20)
    return img


def red_corner(rgb: np.ndarray) -> str:
    """Which corner of a decoded frame holds the red block: 'tl', 'tr', 'bl' or 'br'."""
    h, w = rgb.shape[:2]
    corners = {
        "tl": rgb[: h // 6, : w // 6],
        "tr": rgb[: h // 6, w - w // 6 :],
        "bl": rgb[h - h // 6 :, : w // 6],
        "br": rgb[h - h // 6 :, w - w // 6 :],
    }
    redness = {k: float(v[..., 0].mean()) - float(v[..., 1].mean()) for k, v in corners.items()}
    return max(redness, key=lambda k: redness[k])


def write_clip(
    path: Path,
    *,
    width: int = 160,
    height: int = 96,
    n_frames: int = 30,
    fps: float = 30.0,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    rotation_ccw_deg: float | None = None,
    times_s: Sequence[float] | None = None,
    start_s: float = 0.0,
    container_format: str | None = None,
    with_audio: bool = False,
) -> Path:
    """Encode a pattern clip.

    rotation_ccw_deg: display matrix as phones write it (PyAV's counter-clockwise convention, so a
    portrait phone clip stored landscape is -90). times_s: per-frame times for variable frame rate.
    start_s: offset added to every timestamp (a stream that does not start at 0).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    times = list(times_s) if times_s is not None else [i / fps for i in range(n_frames)]
    with av.open(str(path), mode="w", format=container_format) as container:
        stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if codec == "libx265":
            stream.options = {"x265-params": "log-level=error"}
        if codec in ("libx264", "libx265", "libvpx", "libvpx-vp9"):
            stream.codec_context.time_base = TIME_BASE
        if rotation_ccw_deg is not None:
            stream.set_display_rotation(rotation_ccw_deg)
        audio = container.add_stream("aac", rate=48000) if with_audio else None
        assert audio is None or isinstance(audio, av.AudioStream)
        for i, t in enumerate(times):
            frame = av.VideoFrame.from_ndarray(pattern_frame(i, width, height), format="rgb24")
            if stream.codec_context.time_base == TIME_BASE:
                frame.pts = round((t + start_s) / TIME_BASE)
                frame.time_base = TIME_BASE
            else:
                frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        if audio is not None:
            _encode_tone(container, audio, duration_s=times[-1] if times else 0.5)
    return path


def _encode_tone(container: av.container.OutputContainer, stream: av.AudioStream, duration_s: float) -> None:
    rate = 48000
    n = max(1024, int(rate * duration_s))
    samples = (0.2 * np.sin(2 * math.pi * 440 * np.arange(n) / rate)).astype(np.float32)
    chunk = 1024
    for start in range(0, n - chunk + 1, chunk):
        frame = av.AudioFrame.from_ndarray(samples[None, start : start + chunk], format="fltp", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def write_audio_only(path: Path, duration_s: float = 0.5) -> Path:
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=48000)
        assert isinstance(stream, av.AudioStream)
        stream.layout = "mono"
        _encode_tone(container, stream, duration_s)
    return path


def write_text_as_mp4(path: Path) -> Path:
    path.write_text("this is a shopping list, not a video\n" * 20)
    return path


def write_random_bytes(path: Path, n_bytes: int = 64 * 1024, seed: int = 0) -> Path:
    path.write_bytes(np.random.default_rng(seed).integers(0, 256, n_bytes, dtype=np.uint8).tobytes())
    return path


def truncate_copy(src: Path, dst: Path, keep_fraction: float) -> Path:
    """A download cut short: the first part of a real file."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep_fraction)])
    return dst


def corrupt_middle(src: Path, dst: Path, seed: int = 1) -> Path:
    """Overwrite a span of bytes in the middle of the media data (packets damaged, header intact)."""
    data = bytearray(src.read_bytes())
    rng = np.random.default_rng(seed)
    start, span = len(data) // 2, max(64, len(data) // 20)
    data[start : start + span] = rng.integers(0, 256, span, dtype=np.uint8).tobytes()
    dst.write_bytes(bytes(data))
    return dst


def rss_bytes() -> int:
    """Resident memory of this process (Linux /proc), for memory-growth checks."""
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def shapes_frame(index: int, width: int, height: int, fps: float = 30.0) -> np.ndarray:
    """A moving test pattern with no human body: colour bars, a swinging bar, drifting discs and a box."""
    t = index / fps
    yy, xx = np.mgrid[0:height, 0:width]
    img = np.zeros((height, width, 3), dtype=np.uint8)
    bars = ((255, 255, 255), (230, 230, 30), (30, 220, 230), (40, 200, 40), (220, 40, 220), (220, 40, 40))
    for i, colour in enumerate(bars):  # static colour bars in the top third
        img[: height // 3, i * width // len(bars) : (i + 1) * width // len(bars)] = colour
    img[height // 3 :] = (70, 60, 55)
    for k, colour in enumerate(((240, 200, 160), (200, 60, 60), (60, 90, 200))):
        cx = (0.2 + 0.3 * k + 0.15 * math.sin(2 * math.pi * (0.3 + 0.1 * k) * t)) * width
        cy = (0.6 + 0.15 * math.cos(2 * math.pi * 0.4 * t + k)) * height
        r = (0.06 + 0.02 * k) * height
        img[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = colour
    # A long bar swinging about one end, like a limb would, but attached to nothing.
    angle = math.radians(30 + 60 * math.sin(2 * math.pi * 0.25 * t))
    ux, uy = math.cos(angle), -math.sin(angle)
    px, py = xx - 0.45 * width, yy - 0.85 * height
    along, across = px * ux + py * uy, np.abs(-px * uy + py * ux)
    img[(along >= 0) & (along <= 0.35 * width) & (across <= 0.02 * height + 2)] = (250, 220, 190)
    bx = int((0.1 + 0.7 * (t * 0.2 % 1.0)) * width)
    img[int(0.75 * height) : int(0.95 * height), bx : bx + width // 10] = (20, 20, 20)
    return img


def write_moving_shapes(
    path: Path, width: int = 640, height: int = 360, seconds: float = 4.0, fps: float = 30.0
) -> Path:
    """An H.264 clip of `shapes_frame`: something moves, but there is nobody in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(shapes_frame(i, width, height, fps), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path
