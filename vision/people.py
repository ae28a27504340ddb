"""Other people in view: how many besides the tracked person, and where (boxes), from one RGB frame.

The pose tracker follows one person. A second, IMAGE-mode multi-pose landmarker is run on a sample
of frames to notice anyone else (a helper, a bystander, a child). On its own it misses people who
are small, cut by the frame edge or partly hidden, because its detector ranks them below its
threshold next to the large main person. `find_others` therefore also looks at the frame with the
tracked person painted out, so the detector sees only what is left, then at a person mask for bodies
without a head in view, and last at that mask made zoomed at the frame's sides for someone the side
cuts; see tests/test_people.py and benchmarks/people.py for the measured detection rates of each pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from vision.landmarks import LM, POSE_EDGES

# A function from an RGB frame to the landmarks (33, 2) in pixels of every person it detects.
DetectFn = Callable[[np.ndarray], list[np.ndarray]]
# A function from an RGB frame to its person probability mask and the mask's px per frame px.
SegmentFn = Callable[[np.ndarray], tuple[np.ndarray, float]]

# The trunk and head landmarks the pose detector keys on; painting over them hides a person from it.
_CORE = (LM.NOSE, LM.LEFT_EAR, LM.RIGHT_EAR, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP)


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.y1 - self.y0)

    def iou(self, other: Box) -> float:
        inter = Box(
            max(self.x0, other.x0), max(self.y0, other.y0), min(self.x1, other.x1), min(self.y1, other.y1)
        )
        union = self.area + other.area - inter.area
        return inter.area / union if union > 0 else 0.0


@dataclass(frozen=True)
class OthersFound:
    n_others: int
    boxes: tuple[Box, ...]  # of the other people, pixels
    landmarks_px: tuple[np.ndarray, ...] = ()  # (33, 2) of each other person the pose detector found
    # Of the others, those only the person mask found (no landmarks: a body without a head in view).
    n_from_mask: int = 0


@dataclass(frozen=True)
class PeopleConfig:
    masked_pass: bool = True  # second detection on the frame with the tracked person painted out
    same_person_px_frac: float = 0.15  # median landmark distance / skeleton size below which it is the same
    paint_margin_frac: float = 0.12  # paint radius around the tracked person's core, / skeleton size
    # A masked-pass detection lying this much inside the tracked person's box is a piece of them (legs
    # read as a small person); real others stick out of the box. Measured (benchmarks/people.py
    # --all): the tracked person read again 0.63-0.79 inside on 7 one-person clips (0.8 let them
    # through), the real others of tests/clips/people at most 0.56.
    max_inside_main_box: float = 0.65
    # With the person mask: a masked-pass detection whose box holds less than this share of person
    # pixels is no body (an exercise ball, a bridge pose's shadow: 0.000 on the real clips; the real
    # others of tests/clips/people 0.135 and more).
    min_person_in_box: float = 0.05


def box_of(xy: np.ndarray) -> Box | None:
    pts = xy[np.all(np.isfinite(xy), axis=1)]
    if len(pts) == 0:
        return None
    return Box(float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))


def skeleton_size_px(xy: np.ndarray) -> float:
    """Diagonal of the landmark box: a scale for "how far apart" that follows the person's size."""
    b = box_of(xy)
    return float(np.hypot(b.x1 - b.x0, b.y1 - b.y0)) if b is not None else 0.0


def same_person(a: np.ndarray, b: np.ndarray, frac: float) -> bool:
    """Two landmark sets of one person: their head and trunk landmarks lie close relative to the
    skeleton's size (limbs are left out: a partial re-detection often puts them elsewhere)."""
    size = max(skeleton_size_px(a), skeleton_size_px(b), 1.0)
    core = list(_CORE)
    d = np.linalg.norm(a[core] - b[core], axis=1)
    d = d[np.isfinite(d)]
    return d.size > 0 and float(np.median(d)) < frac * size


