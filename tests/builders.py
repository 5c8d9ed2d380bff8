"""Tiny hand-built caseloads shared by the test packages.

>>> frame("cases", [{"case_id": "A", "opened_on": "2026-01-01"}]).select("case_id", "opened_on", "_row").rows()
[('A', datetime.date(2026, 1, 1), 2)]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from casekit.contract import ROW, SHEETS
from casekit.data import DTYPES, CaseData


def D(text: str) -> dt.date:  # noqa: N802 - reads like a literal
    return dt.date.fromisoformat(text)


def frame(sheet: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A contract-typed frame: absent columns are typed nulls, ISO strings in date columns become dates."""
    spec = SHEETS[sheet].columns
    data: dict[str, list[Any]] = {}
    for name, col in spec.items():
        values = [row.get(name) for row in rows]
        if col.kind == "date":
            values = [D(v) if isinstance(v, str) else v for v in values]
        data[name] = values
    unknown = {k for row in rows for k in row} - set(spec)
    assert not unknown, f"unknown columns {unknown} for {sheet}"
    df = pl.DataFrame(data, schema={name: DTYPES[col.kind] for name, col in spec.items()})
    return df.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW))


def caseload(**sheets: list[dict[str, Any]]) -> CaseData:
    """``caseload(cases=[{...}], contacts=[{...}])``; cases default to opened 2026-01-01."""
    out = {}
    for name, rows in sheets.items():
        filled = [{"opened_on": "2026-01-01", **row} for row in rows] if name == "cases" else rows
        out[name] = frame(name, filled)
    return CaseData(out)
