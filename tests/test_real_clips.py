"""Reality check on real people (../shared/real_clips, never committed): skipped where absent.

Annotations are by-eye 2D angles with a stated uncertainty, so each clip must either agree with its
annotation within that uncertainty or be flagged invalid with a reason; a clip of another exercise
must never come out as a valid result.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from benchmarks import real_clips
from benchmarks.real_clips import DEFAULT_FOLDER, RealClipRow

# One analysis per clip per session: the sit-and-reach video is checked by two tests.
analyse_clip = functools.cache(real_clips.analyse_clip)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DEFAULT_FOLDER.is_dir(), reason="no ../shared/real_clips on this machine"),
]
CLIPS = sorted(DEFAULT_FOLDER.glob("*.mp4")) if DEFAULT_FOLDER.is_dir() else []


@pytest.mark.parametrize("clip", CLIPS, ids=[c.stem for c in CLIPS])
def test_real_clip_is_plausible_or_flagged(clip: Path) -> None:
    rows: list[RealClipRow] = analyse_clip(clip)
    for row in rows:
        if row.test == "other":
            assert not row.valid, f"{row.clip} analysed as {row.analysed_as} must not be a valid result"
            continue
        if row.error_deg is not None and row.uncertainty_deg is not None:
            agrees = abs(row.error_deg) <= row.uncertainty_deg
            assert agrees or (not row.valid and row.checks), (
                f"{row.clip}: {row.measured_at_t_deg} vs annotated {row.annotated_deg} +- {row.uncertainty_deg}, "
                f"valid={row.valid}, checks={row.checks}"
            )


def test_real_sit_and_reach_video_is_measured() -> None:
    clip = DEFAULT_FOLDER / "sr_real_01.mp4"
    if not clip.exists():
        pytest.skip("sr_real_01 absent")
    (row,) = analyse_clip(clip)
    assert row.valid
    assert row.result_deg is not None and abs(row.result_deg - 53.6) <= 7.0  # annotated deepest fold +- 7
