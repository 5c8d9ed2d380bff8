"""Printable handouts of the walkthrough: one A4 page per stage, self-contained HTML.

No external assets (fonts, images, scripts); every text — client data included — is
HTML-escaped. Print from a browser (or ``page.pdf()`` in Playwright) to get the PDF.

Examples
--------
>>> import casekit as ck
>>> from casekit.learn import walkthrough
>>> steps = walkthrough(ck.make_sample(30, seed=2), "C00002", as_of=ck.SAMPLE_AS_OF)
>>> page = stage_handout_html(steps[0], lang="en")
>>> "What this stage is for" in page and "@page" in page
True
>>> walkthrough_handout_html(steps, lang="es").count('<section class="page"')
9
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

import polars as pl

from casekit.i18n import normalize_lang, t
from casekit.learn._common import show_value
from casekit.learn._steps import StageStep

__all__ = ["MAX_ROWS", "stage_handout_html", "walkthrough_handout_html"]

#: Rows of each table printed on a handout (the rest are counted, so a page stays one page).
MAX_ROWS = 8
#: Columns per printed block: wider tables continue in another block underneath.
MAX_COLUMNS = 9

_CSS = """
@page { size: A4; margin: 14mm 14mm 14mm 14mm; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10pt;
       color: #1f2328; line-height: 1.35; }
body { margin: 0; }
.page { break-after: page; page-break-after: always; }
.kicker { font-size: 8pt; color: #57606a; text-transform: uppercase; letter-spacing: .06em; margin: 0; }
h1 { font-size: 17pt; margin: 2pt 0 2pt; color: #0b3d62; }
.case { font-size: 9pt; color: #57606a; margin: 0 0 8pt; padding-bottom: 6pt; border-bottom: 2px solid #0b3d62; }
h2 { font-size: 11pt; margin: 10pt 0 3pt; color: #0b3d62; }
h3 { font-size: 9pt; margin: 6pt 0 2pt; color: #1f2328; }
p { margin: 0 0 4pt; }
.decision { background: #eef5fb; border-left: 4px solid #0b3d62; padding: 5pt 8pt; font-weight: bold; }
.state { font-size: 9pt; color: #57606a; }
ul { margin: 0 0 4pt 14pt; padding: 0; }
li { margin: 0 0 2pt; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; margin-bottom: 3pt; }
th, td { border: 1px solid #c9d1d9; padding: 2pt 3pt; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
td { white-space: nowrap; }
td.text { white-space: normal; }
@media screen { body { max-width: 190mm; margin: 0 auto; padding: 12mm 0; } }
th { background: #f2f4f7; font-weight: bold; }
.more, .empty { font-size: 8pt; color: #57606a; margin: 0 0 3pt; }
footer { margin-top: 8pt; font-size: 7.5pt; color: #57606a; border-top: 1px solid #c9d1d9; padding-top: 3pt; }
"""


def _table(title: str, df: pl.DataFrame, lang: str) -> str:
    parts = [f"<h3>{escape(title)}</h3>"]
    if df.height == 0:
        parts.append(f'<p class="empty">{escape(t("learn.handout_no_rows", lang))}</p>')
        return "".join(parts)
    # a wide sheet (an assessment has 25 columns) is printed in blocks of MAX_COLUMNS stacked
    # one under the other, so no column runs off the page
    for start in range(0, df.width, MAX_COLUMNS):
        block = df.head(MAX_ROWS)[:, start : start + MAX_COLUMNS]
        # workbook headers are snake_case: spaces let a narrow column wrap between words
        head = "".join(f"<th>{escape(str(c).replace('_', ' '))}</th>" for c in block.columns)
        rows = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in block.iter_rows())
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    if df.height > MAX_ROWS:
        more = t("learn.handout_more_rows", lang, n=df.height - MAX_ROWS)
        parts.append(f'<p class="more">{escape(more)}</p>')
    return "".join(parts)


def _cell(value: object) -> str:
    """A table cell; short values (dates, numbers, labels) never wrap, long text does."""
    text = str(value)
    css = ' class="text"' if len(text) > 24 else ""
    return f"<td{css}>{escape(text)}</td>"


def _section(step: StageStep, lang: str, as_of: dt.date | None) -> str:
    h = lambda key: escape(t(f"learn.handout_{key}", lang))  # noqa: E731
    case_line = t("learn.handout_case", lang, case_id=step.case_id, as_of=show_value(as_of, lang), number=step.number)
    reasons = "".join(f"<li>{escape(r)}</li>" for r in step.reasons(lang))
    tables = "".join(_table(title, df, lang) for title, df in step.tables(lang))
    footer = t("learn.handout_footer", lang, as_of=show_value(as_of, lang))
    return (
        f'<section class="page" data-stage="{escape(step.stage)}">'
        f'<p class="kicker">{h("title")}</p>'
        f"<h1>{escape(step.title(lang))}</h1>"
        f'<p class="case">{escape(case_line)}</p>'
        f"<h2>{h('purpose')}</h2><p>{escape(step.purpose(lang))}</p>"
        f'<h2>{h("decision")}</h2><p class="decision">{escape(step.headline(lang))}</p>'
        f'<p class="state">{escape(step.state_text(lang))}</p>'
        f"<h2>{h('why')}</h2><ul>{reasons}</ul>"
        f"<h2>{h('data')}</h2>{tables}"
        f"<footer>{escape(footer)}</footer>"
        "</section>"
    )


def _document(title: str, body: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def stage_handout_html(step: StageStep, *, lang: str, as_of: dt.date | None = None) -> str:
    """One printable A4 page: the stage's purpose, the client's data, the decision and why."""
    lang = normalize_lang(lang)
    as_of = as_of or step.facts.get("as_of")  # type: ignore[assignment]  # facts are typed dict[str, object]; as_of is a date there
    return _document(f"{step.case_id} · {step.title(lang)}", _section(step, lang, as_of), lang)


def walkthrough_handout_html(steps: Sequence[StageStep], *, lang: str, as_of: dt.date | None = None) -> str:
    """The whole walkthrough, one page per stage (a page break after each)."""
    lang = normalize_lang(lang)
    as_of = as_of or (steps[0].facts.get("as_of") if steps else None)  # type: ignore[assignment]  # facts are typed dict[str, object]; as_of is a date there
    title = f"{steps[0].case_id} · {t('learn.handout_title', lang)}" if steps else t("learn.handout_title", lang)
    return _document(title, "".join(_section(s, lang, as_of) for s in steps), lang)
