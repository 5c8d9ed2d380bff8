"""Every flag, with its due date and its boundaries, on tiny hand-built caseloads."""

from __future__ import annotations

import datetime as dt

from casekit.stages import case_status
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


def test_screening_overdue_from_day_8() -> None:
    data = caseload(cases=[{"case_id": "A", "opened_on": "2026-06-01"}])
    assert flags_of(data, D("2026-06-08")) == {}  # due today, not overdue yet
    assert flags_of(data, D("2026-06-09")) == {"screening_overdue": D("2026-06-08")}
    assert flags_of(data, D("2026-06-09"), config="[deadlines]\nscreening_days = 10") == {}
    # a screening with a referral ends it; one without a decision does not
    screened = caseload(
        cases=[{"case_id": "A", "opened_on": "2026-06-01"}],
        screenings=[{"case_id": "A", "screened_on": "2026-06-20"}],
    )
    assert "screening_overdue" in flags_of(screened)


def test_not_eligible_but_open() -> None:
    for decision in ("not_eligible", "declined"):
        data = caseload(
            cases=[{"case_id": "A"}], screenings=[{"case_id": "A", "screened_on": "2026-01-05", "decision": decision}]
        )
        assert flags_of(data) == {"not_eligible_but_open": D("2026-01-05")}, decision
    closed = caseload(
        cases=[{"case_id": "A", "closed_on": "2026-01-06"}],
        screenings=[{"case_id": "A", "screened_on": "2026-01-05", "decision": "not_eligible"}],
    )
    assert flags_of(closed) == {}  # closed at screening: no outcomes expected either
    # a later referral decision replaces it
    data = caseload(
        cases=[{"case_id": "A"}],
        screenings=[
            {"case_id": "A", "screened_on": "2026-01-05", "decision": "not_eligible"},
            {"case_id": "A", "screened_on": "2026-02-01", "decision": "refer_to_assessment"},
        ],
    )
    assert "not_eligible_but_open" not in flags_of(data)


def test_assessment_overdue_14_days_after_the_first_referral() -> None:
    data = caseload(cases=[{"case_id": "A"}], screenings=[SCREENED])  # referred 2026-01-03
    assert flags_of(data, D("2026-01-17")) == {}
    assert flags_of(data, D("2026-01-18")) == {"assessment_overdue": D("2026-01-17")}
    assert status_of(data, D("2026-01-10"))["A"]["next_due_on"] == D("2026-01-17")


def test_risk_review_pending_since_the_latest_assessment() -> None:
    data = caseload(cases=[{"case_id": "A"}], screenings=[SCREENED], assessments=[ASSESSED])
    assert flags_of(data, D("2026-01-10")) == {"risk_review_pending": D("2026-01-10")}
    old_review = caseload(
        cases=[{"case_id": "A"}],
        screenings=[SCREENED],
        assessments=[ASSESSED],
        risk_reviews=[{"case_id": "A", "reviewed_on": "2026-01-09"}],  # before the assessment
    )
    assert "risk_review_pending" in flags_of(old_review, D("2026-01-11"))
    assert "risk_review_pending" not in flags_of(caseload(cases=[{"case_id": "A"}]))


def test_plan_overdue_14_days_or_7_for_high_tier() -> None:
    data = caseload(cases=[{"case_id": "A"}], screenings=[SCREENED], assessments=[ASSESSED], risk_reviews=[REVIEWED])
    # latest assessment 2026-01-10: due 2026-01-24 (moderate by default), 2026-01-17 when high
    assert flags_of(data, D("2026-01-24")) == {}
    assert flags_of(data, D("2026-01-25")) == {"plan_overdue": D("2026-01-24")}
    assert flags_of(data, D("2026-01-18"), risk=risk(A="high")) == {"plan_overdue": D("2026-01-17")}
    assert flags_of(data, D("2026-01-17"), risk=risk(A="high")) == {}
    assert flags_of(data, D("2026-01-25"), config="[deadlines]\nplan_days = 20") == {}
    high = "[risk]\ndefault_tier = 'high'"
    assert flags_of(data, D("2026-01-18"), config=high) == {"plan_overdue": D("2026-01-17")}
    # counted from the latest assessment
    data = caseload(
        cases=[{"case_id": "A"}],
        screenings=[SCREENED],
        assessments=[ASSESSED, {"case_id": "A", "assessed_on": "2026-01-20"}],
        risk_reviews=[{"case_id": "A", "reviewed_on": "2026-01-20"}],
    )
    assert flags_of(data, D("2026-02-03")) == {}
    assert flags_of(data, D("2026-02-04")) == {"plan_overdue": D("2026-02-03")}


