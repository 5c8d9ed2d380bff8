"""The report (schema, order, user's names, parse issues) and the quarantine (counts, cascade)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from casekit.contract import SHEETS
from casekit.data import ISSUE_SCHEMA, REPORT_SCHEMA
from tests.validation.conftest import Run, problems, set_cell


def _parse_issues(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame([{k: r.get(k) for k in ISSUE_SCHEMA} for r in rows], schema=ISSUE_SCHEMA)


def _assert_nothing_dropped(sheets: dict[str, pl.DataFrame], result) -> None:
    for name, df in sheets.items():
        clean, held = result.data[name], result.quarantined[name]
        assert clean.height + held.height == df.height, name
        assert sorted([*clean["_row"], *held["_row"]]) == sorted(df["_row"]), name


# ----------------------------------------------------------------------------- report
def test_report_schema_even_when_empty(sheets, run: Run) -> None:
    assert run(sheets).report.schema == pl.Schema(REPORT_SCHEMA)
    sheets["assessments"] = set_cell(sheets["assessments"], 2, "phq9", 99)
    assert run(sheets).report.schema == pl.Schema(REPORT_SCHEMA)


def test_report_is_sorted_by_sheet_order_row_and_column(sheets, run: Run) -> None:
    sheets["outcomes"] = set_cell(sheets["outcomes"], 2, "measure", None)
    sheets["assessments"] = set_cell(sheets["assessments"], 3, "phq9", 30)
    sheets["assessments"] = set_cell(sheets["assessments"], 3, "case_id", "C-8")
    sheets["assessments"] = set_cell(sheets["assessments"], 2, "gad7", 30)
    sheets["screenings"] = set_cell(sheets["screenings"], 3, "decision", "maybe")
    assert [p[:4] for p in problems(run(sheets))] == [
        ("screenings", 3, "decision", "not_allowed"),
        ("assessments", 2, "gad7", "out_of_range"),
        ("assessments", 3, "case_id", "unknown_case"),
        ("assessments", 3, "phq9", "out_of_range"),
        ("outcomes", 2, "measure", "required"),
    ]


def test_report_uses_the_names_written_in_the_file(sheets, run: Run) -> None:
    sheets["assessments"] = set_cell(sheets["assessments"], 2, "phq9", 28)
    headers = {
        "assessments": {"__sheet__": "Valoraciones", "case_id": "Caso", "assessed_on": "Fecha", "phq9": "PHQ9 total"}
    }
    result = run(sheets, lang="es", headers=headers)
    assert problems(result) == [("Valoraciones", 2, "PHQ9 total", "out_of_range", "error")]
    assert result.report["message"][0] == (
        "El valor 28 de «Puntuación PHQ-9» está fuera de rango: debe ser un valor entre 0 y 27."
    )


def test_parse_issues_are_merged_with_messages(sheets, run: Run) -> None:
    issues = _parse_issues(
        {
            "sheet": "assessments",
            "row": 2,
            "column": "systolic_bp",
            "value": "abc",
            "check": "not_an_integer",
            "severity": "error",
        },
        {
            "sheet": "cases",
            "row": 4,
            "column": "closed_on",
            "value": "31/02/2026",
            "check": "not_a_date",
            "severity": "error",
        },
        {
            "sheet": "outcomes",
            "row": 3,
            "column": "value",
            "value": "n/a",
            "check": "not_a_number",
            "severity": "error",
        },
        {
            "sheet": "outcomes",
            "row": 2,
            "column": "higher_is_better",
            "value": "maybe",
            "check": "not_a_boolean",
            "severity": "error",
        },
        {
            "sheet": "contacts",
            "row": 2,
            "column": "kind",
            "value": "visita",
            "check": "not_allowed",
            "severity": "error",
            "arg": "appointment, follow_up, home_visit, phone_call, education, post_transition",
        },
        {"sheet": "Hoja1", "value": "Hoja1", "check": "unknown_sheet", "severity": "warning"},
    )
    result = run(sheets, lang="es", issues=issues)
    own = result.report
    assert own.select("sheet", "row", "column", "value", "check").rows() == [
        ("casos", 4, "fecha_cierre", "31/02/2026", "not_a_date"),
        ("evaluaciones", 2, "tension_sistolica", "abc", "not_an_integer"),
        ("contactos", 2, "tipo", "visita", "not_allowed"),
        ("resultados", 2, "mayor_es_mejor", "maybe", "not_a_boolean"),
        ("resultados", 3, "valor", "n/a", "not_a_number"),
        ("Hoja1", None, None, "Hoja1", "unknown_sheet"),
    ]
    assert own["message"].to_list() == [
        "El valor «31/02/2026» de «Fecha de cierre» no es una fecha válida (escríbala como 01/03/2026).",
        "El valor «abc» de «Tensión sistólica» no es un número entero.",
        "El valor «visita» no está admitido en «Tipo de contacto». Valores admitidos: Cita, Seguimiento, "
        "Visita domiciliaria, Llamada telefónica, Educación, Post-transición.",
        "El valor «maybe» de «Sentido de mejora (mayor es mejor)» no es sí o no.",
        "El valor «n/a» de «Valor medido» no es un número.",
        "La hoja «Hoja1» no forma parte del libro de casos; se ha ignorado.",
    ]
    # the parse errors set their rows aside; the unknown sheet (a warning) sets nothing aside
    assert result.n_quarantined() == {"cases": 1, "assessments": 1, "contacts": 1, "outcomes": 2}


def test_parse_issue_messages_in_english(sheets, run: Run) -> None:
    issues = _parse_issues(
        {
            "sheet": "assessments",
            "row": 2,
            "column": "systolic_bp",
            "value": "abc",
            "check": "not_an_integer",
            "severity": "error",
        },
    )
    assert run(sheets, issues=issues).report["message"].to_list() == [
        "The value «abc» of «Systolic blood pressure» is not a whole number."
    ]


def test_unknown_check_gets_a_generic_message(sheets, run: Run) -> None:
    issues = _parse_issues(
        {
            "sheet": "contacts",
            "row": 3,
            "column": "notes",
            "value": "=HYPERLINK()",
            "check": "formula",
            "severity": "warning",
        },
    )
    result = run(sheets, issues=issues)
    assert problems(result) == [("contacts", 3, "notes", "formula", "warning")]
    assert result.report["message"][0] == "Please check the value «=HYPERLINK()» of «Notes» (formula)."


def test_extra_columns_are_kept_and_named_as_is(sheets, run: Run) -> None:
    sheets["cases"] = sheets["cases"].with_columns(pl.lit("x").alias("Ward"))
    result = run(sheets)
    assert result.ok
    assert "Ward" in result.data["cases"].columns


# ----------------------------------------------------------------------------- quarantine
def test_rows_with_errors_are_quarantined_warnings_are_not(sheets, run: Run) -> None:
    sheets["assessments"] = set_cell(sheets["assessments"], 3, "phq9", 28)
    sheets["contacts"] = set_cell(sheets["contacts"], 3, "contact_on", dt.date(2026, 3, 2))  # stale: a warning
    result = run(sheets)
    assert result.n_errors == 1
    assert result.n_warnings == 1
    assert result.n_quarantined() == {"assessments": 1}
    assert result.quarantined["assessments"]["_row"].to_list() == [3]
    assert result.quarantined["assessments"]["phq9"].to_list() == [28]
    assert result.data["assessments"]["case_id"].to_list() == ["C-1"]
    assert result.data["contacts"].height == 3
    _assert_nothing_dropped(sheets, result)


def test_a_case_in_error_takes_its_rows_along(sheets, run: Run) -> None:
    sheets["cases"] = set_cell(sheets["cases"], 3, "opened_on", None)  # C-2
    sheets["goals"] = set_cell(sheets["goals"], 3, "goal_id", None)  # C-2's goal also has its own error
    result = run(sheets, lang="es")
    cascade = result.report.filter(pl.col("check") == "case_quarantined")
    assert cascade.select("sheet", "row").rows() == [
        ("cribados", 3),
        ("evaluaciones", 3),
        ("revisiones_riesgo", 3),
        ("servicios", 3),
        ("contactos", 4),
        ("transiciones", 2),
        ("resultados", 3),
    ]
    assert set(cascade["severity"]) == {"error"}
    assert cascade["message"][0] == "Esta fila queda apartada porque el caso «C-2» tiene errores en la hoja de casos."
    assert result.n_quarantined() == {
        "cases": 1,
        "screenings": 1,
        "assessments": 1,
        "risk_reviews": 1,
        "goals": 1,
        "services": 1,
        "contacts": 1,
        "transitions": 1,
        "outcomes": 1,
    }
    assert result.affected_cases() == 1
    for name in SHEETS:
        if name != "cases":
            assert "C-2" not in result.data[name]["case_id"].to_list()
    _assert_nothing_dropped(sheets, result)


def test_duplicate_case_ids_quarantine_both_cases_and_their_rows(sheets, run: Run) -> None:
    sheets["cases"] = set_cell(sheets["cases"], 4, "case_id", "C-1")
    result = run(sheets)
    assert result.quarantined["cases"]["_row"].to_list() == [2, 4]
    assert result.data["cases"]["case_id"].to_list() == ["C-2"]
    assert result.quarantined["contacts"]["case_id"].to_list() == ["C-1", "C-1"]
    _assert_nothing_dropped(sheets, result)


def test_missing_required_column_is_one_error_and_sets_the_sheet_aside(sheets, run: Run) -> None:
    sheets["screenings"] = sheets["screenings"].drop("screened_on")
    headers = {"screenings": {"__sheet__": "cribados", "case_id": "id_caso", "decision": "decision"}}
    result = run(sheets, lang="es", headers=headers)
    assert problems(result) == [("cribados", None, "fecha_cribado", "missing_column", "error")]
    assert result.report["message"][0] == (
        "Falta la columna obligatoria «fecha_cribado» (la fecha de cribado) en la hoja «cribados»; "
        "se apartan todas sus filas."
    )
    assert result.n_quarantined() == {"screenings": 2}
    assert result.quarantined["screenings"]["screened_on"].dtype == pl.Date
    _assert_nothing_dropped(sheets, result)


def test_missing_column_without_headers_reports_each_row(sheets, run: Run) -> None:
    # no headers recorded (a frame built in a notebook): every row lacks the value
    sheets["screenings"] = sheets["screenings"].drop("screened_on")
    assert problems(run(sheets)) == [
        ("screenings", 2, "screened_on", "required", "error"),
        ("screenings", 3, "screened_on", "required", "error"),
    ]


def test_missing_cases_column_sets_everything_aside(sheets, run: Run) -> None:
    headers = {"cases": {"case_id": "case_id", "closed_on": "closed_on"}}
    sheets["cases"] = sheets["cases"].drop("opened_on")
    result = run(sheets, headers=headers)
    assert problems(result)[0] == ("cases", None, "opened_on", "missing_column", "error")
    assert all(result.data[name].height == 0 for name in SHEETS)
    _assert_nothing_dropped(sheets, result)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_clean_data_keeps_source_and_headers(sheets, run: Run, lang: str) -> None:
    headers = {"cases": {"__sheet__": "Casos", "case_id": "ID"}}
    result = run(sheets, headers=headers, lang=lang)
    assert result.data.source == "tiny.xlsx"
    assert result.data.headers == headers
    assert list(result.data.sheets) == list(sheets)


def test_unparsed_required_cell_is_reported_once(sheets, run: Run) -> None:
    sheets["cases"] = set_cell(sheets["cases"], 4, "opened_on", None)  # the reader left it null
    issues = _parse_issues(
        {
            "sheet": "cases",
            "row": 4,
            "column": "opened_on",
            "value": "31/02/2026",
            "check": "not_a_date",
            "severity": "error",
        },
    )
    assert problems(run(sheets, issues=issues)) == [("cases", 4, "opened_on", "not_a_date", "error")]
    assert problems(run(sheets))[0] == ("cases", 4, "opened_on", "required", "error")


def test_report_for_renders_another_language_without_validating_again() -> None:
    import casekit as ck

    data = ck.read_workbook(Path(__file__).resolve().parents[2] / "sample_data" / "casekit_broken_es.xlsx")
    es = ck.validate(data, lang="es", as_of=ck.SAMPLE_AS_OF)
    en = ck.validate(data, lang="en", as_of=ck.SAMPLE_AS_OF)
    from casekit.validation import report_for

    assert report_for(es, "en").equals(en.report)
    assert report_for(en, "es").equals(es.report)
    assert report_for(es, "es") is es.report
