"""Computations of the Implementation & monitoring screen (casekit/ui/monitoring.py), without Streamlit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.charts import attendance_chart, chart_data
from casekit.contract import VOCABS
from casekit.data import CaseData
from casekit.present import format_number, readable, screen_headers
from casekit.stages import FLAGS, ProcessConfig, flag_label, priority_label, stage_label
from casekit.ui import monitoring as mo

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
def cases_only_status(sample: ck.ValidationResult) -> pl.DataFrame:
    return ck.case_status(CaseData({"cases": sample.data["cases"]}), as_of=AS_OF, risk=ck.stages.NO_RISK)


# -- the worklist ------------------------------------------------------------------------


def test_filtering_by_manager_equals_the_worklist_of_that_manager(status: pl.DataFrame) -> None:
    worklist = ck.worklist(status)
    managers = mo.worklist_managers(worklist)
    assert managers == sorted(status["case_manager"].drop_nulls().unique().to_list())
    for manager in managers:
        assert mo.filter_worklist(worklist, managers=[manager]).equals(ck.worklist(status, manager=manager))
    two = managers[:2]
    assert mo.filter_worklist(worklist, managers=two).equals(ck.worklist(status, manager=two))
    assert mo.filter_worklist(worklist).equals(worklist)


def test_filtering_by_flag_keeps_the_urgency_order(status: pl.DataFrame) -> None:
    worklist = ck.worklist(status)
    flags = mo.worklist_flags(worklist)
    assert flags == [f for f in FLAGS if f in set(worklist["flag"])]
    shown = mo.filter_worklist(worklist, flags=["follow_up_overdue", "missed_appointment"])
    assert set(shown["flag"]) == {"follow_up_overdue", "missed_appointment"}
    assert shown.height == worklist.filter(pl.col("flag").is_in(["follow_up_overdue", "missed_appointment"])).height
    # triage order kept: priority, then tier, then the most overdue
    assert shown["priority"].is_sorted()
    tier = pl.col("effective_tier").replace_strict({"high": 0, "moderate": 1, "low": 2}, default=3)
    assert shown.select(pl.struct("priority", tier.alias("t"), -pl.col("days_overdue")).is_sorted()).item()
    assert mo.filter_worklist(worklist, priorities=[1]).equals(worklist.filter(pl.col("priority") == 1))
    assert mo.worklist_priorities(worklist)[0] == 1
    manager = mo.worklist_managers(worklist)[0]
    both = mo.filter_worklist(worklist, managers=[manager], flags=["goal_overdue"])
    assert both.equals(ck.worklist(status, manager=manager).filter(pl.col("flag") == "goal_overdue"))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_worklist_view_shows_labels(status: pl.DataFrame, lang: str) -> None:
    worklist = ck.worklist(status)
    view = mo.worklist_view(worklist, lang=lang)
    assert view.height == worklist.height
    stage, flag = view.columns[10], view.columns[3]  # what to do first (monitoring.TO_DO_FIRST)
    assert view[view.columns[0]].to_list() == [priority_label(n, lang) for n in worklist["priority"]]
    assert view[flag].to_list() == [flag_label(f, lang) for f in worklist["flag"]]
    assert view[stage].to_list() == [stage_label(s, lang) for s in worklist["current_stage"]]
    assert not any("_" in c for c in view.columns)
    fmt = "%d/%m/%Y" if lang == "es" else "%Y-%m-%d"
    assert view[view.columns[5]].to_list() == [d.strftime(fmt) for d in worklist["due_on"]]  # as show_date


# -- missed appointments -----------------------------------------------------------------


def test_missed_appointments_are_the_open_flags(sample: ck.ValidationResult, status: pl.DataFrame) -> None:
    flags = ck.flags_long(status)
    missed = mo.missed_appointments(flags, sample.data["contacts"])
    expected = flags.filter(pl.col("flag") == "missed_appointment")
    assert missed.height == expected.height
    assert set(missed["case_id"]) == set(expected["case_id"])
    assert missed["kind"].null_count() == 0  # the missed contact is found
    assert (missed["days_since"] >= 0).all()
    assert missed["missed_on"].to_list() == sorted(missed["missed_on"].to_list())
    contacts = sample.data["contacts"].filter(pl.col("status") == "missed")
    found = missed.join(
        contacts.select("case_id", pl.col("contact_on").alias("missed_on"), pl.col("kind").alias("k")),
        on=["case_id", "missed_on"],
    )
    assert set(found["case_id"]) == set(missed["case_id"])


def test_missed_appointments_without_contacts(cases_only_status: pl.DataFrame) -> None:
    missed = mo.missed_appointments(ck.flags_long(cases_only_status), None)
    assert missed.height == 0
    assert readable(missed, "es").height == 0


# -- attendance ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en"])
def test_attendance_table_equals_the_chart(sample: ck.ValidationResult, lang: str) -> None:
    table = mo.attendance_by_kind(sample.data["contacts"], as_of=AS_OF)
    chart = chart_data(attendance_chart(sample.data, lang=lang, as_of=AS_OF))
    columns = ["kind", "attended", "missed", "scheduled", "cancelled", "rate"]
    assert table.select(columns).equals(chart.select(columns))
    contacts = sample.data["contacts"].filter(pl.col("contact_on") <= AS_OF)
    assert table["contacts"].sum() == contacts.filter(pl.col("kind").is_in(table["kind"])).height
    view = readable(table, lang, headers=screen_headers("ui_monitoring", table.columns, lang))
    assert view.columns[0] == ("Tipo de contacto" if lang == "es" else "Kind of contact")
    assert view[view.columns[0]].to_list() == [VOCABS["contact_kind"][k](lang) for k in table["kind"]]
    assert view[view.columns[-1]].to_list() == [format_number(r, lang, ".1%") for r in table["rate"]]


def test_overall_rate(sample: ck.ValidationResult) -> None:
    contacts = sample.data["contacts"].filter(pl.col("contact_on") <= AS_OF)
    attended = (contacts["status"] == "attended").sum()
    missed = (contacts["status"] == "missed").sum()
    rate = mo.overall_rate(mo.attendance_by_kind(sample.data["contacts"], as_of=AS_OF))
    assert rate == pytest.approx(attended / (attended + missed))
    assert mo.overall_rate(mo.attendance_by_kind(None)) is None


def test_attendance_leaves_out_later_contacts() -> None:
    contacts = pl.DataFrame(
        {
            "kind": ["follow_up"] * 3,
            "status": ["attended", "missed", "missed"],
            "contact_on": [D(2026, 9, 1), D(2026, 9, 2), D(2026, 10, 2)],
        }
    )
    assert mo.attendance_by_kind(contacts, as_of=D(2026, 9, 30))["rate"].to_list() == [0.5]


# -- follow-ups overdue by tier ------------------------------------------------------------


def test_follow_up_by_tier_counts_every_open_flag(status: pl.DataFrame) -> None:
    by_tier = mo.follow_up_by_tier(status, ProcessConfig())
    assert by_tier["tier"].to_list() == ["low", "moderate", "high"]
    assert by_tier["cadence_days"].to_list() == [60, 30, 14]
    flagged = ck.flags_long(status).filter(pl.col("flag") == "follow_up_overdue")
    assert by_tier["follow_up_overdue"].sum() == flagged.height
    expected = flagged.group_by(pl.col("effective_tier").fill_null("moderate")).len()
    got = by_tier.filter(pl.col("follow_up_overdue") > 0).select("tier", "follow_up_overdue")
    assert dict(got.iter_rows()) == dict(expected.iter_rows())
    open_assessed = status.filter((pl.col("current_stage") != "closed") & pl.col("last_assessed_on").is_not_null())
    assert by_tier["open_assessed"].sum() == open_assessed.height
    # the share is over the cases the cadence applies to: never above 100 % (it was 179 %
    # when divided by the cases in the monitoring stage)
    in_monitoring = dict(
        status.filter(pl.col("current_stage") == "monitoring").group_by("deadline_tier").len().iter_rows()
    )
    assert (by_tier["follow_up_overdue"] > by_tier["tier"].replace_strict(in_monitoring, default=0)).any()
    assert (by_tier["follow_up_overdue"] <= by_tier["open_assessed"]).all()
    assert by_tier["share_overdue"].drop_nulls().is_between(0, 1).all()


def test_follow_up_share_is_over_the_open_assessed_cases_of_each_tier() -> None:
    """Hand-built: high-tier cases in four stages, one closed, one never assessed."""
    d = D(2026, 9, 1)
    status = pl.DataFrame(
        {
            "current_stage": ["monitoring", "transition", "evaluation", "closed", "assessment", "planning"],
            "effective_tier": ["high", "high", "high", "high", None, "low"],
            "last_assessed_on": [d, d, d, d, None, d],
            "flags": [
                ["follow_up_overdue"],
                ["follow_up_overdue"],
                ["follow_up_overdue", "reassessment_due"],
                ["closed_without_outcomes"],
                ["assessment_overdue"],
                [],
            ],
        }
    )
    by_tier = mo.follow_up_by_tier(status, ProcessConfig())
    assert by_tier.select("tier", "open_assessed", "follow_up_overdue", "share_overdue").rows() == [
        ("low", 1, 0, 0.0),
        ("moderate", 0, 0, None),  # the unassessed case is not counted
        ("high", 3, 3, 1.0),  # one in monitoring, three overdue: 100 %, not 300 %
    ]
    view = readable(by_tier, "es")
    assert view.columns[2] == "Casos abiertos evaluados"
    assert view[view.columns[4]].to_list() == ["0,0\u00a0%", "", "100,0\u00a0%"]
    assert readable(by_tier, "en").columns[2] == "Open assessed cases"


def test_follow_up_cadence_comes_from_the_config(cases_only_status: pl.DataFrame) -> None:
    config = ProcessConfig(cadence_high=7, cadence_moderate=21, cadence_low=45)
    by_tier = mo.follow_up_by_tier(cases_only_status, config)
    assert by_tier["cadence_days"].to_list() == [45, 21, 7]
    assert by_tier["follow_up_overdue"].to_list() == [0, 0, 0]
    assert by_tier["share_overdue"].null_count() == 3
    view = readable(by_tier, "es")
    assert view[view.columns[0]].to_list() == ["Bajo", "Moderado", "Alto"]


def test_cases_only_worklist_has_no_contacts_rows(cases_only_status: pl.DataFrame) -> None:
    worklist = ck.worklist(cases_only_status)
    assert set(worklist["flag"]) <= {"screening_overdue"}
    assert mo.attendance_by_kind(None).height == 0


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_printable_worklist_is_the_screens_table_on_an_a4_page(status: pl.DataFrame, lang: str) -> None:
    import re
    from html import unescape

    from casekit.present import header

    worklist = ck.worklist(status)
    shown = worklist.filter(pl.col("priority") <= 3)
    page = mo.worklist_print_html(shown, lang=lang, as_of=AS_OF, source="muestra.xlsx", total=worklist.height)
    assert "@page { size: A4 landscape;" in page
    assert "<script" not in page
    assert "<link" not in page  # self-contained: nothing fetched
    view = mo.worklist_view(shown, lang=lang)
    cells = [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", page)]
    assert cells == [("" if v is None else str(v)) for row in view.iter_rows() for v in row]  # the screen's table
    heads = [unescape(h) for h in re.findall(r"<th>(.*?)</th>", page)]
    assert heads == view.columns
    assert header("case_id", lang) in heads
    assert f"{format_number(shown.height, lang)} " in page  # how many rows, in the language's format
    assert "None" not in cells
    if lang == "es":
        assert not any(re.fullmatch(r"\d+\.\d+", c) for c in cells)  # no English decimal point
    empty = mo.worklist_print_html(shown.clear(), lang=lang, as_of=AS_OF, source="x", total=worklist.height)
    assert "<table>" not in empty
