"""The presentation layer: frames, dates, numbers and ids as a person reads them.

One place turns what casekit computes into what a person reads, in Spanish or
English, for every consumer (app tables, metrics, the XLSX report, CLI outputs,
downloads):

- :func:`readable` — a frame with labels, formatted dates and numbers, ``sí``/``no``,
  joined lists, blanks for nulls and headers from one catalogue;
- :func:`header` — a column's header (``casekit/locales/columns.toml``, one per column
  id; :func:`missing_headers` lists the columns that have none);
- :func:`label` / :func:`vocabulary` — an id's label, through one map of column →
  vocabulary (:data:`COLUMN_VOCABULARY`);
- :func:`format_date` / :func:`format_number` / :func:`number_expr` and :data:`FORMATS`
  — the one table of date and number formats per language, for each consumer (strftime,
  Excel number formats, Streamlit widgets and columns, CSV separator);
  :func:`excel_formats` — a frame's Excel number formats, column by column;
- :func:`printable_html` — a readable table as a printable A4 page (self-contained HTML,
  none of the app around it), e.g. the printable worklist.

Examples
--------
>>> import datetime as dt
>>> import polars as pl
>>> from casekit import present
>>> worklist = pl.DataFrame({"case_id": ["C-7"], "flag": ["plan_overdue"], "due_on": [dt.date(2026, 9, 2)],
...     "days_overdue": [1204]})
>>> present.readable(worklist, "es").to_dicts()
[{'Caso': 'C-7', 'Alerta': 'Plan atrasado', 'Vence el': '02/09/2026', 'Días de retraso': '1.204'}]
>>> present.header("due_on", "en"), present.label("flag", "plan_overdue", "en")
('Due on', 'Plan overdue')
>>> present.format_number(92.8, "es", ".1f"), present.FORMATS["es"].excel_date
('92,8', 'dd/mm/yyyy')
"""

from __future__ import annotations

from casekit.present._formats import FORMATS, Formats, count_text, format_date, format_number, formats, number_expr
from casekit.present._headers import NumberStyle, header, missing_headers, number_style, screen_headers
from casekit.present._printable import printable_html
from casekit.present._readable import excel_formats, headers_for, readable, suppressed_flags, text_expr
from casekit.present._vocab import COLUMN_VOCABULARY, column_labels, label, vocabulary, vocabulary_of

__all__ = [
    "COLUMN_VOCABULARY",
    "FORMATS",
    "Formats",
    "NumberStyle",
    "column_labels",
    "count_text",
    "excel_formats",
    "format_date",
    "format_number",
    "formats",
    "header",
    "headers_for",
    "label",
    "missing_headers",
    "number_expr",
    "number_style",
    "printable_html",
    "readable",
    "screen_headers",
    "suppressed_flags",
    "text_expr",
    "vocabulary",
    "vocabulary_of",
]
