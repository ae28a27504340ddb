"""Draw the measurement on a frame: skeleton, the measured angle as a translucent arc with its number,
a HUD panel and status chips. Pure function of (image, pose, overlay); sizes scale with the frame height."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from vision.landmarks import POSE_EDGES, PoseFrame

RGB = tuple[int, int, int]

MIN_VISIBILITY = 0.3
REF_HEIGHT_PX = 720.0  # sizes below are tuned for 720p and scaled linearly

# Colours (RGB; the frames are RGB, cv2 only writes the tuples it is given).
BONE: RGB = (236, 240, 244)
BONE_SHADOW: RGB = (24, 28, 36)
JOINT: RGB = (255, 255, 255)
HIGHLIGHT: RGB = (255, 176, 32)
ARC_FILL: RGB = (0, 200, 255)  # cyan-blue: reads on skin, clothes and floors
ARC_EDGE: RGB = (0, 150, 230)
ARM: RGB = (0, 200, 255)
PANEL: RGB = (16, 20, 28)
TEXT: RGB = (255, 255, 255)
TEXT_DIM: RGB = (190, 198, 210)
CHIP_OK: RGB = (34, 160, 84)
CHIP_BAD: RGB = (214, 54, 54)
CHIP_UNKNOWN: RGB = (110, 116, 128)

ARC_ALPHA = 0.45
PANEL_ALPHA = 0.62
FONT = cv2.FONT_HERSHEY_DUPLEX
_DEGREE = re.compile(r"(?<=\d) ?(?:°|deg\b)")  # "72 deg" / "72°" -> number + drawn degree ring


@dataclass(frozen=True)
class Overlay:
    """What to draw on one frame. Points are (x, y) pixels of the upright frame; None = not drawn."""

    angle_deg: float | None = None
    vertex_xy_px: np.ndarray | None = None  # the joint where the angle is (e.g. hip)
    arm_a_xy_px: np.ndarray | None = None  # a point on the reference arm (e.g. resting-leg direction)
    arm_b_xy_px: np.ndarray | None = None  # a point on the moving arm (e.g. raised ankle)
    label: str = ""  # e.g. "SLR 72 deg"; "deg"/"°" after a number is drawn as a degree ring
    hud_lines: list[str] = field(default_factory=list)
    status: list[tuple[str, bool | None]] = field(default_factory=list)  # name, ok / bad / unknown
    highlight_joints: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Style:
    """Pixel sizes for one frame height."""

    scale: float

    def px(self, at_720p: float) -> int:
        return max(1, round(at_720p * self.scale))

    @property
    def font_scale(self) -> float:
        return 0.62 * self.scale

    @property
    def font_thickness(self) -> int:
        return self.px(1.4)


def _finite_point(p: np.ndarray | None) -> np.ndarray | None:
    if p is None:
        return None
    arr = np.asarray(p, dtype=float).reshape(-1)[:2]
    return arr if arr.shape == (2,) and bool(np.all(np.isfinite(arr))) else None


def _ipt(p: np.ndarray) -> tuple[int, int]:
    return round(float(p[0])), round(float(p[1]))


# --- text -------------------------------------------------------------------------------------------


def _text_parts(text: str) -> list[str]:
    """Split on degree marks; the separators become '°' items, drawn as small rings."""
    out: list[str] = []
    last = 0
    for m in _DEGREE.finditer(text):
        out += [text[last : m.start()], "°"]
        last = m.end()
    out.append(text[last:])
    return [p for p in out if p]


@functools.lru_cache(maxsize=1024)
def _text_box(text: str, font_scale: float, thickness: int) -> tuple[tuple[int, int], int]:
    """cv2.getTextSize, remembered: the same labels are measured on every frame (~30 calls a frame)."""
    (w, h), base = cv2.getTextSize(text, FONT, font_scale, thickness)
    return (w, h), base


def _text_size(text: str, st: _Style, font_scale: float | None = None) -> tuple[int, int, int]:
    """(width, ascent, descent) of a text line, degree rings included."""
    fs = st.font_scale if font_scale is None else font_scale
    th = st.font_thickness
    (_, h), base = _text_box("Hg", fs, th)
    w = 0
    for part in _text_parts(text):
        w += _degree_width(fs) if part == "°" else _text_box(part, fs, th)[0][0]
    return w, h, base


def _degree_width(font_scale: float) -> int:
    return max(4, round(14 * font_scale))


def _draw_text(
    img: np.ndarray, text: str, org: tuple[int, int], st: _Style, color: RGB, font_scale: float | None = None
) -> None:
    """Text with its baseline-left at org; '°' / 'deg' after a number drawn as a ring (Hershey has no °)."""
    fs = st.font_scale if font_scale is None else font_scale
    th = st.font_thickness
    x, y = org
    (_, cap_h), _ = _text_box("0", fs, th)
    for part in _text_parts(text):
        if part == "°":
            r = max(2, round(3.6 * fs))
            cv2.circle(img, (x + r + max(1, th // 2), y - cap_h + r), r, color, max(1, th - 1), cv2.LINE_AA)
            x += _degree_width(fs)
        else:
            cv2.putText(img, part, (x, y), FONT, fs, color, th, cv2.LINE_AA)
            x += _text_box(part, fs, th)[0][0]


# --- translucent shapes ------------------------------------------------------------------------------


def _clip_box(img: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> tuple[int, int, int, int] | None:
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _rounded_rect(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, r: int, color: RGB) -> None:
    r = max(0, min(r, (x1 - x0) // 2, (y1 - y0) // 2))
    cv2.rectangle(img, (x0 + r, y0), (x1 - r, y1), color, -1, cv2.LINE_AA)
    cv2.rectangle(img, (x0, y0 + r), (x1, y1 - r), color, -1, cv2.LINE_AA)
    for cx, cy in ((x0 + r, y0 + r), (x1 - r, y0 + r), (x0 + r, y1 - r), (x1 - r, y1 - r)):
        cv2.circle(img, (cx, cy), r, color, -1, cv2.LINE_AA)


def _blend_panel(
    img: np.ndarray, x0: int, y0: int, x1: int, y1: int, r: int, color: RGB, alpha: float
) -> None:
    """Translucent rounded rectangle, blended only inside its box (cheap on large frames)."""
    box = _clip_box(img, x0, y0, x1 + 1, y1 + 1)
    if box is None:
        return
    bx0, by0, bx1, by1 = box
    roi = img[by0:by1, bx0:bx1]
    mask = np.zeros(roi.shape[:2], np.uint8)
    _rounded_rect(mask, x0 - bx0, y0 - by0, x1 - bx0, y1 - by0, r, (255, 255, 255))
    _blend_into(roi, mask, color, alpha)


def _blend_into(roi: np.ndarray, mask: np.ndarray, color: RGB, alpha: float) -> None:
    """`roi` (a view into the frame) blended toward `color` by alpha x mask/255, in place. OpenCV's
    blendLinear does it in one native pass: the float numpy version cost ~0.3 ms a panel, five a frame
    on the live path (benchmarks/live.py)."""
    weight = mask.astype(np.float32) * (alpha / 255.0)
    solid = np.empty_like(roi)
    solid[:] = color
    roi[:] = cv2.blendLinear(solid, roi, weight, 1.0 - weight)


# --- skeleton -----------------------------------------------------------------------------------------


def _visible_points(pose: PoseFrame) -> dict[int, tuple[int, int]]:
    n = min(len(pose.image_xy_px), len(pose.visibility))
    xy, vis = pose.image_xy_px[:n], pose.visibility[:n]
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(vis) & (vis >= MIN_VISIBILITY) & np.all(np.isfinite(xy), axis=1)
    idx = np.flatnonzero(ok)
    return {int(i): (x, y) for i, (x, y) in zip(idx, np.rint(xy[idx]).astype(int).tolist(), strict=True)}


def _draw_skeleton(img: np.ndarray, pose: PoseFrame, highlight: list[int], st: _Style) -> None:
    pts = _visible_points(pose)
    edges = [(pts[a], pts[b]) for a, b in POSE_EDGES if a in pts and b in pts]
    for p, q in edges:  # dark outline first so bones read on light backgrounds too
        cv2.line(img, p, q, BONE_SHADOW, st.px(6), cv2.LINE_AA)
    for p, q in edges:
        cv2.line(img, p, q, BONE, st.px(3), cv2.LINE_AA)
    used = {i for e in POSE_EDGES for i in e}
    for i, p in pts.items():
        if i in used:
            cv2.circle(img, p, st.px(5), BONE_SHADOW, -1, cv2.LINE_AA)
            cv2.circle(img, p, st.px(3.5), JOINT, -1, cv2.LINE_AA)
    for i in highlight:
        if i in pts:
            cv2.circle(img, pts[i], st.px(11), HIGHLIGHT, st.px(3), cv2.LINE_AA)


# --- angle arc ----------------------------------------------------------------------------------------


def _screen_angle_deg(v: np.ndarray) -> float:
    """Direction of an image vector in cv2.ellipse's convention (degrees, clockwise on screen from +x)."""
    return math.degrees(math.atan2(float(v[1]), float(v[0])))


