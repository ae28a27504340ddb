"""Hooks for the whole test session (every test directory sits below this file)."""

from tests.ci_guard import pytest_runtest_makereport

__all__ = ["pytest_runtest_makereport"]  # CI=true: a skipped PostgreSQL or browser test fails the run
