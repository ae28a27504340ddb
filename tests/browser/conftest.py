"""Fixtures for the real-browser tests: the app server on loopback, headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from history import MeasurementRow

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(
    os.environ.get("FLEXCHECK_TEST_CHROMIUM", "/usr/bin/chromium")
)  # override: tests of the CI rule
SCREENSHOTS = REPO / "test-output" / "screenshots"
BASE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # WebRTC on loopback: real host addresses instead of mDNS names, and 127.0.0.1 allowed.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--allow-loopback-in-peer-connection",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


class AppServer:
    def __init__(self, url: str, data_dir: Path, log_path: Path) -> None:
        self.url = url
        self.data_dir = data_dir
        self.log_path = log_path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'flexcheck.db'}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    data_dir = tmp_path_factory.mktemp("flexcheck-data")
    port = _free_port()
    env = dict(os.environ)
    env.update(
        FLEXCHECK_DATA_DIR=str(data_dir),
        FLEXCHECK_DATABASE_URL=f"sqlite:///{data_dir / 'flexcheck.db'}",  # = AppServer.database_url
        PYTHONPATH=str(REPO),
    )
    log_path = data_dir / "server.log"
    cmd = [
        sys.executable, "-m", "tests.browser.serve_app", str(REPO / "app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        # Full error details in tests: an uncaught exception would show a traceback the tests look for.
        "--client.showErrorDetails", "full", "--logger.level", "debug",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield AppServer(url, data_dir, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def launch_browser(playwright_instance: object) -> Iterator[Callable[..., object]]:
    """launch_browser(fake_camera_y4m=None) -> a Playwright page (closed at the end of the test)."""
    opened: list[object] = []

    def launch(fake_camera_y4m: Path | None = None) -> object:
        flags = list(BASE_FLAGS)
        if fake_camera_y4m is not None:
            flags += [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={fake_camera_y4m}",
            ]
        browser = playwright_instance.chromium.launch(  # type: ignore[attr-defined]
            executable_path=str(CHROMIUM), headless=True, args=flags
        )
        opened.append(browser)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        if fake_camera_y4m is not None:
            context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield launch
    for b in opened:
        b.close()  # type: ignore[attr-defined]


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Streamlit scrolls an inner container, so grow the viewport to the content for a whole-page shot.
    size = page.viewport_size  # type: ignore[attr-defined]
    height = page.evaluate(  # type: ignore[attr-defined]
        "() => document.querySelector('[data-testid=stMainBlockContainer]')?.scrollHeight ?? 1000"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 160, 6000)})  # type: ignore[attr-defined]
    page.wait_for_timeout(400)  # type: ignore[attr-defined]
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    page.set_viewport_size(size)  # type: ignore[attr-defined]
    return path


def has_ffmpeg() -> bool:
    return shutil.which("ffmpeg") is not None


def saved_rows(server: AppServer, person_name: str) -> list[MeasurementRow]:
    """What the app really wrote to its history database for a person."""
    from history import HistoryStore

    with HistoryStore.open(server.database_url) as store:
        person = store.get_person_by_name(person_name)
        return [] if person is None else list(store.list_measurements(person.id))
