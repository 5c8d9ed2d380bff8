"""Goal attainment (issue 17): every expectation worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

import casekit as ck
from casekit.errors import CasekitError
from casekit.outcomes import goal_attainment, goal_progress

from .conftest import caseload, m

AS_OF = dt.date(2026, 6, 30)


def goal(gid: str, case: str = "A", **kw) -> dict:
    row = {"goal_id": gid, "case_id": case, "domain": "clinical", "set_on": "2026-01-10", "target_on": "2026-03-01"}
    return {**row, **kw}


def progress(*goals: dict, cases: list[dict] | None = None, outcomes: list[dict] | None = None):
    sheets = {"cases": cases or [{"case_id": "A"}], "goals": list(goals)}
    if outcomes:
        sheets["outcomes"] = outcomes
    return goal_progress(caseload(**sheets), as_of=AS_OF)


FLAGS = ("achieved", "achieved_by_target", "achieved_late", "overdue", "days_to_achieve")


def test_a_goal_achieved_one_day_after_its_target_is_late() -> None:
    p = progress(
        goal("G1", status="achieved", achieved_on="2026-03-02"),  # one day after 2026-03-01
        goal("G2", status="achieved", achieved_on="2026-03-01"),  # on the day: by the target
    )
    assert [tuple(r[k] for k in FLAGS) for r in p.iter_rows(named=True)] == [
        (True, False, True, False, 51),  # 21 days of January + 28 of February + 2
        (True, True, False, False, 50),
    ]


def test_overdue_goals_are_open_past_their_target_in_open_cases() -> None:
    p = progress(
        goal("G1", status="in_progress"),  # target passed, still open: overdue
        goal("G2", status="planned", target_on="2026-07-15"),  # target after the as-of date
        goal("G3", status="cancelled"),  # cancelled: not overdue
        goal("G4", status="achieved", achieved_on="2026-08-01"),  # achieved after the as-of date: still open
        goal("G5", case="B", status="in_progress"),  # in a case closed before the as-of date
        goal("G6", status="in_progress", set_on="2026-07-01"),  # set after the as-of date: not counted
        cases=[{"case_id": "A"}, {"case_id": "B", "closed_on": "2026-05-01"}],
    )
    assert p.select("goal_id", "achieved", "overdue").rows() == [
        ("G1", False, True),
        ("G2", False, False),
        ("G3", False, False),
        ("G4", False, True),
        ("G5", False, False),
    ]


def test_attainment_by_measure_is_reported_beside_the_status() -> None:
    phq = {"measure": "PHQ-9", "target_value": 9.0}
    who = {"measure": "WHO-5", "target_value": 52.0, "domain": "psychosocial"}
    outcomes = [
        m("A", "2026-01-05", 16, "baseline"),  # before the goal was set: not its evidence
        m("A", "2026-04-10", 8, "follow_up"),  # 8 <= 9: met (lower is better)
        m("B", "2026-01-05", 4, "baseline"),  # only before the goal: no value
        m("C", "2026-04-10", 48, "follow_up", measure="WHO-5", domain="psychosocial", higher_is_better=True),
    ]
    p = progress(
        goal("G1", status="in_progress", **phq),  # status wins: not achieved, though the measure is met
        goal("G2", case="B", status="achieved", achieved_on="2026-02-20", **phq),
        goal("G3", case="C", status="in_progress", **who),  # 48 < 52: not met (higher is better)
        goal("G4", status="in_progress"),  # no measure
        cases=[{"case_id": c} for c in "ABC"],
        outcomes=outcomes,
    )
    assert p.select("goal_id", "achieved", "measure_value", "measure_met").rows() == [
        ("G1", False, 8.0, True),
        ("G2", True, None, None),
        ("G3", False, 48.0, False),
        ("G4", False, None, None),
    ]


def test_summary_by_owner_exact() -> None:
    client = {"owner": "client"}
    team = {"owner": "care_team"}
    goals = [
        goal("G1", status="achieved", achieved_on="2026-02-09", **client),  # 30 days, by the target
        goal("G2", status="achieved", achieved_on="2026-03-02", **client),  # 51 days, late
        goal("G3", status="in_progress", **client),  # overdue
        goal("G4", case="B", status="achieved", achieved_on="2026-01-20", **team),  # 10 days
        goal("G5", case="B", status="planned", target_on=None, **team),  # no target date
    ]
    data = caseload(cases=[{"case_id": "A"}, {"case_id": "B"}], goals=goals)
    g = goal_attainment(data, by=["owner"], as_of=AS_OF, min_cell=1)
    rows = {r["owner"]: r for r in g.iter_rows(named=True)}
    assert g["owner"].to_list() == ["client", "care_team"]
    c, t = rows["client"], rows["care_team"]
    assert (c["n_cases"], c["n_goals"], c["n_achieved"], c["n_achieved_by_target"], c["n_achieved_late"]) == (
        1,
        3,
        2,
        1,
        1,
    )
    assert (c["n_overdue"], c["pct_achieved"], c["pct_achieved_by_target"], c["median_days_to_achieve"]) == (
        1,
        pytest.approx(2 / 3),
        pytest.approx(1 / 3),
        40.5,
    )
    # care team: 1 of 2 achieved; by the target: 1 of the 1 goal with a target date
    assert (t["n_goals"], t["pct_achieved"], t["pct_achieved_by_target"], t["median_days_to_achieve"]) == (
        2,
        0.5,
        1.0,
        10.0,
    )
    suppressed = goal_attainment(data, by=["owner"], as_of=AS_OF).row(0, named=True)
    assert (suppressed["n_goals"], suppressed["pct_achieved"], suppressed["suppressed"]) == (None, None, True)


def test_unknown_grouping_is_named() -> None:
    with pytest.raises(CasekitError, match="colour"):
        goal_attainment(caseload(goals=[goal("G1")]), by=["colour"], as_of=AS_OF)


def test_validation_of_the_new_goal_columns() -> None:
    data = caseload(
        cases=[{"case_id": "A"}],
        goals=[
            goal("G1", owner="client", measure="PHQ-9", target_value=9.0),
            goal("G2", target_value=9.0),  # a target value without its measure: a warning
        ],
    )
    report = ck.validate(data, as_of=AS_OF, lang="es").report
    assert report.select("sheet", "row", "column", "check", "severity").rows() == [
        ("objetivos", 3, "medida", "measure_required", "warning")
    ]


def test_the_sample_exercises_goals_owners_measures_and_late_goals() -> None:
    data = ck.make_sample(400, seed=1)
    p = goal_progress(data, as_of=ck.SAMPLE_AS_OF)
    assert set(p["owner"].drop_nulls()) == {"client", "care_team"}
    assert p["achieved_late"].any()
    assert p["achieved_by_target"].any()
    assert p["overdue"].any()
    assert p["measure_met"].drop_nulls().n_unique() == 2  # some met, some not
    assert p.filter(p["measure"].is_not_null())["target_value"].null_count() == 0
