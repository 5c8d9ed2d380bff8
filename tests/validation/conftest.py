"""One tiny, valid case workbook shared by the validation tests.

Three cases: C-1 opened 2026-01-05 and still open; C-2 opened 2026-01-10, closed
2026-03-01; C-3 opened and closed on 2026-02-01 (declined), with no other rows.
Validation runs as of :data:`AS_OF` (2026-04-01). Several values sit exactly on a
boundary (screening on the opening day, PHQ-9 = 27, goal target on the day it was set,
a contact and an outcome 90 days after closing…) so that a test changing one cell by
one unit shows where the rule starts to fire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl
import pytest

from casekit.data import CaseData, ValidationResult
from casekit.validation import validate

AS_OF = dt.date(2026, 4, 1)
D = dt.date


def tiny_sheets() -> dict[str, pl.DataFrame]:
    """A fresh dict of valid frames (only some optional columns; validate adds the rest)."""
    sheets = {
        "cases": pl.DataFrame(
            {
                "case_id": ["C-1", "C-2", "C-3"],
                "client_id": ["P-1", "P-2", "P-3"],
                "opened_on": [D(2026, 1, 5), D(2026, 1, 10), D(2026, 2, 1)],
                "closed_on": [None, D(2026, 3, 1), D(2026, 2, 1)],
                "close_reason": [None, "goals_met", "declined"],
                "sex": ["female", "male", None],
            }
        ),
        "screenings": pl.DataFrame(
            {
                "case_id": ["C-1", "C-2"],
                "screened_on": [D(2026, 1, 5), D(2026, 1, 12)],
                "claims_12m": [0, 3],
                "decision": ["refer_to_assessment", "refer_to_assessment"],
            }
        ),
        "assessments": pl.DataFrame(
            {
                "case_id": ["C-1", "C-2"],
                "assessed_on": [D(2026, 1, 10), D(2026, 1, 20)],
                "systolic_bp": [120, 260],
                "diastolic_bp": [80, 30],
                "phq9": [27, 0],
                "gad7": [21, 0],
                "bmi": [10.0, 90.0],
                "housing": ["stable", "at_risk"],
            }
        ),
        "risk_reviews": pl.DataFrame(
            {
                "case_id": ["C-1", "C-2"],
                "reviewed_on": [D(2026, 1, 11), D(2026, 1, 21)],
                "override_tier": ["high", None],
                "reason": ["Lives alone after discharge", None],
            }
        ),
        "goals": pl.DataFrame(
            {
                "goal_id": ["G-1", "G-2"],
                "case_id": ["C-1", "C-2"],
                "set_on": [D(2026, 1, 12), D(2026, 1, 22)],
                "target_on": [D(2026, 3, 1), D(2026, 1, 22)],
                "status": ["achieved", "in_progress"],
                "achieved_on": [D(2026, 2, 20), None],
            }
        ),
        "services": pl.DataFrame(
            {
                "service_id": ["S-1", "S-2"],
                "case_id": ["C-1", "C-2"],
                "level_of_care": ["home_health", "outpatient"],
                "start_on": [D(2026, 1, 12), D(2026, 3, 1)],
                "end_on": [D(2026, 1, 12), None],
            }
        ),
        "contacts": pl.DataFrame(
            {
                "contact_id": ["K-1", "K-2", "K-3"],
                "case_id": ["C-1", "C-1", "C-2"],
                "contact_on": [D(2026, 1, 20), AS_OF, D(2026, 5, 30)],
                "kind": ["appointment", "follow_up", "post_transition"],
                "with_whom": ["client", "client", "support_system"],
                "status": ["attended", "scheduled", "scheduled"],
            }
        ),
        "transitions": pl.DataFrame(
            {
                "transition_id": ["T-1"],
                "case_id": ["C-2"],
                "transition_on": [D(2026, 3, 1)],
                "from_level": ["outpatient"],
                "to_level": ["discharged"],
                "kind": ["discharge"],
            }
        ),
        "outcomes": pl.DataFrame(
            {
                "case_id": ["C-1", "C-2"],
                "measured_on": [D(2026, 1, 10), D(2026, 5, 30)],
                "measure": ["PHQ-9", "PHQ-9"],
                "value": [12.0, 4.0],
                "timepoint": ["baseline", "discharge"],
                "higher_is_better": [False, False],
            }
        ),
    }
    return {name: df.with_columns(_row=pl.int_range(2, df.height + 2, dtype=pl.Int64)) for name, df in sheets.items()}


Run = Callable[..., ValidationResult]


@pytest.fixture
def sheets() -> dict[str, pl.DataFrame]:
    """The tiny valid workbook's frames, fresh for each test (edit them freely)."""
    return tiny_sheets()


@pytest.fixture
def run() -> Run:
    """``run(sheets, lang=..., headers=..., issues=...)`` validates as of :data:`AS_OF`."""

    def _run(
        sheets: dict[str, pl.DataFrame],
        *,
        lang: str = "en",
        headers: dict[str, dict[str, str]] | None = None,
        issues: pl.DataFrame | None = None,
        as_of: dt.date = AS_OF,
    ) -> ValidationResult:
        data = CaseData(sheets, source="tiny.xlsx", headers=headers or {})
        if issues is not None:
            data = CaseData(sheets, issues=issues, source="tiny.xlsx", headers=headers or {})
        return validate(data, lang=lang, as_of=as_of)

    return _run


def set_cell(df: pl.DataFrame, row: int, column: str, value: object) -> pl.DataFrame:
    """``df`` with the cell of spreadsheet row ``row`` in ``column`` replaced (type kept)."""
    dtype = df.schema[column]
    return df.with_columns(
        pl.when(pl.col("_row") == row).then(pl.lit(value, dtype=dtype)).otherwise(pl.col(column)).alias(column)
    )


def problems(result: ValidationResult) -> list[tuple[str, int | None, str | None, str, str]]:
    """The report as ``(sheet, row, column, check, severity)`` tuples."""
    return result.report.select("sheet", "row", "column", "check", "severity").rows()
