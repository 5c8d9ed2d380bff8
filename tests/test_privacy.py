"""suppress_small_cells: counts 1-10 and what is derived from them are blanked."""

from __future__ import annotations

import polars as pl
import pytest

from casekit.privacy import suppress_small_cells


@pytest.mark.parametrize(("n", "kept"), [(0, True), (1, False), (10, False), (11, True), (500, True)])
def test_boundaries(n: int, kept: bool) -> None:
    out = suppress_small_cells(pl.DataFrame({"n": [n], "mean": [2.5]}), "n", derived_cols="mean")
    assert out.row(0) == ((n, 2.5, False) if kept else (None, None, True))


def test_null_count_is_not_suppressed() -> None:
    out = suppress_small_cells(pl.DataFrame({"n": [None], "x": [1.0]}, schema={"n": pl.Int64, "x": pl.Float64}), "n")
    assert out.row(0) == (None, 1.0, False)


def test_any_small_count_blanks_the_derived_values_of_its_row_only() -> None:
    df = pl.DataFrame({"g": ["a", "b"], "n_cases": [30, 30], "n_paired": [20, 4], "pct": [50.0, 25.0], "k": [1, 2]})
    out = suppress_small_cells(df, ["n_cases", "n_paired"], derived_cols=["pct"])
    assert out.rows() == [("a", 30, 20, 50.0, 1, False), ("b", 30, None, None, 2, True)]


def test_min_cell_option_and_lazy_frames() -> None:
    lf = pl.LazyFrame({"n": [3, 5]})
    out = suppress_small_cells(lf, "n", min_cell=5)
    assert isinstance(out, pl.LazyFrame)
    assert out.collect().rows() == [(None, True), (5, False)]


def test_applying_twice_keeps_the_flag() -> None:
    once = suppress_small_cells(pl.DataFrame({"n": [3], "m": [1.0]}), "n", derived_cols="m")
    twice = suppress_small_cells(once.with_columns(n=pl.lit(20)), "n", derived_cols="m")
    assert twice["suppressed"].to_list() == [True]


def test_needs_a_count_column() -> None:
    with pytest.raises(ValueError, match="count column"):
        suppress_small_cells(pl.DataFrame({"n": [1]}), [])
