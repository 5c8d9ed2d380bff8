"""The app's first load and Monitoring reruns on a real server, driven by Chromium (issue 18).

``bench_app_load.py`` runs the script with Streamlit's AppTest, which differs from a server
in what it does with a table: AppTest always sends a table whole, and it decides so before
Streamlit's ``st.dataframe`` imports pandas to ask whether to page it (``lazy=None``); a
server pages a table of more than 150,000 rows (1,000 rows at a time) and, before casekit
passed ``lazy=False``, imported pandas on the first table a process drew. This script
starts ``streamlit run app.py`` (headless, as the browser tests do), opens it in Chromium
at 1280 px, and reads the server process's CPU time from ``/proc`` (all its threads; its
finished children not counted, so an upload is not a source here):

- ``first load``: from opening Overview to the app idle with its charts drawn (the server
  already started; wall includes the browser's drawing);
- ``rerun``: the median of ``--reruns`` reruns of Monitoring (the ``r`` key), after its first
  visit in a new session.

Two sources, as in ``bench_app_load.py``: ``file`` (``CASEKIT_DATA``, a Parquet folder) and
``workspace`` (``CASEKIT_DB``, the workspace ``bench_app_load.py`` creates).

    python benchmarks/bench_app_server.py --cases 100000 --runs 3 --sources file workspace

Needs Linux (``/proc``), Playwright and ``/usr/bin/chromium``.

>>> _cpu_seconds(os.getpid()) > 0
True
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _bench_common import ROOT  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
#: As ``tests/e2e/conftest.py``: connected, no script running, nothing stale; every chart drawn.
IDLE_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null && app.dataset.testConnectionState === "CONNECTED"
    && app.dataset.testScriptState === "notRunning" && document.querySelector("[data-stale='true']") === null;
}"""
CHARTS_DRAWN_JS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
  .every(chart => chart.querySelector("svg.marks, canvas") !== null)"""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads), from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _idle(page: Any) -> None:
    page.wait_for_function(IDLE_JS)
    page.wait_for_function(CHARTS_DRAWN_JS)


def measure(env: dict[str, str], reruns: int) -> dict[str, Any]:
    """Start a server with ``env``, time its first load and Monitoring reruns; the figures."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    command += ["--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out: dict[str, Any] = {}
    try:
        for _ in range(480):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=5)
                break
            except OSError:
                time.sleep(0.25)
        time.sleep(1)  # the server's own start settles
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000}).new_page()
            page.set_default_timeout(600_000)
            cpu, wall = _cpu_seconds(server.pid), time.perf_counter()
            page.goto(f"{url}/?lang=en")
            page.get_by_test_id("stMain").locator("h1").first.wait_for(state="attached")
            _idle(page)
            out.update(first_load_s=time.perf_counter() - wall, first_load_cpu_s=_cpu_seconds(server.pid) - cpu)
            page.goto(f"{url}/monitoring?lang=en")  # a new session: Monitoring's first visit
            page.get_by_test_id("stMain").locator("h1").first.wait_for(state="attached")
            _idle(page)
            cpus = []
            for _ in range(reruns):
                time.sleep(1)
                cpu = _cpu_seconds(server.pid)
                page.locator("body").press("r")  # Streamlit's rerun key
                time.sleep(0.3)  # the browser hears of the rerun once it has started
                _idle(page)
                time.sleep(0.5)  # the last messages sent
                cpus.append(_cpu_seconds(server.pid) - cpu)
            out.update(rerun_cpu_s=statistics.median(cpus), rerun_cpus=cpus)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="fresh servers per source")
    parser.add_argument("--reruns", type=int, default=3)
    parser.add_argument("--sources", nargs="+", default=["file", "workspace"], choices=["file", "workspace"])
    parser.add_argument("--db", help="the workspace URL (default: bench_app_load.py's SQLite file)")
    args = parser.parse_args(argv)
    from bench_app_load import _workspace, source_envs

    _, home, url, envs = source_envs(args.cases, args.db)
    if "workspace" in args.sources:
        os.environ["CASEKIT_HOME"] = str(home)
        _workspace(url, args.cases)
    for _ in range(args.runs):
        for source in args.sources:  # alternated
            print(source, json.dumps(measure(envs[source], args.reruns)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
