"""The empty case workbook: sheets, headers, dropdowns on `_lists`, validations, instructions."""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

import polars as pl
import pytest
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from casekit.contract import SHEETS, VOCABS
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.template import LISTS_SHEET, allowed_text, instructions_name, write_template

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
ROWS = 50
LANGS = ["es", "en"]


@cache
def template(lang: str) -> bytes:
    book = write_template(None, lang=lang, rows=ROWS)
    assert isinstance(book, bytes)
    return book


def _zip(book: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(book))


def _sheets(book: bytes) -> list[dict[str, str]]:
    """``name``, ``state`` and XML ``path`` of every sheet, in workbook order."""
    with _zip(book) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    return [
        {"name": s.get("name", ""), "state": s.get("state", "visible"), "path": "xl/" + targets[s.get(REL)]}
        for s in workbook.iterfind("m:sheets/m:sheet", NS)
    ]


def _sheet_root(book: bytes, name: str) -> ET.Element:
    path = next(s["path"] for s in _sheets(book) if s["name"] == name)
    with _zip(book) as z:
        return ET.fromstring(z.read(path))


def _validations(book: bytes, name: str) -> dict[str, ET.Element]:
    """Data validations of a sheet by their range (``sqref``)."""
    root = _sheet_root(book, name)
    return {dv.get("sqref", ""): dv for dv in root.iterfind("m:dataValidations/m:dataValidation", NS)}


def _lists_columns(book: bytes) -> list[list[str]]:
    frame = pl.read_excel(book, sheet_name=LISTS_SHEET, has_header=False, infer_schema_length=0)
    return [s.drop_nulls().to_list() for s in frame.iter_columns()]


