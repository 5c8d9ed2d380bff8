"""Research outputs are reproducible: the same data gives the same bits, run after run (issue 18).

Means, SDs, confidence intervals and rates are float sums. They used to be added in
whatever order a join or the engine's threads left the rows, so their last bit varied
between two runs of the same code on a caseload of a few thousand cases (every run of
five differed). Now the rows keep one order and are summed on the in-memory engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from casekit import validate
from casekit.outcomes import (
    outcome_changes,
    outcome_summary,
    utilisation_rate_summary,
    utilisation_summary,
)
from casekit.risk import score_risk
from casekit.sample import SAMPLE_AS_OF, make_sample

WHEN = SAMPLE_AS_OF


@pytest.fixture(scope="module")
def caseload() -> tuple[Any, pl.DataFrame, pl.DataFrame]:
    """Large enough for the engine to add a group's rows in parts on two threads."""
    result = validate(make_sample(5000, seed=11), as_of=WHEN)
    return result, score_risk(result, as_of=WHEN), outcome_changes(result, as_of=WHEN)


TABLES: dict[str, Callable[[Any, pl.DataFrame, pl.DataFrame], pl.DataFrame]] = {
    "outcome summary by tier, shared": lambda r, s, c: outcome_summary(
        r, ("domain", "measure", "effective_tier"), changes=c, scores=s, as_of=WHEN
    ),
    "outcome summary by tier, the team's view": lambda r, s, c: outcome_summary(
        r, ("domain", "measure", "effective_tier"), changes=c, scores=s, as_of=WHEN, for_sharing=False
    ),
    "outcome summary computing the changes": lambda r, s, c: outcome_summary(
        r, ("measure", "program"), as_of=WHEN, for_sharing=False
    ),
    "utilisation summary": lambda r, s, c: utilisation_summary(r, ("program",), as_of=WHEN, for_sharing=False),
    "utilisation summary by tier, shared": lambda r, s, c: utilisation_summary(
        r, ("effective_tier",), scores=s, as_of=WHEN
    ),
    "utilisation rates per member-month": lambda r, s, c: utilisation_rate_summary(
        r, ("effective_tier",), scores=s, as_of=WHEN, for_sharing=False
    ),
}


@pytest.mark.parametrize("name", TABLES)
def test_five_runs_give_the_same_bits(caseload: tuple[Any, pl.DataFrame, pl.DataFrame], name: str) -> None:
    first = TABLES[name](*caseload)
    assert any(first.select(pl.col(pl.Float64).is_not_null().any()).row(0))  # floats to compare
    for _ in range(4):
        assert_frame_equal(TABLES[name](*caseload), first, check_exact=True)
