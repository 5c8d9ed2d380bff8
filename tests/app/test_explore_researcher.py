"""Explore for a researcher (issue 14): every count on the screen goes through the one
small-cell rule (:func:`casekit.privacy.suppress_small_cells`, ``for_sharing=True``).

The researcher signs in through the real path: an ``[auth]`` section in the test's own
secrets, ``st.user`` carrying their e-mail, and the workspace (a SQLite file in a
temporary folder) checking them as a ``researcher`` user and giving the de-identified
extract, drawn with a fixed key (``CASEKIT_RESEARCH_KEY``) so that the extract, and so the
test, is the same on every run. The same screens in local mode (an administrator) do show
counts of 1–10, so the assertions can fail.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import casekit as ck
from tests.app.conftest import APP

RESEARCHER = "rita@uni.edu"
KEY = hashlib.sha256(b"casekit researcher explore tests").hexdigest()
AUTH = {
    "redirect_uri": "http://127.0.0.1:9/oauth2callback",
    "cookie_secret": "a-fixed-test-cookie-secret-0123456789abcdef",
    "client_id": "casekit-tests",
    "client_secret": "casekit-tests-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
#: A whole number of 1 to 10 written alone (not part of a larger number, a date or a decimal).
SMALL = re.compile(r"(?<![\w.,/:\-–])(?:[1-9]|10)(?![\w.,/:\-–])")


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with 150 generated cases and a researcher."""
    db = tmp_path / "team.db"
    monkeypatch.setenv("CASEKIT_DB", str(db))
    monkeypatch.setenv("CASEKIT_RESEARCH_KEY", KEY)
    monkeypatch.delenv("CASEKIT_LOCAL_MODE", raising=False)
    ws = ck.Workspace.open(db)
    ws.import_workbook(ck.make_sample(150, seed=7), actor="setup")
    ws.add_user(RESEARCHER, "researcher", actor="setup", language="en")
    ws.close()
    return db


def _explore(lang: str, *, researcher: bool, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    if researcher:
        monkeypatch.delenv("CASEKIT_LOCAL_MODE", raising=False)
    else:
        monkeypatch.setenv("CASEKIT_LOCAL_MODE", "1")
    at = AppTest.from_file(APP, default_timeout=180)
    if researcher:
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": RESEARCHER}
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/explore.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _chart_counts(at: AppTest) -> list[int | None]:
    """The case counts in the data of every chart drawn (``cases`` / ``n`` columns; a
    suppressed count is ``None``)."""
    out: list[int | None] = []
    for chart in at.get("vega_lite_chart"):
        proto = chart.proto  # type: ignore[attr-defined]  # an element AppTest does not wrap
        tables = [pl.read_ipc_stream(d.data.data) for d in proto.datasets]
        if proto.data.data:
            tables.append(pl.read_ipc_stream(proto.data.data))
        for df in tables:
            for col in ("cases", "n"):
                if col in df.columns:
                    out += df[col].cast(pl.Int64).to_list()
        assert json.loads(proto.spec)  # a chart spec was sent
    return out


def _shown(at: AppTest) -> list[str]:
    """The texts that carry counts: Markdown, captions, metrics (value and help), and the
    tables' cells that are whole numbers (means, rates and shares have decimals)."""
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    texts += [f"{m.value} {m.proto.help}" for m in at.metric]
    for frame in at.dataframe:
        texts += [str(v) for v in frame.value.to_numpy().ravel().tolist() if re.fullmatch(r"\d+", str(v))]
    return texts


def _small(texts: list[str]) -> list[str]:
    return [s for s in texts if SMALL.search(s)]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_researcher_sees_no_count_of_one_to_ten_on_explore(
    team: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    # the team's view of the same workspace has small counts on the process view: the test can fail
    admin = _explore(lang, researcher=False, monkeypatch=monkeypatch)
    admin.radio(key="ex_view").set_value("process").run()
    assert [n for n in _chart_counts(admin) if n is not None and 1 <= n <= 10]

    at = _explore(lang, researcher=True, monkeypatch=monkeypatch)
    assert any(RESEARCHER in c.value.replace("\\", "") for c in at.sidebar.caption)  # signed in as the researcher
    for view in ("process", "compare", "group", "export"):
        at.radio(key="ex_view").set_value(view).run()
        assert not at.exception, [e.value for e in at.exception]
        counts = _chart_counts(at)
        assert not [n for n in counts if n is not None and 1 <= n <= 10], (view, counts)
        if view == "process":  # the small cells are there, suppressed
            assert None in counts
        assert not _small(_shown(at)), (view, _small(_shown(at)))


def test_a_weak_research_key_is_refused_with_the_reason(team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``CASEKIT_RESEARCH_KEY`` is checked like any extract key: a word never becomes the key."""
    monkeypatch.setenv("CASEKIT_RESEARCH_KEY", "password")
    monkeypatch.delenv("CASEKIT_LOCAL_MODE", raising=False)
    at = AppTest.from_file(APP, default_timeout=180)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": RESEARCHER}
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("hexadecimal" in e.value for e in at.error)
    assert not at.dataframe  # nothing of the extract is shown