def paint_out(rgb: np.ndarray, xy: np.ndarray, margin_frac: float) -> tuple[np.ndarray, np.ndarray]:
    """A copy of the frame with the person's head and trunk covered by the frame's median colour.

    Only the core (head, shoulders, hips and the trunk between them) is covered: the detector keys on
    it, and covering less leaves more of anyone standing behind or beside the person visible.
    """
    import cv2  # opencv comes with mediapipe

    out = rgb.copy()
    mask = np.zeros(rgb.shape[:2], dtype=np.uint8)
    core = xy[list(_CORE)]
    core = core[np.all(np.isfinite(core), axis=1)]
    if len(core) == 0:
        return out, mask.astype(bool)
    radius = max(8, round(margin_frac * skeleton_size_px(xy)))
    fill = tuple(int(c) for c in np.median(rgb[::8, ::8].reshape(-1, 3), axis=0))
    hull = cv2.convexHull(np.round(core).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1)
    cv2.polylines(mask, [hull], True, 1, thickness=2 * radius)  # the hull grown by the radius
    painted = mask.astype(bool)
    out[painted] = fill
    return out, painted


def _core_inside(xy: np.ndarray, mask: np.ndarray) -> float:
    """Share of a detection's head/trunk landmarks that fall on the painted area."""
    h, w = mask.shape
    core = xy[list(_CORE)]
    core = core[np.all(np.isfinite(core), axis=1)]
    if len(core) == 0:
        return 1.0
    x = np.clip(np.round(core[:, 0]).astype(int), 0, w - 1)
    y = np.clip(np.round(core[:, 1]).astype(int), 0, h - 1)
    inside = mask[y, x] | (core[:, 0] < 0) | (core[:, 0] >= w) | (core[:, 1] < 0) | (core[:, 1] >= h)
    return float(np.mean(inside & (mask[y, x])))


def _share_inside(box: Box | None, outer: Box | None) -> float:
    if box is None or outer is None or box.area <= 0:
        return 1.0
    inter = Box(max(box.x0, outer.x0), max(box.y0, outer.y0), min(box.x1, outer.x1), min(box.y1, outer.y1))
    return inter.area / box.area


def _person_in_box(prob: np.ndarray, scale: float, box: Box | None, cfg: MaskConfig) -> float:
    """Share of a box (frame px) that the person mask (`scale` mask px per frame px) marks as person."""
    if box is None:
        return 0.0
    h, w = prob.shape
    x0, y0 = min(max(int(box.x0 * scale), 0), w), min(max(int(box.y0 * scale), 0), h)
    x1, y1 = min(max(int(np.ceil(box.x1 * scale)), x0), w), min(max(int(np.ceil(box.y1 * scale)), y0), h)
    inside = prob[y0:y1, x0:x1]
    return float(np.mean(inside >= cfg.min_person_prob)) if inside.size else 0.0


