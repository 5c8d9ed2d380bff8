"""Print set-up of every XLSX sheet casekit writes: one rule, called by every writer.

A sheet printed from Excel or LibreOffice should read like a report, not spill column
by column over hundreds of pages. :func:`set_up_printing` gives an xlsxwriter
worksheet:

- A4 paper, landscape when the sheet's columns are wider than a portrait page;
- fit to one page wide (as many pages tall as the rows need), or to one whole page
  (``one_page=True``, the report's summary);
- the header row repeated at the top of every page;
- a footer with the sheet name, "page N of M", the source file and the as-of date;
- printed gridlines on plain tables, off on sheets that draw their own borders or
  read as a page of text.

Examples
--------
>>> import io, xlsxwriter
>>> book = xlsxwriter.Workbook(io.BytesIO())
>>> ws = book.add_worksheet("cases")
>>> ws.set_column(0, 30, 20)
0
>>> ws.write_string(0, 30, "last column")
0
>>> set_up_printing(ws, lang="es", source="casos & más.xlsx", as_of=dt.date(2026, 9, 30))
>>> ws.paper_size, ws.orientation, ws.fit_width, ws.fit_height  # orientation 0 is landscape
(9, 0, 1, 0)
>>> ws.footer
'&L&8&A&C&8Página &P de &N&R&8casos && más.xlsx · 30/09/2026'
>>> book.close()
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl

from casekit.i18n import normalize_lang, t
from casekit.present import format_date

__all__ = [
    "A4",
    "PORTRAIT_WIDTH_PX",
    "footer_text",
    "longest_values",
    "set_up_printing",
    "sheet_width_px",
    "wrapped_widths",
]

#: xlsxwriter's paper code for A4.
A4 = 9
#: Printable width of a portrait A4 page with Excel's default margins (0.7 in each side),
#: in the 96-dpi pixels of column widths: (8.27 - 1.4) in x 96 = 660 px.
PORTRAIT_WIDTH_PX = 660
#: The footer's source name is cut to this many characters (Excel allows 255 in all).
_MAX_SOURCE = 80


def sheet_width_px(ws: Any) -> int:
    """Width in pixels of the worksheet's used columns (the widths set so far).

    >>> import io, xlsxwriter
    >>> ws = xlsxwriter.Workbook(io.BytesIO()).add_worksheet()
    >>> ws.write_string(0, 2, "x")
    0
    >>> sheet_width_px(ws)  # three default columns of 64 px
    192
    """
    last = ws.dim_colmax
    if last is None:
        return 0
    return sum(ws._size_col(col) for col in range(last + 1))


def longest_values(df: pl.DataFrame) -> dict[str, int]:
    """Characters of each column's longest value in the first 1,000 rows, as written
    (dates 10, datetimes 19, lists and objects 0): what column widths are sized from.

    >>> longest_values(pl.DataFrame({"a": ["xy", None, "xyz"], "b": [1, 22, 333]}))
    {'a': 3, 'b': 3}
    """
    sample = df.head(1000)
    exprs = []
    for name, dtype in sample.schema.items():
        if dtype == pl.Date:
            exprs.append(pl.lit(10).alias(name))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(pl.lit(19).alias(name))
        elif dtype.is_nested() or dtype == pl.Object:
            exprs.append(pl.lit(0).alias(name))
        else:
            exprs.append(pl.col(name).cast(pl.String).str.len_chars().max().fill_null(0).alias(name))
    return {name: int(n) for name, n in sample.select(exprs).row(0, named=True).items()} if exprs else {}


def wrapped_widths(df: pl.DataFrame, *, header_lines: int = 3, max_chars: int = 60) -> tuple[dict[str, int], int]:
    """Column widths in pixels for a table whose header wraps, and the header's line count.

    A column is as wide as its longest value (first 1,000 rows) or a ``header_lines``-th
    of its header, whichever is wider (never narrower than the header's longest word):
    long headers wrap instead of widening the sheet, so fewer columns shrink the print.

    >>> df = pl.DataFrame({"Points: emergency visits (6 months)": [1], "Case": ["C00001"]})
    >>> wrapped_widths(df)
    ({'Points: emergency visits (6 months)': 101, 'Case': 59}, 3)
    """
    longest = longest_values(df)
    widths, lines = {}, 1
    for name, n in longest.items():
        word = max((len(w) for w in name.split()), default=0)
        chars = min(max(word + 1, math.ceil(len(name) / header_lines) + 1, int(n) + 1, 6), max_chars)
        widths[name] = chars * 7 + 10
        lines = max(lines, math.ceil(len(name) / max(chars - 1, 1)))
    return widths, min(lines, header_lines + 1)


def _escape(text: str) -> str:
    """Text shown literally in a header or footer (``&`` starts a code there)."""
    return text.replace("&", "&&")


def footer_text(*, lang: str, source: str | None = None, as_of: dt.date | None = None) -> str:
    """The footer codes: sheet name left, page N of M centre, source and as-of date right.

    >>> footer_text(lang="en")
    '&L&8&A&C&8Page &P of &N'
    >>> footer_text(lang="en", source="x" * 100, as_of=dt.date(2026, 9, 30))[-25:]
    'xxxxxxxxxxx… · 2026-09-30'
    """
    lang = normalize_lang(lang)
    right = []
    if source:
        right.append(source if len(source) <= _MAX_SOURCE else source[: _MAX_SOURCE - 1] + "…")
    if as_of is not None:
        right.append(format_date(as_of, lang))
    page = t("printing.page_of", lang, page="&P", pages="&N")
    text = f"&L&8&A&C&8{page}"
    if right:
        text += "&R&8" + _escape(" · ".join(right))
    return text


def set_up_printing(
    ws: Any,
    *,
    lang: str,
    source: str | None = None,
    as_of: dt.date | None = None,
    header_row: int | None = 0,
    gridlines: bool = True,
    one_page: bool = False,
    landscape: bool | None = None,
) -> None:
    """Give an xlsxwriter worksheet casekit's print set-up (call it after the columns are sized).

    ``header_row``: the 0-based row repeated at the top of every page (``None``: none);
    ``gridlines``: print the cell gridlines (plain tables); ``False`` for sheets that
    draw their own borders or read as a page of text;
    ``one_page``: fit the whole sheet on one page (else one page wide);
    ``landscape``: force the orientation (default: landscape when the used columns are
    wider than a portrait page).
    """
    lang = normalize_lang(lang)
    ws.set_paper(A4)
    wide = sheet_width_px(ws) > PORTRAIT_WIDTH_PX if landscape is None else landscape
    if wide:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 1 if one_page else 0)
    if header_row is not None:
        ws.repeat_rows(header_row)
    ws.hide_gridlines(0 if gridlines else 1)  # 0 shows and prints gridlines, 1 prints none
    ws.set_footer(footer_text(lang=lang, source=source, as_of=as_of))