def arc_span_deg(vertex: np.ndarray, arm_a: np.ndarray, arm_b: np.ndarray) -> tuple[float, float]:
    """Start and end angle (cv2.ellipse convention, end > start) of the short arc from arm a to arm b."""
    a = _screen_angle_deg(arm_a - vertex)
    b = _screen_angle_deg(arm_b - vertex)
    sweep = (b - a + 180.0) % 360.0 - 180.0  # signed, in [-180, 180)
    return (a, a + sweep) if sweep >= 0 else (a + sweep, a)


def arc_radius_px(vertex: np.ndarray, arm_a: np.ndarray, arm_b: np.ndarray, height_px: int) -> int:
    """Radius that stays inside the shorter arm but is visible at any frame size."""
    shorter = min(float(np.linalg.norm(arm_a - vertex)), float(np.linalg.norm(arm_b - vertex)))
    return round(float(np.clip(0.55 * shorter, 0.045 * height_px, 0.18 * height_px)))


def _draw_angle(img: np.ndarray, overlay: Overlay, st: _Style) -> None:
    v = _finite_point(overlay.vertex_xy_px)
    a = _finite_point(overlay.arm_a_xy_px)
    b = _finite_point(overlay.arm_b_xy_px)
    if v is None or a is None or b is None or np.allclose(a, v) or np.allclose(b, v):
        return
    r = arc_radius_px(v, a, b, img.shape[0])
    start, end = arc_span_deg(v, a, b)
    centre = _ipt(v)
    # Arms: the reference arm is drawn to the same length as the moving arm so the wedge reads clearly.
    reach = max(float(np.linalg.norm(b - v)), 1.3 * r)
    a_end = v + (a - v) / float(np.linalg.norm(a - v)) * reach
    cv2.line(img, centre, _ipt(a_end), BONE_SHADOW, st.px(5), cv2.LINE_AA)
    cv2.line(img, centre, _ipt(a_end), ARM, st.px(2.5), cv2.LINE_AA)
    cv2.line(img, centre, _ipt(b), ARM, st.px(3), cv2.LINE_AA)

    box = _clip_box(img, centre[0] - r - 2, centre[1] - r - 2, centre[0] + r + 3, centre[1] + r + 3)
    if box is not None:
        x0, y0, x1, y1 = box
        roi = img[y0:y1, x0:x1]
        mask = np.zeros(roi.shape[:2], np.uint8)
        cv2.ellipse(mask, (centre[0] - x0, centre[1] - y0), (r, r), 0, start, end, 255, -1, cv2.LINE_AA)
        _blend_into(roi, mask, ARC_FILL, ARC_ALPHA)
    cv2.ellipse(img, centre, (r, r), 0, start, end, ARC_EDGE, st.px(2.5), cv2.LINE_AA)
    cv2.circle(img, centre, st.px(6), ARM, -1, cv2.LINE_AA)
    cv2.circle(img, centre, st.px(6), BONE_SHADOW, st.px(1.5), cv2.LINE_AA)

    text = overlay.label or (f"{overlay.angle_deg:.0f} deg" if overlay.angle_deg is not None else "")
    if text:
        _label_outside_arc(img, text, v, r, math.radians((start + end) / 2.0), st)


