"""outcome_summary: groups, statistics, effect size and suppression (exact values)."""

from __future__ import annotations

import math

import polars as pl
import pytest

from casekit.errors import CasekitError
from casekit.outcomes import GROUPINGS, outcome_summary

from .conftest import caseload, m


def phq(n: int, start: int, base: float, latest: list[float] | None, prefix: str = "C", **kw) -> list[dict]:
    """``n`` cases with a PHQ-9 baseline ``base`` and follow-ups ``latest[i]`` (None: no follow-up)."""
    rows = []
    for i in range(n):
        case = f"{prefix}{start + i:03}"
        rows.append(m(case, "2026-01-10", base, "baseline", **kw))
        if latest is not None and latest[i] is not None:
            rows.append(m(case, "2026-04-10", latest[i], "follow_up", **kw))
    return rows


def test_statistics_exact() -> None:
    latest = [10.0] * 6 + [14.0] * 4 + [15.0] * 2 + [None] * 3  # 12 pairs of 15 cases
    data = caseload(outcomes=phq(15, 0, 15.0, latest))
    s = outcome_summary(data, by=["measure"], for_sharing=False).row(0, named=True)  # exact (3 unpaired)
    changes = [-5.0] * 6 + [-1.0] * 4 + [0.0] * 2
    mean = sum(changes) / 12
    sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / 11)
    assert (s["measure"], s["n_cases"], s["n_paired"], s["n_pairs"]) == ("PHQ-9", 15, 12, 12)
    assert s["mean_baseline"] == 15.0
    assert s["mean_latest"] == pytest.approx(15 + mean)
    assert s["mean_change"] == pytest.approx(mean)
    assert s["sd_change"] == pytest.approx(sd)
    assert s["effect_size"] == pytest.approx(mean / sd)
    # PHQ-9's MCID is 5 points: only the six 15 -> 10 count as improved; any fall: 10 of 12
    assert (s["mcid"], s["mcid_applied"]) == (5.0, True)
    assert s["pct_improved"] == pytest.approx(6 / 12)
    assert (s["pct_improved_any"], s["pct_worsened"]) == (pytest.approx(10 / 12), 0.0)
    assert s["pct_unchanged"] == pytest.approx(2 / 12)
    assert s["suppressed"] is False


def test_effect_size_null_when_sd_is_zero() -> None:
    s = outcome_summary(caseload(outcomes=phq(12, 0, 15.0, [10.0] * 12)), by=["measure"]).row(0, named=True)
    assert (s["mean_change"], s["sd_change"], s["effect_size"]) == (-5.0, 0.0, None)


def test_effect_size_null_with_fewer_than_two_pairs_and_small_cells_suppressed() -> None:
    rows = phq(11, 0, 15.0, [12.0] + [None] * 10)
    s = outcome_summary(caseload(outcomes=rows), by=["measure"], min_cell=1).row(0, named=True)
    assert (s["n_paired"], s["mean_change"], s["sd_change"], s["effect_size"]) == (1, -3.0, None, None)
    s = outcome_summary(caseload(outcomes=rows), by=["measure"]).row(0, named=True)
    assert (s["n_cases"], s["n_paired"], s["mean_change"], s["pct_improved"], s["suppressed"]) == (
        11,
        None,
        None,
        None,
        True,
    )


def test_groups_of_1_to_10_are_suppressed_zero_pairs_are_not() -> None:
    rows = phq(10, 0, 15.0, [10.0] * 10, measure="A") + phq(11, 100, 15.0, None, measure="B")
    s = outcome_summary(caseload(outcomes=rows), by=["measure"])
    assert s.select("measure", "n_cases", "n_paired", "mean_change", "suppressed").rows() == [
        ("A", None, None, None, True),
        ("B", None, None, None, True),  # the overall row (21 cases) minus B's 11 would give A's 10 back
    ]
    assert outcome_summary(caseload(outcomes=rows), by=[])["n_cases"].item() == 21
    rows += phq(12, 200, 15.0, None, measure="C")  # with a third measure, A and B (21) hide each other
    s = outcome_summary(caseload(outcomes=rows), by=["measure"])
    assert s.select("measure", "n_cases", "n_paired", "suppressed").rows()[1:] == [
        ("B", None, None, True),
        ("C", 12, 0, False),  # zero pairs are not a small cell
    ]


