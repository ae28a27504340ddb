"""Write the annotated video of an analysed clip (skeleton, angle arc and HUD) as browser-playable H.264."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from analysis.overlay import build_overlay
from analysis.result import AnalysisResult
from vision.annotate import draw_overlay
from vision.landmarks import LandmarkSeries, PoseFrame
from vision.video_io import H264Writer, iter_frames, scaled_size
from vision.workers import to_display


def pose_at(landmarks: LandmarkSeries, i: int) -> PoseFrame:
    return PoseFrame(
        t_s=float(landmarks.t_s[i]),
        image_xy_px=landmarks.image_xy_px[i],
        world_xyz_m=landmarks.world_xyz_m[i],
        visibility=landmarks.visibility[i],
        n_people=int(landmarks.n_people[i]),
    )


def _running_peak(result: AnalysisResult) -> np.ndarray:
    angle = np.nan_to_num(result.series.angle_deg, nan=np.nan)
    if result.test == "slr":
        return np.fmax.accumulate(np.where(np.isfinite(angle), angle, -np.inf))
    return np.fmin.accumulate(np.where(np.isfinite(angle), angle, np.inf))


def write_annotated_video(
    source: Path,
    landmarks: LandmarkSeries,
    result: AnalysisResult,
    out_path: Path,
    progress: Callable[[float], None] | None = None,
    max_side_px: int = 1280,
) -> Path:
    """Second decoding pass: draw each frame with the cleaned series (so the HUD shows final numbers).

    The frames are final only once the whole clip is analysed, and holding them until then would
    cost gigabytes, so the clip is decoded again. With coarse-to-fine analysis not every frame has
    landmarks: a frame shows the latest analysed one (at most 1/coarse_fps old), never values
    interpolated between them. Larger clips are drawn at `max_side_px` (a 4K annotated video costs
    ~9x the encoding and is watched in a browser panel).
    """
    s = result.series
    peak = _running_peak(result)
    n = len(landmarks)
    if n == 0:
        raise ValueError("no analysed frames to draw")
    knee_limit = 15.0
    width, height = scaled_size(landmarks.width, landmarks.height, max_side_px)
    sx, sy = width / landmarks.width, height / landmarks.height
    with H264Writer(Path(out_path), fps=result.video.fps, width=width, height=height) as writer:
        for k, frame in enumerate(iter_frames(source, max_side_px=max_side_px)):
            i = min(max(int(np.searchsorted(landmarks.t_s, frame.t_s + 1e-6, side="right")) - 1, 0), n - 1)
            pose = to_display(pose_at(landmarks, i), sx, sy)
            knee = float(s.knee_flexion_deg[i])
            status: list[tuple[str, bool | None]] = [
                ("person", bool(landmarks.n_people[i] > 0)),
                ("knee straight", None if not np.isfinite(knee) else knee <= knee_limit),
            ]
            overlay = build_overlay(
                result.test,
                result.side,
                pose,
                float(s.angle_deg[i]),
                knee,
                float(s.reach_cm[i]) if s.reach_cm is not None else None,
                frame.t_s,
                float(peak[i]) if np.isfinite(peak[i]) else None,
                status,
            )
            writer.write(draw_overlay(frame.rgb, pose, overlay))
            if progress and k % 10 == 0:
                progress(min(frame.t_s / max(result.video.duration_s, 1e-6), 1.0))
    return Path(out_path)