def _label_outside_arc(
    img: np.ndarray, text: str, vertex: np.ndarray, r: int, direction_rad: float, st: _Style
) -> None:
    """Big number on a dark pill just beyond the arc along its bisector, kept inside the frame."""
    fs = st.font_scale * 1.35
    w, asc, desc = _text_size(text, st, fs)
    pad = st.px(9)
    box_w, box_h = w + 2 * pad, asc + desc + 1.5 * pad
    dx, dy = math.cos(direction_rad), math.sin(direction_rad)
    # Distance from the pill centre to its edge along the bisector, so the pill never covers the arc.
    half_extent = min(box_w / 2 / max(abs(dx), 1e-6), box_h / 2 / max(abs(dy), 1e-6))
    centre = vertex + (r + st.px(10) + half_extent) * np.array([dx, dy])
    h_img, w_img = img.shape[:2]
    x = int(np.clip(centre[0] - w / 2, pad, max(pad, w_img - w - pad)))
    y = int(np.clip(centre[1] + (asc - desc) / 2, asc + pad, max(asc + pad, h_img - desc - pad)))
    _blend_panel(img, x - pad, y - asc - pad, x + w + pad, y + desc + pad // 2, st.px(10), PANEL, 0.75)
    _draw_text(img, text, (x, y), st, TEXT, fs)


# --- HUD and chips -------------------------------------------------------------------------------------


def _draw_hud(img: np.ndarray, lines: list[str], st: _Style) -> int:
    """Panel top-left; returns its bottom y so the chips can go below it."""
    if not lines:
        return st.px(12)
    margin, pad, gap = st.px(16), st.px(12), st.px(10)
    sizes = [_text_size(t, st) for t in lines]
    line_h = max(s[1] + s[2] for s in sizes) + gap
    w = max(s[0] for s in sizes)
    x0, y0 = margin, margin
    x1, y1 = x0 + w + 2 * pad, y0 + len(lines) * line_h - gap + 2 * pad
    _blend_panel(img, x0, y0, x1, y1, st.px(12), PANEL, PANEL_ALPHA)
    y = y0 + pad
    for i, (text, (_, asc, desc)) in enumerate(zip(lines, sizes, strict=True)):
        y += asc
        _draw_text(img, text, (x0 + pad, y), st, TEXT if i == 0 else TEXT_DIM)
        y += desc + gap
    return y1


def _chip_colour(ok: bool | None) -> RGB:
    return CHIP_UNKNOWN if ok is None else (CHIP_OK if ok else CHIP_BAD)


def _draw_chips(img: np.ndarray, status: list[tuple[str, bool | None]], top_y: int, st: _Style) -> None:
    """One rounded chip per check, in rows under the HUD, wrapping at the frame edge."""
    margin, pad_x, pad_y, gap = st.px(16), st.px(12), st.px(7), st.px(8)
    fs = st.font_scale * 0.85
    x, y = margin, top_y + gap
    w_img = img.shape[1]
    for name, ok in status:
        w, asc, desc = _text_size(name, st, fs)
        dot = st.px(5)
        chip_w, chip_h = w + 2 * pad_x + 2 * dot + pad_x // 2, asc + desc + 2 * pad_y
        if x + chip_w > w_img - margin and x > margin:
            x, y = margin, y + chip_h + gap
        colour = _chip_colour(ok)
        _blend_panel(img, x, y, x + chip_w, y + chip_h, chip_h // 2, colour, 0.88)
        cy = y + chip_h // 2
        cx = x + pad_x + dot
        if ok is None:
            cv2.circle(img, (cx, cy), dot, TEXT, st.px(1.5), cv2.LINE_AA)
        else:
            cv2.circle(img, (cx, cy), dot, TEXT, -1, cv2.LINE_AA)
        _draw_text(img, name, (cx + dot + pad_x // 2, y + pad_y + asc), st, TEXT, fs)
        x += chip_w + gap


# --- public --------------------------------------------------------------------------------------------


def draw_overlay(rgb: np.ndarray, pose: PoseFrame | None, overlay: Overlay) -> np.ndarray:
    """A new RGB image with skeleton, angle arc + number, HUD and status chips; the input is not modified."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {rgb.shape}")
    img = np.array(rgb, dtype=np.uint8, order="C", copy=True)
    st = _Style(scale=img.shape[0] / REF_HEIGHT_PX)
    if pose is not None and pose.found:
        _draw_skeleton(img, pose, overlay.highlight_joints, st)
    _draw_angle(img, overlay, st)
    hud_bottom = _draw_hud(img, overlay.hud_lines, st)
    _draw_chips(img, overlay.status, hud_bottom, st)
    return img
