"""Hand-over between the webcam worker thread and the page (no Streamlit here).

streamlit-webrtc calls `on_frames` on its own thread with every frame that queued up while the
previous one was processed. Only the newest is analysed, so latency cannot build up when the pose
model is slower than the camera; the others are counted as dropped. The engine pipelines: a call
hands it the newest frame and gets back the one before it, drawn (streamlit-webrtc shows the latest
frame given back; an empty list keeps the previous one on screen). Everything the page reads goes
through one lock, and nothing in the callback waits on the page.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import av
import numpy as np

if TYPE_CHECKING:
    from analysis.live import LiveOutput, LiveStatus
    from analysis.result import AnalysisResult


class LiveEngine(Protocol):
    """What the bridge needs from `analysis.live.LiveAnalyzer`."""

    def push(self, rgb: np.ndarray, t_s: float) -> LiveOutput | None: ...

    def result(self) -> AnalysisResult | None: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class BridgeSnapshot:
    status: LiveStatus | None
    frames_in: int
    frames_analysed: int
    frames_dropped: int
    error: str | None


class LiveBridge:
    def __init__(self, make_engine: Callable[[], LiveEngine]) -> None:
        self._make_engine = make_engine
        self._engine: LiveEngine | None = None
        self._lock = threading.Lock()
        self._engine_lock = threading.Lock()  # one engine, created once
        self._busy = threading.Lock()  # held while a frame is analysed, so close() never pulls the model away
        self._closed = False
        self._finalizer: weakref.finalize[[LiveEngine], LiveBridge] | None = None
        self._status: LiveStatus | None = None
        self._frames_in = 0
        self._frames_analysed = 0
        self._frames_dropped = 0
        self._error: str | None = None

    def warm_up(self) -> None:
        """Load the pose model on a background thread now, so the first camera frames are not lost."""
        threading.Thread(target=self._ensure_engine, name="flexcheck-live-warmup", daemon=True).start()

    def _ensure_engine(self) -> LiveEngine:
        with self._engine_lock:
            if self._closed:
                raise RuntimeError("the live analysis was closed")
            if self._engine is None:
                engine = self._make_engine()
                # Release the model when the session's bridge is dropped or the process exits, even if
                # close() is never called (a closed browser tab ends a session without telling us).
                self._finalizer = weakref.finalize(self, _release, engine)
                self._engine = engine
            return self._engine

    # -- webcam thread ---------------------------------------------------------------------------
    def on_frames(self, frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        """queued_video_frames_callback: push the newest frame into the engine and give back the frame
        it finished, drawn (or nothing while its pipeline fills); the staler frames are dropped, so the
        backlog cannot grow."""
        newest = frames[-1]
        with self._lock:
            self._frames_in += len(frames)
            self._frames_dropped += len(frames) - 1
        try:
            with self._busy:
                if self._closed:
                    return [newest]
                engine = self._ensure_engine()
                done = engine.push(newest.to_ndarray(format="rgb24"), _time_s(newest))
                if done is None:
                    return []
        except Exception as exc:  # shown on the page as one line; the video keeps flowing
            with self._lock:
                self._error = str(exc) or type(exc).__name__
            return [newest]
        out = av.VideoFrame.from_ndarray(np.ascontiguousarray(done.annotated_rgb), format="rgb24")
        out.pts, out.time_base = _pts_at(done.t_s, newest), newest.time_base
        with self._lock:
            self._status = done.status
            self._frames_analysed += 1
        return [out]

    async def on_frames_async(self, frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        """The form streamlit-webrtc awaits; it runs on the component's own worker-thread loop."""
        return self.on_frames(frames)

    # -- page thread -----------------------------------------------------------------------------
    def snapshot(self) -> BridgeSnapshot:
        with self._lock:
            return BridgeSnapshot(
                self._status, self._frames_in, self._frames_analysed, self._frames_dropped, self._error
            )

    def result(self) -> AnalysisResult | None:
        """The offline analysis of everything recorded since the last reset."""
        engine = self._engine  # LiveAnalyzer.result() is thread-safe; do not stall the webcam thread
        return engine.result() if engine is not None else None

    def reset(self) -> None:
        engine = self._engine
        if engine is not None:
            engine.reset()
        with self._lock:
            self._status = None
            self._error = None
            self._frames_in = self._frames_analysed = self._frames_dropped = 0

    def close(self) -> None:
        """Release the model (waits for at most the frame being analysed); later frames pass through."""
        with self._busy, self._engine_lock:
            self._closed = True
            if (
                self._finalizer is not None
                and self._finalizer.detach() is not None
                and self._engine is not None
            ):
                self._engine.close()  # explicitly, on this thread; the finalizer will not run again
            self._engine = None


def _time_s(frame: av.VideoFrame) -> float:
    return float(frame.time) if frame.time is not None else 0.0


def _pts_at(t_s: float, like: av.VideoFrame) -> int | None:
    """The pts of camera time `t_s` (as `_time_s` gave it) in the time base of `like`, a frame of the
    same stream: the frame the engine gives back is an earlier one than the newest."""
    if like.pts is None or like.time_base is None:
        return like.pts
    return round(t_s / like.time_base)


def _release(engine: LiveEngine) -> None:
    """Close a dropped bridge's engine. A finalizer runs wherever the garbage collector happens to run,
    e.g. on a pose worker thread in the middle of a MediaPipe call; MediaPipe serialises its calls, so
    closing inline there deadlocks (seen in the test suite). Off the main thread, close on a thread of
    its own; on the main thread (and at exit, when no worker runs) close at once."""
    if threading.current_thread() is threading.main_thread():
        engine.close()
    else:
        threading.Thread(target=engine.close, name="flexcheck-live-release", daemon=True).start()
