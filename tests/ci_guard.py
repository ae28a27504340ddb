"""Under CI a skipped PostgreSQL or browser test is a failure, so CI cannot go green by skipping.

Locally (no `CI` in the environment) these suites skip with a reason when PostgreSQL or Chromium is
missing. With `CI=true` (any of 1/true/yes), the skip of such a test is turned into a failure whose
message says what was missing. Loaded from tests/conftest.py; usable alone with `-p tests.ci_guard`.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

# A suite that must run under CI: its marker, and the fixtures that need the system binary.
REQUIRED_SUITES = {
    "postgres": ("pg_server",),
    "browser": ("app_server",),
}


def ci_enabled(environ: dict[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() in ("1", "true", "yes")


def required_suite(item: pytest.Item) -> str | None:
    """The name of the must-run suite this test belongs to, if any."""
    names = set(getattr(item, "fixturenames", ()))
    for suite, fixtures in REQUIRED_SUITES.items():
        if item.get_closest_marker(suite) is not None or names.intersection(fixtures):
            return suite
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not report.skipped or hasattr(report, "wasxfail") or not ci_enabled():
        return report
    suite = required_suite(item)
    if suite is None:
        return report
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = (
        f"CI=true: the {suite} suite must run, but this test was skipped ({reason}). "
        "Install the system packages with `make system-deps` (as root) or run without CI set."
    )
    return report
