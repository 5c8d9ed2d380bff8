"""AppTest set-up shared by the page tests.

Streamlit 1.67's AppTest resets ``PagesManager.uses_pages_directory`` before every run;
because this project has a ``pages/`` folder, the flag then turns True and every rerun
after the first executes the current page alone (the old v1 multipage mode), skipping
``app.py`` and its sidebar. The real server never does this: once ``st.navigation`` has
run, the flag stays False. The fixture below restores that behaviour in tests.

The bundled sample is read and validated once per test session: by the tests
(:func:`sample_result`, :func:`sample_scores`, :func:`sample_status`, independent of the
app) and by the app (its read, validation and derived tables are cached on the data's
content, and those caches are kept from one test to the next; every other cache is
cleared before each test).
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.runtime.caching.cache_utils import CachedFunc
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

import casekit as ck
from casekit.present import formats
from casekit.ui import derived

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
#: The app's caches keyed on the data's content (bytes digest, path and times, or a
#: workspace's url and audit head): kept across tests, so the sample is read once.
DATA_CACHES = (derived._read, derived._validate, derived._derived)


@pytest.fixture(scope="session")
def sample_result() -> ck.ValidationResult:
    """The bundled sample, read and validated once per session as of its date (read-only)."""
    return ck.validate(ck.read_workbook(SAMPLE), as_of=ck.SAMPLE_AS_OF)


@pytest.fixture(scope="session")
def sample_scores(sample_result: ck.ValidationResult) -> pl.DataFrame:
    """The sample's risk scores with the shipped model."""
    return ck.score_risk(sample_result, as_of=ck.SAMPLE_AS_OF)


@pytest.fixture(scope="session")
def sample_status(sample_result: ck.ValidationResult, sample_scores: pl.DataFrame) -> pl.DataFrame:
    """The sample's case status with the shipped rules and its risk scores."""
    return ck.case_status(sample_result, as_of=ck.SAMPLE_AS_OF, risk=sample_scores)


def _clear_caches_but_the_data() -> None:
    """Clear every ``st.cache_data`` and every ``st.cache_resource`` of casekit's app
    modules except :data:`DATA_CACHES` (sessions, workspaces, sign-in state)."""
    st.cache_data.clear()
    for name, module in list(sys.modules.items()):
        if name.startswith("casekit.ui") and module is not None:
            for value in vars(module).values():
                if isinstance(value, CachedFunc) and value not in DATA_CACHES:
                    value.clear()


@pytest.fixture(autouse=True)
def _no_team_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page tests run on the sample or an upload: no ``casekit.db`` of the working folder."""
    monkeypatch.setenv("CASEKIT_DB", str(tmp_path / "no-workspace" / "casekit.db"))
    monkeypatch.setenv("CASEKIT_HOME", str(tmp_path / "casekit-home"))


@pytest.fixture(autouse=True)
def _navigation_like_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    _clear_caches_but_the_data()


def open_app(page: str | None = None, *, lang: str = "es") -> AppTest:
    """The app on the bundled sample, in ``lang``, showing ``pages/<page>.py``."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def shown_numbers(cells: Iterable[object], lang: str) -> list[float | None]:
    """The numbers of a table column as the screen shows them, read back; each must be
    written in ``lang``'s format (``1.373,9`` / ``1,373.9``, ``12,5 %``); blank is ``None``.
    A whole-number column stays numbers (the table writes them, ``column_integer``)."""
    fmt = formats(lang)
    pattern = rf"-?\d{{1,3}}(?:{re.escape(fmt.thousands)}\d{{3}})*(?:{re.escape(fmt.decimal)}\d+)?"
    out: list[float | None] = []
    for cell in cells:
        if isinstance(cell, numbers.Number) and not isinstance(cell, bool):
            out.append(None if math.isnan(float(cell)) else float(cell))  # type: ignore[arg-type]  # a numbers.Number is a real here (pandas cells)
            continue
        text = str(cell).removesuffix(fmt.percent)
        if text == "":
            out.append(None)
            continue
        assert re.fullmatch(pattern, text), f"{cell!r} is not a number written in {lang}"
        out.append(float(text.replace(fmt.thousands, "").replace(fmt.decimal, ".")))
    return out
