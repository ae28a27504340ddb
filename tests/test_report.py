"""`flexcheck report`: a real PDF from a real history (made by `analyze --save` with the real model,
and by `history import` of a hand-written CSV), on SQLite and PostgreSQL, read back with poppler's
`pdftotext`/`pdftoppm` and opened in Debian Chromium.

Expected text is written by hand from the CSV below (and, for `analyze --save`, from the stored
row), never taken from the report code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from flexcheck.cli import main
from history import HistoryStore
from tests.history_fixtures import *  # noqa: F403

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "sample_videos" / "slr_left_near_slim_f.mp4"
SCREENS = ROOT / "test-output" / "report"
HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None
poppler = pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils (pdftotext) is not installed")

HEADER = ("person,birth_year,sex,height_cm,test,side,taken_at,angle_deg,reach_cm,valid,band,source,"
          "engine_version,checks,slr_mode,symptoms,uncertainty_deg,reach_uncertainty_cm")  # fmt: skip
SIDE_ON = json.dumps(
    [{"code": "side_on", "severity": "warning", "message": "The camera was not quite side-on."}]
)
ROWS = [
    # before --from: must not appear in a report from 2026-01-01
    ("slr", "left", "2025-06-01T08:00:00+00:00", "50.0", "", "true", "reduced", "cli", "0.0.9", "[]", "active", "", "", ""),
    ("slr", "left", "2026-01-10T09:00:00+00:00", "61.5", "", "true", "reduced", "upload", "0.1.0", "[]", "active",
     json.dumps({"pain_behind_knee": False, "tingling_or_numbness": True}), "3.2", ""),
    ("slr", "right", "2026-02-01T10:30:00+00:00", "66.0", "", "true", "reduced", "webcam", "0.1.0", SIDE_ON, "passive", "", "", ""),
    ("sit-reach", "right", "2026-02-15T11:00:00+00:00", "95.0", "-4.5", "true", "short_of_toes", "batch", "0.1.0", "[]", "",
     "", "", "1.8"),
    ("slr", "left", "2026-03-12T09:00:00+00:00", "82.3", "", "true", "moderate", "upload", "0.1.0", "[]", "active", "", "", ""),
]  # fmt: skip


def _csv_text() -> str:
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER.split(","))
    for r in ROWS:
        w.writerow(["Grace Hopper", "1980", "female", "165.0", *r])
    return out.getvalue()


def _pdftotext(pdf: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def _run(url: str, argv: list[str]) -> int:
    with mock.patch.dict(os.environ, {"FLEXCHECK_DATABASE_URL": url}):
        return main(argv)


@pytest.fixture
def imported(history_url: str, tmp_path: Path) -> str:
    csv_path = tmp_path / "history.csv"
    csv_path.write_text(_csv_text())
    assert _run(history_url, ["history", "import", "--csv", str(csv_path)]) == 0
    return history_url


@poppler
def test_report_from_csv_import_has_every_measurement(imported: str, tmp_path: Path) -> None:
    pdf = tmp_path / "grace.pdf"
    assert (
        _run(imported, ["report", "--person", "Grace Hopper", "--out", str(pdf), "--from", "2026-01-01"]) == 0
    )
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = _pdftotext(pdf)
    age = date.today().year - 1980
    for expected in [
        "FlexCheck report: Grace Hopper", f"Age {age}", "female", "height 165 cm",
        "Straight-leg raise, left leg", "Straight-leg raise, right leg", "Sit-and-reach, right leg",
        "61.5° ± 3.2°", "82.3°", "66.0°", "-4.5 cm ± 1.8 cm",  # value ± uncertainty only when known
        "Below 80° (active raise)", "Reduced extensibility", "80-90° (active raise)",  # labels by SLR mode,
        "Short of the toes",  # not ids
        "passive", "active", "The camera was not quite side-on.", "All checks passed.",
        "2026-01-10 09:00", "2026-03-12 09:00", "0.1.0 (upload)",
        "tingling or numbness: yes", "pain behind the knee: no",
        "Latest plan summary", "Based on the measurement of 2026-03-12, Straight-leg raise (left)",
        "Sources", "minimal detectable change", "not a diagnosis",
    ]:  # fmt: skip
        assert expected in text, f"{expected!r} missing from the report"
    assert "50.0°" not in text and "0.0.9" not in text  # before --from


@poppler
def test_report_page_renders_with_the_chart(imported: str, tmp_path: Path) -> None:
    pdf = tmp_path / "grace.pdf"
    assert _run(imported, ["report", "--person", "Grace Hopper", "--out", str(pdf)]) == 0
    SCREENS.mkdir(parents=True, exist_ok=True)
    stem = SCREENS / "report_page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)], check=True
    )
    from PIL import Image

    rgb = np.asarray(Image.open(f"{stem}.png").convert("RGB")).astype(int)
    # The chart's line colour (#1f4e79) and the pale red lowest band must be on the page.
    line = np.all(np.abs(rgb - [0x1F, 0x4E, 0x79]) < 25, axis=2).sum()
    red_band = ((rgb[..., 0] > 220) & (rgb[..., 1] < 215) & (rgb[..., 1] > 150) & (rgb[..., 2] < 215)).sum()
    assert line > 200, "no chart line drawn"
    assert red_band > 2000, "no score band drawn"


@pytest.mark.slow
@poppler
def test_report_from_analyze_save(history_url: str, tmp_path: Path) -> None:
    assert _run(history_url, ["analyze", str(CLIP), "--test", "slr", "--save", "--person", "Ada"]) == 0
    with HistoryStore.open(history_url) as store:
        ada = store.get_person_by_name("Ada")
        assert ada is not None
        (m,) = store.list_measurements(ada.id)
    truth = json.loads(CLIP.with_suffix(".json").read_text())["peak"]["angle_deg"]
    assert m.angle_deg == pytest.approx(truth, abs=6.0)
    pdf = tmp_path / "ada.pdf"
    assert _run(history_url, ["report", "--person", "Ada", "--out", str(pdf)]) == 0
    text = _pdftotext(pdf)
    assert f"{m.angle_deg:.1f}°" in text
    assert "Straight-leg raise, left leg" in text and f"{m.engine_version} (cli)" in text
    assert f"{m.taken_at:%Y-%m-%d}" in text


def test_unknown_person_and_bad_dates_are_one_line(sqlite_url: str, tmp_path: Path, capsys) -> None:
    assert _run(sqlite_url, ["report", "--person", "Nobody", "--out", str(tmp_path / "x.pdf")]) == 2
    assert capsys.readouterr().err.strip() == "flexcheck: no person named 'Nobody'"
    assert not (tmp_path / "x.pdf").exists()
    with pytest.raises(SystemExit):
        main(["report", "--person", "A", "--out", "x.pdf", "--from", "March"])


def test_date_range_includes_both_ends(imported: str) -> None:
    from report.data import collect

    with HistoryStore.open(imported) as store:
        data = collect(store, "Grace Hopper", date(2026, 1, 10), date(2026, 2, 15))
    got = sorted((leg.test, leg.side, r.taken_at.strftime("%Y-%m-%d")) for leg in data.legs for r in leg.rows)
    assert got == [
        ("sit-reach", "right", "2026-02-15"),
        ("slr", "left", "2026-01-10"),
        ("slr", "right", "2026-02-01"),
    ]
    # the plan follows the latest valid measurement inside the range
    assert data.plan is not None and data.plan.based_on == "2026-02-15, Sit-and-reach (right)"
