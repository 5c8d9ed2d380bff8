"""End to end on a team workspace: from the worklist, log a contact for a case whose
follow-up is overdue; the flag clears; open the case record from the worklist; switch
the language and refresh without losing the page. Waits are on elements and on the
app being idle, never on time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

import casekit as ck
from casekit.i18n import t
from casekit.stages import flag_label
from tests.builders import caseload

from .conftest import SCREENSHOTS, TIMEOUT_MS, VIEWPORT, assert_reads_as_spanish, running_app, screenshot, wait_idle

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTE = "Llamada de seguimiento e2e"


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app on a workspace of one assessed case, long overdue for its follow-up."""
    folder = tmp_path_factory.mktemp("team")
    db = folder / "team.db"
    saved = {k: __import__("os").environ.get(k) for k in ("CASEKIT_DB", "CASEKIT_HOME")}
    env = __import__("os").environ
    env["CASEKIT_DB"], env["CASEKIT_HOME"] = str(db), str(folder / "home")
    try:
        ws = ck.Workspace.open(db)
        ws.import_workbook(
            caseload(
                cases=[{"case_id": "E2E-1", "client_name": "Ana Prueba", "opened_on": "2026-01-05"}],
                screenings=[{"case_id": "E2E-1", "screened_on": "2026-01-06", "decision": "refer_to_assessment"}],
                assessments=[{"case_id": "E2E-1", "assessed_on": "2026-01-10", "phq9": 4}],
                risk_reviews=[{"case_id": "E2E-1", "reviewed_on": "2026-01-11"}],
            ),
            actor="setup",
        )
        ws.close()
        with running_app("streamlit_workspace.log") as url:
            yield url, db
    finally:
        for key, value in saved.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value


def _flags(db: Path) -> list[str]:
    import datetime as dt

    ws = ck.Workspace.open(db)
    try:
        status = ck.case_status(ws.result(), as_of=dt.date.today())
        return status.filter(pl.col("case_id") == "E2E-1")["flags"].item().to_list()
    finally:
        ws.close()


def _prints_the_worklist_on_a4(page: Page, overdue: str) -> None:
    """One click on the worklist's print button gives a page that Chromium prints on A4
    landscape, with the worklist's rows and nothing of the app around them."""
    button = page.get_by_test_id("stMain").locator(".st-key-monitoring_worklist_print").get_by_role("button")
    with page.expect_download() as got:
        button.click()
    assert (
        got.value.suggested_filename == "Lista de trabajo_" + __import__("datetime").date.today().isoformat() + ".html"
    )
    sheet = page.context.new_page()
    try:
        sheet.set_content(Path(got.value.path()).read_text(encoding="utf-8"))
        text = sheet.inner_text("body")
        assert_reads_as_spanish(sheet, "es_worklist_printable")
        pdf = sheet.pdf(prefer_css_page_size=True, print_background=True)
        sheet.emulate_media(media="print")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        sheet.screenshot(path=str(SCREENSHOTS / "es_worklist_printable.png"), full_page=True)
    finally:
        sheet.close()
    assert text.startswith(t("ui_monitoring.worklist_title", "es"))
    assert "E2E-1" in text
    assert overdue in text
    for words in (t("ui.language", "es"), t("ui.page_overview", "es"), t("ui_records.log_contact_title", "es")):
        assert words not in text  # no sidebar, no navigation, no forms
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes, "a PDF with pages"
    for width, height in boxes:  # A4 landscape: 297 x 210 mm = 841.9 x 595.3 pt
        assert abs(float(width) - 841.9) < 2
        assert abs(float(height) - 595.3) < 2


def test_worklist_contact_clears_the_flag_and_the_record_survives_language_and_refresh(
    chromium_browser: Browser, team_app: tuple[str, Path]
) -> None:
    url, db = team_app
    assert "follow_up_overdue" in _flags(db)
    context = chromium_browser.new_context(locale="es-ES", viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page: Page = context.new_page()
    try:
        page.goto(f"{url}/monitoring?lang=es")
        main = page.get_by_test_id("stMain")
        # the server's first page URL runs twice (alone, then through the router), idle between
        wait_idle(page, shown=main.locator("h1").filter(has_text=t("ui.page_monitoring", "es")))
        worklist = main.get_by_test_id("stDataFrame").first
        overdue = flag_label("follow_up_overdue", "es")
        worklist.get_by_text(overdue).first.wait_for(state="attached")  # the flag, in the worklist's cells
        _prints_the_worklist_on_a4(page, overdue)

        # log the contact from the worklist: the case is preselected, type a note, save
        form = main.get_by_test_id("stForm").filter(has=page.get_by_text(t("ui_records.notes", "es")))
        form.get_by_label(t("ui_records.notes", "es")).fill(NOTE)
        form.get_by_role("button", name=t("ui_records.save", "es")).click()
        # the saved message (the rerun after the save) names the case
        saved = page.get_by_test_id("stSidebar").get_by_test_id("stAlertContentSuccess").filter(has_text="E2E-1")
        wait_idle(page, shown=saved)
        assert "follow_up_overdue" not in _flags(db)
        assert worklist.get_by_text(overdue).count() == 0  # the flag cleared on screen too
        screenshot(page, "es_workspace_contact_saved")

        # open the case record from the worklist's form
        page.get_by_role("link", name=t("ui_forms.open_case_record", "es", case_id="E2E-1")).click()
        main.locator("h1").filter(has_text=t("ui.page_case", "es")).wait_for()
        wait_idle(page)
        main.get_by_role("heading", name="E2E-1 · Ana Prueba").wait_for()
        main.get_by_text(NOTE).first.wait_for(state="attached")  # the contact, in the record's table
        assert main.get_by_test_id("stMarkdown").filter(has_text=overdue).count() == 0  # not among its flags

        # switch the language, then refresh: the same case record, in English
        boxes = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
        boxes.filter(has_text=t("ui.language", "es")).click()
        page.get_by_role("option", name="English", exact=True).click()
        main.locator("h1").filter(has_text=t("ui.page_case", "en")).wait_for()
        wait_idle(page)
        page.reload()
        wait_idle(page, shown=main.locator("h1").filter(has_text=t("ui.page_case", "en")))
        main.get_by_role("heading", name="E2E-1 · Ana Prueba").wait_for()
        main.get_by_text(NOTE).first.wait_for(state="attached")
        assert "case=E2E-1" in page.url
        assert "lang=en" in page.url
        screenshot(page, "en_workspace_case_record_after_refresh")
    finally:
        context.close()
