"""`flexcheck analyze --symptoms/--slr-mode`: checked before any analysis, a plan only after the screen."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import ROOT, assert_clean_failure, run_cli, slr_sample


def _not_a_video(tmp_path: Path) -> Path:
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    return fake


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--symptoms", "tingle"], "unknown answer 'tingle'"),
        (["--symptoms", "recent_strain"], "strain grade"),
        (["--symptoms", "recent_strain:5"], "strain grade"),
        (["--symptoms", "none,pain_now"], "cannot be combined"),
        (["--symptoms", " , "], "empty"),
        (["--slr-mode", "assisted"], "SLR mode"),
        (["--test", "sit-reach", "--slr-mode", "passive"], "--slr-mode applies to --test slr only"),
    ],
)
def test_bad_values_fail_in_one_line_before_the_video_is_opened(tmp_path: Path, args, needle) -> None:
    test = [] if "--test" in args else ["--test", "slr"]
    proc = run_cli("analyze", str(_not_a_video(tmp_path)), *test, *args, tmp_path=tmp_path)
    assert_clean_failure(proc)
    # the option's message, not the video's: the options are checked before any analysis
    assert needle in proc.stderr and "notes.mp4" not in proc.stderr, proc.stderr


def _read_all(fd: int) -> str:
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode(errors="replace")


def test_prompt_on_a_terminal_comes_before_the_analysis(tmp_path: Path) -> None:
    """A terminal on stdin/stderr and no --symptoms: the questions are asked first, then the video is read."""
    master, slave = pty.openpty()
    env = {**os.environ, "FLEXCHECK_DATA_DIR": str(tmp_path / "data")}
    env.pop("FLEXCHECK_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flexcheck.cli", "analyze", str(_not_a_video(tmp_path)), "--test", "slr"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    os.write(master, b"maybe\n" + b"n\n" * 7 + b"y\n" + b"4\n2\n" + b"n\n" * 2)  # 'maybe'/'4' are asked again
    err = _read_all(master)
    proc.wait(timeout=120)
    os.close(master)
    assert proc.returncode == 2, err
    assert err.index("Before any plan") < err.index("Grade 1 (mild)") < err.index("notes.mp4")
    assert err.count("Severe pain right now") == 2  # 'maybe' was not taken as an answer


def test_no_prompt_without_a_terminal(tmp_path: Path) -> None:
    """stdin from a pipe (scripts, CI): no questions, so nothing waits for an answer."""
    proc = run_cli("analyze", str(_not_a_video(tmp_path)), "--test", "slr", tmp_path=tmp_path)
    assert_clean_failure(proc)
    assert "Before any plan" not in proc.stderr


@pytest.mark.slow
def test_symptoms_and_mode_reach_the_plan_and_the_history(tmp_path: Path) -> None:
    clip = slr_sample()
    proc = run_cli(
        "analyze", str(clip), "--test", "slr", "--slr-mode", "passive", "--symptoms", "recent_strain:2,pain_now",
        "--save", "--person", "Strain Person", tmp_path=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Moderate strain (grade 2)" in proc.stderr and "R.I.C.E." in proc.stderr
    assert "extensibility" in proc.stderr  # passive bands, in Muyor 2011's words
    from history import HistoryStore

    with HistoryStore.open(f"sqlite:///{tmp_path / 'data' / 'flexcheck.db'}") as store:
        person = store.get_person_by_name("Strain Person")
        assert person is not None
        (row,) = store.list_measurements(person.id)
    assert row.slr_mode == "passive"
    assert row.symptoms is not None and row.symptoms["strain_grade"] == 2 and row.symptoms["pain_now"] is True
    # without answers and without a terminal there is no plan, only the verdict
    quiet = run_cli("analyze", str(clip), "--test", "slr", tmp_path=tmp_path)
    assert quiet.returncode == 0 and "Plan not shown: answer the symptom questions" in quiet.stderr
