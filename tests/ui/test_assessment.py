"""Figures of the Assessment & risk review screen (casekit/ui/assessment.py), without Streamlit."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.data import CaseData
from casekit.present import readable, screen_headers
from casekit.risk import fairness_summary, load_model
from casekit.ui.assessment import (
    case_choices,
    case_summary,
    default_case,
    factor_table,
    instruments_table,
    reviews_pending,
    tier_counts,
    tier_policy,
)

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
AS_OF = ck.SAMPLE_AS_OF
MODEL = load_model()


@pytest.fixture(scope="module")
def sample() -> dict:
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=AS_OF)
    scores = ck.score_risk(result, as_of=AS_OF)
    status = ck.case_status(result, as_of=AS_OF, risk=scores)
    return {"result": result, "scores": scores, "status": status}


def test_tier_counts_equal_score_risk_value_counts(sample: dict) -> None:
    scores = sample["scores"]
    counts = tier_counts(scores)
    expected = dict(scores["effective_tier"].value_counts().iter_rows())
    assert dict(counts.select("tier", "cases").iter_rows()) == expected
    assert counts["tier"].to_list() == ["low", "moderate", "high"]
    assert counts["share"].sum() == pytest.approx(1.0)
    computed = dict(tier_counts(scores, "computed_tier").select("tier", "cases").iter_rows())
    assert computed == dict(scores["computed_tier"].value_counts().iter_rows())


def test_picker_defaults_to_the_first_high_tier_case(sample: dict) -> None:
    scores = sample["scores"]
    choices = case_choices(scores)
    assert choices == sorted(scores["case_id"].to_list())
    first_high = scores.filter(pl.col("effective_tier") == "high")["case_id"].sort()[0]
    assert default_case(scores) == first_high
    assert default_case(scores.head(0)) is None


def test_factor_table_is_the_picked_cases_points(sample: dict) -> None:
    scores = sample["scores"]
    a, b = case_choices(scores)[:2]
    tables = {}
    for case in (a, b):
        table = factor_table(scores, case, MODEL, "en")
        row = scores.filter(pl.col("case_id") == case).row(0, named=True)
        expected = {f.name: row[f"pts_{f.name}"] for f in MODEL.factors}
        got = dict(table.select("factor", "points").iter_rows())
        assert got == {k: (None if v is None else float(v)) for k, v in expected.items()}
        assert set(table.filter(pl.col("note") != "")["factor"]) == set(row["missing_factors"])
        assert table["label"].to_list()[0] in {f.label("en") for f in MODEL.factors}
        tables[case] = table
    assert not tables[a].equals(tables[b])
    assert factor_table(scores, "NO-SUCH-CASE", MODEL, "en").height == 0


def test_factor_table_order_matches_the_factors_chart(sample: dict) -> None:
    from casekit.charts import chart_data, factors_chart

    scores = sample["scores"]
    case = default_case(scores)
    chart_rows = chart_data(factors_chart(scores, case, model=MODEL, lang="es"))
    assert factor_table(scores, case, MODEL, "es")["label"].to_list() == chart_rows["label"].to_list()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_instruments_are_labelled(sample: dict, lang: str) -> None:
    scores = sample["scores"]
    case = default_case(scores)
    table = instruments_table(scores, case, lang)
    assert table.height == 7
    row = scores.filter(pl.col("case_id") == case).row(0, named=True)
    results = table["result"].to_list()
    no_data = "sin datos" if lang == "es" else "no data"
    assert results[5] == (no_data if row["lace_score"] is None else str(row["lace_score"]))
    with_lace = scores.filter(pl.col("lace_score").is_not_null()).row(0, named=True)
    assert instruments_table(scores, with_lace["case_id"], lang)["result"][5] == str(with_lace["lace_score"])
    assert not any("_" in r for r in results)  # labels, never ids such as stage_1 or obese_1
    # every category of the sample gets a label
    for col in ("phq9_severity", "gad7_severity", "bp_category", "bmi_class"):
        for value in scores[col].drop_nulls().unique():
            case_with = scores.filter(pl.col(col) == value)["case_id"][0]
            assert not any("_" in r for r in instruments_table(scores, case_with, lang)["result"])


def test_case_summary_shows_override_red_flags_and_missing_inputs(sample: dict) -> None:
    scores = sample["scores"]
    overridden = scores.filter(
        pl.col("override_tier").is_not_null() & (pl.col("override_tier") != pl.col("computed_tier"))
    )
    case = overridden["case_id"][0]
    row = overridden.row(0, named=True)
    summary = case_summary(scores, case, MODEL, "en")
    assert summary["override_tier"] == row["override_tier"].capitalize()
    assert summary["effective_tier"] != summary["computed_tier"]
    flagged = scores.filter(pl.col("red_flags").list.len() > 0).row(0, named=True)
    summary = case_summary(scores, flagged["case_id"], MODEL, "es")
    names = {f.name: f.label("es") for f in MODEL.red_flags}
    assert summary["red_flags"] == [names[f] for f in flagged["red_flags"]]
    assert summary["computed_tier"] == "Alto"
    missing = scores.filter(pl.col("missing_factors").list.len() > 0).row(0, named=True)
    labels = {f.name: f.label("en") for f in MODEL.factors}
    assert case_summary(scores, missing["case_id"], MODEL, "en")["missing"] == [
        labels[f] for f in missing["missing_factors"]
    ]
    assert case_summary(scores, "NO-SUCH-CASE", MODEL) == {}


def test_reviews_pending_is_the_flag_list_with_due_dates(sample: dict) -> None:
    status, scores = sample["status"], sample["scores"]
    pending = reviews_pending(status, scores)
    flagged = ck.worklist(status).filter(pl.col("flag") == "risk_review_pending")
    assert pending.height == flagged.height > 0
    assert pending.select("case_id", "due_on", "days_overdue").equals(
        flagged.select("case_id", "due_on", "days_overdue")
    )
    assert set(pending["case_id"]) <= set(scores.filter(pl.col("review_pending"))["case_id"])
    shown = readable(pending, "es", headers=screen_headers("ui_assessment", pending.columns, "es"))
    assert "Revisión prevista el" in shown.columns
    assert set(shown["Nivel calculado"]) <= {"Bajo", "Moderado", "Alto"}


def test_fairness_table_shows_suppressed_groups_as_such(sample: dict) -> None:
    fairness = fairness_summary(sample["result"], sample["scores"], model=MODEL)
    table = readable(fairness, "en")
    assert table.height == fairness.height
    assert table["Number of cases"].to_list() == [f"{n:,}" if n is not None else "suppressed" for n in fairness["n"]]
    notes = table["Suppressed (small cell)"].to_list()
    assert [n == "yes" for n in notes] == fairness["suppressed"].to_list()
    assert "yes" in notes
    suppressed = table.filter(fairness["n"].is_null())
    assert set(suppressed["Number of cases"]) == {"suppressed"}  # their figures are labelled as suppressed
    share = table.filter(fairness["share_high"].is_null())["High (share)"]
    assert set(share) == {"suppressed"}  # a share that would be 1-10 people, too
    assert table["Group"][0] == "All cases"
    high = fairness["share_high"][0]
    assert table["High (share)"][0] == (f"{high:.1%}" if high is not None else "suppressed")
    assert "Mujer" in readable(fairness, "es")["Grupo"].to_list()


def test_tier_policy_names_the_thresholds_and_says_local_policy() -> None:
    text = tier_policy(MODEL, "es")
    assert "6" in text
    assert "12" in text
    assert "política local" in text
    assert "docs/risk_model.md" in text
    model = load_model(
        MODEL.text.replace('method = "thresholds"', 'method = "percentiles"')
        .replace("moderate = 6 ", "moderate = 0.2 ")
        .replace("high = 12", "high = 0.05")
    )
    assert "5%" in tier_policy(model, "en")
    assert "local policy" in tier_policy(model, "en")


def test_no_assessments_gives_empty_frames_not_errors() -> None:
    cases = ck.make_sample(20, seed=1).get("cases")
    result = ck.validate(CaseData({"cases": cases}), as_of=AS_OF)
    scores = ck.score_risk(result, as_of=AS_OF)
    status = ck.case_status(result, as_of=AS_OF, risk=scores)
    assert tier_counts(scores)["cases"].to_list() == [0, 0, 0]
    assert case_choices(scores) == []
    assert default_case(scores) is None
    assert reviews_pending(status, scores).height == 0
    assert instruments_table(scores, None, "en").height == 0
