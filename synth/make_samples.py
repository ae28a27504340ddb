"""Render the committed sample set: `python -m synth.make_samples [OUT_DIR] [--only NAME ...]`.

The specs live here in code so the set is reproducible; each clip gets <name>.mp4 + <name>.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from synth.spec import BodySpec, CameraSpec, ClipSpec, MotionSpec, SceneSpec

SLIM_F = BodySpec(
    gender=0.0,
    weight=0.3,
    muscle=0.45,
    height=0.45,
    skin_rgb=(232, 188, 160),
    hair_rgb=(110, 70, 35),
    shirt_rgb=(200, 60, 80),
    pants_rgb=(30, 30, 45),
)
HEAVY_M = BodySpec(
    gender=1.0,
    weight=1.0,
    muscle=0.35,
    height=0.7,
    stance_deg=4.0,
    skin_rgb=(140, 95, 65),
    hair_rgb=(25, 20, 18),
    shirt_rgb=(60, 130, 80),
    pants_rgb=(70, 70, 75),
    long_pants=False,
)
AVG_M = BodySpec(
    gender=1.0,
    weight=0.5,
    muscle=0.6,
    height=0.55,
    skin_rgb=(215, 165, 130),
    hair_rgb=(60, 40, 25),
    shirt_rgb=(40, 110, 170),
    pants_rgb=(35, 35, 40),
)
HEAVY_F = BodySpec(
    gender=0.0,
    weight=0.85,
    muscle=0.4,
    height=0.5,
    stance_deg=3.5,
    skin_rgb=(190, 135, 100),
    hair_rgb=(35, 25, 20),
    shirt_rgb=(230, 200, 70),
    pants_rgb=(60, 50, 90),
)
WARM = SceneSpec(
    floor_rgb=(150, 115, 85), wall_rgb=(225, 215, 195), mat_rgb=(120, 60, 110), key_light_azimuth_deg=-30
)

SLR_MOTION = MotionSpec(peak_deg=78.0, rise_s=1.5, hold_s=1.5, lower_s=1.2)

SPECS: tuple[ClipSpec, ...] = (
    ClipSpec(
        "slr_left_near_slim_f",
        "slr",
        "left",
        "left",
        SLIM_F,
        motion=SLR_MOTION,
        notes="Side-on webcam, slim woman, near (left) leg raised.",
    ),
    ClipSpec(
        "slr_right_far_slim_f",
        "slr",
        "right",
        "left",
        SLIM_F,
        motion=MotionSpec(peak_deg=68.0, rise_s=1.5, hold_s=1.4),
        notes="Far (right) leg raised: the raised leg is partly behind the resting one early in the raise.",
    ),
    ClipSpec(
        "slr_right_near_heavy_m",
        "slr",
        "right",
        "right",
        HEAVY_M,
        scene=WARM,
        motion=MotionSpec(peak_deg=62.0, rise_s=1.6, hold_s=1.5, knee_flex_deg=3.0),
        notes="Heavier man, shorts, near (right) leg raised.",
    ),
    ClipSpec(
        "slr_left_far_heavy_m",
        "slr",
        "left",
        "right",
        HEAVY_M,
        scene=WARM,
        motion=MotionSpec(peak_deg=57.0, rise_s=1.5, hold_s=1.4, knee_flex_deg=3.0),
        notes="Heavier man, far (left) leg raised.",
    ),
    ClipSpec(
        "slr_left_near_yaw22_m",
        "slr",
        "left",
        "left",
        AVG_M,
        camera=CameraSpec(yaw_deg=22.0, distance_m=2.7),
        motion=MotionSpec(peak_deg=80.0, rise_s=1.5, hold_s=1.5),
        notes="Camera turned 22 deg toward the feet (not a true side view).",
    ),
    ClipSpec(
        "slr_right_near_bentknee_heavy_f",
        "slr",
        "right",
        "right",
        HEAVY_F,
        motion=MotionSpec(peak_deg=84.0, rise_s=1.6, hold_s=1.5, knee_flex_deg=28.0),
        expected_checks=("knee_bent",),
        notes="Raised knee bends to about 28 deg at the peak.",
    ),
    ClipSpec(
        "slr_left_near_tworeps_m",
        "slr",
        "left",
        "left",
        AVG_M,
        scene=WARM,
        motion=MotionSpec(
            peak_deg=86.0,
            reps=2,
            rise_s=1.2,
            hold_s=1.0,
            lower_s=1.0,
            between_s=0.5,
            start_rest_s=0.6,
            end_rest_s=0.6,
            peak_scale_per_rep=(0.88, 1.0),
        ),
        notes="Two repetitions, the second higher.",
    ),
    ClipSpec(
        "slr_right_near_phone_rot90_f",
        "slr",
        "right",
        "right",
        SLIM_F,
        camera=CameraSpec(stored_rotation_deg=90, distance_m=2.5, height_m=0.9),
        motion=MotionSpec(peak_deg=74.0, rise_s=1.5, hold_s=1.4),
        notes="Phone-style file: frames stored portrait (540x960) with a display matrix; rotate 90 deg clockwise to view.",
    ),
    ClipSpec(
        "sitreach_right_near_past_toes_m",
        "sit-reach",
        "right",
        "right",
        AVG_M,
        camera=CameraSpec(width=1280, height=720, distance_m=2.4, height_m=0.7),
        motion=MotionSpec(peak_deg=46.0, knee_flex_deg=0.0, rise_s=1.8, hold_s=1.6, lower_s=1.4),
        notes="Seated, legs straight, reaches past the toes (1280x720).",
    ),
    ClipSpec(
        "sitreach_left_near_short_heavy_f",
        "sit-reach",
        "left",
        "left",
        HEAVY_F,
        scene=WARM,
        camera=CameraSpec(distance_m=2.4, height_m=0.7),
        motion=MotionSpec(peak_deg=24.0, knee_flex_deg=0.0, rise_s=1.8, hold_s=1.6, lower_s=1.4),
        notes="Seated, legs straight, stops short of the toes.",
    ),
)


DOC_STILLS = {
    "slr_left_near_slim_f": "slr_frame.png",
    "sitreach_right_near_past_toes_m": "sit_reach_frame.png",
}


def write_doc_images(folder: Path, width: int = 640) -> None:
    """One peak frame per test, downscaled so each PNG stays well under 200 KB."""
    from PIL import Image

    from synth.render import render_still

    by_name = {s.name: s for s in SPECS}
    for name, filename in DOC_STILLS.items():
        png = folder / filename
        render_still(by_name[name], 1.0, png)
        img = Image.open(png)
        img.resize((width, round(img.height * width / img.width)), Image.LANCZOS).save(png, optimize=True)


README_HEAD = """# Sample videos (synthetic, with per-frame ground truth)

