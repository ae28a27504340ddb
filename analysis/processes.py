"""Spawned worker processes, for work that must not share the GIL (or the start-up state) of the caller.

Spawned, not forked: each child starts clean of the parent's threads (MediaPipe, decoders, a web
server). A spawned child re-imports the parent's main module by path; the jobs sent to these pools
live in importable modules and need nothing from it, and a host that swapped `__main__` for a
script (Streamlit does; its AppTest leaves one that no longer exists) would otherwise kill every
child, so the children are started with a bare `__main__` (`without_main`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor


@contextlib.contextmanager
def without_main() -> Iterator[None]:
    """Within it, spawned children do not re-run the parent's `__main__` (they start on a submit)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def spawn_pool(workers: int, nice: int = 0) -> ProcessPoolExecutor:
    """A pool of `workers` spawned processes, each `nice` steps below the caller's CPU priority."""
    ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=max(1, workers), mp_context=ctx, initializer=_lower_priority, initargs=(nice,)
    )


def _lower_priority(nice: int) -> None:
    if nice > 0:
        os.nice(nice)


def started(pool: ProcessPoolExecutor) -> ProcessPoolExecutor:
    """Start the pool's processes now (a no-op job), so the first real job does not wait for a child's
    imports, and so they start under `without_main` even when the real jobs are submitted elsewhere."""
    with without_main():
        pool.submit(_ready).result()
    return pool


def _ready() -> bool:
    return True
