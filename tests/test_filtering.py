"""Signal cleaning on synthetic angle profiles whose true values are known exactly."""

import math

import numpy as np
import pytest

from analysis.filtering import (
    FilterConfig,
    OneEuroFilter,
    clean_series,
    finite_runs,
    interpolate_gaps,
    remove_outliers,
)

FPS = 30.0


def hold_profile(fps: float = FPS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rest 1 s, rise 1.5 s to 80 deg, hold 2 s wobbling +-1 deg (1 Hz) around 80, fall 1.5 s, rest 1 s."""
    t = np.arange(0.0, 7.0, 1.0 / fps)
    x = np.interp(t, [0, 1, 2.5, 4.5, 6, 7], [0, 0, 80, 80, 0, 0])
    hold = (t >= 2.5) & (t <= 4.5)
    x = x + np.where(hold, np.sin(2 * np.pi * (t - 2.5)), 0.0)
    return t, x, hold


def triangle_profile(fps: float = FPS) -> tuple[np.ndarray, np.ndarray]:
    """Rest 1 s, 1 s up to 80 deg, 1 s down, rest 1 s: a peak with no hold."""
    t = np.arange(0.0, 4.0, 1.0 / fps)
    return t, np.interp(t, [0, 1, 2, 3, 4], [0, 0, 80, 0, 0])


def test_held_peak_is_not_blunted() -> None:
    t, truth, hold = hold_profile()
    medians = []
    for seed in range(10):
        noisy = truth + np.random.default_rng(seed).normal(0, 1.5, len(t))
        clean = clean_series(t, noisy, None, FilterConfig())
        assert np.all(np.isfinite(clean))
        medians.append(np.median(clean[hold]))
        # each single clip: the held level (80, the wobble averages out) within 0.5 deg
        assert np.median(clean[hold]) == pytest.approx(80.0, abs=0.5)
        # and the jitter is reduced: residual sd well below the 1.5 deg noise
        assert np.std(clean - truth) < 1.2
    assert np.mean(medians) == pytest.approx(80.0, abs=0.2)


def test_sharp_peak_is_not_blunted() -> None:
    t, truth = triangle_profile()
    noise_free = clean_series(t, truth, None, FilterConfig())
    assert np.max(noise_free) == pytest.approx(80.0, abs=1.0)
    assert t[np.argmax(noise_free)] == pytest.approx(2.0, abs=1e-9)  # zero phase: no time shift
    errors = []
    for seed in range(20):
        noisy = truth + np.random.default_rng(seed).normal(0, 1.5, len(t))
        errors.append(np.max(clean_series(t, noisy, None, FilterConfig())) - 80.0)
    assert abs(np.mean(errors)) < 1.5


def test_lower_cutoff_would_blunt_the_sharp_peak() -> None:
    """The tuning matters: a 3 Hz cutoff loses more than 2 deg at a sharp peak."""
    t, truth = triangle_profile()
    assert np.max(clean_series(t, truth, None, FilterConfig(cutoff_hz=3.0))) < 78.0


def test_single_frame_spikes_are_removed() -> None:
    t, truth, _ = hold_profile()
    rng = np.random.default_rng(3)
    noisy = truth + rng.normal(0, 1.5, len(t))
    spikes = [20, 50, 60, 100, 150, 190]  # rest, rise, hold, hold, fall, rest
    noisy[spikes] += 40.0
    clean = clean_series(t, noisy, None, FilterConfig())
    assert np.all(np.isfinite(clean))
    assert np.max(np.abs(clean[spikes] - truth[spikes])) < 4.0
    assert np.max(np.abs(clean - truth)) < 4.5


def test_outlier_replaced_by_running_median() -> None:
    x = np.array([10.0, 10.5, 9.8, 10.2, 50.0, 10.1, 9.9, 10.3, 10.0])
    out = remove_outliers(np.arange(9.0), x, half_window=3, n_sigmas=3.0, spike_n_sigmas=4.0, min_sd=0.5)
    assert out[4] == pytest.approx(10.2)  # replaced by the median of x[1:8] (sorted: 9.8 9.9 10.1 10.2 ...)
    np.testing.assert_array_equal(np.delete(out, 4), np.delete(x, 4))


def test_short_gap_is_filled_long_gap_stays_nan() -> None:
    t = np.arange(0.0, 6.0, 1.0 / FPS)
    truth = 30.0 + 10.0 * np.sin(2 * np.pi * 0.25 * t)
    x = truth.copy()
    short = (t >= 1.0 - 1e-9) & (t < 1.2 - 1e-9)  # 6 frames = 0.2 s
    long = (t >= 3.0 - 1e-9) & (t < 4.0 - 1e-9)  # 30 frames = 1 s
    assert short.sum() == 6 and long.sum() == 30
    x[short] = np.nan
    x[long] = np.nan
    clean = clean_series(t, x, None, FilterConfig())
    assert np.all(np.isfinite(clean[short]))
    np.testing.assert_allclose(clean[short], truth[short], atol=0.3)
    assert np.all(np.isnan(clean[long]))
    assert np.all(np.isfinite(clean[~long]))
    np.testing.assert_allclose(clean[~long], truth[~long], atol=0.3)


def test_low_confidence_frames_are_gated() -> None:
    t = np.arange(0.0, 3.0, 1.0 / FPS)
    x = np.full(len(t), 40.0)
    conf = np.full(len(t), 0.9)
    x[30:60] = 90.0  # 1 s of a wrong pose, reported with low confidence
    conf[30:60] = 0.2
    clean = clean_series(t, x, conf, FilterConfig(min_confidence=0.5))
    assert np.all(np.isnan(clean[30:60]))
    np.testing.assert_allclose(clean[:30], 40.0, atol=1e-6)
    np.testing.assert_allclose(clean[60:], 40.0, atol=1e-6)


def test_variable_frame_rate_matches_truth() -> None:
    rng = np.random.default_rng(7)
    dt = rng.choice([1 / 60, 1 / 30, 1 / 20], size=400, p=[0.3, 0.5, 0.2])
    t = np.cumsum(dt)
    t = t[t < 7.0]
    truth = np.interp(t, [0, 1, 2.5, 4.5, 6, 7], [0, 0, 80, 80, 0, 0])
    noisy = truth + rng.normal(0, 1.0, len(t))
    clean = clean_series(t, noisy, None, FilterConfig())
    assert clean.shape == t.shape
    assert np.all(np.isfinite(clean))
    hold = (t > 2.6) & (t < 4.4)
    assert np.median(clean[hold]) == pytest.approx(80.0, abs=0.5)
    assert np.sqrt(np.mean((clean - truth) ** 2)) < np.sqrt(np.mean((noisy - truth) ** 2))
    # a VFR gap: 0.25 s without frames (timestamps missing, not NaN values) is simply bridged
    keep = (t < 5.0) | (t > 5.25)
    clean_gap = clean_series(t[keep], noisy[keep], None, FilterConfig())
    assert np.all(np.isfinite(clean_gap))


def test_variable_frame_rate_long_gap_stays_nan() -> None:
    t = np.concatenate([np.arange(0, 2, 1 / 30), np.arange(2, 4, 1 / 24) + 1e-3])
    x = np.full(len(t), 25.0)
    x[(t > 1.0) & (t < 2.5)] = np.nan
    clean = clean_series(t, x, None, FilterConfig())
    np.testing.assert_array_equal(np.isnan(clean), np.isnan(x))
    np.testing.assert_allclose(clean[np.isfinite(clean)], 25.0, atol=1e-6)


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_degenerate_lengths(n: int) -> None:
    t = np.arange(n) / FPS
    x = np.full(n, 12.0)
    clean = clean_series(t, x, np.ones(n), FilterConfig())
    assert clean.shape == (n,)
    np.testing.assert_allclose(clean, 12.0)


def test_all_nan_stays_nan() -> None:
    t = np.arange(30) / FPS
    assert np.all(np.isnan(clean_series(t, np.full(30, np.nan), None, FilterConfig())))


def test_single_finite_frame_is_kept_isolated() -> None:
    t = np.arange(30) / FPS
    x = np.full(30, np.nan)
    x[10] = 33.0
    clean = clean_series(t, x, None, FilterConfig())
    assert clean[10] == 33.0
    assert np.count_nonzero(np.isfinite(clean)) == 1


@pytest.mark.parametrize("method", ["butterworth", "savgol", "none"])
def test_methods_keep_a_constant(method: str) -> None:
    t = np.arange(90) / FPS
    clean = clean_series(t, np.full(90, 45.0), None, FilterConfig(method=method))  # type: ignore[arg-type]
    np.testing.assert_allclose(clean, 45.0, atol=1e-9)


def test_unknown_method_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Unknown filter method"):
        clean_series(np.arange(10.0), np.zeros(10), None, FilterConfig(method="kalman"))  # type: ignore[arg-type]


def test_interpolate_gaps_hand_computed() -> None:
    tk = np.array([0.0, 0.1, 0.2, 1.0])
    xk = np.array([0.0, 1.0, 2.0, 10.0])
    q = np.array([0.05, 0.2, 0.5, 1.0, 1.5, -0.1])
    out = interpolate_gaps(tk, xk, q, max_span_s=0.3)
    np.testing.assert_allclose(out[:2], [0.5, 2.0])
    assert math.isnan(out[2])  # 0.2 -> 1.0 is too far apart
    assert out[3] == 10.0
    assert math.isnan(out[4]) and math.isnan(out[5])  # outside the known range


def test_finite_runs() -> None:
    x = np.array([np.nan, 1, 2, np.nan, np.nan, 3, np.nan, 4, 5, 6])
    assert finite_runs(x) == [(1, 3), (5, 6), (7, 10)]


# -- One Euro ------------------------------------------------------------------------------------


def run_one_euro(f: OneEuroFilter, t: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.array([f(float(ti), float(xi)) for ti, xi in zip(t, x, strict=True)])


def test_one_euro_reduces_jitter_on_a_still_value() -> None:
    t = np.arange(0.0, 5.0, 1 / FPS)
    noisy = 50.0 + np.random.default_rng(0).normal(0, 2.0, len(t))
    out = run_one_euro(OneEuroFilter(1.0, 0.05, 1.0), t, noisy)
    settled = t > 1.0
    assert np.std(out[settled]) < 0.5 * np.std(noisy[settled])
    assert np.mean(out[settled]) == pytest.approx(50.0, abs=1.0)


def test_one_euro_lag_on_a_ramp_is_bounded() -> None:
    t = np.arange(0.0, 3.0, 1 / FPS)
    ramp = 40.0 * t  # 40 deg/s
    out = run_one_euro(OneEuroFilter(1.0, 0.05, 1.0), t, ramp)
    # steady state of the adaptive low-pass: lag = speed / (2 pi (min_cutoff + beta * speed)) = 40 / (2 pi 3) = 2.1 deg
    lag = ramp[t > 2.0] - out[t > 2.0]
    assert np.all(lag > 0)
    assert np.max(lag) < 3.0
    # with beta = 0 the same filter lags more (40 / (2 pi) = 6.4 deg): the speed term is what helps
    slow = run_one_euro(OneEuroFilter(1.0, 0.0, 1.0), t, ramp)
    assert np.min(ramp[t > 2.0] - slow[t > 2.0]) > 5.0


def test_one_euro_follows_a_step() -> None:
    t = np.arange(0.0, 3.0, 1 / FPS)
    step = np.where(t < 1.0, 0.0, 60.0)
    out = run_one_euro(OneEuroFilter(1.0, 0.05, 1.0), t, step)
    reached = t[(t >= 1.0) & (out >= 0.9 * 60.0)]
    assert reached.size and reached[0] - 1.0 < 0.4


def test_one_euro_nan_and_irregular_time() -> None:
    f = OneEuroFilter(1.0, 0.05, 1.0)
    assert f(0.0, 10.0) == 10.0
    assert f(0.03, 10.0) == pytest.approx(10.0)
    assert math.isnan(f(0.06, math.nan))
    # the NaN did not disturb the state; an uneven dt of 0.1 s still gives a value between old and new
    y = f(0.16, 20.0)
    assert 10.0 < y < 20.0
    assert f(0.16, 30.0) == y  # repeated timestamp keeps the estimate
    # after a long gap the filter restarts at the new value
    assert f(5.0, 70.0) == 70.0


def test_one_euro_alpha_hand_computed() -> None:
    """With beta = 0 one step is an exponential smoother: alpha = 1 / (1 + 1 / (2 pi fc dt))."""
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0)
    f(0.0, 0.0)
    alpha = 1.0 / (1.0 + 1.0 / (2 * math.pi * 1.0 * 0.1))
    assert f(0.1, 10.0) == pytest.approx(10.0 * alpha)
