"""Split each sheet into clean rows and rows set aside (quarantined) because of errors.

A row is set aside when it has at least one ``error`` (warnings never count); a
sheet-level error (``row`` null: a missing column, a column of the wrong type) sets
aside the whole sheet. Rows of other sheets whose case is set aside in ``cases`` follow
it, each with its own ``case_quarantined`` issue. Nothing is dropped: clean rows plus
set-aside rows are exactly the input rows.
"""

from __future__ import annotations

import polars as pl

from casekit.contract import ROW
from casekit.validation._issues import concat, issues_from


def error_rows(issues: pl.DataFrame, sheet: str) -> tuple[pl.DataFrame, bool]:
    """The ``_row`` numbers of ``sheet`` with an error, and whether the whole sheet is in error."""
    errors = issues.filter((pl.col("sheet") == sheet) & (pl.col("severity") == "error"))
    whole = errors.select(pl.col("row").is_null().any()).item() if errors.height else False
    rows = errors.select(pl.col("row").drop_nulls().unique().alias(ROW))
    return rows, bool(whole)


def split(df: pl.DataFrame, bad_rows: pl.DataFrame, *, whole: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(clean, quarantined)`` rows of ``df`` in their original order.

    A scanned sheet (a LazyFrame) gives a lazy ``clean`` (the scan, filtered) and the
    rows set aside collected by a streaming query.

    >>> lf = pl.LazyFrame({"_row": [2, 3, 4]})
    >>> clean, held = split(lf, pl.DataFrame({"_row": [3]}), whole=False)
    >>> clean.collect()["_row"].to_list(), held["_row"].to_list()
    ([2, 4], [3])
    """
    if isinstance(df, pl.LazyFrame):
        return _split_lazy(df, bad_rows, whole=whole)
    if whole:
        return df.clear(), df
    if bad_rows.height == 0:  # nothing set aside: no copy of the sheet
        return df, df.clear()
    bad = df.get_column(ROW).is_in(bad_rows.get_column(ROW).implode())
    return df.filter(~bad), df.filter(bad)


def kept_values(values: pl.Series, df: pl.DataFrame, bad_rows: pl.DataFrame, *, whole: bool) -> pl.Series:
    """``values`` (one per row of ``df``) of the rows :func:`split` keeps clean.

    >>> df = pl.DataFrame({"_row": [2, 3, 4]})
    >>> kept_values(pl.Series([7, 8, 9]), df, pl.DataFrame({"_row": [3]}), whole=False).to_list()
    [7, 9]
    """
    if whole:
        return values.clear()
    if bad_rows.height == 0:
        return values
    return values.filter(~df.get_column(ROW).is_in(bad_rows.get_column(ROW).implode()))


def _split_lazy(lf: pl.LazyFrame, bad_rows: pl.DataFrame, *, whole: bool) -> tuple[pl.LazyFrame, pl.DataFrame]:
    if whole:
        return lf.clear(), lf.collect(engine="streaming")
    if bad_rows.height == 0:
        return lf, lf.clear().collect()
    bad = pl.col(ROW).is_in(bad_rows.get_column(ROW).implode())
    return lf.filter(~bad), lf.filter(bad).collect(engine="streaming")


def cascade(sheets: dict[str, pl.DataFrame], issues: pl.DataFrame, quarantined_cases: pl.Series) -> pl.DataFrame:
    """``case_quarantined`` issues for otherwise clean rows of set-aside cases."""
    ids = quarantined_cases.drop_nulls().unique()
    if ids.len() == 0:
        return concat([])
    ids = ids.implode()
    frames = []
    for sheet, df in sheets.items():
        if sheet == "cases" or "case_id" not in df.collect_schema():
            continue
        rows, whole = error_rows(issues, sheet)
        if whole:
            continue
        clean, _ = split(df, rows, whole=False)
        hit = clean.filter(pl.col("case_id").is_in(ids))
        if isinstance(hit, pl.LazyFrame):  # a scanned sheet
            hit = hit.collect(engine="streaming")
        frames.append(
            issues_from(hit, sheet=sheet, column="case_id", check="case_quarantined", value=pl.col("case_id"))
        )
    return concat(frames)
