"""Rules across two columns of a row and across sheets (boundaries on both sides)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.validation.conftest import AS_OF, Run, problems, set_cell

D = dt.date


# ----------------------------------------------------------------------------- inside a row
@pytest.mark.parametrize(
    "case",
    [
        ("cases", 4, "closed_on", D(2026, 2, 1), D(2026, 1, 31), "date_order"),
        ("assessments", 2, "diastolic_bp", 119, 120, "value_order"),
        ("goals", 2, "target_on", D(2026, 1, 12), D(2026, 1, 11), "date_order"),
        ("services", 2, "end_on", D(2026, 1, 12), D(2026, 1, 11), "date_order"),
    ],
)
def test_row_rules_fire_just_past_the_boundary(sheets, run: Run, case) -> None:
    sheet, row, column, ok, bad, check = case
    sheets[sheet] = set_cell(sheets[sheet], row, column, ok)
    assert problems(run(sheets)) == []
    sheets[sheet] = set_cell(sheets[sheet], row, column, bad)
    got = [p for p in problems(run(sheets)) if p[3] != "case_quarantined"]
    assert got == [(sheet, row, column, check, "error")]


def test_row_rule_needs_both_values(sheets, run: Run) -> None:
    sheets["assessments"] = set_cell(sheets["assessments"], 2, "systolic_bp", None)
    sheets["services"] = set_cell(sheets["services"], 2, "start_on", None)
    assert problems(run(sheets)) == []


def test_row_rule_messages(sheets, run: Run) -> None:
    sheets["assessments"] = set_cell(sheets["assessments"], 2, "diastolic_bp", 130)
    sheets["goals"] = set_cell(sheets["goals"], 3, "target_on", D(2026, 1, 2))
    en = run(sheets).report["message"].to_list()
    assert en == [
        "The diastolic blood pressure (130) must be lower than the systolic blood pressure (120).",
        "The target date (2026-01-02) is before the date the goal was set (2026-01-22).",
    ]
    es = run(sheets, lang="es").report["message"].to_list()
    assert es == [
        "La tensión diastólica (130) debe ser menor que la tensión sistólica (120).",
        "La fecha meta (02/01/2026) es anterior a la fecha de fijación del objetivo (22/01/2026).",
    ]


def test_achieved_on_required_iff_status_achieved(sheets, run: Run) -> None:
    sheets["goals"] = set_cell(sheets["goals"], 2, "achieved_on", None)  # achieved, no date
    sheets["goals"] = set_cell(sheets["goals"], 3, "achieved_on", D(2026, 2, 1))  # in progress, with a date
    result = run(sheets, lang="es")
    assert problems(result) == [
        ("objetivos", 2, "fecha_logro", "achieved_on_missing", "error"),
        ("objetivos", 3, "fecha_logro", "achieved_on_unexpected", "error"),
    ]
    assert result.report["message"][1] == (
        "Hay fecha de logro (01/02/2026) pero el estado del objetivo es «En curso», no logrado."
    )


def test_achieved_on_rule_skips_goals_without_status(sheets, run: Run) -> None:
    sheets["goals"] = set_cell(sheets["goals"], 2, "status", None)
    assert problems(run(sheets)) == []


def test_override_tier_needs_a_reason(sheets, run: Run) -> None:
    sheets["risk_reviews"] = set_cell(sheets["risk_reviews"], 2, "reason", " ")
    sheets["risk_reviews"] = set_cell(sheets["risk_reviews"], 3, "reason", "no override, a note")
    result = run(sheets)
    assert problems(result) == [("risk_reviews", 2, "reason", "reason_required", "error")]
    assert result.report["message"][0] == "The risk tier was overridden («High») but the reason is missing."


@pytest.mark.parametrize(
    ("text", "blank"),
    [("\u3000", True), ("\t\u00a0 ", True), ("", True), ("\u00a0Lives alone", False), ("\u00c1lvaro: alone", False)],
)
def test_a_reason_that_starts_like_a_blank_is_tested_exactly(sheets, run: Run, text: str, blank: bool) -> None:
    # the rows are kept by a cheap test (a first byte below "!" or non-ASCII), then tested exactly
    sheets["risk_reviews"] = set_cell(sheets["risk_reviews"], 2, "reason", text)
    sheets["risk_reviews"] = sheets["risk_reviews"].with_columns(
        safety_action=pl.Series(["not_needed", "not_needed"]), reason=pl.Series([text, "\u00a0" if blank else text])
    )
    sheets["goals"] = sheets["goals"].with_columns(target_value=pl.Series([5.0, 1.0]), measure=pl.Series([text, "ok"]))
    checks = [p[1:4] for p in problems(run(sheets))]
    expected = [
        (2, "reason", "reason_required"),
        (2, "reason", "safety_reason_required"),
        (3, "reason", "safety_reason_required"),
        (2, "measure", "measure_required"),
    ]
    assert sorted(checks) == (sorted(expected) if blank else [])


# ----------------------------------------------------------------------------- across sheets
def test_unknown_case(sheets, run: Run) -> None:
    sheets["services"] = set_cell(sheets["services"], 3, "case_id", "C-9")
    result = run(sheets, lang="es")
    assert problems(result) == [("servicios", 3, "id_caso", "unknown_case", "error")]
    assert result.report["message"][0] == "El caso «C-9» no existe en la hoja de casos."
    assert result.report["value"][0] == "C-9"


def test_screening_before_opening_day(sheets, run: Run) -> None:
    # the valid workbook screens C-1 on its opening day (2026-01-05)
    sheets["cases"] = set_cell(sheets["cases"], 2, "opened_on", D(2026, 1, 4))
    assert problems(run(sheets)) == []
    sheets["cases"] = set_cell(sheets["cases"], 2, "opened_on", D(2026, 1, 5))
    sheets["screenings"] = set_cell(sheets["screenings"], 2, "screened_on", D(2026, 1, 4))
    result = run(sheets)
    assert problems(result) == [("screenings", 2, "screened_on", "before_opening", "error")]


def test_before_opening_exact_messages(sheets, run: Run) -> None:
    sheets["screenings"] = set_cell(sheets["screenings"], 2, "screened_on", D(2026, 1, 3))
    assert run(sheets, lang="es").report["message"][0] == (
        "La fecha de cribado (03/01/2026) es anterior a la apertura del caso (05/01/2026)."
    )
    assert run(sheets, lang="en").report["message"][0] == (
        "The screening date (2026-01-03) is before the case was opened (2026-01-05)."
    )


@pytest.mark.parametrize(
    ("sheet", "row", "column"),
    [
        ("assessments", 3, "assessed_on"),
        ("risk_reviews", 3, "reviewed_on"),
        ("goals", 3, "set_on"),
        ("services", 3, "start_on"),
        ("transitions", 2, "transition_on"),
    ],
)
def test_events_after_closing_have_no_grace(sheets, run: Run, sheet, row, column) -> None:
    closed = D(2026, 3, 1)  # C-2's closing day
    if sheet == "goals":  # keep the goal's own target date consistent
        sheets["goals"] = set_cell(sheets["goals"], 3, "target_on", D(2026, 6, 1))
    sheets[sheet] = set_cell(sheets[sheet], row, column, closed)
    assert problems(run(sheets)) == []
    sheets[sheet] = set_cell(sheets[sheet], row, column, closed + dt.timedelta(days=1))
    result = run(sheets)
    assert problems(result) == [(sheet, row, column, "after_closing", "error")]


@pytest.mark.parametrize(("sheet", "row", "column"), [("contacts", 4, "contact_on"), ("outcomes", 3, "measured_on")])
def test_contacts_and_outcomes_get_90_days_of_grace(sheets, run: Run, sheet, row, column) -> None:
    # the valid workbook has them exactly 90 days after C-2 closed (2026-03-01 -> 2026-05-30)
    assert sheets[sheet].filter(pl.col("_row") == row)[column].item() == D(2026, 5, 30)
    assert problems(run(sheets)) == []
    sheets[sheet] = set_cell(sheets[sheet], row, column, D(2026, 5, 31))
    result = run(sheets)
    assert problems(result) == [(sheet, row, column, "after_closing", "error")]
    assert result.report["message"][0].endswith("is more than 90 days after the case was closed (2026-03-01).")


def test_event_dates_not_checked_against_a_case_in_error(sheets, run: Run) -> None:
    # C-2's own dates are wrong: its events are set aside, not compared with those dates
    sheets["cases"] = set_cell(sheets["cases"], 3, "closed_on", D(2026, 1, 1))
    checks = {p[3] for p in problems(run(sheets)) if p[0] != "cases"}
    assert checks == {"case_quarantined"}


def test_future_attended_contact_is_a_warning(sheets, run: Run) -> None:
    sheets["contacts"] = set_cell(sheets["contacts"], 2, "contact_on", AS_OF)
    assert problems(run(sheets)) == []
    sheets["contacts"] = set_cell(sheets["contacts"], 2, "contact_on", AS_OF + dt.timedelta(days=1))
    result = run(sheets)
    assert problems(result) == [("contacts", 2, "contact_on", "future_contact", "warning")]
    assert result.report["message"][0] == (
        "The contact is marked «Attended» but its date (2026-04-02) is after the reference date (2026-04-01)."
    )
    assert result.ok
    assert result.data["contacts"].height == 3


def test_missed_contact_in_the_future_is_a_warning(sheets, run: Run) -> None:
    sheets["contacts"] = set_cell(sheets["contacts"], 2, "status", "missed")
    sheets["contacts"] = set_cell(sheets["contacts"], 2, "contact_on", D(2026, 4, 10))
    assert problems(run(sheets)) == [("contacts", 2, "contact_on", "future_contact", "warning")]


def test_stale_scheduled_contact_is_a_warning(sheets, run: Run) -> None:
    # K-2 is scheduled on the as-of date itself: not stale yet
    assert problems(run(sheets)) == []
    sheets["contacts"] = set_cell(sheets["contacts"], 3, "contact_on", AS_OF - dt.timedelta(days=1))
    result = run(sheets, lang="es")
    assert problems(result) == [("contactos", 3, "fecha_contacto", "stale_scheduled", "warning")]
    assert result.report["message"][0].startswith("El contacto sigue programado aunque su fecha (31/03/2026) ya pasó")
    assert result.quarantined["contacts"].height == 0


def test_blank_with_whom_is_one_warning_per_sheet_naming_the_first_row(sheets, run: Run) -> None:
    """A blank ``with_whom`` counts as the client (process rule 1): never silently, one
    warning per contacts sheet on its first such row, with how many rows there are."""
    sheets["contacts"] = set_cell(sheets["contacts"], 3, "with_whom", None)
    sheets["contacts"] = set_cell(sheets["contacts"], 4, "with_whom", None)
    result = run(sheets, lang="es")
    assert problems(result) == [("contactos", 3, "con_quien", "blank_with_whom", "warning")]
    message = result.report["message"][0]
    assert message.startswith("Falta la persona contactada (filas de esta hoja sin ella: 2; la primera es esta)")
    assert "cuentan como contactos con el cliente" in message
    assert "Aseguradora" in message
    assert result.quarantined["contacts"].height == 0  # a warning: the rows are used
    english = run(sheets, lang="en")
    assert problems(english) == [("contacts", 3, "with_whom", "blank_with_whom", "warning")]
    assert english.report["message"][0].startswith("The person contacted is missing (rows of this sheet without it: 2;")


def test_blank_with_whom_is_not_reported_twice_when_the_value_was_unreadable(sheets, run: Run) -> None:
    sheets["contacts"] = set_cell(sheets["contacts"], 2, "with_whom", "neighbour")
    assert problems(run(sheets)) == [("contacts", 2, "with_whom", "not_allowed", "error")]


def test_as_of_defaults_to_today(sheets, run: Run) -> None:
    from casekit.data import CaseData
    from casekit.validation import validate

    sheets["contacts"] = set_cell(sheets["contacts"], 3, "contact_on", dt.date.today() - dt.timedelta(days=1))
    sheets["contacts"] = set_cell(sheets["contacts"], 3, "status", "scheduled")
    result = validate(CaseData(sheets))
    assert ("contacts", 3, "contact_on", "stale_scheduled", "warning") in problems(result)


def _links(table: pl.DataFrame, ids: list[str]) -> list[tuple[int, str]]:
    from casekit.validation._rules import case_links

    rows = pl.DataFrame({"case_id": ids, "start_on": [D(2026, 2, 1)] * len(ids), "_row": list(range(2, len(ids) + 2))})
    return case_links("services", rows, table).select("row", "check").rows()


def test_case_links_hash_join_is_exact_even_on_a_collision() -> None:
    from casekit.validation._rules import case_table

    cases = pl.DataFrame(
        {"case_id": ["C-1", "C-2"], "opened_on": [D(2026, 1, 1)] * 2, "closed_on": [None, None]},
        schema_overrides={"closed_on": pl.Date},
    )
    table = case_table(cases, pl.Series([True, True]))
    assert _links(table, ["C-1", "C-X"]) == [(3, "unknown_case")]
    # pretend C-X's hash equals C-1's: C-X must still be unknown
    forged = pl.DataFrame({"case_id": ["C-X"]}).select(pl.col("case_id").hash()).item()
    table = table.with_columns(_key=pl.when(pl.col("case_id") == "C-1").then(forged).otherwise("_key"))
    assert _links(table, ["C-1", "C-X", "C-2"]) == [(2, "unknown_case"), (3, "unknown_case")]
    # two ids sharing a hash in the table: falls back to joining on the text itself
    table = table.with_columns(_key=pl.lit(forged, dtype=pl.UInt64))
    assert _links(table, ["C-1", "C-X", "C-2"]) == [(3, "unknown_case")]
