"""End to end: the Learn page in a real browser, and its handouts printed to PDF by Chromium.

Opens Learn in Spanish, goes to the risk stage, changes the PHQ-9 knob and sees the tier
change (no exception element, screenshots in ``tests/_artifacts/screenshots/``); prints
every stage handout of every curated client to PDF and checks each is exactly one A4 page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

import casekit as ck
from casekit import learn
from casekit.contract import VOCABS
from casekit.i18n import t
from casekit.stages import stage_label

from .conftest import ROOT, assert_reads_as_spanish, screenshot, wait_idle
from .test_browser import assert_no_error, track_page_errors

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "sample_data" / "casekit_muestra_es.xlsx"
AS_OF = ck.SAMPLE_AS_OF


@pytest.fixture(scope="module")
def sample() -> dict[str, object]:
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=AS_OF)
    curated = learn.curated_clients(result, as_of=AS_OF)
    return {"result": result, "curated": dict(zip(curated["path"], curated["case_id"], strict=True))}


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF: its ``/Type /Page`` objects (not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def stage_pill(page: Page, number: int, label: str, mark: str = ""):
    """The stage pill ``number`` (its text starts with the state mark: ✓, ● or ○; ``mark``:
    only with that one)."""
    group = page.get_by_test_id("stMain").get_by_test_id("stButtonGroup")
    return group.get_by_role("radio", name=re.compile(rf"{re.escape(mark)}\s*{number}\. {re.escape(label)}$"))


def metric_value(page: Page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def test_learn_in_spanish_a_knob_moves_the_tier(open_app: Callable[..., Page], sample: dict) -> None:
    page = open_app("es", "learn")
    js_errors = track_page_errors(page)
    main = page.get_by_test_id("stMain")
    main.locator("h1").filter(has_text=t("ui.page_learn", "es")).wait_for()
    assert_no_error(page, "es/learn")
    main.get_by_text("Etapa 1 de 9").wait_for()
    screenshot(page, "es_learn_stage1")

    main.get_by_role("button", name=t("ui_learn.next", "es")).click()
    main.locator("h3").filter(has_text=f"2. {stage_label('assessment', 'es')}").wait_for()
    wait_idle(page)
    risk = stage_label("risk", "es")
    stage_pill(page, 3, risk).click()
    main.locator("h3").filter(has_text=f"3. {risk}").wait_for()
    wait_idle(page)
    assert_no_error(page, "es/learn risk stage")

    case_id = sample["curated"]["smooth"]  # the client shown first
    tier_label = t("ui_learn.metric_tier", "es")
    before = learn.what_if_risk(sample["result"], case_id, {}, as_of=AS_OF)
    after = learn.what_if_risk(sample["result"], case_id, {"phq9": 27}, as_of=AS_OF)
    assert before.after["computed_tier"] != after.after["computed_tier"], "PHQ-9 27 moves this client's tier"
    assert metric_value(page, tier_label) == VOCABS["tier"][before.after["computed_tier"]]("es")

    knob = main.get_by_test_id("stNumberInput").filter(has_text=t("ui_learn.knob_phq9", "es")).locator("input")
    knob.fill("27")
    knob.press("Enter")
    expected = VOCABS["tier"][after.after["computed_tier"]]("es")
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll("[data-testid='stMetric']")].some(m =>
             m.innerText.includes(label)
             && m.querySelector("[data-testid='stMetricValue']").innerText.trim() === value)""",
        arg=[tier_label, expected],
    )
    wait_idle(page)
    assert metric_value(page, tier_label) == expected
    assert_no_error(page, "es/learn after the knob")
    screenshot(page, "es_learn_risk_what_if")

    stage_pill(page, 6, stage_label("monitoring", "es")).click()
    main.locator("h3").filter(has_text=f"6. {stage_label('monitoring', 'es')}").wait_for()
    wait_idle(page)
    assert_no_error(page, "es/learn monitoring stage")
    screenshot(page, "es_learn_monitoring")
    assert not js_errors, js_errors


def test_english_walkthrough_of_the_readmitted_client(open_app: Callable[..., Page], sample: dict) -> None:
    page = open_app("en", "learn")
    main = page.get_by_test_id("stMain")
    main.locator("h1").filter(has_text=t("ui.page_learn", "en")).wait_for()
    main.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=re.compile(r"^Readmitted")).click()
    # the client's rerun has drawn its pills: the first client is done with every stage,
    # this one is still in one (●); only then the next click (not racing that rerun)
    steps = learn.walkthrough(sample["result"], sample["curated"]["readmitted"], as_of=AS_OF)
    current = next(step for step in steps if step.state == "current")
    first = learn.walkthrough(sample["result"], sample["curated"]["smooth"], as_of=AS_OF)
    assert first[current.number - 1].state != "current", "the pill tells the two clients apart"
    wait_idle(page, shown=stage_pill(page, current.number, stage_label(current.stage, "en"), mark="●"))
    stage_pill(page, 7, stage_label("transition", "en")).click()
    main.locator("h3").filter(has_text="7. Transition").wait_for()
    wait_idle(page)
    assert_no_error(page, "en/learn transition stage")
    # the readmission within 30 days into inpatient care (issue 12's rule), in words
    main.get_by_text(re.compile(r"^Readmission: admitted to .+ days after the «")).first.wait_for()
    screenshot(page, "en_learn_transition_readmitted")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_stage_handout_prints_on_exactly_one_page(chromium_browser: Browser, sample: dict, lang: str) -> None:
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        for path, case_id in sample["curated"].items():
            steps = learn.walkthrough(sample["result"], case_id, as_of=AS_OF)
            for step in steps:
                page.set_content(learn.stage_handout_html(step, lang=lang))
                if lang == "es":
                    assert_reads_as_spanish(page, f"{path} {case_id} stage {step.number} handout")
                pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
                assert pdf_pages(pdf) == 1, f"{path} {case_id} stage {step.number} ({lang}) is not one page"
            page.set_content(learn.walkthrough_handout_html(steps, lang=lang))
            assert pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 9, f"{path} walkthrough"
        page.set_content(learn.stage_handout_html(steps[2], lang=lang))
        page.set_viewport_size({"width": 794, "height": 1123})
        page.screenshot(path=str(screenshot_path(f"{lang}_learn_handout_risk")), full_page=True)
    finally:
        context.close()


def screenshot_path(name: str):
    from .conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
