"""Clip specifications: plain frozen dataclasses, loadable from JSON (no torch needed)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal

TestKind = Literal["slr", "sit-reach"]
Side = Literal["left", "right"]
RGB = tuple[int, int, int]
OtherPose = Literal["standing", "kneeling", "sitting"]


@dataclass(frozen=True)
class BodySpec:
    """anny phenotype (each 0..1) plus colours. `stance_deg` spreads the legs a little so thighs do not overlap."""

    gender: float = 0.0  # 0 female .. 1 male
    age: float = 0.5  # anny scale: 0.5 is about 25 years
    muscle: float = 0.5
    weight: float = 0.5
    height: float = 0.5
    proportions: float = 0.5
    stance_deg: float = 2.0
    skin_rgb: RGB = (224, 172, 140)
    hair_rgb: RGB = (60, 40, 25)
    shirt_rgb: RGB = (40, 110, 170)
    pants_rgb: RGB = (35, 35, 40)
    socks_rgb: RGB | None = None
    long_sleeves: bool = False
    long_pants: bool = True


@dataclass(frozen=True)
class CameraSpec:
    distance_m: float = 2.6  # horizontal distance from the body's centre
    height_m: float = 0.75  # lens height above the floor
    yaw_deg: float = 0.0  # 0 = exactly side-on; + turns the camera toward the feet
    pitch_offset_deg: float = 0.0  # added to the look-at pitch
    yfov_deg: float = 42.0
    width: int = 960
    height: int = 540
    stored_rotation_deg: int = 0  # 90/270: frames stored portrait, container says how to rotate back


@dataclass(frozen=True)
class SceneSpec:
    floor_rgb: RGB = (170, 140, 105)
    wall_rgb: RGB = (215, 212, 200)
    mat_rgb: RGB = (70, 90, 150)
    light_intensity: float = 3.0
    ambient: float = 0.35
    key_light_azimuth_deg: float = 35.0


@dataclass(frozen=True)
class MotionSpec:
    """Rise, hold with a small wobble, lower; repeated. For sit-and-reach the 'angle' is the fold."""

    peak_deg: float = 75.0  # SLR: hip flexion of the raised leg; sit-reach: trunk fold forward
    reps: int = 1
    start_rest_s: float = 0.8
    rise_s: float = 1.6
    hold_s: float = 1.6
    lower_s: float = 1.3
    between_s: float = 0.6
    end_rest_s: float = 0.8
    wobble_deg: float = 0.8
    knee_flex_deg: float = 2.0  # SLR: raised knee, sit-reach: both knees, at the peak (scales with the level)
    peak_scale_per_rep: tuple[float, ...] = ()  # e.g. (0.9, 1.0): second rep higher
    spine_curl_frac: float = 0.25  # sit-reach: share of the fold done by rounding the back


@dataclass(frozen=True)
class OtherPersonSpec:
    """A second body in view that does not take the test (helper, bystander, child); it holds still.

    World placement (scene frame, see synth/scene.py): `x_m` along the mat (0 = the tested body's
    centre, + toward the tested person's feet), `z_m` across it (+ toward the camera, - behind the
    mat toward the wall, which stands at -1.6). `facing_deg` 0 = facing the camera, 90 = facing +x.
    A child is a body with `age` about 0.3 (anny: 1/3 = child, 2/3 = young adult).
    """

    body: BodySpec = field(default_factory=BodySpec)
    pose: OtherPose = "standing"
    x_m: float = 0.0
    z_m: float = -0.9
    facing_deg: float = 0.0
    trunk_lean_deg: float = 0.0  # forward lean (a helper bending over the mat)


@dataclass(frozen=True)
class ClipSpec:
    name: str
    test: TestKind
    side: Side  # SLR: raised leg; sit-reach: body side nearer the camera
    near_side: Side  # body side facing the camera
    body: BodySpec = field(default_factory=BodySpec)
    camera: CameraSpec = field(default_factory=CameraSpec)
    scene: SceneSpec = field(default_factory=SceneSpec)
    motion: MotionSpec = field(default_factory=MotionSpec)
    fps: float = 30.0
    crf: int = 27
    expected_checks: tuple[str, ...] = ()
    notes: str = ""
    others: tuple[OtherPersonSpec, ...] = ()  # more people in view (not tested)

    def to_json_dict(self) -> dict[str, Any]:
        return asdict(self)


def _build(cls: type, data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    types = {f.name: f for f in fields(cls)}
    for key, value in data.items():
        if key not in types:
            raise ValueError(f"unknown key {key!r} for {cls.__name__}")
        default = getattr(cls(), key) if key not in ("name", "test", "side", "near_side") else None
        if is_dataclass(default) and isinstance(value, dict):
            value = _build(type(default), value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return cls(**kwargs)


def load_spec(path: Path) -> ClipSpec:
    return spec_from_dict(json.loads(Path(path).read_text()), str(path))


def spec_from_dict(data: dict[str, Any], origin: str = "spec") -> ClipSpec:
    """A `ClipSpec` from its JSON form (a spec file, or the `extra.spec` a rendered clip's sidecar keeps);
    `origin` names it in the error."""
    required = {"name", "test", "side", "near_side"}
    missing = required - set(data)
    if missing:
        raise ValueError(f"spec {origin} is missing {sorted(missing)}")
    kwargs = {k: data[k] for k in required}
    rest = {k: v for k, v in data.items() if k not in required}
    spec = ClipSpec(**kwargs)
    for key, value in rest.items():
        default = getattr(spec, key)
        if key == "others":
            value = tuple(_build(OtherPersonSpec, v) for v in value)
        elif is_dataclass(default) and isinstance(value, dict):
            value = _build(type(default), value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return ClipSpec(**kwargs)
