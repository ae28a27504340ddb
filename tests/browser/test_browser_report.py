"""History page -> "Download report (PDF)" in real Chromium; the downloaded PDF is read back with
pdftotext and then opened in Chromium's own PDF viewer."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from PIL import Image

from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import assert_no_traceback, nav, open_page

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def test_history_report_download_opens_in_chromium(app_server, launch_browser, tmp_path):
    from history import HistoryStore, measurement_from_result
    from tests.test_app_pages import slr_result

    with HistoryStore.open(app_server.database_url) as store:
        person = store.add_person("Rita Report", birth_year=1975, sex="female", height_cm=162)
        t0 = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)
        for week, deg in enumerate([63.4, 71.8]):
            band = "reduced"  # both below 80 deg (active raise)
            store.save_measurement(
                measurement_from_result(
                    slr_result(deg), person.id, "upload", band, taken_at=t0 + timedelta(days=14 * week)
                )
            )
    page = launch_browser()
    open_page(page, app_server.url)
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="Rita Report").click()
    page.get_by_text("Measuring Rita Report").wait_for()
    nav(page, "History")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download report (PDF)").click()
    download = info.value
    assert download.suggested_filename == "flexcheck_report_Rita_Report.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert_no_traceback(page)
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()
    )
    for expected in ("FlexCheck report: Rita Report", "63.4°", "71.8°", "2026-05-04 08:30", "2026-05-18 08:30",
                     "Below 80° (active raise)", "not a diagnosis"):  # fmt: skip
        assert expected in text, expected

    # Chromium's own PDF viewer opens it (not a download, not an error page) and paints the page:
    # the chart's pale red lowest band appears on the screen.
    viewer = launch_browser()
    response = viewer.goto(pdf.as_uri())
    assert response is not None and response.ok
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "report_in_chromium.png"
    painted = 0
    for _ in range(60):  # the viewer parses and paints asynchronously
        viewer.wait_for_timeout(500)
        viewer.screenshot(path=str(shot))
        rgb = np.asarray(Image.open(shot).convert("RGB")).astype(int)
        painted = int(
            ((rgb[..., 0] > 220) & (rgb[..., 1] > 150) & (rgb[..., 1] < 215) & (rgb[..., 2] < 215)).sum()
        )
        if painted > 5000:
            break
    assert painted > 5000, "Chromium did not paint the report's chart"
