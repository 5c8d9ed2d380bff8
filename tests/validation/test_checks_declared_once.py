"""The value checks are declared once (:func:`casekit.validation._schemas._value_rules`, with
``duplicate`` and the not-nullable ``required``) and run two ways: as pandera checks of
:func:`sheet_schema` (the reference, :func:`pandera_issues`) and as the one polars query
``validate`` runs (:func:`run_schema`). On random frames — valid and invalid vocabulary
values, blanks, nulls, NaN, numbers either side of every bound, repeated ids, a column of
the wrong type — both must find exactly the same issues, in the same order (issue 16).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from casekit.contract import SHEETS, VOCABS
from casekit.validation._schemas import _value_rules, pandera_issues, prepare, run_schema, sheet_schema

#: Sheets whose columns cover every kind of check: ids (required, duplicate), categories
#: (not_allowed), bounded numbers (out_of_range), floats with NaN, dates.
CHECKED = ("cases", "assessments", "goals", "outcomes")


def _values(col, n: int) -> st.SearchStrategy[list]:
    """``n`` values for a contract column: mostly of its type, some at or past its rules."""
    if col.kind in ("id", "text"):
        # blanks of every kind: the blank rule is skipped on a column with no text starting below "!" or non-ASCII
        pool = st.sampled_from(["C-1", "C-2", "C-3", " ", "", "x", "\u3000", "\t\n", "\u00a0 ", "é"])
    elif col.kind == "category":
        allowed = list(VOCABS[col.vocab]) if col.vocab else ["a"]
        pool = st.sampled_from([*allowed[:4], "not-a-value", " ", "", "\u2003"])
    elif col.kind == "int":
        lo, hi = col.ge if col.ge is not None else -3, col.le if col.le is not None else 40
        pool = st.sampled_from(sorted({int(lo) - 1, int(lo), int(hi), int(hi) + 1, 5}))
    elif col.kind == "float":
        lo, hi = col.ge if col.ge is not None else -3.0, col.le if col.le is not None else 40.0
        pool = st.sampled_from([lo - 0.5, float(lo), float(hi), hi + 0.5, float("nan")])
    elif col.kind == "date":
        pool = st.sampled_from([dt.date(2026, 1, 5), dt.date(2025, 12, 31)])
    else:
        pool = st.booleans()
    return st.lists(st.one_of(st.none(), pool), min_size=n, max_size=n)


@st.composite
def frames(draw) -> tuple[str, pl.DataFrame]:
    """A sheet and a random frame of some of its columns (one maybe of the wrong type)."""
    sheet = draw(st.sampled_from(CHECKED))
    contract = list(SHEETS[sheet].columns.values())
    n = draw(st.integers(0, 6))
    chosen = draw(st.lists(st.sampled_from(contract), min_size=1, max_size=len(contract), unique_by=lambda c: c.name))
    data = {}
    for col in chosen:
        dtype = {"int": pl.Int64, "float": pl.Float64, "date": pl.Date, "bool": pl.Boolean}.get(col.kind, pl.String)
        data[col.name] = pl.Series(col.name, draw(_values(col, n)), dtype=dtype)
    if draw(st.booleans()):  # a column of the wrong type: text where a number or a date belongs
        typed = [c for c in chosen if c.kind in ("int", "float", "date")]
        if typed:
            wrong = draw(st.sampled_from(typed))
            data[wrong.name] = pl.Series(wrong.name, ["seven"] * n, dtype=pl.String)
    return sheet, pl.DataFrame(data)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_pandera_and_the_polars_query_find_the_same_issues(drawn: tuple[str, pl.DataFrame]) -> None:
    sheet, raw = drawn
    df, bad = prepare(sheet, raw)
    relaxed = frozenset(bad)
    fast = run_schema(sheet, df, relaxed=relaxed)
    assert_frame_equal(fast, pandera_issues(sheet, df, relaxed=relaxed))


def test_the_schema_checks_are_the_declared_rules() -> None:
    """Every pandera check of every column is one declared rule (and ``duplicate`` where unique):
    nothing is declared only on one side."""
    for sheet, spec in SHEETS.items():
        schema = sheet_schema(sheet)
        for col in spec.columns.values():
            declared = [error for error, _ in _value_rules(col)]
            assert [c.error for c in schema.columns[col.name].checks] == declared, (sheet, col.name)