def find_others(
    rgb: np.ndarray,
    main_xy: np.ndarray | None,
    detect: DetectFn,
    cfg: PeopleConfig | None = None,
    segment: SegmentFn | None = None,
    mask_cfg: MaskConfig | None = None,
) -> OthersFound:
    """People in the frame other than the tracked one (`main_xy`, (33, 2) px, or None if nobody is tracked).

    With `segment`, person pixels that neither the tracked person nor anyone detected explains, in a
    large enough region, count as one more person (see `unexplained_regions`).
    """
    cfg = cfg or PeopleConfig()
    mcfg = mask_cfg or MaskConfig()
    tracked = main_xy is not None and bool(np.any(np.isfinite(main_xy)))
    prob_scale = segment(rgb) if segment is not None and tracked else None
    found: list[np.ndarray] = list(detect(rgb))
    if cfg.masked_pass and main_xy is not None and tracked:
        painted, mask = paint_out(rgb, main_xy, cfg.paint_margin_frac)
        # A detection whose head and trunk lie on the painted area is the tracked person guessed
        # again from the limbs left visible, not somebody else; one over no person pixels is no body.
        main_box = box_of(main_xy)
        found += [
            xy
            for xy in detect(painted)
            if _core_inside(xy, mask) < 0.5
            and _share_inside(box_of(xy), main_box) < cfg.max_inside_main_box
            and (prob_scale is None or _person_in_box(*prob_scale, box_of(xy), mcfg) >= cfg.min_person_in_box)
        ]
    others: list[np.ndarray] = []
    for xy in found:
        if main_xy is not None and same_person(xy, main_xy, cfg.same_person_px_frac):
            continue
        if any(same_person(xy, o, cfg.same_person_px_frac) for o in others):
            continue
        others.append(xy)
    boxes = tuple(b for b in (box_of(o) for o in others) if b is not None)
    from_mask: tuple[Box, ...] = ()
    if segment is not None and prob_scale is not None and main_xy is not None:
        prob, scale = prob_scale
        regions = unexplained_regions(prob, scale, [main_xy, *others], mcfg)
        from_mask = tuple(box for box, share in regions[:1] if share >= mcfg.min_area_frac)
        if not from_mask and mcfg.edge_zoom > 1:
            # Someone cut by the side of the frame is too thin for the whole-frame mask: look closer.
            zprob, zscale = zoomed_person_prob(rgb, segment, mcfg.edge_zoom, mcfg.edge_rows)
            from_mask = tuple(edge_cut_people(zprob, zscale, [main_xy, *others], mcfg)[:1])
    return OthersFound(len(others) + len(from_mask), boxes + from_mask, tuple(others), len(from_mask))


def legs_off_floor(xy: np.ndarray) -> float:
    """|sin| of the flatter leg's hip->ankle line against the image horizontal: about 0 for a person
    lying or sitting with a leg along the floor (both tests), about 1 standing, 0.8 kneeling upright."""
    values = []
    for hip, ankle in ((LM.LEFT_HIP, LM.LEFT_ANKLE), (LM.RIGHT_HIP, LM.RIGHT_ANKLE)):
        v = xy[ankle] - xy[hip]
        n = float(np.hypot(*v))
        if np.all(np.isfinite(v)) and n > 0:
            values.append(abs(float(v[1])) / n)
    return min(values) if values else 1.0


# legs_off_floor below this: a person lying or sitting with a leg along the floor.
FLOOR_MAX_LEGS_OFF = 0.5


def person_on_the_floor(people_xy: list[np.ndarray], floor_max: float = FLOOR_MAX_LEGS_OFF) -> int | None:
    """Index of the person doing the test: legs along the floor, and the largest such body (the one
    on the mat near the camera, not a child sitting further back). None when nobody fits."""
    fits = [i for i, xy in enumerate(people_xy) if legs_off_floor(xy) < floor_max]
    if not fits:
        return None
    return max(fits, key=lambda i: skeleton_size_px(people_xy[i]))


# -- bodies without a head: the person mask -----------------------------------------------------------
# The pose detector keys on a head; a person mask (vision/segment.py) does not. Person pixels that the
# known people's skeletons do not explain, in a region large enough, are somebody else.


@dataclass(frozen=True)
class MaskConfig:
    min_person_prob: float = 0.5
    limb_width_frac: float = 0.12  # a known person's limbs drawn this thick, / skeleton size
    head_radius_frac: float = 0.10  # around the nose and ears, / skeleton size
    open_px: int = 3  # opening at mask resolution: removes the thin rims a drawn skeleton leaves
    # A region within this many mask px of a known person's cover is part of them (the mat, the floor's
    # reflection, loose clothes read as person on the real clips), never somebody else.
    touch_px: int = 4
    # A detached leftover region at least this share of the frame is another person (measured on the
    # renders and every single-person clip with benchmarks/people.py; see docs/MEASURES.md).
    min_area_frac: float = 0.01
    # The edge pass (`edge_cut_people`): the frame's sides segmented in windows of 1 / edge_zoom its
    # size, edge_rows of them down each side (edge_zoom 0 = off). A leftover region cut by the left or
    # right edge, at least this tall (share of the frame's height) and this many times taller than
    # wide, is the slice of a standing person the edge cuts. Calibrated on two_slr_partly_out and every one-person clip (benchmarks/people.py
    # --all prints each clip's `edge score`, 1.0 = the threshold), checked on other renders.
    edge_zoom: int = 2
    edge_rows: int = 3
    edge_min_height_frac: float = 0.2
    edge_min_aspect: float = 3.0
    edge_border_px: int = 2  # (zoomed mask px) this close to the side: cut by it


