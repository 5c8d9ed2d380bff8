"""The app on a team workspace: default source, read-only sample, the contact form, the case record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import casekit as ck
from casekit.i18n import t
from casekit.present import header
from tests.app.conftest import APP
from tests.present import spanish


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder as the app's working place: its workspace is ``team.db`` there."""
    monkeypatch.setenv("CASEKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CASEKIT_DB", str(tmp_path / "team.db"))
    return tmp_path / "team.db"


def _seed(db: Path) -> ck.Workspace:
    ws = ck.Workspace.open(db)
    ws.import_workbook(ck.make_sample(40, seed=5), actor="setup", as_of=ck.SAMPLE_AS_OF)
    return ws


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["es", "en"])
def test_without_a_workspace_the_sample_is_read_only_and_never_written(team: Path, lang: str) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    _run(at)
    assert at.radio(key="source").value == "sample"
    assert "workspace" not in at.radio(key="source").options
    text = " ".join(c.value for c in at.caption)
    assert ("solo lectura" if lang == "es" else "read-only") in text
    at.button(key="create_workspace").click()
    _run(at)
    assert team.exists()
    assert at.radio(key="source").value == "workspace"
    ws = ck.Workspace.open(team)
    assert ws.data()["cases"].height == 0  # no fictitious client written into the team's workspace
    ws.close()


def test_workspace_is_the_default_and_choices_survive_language_and_refresh(team: Path) -> None:
    _seed(team).close()
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = "es"
    _run(at)
    assert at.radio(key="source").value == "workspace"
    assert at.date_input(key="as_of").value == dt.date.today()
    at.date_input(key="as_of").set_value(dt.date(2026, 9, 30))
    _run(at)
    at.selectbox(key="lang").set_value("en")
    _run(at)
    assert at.radio(key="source").value == "workspace"
    assert at.date_input(key="as_of").value == dt.date(2026, 9, 30)
    params = dict(at.query_params)
    assert params["source"] in ("workspace", ["workspace"])
    # a refresh is a new session with the same URL
    again = AppTest.from_file(APP, default_timeout=180)
    for key, value in params.items():
        again.query_params[key] = value[0] if isinstance(value, list) else value
    _run(again)
    assert again.session_state["lang"] == "en"
    assert again.radio(key="source").value == "workspace"
    assert again.date_input(key="as_of").value == dt.date(2026, 9, 30)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_contact_logged_from_the_worklist_clears_the_flag(team: Path, lang: str) -> None:
    ws = _seed(team)
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    _run(at)
    at.switch_page("pages/monitoring.py")
    _run(at)
    before = ck.case_status(ws.result(), as_of=dt.date.today())
    flagged = before.filter(pl.col("flags").list.contains("follow_up_overdue") & pl.col("closed_on").is_null())
    assert flagged.height, "the sample has overdue follow-ups"
    case_id = flagged["case_id"][0]
    at.selectbox(key="monitoring_contact_case").set_value(case_id)
    at.text_area(key="monitoring_contact_notes").set_value("llamada de seguimiento")
    submit = next(b for b in at.button if b.label in ("Guardar", "Save"))
    submit.click()
    _run(at)
    stored = ws.data()["contacts"].filter(
        (pl.col("case_id") == case_id) & (pl.col("notes") == "llamada de seguimiento")
    )
    assert stored.height == 1
    after = ck.case_status(ws.result(), as_of=dt.date.today())
    flags = after.filter(pl.col("case_id") == case_id)["flags"].item().to_list()
    assert "follow_up_overdue" not in flags
    assert ws.audit(case_id)["action"].to_list()[-1] == "record"
    ws.close()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_case_record_shows_the_case_and_its_history(team: Path, lang: str) -> None:
    ws = _seed(team)
    case_id = ws.data()["cases"]["case_id"][3]
    ws.close()
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    _run(at)
    at.switch_page("pages/case.py")
    _run(at)
    at.selectbox(key="case_pick").set_value(case_id)
    _run(at)
    assert at.title[0].value == ("Ficha del caso" if lang == "es" else "Case record")
    headers = [s.value for s in at.subheader]
    assert any(case_id in h for h in headers), (case_id, headers, [m.value for m in at.metric])
    assert ("Historial de cambios (registro de auditoría)" if lang == "es" else "Change history (audit log)") in headers
    # the history as a person reads it: labels and dates in the language, never the stored JSON
    history = next(d.value for d in at.dataframe if header("what_changed", lang) in d.value.columns)
    columns = ("at", "actor", "action", "sheet", "row_id", "what_changed")
    assert list(history.columns) == [header(c, lang) for c in columns]
    # the import, and the opening of the record (audited)
    assert set(history.iloc[:, 2]) == {t(f"workspace.action_{a}", lang) for a in ("import", "view")}
    changes = " ".join(history.iloc[:, -1])
    assert "{" not in changes
    assert header("opened_on", lang) in changes
    if lang == "es":
        assert spanish.cell_problems([c for row in history.itertuples(index=False) for c in row]) == []


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_quarantined_row_is_fixed_in_its_form_on_the_data_screen(team: Path, lang: str) -> None:
    from tests.builders import caseload

    ws = ck.Workspace.open(team)
    ws.import_workbook(
        caseload(
            cases=[{"case_id": "A", "opened_on": "2026-01-05"}],
            contacts=[{"contact_id": "K9", "case_id": "NOPE", "contact_on": "2026-02-01"}],
        ),
        actor="setup",
    )
    assert ws.quarantine().height == 1
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    _run(at)
    at.switch_page("pages/data.py")
    _run(at)
    qid = int(ws.quarantine()["id"].item())
    at.text_input(key=f"q{qid}_case_id").set_value("NOPE2")  # still unknown: refused, nothing saved
    next(b for b in at.button if b.label in ("Guardar", "Save")).click()
    _run(at)
    assert ws.quarantine().height == 1
    assert any("NOPE2" in e.value or "NOPE2" in str(e.value) for e in at.markdown) or at.error
    at.text_input(key=f"q{qid}_case_id").set_value("A")
    next(b for b in at.button if b.label in ("Guardar", "Save")).click()
    _run(at)
    assert ws.quarantine().height == 0
    assert ws.data()["contacts"]["contact_id"].to_list() == ["K9"]
    at.button(key="prepare_workbook").click()
    _run(at)
    assert ws.audit()["action"].to_list()[-1] == "export"
    ws.close()


