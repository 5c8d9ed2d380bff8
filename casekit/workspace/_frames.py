"""Between polars frames and the workspace's tables: keys, typed reads, JSON values.

Examples
--------
>>> import datetime as dt
>>> df = pl.DataFrame({"case_id": ["A", "A", "B"], "screened_on": [dt.date(2026, 1, 2)] * 3})
>>> with_keys("screenings", df)["_key"].to_list()
['A|2026-01-02#0', 'A|2026-01-02#1', 'B|2026-01-02#0']
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import polars as pl

from casekit.contract import ROW, SHEETS
from casekit.data import DTYPES
from casekit.workspace._lazy import Lazy

if TYPE_CHECKING:
    import sqlalchemy as sa

    from casekit.workspace import _schema
else:  # loaded by the first read of a table or key (numbering rows needs neither)
    sa, _schema = Lazy("sqlalchemy"), Lazy("casekit.workspace._schema")

__all__ = ["base_key", "read_sheet", "typed", "with_keys"]

#: ``_row`` numbers from here on mark rows already stored (never a spreadsheet row).
STORED_ROW = 1_000_000_000


def base_key(sheet: str) -> pl.Expr:
    """The key expression of a sheet: its id, or its natural key (without occurrence)."""
    id_col = _schema.ID_COLUMN[sheet]
    if id_col is not None:
        return pl.col(id_col).cast(pl.String)
    parts = [pl.col(c).cast(pl.String).fill_null("") for c in _schema.NATURAL_KEY[sheet]]
    return pl.concat_str(parts, separator="|")


def with_keys(sheet: str, df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with ``_key``: the id, or the natural key plus its occurrence (``#0``, ``#1``…)."""
    key = base_key(sheet)
    if _schema.ID_COLUMN[sheet] is not None:
        return df.with_columns(key.alias("_key"))
    return df.with_columns(pl.format("{}#{}", key, pl.int_range(pl.len()).over(key).cast(pl.String)).alias("_key"))


def typed(sheet: str, df: pl.DataFrame) -> pl.DataFrame:
    """A frame read from SQL cast to the contract's dtypes (SQLite gives dates as text, bools as 0/1)."""
    exprs = []
    for col in SHEETS[sheet].columns.values():
        target = DTYPES[col.kind]
        dtype = df.schema[col.name]
        expr = pl.col(col.name)
        if col.kind == "date" and dtype == pl.String:
            expr = expr.str.slice(0, 10).str.to_date("%Y-%m-%d")
        elif col.kind == "date" and isinstance(dtype, pl.Datetime):
            expr = expr.dt.date()
        exprs.append(expr.cast(target).alias(col.name))
    return df.with_columns(exprs)


def expand_extra(df: pl.DataFrame) -> pl.DataFrame:
    """Turn the ``_extra`` JSON column back into the row's extra (text) columns, in first-seen order."""
    if "_extra" not in df.columns:
        return df
    extra = df.get_column("_extra")
    df = df.drop("_extra")
    if extra.null_count() == extra.len():
        return df
    names: dict[str, None] = {}
    decoded = [json.loads(v) if v is not None else {} for v in extra.to_list()]
    for d in decoded:
        names.update(dict.fromkeys(d))
    cols = [
        pl.Series(name, [d.get(name) for d in decoded], dtype=pl.String) for name in names if name not in df.columns
    ]
    return df.with_columns(cols)


def extra_json(sheet: str, df: pl.DataFrame) -> pl.Series:
    """The extra (non-contract) columns of each row as a JSON object (null when none has a value)."""
    contract = SHEETS[sheet].columns
    extras = [c for c in df.columns if c not in contract and not c.startswith("_")]
    if not extras:
        return pl.repeat(None, df.height, dtype=pl.String, eager=True).alias("_extra")
    records = df.select(pl.col(c).cast(pl.String) for c in extras).to_dicts()
    values = [
        json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False)
        if any(v is not None for v in r.values())
        else None
        for r in records
    ]
    return pl.Series("_extra", values, dtype=pl.String)


def read_sheet(conn: sa.Connection, sheet: str, where: Any = None, *, bookkeeping: bool = False) -> pl.DataFrame:
    """The non-deleted rows of ``sheet`` (storage order) as a typed frame with ``_row_id``."""
    table = _schema.TABLES[sheet]
    cols = [table.c._row_id, *(table.c[c] for c in SHEETS[sheet].columns), table.c._extra]
    if bookkeeping:
        cols += [table.c._key, table.c._version, table.c._created_by, table.c._updated_at, table.c._updated_by]
    query = sa.select(*cols).where(table.c._deleted_at.is_(None))
    if where is not None:
        query = query.where(where)
    query = query.order_by(table.c._pk)
    schema = {c.name: _sql_dtype(c) for c in cols}
    rows = conn.execute(query).all()
    df = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return typed(sheet, df)


def _sql_dtype(col: sa.Column) -> pl.DataType:
    if col.name in SHEETS.get(col.table.name, SHEETS["cases"]).columns:
        return DTYPES[SHEETS[col.table.name].columns[col.name].kind]
    return pl.Int64() if col.name == "_version" else pl.String()


def with_row(df: pl.DataFrame, start: int) -> pl.DataFrame:
    """``df`` with ``_row`` numbered from ``start``."""
    return df.with_columns(pl.int_range(start, start + pl.len(), dtype=pl.Int64).alias(ROW))
