"""Progress is reported on the caller's thread: a UI (Streamlit) may only update widgets from its own
script thread, and the two pose workers run on threads of their own (a real analysis, real model)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from analysis.pipeline import AnalysisOptions, analyze_video

CLIP = Path(__file__).resolve().parent.parent / "sample_videos" / "slr_left_near_slim_f.mp4"


@pytest.mark.slow
def test_progress_comes_from_the_calling_thread_and_rises_to_one() -> None:
    caller = threading.get_ident()
    calls: list[tuple[int, float]] = []
    analyze_video(
        CLIP, AnalysisOptions(test="slr"), progress=lambda x: calls.append((threading.get_ident(), x))
    )
    assert calls, "no progress was reported"
    assert {ident for ident, _ in calls} == {caller}
    values = [x for _, x in calls]
    assert values == sorted(values) and values[-1] == 1.0
