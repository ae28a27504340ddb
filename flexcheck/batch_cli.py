"""`flexcheck batch FOLDER --test slr|sit-reach --out results.csv`: every clip in a folder.

One CSV row per clip, appended as each clip finishes; a rerun with the same --out skips the clips
already there (same file, same content hash, same engine version). A bad file is a row with its
error. `--workers N` runs a local process pool; `--ray ADDRESS` (or `auto`) runs the same jobs as
Ray tasks on an existing cluster. Messages and the progress bar go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from flexcheck.settings import Settings
from flexcheck.vocabulary import TESTS

EXIT_OK = 0
EXIT_ERROR = 2


class BatchError(Exception):
    """A one-line message for stderr; exit code 2."""


def add_batch_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    b = subparsers.add_parser(
        "batch",
        help="analyse every clip in a folder into one CSV (resumable; process pool or Ray)",
        description="Analyse every video below FOLDER (recursive). Rerun with the same --out to resume.",
    )
    b.add_argument("folder", type=Path)
    b.add_argument("--test", required=True, choices=list(TESTS))
    b.add_argument("--side", default="auto", choices=["auto", "left", "right"])
    b.add_argument("--out", type=Path, required=True, help="results CSV (appended to; resumes)")
    b.add_argument("--workers", type=int, default=None, help="local worker processes (default: CPU cores)")
    b.add_argument(
        "--ray",
        default=None,
        metavar="ADDRESS",
        help="run as Ray tasks on the cluster at HOST:PORT (or auto)",
    )
    b.add_argument("--json-dir", type=Path, default=None, help="also write one result JSON per clip here")
    b.add_argument("--height-cm", type=float, default=None, help="height of the person in every clip")
    b.add_argument("--model", type=Path, default=None, help="another MediaPipe pose .task model")
    b.add_argument("--save", action="store_true", help="save valid results in the history")
    b.add_argument(
        "--person-from-filename",
        default=None,
        metavar="PATTERN",
        help="with --save: a regex with a named group 'person', searched in each clip's path "
        r"relative to FOLDER, e.g. '^(?P<person>[^/]+)/' (sub-folder per person) or '^(?P<person>[a-z]+)_'",
    )


def person_pattern(text: str | None, save: bool) -> re.Pattern[str] | None:
    if not save:
        if text is not None:
            raise BatchError("--person-from-filename only makes sense with --save")
        return None
    if text is None:
        raise BatchError("--save needs --person-from-filename PATTERN (a regex with a group named 'person')")
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise BatchError(f"--person-from-filename is not a valid regex: {exc}") from exc
    if "person" not in pattern.groupindex:
        raise BatchError("--person-from-filename needs a named group: (?P<person>...)")
    return pattern


def person_of(pattern: re.Pattern[str], file: str) -> str | None:
    match = pattern.search(file)
    name = (match.group("person") or "").strip() if match else ""
    return name or None


def run_batch(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return _run(args, settings)
    except BatchError as exc:
        print(f"flexcheck: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from analysis.pipeline import ENGINE_VERSION
    from batch.jobs import BatchRow, ClipJob, content_sha256, find_clips
    from batch.results_csv import ResultsFile, ResultsFileError

    pattern = person_pattern(args.person_from_filename, args.save)
    folder: Path = args.folder
    if not folder.is_dir():
        raise BatchError(f"{folder} is not a folder")
    if args.workers is not None and args.workers < 1:
        raise BatchError("--workers must be at least 1")
    clips = find_clips(folder)
    if not clips:
        raise BatchError(f"no video files below {folder}")
    results = ResultsFile(args.out)
    try:
        results.load()
    except (ResultsFileError, OSError) as exc:
        raise BatchError(str(exc)) from exc
    model = args.model or settings.pose_model_path
    jobs: list[ClipJob] = []
    unreadable: list[BatchRow] = []
    for path in clips:
        rel = path.relative_to(folder).as_posix()
        try:
            sha = content_sha256(path)
        except OSError as exc:  # e.g. no permission: that clip's row says so, the batch goes on
            unreadable.append(
                BatchRow(
                    rel,
                    args.test,
                    "",
                    ENGINE_VERSION,
                    error=f"internal error: cannot read: {exc.strerror or exc}",
                )
            )
            continue
        if not results.is_done(rel, sha, args.test, ENGINE_VERSION):
            jobs.append(ClipJob(path.resolve(), rel, sha, args.test, args.side, args.height_cm, model))
    for row in unreadable:
        results.append(row)
    skipped = len(clips) - len(jobs) - len(unreadable)
    where = f"Ray at {args.ray}" if args.ray else f"{_workers(args)} local worker(s)"
    print(
        f"{len(clips)} clip(s) in {folder}: {skipped} already in {args.out}, analysing {len(jobs)} on {where}",
        file=sys.stderr,
    )
    if args.json_dir:
        args.json_dir.mkdir(parents=True, exist_ok=True)
    counts = {"valid": 0, "invalid": 0, "error": len(unreadable), "saved": 0}
    store = _open_store(settings) if pattern is not None and jobs else None
    try:
        for outcome in _progress(_outcomes(jobs, args), len(jobs)):
            row = outcome.row
            if outcome.result is not None:
                if args.json_dir:
                    _write_json(args.json_dir, row.file, outcome.result.to_json_dict())
                if store is not None and pattern is not None:
                    row = _save(store, pattern, row, outcome.result)
            counts["error" if row.error else "valid" if row.valid else "invalid"] += 1
            counts["saved"] += row.saved_id is not None
            results.append(row)
    finally:
        results.close()
        if store is not None:
            store.close()
    saved = f", {counts['saved']} saved to the history" if pattern is not None else ""
    print(
        f"done: {counts['valid']} valid, {counts['invalid']} not valid, {counts['error']} could not be "
        f"analysed{saved}; results in {args.out}",
        file=sys.stderr,
    )
    return EXIT_OK


def _workers(args: argparse.Namespace) -> int:
    return int(args.workers or os.cpu_count() or 1)


def _outcomes(jobs: list[Any], args: argparse.Namespace) -> Iterator[Any]:
    from batch.runners import RunnerError, run_pool, run_ray

    try:
        if args.ray:
            yield from run_ray(jobs, args.ray)
        else:
            yield from run_pool(jobs, _workers(args))
    except RunnerError as exc:
        raise BatchError(str(exc)) from exc


def _progress(outcomes: Iterator[Any], total: int) -> Iterator[Any]:
    """A progress bar with rate and ETA on stderr (plain when stderr is not a terminal)."""
    from tqdm import tqdm

    with tqdm(total=total, unit="clip", file=sys.stderr, dynamic_ncols=True, disable=total == 0) as bar:
        for outcome in outcomes:
            bar.set_postfix_str(Path(outcome.row.file).name[-30:], refresh=False)
            bar.update(1)
            yield outcome


def _write_json(json_dir: Path, file: str, data: dict[str, Any]) -> None:
    # Clips in sub-folders keep their relative path, so two "clip1.mp4" never overwrite each other.
    target = (json_dir / file).with_suffix(".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(target)


def _open_store(settings: Settings) -> Any:
    from history import HistoryError, HistoryStore

    try:
        return HistoryStore.open(settings.database_url)
    except HistoryError as exc:
        raise BatchError(str(exc)) from exc


def _save(store: Any, pattern: re.Pattern[str], row: Any, result: Any) -> Any:
    """Save one result under the person its path names. Only valid results are saved (the same rule
    as the app and `analyze --save`); a save failure is that clip's error, never the batch's end."""
    from history import HistoryError, save_analysis
    from scoring import score_measurement

    person = person_of(pattern, row.file)
    if person is None:
        return replace(row, error="not saved: --person-from-filename does not match this path")
    row = replace(row, person=person)
    if not result.valid:
        return row
    score = score_measurement(result.test, result.angle_deg, result.reach_cm, result.valid)
    try:
        mid = save_analysis(store, person, result, "batch", score.band_id if score.scored else None)
    except HistoryError as exc:
        return replace(row, error=f"not saved: {exc}")
    return replace(row, saved_id=mid)
