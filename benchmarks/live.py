"""Live (webcam) throughput and latency of the Record page's path, printed, not asserted.

    python benchmarks/live.py [--seconds 60] [--clip sample_videos/slr_left_near_slim_f.mp4] [--model PATH]
                              [--trackers 2] [--people-every S] [--reanalyse-every S]

A camera thread produces 640x480 frames at 30 fps on a real clock (a sample clip, cropped to 4:3
and looped) into a queue; a second thread plays streamlit-webrtc: it takes every frame that queued
up and hands the list to `ui.live_bridge.LiveBridge.on_frames` (which pushes the newest into the
pipelined engine, drops the rest, and gives back the frame the engine finished), exactly as the
Record page does. Prints processed fps, p50/p95 latency from a frame's arrival to its own overlay
coming back (matched by the frame's pts), and the backlog (frames waiting when a call starts, and
frames dropped) per 10 s, so a growing backlog shows.
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.live import LiveAnalyzer, LiveConfig  # noqa: E402
from ui.live_bridge import LiveBridge  # noqa: E402
from vision.video_io import iter_frames  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 480, 30.0


def camera_frames(clip: Path) -> list[np.ndarray]:
    """The clip's frames as a 640x480 webcam would give them (centre crop to 4:3, then scaled)."""
    import cv2

    out = []
    for frame in iter_frames(clip):
        h, w = frame.rgb.shape[:2]
        crop_w = min(w, round(h * 4 / 3))
        x0 = (w - crop_w) // 2
        out.append(cv2.resize(frame.rgb[:, x0 : x0 + crop_w], (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA))
    return out


def run(clip: Path, seconds: float, test: str, model: Path | None, config: LiveConfig) -> dict[str, float]:
    images = camera_frames(clip)
    bridge = LiveBridge(lambda: LiveAnalyzer(test, model_path=model, config=config))  # type: ignore[arg-type]
    bridge._ensure_engine()  # load the model before the clock starts, as warm_up() does on the page
    q: queue.Queue[tuple[float, av.VideoFrame]] = queue.Queue()
    arrived_s: dict[int, float] = {}  # pts -> when the camera delivered the frame
    stop = threading.Event()
    latencies_ms: list[tuple[float, float]] = []  # (time since start, latency)
    waiting: list[tuple[float, int]] = []  # (time since start, frames waiting at the call)
    t0 = time.perf_counter()

    def camera() -> None:
        k = 0
        while not stop.is_set():
            due = t0 + k / FPS
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            vf = av.VideoFrame.from_ndarray(images[k % len(images)], format="rgb24")
            vf.pts, vf.time_base = k, Fraction(1, 30)
            arrived_s[k] = time.perf_counter()
            q.put((arrived_s[k], vf))
            k += 1
            if time.perf_counter() - t0 >= seconds:
                stop.set()

    def webrtc_worker() -> None:
        while not (stop.is_set() and q.empty()):
            try:
                first = q.get(timeout=0.1)
            except queue.Empty:
                continue
            batch = [first]
            while True:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            now = time.perf_counter()
            waiting.append((now - t0, len(batch)))
            given_back = bridge.on_frames([vf for _, vf in batch])
            done = time.perf_counter()
            for vf in given_back:
                if vf.pts is not None and vf.pts in arrived_s:
                    latencies_ms.append((done - t0, (done - arrived_s[vf.pts]) * 1000.0))

    threads = [threading.Thread(target=camera), threading.Thread(target=webrtc_worker)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    snap = bridge.snapshot()
    bridge.close()
    lat = np.array([x for _, x in latencies_ms])
    print(f"{'window':>10} {'fps':>6} {'p50 ms':>7} {'p95 ms':>7} {'waiting/call':>12}")
    for start in np.arange(0.0, elapsed, 10.0):
        sel = [x for t, x in latencies_ms if start <= t < start + 10]
        wait = [n for t, n in waiting if start <= t < start + 10]
        span = min(10.0, elapsed - start)
        if sel:
            print(
                f"{start:>4.0f}-{start + span:<5.0f} {len(sel) / span:>6.1f} {np.percentile(sel, 50):>7.1f} "
                f"{np.percentile(sel, 95):>7.1f} {np.mean(wait):>12.2f}"
            )
    if snap.error:
        print("error:", snap.error)
    return {
        "seconds": elapsed,
        "frames_in": snap.frames_in,
        "processed_fps": snap.frames_analysed / elapsed,
        "dropped": snap.frames_dropped,
        "p50_ms": float(np.percentile(lat, 50)) if lat.size else float("nan"),
        "p95_ms": float(np.percentile(lat, 95)) if lat.size else float("nan"),
        "max_waiting": float(max((n for _, n in waiting), default=0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clip", type=Path, default=ROOT / "sample_videos" / "slr_left_near_slim_f.mp4")
    parser.add_argument("--test", default="slr", choices=["slr", "sit-reach"])
    parser.add_argument("--model", type=Path, default=None, help="another pose .task (default: bundled full)")
    parser.add_argument(
        "--trackers", type=int, default=LiveConfig().trackers, help="pose trackers taking frames in turn"
    )
    parser.add_argument(
        "--people-every",
        type=float,
        default=LiveConfig().people_count_every_s,
        help="seconds between people counts (a large number: only the first frame's)",
    )
    parser.add_argument(
        "--reanalyse-every",
        type=float,
        default=LiveConfig().reanalyse_every_s,
        help="seconds between re-analyses for the captured peak (a large number: none)",
    )
    args = parser.parse_args()
    config = LiveConfig(
        trackers=args.trackers,
        people_count_every_s=args.people_every,
        reanalyse_every_s=args.reanalyse_every,
    )
    r = run(args.clip, args.seconds, args.test, args.model, config)
    print(
        f"\n{r['frames_in']} frames in over {r['seconds']:.1f} s at {FPS:.0f} fps: processed {r['processed_fps']:.1f} fps, "
        f"dropped {r['dropped']}, latency p50 {r['p50_ms']:.0f} ms p95 {r['p95_ms']:.0f} ms, "
        f"most frames waiting at one call {r['max_waiting']:.0f}"
    )


if __name__ == "__main__":
    main()
