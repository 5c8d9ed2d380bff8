"""curated_clients: one real case per typical path, each truly showing that path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

import casekit as ck
from casekit import learn
from tests.builders import caseload

from .conftest import AS_OF


def _status(sample: dict[str, Any], case_id: str) -> dict[str, Any]:
    return sample["status"].filter(pl.col("case_id") == case_id).row(0, named=True)


def _rows(sample: dict[str, Any], sheet: str, case_id: str) -> pl.DataFrame:
    return sample["result"].data[sheet].filter(pl.col("case_id") == case_id)


def test_all_six_paths_are_found_on_the_sample_with_distinct_clients(sample: dict[str, Any]) -> None:
    frame = sample["frame"]
    assert frame["path"].to_list() == list(learn.PATHS)
    assert frame["case_id"].n_unique() == 6
    assert frame.columns == ["path", "case_id", "label_es", "label_en"]
    assert (frame["label_es"] != frame["label_en"]).all()


def test_smooth_went_past_monitoring_with_no_open_flag(sample: dict[str, Any]) -> None:
    row = _status(sample, sample["curated"]["smooth"])
    assert row["reached_stage_number"] >= 6
    assert row["flags"] == []


def test_high_risk_has_an_effective_high_tier_by_points(sample: dict[str, Any]) -> None:
    case_id = sample["curated"]["high_risk"]
    scores = ck.score_risk(sample["result"], as_of=AS_OF).filter(pl.col("case_id") == case_id).row(0, named=True)
    assert scores["effective_tier"] == "high"
    # the sample has such clients, so the rule prefers one the knobs can move
    assert scores["computed_tier"] == "high"
    assert scores["red_flags"] == []
    assert scores["override_tier"] is None
    assert scores["score"] >= ck.load_model().tiers.high


def test_stalled_before_planning_was_assessed_has_no_plan_and_it_is_overdue(sample: dict[str, Any]) -> None:
    case_id = sample["curated"]["stalled_before_planning"]
    assert _rows(sample, "assessments", case_id).filter(pl.col("assessed_on") <= AS_OF).height >= 1
    goals = _rows(sample, "goals", case_id).filter((pl.col("set_on") <= AS_OF) & pl.col("target_on").is_not_null())
    services = _rows(sample, "services", case_id)
    assert goals.height == 0 or services.height == 0
    row = _status(sample, case_id)
    assert "plan_overdue" in row["flags"]
    assert row["current_stage"] in ("risk", "planning")


def test_missed_appointments_has_a_missed_contact_with_nothing_attended_after(sample: dict[str, Any]) -> None:
    case_id = sample["curated"]["missed_appointments"]
    contacts = _rows(sample, "contacts", case_id).filter(pl.col("contact_on") <= AS_OF)
    missed = contacts.filter(pl.col("status") == "missed")["contact_on"]
    attended = contacts.filter(pl.col("status") == "attended")["contact_on"]
    assert missed.len() >= 1
    assert attended.len() == 0 or missed.max() >= attended.max()
    assert "missed_appointment" in _status(sample, case_id)["flags"]


def test_no_post_transition_call_had_no_contact_in_the_window(sample: dict[str, Any]) -> None:
    case_id = sample["curated"]["no_post_transition_call"]
    tx = _rows(sample, "transitions", case_id).filter(pl.col("transition_on") <= AS_OF)
    assert tx.height >= 1
    # an independent check: no attended client contact of a qualifying kind from the
    # earliest missing transition's day to its window's end (the window ends by AS_OF)
    kinds = ck.load_process_config().post_transition_kinds
    contacts = _rows(sample, "contacts", case_id).filter(
        (pl.col("status") == "attended")
        & pl.col("kind").is_in(list(kinds))
        & pl.col("with_whom").fill_null("client").is_in(["client", "support_system"])
    )
    due = dict(zip(_status(sample, case_id)["flags"], _status(sample, case_id)["flag_due_on"], strict=True))
    ends = due["post_transition_contact_missing"]
    assert ends < AS_OF
    starts = [on for on in tx["transition_on"] if on <= ends and (ends - on).days <= 9]
    assert starts
    assert contacts.filter(pl.col("contact_on").is_between(min(starts), AS_OF)).height == 0


def test_readmitted_came_back_into_hospital_within_30_days(sample: dict[str, Any]) -> None:
    case_id = sample["curated"]["readmitted"]
    tx = _rows(sample, "transitions", case_id).filter(pl.col("transition_on") <= AS_OF)
    downs = tx.filter(pl.col("kind").is_in(["discharge", "step_down"]) & (pl.col("from_level") == "inpatient"))
    ups = tx.filter(pl.col("kind").is_in(["step_up", "transfer"]) & (pl.col("to_level") == "inpatient"))
    gaps = [(up - down).days for up in ups["transition_on"] for down in downs["transition_on"]]
    assert any(1 <= g <= 30 for g in gaps)


def test_status_and_scores_are_computed_when_not_given(sample: dict[str, Any]) -> None:
    again = learn.curated_clients(sample["result"], as_of=AS_OF)
    assert again.equals(sample["frame"])


def test_a_caseload_without_examples_gives_no_rows() -> None:
    data = caseload(cases=[{"case_id": "A"}, {"case_id": "B", "closed_on": "2026-02-01"}])
    picked = learn.curated_clients(data, as_of=dt.date(2026, 3, 1))
    assert picked.height == 0
    assert picked.columns == ["path", "case_id", "label_es", "label_en"]


def test_one_client_with_two_paths_is_used_only_where_no_one_else_fits() -> None:
    # A: readmitted and (missed contact); B: only a missed contact -> A readmitted, B missed
    cases = [{"case_id": "A"}, {"case_id": "B"}]
    hospital = {"case_id": "A", "from_level": "inpatient", "to_level": "discharged", "kind": "discharge"}
    transitions = [
        {**hospital, "transition_id": "T1", "transition_on": "2026-01-10"},
        {
            "transition_id": "T2",
            "case_id": "A",
            "transition_on": "2026-01-20",
            "kind": "step_up",
            "to_level": "inpatient",
        },
    ]
    contacts = [
        {"contact_id": "K1", "case_id": "A", "contact_on": "2026-01-05", "kind": "appointment", "status": "missed"},
        {"contact_id": "K2", "case_id": "B", "contact_on": "2026-01-25", "kind": "appointment", "status": "missed"},
    ]
    data = caseload(cases=cases, transitions=transitions, contacts=contacts)
    picked = dict(learn.curated_clients(data, as_of=dt.date(2026, 2, 1)).select("path", "case_id").iter_rows())
    assert picked["readmitted"] == "A"
    assert picked["missed_appointments"] == "B"
