"""Computations of the Outcomes screen (casekit/ui/_outcomes.py), without Streamlit."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.outcomes import GROUPINGS, outcome_summary, post_only_summary, post_only_values, utilisation_summary
from casekit.ui import _outcomes as oc

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"


@pytest.fixture(scope="module")
def sample() -> dict[str, object]:
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=ck.SAMPLE_AS_OF)
    changes = ck.outcome_changes(result, as_of=ck.SAMPLE_AS_OF)
    scores = ck.score_risk(result, as_of=ck.SAMPLE_AS_OF)
    return {"result": result, "changes": changes, "scores": scores}


def _summary(sample: dict, by: list[str]) -> pl.DataFrame:
    return outcome_summary(sample["result"], by, changes=sample["changes"], scores=sample["scores"])


def test_percentages_are_the_summary_shares_times_100(sample: dict) -> None:
    summary = _summary(sample, ["effective_tier"])
    shown = oc.readable(summary, "en")
    assert shown["% improved"].to_list() == [round(v * 100, 1) for v in summary["pct_improved"]]
    assert shown["Risk tier"].to_list() == ["Low", "Moderate", "High"]
    assert shown["Pairs"].to_list() == summary["n_pairs"].to_list()
    # means are null when the groups mix measures: those columns are left out
    assert "Mean change" not in shown.columns
    assert "Effect size" not in shown.columns


def test_the_grouping_decides_the_columns(sample: dict) -> None:
    by_measure = oc.readable(_summary(sample, ["domain", "measure"]), "es")
    by_manager = oc.readable(_summary(sample, ["case_manager", "sex"]), "es")
    assert by_measure.columns[:2] == ["Ámbito", "Medida"]
    assert by_manager.columns[:2] == ["Gestor de casos", "Sexo"]
    assert "Cambio medio" in by_measure.columns
    assert set(by_manager["Sexo"]) <= {"Mujer", "Hombre", "Otro", "Desconocido", "(en blanco)"}
    overall = oc.readable(_summary(sample, []), "es")
    assert overall.height == 1
    assert overall.columns[0] == "Casos"


def test_every_grouping_has_a_label_in_both_languages() -> None:
    for lang in ("es", "en"):
        labels = [oc.grouping_label(g, lang) for g in GROUPINGS]
        assert len(set(labels)) == len(GROUPINGS)
        assert not any("." in label or "_" in label for label in labels)


def test_suppressed_rows_stay_blank_and_say_so(sample: dict) -> None:
    summary = _summary(sample, ["case_manager", "sex"])
    assert summary["suppressed"].any()
    shown = oc.readable(summary, "en")
    blanked = shown.filter(pl.col("Suppressed") == "yes")
    assert blanked.height == summary["suppressed"].sum()
    assert blanked["% improved"].null_count() == blanked.height
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
    shown = oc.readable(rows, "es")
    assert shown["Media"].to_list() == [round(values.mean(), 2)]
    assert shown["Mediana"].to_list() == [values.median()]
    assert oc.satisfaction(_summary(sample, ["effective_tier"])).height == 0


def test_utilisation_headlines_put_cost_first(sample: dict) -> None:
    util = utilisation_summary(sample["result"], as_of=ck.SAMPLE_AS_OF)
    heads = oc.utilisation_headlines(util)
    assert heads["measure"].to_list() == ["monthly_cost", "admissions_12m", "ed_visits_6m"]
    for measure, pct in heads.select("measure", "pct_change").iter_rows():
        assert pct == util.filter(pl.col("measure") == measure)["pct_change"].item()
    shown = oc.readable(util, "es")
    assert "Coste mensual" in shown["Medida"].to_list()
    assert shown["% de cambio del total"].to_list() == [round(v * 100, 1) for v in util["pct_change"]]


def test_readable_on_an_empty_summary_keeps_the_headers() -> None:
    empty = pl.DataFrame(schema={"effective_tier": pl.String, "n_cases": pl.Int64, "pct_improved": pl.Float64})
    assert oc.readable(empty, "en").columns == ["Risk tier", "Cases", "% improved"]
    assert oc.satisfaction(pl.DataFrame(schema={"domain": pl.String})).height == 0


def test_hidden_by_privacy_tells_suppression_from_absence(sample: dict) -> None:
    assert oc.hidden_by_privacy(_summary(sample, ["case_manager", "sex"]))
    assert not oc.hidden_by_privacy(_summary(sample, ["effective_tier"]))
    assert not oc.hidden_by_privacy(pl.DataFrame(schema={"suppressed": pl.Boolean}))
