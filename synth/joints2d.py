"""True joints in the picture: `python -m synth.joints2d CLIP.json ... --out DIR`.

For each rendered clip (its sidecar holds the spec) poses the anny skeleton as in the render and projects
its joints through the render camera (`synth.scene.camera_pose`, `project_px`). Writes
DIR/<name>.joints.npz: `t_s` (N,), `names` (J,) such as "hip.left", `xy_px` (N, J, 2) in image pixels
(x right, y down). `python benchmarks/hip_points.py` compares them with MediaPipe's landmarks.
Needs the renderer venv (synth/README.md); posing only, no rendering (about 1 s per clip).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from synth.body import Body
from synth.render import clip_drive, make_layout, pose_at
from synth.scene import camera_pose, project_px
from synth.spec import ClipSpec, spec_from_dict

JOINTS = ("shoulder", "hip", "knee", "ankle", "wrist")


def _spec(sidecar: Path) -> ClipSpec:
    return spec_from_dict(json.loads(sidecar.read_text())["extra"]["spec"], str(sidecar))


def joints_px(spec: ClipSpec) -> tuple[np.ndarray, list[str], np.ndarray]:
    body = Body(spec.body)
    _, feet = body.surface_masks()
    back = body.bones_under("pelvis") | body.bones_under("spine") | body.bones_under("upperleg")
    layout = make_layout(spec, body.pose(pose_at(spec, 0.0)), feet, back)
    pose = camera_pose(spec.camera, layout.target, layout.feet_dir_x)
    drive = clip_drive(spec)
    names = [f"{j}.{s}" for j in JOINTS for s in ("left", "right")]
    xy = np.zeros((len(drive.t_s), len(names), 2))
    for i, level in enumerate(drive.level):
        joints = body.pose(pose_at(spec, float(level))).joints_m
        xy[i] = project_px(spec.camera, pose, layout.apply(np.stack([joints[n] for n in names])))
    return drive.t_s, names, xy


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("sidecars", nargs="+", type=Path, help="rendered clips' <name>.json")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for sidecar in args.sidecars:
        t_s, names, xy = joints_px(_spec(sidecar))
        np.savez(args.out / f"{sidecar.stem}.joints.npz", t_s=t_s, names=np.array(names), xy_px=xy)
        print(f"{sidecar.stem}: {len(t_s)} frames")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
