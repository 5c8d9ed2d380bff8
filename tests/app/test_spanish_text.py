"""Every screen in Spanish reads as Spanish: no ``None``, ``nan``, English decimal points
(``92.8``) or ISO dates, no English vocabulary ids — in texts, metrics, widgets and the
cells of every table (one app session visits every page, so the sample is read once)."""

from __future__ import annotations

import json
import math
import numbers

import pytest
from streamlit.testing.v1 import AppTest

from casekit.present import FORMATS, format_number
from casekit.ui import PAGES
from tests.app.conftest import open_app
from tests.present import spanish

TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error", "text")
CHOICES = ("selectbox", "multiselect", "radio", "select_slider")


def page_text(at: AppTest) -> tuple[list[str], list[str]]:
    """What the page shows: its texts, and the headers and cells of its tables."""
    texts = [str(el.value) for kind in TEXT_ELEMENTS for el in at.get(kind)]
    texts += [str(part) for m in at.metric for part in (m.label, m.value, m.delta or "")]
    for kind in CHOICES:
        for widget in at.get(kind):
            texts += [widget.label, *map(str, widget.options)]
    for widget in at.multiselect:  # Streamlit's own placeholder is English ("Choose options")
        assert widget.proto.placeholder not in ("", "Choose options"), widget.label
        texts.append(widget.proto.placeholder)
    for widget in at.selectbox:  # an empty one shows its placeholder ("Choose an option")
        if not widget.proto.HasField("default"):
            assert widget.proto.placeholder not in ("", "Choose an option"), widget.label
            texts.append(widget.proto.placeholder)
    texts += [b.label for b in at.get("download_button")] + [b.label for b in at.button]
    cells: list[str] = []
    for table in at.dataframe:
        frame = table.value
        cells += [str(c) for c in frame.columns]
        config = json.loads(table.proto.columns or "{}")
        blank = table.proto.placeholder if table.proto.HasField("placeholder") else "None"
        for column in frame.columns:
            fmt = config.get(column, {}).get("type_config", {}).get("format")
            cells += [_cell(x, fmt, blank) for x in frame[column]]
    return texts, cells


def _cell(value: object, fmt: str | None, blank: str) -> str:
    """A cell as the browser shows it: a number of a column written with the Spanish
    whole-number format (``%'.,d``) is ``1.204``; a missing value is the table's placeholder."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return blank
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and fmt == FORMATS["es"].column_integer:
        return format_number(int(value), "es")
    return str(value)


@pytest.mark.slow
def test_every_spanish_page_reads_as_spanish() -> None:
    at = open_app(lang="es")
    found: dict[str, list[str]] = {}
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        texts, cells = page_text(at)
        assert cells or texts, page
        problems = [p for text in texts for p in spanish.problems(text)] + spanish.cell_problems(cells)
        if problems:
            found[page] = sorted(set(problems))[:20]
    assert found == {}
