"""Obligations that never switch off (issue 12): every rule at its boundaries, by hand.

Each expected date below is computed by hand in the comment next to it. 2026-10-02 is a
Friday, 2026-10-03 a Saturday, 2026-10-05 a Monday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casekit as ck
from casekit.data import CaseData
from casekit.stages import NO_RISK, case_status, open_flag_count, post_transition_contacts, priority_counts, worklist
from tests.stages.conftest import (
    ASSESSED,
    GOAL,
    REVIEWED,
    SCREENED,
    SERVICE,
    VISIT,
    D,
    caseload,
    flags_of,
    frame,
    monitored,
    risk,
    status_of,
)


def _day(text: str, n: int) -> str:
    return (D(text) + dt.timedelta(days=n)).isoformat()


def _contact(on: str, kind: str = "phone_call", whom: str | None = "client", status: str = "attended") -> dict:
    return {
        "contact_id": f"K-{on}-{kind}-{whom}-{status}",
        "case_id": "A",
        "contact_on": on,
        "kind": kind,
        "with_whom": whom,
        "status": status,
    }


# -- rule 1: contact with the client --------------------------------------------------------


def test_a_call_with_the_insurer_is_not_a_follow_up_a_call_with_the_client_is() -> None:
    # last client visit 2026-02-10, moderate: due 2026-03-12; as of 2026-03-20 it is overdue
    insurer = monitored(contacts=[_contact("2026-03-01", whom="insurer")])
    provider = monitored(contacts=[_contact("2026-03-01", whom="provider")])
    client = monitored(contacts=[_contact("2026-03-01", whom="client")])
    family = monitored(contacts=[_contact("2026-03-01", whom="support_system")])
    blank = monitored(contacts=[_contact("2026-03-01", whom=None)])  # blank counts as the client
    same_day = monitored(contacts=[_contact("2026-03-01", whom="insurer"), _contact("2026-03-01", whom="client")])
    as_of = D("2026-03-20")
    assert flags_of(insurer, as_of)["follow_up_overdue"] == D("2026-03-12")
    assert flags_of(provider, as_of)["follow_up_overdue"] == D("2026-03-12")
    for data in (client, family, blank, same_day):
        assert "follow_up_overdue" not in flags_of(data, as_of)
        assert flags_of(data, D("2026-04-01"))["follow_up_overdue"] == D("2026-03-31")  # 03-01 + 30
    narrow = "[client_contact]\nwith_whom = ['client']"
    assert flags_of(family, as_of, config=narrow)["follow_up_overdue"] == D("2026-03-12")


# -- rule 2: follow-up in every stage -------------------------------------------------------


def test_the_self_harm_client_called_once_after_discharge_is_not_silent() -> None:
    """The issue's first client: high tier, PHQ-9 item 9 = 1, discharged 1 Feb, called 3 Feb,
    then nothing for 239 days (as of 2026-09-30)."""
    data = caseload(
        cases=[{"case_id": "A", "opened_on": "2025-12-01", "case_manager": "Ana"}],
        screenings=[{**SCREENED, "screened_on": "2025-12-02"}],
        assessments=[{"case_id": "A", "assessed_on": "2025-12-10", "phq9_item9": 1}],
        risk_reviews=[{"case_id": "A", "reviewed_on": "2025-12-11"}],
        goals=[{**GOAL, "set_on": "2025-12-15", "target_on": "2026-12-31"}],
        services=[{**SERVICE, "start_on": "2025-12-15"}],
        contacts=[
            {**VISIT, "contact_on": "2025-12-20"},
            _contact("2026-02-03", kind="post_transition"),
        ],
        transitions=[{"transition_id": "T1", "case_id": "A", "transition_on": "2026-02-01", "kind": "discharge"}],
    )
    row = status_of(data, D("2026-09-30"), risk=risk(A="high"))["A"]
    assert row["current_stage"] == "evaluation"
    due = dict(zip(row["flags"], row["flag_due_on"], strict=True))
    assert due["safety_red_flag"] == D("2025-12-10")  # the assessment that raised it
    assert due["follow_up_overdue"] == D("2026-02-17")  # 02-03 + 14 (high)
    assert due["reassessment_due"] == D("2026-03-10")  # 2025-12-10 + 90 (high)
    # 2026-02-01 is a Sunday: day 0, then Mon 02-02 (1), Tue 02-03 (2): the call was in time
    assert "post_transition_contact_missing" not in due
    wl = worklist(case_status(data, as_of=D("2026-09-30"), risk=risk(A="high")))
    assert wl.row(0, named=True)["flag"] == "safety_red_flag"
    assert wl.row(0, named=True)["priority"] == 1
    assert wl.row(0, named=True)["detail"] == ["self_harm_thoughts"]


def test_follow_up_runs_from_the_later_of_the_last_client_contact_and_the_latest_assessment() -> None:
    again = monitored(assessments=[{"case_id": "A", "assessed_on": "2026-03-20"}])
    # contact 02-10, assessment 03-20: due 03-20 + 30 = 04-19 (the day itself is not overdue)
    assert "follow_up_overdue" not in flags_of(again, D("2026-04-19"))
    assert flags_of(again, D("2026-04-20"))["follow_up_overdue"] == D("2026-04-19")


def test_follow_up_continues_after_a_readmission_and_stops_when_closed() -> None:
    transitions = [
        {"transition_id": "T1", "case_id": "A", "transition_on": "2026-03-02", "kind": "discharge"},
        {"transition_id": "T2", "case_id": "A", "transition_on": "2026-03-20", "kind": "step_up"},
    ]
    calls = [_contact("2026-03-03", kind="post_transition"), _contact("2026-03-21", kind="home_visit")]
    data = monitored(transitions=transitions, contacts=calls)
    assert flags_of(data, D("2026-04-21"))["follow_up_overdue"] == D("2026-04-20")  # 03-21 + 30
    closed = caseload(
        cases=[{"case_id": "A", "closed_on": "2026-04-01"}],
        screenings=[SCREENED],
        assessments=[ASSESSED],
        risk_reviews=[REVIEWED],
    )
    assert "follow_up_overdue" not in flags_of(closed, D("2026-09-30"))


# -- rule 3: safety red flags ----------------------------------------------------------------


def _red(reviews: list[dict[str, Any]], **assessment: Any) -> CaseData:
    return caseload(
        cases=[{"case_id": "A"}],
        screenings=[SCREENED],
        assessments=[{"case_id": "A", "assessed_on": "2026-05-10", "phq9_item9": 1, **assessment}],
        risk_reviews=reviews,
    )


def test_safety_red_flag_opens_the_day_after_the_assessment_and_only_an_action_clears_it() -> None:
    data = _red([])
    assert "safety_red_flag" not in flags_of(data, D("2026-05-10"))  # due that day: not overdue yet
    assert flags_of(data, D("2026-05-11"))["safety_red_flag"] == D("2026-05-10")
    action = {"case_id": "A", "safety_action": "safety_plan"}
    before = _red([{**action, "reviewed_on": "2026-05-09"}])  # before the assessment: does not clear
    assert flags_of(before, D("2026-06-01"))["safety_red_flag"] == D("2026-05-10")
    same_day = _red([{**action, "reviewed_on": "2026-05-10"}])
    later = _red([{**action, "reviewed_on": "2026-05-20"}])
    assert "safety_red_flag" not in flags_of(same_day, D("2026-06-01"))
    assert "safety_red_flag" not in flags_of(later, D("2026-06-01"))
    # …but only from its own date on: between the assessment and the review it is open
    assert flags_of(later, D("2026-05-15"))["safety_red_flag"] == D("2026-05-10")
    no_action = _red([{"case_id": "A", "reviewed_on": "2026-05-20"}])
    assert "safety_red_flag" in flags_of(no_action, D("2026-06-01"))
    not_needed = {"case_id": "A", "reviewed_on": "2026-05-20", "safety_action": "not_needed"}
    assert "safety_red_flag" in flags_of(_red([not_needed]), D("2026-06-01"))  # needs a reason
    assert "safety_red_flag" not in flags_of(_red([{**not_needed, "reason": "Seen by GP"}]), D("2026-06-01"))


def test_a_later_value_below_the_threshold_clears_it_a_blank_does_not() -> None:
    def two(second: dict[str, Any]) -> CaseData:
        return caseload(
            cases=[{"case_id": "A"}],
            screenings=[SCREENED],
            assessments=[
                {"case_id": "A", "assessed_on": "2026-05-10", "phq9_item9": 2},
                {"case_id": "A", "assessed_on": "2026-06-10", **second},
            ],
        )

    assert flags_of(two({}), D("2026-07-01"))["safety_red_flag"] == D("2026-05-10")
    assert "safety_red_flag" not in flags_of(two({"phq9_item9": 0}), D("2026-07-01"))
    assert flags_of(two({"phq9_item9": 3}), D("2026-07-01"))["safety_red_flag"] == D("2026-06-10")


def test_every_red_flag_of_the_model_raises_it_with_its_name_in_the_detail() -> None:
    data = caseload(
        cases=[{"case_id": "A"}, {"case_id": "B"}, {"case_id": "C"}, {"case_id": "D", "closed_on": "2026-06-01"}],
        screenings=[
            {"case_id": "C", "screened_on": "2026-05-02", "home_environment": "unsafe"},  # no assessment needed
            {"case_id": "D", "screened_on": "2026-05-02", "home_environment": "unsafe"},
        ],
        assessments=[
            {"case_id": "A", "assessed_on": "2026-05-10", "systolic_bp": 181, "diastolic_bp": 80},
            {"case_id": "B", "assessed_on": "2026-05-10", "housing_safe": False, "systolic_bp": 180},
        ],
    )
    status = case_status(data, as_of=D("2026-06-30"), risk=NO_RISK)
    wl = worklist(status).filter(pl.col("flag") == "safety_red_flag")
    assert dict(wl.select("case_id", "detail").iter_rows()) == {
        "A": ["hypertensive_crisis"],
        "B": ["unsafe_housing"],  # 180 alone is not a crisis, and a single reading is not read
        "C": ["unsafe_home"],
    }
    assert wl["priority"].to_list() == [1, 1, 1]


# -- rule 4: every transition, business days -------------------------------------------------


def _tx(on: str, kind: str, *contacts: dict) -> CaseData:
    return monitored(
        transitions=[{"transition_id": "T1", "case_id": "A", "transition_on": on, "kind": kind}],
        contacts=list(contacts),
    )


def _post(data: CaseData, as_of: dt.date, config: str | None = None) -> dict[str, Any]:
    return post_transition_contacts(data["transitions"], data["contacts"], as_of=as_of, config=config).row(
        0, named=True
    )


def test_a_friday_discharge_has_until_tuesday() -> None:
    friday = "2026-10-02"
    assert _post(_tx(friday, "discharge"), D("2026-10-06"))["window_ends_on"] == D("2026-10-06")
    assert _post(_tx(friday, "discharge", _contact(friday)), D("2026-10-06"))["contact_status"] == "within"  # day 0
    tuesday = _tx(friday, "discharge", _contact("2026-10-06"))
    assert _post(tuesday, D("2026-10-20"))["contact_status"] == "within"  # the last day counts
    wednesday = _tx(friday, "discharge", _contact("2026-10-07", kind="home_visit"))
    assert _post(wednesday, D("2026-10-20"))["contact_status"] == "late"
    assert "post_transition_contact_missing" not in flags_of(wednesday, D("2026-10-20"))  # late clears
    none = _tx(friday, "discharge")
    assert _post(none, D("2026-10-06"))["contact_status"] == "open"
    assert "post_transition_contact_missing" not in flags_of(none, D("2026-10-06"))
    assert flags_of(none, D("2026-10-07"))["post_transition_contact_missing"] == D("2026-10-06")
    # an insurer call inside the window is coordination, not the contact
    insurer = _tx(friday, "discharge", _contact("2026-10-05", whom="insurer"))
    assert flags_of(insurer, D("2026-10-07"))["post_transition_contact_missing"] == D("2026-10-06")


def test_monday_saturday_and_holiday_discharges() -> None:
    assert _post(_tx("2026-10-05", "discharge"), D("2026-10-05"))["window_ends_on"] == D("2026-10-07")  # Mon→Wed
    assert _post(_tx("2026-10-03", "discharge"), D("2026-10-05"))["window_ends_on"] == D("2026-10-06")  # Sat→Tue
    holiday = "[post_transition]\nholidays = [2026-10-05]"
    assert _post(_tx("2026-10-02", "discharge"), D("2026-10-05"), holiday)["window_ends_on"] == D("2026-10-07")
    assert _post(_tx("2026-10-05", "transfer"), D("2026-10-05"), holiday)["window_ends_on"] == D("2026-10-07")
    calendar = "[post_transition]\nbusiness_day_kinds = []"
    assert _post(_tx("2026-10-02", "discharge"), D("2026-10-05"), calendar)["window_ends_on"] == D("2026-10-04")


def test_a_step_down_has_seven_calendar_days() -> None:
    friday = "2026-10-02"
    assert _post(_tx(friday, "step_down", _contact("2026-10-09")), D("2026-10-20"))["contact_status"] == "within"
    assert _post(_tx(friday, "step_down", _contact("2026-10-10")), D("2026-10-20"))["contact_status"] == "late"
    assert flags_of(_tx(friday, "step_down"), D("2026-10-10"))["post_transition_contact_missing"] == D("2026-10-09")


# -- rule 6: reassessment --------------------------------------------------------------------


def test_reassessment_due_by_tier() -> None:
    data = monitored()  # assessed 2026-01-10
    for tier, due in (("high", "2026-04-10"), ("moderate", "2026-07-09"), ("low", "2027-01-10")):
        assert "reassessment_due" not in flags_of(data, D(due), risk=risk(A=tier)), tier
        assert flags_of(data, D(_day(due, 1)), risk=risk(A=tier))["reassessment_due"] == D(due), tier
    assert "reassessment_due" not in flags_of(
        data, D("2026-04-11"), risk=risk(A="high"), config="[reassessment_days]\nhigh = 120"
    )


# -- rule 7: paperwork gaps never hide the rest ----------------------------------------------


def test_no_review_and_no_screening_keep_their_flag_and_the_rest_still_runs() -> None:
    data = caseload(
        cases=[{"case_id": "A", "opened_on": "2026-01-01"}],
        assessments=[{"case_id": "A", "assessed_on": "2026-01-05", "phq9_item9": 1}],
        contacts=[_contact("2026-01-08")],
    )
    due = flags_of(data, D("2026-09-30"))
    assert set(due) >= {
        "screening_overdue",
        "risk_review_pending",
        "safety_red_flag",
        "follow_up_overdue",
        "reassessment_due",
    }
    assert due["follow_up_overdue"] == D("2026-02-07")  # 01-08 + 30 (default tier)


# -- the worklist: a triage list -------------------------------------------------------------


def test_worklist_priorities_tiers_and_names() -> None:
    data = caseload(
        cases=[
            {"case_id": "LOW", "client_name": "Lía"},
            {"case_id": "HIGH", "client_name": "Hugo"},
            {"case_id": "SAFE", "client_name": "Sara"},
            {"case_id": "SHUT", "client_name": "Saúl", "closed_on": "2026-03-01"},
            {"case_id": "NEW", "client_name": "Nora", "opened_on": "2026-06-01"},
        ],
        screenings=[
            *({**SCREENED, "case_id": c} for c in ("LOW", "HIGH", "SAFE", "SHUT")),
        ],
        assessments=[
            *({**ASSESSED, "case_id": c} for c in ("LOW", "HIGH", "SHUT")),
            {"case_id": "SAFE", "assessed_on": "2026-01-10", "phq9_item9": 1},
        ],
        risk_reviews=[*({**REVIEWED, "case_id": c} for c in ("LOW", "HIGH", "SAFE"))],
    )
    status = case_status(data, as_of=D("2026-06-30"), risk=risk(LOW="low", HIGH="high", SAFE="high", SHUT="low"))
    wl = worklist(status, data=data)
    rows = wl.select("priority", "case_id", "client_name", "effective_tier", "flag").rows()
    assert rows[0] == (1, "SAFE", "Sara", "high", "safety_red_flag")
    # contact (3) before deadlines (4); within a priority: high, then low, then no tier;
    # HIGH and SAFE are both high and equally overdue (01-10 + 14): the case id breaks the tie
    contact = [r[1] for r in rows if r[0] == 3]
    assert contact == ["HIGH", "SAFE", "LOW"]
    assert [r for r in rows if r[1] == "SHUT"] == [(5, "SHUT", "Saúl", "low", "closed_without_outcomes")]
    assert [r[1] for r in rows if r[0] == 4][-1] == "NEW"  # no tier last
    assert worklist(status)["client_name"].null_count() == wl.height  # only with data
    assert "client_name" not in status.columns
    # the "open flags" figure: worklist rows of open cases
    assert open_flag_count(status) == wl.filter(pl.col("priority") != 5).height == wl.height - 1
    assert priority_counts(wl)[1] == 1


# -- the bundled Spanish sample --------------------------------------------------------------


def test_the_spanish_sample_worklist_starts_with_safety_rows_of_high_tier_clients() -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
    result = ck.validate(ck.read_workbook(path), as_of=ck.SAMPLE_AS_OF)
    status = ck.case_status(result, as_of=ck.SAMPLE_AS_OF)
    wl = ck.worklist(status, data=result)
    top = wl.head(5)
    assert top["priority"].to_list() == [1] * 5
    assert top["effective_tier"].to_list() == ["high"] * 5
    assert top["client_name"].null_count() == 0
    # every open self-harm client without a recorded safety action has the flag
    data = result.data
    latest = (
        data["assessments"]
        .filter(pl.col("phq9_item9").is_not_null())
        .sort("assessed_on", "_row")
        .group_by("case_id")
        .agg(pl.col("assessed_on").last(), pl.col("phq9_item9").last())
        .filter(pl.col("phq9_item9") >= 1)
    )
    acted = data["risk_reviews"].filter(pl.col("safety_action").is_not_null())
    open_ids = status.filter(pl.col("current_stage") != "closed")["case_id"]
    unanswered = (
        latest.join(acted, on="case_id", how="left")
        .group_by("case_id", "assessed_on")
        .agg((pl.col("reviewed_on") >= pl.col("assessed_on")).any().alias("acted"))
        .filter(~pl.col("acted").fill_null(value=False) & pl.col("case_id").is_in(open_ids.implode()))
    )
    assert unanswered.height >= 3
    flagged = set(wl.filter(pl.col("flag") == "safety_red_flag")["case_id"])
    assert set(unanswered["case_id"]) <= flagged
    assert (wl.filter(pl.col("flag") == "safety_red_flag")["priority"] == 1).all()


# -- the property: deleting paperwork never removes a clinical flag --------------------------

_DATES = st.integers(min_value=0, max_value=200).map(lambda n: (D("2026-01-01") + dt.timedelta(days=n)).isoformat())
CLINICAL = ("follow_up_overdue", "safety_red_flag", "post_transition_contact_missing")


@st.composite
def caseloads(draw: st.DrawFn) -> CaseData:
    ids = [f"C{i}" for i in range(draw(st.integers(1, 4)))]
    case = st.sampled_from(ids)
    sheets: dict[str, list[dict[str, Any]]] = {
        "cases": [{"case_id": c, "opened_on": "2025-12-15"} for c in ids],
        "screenings": [
            {
                "case_id": draw(case),
                "screened_on": draw(_DATES),
                "decision": draw(st.sampled_from(["refer_to_assessment", None])),
                "home_environment": draw(st.sampled_from([None, None, "safe", "unsafe"])),
            }
            for _ in range(draw(st.integers(0, 4)))
        ],
        "assessments": [
            {"case_id": draw(case), "assessed_on": draw(_DATES), "phq9_item9": draw(st.sampled_from([None, 0, 1]))}
            for _ in range(draw(st.integers(0, 4)))
        ],
        "risk_reviews": [
            {
                "case_id": draw(case),
                "reviewed_on": draw(_DATES),
                "safety_action": draw(st.sampled_from([None, None, "safety_plan"])),
            }
            for _ in range(draw(st.integers(0, 4)))
        ],
        "contacts": [
            {
                "contact_id": f"K{i}",
                "case_id": draw(case),
                "contact_on": draw(_DATES),
                "kind": draw(st.sampled_from(["phone_call", "post_transition", "education"])),
                "with_whom": draw(st.sampled_from(["client", "insurer", None])),
                "status": draw(st.sampled_from(["attended", "missed"])),
            }
            for i in range(draw(st.integers(0, 5)))
        ],
        "transitions": [
            {
                "transition_id": f"T{i}",
                "case_id": draw(case),
                "transition_on": draw(_DATES),
                "kind": draw(st.sampled_from(["discharge", "step_down", None])),
            }
            for i in range(draw(st.integers(0, 3)))
        ],
    }
    return caseload(**sheets)


def _clinical(data: CaseData, tiers: pl.DataFrame) -> dict[str, set[str]]:
    status = case_status(data, as_of=D("2026-08-01"), risk=tiers)
    return {case: set(flags) & set(CLINICAL) for case, flags in status.select("case_id", "flags").rows()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=caseloads(), pick=st.integers(min_value=0, max_value=50))
def test_deleting_paperwork_never_removes_a_clinical_flag(data: CaseData, pick: int) -> None:
    tiers = ck.score_risk(data, as_of=D("2026-08-01")).select("case_id", "effective_tier")  # fixed once
    before = _clinical(data, tiers)
    # rows that are neither risk inputs nor overrides nor safety actions
    screenings = data["screenings"].with_row_index("_i").filter(pl.col("home_environment").is_null())
    reviews = (
        data["risk_reviews"]
        .with_row_index("_i")
        .filter(pl.col("override_tier").is_null() & pl.col("safety_action").is_null())
    )
    candidates = [("screenings", i) for i in screenings["_i"]] + [("risk_reviews", i) for i in reviews["_i"]]
    if not candidates:
        return
    sheet, index = candidates[pick % len(candidates)]
    frame = data[sheet].with_row_index("_i").filter(pl.col("_i") != index).drop("_i")
    after = _clinical(CaseData({**data.sheets, sheet: frame}), tiers)
    for case, flags in before.items():
        assert flags <= after[case], (sheet, index, case)


# -- rule 8: quarantined cases stay visible --------------------------------------------------


def test_a_typo_in_the_case_row_does_not_switch_off_the_safety_flag() -> None:
    data = caseload(
        cases=[{"case_id": "A", "sex": "mle", "client_name": "Ana"}, {"case_id": "B"}],  # "mle": not a sex
        screenings=[SCREENED],
        assessments=[{"case_id": "A", "assessed_on": "2026-05-10", "phq9_item9": 1}],
    )
    result = ck.validate(data, as_of=D("2026-06-30"))
    assert result.quarantined["cases"]["case_id"].to_list() == ["A"]  # the case row is set aside…
    assert result.quarantined["assessments"].height == 1  # …and its rows follow it
    status = case_status(result, as_of=D("2026-06-30"), risk=NO_RISK)
    wl = worklist(status, data=result)
    a = wl.filter(pl.col("case_id") == "A")
    assert a.row(0, named=True)["flag"] == "safety_red_flag"  # …but its obligations still run
    assert a.row(0, named=True)["priority"] == 1
    quarantined = a.filter(pl.col("flag") == "quarantined_rows").row(0, named=True)
    assert quarantined["detail"] == ["cases"]
    assert quarantined["priority"] == 6
    assert set(status["case_id"]) == {"A", "B"}


def test_a_case_whose_identity_cannot_be_read_is_listed_as_unknown_never_dropped() -> None:
    """Rule 8: no ``opened_on`` (B) or no ``case_id`` (row 5): stage ``unknown`` with
    ``quarantined_rows`` alone, in the stage list, the funnel and the worklist."""
    data = caseload(
        cases=[
            {"case_id": "A"},
            {"case_id": "B", "opened_on": None, "case_manager": "Bo"},
            {"case_id": "C", "opened_on": "2026-09-01"},  # opened after as_of: not listed
            {"case_id": None, "case_manager": "Bo"},
        ],
        screenings=[SCREENED, {**SCREENED, "case_id": "B"}],
        assessments=[{"case_id": "B", "assessed_on": "2026-05-10", "phq9_item9": 1}],
    )
    result = ck.validate(data, as_of=D("2026-06-30"))
    assert result.quarantined["cases"]["_row"].to_list() == [3, 5]
    status = case_status(result, as_of=D("2026-06-30"), risk=NO_RISK)
    assert status["case_id"].to_list() == ["A", "B", None]  # the unknown ones last
    unknown = status.filter(pl.col("current_stage") == "unknown")
    assert unknown.height == 2
    assert unknown["current_stage_number"].to_list() == [11, 11]
    assert unknown["flags"].to_list() == [["quarantined_rows"]] * 2  # alone: nothing else can be computed
    # B's self-harm assessment was set aside with its case: it may hide a red flag
    assert unknown["flag_detail"].to_list() == [[["cases", "possible_red_flag"]], [["cases"]]]
    assert unknown["case_manager"].to_list() == ["Bo", "Bo"]
    # the stage list and the funnel count them; the funnel's total is every case
    from casekit.report import stage_counts

    assert dict(stage_counts(status).iter_rows())["unknown"] == 2
    f = ck.funnel(status)
    assert f.row(-1, named=True) == {"stage_number": 11, "stage": "unknown", "cases": 2, "share": 2 / 3}
    assert f.row(0, named=True)["cases"] == 1
    assert "unknown" not in ck.time_in_stage(status)["stage"].to_list()  # no days in a stage
    # the worklist: at the data priority, counted among the open flags
    wl = worklist(status)
    rows = wl.filter(pl.col("current_stage") == "unknown")
    assert rows.select("case_id", "flag", "priority").rows() == [
        ("B", "quarantined_rows", 6),
        (None, "quarantined_rows", 6),
    ]
    assert open_flag_count(status) == wl.height
    assert (
        ck.present.readable(unknown.select("current_stage"), "es").to_series().to_list()
        == ["Desconocida (corrija los datos)"] * 2
    )


# -- red flags on the team's own columns (local inputs of the risk model) --------------------

_OWN_FLAGS = """
[[red_flags]]
name = "unsafe_stairs"
label = { en = "Unsafe stairs at home", es = "Escaleras inseguras en casa" }
input = "assessments.unsafe_stairs"
type = "bool"
values = [true]

