"""Run clip jobs on a local process pool or as Ray tasks; both yield outcomes as clips finish."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, as_completed
from typing import Any

from analysis.processes import spawn_pool, without_main
from batch.jobs import ClipJob, ClipOutcome, analyze_clip, failed_outcome

RAY_CONNECT_TIMEOUT_S = 5.0


class RunnerError(Exception):
    """The runner cannot start (Ray missing, cluster unreachable): a one-line message."""


def run_pool(jobs: Sequence[ClipJob], workers: int) -> Iterator[ClipOutcome]:
    """`workers` local processes, one clip at a time each, outcomes in completion order.

    Processes are spawned (`analysis.processes`) so each starts clean of the parent's threads; MediaPipe
    and the decoder threads inside a worker are then that worker's own.
    """
    if not jobs:
        return
    pool = spawn_pool(min(workers, len(jobs)))
    with without_main():  # the workers start during the first submits
        futures: dict[Future[ClipOutcome], ClipJob] = {pool.submit(analyze_clip, job): job for job in jobs}
    try:
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                yield fut.result()
            except Exception as exc:  # the worker process died (e.g. out of memory): that clip's row
                yield failed_outcome(job, "", f"internal error: worker failed: {type(exc).__name__}: {exc}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _check_reachable(address: str) -> None:
    """Fail in seconds, not after Ray's long connect retries, when host:port does not answer."""
    if address == "auto" or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise RunnerError(f"--ray wants HOST:PORT of the cluster's head (or auto), not {address!r}")
    try:
        socket.create_connection((host, int(port)), timeout=RAY_CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise RunnerError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from exc


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RunnerError("--ray needs Ray: pip install 'flexcheck[ray]'") from exc
    return ray


def run_ray(jobs: Sequence[ClipJob], address: str) -> Iterator[ClipOutcome]:
    """The same `analyze_clip` as Ray tasks (one CPU each) on an existing cluster at `address`.

    Every node needs FlexCheck installed and the clips at the same path (a shared filesystem);
    results come back to this process, which writes the CSV, the JSON files and the history.
    """
    ray = _ray()
    _check_reachable(address)
    connected_here = not ray.is_initialized()  # a caller that embeds us may have connected already
    if connected_here:
        try:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise RunnerError(f"cannot connect to the Ray cluster at {address}: {first}") from exc
    try:
        task = ray.remote(num_cpus=1, max_retries=1)(analyze_clip)
        pending: dict[Any, ClipJob] = {task.remote(job): job for job in jobs}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    job = pending.pop(ref)
                    try:
                        yield ray.get(ref)
                    except ray.exceptions.RayError as exc:  # the task's worker or node died
                        yield failed_outcome(
                            job, "", f"internal error: Ray task failed: {type(exc).__name__}"
                        )
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)
    finally:
        if connected_here:
            ray.shutdown()
