"""The stated reach interval, term by term, against hand-computed values (1.645 x the root sum of squares)."""

from __future__ import annotations

import pytest

from analysis.uncertainty import PeakEvidence, reach_uncertainty_cm


def _evidence(camera_shift: float = 0.0) -> PeakEvidence:
    return PeakEvidence(
        jitter=0.0, frames_at_peak=1, segment_px=100.0, visibility=1.0, camera_shift=camera_shift, yaw_deg=0.0
    )


def test_reach_floor_is_pixels_at_the_clip_scale() -> None:
    """2.5 px at 0.5 cm/px (a small person in the frame) is 1.25 cm, at 0.25 cm/px 0.625 cm; the height
    scale adds 3% of (0 + 12) cm = 0.36 cm."""
    assert reach_uncertainty_cm(_evidence(), 0.0, "height", True, 0.5) == pytest.approx(2.1)  # 1.645 x 1.301
    assert reach_uncertainty_cm(_evidence(), 0.0, "height", True, 0.25) == pytest.approx(1.2)  # 1.645 x 0.721


def test_reach_without_fingertip_and_with_a_camera_shift() -> None:
    # no fingertip: 1.75 cm more in quadrature -> sqrt(0.625^2 + 1.75^2 + 0.36^2) = 1.893
    assert reach_uncertainty_cm(_evidence(), 0.0, "height", False, 0.25) == pytest.approx(3.1)
    # a one-sd turn of the camera moving the reach 1 cm counts 2.25 cm -> sqrt(0.625^2 + 0.36^2 + 2.25^2) = 2.363
    assert reach_uncertainty_cm(_evidence(1.0), 0.0, "height", True, 0.25) == pytest.approx(3.9)
