"""The `flexcheck analyze` contract: stdout carries only JSON, bad input exits 2 with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"


def run_cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLEXCHECK_DATA_DIR": str(tmp_path / "data")}
    env.pop("FLEXCHECK_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "flexcheck.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


def assert_clean_failure(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("flexcheck: ")
    assert "Traceback" not in proc.stderr


def test_text_file_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    assert_clean_failure(run_cli("analyze", str(fake), "--test", "slr", "--json", "-", tmp_path=tmp_path))


def test_missing_file_is_refused(tmp_path: Path) -> None:
    proc = run_cli("analyze", str(tmp_path / "nope.mp4"), "--test", "slr", "--json", "-", tmp_path=tmp_path)
    assert_clean_failure(proc)


def test_truncated_video_is_refused(tmp_path: Path) -> None:
    clip = next(iter(sorted(SAMPLES.glob("*.mp4"))), None)
    if clip is None:
        pytest.skip("no sample clips")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(clip.read_bytes()[:2000])
    assert_clean_failure(run_cli("analyze", str(broken), "--test", "slr", "--json", "-", tmp_path=tmp_path))


def test_save_without_person_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "x.mp4"
    fake.write_bytes(b"\x00" * 10)
    assert_clean_failure(run_cli("analyze", str(fake), "--test", "slr", "--save", tmp_path=tmp_path))


def slr_sample() -> Path:
    for sidecar in sorted(SAMPLES.glob("*.json")):
        truth = json.loads(sidecar.read_text())
        if (
            truth.get("test") == "slr"
            and truth.get("rotation_deg", 0) == 0
            and not truth.get("expected_checks")
        ):
            return sidecar.with_suffix(".mp4")
    pytest.skip("no side-view SLR sample clip")


@pytest.mark.slow
def test_json_contract_on_a_sample_clip(tmp_path: Path) -> None:
    clip = slr_sample()
    truth = json.loads(clip.with_suffix(".json").read_text())
    annotated = tmp_path / "annotated.mp4"
    csv_path = tmp_path / "series.csv"
    proc = run_cli(
        "analyze", str(clip), "--test", "slr", "--json", "-", "--csv", str(csv_path),
        "--annotated", str(annotated), tmp_path=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # stdout is exactly one JSON object
    assert set(out) == {"test", "side", "video", "frames", "sampling", "reps", "result", "checks", "camera"}
    assert out["test"] == "slr" and out["side"] == truth["side"]
    assert set(out["video"]) == {"fps", "frames", "duration_s", "width", "height", "rotation_deg"}
    # A short clip is analysed at the full rate: every frame of the clip is in the series.
    assert out["video"]["frames"] == out["sampling"]["frames_analysed"] == len(out["frames"]) > 0
    assert out["sampling"]["coarse_fps"] is None
    assert set(out["frames"][0]) == {"t_s", "angle_deg", "knee_flexion_deg", "reach_cm"}
    assert set(out["result"]) == {
        "valid",
        "angle_deg",
        "reach_cm",
        "peak_s",
        "uncertainty_deg",
        "reach_uncertainty_cm",
    }
    assert out["result"]["valid"] is True
    assert abs(out["result"]["angle_deg"] - truth["peak"]["angle_deg"]) <= 3.0
    # The stated 90% interval is a few degrees wide on a clean side-on render, not a blanket one...
    assert 0.5 <= out["result"]["uncertainty_deg"] <= 5.0
    # ...and the summary line shows it next to the number ("77.0 deg +- 3").
    assert f"deg +- {out['result']['uncertainty_deg']:.0f} (" in proc.stderr
    assert out["result"]["reach_uncertainty_cm"] is None
    if out["camera"] is not None:  # the clip is filmed side-on (yaw 0)
        assert abs(out["camera"]["yaw_deg"]) <= 15.0 and set(out["camera"]) >= {"yaw_deg", "pitch_deg"}
    for rep in out["reps"]:
        assert set(rep) == {"start_s", "peak_s", "end_s", "angle_deg", "reach_cm"}
        assert rep["start_s"] <= rep["peak_s"] <= rep["end_s"]
    for check in out["checks"]:
        assert set(check) == {"code", "severity", "message"}
        assert check["severity"] in {"info", "warning", "error"}
    assert csv_path.read_text().splitlines()[0] == "t_s,angle_deg,knee_flexion_deg,reach_cm"
    assert len(csv_path.read_text().splitlines()) == len(out["frames"]) + 1
    from vision.video_io import probe_video

    meta = probe_video(annotated)
    assert meta.codec == "h264"
    assert (meta.width, meta.height) == (out["video"]["width"], out["video"]["height"])


@pytest.mark.slow
def test_analyze_save_puts_one_row_in_the_history(tmp_path: Path) -> None:
    clip = slr_sample()
    proc = run_cli(
        "analyze", str(clip), "--test", "slr", "--save", "--person", "Ana O'Neil", tmp_path=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "saved as measurement" in proc.stderr
    listing = run_cli("history", "export", "--csv", "-", "--no-series", tmp_path=tmp_path)
    assert listing.returncode == 0, listing.stderr
    rows = listing.stdout.strip().splitlines()
    assert len(rows) == 2  # header + the one saved measurement
    assert rows[1].startswith("Ana O'Neil,") and ",slr,left," in rows[1]
