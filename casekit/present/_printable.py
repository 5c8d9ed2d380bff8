"""A table as a printable page: self-contained HTML on A4, nothing of the app around it.

The screens print badly from the browser (the sidebar, the page's widgets, a grid that
scrolls instead of breaking across pages). :func:`printable_html` writes a table that a
person reads (already through :func:`casekit.present.readable`) as one HTML document
with a title, a line about what it shows, the table — its header repeated on every
printed page, no row cut in two — and a footer. No external assets or scripts; every
text is HTML-escaped. Open it and print (Ctrl+P), or ``page.pdf()`` in Playwright.

>>> import polars as pl
>>> page = printable_html(pl.DataFrame({"Caso": ["C-1"], "Días de retraso": ["1.204"]}),
...     title="Lista de trabajo", lang="es", subtitle="Muestra · 30/09/2026")
>>> "size: A4 landscape" in page, "<th>Días de retraso</th>" in page, '<td class="num">1.204</td>' in page
(True, True, True)
"""

from __future__ import annotations

import re
from html import escape

import polars as pl

from casekit.i18n import normalize_lang
from casekit.present._formats import formats

__all__ = ["printable_html"]

_CSS = """
@page { size: A4 %(orientation)s; margin: 10mm 10mm 12mm 10mm; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 8pt;
       color: #1f2328; line-height: 1.3; }
body { margin: 0; }
@media screen { body { max-width: 277mm; margin: 0 auto; padding: 10mm 0; } }
h1 { font-size: 14pt; margin: 0 0 2pt; color: #0b3d62; }
.subtitle { font-size: 8.5pt; color: #57606a; margin: 0 0 6pt; padding-bottom: 4pt;
            border-bottom: 2px solid #0b3d62; }
table { border-collapse: collapse; width: 100%%; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #c9d1d9; padding: 2pt 3pt; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f2f4f7; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #f8fafc; }
.empty { color: #57606a; }
footer { margin-top: 6pt; font-size: 7pt; color: #57606a; border-top: 1px solid #c9d1d9; padding-top: 3pt; }
"""


def _number_pattern(lang: str) -> str:
    """A cell written as a number in ``lang``'s format (``1.204``, ``-3,5``, ``12,5 %``)."""
    fmt = formats(lang)
    return rf"-?\d{{1,3}}(?:{re.escape(fmt.thousands)}\d{{3}})*(?:{re.escape(fmt.decimal)}\d+)?(?:\s?%)?"


def _escaped(text: pl.Expr) -> pl.Expr:
    """HTML-escaped text (as :func:`html.escape`)."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        text = text.str.replace_all(char, entity, literal=True)
    return text


def _row_html(columns: list[str], number: str) -> pl.Expr:
    """Each row as ``<tr><td>…</td>…</tr>``: numbers right-aligned, nulls blank."""
    cells = []
    for name in columns:
        text = pl.col(name).cast(pl.String).fill_null("")
        start = pl.when(text.str.contains(f"^(?:{number})$")).then(pl.lit('<td class="num">')).otherwise(pl.lit("<td>"))
        cells += [start, _escaped(text), pl.lit("</td>")]
    return pl.concat_str([pl.lit("<tr>"), *cells, pl.lit("</tr>")])


def printable_html(
    table: pl.DataFrame,
    *,
    title: str,
    lang: str,
    subtitle: str = "",
    footer: str = "",
    empty: str = "—",
    landscape: bool = True,
) -> str:
    """``table`` (as a person reads it: :func:`~casekit.present.readable`'s output) as a
    printable A4 HTML document; ``empty`` is written when it has no rows. Numbers are
    right-aligned, blanks stay blank.

    >>> import polars as pl
    >>> html = printable_html(pl.DataFrame({"Case": ["<b>"]}), title="Worklist", lang="en", landscape=False)
    >>> "size: A4 portrait" in html, "<td>&lt;b&gt;</td>" in html, "<script" in html
    (True, True, False)
    """
    lang = normalize_lang(lang)
    head = "".join(f"<th>{escape(str(c))}</th>" for c in table.columns)
    if table.height:
        rows = table.select(_row_html(table.columns, _number_pattern(lang)).alias("row"))["row"].str.join("").item()
        body = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    else:
        body = f'<p class="empty">{escape(empty)}</p>'
    css = _CSS % {"orientation": "landscape" if landscape else "portrait"}
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{css}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="subtitle">{escape(subtitle)}</p>' if subtitle else "",
        body,
        f"<footer>{escape(footer)}</footer>" if footer else "",
        "</body></html>\n",
    ]
    return "".join(parts)
