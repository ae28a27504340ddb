"""Video decoding (PyAV, threaded, rotation-aware, real timestamps) and a browser-playable H.264 writer."""

from __future__ import annotations

import contextlib
import math
import queue
import threading
from collections.abc import Generator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import av.error
import numpy as np

from vision.frames import Frame, VideoError, VideoMeta

_MB = 1024 * 1024
_PROBE_MAX_PACKETS = 300  # packets read while looking for the first decodable frame
_PUT_POLL_S = 0.1  # how often a blocked producer re-checks the stop flag
_DEFAULT_FPS = 30.0


def _human_size(n_bytes: float) -> str:
    if n_bytes >= 1024 * _MB:
        return f"{n_bytes / (1024 * _MB):.1f} GB"
    if n_bytes >= _MB:
        return f"{n_bytes / _MB:.1f} MB"
    return f"{n_bytes / 1024:.0f} KB"


def _check_file(path: Path, max_size_mb: float | None) -> None:
    if not path.exists():
        raise VideoError(f"The file {path.name} was not found.")
    if not path.is_file():
        raise VideoError(f"{path.name} is a folder, not a video file.")
    size = path.stat().st_size
    if size == 0:
        raise VideoError(f"The file {path.name} is empty (0 bytes). Record or export the clip again.")
    if max_size_mb is not None and size > max_size_mb * _MB:
        raise VideoError(
            f"This file is {_human_size(size)}; the limit is {_human_size(max_size_mb * _MB)}. "
            "Trim the clip to the test itself."
        )


def _open_input(path: Path) -> Any:
    try:
        return av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise VideoError(
            f"{path.name} is not a video file we can read, or it is damaged. Try exporting it again as MP4."
        ) from exc


def _video_stream(container: Any, path: Path, threads: bool = True) -> Any:
    if not container.streams.video:
        raise VideoError(f"{path.name} has no picture, only sound (or nothing). Choose a video clip.")
    stream = container.streams.video[0]
    if stream.codec_context is None:
        raise VideoError(
            f"The video in {path.name} uses a format this app cannot decode. Export it as MP4 (H.264)."
        )
    if threads:
        stream.codec_context.thread_type = "AUTO"  # frame+slice threads inside libavcodec
    else:
        # Frame threads each hold reference frames: at 4K that is ~100 MB per decoder. Callers that
        # decode on several threads of their own (or need one frame) do without.
        stream.codec_context.thread_type = "NONE"
        stream.codec_context.thread_count = 1
    return stream


def _rotation_ccw_deg(frame: Any) -> int:
    """Counter-clockwise rotation (0/90/180/270) that makes a stored frame upright.

    PyAV reports the display matrix as a counter-clockwise angle in [-180, 180]; phones write multiples of 90.
    """
    try:
        rot = float(frame.rotation)
    except (AttributeError, TypeError, ValueError):
        return 0
    if not np.isfinite(rot):
        return 0
    return (round(rot / 90.0) * 90) % 360


def _upright(rgb: np.ndarray, rotation_ccw_deg: int) -> np.ndarray:
    k = rotation_ccw_deg // 90
    if k == 0:
        return rgb
    return np.ascontiguousarray(np.rot90(rgb, k=k))


def _first_frames(container: Any, stream: Any, path: Path) -> list[Any]:
    """Decode until frames come out (one packet's worth); used by probe_video to prove the clip is usable."""
    n_packets = 0
    try:
        for packet in container.demux(stream):
            n_packets += 1
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                frames = []
            if frames:
                return list(frames)
            if n_packets >= _PROBE_MAX_PACKETS:
                break
    except av.error.FFmpegError as exc:
        raise VideoError(f"{path.name} is damaged: no picture could be decoded from it.") from exc
    raise VideoError(f"{path.name} contains no picture that can be decoded. Record or export it again.")


def _is_still_image(container: Any, stream: Any, n_decoded: int) -> bool:
    """A photo opened as a one-picture "video": an image demuxer (png_pipe, image2 for JPEG, ...), or a
    stream (e.g. a one-frame GIF) that yields no second picture after the first."""
    names = str(container.format.name).split(",")
    if any(name == "image2" or name.endswith("_pipe") for name in names):
        return True
    if n_decoded > 1 or int(stream.frames or 0) > 1:
        return False
    try:
        for n_packets, packet in enumerate(container.demux(stream)):
            with contextlib.suppress(av.error.FFmpegError):
                if packet.decode():
                    return False
            if n_packets >= _PROBE_MAX_PACKETS:
                return False
    except av.error.FFmpegError:
        return False  # damaged later on: decoding deals with that
    return True


def _stream_fps(stream: Any) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and 0 < float(rate) < 1000:
            return float(rate)
    return _DEFAULT_FPS


