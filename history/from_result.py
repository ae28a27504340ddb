"""From the engine's result to a history record, and the one-call save the CLI and the app use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from history.records import CheckRecord, DuplicatePersonError, NewMeasurement, SeriesArrays

if TYPE_CHECKING:
    from analysis.result import AnalysisResult
    from history.store import HistoryStore


def measurement_from_result(
    result: AnalysisResult,
    person_id: int,
    source: str,
    band: str | None,
    taken_at: datetime | None = None,
    annotated_path: str | None = None,
    notes: str | None = None,
    slr_mode: str | None = None,
    symptoms: dict[str, Any] | None = None,
) -> NewMeasurement:
    s = result.series
    return NewMeasurement(
        person_id=person_id,
        test=result.test,
        side=result.side,
        taken_at=taken_at or datetime.now(UTC),
        angle_deg=result.angle_deg,
        reach_cm=result.reach_cm,
        valid=result.valid,
        series=SeriesArrays(
            t_s=np.asarray(s.t_s, dtype=np.float64),
            angle_deg=np.asarray(s.angle_deg, dtype=np.float64),
            knee_flexion_deg=np.asarray(s.knee_flexion_deg, dtype=np.float64),
            reach_cm=None if s.reach_cm is None else np.asarray(s.reach_cm, dtype=np.float64),
        ),
        source=source,
        checks=tuple(CheckRecord(c.code, c.severity, c.message) for c in result.checks),
        band=band,
        engine_version=result.engine_version,
        model_name=result.model_name,
        annotated_path=annotated_path,
        notes=notes,
        uncertainty_deg=result.uncertainty_deg,
        reach_uncertainty_cm=result.reach_uncertainty_cm,
        camera_yaw_deg=None if result.camera is None else result.camera.yaw_deg,
        slr_mode=slr_mode if result.test == "slr" else None,
        symptoms=symptoms,
    )


def save_analysis(
    store: HistoryStore,
    person_name: str,
    result: AnalysisResult,
    source: str,
    band: str | None,
    annotated_path: str | None = None,
    slr_mode: str | None = None,
    symptoms: dict[str, Any] | None = None,
) -> int:
    """Save an analysis for `person_name`, creating the person if missing; returns the measurement id."""
    person = store.get_person_by_name(person_name)
    if person is None:
        try:
            person = store.add_person(person_name)
        except DuplicatePersonError:  # created by another process meanwhile
            person = store.get_person_by_name(person_name)
            if person is None:
                raise
    return store.save_measurement(
        measurement_from_result(
            result,
            person.id,
            source,
            band,
            annotated_path=annotated_path,
            slr_mode=slr_mode,
            symptoms=symptoms,
        )
    )
