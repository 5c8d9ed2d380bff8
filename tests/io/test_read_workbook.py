"""read_workbook on every kind of source, with asserted values (fixtures in files/)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest

from casekit.contract import SHEETS, VOCABS
from casekit.data import ISSUE_SCHEMA
from casekit.errors import UnreadableFileError
from casekit.io import read_workbook

D = dt.date


def _contract_cols(sheet: str) -> list[str]:
    return list(SHEETS[sheet].columns)


def test_spanish_cp1252_csv_folder(files: Path) -> None:
    data = read_workbook(files / "csv_es")
    cases = data["cases"]
    assert cases.columns == [*_contract_cols("cases"), "Teléfono", "_row"]
    assert cases.select("case_id", "client_name", "opened_on", "closed_on", "close_reason", "_row").rows() == [
        ("007", "José Núñez", D(2026, 3, 1), None, None, 2),
        ("008", "María Gómez", D(2026, 3, 15), D(2026, 4, 20), "goals_met", 3),
        ("009", "Iñaki", D(2026, 4, 2), None, None, 5),  # row 4 is empty and skipped
    ]
    assert cases["referral_source"].to_list() == ["primary_care", "hospital", "self"]
    assert cases["sex"].to_list() == ["male", "female", "unknown"]
    assert cases["Teléfono"].to_list() == ["600 000 000", None, None]
    a = data["assessments"]
    assert a.select("case_id", "bmi", "ed_visits_6m", "exercise_min_week", "health_engagement").rows() == [
        ("007", 27.5, 2, 1200, 3),
        ("008", 31.0, 0, 90, 4),
    ]
    assert a["tobacco_use"].to_list() == [True, False]
    assert a["housing"].to_list() == ["at_risk", "stable"]
    assert a["assessed_on"].to_list() == [D(2026, 3, 5), D(2026, 3, 16)]
    assert data.issues.height == 0
    assert data.headers["cases"]["__sheet__"] == "casos"
    assert data.headers["cases"]["opened_on"] == "Fecha Apertura"
    assert data.headers["cases"]["referral_source"] == "Origen-Derivación"
    assert data.headers["assessments"]["health_engagement"] == "implicación salud"
    assert "program" not in data.headers["cases"]
    assert data.source == "csv_es"


def test_types_follow_the_contract(files: Path) -> None:
    data = read_workbook(files / "workbook.xlsx")
    kinds = {"id": pl.String, "text": pl.String, "date": pl.Date, "bool": pl.Boolean}
    kinds |= {"int": pl.Int64, "float": pl.Float64}
    for name, frame in data.sheets.items():
        for col in SHEETS[name].columns.values():
            # a category column is an Enum of its vocabulary's ids, sorted (1 byte a row)
            want = pl.Enum(sorted(VOCABS[col.vocab])) if col.kind == "category" else kinds[col.kind]
            assert frame.schema[col.name] == want, (name, col.name)
        assert frame.schema["_row"] == pl.Int64
    assert data.issues.schema == pl.Schema(ISSUE_SCHEMA)


def test_utf8_bom_comma_csv_with_english_headers(files: Path) -> None:
    data = read_workbook(files / "cases_utf8_bom.csv")
    cases = data["cases"]
    assert cases.select("case_id", "client_name", "opened_on", "sex", "referral_source", "program").rows() == [
        ("A-1", "Smith, Jane", D(2026, 3, 1), "female", "primary_care", "Heart, lungs"),
        ("A-2", "Bob", D(2026, 3, 2), "male", "self", None),
    ]
    assert data.headers["cases"]["case_id"] == "Case ID"
    assert data.source == "cases_utf8_bom.csv"


def test_tab_separated_file_is_the_cases_sheet(files: Path) -> None:
    data = read_workbook(files / "export_tab.txt")
    assert list(data.sheets) == ["cases"]
    assert data["cases"].select("case_id", "opened_on", "closed_on", "close_reason").rows() == [
        ("T1", D(2026, 1, 5), D(2026, 2, 1), "goals_met"),
        ("T2", D(2026, 1, 6), None, None),
    ]


def test_xlsx_workbook(files: Path) -> None:
    data = read_workbook(files / "workbook.xlsx")
    assert list(data.sheets) == ["cases", "screenings", "assessments"]
    cases = data["cases"]
    assert cases.columns[-2:] == ["Notas internas", "_row"]
    assert cases.select("case_id", "opened_on", "sex", "referral_source", "Notas internas", "_row").rows() == [
        ("7", D(2026, 3, 1), "female", "primary_care", "llamar lunes", 2),  # number cell 7.0
        ("007", D(2026, 3, 2), "male", "insurer", "12.5", 3),  # text "007"; datetime cell
        ("010", D(2026, 3, 15), None, None, None, 5),  # text date; row 4 empty
    ]
    s = data["screenings"]
    assert s["medical_history_reviewed"].to_list() == [True, True, False]  # TRUE cell, x, blank in x-style column
    assert s["decision"].to_list() == ["refer_to_assessment", "not_eligible", "refer_to_assessment"]
    assert s["claims_12m"].to_list() == [2, 0, None]
    assert s["screened_on"].to_list() == [D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 16)]
    a = data["assessments"]
    assert a.select("bmi", "tobacco_use", "systolic_bp").row(0) == (27.5, False, 135)
    # Helper sheets (Instrucciones, _lists) are ignored; Hoja1 is reported once.
    assert data.issues.select("sheet", "row", "column", "value", "check", "severity").rows() == [
        ("Hoja1", None, None, "Hoja1", "unknown_sheet", "warning")
    ]
    assert data.headers["cases"] == {
        "case_id": "ID Caso",
        "opened_on": "Fecha Apertura",
        "sex": "Sexo",
        "referral_source": "Origen Derivación",
        "__sheet__": "Casos",
    }


def test_ods_workbook(files: Path) -> None:
    data = read_workbook(files / "workbook.ods")
    assert data["cases"].select("case_id", "opened_on", "sex", "program", "_row").rows() == [
        ("7", D(2026, 3, 1), "female", "Crónicos", 2),
        ("007", D(2026, 3, 2), "male", None, 3),
        ("011", D(2026, 3, 5), "other", "Salud mental", 5),
    ]
    c = data["contacts"]
    assert c.select("contact_id", "case_id", "contact_on", "kind", "with_whom", "status").rows() == [
        ("K1", "7", D(2026, 3, 8), "home_visit", "client", "attended"),
        ("K2", "007", D(2026, 3, 9), "phone_call", "support_system", "missed"),
    ]
    assert data.issues.height == 0


def test_parquet_folder_keeps_types_and_parses_text(files: Path) -> None:
    data = read_workbook(files / "parquet")
    cases = data["cases"]
    assert cases.columns == [*_contract_cols("cases"), "site", "_row"]
    assert cases.select("case_id", "opened_on", "closed_on", "sex", "site", "_row").rows() == [
        ("P1", D(2026, 3, 1), D(2026, 4, 1), "female", "north", 2),
        ("P2", D(2026, 3, 2), None, "male", "south", 3),
        ("007", D(2026, 3, 3), None, None, None, 4),
    ]
    a = data["assessments"]
    assert a.select("case_id", "assessed_on", "phq9", "bmi", "tobacco_use", "ed_visits_6m").rows() == [
        ("P1", D(2026, 3, 5), 12, 27.0, True, 2),
        ("P2", D(2026, 3, 6), 3, 31.0, False, None),
    ]
    assert data.issues.select("sheet", "row", "column", "value", "check").rows() == [
        ("cases", 4, "closed_on", "bad", "not_a_date"),
        ("assessments", 3, "ed_visits_6m", "1.5", "not_an_integer"),
    ]


def test_bytes_and_file_objects_with_filename(files: Path) -> None:
    raw = (files / "workbook.xlsx").read_bytes()
    from_bytes = read_workbook(raw, filename="upload.xlsx")
    assert from_bytes.source == "upload.xlsx"
    assert from_bytes["cases"]["case_id"].to_list() == ["7", "007", "010"]
    handle = io.BytesIO(raw)
    handle.read()  # an upload already consumed once must be rewound
    assert read_workbook(handle, filename="again.xlsx")["cases"].equals(from_bytes["cases"])
    csv = read_workbook((files / "csv_es" / "casos.csv").read_bytes(), filename="casos.csv")
    assert csv["cases"]["opened_on"].to_list() == [D(2026, 3, 1), D(2026, 3, 15), D(2026, 4, 2)]


def test_mapping_and_list_of_uploads(files: Path) -> None:
    uploads = {p.name: p.read_bytes() for p in sorted((files / "csv_es").iterdir())}
    as_mapping = read_workbook(uploads)
    as_pairs = read_workbook(list(uploads.items()))
    assert set(as_mapping.sheets) == {"cases", "assessments"}
    assert as_mapping["assessments"]["bmi"].to_list() == [27.5, 31.0]
    assert as_pairs["cases"].equals(as_mapping["cases"])
    parquet = {p.name: p.read_bytes() for p in (files / "parquet").glob("*.parquet")}
    assert read_workbook(parquet)["assessments"]["phq9"].to_list() == [12, 3]


def test_single_upload_in_a_mapping_may_be_a_workbook(files: Path) -> None:
    data = read_workbook({"book.ods": (files / "workbook.ods").read_bytes()})
    assert data["contacts"].height == 2


def test_month_first(files: Path) -> None:
    path = files / "cases_month_first.csv"
    us = read_workbook(path, month_first=True)["cases"]
    assert us["opened_on"].to_list() == [D(2026, 3, 1), D(2026, 3, 15)]
    assert us["birth_date"].to_list() == [D(1960, 12, 31), None]
    default = read_workbook(path)
    assert default["cases"]["opened_on"].to_list() == [D(2026, 1, 3), None]  # 3/15 is no day-first date
    assert default.issues.select("row", "column", "value", "check").rows() == [
        (2, "birth_date", "12/31/1960", "not_a_date"),
        (3, "opened_on", "3/15/2026", "not_a_date"),
    ]


def test_broken_workbook_reports_rows_and_columns(files: Path) -> None:
    data = read_workbook(files / "broken.xlsx")
    cases = data["cases"]
    assert cases.select("case_id", "opened_on", "sex", "referral_source", "_row").rows() == [
        ("B1", D(2026, 3, 1), "female", "hospital", 2),
        ("B2", None, None, "hospital", 3),
        ("B3", None, "male", None, 5),
    ]
    assert data.issues.select("sheet", "row", "column", "value", "check", "severity").rows() == [
        ("cases", 3, "opened_on", "31/02/2026", "not_a_date", "error"),
        ("cases", 3, "sex", "femenino", "not_allowed", "error"),
        ("cases", 5, "opened_on", "ayer", "not_a_date", "error"),
        ("cases", 5, "referral_source", "friend", "not_allowed", "error"),
        ("assessments", 2, "phq9", "7.5", "not_an_integer", "error"),
        ("assessments", 2, "tobacco_use", "quizás", "not_a_boolean", "error"),
        ("assessments", 2, "bmi", "veinte", "not_a_number", "error"),
        ("assessments", 3, "housing", "castle", "not_allowed", "error"),
        ("assessments", 3, "phq9", "abc", "not_a_number", "error"),
    ]
    allowed = data.issues.filter(pl.col("column") == "sex")["arg"].item()
    assert allowed == "female, male, other, unknown"
    a = data["assessments"]
    assert a.select("phq9", "bmi", "tobacco_use", "housing").rows() == [
        (None, None, None, "stable"),
        (None, 22.5, True, None),
    ]


def test_single_csv_named_after_another_sheet_still_needs_cases() -> None:
    from casekit.errors import UnreadableFileError

    with pytest.raises(UnreadableFileError) as err:
        read_workbook(b"id_caso;fecha_contacto\n1;01/03/2026\n", filename="contactos.csv", lang="es")
    assert err.value.key == "io.missing_cases"
    assert "contactos.csv" in str(err.value)


def test_csv_details() -> None:
    text = "sep=;\r\n\r\nTítulo del informe\r\nID_CASO;FECHA_APERTURA;Cerrado\r\n 42 ;  2026-03-01 ;\r\n"
    data = read_workbook(text.encode("cp1252"), filename="export.csv")
    cases = data["cases"]
    assert cases.select("case_id", "opened_on", "_row").rows() == [("42", D(2026, 3, 1), 5)]
    assert cases.columns[-2:] == ["Cerrado", "_row"]
    dup = read_workbook(b"case_id,case_id,opened_on,_row\nA,B,2026-01-01,x\n", filename="cases.csv")["cases"]
    assert dup.select("case_id", "case_id (2)", "_row (2)", "_row").row(0) == ("A", "B", "x", 2)


def test_xlsx_rows_keep_spreadsheet_numbers_below_a_title(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "offset.xlsm"  # macro-enabled workbooks are read the same way
    wb = xlsxwriter.Workbook(tmp_path / "offset.xlsx")
    ws = wb.add_worksheet("Casos")
    ws.write(0, 1, "Listado de casos")  # a title above the header, column A empty
    ws.write_row(2, 1, ["id caso", "fecha apertura", "cerrado por"])
    ws.write_row(3, 1, ["Z1", "2026-03-01", "Objetivos cumplidos"])
    ws.write_row(5, 1, ["Z2", "02/03/2026"])
    wb.close()
    path.write_bytes((tmp_path / "offset.xlsx").read_bytes())
    data = read_workbook(path)
    assert data["cases"].select("case_id", "opened_on", "cerrado por", "_row").rows() == [
        ("Z1", D(2026, 3, 1), "Objetivos cumplidos", 4),
        ("Z2", D(2026, 3, 2), None, 6),
    ]
    assert data.source == "offset.xlsm"


def test_unknown_sheet_files_are_warnings_and_duplicates_an_error(files: Path) -> None:
    uploads = {
        "casos.csv": b"id_caso\n1\n",
        "notas.csv": b"a\nb\n",
        "instrucciones.csv": b"x\n",
    }
    data = read_workbook(uploads)
    assert data["cases"]["case_id"].to_list() == ["1"]
    assert data.issues.select("sheet", "value", "check", "severity").rows() == [
        ("notas", "notas", "unknown_sheet", "warning"),
    ]
    uploads["cases.parquet"] = (files / "parquet" / "cases.parquet").read_bytes()
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(uploads, lang="es")
    assert info.value.key == "io.duplicate_sheet"
    assert "«casos.csv» y «cases.parquet»" in str(info.value)


def test_headers_of_columns_casekit_derives_read_back_to_their_ids() -> None:
    """An extract's ``age`` and ``age_band`` under their header in either language
    (``columns.toml``) or their id; elsewhere, or taken twice, a header stays an extra column."""
    es = b"id_caso;Edad;Grupo de edad\r\nC-1;90+;85+\r\n"
    assert read_workbook(es, filename="casos.csv")["cases"].select("age", "age_band").row(0) == ("90+", "85+")
    en = read_workbook(b"case_id,Age band,age,Edad\nC-1,40-64,56,57\n", filename="cases.csv")["cases"]
    assert en.select("age_band", "age", "Edad").row(0) == ("40-64", "56", "57")
    goals = read_workbook({"cases.csv": b"case_id\nC-1\n", "goals.csv": b"goal_id,case_id,Edad\nG-1,C-1,9\n"})
    assert "Edad" in goals["goals"].columns
    assert "age" not in goals["goals"].columns
