"""Repetitions, peaks and holds in a cleaned angle series.

A repetition is one excursion away from the resting angle and back: for the straight-leg raise the
leg angle rises to a peak ("max" mode); for sit-and-reach the trunk-thigh (hip) angle closes to its
smallest value at the deepest fold ("min" mode). Peaks come from `scipy.signal.find_peaks` with a
prominence threshold, so the wobble of a hold or of the resting leg is not a repetition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import signal

from analysis.result import Rep

EventMode = Literal["max", "min"]


@dataclass(frozen=True)
class EventConfig:
    """Settings of `detect_reps`; angles in degrees, times in seconds."""

    mode: EventMode = "max"  # "max": SLR leg angle peaks; "min": sit-and-reach hip angle folds
    min_prominence_deg: float = 10.0  # a peak must stand this far above the lower of its two valleys
    baseline_fraction: float = 0.2  # a rep starts/ends where the angle is within this fraction of the
    # excursion from its valley (the resting angle, or the valley between two reps)
    hold_tolerance_deg: float = 3.0  # "held" = staying within this of the held angle
    min_hold_s: float = 0.5  # a peak held at least this long counts as a held peak
    max_dip_s: float = 0.3  # a hold survives dips below the tolerance this short (tremor, jitter)
    min_rep_duration_s: float = 0.4  # shorter excursions (a twitch, a tracking glitch) are ignored


def detect_reps(
    t_s: np.ndarray,
    angle_deg: np.ndarray,
    config: EventConfig | None = None,
    reach_cm: np.ndarray | None = None,
) -> list[Rep]:
    """Repetitions in time order. NaN samples are skipped (short interior gaps are bridged linearly
    for finding peaks only). A clip that ends (or starts) at the peak still yields that rep.

    `Rep.angle_deg` is the held angle when the peak was held for `min_hold_s` (the median of the
    plateau within `hold_tolerance_deg`, which averages out the tremor and tracking jitter of the
    hold: the clinical angle is the one reached *and held*), otherwise the extreme value reached.
    `Rep.reach_cm` is the largest reach within the rep when `reach_cm` is given.
    """
    cfg = config or EventConfig()
    t = np.asarray(t_s, dtype=float)
    x = np.asarray(angle_deg, dtype=float)
    if t.shape != x.shape or t.ndim != 1:
        raise ValueError("t_s and angle_deg must be 1-D arrays of the same length.")
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(t))
    if finite.size < 3:
        return []
    first, last = int(finite[0]), int(finite[-1]) + 1
    sign = 1.0 if cfg.mode == "max" else -1.0
    y = sign * _bridge(t[first:last], x[first:last])  # peaks are maxima of y in both modes
    peaks = _find_peaks(y, cfg.min_prominence_deg)
    reps: list[Rep] = []
    for k, p in enumerate(peaks):
        lo = peaks[k - 1] if k > 0 else 0
        hi = peaks[k + 1] if k + 1 < len(peaks) else len(y) - 1
        start, end = _rep_bounds(y, p, lo, hi, cfg.baseline_fraction, cfg.min_prominence_deg)
        ts = t[first:last]
        if ts[end] - ts[start] < cfg.min_rep_duration_s:
            continue
        p = _nearest_measured(y, np.isfinite(x[first:last]), p, start, end)
        level, held_s = _held_level(ts, y, p, start, end, cfg.hold_tolerance_deg, cfg.max_dip_s)
        angle = level if held_s >= cfg.min_hold_s else float(y[p])
        reach = None
        if reach_cm is not None:
            r = np.asarray(reach_cm, dtype=float)[first:last][start : end + 1]
            reach = float(np.nanmax(r)) if np.any(np.isfinite(r)) else None
        reps.append(
            Rep(
                start_s=float(ts[start]),
                peak_s=float(ts[p]),
                end_s=float(ts[end]),
                angle_deg=sign * angle,
                reach_cm=reach,
                held_s=held_s,
            )
        )
    return reps


def best_rep(reps: list[Rep], mode: EventMode, min_hold_s: float = EventConfig.min_hold_s) -> Rep | None:
    """The best repetition: largest angle ("max") or smallest ("min"), among the held ones if any
    rep was held for `min_hold_s`, else among all. None when there are no reps."""
    if not reps:
        return None
    held = [r for r in reps if r.held_s >= min_hold_s]
    pool = held or reps
    if mode == "max":
        return max(pool, key=lambda r: r.angle_deg)
    return min(pool, key=lambda r: r.angle_deg)


def _bridge(t_s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linear interpolation over interior NaNs (the series starts and ends finite)."""
    ok = np.isfinite(x)
    if np.all(ok):
        return x.copy()
    return np.interp(t_s, t_s[ok], x[ok])


