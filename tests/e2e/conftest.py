"""The real app in a real browser: ``streamlit run app.py`` + Debian's Chromium via Playwright.

Playwright's own browser download does not work on our machines, so the tests always
launch ``/usr/bin/chromium`` (Debian's ``chromium`` package, which ``.ci/run`` installs).
When it is missing the tests FAIL with that explanation; set ``CASEKIT_SKIP_BROWSER=1``
to skip them on a machine without Chromium (never in CI).

Screenshots go to ``tests/_artifacts/screenshots/`` (git-ignored), the server's log to
``tests/_artifacts/streamlit.log``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "_artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1000}
STARTUP_TIMEOUT_S = 60
#: Playwright timeout for every wait (ms): first loads validate the sample on a cold cache.
TIMEOUT_MS = 120_000

# The app is idle: connected, no script running, no element left stale by the last run.
IDLE_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null
    && app.dataset.testConnectionState === "CONNECTED"
    && app.dataset.testScriptState === "notRunning"
    && document.querySelector("[data-stale='true']") === null;
}"""

# Every chart has been drawn (vega-embed puts an <svg> or <canvas> inside it).
CHARTS_DRAWN_JS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
  .every(chart => chart.querySelector("svg.marks, canvas") !== null)"""


def _skip_requested() -> bool:
    return os.environ.get("CASEKIT_SKIP_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_app(
    log_name: str = "streamlit.log",
    *,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """``streamlit run app.py`` headless on a free port, from the project root; yields its URL.

    ``args``: more ``streamlit run`` options; ``env``: the server's environment (default: ours);
    ``port``: a port chosen by the caller (default: a free one).
    """
    if _skip_requested():
        pytest.skip("CASEKIT_SKIP_BROWSER is set: browser tests skipped")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *args,
    ]
    log_path = ARTIFACTS / log_name
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not _healthy(url):
                if process.poll() is not None:
                    pytest.fail(f"streamlit exited with {process.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit not healthy after {STARTUP_TIMEOUT_S} s:\n{log_path.read_text()}")
                time.sleep(0.25)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The app, shared by the browser tests of a session."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright."""
    if _skip_requested():
        pytest.skip("CASEKIT_SKIP_BROWSER is set: browser tests skipped")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install it with "
            "`apt-get install chromium` (.ci/run does this in CI), or set CASEKIT_SKIP_BROWSER=1 "
            "to skip these tests locally."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail('playwright is missing: python -m pip install -e ".[test]"')
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_app(chromium_browser: Browser, app_url: str) -> Iterator[Callable[..., Page]]:
    """``open_app(lang, path="")``: a fresh browser session (locale es-ES/en-US) on the app, idle."""
    contexts = []

    def open_(lang: str, path: str = "") -> Page:
        context = chromium_browser.new_context(locale="es-ES" if lang == "es" else "en-US", viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{app_url}/{path}")
        wait_idle(page)
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_idle(page: Page) -> None:
    """Wait until the app has finished its run and drawn its charts."""
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=TIMEOUT_MS)


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot of the app (its main area scrolls inside the window).

    Streamlit scrolls ``stMain`` rather than the document, so the window is made as tall
    as the content before the shot, then restored.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        """() => Math.max(...["stMain", "stSidebarContent"].map(id => {
             const el = document.querySelector(`[data-testid='${id}']`);
             return el === null ? 0 : el.scrollHeight;
           }))"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], int(height) + 40)})
    wait_idle(page)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    wait_idle(page)
    return path
