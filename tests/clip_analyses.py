"""One real-model analysis per committed test clip per session, shared by the test modules that need it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from analysis.pipeline import AnalysisOptions, analyze_video
from analysis.result import AnalysisResult

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "tests" / "clips"


def truth(clip: Path) -> dict[str, Any]:
    return json.loads(clip.with_suffix(".json").read_text())


@functools.cache
def analysis(clip: Path) -> AnalysisResult:
    """The full pipeline with the bundled model on a clip, with the test its sidecar names."""
    return analyze_video(clip, AnalysisOptions(test=truth(clip)["test"]))
