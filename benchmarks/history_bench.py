"""History store speed (prints numbers; not a test).

    PYTHONPATH=. .venv/bin/python benchmarks/history_bench.py [--saves 300] [--history 1000] [--url URL]

1. Saves: one measurement + a 10-s 30-fps series per save (one transaction each) into a SQLite
   file in a temp dir (or --url): saves per second and p50/p95 latency.
2. History page: a person with N measurements; time of list_measurements + get_series_many for all
   of them (what a chart of every clip needs), and list_measurements alone.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from history import HistoryStore, NewMeasurement, SeriesArrays


def _measurement(person_id: int, i: int, n_frames: int) -> NewMeasurement:
    t_s = np.arange(n_frames) / 30.0
    return NewMeasurement(
        person_id=person_id,
        test="slr",
        side="left" if i % 2 else "right",
        taken_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i),
        angle_deg=70.0 + (i % 10),
        reach_cm=None,
        valid=True,
        series=SeriesArrays(t_s, 40 + 30 * np.sin(t_s), np.full(n_frames, 3.0)),
        source="cli",
        band="good",
        engine_version="bench",
        model_name="bench",
    )


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--saves", type=int, default=300)
    ap.add_argument("--history", type=int, default=1000)
    ap.add_argument("--url", default=None, help="database URL (default: SQLite file in a temp dir)")
    args = ap.parse_args()
    n_frames = 300  # 10 s at 30 fps
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        store = HistoryStore.open(url)
        print(
            f"open + migrate (new database): {1000 * (time.perf_counter() - t0):.1f} ms  [{url.split(':')[0]}]"
        )
        person = store.add_person(f"bench-{time.time_ns()}")
        latencies = []
        start = time.perf_counter()
        for i in range(args.saves):
            m = _measurement(person.id, i, n_frames)
            t = time.perf_counter()
            store.save_measurement(m)
            latencies.append(time.perf_counter() - t)
        total = time.perf_counter() - start
        print(
            f"save (1 measurement + {n_frames}-frame series, 1 transaction): {args.saves / total:.0f} saves/s, "
            f"p50 {1000 * statistics.median(latencies):.2f} ms, p95 {1000 * _pct(latencies, 95):.2f} ms, "
            f"max {1000 * max(latencies):.2f} ms over {args.saves} saves"
        )

        page_person = store.add_person(f"history-{time.time_ns()}")
        t = time.perf_counter()
        store.save_many([_measurement(page_person.id, i, n_frames) for i in range(args.history)])
        print(f"bulk insert of {args.history} measurements (save_many): {time.perf_counter() - t:.2f} s")
        list_times, page_times = [], []
        for _ in range(7):
            t = time.perf_counter()
            rows = store.list_measurements(page_person.id)
            list_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            rows = store.list_measurements(page_person.id)
            series = store.get_series_many([r.id for r in rows])
            page_times.append(time.perf_counter() - t)
        assert len(rows) == len(series) == args.history
        print(
            f"history page for {args.history} measurements: list_measurements median "
            f"{1000 * statistics.median(list_times):.1f} ms; list + all series median "
            f"{1000 * statistics.median(page_times):.1f} ms (max {1000 * max(page_times):.1f} ms, 7 runs)"
        )
        store.close()


if __name__ == "__main__":
    main()
