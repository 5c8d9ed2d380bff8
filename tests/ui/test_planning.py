"""Computations of the Planning screen (casekit/ui/planning.py), without Streamlit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.charts import chart_data, goals_chart
from casekit.contract import VOCABS
from casekit.data import CaseData
from casekit.i18n import t
from casekit.present import header, readable
from casekit.stages import ProcessConfig
from casekit.ui import planning as pg

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
AS_OF = ck.SAMPLE_AS_OF
D = dt.date


@pytest.fixture(scope="module")
def sample() -> ck.ValidationResult:
    return ck.validate(ck.read_workbook(SAMPLE), as_of=AS_OF)


@pytest.fixture(scope="module")
def status(sample: ck.ValidationResult) -> pl.DataFrame:
    return ck.case_status(sample, as_of=AS_OF, risk=ck.score_risk(sample, as_of=AS_OF))


@pytest.fixture(scope="module")
def cases_only(sample: ck.ValidationResult) -> CaseData:
    return CaseData({"cases": sample.data["cases"]})


# -- goals by domain and status ----------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en"])
def test_goal_counts_equal_a_group_by_on_the_goals_sheet(sample: ck.ValidationResult, lang: str) -> None:
    goals = sample.data["goals"]
    counts = pg.goals_by_domain_status(sample.data, lang=lang)
    expected = goals.group_by("domain", "status").len()
    got = counts.select("domain", "status", pl.col("goals").alias("len"))
    assert got.sort("domain", "status").equals(expected.sort("domain", "status").cast({"len": pl.Int64}))
    assert counts["goals"].sum() == goals.height
    labels = {v(lang) for v in VOCABS["goal_domain"].values()}
    assert set(counts["domain_label"]) <= labels
    assert not any("_" in s for s in counts["status_label"])


def test_goal_counts_in_vocabulary_order_and_blanks_last() -> None:
    goals = pl.DataFrame(
        {
            "domain": ["housing", None, "physical_function", "housing"],
            "status": ["achieved", "planned", "cancelled", "planned"],
        }
    )
    counts = pg.goals_by_domain_status(CaseData({"goals": goals}), lang="es")
    assert counts.select("domain_label", "status_label", "goals").rows() == [
        ("Función física", "Cancelado", 1),
        ("Vivienda", "Planificado", 1),
        ("Vivienda", "Logrado", 1),
        ("(vacío)", "Planificado", 1),
    ]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_goals_table_totals_by_status_and_domain(sample: ck.ValidationResult, lang: str) -> None:
    goals = sample.data["goals"]
    table = readable(pg.goals_table(pg.goals_by_domain_status(sample.data, lang=lang)), lang)
    by_status = dict(goals.group_by("status").len().iter_rows())
    for status, n in by_status.items():
        assert table[VOCABS["goal_status"][status](lang)].cast(pl.Int64).sum() == n
    total = "Total"
    assert table[total].cast(pl.Int64).sum() == goals.height
    by_domain = dict(goals.group_by("domain").len().iter_rows())
    first = table.columns[0]
    shown = dict(table.select(first, pl.col(total).cast(pl.Int64)).iter_rows())
    assert shown == {VOCABS["goal_domain"][d](lang): n for d, n in by_domain.items()}
    assert table.columns[1:-1] == [
        VOCABS["goal_status"][s](lang) for s in VOCABS["goal_status"] if s in by_status
    ]  # statuses in order


def test_goals_chart_carries_the_aggregated_rows(sample: ck.ValidationResult) -> None:
    counts = pg.goals_by_domain_status(sample.data, lang="en")
    chart = goals_chart(counts, lang="en")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Goals by domain and status"
    data = chart_data(chart)
    assert data.height == counts.height
    assert data["goals"].sum() == sample.data["goals"].height


def test_no_goals_sheet_gives_empty_counts_and_table(cases_only: CaseData) -> None:
    counts = pg.goals_by_domain_status(cases_only, lang="es")
    assert counts.height == 0
    assert pg.goals_table(counts).height == 0


# -- cases without a complete plan ---------------------------------------------------------


def test_incomplete_plans_match_the_engine(sample: ck.ValidationResult, status: pl.DataFrame) -> None:
    plans = pg.incomplete_plans(status, sample.data, ProcessConfig(), as_of=AS_OF)
    planning = set(status.filter(pl.col("current_stage") == "planning")["case_id"])
    assert planning <= set(plans["case_id"])  # every planning-stage case lacks its plan
    assert set(plans["current_stage"]) <= {"risk", "planning"}
    assert plans.filter((pl.col("goals_with_target") > 0) & (pl.col("services") > 0)).height == 0
    flagged = ck.flags_long(status).filter(pl.col("flag") == "plan_overdue").select("case_id", "due_on")
    overdue = plans.filter(pl.col("plan_overdue"))
    assert set(overdue["case_id"]) == set(flagged["case_id"])  # every plan_overdue flag is listed
    joined = overdue.join(flagged, on="case_id")
    assert (joined["plan_due_on"] == joined["due_on"]).all()  # the due date is the flag's
    assert (joined["days_overdue"] == (AS_OF - joined["due_on"]).dt.total_days()).all()
    not_yet = plans.filter(~pl.col("plan_overdue"))
    assert (not_yet["plan_due_on"] >= AS_OF).all()
    assert not_yet["days_overdue"].null_count() == not_yet.height
    # most overdue first
    assert plans["plan_overdue"].to_list() == sorted(plans["plan_overdue"].to_list(), reverse=True)
    days = overdue["days_overdue"].to_list()
    assert days == sorted(days, reverse=True)


def test_plan_deadline_follows_the_config_and_the_tier() -> None:
    status = pl.DataFrame(
        {
            "case_id": ["H", "M"],
            "current_stage": ["planning", "planning"],
            "flags": [[], []],
            "deadline_tier": ["high", "moderate"],
        }
    )
    data = CaseData({"assessments": pl.DataFrame({"case_id": ["H", "M"], "assessed_on": [D(2026, 9, 1)] * 2})})
    plans = pg.incomplete_plans(status, data, ProcessConfig(plan_days=20, plan_days_high_tier=3), as_of=D(2026, 9, 2))
    assert dict(plans.select("case_id", "plan_due_on").iter_rows()) == {"H": D(2026, 9, 4), "M": D(2026, 9, 21)}


def test_goals_and_services_after_as_of_do_not_count() -> None:
    status = pl.DataFrame({"case_id": ["A"], "current_stage": ["planning"], "flags": [[]]})
    data = CaseData(
        {
            "goals": pl.DataFrame({"case_id": ["A"], "set_on": [D(2026, 10, 1)], "target_on": [D(2026, 12, 1)]}),
            "services": pl.DataFrame({"case_id": ["A"], "start_on": [D(2026, 10, 1)]}),
        }
    )
    plans = pg.incomplete_plans(status, data, ProcessConfig(), as_of=D(2026, 9, 30))
    assert plans.select("goals_with_target", "services").row(0) == (0, 0)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_incomplete_plans_view_has_labels(sample: ck.ValidationResult, status: pl.DataFrame, lang: str) -> None:
    plans = pg.incomplete_plans(status, sample.data, ProcessConfig(), as_of=AS_OF)
    view = readable(pg.incomplete_plans_view(plans, lang=lang), lang)
    assert view.height == plans.height
    assert not any("_" in c for c in view.columns)
    stage = view.columns[3]
    assert set(view[stage]) <= {ck.stages.stage_label(s, lang) for s in ("risk", "planning")}
    yes = t("common.yes", lang)
    assert (view[header("plan_overdue", lang)] == yes).sum() == plans["plan_overdue"].sum()


def test_no_planning_cases_in_a_cases_only_workbook(cases_only: CaseData) -> None:
    status = ck.case_status(cases_only, as_of=AS_OF, risk=ck.stages.NO_RISK)
    plans = pg.incomplete_plans(status, cases_only, ProcessConfig(), as_of=AS_OF)
    assert plans.height == 0
    assert pg.incomplete_plans_view(plans, lang="es").height == 0


# -- one client's calendar ----------------------------------------------------------------


def test_calendar_choices_count_each_clients_rows(sample: ck.ValidationResult, status: pl.DataFrame) -> None:
    choices = pg.calendar_choices(sample.data, status)
    assert choices.height == sample.data["cases"].height
    for sheet in ("goals", "services", "contacts"):
        expected = sample.data[sheet].group_by("case_id").len()
        got = choices.filter(pl.col(sheet) > 0).select("case_id", pl.col(sheet).alias("len"))
        assert got.sort("case_id").equals(expected.sort("case_id").cast({"len": pl.Int64}))
    first = pg.default_case(choices)
    row = choices.filter(pl.col("case_id") == first).row(0, named=True)
    assert row["services"] > 0
    assert row["contacts"] > 0
    assert row["is_open"]  # an open case: its calendar runs up to today
    assert choices["is_open"].sum() == status.filter(pl.col("current_stage") != "closed").height


def test_default_case_without_services_or_cases(cases_only: CaseData) -> None:
    choices = pg.calendar_choices(cases_only)
    assert pg.default_case(choices) == choices["case_id"][0]
    assert pg.default_case(choices.head(0)) is None


def test_calendar_options_text() -> None:
    choices = pl.DataFrame({"case_id": ["C1", "C2"], "services": [1, 0], "contacts": [3, 0]})
    assert pg.calendar_options(choices, lang="es") == {
        "C1": "C1 — servicios: 1, contactos: 3",
        "C2": "C2 — servicios: 0, contactos: 0",
    }


@pytest.mark.parametrize("lang", ["es", "en"])
def test_client_goals_and_services(sample: ck.ValidationResult, lang: str) -> None:
    choices = pg.calendar_choices(sample.data)
    case_id = pg.default_case(choices)
    goals = readable(pg.client_rows(sample.data, "goals", case_id), lang)
    services = readable(pg.client_rows(sample.data, "services", case_id), lang)
    assert goals.height == sample.data["goals"].filter(pl.col("case_id") == case_id).height
    assert services.height == sample.data["services"].filter(pl.col("case_id") == case_id).height
    domains = {v(lang) for v in VOCABS["goal_domain"].values()}
    assert set(goals[goals.columns[1]]) <= domains
    levels = {v(lang) for v in VOCABS["level_of_care"].values()}
    assert set(services[services.columns[3]]) <= levels
    assert not any("_" in c for c in goals.columns + services.columns)


def test_client_tables_without_sheets(cases_only: CaseData) -> None:
    assert pg.client_rows(cases_only, "goals", "C00001").height == 0
    assert pg.client_rows(cases_only, "services", "C00001").height == 0
