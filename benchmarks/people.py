"""Second-person detection: how often each approach finds the other person, per sampled frame.

    python benchmarks/people.py [CLIP ...]

Default clips: the two-person renders in tests/clips/people (the sidecar's `conditions.other_people`
says how many others are in view) and single-person clips as the negative control (any "other"
found there is a false alarm). Frames are sampled once per second, as the estimator does; the
tracked person's landmarks come from the real tracker.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision.people import PeopleConfig, find_others  # noqa: E402
from vision.pose import DEFAULT_POSE_MODEL, _mp, create_estimator, quiet_native_stderr  # noqa: E402
from vision.video_io import iter_frames  # noqa: E402

APPROACHES = {  # name -> (detection threshold, second pass on the painted frame)
    "frame@0.5": (0.5, False),
    "frame@0.3": (0.3, False),
    "frame+painted@0.5": (0.5, True),
    "frame+painted@0.3": (0.3, True),
}
DEFAULT_CLIPS = [
    *sorted((ROOT / "tests" / "clips" / "people").glob("*.mp4")),
    *sorted((ROOT / "tests" / "clips" / "knee").glob("knee2*.mp4")),
    *sorted((ROOT / "sample_videos").glob("sitreach_*.mp4")),
]


def _detector(threshold: float) -> Any:
    _, mpv, base_options = _mp()
    with quiet_native_stderr():
        return mpv.PoseLandmarker.create_from_options(
            mpv.PoseLandmarkerOptions(
                base_options=base_options(model_asset_path=str(DEFAULT_POSE_MODEL)),
                running_mode=mpv.RunningMode.IMAGE,
                num_poses=3,
                min_pose_detection_confidence=threshold,
                min_pose_presence_confidence=threshold,
            )
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("clips", nargs="*", type=Path, default=DEFAULT_CLIPS)
    args = ap.parse_args(argv)
    mp, _, _ = _mp()
    detectors = {t: _detector(t) for t in {t for t, _ in APPROACHES.values()}}

    def detect_with(threshold: float) -> Callable[[np.ndarray], list[np.ndarray]]:
        def detect(rgb: np.ndarray) -> list[np.ndarray]:
            h, w = rgb.shape[:2]
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
            found = detectors[threshold].detect(image).pose_landmarks
            return [np.array([[p.x * w, p.y * h] for p in lms]) for lms in found]

        return detect

    print(f"{'clip':40s} others " + " ".join(f"{a:>18s}" for a in APPROACHES))
    for clip in args.clips:
        truth = json.loads(clip.with_suffix(".json").read_text())
        step = max(1, round(truth["fps"]))
        hits = {a: 0 for a in APPROACHES}
        n = 0
        with create_estimator() as est:
            for frame in iter_frames(clip):
                pose = est.estimate(frame.rgb, frame.t_s)
                if frame.index % step:
                    continue
                n += 1
                main = pose.image_xy_px if pose.found else None
                for a, (threshold, painted) in APPROACHES.items():
                    cfg = PeopleConfig(masked_pass=painted)
                    hits[a] += find_others(frame.rgb, main, detect_with(threshold), cfg).n_others >= 1
        others = truth["conditions"].get("other_people", 0)
        print(f"{clip.stem:40s} {others:6d} " + " ".join(f"{f'{hits[a]}/{n}':>18s}" for a in APPROACHES))
    with quiet_native_stderr():
        for detector in detectors.values():
            detector.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
