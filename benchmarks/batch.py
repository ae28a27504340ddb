"""Batch throughput: `flexcheck batch --workers N` against one `flexcheck analyze` after another.

    python benchmarks/batch.py [--workers 2] [--test slr]

Both run on the same sample clips (sample_videos/<test>_*.mp4) in the same run, each as the user
would type it (a fresh process per `analyze`; one process plus its pool for `batch`). Prints
clips/minute for both, their ratio, and the largest difference between their angles (the batch must
give the same numbers). Printed, never asserted: timings on a shared machine vary.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLEXCHECK = [sys.executable, "-m", "flexcheck.cli"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--test", default="slr", choices=["slr", "sit-reach"])
    args = ap.parse_args()
    prefix = "slr_" if args.test == "slr" else "sitreach_"
    clips = sorted((ROOT / "sample_videos").glob(f"{prefix}*.mp4"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "clips"
        folder.mkdir()
        for c in clips:
            shutil.copy(c, folder / c.name)

        t0 = time.perf_counter()
        single: dict[str, float | None] = {}
        for c in sorted(folder.glob("*.mp4")):
            out = subprocess.run(
                [*FLEXCHECK, "analyze", str(c), "--test", args.test, "--json", "-"],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            single[c.name] = json.loads(out.stdout)["result"]["angle_deg"]
        t_single = time.perf_counter() - t0

        results = Path(tmp) / "r.csv"
        t0 = time.perf_counter()
        subprocess.run(
            [*FLEXCHECK, "batch", str(folder), "--test", args.test, "--workers", str(args.workers),
             "--out", str(results)],
            check=True, cwd=ROOT, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        t_batch = time.perf_counter() - t0
        with results.open() as fh:
            batch = {r["file"]: float(r["angle_deg"]) if r["angle_deg"] else None for r in csv.DictReader(fh)}

    n = len(clips)
    diffs = [abs(b - v) for k, v in single.items() if v is not None and (b := batch.get(k)) is not None]
    same_missing = all((batch.get(k) is None) == (v is None) for k, v in single.items())
    rate_single, rate_batch = 60 * n / t_single, 60 * n / t_batch
    print(f"{n} {args.test} clips")
    print(f"one `flexcheck analyze` after another: {t_single:6.1f} s  {rate_single:5.1f} clips/min")
    print(f"`flexcheck batch --workers {args.workers}`:      {t_batch:6.1f} s  {rate_batch:5.1f} clips/min")
    print(f"speed-up: {rate_batch / rate_single:.2f}x")
    print(f"largest angle difference batch vs analyze: {max(diffs, default=0.0):.4f} deg; "
          f"same clips without a result: {same_missing}")  # fmt: skip


if __name__ == "__main__":
    main()
