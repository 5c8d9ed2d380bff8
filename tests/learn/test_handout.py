"""Handouts: one self-contained, escaped, printable page per stage."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from casekit import learn
from casekit.i18n import t
from casekit.learn._handout import MAX_COLUMNS
from tests.builders import caseload

from .conftest import AS_OF

EVIL = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def steps(sample: dict[str, Any]) -> list[learn.StageStep]:
    return learn.walkthrough(sample["result"], sample["curated"]["high_risk"], as_of=AS_OF)


@pytest.mark.parametrize(("lang", "other"), [("es", "en"), ("en", "es")])
def test_stage_handout_is_in_the_requested_language(steps: list[learn.StageStep], lang: str, other: str) -> None:
    for step in steps:
        page = learn.stage_handout_html(step, lang=lang)
        assert f'<html lang="{lang}">' in page
        for text in (step.purpose(lang), step.headline(lang), *step.reasons(lang), t("learn.handout_why", lang)):
            assert _escaped(text) in page
        assert _escaped(step.purpose(other)) not in page
        assert page.count('<section class="page"') == 1


def _escaped(text: str) -> str:
    from html import escape

    return escape(text)


def test_handout_shows_the_clients_rows(steps: list[learn.StageStep]) -> None:
    risk = next(s for s in steps if s.stage == "risk")
    page = learn.stage_handout_html(risk, lang="es")
    assessed = risk.data["assessments"]["assessed_on"][-1].strftime("%d/%m/%Y")
    assert assessed in page
    assert "<th>phq9</th>" in page


def test_handout_is_self_contained() -> None:
    data = caseload(cases=[{"case_id": "A"}])
    step = learn.walkthrough(data, "A", as_of=dt.date(2026, 2, 1))[0]
    page = learn.stage_handout_html(step, lang="en")
    assert not re.search(r"https?://|src=|<link|@import|<script", page)
    assert "@page" in page
    assert "size: A4" in page


def test_client_data_is_escaped() -> None:
    data = caseload(
        cases=[{"case_id": "A", "case_manager": EVIL, "program": "P&Q"}],
        screenings=[{"case_id": "A", "screened_on": "2026-01-02", "decision": "refer_to_assessment"}],
        assessments=[{"case_id": "A", "assessed_on": "2026-01-05", "phq9": 12}],
        goals=[
            {
                "goal_id": "G1",
                "case_id": "A",
                "description": EVIL,
                "set_on": "2026-01-06",
                "target_on": "2026-03-01",
                "status": "planned",
            }
        ],
        risk_reviews=[{"case_id": "A", "reviewed_on": "2026-01-06", "override_tier": "high", "reason": EVIL}],
    )
    steps = learn.walkthrough(data, "A", as_of=dt.date(2026, 2, 1))
    for page in (
        learn.stage_handout_html(steps[0], lang="es"),
        learn.stage_handout_html(steps[2], lang="en"),
        learn.stage_handout_html(steps[3], lang="en"),
        learn.walkthrough_handout_html(steps, lang="es"),
    ):
        assert "<script" not in page
    whole = learn.walkthrough_handout_html(steps, lang="en")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in whole
    assert "P&amp;Q" in whole
    # the reviewer's reason reaches the risk page's explanation, escaped
    assert "(reason: &lt;script&gt;" in learn.stage_handout_html(steps[2], lang="en")


def test_walkthrough_handout_has_one_page_break_per_stage(steps: list[learn.StageStep]) -> None:
    page = learn.walkthrough_handout_html(steps, lang="es")
    sections = re.findall(r'<section class="page" data-stage="(\w+)">', page)
    assert sections == [s.stage for s in steps]
    assert re.search(r"\.page \{[^}]*break-after: page", page)
    assert page.count("<!DOCTYPE html>") == 1


def test_long_tables_are_cut_and_counted() -> None:
    contacts = [
        {
            "contact_id": f"K{i}",
            "case_id": "A",
            "contact_on": f"2026-01-{i + 2:02d}",
            "kind": "follow_up",
            "status": "attended",
        }
        for i in range(learn.MAX_ROWS + 3)
    ]
    data = caseload(cases=[{"case_id": "A"}], contacts=contacts)
    monitoring = learn.walkthrough(data, "A", as_of=dt.date(2026, 2, 1))[5]
    page = learn.stage_handout_html(monitoring, lang="en")
    assert "… and 3 more rows." in page
    body = page.split("<h3>contacts</h3>")[1].split("</table>")[0]
    assert body.count("<tr>") == learn.MAX_ROWS + 1  # header + rows


def test_wide_tables_are_printed_in_blocks_of_columns(steps: list[learn.StageStep]) -> None:
    risk = steps[2]
    assessments = dict(risk.tables("en"))["assessments"]
    assert assessments.width > MAX_COLUMNS  # the assessment sheet is wider than a page
    page = learn.stage_handout_html(risk, lang="en")
    section = page.split("<h3>assessments</h3>")[1].split("<h3>")[0]
    tables = section.split("</table>")[:-1]
    assert len(tables) == -(-assessments.width // MAX_COLUMNS)
    assert all(t.split("</tr>")[0].count("<th>") <= MAX_COLUMNS for t in tables)
    headers = [h.split("</th>")[0] for t in tables for h in t.split("<th>")[1:]]
    assert headers == [c.replace("_", " ") for c in assessments.columns]  # every column, in order


def test_every_curated_handout_reads_as_spanish(sample: dict[str, Any]) -> None:
    """No ``None``, English id or English decimal in a Spanish handout's text (measure ids
    and a change of ``-242.06000000000017`` were found in the browser)."""
    from tests.present import spanish

    found = {}
    for path, case_id in sample["curated"].items():
        steps = learn.walkthrough(sample["result"], case_id, as_of=AS_OF)
        html = re.sub(r"<style>.*?</style>", "", learn.walkthrough_handout_html(steps, lang="es"), flags=re.S)
        cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)]
        if problems := spanish.problems(re.sub(r"<[^>]+>", "\n", html)) + spanish.cell_problems(cells):
            found[path] = sorted(set(problems))
    assert found == {}
