"""score_risk: worked examples of the default points model, reviews, tiers and the sample."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from casekit.risk import INSTRUMENT_COLUMNS, load_model, score_risk
from casekit.sample import SAMPLE_AS_OF, make_sample
from casekit.validation import validate
from tests.risk.conftest import ASSESSED, ZERO, ZERO_SCREENING, assessment, build

BORN_50 = dt.date(1976, 1, 1)  # 50 at the assessment: 0 points for age


def client(case_id: str, *, sex: str = "female", birth: dt.date = BORN_50, screening=None, **values):
    """Sheets of one client: a full zero-point assessment with ``values`` changed."""
    return {
        "cases": [{"case_id": case_id, "opened_on": dt.date(2025, 1, 1), "sex": sex, "birth_date": birth}],
        "assessments": [assessment(case_id, **{**ZERO, **values})],
        "screenings": [{"case_id": case_id, "screened_on": dt.date(2025, 1, 5), **ZERO_SCREENING, **(screening or {})}],
    }


def merge(*clients):
    out: dict[str, list] = {}
    for c in clients:
        for sheet, rows in c.items():
            out.setdefault(sheet, []).extend(rows)
    return build(**out)


def score_one(**kwargs) -> dict:
    rows = score_risk(merge(client("A", **kwargs)))
    assert rows.height == 1
    return rows.row(0, named=True)


# ---- worked examples: one client per tier, at the thresholds -----------------------

LOW_5 = {"phq9": 10, "gad7": 6, "tobacco_use": True, "medications": 5}  # 2 + 1 + 1 + 1


def test_all_zero_client_is_low_with_nothing_missing():
    row = score_one()
    assert (row["score"], row["computed_tier"], row["effective_tier"]) == (0, "low", "low")
    assert row["missing_factors"] == []
    assert row["red_flags"] == []
    assert row["provisional"] is False
    assert row["bp_category"] == "normal"
    assert row["bmi_class"] == "normal"
    assert row["lace_score"] == 0


def test_low_at_five_points():
    row = score_one(**LOW_5)
    assert (row["score"], row["computed_tier"]) == (5, "low")
    assert (row["pts_depression"], row["pts_anxiety"], row["pts_tobacco"], row["pts_medications"]) == (2, 1, 1, 1)
    assert row["phq9_severity"] == "moderate"
    assert row["gad7_severity"] == "mild"


def test_moderate_at_six_points():
    row = score_one(**LOW_5, exercise_min_week=149)
    assert (row["score"], row["computed_tier"], row["pts_exercise"]) == (6, "moderate", 1)


HIGH_12 = {"systolic_bp": 140, "diastolic_bp": 85, "phq9": 20, "gad7": 15, "housing": "homeless"}  # 2+4+3+3


def test_high_at_twelve_and_moderate_at_eleven():
    row = score_one(**HIGH_12)
    assert (row["score"], row["computed_tier"]) == (12, "high")
    assert (row["pts_blood_pressure"], row["pts_depression"], row["pts_anxiety"], row["pts_housing"]) == (2, 4, 3, 3)
    row = score_one(**{**HIGH_12, "gad7": 14})
    assert (row["score"], row["computed_tier"]) == (11, "moderate")


def test_every_factor_at_its_top_band():
    row = score_one(
        sex="male",
        birth=dt.date(1940, 1, 1),
        screening={"financial_situation": "crisis", "support_network": "none"},
        systolic_bp=150, diastolic_bp=95, phq9=27, gad7=21, audit_c=4, tobacco_use=True, substance_use=True,
        chronic_conditions=5, medications=10, bmi=40.0, exercise_min_week=0, insurance="uninsured",
        housing="homeless", ed_visits_6m=4, admissions_12m=2,
    )  # fmt: skip
    expected = {
        "blood_pressure": 2, "depression": 4, "anxiety": 3, "alcohol": 2, "tobacco": 1, "substances": 2,
        "conditions": 3, "medications": 2, "nutrition": 2, "exercise": 1, "age": 3, "finances": 2,
        "insurance": 2, "housing": 3, "support": 2, "emergency_visits": 3, "admissions": 2,
    }  # fmt: skip
    assert {k: row[f"pts_{k}"] for k in expected} == expected
    assert row["score"] == sum(expected.values()) == 39
    assert row["age"] == 86


@pytest.mark.parametrize(
    ("column", "value", "factor", "points"),
    [
        ("chronic_conditions", 1, "conditions", 1), ("chronic_conditions", 2, "conditions", 1),
        ("chronic_conditions", 3, "conditions", 2), ("chronic_conditions", 4, "conditions", 2),
        ("medications", 4, "medications", 0), ("medications", 9, "medications", 1),
        ("exercise_min_week", 150, "exercise", 0), ("ed_visits_6m", 1, "emergency_visits", 1),
        ("ed_visits_6m", 2, "emergency_visits", 2), ("ed_visits_6m", 3, "emergency_visits", 2),
        ("admissions_12m", 1, "admissions", 0), ("bmi", 18.49, "nutrition", 2), ("bmi", 25.0, "nutrition", 0),
        ("bmi", 30.0, "nutrition", 1), ("bmi", 35.0, "nutrition", 2), ("insurance", "underinsured", "insurance", 1),
        ("housing", "at_risk", "housing", 1), ("systolic_bp", 125, "blood_pressure", 1),
        ("systolic_bp", 130, "blood_pressure", 1),
    ],
)  # fmt: skip
def test_band_edges(column, value, factor, points):
    assert score_one(**{column: value})[f"pts_{factor}"] == points


def test_auditc_cutoff_depends_on_sex():
    assert score_one(sex="male", audit_c=3)["pts_alcohol"] == 0
    assert score_one(sex="female", audit_c=3)["pts_alcohol"] == 2
    assert score_one(sex="unknown", audit_c=3)["pts_alcohol"] == 2
    assert score_one(sex="male", audit_c=4)["auditc_positive"] is True


def test_age_in_completed_years_at_the_assessment():
    assert score_one(birth=dt.date(1961, 3, 2))["age"] == 64  # birthday the day after
    row = score_one(birth=dt.date(1961, 3, 1))
    assert (row["age"], row["pts_age"]) == (65, 1)


# ---- red flags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "screening", "flag"),
    [
        ({"phq9_item9": 1}, None, "self_harm_thoughts"),
        ({"systolic_bp": 181, "diastolic_bp": 80}, None, "hypertensive_crisis"),
        ({"systolic_bp": 150, "diastolic_bp": 121}, None, "hypertensive_crisis"),
        ({"housing_safe": False}, None, "unsafe_housing"),
        ({}, {"home_environment": "unsafe"}, "unsafe_home"),
    ],
)
def test_red_flag_forces_high(values, screening, flag):
    row = score_one(screening=screening, **values)
    assert row["red_flags"] == [flag]
    assert row["computed_tier"] == "high"
    assert row["score"] <= 2


def test_no_red_flag_just_below_the_lines():
    row = score_one(systolic_bp=180, diastolic_bp=120, screening={"home_environment": "unstable"})
    assert row["red_flags"] == []
    assert row["computed_tier"] == "low"
    assert row["pts_blood_pressure"] == 2


def test_several_red_flags_are_all_listed_in_model_order():
    row = score_one(phq9_item9=2, housing_safe=False, screening={"home_environment": "unsafe"})
    assert row["red_flags"] == ["self_harm_thoughts", "unsafe_housing", "unsafe_home"]


# ---- missing inputs and provisional tiers ------------------------------------------------

ALL_NULL = dict.fromkeys(ZERO)


def test_missing_inputs_add_zero_and_are_listed():
    row = score_one(phq9=None, insurance=None, screening={"support_network": None})
    assert row["missing_factors"] == ["depression", "insurance", "support"]
    assert row["pts_depression"] is None
    assert row["score"] == 0
    assert row["provisional"] is False
    assert row["phq9_severity"] is None


def test_provisional_when_more_than_half_of_the_factors_are_missing():
    # 17 factors. Keep 8 (9 missing) -> provisional; keep 9 (8 missing) -> not.
    keep8 = {"phq9": 22, "gad7": 16, "housing": "homeless", "insurance": "uninsured", "medications": 12}
    # + age and the two screening factors = 8 present
    row = score_one(**{**ALL_NULL, **keep8})
    assert len(row["missing_factors"]) == 9
    assert row["provisional"] is True
    assert (row["score"], row["computed_tier"]) == (4 + 3 + 3 + 2 + 2, "high")  # still tiered, marked provisional
    row = score_one(**{**ALL_NULL, **keep8, "chronic_conditions": 0})
    assert (len(row["missing_factors"]), row["provisional"]) == (8, False)


def test_lace_needs_every_input():
    row = score_one(charlson=None, length_of_stay_days=10, acute_admission=True)
    assert row["lace_score"] is None
    assert row["lace_tier"] is None
    row = score_one(charlson=2, length_of_stay_days=10, acute_admission=True, ed_visits_6m=1)
    assert (row["lace_score"], row["lace_tier"]) == (5 + 3 + 2 + 1, "high")


# ---- which records are used -----------------------------------------------------------


def test_latest_assessment_and_latest_screening_are_scored():
    data = build(
        assessments=[
            assessment("A", dt.date(2026, 1, 1), **{**ZERO, **HIGH_12}),
            assessment("A", dt.date(2026, 2, 1), **ZERO),
            assessment("A", dt.date(2025, 12, 1), **{**ZERO, **HIGH_12}),
        ],
        screenings=[
            {"case_id": "A", "screened_on": dt.date(2025, 6, 1), **ZERO_SCREENING},
            {"case_id": "A", "screened_on": dt.date(2025, 9, 1), **ZERO_SCREENING, "financial_situation": "crisis"},
        ],
    )
    row = score_risk(data).row(0, named=True)
    assert row["assessed_on"] == dt.date(2026, 2, 1)
    assert (row["score"], row["pts_finances"]) == (2, 2)
    as_of = score_risk(data, as_of=dt.date(2026, 1, 15)).row(0, named=True)
    assert (as_of["assessed_on"], as_of["score"]) == (dt.date(2026, 1, 1), 14)


def test_same_day_assessments_the_later_row_wins():
    data = build(assessments=[assessment("A", **{**ZERO, **HIGH_12}), assessment("A", **ZERO)])
    assert score_risk(data)["score"].to_list() == [0]


def test_one_row_per_assessed_case_sorted_cases_without_assessment_left_out():
    data = merge(client("B"), client("A"))
    data.sheets["cases"] = pl.concat([data["cases"], data["cases"].head(1).with_columns(case_id=pl.lit("Z"))])
    assert score_risk(data)["case_id"].to_list() == ["A", "B"]


def test_only_cases_and_assessments_sheets():
    data = build(assessments=[assessment("A", phq9=12)])
    row = score_risk(data).row(0, named=True)
    assert row["pts_depression"] == 2
    assert "finances" in row["missing_factors"]
    assert row["review_pending"] is True


def test_no_assessments_gives_an_empty_frame_with_every_column():
    data = build(cases=[{"case_id": "A", "opened_on": dt.date(2025, 1, 1)}])
    out = score_risk(data)
    assert out.height == 0
    assert out.columns == score_risk(merge(client("A"))).columns


def test_output_columns_and_types():
    out = score_risk(merge(client("A")))
    model = load_model()
    assert out.columns == [
        "case_id", "assessed_on", "score", "computed_tier", "effective_tier", "provisional", "red_flags",
        "missing_factors", "override_tier", "reviewed_on", "last_review_on", "review_pending",
        *[f"pts_{f.name}" for f in model.factors], *INSTRUMENT_COLUMNS, "age",
    ]  # fmt: skip
    assert out.schema["red_flags"] == pl.List(pl.String)
    assert out.schema["missing_factors"] == pl.List(pl.String)
    assert out.schema["score"] == pl.Int64
    assert out.schema["reviewed_on"] == pl.Date
    assert out.schema["auditc_positive"] == pl.Boolean
    assert out.schema["lace_score"] == pl.Int64
    # issue 18, round 6: a factor's points are Int8 when the model's every point fits (0-4 here)
    assert {out.schema[f"pts_{f.name}"] for f in model.factors} == {pl.Int8}


def test_points_too_big_for_int8_stay_int64_and_the_score_does_not_wrap():
    """A model whose points do not fit in Int8 keeps Int64; an Int8 model's score is summed
    as Int64 (19 factors of 4 points, or 40 of 127, would wrap an Int8)."""
    factors = "".join(
        f'[[factors]]\nname = "h{i}"\ninput = "housing"\npoints = {{ at_risk = 127 }}\n' for i in range(3)
    )
    out = score_risk(build(assessments=[assessment("A", housing="at_risk")]), factors)
    assert out.schema["pts_h0"] == pl.Int8
    assert out.schema["score"] == pl.Int64
    assert out["score"].to_list() == [381]
    big = '[[factors]]\nname = "h"\ninput = "housing"\npoints = { at_risk = 128 }\n'
    out = score_risk(build(assessments=[assessment("A", housing="at_risk")]), big)
    assert out.schema["pts_h"] == pl.Int64
    assert out["pts_h"].to_list() == [128]


# ---- reviews ------------------------------------------------------------------------------


def review(on: dt.date, tier: str | None = None, case_id: str = "A") -> dict:
    return {
        "case_id": case_id,
        "reviewed_on": on,
        "reviewer": "R",
        "override_tier": tier,
        "reason": "x" if tier else None,
    }


def scored_with(*reviews: dict) -> dict:
    sheets = client("A", **HIGH_12)  # computed: high
    return score_risk(build(**sheets, risk_reviews=list(reviews))).row(0, named=True)


def test_no_review_is_pending():
    row = scored_with()
    assert (row["effective_tier"], row["review_pending"], row["reviewed_on"], row["override_tier"]) == (
        "high",
        True,
        None,
        None,
    )


def test_review_on_the_assessment_day_confirms():
    row = scored_with(review(ASSESSED))
    assert (row["effective_tier"], row["review_pending"], row["reviewed_on"]) == ("high", False, ASSESSED)


def test_override_sets_the_effective_tier_not_the_computed_one():
    row = scored_with(review(ASSESSED + dt.timedelta(days=3), "moderate"))
    assert (row["computed_tier"], row["effective_tier"], row["override_tier"]) == ("high", "moderate", "moderate")
    assert row["review_pending"] is False


def test_latest_review_wins_a_later_confirmation_clears_an_override():
    row = scored_with(review(ASSESSED + dt.timedelta(days=1), "low"), review(ASSESSED + dt.timedelta(days=9)))
    assert (row["effective_tier"], row["override_tier"], row["reviewed_on"]) == (
        "high",
        None,
        ASSESSED + dt.timedelta(9),
    )
    row = scored_with(review(ASSESSED + dt.timedelta(days=9), "low"), review(ASSESSED + dt.timedelta(days=1)))
    assert row["effective_tier"] == "low"


def test_review_before_the_latest_assessment_still_overrides_but_is_pending():
    before = ASSESSED - dt.timedelta(days=1)
    row = scored_with(review(before, "low"))
    assert (row["effective_tier"], row["override_tier"], row["last_review_on"]) == ("low", "low", before)
    assert (row["review_pending"], row["reviewed_on"]) == (True, None)


def test_reviews_after_as_of_are_ignored():
    sheets = client("A", **HIGH_12)
    data = build(**sheets, risk_reviews=[review(ASSESSED + dt.timedelta(days=5), "low")])
    row = score_risk(data, as_of=ASSESSED + dt.timedelta(days=4)).row(0, named=True)
    assert (row["effective_tier"], row["review_pending"]) == ("high", True)


# ---- percentile tiers and custom models ------------------------------------------------

PERCENTILE_MODEL = """
[tiers]
method = "percentiles"
high = 0.10
moderate = 0.20

