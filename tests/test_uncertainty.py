"""The stated reach interval, term by term, against hand-computed values (1.645 x the root sum of squares)."""

from __future__ import annotations

import pytest

from analysis.uncertainty import PeakEvidence, reach_uncertainty_cm


def _evidence(camera_shift: float = 0.0) -> PeakEvidence:
    return PeakEvidence(
        jitter=0.0, frames_at_peak=1, segment_px=100.0, visibility=1.0, camera_shift=camera_shift, yaw_deg=0.0
    )


def test_reach_floor_is_pixels_at_the_clip_scale() -> None:
    """3.5 px at 0.5 cm/px (a small person in the frame) is 1.75 cm, at 0.25 cm/px 0.875 cm; the height
    scale adds 3% of (0 + 12) cm = 0.36 cm."""
    assert reach_uncertainty_cm(_evidence(), 0.0, "height", True, 0.5) == pytest.approx(2.9)  # 1.645 x 1.787
    assert reach_uncertainty_cm(_evidence(), 0.0, "height", True, 0.25) == pytest.approx(1.6)  # 1.645 x 0.946


def test_reach_without_fingertip_and_with_a_camera_shift() -> None:
    # no fingertip: 1.75 cm more in quadrature -> sqrt(0.875^2 + 1.75^2 + 0.36^2) = 1.989
    assert reach_uncertainty_cm(_evidence(), 0.0, "height", False, 0.25) == pytest.approx(3.3)
    # a one-sd turn of the camera moving the reach 1 cm counts 2.25 cm -> sqrt(0.875^2 + 0.36^2 + 2.25^2) = 2.441
    assert reach_uncertainty_cm(_evidence(1.0), 0.0, "height", True, 0.25) == pytest.approx(4.0)