def skeleton_cover(shape: tuple[int, int], xy_px: np.ndarray, scale: float, cfg: MaskConfig) -> np.ndarray:
    """Pixels (of a mask `shape`, `scale` mask px per frame px) a person with these landmarks covers:
    limbs drawn thick, the trunk filled, a disc round the head."""
    import cv2  # opencv comes with mediapipe

    cover = np.zeros(shape, dtype=np.uint8)
    xy = xy_px * scale
    size = skeleton_size_px(xy)
    if size <= 0:
        return cover.astype(bool)
    width = max(2, round(cfg.limb_width_frac * size))
    ok = np.all(np.isfinite(xy), axis=1)
    trunk = [i for i in (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.LEFT_HIP) if ok[i]]
    if len(trunk) >= 3:
        cv2.fillPoly(cover, [np.round(xy[trunk]).astype(np.int32)], 1)
    for a, b in POSE_EDGES:
        if ok[a] and ok[b]:
            pa, pb = np.round(xy[a]).astype(int), np.round(xy[b]).astype(int)
            cv2.line(cover, (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1])), 1, thickness=width)
    radius = max(2, round(cfg.head_radius_frac * size))
    for i in (LM.NOSE, LM.LEFT_EAR, LM.RIGHT_EAR):
        if ok[i]:
            cv2.circle(cover, (round(float(xy[i, 0])), round(float(xy[i, 1]))), radius, 1, thickness=-1)
    return cover.astype(bool)


def unexplained_regions(
    person_prob: np.ndarray, scale: float, people_xy: list[np.ndarray], cfg: MaskConfig | None = None
) -> list[tuple[Box, float]]:
    """Regions of person pixels no known skeleton covers and none touches: (box in frame px, share of the
    frame), largest first. `person_prob` is the mask (`scale` mask px per frame px); `people_xy` the
    known people."""
    import cv2  # opencv comes with mediapipe

    cfg = cfg or MaskConfig()
    person = person_prob >= cfg.min_person_prob
    cover = np.zeros(person.shape, dtype=bool)
    for xy in people_xy:
        cover |= skeleton_cover(person.shape, xy, scale, cfg)
    near = cv2.dilate(cover.astype(np.uint8), np.ones((2 * cfg.touch_px + 1,) * 2, dtype=np.uint8)) > 0
    kernel = np.ones((cfg.open_px, cfg.open_px), dtype=np.uint8)
    left = cv2.morphologyEx((person & ~cover).astype(np.uint8), cv2.MORPH_OPEN, kernel)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(left, connectivity=8)
    touching = set(np.unique(labels[near & (labels > 0)]).tolist())
    regions = []
    for i in range(1, n):
        if i in touching:
            continue
        x, y, w, h, area = (int(v) for v in stats[i])
        box = Box(x / scale, y / scale, (x + w) / scale, (y + h) / scale)
        regions.append((box, area / person.size))
    return sorted(regions, key=lambda r: -r[1])


# -- people cut by the side of the frame ----------------------------------------------------------------
# A standing person cut by the frame's side shows as a thin vertical slice (a leg, a strip of shirt):
# ~10 px wide in the 256 px whole-frame mask, below what the selfie model marks. Segmented in windows
# at twice the scale, the same slice is ~20 px wide and often marked (two_slr_partly_out: 0.2-0.3% of
# the frame whole, 0.6-0.9% zoomed). Zoomed, the model also marks things near a real body (an exercise
# ball, the floor's reflection: up to 8% of the frame on the real clips), so the rule is the slice's
# shape at the edge, not its area.


