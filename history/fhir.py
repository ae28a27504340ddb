"""FHIR R4 (4.0.1) export of the history: a `collection` Bundle, one Patient per person and one
Observation per measurement. Import is not supported.

Codes, and why:
- The test itself: LOINC has no code for the straight-leg raise angle or for the floor sit-and-reach
  (its PhenX "chair sit and reach" is another test), so the Observation code is from FlexCheck's own
  code system `CODE_SYSTEM`, with the test's name as text; category `exam` (HL7 observation-category).
- Leg: `bodySite` is SNOMED CT "Structure of left/right lower limb" (32153003 / 62175007), which carry
  the laterality in one concept, as R4's bodySite is a single CodeableConcept.
- Values: UCUM `deg` and `cm` (http://unitsofmeasure.org); the test's headline value (SLR angle,
  sit-and-reach reach) is `valueQuantity`, the hip angle, reach, uncertainties and camera yaw are
  components. A missing headline value has `dataAbsentReason` instead.
- Height: one LOINC 8302-2 "Body height" Observation per person whose height is known.
- The engine (version, pose model) is a contained Device referenced by `Observation.device`, and
  named in `method` with the SLR mode (active/passive).
Ids are UUIDs derived from the person's name and the measurement's test, leg and time, the same
identity CSV import uses to skip duplicates, so a history exported, imported elsewhere and exported
again gives the same resource ids.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from history.files import atomic_text_out
from history.records import MeasurementRow, PersonHistory, PersonRow
from scoring import band_label

if TYPE_CHECKING:
    from history.store import HistoryStore

FHIR_VERSION = "4.0.1"
CODE_SYSTEM = "urn:flexcheck:fhir:CodeSystem:measure"  # FlexCheck's own codes (see above)
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_ID_NAMESPACE = uuid.UUID("5b1f7a0e-3c1d-4d8e-9a51-6f0c2b7e4a13")  # fixed: ids stay stable across exports

TEST_TEXT = {
    "slr": "Straight-leg raise angle (hip flexion with the knee straight)",
    "sit-reach": "Sit-and-reach: fingertip reach past the toes",
}
LEG = {
    "left": ("32153003", "Structure of left lower limb", "Left leg"),
    "right": ("62175007", "Structure of right lower limb", "Right leg"),
}
SEX_TO_GENDER = {"female": "female", "male": "male", "other": "other"}
SEVERITY_WORD = {"error": "Problem", "warning": "Caution", "info": "Note"}
METHOD_TEXT = {
    "slr-active": "Active straight-leg raise (the person raised the leg)",
    "slr-passive": "Passive straight-leg raise (a helper lifted the leg)",
    "slr": "Straight-leg raise (active or passive not recorded)",
    "sit-reach": "Sit-and-reach",
}
# (component code, text, unit) for each measurement field that becomes a component
COMPONENTS: dict[str, tuple[str, str, str]] = {
    "angle_deg": ("hip-angle", "Hip (trunk-thigh) angle at the deepest reach", "deg"),
    "reach_cm": ("reach", "Reach past the toes (negative: short of the toes)", "cm"),
    "uncertainty_deg": ("angle-uncertainty", "Angle uncertainty, half-width of the 90% interval", "deg"),
    "reach_uncertainty_cm": ("reach-uncertainty", "Reach uncertainty, half-width of the 90% interval", "cm"),
    "camera_yaw_deg": ("camera-yaw", "Camera yaw estimated by the engine (0 = exactly side-on)", "deg"),
}


def export_fhir(
    store: HistoryStore, target: str | Path | IO[str], person: str | None = None, now: datetime | None = None
) -> int:
    """Write the history (or one person's) as a FHIR R4 Bundle in JSON; returns the number of
    measurement Observations written. Raises NotFoundError for an unknown person."""
    history = store.read_history(person=person)
    bundle = fhir_bundle(history, now or datetime.now(UTC))
    with atomic_text_out(target) as fh:
        json.dump(bundle, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return sum(len(h.measurements) for h in history)


def fhir_bundle(history: list[PersonHistory], now: datetime) -> dict[str, Any]:
    """The Bundle as plain JSON-ready dicts."""
    entries: list[dict[str, Any]] = []
    for h in history:
        patient = patient_resource(h.person)
        entries.append(_entry(patient))
        ref = {"reference": f"urn:uuid:{patient['id']}", "display": h.person.name}
        if h.person.height_cm is not None:
            entries.append(_entry(height_observation(h.person, ref)))
        entries.extend(_entry(observation_resource(h.person, m, ref)) for m in h.measurements)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(now)},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": entries,
    }


def patient_resource(p: PersonRow) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _uuid("patient", p.name),
        "name": [{"text": p.name}],
    }
    if p.sex in SEX_TO_GENDER:
        res["gender"] = SEX_TO_GENDER[p.sex]
    if p.birth_year is not None:
        res["birthDate"] = f"{p.birth_year:04d}"  # FHIR `date` allows year precision: only the year is known
    return res


def height_observation(p: PersonRow, subject: dict[str, str]) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": _uuid("height", p.name),
        "status": "final",
        "category": [_category("vital-signs", "Vital Signs")],
        "code": {
            "coding": [{"system": LOINC, "code": "8302-2", "display": "Body height"}],
            "text": "Body height",
        },
        "subject": subject,
        "valueQuantity": _quantity(float(p.height_cm or 0.0), "cm"),
        "note": [{"text": "Height as recorded in the person's FlexCheck profile (date not recorded)."}],
    }


def observation_resource(p: PersonRow, m: MeasurementRow, subject: dict[str, str]) -> dict[str, Any]:
    code, display, leg_text = LEG[m.side]
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _uuid("observation", p.name, m.test, m.side, m.taken_at.astimezone(UTC).isoformat()),
        "status": "final",
        "category": [_category("exam", "Exam")],
        "code": {
            "coding": [{"system": CODE_SYSTEM, "code": m.test, "display": TEST_TEXT[m.test]}],
            "text": TEST_TEXT[m.test],
        },
        "subject": subject,
        "effectiveDateTime": m.taken_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "bodySite": {"coding": [{"system": SNOMED, "code": code, "display": display}], "text": leg_text},
        "method": _method(m),
    }
    headline_field, unit = ("reach_cm", "cm") if m.test == "sit-reach" else ("angle_deg", "deg")
    headline = getattr(m, headline_field)
    if headline is not None:
        res["valueQuantity"] = _quantity(headline, unit)
    else:
        res["dataAbsentReason"] = {
            "coding": [{"system": DATA_ABSENT_REASON, "code": "unknown", "display": "Unknown"}],
            "text": "The engine could not measure this value from the video.",
        }
    if m.band:
        res["interpretation"] = [{"text": f"Band: {band_label(m.test, m.band, slr_mode=m.slr_mode)}"}]
    components = [
        _component(field, getattr(m, field))
        for field in COMPONENTS
        if field != headline_field and getattr(m, field) is not None
    ]
    if components:
        res["component"] = components
    res["note"] = [{"text": t} for t in _notes(m)]
    if m.engine_version or m.model_name:
        res["contained"] = [_device(m)]
        res["device"] = {"reference": "#engine", "display": f"FlexCheck engine {m.engine_version}".strip()}
    return res


def _method(m: MeasurementRow) -> dict[str, Any]:
    code = f"slr-{m.slr_mode}" if m.test == "slr" and m.slr_mode else m.test
    text = f"{METHOD_TEXT[code]}, measured from video with MediaPipe pose landmarks"
    if m.engine_version:
        text += f" (FlexCheck engine {m.engine_version}{', model ' + m.model_name if m.model_name else ''})"
    return {"coding": [{"system": CODE_SYSTEM, "code": code, "display": METHOD_TEXT[code]}], "text": text}


def _notes(m: MeasurementRow) -> list[str]:
    problems = [c.message for c in m.checks if c.severity == "error"]
    if m.valid:
        notes = ["Valid: the test was done properly as far as the video shows."]
    else:
        notes = ["Not valid: " + (" ".join(problems) if problems else "the checks did not pass.")]
    notes += [
        f"{SEVERITY_WORD.get(c.severity, 'Note')}: {c.message}" for c in m.checks if c.severity != "error"
    ]
    if m.symptoms:
        answers = ", ".join(f"{k.replace('_', ' ')}: {_answer(v)}" for k, v in sorted(m.symptoms.items()))
        notes.append(f"Symptom answers: {answers}.")
    if m.notes:
        notes.append(m.notes)
    notes.append("A camera measurement for tracking progress, not a diagnosis.")
    return notes


def _answer(v: object) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "not answered" if v is None else str(v)


def _device(m: MeasurementRow) -> dict[str, Any]:
    versions = [{"type": {"text": "engine"}, "value": m.engine_version}] if m.engine_version else []
    if m.model_name:
        versions.append({"type": {"text": "pose model"}, "value": m.model_name})
    return {
        "resourceType": "Device",
        "id": "engine",
        "deviceName": [{"name": "FlexCheck", "type": "user-friendly-name"}],
        "version": versions,
    }


def _component(field: str, value: float) -> dict[str, Any]:
    code, text, unit = COMPONENTS[field]
    return {
        "code": {"coding": [{"system": CODE_SYSTEM, "code": code, "display": text}], "text": text},
        "valueQuantity": _quantity(value, unit),
    }


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": round(float(value), 3), "unit": unit, "system": UCUM, "code": unit}


def _category(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": OBSERVATION_CATEGORY, "code": code, "display": display}]}


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _instant(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, "\x1f".join(parts)))