def test_missed_appointment_cleared_by_a_later_attended_contact() -> None:
    missed = {"contact_id": "K2", "case_id": "A", "contact_on": "2026-03-01", "kind": "appointment", "status": "missed"}
    assert flags_of(monitored(contacts=[missed]), D("2026-03-02"))["missed_appointment"] == D("2026-03-01")
    later = {"contact_id": "K3", "case_id": "A", "contact_on": "2026-03-05", "kind": "phone_call", "status": "attended"}
    data = monitored(contacts=[missed, later])
    assert "missed_appointment" in flags_of(data, D("2026-03-04"))  # the attended one is still in the future
    assert "missed_appointment" not in flags_of(data, D("2026-03-05"))
    same_day = {**later, "contact_on": "2026-03-01"}
    assert "missed_appointment" in flags_of(monitored(contacts=[missed, same_day]), D("2026-03-02"))
    # an earlier attended contact does not clear it; the earliest uncleared missed one is the due date
    missed2 = {**missed, "contact_id": "K4", "contact_on": "2026-03-10"}
    assert flags_of(monitored(contacts=[missed, later, missed2]), D("2026-03-11"))["missed_appointment"] == D(
        "2026-03-10"
    )
    assert flags_of(monitored(contacts=[missed, missed2]), D("2026-03-11"))["missed_appointment"] == D("2026-03-01")


def test_follow_up_overdue_by_tier_cadence_in_every_stage() -> None:
    data = monitored()  # last attended client contact 2026-02-10
    for tier, due in [("high", "2026-02-24"), ("moderate", "2026-03-12"), ("low", "2026-04-11")]:
        assert flags_of(data, D(due), risk=risk(A=tier)) == {}, tier
        after = D(due) + dt.timedelta(days=1)
        assert flags_of(data, after, risk=risk(A=tier)) == {"follow_up_overdue": D(due)}, tier
    call = {"contact_id": "K5", "case_id": "A", "contact_on": "2026-03-01", "kind": "phone_call", "status": "attended"}
    assert flags_of(monitored(contacts=[call]), D("2026-03-20")) == {}  # a call with the client resets it
    assert flags_of(data, D("2026-03-13"), config="[follow_up_cadence_days]\nmoderate = 40") == {}
    # not in monitoring yet (no implementation contact): the cadence runs all the same
    not_yet = caseload(
        cases=[{"case_id": "A"}],
        screenings=[SCREENED],
        assessments=[ASSESSED],
        risk_reviews=[REVIEWED],
        goals=[GOAL],
        services=[SERVICE],
        contacts=[{**VISIT, "kind": "phone_call"}],
    )
    assert flags_of(not_yet, D("2026-06-01"))["follow_up_overdue"] == D("2026-03-12")


def test_stale_scheduled_contact() -> None:
    planned = {
        "contact_id": "K2",
        "case_id": "A",
        "contact_on": "2026-03-01",
        "kind": "follow_up",
        "status": "scheduled",
    }
    data = monitored(contacts=[planned])
    assert "stale_scheduled_contact" not in flags_of(data, D("2026-03-01"))
    assert flags_of(data, D("2026-03-02"))["stale_scheduled_contact"] == D("2026-03-01")


