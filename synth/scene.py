"""pyrender scene: floor, wall, mat, two shadowing directional lights and a webcam-like camera.

World frame: y up, floor at y = 0, the person's long axis along x, camera on the +z side.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")

import numpy as np

np.infty = np.inf  # type: ignore[attr-defined]  # pyrender 0.1.45 still uses the numpy 1 alias

import pyrender  # noqa: E402
import trimesh  # noqa: E402

from synth.spec import CameraSpec, SceneSpec  # noqa: E402

MAT_TOP_M = 0.012


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray | None = None) -> np.ndarray:
    """Camera-to-world pose (OpenGL: the camera looks down its -z)."""
    up = np.array([0.0, 1.0, 0.0]) if up is None else up
    back = eye - target
    back /= np.linalg.norm(back)
    right = np.cross(up, back)
    right /= np.linalg.norm(right)
    true_up = np.cross(back, right)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, true_up, back, eye
    return pose


def camera_pose(cam: CameraSpec, target: np.ndarray, feet_dir_x: float) -> np.ndarray:
    """Camera-to-world pose of the render camera: `distance_m` from the target, turned by the yaw toward
    the feet, at the lens height, plus the extra pitch."""
    yaw = np.radians(cam.yaw_deg)
    eye = np.array(
        [
            target[0] + feet_dir_x * cam.distance_m * np.sin(yaw),
            cam.height_m,
            target[2] + cam.distance_m * np.cos(yaw),
        ]
    )
    pose = look_at(eye, target)
    if cam.pitch_offset_deg:
        tilt = trimesh.transformations.rotation_matrix(np.radians(cam.pitch_offset_deg), [1, 0, 0])
        pose = pose @ tilt
    return pose


def project_px(cam: CameraSpec, pose: np.ndarray, points_w: np.ndarray) -> np.ndarray:
    """World points (..., 3) -> image pixels (..., 2), x right, y down (pyrender's perspective camera:
    vertical field of view `yfov_deg`, square pixels, principal point at the centre)."""
    w2c = np.linalg.inv(pose)
    pc = points_w @ w2c[:3, :3].T + w2c[:3, 3]
    f_px = (cam.height / 2) / np.tan(np.radians(cam.yfov_deg) / 2)
    depth = -pc[..., 2]  # OpenGL: the camera looks down its -z
    return np.stack(
        [cam.width / 2 + f_px * pc[..., 0] / depth, cam.height / 2 - f_px * pc[..., 1] / depth], -1
    )


def _box(
    extents: tuple[float, float, float], center: tuple[float, float, float], rgb: tuple[int, int, int]
) -> pyrender.Mesh:
    box = trimesh.creation.box(extents=extents)
    box.apply_translation(center)
    material = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=[c / 255 for c in rgb] + [1.0], metallicFactor=0.0, roughnessFactor=0.9
    )
    return pyrender.Mesh.from_trimesh(box, material=material, smooth=False)


class Stage:
    """Static scene plus one replaceable body mesh."""

    def __init__(
        self,
        scene_spec: SceneSpec,
        cam: CameraSpec,
        target: np.ndarray,
        feet_dir_x: float,
        mat_size_m: tuple[float, float],
    ) -> None:
        a = scene_spec.ambient
        self.scene = pyrender.Scene(ambient_light=[a, a, a], bg_color=[0.6, 0.6, 0.6, 1.0])
        self.scene.add(_box((12.0, 0.1, 12.0), (0.0, -0.05, 0.0), scene_spec.floor_rgb))
        self.scene.add(_box((12.0, 4.0, 0.1), (0.0, 2.0, -1.6), scene_spec.wall_rgb))
        self.scene.add(
            _box((mat_size_m[0], MAT_TOP_M, mat_size_m[1]), (0.0, MAT_TOP_M / 2, 0.0), scene_spec.mat_rgb)
        )
        pose = camera_pose(cam, target, feet_dir_x)
        self.camera_pose = pose
        camera = pyrender.PerspectiveCamera(yfov=np.radians(cam.yfov_deg), aspectRatio=cam.width / cam.height)
        self.scene.add(camera, pose=pose)
        az = np.radians(scene_spec.key_light_azimuth_deg)
        key = look_at(np.array([2.5 * np.sin(az), 3.0, 2.5 * np.cos(az)]), np.zeros(3))
        fill = look_at(np.array([-2.5 * np.sin(az), 2.0, 1.5]), np.zeros(3))
        self.scene.add(
            pyrender.DirectionalLight(color=np.ones(3), intensity=scene_spec.light_intensity), pose=key
        )
        self.scene.add(
            pyrender.DirectionalLight(color=np.ones(3), intensity=0.45 * scene_spec.light_intensity),
            pose=fill,
        )
        self.renderer = pyrender.OffscreenRenderer(cam.width, cam.height)
        self.body_node: pyrender.Node | None = None
        self.material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[1.0, 1.0, 1.0, 1.0], metallicFactor=0.0, roughnessFactor=0.75
        )

    def render(self, vertices_w: np.ndarray, faces: np.ndarray, colors: np.ndarray) -> np.ndarray:
        if self.body_node is not None:
            self.scene.remove_node(self.body_node)
        mesh = trimesh.Trimesh(vertices_w, faces, process=False)
        # Build the primitive directly: Mesh.from_trimesh drops vertex colours when a material is given.
        prim = pyrender.Primitive(
            positions=mesh.vertices,
            normals=mesh.vertex_normals,
            color_0=colors.astype(np.float32) / 255.0,
            indices=mesh.faces,
            material=self.material,
        )
        self.body_node = self.scene.add(pyrender.Mesh(primitives=[prim]))
        flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL
        color, _depth = self.renderer.render(self.scene, flags=flags)
        return np.ascontiguousarray(color[:, :, :3])

    def close(self) -> None:
        self.renderer.delete()
