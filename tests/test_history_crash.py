"""Crash safety and concurrency with real processes: SIGKILL a writer mid-way; two writers at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from history import HistoryStore
from tests.history_fixtures import *  # noqa: F403  (fixtures: store, history_url, sqlite_url, pg_server)
from tests.history_fixtures import assert_matches_writer, writer_measurement, writer_person

REPO = Path(__file__).resolve().parents[1]


def _start_writer(url: str, writer: int, count: int, *mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.history_fixtures", url, str(writer), str(count), *mode],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _integrity_ok(url: str) -> None:
    if url.startswith("sqlite"):
        engine = create_engine(url)  # a plain connection, after the writer died
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        engine.dispose()


def test_sigkill_mid_save_loses_no_committed_and_leaves_no_partial(history_url: str) -> None:
    rng = random.Random(6)
    HistoryStore.open(history_url).close()
    confirmed: dict[int, int] = {}
    for writer in range(1, 5):
        proc = _start_writer(history_url, writer, -1)
        assert proc.stdout is not None
        target = rng.randint(10, 40)
        printed = -1
        while printed < target:
            line = proc.stdout.readline()
            assert line, f"writer died early: {proc.stderr.read() if proc.stderr else ''}"
            printed = int(line)
        time.sleep(rng.uniform(0.0, 0.03))  # land somewhere inside a later save
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        printed = max([printed, *(int(x) for x in rest.split())])
        confirmed[writer] = printed
        _integrity_ok(history_url)
        store = HistoryStore.open(history_url)
        for w, last in confirmed.items():
            indices = assert_matches_writer(store, writer_person(w))  # complete rows + series only
            # every confirmed save is there; at most one more (committed, killed before printing)
            assert indices[: last + 1] == list(range(last + 1))
            assert len(indices) in (last + 1, last + 2)
            assert indices == list(range(len(indices)))
        store.close()


def test_sigkill_inside_a_long_transaction_leaves_nothing_of_it(history_url: str) -> None:
    """A 1000-measurement save_many (~0.4 s) takes far longer than the delay before the kill, so the kill
    lands inside the open transaction: afterwards none of it may exist; earlier data is intact."""
    HistoryStore.open(history_url).close()
    first = _start_writer(history_url, 1, 20)
    assert first.communicate(timeout=60)[0].split() == [str(i) for i in range(20)]
    killed_inside = 0
    for writer, delay_s in ((2, 0.05), (3, 0.15), (4, 0.3)):
        proc = _start_writer(history_url, writer, 1000, "batch")
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "begin"
        time.sleep(delay_s)
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
        _integrity_ok(history_url)
        store = HistoryStore.open(history_url)
        indices = assert_matches_writer(store, writer_person(writer))
        if "done" in rest:
            assert indices == list(range(1000))
        else:
            killed_inside += 1
            assert indices == []  # all or nothing
        assert assert_matches_writer(store, writer_person(1)) == list(range(20))
        store.close()
    assert killed_inside > 0, "no kill landed inside the transaction; the test proved nothing"


@pytest.mark.timeout(300)
def test_two_processes_saving_concurrently_lose_nothing(history_url: str) -> None:
    n = 80
    # both start on an empty database: the schema migration itself is raced too
    procs = {w: _start_writer(history_url, w, n) for w in (7, 8)}
    for w, proc in procs.items():
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, f"writer {w} failed: {err.strip().splitlines()[-1:]}"
        assert out.split() == [str(i) for i in range(n)]
    _integrity_ok(history_url)
    store = HistoryStore.open(history_url)
    for w in procs:
        assert assert_matches_writer(store, writer_person(w)) == list(range(n))
    assert len(store.list_people()) == 2
    store.close()


def test_threads_sharing_one_store(history_url: str) -> None:
    """The app shares one store between sessions (threads): saves and reads interleave safely."""
    import threading

    store = HistoryStore.open(history_url)
    people = [store.add_person(writer_person(w)) for w in range(4)]
    errors: list[BaseException] = []

    def work(writer: int) -> None:
        try:
            for i in range(25):
                store.save_measurement(writer_measurement(people[writer].id, writer, i))
                store.list_measurements(people[writer].id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for w in range(4):
        assert assert_matches_writer(store, writer_person(w)) == list(range(25))
    store.close()
