"""Column checks from the pandera schemas: required, duplicate, out_of_range, not_allowed, wrong_type."""

from __future__ import annotations

import polars as pl
import pytest

from casekit.validation._schemas import sheet_schema
from tests.validation.conftest import Run, problems, set_cell


def test_valid_workbook_gives_an_empty_report(sheets, run: Run) -> None:
    result = run(sheets)
    assert result.report.height == 0
    assert result.ok
    assert result.quarantined["cases"].height == 0


def test_one_schema_per_sheet_from_the_contract() -> None:
    schema = sheet_schema("assessments")
    assert schema.columns["phq9"].dtype.type == pl.Int64
    assert schema.columns["case_id"].nullable is False
    assert schema.columns["phq9"].nullable is True
    assert [c.error for c in schema.columns["phq9"].checks] == ["out_of_range|0", "out_of_range|27"]
    assert [c.name for c in sheet_schema("goals").columns["goal_id"].checks] == ["duplicate", "required"]


@pytest.mark.parametrize(
    ("column", "ok", "bad"),
    [("phq9", 27, 28), ("phq9", 0, -1), ("systolic_bp", 260, 261), ("diastolic_bp", 30, 29), ("gad7", 21, 22)],
)
def test_out_of_range_fires_just_past_the_bound(sheets, run: Run, column: str, ok: int, bad: int) -> None:
    sheets["assessments"] = set_cell(sheets["assessments"], 3, column, ok)
    assert problems(run(sheets)) == []
    sheets["assessments"] = set_cell(sheets["assessments"], 3, column, bad)
    result = run(sheets)
    assert problems(result) == [("assessments", 3, column, "out_of_range", "error")]
    assert result.report["value"][0] == str(bad)


def test_out_of_range_on_a_float_and_on_a_lower_bound_only(sheets, run: Run) -> None:
    sheets["assessments"] = set_cell(sheets["assessments"], 2, "bmi", 9.5)
    sheets["screenings"] = set_cell(sheets["screenings"], 3, "claims_12m", -1)
    result = run(sheets)
    assert problems(result) == [
        ("screenings", 3, "claims_12m", "out_of_range", "error"),
        ("assessments", 2, "bmi", "out_of_range", "error"),
    ]
    assert result.report["message"].to_list() == [
        "The value -1 of «Claims in the last 12 months» is out of range: it must be 0 or more.",
        "The value 9.5 of «Body mass index» is out of range: it must be between 10 and 90.",
    ]


def test_required_value_missing_or_blank(sheets, run: Run) -> None:
    sheets["screenings"] = set_cell(sheets["screenings"], 2, "screened_on", None)
    sheets["goals"] = set_cell(sheets["goals"], 3, "goal_id", "  ")
    result = run(sheets)
    assert problems(result) == [
        ("screenings", 2, "screened_on", "required", "error"),
        ("goals", 3, "goal_id", "required", "error"),
    ]
    assert result.report["message"].to_list() == ["The screening date is missing.", "The goal identifier is missing."]


def test_required_case_id_message_in_spanish(sheets, run: Run) -> None:
    sheets["outcomes"] = set_cell(sheets["outcomes"], 3, "case_id", None)
    result = run(sheets, lang="es")
    assert problems(result) == [("resultados", 3, "id_caso", "required", "error")]
    assert result.report["message"][0] == "Falta el identificador del caso."


def test_duplicate_ids_flag_every_copy_but_not_nulls(sheets, run: Run) -> None:
    sheets["contacts"] = set_cell(sheets["contacts"], 3, "contact_id", "K-1")
    result = run(sheets)
    assert problems(result) == [
        ("contacts", 2, "contact_id", "duplicate", "error"),
        ("contacts", 3, "contact_id", "duplicate", "error"),
    ]
    assert result.report["value"].to_list() == ["K-1", "K-1"]


@pytest.mark.parametrize(
    ("ids", "repeated"),
    [
        (["K8", "K9", "K10", "K11"], []),  # rising in length, then text: distinct without hashing
        (["K8", "K9", "K9", "K10"], [3, 4]),  # a repeat next to itself
        (["K9", "K10", "K11", "K9"], [2, 5]),  # not in that order: counted by hashes
        (["K10", "K9", None, None], []),  # nulls are not repeats
    ],
)
def test_duplicate_ids_in_any_order(sheets, run: Run, ids: list[str | None], repeated: list[int]) -> None:
    contacts = sheets["contacts"]
    rows = pl.concat([contacts] * 2).head(4).with_columns(pl.Series("contact_id", ids, dtype=pl.String))
    sheets["contacts"] = rows.with_columns(pl.Series("_row", range(2, 6), dtype=pl.Int64))
    found = [(sheet, row) for sheet, row, column, check, _ in problems(run(sheets)) if check == "duplicate"]
    assert found == [("contacts", row) for row in repeated]


def test_repeated_case_id_outside_cases_is_fine(sheets, run: Run) -> None:
    # two contacts of C-1 in the valid workbook: case_id is unique only in `cases`
    assert sheets["contacts"]["case_id"].to_list().count("C-1") == 2
    assert problems(run(sheets)) == []


def test_not_allowed_lists_the_allowed_labels(sheets, run: Run) -> None:
    sheets["assessments"] = set_cell(sheets["assessments"], 3, "housing", "castle")
    en = run(sheets)
    assert problems(en) == [("assessments", 3, "housing", "not_allowed", "error")]
    assert en.report["message"][0] == (
        "The value «castle» is not allowed in «Housing situation». Allowed values: Stable, At risk, Homeless."
    )
    es = run(sheets, lang="es")
    assert es.report["message"][0] == (
        "El valor «castle» no está admitido en «Situación de la vivienda». "
        "Valores admitidos: Estable, En riesgo, Sin hogar."
    )


def test_wrong_type_is_one_sheet_level_error(sheets, run: Run) -> None:
    sheets["assessments"] = sheets["assessments"].with_columns(pl.col("phq9").cast(pl.String))
    result = run(sheets)
    assert problems(result) == [("assessments", None, "phq9", "wrong_type", "error")]
    assert result.report["message"][0] == (
        "The column «PHQ-9 score» does not hold whole numbers; all rows of the sheet «assessments» are set aside."
    )
    assert result.quarantined["assessments"].height == 2
    assert result.data["assessments"].height == 0


def test_lossless_types_are_accepted(sheets, run: Run) -> None:
    small = sheets["assessments"].with_columns(pl.col("phq9").cast(pl.Int8), pl.col("bmi").cast(pl.Int32))
    sheets["assessments"] = small
    result = run(sheets)
    assert problems(result) == []
    assert result.data["assessments"].schema["phq9"] == pl.Int64
    assert result.data["assessments"].schema["bmi"] == pl.Float64
