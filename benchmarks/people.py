"""Second-person detection: how often each approach finds the other person, per sampled frame.

    python benchmarks/people.py [--all] [CLIP ...]

Default clips: the two-person renders in tests/clips/people (the sidecar's `conditions.other_people`
says how many others are in view) and single-person clips as the negative control (any "other"
found there is a false alarm). `--all` adds every single-person clip the project holds (sample_videos,
tests/clips/camera and knee, benchmarks/clips/camera_calib) and the one-person real clips in
../shared/real_clips. Frames are sampled once per second, as the estimator does; the tracked
person's landmarks come from the real tracker. `mask share` is the largest region of person pixels
no skeleton explains, as a share of the frame (the person-mask pass counts it from
`MaskConfig.min_area_frac`); `edge score` the best fit of a leftover region in the zoomed mask to a
person cut by the left or right edge (`edge_score`: the edge pass counts it from 1.0); `ms` is the
mean cost of one count with the default approach (the last column) and `edge ms` that of the edge
pass alone (6 more segmenter calls), on whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision.people import (  # noqa: E402
    MaskConfig,
    PeopleConfig,
    edge_regions,
    find_others,
    unexplained_regions,
    zoomed_person_prob,
)
from vision.pose import DEFAULT_POSE_MODEL, _mp, create_estimator, quiet_native_stderr  # noqa: E402
from vision.segment import PersonSegmenter  # noqa: E402
from vision.video_io import iter_frames  # noqa: E402

# name -> (detection threshold, second pass on the painted frame, person-mask pass, its edge pass)
APPROACHES = {
    "frame@0.5": (0.5, False, False, False),
    "frame@0.3": (0.3, False, False, False),
    "frame+painted@0.5": (0.5, True, False, False),
    "frame+painted@0.3": (0.3, True, False, False),
    "+mask": (0.5, True, True, False),
    "+edges (default)": (0.5, True, True, True),
}
DEFAULT_CLIPS = [
    *sorted((ROOT / "tests" / "clips" / "people").glob("*.mp4")),
    *sorted((ROOT / "tests" / "clips" / "knee").glob("knee2*.mp4")),
    *sorted((ROOT / "sample_videos").glob("sitreach_*.mp4")),
]
REAL = ROOT.parent / "shared" / "real_clips"
# Real clips that show more than one person (a partner lifting the leg or holding the feet, the two
# people of the sports2d demo): they are not a negative control.
REAL_WITH_OTHERS = {"slr_still_04", "sr_still_02", "other_real_03_sports2d_demo"}


def all_single_person_clips() -> list[Path]:
    folders = [ROOT / "sample_videos", ROOT / "tests/clips/camera", ROOT / "tests/clips/knee"]
    folders.append(ROOT / "benchmarks/clips/camera_calib")
    clips = [c for f in folders for c in sorted(f.glob("*.mp4"))]
    return clips + [c for c in sorted(REAL.glob("*.mp4")) if c.stem not in REAL_WITH_OTHERS]


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


def _others_in_truth(clip: Path) -> tuple[int, float]:
    """(other people in view, fps) from the sidecar; real clips without a count hold one person."""
    sidecar = clip.with_suffix(".json")
    truth = json.loads(sidecar.read_text()) if sidecar.is_file() else {}
    others = (
        truth.get("conditions", {}).get("other_people", 0) if isinstance(truth.get("conditions"), dict) else 0
    )
    return int(others), float(truth.get("fps", 30.0))


def _edge_score_max(rgb: np.ndarray, main_xy: np.ndarray, segmenter: PersonSegmenter) -> float:
    """The best edge score of any leftover region in the zoomed mask (the tracked person alone known),
    threshold or not."""
    cfg = MaskConfig()
    prob, scale = zoomed_person_prob(rgb, segmenter.person_prob, cfg.edge_zoom, cfg.edge_rows)
    return max((score for score, _ in edge_regions(prob, scale, [main_xy])), default=0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("clips", nargs="*", type=Path)
    ap.add_argument("--all", action="store_true", help="add every single-person clip (negative control)")
    args = ap.parse_args(argv)
    clips = list(args.clips) or DEFAULT_CLIPS
    if args.all:
        clips += [c for c in all_single_person_clips() if c not in clips]
    mp, _, _ = _mp()
    detectors = {t: _detector(t) for t in {t for t, *_ in APPROACHES.values()}}
    segmenter = PersonSegmenter()

    def detect_with(threshold: float) -> Callable[[np.ndarray], list[np.ndarray]]:
        def detect(rgb: np.ndarray) -> list[np.ndarray]:
            h, w = rgb.shape[:2]
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
            found = detectors[threshold].detect(image).pose_landmarks
            return [np.array([[p.x * w, p.y * h] for p in lms]) for lms in found]

        return detect

    head = " ".join(f"{a:>17s}" for a in APPROACHES)
    print(f"{'clip':40s} others {head} mask share edge score    ms edge ms")
    for clip in clips:
        others, fps = _others_in_truth(clip)
        step = max(1, round(fps))
        hits = {a: 0 for a in APPROACHES}
        n, share_max, score_max, cost_s, edge_s = 0, 0.0, 0.0, 0.0, 0.0
        with create_estimator() as est:
            for frame in iter_frames(clip):
                pose = est.estimate(frame.rgb, frame.t_s, count_people=False)
                if frame.index % step:
                    continue
                n += 1
                main_xy = pose.image_xy_px if pose.found else None
                for a, (threshold, painted, mask, edge) in APPROACHES.items():
                    cfg = PeopleConfig(masked_pass=painted)
                    segment = segmenter.person_prob if mask else None
                    mcfg = MaskConfig(edge_zoom=MaskConfig().edge_zoom if edge else 0)
                    t0 = time.perf_counter()
                    found = find_others(frame.rgb, main_xy, detect_with(threshold), cfg, segment, mcfg)
                    cost_s += time.perf_counter() - t0 if edge else 0.0
                    hits[a] += found.n_others >= 1
                if main_xy is not None:
                    prob, scale = segmenter.person_prob(frame.rgb)
                    regions = unexplained_regions(prob, scale, [main_xy], MaskConfig())
                    share_max = max(share_max, regions[0][1] if regions else 0.0)
                    t0 = time.perf_counter()
                    score_max = max(score_max, _edge_score_max(frame.rgb, main_xy, segmenter))
                    edge_s += time.perf_counter() - t0
        cells = " ".join(f"{f'{hits[a]}/{n}':>17s}" for a in APPROACHES)
        print(
            f"{clip.stem[:40]:40s} {others:6d} {cells} {share_max:10.4f} {score_max:10.2f} "
            f"{1000 * cost_s / max(n, 1):5.0f} {1000 * edge_s / max(n, 1):7.0f}",
            flush=True,
        )
    with quiet_native_stderr():
        for detector in detectors.values():
            detector.close()
    segmenter.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
