"""Shared plumbing: sheets as typed lazy frames, clean data out of a validation result."""

from __future__ import annotations

import polars as pl

from casekit.contract import ROW, SHEETS
from casekit.data import DTYPES, CaseData, ValidationResult


def clean_data(data: CaseData | ValidationResult) -> CaseData:
    """The clean rows of a validation result, or the data itself."""
    return data.data if isinstance(data, ValidationResult) else data


def sheet(data: CaseData, name: str, columns: list[str]) -> pl.LazyFrame:
    """``columns`` of sheet ``name`` (plus ``_row``) as a typed lazy frame; an absent
    sheet has no rows, an absent column is typed nulls; ``_row`` falls back to the
    row position + 2 (header = row 1)."""
    spec = SHEETS[name].columns
    schema = {c: DTYPES[spec[c].kind] for c in columns}
    schema[ROW] = pl.Int64()
    df = data.get(name)
    if df is None:
        return pl.LazyFrame(schema=schema)
    exprs = []
    for col, dtype in schema.items():
        if col in df.columns:
            exprs.append(pl.col(col).cast(dtype))
        elif col == ROW:
            exprs.append((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(col))
    return df.lazy().select(exprs)
