"""Build LandmarkSeries by hand (known geometry) for unit tests of measures and checks."""

from __future__ import annotations

import numpy as np

from vision.landmarks import LM, N_LANDMARKS, LandmarkSeries


def polar(origin: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    """Point at `angle_deg` counter-clockwise on screen from +x (image y points down)."""
    rad = np.radians(angle_deg)
    return origin + length * np.array([np.cos(rad), -np.sin(rad)])


def supine_frame(
    raise_deg: float,
    raised: str = "left",
    head_left: bool = True,
    knee_flex_deg: float = 0.0,
    rest_lift_deg: float = 0.0,
    hip_xy: tuple[float, float] = (400.0, 400.0),
    leg_px: float = 300.0,
) -> np.ndarray:
    """(33, 2) image points of a person lying on the back, seen from the side."""
    pts = np.full((N_LANDMARKS, 2), np.nan)
    hip = np.array(hip_xy)
    toward_feet = 0.0 if head_left else 180.0
    up = 1.0 if head_left else -1.0  # counter-clockwise from "toward feet" is up when feet point right
    shoulder = polar(hip, 250, toward_feet + 180)
    pts[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]] = shoulder
    pts[LM.NOSE] = polar(hip, 330, toward_feet + 180)
    other = "right" if raised == "left" else "left"
    for side, angle in ((raised, raise_deg), (other, rest_lift_deg)):
        idx = {
            "left": (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
            "right": (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX),
        }[side]
        thigh_dir = toward_feet + up * angle
        knee = polar(hip, leg_px / 2, thigh_dir)
        flex = knee_flex_deg if side == raised else 0.0
        ankle = polar(knee, leg_px / 2, thigh_dir - up * flex)
        pts[idx[0]], pts[idx[1]], pts[idx[2]] = hip, knee, ankle
        pts[idx[3]] = ankle
        pts[idx[4]] = polar(ankle, 40, thigh_dir + up * 90)
    for wrist, knuckle in ((LM.LEFT_WRIST, LM.LEFT_INDEX), (LM.RIGHT_WRIST, LM.RIGHT_INDEX)):
        pts[wrist] = polar(hip, 40, toward_feet)
        pts[knuckle] = polar(hip, 50, toward_feet)
    return pts


def series_from_points(
    points: list[np.ndarray], fps: float = 30.0, width: int = 960, height: int = 540
) -> LandmarkSeries:
    n = len(points)
    image = np.stack(points)
    world = np.full((n, N_LANDMARKS, 3), np.nan)
    # Side-on world landmarks: hip and shoulder axes along z (towards the camera).
    for a, b in ((LM.LEFT_HIP, LM.RIGHT_HIP), (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)):
        world[:, a] = [0.0, 0.0, -0.1]
        world[:, b] = [0.0, 0.0, 0.1]
    return LandmarkSeries(
        t_s=np.arange(n) / fps,
        image_xy_px=image,
        world_xyz_m=world,
        visibility=np.where(np.isfinite(image[..., 0]), 0.95, 0.0),
        n_people=np.ones(n, dtype=int),
        fingertip_xy_px=np.full((n, 2, 2), np.nan),
        width=width,
        height=height,
    )


def slr_profile(peak_deg: float, fps: float = 30.0) -> np.ndarray:
    """Rest 1 s, rise 1.5 s, hold 2 s, lower 1.5 s, rest 1 s."""
    t = np.arange(0, 7.0, 1 / fps)
    return np.interp(t, [0, 1, 2.5, 4.5, 6, 7], [0, 0, peak_deg, peak_deg, 0, 0])
