"""Row conservation, as a property over mutated files: every non-blank row of a CSV,
XLSX or ODS file is either read clean or set aside with its errors (quarantined); none
is lost, none is invented.

The rows mix valid values with what spreadsheets really hold: blanks, bad dates,
two-digit years, unknown categories, separators, quotes and line breaks inside
texts, formula-looking texts, rows with more fields than the header (CSV), CR-only
line ends, UTF-16 and cp1252 files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casekit.io import read_workbook
from casekit.validation import validate
from tests.hostile.make_corpus import ods

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = ["case_id", "opened_on", "sex", "program"]
AS_OF = dt.date(2026, 9, 30)

_TEXT = st.text(alphabet="abcñáé XYZ019;,\"'=+-@\n", max_size=12)
_DATE = st.sampled_from(["2026-03-01", "01/03/2026", "31/02/2026", "1/3/26", "0226-01-01", "", "mañana", "1e999"])
_SEX = st.sampled_from(["female", "Mujer", "male", "x", ""])
_ROW = st.tuples(_TEXT, _DATE, _SEX, _TEXT, st.lists(_TEXT, max_size=2))


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _count(data: bytes, filename: str) -> int:
    result = validate(read_workbook(data, filename=filename), as_of=AS_OF)
    return result.data["cases"].height + result.quarantined["cases"].height


def _csv(rows: list[list[str]], separator: str, line_end: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator=line_end)
    writer.writerows([HEADER, *rows])
    return buffer.getvalue().encode(encoding, errors="replace")


@settings(SETTINGS)
@given(
    rows=st.lists(_ROW, min_size=1, max_size=12),
    separator=st.sampled_from([",", ";", "\t"]),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_csv_rows_are_conserved(rows, separator: str, line_end: str, encoding: str) -> None:
    cells = [[a, b, c, d, *extra] for a, b, c, d, extra in rows]
    if line_end == "\r":  # a lone CR ends a line: a CR-only file cannot hold line breaks in texts
        cells = [[v.replace("\n", " ") for v in row] for row in cells]
    expected = sum(not _blank(row) for row in cells)
    assert _count(_csv(cells, separator, line_end, encoding), "cases.csv") == expected


@settings(SETTINGS)
@given(rows=st.lists(_ROW, min_size=1, max_size=12))
def test_xlsx_rows_are_conserved(rows) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("cases")
    sheet.write_row(0, 0, HEADER)
    cells = [[a, b, c, d] for a, b, c, d, _ in rows]
    for i, row in enumerate(cells, start=1):
        for j, value in enumerate(row):
            if value:
                sheet.write_string(i, j, value)
    book.close()
    expected = sum(not _blank(row) for row in cells)
    assert _count(buffer.getvalue(), "cases.xlsx") == expected


def _ods_row(values: list[str]) -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{_xml(v)}</text:p></table:table-cell>'
        if v
        else "<table:table-cell/>"
        for v in values
    )
    return f"<table:table-row>{cells}</table:table-row>"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@settings(SETTINGS)
@given(rows=st.lists(_ROW, min_size=1, max_size=12), repeat=st.integers(min_value=1, max_value=4))
def test_ods_rows_are_conserved(rows, repeat: int) -> None:
    cells = [[a.replace("\n", " "), b, c, d] for a, b, c, d, _ in rows]
    body = _ods_row(HEADER) + "".join(_ods_row(row) for row in cells)
    # the last row repeated with number-rows-repeated: each repeat is a row of its own
    last = _ods_row(cells[-1]).replace("<table:table-row>", f'<table:table-row table:number-rows-repeated="{repeat}">')
    expected = sum(not _blank(row) for row in cells) + (repeat if not _blank(cells[-1]) else 0)
    assert _count(ods(body + last), "cases.ods") == expected
