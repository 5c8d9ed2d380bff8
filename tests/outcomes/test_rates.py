"""Utilisation per member-month: windows, partial months, PMPM (issue 17), by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from casekit.outcomes import DAYS_PER_MONTH, rtm_caveat, utilisation_rate_summary, utilisation_rates

from .conftest import D, caseload, m

AS_OF = dt.date(2026, 9, 30)


def util(case: str, on: str, value: float, timepoint: str, measure: str) -> dict:
    return m(case, on, value, timepoint, measure=measure, domain="utilization", higher_is_better=False)


def data(cases: list[tuple[str, str | None, str, list[dict]]]):
    """``(case, closed_on, first goal set_on, outcome rows)`` per case."""
    return caseload(
        cases=[{"case_id": c, "closed_on": closed} for c, closed, _, _ in cases],
        goals=[{"goal_id": f"G{c}", "case_id": c, "set_on": plan} for c, _, plan, _ in cases],
        outcomes=[row for *_, rows in cases for row in rows],
    )


def test_pmpm_weights_partial_months() -> None:
    # A: 1000 before; plan 2026-02-01 -> closed 2026-03-18 = 45 days = 45 / 30.4375 months; 600 after
    # B: 500 before; plan 2026-02-01 -> closed 2026-05-03 = 91 days; 300 after
    caseload_ = data(
        [
            (
                "A",
                "2026-03-18",
                "2026-02-01",
                [
                    util("A", "2026-01-20", 1000, "baseline", "monthly_cost"),
                    util("A", "2026-03-15", 600, "discharge", "monthly_cost"),
                ],
            ),
            (
                "B",
                "2026-05-03",
                "2026-02-01",
                [
                    util("B", "2026-01-25", 500, "baseline", "monthly_cost"),
                    util("B", "2026-05-01", 300, "discharge", "monthly_cost"),
                ],
            ),
        ]
    )
    rates = utilisation_rates(caseload_, as_of=AS_OF)
    a, b = rates.row(0, named=True), rates.row(1, named=True)
    assert (a["before_from"], a["before_to"], a["after_from"], a["after_to"]) == (
        D("2025-12-20"),  # one calendar month before the baseline
        D("2026-01-20"),
        D("2026-02-01"),
        D("2026-03-18"),
    )
    assert a["member_months_after"] == pytest.approx(45 / DAYS_PER_MONTH)
    assert b["member_months_after"] == pytest.approx(91 / DAYS_PER_MONTH)
    s = utilisation_rate_summary(caseload_, as_of=AS_OF, min_cell=1).row(0, named=True)
    mm_a, mm_b = 45 / 30.4375, 91 / 30.4375
    assert (s["measure"], s["rate_unit"], s["n_used"]) == ("monthly_cost", "per_member_month", 2)
    assert s["rate_before"] == pytest.approx((1000 + 500) / 2)  # 750 PMPM
    assert s["rate_after"] == pytest.approx((600 * mm_a + 300 * mm_b) / (mm_a + mm_b))
    # (887.06 + 896.92) / 4.468 = 399.26 PMPM
    assert s["rate_after"] == pytest.approx(399.26, abs=0.01)
    assert s["pct_change"] == pytest.approx(s["rate_after"] / 750 - 1)


def test_ed_visits_per_1000_member_months_and_an_open_case_runs_to_as_of() -> None:
    # A closed: 6 visits in the 6 months before, 3 in the 6 months to discharge; after = 2026-01-11 -> 2026-04-11
    # B open: 3 before, 0 at follow-up; after = 2026-04-01 -> as-of 2026-09-30 (182 days)
    caseload_ = data(
        [
            (
                "A",
                "2026-04-11",
                "2026-01-11",
                [
                    util("A", "2026-01-05", 6, "baseline", "ed_visits_6m"),
                    util("A", "2026-04-10", 3, "discharge", "ed_visits_6m"),
                ],
            ),
            (
                "B",
                None,
                "2026-04-01",
                [
                    util("B", "2026-03-20", 3, "baseline", "ed_visits_6m"),
                    util("B", "2026-09-01", 0, "follow_up", "ed_visits_6m"),
                ],
            ),
        ]
    )
    rates = utilisation_rates(caseload_, as_of=AS_OF)
    assert rates["after_to"].to_list() == [D("2026-04-11"), AS_OF]
    assert rates["rate_before"].to_list() == [1.0, 0.5]  # per member-month
    assert rates["rate_after"].to_list() == [0.5, 0.0]
    s = utilisation_rate_summary(caseload_, as_of=AS_OF, min_cell=1).row(0, named=True)
    mm_a, mm_b = 90 / 30.4375, 182 / 30.4375
    assert (s["member_months_before"], s["total_before"]) == (12.0, 9.0)
    assert s["rate_before"] == pytest.approx(9 / 12 * 1000)  # 750 visits per 1,000 member-months
    assert s["member_months_after"] == pytest.approx(mm_a + mm_b)
    assert s["rate_after"] == pytest.approx(0.5 * mm_a / (mm_a + mm_b) * 1000)  # 165.7 per 1,000


def test_windows_never_overlap_and_every_left_out_case_says_why() -> None:
    caseload_ = data(
        [
            # baseline recorded after the plan started: its look-back would overlap the after window
            (
                "A",
                "2026-06-01",
                "2026-01-10",
                [
                    util("A", "2026-01-20", 4, "baseline", "ed_visits_6m"),
                    util("A", "2026-05-20", 1, "discharge", "ed_visits_6m"),
                ],
            ),
            # the only later value precedes the plan
            (
                "B",
                "2026-06-01",
                "2026-03-01",
                [
                    util("B", "2026-01-05", 4, "baseline", "ed_visits_6m"),
                    util("B", "2026-02-01", 1, "follow_up", "ed_visits_6m"),
                ],
            ),
            ("C", "2026-06-01", "2026-01-10", [util("C", "2026-01-05", 4, "baseline", "ed_visits_6m")]),
        ]
    )
    rates = utilisation_rates(caseload_, as_of=AS_OF)
    assert rates.select("case_id", "used", "not_used_because").rows() == [
        ("A", False, "baseline_after_plan_start"),
        ("B", False, "after_before_plan_start"),
        ("C", False, "no_pair"),
    ]
    s = utilisation_rate_summary(caseload_, as_of=AS_OF, min_cell=1).row(0, named=True)
    assert (s["n_cases"], s["n_used"], s["rate_before"], s["rate_after"]) == (3, 0, None, None)


def test_no_plan_and_the_clients_income_is_not_a_rate() -> None:
    caseload_ = caseload(
        cases=[{"case_id": "A", "closed_on": "2026-06-01"}],
        outcomes=[
            util("A", "2026-01-05", 4, "baseline", "admissions_12m"),
            util("A", "2026-05-05", 1, "discharge", "admissions_12m"),
            m("A", "2026-01-05", 800, "baseline", measure="monthly_income", domain="financial"),
            m("A", "2026-05-05", 1200, "discharge", measure="monthly_income", domain="financial"),
        ],
    )
    rates = utilisation_rates(caseload_, as_of=AS_OF)
    assert rates.select("measure", "window_months", "not_used_because").rows() == [("admissions_12m", 12.0, "no_plan")]


def test_the_caveat_is_in_both_languages() -> None:
    assert "regression to the mean" in rtm_caveat("en")
    assert "regresión a la media" in rtm_caveat("es")
