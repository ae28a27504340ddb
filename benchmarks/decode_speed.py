"""Decode / draw / encode throughput of vision.video_io and vision.annotate, printed, not asserted.

    python benchmarks/decode_speed.py [--frames 300] [--consumer-ms 0]

Generates 960x540 and 1280x720 30 fps H.264 clips with moving texture, then prints frames per second for:
plain single-thread PyAV decode to RGB (baseline), the threaded `iter_frames`, `iter_frames` with a
consumer that spends --consumer-ms per frame (stands in for pose inference: shows the overlap),
`draw_overlay`, and `H264Writer`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision.annotate import Overlay, draw_overlay  # noqa: E402
from vision.landmarks import N_LANDMARKS, POSE_EDGES, PoseFrame  # noqa: E402
from vision.video_io import H264Writer, iter_frames  # noqa: E402


def textured_frame(i: int, width: int, height: int, noise: np.ndarray) -> np.ndarray:
    """A moving gradient with noise: compresses like camera footage rather than a flat colour."""
    x = np.linspace(0, 4 * np.pi, width)[None, :] + i * 0.05
    y = np.linspace(0, 2 * np.pi, height)[:, None]
    base = (127 + 60 * np.sin(x) * np.cos(y)).astype(np.uint8)
    img = np.repeat(base[..., None], 3, axis=2)
    shift = (i * 7) % noise.shape[0]
    return np.clip(img.astype(np.int16) + np.roll(noise, shift, axis=0)[:height, :width], 0, 255).astype(
        np.uint8
    )


def make_clip(path: Path, width: int, height: int, n_frames: int) -> float:
    """Write the clip; returns encode fps of H264Writer."""
    rng = np.random.default_rng(0)
    noise = rng.integers(-20, 21, (height, width, 3), dtype=np.int16)
    frames = [textured_frame(i, width, height, noise) for i in range(min(n_frames, 60))]
    start = time.perf_counter()
    with H264Writer(path, fps=30.0, width=width, height=height) as writer:
        for i in range(n_frames):
            writer.write(frames[i % len(frames)])
    return n_frames / (time.perf_counter() - start)


def plain_decode_fps(path: Path) -> float:
    start = time.perf_counter()
    n = 0
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            frame.to_ndarray(format="rgb24")
            n += 1
    return n / (time.perf_counter() - start)


def iter_frames_fps(path: Path, consumer_ms: float = 0.0, max_side_px: int | None = None) -> float:
    start = time.perf_counter()
    n = 0
    for _ in iter_frames(path, max_side_px=max_side_px):
        if consumer_ms > 0:
            busy_until = time.perf_counter() + consumer_ms / 1000.0
            while time.perf_counter() < busy_until:  # CPU-bound like inference, not a sleep
                pass
        n += 1
    return n / (time.perf_counter() - start)


def draw_fps(width: int, height: int, n: int = 100) -> float:
    rng = np.random.default_rng(1)
    img = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    xy = np.column_stack(
        [rng.uniform(0.2, 0.8, N_LANDMARKS) * width, rng.uniform(0.2, 0.8, N_LANDMARKS) * height]
    )
    pose = PoseFrame(0.0, xy, np.zeros((N_LANDMARKS, 3)), np.ones(N_LANDMARKS), 1)
    a, b = POSE_EDGES[8]
    overlay = Overlay(
        angle_deg=65.0,
        vertex_xy_px=xy[a],
        arm_a_xy_px=xy[a] + np.array([200.0, 0.0]),
        arm_b_xy_px=xy[b],
        label="SLR 65 deg",
        hud_lines=["t 1.0 s", "SLR (left)", "knee bend 4 deg", "best 66 deg"],
        status=[("person", True), ("knee straight", True), ("side-on", None)],
    )
    start = time.perf_counter()
    for _ in range(n):
        draw_overlay(img, pose, overlay)
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--consumer-ms", type=float, default=25.0, help="simulated per-frame inference time")
    args = ap.parse_args()
    print(f"PyAV {av.__version__}; {args.frames} frames per clip; consumer {args.consumer_ms:.0f} ms/frame")
    header = f"{'size':>10} {'encode':>8} {'plain':>8} {'iter':>8} {'iter+cons':>10} {'ideal':>7} {'iter<=960':>9} {'draw':>7}"
    print(header + "   (frames per second)")
    with tempfile.TemporaryDirectory() as tmp:
        for width, height in ((960, 540), (1280, 720)):
            clip = Path(tmp) / f"clip_{width}x{height}.mp4"
            enc = make_clip(clip, width, height, args.frames)
            plain = plain_decode_fps(clip)
            threaded = iter_frames_fps(clip)
            with_consumer = iter_frames_fps(clip, args.consumer_ms)
            ideal = 1000.0 / args.consumer_ms if args.consumer_ms > 0 else float("inf")
            scaled = iter_frames_fps(clip, max_side_px=960)
            drawn = draw_fps(width, height)
            print(
                f"{width}x{height:<5} {enc:8.0f} {plain:8.0f} {threaded:8.0f} {with_consumer:10.1f} "
                f"{ideal:7.1f} {scaled:9.0f} {drawn:7.0f}"
            )
    print("iter+cons close to ideal = decoding is hidden behind the consumer (threads overlap).")


if __name__ == "__main__":
    main()
