"""The static yaw cue, pair by pair, against the renders' true camera yaw; and the slopes it implies.

    python benchmarks/static_cue.py [FOLDER ...]   (default: benchmarks/clips/camera_calib)

For every synthetic clip (`<clip>.mp4` + `<clip>.json` with `conditions.camera_yaw_deg`) the pose model
runs as in the engine, and for each far/near pair (hip, shoulder, knee, ankle) the far point's shift
toward the feet (leg lengths, minus MediaPipe's side-on offset `analysis.camera.STATIC_BIAS`) is
printed with its ratio to tan(true yaw). Per test and direction (camera toward the feet / the head) the
least-squares slope through 0 of shift on tan(yaw) is what `analysis.camera.WIDTH_PER_LEG` should hold;
the current values are printed beside it. SLR uses its resting frames, as the engine does. Fit on the
calibration renders, check on tests/clips/camera.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # allow `python benchmarks/static_cue.py` from anywhere
    sys.path.insert(0, str(ROOT))

from analysis import camera as cam  # noqa: E402
from analysis.estimate import SamplingConfig, estimate_clip  # noqa: E402
from analysis.measures import measure_slr  # noqa: E402
from analysis.pipeline import AnalysisOptions, analyze_landmarks, video_info  # noqa: E402
from vision.landmarks import LandmarkSeries  # noqa: E402
from vision.video_io import probe_video  # noqa: E402

DEFAULT_FOLDER = ROOT / "benchmarks" / "clips" / "camera_calib"
PAIR_NAMES = ("hip", "shoulder", "knee", "ankle")
MIN_FIT_YAW_DEG = 3.0  # renders closer to side-on carry no slope information


def landmarks(video: Path, test: str) -> LandmarkSeries:
    """The engine's landmarks of one clip (its coarse-to-fine sampling included)."""
    meta = probe_video(video)
    options = AnalysisOptions(test=test)  # type: ignore[arg-type]
    info = video_info(meta, meta.n_frames)
    est = estimate_clip(
        video, meta, options.test, SamplingConfig(), lambda lms: analyze_landmarks(lms, info, options)
    )
    return est.landmarks


def still_frames(lms: LandmarkSeries, test: str) -> np.ndarray | None:
    """SLR: the resting frames (as analysis.pipeline passes them); sit-and-reach: every frame."""
    if test != "slr":
        return None
    angle = measure_slr(lms, "auto").angle_deg
    return np.abs(np.nan_to_num(angle, nan=np.inf)) < cam.SLR_REST_DEG


def pair_medians(lms: LandmarkSeries, test: str) -> list[float]:
    shifts = cam.far_side_shifts(lms, test, still_frames(lms, test))
    if shifts is None:
        return [math.nan] * len(PAIR_NAMES)
    per_pair, _ = shifts
    out = [float(np.nanmedian(s)) if np.any(np.isfinite(s)) else math.nan for s in per_pair]
    return out + [math.nan] * (len(PAIR_NAMES) - len(out))


def fit_slopes(rows: list[tuple[float, list[float]]]) -> list[float]:
    """Least-squares slope through 0 of each pair's shift on tan(yaw)."""
    tan = np.tan(np.radians([y for y, _ in rows]))
    shifts = np.array([s for _, s in rows])
    out = []
    for k in range(shifts.shape[1]):
        ok = np.isfinite(shifts[:, k])
        out.append(float(np.sum(shifts[ok, k] * tan[ok]) / np.sum(tan[ok] ** 2)) if np.any(ok) else math.nan)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="The static yaw cue pair by pair against the true yaw.")
    ap.add_argument("folders", nargs="*", type=Path, default=[DEFAULT_FOLDER])
    args = ap.parse_args(argv)
    rows: dict[tuple[str, str], list[tuple[float, list[float]]]] = {}
    print(
        f"{'clip':40} {'yaw':>5} {'static':>7}  shift - bias (ratio to tan(yaw)) per pair: "
        + " ".join(PAIR_NAMES)
    )
    for folder in args.folders:
        for sidecar in sorted(Path(folder).glob("*.json")):
            video = sidecar.with_suffix(".mp4")
            data = json.loads(sidecar.read_text())
            yaw = data.get("conditions", {}).get("camera_yaw_deg")
            if not video.exists() or yaw is None or data.get("test") not in cam.WIDTH_PER_LEG:
                continue
            test = str(data["test"])
            lms = landmarks(video, test)
            med = pair_medians(lms, test)
            static = cam.static_yaw_deg(lms, test, still_frames(lms, test))
            tan = math.tan(math.radians(float(yaw)))
            cells = " ".join(
                f"{m:+.3f} ({m / tan:+.2f})" if abs(float(yaw)) >= MIN_FIT_YAW_DEG else f"{m:+.3f}"
                for m in med
            )
            print(
                f"{sidecar.stem[:40]:40} {float(yaw):+5.0f} {static if static is not None else math.nan:+7.1f}  {cells}"
            )
            if abs(float(yaw)) >= MIN_FIT_YAW_DEG:
                rows.setdefault((test, "feet" if yaw > 0 else "head"), []).append((float(yaw), med))
    print()
    for (test, where), group in sorted(rows.items()):
        fitted = fit_slopes(group)
        current = cam.WIDTH_PER_LEG[test][0 if where == "feet" else 1]
        print(
            f"{test:9} toward the {where:4} ({len(group)} clips): fitted "
            + " ".join(f"{k:.3f}" for k in fitted)
            + "   current "
            + " ".join(f"{k:.3f}" for k in current)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
