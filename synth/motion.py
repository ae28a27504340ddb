"""Motion profiles: a 0..1 drive per frame (rest, eased rise, wobbling hold, eased lowering, reps)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.spec import MotionSpec


@dataclass(frozen=True)
class Drive:
    t_s: np.ndarray  # (N,) frame times
    level: np.ndarray  # (N,) 0 = start posture, 1 = peak; includes the hold wobble
    rep_index: np.ndarray  # (N,) which rep a frame belongs to (-1 at rest)


def _ease(x: np.ndarray) -> np.ndarray:
    """Cosine ease in/out on 0..1 (zero velocity at both ends, like a controlled movement)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


def duration_s(m: MotionSpec) -> float:
    rep = m.rise_s + m.hold_s + m.lower_s
    return m.start_rest_s + m.reps * rep + (m.reps - 1) * m.between_s + m.end_rest_s


def make_drive(m: MotionSpec, fps: float, seed: int = 0) -> Drive:
    n = round(duration_s(m) * fps)
    t = np.arange(n) / fps
    level = np.zeros(n)
    rep_idx = np.full(n, -1)
    rng = np.random.default_rng(seed)
    start = m.start_rest_s
    for r in range(m.reps):
        scale = m.peak_scale_per_rep[r] if r < len(m.peak_scale_per_rep) else 1.0
        rise_end = start + m.rise_s
        hold_end = rise_end + m.hold_s
        end = hold_end + m.lower_s
        in_rep = (t >= start) & (t < end)
        rep_idx[in_rep] = r
        up = _ease((t - start) / m.rise_s)
        down = 1.0 - _ease((t - hold_end) / m.lower_s)
        shape = np.where(t < rise_end, up, np.where(t < hold_end, 1.0, down))
        # Small slow wobble while holding: a person never keeps a limb perfectly still.
        phase = rng.uniform(0, 2 * np.pi)
        hold = (t >= rise_end) & (t < hold_end)
        wobble = np.zeros(n)
        wobble[hold] = np.sin(2 * np.pi * 0.7 * (t[hold] - rise_end) + phase) * np.sin(
            np.pi * (t[hold] - rise_end) / m.hold_s
        )
        level = np.where(in_rep, scale * shape + wobble * m.wobble_deg / max(m.peak_deg, 1.0), level)
        start = end + m.between_s
    return Drive(t, np.clip(level, 0.0, None), rep_idx)
