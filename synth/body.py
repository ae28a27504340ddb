"""The anny body: shape from a spec, posing by segment world rotations, and vertex colours.

Model frame (anny): z up, x = the person's left, -y = the front. Poses are built standing in this
frame (legs straightened, pelvis fixed) and laid into the scene by `scene.py` with a rigid transform,
so the sagittal plane is always the model y-z plane.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from synth.spec import BodySpec

os.environ.setdefault("ANNY_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".cache", "anny"))

SIDES = {"left": "L", "right": "R"}
FINGER_PREFIXES = ("finger",)


def _rot_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest rotation taking direction a onto direction b."""
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    axis = np.cross(a, b)
    s = np.linalg.norm(axis)
    if s < 1e-9:
        return np.eye(3)
    angle = np.arctan2(s, float(np.dot(a, b)))
    return Rotation.from_rotvec(axis / s * angle).as_matrix()


def rot_x(angle_deg: float) -> np.ndarray:
    return Rotation.from_euler("x", angle_deg, degrees=True).as_matrix()


@dataclass(frozen=True)
class SegmentPose:
    """World rotations (model frame, relative to the straightened stance) of the moving segments."""

    hip_flex_deg: dict[str, float]  # per side; + brings the leg forward (in front of the body)
    knee_flex_deg: dict[str, float]  # per side; 0 = straight
    trunk_flex_deg: float = 0.0  # trunk pitched forward about the hips (sit-and-reach fold)
    spine_curl_deg: float = 0.0  # extra rounding spread over the spine
    arm_dir: dict[str, np.ndarray] | None = None  # per side unit direction of the whole arm (model frame)


@dataclass(frozen=True)
class PosedBody:
    vertices_m: np.ndarray  # (V, 3) model frame
    joints_m: dict[str, np.ndarray]  # hip/knee/ankle/shoulder per side, model frame


