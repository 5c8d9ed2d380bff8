"""The funder summary's button on the Overview and Outcomes screens (AppTest)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from casekit.i18n import t
from casekit.ui.widgets import summary_pdf_bytes
from tests.app.conftest import open_app


@pytest.mark.parametrize(("page", "lang"), [("overview", "es"), ("overview", "en"), ("outcomes", "es")])
def test_summary_button_with_the_small_cell_switch(page: str, lang: str) -> None:
    at = open_app(page, lang=lang)
    key = f"{page}_summary"
    assert t("ui.summary_heading", lang) in [s.value for s in at.subheader]
    switch = at.toggle(key=f"{key}_exact")
    assert switch.label == t("ui.summary_exact_counts", lang)
    assert switch.value is False  # suppressed unless the user switches
    captions = [c.value for c in at.caption]
    assert t("printing.note_for_sharing", lang) in captions
    buttons = {b.key: b for b in at.get("download_button")}
    assert buttons[f"{key}_pdf"].proto.label == t("ui.summary_download", lang)
    switch.set_value(True).run()
    assert not at.exception
    assert t("printing.note_exact", lang) in [c.value for c in at.caption]


def test_the_buttons_pdf_is_one_page_in_the_screens_language() -> None:
    at = open_app(None, lang="es")
    tables = at.session_state["tables"]
    for lang, for_sharing in (("es", True), ("en", False)):
        reader = PdfReader(io.BytesIO(summary_pdf_bytes(tables, lang, for_sharing=for_sharing)))
        assert len(reader.pages) == 1
        text = reader.pages[0].extract_text()
        assert t("printing.pdf_title", lang) in " ".join(text.split())
        note = "printing.note_for_sharing" if for_sharing else "printing.note_exact"
        assert t(note, lang)[:40] in " ".join(text.split())
