"""End to end: the app served by ``streamlit run``, driven in headless Chromium.

Visits every page in both languages (no exception element, no traceback, a screenshot of
each in ``tests/_artifacts/screenshots/``), uploads the broken sample workbook through the
file chooser, and switches the language in the sidebar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import polars as pl
import pytest

import casekit as ck
from casekit.i18n import t
from casekit.ui.signin import pages_for
from casekit.validation import report_for

from .conftest import (
    ARTIFACTS,
    ROOT,
    VIEWPORT,
    app_language,
    assert_reads_as_spanish,
    running_app,
    screenshot,
    wait_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

ALL_PAGES = pages_for("admin")  # the screens of local mode's one user, an administrator (Users included)


def existing_pages() -> tuple[str, ...]:
    """Pages whose script exists (the router lists exactly these, re-checked on every run)."""
    return tuple(name for name in ALL_PAGES if (ROOT / "pages" / f"{name}.py").exists())


BROKEN = ROOT / "sample_data" / "casekit_broken_es.xlsx"


def nav_links(page: Page) -> dict[str, str]:
    """Page name → href of the sidebar navigation links (the overview is served at ``/``)."""
    links = {}
    for link in page.get_by_test_id("stSidebarNavLink").all():
        href = link.get_attribute("href") or ""
        links[urlparse(href).path.strip("/") or "overview"] = href
    return links


def title(name: str, lang: str) -> str:
    return t(f"ui.page_{name}", lang)


def assert_no_error(page: Page, where: str) -> None:
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, f"{where}: exception shown: {exceptions.all_inner_texts()}"
    text = page.get_by_test_id("stApp").inner_text()
    assert "Traceback" not in text, f"{where}: a traceback is shown"


def go_to(page: Page, name: str, lang: str) -> None:
    """Click the page's sidebar link and wait until it has been drawn."""
    href = nav_links(page)[name]
    page.locator(f"a[data-testid='stSidebarNavLink'][href='{href}']").click()
    # the sidebar keeps its choices in the URL's query: wait for the page's path only
    path = urlparse(href).path
    page.wait_for_url(lambda url: urlparse(url).path == path)
    main = page.get_by_test_id("stMain")
    heading = main.locator("h1").filter(has_text=title(name, lang))
    # the title, or the exception that stopped the page before it
    heading.or_(page.get_by_test_id("stException")).first.wait_for()
    wait_idle(page)
    where = f"{lang}/{name}"
    try:
        assert_no_error(page, where)
        assert heading.count() == 1, f"{where}: no title «{title(name, lang)}»"
        assert main.get_by_test_id("stElementContainer").count() > 2, f"{where}: the page is empty"
        if app_language(page) == "es":
            assert_reads_as_spanish(page, where)
    except AssertionError:
        screenshot(page, f"failed_{lang}_{name}")
        raise


