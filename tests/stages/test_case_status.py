"""case_status: completion rules, current stage, dates, tiers (tiny hand-built caseloads)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from casekit.stages import FLAGS, NO_RISK, STAGES, case_status, worklist
from casekit.stages._status import STATUS_COLUMNS
from casekit.validation import validate
from tests.stages.conftest import (
    AS_OF,
    ASSESSED,
    GOAL,
    REVIEWED,
    SCREENED,
    SERVICE,
    VISIT,
    D,
    caseload,
    flags_of,
    monitored,
    risk,
    status_of,
)


def stage(data, as_of=AS_OF, case="A", **kw) -> str:
    return status_of(data, as_of, **kw)[case]["current_stage"]


def test_columns_and_types() -> None:
    df = case_status(monitored(), as_of=AS_OF, risk=NO_RISK)
    assert tuple(df.columns[: len(STATUS_COLUMNS)]) == STATUS_COLUMNS
    assert df.schema["flags"] == pl.List(pl.String)
    assert df.schema["flag_due_on"] == pl.List(pl.Date)
    assert df.schema["stage_entered_on"] == pl.Date
    assert df.schema["next_due_on"] == pl.Date
    assert df.schema["days_in_stage"] == pl.Int64
    row = df.row(0, named=True)
    assert (row["case_manager"], row["program"], row["as_of"]) == ("Ana", "P1", AS_OF)


def test_a_case_with_only_a_case_row_is_in_screening() -> None:
    row = status_of(caseload(cases=[{"case_id": "A", "opened_on": "2026-06-25"}]))["A"]
    assert (row["current_stage"], row["current_stage_number"]) == ("screening", 1)
    assert (row["stage_entered_on"], row["days_in_stage"]) == (D("2026-06-25"), 5)
    assert row["flags"] == []
    assert row["next_due_on"] == D("2026-07-02")  # screening due 7 days after opening


def test_stage_by_stage() -> None:
    rows = {
        "cases": [{"case_id": "A"}],
        "screenings": [SCREENED],
        "assessments": [ASSESSED],
        "risk_reviews": [REVIEWED],
        "goals": [GOAL],
        "services": [SERVICE],
        "contacts": [VISIT],
        "transitions": [{"transition_id": "T1", "case_id": "A", "transition_on": "2026-05-01"}],
    }
    expected = [
        ("cases", "screening", D("2026-01-01")),
        ("screenings", "assessment", D("2026-01-03")),
        ("assessments", "risk", D("2026-01-10")),
        ("risk_reviews", "planning", D("2026-01-12")),
        ("goals", "planning", D("2026-01-12")),  # a goal without a service is not a plan
        ("services", "implementation", D("2026-01-21")),
        ("contacts", "monitoring", D("2026-02-10")),
        ("transitions", "post_transition", D("2026-05-01")),
    ]
    sheets: dict = {}
    for name, want, entered in expected:
        sheets[name] = rows[name]
        row = status_of(caseload(**sheets))["A"]
        assert (row["current_stage"], row["stage_entered_on"]) == (want, entered), name
        assert row["current_stage_number"] == STAGES.index(want) + 1
    post = {"contact_id": "K2", "case_id": "A", "contact_on": "2026-05-04", "kind": "post_transition"}
    sheets["contacts"] = [VISIT, {**post, "status": "attended"}]
    row = status_of(caseload(**sheets))["A"]
    assert (row["current_stage"], row["stage_entered_on"], row["days_in_stage"]) == ("evaluation", D("2026-05-04"), 57)


def test_closed_cases_are_closed_whatever_their_evidence() -> None:
    data = caseload(cases=[{"case_id": "A", "closed_on": "2026-03-01", "close_reason": "declined"}])
    row = status_of(data)["A"]
    assert (row["current_stage"], row["current_stage_number"], row["stage_entered_on"]) == (
        "closed",
        10,
        D("2026-03-01"),
    )
    assert row["reached_stage_number"] == 1
    # closing after the as-of date: still open as of then
    assert stage(data, as_of=D("2026-02-28")) == "screening"


def test_screening_needs_a_referral_decision() -> None:
    for decision, want in [("refer_to_assessment", "assessment"), ("not_eligible", "screening"), (None, "screening")]:
        data = caseload(
            cases=[{"case_id": "A"}], screenings=[{"case_id": "A", "screened_on": "2026-01-02", "decision": decision}]
        )
        assert stage(data) == want, decision


def test_evidence_after_as_of_is_ignored() -> None:
    data = monitored()
    assert stage(data, as_of=D("2026-02-10")) == "monitoring"
    assert stage(data, as_of=D("2026-02-09")) == "implementation"  # the visit is tomorrow
    assert stage(data, as_of=D("2026-01-21")) == "implementation"
    assert stage(data, as_of=D("2026-01-20")) == "planning"  # the service starts tomorrow: no plan yet
    assert stage(data, as_of=D("2026-01-11")) == "risk"
    assert stage(data, as_of=D("2026-01-09")) == "assessment"
    assert stage(data, as_of=D("2026-01-02")) == "screening"


def test_planning_needs_a_target_date_and_a_service() -> None:
    goals = [{**GOAL, "target_on": None}]
    data = caseload(
        cases=[{"case_id": "A"}],
        screenings=[SCREENED],
        assessments=[ASSESSED],
        risk_reviews=[REVIEWED],
        goals=goals,
        services=[SERVICE],
    )
    assert stage(data) == "planning"
    # a service with no start date counts (undated), one starting after as-of does not
    data = caseload(
        cases=[{"case_id": "A"}],
        screenings=[SCREENED],
        assessments=[ASSESSED],
        risk_reviews=[REVIEWED],
        goals=[GOAL],
        services=[{"service_id": "S1", "case_id": "A"}],
    )
    assert stage(data) == "implementation"


def test_implementation_needs_an_attended_contact_of_the_right_kind_after_the_first_goal() -> None:
    def with_contact(**kw):
        return caseload(
            cases=[{"case_id": "A"}],
            screenings=[SCREENED],
            assessments=[ASSESSED],
            risk_reviews=[REVIEWED],
            goals=[GOAL, {**GOAL, "goal_id": "G2", "set_on": "2026-03-01"}],
            services=[SERVICE],
            contacts=[{**VISIT, **kw}],
        )

    assert stage(with_contact()) == "monitoring"
    assert stage(with_contact(kind="appointment")) == "monitoring"
    assert stage(with_contact(kind="education")) == "monitoring"
    assert stage(with_contact(kind="phone_call")) == "implementation"
    assert stage(with_contact(kind="follow_up")) == "implementation"
    assert stage(with_contact(status="missed")) == "implementation"
    assert stage(with_contact(status="scheduled")) == "implementation"
    assert stage(with_contact(contact_on="2026-01-20")) == "monitoring"  # on the earliest goal's day
    assert stage(with_contact(contact_on="2026-01-19")) == "implementation"  # before any goal


def test_risk_review_must_be_on_or_after_the_latest_assessment() -> None:
    base = {"cases": [{"case_id": "A"}], "screenings": [SCREENED]}
    reassessed = [ASSESSED, {"case_id": "A", "assessed_on": "2026-03-01"}]
    data = caseload(**base, assessments=reassessed, risk_reviews=[REVIEWED])
    assert stage(data) == "risk"
    data = caseload(
        **base, assessments=reassessed, risk_reviews=[REVIEWED, {"case_id": "A", "reviewed_on": "2026-03-01"}]
    )
    assert stage(data) == "planning"
    # review not required: the assessment completes the risk stage
    data = caseload(**base, assessments=[ASSESSED])
    assert stage(data, config="[risk]\nreview_required = false") == "planning"
    assert "risk_review_pending" not in flags_of(data, config="[risk]\nreview_required = false")


def test_post_transition_contact_on_day_0_7_or_late_completes_stage_8() -> None:
    # a step down: 7 calendar days; a late contact (day 8) still completes the stage (issue 12)
    tx = {"transition_id": "T1", "case_id": "A", "transition_on": "2026-05-01", "kind": "step_down"}
    post = {"contact_id": "K9", "case_id": "A", "kind": "post_transition", "status": "attended"}
    for day in (0, 7, 8):
        contact = {**post, "contact_on": (D("2026-05-01") + dt.timedelta(days=day)).isoformat()}
        data = monitored(transitions=[tx], contacts=[contact])
        assert stage(data) == "evaluation", day
    # not attended, or with the insurer, is not evidence; any qualifying kind is
    data = monitored(transitions=[tx], contacts=[{**post, "contact_on": "2026-05-03", "status": "missed"}])
    assert stage(data) == "post_transition"
    data = monitored(transitions=[tx], contacts=[{**post, "contact_on": "2026-05-03", "with_whom": "insurer"}])
    assert stage(data) == "post_transition"
    data = monitored(transitions=[tx], contacts=[{**post, "contact_on": "2026-05-03", "kind": "education"}])
    assert stage(data) == "post_transition"
    data = monitored(transitions=[tx], contacts=[{**post, "contact_on": "2026-05-03", "kind": "follow_up"}])
    assert stage(data) == "evaluation"


def test_stage_8_follows_the_latest_transition_and_the_flag_every_transition() -> None:
    tx1 = {"transition_id": "T1", "case_id": "A", "transition_on": "2026-04-01", "kind": "step_down"}
    tx2 = {"transition_id": "T2", "case_id": "A", "transition_on": "2026-05-01", "kind": "step_down"}
    ok1 = {
        "contact_id": "K8",
        "case_id": "A",
        "contact_on": "2026-04-03",
        "kind": "post_transition",
        "status": "attended",
    }
    data = monitored(transitions=[tx1, tx2], contacts=[ok1])
    row = status_of(data)["A"]
    assert (row["current_stage"], row["stage_entered_on"]) == ("post_transition", D("2026-05-01"))
    assert flags_of(data)["post_transition_contact_missing"] == D("2026-05-08")
    # before the second transition happened, the first one's contact completed the stage
    assert stage(data, as_of=D("2026-04-30")) == "evaluation"
    ok2 = {**ok1, "contact_id": "K9", "contact_on": "2026-05-06"}
    assert stage(monitored(transitions=[tx1, tx2], contacts=[ok1, ok2])) == "evaluation"
    # the first transition missed while the second's window is still open: flagged for the first
    no_contact = monitored(transitions=[tx1, tx2])
    assert flags_of(no_contact, D("2026-05-02"))["post_transition_contact_missing"] == D("2026-04-08")
    tx1_id = ["step_down", "T1"]
    assert status_of(no_contact, D("2026-05-02"))["A"]["flag_detail"][-1] == tx1_id
    # a contact after the first window but inside the second makes the first late: no flag
    assert "post_transition_contact_missing" not in flags_of(monitored(transitions=[tx1, tx2], contacts=[ok2]))


def test_config_change_alters_the_outcome() -> None:
    tx = {"transition_id": "T1", "case_id": "A", "transition_on": "2026-05-01", "kind": "step_down"}
    data = monitored(transitions=[tx])
    assert stage(data) == "post_transition"
    assert flags_of(data)["post_transition_contact_missing"] == D("2026-05-08")
    wider = "[post_transition.window_days]\nstep_down = 8"
    assert flags_of(data, config=wider)["post_transition_contact_missing"] == D("2026-05-09")
    with pytest.warns(FutureWarning, match="post_transition_window_days"):
        old = flags_of(data, config="[deadlines]\npost_transition_window_days = 60")
    assert "post_transition_contact_missing" not in old


def test_evaluation_completes_only_when_closed_with_a_pair() -> None:
    pair = [
        {"case_id": "A", "measure": "PHQ-9", "measured_on": "2026-01-11", "timepoint": "baseline", "value": 12.0},
        {"case_id": "A", "measure": "PHQ-9", "measured_on": "2026-04-20", "timepoint": "follow_up", "value": 8.0},
    ]
    data = monitored(outcomes=pair)
    assert stage(data) == "monitoring"
    closed = caseload(
        cases=[{"case_id": "A", "closed_on": "2026-06-01"}],
        screenings=[SCREENED],
        outcomes=pair,
    )
    row = status_of(closed)["A"]
    assert row["current_stage"] == "closed"
    assert row["flags"] == []


def test_effective_tier_from_the_risk_frame_and_default_for_deadlines() -> None:
    data = monitored()
    row = status_of(data, risk=risk(A="high"))["A"]
    assert (row["effective_tier"], row["deadline_tier"]) == ("high", "high")
    row = status_of(data)["A"]
    assert (row["effective_tier"], row["deadline_tier"]) == (None, "moderate")
    row = status_of(data, config="[risk]\ndefault_tier = 'low'")["A"]
    assert row["deadline_tier"] == "low"
    # no assessment as of the date: no tier yet
    assert status_of(data, as_of=D("2026-01-09"), risk=risk(A="high"))["A"]["effective_tier"] is None


def test_cases_opened_after_as_of_are_not_listed_and_order_is_kept() -> None:
    data = caseload(
        cases=[
            {"case_id": "Z", "opened_on": "2026-01-01"},
            {"case_id": "007", "opened_on": "2026-07-15"},
            {"case_id": "B", "opened_on": "2026-02-01"},
        ]
    )
    assert case_status(data, as_of=AS_OF, risk=NO_RISK)["case_id"].to_list() == ["Z", "B"]


def test_missing_sheets_and_columns_are_no_evidence() -> None:
    cases = pl.DataFrame({"case_id": ["A"], "opened_on": [D("2026-06-29")]})
    from casekit.data import CaseData

    df = case_status(CaseData({"cases": cases}), as_of=AS_OF, risk=NO_RISK)
    assert df.select("current_stage", "case_manager", "program").row(0) == ("screening", None, None)


def test_validation_result_leaves_quarantined_rows_out_and_says_so() -> None:
    data = monitored(
        cases=[{"case_id": "B"}],
        contacts=[{"contact_id": "K7", "case_id": "B", "contact_on": "2025-12-01", "kind": "phone_call"}],
    )
    result = validate(data, as_of=AS_OF)
    assert result.quarantined["contacts"]["case_id"].to_list() == ["B"]  # before opening: an error
    rows = status_of(result)
    assert rows["B"]["flags"] == ["screening_overdue", "quarantined_rows"]
    assert rows["B"]["flag_due_on"][-1] == AS_OF
    assert "quarantined_rows" not in rows["A"]["flags"]
    assert "quarantined_rows" not in status_of(data)["B"]["flags"]  # plain data: nothing to say


def test_flag_lists_are_parallel_and_in_flag_order() -> None:
    df = case_status(monitored(), as_of=D("2027-01-05"), risk=NO_RISK)
    flags, dues = df["flags"][0].to_list(), df["flag_due_on"][0].to_list()
    assert flags == ["follow_up_overdue", "reassessment_due", "goal_overdue"]
    assert [FLAGS.index(f) for f in flags] == sorted(FLAGS.index(f) for f in flags)
    # last client contact 2026-02-10 + 30; assessment 2026-01-10 + 180 (moderate)
    assert dues == [D("2026-03-12"), D("2026-07-09"), D("2026-12-31")]
    assert df["flag_detail"][0].to_list() == [None, None, None]


def test_a_detail_holding_a_semicolon_stays_one_detail() -> None:
    # a transition id is the team's own text: ";" in it once split the detail in two, so
    # flag_detail was longer than flags and the worklist could not be built
    tx = {"transition_id": "T1;b", "case_id": "A", "transition_on": "2026-05-01", "kind": "step_down"}
    row = status_of(monitored(transitions=[tx]))["A"]
    assert len(row["flag_detail"]) == len(row["flags"])
    assert row["flag_detail"][row["flags"].index("post_transition_contact_missing")] == ["step_down", "T1;b"]
    assert worklist(case_status(monitored(transitions=[tx]), as_of=AS_OF, risk=NO_RISK)).height == len(row["flags"])


@pytest.mark.parametrize("config", [None, "[deadlines]\nscreening_days = 3"])
def test_config_accepts_text_path_and_object(config, tmp_path) -> None:
    from casekit.stages import load_process_config

    data = caseload(cases=[{"case_id": "A", "opened_on": "2026-06-25"}])
    want = status_of(data, config=config)["A"]["next_due_on"]
    if config is not None:
        path = tmp_path / "rules.toml"
        path.write_text(config, encoding="utf-8")
        assert status_of(data, config=path)["A"]["next_due_on"] == want
        assert status_of(data, config=load_process_config(path))["A"]["next_due_on"] == want
        assert want == D("2026-06-28")
    else:
        assert want == D("2026-07-02")
