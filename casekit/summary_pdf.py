"""The one-page A4 summary for whoever funds the programme, as a PDF.

:func:`summary_pdf` draws the sections of :func:`casekit.summary.summary_sections` (the
same figures as the workbook's summary sheet) with ReportLab: key figures, the funnel,
open items by priority and by kind, outcomes improved, utilisation before/after with its caveat and the
validation status, in the report's language. The page is built to fit one A4 page;
if a caseload has more rows than fit, the content is scaled down, never continued on
a second page. Small cells are suppressed unless ``for_sharing=False``, and the page
says which it is.

ReportLab is pure Python (no browser, no system library); the text uses the Bitstream
Vera font shipped with ReportLab, embedded in the PDF.

Examples
--------
>>> from casekit.report import build_report
>>> from casekit.sample import SAMPLE_AS_OF, make_sample
>>> report = build_report(make_sample(60, seed=1), as_of=SAMPLE_AS_OF, lang="en")
>>> pdf = summary_pdf(report, lang="en")
>>> pdf[:5], pdf.count(b"/Type /Page\\n")
(b'%PDF-', 1)
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from casekit.export import deliver
from casekit.i18n import normalize_lang, t
from casekit.present import format_date, format_number
from casekit.privacy import MIN_CELL
from casekit.summary import Cell, Section, summary_sections

if TYPE_CHECKING:
    from casekit.report import Report

__all__ = ["format_cell", "summary_pdf"]

_INK, _ACCENT, _MUTED, _HEAD_BG, _RULE = "#1f2328", "#0b3d62", "#57606a", "#DDEBF7", "#c9d1d9"
_SPEC = {"int": ",", "dec": ",.1f", "dec2": ",.2f", "pct": ".1%"}
_FONT, _BOLD = "casekit-Vera", "casekit-VeraBd"


def format_cell(cell: Cell, lang: str) -> str:
    """A figure as the summary prints it: the language's number format, ``—`` when
    missing, the word for "suppressed" when the small-cell rule blanked it.

    >>> format_cell(Cell(1373.914, "dec2"), "es"), format_cell(Cell(0.125, "pct"), "en")
    ('1.373,91', '12.5%')
    >>> format_cell(Cell(None, "int", True), "es"), format_cell(Cell(None), "en")
    ('oculto', '—')
    """
    if cell.suppressed:
        return t("printing.suppressed", lang)
    return format_number(cell.value, lang, _SPEC.get(cell.kind, ","))


@cache
def _fonts() -> tuple[str, str]:
    """Register ReportLab's bundled Vera fonts (Unicode, embedded) once."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(_FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(_BOLD, str(folder / "VeraBd.ttf")))
    return _FONT, _BOLD


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    font, bold = _fonts()
    base = ParagraphStyle("base", fontName=font, fontSize=8, leading=10, textColor=colors.HexColor(_INK))
    return {
        "title": ParagraphStyle(
            "title", base, fontName=bold, fontSize=15, leading=18, textColor=colors.HexColor(_ACCENT)
        ),
        "sub": ParagraphStyle("sub", base, fontSize=8.5, textColor=colors.HexColor(_MUTED)),
        "share": ParagraphStyle("share", base, fontName=bold, fontSize=8, backColor=colors.HexColor("#eef5fb")),
        "note": ParagraphStyle("note", base, fontSize=7, leading=8.5, textColor=colors.HexColor(_MUTED)),
        "cell": base,
        "head": ParagraphStyle("head", base, fontName=bold),
        "value_head": ParagraphStyle("value_head", base, fontName=bold, fontSize=7, leading=8, alignment=2),
    }


def _bar(fraction: float | None, width: float) -> Any:
    """A horizontal bar ``fraction`` of ``width`` long (the funnel)."""
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors

    drawing = Drawing(width, 7)
    if fraction:
        drawing.add(Rect(0, 0, max(width * fraction, 0.5), 7, fillColor=colors.HexColor(_ACCENT), strokeColor=None))
    return drawing