class Body:
    """One anny body with a fixed shape; `pose()` is cheap (one LBS pass)."""

    def __init__(self, spec: BodySpec) -> None:
        import anny
        import torch

        self._torch = torch
        self.model = anny.Anny(skinning_method="lbs")
        self.labels: list[str] = list(self.model.bone_labels)
        self.parents = [int(p) for p in self.model.bone_parents]
        self.index = {label: i for i, label in enumerate(self.labels)}
        self.phenotype = {
            "gender": spec.gender,
            "age": spec.age,
            "muscle": spec.muscle,
            "weight": spec.weight,
            "height": spec.height,
            "proportions": spec.proportions,
        }
        self.faces = self.model.get_triangular_faces().cpu().numpy().astype(np.int64)
        with torch.no_grad():
            rest = self.model(phenotype_kwargs=self.phenotype)
        self.rest_rot = rest["bone_poses"][0, :, :3, :3].double().numpy()
        self.rest_head = rest["bone_poses"][0, :, :3, 3].double().numpy()
        self.stance_deg = spec.stance_deg
        self._straighten = self._straightening()
        weights = self.model.vertex_bone_weights.cpu().numpy()
        indices = self.model.vertex_bone_indices.cpu().numpy()
        self.dominant_bone = indices[np.arange(len(indices)), np.argmax(weights, axis=1)]

    # -- rig helpers -----------------------------------------------------------------------------

    def head(self, label: str) -> np.ndarray:
        return self.rest_head[self.index[label]]

    def bones_under(self, prefix: str) -> np.ndarray:
        """Vertex mask of vertices mostly driven by bones whose label starts with prefix."""
        ids = [i for i, label in enumerate(self.labels) if label.startswith(prefix)]
        return np.isin(self.dominant_bone, ids)

    def _straightening(self) -> dict[str, np.ndarray]:
        """Rotations that make thighs and shanks point straight down (slightly apart), arms by the sides."""
        out: dict[str, np.ndarray] = {}
        for side, s in SIDES.items():
            sign = 1.0 if side == "left" else -1.0
            down = np.array(
                [sign * np.sin(np.radians(self.stance_deg)), 0.0, -np.cos(np.radians(self.stance_deg))]
            )
            hip, knee, ankle = (
                self.head(f"upperleg01.{s}"),
                self.head(f"lowerleg01.{s}"),
                self.head(f"foot.{s}"),
            )
            out[f"thigh.{s}"] = _rot_between(knee - hip, down)
            out[f"shank.{s}"] = _rot_between(ankle - knee, down)
            # Whole-arm direction from the shoulder joint to the wrist; the elbow is straightened too.
            shoulder, elbow, wrist = (
                self.head(f"upperarm01.{s}"),
                self.head(f"lowerarm01.{s}"),
                self.head(f"wrist.{s}"),
            )
            out[f"upperarm.{s}"] = _rot_between(elbow - shoulder, np.array([0.0, 0.0, -1.0]))
            out[f"forearm.{s}"] = _rot_between(wrist - elbow, np.array([0.0, 0.0, -1.0]))
        return out

    # -- posing ----------------------------------------------------------------------------------

    def _segment_rotations(self, pose: SegmentPose) -> dict[str, np.ndarray]:
        """World rotation (relative to rest) for the bones that start a segment; others inherit."""
        g: dict[str, np.ndarray] = {}
        trunk = rot_x(pose.trunk_flex_deg)  # + pitches the upward trunk forward
        spine = [b for b in self.labels if b.startswith("spine")]
        # spine05 is nearest the pelvis: the curl grows toward the neck.
        for k, bone in enumerate(sorted(spine, reverse=True)):
            g[bone] = trunk @ rot_x(pose.spine_curl_deg * (k + 1) / len(spine))
        neck = trunk @ rot_x(pose.spine_curl_deg)
        g["neck01"] = neck
        for side, s in SIDES.items():
            hip = rot_x(-pose.hip_flex_deg[side])
            knee = rot_x(pose.knee_flex_deg[side])
            g[f"upperleg01.{s}"] = hip @ self._straighten[f"thigh.{s}"]
            g[f"lowerleg01.{s}"] = hip @ knee @ self._straighten[f"shank.{s}"]
            arm = np.eye(3)
            if pose.arm_dir is not None:
                arm = _rot_between(np.array([0.0, 0.0, -1.0]), pose.arm_dir[side])
            g[f"upperarm01.{s}"] = arm @ self._straighten[f"upperarm.{s}"]
            g[f"lowerarm01.{s}"] = arm @ self._straighten[f"forearm.{s}"]
            # Clavicles and shoulders follow the trunk curl so the shoulder girdle moves with the chest.
            g[f"clavicle.{s}"] = neck
        return g

    def pose(self, pose: SegmentPose) -> PosedBody:
        torch = self._torch
        seg = self._segment_rotations(pose)
        n = len(self.labels)
        world = [np.eye(3)] * n
        for i, label in enumerate(self.labels):
            if label in seg:
                world[i] = seg[label]
            elif i > 0:
                world[i] = world[self.parents[i]]
        deltas = np.tile(np.eye(4), (1, n, 1, 1))
        for i in range(n):
            deltas[0, i, :3, :3] = world[i] @ self.rest_rot[i]
        with torch.no_grad():
            out = self.model(
                pose_parameters=torch.as_tensor(deltas, dtype=self.model.dtype),
                phenotype_kwargs=self.phenotype,
                pose_parameterization="world-orient",
            )
        verts = out["vertices"][0].double().numpy()
        heads = out["bone_poses"][0, :, :3, 3].double().numpy()
        joints = {}
        for side, s in SIDES.items():
            joints[f"hip.{side}"] = heads[self.index[f"upperleg01.{s}"]]
            joints[f"knee.{side}"] = heads[self.index[f"lowerleg01.{s}"]]
            joints[f"ankle.{side}"] = heads[self.index[f"foot.{s}"]]
            joints[f"shoulder.{side}"] = heads[self.index[f"upperarm01.{s}"]]
            joints[f"wrist.{side}"] = heads[self.index[f"wrist.{s}"]]
        return PosedBody(verts, joints)

    # -- appearance ------------------------------------------------------------------------------

    def vertex_colors(self, spec: BodySpec, rest_vertices: np.ndarray) -> np.ndarray:
        """Skin, hair, eyes, shirt and leggings/shorts painted by dominant bone and height."""
        v = rest_vertices
        col = np.tile(np.array(spec.skin_rgb, dtype=float), (len(v), 1))
        shirt = np.zeros(len(v), dtype=bool)
        for prefix in ("spine", "clavicle", "shoulder01", "upperarm01"):
            shirt |= self.bones_under(prefix)
        if spec.long_sleeves:
            shirt |= self.bones_under("upperarm02") | self.bones_under("lowerarm")
        pelvis_z = self.head("upperleg01.L")[2]
        leg_bones = self.bones_under("pelvis") | self.bones_under("upperleg")
        if spec.long_pants:
            leg_bones |= self.bones_under("lowerleg")
        shorts = leg_bones.copy()
        if not spec.long_pants:
            # shorts end mid-thigh
            knee_z = self.head("lowerleg01.L")[2]
            shorts &= v[:, 2] > (pelvis_z + knee_z) / 2
        shirt &= ~shorts
        col[shirt] = spec.shirt_rgb
        col[shorts] = spec.pants_rgb
        head = self.bones_under("head") | self.bones_under("neck03")
        eye_z = self.head("eye.L")[2]
        hair = head & (
            ((v[:, 2] > eye_z + 0.035) & (v[:, 1] > -0.09)) | ((v[:, 1] > 0.0) & (v[:, 2] > eye_z - 0.05))
        )
        col[hair] = spec.hair_rgb
        eyes = self.bones_under("eye")
        col[eyes] = (235, 235, 230)
        for s in ("L", "R"):
            c = self.head(f"eye.{s}")
            iris = eyes & (v[:, 1] < c[1] - 0.008)
            col[iris] = (50, 35, 25)
        feet = self.bones_under("foot") | self.bones_under("toe")
        if spec.socks_rgb is not None:
            col[feet] = spec.socks_rgb
        rgba = np.concatenate([col, np.full((len(v), 1), 255.0)], axis=1)
        return np.clip(rgba, 0, 255).astype(np.uint8)

    def surface_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """(fingers, feet) vertex masks: where the fingertip and front-of-foot surface points are taken."""
        fingers = self.bones_under("finger") | self.bones_under("metacarpal") | self.bones_under("wrist")
        feet = self.bones_under("foot") | self.bones_under("toe")
        return fingers, feet
