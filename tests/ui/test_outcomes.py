"""Computations of the Outcomes screen (casekit/ui/outcomes.py), without Streamlit."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.outcomes import GROUPINGS, outcome_summary, post_only_summary, post_only_values, utilisation_summary
from casekit.present import format_number, header, number_style, readable, screen_headers
from casekit.ui import outcomes as oc

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"


@pytest.fixture(scope="module")
def sample() -> dict[str, object]:
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=ck.SAMPLE_AS_OF)
    changes = ck.outcome_changes(result, as_of=ck.SAMPLE_AS_OF)
    scores = ck.score_risk(result, as_of=ck.SAMPLE_AS_OF)
    return {"result": result, "changes": changes, "scores": scores}


def _summary(sample: dict, by: list[str], *, for_sharing: bool = False) -> pl.DataFrame:
    """The summary the screen shows (the team's own view: ``for_sharing=False``, as ``derived.py``)."""
    return outcome_summary(
        sample["result"], by, changes=sample["changes"], scores=sample["scores"], for_sharing=for_sharing
    )


def _read(summary: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The table the screen shows (``widgets.table(oc.shown(…), screen="ui_outcomes")``)."""
    ready = oc.shown(summary, lang)
    return readable(ready, lang, headers=screen_headers("ui_outcomes", ready.columns, lang))


def _number(value: float, lang: str, column: str) -> str:
    """``value`` as a table writes it in ``column`` (a whole number without decimals)."""
    style = number_style(column)
    if float(value).is_integer() and not style.percent:
        return format_number(value, lang)
    return format_number(value, lang, f",.{style.decimals}{'%' if style.percent else 'f'}")


def test_percentages_are_the_summary_shares_times_100(sample: dict) -> None:
    summary = _summary(sample, ["effective_tier"])
    shown = _read(summary, "en")
    improved = [_number(v, "en", "pct_improved") for v in summary["pct_improved"]]
    assert shown[header("pct_improved", "en")].to_list() == improved
    assert shown["Risk tier"].to_list() == ["Low", "Moderate", "High"]
    assert shown["Pairs"].to_list() == [str(n) for n in summary["n_pairs"]]
    spanish = _read(summary, "es")[header("pct_improved", "es")].to_list()
    assert spanish == [_number(v, "es", "pct_improved") for v in summary["pct_improved"]]
    assert all("," in v and "." not in v for v in spanish)  # 12,5 %: a decimal comma
    # means are null when the groups mix measures: those columns are left out
    assert "Mean change" not in shown.columns
    assert "Effect size" not in shown.columns


def test_the_grouping_decides_the_columns(sample: dict) -> None:
    by_measure = _read(_summary(sample, ["domain", "measure"]), "es")
    by_manager = _read(_summary(sample, ["case_manager", "sex"]), "es")
    assert by_measure.columns[:2] == ["Ámbito", "Medida"]
    assert by_manager.columns[:2] == ["Gestor del caso", "Sexo"]
    assert "Cambio medio" in by_measure.columns
    assert set(by_manager["Sexo"]) <= {"Mujer", "Hombre", "Otro", "Desconocido", "(en blanco)"}
    overall = _read(_summary(sample, []), "es")
    assert overall.height == 1
    assert overall.columns[0] == "Casos"


def test_every_grouping_has_a_label_in_both_languages() -> None:
    for lang in ("es", "en"):
        labels = [header(g, lang) for g in GROUPINGS]
        assert len(set(labels)) == len(GROUPINGS)
        assert not any("." in label or "_" in label for label in labels)


def test_suppressed_rows_stay_blank_and_say_so(sample: dict) -> None:
    summary = _summary(sample, ["case_manager", "sex"], for_sharing=True)
    assert summary["suppressed"].any()
    shown = _read(summary, "en")
    blanked = shown.filter(pl.col(header("suppressed", "en")) == "yes")
    assert blanked.height == summary["suppressed"].sum()
    assert set(blanked[header("pct_improved", "en")]) == {"suppressed"}
    assert oc.suppression_range() == (1, 10)
    assert oc.suppression_range(5) == (1, 4)


def test_satisfaction_is_post_only_and_reported_with_its_distribution(sample: dict) -> None:
    # CSQ-8 is measured once, at discharge: no pair in outcome_summary, a distribution here
    assert oc.satisfaction(_summary(sample, ["domain", "measure"])).height == 0
    post = post_only_summary(sample["result"], as_of=ck.SAMPLE_AS_OF)
    rows = oc.satisfaction(post)
    assert rows["measure"].to_list() == ["CSQ-8"]
    values = post_only_values(sample["result"], as_of=ck.SAMPLE_AS_OF)["value"]
    assert rows["n_cases"].item() == values.len() > 10
    assert rows["mean"].item() == pytest.approx(values.mean())
    shown = _read(rows, "es")
    assert shown["Media"].to_list() == [_number(values.mean(), "es", "mean")]
    assert shown["Mediana"].to_list() == [_number(values.median(), "es", "median")]
    assert oc.satisfaction(_summary(sample, ["effective_tier"])).height == 0


def test_utilisation_headlines_put_cost_first(sample: dict) -> None:
    util = utilisation_summary(sample["result"], as_of=ck.SAMPLE_AS_OF)
    heads = oc.utilisation_headlines(util)
    assert heads["measure"].to_list() == ["monthly_cost", "admissions_12m", "ed_visits_6m"]
    for measure, pct in heads.select("measure", "pct_change").iter_rows():
        assert pct == util.filter(pl.col("measure") == measure)["pct_change"].item()
    shown = _read(util, "es")
    assert "Coste mensual" in shown["Medida"].to_list()
    expected = [_number(v, "es", "pct_change") if v is not None else "" for v in util["pct_change"]]
    assert shown[header("pct_change", "es")].to_list() == expected


def test_readable_on_an_empty_summary_keeps_the_headers() -> None:
    empty = pl.DataFrame(schema={"effective_tier": pl.String, "n_cases": pl.Int64, "pct_improved": pl.Float64})
    assert _read(empty, "en").columns == ["Risk tier", "Cases", "Improved"]
    assert oc.satisfaction(pl.DataFrame(schema={"domain": pl.String})).height == 0
