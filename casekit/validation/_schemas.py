"""One pandera.polars schema per sheet, generated from :mod:`casekit.contract`.

Checks carry stable ids in their ``error`` text (``"<check>|<arg>"``) so failure cases
map straight to issue rows: ``required``, ``duplicate``, ``out_of_range`` (arg = the
bound), ``not_allowed`` (arg = the allowed ids), ``wrong_type`` (arg = the expected type).
Every check is a polars expression; schemas validate a ``pl.DataFrame`` (a LazyFrame
would only get its schema checked).
"""

from __future__ import annotations

from functools import cache

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from casekit.contract import ROW, SHEETS, VOCABS, Column
from casekit.data import DTYPES
from casekit.validation._issues import ISSUES, empty

_PANDERA_IDS = {"not_nullable": "required"}


def _fmt(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _expr_check(expr_of, error: str) -> pa.Check:
    """A vectorised check: ``expr_of(column_name)`` is a boolean polars expression."""
    return pa.Check(
        lambda data: data.lazyframe.select(expr_of(data.key)), error=error, name=error.split("|", maxsplit=1)[0]
    )


def _no_duplicates(data) -> pl.LazyFrame:
    """True where the value is null or appears once (fast path: all distinct)."""
    col = data.lazyframe.select(pl.col(data.key)).collect().to_series()
    present = col.drop_nulls()
    if present.hash().n_unique() == present.len():  # distinct hashes: distinct values (fast path)
        ok = pl.repeat(True, col.len(), eager=True, dtype=pl.Boolean)
    else:
        ok = ~(col.is_duplicated() & col.is_not_null())
    return pl.LazyFrame({data.key: ok})


def _checks(col: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if col.unique:
        checks.append(pa.Check(_no_duplicates, error="duplicate|", name="duplicate"))
    if col.required and DTYPES[col.kind] == pl.String():
        checks.append(_expr_check(lambda k: pl.col(k).str.strip_chars() != "", "required|"))
    if col.ge is not None:
        lo = col.ge
        checks.append(_expr_check(lambda k: pl.col(k) >= lo, f"out_of_range|{_fmt(lo)}"))
    if col.le is not None:
        hi = col.le
        checks.append(_expr_check(lambda k: pl.col(k) <= hi, f"out_of_range|{_fmt(hi)}"))
    if col.vocab is not None:
        allowed = list(VOCABS[col.vocab])
        checks.append(_expr_check(lambda k: pl.col(k).is_in(allowed), "not_allowed|" + ", ".join(allowed)))
    return checks


@cache
def sheet_schema(sheet: str, *, relaxed: frozenset[str] = frozenset()) -> pa.DataFrameSchema:
    """The pandera schema of ``sheet``; columns in ``relaxed`` keep only their dtype.

    >>> schema = sheet_schema("assessments")
    >>> schema.columns["phq9"].dtype
    DataType(Int64)
    >>> [c.name for c in sheet_schema("cases").columns["case_id"].checks]
    ['duplicate', 'required']
    """
    columns = {}
    for col in SHEETS[sheet].columns.values():
        keep = col.name not in relaxed
        columns[col.name] = pa.Column(
            DTYPES[col.kind],
            nullable=not (keep and col.required),
            checks=_checks(col) if keep else [],
            required=True,
        )
    columns[ROW] = pa.Column(pl.Int64, nullable=False)
    return pa.DataFrameSchema(columns, name=sheet, strict=False, coerce=False)


def _safe_cast(s: pl.Series, target: pl.DataType) -> pl.Series | None:
    """``s`` cast to ``target`` when that loses nothing, else None."""
    dt = s.dtype
    lossless = (
        dt in (target, pl.Null())
        or (target == pl.String() and isinstance(dt, pl.Categorical | pl.Enum))
        or (target == pl.Int64() and dt.is_integer() and dt != pl.UInt64())
        or (target == pl.Float64() and (dt.is_integer() or dt.is_float()))
    )
    if lossless:
        return s.cast(target)
    if target == pl.Date() and isinstance(dt, pl.Datetime):
        return s.dt.date()
    return None


def prepare(sheet: str, df: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Conform ``df`` to the contract: add absent columns (typed nulls) and ``_row``,
    cast what can be cast without loss, put contract columns first.

    Returns the frame and the columns whose type is wrong (left as they are).

    >>> df, bad = prepare("cases", pl.DataFrame({"case_id": ["C-1"], "opened_on": ["x"]}))
    >>> df.columns[:2], df[ROW].to_list(), bad
    (['case_id', 'client_id'], [2], ['opened_on'])
    """
    if ROW not in df.columns:
        df = df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    contract = SHEETS[sheet].columns
    out: list[pl.Series] = []
    bad: list[str] = []
    for name, col in contract.items():
        target = DTYPES[col.kind]
        if name not in df.columns:
            out.append(pl.repeat(None, df.height, dtype=target, eager=True).alias(name))
            continue
        cast = _safe_cast(df.get_column(name), target)
        if cast is None:
            bad.append(name)
            out.append(df.get_column(name))
        else:
            out.append(cast)
    extra = [df.get_column(c) for c in df.columns if c not in contract and c != ROW]
    row = df.get_column(ROW).cast(pl.Int64)
    return pl.DataFrame([*out, *extra, row]), bad


def run_schema(sheet: str, df: pl.DataFrame, *, relaxed: frozenset[str] = frozenset()) -> pl.DataFrame:
    """Validate ``df`` (prepared) with the sheet's schema; every failure as one issue row."""
    try:
        sheet_schema(sheet, relaxed=relaxed).validate(df, lazy=True)
    except SchemaErrors as exc:
        fc = exc.failure_cases
    else:
        return empty()
    fc = fc.with_columns(
        pl.col("check").str.split_exact("|", 1).struct.rename_fields(["c", "a"]).alias("_parts"),
    ).unnest("_parts")
    check = (
        pl.when(pl.col("check").str.starts_with("dtype("))
        .then(pl.lit("wrong_type"))
        .otherwise(pl.col("c").replace(_PANDERA_IDS))
    )
    rows = df.select(pl.col(ROW)).with_row_index("index")
    return (
        fc.with_columns(pl.col("index").cast(pl.UInt32))
        # a failure with no row is a dtype problem (kept) or a check that could not run (dropped)
        .filter(pl.col("index").is_not_null() | pl.col("check").str.starts_with("dtype("))
        .join(rows, on="index", how="left")
        .select(
            sheet=pl.lit(sheet, dtype=pl.String),
            row=pl.col(ROW),
            column=pl.col("column").cast(pl.String),
            value=pl.when(check == "required").then(None).otherwise(pl.col("failure_case")).cast(pl.String),
            check=check,
            severity=pl.lit("error"),
            arg=pl.when(check == "wrong_type").then(None).otherwise(pl.col("a").replace("", None)),
            other_column=pl.lit(None, dtype=pl.String),
            other_value=pl.lit(None, dtype=pl.String),
        )
        .cast(ISSUES)
    )