def _range_values(book: bytes, formula: str) -> list[str]:
    """The values a list-validation formula like ``'_lists'!$C$2:$C$5`` points at."""
    match = re.fullmatch(r"'_lists'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    first_col, first_row, last_col, last_row = match.groups()
    assert first_col == last_col
    _, col = xl_cell_to_rowcol(f"{first_col}1")
    column = _lists_columns(book)[col]  # index 0 is the header row (row 1)
    return column[int(first_row) - 1 : int(last_row)]


# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_sheet_order_and_hidden_lists(lang: str) -> None:
    sheets = _sheets(template(lang))
    expected = [instructions_name(lang), *(s.label(lang) for s in SHEETS.values()), LISTS_SHEET]
    assert [s["name"] for s in sheets] == expected
    assert {s["name"]: s["state"] for s in sheets}[LISTS_SHEET] == "hidden"
    assert [s["name"] for s in sheets if s["state"] != "visible"] == [LISTS_SHEET]
    assert instructions_name(lang) == {"es": "instrucciones", "en": "instructions"}[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_headers_per_language_and_frozen(lang: str) -> None:
    book = template(lang)
    for spec in SHEETS.values():
        frame = pl.read_excel(book, sheet_name=spec.label(lang), raise_if_empty=False)
        assert frame.columns == [c.label(lang) for c in spec.columns.values()]
        assert frame.height == 0
        pane = _sheet_root(book, spec.label(lang)).find("m:sheetViews/m:sheetView/m:pane", NS)
        assert pane is not None
        assert pane.get("state") == "frozen"
        assert pane.get("topLeftCell") == "A2"


def test_spanish_and_english_templates_differ_in_headers() -> None:
    es = pl.read_excel(template("es"), sheet_name="casos", raise_if_empty=False).columns
    en = pl.read_excel(template("en"), sheet_name="cases", raise_if_empty=False).columns
    assert es[:2] == ["id_caso", "id_cliente"]
    assert en[:2] == ["case_id", "client_id"]
    assert len(es) == len(en)
    assert sum(a != b for a, b in zip(es, en, strict=True)) == len(es)


@pytest.mark.parametrize("lang", LANGS)
def test_dropdowns_on_every_categorical_and_boolean_column(lang: str) -> None:
    book = template(lang)
    yes_no = [t("common.yes", lang), t("common.no", lang)]
    n_lists = 0
    for spec in SHEETS.values():
        validations = _validations(book, spec.label(lang))
        for j, col in enumerate(spec.columns.values()):
            letter = xl_col_to_name(j)
            dv = validations[f"{letter}2:{letter}{ROWS + 1}"]
            assert dv.get("promptTitle") == col.label(lang)[:32]
            assert dv.get("prompt") == col.help(lang)
            if col.kind not in ("category", "bool"):
                assert dv.get("type") != "list"
                continue
            n_lists += 1
            assert dv.get("type") == "list", f"{spec.name}.{col.name}"
            formula = dv.findtext("m:formula1", namespaces=NS) or ""
            assert LISTS_SHEET in formula
            expected = yes_no if col.kind == "bool" else [lab(lang) for lab in VOCABS[col.vocab or ""].values()]
            assert _range_values(book, formula) == expected, f"{spec.name}.{col.name}"
    assert n_lists == sum(c.kind in ("category", "bool") for s in SHEETS.values() for c in s.columns.values())


@pytest.mark.parametrize("lang", LANGS)
def test_number_and_date_validations_use_contract_bounds(lang: str) -> None:
    book = template(lang)
    for spec in SHEETS.values():
        validations = _validations(book, spec.label(lang))
        for j, col in enumerate(spec.columns.values()):
            letter = xl_col_to_name(j)
            dv = validations[f"{letter}2:{letter}{ROWS + 1}"]
            low = dv.findtext("m:formula1", namespaces=NS)
            high = dv.findtext("m:formula2", namespaces=NS)
            if col.kind == "int":
                assert dv.get("type") == "whole"
            elif col.kind == "float":
                assert dv.get("type") == "decimal"
            elif col.kind == "date":
                assert dv.get("type") == "date"
                continue
            else:
                continue
            assert dv.get("operator") is None  # "between" is the default operator
            if col.ge is not None:
                assert float(low or "nan") == col.ge
            if col.le is not None:
                assert float(high or "nan") == col.le
    phq9 = _validations(book, SHEETS["assessments"].label(lang))
    letter = xl_col_to_name(list(SHEETS["assessments"].columns).index("phq9"))
    dv = phq9[f"{letter}2:{letter}{ROWS + 1}"]
    assert (dv.findtext("m:formula1", namespaces=NS), dv.findtext("m:formula2", namespaces=NS)) == ("0", "27")


def _cell_formats(book: bytes) -> list[str]:
    """Number format code of each cell style (index = style id)."""
    with _zip(book) as z:
        styles = ET.fromstring(z.read("xl/styles.xml"))
    codes = {n.get("numFmtId"): n.get("formatCode") for n in styles.iterfind("m:numFmts/m:numFmt", NS)}
    codes["49"] = "@"
    return [codes.get(xf.get("numFmtId"), "General") for xf in styles.iterfind("m:cellXfs/m:xf", NS)]


@pytest.mark.parametrize(("lang", "date_format"), [("es", "dd/mm/yyyy"), ("en", "yyyy-mm-dd")])
def test_column_formats_ids_as_text_and_dates(lang: str, date_format: str) -> None:
    book = template(lang)
    formats = _cell_formats(book)
    for spec in SHEETS.values():
        cols = _sheet_root(book, spec.label(lang)).iterfind("m:cols/m:col", NS)
        style_of: dict[int, str] = {}
        for c in cols:
            for j in range(int(c.get("min", "0")), int(c.get("max", "0")) + 1):
                style_of[j - 1] = formats[int(c.get("style", "0"))]
        for j, col in enumerate(spec.columns.values()):
            expected = {"id": "@", "date": date_format}.get(col.kind, "General")
            assert style_of[j] == expected, f"{spec.name}.{col.name}"


@pytest.mark.parametrize("lang", LANGS)
def test_header_comments_hold_the_help_text(lang: str) -> None:
    book = template(lang)
    with _zip(book) as z:
        texts = [
            "".join(node.itertext())
            for name in z.namelist()
            if name.startswith("xl/comments")
            for node in ET.fromstring(z.read(name)).iterfind("m:commentList/m:comment/m:text", NS)
        ]
    expected = [c.help(lang) for s in SHEETS.values() for c in s.columns.values()]
    assert sorted(texts) == sorted(expected)


def _instructions_table(lang: str) -> pl.DataFrame:
    grid = pl.read_excel(
        template(lang), sheet_name=instructions_name(lang), has_header=False, infer_schema_length=0
    ).with_row_index("i")
    header = grid.filter(pl.col("column_0") == t("template.col_sheet", lang))
    assert header.height == 1
    names = dict(zip(grid.columns[1:], header.drop("i").row(0), strict=True))
    return grid.filter(pl.col("i") > header["i"].item()).drop("i").rename(names)


@pytest.mark.parametrize("lang", LANGS)
def test_instructions_list_every_contract_column(lang: str) -> None:
    table = _instructions_table(lang)
    assert table.columns == [
        t(f"template.col_{k}", lang)
        for k in ("sheet", "column", "type", "required", "unique", "allowed", "description")
    ]
    expected = [(s.label(lang), c.label(lang)) for s in SHEETS.values() for c in s.columns.values()]
    assert list(zip(table[:, 0], table[:, 1], strict=True)) == expected
    assert table[:, 6].to_list() == [c.help(lang) for s in SHEETS.values() for c in s.columns.values()]
    rows = {(r[0], r[1]): r for r in table.iter_rows()}
    yes, no = t("common.yes", lang), t("common.no", lang)
    case_id = rows[(SHEETS["cases"].label(lang), SHEETS["cases"].columns["case_id"].label(lang))]
    assert case_id[2:5] == (t("template.kind_id", lang), yes, yes)
    phq9 = SHEETS["assessments"].columns["phq9"]
    assert rows[(SHEETS["assessments"].label(lang), phq9.label(lang))][5] == {"es": "de 0 a 27", "en": "0 to 27"}[lang]
    sex = SHEETS["cases"].columns["sex"]
    assert rows[(SHEETS["cases"].label(lang), sex.label(lang))][3:6] == (no, no, allowed_text(sex, lang))


@pytest.mark.parametrize("lang", LANGS)
def test_instructions_explain_how_to_fill(lang: str) -> None:
    text = "\n".join(
        pl.read_excel(template(lang), sheet_name=instructions_name(lang), has_header=False, infer_schema_length=0)[
            "column_0"
        ].drop_nulls()
    )
    cases = SHEETS["cases"].label(lang)
    assert t("template.how_required", lang, cases=cases) in text
    assert t("template.how_bool", lang, yes=t("common.yes", lang), no=t("common.no", lang)) in text
    assert {"es": "01/03/2026", "en": "2026-03-01"}[lang] in text
    for spec in SHEETS.values():
        assert spec.label(lang) in text  # one line per sheet with its purpose


def test_rows_option_and_destination(tmp_path: Path) -> None:
    path = tmp_path / "plantilla.xlsx"
    assert write_template(path, lang="es", rows=5) is None
    validations = _validations(path.read_bytes(), "casos")
    assert "A2:A6" in validations
    with pytest.raises(CasekitError) as err:
        write_template(None, rows=0)
    assert "1" in err.value.message("en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_reader_reads_the_empty_template(lang: str) -> None:
    from casekit.io import read_workbook

    data = read_workbook(template(lang), filename="template.xlsx", lang=lang)
    assert set(data.sheets) == set(SHEETS)
    assert data.issues.height == 0
    assert data["cases"].height == 0
