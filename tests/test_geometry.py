"""Planar geometry with hand-computed expectations (image y points down)."""

import numpy as np
import pytest

from analysis.geometry import (
    circular_median_direction,
    direction_angle_deg,
    flexion_deg,
    joint_angle_deg,
    signed_angle_deg,
    unsigned_angle_deg,
    wrap_deg,
)


@pytest.mark.parametrize(
    ("vec", "expected"),
    [
        ((1, 0), 0.0),
        ((0, -1), 90.0),  # up on screen
        ((-1, 0), 180.0),
        ((0, 1), -90.0),  # down on screen
        ((1, -1), 45.0),
        ((-1, 1), -135.0),
    ],
)
def test_direction_angle_all_quadrants(vec: tuple[float, float], expected: float) -> None:
    assert direction_angle_deg(np.array(vec, dtype=float)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((1, 0), (0, -1), 90.0),
        ((0, -1), (1, 0), -90.0),
        ((-1, 0), (0, -1), -90.0),  # feet pointing left: turning up is clockwise on screen
        ((1, 0), (-1, 0.0001), -180.0 + 0.0057),
        ((1, 0), (np.cos(np.radians(120)), -np.sin(np.radians(120))), 120.0),
    ],
)
def test_signed_angle(a: tuple[float, float], b: tuple[float, float], expected: float) -> None:
    got = float(signed_angle_deg(np.array(a, dtype=float), np.array(b, dtype=float)))
    assert got == pytest.approx(expected, abs=1e-2)


def test_wrap() -> None:
    assert wrap_deg(190.0) == pytest.approx(-170.0)
    assert wrap_deg(-180.0) == pytest.approx(180.0)
    assert wrap_deg(540.0) == pytest.approx(180.0)


def test_unsigned_and_joint_angles() -> None:
    assert unsigned_angle_deg(np.array([1.0, 0]), np.array([1.0, -1])) == pytest.approx(45.0)
    # 3-4-5 triangle: angle at the origin between (3,0) and (3,-4) = atan(4/3)
    assert joint_angle_deg(np.array([3.0, 0]), np.zeros(2), np.array([3.0, -4])) == pytest.approx(
        53.130, abs=1e-3
    )
    # straight knee: hip, knee, ankle collinear -> 0 flexion; right angle -> 90
    assert flexion_deg(np.array([0.0, 0]), np.array([1.0, 0]), np.array([2.0, 0])) == pytest.approx(
        0.0, abs=1e-6
    )
    assert flexion_deg(np.array([0.0, 0]), np.array([1.0, 0]), np.array([1.0, 1])) == pytest.approx(90.0)


def test_nan_propagates() -> None:
    assert np.isnan(joint_angle_deg(np.array([np.nan, 0]), np.zeros(2), np.array([1.0, 0])))


def test_circular_median_direction_across_the_wrap() -> None:
    angles = np.radians([178.0, 179.0, -179.0, -178.0, 60.0])  # one outlier; mean near 180
    vecs = np.stack([np.cos(angles), -np.sin(angles)], axis=1)
    d = circular_median_direction(vecs)
    assert d is not None
    assert abs(abs(float(direction_angle_deg(d))) - 180.0) < 1.5
    assert circular_median_direction(np.full((3, 2), np.nan)) is None
