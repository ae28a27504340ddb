"""Ground-truth measures from the posed model geometry (the definitions are in synth/README.md).

All inputs are in the model frame (z up, x = the person's left, -y = front); the sagittal plane is
the model y-z plane, so projecting onto it means dropping x.
"""

from __future__ import annotations

import numpy as np

from synth.body import PosedBody


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def _sagittal(v: np.ndarray) -> np.ndarray:
    return np.array([0.0, v[1], v[2]])


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def knee_flexion_deg(p: PosedBody, side: str) -> float:
    j = p.joints_m
    hip, knee, ankle = j[f"hip.{side}"], j[f"knee.{side}"], j[f"ankle.{side}"]
    return 180.0 - _angle_deg(hip - knee, ankle - knee)


def slr_truth(p: PosedBody, raised: str) -> dict[str, float]:
    """Supine body: floor is parallel to model z, 'up' is model -y."""
    j = p.joints_m
    leg_up = j[f"ankle.{raised}"] - j[f"hip.{raised}"]
    leg_rest = j[f"ankle.{other(raised)}"] - j[f"hip.{other(raised)}"]
    return {
        "slr_between_legs_deg": _angle_deg(_sagittal(leg_up), _sagittal(leg_rest)),
        "slr_floor_deg": float(np.degrees(np.arctan2(-leg_up[1], -leg_up[2]))),
        "knee_flexion_deg": knee_flexion_deg(p, raised),
    }


def sit_reach_truth(
    p: PosedBody, near: str, fingers: np.ndarray, feet: np.ndarray, forward_m: np.ndarray
) -> dict[str, float]:
    """Seated body. `forward_m` is the unit floor-parallel leg direction (model frame)."""
    j = p.joints_m
    mid_hip = (j["hip.left"] + j["hip.right"]) / 2
    mid_shoulder = (j["shoulder.left"] + j["shoulder.right"]) / 2
    mid_knee = (j["knee.left"] + j["knee.right"]) / 2
    v = p.vertices_m
    reach_m = float(np.max(v[fingers] @ forward_m) - np.max(v[feet] @ forward_m))
    return {
        "hip_angle_deg": _angle_deg(_sagittal(mid_shoulder - mid_hip), _sagittal(mid_knee - mid_hip)),
        "knee_flexion_deg": knee_flexion_deg(p, near),
        "reach_cm": 100.0 * reach_m,
    }