def _find_peaks(y: np.ndarray, min_prominence: float) -> list[int]:
    """Indices of prominent maxima, including a maximum at either end of the clip.

    The series is padded with its minimum at both ends, so a clip that stops (or starts) at the peak
    gets a peak whose prominence is measured from the resting angle; the padding itself is never a
    peak.
    """
    floor = float(np.min(y))
    padded = np.concatenate(([floor], y, [floor]))
    found, _ = signal.find_peaks(padded, prominence=min_prominence)
    return [min(max(int(i) - 1, 0), len(y) - 1) for i in found]


def _nearest_measured(y: np.ndarray, measured: np.ndarray, peak: int, start: int, end: int) -> int:
    """`peak` itself if it was measured, else the nearest measured sample at least as high (a flat
    top may centre the peak in a bridged gap), else the nearest measured sample of the rep."""
    if measured[peak]:
        return peak
    idx = np.arange(start, end + 1)
    ok = measured[start : end + 1]
    high = ok & (y[start : end + 1] >= y[peak] - 1e-9)
    pool = idx[high] if np.any(high) else idx[ok]
    return int(pool[np.argmin(np.abs(pool - peak))]) if pool.size else peak


def _rep_bounds(
    y: np.ndarray, peak: int, lo: int, hi: int, fraction: float, min_prominence: float
) -> tuple[int, int]:
    """Start and end of the excursion around `peak`, searched between the neighbouring peaks
    `lo` and `hi`: the last (first) sample before (after) the peak that is within `fraction` of the
    excursion from the valley on that side. A side that never comes down (the clip starts or stops
    at the peak) ends at the clip's edge."""
    top = y[peak]
    left_valley = lo + int(np.argmin(y[lo : peak + 1]))
    right_valley = peak + int(np.argmin(y[peak : hi + 1]))
    start, end = lo, hi
    if top - y[left_valley] >= min_prominence:
        below = np.flatnonzero(
            y[left_valley : peak + 1] <= y[left_valley] + fraction * (top - y[left_valley])
        )
        start = left_valley + int(below[-1])
    if top - y[right_valley] >= min_prominence:
        below = np.flatnonzero(
            y[peak : right_valley + 1] <= y[right_valley] + fraction * (top - y[right_valley])
        )
        end = peak + int(below[0])
    return start, end


def _held_level(
    t_s: np.ndarray, y: np.ndarray, peak: int, start: int, end: int, tolerance: float, max_dip_s: float
) -> tuple[float, float]:
    """(held level, held time) of the plateau around `peak`.

    The plateau is the contiguous stretch around the peak no more than `tolerance` below the level.
    Starting from the peak value, the level is re-centred on the plateau's median a few times, so a
    noisy maximum on top of the hold does not cut the plateau short: on a hold the median converges
    to the middle of the held band; on a sharp peak it stops at most `tolerance` below the maximum.
    Dips below the band shorter than `max_dip_s` do not end the plateau.
    """
    ts = t_s[start : end + 1]
    level = float(y[peak])
    a = b = peak
    for _ in range(5):
        within = _close_short_gaps(ts, y[start : end + 1] >= level - tolerance, max_dip_s)
        a, b = _run_around(within, peak - start)
        a, b = a + start, b + start
        new_level = float(np.median(y[a : b + 1]))
        if math.isclose(new_level, level, abs_tol=1e-6):
            break
        level = new_level
    return level, float(t_s[b] - t_s[a])


def _close_short_gaps(t_s: np.ndarray, mask: np.ndarray, max_gap_s: float) -> np.ndarray:
    """`mask` with False runs between two True samples set True when those samples are at most
    `max_gap_s` + one frame apart."""
    out = mask.copy()
    true_idx = np.flatnonzero(mask)
    if true_idx.size < 2:
        return out
    jumps = np.flatnonzero(np.diff(true_idx) > 1)
    for j in jumps:
        a, b = int(true_idx[j]), int(true_idx[j + 1])
        frame_s = (t_s[b] - t_s[a]) / (b - a)
        if t_s[b] - t_s[a] <= max_gap_s + frame_s + 1e-9:
            out[a:b] = True
    return out


def _run_around(mask: np.ndarray, i: int) -> tuple[int, int]:
    """The contiguous True run of `mask` containing index i (mask[i] is True)."""
    false_before = np.flatnonzero(~mask[:i])
    false_after = np.flatnonzero(~mask[i:])
    a = int(false_before[-1]) + 1 if false_before.size else 0
    b = i + int(false_after[0]) - 1 if false_after.size else len(mask) - 1
    return a, b
