"""RollingLandmarks (the live path's window) against stacking the same frames from scratch."""

from __future__ import annotations

import numpy as np
import pytest

from vision.landmarks import N_LANDMARKS, LandmarkSeries, PoseFrame, RollingLandmarks


def _frame(rng: np.random.Generator, t_s: float) -> PoseFrame:
    tips: dict[str, np.ndarray] | None = None
    roll = rng.random()
    if roll < 0.3:
        tips = {"left": rng.random(2) * 100}
    elif roll < 0.5:
        tips = {"left": rng.random(2) * 100, "right": rng.random(2) * 100}
    return PoseFrame(
        t_s=t_s,
        image_xy_px=rng.random((N_LANDMARKS, 2)) * 500,
        world_xyz_m=rng.random((N_LANDMARKS, 3)),
        visibility=rng.random(N_LANDMARKS),
        n_people=int(rng.integers(0, 3)),
        fingertip_xy_px=tips,
    )


def _same(a: LandmarkSeries, b: LandmarkSeries) -> None:
    for name in ("t_s", "image_xy_px", "world_xyz_m", "visibility", "n_people", "fingertip_xy_px"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert (a.width, a.height) == (b.width, b.height)


@pytest.mark.parametrize("capacity", [1, 4, 64])
def test_window_matches_the_frames_of_the_last_seconds(capacity: int) -> None:
    rng = np.random.default_rng(capacity)
    window = RollingLandmarks(window_s=0.5, capacity=capacity)
    frames: list[PoseFrame] = []
    t_s = 0.0
    for i in range(400):
        # Irregular camera timing, with a pause now and then (everything before it leaves the window).
        t_s += 2.0 if i % 97 == 50 else float(rng.uniform(0.005, 0.06))
        f = _frame(rng, t_s)
        frames.append(f)
        window.append(f)
        kept = [g for g in frames if t_s - g.t_s <= 0.5]
        assert len(window) == len(kept)
        _same(window.series(640, 480), LandmarkSeries.from_frames(kept, 640, 480))
    window.clear()
    assert len(window) == 0 and len(window.series(640, 480)) == 0


def test_window_series_cannot_be_written_through() -> None:
    window = RollingLandmarks(window_s=1.0)
    window.append(_frame(np.random.default_rng(0), 0.0))
    with pytest.raises(ValueError):
        window.series(640, 480).image_xy_px[0, 0, 0] = 1.0
