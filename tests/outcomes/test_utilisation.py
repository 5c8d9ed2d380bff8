"""Utilisation and cost before vs after (assessment counts as the "before" when needed)."""

from __future__ import annotations

import polars as pl
import pytest

from casekit.outcomes import outcome_summary, utilisation_changes, utilisation_summary

from .conftest import caseload, m

UTIL = {"domain": "utilization", "higher_is_better": False}


def ed(case: str, on: str, value: float, timepoint: str) -> dict:
    return m(case, on, value, timepoint, measure="ed_visits_6m", **UTIL)


def cost(case: str, on: str, value: float, timepoint: str) -> dict:
    return m(case, on, value, timepoint, measure="monthly_cost", domain="financial", higher_is_better=False)


def income(case: str, on: str, value: float, timepoint: str) -> dict:
    # the sheet's higher_is_better says "no": the catalogue (income: higher is better) wins
    return m(case, on, value, timepoint, measure="monthly_income", domain="financial", higher_is_better=False)


def test_assessment_is_the_before_only_without_a_baseline_outcome() -> None:
    data = caseload(
        assessments=[
            {"case_id": "A", "assessed_on": "2026-01-10", "ed_visits_6m": 4, "admissions_12m": 2},
            {"case_id": "B", "assessed_on": "2026-01-10", "ed_visits_6m": 4},
        ],
        outcomes=[
            ed("A", "2026-05-01", 1, "follow_up"),
            ed("B", "2026-01-12", 3, "baseline"),
            ed("B", "2026-05-01", 5, "follow_up"),
        ],
    )
    out = utilisation_changes(data)
    assert out.select("case_id", "measure", "baseline_source", "baseline", "latest", "change", "direction").rows() == [
        ("A", "admissions_12m", "assessment", 2.0, None, None, None),
        ("A", "ed_visits_6m", "assessment", 4.0, 1.0, -3.0, "improved"),
        ("B", "ed_visits_6m", "outcome", 3.0, 5.0, 2.0, "worsened"),
    ]


def test_first_assessment_with_a_value_and_after_must_follow_it() -> None:
    data = caseload(
        assessments=[
            {"case_id": "A", "assessed_on": "2026-03-01", "ed_visits_6m": 9},
            {"case_id": "A", "assessed_on": "2026-01-10", "ed_visits_6m": 5},
            {"case_id": "A", "assessed_on": "2026-01-05"},  # no value: skipped
        ],
        outcomes=[ed("A", "2026-01-08", 0, "follow_up")],  # before the assessment: not an "after"
    )
    row = utilisation_changes(data).row(0, named=True)
    assert (row["baseline_on"].isoformat(), row["baseline"], row["paired"]) == ("2026-01-10", 5.0, False)


def test_cost_measures_and_only_utilisation_domains() -> None:
    data = caseload(
        outcomes=[
            # written as "financial" in the sheet: the catalogue knows monthly_cost is the payer's cost
            cost("A", "2026-01-10", 1000, "baseline"),
            cost("A", "2026-06-10", 700, "discharge"),
            m("A", "2026-01-10", 10, "baseline"),  # clinical: not here
            income("A", "2026-01-10", 800, "baseline"),  # the client's money: not here
            income("A", "2026-06-10", 1200, "discharge"),
        ]
    )
    out = utilisation_changes(data)
    assert out.select("domain", "measure", "baseline_source", "change", "direction").rows() == [
        ("utilization", "monthly_cost", "outcome", -300.0, "improved")
    ]


def test_income_up_is_the_clients_improvement_not_a_cost_increase() -> None:
    rows = []
    for i in range(11):
        rows += [income(f"C{i:02}", "2026-01-10", 800, "baseline"), income(f"C{i:02}", "2026-06-10", 1200, "follow_up")]
    data = caseload(outcomes=rows)
    assert utilisation_summary(data).height == 0
    assert utilisation_changes(data).height == 0
    s = outcome_summary(data, by=["domain", "measure"]).row(0, named=True)
    assert (s["domain"], s["measure"], s["n_paired"], s["mean_change"]) == ("financial", "monthly_income", 11, 400.0)
    assert (s["pct_improved"], s["pct_worsened"]) == (1.0, 0.0)


def test_summary_totals_and_percent_change() -> None:
    rows = []
    for i in range(12):
        rows += [cost(f"C{i:02}", "2026-01-10", 1000, "baseline"), cost(f"C{i:02}", "2026-06-10", 750, "follow_up")]
    rows += [cost("C99", "2026-01-10", 500, "baseline")]  # unpaired: counted, not in the totals
    s = utilisation_summary(caseload(outcomes=rows), for_sharing=False).row(0, named=True)  # exact
    assert (s["domain"], s["measure"], s["n_cases"], s["n_paired"]) == ("utilization", "monthly_cost", 13, 12)
    assert (s["sum_baseline"], s["sum_latest"], s["pct_change"]) == (12000.0, 9000.0, -0.25)
    assert (s["mean_change"], s["pct_improved"], s["suppressed"]) == (-250.0, 1.0, False)
    shared = utilisation_summary(caseload(outcomes=rows)).row(0, named=True)  # 1 unpaired = 13 - 12: blanked
    assert (shared["n_cases"], shared["n_paired"], shared["sum_latest"], shared["suppressed"]) == (13, None, None, True)


def test_summary_is_always_by_measure_and_suppressed() -> None:
    data = caseload(
        cases=[{"case_id": f"C{i:02}", "program": "P"} for i in range(12)],
        assessments=[{"case_id": f"C{i:02}", "assessed_on": "2026-01-10", "ed_visits_6m": 2} for i in range(12)],
        outcomes=[ed(f"C{i:02}", "2026-05-01", 1, "follow_up") for i in range(5)],
    )
    s = utilisation_summary(data, by=["program"])
    assert s.select("measure", "program", "n_cases", "n_paired", "sum_baseline", "suppressed").rows() == [
        ("ed_visits_6m", "P", 12, None, None, True)
    ]


@pytest.mark.parametrize("seed", [1])
def test_sample_has_both_sources_and_consistent_totals(seed: int) -> None:
    from casekit.sample import make_sample

    data = make_sample(400, seed=seed)
    ch = utilisation_changes(data)
    assert set(ch["baseline_source"].drop_nulls()) == {"assessment", "outcome"}
    s = utilisation_summary(data, min_cell=1, changes=ch)
    paired = ch.filter(pl.col("paired"))
    for row in s.iter_rows(named=True):
        mine = paired.filter(pl.col("measure") == row["measure"])
        assert row["n_pairs"] == mine.height
        assert row["sum_baseline"] == pytest.approx(mine["baseline"].sum())
