"""A stated uncertainty for each result: the half-width of an interval meant to hold the truth 90% of the time.

Built from what this clip shows, added in quadrature (independent sources, in the unit of the number):
- the model's floor: MediaPipe's own error on a clean side view (`BASE_DEG`; for the reach a few
  pixels at the clip's cm per pixel, `REACH_LANDMARK_PX`);
- jitter: how much the per-frame value scatters around its cleaned series near the peak, shrunk by the
  number of frames that the held peak averages;
- resolution: a landmark's ~2 px placement error over the length of the measured segment;
- visibility: the floor grows when the key points are hard to see at the peak;
- the camera: how much the number moves when the estimated plane turns by one standard deviation,
  and how far the view is from side-on (each degree of yaw adds a little model error).

The constants were set by hand on renders the oblique-camera tests do not use: the SLR floor on the
side-on sample clips (sample_videos/), the camera factor and the sit-and-reach floors (hip angle,
knuckle fallback, the reach's camera factor) on benchmarks/clips/camera_calib (few clips: a coarse fit). `python benchmarks/accuracy.py FOLDER` prints the coverage and median width per
group; docs/MEASURES.md has the numbers on the check set (tests/clips/camera).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z90 = 1.645  # two-sided 90% of a normal distribution
BASE_DEG = {"slr": 1.25, "sit-reach": 2.0}
BASE_CM = 0.9
LANDMARK_PX = 2.0
PER_YAW_DEG = 0.04  # extra sd per degree of |yaw| (correction model error), deg/deg
# The plane's sd comes mostly from the priors (static cue, level camera), so turning it by a full sd
# overstates how far the peak moves: the calibration renders' errors were about half of it.
CAMERA_SHIFT_FACTOR = 0.5
REACH_PER_YAW_CM = 0.03
# The reach's camera term: the hands and feet lie far apart along the floor, so one sd's turn of the plane
# moves the reach more than the angles. Fitted on the calibration renders (coverage 1.00 there) once the
# fingertip was moved to the mid-plane (analysis.measures._fingertip): 2.25 x the one-sd shift; at -20 deg
# (yaw read -10) the reach reads +5.5 cm against a one-sd shift of 1.6 cm. It was 4x before that change.
REACH_CAMERA_SHIFT_FACTOR = 2.25
SCALE_REL = {"height": 0.03, "world landmarks": 0.12, "none": 0.0}  # relative error of the cm scale
REACH_SCALE_LEVER_CM = 12.0  # the scale acts on |reach| plus about this much of foot/hand offset
# The reach's floor is a landmark placement error in image pixels, so in cm it grows as the person gets
# smaller in the frame: REACH_LANDMARK_PX at the cm size of a pixel at the legs. The 640x360 calibration renders
# read +2.1 / -2.4 cm with a fingertip found (about 0.53 cm per px), the 960x540 ones within 0.2 cm
# side-on (about 0.33 cm per px); a fixed 0.9 cm floor missed both 640x360 results. 2.5 px then; the 11
# hip-study renders (benchmarks/clips/hip_calib, more bodies, side-on and +-5..15 deg) read the reach
# -3.4..+3.9 cm at 0.25-0.54 cm per px, and 2.5 px covered 0.87 of the 30 valid calibration results;
# 3.5 px covers 0.93 (median 3.9 cm), 4.0 px no more.
REACH_LANDMARK_PX = 3.5
BASE_CM = 0.9  # without a cm scale (the reach is then not reported in cm anyway)
# No fingertip at the peak: the knuckles plus a finger read -3.9..+3.5 cm on the calibration renders
# (camera term included); 1.75 cm more in quadrature covers them.
KNUCKLE_FALLBACK_CM = 1.75


@dataclass(frozen=True)
class PeakEvidence:
    """What the clip shows around the peak, for one number."""

    jitter: float  # robust sd of raw minus cleaned values in the peak window (unit of the number)
    frames_at_peak: int  # frames the held peak averages
    segment_px: float  # length of the measured segment (leg or trunk), px
    visibility: float  # mean visibility of the key points at the peak, 0..1
    camera_shift: float  # change of the number when the camera estimate moves by one sd (RSS of both angles)
    yaw_deg: float  # estimated camera yaw (0 when not estimated)


def _random_sd(ev: PeakEvidence) -> float:
    jitter = ev.jitter / math.sqrt(max(1, min(ev.frames_at_peak, 8)))
    return jitter


def angle_uncertainty_deg(test: str, ev: PeakEvidence) -> float:
    base = BASE_DEG.get(test, 1.5) / max(min(ev.visibility, 1.0), 0.3)
    resolution = math.degrees(LANDMARK_PX / max(ev.segment_px, 20.0))
    yaw_term = PER_YAW_DEG * abs(ev.yaw_deg)
    camera = CAMERA_SHIFT_FACTOR * ev.camera_shift
    sd = math.sqrt(base**2 + _random_sd(ev) ** 2 + resolution**2 + camera**2 + yaw_term**2)
    return round(Z90 * sd, 1)


def reach_uncertainty_cm(
    ev: PeakEvidence,
    reach_cm: float,
    scale_source: str,
    fingertip_found: bool = True,
    cm_per_px: float | None = None,
) -> float:
    floor_cm = BASE_CM if cm_per_px is None else REACH_LANDMARK_PX * cm_per_px
    base = floor_cm / max(min(ev.visibility, 1.0), 0.3)
    if not fingertip_found:
        base = math.hypot(base, KNUCKLE_FALLBACK_CM)
    scale = SCALE_REL.get(scale_source, 0.12) * (abs(reach_cm) + REACH_SCALE_LEVER_CM)
    yaw_term = REACH_PER_YAW_CM * abs(ev.yaw_deg)
    camera = REACH_CAMERA_SHIFT_FACTOR * ev.camera_shift
    sd = math.sqrt(base**2 + _random_sd(ev) ** 2 + scale**2 + camera**2 + yaw_term**2)
    return round(Z90 * sd, 1)


def jitter_near(
    t_s: np.ndarray, raw: np.ndarray, clean: np.ndarray, peak_s: float, half_s: float = 0.75
) -> float:
    """Robust sd (1.4826 x MAD) of raw - cleaned within `half_s` of the peak; 0 when nothing to go on."""
    near = (np.abs(t_s - peak_s) <= half_s) & np.isfinite(raw) & np.isfinite(clean)
    if np.count_nonzero(near) < 3:
        return 0.0
    d = raw[near] - clean[near]
    return float(1.4826 * np.median(np.abs(d - np.median(d))))


def frames_at(t_s: np.ndarray, values: np.ndarray, peak_s: float, held_s: float) -> int:
    """Frames with a finite value within the held stretch around the peak (at least the peak frame)."""
    near = (np.abs(t_s - peak_s) <= max(held_s / 2, 0.05)) & np.isfinite(values)
    return max(1, int(np.count_nonzero(near)))
