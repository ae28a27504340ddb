"""Small Playwright helpers shared by the browser tests."""

from __future__ import annotations

import re
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
