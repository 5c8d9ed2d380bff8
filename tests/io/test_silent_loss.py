"""Nothing lost or changed silently before validation: each spreadsheet reality below is
read correctly or reported on its row (error or warning), in both languages."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import polars as pl
import pytest
import xlsxwriter

import casekit as ck
from casekit.errors import UnreadableFileError
from casekit.io import read_workbook
from tests.hostile.make_corpus import ods

AS_OF = dt.date(2026, 9, 30)


def _checks(data: ck.CaseData) -> list[tuple]:
    return data.issues.select("row", "column", "check", "severity").rows()


def test_a_row_with_more_fields_than_the_header_is_set_aside() -> None:
    csv = b"case_id,opened_on\nC1,2026-03-01\nC2,2026-03-02,oops,more\nC3,2026-03-03\n"
    data = read_workbook(csv, filename="cases.csv")
    assert (3, None, "extra_fields", "error") in _checks(data)
    result = ck.validate(data, as_of=AS_OF, lang="es")
    assert result.data["cases"]["case_id"].to_list() == ["C1", "C3"]
    assert result.quarantined["cases"]["case_id"].to_list() == ["C2"]
    message = result.report.filter(pl.col("check") == "extra_fields")["message"].item()
    assert "oops | more" in message


def _book(write) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    write(book)
    book.close()
    return buffer.getvalue()


def test_excel_error_cells_are_errors_on_their_cell() -> None:
    def write(book):
        sheet = book.add_worksheet("cases")
        sheet.write_row(0, 0, ["case_id", "opened_on", "program"])
        sheet.write_row(1, 0, ["C1", "2026-03-01"])
        sheet.write_formula(1, 2, "=1/0", None, "#DIV/0!")
        sheet.write_row(2, 0, ["C2", "2026-03-02", "ok"])
        sheet.write_formula(3, 0, "=NA()", None, "#N/A")
        sheet.write(3, 1, "2026-03-03")

    data = read_workbook(_book(write), filename="b.xlsx")
    issues = data.issues.filter(pl.col("check") == "cell_error").select("row", "column", "value").rows()
    assert issues == [(2, "program", "#DIV/0!"), (4, "case_id", "#N/A")]
    result = ck.validate(data, as_of=AS_OF)
    assert result.data["cases"]["case_id"].to_list() == ["C2"]


def test_ods_error_cells_are_errors_not_their_cached_value() -> None:
    def cell(text: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'

    error = (
        '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
    )
    rows = [cell("id_caso") + cell("fecha_apertura") + cell("programa"), cell("C1") + cell("2026-03-01") + error]
    data = read_workbook(ods("".join(f"<table:table-row>{r}</table:table-row>" for r in rows)), filename="b.ods")
    assert data.issues.select("row", "column", "value", "check").rows() == [(2, "program", "#DIV/0!", "cell_error")]
    assert ck.validate(data, as_of=AS_OF).data["cases"].height == 0


def test_two_sheets_for_one_entity_and_hidden_sheets() -> None:
    def twins(book):
        book.add_worksheet("cases").write_row(0, 0, ["case_id", "opened_on"])
        hidden = book.add_worksheet("Casos")
        hidden.write_row(0, 0, ["id_caso", "fecha_apertura"])
        hidden.hide()

    with pytest.raises(UnreadableFileError) as info:
        read_workbook(_book(twins), filename="b.xlsx", lang="es")
    assert info.value.key == "io.duplicate_sheet"
    assert "«cases» y «Casos»" in str(info.value)

    def hidden(book):
        book.add_worksheet("Notas")
        sheet = book.add_worksheet("casos")
        sheet.write_row(0, 0, ["id_caso", "fecha_apertura"])
        sheet.write_row(1, 0, ["C1", "2026-03-01"])
        sheet.hide()

    data = read_workbook(_book(hidden), filename="b.xlsx")
    assert data["cases"].height == 1
    assert (None, None, "hidden_sheet", "warning") in _checks(data)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom(encoding: str) -> None:
    text = "id_caso\tfecha_apertura\tprograma\r\nC1\t01/03/2026\tNiños\r\n"
    data = read_workbook(text.encode(encoding), filename="casos.txt")
    assert data["cases"].select("case_id", "program").rows() == [("C1", "Niños")]
    assert data.issues.height == 0


def test_bom_never_in_a_header_and_cp1252_lines_warned() -> None:
    raw = "\ufeffcase_id,opened_on,program\nC1,2026-03-01,José\n".encode() + "C2,2026-03-02,Núñez\n".encode("cp1252")
    data = read_workbook(raw, filename="cases.csv")
    assert data["cases"]["program"].to_list() == ["José", "Núñez"]
    assert _checks(data) == [(3, None, "encoding_fallback", "warning")]
    sep_line = "sep=;\n\ufeffcase_id;opened_on\nC1;2026-03-01\n".encode()
    assert read_workbook(sep_line, filename="cases.csv")["cases"]["case_id"].to_list() == ["C1"]


def test_rows_above_the_header_and_a_duplicated_header_are_reported() -> None:
    csv = b"Caseload March\ncase_id,opened_on,case_id\nC1,2026-03-01,X9\n"
    data = read_workbook(csv, filename="cases.csv")
    assert data["cases"].select("case_id", "case_id (2)").rows() == [("C1", "X9")]
    assert _checks(data) == [
        (None, "case_id", "duplicate_header", "warning"),
        (1, None, "rows_above_header", "warning"),
    ]


def test_numbers_that_are_not_finite_are_errors() -> None:
    csv = b"case_id,assessed_on,bmi,phq9\nC1,2026-03-01,1e999,inf\nC1,2026-03-02,nan,-1e999\n"
    cases = b"case_id,opened_on\nC1,2026-03-01\n"
    data = read_workbook({"cases.csv": cases, "assessments.csv": csv})
    assert data["assessments"]["bmi"].to_list() == [None, None]
    assert [c for _, _, c, _ in _checks(data)] == ["not_a_number"] * 4
    buffer = io.BytesIO()
    pl.DataFrame({"case_id": ["C1"], "assessed_on": [dt.date(2026, 3, 1)], "bmi": [float("inf")]}).write_parquet(buffer)
    typed = read_workbook({"cases.csv": cases, "assessments.parquet": buffer.getvalue()})
    assert typed["assessments"]["bmi"].to_list() == [None]
    assert _checks(typed) == [(2, "bmi", "not_a_number", "error")]


def test_implausible_and_two_digit_years_and_cases_opened_after_the_as_of_date() -> None:
    csv = b"case_id,opened_on\nC1,01/03/26\nC2,2026-13-01\nC3,01/03/0206\nC4,2027-01-05\n"
    data = read_workbook(csv, filename="cases.csv")
    result = ck.validate(data, as_of=AS_OF, lang="en")
    report = {r["check"]: r for r in result.report.iter_rows(named=True)}
    assert report["two_digit_year"]["severity"] == "warning"
    assert "2026-03-01" in report["two_digit_year"]["message"]
    assert report["implausible_year"]["row"] == 4
    assert report["implausible_year"]["severity"] == "error"
    assert report["opened_after_as_of"]["row"] == 5
    assert "2026-09-30" in report["opened_after_as_of"]["message"]
    assert result.data["cases"]["case_id"].to_list() == ["C1", "C4"]


def test_typed_dates_meet_the_same_year_rule_as_text_dates() -> None:
    """Parquet date and datetime columns (and date cells) outside 1900-2100 are errors on
    their cell, the value left out, exactly like a text date: never read as a real date."""
    cases = pl.DataFrame(
        {"case_id": ["C1", "C2", "C3"], "opened_on": [dt.date(2026, 3, 1), dt.date(1850, 1, 1), dt.date(2999, 5, 5)]}
    )
    screenings = pl.DataFrame(
        {
            "case_id": ["C1", "C1"],
            "screened_on": [dt.datetime(2026, 3, 2, 9, 30), dt.datetime(1, 1, 1)],
            "decision": ["refer_to_assessment"] * 2,
        }
    )
    files = {}
    for name, frame in (("cases", cases), ("screenings", screenings)):
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        files[f"{name}.parquet"] = buffer.getvalue()
    data = read_workbook(files)
    assert data["cases"]["opened_on"].to_list() == [dt.date(2026, 3, 1), None, None]
    assert data["screenings"]["screened_on"].to_list() == [dt.date(2026, 3, 2), None]
    assert _checks(data) == [
        (3, "opened_on", "implausible_year", "error"),
        (4, "opened_on", "implausible_year", "error"),
        (3, "screened_on", "implausible_year", "error"),
    ]
    result = ck.validate(data, as_of=AS_OF, lang="es")
    found = result.report.filter(pl.col("check") == "implausible_year")
    assert found.select("sheet", "row").rows() == [("cases", 3), ("cases", 4), ("screenings", 3)]
    assert all("fuera de 1900–2100" in m for m in found["message"])  # in the user's language
    assert result.data["cases"]["case_id"].to_list() == ["C1"]


def _fanned_out_ods(text_bytes: int, columns: int, rows: int) -> bytes:
    """An ODS whose second row is one cell of ``text_bytes`` characters, repeated over
    ``columns`` columns and ``rows`` rows: few cells, a lot of text once expanded."""
    from tests.hostile.make_corpus import _ods_cell

    note = "".join(chr(97 + (i * 7919) % 26) for i in range(text_bytes))  # letters that do not compress to nothing
    fanned = f'<table:table-row table:number-rows-repeated="{rows}">{_ods_cell(note, repeat=columns)}</table:table-row>'
    return ods(_ODS_HEADER_ROW + fanned)


_ODS_HEADER_ROW = "<table:table-row>" + '<table:table-cell office:value-type="string">' + "<text:p>id_caso</text:p>"
_ODS_HEADER_ROW += "</table:table-cell></table:table-row>"


@pytest.mark.parametrize(("lang", "words"), [("es", "hoja «casos»"), ("en", "sheet «casos»")])
def test_ods_text_repeated_over_cells_has_its_own_budget(lang: str, words: str) -> None:
    """100 KB of text in one cell repeated 2,000 columns × 6 rows: 12,000 cells (far under the
    cell budget) but 1.2 GB of text once a reader copies it into every cell. The pre-scan
    refuses it before any spreadsheet library opens it, naming the sheet and the limit."""
    from casekit.io._budget import OdsScan

    book = _fanned_out_ods(100_000, columns=2_000, rows=6)
    assert len(book) < 200_000  # a small file
    with pytest.raises(UnreadableFileError) as caught:
        read_workbook(book, filename="notas.ods", lang=lang)
    message = caught.value.message(lang)
    assert words in message
    assert "notas.ods" in message
    assert "953.7 MB" in message  # the limit (10^9 bytes), in MB
    with zipfile.ZipFile(io.BytesIO(book)) as zf:  # what the scan weighed: few cells, much text
        scan = OdsScan()
        scan.feed(zf.read("content.xml"))
        scan.finish()
    assert scan.cells <= 12_001
    assert scan.text > 1_000_000_000
    # the same file with a small repeat is read as usual (one column of a few rows)
    small = read_workbook(_fanned_out_ods(1_000, columns=1, rows=3), filename="notas.ods", lang=lang)
    assert small.issues.filter(pl.col("check") == "too_much_repeated_text").height == 0
