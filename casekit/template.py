"""The empty case workbook a pilot team fills in Excel (Spanish or English).

One sheet per contract sheet, in contract order, named and headed in the chosen
language; dropdowns on categorical and yes/no columns (their lists on a hidden
``_lists`` sheet, referenced by range, so long lists still work); number and date
validation from the contract bounds; identifiers formatted as text; an instructions
sheet first that explains every column.

Examples
--------
>>> import polars as pl
>>> book = write_template(None, lang="es", rows=10)
>>> pl.read_excel(book, sheet_name="casos", raise_if_empty=False).columns[:3]
['id_caso', 'id_cliente', 'nombre_cliente']
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from typing import IO, Any

from casekit._print import set_up_printing
from casekit.contract import SHEETS, VOCABS, Column
from casekit.errors import CasekitError
from casekit.export import WORKBOOK_OPTIONS, deliver
from casekit.i18n import normalize_lang, t
from casekit.present import format_date, formats

__all__ = ["LISTS_SHEET", "allowed_text", "instructions_name", "write_template"]

#: Hidden sheet that holds the dropdown lists (the reader ignores it).
LISTS_SHEET = "_lists"
_BOOL_LIST = "yes_no"
_MAX_ROWS = 1_048_575
#: The date the template shows as an example of how to write one.
_EXAMPLE_DATE = dt.date(2026, 3, 1)
_DATE_MIN, _DATE_MAX = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_NUM_MIN, _NUM_MAX = -1e12, 1e12
_INT_MIN, _INT_MAX = -2_147_483_648, 2_147_483_647
_INSTRUCTION_WIDTHS = (22, 26, 20, 12, 10, 44, 70)


def instructions_name(lang: str) -> str:
    """Name of the instructions sheet in ``lang``.

    >>> instructions_name("es"), instructions_name("en")
    ('instrucciones', 'instructions')
    """
    return t("template.instructions_sheet", normalize_lang(lang))


def _num(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "es" else text


def _range_text(col: Column, lang: str) -> str:
    if col.ge is not None and col.le is not None:
        return t("template.range_between", lang, min=_num(col.ge, lang), max=_num(col.le, lang))
    if col.ge is not None:
        return t("template.range_ge", lang, min=_num(col.ge, lang))
    if col.le is not None:
        return t("template.range_le", lang, max=_num(col.le, lang))
    return ""


def _list_values(col: Column, lang: str) -> list[str]:
    if col.kind == "bool":
        return [t("common.yes", lang), t("common.no", lang)]
    if col.kind == "category" and col.vocab:
        return [label(lang) for label in VOCABS[col.vocab].values()]
    return []


def allowed_text(col: Column, lang: str) -> str:
    """What a column accepts, in words: its labels, its range or the date format.

    >>> allowed_text(SHEETS["assessments"].columns["phq9"], "es")
    'de 0 a 27'
    >>> allowed_text(SHEETS["cases"].columns["sex"], "en")
    'Female, Male, Other, Unknown'
    """
    lang = normalize_lang(lang)
    if col.kind in ("bool", "category"):
        return ", ".join(_list_values(col, lang))
    if col.kind == "date":
        return f"{t('template.date_format', lang)} ({format_date(_EXAMPLE_DATE, lang)})"
    if col.kind in ("int", "float"):
        return _range_text(col, lang)
    return ""


# --------------------------------------------------------------------------------------
# Pieces of the workbook
# --------------------------------------------------------------------------------------


class _Formats:
    """The few cell formats the template uses."""

    def __init__(self, workbook: Any, lang: str) -> None:
        add = workbook.add_format
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "top"})
        self.required = add({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1})
        self.date = add({"num_format": formats(lang).excel_date})
        self.text = add({"num_format": "@"})
        self.title = add({"bold": True, "font_size": 14})
        self.heading = add({"bold": True, "font_size": 12})
        self.paragraph = add({"text_wrap": True, "valign": "top"})
        self.bold = add({"bold": True, "valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})


def _lists(lang: str) -> dict[str, list[str]]:
    """Every dropdown list (one per vocabulary, plus yes/no) in ``lang``."""
    lists = {name: [label(lang) for label in vocab.values()] for name, vocab in VOCABS.items()}
    lists[_BOOL_LIST] = [t("common.yes", lang), t("common.no", lang)]
    return lists


def _list_refs(lists: dict[str, list[str]]) -> dict[str, str]:
    """List name -> absolute range on the lists sheet (one column per list, header in row 1)."""
    from xlsxwriter.utility import xl_col_to_name

    refs = {}
    for j, (name, values) in enumerate(lists.items()):
        col = xl_col_to_name(j)
        refs[name] = f"='{LISTS_SHEET}'!${col}$2:${col}${len(values) + 1}"
    return refs


def _write_lists(workbook: Any, lists: dict[str, list[str]], lang: str) -> None:
    """Write the lists, in the layout :func:`_list_refs` describes, on a hidden sheet."""
    sheet = workbook.add_worksheet(LISTS_SHEET)
    for j, (name, values) in enumerate(lists.items()):
        sheet.write_string(0, j, name)
        for i, value in enumerate(values, start=1):
            sheet.write_string(i, j, value)
    sheet.hide()
    set_up_printing(sheet, lang=lang)


def _validation(col: Column, lang: str, refs: dict[str, str]) -> dict[str, Any]:
    """xlsxwriter data-validation options for one column (input message always set)."""
    opts: dict[str, Any] = {
        "input_title": col.label(lang)[:32],
        "input_message": col.help(lang)[:255],
        "error_title": t("template.error_title", lang)[:32],
    }
    if col.kind in ("category", "bool"):
        source = refs[_BOOL_LIST] if col.kind == "bool" else refs[col.vocab or ""]
        return {**opts, "validate": "list", "source": source, "error_message": t("template.error_list", lang)}
    if col.kind in ("int", "float"):
        is_int = col.kind == "int"
        lo = col.ge if col.ge is not None else _INT_MIN if is_int else _NUM_MIN
        hi = col.le if col.le is not None else _INT_MAX if is_int else _NUM_MAX
        rng = _range_text(col, lang)
        key = "int" if is_int else "float"
        message = t(f"template.error_{key}", lang, range=rng) if rng else t(f"template.error_{key}_any", lang)
        return {
            **opts,
            "validate": "integer" if is_int else "decimal",
            "criteria": "between",
            "minimum": int(lo) if is_int else lo,
            "maximum": int(hi) if is_int else hi,
            "error_message": message,
        }
    if col.kind == "date":
        return {
            **opts,
            "validate": "date",
            "criteria": "between",
            "minimum": _DATE_MIN,
            "maximum": _DATE_MAX,
            "error_message": t("template.error_date", lang, example=format_date(_EXAMPLE_DATE, lang)),
        }
    return {**opts, "validate": "any"}


def _column_width(col: Column, lang: str) -> int:
    longest = max((len(v) for v in _list_values(col, lang)), default=0)
    base = 12 if col.kind == "date" else 10
    return min(max(len(col.label(lang)) + 3, longest + 3, base), 40)


def _write_sheet(workbook: Any, sheet: str, *, lang: str, rows: int, fmt: _Formats, refs: dict[str, str]) -> None:
    spec = SHEETS[sheet]
    ws = workbook.add_worksheet(spec.label(lang))
    for j, col in enumerate(spec.columns.values()):
        cell_fmt = fmt.date if col.kind == "date" else fmt.text if col.kind == "id" else None
        ws.set_column(j, j, _column_width(col, lang), cell_fmt)
        ws.write_string(0, j, col.label(lang), fmt.required if col.required else fmt.header)
        ws.write_comment(0, j, col.help(lang), {"author": "casekit", "x_scale": 2, "y_scale": 0.8})
        ws.data_validation(1, j, rows, j, _validation(col, lang, refs))
    ws.freeze_panes(1, 0)
    set_up_printing(ws, lang=lang)


def _write_instructions(workbook: Any, lang: str, fmt: _Formats) -> None:
    ws = workbook.add_worksheet(instructions_name(lang))
    for j, width in enumerate(_INSTRUCTION_WIDTHS):
        ws.set_column(j, j, width)
    last_col = len(_INSTRUCTION_WIDTHS) - 1
    chars_per_line = sum(_INSTRUCTION_WIDTHS) * 0.9
    cases = SHEETS["cases"].label(lang)
    yes, no = t("common.yes", lang), t("common.no", lang)
    paragraphs = [
        t("template.purpose", lang),
        "",
        t("template.how_title", lang),
        t("template.how_rows", lang, cases=cases),
        t("template.how_required", lang, cases=cases),
        t("template.how_headers", lang),
        t("template.how_dates", lang, example=format_date(_EXAMPLE_DATE, lang), format=t("template.date_format", lang)),
        t("template.how_bool", lang, yes=yes, no=no),
        t("template.how_dropdowns", lang),
        t("template.how_ids", lang),
        t("template.how_help", lang),
    ]
    ws.write_string(0, 0, t("template.title", lang), fmt.title)
    row = 1
    for text in paragraphs:
        if text:
            is_heading = text == t("template.how_title", lang)
            ws.merge_range(row, 0, row, last_col, text, fmt.heading if is_heading else fmt.paragraph)
            ws.set_row(row, 15 * max(1, math.ceil(len(text) / chars_per_line)) + 2)
        row += 1

    row += 1
    ws.write_string(row, 0, t("template.sheets_title", lang), fmt.heading)
    row += 1
    for spec in SHEETS.values():
        ws.write_string(row, 0, spec.label(lang), fmt.bold)
        ws.merge_range(row, 1, row, last_col, spec.help(lang), fmt.wrap)
        row += 1

    row += 1
    ws.write_string(row, 0, t("template.columns_title", lang), fmt.heading)
    row += 1
    header_row = row
    headers = ("sheet", "column", "type", "required", "unique", "allowed", "description")
    for j, key in enumerate(headers):
        ws.write_string(row, j, t(f"template.col_{key}", lang), fmt.header)
    for spec in SHEETS.values():
        for col in spec.columns.values():
            row += 1
            values = (
                spec.label(lang),
                col.label(lang),
                t(f"template.kind_{col.kind}", lang),
                yes if col.required else no,
                yes if col.unique else no,
                allowed_text(col, lang),
                col.help(lang),
            )
            for j, value in enumerate(values):
                ws.write_string(row, j, value, fmt.wrap)
    ws.autofilter(header_row, 0, row, last_col)
    ws.activate()
    set_up_printing(ws, lang=lang, header_row=header_row, gridlines=False)


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------


def write_template(dest: str | Path | IO[bytes] | None = None, *, lang: str = "es", rows: int = 1000) -> bytes | None:
    """Write the empty case workbook in ``lang``; return the bytes when ``dest`` is None.

    ``rows`` data rows (spreadsheet rows 2 to ``rows + 1``) carry the dropdowns and
    validations.
    """
    import xlsxwriter

    lang = normalize_lang(lang)
    if not 1 <= rows <= _MAX_ROWS:
        raise CasekitError("template.bad_rows", lang=lang, rows=rows, max=_MAX_ROWS)
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS)
    try:
        fmt = _Formats(workbook, lang)
        _write_instructions(workbook, lang, fmt)
        # The lists sheet comes last in the tab bar; the validations point at its ranges.
        lists = _lists(lang)
        refs = _list_refs(lists)
        for sheet in SHEETS:
            _write_sheet(workbook, sheet, lang=lang, rows=rows, fmt=fmt, refs=refs)
        _write_lists(workbook, lists, lang)
    finally:
        workbook.close()
    data = buf.getvalue()
    return deliver(data, dest)
