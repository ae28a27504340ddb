"""Live (webcam) throughput and latency of the Record page's path, printed, not asserted.

    python benchmarks/live.py [--seconds 60] [--clip sample_videos/slr_left_near_slim_f.mp4] [--model PATH]
                              [--trackers 2] [--people-every S] [--reanalyse-every S] [--hands-nice N]
    python benchmarks/live.py --replay [--repeat 3] [clips...]   # the captured result vs ground truth

A camera thread produces 640x480 frames at 30 fps on a real clock (a sample clip, cropped to 4:3
and looped) into a queue; a second thread plays streamlit-webrtc: it takes every frame that queued
up and hands the list to `ui.live_bridge.LiveBridge.on_frames` (which pushes the newest into the
pipelined engine, drops the rest, and gives back the frame the engine finished), exactly as the
Record page does. Prints processed fps, p50/p95 latency from a frame's arrival to its own overlay
coming back (matched by the frame's pts), and the backlog (frames waiting when a call starts, and
frames dropped) per 10 s, so a growing backlog shows.

`--replay` plays each sit-and-reach sample clip (default: every `sample_videos/sitreach_*.mp4`) once,
at its own size, at 30 fps on the real clock through the same bridge, with the height from its
ground-truth JSON, and prints the captured result (`LiveAnalyzer.result()`, the offline stages on the
recorded frames) against the truth: hip angle and reach at the peak, and the share of recorded frames
that carry hand-model fingertips.
"""

from __future__ import annotations

import argparse
import json
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
from analysis.result import AnalysisResult  # noqa: E402
from ui.live_bridge import LiveBridge  # noqa: E402
from vision.landmarks import PoseFrame  # noqa: E402
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
    engines: list[LiveAnalyzer] = []

    def make() -> LiveAnalyzer:
        engines.append(LiveAnalyzer(test, model_path=model, config=config))  # type: ignore[arg-type]
        return engines[-1]

    bridge = LiveBridge(make)
    try:
        r = play(images, seconds, bridge, loop=True)
        r["tips_share"] = fingertip_share(engines[0].recorded_frames())
    finally:
        bridge.close()
    return r


def fingertip_share(frames: list[PoseFrame]) -> float:
    """The share of recorded frames with a pose that carry hand-model fingertips."""
    found = [f for f in frames if f.found]
    return sum(1 for f in found if f.fingertip_xy_px) / max(len(found), 1)


def play(images: list[np.ndarray], seconds: float, bridge: LiveBridge, loop: bool) -> dict[str, float]:
    """Feed `images` at 30 fps on the real clock (looped for `seconds`, or once) through `bridge`."""
    if not loop:
        seconds = len(images) / FPS
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
            if time.perf_counter() - t0 >= seconds or (not loop and k == len(images)):
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


def replay(clip: Path, config: LiveConfig, model: Path | None) -> dict[str, float]:
    """One real-time play of a clip (either test) through the live path: its captured result vs truth."""
    truth = json.loads(clip.with_suffix(".json").read_text())
    test = truth["test"]
    images = [f.rgb for f in iter_frames(clip)]
    engines: list[LiveAnalyzer] = []

    def make() -> LiveAnalyzer:
        engines.append(LiveAnalyzer(test, height_cm=truth.get("height_cm"), model_path=model, config=config))
        return engines[-1]

    bridge = LiveBridge(make)
    at_capture: dict[str, object] = {}
    done = threading.Event()

    def page() -> None:
        """As the Record page: poll the status, and take `result()` (timed) at the first capture."""
        while not done.is_set():
            snap = bridge.snapshot()
            if snap.status is not None and snap.status.captured:
                t0 = time.perf_counter()
                at_capture["result"] = bridge.result()
                at_capture["took_s"] = time.perf_counter() - t0
                at_capture["t_s"] = snap.status.t_s
                return
            time.sleep(0.1)

    poller = threading.Thread(target=page)
    poller.start()
    try:
        timing = play(images, 0.0, bridge, loop=False)
        done.set()
        poller.join()
        frames = engines[0].recorded_frames()
        t0 = time.perf_counter()
        result = engines[0].result()
        end_took_s = time.perf_counter() - t0
    finally:
        done.set()
        bridge.close()
    angle, reach = _peak(result)
    cap = at_capture.get("result")
    cap_angle, cap_reach = _peak(cap if isinstance(cap, AnalysisResult) else None)
    window_s = config.full_rerun_window_s
    return {
        "angle_err_deg": angle - truth["peak"]["angle_deg"],
        "reach_err_cm": reach - truth["peak"]["reach_cm"] if test == "sit-reach" else float("nan"),
        "end_result_s": end_took_s,
        "end_peak_in_window": float(
            result is not None
            and result.peak_s is not None
            and bool(frames)
            and frames[-1].t_s - result.peak_s <= window_s
        ),
        "capture_t_s": float(at_capture.get("t_s", float("nan"))),  # type: ignore[arg-type]
        "capture_result_s": float(at_capture.get("took_s", float("nan"))),  # type: ignore[arg-type]
        "capture_angle_err_deg": cap_angle - truth["peak"]["angle_deg"],
        "capture_reach_err_cm": cap_reach - truth["peak"]["reach_cm"]
        if test == "sit-reach"
        else float("nan"),
        # Was the captured peak in the span the full model re-ran (the last window_s before capture)?
        "capture_peak_in_window": float(
            isinstance(cap, AnalysisResult)
            and cap.peak_s is not None
            and float(at_capture["t_s"]) - cap.peak_s <= window_s  # type: ignore[arg-type]
        ),
        "valid": float(result is not None and result.valid),
        "tips_share": fingertip_share(frames),
        "recorded": float(len(frames)),
        "p95_ms": timing["p95_ms"],
    }


