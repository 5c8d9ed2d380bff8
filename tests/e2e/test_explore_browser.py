"""End to end: the Explore page in a real browser.

Opens Explore in Spanish, picks a risk tier in the cohort filters and sees the "N of M"
count change to the number casekit's stage engine gives; charts a time between stages;
opens every view; downloads the event log and the de-identified extract; no exception
element, screenshots in ``tests/_artifacts/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl
import pytest

import casekit as ck
from casekit.i18n import t
from casekit.present import format_number

from .conftest import ROOT, screenshot, wait_idle
from .test_browser import assert_no_error, track_page_errors

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "sample_data" / "casekit_muestra_es.xlsx"


@pytest.fixture(scope="module")
def status() -> pl.DataFrame:
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=ck.SAMPLE_AS_OF)
    return ck.case_status(result, as_of=ck.SAMPLE_AS_OF)


def count_text(n: int, total: int) -> str:
    """The start of the "N of M" line as the browser renders it (bold markdown dropped)."""
    return f"{format_number(n, 'es')} de {format_number(total, 'es')} casos"


def test_explore_in_spanish_a_filter_changes_the_count(open_app: Callable[..., Page], status: pl.DataFrame) -> None:
    page = open_app("es", "explore")
    js_errors = track_page_errors(page)
    main = page.get_by_test_id("stMain")
    main.locator("h1").filter(has_text=t("ui.page_explore", "es")).wait_for()
    assert_no_error(page, "es/explore")
    total = status.height
    main.get_by_text(count_text(total, total)).wait_for()
    screenshot(page, "es_explore")

    tiers = main.get_by_test_id("stMultiSelect").filter(has_text=t("ui_explore.filter_tiers", "es")).first
    tiers.locator("input").click()
    page.keyboard.type("Alto")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    high = status.filter(pl.col("effective_tier") == "high").height
    main.get_by_text(count_text(high, total)).wait_for()
    wait_idle(page)
    assert_no_error(page, "es/explore after the tier filter")
    assert main.get_by_text(count_text(total, total)).count() == 0
    screenshot(page, "es_explore_filtered")

    # a time between stages, grouped by tier: the chart is drawn in the browser
    measure = main.get_by_test_id("stSelectbox").filter(has_text=t("ui_explore.measure", "es")).first
    measure.click()
    page.get_by_role("option", name=t("cohort.measure_median_days", "es"), exact=True).click()
    # a time between stages asks for its stages: their boxes are the rerun's, drawn
    from_stage = main.get_by_test_id("stSelectbox").filter(has_text=t("ui_explore.from_stage", "es"))
    wait_idle(page, shown=from_stage)
    group_by = main.get_by_test_id("stSelectbox").filter(has_text=t("ui_explore.group_by", "es")).first
    group_by.click()
    page.get_by_role("option", name=t("cohort.by_effective_tier", "es"), exact=True).click()
    title = t(
        "cohort.chart_title",
        "es",
        measure=t("cohort.measure_median_days", "es"),
        by="nivel de riesgo",
    )
    main.get_by_test_id("stVegaLiteChart").filter(has_text=title).wait_for()
    wait_idle(page)
    assert_no_error(page, "es/explore median days by tier")
    screenshot(page, "es_explore_median_days")

    views = main.get_by_test_id("stRadio").first
    # what only each view draws: its rerun has reached the page (not the view before it)
    drawn = {
        "process": main.get_by_text(t("ui_explore.process_caption", "es")),
        "compare": main.get_by_text(t("ui_explore.compare_caption", "es")),
        "export": main.locator("h3").filter(has_text=t("ui_explore.export_log", "es")),
    }
    for view in ("process", "compare", "export"):
        views.get_by_text(t(f"ui_explore.tab_{view}", "es"), exact=True).click()
        wait_idle(page, shown=drawn[view])
        assert_no_error(page, f"es/explore view {view}")
        main.get_by_text(count_text(high, total)).wait_for()  # the filter holds in every view
        screenshot(page, f"es_explore_{view}")
    check_downloads(page, status)
    assert not js_errors, js_errors


def check_downloads(page: Page, status: pl.DataFrame) -> None:
    """In the export view, filtered to the high tier: the event log and the de-identified
    extract as the browser downloads them."""
    main = page.get_by_test_id("stMain")
    high = status.filter(pl.col("effective_tier") == "high").height
    with page.expect_download() as log_download:
        main.get_by_role("button", name=t("ui_explore.export_log_button", "es")).click()
    log = pl.read_csv(log_download.value.path())
    assert set(log["case:concept:name"]) == set(status.filter(pl.col("effective_tier") == "high")["case_id"])
    main.get_by_role("button", name=t("ui_explore.deid_prepare", "es")).click()
    deid_button = main.get_by_role("button", name=t("ui_explore.deid_download", "es"))
    deid_button.wait_for()
    wait_idle(page)
    with page.expect_download() as deid_download:
        deid_button.click()
    extract = pl.read_excel(deid_download.value.path(), sheet_id=0)
    assert 0.9 * high <= extract["casos"].height <= high  # k-anonymity suppresses a few cases at most
    assert not set(extract["casos"]["id_caso"]) & set(status["case_id"])
    assert not {"age", "age_band"} & set(extract["casos"].columns)  # the extract's own columns: Spanish headers
    screenshot(page, "es_explore_export_ready")
