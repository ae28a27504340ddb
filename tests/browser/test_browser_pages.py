"""Every page opens in a real browser without errors; a person can be created and chosen."""

from __future__ import annotations

from tests.browser.conftest import screenshot
from tests.browser.helpers import assert_no_traceback, create_person, nav, open_page, wait_idle


def test_pages_open_and_profile_is_created(app_server, launch_browser):
    page = launch_browser()
    open_page(page, app_server.url)
    assert_no_traceback(page)
    create_person(page, "Ada Browser", height_cm=168)
    screenshot(page, "app_profile")
    for title in ("Record", "Upload", "History"):
        nav(page, title)
        assert_no_traceback(page)
        # Waited for, not read at once: on a loaded machine the click's rerun can start after wait_idle's
        # 300 ms grace, and the page is then read half drawn (seen with the suite's two halves in parallel).
        page.get_by_text("not a diagnosis").first.wait_for()
        screenshot(page, f"app_{title.lower()}_empty")
    nav(page, "Profile")
    # The selection survives navigation.
    page.get_by_text("Measuring Ada Browser").wait_for()


def _choose_first(page, label: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    for _ in range(3):  # the dropdown can miss a click made while the page re-lays out
        box.get_by_role("combobox").click()
        try:
            page.get_by_role("option").first.click(timeout=5_000)
            wait_idle(page)
            return
        except Exception:
            page.keyboard.press("Escape")
    raise AssertionError(f"could not open the {label!r} list")


def test_history_chart_and_delete_with_confirmation(app_server, launch_browser):
    from datetime import UTC, datetime, timedelta

    from history import HistoryStore, measurement_from_result
    from tests.browser.conftest import saved_rows
    from tests.test_app_pages import slr_result

    with HistoryStore.open(app_server.database_url) as store:
        person = store.add_person("Hana History", birth_year=1988, sex="female", height_cm=170)
        t0 = datetime(2026, 9, 1, tzinfo=UTC)
        for week, (left, right) in enumerate([(66, 79), (70, 80), (75, 82), (81, 84)]):
            for side, deg in (("left", left), ("right", right)):
                result = slr_result(float(deg), side=side)
                band = "reduced" if deg < 80 else "moderate"
                store.save_measurement(
                    measurement_from_result(
                        result, person.id, "upload", band, taken_at=t0 + timedelta(days=7 * week)
                    )
                )
    page = launch_browser()
    open_page(page, app_server.url)
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="Hana History").click()
    page.get_by_text("Measuring Hana History").wait_for()
    nav(page, "History")
    page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first.wait_for()
    page.get_by_text("minimal detectable change").first.wait_for()
    screenshot(page, "app_history")
    # Delete the first left-leg measurement: asks first, Cancel keeps it, Yes removes it.
    _choose_first(page, "Delete a measurement")
    page.get_by_role("button", name="Delete…").click()
    page.get_by_text("This cannot be undone").wait_for()
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("This cannot be undone").wait_for(state="detached")
    assert len(saved_rows(app_server, "Hana History")) == 8
    _choose_first(page, "Delete a measurement")
    page.get_by_role("button", name="Delete…").click()
    page.get_by_role("button", name="Yes, delete").click()
    page.get_by_text("This cannot be undone").wait_for(state="detached")
    rows = saved_rows(app_server, "Hana History")
    assert len(rows) == 7 and sorted(r.angle_deg or 0.0 for r in rows if r.side == "left") == [70, 75, 81]
    assert_no_traceback(page)
