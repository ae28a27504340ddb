"""Throughput of the full analysis (decode + pose + measures), printed, not asserted.

    python benchmarks/speed.py [CLIP ...]

Without arguments it times the SLR and sit-and-reach sample clips at their size (960x540) and a
1280x720 upscale of the first one. Prints analysed frames per second and x real time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.pipeline import AnalysisOptions, analyze_video  # noqa: E402
from vision.video_io import H264Writer, iter_frames, probe_video  # noqa: E402


def upscale(src: Path, dst: Path, width: int, height: int) -> Path:
    import cv2

    meta = probe_video(src)
    with H264Writer(dst, fps=meta.fps, width=width, height=height) as writer:
        for frame in iter_frames(src):
            writer.write(cv2.resize(frame.rgb, (width, height), interpolation=cv2.INTER_LINEAR))
    return dst


def test_of(clip: Path) -> str:
    sidecar = clip.with_suffix(".json")
    if sidecar.exists():
        return str(json.loads(sidecar.read_text()).get("test", "slr"))
    return "sit-reach" if "sit" in clip.name or clip.name.startswith("sr") else "slr"


def time_clip(clip: Path, test: str) -> dict[str, float]:
    meta = probe_video(clip)
    start = time.perf_counter()
    result = analyze_video(clip, AnalysisOptions(test=test))  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    frames = result.video.frames
    return {
        "frames": frames,
        "seconds": elapsed,
        "fps": frames / elapsed,
        "x_real_time": meta.duration_s / elapsed,
        "width": meta.width,
        "height": meta.height,
    }


def default_clips(tmp: Path) -> list[Path]:
    samples = sorted((ROOT / "sample_videos").glob("*.mp4"))
    slr = next((p for p in samples if test_of(p) == "slr" and probe_video(p).width == 960), None)
    sr = next((p for p in samples if test_of(p) == "sit-reach" and probe_video(p).width == 960), None)
    clips = [p for p in (slr, sr) if p is not None]
    if slr is not None:
        clips.append(upscale(slr, tmp / f"{slr.stem}_1280x720.mp4", 1280, 720))
    return clips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("clips", nargs="*", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clips = args.clips or default_clips(Path(tmp))
        print(f"{'clip':<44} {'size':>9} {'frames':>6} {'s':>6} {'fps':>6} {'x real time':>11}")
        for clip in clips:
            r = time_clip(clip, test_of(clip))
            size = f"{r['width']:.0f}x{r['height']:.0f}"
            print(
                f"{clip.name:<44} {size:>9} {r['frames']:>6.0f} {r['seconds']:>6.1f} {r['fps']:>6.1f} "
                f"{r['x_real_time']:>10.2f}x"
            )


if __name__ == "__main__":
    main()