[[red_flags]]
name = "caregiver_breakdown"
label = { en = "Caregiver breakdown", es = "Claudicación del cuidador" }
input = "cases.caregiver_strain"
type = "category"
values = ["severe"]
"""


def _own_flag_caseload() -> tuple[Any, CaseData]:
    """A model with red flags on two team columns, and four cases that carry them."""
    from casekit.risk.model import default_model_text, load_model

    model = load_model(default_model_text() + _OWN_FLAGS)
    data = caseload(
        cases=[{"case_id": c, "opened_on": "2026-04-01"} for c in "ABCD"],
        screenings=[{**SCREENED, "case_id": c} for c in "ABCD"],
        assessments=[
            {"case_id": "A", "assessed_on": "2026-05-10"},  # "Sí": raised on 05-10
            {"case_id": "B", "assessed_on": "2026-05-10"},  # "no"
            {"case_id": "C", "assessed_on": "2026-05-10"},  # "sí" then "no" on 06-01: cleared
            {"case_id": "C", "assessed_on": "2026-06-01"},
            {"case_id": "D", "assessed_on": "2026-05-10"},  # "sí" then blank: a blank never clears
            {"case_id": "D", "assessed_on": "2026-06-01"},
        ],
    )
    sheets = dict(data.sheets)
    sheets["assessments"] = data["assessments"].with_columns(
        unsafe_stairs=pl.Series(["Sí", "no", "sí", "no", "sí", None])
    )
    sheets["cases"] = data["cases"].with_columns(caregiver_strain=pl.Series([None, "Severe", None, None]))
    return model, CaseData(sheets)


def test_a_red_flag_on_the_team_s_own_column_reaches_the_worklist() -> None:
    """The stage engine reads the model's red flags on a team's own columns as the risk
    model scores them (``sí``/``no``, categories ignoring case and accents)."""
    from casekit.ui.monitoring import worklist_view

    model, data = _own_flag_caseload()
    sheets = dict(data.sheets)
    status = case_status(data, as_of=D("2026-06-30"), model=model)
    rows = {r["case_id"]: r for r in status.to_dicts()}
    safety = {c: dict(zip(r["flags"], r["flag_detail"], strict=True)).get("safety_red_flag") for c, r in rows.items()}
    assert safety == {"A": ["unsafe_stairs"], "B": ["caregiver_breakdown"], "C": None, "D": ["unsafe_stairs"]}
    due = {c: dict(zip(r["flags"], r["flag_due_on"], strict=True)).get("safety_red_flag") for c, r in rows.items()}
    assert due["A"] == D("2026-05-10")
    assert due["B"] == D("2026-04-01")  # a case's own column: raised on the opening day
    assert due["D"] == D("2026-05-10")
    assert rows["A"]["effective_tier"] == "high"  # the same flag forces the tier (casekit.risk)
    # the shipped model knows nothing of these columns: no flag
    assert "safety_red_flag" not in case_status(data, as_of=D("2026-06-30"))["flags"].explode().to_list()
    wl = worklist(status)
    top = wl.filter(pl.col("priority") == 1)
    assert sorted(top["case_id"]) == ["A", "B", "D"]
    shown = worklist_view(top.filter(pl.col("case_id") == "B"), lang="es", model=model)
    assert shown["Detalle"].to_list() == ["Claudicación del cuidador"]
    # a review on or after the record with a safety action clears it, as for every red flag
    acted = CaseData(
        {
            **sheets,
            "risk_reviews": frame(
                "risk_reviews", [{"case_id": "A", "reviewed_on": "2026-05-12", "safety_action": "housing_referral"}]
            ),
        }
    )
    assert "safety_red_flag" not in flags_of(acted, D("2026-06-30"), "A", model=model, risk=None)


def test_a_team_s_own_red_flag_is_named_by_its_label_in_the_report_and_the_csv(tmp_path) -> None:
    """The report's worklist and status sheets and ``casekit worklist|status`` CSV name a
    red flag of the team's model by the model's label (the presentation layer), es and en."""
    import argparse
    import io

    from casekit.cli import run as run_command
    from casekit.cli.stages import register
    from casekit.report import build_report, write_report
    from casekit.risk.model import default_model_text

    model, data = _own_flag_caseload()
    as_of = D("2026-06-30")
    report = build_report(data, as_of=as_of, lang="es", model=model)
    book = write_report(report, None, as_of=as_of, lang="es", charts=False)
    for sheet in ("Lista de trabajo", "Estado de los casos"):
        frame = pl.read_excel(io.BytesIO(book), sheet_name=sheet, has_header=False, infer_schema_length=0)
        cells = " | ".join(str(v) for row in frame.rows() for v in row if v is not None)
        for words in ("Claudicación del cuidador", "Escaleras inseguras en casa"):
            assert words in cells, sheet
        for name in ("caregiver_breakdown", "unsafe_stairs"):
            assert name not in cells, sheet

    folder = tmp_path / "book"
    ck.write_workbook(data, folder, format="csv")
    (tmp_path / "model.toml").write_text(default_model_text() + _OWN_FLAGS, encoding="utf-8")
    parser = argparse.ArgumentParser(prog="casekit")
    register(parser.add_subparsers(dest="command", required=True))
    for command, lang, words in (("worklist", "en", "Caregiver breakdown"), ("status", "es", "Escaleras inseguras")):
        out = tmp_path / f"{command}.csv"
        argv = [command, str(folder), "--as-of", "2026-06-30", "--model", str(tmp_path / "model.toml")]
        assert run_command(parser.parse_args([*argv, "--out", str(out), "--lang", lang])) == 0
        written = out.read_text(encoding="utf-8-sig")
        assert words in written
        for name in ("caregiver_breakdown", "unsafe_stairs"):
            assert name not in written


def test_a_quarantined_assessment_is_reported_as_a_possible_red_flag() -> None:
    """Rule 8: an assessment set aside for its own error may hide a red flag; the
    worklist's detail says so (ids), and the screen in the user's words."""
    from casekit.ui.monitoring import worklist_view

    data = caseload(
        cases=[{"case_id": "A"}, {"case_id": "B"}],
        screenings=[SCREENED, {**SCREENED, "case_id": "B"}],
        assessments=[
            {"case_id": "A", "assessed_on": "2026-05-10", "phq9_item9": 1},
            {"case_id": "A", "assessed_on": "2026-05-20", "phq9": 99},  # out of range: set aside
        ],
        contacts=[{"contact_id": "K1", "case_id": "B", "contact_on": "2025-01-01", "status": "attended"}],
    )
    result = ck.validate(data, as_of=D("2026-06-30"))
    assert result.quarantined["assessments"].height == 1
    status = case_status(result, as_of=D("2026-06-30"), risk=NO_RISK)
    wl = worklist(status)
    held = wl.filter(pl.col("flag") == "quarantined_rows").select("case_id", "detail").rows()
    # B's contact before opening is set aside too, but a contact carries no red flag
    assert held == [("A", ["assessments", "possible_red_flag"]), ("B", ["contacts"])]
    assert wl.filter(pl.col("case_id") == "A")["flag"][0] == "safety_red_flag"  # the valid row still counts
    rows = wl.filter(pl.col("flag") == "quarantined_rows")
    es = worklist_view(rows, lang="es")["Detalle"].to_list()
    assert es == ["evaluaciones, posible señal de alarma (fila apartada: revísela)", "contactos"]
    en = worklist_view(rows, lang="en")["Detail"].to_list()
    assert en[0] == "assessments, possible red flag (a row set aside: check it)"
