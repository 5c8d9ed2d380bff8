"""Assessment & risk review screen (stages 2–3), driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.data import CaseData
from casekit.i18n import t
from casekit.present import format_number, formats, header
from casekit.risk import fairness_summary, load_model
from tests.app.conftest import open_app, shown_numbers

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODEL = load_model()
TIER_NAMES = {
    "es": {"low": "Bajo", "moderate": "Moderado", "high": "Alto"},
    "en": {"low": "Low", "moderate": "Moderate", "high": "High"},
}
METRIC = {"es": "Nivel: {}", "en": "Tier: {}"}
REVIEWS = {"es": "Revisiones pendientes", "en": "Reviews pending"}


@pytest.fixture(scope="module")
def expected(sample_result: ck.ValidationResult, sample_scores: pl.DataFrame, sample_status: pl.DataFrame) -> dict:
    result, scores, status = sample_result, sample_scores, sample_status
    return {
        "scores": scores,
        "tiers": dict(scores["effective_tier"].value_counts().iter_rows()),
        "first_high": scores.filter(pl.col("effective_tier") == "high")["case_id"].sort()[0],
        "reviews": status.filter(pl.col("flags").list.contains("risk_review_pending")).height,
        "fairness": fairness_summary(result, scores, model=MODEL, for_sharing=False),
        "fairness_shared": fairness_summary(result, scores, model=MODEL),
    }


def _factor_points(at: object, lang: str) -> dict[str, float | None]:
    """The factor table on screen as {factor label: points} (None when missing)."""
    df = at.dataframe[0].value  # type: ignore[attr-defined]
    return dict(zip(df.iloc[:, 0], shown_numbers(df.iloc[:, 1], lang), strict=True))


def _case_points(scores: pl.DataFrame, case_id: str, lang: str) -> dict[str, float | None]:
    row = scores.filter(pl.col("case_id") == case_id).row(0, named=True)
    return {
        f.label(lang): (None if row[f"pts_{f.name}"] is None else float(row[f"pts_{f.name}"])) for f in MODEL.factors
    }


@pytest.mark.parametrize("lang", ["es", "en"])
def test_assessment_figures_equal_casekit(expected: dict, lang: str) -> None:
    at = open_app("assessment", lang=lang)
    assert at.title[0].value == ("Evaluación y revisión del riesgo" if lang == "es" else "Assessment & risk review")
    metrics = {m.label: m.value for m in at.metric}
    for tier, name in TIER_NAMES[lang].items():
        assert metrics[METRIC[lang].format(name)] == format_number(expected["tiers"][tier], lang, ",")
    assert metrics[REVIEWS[lang]] == format_number(expected["reviews"], lang, ",")
    # the picker starts on the first high-tier case, its factors and instruments shown
    assert at.selectbox(key="assessment_case").value == expected["first_high"]
    assert _factor_points(at, lang) == _case_points(expected["scores"], expected["first_high"], lang)
    points = at.dataframe[0].value[header("points", lang)]  # whole points: 4, not 4,00
    assert [str(p) for p in points] == [
        format_number(p, lang) if p is not None else "" for p in _factor_points(at, lang).values()
    ]
    assert not any(formats(lang).decimal in str(p) for p in points)
    instruments = at.dataframe[1].value
    assert list(instruments.columns) == [header("instrument", lang), header("result", lang)]
    assert len(instruments) == 7
    assert not any("_" in str(v) for v in instruments.iloc[:, 1])
    reviews = at.dataframe[2].value
    assert len(reviews) == expected["reviews"]
    # the team's own screen shows its real figures (issue 16); only what is shared is
    # suppressed: the sample has small groups, so the shared table does blank some
    fairness = at.dataframe[3].value
    assert len(fairness) == expected["fairness"].height
    assert int(expected["fairness_shared"]["suppressed"].sum()) > 0
    assert not (fairness[header("suppressed", lang)] == t("common.yes", lang)).any()
    assert t("printing.suppressed", lang) not in fairness.to_string()
    assert shown_numbers(fairness[header("n", lang)], lang) == expected["fairness"]["n"].to_list()
    # the download is for others: suppressed unless the visible switch says otherwise
    assert at.toggle(key="fairness_downloads_exact").value is False
    # the tier thresholds are called a local policy, with the document that explains them
    assert any("docs/risk_model.md" in i.value for i in at.info)


def test_picking_another_case_changes_the_factor_table(expected: dict) -> None:
    at = open_app("assessment", lang="en")
    scores = expected["scores"]
    before = _factor_points(at, "en")
    other = scores.filter(pl.col("effective_tier") == "low")["case_id"].sort()[0]
    at.selectbox(key="assessment_case").set_value(other).run()
    assert not at.exception, [e.value for e in at.exception]
    after = _factor_points(at, "en")
    assert after == _case_points(scores, other, "en")
    assert after != before
    row = scores.filter(pl.col("case_id") == other).row(0, named=True)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Score"] == str(row["score"])
    assert metrics["Effective tier"] == TIER_NAMES["en"][row["effective_tier"]]


def test_an_overridden_case_shows_computed_and_effective_tiers(expected: dict) -> None:
    scores = expected["scores"]
    row = scores.filter(pl.col("override_tier") != pl.col("computed_tier")).row(0, named=True)
    at = open_app("assessment", lang="es")
    at.selectbox(key="assessment_case").set_value(row["case_id"]).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Nivel calculado"] == TIER_NAMES["es"][row["computed_tier"]]
    assert metrics["Nivel efectivo"] == TIER_NAMES["es"][row["effective_tier"]]
    assert metrics["Modificación"] == TIER_NAMES["es"][row["override_tier"]]


@pytest.mark.parametrize(
    ("lang", "message"), [("es", "Todavía no hay evaluaciones"), ("en", "No assessments recorded")]
)
def test_a_workbook_with_only_cases_explains_the_empty_screen(lang: str, message: str) -> None:
    cases = ck.make_sample(30, seed=2).get("cases")
    at = open_app("assessment", lang=lang)
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value(
        ("solo_casos.xlsx", ck.write_workbook(CaseData({"cases": cases}), None), XLSX)
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/assessment.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert sum(message in i.value for i in at.info) >= 2
    assert {m.label: m.value for m in at.metric}[REVIEWS[lang]] == "0"
    assert len(at.dataframe) == 0
