"""Rules beyond one column: two columns of a row, and rows of two sheets (polars joins).

Each function takes prepared frames (contract columns, contract types, ``_row``) and
returns an issue frame (:mod:`casekit.validation._issues`). A rule fires only when the
values it compares are present; a missing value is the ``required`` check's business.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from casekit.contract import EVENT_DATES, POST_CLOSURE_GRACE_DAYS, POST_CLOSURE_GRACE_SHEETS, ROW, ROW_RULES
from casekit.validation._issues import concat, issues_from

_OPS = {
    ">=": (lambda a, b: a < b, "date_order"),  # violated when a is before b
    "<": (lambda a, b: a >= b, "value_order"),  # violated when a is not lower than b
}


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")


def row_rules(sheet: str, df: pl.DataFrame) -> pl.DataFrame:
    """Two-column rules inside each row of ``sheet``.

    >>> import datetime as dt
    >>> df = pl.DataFrame({"opened_on": [dt.date(2026, 1, 5)], "closed_on": [dt.date(2026, 1, 4)], "_row": [2]})
    >>> row_rules("cases", df).select("row", "column", "check", "value", "other_column", "other_value").row(0)
    (2, 'closed_on', 'date_order', '2026-01-04', 'opened_on', '2026-01-05')
    """
    frames = []
    for rule_sheet, a, op, b in ROW_RULES:
        if rule_sheet != sheet:
            continue
        violated, check = _OPS[op]
        bad = df.filter(violated(pl.col(a), pl.col(b)))  # null comparisons are dropped by filter
        frames.append(
            issues_from(bad, sheet=sheet, column=a, check=check, value=pl.col(a), other_column=b, other_value=pl.col(b))
        )
    if sheet == "goals":
        achieved = pl.col("status") == "achieved"
        frames.append(
            issues_from(
                df.filter(achieved & pl.col("achieved_on").is_null()),
                sheet=sheet,
                column="achieved_on",
                check="achieved_on_missing",
                other_column="status",
                other_value=pl.col("status"),
            )
        )
        frames.append(
            issues_from(
                df.filter(~achieved & pl.col("achieved_on").is_not_null()),
                sheet=sheet,
                column="achieved_on",
                check="achieved_on_unexpected",
                value=pl.col("achieved_on"),
                other_column="status",
                other_value=pl.col("status"),
            )
        )
    if sheet == "risk_reviews":
        frames.append(
            issues_from(
                df.filter(pl.col("override_tier").is_not_null() & _blank("reason")),
                sheet=sheet,
                column="reason",
                check="reason_required",
                other_column="override_tier",
                other_value=pl.col("override_tier"),
            )
        )
    return concat(frames)


def unknown_cases(sheet: str, df: pl.DataFrame, case_ids: pl.Series) -> pl.DataFrame:
    """Rows of ``sheet`` whose ``case_id`` is not among ``case_ids`` (all ids of the cases sheet)."""
    known = pl.DataFrame({"case_id": case_ids.drop_nulls().unique()})
    bad = df.filter(pl.col("case_id").is_not_null()).join(known, on="case_id", how="anti", maintain_order="left")
    return issues_from(bad, sheet=sheet, column="case_id", check="unknown_case", value=pl.col("case_id"))


def event_dates(sheet: str, df: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    """Event dates of ``sheet`` against the case's opening and closing dates.

    ``cases`` holds one row per case (``case_id``, ``opened_on``, ``closed_on``); cases
    with errors of their own are left out by the caller (their rows are set aside anyway).
    """
    col = EVENT_DATES.get(sheet)
    if col is None:
        return concat([])
    grace = POST_CLOSURE_GRACE_DAYS if sheet in POST_CLOSURE_GRACE_SHEETS else 0
    joined = df.select("case_id", col, ROW).filter(pl.col(col).is_not_null()).join(cases, on="case_id", how="inner")
    early = joined.filter(pl.col(col) < pl.col("opened_on"))
    late = joined.filter(pl.col(col) > pl.col("closed_on") + pl.duration(days=grace))
    common = {"sheet": sheet, "column": col, "value": pl.col(col)}
    return concat(
        [
            issues_from(early, check="before_opening", arg=pl.col("opened_on"), **common),
            issues_from(late, check="after_closing", arg=pl.col("closed_on"), **common),
        ]
    )


def contact_timing(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Warnings on contacts: done in the future, or still scheduled in the past."""
    date, status = pl.col("contact_on"), pl.col("status")
    future = df.filter(status.is_in(["attended", "missed"]) & (date > as_of))
    stale = df.filter((status == "scheduled") & (date < as_of))
    common = {
        "sheet": "contacts",
        "column": "contact_on",
        "severity": "warning",
        "arg": as_of.isoformat(),
        "other_column": "status",
    }
    return concat(
        [
            issues_from(future, check="future_contact", value=date, other_value=status, **common),
            issues_from(stale, check="stale_scheduled", value=date, other_value=status, **common),
        ]
    )
