"""Screening screen (stage 1), driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.data import CaseData
from casekit.present import format_number
from tests.app.conftest import open_app, shown_numbers

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LABELS = {
    "es": {
        "title": "Detección",
        "awaiting": "Pendientes de detección",
        "overdue": "Detección atrasada",
        "refer": "Derivados a evaluación",
        "not_eligible": "No elegibles",
        "declined": "Rechazados",
    },
    "en": {
        "title": "Screening",
        "awaiting": "Awaiting screening",
        "overdue": "Screening overdue",
        "refer": "Referred to assessment",
        "not_eligible": "Not eligible",
        "declined": "Declined",
    },
}


@pytest.fixture(scope="module")
def expected(sample_result: ck.ValidationResult, sample_status: pl.DataFrame) -> dict:
    result, status = sample_result, sample_status
    waiting = status.filter(pl.col("current_stage") == "screening")
    latest = (
        result.data.get("screenings")
        .filter(pl.col("screened_on") <= ck.SAMPLE_AS_OF)
        .sort("screened_on", "_row")
        .group_by("case_id")
        .last()
    )
    return {
        "status": status,
        "awaiting": waiting.height,
        "overdue": waiting.filter(pl.col("flags").list.contains("screening_overdue")).height,
        "by_manager": dict(waiting.group_by("case_manager").len().iter_rows()),
        "decisions": dict(latest["decision"].value_counts().iter_rows()),
        "not_eligible_open": status.filter(pl.col("flags").list.contains("not_eligible_but_open")).height,
    }


def _metrics(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_screening_figures_equal_casekit(expected: dict, lang: str) -> None:
    at = open_app("screening", lang=lang)
    names = LABELS[lang]
    assert at.title[0].value == names["title"]
    metrics = _metrics(at)
    assert metrics[names["awaiting"]] == format_number(expected["awaiting"], lang, ",")
    assert metrics[names["overdue"]] == format_number(expected["overdue"], lang, ",")
    assert expected["overdue"] > 0
    awaiting, decisions, stray = (d.value for d in at.dataframe)
    assert len(awaiting) == expected["awaiting"]
    assert metrics[names["refer"]] == format_number(expected["decisions"]["refer_to_assessment"], lang, ",")
    assert metrics[names["not_eligible"]] == format_number(expected["decisions"]["not_eligible"], lang, ",")
    assert metrics[names["declined"]] == format_number(expected["decisions"]["declined"], lang, ",")
    assert sum(shown_numbers(decisions.iloc[:, 1], lang)) == sum(expected["decisions"].values())
    assert len(stray) == expected["not_eligible_open"]
    # labels, never raw ids
    assert "refer_to_assessment" not in decisions.iloc[:, 0].tolist()
    assert not any("_" in s for s in stray.iloc[:, 3])
    # overdue rows first, with their due date and days overdue
    overdue_days = shown_numbers(awaiting.iloc[: expected["overdue"], -1], lang)
    assert overdue_days == sorted(overdue_days, reverse=True)
    assert awaiting.iloc[expected["overdue"] :, -1].isna().all()  # blank (the table's placeholder), not None
    assert at.dataframe[0].proto.placeholder == ""


def test_the_case_manager_filter_changes_the_list(expected: dict) -> None:
    at = open_app("screening", lang="en")
    manager, count = sorted(expected["by_manager"].items())[0]
    assert count < expected["awaiting"]
    at.selectbox(key="screening_manager").set_value(manager).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metrics(at)["Awaiting screening"] == format_number(count, "en", ",")
    awaiting = at.dataframe[0].value
    assert len(awaiting) == count
    assert set(awaiting["Case manager"]) == {manager}
    overdue = expected["status"].filter(
        (pl.col("current_stage") == "screening")
        & (pl.col("case_manager") == manager)
        & pl.col("flags").list.contains("screening_overdue")
    )
    assert _metrics(at)["Screening overdue"] == format_number(overdue.height, "en", ",")


@pytest.mark.parametrize(("lang", "message"), [("es", "Todavía no hay detecciones"), ("en", "No screenings recorded")])
def test_a_workbook_with_only_cases_explains_the_empty_screens(lang: str, message: str) -> None:
    cases = ck.make_sample(30, seed=2).get("cases")
    workbook = ck.write_workbook(CaseData({"cases": cases}), None)
    at = open_app("screening", lang=lang)
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value(("solo_casos.xlsx", workbook, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/screening.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(message in i.value for i in at.info)
    status = ck.case_status(
        ck.validate(CaseData({"cases": cases}), as_of=at.session_state["as_of"]), as_of=at.session_state["as_of"]
    )
    waiting = status.filter(pl.col("current_stage") == "screening").height
    assert _metrics(at)[LABELS[lang]["awaiting"]] == format_number(waiting, lang, ",")


def test_a_later_as_of_date_changes_the_overdue_count(expected: dict) -> None:
    at = open_app("screening", lang="en")
    later = ck.SAMPLE_AS_OF.replace(month=12)
    at.date_input(key="as_of").set_value(later).run()
    assert not at.exception, [e.value for e in at.exception]
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=later)
    status = ck.case_status(result, as_of=later, risk=ck.score_risk(result, as_of=later))
    waiting = status.filter(pl.col("current_stage") == "screening")
    overdue = waiting.filter(pl.col("flags").list.contains("screening_overdue")).height
    assert _metrics(at)["Screening overdue"] == format_number(overdue, "en", ",")
    assert overdue > expected["overdue"]
