"""Writing export files safely: a path is replaced whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from history.records import HistoryError


@contextmanager
def atomic_text_out(target: str | Path | IO[str]) -> Iterator[IO[str]]:
    """A stream to write to; a path is written atomically (temp file + rename) so a crash mid-export
    never leaves a truncated file where a previous backup was."""
    if not isinstance(target, str | Path):
        yield target
        return
    path = Path(target)
    if path.is_dir():
        raise HistoryError(f"cannot write {path}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as exc:
        raise HistoryError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
