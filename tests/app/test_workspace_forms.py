"""The workspace's stage forms in the app: saved through the contract, audited, refused
inline and all-or-nothing, the live tier preview, the safety action of a red flag, the
duplicate-client check, stale edits refused, case ids linking to the case record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import casekit as ck
from tests.app.conftest import APP

pytestmark = pytest.mark.slow

DAY = dt.date(2026, 9, 1)


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASEKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CASEKIT_DB", str(tmp_path / "team.db"))
    return tmp_path / "team.db"


def _workspace(db: Path) -> ck.Workspace:
    """Two open cases (one with an earlier closed case of the same client) and a goal."""
    ws = ck.Workspace.open(db)
    for row in (
        {"case_id": "OLD", "client_id": "P-1", "client_name": "Ana Ruiz", "birth_date": "1970-03-04",
         "opened_on": "2025-01-10", "closed_on": "2025-06-01", "close_reason": "goals_met"},
        {"case_id": "A", "client_id": "P-2", "client_name": "Luis Gil", "birth_date": "1960-05-06",
         "opened_on": "2026-01-05", "sex": "male"},
        {"case_id": "B", "client_id": "P-3", "client_name": "Eva Sol", "opened_on": "2026-02-01"},
    ):  # fmt: skip
        ws.record("cases", row, actor="setup")
    goal = {"goal_id": "G1", "case_id": "A", "set_on": "2026-02-01", "status": "in_progress"}
    ws.record("goals", goal, actor="setup")
    return ws


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    _run(at)
    assert at.radio(key="source").value == "workspace"
    at.switch_page(f"pages/{page}.py")
    return _run(at)


def _save(at: AppTest, key: str) -> AppTest:
    """Press the Save button of the form ``key``."""
    button = next(b for b in at.button if b.label in ("Guardar", "Save") and key in (b.form_id or b.key or ""))
    button.click()
    return _run(at)


@pytest.mark.parametrize("lang", ["es"])
def test_assessment_preview_and_the_safety_action_of_a_red_flag(team: Path, lang: str) -> None:
    ws = _workspace(team)
    at = _open("assessment", lang)
    at.selectbox(key="assessment_form_case").set_value("A")
    at.date_input(key="assessment_form_assessed_on").set_value(DAY)
    at.number_input(key="assessment_form_phq9").set_value(22)
    at.number_input(key="assessment_form_phq9_item9").set_value(2)
    _run(at)
    # the preview is the risk engine's own answer for these values
    expected = ck.score_risk(
        ck.CaseData(
            {
                "cases": ws.data()["cases"].filter(pl.col("case_id") == "A"),
                "assessments": pl.DataFrame(
                    {"case_id": ["A"], "assessed_on": [DAY], "phq9": [22], "phq9_item9": [2]},
                    schema_overrides={"phq9": pl.Int64, "phq9_item9": pl.Int64},
                ),
            }
        )
    ).row(0, named=True)
    metrics = {m.label: m.value for m in at.metric}
    tier_label = "Nivel (vista previa)" if lang == "es" else "Tier (preview)"
    assert metrics[tier_label] == ck.contract.VOCABS["tier"][expected["computed_tier"]](lang)
    assert expected["red_flags"], "PHQ-9 item 9 raises a red flag"
    assert any(("alarma" if lang == "es" else "Red flag") in w.value for w in at.warning)
    assert ws.data()["assessments"].height == 0  # a preview writes nothing
    at.button(key="assessment_form_save").click()
    _run(at)
    stored = ws.data()["assessments"]
    assert stored.select("case_id", "phq9", "phq9_item9").rows() == [("A", 22, 2)]
    assert ws.audit("A")["action"].to_list()[-1] == "record"

    # the review of a red-flagged case cannot be saved without its safety action
    at.selectbox(key="review_form_case").set_value("A")
    at.date_input(key="review_form_reviewed_on").set_value(DAY)
    before = ws.dump()
    _save(at, "review_form")
    assert ws.dump() == before
    assert any(("acción de seguridad" if lang == "es" else "safety action") in e.value for e in at.error)
    at.selectbox(key="review_form_safety_action").set_value("safety_plan")
    _save(at, "review_form")
    reviews = ws.data()["risk_reviews"]
    assert reviews.select("case_id", "safety_action").rows() == [("A", "safety_plan")]
    ws.close()


@pytest.mark.parametrize("lang", ["es"])
def test_stage_forms_refuse_bad_rows_inline_and_save_good_ones(team: Path, lang: str) -> None:
    ws = _workspace(team)
    at = _open("screening", lang)
    at.selectbox(key="screening_form_case").set_value("B")
    at.date_input(key="screening_form_screened_on").set_value(dt.date(2026, 1, 2))  # before the case opened
    before = ws.dump()
    _save(at, "screening_form")
    assert ws.dump() == before  # refused: nothing written
    assert at.error, "the problem is shown on the field"
    at.date_input(key="screening_form_screened_on").set_value(DAY)
    at.selectbox(key="screening_form_decision").set_value("refer_to_assessment")
    _save(at, "screening_form")
    assert ws.data()["screenings"].select("case_id", "decision").rows() == [("B", "refer_to_assessment")]

    at.switch_page("pages/planning.py")
    _run(at)
    at.selectbox(key="service_form_case").set_value("B")
    at.text_input(key="service_form_service").set_value("Fisioterapia")
    at.date_input(key="service_form_start_on").set_value(DAY)
    at.date_input(key="service_form_end_on").set_value(dt.date(2026, 8, 1))  # ends before it starts
    _save(at, "service_form")
    assert ws.data()["services"].height == 0
    at.date_input(key="service_form_end_on").set_value(dt.date(2026, 12, 1))
    _save(at, "service_form")
    assert ws.data()["services"].select("case_id", "service").rows() == [("B", "Fisioterapia")]

    for page, key in (("transitions", "transition_form"), ("outcomes", "outcome_form")):
        at.switch_page(f"pages/{page}.py")
        _run(at)
        assert at.selectbox(key=f"{key}_case").options  # the form is there
    at.selectbox(key="outcome_form_case").set_value("A")
    at.date_input(key="outcome_form_measured_on").set_value(DAY)
    at.text_input(key="outcome_form_measure").set_value("phq9")
    at.number_input(key="outcome_form_value").set_value(12.0)
    at.selectbox(key="outcome_form_timepoint").set_value("baseline")
    _save(at, "outcome_form")
    assert ws.data()["outcomes"].select("case_id", "measure", "value").rows() == [("A", "phq9", 12.0)]
    assert [a for a in ws.audit()["action"].to_list() if a == "record"].__len__() == 4 + 3  # setup 4, saved 3
    ws.close()


@pytest.mark.parametrize("lang", ["en"])
def test_new_case_offers_the_existing_case_and_reopens_it(team: Path, lang: str) -> None:
    ws = _workspace(team)
    at = _open("case", lang)
    at.text_input(key="case_new_case_case_id").set_value("NEW")
    at.text_input(key="case_new_case_client_name").set_value("ana  RUIZ")
    at.date_input(key="case_new_case_birth_date").set_value(dt.date(1970, 3, 4))
    button = next(b for b in at.button if b.label in ("Comprobar y abrir el caso", "Check and open the case"))
    button.click()
    _run(at)
    assert ws.get("cases", "NEW") is None  # shown before saving
    assert any("OLD" in w.value or "1" in w.value for w in at.warning)
    at.button(key="case_new_case_reopen_OLD").click()
    _run(at)
    assert ws.get("cases", "OLD")["closed_on"] is None
    assert [a for a in ws.audit("OLD")["action"].to_list() if a != "view"][-1] == "reopen"  # then viewed
    assert ws.get("cases", "NEW") is None
    # the same client id as case A: offered, then created anyway on the user's word
    at.text_input(key="case_new_case_case_id").set_value("NEW2")
    at.text_input(key="case_new_case_client_id").set_value("P-2")
    next(b for b in at.button if b.label in ("Comprobar y abrir el caso", "Check and open the case")).click()
    _run(at)
    assert ws.get("cases", "NEW2") is None
    at.button(key="case_new_case_anyway").click()
    _run(at)
    assert ws.get("cases", "NEW2")["client_id"] == "P-2"
    ws.close()


def test_a_goal_changed_by_someone_else_is_refused_not_overwritten(team: Path) -> None:
    ws = _workspace(team)
    at = _open("planning", "es")
    at.selectbox(key="goal_update_status").set_value("achieved")
    at.date_input(key="goal_update_achieved").set_value(DAY)
    version = ws.get("goals", "G1")["_version"]
    ws.update("goals", "G1", {"status": "cancelled"}, expected_version=version, actor="eva")  # meanwhile
    _save(at, "goal_update")
    assert ws.get("goals", "G1")["status"] == "cancelled"  # eva's change kept
    assert any("eva" in e.value for e in at.error)
    _save(at, "goal_update")  # now at the version shown: saved
    assert ws.get("goals", "G1")["status"] == "achieved"
    ws.close()


def test_case_ids_link_to_the_case_record_which_shows_the_tier_history(team: Path) -> None:
    from casekit.present import header

    ws = _workspace(team)
    ws.record("assessments", {"case_id": "A", "assessed_on": "2026-03-01", "phq9": 3}, actor="x")
    at = _open("assessment", "en")  # A waits for its risk review
    linked = [
        v
        for df in at.dataframe
        for col in df.value.columns
        for v in df.value[col].astype(str)
        if v.startswith("case?") and v.endswith("&case=A")
    ]
    assert linked, "the case id is a link to its record"
    ws.record("risk_reviews", {"case_id": "A", "reviewed_on": "2026-03-02", "override_tier": "high",
                               "reason": "lives alone"}, actor="x")  # fmt: skip
    # the link opens the case record of A (a new tab: a new session with that URL)
    again = AppTest.from_file(APP, default_timeout=120)
    for part in linked[0].split("?", 1)[1].split("&"):
        name, value = part.split("=", 1)
        again.query_params[name] = value
    _run(again)
    again.switch_page("pages/case.py")
    again.query_params["case"] = "A"
    _run(again)
    assert again.session_state["lang"] == "en"
    assert again.selectbox(key="case_pick").value == "A"
    wanted = {header("tier_on", "en"), header("effective_tier", "en")}
    tiers = next(df.value for df in again.dataframe if wanted <= set(df.value.columns))
    assert tiers[header("effective_tier", "en")].tolist() == ["High", "Low"]  # the override, then the assessment
    ws.close()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_workspace_in_a_synced_folder_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    db = tmp_path / "Dropbox" / "equipo" / "team.db"
    monkeypatch.setenv("CASEKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CASEKIT_DB", str(db))
    with pytest.warns(UserWarning, match="Dropbox"):
        ck.Workspace.open(db).close()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    with pytest.warns(UserWarning, match="Dropbox"):
        _run(at)
    words = "carpeta sincronizada" if lang == "es" else "synced or network folder"
    assert any(words in w.value and "Dropbox" in w.value for w in at.sidebar.warning)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_saved_transition_is_stored_audited_and_raises_its_follow_up_flag(team: Path, lang: str) -> None:
    as_of = dt.date(2026, 10, 1)
    ws = _workspace(team)
    at = _open("transitions", lang)
    at.date_input(key="as_of").set_value(as_of)
    _run(at)
    missing = "post_transition_contact_missing"

    def flagged() -> bool:
        listed = ck.worklist(ck.case_status(ws.result(), as_of=as_of))
        return listed.filter((pl.col("case_id") == "A") & (pl.col("flag") == missing)).height == 1

    assert not flagged()
    at.selectbox(key="transition_form_case").set_value("A")
    at.date_input(key="transition_form_transition_on").set_value(DAY)
    at.selectbox(key="transition_form_from_level").set_value("inpatient")
    at.selectbox(key="transition_form_to_level").set_value("home_health")
    at.selectbox(key="transition_form_kind").set_value("discharge")
    _save(at, "transition_form")
    stored = ws.data()["transitions"]
    assert stored.select("case_id", "transition_on", "kind", "to_level").rows() == [
        ("A", DAY, "discharge", "home_health")
    ]
    assert stored["transition_id"][0].startswith("T-")
    last = ws.audit("A").filter(pl.col("action") == "record").row(-1, named=True)
    assert (last["sheet"], last["row_id"]) == ("transitions", stored["transition_id"][0])
    assert flagged(), "a discharge without a follow-up contact in its window is flagged"
    metrics = {m.label: m.value for m in at.metric}  # the screen shows it at once
    assert metrics["Transiciones" if lang == "es" else "Transitions"] == "1"
    saved = [s.value.replace("\\", "") for s in at.sidebar.success]
    assert any(stored["transition_id"][0] in s for s in saved), saved  # the saved message names it
    ws.close()


def test_a_close_of_a_case_changed_since_it_was_shown_is_refused(team: Path) -> None:
    ws = _workspace(team)
    at = _open("case", "es")
    at.selectbox(key="case_pick").set_value("A")
    _run(at)
    at.date_input(key="case_close_on").set_value(DAY)
    assert at.selectbox(key="case_close_reason").proto.placeholder == "Elija…"  # not "Choose an option"
    at.selectbox(key="case_close_reason").set_value("goals_met")
    version = ws.get("cases", "A")["_version"]
    ws.update("cases", "A", {"case_manager": "Luis"}, expected_version=version, actor="bea")  # meanwhile
    close = next(b for b in at.button if b.label == "Cerrar el caso")
    close.click()
    _run(at)
    assert ws.get("cases", "A")["closed_on"] is None  # bea's change is not overwritten
    assert any("El caso no se cerró" in e.value and "bea" in e.value for e in at.error)
    at.selectbox(key="case_close_reason").set_value("goals_met")
    next(b for b in at.button if b.label == "Cerrar el caso").click()  # now at the version shown
    _run(at)
    closed = ws.get("cases", "A")
    assert closed["closed_on"] == DAY
    assert closed["case_manager"] == "Luis"
    ws.close()
