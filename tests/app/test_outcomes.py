"""Outcomes screen, driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.outcomes import outcome_summary, post_only_summary, utilisation_summary
from casekit.present import format_number
from tests.app.conftest import open_app, shown_numbers

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def expected(sample_result: ck.ValidationResult, sample_scores: pl.DataFrame) -> dict[str, object]:
    result, scores = sample_result, sample_scores
    changes = ck.outcome_changes(result, as_of=ck.SAMPLE_AS_OF)
    return {  # the team's own screen: exact counts (for_sharing=False)
        "result": result,
        "by_tier": outcome_summary(result, ["effective_tier"], changes=changes, scores=scores, for_sharing=False),
        "by_measure": outcome_summary(result, ["domain", "measure"], changes=changes, for_sharing=False),
        "by_manager": outcome_summary(result, ["case_manager"], changes=changes, for_sharing=False),
        "util": utilisation_summary(result, as_of=ck.SAMPLE_AS_OF, for_sharing=False),
        "post_only": post_only_summary(result, as_of=ck.SAMPLE_AS_OF, for_sharing=False),
        "rates": ck.utilisation_rate_summary(result, as_of=ck.SAMPLE_AS_OF, for_sharing=False),
    }


def _frame(at, *columns: str, without: str = "\0"):
    """The first table on screen having all ``columns`` (and not ``without``)."""
    return next(
        d.value for d in at.dataframe if set(columns) <= set(d.value.columns) and without not in d.value.columns
    )


TEXTS = {
    "es": ("Nivel de riesgo", "Mejoran", "Mejoran · {}", {"low": "Bajo", "moderate": "Moderado", "high": "Alto"}),
    "en": ("Risk tier", "Improved", "Improved · {}", {"low": "Low", "moderate": "Moderate", "high": "High"}),
}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_improved_by_tier_equals_outcome_summary(expected: dict, lang: str) -> None:
    tier_col, improved, metric, tiers = TEXTS[lang]
    at = open_app("outcomes", lang=lang)
    assert at.title[0].value == ("Resultados" if lang == "es" else "Outcomes")
    by_tier = expected["by_tier"]
    shown = _frame(at, tier_col, improved)
    assert shown[tier_col].tolist() == [tiers[t] for t in by_tier["effective_tier"]]
    assert shown_numbers(shown[improved], lang) == [round(v * 100, 1) for v in by_tier["pct_improved"]]
    metrics = {m.label: m.value for m in at.metric}
    for tier, share in by_tier.select("effective_tier", "pct_improved").iter_rows():
        assert metrics[metric.format(tiers[tier])] == format_number(share, lang, ".0%")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_utilisation_comes_first_and_equals_utilisation_summary(expected: dict, lang: str) -> None:
    at = open_app("outcomes", lang=lang)
    util = expected["util"]
    # the first metrics are the utilisation and cost changes, cost first
    first = at.metric[0]
    cost = util.filter(pl.col("measure") == "monthly_cost")["pct_change"].item()
    assert first.label == ("Coste mensual" if lang == "es" else "Monthly cost")
    english = f"{cost:+.1%}"  # e.g. -4.2% in English, -4,2 % in Spanish
    assert first.value == (english.replace(".", ",").replace("%", "\u00a0%") if lang == "es" else english)
    assert at.subheader[0].value.startswith("Utilización" if lang == "es" else "Utilisation")
    total = ck.present.header("pct_change", lang)
    shown = at.dataframe[0].value
    assert shown_numbers(shown[total], lang) == [round(v * 100, 1) for v in util["pct_change"]]


def test_change_by_domain_and_satisfaction(expected: dict) -> None:
    at = open_app("outcomes", lang="en")
    by_measure = expected["by_measure"]
    shown = _frame(at, "Domain", "Measure", "Mean change", without="Total before")
    assert len(shown) == by_measure.height
    assert shown_numbers(shown["Pairs"], "en") == by_measure["n_pairs"].to_list()
    assert "Clinical" in shown["Domain"].tolist()
    assert by_measure.filter(pl.col("domain") == "satisfaction").height == 0  # CSQ-8 has no pairs: post-only
    csq = expected["post_only"].row(0, named=True)
    label = f"{csq['measure']}: mean of {csq['n_cases']} cases"
    assert {m.label: m.value for m in at.metric}[label] == format_number(csq["mean"], "en", ".1f")
    shown = _frame(at, "Median", "25th percentile")
    assert shown_numbers(shown["Cases"], "en") == [csq["n_cases"]]
    assert any("regression to the mean" in w.value for w in at.warning)
    assert any("minimal clinically important difference" in c.value for c in at.caption)


def test_changing_the_grouping_changes_the_columns(expected: dict) -> None:
    at = open_app("outcomes", lang="en")
    grouped = at.dataframe[-1].value
    assert list(grouped.columns[:2]) == ["Domain", "Measure"]
    at.multiselect(key="out_by").set_value(["case_manager"]).run()
    assert not at.exception, [e.value for e in at.exception]
    grouped = at.dataframe[-1].value
    assert grouped.columns[0] == "Case manager"
    assert "Measure" not in grouped.columns
    # by case manager the rows mix measures: no before/after figure, one caveat fewer
    assert sum("regression to the mean" in w.value for w in at.warning) == 3
    by_manager = expected["by_manager"]
    assert grouped["Case manager"].tolist() == by_manager["case_manager"].to_list()
    improved = shown_numbers(grouped[ck.present.header("pct_improved", "en")], "en")
    assert improved == [round(v * 100, 1) for v in by_manager["pct_improved"]]


def test_small_cell_suppression_is_explained() -> None:
    at = open_app("outcomes", lang="es")
    assert any("de 1 a 10 casos" in c.value for c in at.caption)


def test_every_table_can_be_downloaded() -> None:
    at = open_app("outcomes", lang="en")
    keys = {b.key for b in at.get("download_button")}
    for stem in ("out_utilisation", "out_domain", "out_tier", "out_satisfaction", "out_grouped"):
        assert {f"{stem}_csv", f"{stem}_xlsx"} <= keys


def test_a_workbook_with_only_cases_explains_there_are_no_outcomes(expected: dict) -> None:
    cases_only = ck.write_workbook({"cases": expected["result"].data["cases"]}, None)
    at = open_app("outcomes", lang="en")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value(("only_cases.xlsx", cases_only, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No outcome measures recorded yet" in i.value for i in at.info)


def test_a_small_pilot_sees_its_own_real_counts() -> None:
    broken = SAMPLE.parent / "casekit_broken_es.xlsx"
    at = open_app("outcomes", lang="en")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value((broken.name, broken.read_bytes(), XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("rows with errors were set aside" in w.value for w in at.warning)
    # 28 cases: every group is below the sharing threshold, yet the team sees its own real counts
    assert not any("No outcome measures recorded yet" in i.value for i in at.info)
    grouped = at.dataframe[-1].value
    assert "suppressed" not in grouped.to_string()
    assert all(n > 0 for n in shown_numbers(grouped["Cases"], "en"))
    # what leaves the team is suppressed unless the visible switch says otherwise
    assert at.toggle(key="outcomes_downloads_exact").value is False


@pytest.mark.parametrize("lang", ["es", "en"])
def test_rates_per_member_month_with_their_windows_and_the_caveat(expected: dict, lang: str) -> None:
    at = open_app("outcomes", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    rates = expected["rates"]
    before, unit = ("Tasa antes", "Unidad de la tasa") if lang == "es" else ("Rate before", "Rate unit")
    shown = _frame(at, before, unit)
    assert shown_numbers(shown[before], lang) == [round(v, 2) for v in rates["rate_before"]]
    pmpm = "por persona y mes (PMPM)" if lang == "es" else "per member per month (PMPM)"
    assert shown[unit].tolist()[-1] == pmpm  # monthly_cost sorts last
    caveat = "regresión a la media" if lang == "es" else "regression to the mean"
    # beside every before/after figure of use: the means, the rates, the table by domain and
    # measure and the grouped table (by domain and measure by default)
    assert sum(caveat in w.value for w in at.warning) == 4
    windows = "nunca se solapan" if lang == "es" else "never overlap"
    assert any(windows in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_goal_attainment_on_the_outcomes_screen(expected: dict, lang: str) -> None:
    result = expected["result"]
    at = open_app("outcomes", lang=lang)
    overall = ck.goal_attainment(result, (), as_of=ck.SAMPLE_AS_OF, for_sharing=False).row(0, named=True)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[ck.present.header("pct_achieved", lang)] == format_number(overall["pct_achieved"], lang, ".0%")
    assert metrics[ck.present.header("n_overdue", lang)] == format_number(overall["n_overdue"], lang)
    at.selectbox(key="out_goals_by").set_value("owner").run()
    assert not at.exception, [e.value for e in at.exception]
    by_owner = ck.goal_attainment(result, ["owner"], as_of=ck.SAMPLE_AS_OF, for_sharing=False)
    owner, goals = ck.present.header("owner", lang), ck.present.header("n_goals", lang)
    shown = _frame(at, owner, goals)
    client = "Cliente" if lang == "es" else "Client"
    assert shown[owner].tolist()[0] == client
    assert shown[goals].tolist()[0] == format_number(by_owner["n_goals"][0], lang)
