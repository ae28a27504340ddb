"""`flexcheck batch`: a real folder (two sample SLR clips in per-person sub-folders, a damaged
clip, a text file named .mov and a .txt) through the real model, on the process pool and on a real
local Ray cluster; resume after a kill -9; the torn-last-line repair.

Expectations come from single `analyze_video` runs and the clips' ground-truth sidecars, never from
the batch itself. Model runs are shared through module-scoped fixtures to keep the file lean.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from analysis.pipeline import ENGINE_VERSION
from batch.jobs import BatchRow, find_clips
from batch.results_csv import COLUMNS, ResultsFile, read_rows
from flexcheck.cli import main
from history import HistoryStore
from tests.clip_analyses import analysis

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"
CLIPS = {
    "ada/slr_left_near_slim_f.mp4": "slr_left_near_slim_f",
    "bob/slr_right_far_slim_f.mp4": "slr_right_far_slim_f",
}
BAD = ("broken/damaged.mp4", "notes_not_video.mov")
GOOD_TOL_DEG = 0.01
TRUTH_TOL_DEG = 6.0  # the sample clips' accuracy budget is far tighter; this only catches a wrong clip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clips")
    for rel, stem in CLIPS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / f"{stem}.mp4", root / rel)
    (root / "broken").mkdir()
    data = bytearray((SAMPLES / "slr_left_far_heavy_m.mp4").read_bytes())
    data[16:4096] = bytes(4080)  # a damaged header (the moov box sits at the front of these files)
    (root / BAD[0]).write_bytes(data[: len(data) // 3])
    (root / BAD[1]).write_text("not a video\n")
    (root / "readme.txt").write_text("ignored: not a video extension\n")
    return root


@pytest.fixture(scope="module")
def singles() -> dict[str, dict]:
    """One `analyze_video` per good clip: what `flexcheck analyze` prints for it (the session's shared run
    of the clip; the body height it is given does not change an SLR angle)."""
    out = {}
    for rel, stem in CLIPS.items():
        r = analysis(SAMPLES / f"{stem}.mp4")
        out[rel] = {"angle_deg": r.angle_deg, "valid": r.valid, "side": r.side}
    return out


@pytest.fixture(scope="module")
def pool_run(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The pool run, with --json-dir and --save into a fresh SQLite history."""
    work = tmp_path_factory.mktemp("pool")
    url = f"sqlite:///{(work / 'h.db').as_posix()}"
    out, json_dir = work / "r.csv", work / "json"
    argv = ["batch", str(folder), "--test", "slr", "--workers", "2", "--out", str(out), "--json-dir", str(json_dir),
            "--save", "--person-from-filename", r"^(?P<person>[^/]+)/"]  # fmt: skip
    with mock.patch.dict(os.environ, {"FLEXCHECK_DATABASE_URL": url}):
        assert main(argv) == 0
    return out, json_dir, url


def _by_file(path: Path) -> dict[str, dict[str, str]]:
    rows = read_rows(path)
    files = [r["file"] for r in rows]
    assert len(files) == len(set(files)), f"a clip was written twice: {files}"
    return {r["file"]: r for r in rows}


def test_finds_videos_recursively_and_only_videos(folder: Path) -> None:
    found = {p.relative_to(folder).as_posix() for p in find_clips(folder)}
    assert found == set(CLIPS) | set(BAD)


def test_pool_rows_equal_single_runs_and_bad_files_are_rows(pool_run, singles) -> None:
    rows = _by_file(pool_run[0])
    assert set(rows) == set(CLIPS) | set(BAD)
    for rel, stem in CLIPS.items():
        row, single = rows[rel], singles[rel]
        assert row["error"] == ""
        assert row["valid"] == "true" and single["valid"]
        assert row["side"] == single["side"]
        assert float(row["angle_deg"]) == pytest.approx(single["angle_deg"], abs=GOOD_TOL_DEG)
        truth = json.loads((SAMPLES / f"{stem}.json").read_text())
        assert float(row["angle_deg"]) == pytest.approx(truth["peak"]["angle_deg"], abs=TRUTH_TOL_DEG)
        assert row["side"] == truth["side"]
        assert row["engine_version"] == ENGINE_VERSION and len(row["sha256"]) == 64
    for rel in BAD:
        assert rows[rel]["error"], f"{rel} should carry its error"
        assert rows[rel]["angle_deg"] == "" and rows[rel]["valid"] == ""
        assert "\n" not in rows[rel]["error"]


def test_json_dir_has_one_result_per_good_clip(pool_run, singles) -> None:
    json_dir = pool_run[1]
    for rel in CLIPS:
        data = json.loads((json_dir / rel).with_suffix(".json").read_text())
        assert data["result"]["angle_deg"] == pytest.approx(singles[rel]["angle_deg"], abs=GOOD_TOL_DEG)
    assert not list(json_dir.rglob("damaged.json"))


