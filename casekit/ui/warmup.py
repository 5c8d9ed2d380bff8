"""The libraries a first load needs later, imported in a background thread (issue 18).

A new server process's first session reads and validates its caseload (polars queries:
they let go of Python's lock) before it draws anything; importing Overview's libraries
(Arrow's Parquet reader, altair for the charts, Streamlit's emoji list for the banner's
icon) is Python work that can run on the other core meanwhile. :func:`start` starts it
once per process; a page that imports one of these modules before the thread is done
waits for it (Python's import lock), and an import that fails is left to the page, which
raises it where it belongs.

>>> start() is start()  # once per process
True
>>> start().join(timeout=60); all(m in __import__("sys").modules for m in MODULES)
True
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading

#: In the order a first load on Overview needs them (what the reader, the banner and
#: Overview import after the sidebar's own modules); none loads pandas.
MODULES: tuple[str, ...] = (
    "pyarrow.parquet",
    "casekit.validation",
    "streamlit.emojis",
    "casekit.charts",
    "casekit.report",
    "casekit.outcomes",
)


@functools.cache
def start() -> threading.Thread:
    """Start importing :data:`MODULES` in a daemon thread (once per process); the thread."""
    thread = threading.Thread(target=_import, args=(MODULES,), name="casekit-warm-up", daemon=True)
    thread.start()
    return thread


def _import(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # the page's own import raises it where it belongs
            continue
        charts_checked_when_drawn()


def charts_checked_when_drawn() -> None:
    """Altair checks a chart against Vega-Lite's schema when each of its parts is made (its
    "debug mode", for tracebacks that point at the part) and again when the whole is drawn
    (Streamlit's ``chart.to_dict()``); once altair is loaded, the app keeps only the check at
    drawing: the same charts, ~0.1 s less per rerun of a page with two charts (issue 18).
    A chart that breaks the schema still fails where it is drawn; ``tests/charts`` check every
    chart's spec against the schema.

    >>> import altair as alt
    >>> charts_checked_when_drawn(); alt.utils.schemapi.DEBUG_MODE
    False
    >>> alt.utils.schemapi.enable_debug_mode()  # as it was, for the doctests that follow
    """
    schemapi = sys.modules.get("altair.utils.schemapi")
    if schemapi is not None:
        schemapi.disable_debug_mode()