def _stream_duration_s(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return 0.0


def probe_video(path: Path, max_size_mb: float | None = None) -> VideoMeta:
    """Validate a clip and read its display size, rate, length, rotation and codec (decodes one frame)."""
    path = Path(path)
    _check_file(path, max_size_mb)
    container = _open_input(path)
    try:
        stream = _video_stream(container, path, threads=False)
        decoded = _first_frames(container, stream, path)
        first = decoded[0]
        if _is_still_image(container, stream, len(decoded)):
            raise VideoError(
                f"{path.name} is a still photo; FlexCheck needs a short video (a few seconds) of the test."
            )
        rotation_ccw = _rotation_ccw_deg(first)
        width, height = int(first.width), int(first.height)
        if rotation_ccw in (90, 270):
            width, height = height, width
        fps = _stream_fps(stream)
        duration_s = _stream_duration_s(container, stream)
        n_frames = int(stream.frames or 0) or max(1, round(duration_s * fps))
        if duration_s <= 0:
            duration_s = n_frames / fps
        return VideoMeta(
            width=width,
            height=height,
            fps=fps,
            n_frames=n_frames,
            duration_s=duration_s,
            rotation_deg=(360 - rotation_ccw) % 360,  # VideoMeta stores the clockwise angle
            codec=str(stream.codec_context.name),
        )
    finally:
        container.close()


def scaled_size(width: int, height: int, max_side_px: int | None) -> tuple[int, int]:
    """Stored-frame size after the optional downscale (long side <= max_side_px, even, aspect kept)."""
    if max_side_px is None or max(width, height) <= max_side_px:
        return width, height
    scale = max_side_px / max(width, height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


class _Stop:
    """End-of-stream marker carrying the producer's failure, if any."""

    def __init__(self, error: BaseException | None = None, n_frames: int = 0) -> None:
        self.error = error
        self.n_frames = n_frames


def _put(q: queue.Queue[Frame | _Stop], item: Frame | _Stop, stop: threading.Event) -> bool:
    """Blocking put that gives up when the consumer has gone; False means stop producing."""
    while not stop.is_set():
        try:
            q.put(item, timeout=_PUT_POLL_S)
            return True
        except queue.Full:
            continue
    return False


@dataclass(frozen=True)
class Span:
    """Which frames to decode: [start_s, end_s) of the clip's time, every `step`-th frame.

    A frame is kept when its nominal index round(t_s * fps) is a multiple of `step`, so spans
    decoded separately (e.g. by two workers) pick the same frames as one pass over the clip.
    """

    start_s: float = 0.0
    end_s: float = math.inf
    step: int = 1

    def keeps(self, t_s: float, fps: float) -> bool:
        return self.start_s - 1e-6 <= t_s < self.end_s - 1e-6 and round(t_s * fps) % self.step == 0


def _first_pts(container: Any, stream: Any) -> int | None:
    """Presentation time of the first decodable frame: time 0 of every span of the clip."""
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            continue
        for vf in frames:
            return None if vf.pts is None else int(vf.pts)
    return None


def _seek_before(container: Any, stream: Any, pts0: int | None, start_s: float) -> None:
    """Jump to the keyframe at or before start_s (decoding goes forward from there)."""
    time_base = stream.time_base or Fraction(1, 90000)
    target = round(start_s / float(time_base)) + (pts0 or 0)
    container.seek(target, stream=stream, backward=True, any_frame=False)


def _decode_into(
    path: Path,
    q: queue.Queue[Frame | _Stop],
    stop: threading.Event,
    max_side_px: int | None,
    span: Span | None = None,
    threads: bool = True,
) -> None:
    """Producer thread body: demux + decode + convert, one Frame per queue slot.

    Only frames the span keeps are converted to RGB (the costly part after decoding); with a span
    starting after 0 the decoder seeks, and Frame.index is the nominal index round(t_s * fps).
    """
    n_out = n_decoded = 0
    error: BaseException | None = None
    container = None
    try:
        container = _open_input(path)
        stream = _video_stream(container, path, threads)
        time_base = stream.time_base or Fraction(1, 90000)
        fps = _stream_fps(stream)
        pts0: int | None = None
        if span is not None and span.start_s > 0:
            pts0 = _first_pts(container, stream)
            _seek_before(container, stream, pts0, span.start_s)
        last_t_s = -1.0 / fps
        for packet in container.demux(stream):
            if stop.is_set():
                return
            try:
                decoded = packet.decode()
            except av.error.FFmpegError:
                continue  # a corrupt packet: lose that frame, keep the clip
            for vf in decoded:
                if vf.pts is None:
                    t_s = last_t_s + 1.0 / fps
                else:
                    if pts0 is None:
                        pts0 = int(vf.pts)
                    t_s = float((int(vf.pts) - pts0) * time_base)
                last_t_s = t_s
                index = n_decoded if span is None or span.start_s <= 0 else round(t_s * fps)
                n_decoded += 1
                if span is not None and t_s >= span.end_s - 1e-6:
                    return
                if span is not None and not span.keeps(t_s, fps):
                    continue
                w, h = scaled_size(int(vf.width), int(vf.height), max_side_px)
                # Scaled inside libswscale while converting: a 4K frame is never held at full size.
                rgb = vf.to_ndarray(format="rgb24", width=w, height=h, interpolation="AREA")
                rgb = _upright(rgb, _rotation_ccw_deg(vf))
                if not _put(q, Frame(index=index, t_s=t_s, rgb=rgb), stop):
                    return
                n_out += 1
    except VideoError as exc:
        error = exc
    except av.error.FFmpegError as exc:
        # A demux failure after good frames is a truncated tail: keep what we have.
        if n_out == 0:
            error = VideoError(f"{path.name} is damaged: no picture could be decoded from it.")
            error.__cause__ = exc
    except Exception as exc:  # surfaced to the consumer thread, never swallowed
        error = exc
    finally:
        if container is not None:
            container.close()
        starts_at_0 = span is None or span.start_s <= 0  # a later span may lie past a short clip's end
        if error is None and n_decoded == 0 and starts_at_0 and not stop.is_set():
            error = VideoError(
                f"{path.name} contains no picture that can be decoded. Record or export it again."
            )
        _put(q, _Stop(error, n_out), stop)


def iter_frames(
    path: Path,
    *,
    prefetch: int = 8,
    max_side_px: int | None = None,
    span: Span | None = None,
    threads: bool = True,
) -> Generator[Frame, None, None]:
    """Stream upright RGB frames with real timestamps (s, first frame at 0), decoded on a background thread.

    At most `prefetch` decoded frames wait in memory. Closing the generator early stops and joins the thread.
    `span` limits the frames to a time range and a frame step (see `Span`); `threads=False` decodes on
    the one background thread only (less memory when several decoders run at once).
    """
    path = Path(path)
    _check_file(path, None)
    q: queue.Queue[Frame | _Stop] = queue.Queue(maxsize=max(1, prefetch))
    stop = threading.Event()
    worker = threading.Thread(
        target=_decode_into,
        args=(path, q, stop, max_side_px, span, threads),
        name=f"decode:{path.name}",
        daemon=True,
    )
    worker.start()
    try:
        while True:
            item = q.get()
            if isinstance(item, _Stop):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:  # unblock a producer waiting on a full queue
                q.get_nowait()
        worker.join()


class H264Writer:
    """Browser-playable MP4 (H.264 High, yuv420p, +faststart) from RGB frames.

    Timestamps are kept in a 1/90000 s time base: constant-rate writes get exact pts for 24/25/29.97/30/60 fps,
    and `write(rgb, t_s=...)` keeps the real (variable) timing of the source.
    Odd sizes are cropped by one pixel (yuv420p needs even width and height).
    """

    TIME_BASE = Fraction(1, 90000)

    def __init__(
        self, path: Path, fps: float, width: int, height: int, crf: int = 23, preset: str = "veryfast"
    ) -> None:
        if width < 2 or height < 2:
            raise ValueError(f"frame size {width}x{height} is too small to encode")
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.path = Path(path)
        self.fps = float(fps)
        self.width = int(width)
        self.height = int(height)
        self.enc_width = self.width - self.width % 2
        self.enc_height = self.height - self.height % 2
        self.crf = int(crf)
        self.preset = preset
        self.n_written = 0
        self._last_pts = -1
        self._container: Any = None
        self._stream: Any = None

    def __enter__(self) -> H264Writer:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(discard=exc_type is not None)

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"})
        rate = Fraction(self.fps).limit_denominator(1001)
        stream = container.add_stream(
            "libx264",
            rate=rate,
            options={"crf": str(self.crf), "preset": self.preset, "profile": "high"},
        )
        stream.width = self.enc_width
        stream.height = self.enc_height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = self.TIME_BASE
        stream.time_base = self.TIME_BASE
        self._container, self._stream = container, stream

    def write(self, rgb: np.ndarray, t_s: float | None = None) -> None:
        """Append one RGB uint8 frame of the size given at construction; t_s (s) for variable-rate timing."""
        if self._stream is None:
            raise RuntimeError("H264Writer is not open; use it as a context manager")
        if rgb.shape != (self.height, self.width, 3) or rgb.dtype != np.uint8:
            raise ValueError(
                f"expected a {self.height}x{self.width}x3 uint8 frame, got {rgb.shape} {rgb.dtype}"
            )
        img = np.ascontiguousarray(rgb[: self.enc_height, : self.enc_width])
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        t = self.n_written / self.fps if t_s is None else float(t_s)
        pts = max(round(t / self.TIME_BASE), self._last_pts + 1)  # pts must strictly increase
        frame.pts = pts
        frame.time_base = self.TIME_BASE
        self._last_pts = pts
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.n_written += 1

    def close(self, discard: bool = False) -> None:
        if self._container is None:
            return
        try:
            if not discard:
                for packet in self._stream.encode(None):
                    self._container.mux(packet)
        finally:
            self._container.close()
            self._container = self._stream = None
            if discard:
                self.path.unlink(missing_ok=True)