def zoomed_person_prob(rgb: np.ndarray, segment: SegmentFn, zoom: int, rows: int) -> tuple[np.ndarray, float]:
    """Person probability at the frame's left and right edges at `zoom` x the whole-frame mask's scale:
    windows 1 / zoom of the frame's width and height, `rows` of them down each side (overlapping),
    each segmented on its own and combined by max. Returns a map covering the whole frame (0 where no
    window looked) and its mask px per frame px.

    Several rows, not a grid: the model, made for selfies, marks a body best where it runs off a
    window's bottom (a torso), so a leg is marked in the window whose bottom cuts it (on
    chk_sitreach_edge 3 of 4 sampled frames with rows 0, 1/4, 1/2 of the height, 1 of 4 with a 2 x 2
    grid)."""
    height, width = rgb.shape[:2]
    win_w, win_h = round(width / zoom), round(height / zoom)
    out, scale = np.zeros((0, 0), dtype=np.float32), 0.0
    for y0 in np.linspace(0, height - win_h, max(rows, 1)).round().astype(int):
        for x0 in sorted({0, width - win_w}):
            prob, scale = segment(np.ascontiguousarray(rgb[y0 : y0 + win_h, x0 : x0 + win_w]))
            if out.size == 0:  # every window has the same size, so the same scale
                out = np.zeros((round(height * scale), round(width * scale)), dtype=np.float32)
            top, left = round(y0 * scale), round(x0 * scale)
            h, w = min(prob.shape[0], out.shape[0] - top), min(prob.shape[1], out.shape[1] - left)
            out[top : top + h, left : left + w] = np.maximum(
                out[top : top + h, left : left + w], prob[:h, :w]
            )
    return out, scale


def edge_score(box: Box, frame_w_px: float, frame_h_px: float, scale: float, cfg: MaskConfig) -> float:
    """How well a region's box fits a person cut by the left or right edge: >= 1 when it touches that
    edge and is both tall and thin enough (the smaller of its two ratios to the thresholds), else 0."""
    border = cfg.edge_border_px / scale
    if box.x0 > border and box.x1 < frame_w_px - border:
        return 0.0
    height, width = box.y1 - box.y0, max(box.x1 - box.x0, 1.0 / scale)
    return min(height / frame_h_px / cfg.edge_min_height_frac, height / width / cfg.edge_min_aspect)


def edge_regions(
    zoomed_prob: np.ndarray, scale: float, people_xy: list[np.ndarray], cfg: MaskConfig | None = None
) -> list[tuple[float, Box]]:
    """The unexplained regions of a zoomed mask (`zoomed_person_prob`, `scale` mask px per frame px),
    each with its `edge_score` and box in frame px, best fit first."""
    cfg = cfg or MaskConfig()
    zoom = max(cfg.edge_zoom, 1)
    # The opening and the touch distance are in mask px: they grow with the zoom.
    zcfg = replace(cfg, open_px=(cfg.open_px * zoom) | 1, touch_px=cfg.touch_px * zoom)
    frame_h, frame_w = zoomed_prob.shape[0] / scale, zoomed_prob.shape[1] / scale
    scored = [
        (edge_score(box, frame_w, frame_h, scale, cfg), box)
        for box, _ in unexplained_regions(zoomed_prob, scale, people_xy, zcfg)
    ]
    return sorted(scored, key=lambda r: -r[0])


def edge_cut_people(
    zoomed_prob: np.ndarray, scale: float, people_xy: list[np.ndarray], cfg: MaskConfig | None = None
) -> list[Box]:
    """Boxes (frame px) of the people cut by the frame's left or right edge in a zoomed mask."""
    return [box for score, box in edge_regions(zoomed_prob, scale, people_xy, cfg) if score >= 1.0]
