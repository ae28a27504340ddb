"""Render one clip: `python -m synth.render SPEC.json OUT_DIR` -> OUT_DIR/<name>.mp4 + <name>.json.

Needs the renderer venv (torch, anny, pyrender): see synth/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synth.body import Body, PosedBody, SegmentPose, rot_x
from synth.motion import Drive, make_drive
from synth.spec import ClipSpec, OtherPersonSpec, load_spec
from synth.truth import other, sit_reach_truth, slr_truth

SLR_START_HIP_DEG = 0.0
SIT_ARM_START_DEG = 40.0  # arm elevation from hanging (hands resting near the thighs)
SIT_ARM_PEAK_DEG = 88.0  # arms reaching forward, about parallel to the legs


@dataclass(frozen=True)
class Layout:
    """Rigid model->world transform and where the camera should look."""

    rotation: np.ndarray  # (3, 3)
    translation: np.ndarray  # (3,)
    target: np.ndarray  # camera look-at point
    feet_dir_x: float  # +1 if the feet point to world +x
    mat_size_m: tuple[float, float]

    def apply(self, points: np.ndarray) -> np.ndarray:
        return points @ self.rotation.T + self.translation


def _basis(x_to: np.ndarray, y_to: np.ndarray) -> np.ndarray:
    """Rotation whose model x and y axes map to the given world axes (z completes a right-handed frame)."""
    z_to = np.cross(x_to, y_to)
    return np.stack([x_to, y_to, z_to], axis=1)


def pose_at(spec: ClipSpec, level: float) -> SegmentPose:
    m = spec.motion
    if spec.test == "slr":
        raised = spec.side
        hip = {raised: SLR_START_HIP_DEG + level * m.peak_deg, other(raised): 0.0}
        knee = {raised: level * m.knee_flex_deg + 1.0, other(raised): 0.0}
        arms = {
            # slightly out to the side and back, so the arms rest on the mat beside the body
            s: np.array([(1 if s == "left" else -1) * 0.25, 0.12, -1.0]) / np.linalg.norm([0.25, 0.12, 1.0])
            for s in ("left", "right")
        }
        return SegmentPose(hip, knee, arm_dir=arms)
    fold = level * m.peak_deg
    curl = m.spine_curl_frac * fold
    # The knees bend as the person folds (reaching farther); the heels stay on the floor, so the
    # thighs rise by about half the bend (thigh and shank are about the same length).
    knee_deg = level * m.knee_flex_deg
    arm_deg = SIT_ARM_START_DEG + min(level, 1.0) * (SIT_ARM_PEAK_DEG - SIT_ARM_START_DEG)
    # Arm elevation is relative to the legs (model -y after the 90 deg hip flexion).
    arms = {
        s: rot_x(-arm_deg) @ np.array([(0.12 if s == "left" else -0.12), 0.0, -1.0])
        for s in ("left", "right")
    }
    arms = {s: v / np.linalg.norm(v) for s, v in arms.items()}
    return SegmentPose(
        {"left": 90.0 + knee_deg / 2, "right": 90.0 + knee_deg / 2},
        {"left": knee_deg, "right": knee_deg},
        trunk_flex_deg=fold - curl,
        spine_curl_deg=curl,
        arm_dir=arms,
    )


def make_layout(spec: ClipSpec, neutral: PosedBody, feet: np.ndarray, back: np.ndarray) -> Layout:
    near_left = spec.near_side == "left"
    side_z = np.array([0.0, 0.0, 1.0 if near_left else -1.0])
    if spec.test == "slr":
        # Lying on the back: model -y (front) is world up, the near side faces the camera (+z).
        rot = _basis(side_z, np.array([0.0, -1.0, 0.0]))
        mat = (2.0, 0.65)
    else:
        # Seated: model z is up, model -y (where the legs point) is horizontal; pitch the body so
        # that both the heels and the buttocks touch the floor.
        up = np.array([0.0, 1.0, 0.0])
        y_to = np.cross(up, side_z)  # model y = z cross x
        base = _basis(side_z, y_to)
        v = neutral.vertices_m
        heel = v[feet][np.argmin(v[feet][:, 2])]
        seat = v[back][np.argmin(v[back][:, 2])]
        pitch = np.degrees(np.arctan2(heel[2] - seat[2], -(heel[1] - seat[1])))
        rot = base @ rot_x(pitch)
        mat = (1.9, 0.8)
    world = neutral.vertices_m @ rot.T
    lo, hi = world.min(axis=0), world.max(axis=0)
    from synth.scene import MAT_TOP_M

    # Rest the trunk, pelvis and thighs on the mat (hands may press into it a little).
    floor = float(world[back][:, 1].min())
    trans = np.array([-(lo[0] + hi[0]) / 2, MAT_TOP_M - floor, -(lo[2] + hi[2]) / 2])
    feet_world = (neutral.joints_m[f"ankle.{spec.side}"] @ rot.T + trans)[0]
    feet_dir_x = 1.0 if feet_world > 0 else -1.0
    target_y = 0.32 if spec.test == "slr" else 0.42
    return Layout(rot, trans, np.array([0.0, target_y, 0.0]), feet_dir_x, mat)


def other_pose(o: OtherPersonSpec) -> SegmentPose:
    """A still bystander: standing, kneeling upright (shanks on the floor) or sitting, knees up (feet and seat on the floor)."""
    hip, knee = {"standing": (0.0, 0.0), "kneeling": (0.0, 90.0), "sitting": (130.0, 80.0)}[o.pose]
    # Arms hang down, a little forward for a helper leaning over the mat.
    arm = np.array([0.0, -np.sin(np.radians(o.trunk_lean_deg)), -1.0])
    arms = {s: arm / np.linalg.norm(arm) for s in ("left", "right")}
    return SegmentPose(
        {"left": hip, "right": hip},
        {"left": knee, "right": knee},
        trunk_flex_deg=o.trunk_lean_deg,
        arm_dir=arms,
    )


def place_other(o: OtherPersonSpec, vertices_m: np.ndarray, feet_dir_x: float) -> np.ndarray:
    """Model frame (z up, -y front) -> world (y up): turned to face `facing_deg`, lowest point on the floor."""
    face = np.radians(o.facing_deg)
    front = np.array([np.sin(face) * feet_dir_x, 0.0, np.cos(face)])
    up = np.array([0.0, 1.0, 0.0])
    y_to = -front
    rot = np.stack([np.cross(y_to, up), y_to, up], axis=1)  # columns: model x, y, z in world
    world = vertices_m @ rot.T
    world[:, 0] -= (world[:, 0].min() + world[:, 0].max()) / 2 - o.x_m * feet_dir_x
    world[:, 2] -= (world[:, 2].min() + world[:, 2].max()) / 2 - o.z_m
    world[:, 1] -= world[:, 1].min()
    return world


def others_mesh(spec: ClipSpec, feet_dir_x: float) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """All other people as one static mesh in world coordinates: (vertices, faces, colours)."""
    parts = []
    for o in spec.others:
        body = Body(o.body)
        posed = body.pose(other_pose(o))
        standing = body.pose(SegmentPose({"left": 0.0, "right": 0.0}, {"left": 0.0, "right": 0.0}))
        colors = body.vertex_colors(o.body, standing.vertices_m)  # hair/shorts are found standing
        parts.append((place_other(o, posed.vertices_m, feet_dir_x), body.faces, colors))
    if not parts:
        return None
    return _concat(parts)


def _concat(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    offsets = np.cumsum([0] + [len(v) for v, _, _ in parts[:-1]])
    return (
        np.concatenate([v for v, _, _ in parts]),
        np.concatenate([f + off for (_, f, _), off in zip(parts, offsets, strict=True)]),
        np.concatenate([c for _, _, c in parts]),
    )


def frame_truth(
    spec: ClipSpec, posed: PosedBody, body_masks: tuple[np.ndarray, np.ndarray], fwd: np.ndarray
) -> dict[str, float]:
    if spec.test == "slr":
        return slr_truth(posed, spec.side)
    return sit_reach_truth(posed, spec.near_side, body_masks[0], body_masks[1], fwd)


def _round(d: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 3) for k, v in d.items()}


def sidecar(
    spec: ClipSpec, drive: Drive, truths: list[dict[str, float]], height_cm: float, mass_kg: float
) -> dict[str, Any]:
    frames = [{"t_s": round(float(t), 4), **_round(tr)} for t, tr in zip(drive.t_s, truths, strict=True)]
    if spec.test == "slr":
        key, pick = "slr_between_legs_deg", max
    else:
        key, pick = "hip_angle_deg", min
    values = [f[key] for f in frames]
    best = values.index(pick(values))
    peak: dict[str, Any] = {"t_s": frames[best]["t_s"], "angle_deg": frames[best][key]}
    if spec.test == "sit-reach":
        peak["reach_cm"] = max(f["reach_cm"] for f in frames)
    peak_knee = frames[best]["knee_flexion_deg"]
    cam = spec.camera
    return {
        "test": spec.test,
        "fps": spec.fps,
        "width": cam.width,
        "height": cam.height,
        "rotation_deg": cam.stored_rotation_deg,
        "side": spec.side,
        "height_cm": round(height_cm, 1),
        "frames": frames,
        "peak": peak,
        "reps": spec.motion.reps,
        "expected_checks": list(spec.expected_checks),
        "conditions": {
            "near_side": spec.near_side,
            "raised_leg_is_near": spec.test == "slr" and spec.side == spec.near_side,
            "camera_yaw_deg": cam.yaw_deg,
            "camera_distance_m": cam.distance_m,
            "camera_height_m": cam.height_m,
            "yfov_deg": cam.yfov_deg,
            "peak_knee_flexion_deg": round(peak_knee, 2),
            "other_people": len(spec.others),
            "body": {
                "gender": spec.body.gender,
                "age": spec.body.age,
                "weight": spec.body.weight,
                "muscle": spec.body.muscle,
                "height": spec.body.height,
                "mass_kg_estimate": round(mass_kg, 1),
            },
            "notes": spec.notes,
        },
        "extra": {
            "generator": "synth.render (anny 0.6.2 + pyrender 0.1.45)",
            "spec": spec.to_json_dict(),
            "display_width": cam.width,
            "display_height": cam.height,
        },
    }


def clip_drive(spec: ClipSpec) -> Drive:
    """The clip's motion over time; the wobble's seed comes from the name, so a clip renders the same."""
    return make_drive(spec.motion, spec.fps, seed=sum(map(ord, spec.name)))


def render_clip(spec: ClipSpec, out_dir: Path, max_frames: int | None = None, log: bool = True) -> Path:
    import trimesh

    from synth.encode import write_mp4
    from synth.scene import Stage

    t0 = time.time()
    body = Body(spec.body)
    fingers, feet = body.surface_masks()
    back = body.bones_under("pelvis") | body.bones_under("spine") | body.bones_under("upperleg")
    colors = body.vertex_colors(spec.body, body.pose(pose_at(spec, 0.0)).vertices_m)
    # Height and mass from the straight standing pose.
    standing = body.pose(SegmentPose({"left": 0.0, "right": 0.0}, {"left": 0.0, "right": 0.0}))
    height_cm = 100.0 * float(np.ptp(standing.vertices_m[:, 2]))
    mass_kg = 980.0 * abs(float(trimesh.Trimesh(standing.vertices_m, body.faces, process=False).volume))
    neutral = body.pose(pose_at(spec, 0.0))
    layout = make_layout(spec, neutral, feet, back)
    stage = Stage(spec.scene, spec.camera, layout.target, layout.feet_dir_x, layout.mat_size_m)
    drive = clip_drive(spec)
    n = len(drive.t_s) if max_frames is None else min(max_frames, len(drive.t_s))
    # The legs' floor-parallel direction, in the model frame (used for the seated reach).
    fwd = layout.rotation.T @ np.array([layout.feet_dir_x, 0.0, 0.0])
    others = others_mesh(spec, layout.feet_dir_x)
    truths: list[dict[str, float]] = []
    images: list[np.ndarray] = []
    for i in range(n):
        posed = body.pose(pose_at(spec, float(drive.level[i])))
        truths.append(frame_truth(spec, posed, (fingers, feet), fwd))
        mesh = (layout.apply(posed.vertices_m), body.faces, colors)
        if others is not None:
            mesh = _concat([mesh, others])
        images.append(stage.render(*mesh))
        if log and i % 30 == 0:
            print(f"{spec.name}: frame {i}/{n} {time.time() - t0:.0f}s", file=sys.stderr)
    stage.close()
    sub = Drive(drive.t_s[:n], drive.level[:n], drive.rep_index[:n])
    out_dir.mkdir(parents=True, exist_ok=True)
    video = out_dir / f"{spec.name}.mp4"
    write_mp4(video, images, spec.fps, spec.crf, spec.camera.stored_rotation_deg)
    meta = sidecar(spec, sub, truths, height_cm, mass_kg)
    (out_dir / f"{spec.name}.json").write_text(json.dumps(meta, indent=1) + "\n")
    if log:
        size_kb = video.stat().st_size / 1024
        print(
            f"{spec.name}: {n} frames in {time.time() - t0:.0f}s, {size_kb:.0f} KB, peak {meta['peak']}",
            file=sys.stderr,
        )
    return video


def render_still(spec: ClipSpec, level: float, png: Path) -> dict[str, float]:
    """One frame at a drive level (0 = start, 1 = peak) saved as PNG; returns its truth."""
    from PIL import Image

    from synth.scene import Stage

    body = Body(spec.body)
    fingers, feet = body.surface_masks()
    back = body.bones_under("pelvis") | body.bones_under("spine") | body.bones_under("upperleg")
    neutral = body.pose(pose_at(spec, 0.0))
    colors = body.vertex_colors(spec.body, neutral.vertices_m)
    layout = make_layout(spec, neutral, feet, back)
    stage = Stage(spec.scene, spec.camera, layout.target, layout.feet_dir_x, layout.mat_size_m)
    posed = body.pose(pose_at(spec, level))
    fwd = layout.rotation.T @ np.array([layout.feet_dir_x, 0.0, 0.0])
    others = others_mesh(spec, layout.feet_dir_x)
    mesh = (layout.apply(posed.vertices_m), body.faces, colors)
    image = stage.render(*(mesh if others is None else _concat([mesh, others])))
    stage.close()
    png.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(png, optimize=True)
    return frame_truth(spec, posed, (fingers, feet), fwd)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("spec", type=Path, help="clip spec JSON (see synth/spec.py)")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--max-frames", type=int, default=None, help="render only the first N frames (preview)")
    ap.add_argument(
        "--still", type=float, default=None, metavar="LEVEL", help="save one PNG at this drive level"
    )
    args = ap.parse_args(argv)
    try:
        spec = load_spec(args.spec)
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: cannot read spec: {exc}", file=sys.stderr)
        return 2
    if args.still is not None:
        truth = render_still(spec, args.still, args.out_dir / f"{spec.name}.png")
        print(json.dumps(_round(truth)))
        return 0
    render_clip(spec, args.out_dir, args.max_frames)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
