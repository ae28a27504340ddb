"""What to draw on a frame for a result: the angle's vertex, its two arms, the label and the HUD."""

from __future__ import annotations

import numpy as np

from analysis.measures import LEG_POINTS, SIDE_POINTS
from analysis.result import Side, TestKind
from vision.annotate import Overlay
from vision.landmarks import LM, PoseFrame


def _rotate(vec: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate an image vector counter-clockwise as seen on screen (y points down)."""
    rad = np.radians(angle_deg)
    c, s = np.cos(rad), np.sin(rad)
    return np.array([c * vec[0] + s * vec[1], -s * vec[0] + c * vec[1]])


def slr_overlay_geometry(
    pose: PoseFrame, side: Side, angle_deg: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Vertex at the raised hip, one arm along the raised leg, the other turned back by the measured angle
    toward the resting leg, so the drawn arc always shows exactly the number reported."""
    if angle_deg is None or not np.isfinite(angle_deg):
        return None
    hip, _, ankle = (pose.image_xy_px[i] for i in LEG_POINTS[side])
    other: Side = "right" if side == "left" else "left"
    rest_ankle = pose.image_xy_px[LEG_POINTS[other][2]]
    leg = ankle - hip
    if not np.all(np.isfinite(leg)):
        return None
    candidates = [hip + _rotate(leg, angle_deg), hip + _rotate(leg, -angle_deg)]
    target = rest_ankle if np.all(np.isfinite(rest_ankle)) else hip + np.array([np.sign(leg[0]) or 1.0, 0.0])
    arm_a = min(candidates, key=lambda c: float(np.sum((c - target) ** 2)))
    return hip, arm_a, ankle


def build_overlay(
    test: TestKind,
    side: Side,
    pose: PoseFrame | None,
    angle_deg: float | None,
    knee_flexion_deg: float | None,
    reach_cm: float | None,
    t_s: float,
    peak_deg: float | None,
    status: list[tuple[str, bool | None]],
) -> Overlay:
    vertex = arm_a = arm_b = None
    if pose is not None and pose.found:
        if test == "slr":
            geo = slr_overlay_geometry(pose, side, angle_deg)
            if geo is not None:
                vertex, arm_a, arm_b = geo
        else:
            pts = SIDE_POINTS[side]
            vertex = pose.image_xy_px[pts["hip"]]
            # same trunk line as the measure: the mid-shoulder point
            arm_a = (pose.image_xy_px[LM.LEFT_SHOULDER] + pose.image_xy_px[LM.RIGHT_SHOULDER]) / 2
            arm_b = pose.image_xy_px[pts["knee"]]
    name = "SLR" if test == "slr" else "Hip"
    label = f"{name} {angle_deg:.0f} deg" if angle_deg is not None and np.isfinite(angle_deg) else ""
    hud = [f"t {t_s:5.1f} s", f"{'SLR' if test == 'slr' else 'Sit-and-reach'} ({side})"]
    if knee_flexion_deg is not None and np.isfinite(knee_flexion_deg):
        hud.append(f"knee bend {knee_flexion_deg:.0f} deg")
    if reach_cm is not None and np.isfinite(reach_cm):
        hud.append(f"reach {reach_cm:+.1f} cm")
    if peak_deg is not None and np.isfinite(peak_deg):
        hud.append(f"{'best' if test == 'slr' else 'deepest'} {peak_deg:.0f} deg")
    return Overlay(
        angle_deg=angle_deg if angle_deg is not None and np.isfinite(angle_deg) else None,
        vertex_xy_px=vertex,
        arm_a_xy_px=arm_a,
        arm_b_xy_px=arm_b,
        label=label,
        hud_lines=hud,
        status=status,
        highlight_joints=[],
    )
