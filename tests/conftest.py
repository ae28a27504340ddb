"""Hooks for the whole test session (every test directory sits below this file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci_guard import pytest_runtest_makereport

# pytest_runtest_makereport: with CI=true a skipped PostgreSQL or browser test fails the run.
__all__ = ["pytest_collection_modifyitems", "pytest_runtest_makereport"]

TESTS = Path(__file__).resolve().parent


def _xdist_group(path: Path) -> str | None:
    """Tests that must share one worker process (`pytest -n 2 --dist loadgroup`, the Makefile's):
    the modules that take the one real-model run per clip from `tests/clip_analyses.py` (its cache
    lives in one process: split over two workers, each would run the engine on the same clips), and
    the browser tests (one Streamlit server and one Chromium for all of them)."""
    if TESTS / "browser" in path.parents:
        return "browser"
    if path.suffix == ".py" and "clip_analyses" in path.read_text():
        return "engine"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    groups: dict[Path, str | None] = {}
    for item in items:
        path = Path(item.path)
        if path not in groups:
            groups[path] = _xdist_group(path)
        group = groups[path]
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
