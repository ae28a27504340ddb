"""Small Playwright helpers shared by the browser tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit finished the current script run."""
    page.wait_for_timeout(300)  # let a just-triggered rerun start
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def open_page(page: Any, base_url: str, path: str = "") -> None:
    page.goto(f"{base_url}/{path}")
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page)


def nav(page: Any, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    wait_idle(page)


def assert_no_traceback(page: Any) -> None:
    text = page.inner_text("body")
    assert "Traceback" not in text, text[:2000]
    assert page.locator("[data-testid='stException']").count() == 0


def create_person(page: Any, name: str, height_cm: int = 175) -> None:
    form = page.get_by_test_id("stForm")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Height (cm)").fill(str(height_cm))
    form.get_by_role("button", name="Create").click()
    wait_idle(page)
    page.get_by_text(f"Measuring {name}").wait_for()


def first_number(text: str) -> float:
    """The value of a metric such as "77° ± 3" or "+7.9 ± 2 cm" (the number before the uncertainty)."""
    found = re.search(r"[-+]?\d+(?:\.\d+)?", text)
    assert found is not None, text
    return float(found.group())


def choose_file(page: Any, path: Path) -> None:
    """Put `path` in the uploader and wait until the server has it."""
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    # Long names are shortened in the middle ("slr_lef...slim_f.mp4"): match the end.
    uploader = page.get_by_test_id("stFileUploader")
    uploader.get_by_text(re.compile(re.escape(path.name[-8:]) + "$")).first.wait_for()
    # The uploader shows the name while the bytes are still uploading; a click on Analyse before the
    # server has the file analyses the previous one (seen on CI with a second upload). The app's own
    # line comes from the script run that received this file.
    ready = page.get_by_text(f"Ready to analyse: {path.name} (")
    ready.wait_for(timeout=60_000)
    # One file, one size on the page: the line states it as the widget above does ("12.2KB").
    size = re.search(r"\(([\d.]+) ([KMG]?B)\)$", ready.inner_text().strip())
    assert size is not None and "".join(size.groups()) in uploader.inner_text(), ready.inner_text()
    wait_idle(page)


def upload(page: Any, path: Path) -> None:
    """Choose `path` on the Upload page and press Analyse."""
    choose_file(page, path)
    page.get_by_role("button", name="Analyse").click()
    wait_idle(page, timeout_ms=180_000)
