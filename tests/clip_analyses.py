"""One real-model analysis per committed test clip per session, shared by the test modules that need it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from analysis.result import AnalysisResult
from benchmarks import accuracy as acc

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "tests" / "clips"


def truth(clip: Path) -> dict[str, Any]:
    return json.loads(clip.with_suffix(".json").read_text())


def analysis(clip: Path) -> AnalysisResult:
    """The full pipeline with the bundled model on a clip, with the test and the body height its sidecar
    names (as a user gives them), shared with every other test that analyses the same clip."""
    sidecar = truth(clip)
    return engine_run(clip, sidecar["test"], sidecar.get("height_cm"))


@functools.cache
def engine_run(video: Path, test: str, height_cm: float | None) -> AnalysisResult:
    """The accuracy benchmark's own run of a clip (default sampling, the sidecar's height), once per session:
    the accuracy regression scores it and the coarse-to-fine test takes it as the full-rate reference."""
    return acc.run_engine(video, test, height_cm)