def test_mixed_measures_give_counts_and_percentages_but_no_means() -> None:
    rows = phq(11, 0, 15.0, [10.0] * 11) + phq(11, 0, 40.0, [50.0] * 11, measure="own_scale", higher_is_better=True)
    s = outcome_summary(caseload(outcomes=rows), by=["domain"]).row(0, named=True)
    assert (s["n_cases"], s["n_paired"], s["n_pairs"], s["pct_improved"]) == (11, 11, 22, 1.0)
    assert (s["mean_baseline"], s["mean_change"], s["effect_size"]) == (None, None, None)


def test_group_by_case_attributes_and_age_band() -> None:
    cases = [
        {"case_id": f"C{i:03}", "program": "P1" if i < 11 else "P2", "sex": "female", "birth_date": "1950-06-01"}
        for i in range(22)
    ]
    rows = phq(22, 0, 15.0, [10.0] * 11 + [16.0] * 11)
    s = outcome_summary(caseload(cases=cases, outcomes=rows), by=["program", "sex", "age_band"])
    # opened 2026-01-01, born 1950-06-01: 75 completed years
    assert s.select("program", "sex", "age_band", "n_cases", "mean_change", "pct_worsened").rows() == [
        ("P1", "female", "75-84", 11, -5.0, 0.0),
        ("P2", "female", "75-84", 11, 1.0, 1.0),
    ]


def test_group_by_effective_tier_uses_given_scores_in_tier_order() -> None:
    rows = phq(22, 0, 15.0, [10.0] * 22)
    scores = pl.DataFrame({"case_id": [f"C{i:03}" for i in range(22)], "effective_tier": ["low"] * 11 + ["high"] * 11})
    s = outcome_summary(caseload(outcomes=rows), by=["effective_tier"], scores=scores)
    assert s.select("effective_tier", "n_cases").rows() == [("low", 11), ("high", 11)]


def test_group_by_effective_tier_scores_the_data_when_not_given() -> None:
    from casekit.risk import score_risk
    from casekit.sample import make_sample

    data = make_sample(300, seed=3)
    s = outcome_summary(data, by=["effective_tier"], min_cell=1)
    tiers = score_risk(data).select("case_id", "effective_tier")
    expected = data["outcomes"].select("case_id").unique().join(tiers, on="case_id", how="left")
    counts = dict(expected.group_by("effective_tier").len().rows())
    assert dict(zip(s["effective_tier"], s["n_cases"], strict=True)) == counts


def test_no_grouping_gives_one_row() -> None:
    s = outcome_summary(caseload(outcomes=phq(12, 0, 15.0, [10.0] * 12)), by=[])
    assert s.height == 1
    assert s["n_cases"].item() == 12


def test_unknown_grouping_raises_in_the_users_language() -> None:
    with pytest.raises(CasekitError) as err:
        outcome_summary(caseload(outcomes=phq(1, 0, 1.0, None)), by=["ethnicity"], lang="es")
    assert "ethnicity" in err.value.message("es")
    assert err.value.message("es").startswith("No se pueden agrupar")
    assert set(GROUPINGS) >= {"domain", "measure", "effective_tier", "program", "case_manager", "sex", "age_band"}


def test_a_small_number_of_cases_without_a_pair_is_a_small_cell_too() -> None:
    """50 cases, 45 paired: the 5 without a pair are a small cell; shown as 50 - 45 they would
    be given away, so both counts and what the pairs give are blanked; the team's own
    screen (``for_sharing=False``) shows them."""
    rows = phq(50, 0, 15.0, [10.0] * 45 + [None] * 5)
    shared = outcome_summary(caseload(outcomes=rows), by=["measure"]).row(0, named=True)
    assert (shared["n_cases"], shared["n_paired"], shared["n_unpaired"]) == (50, None, None)
    assert (shared["mean_change"], shared["suppressed"]) == (None, True)
    exact = outcome_summary(caseload(outcomes=rows), by=["measure"], for_sharing=False).row(0, named=True)
    assert (exact["n_paired"], exact["n_unpaired"], exact["mean_change"]) == (45, 5, -5.0)
