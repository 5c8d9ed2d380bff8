"""The real app in a real browser: ``streamlit run app.py`` + Debian's Chromium via Playwright.

Playwright's own browser download does not work on our machines, so the tests always
launch ``/usr/bin/chromium`` (Debian's ``chromium`` package, which ``.ci/run`` installs).
When it is missing the tests FAIL with that explanation; set ``CASEKIT_SKIP_BROWSER=1``
to skip them on a machine without Chromium (never in CI).

Screenshots go to ``tests/_artifacts/screenshots/`` (git-ignored), the server's log to
``tests/_artifacts/streamlit.log``. Every screenshot of a Spanish page also checks the
page's text (:func:`assert_reads_as_spanish`): what the browser shows, not only what the
AppTests read.
"""

from __future__ import annotations

import contextlib
import os
import re
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

from casekit.i18n import t
from tests.present import spanish

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

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
VIEWPORT = {"width": 1280, "height": 1000}  # the width the screens are designed for
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


#: The cells a data frame has drawn: its grid is a canvas, and its accessible table holds
#: the cells in view (a full-page screenshot has every table in view).
GRID_CELLS = "[data-testid='stDataFrame'] [role='gridcell'], [data-testid='stDataFrame'] [role='columnheader']"
#: A cell that is an address (``case?source=workspace&…&case=C00097``): a link column's.
LINK = re.compile(r"[\w./:-]*\?[\w.%-]+=[^\s]*")
#: The size an upload box writes beside an uploaded file (``54.3KB``).
FILE_SIZE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:B|KB|MB|GB)\b")
#: Streamlit's own English placeholders (a multiselect or selectbox left without one).
ENGLISH_PLACEHOLDERS = ("Choose options", "Choose an option", "No results")


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
        # every page starts with its title; a fresh server's first page URL runs twice (the
        # router reruns it) and looks idle between the two runs: wait for the title first
        main = page.get_by_test_id("stMain")
        wait_idle(page, shown=main.locator("h1").or_(page.get_by_test_id("stException")).first)
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_idle(page: Page, shown: Locator | None = None) -> None:
    """Wait until the app has finished its run and drawn its charts.

    The browser hears of a rerun only when the server has started it: right after a
    click (a select box option, a radio, a button, Enter in a text box, an upload, a
    page link) the app still looks idle (``notRunning``, nothing stale) for a moment,
    and so it does between the two runs of an ``st.rerun()``. So after an action, pass
    ``shown``: something the action's rerun draws that was not on the page before (a
    title, a count, a caption); it is waited for first (in the DOM), then the run's end.
    Without it, :func:`wait_idle` only settles a run that has already reached the
    browser (e.g. after ``page.goto``: the app is ``initial`` until its first run starts).
    """
    if shown is not None:
        shown.wait_for(state="attached", timeout=TIMEOUT_MS)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=TIMEOUT_MS)


def app_language(page: Page) -> str | None:
    """The app's language, as its sidebar's language box shows it (``None``: no such box,
    e.g. a downloaded page or the sign-in screen)."""
    from casekit.ui.sidebar import LANG_NAMES

    labels = {t("ui.language", code) for code in LANG_NAMES}
    boxes = page.get_by_test_id("stSidebar").locator("input[role='combobox']")
    for box in boxes.all():
        if box.get_attribute("aria-label") in labels:
            shown = box.input_value()
            return next((code for code, name in LANG_NAMES.items() if name == shown), None)
    return None


#: The words of the page's inputs: a chosen value (a select box shows it in its input) or,
#: when empty, the placeholder the input shows (a date input shows its ISO value in the
#: browser's own format).
INPUT_WORDS_JS = """() => [...document.querySelectorAll("input, textarea")]
  .filter(e => !["hidden", "file", "checkbox", "radio", "date", "time"].includes(e.type) && e.offsetParent !== null)
  .map(e => e.value || e.placeholder || "")"""


def page_text(page: Page) -> tuple[str, list[str]]:
    """What a person reads on the page: the text of the body (code blocks left out: the
    settings' TOML is code, not words) with what its inputs show, and the drawn cells and
    headers of every table."""
    body = page.inner_text("body")
    for code in page.locator("[data-testid='stCode'], code").all_inner_texts():
        body = body.replace(code, "")
    for uploader in page.locator("[data-testid='stFileUploader']").all_inner_texts():
        for size in FILE_SIZE.findall(uploader):  # Streamlit's own, in English: not the app's to format
            body = body.replace(size, "")
    body += "\n" + "\n".join(page.evaluate(INPUT_WORDS_JS))
    cells = [cell.strip() for cell in page.locator(GRID_CELLS).all_inner_texts()]
    # a link column's accessible cell holds its address (the canvas draws its display text)
    return body, [cell for cell in cells if not LINK.fullmatch(cell)]


def assert_reads_as_spanish(page: Page, where: str, *, known: tuple[str, ...] = ()) -> None:
    """The page shows no ``None``, ``nan``, English vocabulary id, English decimal point or
    ISO date (:mod:`tests.present.spanish`, the rule of the AppTests) and none of
    Streamlit's English placeholders. ``known``: problems still open and documented, each
    required to be there (like a strict ``xfail``: fixed, it must be taken off the list)."""
    body, cells = page_text(page)
    problems = set(spanish.problems(body) + spanish.cell_problems(cells))
    problems |= {words for words in ENGLISH_PLACEHOLDERS if words in body}
    wrong = sorted(problems - set(known))[:20]
    seen = [text for text in [*body.splitlines(), *cells] if any(w in text for w in wrong)][:10]
    assert not wrong, f"{where}: not Spanish: {wrong} in {seen}"
    assert set(known) <= problems, f"{where}: {sorted(set(known) - problems)} fixed: take it off `known`"


def screenshot(page: Page, name: str, *, known: tuple[str, ...] = ()) -> Path:
    """A full-page screenshot of the app (its main area scrolls inside the window); a
    page in Spanish is also read (:func:`assert_reads_as_spanish`), with every table in view.

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
    if app_language(page) == "es":
        assert_reads_as_spanish(page, name, known=known)
    page.set_viewport_size(VIEWPORT)
    wait_idle(page)
    return path