def _table(section: Section, lang: str, width: float, styles: dict[str, Any]) -> list[Any]:
    """A section as a titled table (value columns right-aligned), then its note."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    funnel = section.key == "funnel"
    n_values = len(section.headers)
    value_w = 16 * mm
    bar_w = 20 * mm if funnel else 0
    label_w = width - n_values * value_w - bar_w
    head = [Paragraph(section.title, styles["head"]), *[Paragraph(h, styles["value_head"]) for h in section.headers]]
    if funnel:
        head.append("")
    top = max((c.value or 0 for r in section.rows for c in r.cells[:1] if not c.suppressed), default=0)
    data: list[list[Any]] = [head]
    suppressed_cells = []
    for i, row in enumerate(section.rows, start=1):
        line: list[Any] = [Paragraph(row.label, styles["cell"])]
        for j, cell in enumerate(row.cells, start=1):
            line.append(format_cell(cell, lang))
            if cell.suppressed:
                suppressed_cells.append((j, i))
        if funnel:
            reached = row.cells[0]
            line.append(_bar((reached.value or 0) / top if top and not reached.suppressed else None, bar_w))
        data.append(line)
    if not section.rows:
        data.append([Paragraph(t("report.none", lang), styles["cell"]), *[""] * (len(head) - 1)])
    font, bold = _fonts()
    style = [
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("FONT", (0, 0), (-1, 0), bold, 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(_HEAD_BG)),
        ("ALIGN", (1, 0), (n_values, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor(_RULE)),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    style += [("TEXTCOLOR", pos, pos, colors.HexColor(_MUTED)) for pos in suppressed_cells]
    widths = [label_w, *[value_w] * n_values] + ([bar_w] if funnel else [])
    table = Table(data, colWidths=widths, repeatRows=0, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    out: list[Any] = [table]
    if section.note:
        out += [Spacer(1, 1.5 * mm), Paragraph(section.note, styles["note"])]
    return [*out, Spacer(1, 4 * mm)]


def _story(report: Report, sections: list[Section], lang: str, for_sharing: bool, width: float) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    by_key = {s.key: s for s in sections}
    source = report.source or "—"
    as_of = format_date(report.as_of, lang)
    share = t("printing.note_for_sharing" if for_sharing else "printing.note_exact", lang)
    gap = 6 * mm
    half = (width - gap) / 2

    def column(*keys: str) -> list[Any]:
        return [f for key in keys for f in _table(by_key[key], lang, half, styles)]

    def two(left: list[Any], right: list[Any]) -> Table:
        grid = Table([[left, right]], colWidths=[half + gap, half], hAlign="LEFT")
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return grid

    return [
        Paragraph(t("printing.pdf_title", lang), styles["title"]),
        Paragraph(t("printing.pdf_generated", lang, source=source, as_of=as_of), styles["sub"]),
        Spacer(1, 2 * mm),
        Paragraph(share, styles["share"]),
        Spacer(1, 4 * mm),
        two(column("key_figures", "priorities"), column("funnel")),
        two(column("open_flags"), column("outcomes", "validation")),
        *_table(by_key["utilisation"], lang, width, styles),
        Paragraph(t("report.note_suppression", lang), styles["note"]),
    ]


def summary_pdf(
    report: Report,
    dest: str | Path | IO[bytes] | None = None,
    *,
    lang: str = "es",
    for_sharing: bool = True,
    min_cell: int = MIN_CELL,
) -> bytes | None:
    """Write the one-page A4 summary of ``report`` in ``lang``; return the bytes when
    ``dest`` is None.

    ``for_sharing=True`` (the default: the page is meant to leave the team) blanks
    counts of 1 to ``min_cell - 1`` people and what is computed from them; ``False``
    prints exact figures and says so at the top of the page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame, SimpleDocTemplate

    lang = normalize_lang(lang)
    sections = summary_sections(report, lang=lang, for_sharing=for_sharing, min_cell=min_cell)
    margin = 14 * mm
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=t("printing.pdf_title", lang),
        author="casekit",
        lang=lang,
    )
    story = _story(report, sections, lang, for_sharing, doc.width)
    doc.build([KeepInFrame(doc.width, doc.height, story, mode="shrink")])
    data = buf.getvalue()
    return deliver(data, dest)  # a failed write leaves no half PDF
