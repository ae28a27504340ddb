"""The engine's output: a typed analysis result and its JSON form (the CLI contract)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flexcheck.vocabulary import TESTS, Severity, Side, TestKind

__all__ = [
    "TESTS",
    "AnalysisResult",
    "Check",
    "MeasureSeries",
    "Rep",
    "Severity",
    "Side",
    "TestKind",
    "VideoInfo",
]


@dataclass(frozen=True)
class Check:
    """One validity check. `error` makes the result invalid; `warning` lowers confidence."""

    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class Rep:
    start_s: float
    peak_s: float
    end_s: float
    angle_deg: float
    reach_cm: float | None = None
    held_s: float = 0.0  # how long the angle stayed within a few degrees of the peak


@dataclass(frozen=True)
class VideoInfo:
    fps: float
    frames: int
    duration_s: float
    width: int
    height: int
    rotation_deg: int


@dataclass(frozen=True)
class Sampling:
    """Which frames the pose model saw: all of them (`coarse_fps` None), or every frame inside
    `full_rate_s` and `coarse_fps` frames per second elsewhere. The series holds only those frames."""

    coarse_fps: float | None
    full_rate_s: tuple[tuple[float, float], ...]
    frames_analysed: int


@dataclass(frozen=True)
class MeasureSeries:
    """Cleaned per-frame measures (NaN where unmeasurable). `angle_deg` is the test's main angle:
    SLR angle for `slr`, trunk-thigh (hip) angle for `sit-reach`."""

    t_s: np.ndarray
    angle_deg: np.ndarray
    knee_flexion_deg: np.ndarray
    reach_cm: np.ndarray | None = None  # sit-reach only
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # e.g. resting_leg_lift_deg


@dataclass(frozen=True)
class CameraEstimate:
    """Where the camera stood, estimated from the clip (see analysis/camera.py, docs/MEASURES.md).

    `yaw_deg` > 0: the camera stands toward the person's feet (looks back toward the head); < 0 toward
    the head. `pitch_deg` > 0: looking down. `*_sd_deg`: how well the clip determines them (one standard
    deviation). `corrected`: the angles were measured in the rectified side view."""

    yaw_deg: float
    pitch_deg: float
    yaw_sd_deg: float
    pitch_sd_deg: float
    corrected: bool
    source: str  # "combined": swing lengths + level camera + far-side offsets (analysis/camera.py)
    static_yaw_deg: float | None = None  # the far-side-offset cue alone (for the benchmark's cue table)
    swing_yaw_deg: float | None = None  # the swing-length cue alone


@dataclass(frozen=True)
class AnalysisResult:
    test: TestKind
    side: Side
    video: VideoInfo
    series: MeasureSeries
    reps: list[Rep]
    valid: bool
    angle_deg: float | None
    reach_cm: float | None
    peak_s: float | None
    checks: list[Check]
    engine_version: str = ""
    model_name: str = ""
    sampling: Sampling | None = None
    uncertainty_deg: float | None = None  # half-width of a 90% interval around angle_deg
    reach_uncertainty_cm: float | None = None  # the same for reach_cm (sit-and-reach)
    camera: CameraEstimate | None = None

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.severity == "error"]

    def to_json_dict(self) -> dict[str, Any]:
        """The exact shape promised by `flexcheck analyze --json` (other tools depend on it)."""
        s = self.series
        frames = [
            {
                "t_s": round(float(s.t_s[i]), 4),
                "angle_deg": _num(s.angle_deg[i]),
                "knee_flexion_deg": _num(s.knee_flexion_deg[i]),
                "reach_cm": _num(s.reach_cm[i]) if s.reach_cm is not None else None,
            }
            for i in range(len(s.t_s))
        ]
        return {
            "test": self.test,
            "side": self.side,
            "video": {
                "fps": round(self.video.fps, 3),
                "frames": self.video.frames,
                "duration_s": round(self.video.duration_s, 3),
                "width": self.video.width,
                "height": self.video.height,
                "rotation_deg": self.video.rotation_deg,
            },
            "frames": frames,
            "sampling": None if self.sampling is None else _sampling_json(self.sampling),
            "reps": [
                {
                    "start_s": round(r.start_s, 3),
                    "peak_s": round(r.peak_s, 3),
                    "end_s": round(r.end_s, 3),
                    "angle_deg": round(r.angle_deg, 2),
                    "reach_cm": None if r.reach_cm is None else round(r.reach_cm, 2),
                }
                for r in self.reps
            ],
            "result": {
                "valid": self.valid,
                "angle_deg": None if self.angle_deg is None else round(self.angle_deg, 2),
                "reach_cm": None if self.reach_cm is None else round(self.reach_cm, 2),
                "peak_s": None if self.peak_s is None else round(self.peak_s, 3),
                "uncertainty_deg": _round_or_none(self.uncertainty_deg, 1),
                "reach_uncertainty_cm": _round_or_none(self.reach_uncertainty_cm, 1),
            },
            "camera": None
            if self.camera is None
            else {
                "yaw_deg": round(self.camera.yaw_deg, 1),
                "pitch_deg": round(self.camera.pitch_deg, 1),
                "yaw_sd_deg": _round_or_none(self.camera.yaw_sd_deg, 1),
                "corrected": self.camera.corrected,
                "source": self.camera.source,
            },
            "checks": [{"code": c.code, "severity": c.severity, "message": c.message} for c in self.checks],
        }


def _sampling_json(s: Sampling) -> dict[str, Any]:
    return {
        "coarse_fps": s.coarse_fps,
        "full_rate_s": [[round(a, 3), round(b, 3)] for a, b in s.full_rate_s],
        "frames_analysed": s.frames_analysed,
    }


def _round_or_none(x: float | None, digits: int) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else round(float(x), digits)


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else round(float(x), 2)