[[factors]]
name = "visits"
input = "assessments.ed_visits_6m"
bands = [{ max = 0, points = 0 }, { min = 1, points = 1 }, ]

[[factors]]
name = "conditions"
input = "assessments.chronic_conditions"
bands = [{ below = 100, points = 0 }, { min = 100, points = 100 }]

[[red_flags]]
name = "item9"
input = "phq9_item9"
min = 1
"""


def test_percentile_tiers_ties_share_one_tier(tmp_path):
    # scores: 0 (i even < 10), 1 (i odd < 10), 100 (i even >= 10), 101 (i odd >= 10): five cases each
    rows = [assessment(f"C{i:02d}", ed_visits_6m=i % 2, chronic_conditions=100 if i >= 10 else 0) for i in range(20)]
    path = tmp_path / "pct.toml"
    path.write_text(PERCENTILE_MODEL, encoding="utf-8")
    out = score_risk(build(assessments=rows), str(path))
    by_score = dict(out.group_by("score").agg(pl.col("computed_tier").unique()).iter_rows())
    # the five at 101 are 25 % of the cases: more than the 10 % high share, within the 30 % of high + moderate;
    # a tie is never split and a tier never holds more than its share, so they are all moderate
    assert by_score == {101: ["moderate"], 100: ["low"], 1: ["low"], 0: ["low"]}


def test_percentile_tiers_top_ten_and_next_twenty_percent():
    bands = ", ".join(f"{{ min = {i}, max = {i}, points = {i} }}" for i in range(19))
    text = PERCENTILE_MODEL.replace(
        "bands = [{ max = 0, points = 0 }, { min = 1, points = 1 }, ]",
        f"bands = [{{ max = -1, points = 0 }}, {bands}, {{ min = 19, points = 19 }}]",
    )
    rows = [assessment(f"C{i:02d}", ed_visits_6m=i, chronic_conditions=0) for i in range(20)]
    out = score_risk(build(assessments=rows), load_model(text)).sort("score", descending=True)
    assert out["score"].to_list() == list(range(19, -1, -1))
    assert out["computed_tier"].to_list() == ["high"] * 2 + ["moderate"] * 4 + ["low"] * 14


def test_percentile_red_flag_still_forces_high():
    rows = [assessment(f"C{i:02d}", ed_visits_6m=0, chronic_conditions=0, phq9_item9=0) for i in range(10)]
    rows[3]["phq9_item9"] = 2
    out = score_risk(build(assessments=rows), load_model(PERCENTILE_MODEL))
    assert out.filter(pl.col("computed_tier") == "high")["case_id"].to_list() == ["C03"]


def test_model_can_use_ethnicity_when_a_team_chooses_to():
    text = '[[factors]]\nname = "e"\ninput = "cases.ethnicity"\npoints = { "group x" = 5 }\n'
    data = build(
        cases=[
            {"case_id": c, "opened_on": dt.date(2025, 1, 1), "ethnicity": e} for c, e in (("A", "group x"), ("B", "y"))
        ],
        assessments=[assessment("A"), assessment("B")],
    )
    assert score_risk(data, text)["score"].to_list() == [5, 0]


def test_float_points_give_a_float_score():
    text = '[[factors]]\nname = "h"\ninput = "housing"\npoints = { at_risk = 0.5 }\n'
    out = score_risk(build(assessments=[assessment("A", housing="at_risk")]), text)
    assert out.schema["score"] == out.schema["pts_h"] == pl.Float64
    assert out["score"].to_list() == [0.5]


# ---- the sample ----------------------------------------------------------------------------


def test_sample_gives_every_tier_flag_and_review_state():
    data = make_sample(500, seed=2026)
    out = score_risk(data)
    assert out.height == data["assessments"]["case_id"].n_unique()
    shares = dict(out["computed_tier"].value_counts(normalize=True).iter_rows())
    # the generator is calibrated so that the default model gives about 50/30/20 on it
    assert set(shares) == {"low", "moderate", "high"}
    for tier, target in {"low": 0.5, "moderate": 0.3, "high": 0.2}.items():
        assert abs(shares[tier] - target) <= 0.08, shares
    assert out["provisional"].any()
    assert not out["provisional"].all()
    assert out["review_pending"].any()
    assert not out["review_pending"].all()
    assert set(out["red_flags"].explode().drop_nulls()) == {
        "self_harm_thoughts", "hypertensive_crisis", "unsafe_housing", "unsafe_home",
    }  # fmt: skip
    overridden = out.filter(pl.col("override_tier").is_not_null())
    assert overridden.height > 0
    assert (overridden["effective_tier"] == overridden["override_tier"]).all()


def test_validation_result_and_case_data_give_the_same_scores():
    data = make_sample(120, seed=7)
    assert score_risk(validate(data, as_of=SAMPLE_AS_OF)).equals(score_risk(data))
