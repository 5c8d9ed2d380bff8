"""Small-cell suppression for every aggregate meant for sharing.

A count of 1 to ``min_cell - 1`` people (1–10 by default) can identify someone, and so
can any value computed from those few people (a mean, a percentage, an effect size).
:func:`suppress_small_cells` blanks such counts and, on the same row, the values
derived from them, and says so in a ``suppressed`` column. Zero is not suppressed: an
empty group discloses nobody. Complementary suppression (a hidden cell recoverable
from a total and its siblings) is not attempted: share a table without its totals, or
coarsen the groups, when that matters.

Examples
--------
>>> import polars as pl
>>> df = pl.DataFrame({"group": ["a", "b", "c"], "n": [25, 4, 0], "mean": [1.5, 2.0, None]})
>>> suppress_small_cells(df, ["n"], derived_cols=["mean"]).rows()
[('a', 25, 1.5, False), ('b', None, None, True), ('c', 0, None, False)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

__all__ = ["MIN_CELL", "suppress_small_cells"]

#: Smallest count shown by default (counts 1–10 are suppressed).
MIN_CELL = 11

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def suppress_small_cells(
    df: Frame,
    count_cols: str | Sequence[str],
    *,
    derived_cols: str | Sequence[str] = (),
    min_cell: int = MIN_CELL,
) -> Frame:
    """Blank counts of 1 to ``min_cell - 1`` and the values derived from them.

    - each column of ``count_cols`` whose value is between 1 and ``min_cell - 1``
      becomes null (0 and counts of ``min_cell`` or more are kept);
    - every column of ``derived_cols`` becomes null on a row where at least one count
      was suppressed;
    - a boolean ``suppressed`` column says which rows were touched (OR-ed with an
      existing ``suppressed`` column, so the helper can be applied twice).

    Works on a DataFrame or a LazyFrame and returns the same kind; ``min_cell=1``
    suppresses nothing.

    Examples
    --------
    >>> df = pl.DataFrame({"n_cases": [12, 12, 3], "n_paired": [11, 10, 0], "pct": [0.5, 0.4, None]})
    >>> out = suppress_small_cells(df, ["n_cases", "n_paired"], derived_cols=["pct"])
    >>> out.rows()
    [(12, 11, 0.5, False), (12, None, None, True), (None, 0, None, True)]
    >>> suppress_small_cells(df, "n_paired", min_cell=5)["n_paired"].to_list()
    [11, 10, 0]
    """
    counts = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    derived = [derived_cols] if isinstance(derived_cols, str) else list(derived_cols)
    if not counts:
        raise ValueError("suppress_small_cells needs at least one count column")
    small = {c: pl.col(c).is_between(1, min_cell - 1).fill_null(value=False) for c in counts}
    any_small = pl.any_horizontal(small.values())
    if "suppressed" in df.collect_schema().names():
        any_small = any_small | pl.col("suppressed").fill_null(value=False)
    return df.with_columns(
        *[pl.when(~cond).then(pl.col(c)).alias(c) for c, cond in small.items()],
        *[pl.when(~any_small).then(pl.col(c)).alias(c) for c in derived],
        any_small.alias("suppressed"),
    )
