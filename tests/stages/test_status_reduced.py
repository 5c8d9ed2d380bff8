"""The case status's per-case parts reduced on the case index by numpy (``casekit._frames.
reduce_by_index``) are the group-by's (``reduced``), every case in the index's order."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from casekit._case_index import INDEX_DTYPE
from casekit._frames import reduce_by_index, reduced
from casekit.stages._status import _Reduced

_FIRST, _LAST = dt.date(1, 1, 1), dt.date(9999, 12, 31)
_OPS = {"lo": "min", "hi": "max", "key_hi": "max", "some": "any", "k_lo": "min"}


def _rows(seed: int, size: int, n: int, *, ends: bool = False) -> pl.DataFrame:
    rng = random.Random(seed)

    def day() -> dt.date | None:
        if rng.random() < 0.3:
            return None
        if ends and rng.random() < 0.1:
            return rng.choice([_FIRST, _LAST])
        return dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(-400, 400))

    return pl.DataFrame(
        {
            "case_id": [None if rng.random() < 0.05 else rng.randrange(size) for _ in range(n)],
            "on": [day() for _ in range(n)],
            "key": [None if rng.random() < 0.2 else rng.randint(-(2**62), 2**62) for _ in range(n)],
            "ok": [rng.choice([True, False, None]) for _ in range(n)],
        },
        schema={"case_id": INDEX_DTYPE, "on": pl.Date, "key": pl.Int64, "ok": pl.Boolean},
    )


def _aggs() -> dict[str, tuple[str, pl.Expr]]:
    c = pl.col
    return {
        "lo": ("min", pl.when(c("ok")).then(c("on"))),
        "hi": ("max", c("on")),
        "key_hi": ("max", c("key")),
        "some": ("any", c("ok")),
        "k_lo": ("min", pl.when(c("ok").is_null()).then(c("key"))),
    }


def _by_join(rows: pl.DataFrame, size: int) -> pl.DataFrame:
    """The group-by, left-joined to every case of the index in its order."""
    cases = pl.DataFrame({"case_id": pl.int_range(size, dtype=INDEX_DTYPE, eager=True)})
    grouped = reduced(rows.lazy().filter(pl.col("case_id").is_not_null()), _aggs()).collect()
    return cases.join(grouped, on="case_id", how="left").sort("case_id")


@pytest.mark.parametrize("seed", range(12))
def test_reduced_on_the_index_is_the_group_by_for_every_case(seed: int) -> None:
    size = [1, 3, 40, 500][seed % 4]
    rows = _rows(seed, size, [0, 5, 300, 2000][seed // 3 % 4])
    values = rows.select("case_id", *(v.alias(k) for k, (_, v) in _aggs().items()))
    dense = reduce_by_index(values, size, _OPS)
    assert dense is not None
    assert dense["case_id"].flags["SORTED_ASC"]
    assert_frame_equal(dense, _by_join(rows, size), check_exact=True)


def test_a_value_at_a_blanks_stand_in_falls_back_to_the_group_by() -> None:
    """The last day polars' dates hold (and Int64's least / greatest) are the blanks' stand-ins:
    numpy cannot tell them from a blank, so the part is grouped instead — the same rows."""
    size = 30
    rows = pl.concat(
        [
            _rows(1, size, 400, ends=True),
            pl.DataFrame(  # the first and last days a Date holds, Int64's greatest and least
                {"case_id": [4, 5], "on": [2**31 - 1, -(2**31)], "key": [2**63 - 1, -(2**63)], "ok": [True, None]},
                schema={"case_id": INDEX_DTYPE, "on": pl.Int32, "key": pl.Int64, "ok": pl.Boolean},
            ).cast({"on": pl.Date}),
        ]
    )
    values = rows.select("case_id", *(v.alias(k) for k, (_, v) in _aggs().items()))
    assert reduce_by_index(values, size, _OPS) is None
    part = _Reduced(rows.lazy(), _aggs())
    made = part.by_index(part.values().collect(), size)
    expected = part.lazy().collect()
    assert_frame_equal(
        made.sort("case_id", nulls_last=True), expected.sort("case_id", nulls_last=True), check_exact=True
    )
    int_max = pl.DataFrame({"case_id": [0], "on": [None], "key": [2**63 - 1], "ok": [True]}).cast(
        {"case_id": INDEX_DTYPE, "on": pl.Date}
    )
    assert reduce_by_index(int_max.select("case_id", k_lo=pl.col("key")), 1, {"k_lo": "min"}) is None
    last_day = int_max.select("case_id", lo=pl.lit(2**31 - 1, pl.Int32).cast(pl.Date))
    assert reduce_by_index(last_day, 1, {"lo": "min"}) is None
    assert reduce_by_index(last_day, 1, {"lo": "max"}) is not None  # a maximum's stand-in is the first day
