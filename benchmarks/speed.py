"""Speed and memory of the full analysis next to a bare full-rate model loop, printed, not asserted.

    python benchmarks/speed.py [--quick] [--repeat N] [CLIP ...]

For each clip, in one run (so machine load hits both alike): `analyze_video` with the default
options (coarse to fine, two pose workers) and a bare loop (OpenCV decode + the same bundled
PoseLandmarker in VIDEO mode on every frame, one thread), each in its own child process so its peak
RSS is its own. Prints seconds, x real time, peak RSS and the ratio bare / project.

Without clip arguments: the SLR and sit-and-reach sample clips (960x540), a ~32 s 960x540 clip
made by looping the two-repetition SLR sample (short clips hide the coarse-to-fine gain), 1280x720
and 3840x2160 upscales of the SLR sample, and the cost of the annotated video on the 960x540 SLR
clip. `--quick` skips the 4K clip; `--repeat N` runs the project and the bare loop N times each,
alternately, on the given clips and the ~32 s one, and prints medians. Also prints the machine load (it distorts the absolute numbers,
much less the ratio).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision.video_io import H264Writer, iter_frames, probe_video  # noqa: E402

SLR = ROOT / "sample_videos" / "slr_left_near_slim_f.mp4"
SIT_REACH = ROOT / "sample_videos" / "sitreach_left_near_short_heavy_f.mp4"
LOOPED = ROOT / "sample_videos" / "slr_left_near_tworeps_m.mp4"


def upscale(src: Path, dst: Path, width: int, height: int) -> Path:
    import cv2

    meta = probe_video(src)
    with H264Writer(dst, fps=meta.fps, width=width, height=height) as writer:
        for frame in iter_frames(src):
            writer.write(cv2.resize(frame.rgb, (width, height), interpolation=cv2.INTER_LINEAR))
    return dst


def loop_clip(src: Path, dst: Path, min_s: float) -> Path:
    """`src` played again and again (continuous timestamps) until at least `min_s` long."""
    meta = probe_video(src)
    frames = [f.rgb for f in iter_frames(src)]
    n_loops = max(1, int(-(-min_s // meta.duration_s)))
    with H264Writer(dst, fps=meta.fps, width=meta.width, height=meta.height) as writer:
        for _ in range(n_loops):
            for rgb in frames:
                writer.write(rgb)
    return dst


def test_of(clip: Path) -> str:
    sidecar = clip.with_suffix(".json")
    if sidecar.exists():
        return str(json.loads(sidecar.read_text()).get("test", "slr"))
    return "sit-reach" if "sit" in clip.name else "slr"


# -- the two measured loops (each runs in a child process) ------------------------------------------


def project(clip: Path, test: str, annotated: Path | None) -> dict[str, float]:
    from analysis.pipeline import AnalysisOptions, analyze_video

    start = time.perf_counter()
    result = analyze_video(clip, AnalysisOptions(test=test, annotated_path=annotated))  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    analysed = result.sampling.frames_analysed if result.sampling else result.video.frames
    return {"seconds": seconds, "frames_analysed": analysed}


def bare(clip: Path) -> dict[str, float]:
    """OpenCV decode + the bundled PoseLandmarker (VIDEO mode) on every frame, nothing else."""
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import vision as mpv
    from mediapipe.tasks.python.core.base_options import BaseOptions

    from vision.pose import DEFAULT_POSE_MODEL

    options = mpv.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(DEFAULT_POSE_MODEL)), running_mode=mpv.RunningMode.VIDEO
    )
    start = time.perf_counter()
    n = 0
    with mpv.PoseLandmarker.create_from_options(options) as landmarker:
        cap = cv2.VideoCapture(str(clip))
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            landmarker.detect_for_video(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), round(n * 1000 / fps)
            )
            n += 1
        cap.release()
    return {"seconds": time.perf_counter() - start, "frames_analysed": n}


def child(kind: str, clip: Path, annotated: Path | None) -> None:
    r = bare(clip) if kind == "bare" else project(clip, test_of(clip), annotated)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # VmHWM, not ru_maxrss: on Linux ru_maxrss carries the parent's peak over fork + exec, so a child
    # started after this script had made the long and upscaled clips read the parent's ~480 MB.
    hwm = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    r["peak_rss_mb"] = int(hwm.group(1)) / 1024 if hwm else usage.ru_maxrss / 1024
    r["cpu_s"] = usage.ru_utime + usage.ru_stime  # whole child, model loading included
    print("RESULT " + json.dumps(r), flush=True)


def measure(kind: str, clip: Path, annotated: Path | None = None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", kind, str(clip)]
    if annotated is not None:
        cmd += ["--annotated", str(annotated)]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, env={**os.environ, "GLOG_minloglevel": "2"}
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT ") :]))


# -- report ---------------------------------------------------------------------------------------


def report_clip(clip: Path, label: str, repeat: int = 1) -> None:
    """Project and bare loop `repeat` times each, alternately; medians of the seconds and of the
    per-pair ratios (this VM's bare loop alone varies by up to 25% from run to run)."""
    meta = probe_video(clip)
    pairs = [(measure("project", clip), measure("bare", clip)) for _ in range(max(1, repeat))]
    p = {k: float(np.median([pp[k] for pp, _ in pairs])) for k in pairs[0][0]}
    b = {k: float(np.median([bb[k] for _, bb in pairs])) for k in pairs[0][1]}
    ratio = float(np.median([bb["seconds"] / pp["seconds"] for pp, bb in pairs]))
    size = f"{meta.width}x{meta.height}"
    print(
        f"{label:<26} {size:>9} {meta.duration_s:>5.1f} {p['seconds']:>7.1f} {meta.duration_s / p['seconds']:>5.2f}x "
        f"{p['frames_analysed']:>5.0f}/{meta.n_frames:<5} {p['peak_rss_mb']:>6.0f} {b['seconds']:>7.1f} "
        f"{meta.duration_s / b['seconds']:>5.2f}x {b['peak_rss_mb']:>6.0f} {ratio:>6.2f}x "
        f"{p['cpu_s']:>6.1f} {b['cpu_s']:>6.1f}",
        flush=True,
    )
    if len(pairs) > 1:
        print(
            f"{'':<26} ratios of the {len(pairs)} pairs: "
            + ", ".join(f"{bb['seconds'] / pp['seconds']:.2f}x" for pp, bb in pairs)
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("clips", nargs="*", type=Path)
    parser.add_argument("--quick", action="store_true", help="skip the 4K clip")
    parser.add_argument(
        "--repeat", type=int, default=1, help="project and bare loop N times each, alternately: medians"
    )
    parser.add_argument("--child", choices=["project", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--annotated", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.clips[0], args.annotated)
        return
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        print(
            f"{'clip':<26} {'size':>9} {'len s':>5} {'proj s':>7} {'xRT':>6} {'analysed':>11} {'RSS MB':>6} "
            f"{'bare s':>7} {'xRT':>6} {'RSS MB':>6} {'ratio':>7} {'CPU s proj/bare':>13}"
        )
        if args.clips:
            for clip in args.clips:
                report_clip(clip, clip.stem[:26], args.repeat)
        else:
            report_clip(SLR, "SLR sample")
            report_clip(SIT_REACH, "sit-and-reach sample")
            report_clip(loop_clip(LOOPED, tmp / "slr_looped_32s.mp4", 30.0), "SLR looped ~32 s", args.repeat)
            report_clip(upscale(SLR, tmp / "slr_1280x720.mp4", 1280, 720), "SLR 1280x720")
            if not args.quick:
                report_clip(upscale(SLR, tmp / "slr_3840x2160.mp4", 3840, 2160), "SLR 3840x2160")
            plain = measure("project", SLR)
            drawn = measure("project", SLR, annotated=tmp / "annotated.mp4")
            extra = drawn["seconds"] - plain["seconds"]
            print(
                f"\nannotated video (SLR sample, {probe_video(SLR).duration_s:.1f} s): analysis {plain['seconds']:.1f} s, "
                f"with the annotated video {drawn['seconds']:.1f} s (+{extra:.1f} s, peak RSS {drawn['peak_rss_mb']:.0f} MB)"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
