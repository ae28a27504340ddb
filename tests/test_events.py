"""Repetition, peak and hold detection on angle profiles with hand-known answers."""

import numpy as np
import pytest

from analysis.events import EventConfig, best_rep, detect_reps
from analysis.filtering import FilterConfig, clean_series
from analysis.result import Rep

FPS = 30.0


def profile(knots_s: list[float], knots_deg: list[float], fps: float = FPS) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(knots_s[0], knots_s[-1] + 1e-9, 1.0 / fps)
    return t, np.interp(t, knots_s, knots_deg)


def test_single_held_raise() -> None:
    # rest at 5 deg, rise 1-2.5 s to 80, hold to 4.5 s, fall to 6 s, rest to 7 s
    t, x = profile([0, 1, 2.5, 4.5, 6, 7], [5, 5, 80, 80, 5, 5])
    reps = detect_reps(t, x, EventConfig(mode="max"))
    assert len(reps) == 1
    r = reps[0]
    assert r.angle_deg == pytest.approx(80.0)
    # the plateau within 3 deg of 80: the hold plus 3/50 s of each ramp (75 deg in 1.5 s = 50 deg/s)
    # (on the 30 fps grid: 1 frame = 1.67 deg of ramp, so one ramp frame on each side counts)
    assert r.held_s == pytest.approx(2.0 + 2 / FPS)
    assert 2.5 <= r.peak_s <= 4.5
    # start/end within 20% of the 75 deg excursion from rest (20 deg): 15/50 s = 0.3 s into the ramp
    assert r.start_s == pytest.approx(1.3, abs=1 / FPS + 1e-9)
    assert r.end_s == pytest.approx(5.7, abs=1 / FPS + 1e-9)
    assert r.reach_cm is None


def test_held_raise_with_noise_after_cleaning() -> None:
    """The end-to-end number: noisy hold with +-1 deg wobble -> cleaned -> rep angle within 0.5 deg."""
    t, x = profile([0, 1, 2.5, 4.5, 6, 7], [0, 0, 80, 80, 0, 0])
    hold = (t >= 2.5) & (t <= 4.5)
    x = x + np.where(hold, np.sin(2 * np.pi * (t - 2.5)), 0.0)
    for seed in range(10):
        noisy = x + np.random.default_rng(seed).normal(0, 1.5, len(t))
        reps = detect_reps(t, clean_series(t, noisy, None, FilterConfig()), EventConfig())
        assert len(reps) == 1
        assert reps[0].held_s >= 1.5
        assert reps[0].angle_deg == pytest.approx(80.0, abs=0.5)
        # the plain maximum would read high: noise on top of the hold
        assert np.max(clean_series(t, noisy, None, FilterConfig())) > reps[0].angle_deg


def test_sharp_peak_uses_the_maximum() -> None:
    t, x = profile([0, 1, 2, 3, 4], [0, 0, 80, 0, 0])
    reps = detect_reps(t, x, EventConfig())
    assert len(reps) == 1
    assert reps[0].angle_deg == pytest.approx(80.0)
    assert reps[0].peak_s == pytest.approx(2.0)
    assert reps[0].held_s < 0.5  # 80 deg/s: within 3 deg for ~2 x 3/80 s
    assert best_rep(reps, "max") == reps[0]


def test_clip_stopped_at_the_peak_still_yields_a_rep() -> None:
    t, x = profile([0, 1, 2.5, 4.0], [5, 5, 75, 75])
    reps = detect_reps(t, x, EventConfig())
    assert len(reps) == 1
    r = reps[0]
    assert r.angle_deg == pytest.approx(75.0)
    assert r.end_s == pytest.approx(t[-1])
    # the hold plus one ramp frame (70 deg in 1.5 s = 1.56 deg a frame; within 3 deg: 1 frame)
    assert r.held_s == pytest.approx(1.5 + 1 / FPS)


def test_flat_clip_has_no_reps() -> None:
    t = np.arange(0, 5, 1 / FPS)
    assert detect_reps(t, np.full(len(t), 12.0), EventConfig()) == []
    noisy = 12.0 + np.random.default_rng(1).normal(0, 1.5, len(t))
    assert detect_reps(t, clean_series(t, noisy, None, FilterConfig()), EventConfig()) == []
    assert best_rep([], "max") is None


