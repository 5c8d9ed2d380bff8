"""fairness_summary: shares, ratios, age bands and small-cell suppression."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from casekit.data import CaseData
from casekit.errors import CasekitError
from casekit.risk import AGE_BANDS, fairness_summary, score_risk
from casekit.sample import make_sample


def scores_frame(tiers: list[str], scores: list[int], ages: list[int | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "case_id": [f"C{i:03d}" for i in range(len(tiers))],
            "score": scores,
            "computed_tier": tiers,
            "effective_tier": ["low"] * len(tiers),
            "age": ages,
        },
        schema_overrides={"age": pl.Int64},
    )


def cases_for(scores: pl.DataFrame, **cols: list) -> CaseData:
    return CaseData({"cases": pl.DataFrame({"case_id": scores["case_id"], **cols})})


def test_shares_means_ratios_and_suppression():
    # 20 women: 10 low (score 2), 10 high (score 14); 12 men: all moderate (score 8); 3 "other": high
    tiers = ["low"] * 10 + ["high"] * 10 + ["moderate"] * 12 + ["high"] * 3
    scores = [2] * 10 + [14] * 10 + [8] * 12 + [20] * 3
    sc = scores_frame(tiers, scores, [50] * 35)
    data = cases_for(sc, sex=["female"] * 20 + ["male"] * 12 + ["other"] * 3)
    exact = fairness_summary(data, sc, by=["sex"], for_sharing=False)  # the team's own view: every figure
    rows = {r["group"]: r for r in exact.iter_rows(named=True)}
    assert exact["group"].to_list() == ["all", "female", "male", "other"]
    overall = rows["all"]
    assert overall["n"] == 35
    assert overall["share_high"] == pytest.approx(13 / 35)
    assert overall["mean_score"] == pytest.approx((20 + 140 + 96 + 60) / 35)
    female = rows["female"]
    assert (female["n"], female["share_low"], female["share_moderate"], female["share_high"]) == (20, 0.5, 0.0, 0.5)
    assert female["mean_score"] == 8.0
    assert female["ratio_high"] == pytest.approx(0.5 / (13 / 35))
    assert female["ratio_low"] == pytest.approx(0.5 / (10 / 35))
    assert rows["male"]["share_moderate"] == 1.0
    view = fairness_summary(data, sc, by=["sex"])  # for sharing
    rows = {r["group"]: r for r in view.iter_rows(named=True)}
    male = rows["male"]
    # the 3 "other" alone would be 35 - 20 - 12: the smallest other group (the men) is blanked too
    assert (male["n"], male["share_moderate"], male["suppressed"]) == (None, None, True)
    other = rows["other"]
    assert other["suppressed"] is True
    assert all(other[c] is None for c in ("n", "share_high", "mean_score", "ratio_high"))
    # 10 of the 20 women are low (and 10 of the 35 overall): a share beside its n that is 10 people
    female, overall = rows["female"], rows["all"]
    assert (female["n"], female["share_low"], female["share_high"], female["mean_score"]) == (20, None, None, 8.0)
    assert (overall["n"], overall["share_low"], overall["ratio_low"], overall["suppressed"]) == (35, None, None, True)


def test_eleven_shown_ten_suppressed_and_min_cell_option():
    sc = scores_frame(["low"] * 21, [1] * 21, [50] * 21)
    data = cases_for(sc, sex=["female"] * 11 + ["male"] * 10)
    view = fairness_summary(data, sc, by=["sex"])
    assert view.select("group", "n", "suppressed").rows() == [
        ("all", 21, False),
        ("female", None, True),  # 21 - 11 would give the 10 men back: blanked too
        ("male", None, True),
    ]
    view = fairness_summary(data, sc, by=["sex"], min_cell=5)
    assert view.filter(pl.col("group") == "male")["n"].to_list() == [10]


def test_age_bands_in_order_and_missing_groups():
    ages = [39] * 11 + [40] * 11 + [64] * 11 + [65] * 11 + [84] * 11 + [85] * 11 + [None] * 11
    sc = scores_frame(["low"] * len(ages), [0] * len(ages), ages)
    view = fairness_summary(cases_for(sc), sc, by=["age_band"])
    assert view.select("group", "n").rows() == [
        ("all", 77),
        ("<40", 11),
        ("40-64", 22),
        ("65-74", 11),
        ("75-84", 11),
        ("85+", 11),
        (None, 11),
    ]
    assert AGE_BANDS == ("<40", "40-64", "65-74", "75-84", "85+")


def test_ratio_is_null_when_the_overall_share_is_zero():
    sc = scores_frame(["low"] * 12, [0] * 12, [30] * 12)
    view = fairness_summary(cases_for(sc, sex=["female"] * 12), sc, by=["sex"])
    female = view.filter(pl.col("group") == "female").row(0, named=True)
    assert (female["ratio_low"], female["ratio_high"]) == (1.0, None)


def test_effective_tier_option():
    sc = scores_frame(["high"] * 12, [15] * 12, [30] * 12)
    view = fairness_summary(cases_for(sc, sex=["male"] * 12), sc, by=["sex"], tier="effective_tier")
    assert view["share_low"].to_list() == [1.0, 1.0]


def test_unknown_grouping_is_a_clear_error():
    sc = scores_frame(["low"], [0], [30])
    with pytest.raises(CasekitError) as info:
        fairness_summary(cases_for(sc), sc, by=["shoe_size"])
    assert "shoe_size" in info.value.message("es")
    assert info.value.message("es").startswith("No se puede agrupar")


def test_on_the_sample_default_groupings():
    data = make_sample(400, seed=11)
    scores = score_risk(data)
    view = fairness_summary(data, scores)
    assert view["grouping"].unique(maintain_order=True).to_list() == ["overall", "sex", "age_band", "ethnicity"]
    assert (view["n"].drop_nulls() >= 11).all()
    assert view.filter(pl.col("n").is_null())["suppressed"].all()  # a blank n is flagged (shares may go alone)
    sex = view.filter(pl.col("grouping") == "sex", pl.col("n").is_not_null())
    assert sex["n"].sum() <= scores.height
    assert view.row(0, named=True)["n"] == scores.height
    assert fairness_summary(data).equals(view)


def test_cases_sheet_birth_date_is_not_needed_for_age_band_it_comes_from_scores():
    sc = scores_frame(["low"] * 11, [0] * 11, [70] * 11)
    data = CaseData({"cases": pl.DataFrame({"case_id": sc["case_id"], "birth_date": [dt.date(2000, 1, 1)] * 11})})
    view = fairness_summary(data, sc, by=["age_band"])
    assert view["group"].to_list() == ["all", "65-74"]