def test_goal_overdue_unless_achieved_or_cancelled() -> None:
    goal = {**GOAL, "goal_id": "G2", "target_on": "2026-04-01"}
    for status, flagged in [
        ("planned", True),
        ("in_progress", True),
        (None, True),
        ("cancelled", False),
        ("not_achieved", False),
    ]:
        data = monitored(goals=[{**goal, "status": status}])
        got = flags_of(data, D("2026-04-02"), risk=risk(A="low"))
        assert ("goal_overdue" in got) is flagged, status
    data = monitored(goals=[{**goal, "status": "in_progress"}])
    assert "goal_overdue" not in flags_of(data, D("2026-04-01"))
    assert flags_of(data, D("2026-04-02"), risk=risk(A="low"))["goal_overdue"] == D("2026-04-01")
    achieved = monitored(goals=[{**goal, "status": "achieved", "achieved_on": "2026-04-10"}])
    assert "goal_overdue" in flags_of(achieved, D("2026-04-05"), risk=risk(A="low"))  # not achieved yet then
    assert "goal_overdue" not in flags_of(achieved, D("2026-04-10"), risk=risk(A="low"))
    assert status_of(data, D("2026-03-20"), risk=risk(A="low"))["A"]["next_due_on"] == D("2026-04-01")


def test_post_transition_contact_missing_after_the_window() -> None:
    tx = {"transition_id": "T1", "case_id": "A", "transition_on": "2026-05-01", "kind": "step_up"}
    data = monitored(transitions=[tx])
    at = {"contact_id": "K5", "case_id": "A", "contact_on": "2026-05-08", "kind": "home_visit", "status": "attended"}
    assert "post_transition_contact_missing" not in flags_of(data, D("2026-05-08"))
    assert flags_of(data, D("2026-05-09"))["post_transition_contact_missing"] == D("2026-05-08")
    assert "post_transition_contact_missing" not in flags_of(monitored(transitions=[tx], contacts=[at]))


def test_outcome_follow_up_due_90_days_after_a_baseline_without_later_value() -> None:
    base = {"case_id": "A", "measure": "PHQ-9", "measured_on": "2026-02-01", "timepoint": "baseline", "value": 10.0}
    data = monitored(outcomes=[base])
    assert "outcome_follow_up_due" not in flags_of(data, D("2026-05-01"), risk=risk(A="low"))
    assert flags_of(data, D("2026-05-02"), risk=risk(A="low"))["outcome_follow_up_due"] == D("2026-05-02")
    fu = {**base, "measured_on": "2026-05-10", "timepoint": "follow_up"}
    assert "outcome_follow_up_due" not in flags_of(monitored(outcomes=[base, fu]), D("2026-05-20"), risk=risk(A="low"))
    assert "outcome_follow_up_due" in flags_of(monitored(outcomes=[base, fu]), D("2026-05-09"), risk=risk(A="low"))
    other = {**fu, "measure": "WHO-5"}  # a later value of another measure does not count
    assert "outcome_follow_up_due" in flags_of(monitored(outcomes=[base, other]), D("2026-05-20"), risk=risk(A="low"))
    discharge = {**fu, "timepoint": "discharge"}
    assert "outcome_follow_up_due" not in flags_of(
        monitored(outcomes=[base, discharge]), D("2026-05-20"), risk=risk(A="low")
    )
    assert "outcome_follow_up_due" not in flags_of(
        monitored(outcomes=[base]),
        D("2026-05-20"),
        risk=risk(A="low"),
        config="[deadlines]\noutcome_follow_up_days = 120",
    )


def test_closed_without_outcomes() -> None:
    closed = {"case_id": "A", "closed_on": "2026-05-01", "close_reason": "lost_contact"}
    data = caseload(cases=[closed], screenings=[SCREENED], assessments=[ASSESSED])
    assert flags_of(data) == {"closed_without_outcomes": D("2026-05-01")}
    base = {"case_id": "A", "measure": "PHQ-9", "measured_on": "2026-01-11", "timepoint": "baseline", "value": 10.0}
    only_baseline = caseload(cases=[closed], screenings=[SCREENED], outcomes=[base])
    assert "closed_without_outcomes" in flags_of(only_baseline)
    discharge = {**base, "measured_on": "2026-05-05", "timepoint": "discharge"}  # measured after closing
    paired = caseload(cases=[closed], screenings=[SCREENED], outcomes=[base, discharge])
    assert flags_of(paired, D("2026-05-04")) == {"closed_without_outcomes": D("2026-05-01")}
    assert flags_of(paired, D("2026-05-05")) == {}