def _peak(result: AnalysisResult | None) -> tuple[float, float]:
    """(angle, reach) at the result's peak, NaN where there is none."""
    angle = result.angle_deg if result is not None and result.angle_deg is not None else float("nan")
    reach = result.reach_cm if result is not None and result.reach_cm is not None else float("nan")
    return angle, reach


def main_replay(clips: list[Path], repeat: int, config: LiveConfig, model: Path | None) -> None:
    print(
        f"{'clip':<40} {'run':>3} {'frames':>6} {'tips':>5} {'valid':>5} {'angle err':>9} {'reach err':>9} {'p95 ms':>6}"
    )
    for clip in clips:
        rows = []
        for k in range(repeat):
            r = replay(clip, config, model)
            rows.append(r)
            print(
                f"{clip.name:<40} {k + 1:>3} {r['recorded']:>6.0f} {r['tips_share']:>5.2f} {r['valid']:>5.0f} "
                f"{r['angle_err_deg']:>+9.2f} {r['reach_err_cm']:>+9.2f} {r['p95_ms']:>6.0f}"
            )
            print(
                f"{'':<40}     result() at the end {r['end_result_s']:.2f} s (peak in the full-model window {r['end_peak_in_window']:.0f}); at capture (t {r['capture_t_s']:.2f} s) "
                f"angle err {r['capture_angle_err_deg']:+.2f} reach err {r['capture_reach_err_cm']:+.2f}, "
                f"peak in the full-model window {r['capture_peak_in_window']:.0f}, result() {r['capture_result_s']:.2f} s"
            )
        a = np.array([r["angle_err_deg"] for r in rows])
        c = np.array([r["reach_err_cm"] for r in rows])
        print(
            f"{clip.name:<40} mean angle err {np.mean(a):+.2f} deg (range {a.min():+.2f}..{a.max():+.2f}), "
            f"reach err {np.mean(c):+.2f} cm (range {c.min():+.2f}..{c.max():+.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--replay", action="store_true", help="captured result vs truth (default: the sit-and-reach samples)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="--replay: plays per clip")
    parser.add_argument("clips", nargs="*", type=Path, help="--replay: clips with a ground-truth JSON beside")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clip", type=Path, default=ROOT / "sample_videos" / "slr_left_near_slim_f.mp4")
    parser.add_argument("--test", default="slr", choices=["slr", "sit-reach"])
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="another pose .task (default: the Record page's, the lite model; sit-and-reach re-runs the full one on the captured window)",
    )
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
    parser.add_argument(
        "--hands-nice",
        type=int,
        default=LiveConfig().hands_nice,
        help="sit-and-reach: CPU priority steps of the hand model's thread below the frame path",
    )
    parser.add_argument(
        "--hands-every",
        type=float,
        default=LiveConfig().hands_every_s,
        help="sit-and-reach: seconds between hand jobs at most (0: whenever the hand model is free)",
    )
    parser.add_argument(
        "--full-window",
        type=float,
        default=LiveConfig().full_rerun_window_s,
        help="sit-and-reach on the lite tracker: seconds re-run on the full models by result() (0: none)",
    )
    args = parser.parse_args()
    config = LiveConfig(
        full_rerun_window_s=args.full_window,
        trackers=args.trackers,
        people_count_every_s=args.people_every,
        reanalyse_every_s=args.reanalyse_every,
        hands_nice=args.hands_nice,
        hands_every_s=args.hands_every,
    )
    if args.replay:
        clips = args.clips or sorted((ROOT / "sample_videos").glob("sitreach_*.mp4"))
        main_replay(clips, args.repeat, config, args.model)
        return
    r = run(args.clip, args.seconds, args.test, args.model, config)
    print(
        f"\n{r['frames_in']} frames in over {r['seconds']:.1f} s at {FPS:.0f} fps: processed {r['processed_fps']:.1f} fps, "
        f"dropped {r['dropped']}, latency p50 {r['p50_ms']:.0f} ms p95 {r['p95_ms']:.0f} ms, "
        f"most frames waiting at one call {r['max_waiting']:.0f}"
        + (f", recorded frames with fingertips {r['tips_share']:.2f}" if args.test == "sit-reach" else "")
    )


if __name__ == "__main__":
    main()
