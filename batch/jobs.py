"""One clip in, one row out: the job function both runners execute."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.result import AnalysisResult

# Containers PyAV/FFmpeg reads that phones and cameras write; other files in the folder are ignored.
VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".3gp", ".mts", ".m2ts"})
HASH_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class ClipJob:
    """Everything a worker needs for one clip (plain values: it travels to other processes/hosts)."""

    path: Path  # absolute; on a Ray cluster every node must see it (shared filesystem)
    file: str  # the path relative to the batch folder, as written in the CSV
    sha256: str
    test: str
    side: str = "auto"
    height_cm: float | None = None
    model_path: Path | None = None


@dataclass(frozen=True)
class BatchRow:
    """One CSV row. `error` is set (and the measures empty) when the clip could not be analysed."""

    file: str
    test: str
    sha256: str
    engine_version: str
    side: str = ""
    valid: bool | None = None
    angle_deg: float | None = None
    reach_cm: float | None = None
    uncertainty_deg: float | None = None
    reach_uncertainty_cm: float | None = None
    checks: str = ""  # "severity:code" joined by "; "
    error: str = ""
    model: str = ""
    seconds: float = 0.0
    person: str = ""  # with --save: who the clip belongs to
    saved_id: int | None = None  # with --save: the history measurement id


@dataclass(frozen=True)
class ClipOutcome:
    row: BatchRow
    result: AnalysisResult | None  # None when `row.error` is set


def find_clips(folder: Path) -> list[Path]:
    """Video files below `folder` (recursive), sorted so runs and CSVs are in a stable order."""
    return sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS)


def content_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def uncertainties(result: AnalysisResult) -> tuple[float | None, float | None]:
    """The engine's 90% half-widths for the angle and the reach (None when it could not state one)."""
    return result.uncertainty_deg, result.reach_uncertainty_cm


def row_from_result(job: ClipJob, result: AnalysisResult, seconds: float) -> BatchRow:
    unc_deg, unc_cm = uncertainties(result)
    return BatchRow(
        file=job.file,
        test=job.test,
        sha256=job.sha256,
        engine_version=result.engine_version,
        side=result.side,
        valid=result.valid,
        angle_deg=result.angle_deg,
        reach_cm=result.reach_cm,
        uncertainty_deg=unc_deg,
        reach_uncertainty_cm=unc_cm,
        checks="; ".join(f"{c.severity}:{c.code}" for c in result.checks),
        model=result.model_name,
        seconds=round(seconds, 2),
    )


def analyze_clip(job: ClipJob) -> ClipOutcome:
    """Analyse one clip with the real pose model. Never raises: a bad clip becomes a row with `error`.

    Each clip gets a fresh pose model: MediaPipe's VIDEO mode tracks across frames and needs rising
    timestamps, so a model reused from the previous clip would start from that clip's pose and give
    (slightly) different numbers than `flexcheck analyze` on the same file. Loading it costs ~0.7 s
    (measured on the shared 2-core machine), small beside the clip's own analysis.
    """
    from analysis.pipeline import ENGINE_VERSION, AnalysisOptions, analyze_video
    from vision.frames import VideoError

    t0 = time.perf_counter()
    options = AnalysisOptions(
        test=job.test,  # type: ignore[arg-type]  # validated by the CLI against the vocabulary
        side=job.side,  # type: ignore[arg-type]
        height_cm=job.height_cm,
        model_path=job.model_path,
    )
    try:
        result = analyze_video(job.path, options)
    except VideoError as exc:
        return failed_outcome(job, ENGINE_VERSION, str(exc), t0)
    except Exception as exc:  # a damaged file can make a decoder raise anything; the batch goes on
        return failed_outcome(job, ENGINE_VERSION, f"internal error: {type(exc).__name__}: {exc}", t0)
    return ClipOutcome(row_from_result(job, result, time.perf_counter() - t0), result)


def failed_outcome(job: ClipJob, engine_version: str, message: str, t0: float | None = None) -> ClipOutcome:
    one_line = " ".join(message.split())
    row = BatchRow(
        file=job.file,
        test=job.test,
        sha256=job.sha256,
        engine_version=engine_version,
        error=one_line or "unknown error",
        seconds=0.0 if t0 is None else round(time.perf_counter() - t0, 2),
    )
    return ClipOutcome(row, None)