def test_out_of_order_goal_before_the_first_assessment() -> None:
    early = {**GOAL, "goal_id": "G0", "set_on": "2026-01-08"}  # assessment on 2026-01-10
    data = monitored(goals=[early])
    assert flags_of(data)["out_of_order"] == D("2026-01-10")
    assert "out_of_order" not in flags_of(data, D("2026-01-09"))  # no assessment yet: nothing to compare


def test_out_of_order_baseline_counts_as_assessment_time_evidence() -> None:
    base = {"case_id": "A", "measure": "PHQ-9", "timepoint": "baseline", "value": 10.0}
    # a baseline after the risk review and the goal is fine (taken at assessment time)
    fine = monitored(outcomes=[{**base, "measured_on": "2026-01-11"}])
    assert "out_of_order" not in flags_of(fine)
    # a baseline before the screening is out of order
    early = monitored(outcomes=[{**base, "measured_on": "2026-01-02"}])
    assert flags_of(early)["out_of_order"] == D("2026-01-03")


def test_out_of_order_follow_up_measure_is_stage_9_evidence() -> None:
    fu = {"case_id": "A", "measure": "PHQ-9", "timepoint": "follow_up", "value": 8.0}
    before_plan = monitored(outcomes=[{**fu, "measured_on": "2026-01-15"}])  # before the goal (2026-01-20)
    assert flags_of(before_plan)["out_of_order"] == D("2026-01-20")
    tx = {"transition_id": "T1", "case_id": "A", "transition_on": "2026-05-01"}
    during_monitoring = monitored(outcomes=[{**fu, "measured_on": "2026-04-01"}], transitions=[tx])
    assert "out_of_order" not in flags_of(during_monitoring)
    strict = "[out_of_order]\noutcomes_may_precede_transition = false"
    assert flags_of(during_monitoring, config=strict)["out_of_order"] == D("2026-05-01")


def test_out_of_order_post_transition_contact_before_any_transition() -> None:
    post = {
        "contact_id": "K8",
        "case_id": "A",
        "contact_on": "2026-04-01",
        "kind": "post_transition",
        "status": "attended",
    }
    tx = {"transition_id": "T1", "case_id": "A", "transition_on": "2026-05-01"}
    assert flags_of(monitored(contacts=[post], transitions=[tx]))["out_of_order"] == D("2026-05-01")
    assert "out_of_order" not in flags_of(monitored(contacts=[{**post, "contact_on": "2026-05-02"}], transitions=[tx]))


def test_closed_cases_keep_only_closure_and_data_flags() -> None:
    data = caseload(
        cases=[{"case_id": "A", "closed_on": "2026-03-01"}],
        screenings=[SCREENED],
        goals=[{**GOAL, "target_on": "2026-02-01", "set_on": "2026-01-02"}],  # overdue goal, set before assessment
        assessments=[ASSESSED],
    )
    assert set(flags_of(data)) == {"closed_without_outcomes", "out_of_order"}
    # the goal (2026-01-02) predates the screening (2026-01-03): out of order since then
    assert status_of(data)["A"]["next_due_on"] == D("2026-01-03")


def test_next_due_on_is_the_earliest_open_flag_or_deadline() -> None:
    data = monitored()
    row = status_of(data, D("2026-03-01"))["A"]
    assert row["flags"] == []
    assert row["next_due_on"] == D("2026-03-12")  # follow-up due (moderate cadence)
    row = status_of(data, D("2026-03-01"), risk=risk(A="low"))["A"]
    assert row["next_due_on"] == D("2026-04-11")
    goal_soon = monitored(goals=[{**GOAL, "goal_id": "G2", "target_on": "2026-03-05"}])
    assert status_of(goal_soon, D("2026-03-01"))["A"]["next_due_on"] == D("2026-03-05")


def test_every_flag_due_date_is_not_after_as_of() -> None:
    data = monitored(
        contacts=[
            {"contact_id": "K2", "case_id": "A", "contact_on": "2026-03-01", "kind": "follow_up", "status": "missed"}
        ]
    )
    df = case_status(data, as_of=AS_OF, risk=risk(A="high"))
    dues = df.explode("flag_due_on")["flag_due_on"].drop_nulls()
    assert dues.len() >= 2
    assert (dues <= AS_OF).all()
