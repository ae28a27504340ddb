"""Sit-and-reach knee check: a bend of about 20 deg at the deepest fold invalidates, 10 deg does not.

Renders in tests/clips/knee (`motion.knee_flex_deg`: the knees bend as the trunk folds, heels on
the floor) and the straight-knee sit-and-reach samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.knee import fold_knee_flexion_deg
from analysis.result import Rep
from tests.clip_analyses import CLIPS, ROOT, analysis, truth
from tests.landmark_factory import series_from_points, supine_frame
from vision.landmarks import LM

KNEE = CLIPS / "knee"
BENT = sorted(p for p in KNEE.glob("knee2*.mp4"))
NOT_BENT = [KNEE / "knee10_sitreach_avg_m.mp4", *sorted((ROOT / "sample_videos").glob("sitreach_*.mp4"))]


def test_fold_median_ignores_a_few_wild_knee_frames() -> None:
    """One leg bent 20 deg over the fold; a quarter of the frames with the knee landmark thrown off."""
    frames = [supine_frame(0.0, knee_flex_deg=20.0) for _ in range(40)]
    for i in range(0, 40, 4):
        frames[i] = supine_frame(0.0, knee_flex_deg=60.0 if i % 8 else 0.0)
    for f in frames:  # only the left (bent) leg is seen well
        f[[LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE]] = np.nan
    lms = series_from_points(frames)
    hip = np.full(40, 40.0)  # held fold: every frame is at the deepest hip angle
    knee = fold_knee_flexion_deg(lms, hip, Rep(0.0, 0.6, 1.3, 40.0))
    assert knee is not None and abs(knee - 20.0) < 1.0


@pytest.mark.slow
@pytest.mark.parametrize("clip", BENT, ids=lambda p: Path(p).stem)
def test_knee_bent_about_20_deg_at_the_fold_is_caught(clip: Path) -> None:
    assert truth(clip)["conditions"]["peak_knee_flexion_deg"] >= 18.0
    result = analysis(clip)
    assert "knee_bent" in [c.code for c in result.checks] and not result.valid


@pytest.mark.slow
@pytest.mark.parametrize("clip", NOT_BENT, ids=lambda p: Path(p).stem)
def test_straight_or_slightly_bent_knees_pass(clip: Path) -> None:
    assert truth(clip)["conditions"]["peak_knee_flexion_deg"] <= 11.0
    result = analysis(clip)
    assert "knee_bent" not in [c.code for c in result.checks] and result.valid
