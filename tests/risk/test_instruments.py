"""Every boundary of every instrument's published table; nulls in, nulls out."""

from __future__ import annotations

import polars as pl
import pytest

from casekit.risk import (
    auditc_positive,
    bmi_class,
    bp_category,
    gad7_severity,
    lace_score,
    lace_tier,
    phq9_severity,
)


def one(expr: pl.Expr, **cols: list) -> list:
    return pl.DataFrame(cols).select(expr).to_series().to_list()


PHQ9 = [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe"), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("total", "expected"), PHQ9)
def test_phq9_severity(total, expected):
    assert one(phq9_severity("x"), x=pl.Series([total], dtype=pl.Int64)) == [expected]


GAD7 = [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "severe"), (21, "severe"), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("total", "expected"), GAD7)
def test_gad7_severity(total, expected):
    assert one(gad7_severity("x"), x=pl.Series([total], dtype=pl.Int64)) == [expected]


AUDITC = [
    (3, "male", False), (4, "male", True), (2, "female", False), (3, "female", True),
    (2, "other", False), (3, "other", True), (3, "unknown", True), (3, None, True),
    (0, "female", False), (12, "male", True), (None, "male", None), (None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(("score", "sex", "expected"), AUDITC)
def test_auditc_positive(score, sex, expected):
    df = pl.DataFrame({"s": [score], "sex": [sex]}, schema={"s": pl.Int64, "sex": pl.String})
    assert df.select(auditc_positive("s", "sex")).item() is expected


def test_auditc_without_sex_uses_lower_cutoff():
    assert one(auditc_positive("s"), s=[2, 3]) == [False, True]


BP = [
    (119, 79, "normal"), (60, 30, "normal"), (120, 79, "elevated"), (129, 79, "elevated"),
    (130, 79, "stage_1"), (139, 79, "stage_1"), (119, 80, "stage_1"), (128, 84, "stage_1"),
    (119, 89, "stage_1"), (140, 79, "stage_2"), (119, 90, "stage_2"), (180, 110, "stage_2"),
    (180, 120, "stage_2"), (181, 80, "crisis"), (150, 121, "crisis"), (119, 121, "crisis"),
    (200, 130, "crisis"), (None, 80, None), (130, None, None), (None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(("sys_", "dia", "expected"), BP)
def test_bp_category(sys_, dia, expected):
    df = pl.DataFrame({"s": [sys_], "d": [dia]}, schema={"s": pl.Int64, "d": pl.Int64})
    assert df.select(bp_category("s", "d")).item() == expected


BMI = [
    (10.0, "underweight_severe"), (15.99, "underweight_severe"), (16.0, "underweight_moderate"),
    (16.99, "underweight_moderate"), (17.0, "underweight_mild"), (18.49, "underweight_mild"),
    (18.5, "normal"), (24.99, "normal"), (25.0, "overweight"), (29.99, "overweight"), (30.0, "obese_1"),
    (34.99, "obese_1"), (35.0, "obese_2"), (39.99, "obese_2"), (40.0, "obese_3"), (90.0, "obese_3"),
    (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("bmi", "expected"), BMI)
def test_bmi_class(bmi, expected):
    assert one(bmi_class("x"), x=pl.Series([bmi], dtype=pl.Float64)) == [expected]


# L: <1→0, 1→1, 2→2, 3→3, 4–6→4, 7–13→5, ≥14→7
LOS = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (6, 4), (7, 5), (13, 5), (14, 7), (90, 7)]
# C: 0→0, 1→1, 2→2, 3→3, ≥4→5
CHARLSON = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (12, 5)]
# E: 0–3 as is, ≥4→4
ED = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (25, 4)]


def lace(los, acute, cci, ed):
    df = pl.DataFrame(
        {"l": [los], "a": [acute], "c": [cci], "e": [ed]},
        schema={"l": pl.Int64, "a": pl.Boolean, "c": pl.Int64, "e": pl.Int64},
    )
    return df.select(lace_score("l", "a", "c", "e")).item()


@pytest.mark.parametrize(("los", "points"), LOS)
def test_lace_length_of_stay(los, points):
    assert lace(los, False, 0, 0) == points


@pytest.mark.parametrize(("cci", "points"), CHARLSON)
def test_lace_comorbidity(cci, points):
    assert lace(0, False, cci, 0) == points


@pytest.mark.parametrize(("ed", "points"), ED)
def test_lace_emergency_visits(ed, points):
    assert lace(0, False, 0, ed) == points


def test_lace_acute_and_total():
    assert lace(0, True, 0, 0) == 3
    assert lace(14, True, 4, 4) == 19  # the maximum
    assert lace(5, True, 2, 1) == 4 + 3 + 2 + 1


@pytest.mark.parametrize("missing", range(4))
def test_lace_any_missing_input_is_null_not_zero(missing):
    values = [0, False, 0, 0]
    values[missing] = None
    assert lace(*values) is None


def test_lace_default_column_names():
    df = pl.DataFrame({"length_of_stay_days": [7], "acute_admission": [True], "charlson": [1], "ed_visits_6m": [2]})
    assert df.select(lace_score()).item() == 5 + 3 + 1 + 2


LACE_TIER = [(0, "low"), (4, "low"), (5, "moderate"), (9, "moderate"), (10, "high"), (19, "high"), (None, None)]


@pytest.mark.parametrize(("score", "expected"), LACE_TIER)
def test_lace_tier(score, expected):
    assert one(lace_tier("x"), x=pl.Series([score], dtype=pl.Int64)) == [expected]


def test_instruments_on_a_whole_frame_keep_rows_and_order():
    df = pl.DataFrame({"phq9": [20, None, 4, 10], "s": [181, 119, 130, None], "d": [80, 79, 79, 80]})
    out = df.select(phq9_severity(pl.col("phq9")), bp_category("s", "d"))
    assert out.rows() == [
        ("severe", "crisis"),
        (None, "normal"),
        ("minimal", "stage_1"),
        ("moderate", None),
    ]