Rendered by `synth/` (`python -m synth.make_samples`, specs in `synth/make_samples.py`): an anny body
model posed frame by frame and filmed by a virtual webcam. Each `<clip>.mp4` (H.264, yuv420p, 30 fps)
has a `<clip>.json` sidecar with the true angles of every frame; the layout and the definitions are
in `synth/README.md`. `python benchmarks/accuracy.py` scores the engine against them.

These are renders, not people: clean silhouettes, one material, no sensor noise. They measure
geometry and pipeline accuracy, not robustness to real rooms and clothes.

| clip | test | side | near side | size | duration | true peak | knee at peak | camera | body | notes |
|---|---|---|---|---|---|---|---|---|---|---|
"""

README_TAIL = """
Peak: SLR = largest angle between the legs; sit-and-reach = smallest trunk-thigh (hip) angle, with the
largest reach (cm, + past the toes). Body: anny phenotype (gender 0 = female, 1 = male; weight 0..1),
height from the mesh, mass = mesh volume x 980 kg/m^3 (a rough estimate).

## Licence

The clips and sidecars are renders of the anny body model (NAVER Labs, Apache-2.0,
https://github.com/naver/anny; based on MakeHuman assets released under CC0) made with this project's code; they
are distributed under the project's licence, Apache-2.0.
"""


def write_readme(folder: Path) -> None:
    import json

    rows = []
    for sidecar in sorted(folder.glob("*.json")):
        d = json.loads(sidecar.read_text())
        c, video = d["conditions"], sidecar.with_suffix(".mp4")
        peak = f"{d['peak']['angle_deg']:.1f} deg" + (
            f", reach {d['peak']['reach_cm']:+.1f} cm" if "reach_cm" in d["peak"] else ""
        )
        body = c["body"]
        who = f"{'male' if body['gender'] >= 0.5 else 'female'}, weight {body['weight']}, {d['height_cm']:.0f} cm, ~{body['mass_kg_estimate']:.0f} kg"
        cam = f"{d['width']}x{d['height']}, yaw {c['camera_yaw_deg']:g} deg, {c['camera_distance_m']:g} m"
        if d["rotation_deg"]:
            cam += f", stored rotated (rotation {d['rotation_deg']} cw)"
        dur = d["frames"][-1]["t_s"] + 1 / d["fps"]
        rows.append(
            f"| `{video.name}` | {d['test']} | {d['side']} | {c['near_side']} | {video.stat().st_size / 1024:.0f} KB "
            f"| {dur:.1f} s, {d['reps']} rep(s) | {peak} | {c['peak_knee_flexion_deg']:.0f} deg | {cam} | {who} "
            f"| {c['notes']} {('expects: ' + ', '.join(d['expected_checks'])) if d['expected_checks'] else ''} |"
        )
    (folder / "README.md").write_text(README_HEAD + "\n".join(rows) + "\n" + README_TAIL)


def main(argv: list[str] | None = None) -> int:
    from synth.render import render_clip

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "out_dir", type=Path, nargs="?", default=Path(__file__).resolve().parent.parent / "sample_videos"
    )
    ap.add_argument("--only", nargs="*", default=None, help="render only these clips")
    ap.add_argument("--readme", action="store_true", help="only rewrite OUT_DIR/README.md from the sidecars")
    ap.add_argument(
        "--docs-images", type=Path, default=None, help="only write the README frame PNGs to this folder"
    )
    args = ap.parse_args(argv)
    if args.readme:
        write_readme(args.out_dir)
        return 0
    if args.docs_images:
        write_doc_images(args.docs_images)
        return 0
    names = {s.name for s in SPECS}
    unknown = set(args.only or ()) - names
    if unknown:
        print(f"error: unknown clip(s) {sorted(unknown)}; known: {sorted(names)}", file=sys.stderr)
        return 2
    for spec in SPECS:
        if args.only and spec.name not in args.only:
            continue
        render_clip(spec, args.out_dir)
    write_readme(args.out_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