def track_page_errors(page: Page) -> list[str]:
    """Uncaught JavaScript errors of the page (a chart or widget that failed in the browser)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_renders_without_errors(open_app: Callable[..., Page], lang: str) -> None:
    page = open_app(lang)
    js_errors = track_page_errors(page)
    pages = existing_pages()
    links = nav_links(page)
    assert sorted(links) == sorted(pages), "the sidebar lists exactly the pages in pages/"
    nav_titles = page.get_by_test_id("stSidebarNavLink").all_inner_texts()
    assert sorted(nav_titles) == sorted(title(name, lang) for name in pages)
    for name in pages:
        go_to(page, name, lang)
        assert_no_error(page, f"{lang}/{name}")
        errors = page.get_by_test_id("stAlertContentError")
        assert errors.count() == 0, f"{lang}/{name}: error on the bundled sample: {errors.all_inner_texts()}"
        screenshot(page, f"{lang}_{name}")
    assert not js_errors, js_errors


def test_uploading_the_broken_workbook_shows_the_report(open_app: Callable[..., Page]) -> None:
    page = open_app("es", "data")
    js_errors = track_page_errors(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stRadio").get_by_text(t("ui.source_upload", "es")).click()
    uploader = sidebar.get_by_test_id("stFileUploader").filter(has_text=t("ui.upload", "es"))
    uploader.wait_for()
    wait_idle(page)
    with page.expect_file_chooser() as chooser:
        uploader.get_by_test_id("stBaseButton-secondary").click()
    chooser.value.set_files(BROKEN)

    main = page.get_by_test_id("stMain")
    main.get_by_text(BROKEN.name).wait_for()  # the caption names the uploaded file
    wait_idle(page)
    assert_no_error(page, "es/data after upload")
    # the same summary as casekit's validation of that file (as of today, the upload's default)
    expected = ck.validate(ck.read_workbook(BROKEN), as_of=dt.date.today())
    rows, cases = sum(expected.n_quarantined().values()), expected.affected_cases()
    summary = t("ui.data_summary", "es", errors=expected.n_errors, warnings=expected.n_warnings, rows=rows, cases=cases)
    main.get_by_text(summary).wait_for()

    # The report is a virtualised grid: filter it to the sheet, then scroll to the row.
    sheet_filter = main.get_by_test_id("stMultiSelect").filter(has_text=t("ui.data_filter_sheet", "es"))
    sheet_filter.locator("input").click()
    page.keyboard.type("contactos")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    # the chip is the browser's own; the rerun's result is the report cut to that sheet's rows
    # (a grid's accessible table counts its rows, the header row included)
    in_sheet = report_for(expected, "es").filter(pl.col("sheet") == "contactos").height
    grid = main.get_by_test_id("stDataFrame").last
    wait_idle(page, shown=grid.locator(f"[role='grid'][aria-rowcount='{in_sheet + 1}']"))
    grid.scroll_into_view_if_needed()  # the wheel scrolls the grid only with the pointer on it, in view
    box = grid.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    unknown_case = grid.get_by_text("C99999").first
    for _ in range(20):
        if unknown_case.count():
            break
        page.mouse.wheel(0, 200)
        page.wait_for_timeout(200)
    assert unknown_case.count(), "the report lists the contact of the unknown case C99999"
    screenshot(page, "es_data_broken_upload")

    # The app keeps working on the valid rows: every page, with the quarantine banner.
    for name in existing_pages():
        go_to(page, name, "es")
        assert_no_error(page, f"es/{name} on the broken workbook")
    go_to(page, "overview", "es")
    page.get_by_text(t("ui.quarantine_banner", "es", rows=rows, cases=cases)).wait_for()
    screenshot(page, "es_overview_broken_upload")
    assert not js_errors, js_errors


def test_switching_the_language_retitles_the_pages(open_app: Callable[..., Page]) -> None:
    page = open_app("es")
    main = page.get_by_test_id("stMain")
    main.locator("h1").filter(has_text="Resumen").wait_for()

    def choose(language: str) -> None:
        boxes = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")  # language, case manager…
        boxes.filter(has_text=t("ui.language", "es")).or_(boxes.filter(has_text=t("ui.language", "en"))).click()
        page.get_by_role("option", name=language, exact=True).click()

    choose("English")
    main.locator("h1").filter(has_text="Overview").wait_for()
    wait_idle(page)
    assert_no_error(page, "en/overview after switching")
    assert sorted(page.get_by_test_id("stSidebarNavLink").all_inner_texts()) == sorted(
        title(name, "en") for name in existing_pages()
    )
    go_to(page, "data", "en")  # the choice persists across pages
    choose("Español")
    main.locator("h1").filter(has_text=title("data", "es")).wait_for()
    wait_idle(page)
    go_to(page, "overview", "es")
    assert main.locator("h1").first.inner_text() == "Resumen"
    assert_no_error(page, "es/overview after switching back")


def test_a_page_opened_by_url_on_a_fresh_server_shows_its_data(chromium_browser: Browser) -> None:
    """A bookmark to /screening as a new server's first request: Streamlit would run the
    page alone in its old pages-folder mode (no sidebar, no data); casekit reruns it
    through the router."""
    with running_app("streamlit_direct_url.log") as url:
        context = chromium_browser.new_context(locale="en-US", viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(f"{url}/screening")
            # the page runs twice (alone, then through the router) and looks idle in between
            wait_idle(page, shown=page.get_by_role("heading", name="Screening", exact=True))
            assert_no_error(page, "direct /screening")
            nav = page.get_by_test_id("stSidebarNavLink").all_inner_texts()
            assert "Assessment & risk review" in nav, nav  # the router's titles, not file names
            # the rerun through the router may still be loading the sample: wait for its figures
            page.get_by_test_id("stMetric").first.wait_for()
            wait_idle(page)
            assert page.get_by_test_id("stMetric").count() > 0
            screenshot(page, "en_screening_direct_url")
        finally:
            context.close()


def test_a_table_download_is_written_when_clicked(open_app: Callable[..., Page]) -> None:
    """Table downloads are deferred (written on click, not on every rerun): the browser
    still receives the whole table, on every click. Clicked twice in a row, as a person
    who is not sure the first click worked: when a click also reran the app, the rerun
    could forget the file id the button held and the next click did nothing."""
    page = open_app("es", "monitoring")
    main = page.get_by_test_id("stMain")
    # the worklist's own button (its widget key), not whichever CSV button is drawn first
    button = main.locator(".st-key-monitoring_worklist_csv").get_by_role("button", name=t("ui.download_csv", "es"))
    downloads = []
    for _ in range(3):
        with page.expect_download() as first:
            button.click()
        with page.expect_download() as second:
            button.click()  # at once: Playwright waits only until the button is enabled again
        downloads += [first.value, second.value]
    wait_idle(page)
    assert "Deferred file" not in (ARTIFACTS / "streamlit.log").read_text(encoding="utf-8")
    assert all(d.suggested_filename.endswith(".csv") for d in downloads)
    texts = {Path(d.path()).read_bytes() for d in downloads}
    assert len(texts) == 1  # the same whole file each time
    shown = pl.read_csv(downloads[-1].path(), separator=";")  # Spanish CSV: ";" between fields
    result = ck.validate(ck.read_workbook(ROOT / "sample_data" / "casekit_muestra_es.xlsx"), as_of=ck.SAMPLE_AS_OF)
    worklist = ck.worklist(ck.case_status(result, as_of=ck.SAMPLE_AS_OF))
    assert shown.height == worklist.height > 0
    from casekit.present import header

    # the triage order (priority, tier, days overdue, case) of every row, the case read by its header
    assert shown[header("case_id", "es")].to_list() == worklist["case_id"].to_list()


def test_the_spanish_check_reads_the_text_the_inputs_and_the_grid_cells(chromium_browser: Browser) -> None:
    """:func:`assert_reads_as_spanish` finds what each part of a page can show (a control
    for the checks above, which pass on every Spanish page)."""
    grid = '<div data-testid="stDataFrame"><table><tr><td role="gridcell">{}</td></tr></table></div>'
    page = chromium_browser.new_page()
    try:
        for shown, found in [
            ("<p>Tasa: 92.8</p>", "92.8"),
            ("<p>Valor: None</p>", "None"),
            (grid.format("high"), "high"),
            ('<input placeholder="Choose options">', "Choose options"),
            ('<input value="plan_overdue">', "plan_overdue"),
        ]:
            page.set_content(f"<body><p>Nivel alto, 1.373,91 €</p>{shown}</body>")
            with pytest.raises(AssertionError, match=found):
                assert_reads_as_spanish(page, "control")
        page.set_content(f"<body><p>Nivel alto, 1.373,91 €</p>{grid.format('Alto')}<code>plan_overdue</code></body>")
        assert_reads_as_spanish(page, "clean")
    finally:
        page.close()