def test_two_reps_best_is_the_higher() -> None:
    t, x = profile([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 0, 70, 70, 0, 0, 80, 80, 0, 0])
    reps = detect_reps(t, x, EventConfig())
    assert [round(r.angle_deg, 6) for r in reps] == [70.0, 80.0]
    assert reps[0].end_s <= reps[1].start_s
    best = best_rep(reps, "max")
    assert best is not None and best.angle_deg == pytest.approx(80.0)
    assert 6.0 <= best.peak_s <= 7.0


def test_sit_reach_min_mode() -> None:
    # hip angle 95 -> 55 (held 1 s) -> 95 -> 60 (held 1 s) -> 95; reach grows as the hip closes
    knots_s = [0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    t, hip = profile(knots_s, [95, 95, 55, 55, 95, 95, 60, 60, 95, 95])
    _, reach = profile(knots_s, [-20, -20, 8, 8, -20, -20, 4, 4, -20, -20])
    reps = detect_reps(t, hip, EventConfig(mode="min"), reach_cm=reach)
    assert [round(r.angle_deg, 6) for r in reps] == [55.0, 60.0]
    assert [r.reach_cm for r in reps] == [pytest.approx(8.0), pytest.approx(4.0)]
    best = best_rep(reps, "min")
    assert best is not None and best.angle_deg == pytest.approx(55.0) and best.reach_cm == pytest.approx(8.0)


def test_small_wobble_is_not_a_rep() -> None:
    # an 8 deg bump is below the 10 deg prominence
    t, x = profile([0, 1, 2, 3, 4], [0, 0, 8, 0, 0])
    assert detect_reps(t, x, EventConfig(min_prominence_deg=10.0)) == []
    assert len(detect_reps(t, x, EventConfig(min_prominence_deg=5.0))) == 1


def test_short_twitch_is_ignored() -> None:
    t, x = profile([0, 1, 1.1, 1.2, 3], [0, 0, 40, 0, 0])  # 0.2 s excursion
    assert detect_reps(t, x, EventConfig(min_rep_duration_s=0.4)) == []


def test_nan_gaps_are_bridged_for_detection() -> None:
    t, x = profile([0, 1, 2.5, 4.5, 6, 7], [5, 5, 80, 80, 5, 5])
    x[:10] = np.nan  # person not found at first
    x[100:110] = np.nan  # a gap in the hold
    x[-5:] = np.nan
    reps = detect_reps(t, x, EventConfig())
    assert len(reps) == 1
    assert reps[0].angle_deg == pytest.approx(80.0)
    assert np.isfinite(x[np.argmin(np.abs(t - reps[0].peak_s))])  # the peak is a real sample
    assert detect_reps(t, np.full(len(t), np.nan), EventConfig()) == []
    assert detect_reps(t[:2], x[10:12], EventConfig()) == []


def test_best_rep_prefers_held_reps() -> None:
    quick = Rep(start_s=0, peak_s=1, end_s=2, angle_deg=90.0, held_s=0.1)
    held = Rep(start_s=3, peak_s=5, end_s=7, angle_deg=80.0, held_s=2.0)
    assert best_rep([quick, held], "max") == held
    assert best_rep([quick], "max") == quick
    assert best_rep([quick, held], "max", min_hold_s=0.0) == quick
    deep_quick = Rep(start_s=0, peak_s=1, end_s=2, angle_deg=40.0, held_s=0.0)
    held_fold = Rep(start_s=3, peak_s=5, end_s=7, angle_deg=55.0, held_s=1.0)
    assert best_rep([deep_quick, held_fold], "min") == held_fold


def test_variable_frame_rate_timing() -> None:
    rng = np.random.default_rng(2)
    t = np.cumsum(rng.choice([1 / 60, 1 / 30, 1 / 15], size=600, p=[0.4, 0.4, 0.2]))
    t = t[t < 7.0]
    x = np.interp(t, [0, 1, 2.5, 4.5, 6, 7], [5, 5, 80, 80, 5, 5])
    reps = detect_reps(t, x, EventConfig())
    assert len(reps) == 1
    assert reps[0].angle_deg == pytest.approx(80.0)
    assert reps[0].held_s == pytest.approx(2.12, abs=0.1)