def test_save_puts_valid_results_under_the_person_in_the_path(pool_run, singles) -> None:
    out, _, url = pool_run
    rows = _by_file(out)
    store = HistoryStore.open(url)
    try:
        people = {p.name: p for p in store.list_people()}
        assert set(people) == {"ada", "bob"}
        for rel in CLIPS:
            person = rel.split("/")[0]
            (m,) = store.list_measurements(people[person].id)
            assert m.source == "batch" and m.valid and m.test == "slr"
            assert m.angle_deg == pytest.approx(singles[rel]["angle_deg"], abs=GOOD_TOL_DEG)
            assert rows[rel]["person"] == person and int(rows[rel]["saved_id"]) == m.id
    finally:
        store.close()
    # the bad files name no person: their rows say why nothing was saved
    assert all(rows[rel]["saved_id"] == "" for rel in BAD)


def test_rerun_skips_everything_already_done(pool_run, folder, capsys) -> None:
    out = pool_run[0]
    before = out.read_text()
    assert main(["batch", str(folder), "--test", "slr", "--workers", "2", "--out", str(out)]) == 0
    assert "4 already in" in capsys.readouterr().err
    assert out.read_text() == before


def _batch_process(folder: Path, out: Path, *options: str) -> list[str]:
    """`flexcheck batch` on the folder as its own process (to be killed, or to join a Ray cluster)."""
    return [
        sys.executable,
        "-m",
        "flexcheck.cli",
        "batch",
        str(folder),
        "--test",
        "slr",
        *options,
        "--out",
        str(out),
    ]


def test_kill_then_resume_analyses_only_the_rest(folder, pool_run, tmp_path, capsys) -> None:
    out = tmp_path / "r.csv"
    cmd = _batch_process(folder, out, "--workers", "1")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and len(out.read_text().splitlines()) >= 2:  # header + the first finished clip
                break
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole batch, workers included, as a power cut would
        proc.wait()
    first = read_rows(out)
    assert 1 <= len(first) < 4, "the kill should land mid-batch"
    with out.open("a") as fh:
        fh.write("bob/slr_right_far_slim_f.mp4,slr,deadbeef")  # a torn last line, no newline
    assert main(["batch", str(folder), "--test", "slr", "--workers", "2", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{len(first)} already in" in err and f"analysing {4 - len(first)}" in err
    rows = _by_file(out)
    assert set(rows) == set(CLIPS) | set(BAD)
    assert read_rows(out)[: len(first)] == first  # what was written before the kill is kept as it was
    pool_rows = _by_file(pool_run[0])
    for rel in CLIPS:
        assert rows[rel]["angle_deg"] == pool_rows[rel]["angle_deg"]


@pytest.fixture(scope="module")
def ray_address():
    import ray

    ray.init(
        num_cpus=2, include_dashboard=False, object_store_memory=100 * 1024**2, logging_level=logging.ERROR
    )
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def test_ray_results_equal_the_pool(ray_address, folder, pool_run, tmp_path) -> None:
    out = tmp_path / "ray.csv"
    # Another process connects to the cluster, as `flexcheck batch --ray HOST:PORT` does on a real one.
    cmd = _batch_process(folder, out, "--ray", ray_address)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Ray at {ray_address}" in done.stderr
    ray_rows, pool_rows = _by_file(out), _by_file(pool_run[0])
    assert set(ray_rows) == set(pool_rows)
    same = ("side", "valid", "angle_deg", "reach_cm", "checks", "sha256", "engine_version", "model")
    for rel in pool_rows:
        assert {k: ray_rows[rel][k] for k in same} == {k: pool_rows[rel][k] for k in same}
        assert bool(ray_rows[rel]["error"]) == bool(pool_rows[rel]["error"])


def test_unreachable_ray_is_one_line(folder, tmp_path, capsys) -> None:
    code = main(
        ["batch", str(folder), "--test", "slr", "--ray", "127.0.0.1:9", "--out", str(tmp_path / "r.csv")]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("flexcheck: cannot reach the Ray cluster at 127.0.0.1:9")


def test_missing_ray_is_one_line(folder, tmp_path, capsys) -> None:
    out = tmp_path / "r.csv"
    with mock.patch.dict(sys.modules, {"ray": None}):  # what `import ray` does when it is not installed
        code = main(["batch", str(folder), "--test", "slr", "--ray", "auto", "--out", str(out)])
    assert code == 2
    assert (
        capsys.readouterr().err.strip().splitlines()[-1]
        == "flexcheck: --ray needs Ray: pip install 'flexcheck[ray]'"
    )
    assert not out.exists()


def test_torn_last_line_is_dropped_and_foreign_csv_refused(tmp_path) -> None:
    path = tmp_path / "r.csv"
    rf = ResultsFile(path)
    rf.append(
        BatchRow(file="a.mp4", test="slr", sha256="1" * 64, engine_version="9", valid=True, angle_deg=70.0)
    )
    rf.close()
    with path.open("a") as fh:
        fh.write("b.mp4,slr,22")
    again = ResultsFile(path)
    assert again.load() == 1
    assert again.is_done("a.mp4", "1" * 64, "slr", "9")
    assert not again.is_done("a.mp4", "1" * 64, "slr", "10")  # a new engine version re-analyses
    assert path.read_text().endswith("\n") and "b.mp4" not in path.read_text()
    assert read_rows(path)[0]["angle_deg"] == "70.0000"
    other = tmp_path / "other.csv"
    other.write_text("name,value\nx,1\n")
    with pytest.raises(Exception, match="not a results file"):
        ResultsFile(other).load()
    assert COLUMNS[:2] == ("file", "test")
