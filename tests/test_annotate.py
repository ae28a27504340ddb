"""Overlay drawing on synthetic frames with known geometry."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.annotate import (
    ARC_ALPHA,
    ARC_FILL,
    BONE,
    CHIP_BAD,
    CHIP_OK,
    CHIP_UNKNOWN,
    Overlay,
    _text_parts,
    arc_radius_px,
    arc_span_deg,
    draw_overlay,
)
from vision.landmarks import LM, N_LANDMARKS, PoseFrame

ROOT = Path(__file__).resolve().parents[1]
BG = 100  # uniform grey background level


def polar(origin: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    """Counter-clockwise on screen from +x (image y points down)."""
    rad = math.radians(angle_deg)
    return origin + length * np.array([math.cos(rad), -math.sin(rad)])


def grey(h: int = 600, w: int = 800) -> np.ndarray:
    return np.full((h, w, 3), BG, np.uint8)


def pose_from(points: dict[int, np.ndarray], visibility: float = 0.95, t_s: float = 0.0) -> PoseFrame:
    xy = np.full((N_LANDMARKS, 2), np.nan)
    vis = np.zeros(N_LANDMARKS)
    for i, p in points.items():
        xy[i] = p
        vis[i] = visibility
    return PoseFrame(
        t_s=t_s, image_xy_px=xy, world_xyz_m=np.zeros((N_LANDMARKS, 3)), visibility=vis, n_people=1
    )


def lying_pose(hip: np.ndarray, raise_deg: float) -> PoseFrame:
    """Left leg raised by raise_deg, right leg flat toward +x, trunk toward -x."""
    return pose_from(
        {
            LM.LEFT_HIP: hip,
            LM.RIGHT_HIP: hip + np.array([0, 4]),
            LM.LEFT_SHOULDER: hip + np.array([-220, 0]),
            LM.RIGHT_SHOULDER: hip + np.array([-220, 4]),
            LM.LEFT_KNEE: polar(hip, 120, raise_deg),
            LM.LEFT_ANKLE: polar(hip, 240, raise_deg),
            LM.RIGHT_KNEE: hip + np.array([120, 4]),
            LM.RIGHT_ANKLE: hip + np.array([240, 4]),
        }
    )


def arc_blend_colour() -> np.ndarray:
    return BG * (1 - ARC_ALPHA) + np.asarray(ARC_FILL, float) * ARC_ALPHA


def is_arc_colour(px: np.ndarray) -> bool:
    return bool(np.all(np.abs(px.astype(float) - arc_blend_colour()) < 6))


# --- the angle arc sits exactly between the arms -------------------------------------------------------


@pytest.mark.parametrize(
    ("a_deg", "b_deg"),
    [
        (0.0, 60.0),  # SLR-like: resting leg right, raised leg up-right
        (0.0, -35.0),  # arm b below arm a
        (150.0, 30.0),  # wide angle (120°) opening upward
        (170.0, -170.0),  # short arc crosses the ±180° seam
        (90.0, 265.0),  # 175°: almost straight
    ],
)
def test_arc_fills_the_sector_between_the_arms_only(a_deg: float, b_deg: float) -> None:
    vertex = np.array([400.0, 300.0])
    arm_a, arm_b = polar(vertex, 220, a_deg), polar(vertex, 220, b_deg)
    img = draw_overlay(grey(), None, Overlay(vertex_xy_px=vertex, arm_a_xy_px=arm_a, arm_b_xy_px=arm_b))
    r = arc_radius_px(vertex, arm_a, arm_b, img.shape[0])
    sweep = (b_deg - a_deg + 180.0) % 360.0 - 180.0  # signed short way from a to b
    inside = outside = 0
    for k in range(360):
        theta = a_deg + k
        offset = (theta - a_deg) % 360.0
        signed = offset if sweep >= 0 else offset - 360.0
        in_sector = (0 <= signed <= sweep) if sweep >= 0 else (sweep <= signed <= 0)
        dist_to_arms = min(abs((theta - a_deg + 180) % 360 - 180), abs((theta - b_deg + 180) % 360 - 180))
        if dist_to_arms < 8:
            continue  # the arm lines themselves
        x, y = np.round(polar(vertex, 0.6 * r, theta)).astype(int)
        colour_is_arc = is_arc_colour(img[y, x])
        if in_sector:
            assert colour_is_arc, f"no arc at {theta:.0f}° (arms {a_deg}, {b_deg}): {img[y, x]}"
            inside += 1
        else:
            assert not colour_is_arc, f"arc leaked to {theta:.0f}° (arms {a_deg}, {b_deg})"
            assert np.all(img[y, x] == BG), f"something drawn at {theta:.0f}° outside the sector"
            outside += 1
    assert inside > 0 and outside > 0


def test_arc_span_convention() -> None:
    v = np.array([0.0, 0.0])
    # cv2.ellipse angles go clockwise on screen (y down); the span is the short way, end > start.
    assert arc_span_deg(v, np.array([1.0, 0.0]), np.array([0.0, -1.0])) == pytest.approx((-90.0, 0.0))
    assert arc_span_deg(v, np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx((0.0, 90.0))
    start, end = arc_span_deg(v, np.array([-1.0, 0.01]), np.array([-1.0, -0.01]))
    assert end - start == pytest.approx(2 * math.degrees(math.atan(0.01)), abs=1e-6)


def test_angle_number_is_drawn_near_the_arc() -> None:
    vertex = np.array([400.0, 300.0])
    base = Overlay(vertex_xy_px=vertex, arm_a_xy_px=polar(vertex, 220, 0), arm_b_xy_px=polar(vertex, 220, 60))
    no_label = draw_overlay(grey(), None, base)
    labelled = draw_overlay(
        grey(),
        None,
        Overlay(
            angle_deg=60.0,
            vertex_xy_px=base.vertex_xy_px,
            arm_a_xy_px=base.arm_a_xy_px,
            arm_b_xy_px=base.arm_b_xy_px,
            label="SLR 60 deg",
        ),
    )
    changed = np.argwhere(np.any(labelled != no_label, axis=2))
    assert len(changed) > 200  # a readable label, not a speck
    centre = changed.mean(axis=0)[::-1]  # (x, y)
    direction = math.degrees(math.atan2(-(centre[1] - vertex[1]), centre[0] - vertex[0]))
    assert 10 < direction < 50  # along the bisector (30°), outside the wedge
    assert np.linalg.norm(centre - vertex) > arc_radius_px(vertex, base.arm_a_xy_px, base.arm_b_xy_px, 600)  # type: ignore[arg-type]
    # The white label text is there (the pill is dark, the text white).
    assert np.any(np.all(labelled[changed[:, 0], changed[:, 1]] > 240, axis=1))


def test_degree_marks_become_rings() -> None:
    assert _text_parts("SLR 72 deg") == ["SLR 72", "°"]
    assert _text_parts("knee bend 12°, best 80 deg") == ["knee bend 12", "°", ", best 80", "°"]
    assert _text_parts("degrees of freedom") == ["degrees of freedom"]


# --- skeleton -------------------------------------------------------------------------------------------


def test_skeleton_draws_visible_bones_and_skips_hidden_ones() -> None:
    hip = np.array([300.0, 300.0])
    pose = lying_pose(hip, 45.0)
    img = draw_overlay(grey(), pose, Overlay())
    mid_visible = np.round((pose.image_xy_px[LM.RIGHT_KNEE] + pose.image_xy_px[LM.RIGHT_ANKLE]) / 2).astype(
        int
    )
    assert np.all(np.abs(img[mid_visible[1], mid_visible[0]].astype(int) - BONE) < 20)

    vis = pose.visibility.copy()
    vis[LM.RIGHT_ANKLE] = 0.1  # below MIN_VISIBILITY: the shin must vanish
    hidden = PoseFrame(pose.t_s, pose.image_xy_px, pose.world_xyz_m, vis, 1)
    img2 = draw_overlay(grey(), hidden, Overlay())
    assert np.all(img2[mid_visible[1], mid_visible[0]] == BG)
    thigh_mid = np.round((pose.image_xy_px[LM.RIGHT_HIP] + pose.image_xy_px[LM.RIGHT_KNEE]) / 2).astype(int)
    assert not np.all(img2[thigh_mid[1], thigh_mid[0]] == BG)  # the thigh is still drawn


def test_input_image_is_not_modified() -> None:
    src = grey()
    before = src.copy()
    hip = np.array([300.0, 300.0])
    pose = lying_pose(hip, 60.0)
    overlay = Overlay(
        angle_deg=60.0,
        vertex_xy_px=hip,
        arm_a_xy_px=pose.image_xy_px[LM.RIGHT_ANKLE],
        arm_b_xy_px=pose.image_xy_px[LM.LEFT_ANKLE],
        label="SLR 60 deg",
        hud_lines=["t 1.0 s", "knee bend 3 deg"],
        status=[("knee straight", True)],
        highlight_joints=[LM.LEFT_KNEE],
    )
    out = draw_overlay(src, pose, overlay)
    assert np.array_equal(src, before)
    assert out is not src and not np.shares_memory(out, src)
    assert out.shape == src.shape and out.dtype == np.uint8
    assert not np.array_equal(out, src)


@pytest.mark.parametrize("kind", ["none", "empty", "nan_found", "nan_vertex"])
def test_missing_or_nan_pose_draws_only_the_hud(kind: str) -> None:
    pose: PoseFrame | None
    overlay = Overlay(angle_deg=None, hud_lines=["t 0.0 s", "no person"], status=[("person", False)])
    if kind == "none":
        pose = None
    elif kind == "empty":
        pose = PoseFrame.empty(0.0)
    elif kind == "nan_found":  # a backend bug or a filter gap: "found" but NaN coordinates
        pose = PoseFrame(0.0, np.full((33, 2), np.nan), np.zeros((33, 3)), np.ones(33), 1)
    else:
        pose = None
        overlay = Overlay(
            angle_deg=float("nan"),
            vertex_xy_px=np.array([np.nan, np.nan]),
            arm_a_xy_px=np.array([10.0, 10.0]),
            arm_b_xy_px=np.array([20.0, 10.0]),
            hud_lines=["t 0.0 s"],
        )
    img = draw_overlay(grey(), pose, overlay)
    changed = np.argwhere(np.any(img != BG, axis=2))
    assert len(changed) > 0
    # Everything drawn is in the top-left HUD / chip area.
    assert changed[:, 0].max() < 200 and changed[:, 1].max() < 400


# --- HUD, chips, scaling ----------------------------------------------------------------------------------


def _has_colour_near(img: np.ndarray, colour: tuple[int, int, int], alpha: float, tol: float = 6) -> bool:
    target = BG * (1 - alpha) + np.asarray(colour, float) * alpha
    return bool(np.any(np.all(np.abs(img.astype(float) - target) < tol, axis=2)))


def test_status_chips_colours() -> None:
    img = draw_overlay(
        grey(), None, Overlay(status=[("knee straight", True), ("side-on", False), ("light", None)])
    )
    assert _has_colour_near(img, CHIP_OK, 0.88)
    assert _has_colour_near(img, CHIP_BAD, 0.88)
    assert _has_colour_near(img, CHIP_UNKNOWN, 0.88)
    only_ok = draw_overlay(grey(), None, Overlay(status=[("knee straight", True)]))
    assert not _has_colour_near(only_ok, CHIP_BAD, 0.88)


def test_chips_wrap_inside_narrow_frames() -> None:
    status: list[tuple[str, bool | None]] = [(f"check number {i}", i % 2 == 0) for i in range(8)]
    img = draw_overlay(grey(400, 320), None, Overlay(status=status))
    drawn_cols = np.argwhere(np.any(img != BG, axis=2))[:, 1]
    assert drawn_cols.max() < 320 - 5  # nothing runs off the right edge


def _drawn_box(img: np.ndarray) -> tuple[int, int]:
    pts = np.argwhere(np.any(img != BG, axis=2))
    return int(pts[:, 0].max() - pts[:, 0].min()), int(pts[:, 1].max() - pts[:, 1].min())


def test_hud_scales_with_frame_height() -> None:
    overlay = Overlay(hud_lines=["t 12.3 s", "SLR (left)", "knee bend 4 deg", "best 71 deg"])
    small = _drawn_box(draw_overlay(grey(540, 960), None, overlay))
    large = _drawn_box(draw_overlay(grey(1080, 1920), None, overlay))
    assert large[0] / small[0] == pytest.approx(2.0, rel=0.1)
    assert large[1] / small[1] == pytest.approx(2.0, rel=0.1)


def test_sample_png_for_visual_check() -> None:
    """Renders the look at 540p and 1080p into test-output/ (gitignored) for a person to inspect."""
    out_dir = ROOT / "test-output"
    out_dir.mkdir(exist_ok=True)
    for h, w in ((540, 960), (1080, 1920)):
        s = h / 540
        bg = np.zeros((h, w, 3), np.uint8)
        ramp = np.linspace(1.0, 0.7, h)[:, None]
        bg[..., 0], bg[..., 1], bg[..., 2] = 205 * ramp, 195 * ramp, 180 * ramp
        bg[int(0.78 * h) :] = (120, 90, 70)
        hip = np.array([520.0, 380.0]) * s
        pose = pose_from(
            {
                LM.LEFT_HIP: hip,
                LM.RIGHT_HIP: hip + np.array([0, 5 * s]),
                LM.LEFT_SHOULDER: hip + np.array([-230 * s, 0]),
                LM.RIGHT_SHOULDER: hip + np.array([-230 * s, 5 * s]),
                LM.LEFT_ELBOW: hip + np.array([-150 * s, 12 * s]),
                LM.LEFT_WRIST: hip + np.array([-70 * s, 16 * s]),
                LM.NOSE: hip + np.array([-320 * s, -20 * s]),
                LM.LEFT_EAR: hip + np.array([-300 * s, -12 * s]),
                LM.LEFT_KNEE: polar(hip, 190 * s, 72),
                LM.LEFT_ANKLE: polar(hip, 370 * s, 72),
                LM.RIGHT_KNEE: hip + np.array([190 * s, 6 * s]),
                LM.RIGHT_ANKLE: hip + np.array([370 * s, 8 * s]),
            }
        )
        overlay = Overlay(
            angle_deg=72.0,
            vertex_xy_px=hip,
            arm_a_xy_px=pose.image_xy_px[LM.RIGHT_ANKLE],
            arm_b_xy_px=pose.image_xy_px[LM.LEFT_ANKLE],
            label="SLR 72 deg",
            hud_lines=["t   2.4 s", "SLR (left)", "knee bend 8 deg", "best 74 deg"],
            status=[("person", True), ("knee straight", True), ("side-on", None), ("one person", False)],
            highlight_joints=[LM.LEFT_KNEE],
        )
        img = draw_overlay(bg, pose, overlay)
        path = out_dir / f"annotate_sample_{h}p.png"
        assert cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        back = cv2.imread(str(path))
        assert back is not None and back.shape == (h, w, 3)
