"""Issue frames: language-neutral problems, one row each, before they become a report.

An issue frame has the columns of :data:`casekit.data.ISSUE_SCHEMA` plus ``other_column``
and ``other_value`` (the other column of a two-column rule and its value), used only to
fill messages.
"""

from __future__ import annotations

import functools

import polars as pl

from casekit._frames import Frame
from casekit.contract import ROW
from casekit.data import ISSUE_SCHEMA

#: Columns of the internal issue frame.
ISSUES: dict[str, pl.DataType] = {**ISSUE_SCHEMA, "other_column": pl.String(), "other_value": pl.String()}

#: Check ids the reader emits while parsing cells (their ``value`` is the raw text).
PARSE_CHECKS = frozenset({"not_a_date", "not_a_number", "not_an_integer", "not_a_boolean", "not_allowed"})


@functools.cache
def empty() -> pl.DataFrame:
    """An internal issue frame with no rows (one shared frame: polars frames are immutable)."""
    return pl.DataFrame(schema=ISSUES)


def _expr(x: pl.Expr | str | None) -> pl.Expr:
    if isinstance(x, pl.Expr):
        return x.cast(pl.String)
    return pl.lit(x, dtype=pl.String)


def issues_from(
    rows: Frame,
    *,
    sheet: str,
    column: str | None,
    check: str,
    severity: str = "error",
    value: pl.Expr | str | None = None,
    arg: pl.Expr | str | None = None,
    other_column: str | None = None,
    other_value: pl.Expr | str | None = None,
) -> Frame:
    """One issue per row of ``rows`` (which carries ``_row``), eager or lazy like ``rows``.

    >>> df = pl.DataFrame({"x": [5], "_row": [2]})
    >>> issues_from(df, sheet="s", column="x", check="c", value=pl.col("x")).row(0)
    ('s', 2, 'x', '5', 'c', 'error', None, None, None)
    """
    if isinstance(rows, pl.DataFrame) and rows.height == 0:  # the usual case, without a query
        return empty()
    return rows.select(
        sheet=pl.lit(sheet, dtype=pl.String),
        row=pl.col(ROW).cast(pl.Int64),
        column=_expr(column),
        value=_expr(value),
        check=pl.lit(check, dtype=pl.String),
        severity=pl.lit(severity, dtype=pl.String),
        arg=_expr(arg),
        other_column=_expr(other_column),
        other_value=_expr(other_value),
    )


def sheet_issue(
    *,
    sheet: str,
    column: str | None,
    check: str,
    severity: str = "error",
    value: str | None = None,
    arg: str | None = None,
) -> pl.DataFrame:
    """A single sheet-level issue (``row`` null)."""
    return pl.DataFrame(
        [
            {
                "sheet": sheet,
                "row": None,
                "column": column,
                "value": value,
                "check": check,
                "severity": severity,
                "arg": arg,
                "other_column": None,
                "other_value": None,
            }
        ],
        schema=ISSUES,
    )


def concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Stack issue frames (an empty list gives an empty frame)."""
    frames = [f.select(list(ISSUES)).cast(pl.Schema(ISSUES)) for f in frames if f.height]
    return pl.concat(frames, how="vertical") if frames else empty()
