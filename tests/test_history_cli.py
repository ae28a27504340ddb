"""`flexcheck history ...` end to end (a real process, settings from the environment) and Settings."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from flexcheck.history_cli import add_history_parser, run_history
from flexcheck.settings import Settings
from history import HistoryStore
from tests.history_fixtures import *  # noqa: F403  (fixtures: store, history_url, sqlite_url, pg_server)
from tests.history_fixtures import writer_measurement

REPO = Path(__file__).resolve().parents[1]


def _flexcheck(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **env}
    return subprocess.run(
        [sys.executable, "-m", "flexcheck.cli", *args],
        cwd=REPO,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_from_env(tmp_path: Path) -> None:
    s = Settings.from_env({"FLEXCHECK_DATA_DIR": str(tmp_path)})
    assert s == Settings(tmp_path, f"sqlite:///{tmp_path}/flexcheck.db", None)
    s2 = Settings.from_env(
        {"FLEXCHECK_DATABASE_URL": "postgresql://u@h/db", "FLEXCHECK_POSE_MODEL": str(tmp_path / "m.task")}
    )
    assert s2.database_url == "postgresql://u@h/db"
    assert s2.pose_model_path == tmp_path / "m.task"
    assert s2.data_dir == Path(platformdirs.user_data_dir("flexcheck", appauthor=False))
    assert Settings.from_env({"FLEXCHECK_POSE_MODEL": ""}).pose_model_path is None
    assert not (tmp_path / "flexcheck.db").exists()  # reading settings creates nothing


def test_cli_people_list_export_import(history_url: str, tmp_path: Path) -> None:
    store = HistoryStore.open(history_url)
    p = store.add_person("Robert'); DROP TABLE person;--", birth_year=1991, height_cm=181.0)
    for i in range(4):
        store.save_measurement(writer_measurement(p.id, 1, i))
    store.close()
    env = {"FLEXCHECK_DATABASE_URL": history_url}

    people = _flexcheck(["history", "people"], env)
    assert (
        people.returncode == 0
        and "Robert'); DROP TABLE person;--" in people.stdout
        and "1991" in people.stdout
    )

    listing = _flexcheck(
        ["history", "list", "--person", "Robert'); DROP TABLE person;--", "--test", "slr"], env
    )
    assert listing.returncode == 0, listing.stderr
    body = listing.stdout.splitlines()[1:]
    assert len(body) == 2 and all(" slr " in line for line in body)

    exported = _flexcheck(["history", "export", "--csv", "-"], env)
    assert exported.returncode == 0 and exported.stderr == ""
    csv_path = tmp_path / "h.csv"
    csv_path.write_text(exported.stdout, encoding="utf-8")

    fresh = {"FLEXCHECK_DATA_DIR": str(tmp_path / "fresh")}  # default SQLite under the data dir
    imported = _flexcheck(["history", "import", "--csv", str(csv_path)], fresh)
    assert imported.returncode == 0 and "imported 4 measurements" in imported.stderr
    assert (tmp_path / "fresh" / "flexcheck.db").exists()
    again = _flexcheck(["history", "export", "--csv", "-"], fresh)
    assert again.stdout == exported.stdout
    out_file = tmp_path / "file.csv"
    to_file = _flexcheck(["history", "export", "--csv", str(out_file), "--person", "nobody"], fresh)
    assert to_file.returncode == 2 and not out_file.exists()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["history", "list", "--person", "nobody"], None, "flexcheck: no person named 'nobody'"),
        (["history", "import", "--csv", "/nonexistent/x.csv"], None, "flexcheck: cannot read"),
        (
            ["history", "import", "--csv", "-"],
            "person,test,side,taken_at,angle_deg,reach_cm,valid\nA,slr,left,2026-01-01T00:00:00Z,abc,,true\n",
            "flexcheck: line 2: angle_deg 'abc' is not a number",
        ),
        (
            ["history", "export", "--csv", "/nonexistent/dir/x.csv"],
            None,
            "flexcheck: cannot write /nonexistent/dir/x.csv: No such file or directory",
        ),
    ],
)
def test_cli_errors_are_one_line_exit_2(
    tmp_path: Path, args: list[str], stdin: str | None, message: str
) -> None:
    res = _flexcheck(args, {"FLEXCHECK_DATA_DIR": str(tmp_path)}, stdin)
    assert res.returncode == 2
    assert res.stderr.startswith(message)
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_cli_bad_database_url(tmp_path: Path) -> None:
    res = _flexcheck(["history", "people"], {"FLEXCHECK_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})
    assert res.returncode == 2 and res.stderr.startswith("flexcheck: cannot open the history database")
    assert len(res.stderr.strip().splitlines()) == 1


def test_run_history_in_process(sqlite_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_history_parser(parser.add_subparsers(dest="command"))
    settings = Settings(tmp_path, sqlite_url, None)
    store = HistoryStore.open(sqlite_url)
    store.add_person("Zed", sex="male")
    store.close()
    assert run_history(parser.parse_args(["history", "people"]), settings) == 0
    assert "Zed" in capsys.readouterr().out
    assert run_history(parser.parse_args(["history", "list", "--person", "Nope"]), settings) == 2
    assert capsys.readouterr().err == "flexcheck: no person named 'Nope'\n"
