"""The batch results CSV: read what is already done, append each finished clip at once.

Crash safety: every row is written and flushed (and fsynced) as its clip finishes, so an
interruption loses at most the clips still running. A last line cut off mid-write (power loss,
kill -9) is removed before appending, so its clip simply runs again.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
from pathlib import Path
from typing import IO, Any

from batch.jobs import BatchRow

COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(BatchRow))
# Unexpected failures and failed saves are retried on resume; a bad file (same content) is not.
RETRY_ERROR_PREFIXES = ("internal error", "not saved")


class ResultsFileError(Exception):
    """The --out file exists but is not a FlexCheck batch CSV (one-line message)."""


def resume_key(file: str, sha256: str, test: str, engine_version: str) -> tuple[str, str, str, str]:
    """A clip is done when the same file, with the same content, was analysed for the same test by
    the same engine version. An engine update re-analyses everything."""
    return (file, sha256, test, engine_version)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}" if math.isfinite(value) else ""
    return str(value)


def row_cells(row: BatchRow) -> list[str]:
    return [_cell(getattr(row, name)) for name in COLUMNS]


class ResultsFile:
    """An existing or new results CSV at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.done: set[tuple[str, str, str, str]] = set()
        self._fh: IO[str] | None = None
        self._writer: Any = None

    def load(self) -> int:
        """Repair a torn last line, read the done keys; returns the number of complete rows."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return 0
        self._drop_partial_last_line()
        with self.path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return 0
            if tuple(header) != COLUMNS:
                raise ResultsFileError(
                    f"{self.path} is not a results file of this FlexCheck version (its columns differ); "
                    "choose another --out"
                )
            rows = 0
            for cells in reader:
                if len(cells) != len(COLUMNS):
                    continue  # a damaged line: its clip runs again
                rec = dict(zip(COLUMNS, cells, strict=True))
                rows += 1
                if rec["error"].startswith(RETRY_ERROR_PREFIXES):
                    continue
                self.done.add(resume_key(rec["file"], rec["sha256"], rec["test"], rec["engine_version"]))
        return rows

    def _drop_partial_last_line(self) -> None:
        data = self.path.read_bytes()
        if data.endswith(b"\n"):
            return
        keep = data.rfind(b"\n") + 1  # 0 when even the header is incomplete
        with self.path.open("r+b") as fh:
            fh.truncate(keep)

    def is_done(self, file: str, sha256: str, test: str, engine_version: str) -> bool:
        return resume_key(file, sha256, test, engine_version) in self.done

    def append(self, row: BatchRow) -> None:
        if self._fh is None:
            new = not self.path.exists() or self.path.stat().st_size == 0
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", newline="", encoding="utf-8")
            self._writer = csv.writer(self._fh, lineterminator="\n")
            if new:
                self._writer.writerow(COLUMNS)
        self._writer.writerow(row_cells(row))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def read_rows(path: Path) -> list[dict[str, str]]:
    """All complete rows of a results CSV as dicts (for tests and scripts)."""
    with Path(path).open(newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if None not in r.values() and None not in r]
