"""CI cannot go green by skipping: with CI=true a skipped PostgreSQL or browser test fails the run,
and scripts/ensure_system_deps.sh fails loudly when it cannot install what those suites need.

The missing binaries are simulated with the override variables the fixtures and the script read
(FLEXCHECK_TEST_PG_BIN, FLEXCHECK_TEST_CHROMIUM) pointing at a folder that does not exist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci_guard import ci_enabled

REPO = Path(__file__).resolve().parents[1]
NOWHERE = "/nonexistent/flexcheck-test"


def _pytest(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "CI"}
    full.update(PYTHONPATH=str(REPO), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ci_values() -> None:
    assert ci_enabled({"CI": "true"}) and ci_enabled({"CI": "1"}) and ci_enabled({"CI": "TRUE"})
    assert not ci_enabled({}) and not ci_enabled({"CI": ""}) and not ci_enabled({"CI": "false"})


def test_missing_postgres_skips_locally_and_fails_under_ci() -> None:
    node = "tests/test_history_store.py::test_people_crud"
    local = _pytest([node], FLEXCHECK_TEST_PG_BIN=NOWHERE)
    assert local.returncode == 0, local.stdout
    assert "1 passed, 1 skipped" in local.stdout  # SQLite ran, PostgreSQL skipped

    ci = _pytest([node], FLEXCHECK_TEST_PG_BIN=NOWHERE, CI="true")
    assert ci.returncode == 1, ci.stdout
    assert ci.stdout.splitlines()[-1].startswith("1 passed, 1 error in")  # nothing counted as skipped
    assert "CI=true: the postgres suite must run" in ci.stdout
    assert f"not found in {NOWHERE}" in ci.stdout  # the reason of the skip is kept


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="checks the browser fixture's skip path")
def test_missing_chromium_fails_under_ci() -> None:
    node = "tests/browser/test_browser_pages.py::test_pages_open_and_profile_is_created"
    ci = _pytest([node], FLEXCHECK_TEST_CHROMIUM=NOWHERE, CI="true")
    assert ci.returncode == 1, ci.stdout
    assert "CI=true: the browser suite must run" in ci.stdout and "chromium is not installed" in ci.stdout
    local = _pytest([node], FLEXCHECK_TEST_CHROMIUM=NOWHERE)
    assert local.returncode == 0 and "1 skipped" in local.stdout, local.stdout


def test_a_plain_skip_elsewhere_stays_a_skip_under_ci(tmp_path: Path) -> None:
    test = tmp_path / "test_other.py"
    test.write_text("import pytest\n\ndef test_x():\n    pytest.skip('not a required suite')\n")
    proc = _pytest(["-p", "tests.ci_guard", "--rootdir", str(tmp_path), str(test)], CI="true")
    assert proc.returncode == 0 and "1 skipped" in proc.stdout, proc.stdout


def _deps_script(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the script where it cannot install: a PATH with `id` and `ls` but no apt-get."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("id", "ls"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).unlink(missing_ok=True)
        (bin_dir / tool).symlink_to(found)
    full = {"PATH": str(bin_dir), "FLEXCHECK_TEST_CHROMIUM": NOWHERE, **env}
    bash = shutil.which("bash") or "/bin/bash"
    return subprocess.run(
        [bash, str(REPO / "scripts" / "ensure_system_deps.sh")],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_system_deps_script_fails_loudly_under_ci(tmp_path: Path) -> None:
    local = _deps_script(tmp_path)
    assert local.returncode == 0 and "Missing system packages: chromium" in local.stderr, local.stderr
    ci = _deps_script(tmp_path, CI="true")
    assert ci.returncode == 1, ci.stderr
    assert "ERROR: CI=true and the system packages chromium" in ci.stderr


def test_system_deps_script_is_quiet_when_all_is_there(tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists() or not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("this machine lacks chromium or postgresql")
    proc = _deps_script(tmp_path, CI="true", FLEXCHECK_TEST_CHROMIUM="/usr/bin/chromium")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
