"""Figures of the Screening screen (casekit/ui/screening.py), without Streamlit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.charts import OKABE_ITO
from casekit.contract import VOCABS
from casekit.data import CaseData
from casekit.present import readable, screen_headers
from casekit.ui.screening import (
    BLANK,
    FINDINGS,
    awaiting_screening,
    decisions,
    finding_chart,
    findings,
    latest_screenings,
    managers,
    not_eligible_open,
)

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
AS_OF = ck.SAMPLE_AS_OF


@pytest.fixture(scope="module")
def sample() -> dict:
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=AS_OF)
    status = ck.case_status(result, as_of=AS_OF, risk=ck.score_risk(result, as_of=AS_OF))
    return {"result": result, "status": status}


def _latest_by_hand(result: ck.ValidationResult) -> pl.DataFrame:
    scr = result.data.get("screenings")
    return (
        scr.filter(pl.col("screened_on") <= AS_OF)
        .sort("screened_on", "_row")
        .group_by("case_id", maintain_order=True)
        .last()
    )


def test_awaiting_is_every_case_in_screening_and_overdue_is_the_flag(sample: dict) -> None:
    status = sample["status"]
    waiting = awaiting_screening(status)
    in_screening = status.filter(pl.col("current_stage") == "screening")
    assert waiting.height == in_screening.height
    assert set(waiting["case_id"]) == set(in_screening["case_id"])
    flagged = in_screening.filter(pl.col("flags").list.contains("screening_overdue"))
    assert int(waiting["overdue"].sum()) == flagged.height > 0
    expected = (
        ck.worklist(status)
        .filter(pl.col("flag") == "screening_overdue")
        .select("case_id", "due_on", "days_overdue")
        .sort("case_id")
    )
    got = waiting.filter(pl.col("overdue")).select("case_id", "due_on", "days_overdue").sort("case_id")
    assert got.equals(expected)
    # overdue first, most days overdue first
    days = waiting["days_overdue"].drop_nulls().to_list()
    assert days == sorted(days, reverse=True)
    assert waiting["overdue"].to_list() == sorted(waiting["overdue"].to_list(), reverse=True)


def test_manager_filter_keeps_that_managers_cases(sample: dict) -> None:
    status = sample["status"]
    names = managers(status)
    assert names == sorted(names)
    assert len(names) > 1
    for name in names[:2]:
        waiting = awaiting_screening(status, manager=name)
        expected = status.filter((pl.col("current_stage") == "screening") & (pl.col("case_manager") == name))
        assert waiting.height == expected.height
        assert set(waiting["case_manager"]) == {name}
    assert awaiting_screening(status, manager=names).height == awaiting_screening(status).height


def test_latest_screening_per_case(sample: dict) -> None:
    latest = latest_screenings(sample["result"].data, as_of=AS_OF)
    by_hand = _latest_by_hand(sample["result"])
    assert latest["case_id"].is_unique().all()
    assert latest.height == by_hand.height
    joined = latest.join(by_hand.select("case_id", "screened_on", "decision"), on="case_id", suffix="_hand")
    assert (joined["screened_on"] == joined["screened_on_hand"]).all()
    assert joined["decision"].eq_missing(joined["decision_hand"]).all()


def test_latest_screening_ignores_later_ones_and_ties_go_to_the_later_row() -> None:
    day = dt.date(2026, 3, 1)
    data = CaseData(
        {
            "screenings": pl.DataFrame(
                {
                    "case_id": ["A", "A", "A"],
                    "screened_on": [day, day, dt.date(2026, 10, 1)],
                    "decision": ["declined", "not_eligible", "refer_to_assessment"],
                    "_row": [2, 3, 4],
                }
            )
        }
    )
    assert latest_screenings(data, as_of=AS_OF)["decision"].to_list() == ["not_eligible"]
    assert latest_screenings(data)["decision"].to_list() == ["refer_to_assessment"]


def test_findings_are_shares_of_the_latest_screenings(sample: dict) -> None:
    latest = latest_screenings(sample["result"].data, as_of=AS_OF)
    table = findings(latest)
    assert table["finding"].unique(maintain_order=True).to_list() == list(FINDINGS)
    for finding in FINDINGS:
        part = table.filter(pl.col("finding") == finding)
        assert part["cases"].sum() == latest.height
        assert part["share"].sum() == pytest.approx(1.0)
        ids = [v for v in part["value"] if v != BLANK]
        assert ids == list(VOCABS[finding])  # every value, in vocabulary order
        counts = dict(latest[finding].fill_null(BLANK).value_counts().iter_rows())
        assert dict(part.select("value", "cases").iter_rows()) == {**dict.fromkeys(ids, 0), **counts}


def test_finding_chart_carries_the_labelled_shares_in_the_palette(sample: dict) -> None:
    table = findings(latest_screenings(sample["result"].data, as_of=AS_OF))
    chart = finding_chart(table, "support_network", lang="es")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Red de apoyo"
    rows = pl.DataFrame(next(iter(spec["datasets"].values())))
    assert rows["label"].to_list()[:3] == ["Sólida", "Limitada", "Ninguna"]
    part = table.filter(pl.col("finding") == "support_network")
    assert rows["cases"].to_list() == part["cases"].to_list()
    assert rows["color"].to_list()[:3] == [OKABE_ITO["bluish_green"], OKABE_ITO["orange"], OKABE_ITO["vermillion"]]
    assert finding_chart(table, "home_environment", lang="en").to_dict()["title"]["text"] == "Home environment"


def test_decisions_count_the_latest_decision_of_each_case(sample: dict) -> None:
    latest = latest_screenings(sample["result"].data, as_of=AS_OF)
    table = decisions(latest)
    by_hand = dict(_latest_by_hand(sample["result"])["decision"].fill_null(BLANK).value_counts().iter_rows())
    got = dict(table.select("decision", "cases").iter_rows())
    assert {k: v for k, v in got.items() if v} == by_hand
    assert table["decision"].to_list()[:3] == list(VOCABS["decision"])
    assert table["share"].sum() == pytest.approx(1.0)
    shown = readable(table, "es")
    assert shown.columns == ["Decisión", "Casos", "Proporción"]
    assert shown["Decisión"].to_list()[:3] == ["Derivar a evaluación", "No elegible", "Rechazado"]


def test_not_eligible_open_is_the_flag_list(sample: dict) -> None:
    status = sample["status"]
    stray = not_eligible_open(status)
    flagged = status.filter(pl.col("flags").list.contains("not_eligible_but_open"))
    assert stray.height == flagged.height > 0
    assert set(stray["case_id"]) == set(flagged["case_id"])
    shown = readable(stray, "en")
    assert "Current stage" in shown.columns
    assert not any("_" in s for s in shown["Current stage"])  # labels, not ids


@pytest.mark.parametrize(("lang", "header", "yes"), [("es", "Atrasado", "sí"), ("en", "Overdue", "yes")])
def test_awaiting_table_is_translated(sample: dict, lang: str, header: str, yes: str) -> None:
    waiting = awaiting_screening(sample["status"])
    shown = readable(waiting, lang, headers=screen_headers("ui_screening", waiting.columns, lang))
    assert header in shown.columns
    assert shown[header][0] == yes
    assert ("Días de espera" if lang == "es" else "Days waiting") in shown.columns  # the screen's own words


def test_a_workbook_with_only_cases_gives_empty_frames_not_errors() -> None:
    cases = ck.make_sample(20, seed=1).get("cases")
    result = ck.validate(CaseData({"cases": cases}), as_of=AS_OF)
    status = ck.case_status(result, as_of=AS_OF)
    latest = latest_screenings(result.data, as_of=AS_OF)
    assert latest.height == 0
    assert findings(latest).height == 0
    assert decisions(latest).height == 0
    assert awaiting_screening(status).height == status.filter(pl.col("current_stage") == "screening").height
    assert not_eligible_open(status).height == 0
