"""Upload in a real browser: the measured number and band, a playing annotated video, and bad input."""

from __future__ import annotations

import json

import pytest

from scoring import score_measurement
from tests.browser.conftest import REPO, saved_rows, screenshot
from tests.browser.helpers import (
    assert_no_traceback,
    choose_file,
    create_person,
    first_number,
    nav,
    open_page,
    upload,
    wait_idle,
)

SAMPLE = REPO / "sample_videos" / "slr_left_near_slim_f.mp4"
UPLOAD_TOLERANCE_DEG = 3.0  # offline path on a clean synthetic clip


def _metric(page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    # Waited for as long as an analysis may take: the Analyse click's run can start after `_upload`'s
    # idle check on a loaded machine, and reading would otherwise time out at Playwright's 30 s.
    box.wait_for(timeout=180_000)
    return box.get_by_test_id("stMetricValue").inner_text()


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample clip not rendered yet")
def test_upload_measures_scores_and_plays_the_annotated_video(app_server, launch_browser):
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())["peak"]["angle_deg"]
    page = launch_browser()
    open_page(page, app_server.url)
    create_person(page, "Upload Person", height_cm=165)
    nav(page, "Upload")
    upload(page, SAMPLE)
    assert_no_traceback(page)
    measured = first_number(_metric(page, "Straight-leg raise"))
    assert abs(measured - truth) <= UPLOAD_TOLERANCE_DEG, (measured, truth)
    expected = score_measurement("slr", measured, None, True)
    assert _metric(page, "Band") == expected.band_label
    # The engine's H.264 file really plays from Streamlit's media endpoint.
    video = page.locator("[data-testid='stVideo']").first
    video.wait_for()
    state = video.evaluate(
        """async (v) => {
            v.muted = true;
            await v.play();
            for (let i = 0; i < 100 && v.readyState < 4; i++) await new Promise(r => setTimeout(r, 100));
            await new Promise(r => setTimeout(r, 500));
            return {ready: v.readyState, duration: v.duration, error: v.error && v.error.code,
                    t: v.currentTime, w: v.videoWidth};
        }"""
    )
    assert state["ready"] == 4 and state["duration"] > 0 and state["error"] is None, state
    assert state["t"] > 0 and state["w"] > 0, state
    page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first.wait_for()
    screenshot(page, "app_upload_result")
    page.get_by_role("button", name="Save to Upload Person's history").click()
    wait_idle(page)
    page.get_by_text("Saved to Upload Person's history").wait_for()
    rows = saved_rows(app_server, "Upload Person")
    assert [(r.test, r.side, r.source, r.band) for r in rows] == [("slr", "left", "upload", expected.band_id)]
    nav(page, "History")
    page.get_by_test_id("stDataFrame").wait_for()
    page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first.wait_for()
    assert_no_traceback(page)
    screenshot(page, "app_history")


def test_bad_files_get_one_clear_line_and_nothing_is_saved(app_server, launch_browser, tmp_path):
    not_video = tmp_path / "notes.txt"
    not_video.write_text("shopping list: eggs, milk\n")
    corrupt = tmp_path / "broken.mp4"
    # A real MP4 header followed by garbage: the container opens, no frame decodes.
    corrupt.write_bytes(
        SAMPLE.read_bytes()[:2000] + bytes(range(256)) * 40 if SAMPLE.exists() else b"\0" * 9000
    )
    page = launch_browser()
    open_page(page, app_server.url)
    create_person(page, "Bad Input Person")
    nav(page, "Upload")
    for bad in (not_video, corrupt):
        upload(page, bad)
        # This file's message: the previous file's alert stays on the page until the rerun replaces it,
        # and on a loaded machine the rerun can start after `_upload`'s idle check (seen on CI).
        alert = page.get_by_test_id("stAlertContentError").filter(has_text=bad.name).first
        alert.wait_for(timeout=60_000)
        text = alert.inner_text().strip()
        assert "Could not analyse this video" in text and bad.name in text, text
        assert "\n" not in text
        assert_no_traceback(page)
        screenshot(page, f"app_upload_bad_{bad.suffix.lstrip('.')}")
    nav(page, "History")
    page.get_by_text("No measurements saved yet").wait_for()
    assert saved_rows(app_server, "Bad Input Person") == []


SIT_REACH = REPO / "sample_videos" / "sitreach_right_near_past_toes_m.mp4"
REACH_TOLERANCE_CM = 3.0


@pytest.mark.skipif(not SIT_REACH.exists(), reason="sample clip not rendered yet")
def test_sit_and_reach_upload_uses_the_profile_height(app_server, launch_browser, tmp_path):
    truth = json.loads(SIT_REACH.with_suffix(".json").read_text())
    page = launch_browser()
    open_page(page, app_server.url)
    create_person(page, "Reach Person", height_cm=round(truth["height_cm"]))
    nav(page, "Upload")
    page.get_by_test_id("stRadio").first.get_by_text("Sit-and-reach").click()
    wait_idle(page)
    upload(page, SIT_REACH)
    assert_no_traceback(page)
    reach = first_number(_metric(page, "Sit-and-reach"))
    assert abs(reach - truth["peak"]["reach_cm"]) <= REACH_TOLERANCE_CM, (reach, truth["peak"])
    page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first.wait_for()
    screenshot(page, "app_upload_sit_reach")
    # Another file in the uploader: the result on the page must not pass for this file's.
    other = tmp_path / "next_clip.mp4"
    other.write_bytes(b"\0" * 5000)
    choose_file(page, other)
    page.get_by_text("Ready to analyse: next_clip.mp4 (5.0 KB)").wait_for()  # the widget's own units
    assert page.get_by_test_id("stMetric").filter(has_text="Sit-and-reach").count() == 0