def test_recorded_rows_are_patched_in_without_reading_everything_again(team: Path) -> None:
    ws = _seed(team)
    seq, before = ws.last_change(), ws.result()
    cases = ws.data()["cases"]
    case_id = cases.filter(pl.col("closed_on").is_null())["case_id"][0]
    ws.record("contacts", {"case_id": case_id, "contact_on": "2026-09-01", "notes": "x"}, actor="eva")
    ws.record("cases", {"case_id": "NEW-1", "opened_on": "2026-09-01"}, actor="eva")
    patched = ws.result_since(before, seq)
    assert patched is not None  # only new rows since: patched in
    full = ws.result()
    for sheet in full.data.sheets:
        assert patched.data[sheet].equals(full.data[sheet]), sheet
    version = ws.get("cases", "NEW-1")["_version"]
    ws.update("cases", "NEW-1", {"program": "p"}, expected_version=version, actor="eva")
    assert ws.result_since(full, ws.last_change() - 1) is None  # an update: read everything again
    ws.close()


def test_a_new_server_shows_what_another_process_wrote(team: Path) -> None:
    """A new server process's first load uses the snapshot of the last read
    (``casekit/workspace/_snapshot.py``) only while nothing was written since (issue 18)."""
    from streamlit.runtime.caching import cache_resource

    ws = _seed(team)
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = "en"
    _run(at)
    assert team.with_name(team.name + ".snapshot").is_dir()  # the first load kept what it read
    first = {m.label: m.value for m in at.metric}
    case_id = ws.data()["cases"].filter(pl.col("closed_on").is_null())["case_id"][0]
    ws.close_case(case_id, "2026-09-01", "goals_met", actor="another server")
    ws.close()
    cache_resource.clear()  # a new server process: nothing in memory
    again = AppTest.from_file(APP, default_timeout=180)
    again.session_state["lang"] = "en"
    _run(again)
    second = {m.label: m.value for m in again.metric}
    assert first != second
    cache_resource.clear()
    third = AppTest.from_file(APP, default_timeout=180)
    third.session_state["lang"] = "en"
    _run(third)
    assert {m.label: m.value for m in third.metric} == second  # from the snapshot kept after the write
