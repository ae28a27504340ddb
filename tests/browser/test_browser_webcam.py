"""The webcam path in a real browser: Chromium's fake camera plays a sample clip into the Record page.

Live tolerance is wider than the upload path's: frames arrive at the browser's pace and the newest
is analysed while older ones are skipped, the stream is re-encoded (VP8) on the way, and the captured
result is cut as soon as a held peak is seen, so fewer and noisier frames are measured.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.clips import to_y4m
from tests.browser.conftest import REPO, saved_rows, screenshot
from tests.browser.helpers import assert_no_traceback, create_person, first_number, nav, open_page, wait_idle

SAMPLE = REPO / "sample_videos" / "slr_left_near_slim_f.mp4"
LIVE_TOLERANCE_DEG = 5.0
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="sample clip not rendered yet")


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory):
    path = tmp_path_factory.mktemp("camera") / "slr.y4m"
    to_y4m(SAMPLE, path, max_width=640, lead_in_s=3.0)
    return path


def _frames_received(page) -> int:
    text = page.get_by_text("frames received").first.inner_text()
    found = re.search(r"received (\d+)", text)
    assert found, text
    return int(found.group(1))


def _live_angle(page) -> float | None:
    box = page.get_by_test_id("stMetric").filter(has_text="Leg angle now")
    if box.count() == 0:
        return None
    try:  # the live panel is redrawn several times a second, and replaced once the peak is captured
        value = box.first.get_by_test_id("stMetricValue").inner_text(timeout=2_000)
    except PlaywrightTimeoutError:
        return None
    found = re.search(r"[-+]?\d+(?:\.\d+)?", value)
    return float(found.group()) if found else None


def _webrtc_log(app_server, lines: int = 40) -> str:
    """The server log's last WebRTC lines (connection and ICE states, stale-context resets)."""
    keep = ("webrtc", "ice", "connection", "context", "track", "error", "exception")
    hits = [ln for ln in app_server.log().splitlines() if any(k in ln.lower() for k in keep)]
    return "\n".join(hits[-lines:])


def _stream_up(page, cam, app_server, timeout_ms: int = 30_000) -> bool:
    """True once the page shows the live status; False if START is still the only button offered
    when the wait runs out. A connection stuck with STOP shown fails here, with the server's log."""
    try:
        page.get_by_text("frames received").wait_for(timeout=timeout_ms)
        return True
    except PlaywrightTimeoutError:
        stuck = cam.get_by_role("button", name="STOP").is_visible()
        assert not stuck, f"connection stuck after START\n{_webrtc_log(app_server)}"
        return False


def test_camera_starts_reliably(app_server, launch_browser, fake_camera):
    """Several start/stop cycles: each connection must come up and stay up (see ui/webrtc_fix.py)."""
    page = launch_browser(fake_camera)
    open_page(page, app_server.url, "record")
    # Sit-and-reach on an SLR clip never auto-captures, so the camera keeps running for this test.
    page.get_by_test_id("stRadio").first.get_by_text("Sit-and-reach").click()
    wait_idle(page)
    cam = page.frame_locator("iframe[title*='webrtc']")
    clicks_lost = 0
    for cycle in range(4):
        cam.get_by_role("button", name="START").click()
        if not _stream_up(page, cam, app_server):
            # START still offered and nothing signalling: the click landed while the component was
            # being redrawn after the last STOP (a harness race a person answers by clicking again).
            # Once per test is tolerated; a connection that stalls with STOP shown is a failure.
            clicks_lost += 1
            assert clicks_lost == 1, f"cycle {cycle}: START lost twice\n{_webrtc_log(app_server)}"
            cam.get_by_role("button", name="START").click()
            assert _stream_up(page, cam, app_server), f"cycle {cycle}: no stream\n{_webrtc_log(app_server)}"
        time.sleep(2.0)  # the stale-state reset used to hit in the first second or two
        first = _frames_received(page)
        time.sleep(1.0)
        assert cam.get_by_role("button", name="STOP").is_visible(), f"cycle {cycle}: stream torn down"
        assert _frames_received(page) > first, f"cycle {cycle}: frames stopped"
        cam.get_by_role("button", name="STOP").click()
        cam.get_by_role("button", name="START").wait_for(timeout=20_000)
        # The rerun after STOP clears the live status; until it has, the next cycle would read this
        # stream's counter (a loaded CI machine showed "108 frames" that became 33 a second later).
        page.get_by_text("frames received").wait_for(state="detached", timeout=30_000)
        wait_idle(page)
    assert "resetting stale state" not in app_server.log()
    assert_no_traceback(page)


def test_live_angle_follows_the_clip_and_the_peak_is_captured(app_server, launch_browser, fake_camera):
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())["peak"]["angle_deg"]
    page = launch_browser(fake_camera)
    open_page(page, app_server.url)
    create_person(page, "Webcam Person", height_cm=165)
    nav(page, "Record")
    cam = page.frame_locator("iframe[title*='webrtc']")
    cam.get_by_role("button", name="START").click()
    readings: list[float] = []
    shot = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if page.get_by_text("Peak captured").count():
            break
        angle = _live_angle(page)
        if angle is not None:
            readings.append(angle)
            if angle > 40 and not shot:
                screenshot(page, "app_record_live")
                shot = True
        time.sleep(0.25)
    assert page.get_by_text("Peak captured").count(), f"no capture; live readings {readings}"
    wait_idle(page)
    # The live number moved with the leg: flat on the floor, then up near the clip's peak.
    assert min(readings) < 15 and max(readings) > truth - 15, readings
    value = page.get_by_test_id("stMetric").filter(has_text="Straight-leg raise").first
    captured = first_number(value.get_by_test_id("stMetricValue").inner_text())
    print(
        f"live readings {len(readings)}: min {min(readings)} max {max(readings)}; captured {captured}, truth {truth}"
    )
    assert abs(captured - truth) <= LIVE_TOLERANCE_DEG, (captured, truth)
    assert_no_traceback(page)
    page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first.wait_for()
    screenshot(page, "app_record_result")
    page.get_by_role("button", name="Save to Webcam Person's history").click()
    wait_idle(page)
    page.get_by_text("Saved to Webcam Person's history").wait_for()
    nav(page, "History")
    page.get_by_test_id("stDataFrame").wait_for()
    page.get_by_test_id("stVegaLiteChart").first.wait_for()
    rows = saved_rows(app_server, "Webcam Person")
    assert [(r.test, r.side, r.source) for r in rows] == [("slr", "left", "webcam")]
    assert rows[0].angle_deg == pytest.approx(captured, abs=0.5)
