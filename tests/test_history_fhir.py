"""`flexcheck history export --fhir`: an R4 Bundle that fhir.resources validates, from a history made
by `analyze --save` (the real model on a sample clip) and by CSV import, on SQLite and PostgreSQL.

Expected values are hand-written (the CSV below, the clip's ground truth, the SNOMED CT codes of the
legs), never read back from the exporter."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from flexcheck.vocabulary import SEVERITIES, SIDES, TESTS
from history import HistoryStore, export_csv, import_csv
from history.fhir import CODE_SYSTEM, LEG, SEVERITY_WORD, TEST_TEXT, export_fhir
from tests.history_fixtures import *  # noqa: F403  (fixtures: store, history_url, sqlite_url, pg_server)

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "sample_videos" / "slr_left_near_slim_f.mp4"  # side-on, left leg, valid, peak 77.1 deg
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
LEG_CODE = {"left": "32153003", "right": "62175007"}  # SNOMED CT: structure of left / right lower limb

CSV = (
    "person,birth_year,sex,height_cm,test,side,taken_at,angle_deg,reach_cm,valid,band,source,"
    "engine_version,model_name,checks,slr_mode,uncertainty_deg,reach_uncertainty_cm,camera_yaw_deg\n"
    'Dee,1990,female,168.5,slr,right,2026-02-03T10:00:00Z,71.5,,true,reduced,cli,0.1.0,pose_full,"[{""code"":'
    '""hip_rotation"",""severity"":""warning"",""message"":""The pelvis turned a little.""}]",passive,2.5,,-4.0\n'
    "Dee,1990,female,168.5,sit-reach,left,2026-02-04T10:00:00+01:00,100,-3.5,true,short_of_toes,upload,"
    "0.1.0,pose_full,,,1.5,1.25,\n"
    'Dee,1990,female,168.5,slr,left,2026-02-05T10:00:00Z,,,false,,upload,,,"[{""code"":""knee_bent"",'
    '""severity"":""error"",""message"":""The knee bent during the raise.""}]",,,,\n'
    "Eli,,,,slr,left,2026-03-01T08:30:00Z,88.25,,true,,cli,0.1.0,pose_full,,active,,,\n"
)


def _cli(args: list[str], url: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "FLEXCHECK_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "flexcheck.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# Required bindings, which fhir.resources does not check (it checks structure, cardinality and types).
GENDERS = {"male", "female", "other", "unknown"}
OBSERVATION_STATUSES = {"registered", "preliminary", "final", "amended"}
DEVICE_NAME_TYPES = {"udi-label-name", "user-friendly-name", "patient-reported-name", "manufacturer-name",
                     "model-name", "other"}  # fmt: skip


def _validated(bundle: dict[str, Any]) -> dict[str, Any]:
    """Validate the Bundle and each resource against their R4 models; return the JSON unchanged."""
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        if resource["resourceType"] == "Patient":
            assert resource.get("gender", "unknown") in GENDERS
        if resource["resourceType"] == "Observation":
            assert resource["status"] in OBSERVATION_STATUSES
            for device in resource.get("contained", []):
                assert {n["type"] for n in device["deviceName"]} <= DEVICE_NAME_TYPES
    return bundle


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _measurements(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["system"] == CODE_SYSTEM]


def _components(obs: dict[str, Any]) -> dict[str, tuple[float, str]]:
    return {
        c["code"]["coding"][0]["code"]: (c["valueQuantity"]["value"], c["valueQuantity"]["code"])
        for c in obs.get("component", [])
    }


def _export(url: str, out: Path, *extra: str) -> dict[str, Any]:
    proc = _cli(["history", "export", "--fhir", str(out), *extra], url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    return _validated(json.loads(out.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_fhir_export_of_an_analyze_save_history(history_url: str, tmp_path: Path) -> None:
    truth = json.loads(CLIP.with_suffix(".json").read_text())
    before = datetime.now(UTC)
    saved = _cli(["analyze", str(CLIP), "--test", "slr", "--save", "--person", "Ana"], history_url, 600)
    assert saved.returncode == 0, saved.stderr
    bundle = _export(history_url, tmp_path / "ana.json", "--person", "Ana")

    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    (patient,) = _resources(bundle, "Patient")
    assert patient["name"] == [{"text": "Ana"}]
    assert "gender" not in patient and "birthDate" not in patient  # not known for a person made by --save
    (obs,) = _measurements(bundle)
    assert obs["subject"]["reference"] == f"urn:uuid:{patient['id']}"
    assert obs["status"] == "final"
    q = obs["valueQuantity"]
    assert (q["system"], q["code"], q["unit"]) == (UCUM, "deg", "deg")
    assert abs(q["value"] - truth["peak"]["angle_deg"]) <= 3.0
    assert obs["bodySite"]["coding"][0]["system"] == SNOMED
    assert obs["bodySite"]["coding"][0]["code"] == LEG_CODE[truth["side"]]
    taken = datetime.fromisoformat(obs["effectiveDateTime"])
    assert before <= taken <= datetime.now(UTC)
    assert obs["method"]["coding"][0]["code"] == "slr-active"  # --slr-mode defaults to active
    (device,) = obs["contained"]
    assert obs["device"]["reference"] == "#" + device["id"]
    assert {v["type"]["text"]: v["value"] for v in device["version"]}["engine"] == "0.1.0"
    assert obs["note"][0]["text"].startswith("Valid")
    assert any("not a diagnosis" in n["text"] for n in obs["note"])


def test_fhir_export_of_a_csv_import(history_url: str, tmp_path: Path) -> None:
    csv_path = tmp_path / "in.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    imported = _cli(["history", "import", "--csv", str(csv_path)], history_url)
    assert imported.returncode == 0 and "imported 4 measurements" in imported.stderr, imported.stderr
    bundle = _export(history_url, tmp_path / "all.json")

    patients = {p["name"][0]["text"]: p for p in _resources(bundle, "Patient")}
    assert set(patients) == {"Dee", "Eli"}
    assert (patients["Dee"]["gender"], patients["Dee"]["birthDate"]) == ("female", "1990")
    (height,) = [o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "8302-2"]
    assert height["valueQuantity"] == {"value": 168.5, "unit": "cm", "system": UCUM, "code": "cm"}
    assert height["subject"]["reference"] == f"urn:uuid:{patients['Dee']['id']}"

    obs = {o["effectiveDateTime"][:10]: o for o in _measurements(bundle)}
    assert sorted(obs) == ["2026-02-03", "2026-02-04", "2026-02-05", "2026-03-01"]
    slr = obs["2026-02-03"]
    assert slr["valueQuantity"]["value"] == 71.5 and slr["valueQuantity"]["code"] == "deg"
    assert slr["bodySite"]["coding"][0]["code"] == LEG_CODE["right"]
    assert slr["method"]["coding"][0]["code"] == "slr-passive"
    assert _components(slr) == {"angle-uncertainty": (2.5, "deg"), "camera-yaw": (-4.0, "deg")}
    assert (
        slr["interpretation"][0]["text"] == "Band: Reduced extensibility"
    )  # passive SLR: Muyor 2011's words
    assert "Caution: The pelvis turned a little." in [n["text"] for n in slr["note"]]

    sr = obs["2026-02-04"]
    assert sr["effectiveDateTime"].startswith("2026-02-04T09:00:00")  # 10:00+01:00 in UTC
    assert sr["valueQuantity"] == {"value": -3.5, "unit": "cm", "system": UCUM, "code": "cm"}
    assert sr["bodySite"]["coding"][0]["code"] == LEG_CODE["left"]
    assert _components(sr) == {
        "hip-angle": (100.0, "deg"),
        "angle-uncertainty": (1.5, "deg"),
        "reach-uncertainty": (1.25, "cm"),
    }
    assert sr["interpretation"][0]["text"] == "Band: Short of the toes"

    bad = obs["2026-02-05"]
    assert "valueQuantity" not in bad and bad["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    assert bad["note"][0]["text"] == "Not valid: The knee bent during the raise."
    assert "device" not in bad  # no engine version recorded in that row

    eli = _export(history_url, tmp_path / "eli.json", "--person", "Eli")
    assert [p["name"][0]["text"] for p in _resources(eli, "Patient")] == ["Eli"]
    (only,) = _measurements(eli)
    assert only["method"]["coding"][0]["code"] == "slr-active" and only["valueQuantity"]["value"] == 88.25


def test_same_ids_after_a_csv_round_trip(store: HistoryStore, sqlite_url: str) -> None:
    import_csv(store, io.StringIO(CSV, newline=""))
    now = datetime(2026, 4, 1, tzinfo=UTC)
    first = io.StringIO()
    export_fhir(store, first, now=now)
    copy = HistoryStore.open(sqlite_url.replace("history.db", "copy.db"))
    try:
        backup = io.StringIO()
        export_csv(store, backup)
        import_csv(copy, io.StringIO(backup.getvalue(), newline=""))
        second = io.StringIO()
        assert export_fhir(copy, second, now=now) == 4
    finally:
        copy.close()
    a, b = json.loads(first.getvalue()), json.loads(second.getvalue())
    assert a["id"] != b["id"]  # each export is a new Bundle ...
    assert a["entry"] == b["entry"]  # ... of the same resources with the same ids


def test_validator_rejects_a_broken_bundle(store: HistoryStore) -> None:
    """The validation above can fail: a non-numeric value, a missing status, an unknown element or a
    bad date-time is refused by the R4 models."""
    import_csv(store, io.StringIO(CSV, newline=""))
    out = io.StringIO()
    export_fhir(store, out)
    good = json.loads(out.getvalue())
    _validated(good)
    broken = json.loads(out.getvalue())
    _measurements(broken)[0]["valueQuantity"]["value"] = "seventy"
    with pytest.raises(ValidationError):
        _validated(broken)
    for key, value in [("status", None), ("angle", 71.5), ("effectiveDateTime", "yesterday")]:
        broken = json.loads(out.getvalue())
        obs = _measurements(broken)[1]
        if value is None:
            del obs[key]
        else:
            obs[key] = value
        with pytest.raises(ValidationError):
            Bundle.model_validate(broken)  # the Bundle's own validation reaches into its entries


def test_bad_person_or_path_is_one_line_and_exit_2(sqlite_url: str, tmp_path: Path) -> None:
    HistoryStore.open(sqlite_url).close()
    for args, words in [
        (["--fhir", str(tmp_path / "x.json"), "--person", "Nobody"], "no person named 'Nobody'"),
        (["--fhir", str(tmp_path / "missing" / "x.json")], "cannot write"),
        (["--fhir", str(tmp_path)], "it is a folder"),
    ]:
        proc = _cli(["history", "export", *args], sqlite_url)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 2 and len(lines) == 1 and words in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.json").exists()


def test_every_test_side_and_severity_has_its_fhir_words() -> None:
    assert set(TEST_TEXT) == set(TESTS) and set(LEG) == set(SIDES) and set(SEVERITY_WORD) == set(SEVERITIES)
    assert {code for code, _, _ in LEG.values()} == set(LEG_CODE.values())
