"""Planning screen (stage 4), driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.contract import VOCABS
from casekit.data import CaseData
from casekit.i18n import t
from casekit.present import format_number, header
from casekit.stages import ProcessConfig
from casekit.ui.planning import calendar_choices, default_case, incomplete_plans
from tests.app.conftest import open_app, shown_numbers

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def expected(sample_result: ck.ValidationResult, sample_status: pl.DataFrame) -> dict[str, object]:
    result, status = sample_result, sample_status
    return {
        "data": result.data,
        "plans": incomplete_plans(status, result.data, ProcessConfig(), as_of=ck.SAMPLE_AS_OF),
        "plan_overdue": ck.flags_long(status).filter(pl.col("flag") == "plan_overdue").height,
        "choices": calendar_choices(result.data, status),
    }


def _metrics(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _services_of(data: CaseData, case_id: str) -> int:
    return data["services"].filter(pl.col("case_id") == case_id).height


@pytest.mark.parametrize("lang", ["es", "en"])
def test_planning_figures_equal_casekit(expected: dict, lang: str) -> None:
    at = open_app("planning", lang=lang)
    assert at.title[0].value == t("ui.page_planning", lang)
    data: CaseData = expected["data"]
    metrics = _metrics(at)
    assert metrics[t("ui_planning.metric_goals", lang)] == format_number(data["goals"].height, lang, ",")
    assert metrics[t("ui_planning.metric_incomplete", lang)] == format_number(expected["plans"].height, lang, ",")
    assert metrics[t("ui_planning.metric_overdue", lang)] == format_number(expected["plan_overdue"], lang, ",")

    # goals by status: each status column sums to a polars group-by on the goals sheet
    goals = at.dataframe[0].value
    for status, n in data["goals"].group_by("status").len().iter_rows():
        assert sum(shown_numbers(goals[VOCABS["goal_status"][status](lang)], lang)) == n
    domains = goals.iloc[:, 0].tolist()
    assert domains[0] == VOCABS["goal_domain"]["physical_function"](lang)

    # cases without a complete plan: the same cases, most overdue first, labelled
    plans = at.dataframe[1].value
    assert plans.iloc[:, 0].tolist() == expected["plans"]["case_id"].to_list()
    assert set(plans[header("plan_overdue", lang)]) <= {t("common.yes", lang), t("common.no", lang)}

    # the care calendar starts on a case with services and contacts
    first = default_case(expected["choices"])
    assert at.selectbox(key="planning_case").value == first
    assert metrics[t("ui_planning.metric_client_services", lang)] == str(_services_of(data, first))
    assert len(at.dataframe[3].value) == _services_of(data, first)
    assert not at.exception


def test_picking_a_case_shows_its_services(expected: dict) -> None:
    at = open_app("planning", lang="en")
    choices: pl.DataFrame = expected["choices"]
    data: CaseData = expected["data"]
    first = at.selectbox(key="planning_case").value
    other = choices.filter((pl.col("services") > 1) & (pl.col("case_id") != first)).sort("services", "case_id")[
        "case_id"
    ][-1]
    at.selectbox(key="planning_case").set_value(other).run()
    assert not at.exception
    metrics = _metrics(at)
    n = _services_of(data, other)
    assert n > 1
    assert metrics["Services"] == str(n)
    assert metrics["Goals"] == str(data["goals"].filter(pl.col("case_id") == other).height)
    services = at.dataframe[3].value
    assert len(services) == n
    assert any(other in m.value for m in at.markdown)


def test_a_workbook_with_only_cases_explains_what_is_missing() -> None:
    cases = ck.read_workbook(SAMPLE)["cases"]
    content = ck.write_workbook(CaseData({"cases": cases}), None)
    at = open_app("planning", lang="en")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value(("only_cases.xlsx", content, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    infos = [i.value for i in at.info]
    assert t("ui_planning.goals_empty", "en") in infos
    assert t("ui_planning.incomplete_empty", "en") in infos
    assert any("No goals recorded yet for" in i for i in infos)
    assert any("No services recorded yet for" in i for i in infos)
    assert _metrics(at)["Goals recorded"] == "0"
