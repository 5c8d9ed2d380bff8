"""Timing, memory and machine helpers shared by the benchmark scripts.

>>> times, out = timed(lambda: sum(range(10)), runs=3)
>>> len(times), len(times.cpu), out
(3, 3, 45)
>>> summary([3.0, 1.0, 2.0])
{'median_s': 2.0, 'min_s': 1.0, 'max_s': 3.0, 'runs': 3}
>>> ratio(10.0, 2.0), ratio(1.0, 0.0)
(5.0, None)
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import resource
import statistics
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Times(list):
    """Wall-clock seconds of several runs; ``cpu``: this process's CPU seconds (user + system,
    all threads) in the same runs — less sensitive than wall time to other jobs on a shared machine."""

    def __init__(self, wall: list[float] = (), cpu: list[float] = ()) -> None:  # type: ignore[assignment]
        super().__init__(wall)
        self.cpu = list(cpu)


def timed(fn: Callable[[], Any], *, runs: int) -> tuple[Times, Any]:
    """Wall-clock (and CPU) seconds of ``runs`` calls of ``fn``, and the last call's result."""
    times, out = Times(), None
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - start)
        times.cpu.append(time.process_time() - cpu)
    return times, out


def summary(times: list[float]) -> dict[str, float | int]:
    """Median, min and max of several runs (and the median CPU time when known)."""
    out = {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs": len(times)}
    cpu = getattr(times, "cpu", None)
    if cpu:
        out["cpu_median_s"] = statistics.median(cpu)
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b``, or None when either is missing or ``b`` is 0."""
    return None if a is None or not b else a / b


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB.

    Linux's ``VmHWM`` (the peak of this program's own memory) when available: a child
    started with ``subprocess`` inherits the parent's peak in ``getrusage(...).ru_maxrss``
    (the kernel records the pre-exec image's peak, which under vfork is the parent's).
    """
    hwm = _first("/proc/self/status", "VmHWM")
    if hwm:
        return int(hwm.split()[0]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    """The machine and library versions a run was measured on, and when."""
    import polars as pl

    versions = {}
    for name in ("pandas", "openpyxl", "fastexcel", "streamlit"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    mem = _first("/proc/meminfo", "MemTotal")
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "ram_gb": round(int(mem.split()[0]) / 1024**2, 1) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        **versions,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def app_test(app: Path, *, timeout: float = 1800) -> Any:
    """Streamlit's ``AppTest`` of ``app`` navigating as the server does, on a started server.

    Same workaround as ``tests/app/conftest.py``: AppTest resets
    ``PagesManager.uses_pages_directory`` before every run, which would run the pages
    without the router (and its sidebar) from the second run on; this keeps it False.

    What a server does once when it starts, before any session (Streamlit's ``Runtime``
    scans the installed packages for components), AppTest does in its first run: it is
    done here, before the first run is timed (:func:`server_start`), so that the first
    load is what a session waits for (issue 18, round 6). ``app_test(...).server_start_s``
    says how long it took.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]  # once per (child) process
    at = AppTest.from_file(str(app), default_timeout=timeout)
    at.server_start_s = server_start(at)
    return at


def server_start(at: Any) -> float | None:
    """Scan the installed packages for Streamlit components as the server does when it starts
    (``Runtime.__init__``), for ``at`` (an ``AppTest``, which would scan in its first run);
    the seconds it took, or None when this Streamlit's AppTest has no such step (it is then
    part of the first run, as before)."""
    if not hasattr(at, "_bidi_component_manager"):
        return None
    from streamlit.components.v2.component_manager import BidiComponentManager

    start = time.perf_counter()
    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    at._bidi_component_manager = manager  # what AppTest's first run would set (streamlit/testing/v1/app_test.py)
    return time.perf_counter() - start


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child Python: the project importable even without an install."""
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def post_only_measures() -> frozenset[str]:
    """Post-only measures of the shipped catalogue (``casekit/defaults/measures.toml``),
    names and aliases lower-cased with letters and digits only (``CSQ-8`` → ``csq8``): a
    later value of one evaluates a case on its own (issue 17)."""
    raw = tomllib.loads((ROOT / "casekit" / "defaults" / "measures.toml").read_text(encoding="utf-8"))
    names = [[n, *m.get("aliases", [])] for n, m in raw["measures"].items() if m.get("post_only")]
    return frozenset(re.sub(r"[^0-9a-z]", "", n.lower()) for group in names for n in group)
