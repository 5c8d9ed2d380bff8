"""Data cannot inject Markdown or HTML into the app (issue 15): a workbook whose file name,
case ids and staff names are Markdown/HTML payloads, uploaded in a real browser, makes no
request outside the app and shows the payloads as text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import polars as pl
import pytest

import casekit as ck
from casekit.export import write_workbook
from casekit.i18n import t

from .conftest import screenshot, wait_idle
from .test_browser import assert_no_error, nav_links, title

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

EVIL = "evil.invalid"
#: Payloads a spreadsheet cell or a file name can carry; each would load or link to EVIL if rendered.
PAYLOADS = (
    f"![x](http://{EVIL}/img.png)",
    f"<img src=http://{EVIL}/tag.png>",
    f"[click](http://{EVIL}/link)",
    ":red[**boom**] :material/warning:",
    f"$x$ <a href=http://{EVIL}/a>a</a>",
)
FILE_NAME = f"casos ![f](http{EVIL}) **negrita** <b>x<b>.xlsx"  # no "/" in a file name


@pytest.fixture(scope="module")
def hostile_workbook(tmp_path_factory) -> Path:
    """The sample with payloads as the ids of five cases (in every sheet) and as staff names."""
    data = ck.make_sample(60, seed=5)
    ids = data["cases"]["case_id"].head(len(PAYLOADS)).to_list()
    rename = dict(zip(ids, PAYLOADS, strict=True))
    sheets = {
        name: df.with_columns(pl.col("case_id").replace(rename)) if "case_id" in df.columns else df
        for name, df in data.sheets.items()
    }
    managers = sheets["cases"]["case_manager"].unique().sort().to_list()
    staff = {m: f"**{m}** <img src=http://{EVIL}/staff.png>" for m in managers[:2]}
    sheets["cases"] = sheets["cases"].with_columns(pl.col("case_manager").replace(staff))
    path = tmp_path_factory.mktemp("hostile_md") / FILE_NAME
    write_workbook(ck.CaseData(sheets), path, lang="es")
    return path


def go_to(page: Page, name: str) -> None:
    """Click the page's sidebar link (same session: the upload stays) and wait for its title
    (the sidebar keeps its choices in the URL's query, so the URL is not waited for)."""
    href = nav_links(page)[name]
    page.locator(f"a[data-testid='stSidebarNavLink'][href='{href}']").click()
    heading = page.get_by_test_id("stMain").locator("h1").filter(has_text=title(name, "es"))
    heading.or_(page.get_by_test_id("stException")).first.wait_for()
    wait_idle(page)


def shown(locator) -> str:
    """The text on screen, without the invisible word joiners that keep URLs from becoming links."""
    return locator.inner_text().replace("\u2060", "")


def outside_requests(page: Page, app: str) -> list[str]:
    """Every request the page makes to a host other than the app's (filled as they happen)."""
    seen: list[str] = []
    host = urlparse(app).netloc

    def check(request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != host:
            seen.append(request.url)

    page.on("request", check)
    return seen


def test_markdown_and_html_in_the_data_are_shown_as_text(
    open_app: Callable[..., Page], app_url: str, hostile_workbook: Path
) -> None:
    page = open_app("es", "data")
    outside = outside_requests(page, app_url)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stRadio").get_by_text(t("ui.source_upload", "es")).click()
    uploader = sidebar.get_by_test_id("stFileUploader").filter(has_text=t("ui.upload", "es"))
    uploader.wait_for()
    wait_idle(page)
    with page.expect_file_chooser() as chooser:
        uploader.get_by_test_id("stBaseButton-secondary").click()
    chooser.value.set_files(hostile_workbook)
    main = page.get_by_test_id("stMain")
    main.get_by_text("**negrita** <b>x<b>.xlsx").first.wait_for()  # the caption names the file, literally
    wait_idle(page)
    assert_no_error(page, "es/data after the hostile upload")
    for name in ("overview", "planning", "monitoring", "screening", "explore", "learn"):
        go_to(page, name)
        assert FILE_NAME in shown(main), name  # shown as typed, not as Markdown
        app = page.get_by_test_id("stApp")
        assert app.locator(f"img[src*='{EVIL}'], a[href*='{EVIL}']").count() == 0, name
        assert app.locator(".katex").count() == 0, name  # no LaTeX either
    # the planning page titles its tables with the chosen case (Markdown): pick a payload id
    go_to(page, "planning")
    select = main.get_by_test_id("stSelectbox").filter(has_text=t("ui_planning.calendar_pick", "es"))
    select.click()
    page.keyboard.type(f"{EVIL}/img")  # the list is long: filter it to the payload case
    page.get_by_role("option").filter(has_text=PAYLOADS[0]).first.click()
    # the rerun for the new choice has drawn the case's goals under its title (word joiners
    # aside): only then is the page read
    goals = t("ui_planning.client_goals_title", "es", case_id=PAYLOADS[0])
    wait_idle(page, shown=main.get_by_text(re.compile("\u2060?".join(map(re.escape, goals)))))
    assert_no_error(page, "es/planning with a payload case")
    assert PAYLOADS[0] in shown(main)  # the tables' titles name the case as typed
    bad = page.get_by_test_id("stApp").locator(f"img[src*='{EVIL}'], a[href*='{EVIL}']")
    where = [e.evaluate("e => e.closest('[data-testid]').outerHTML.slice(0, 400)") for e in bad.all()]
    assert bad.count() == 0, where
    screenshot(page, "es_planning_markdown_payload")
    assert outside == [], outside
