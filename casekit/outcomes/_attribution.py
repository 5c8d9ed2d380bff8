"""Outcomes credited to who held the case then: a case's assignment history (a workspace's
``assignments``, :meth:`casekit.Workspace.assignments`) decides each pair's case manager,
not whoever holds the case today."""

from __future__ import annotations

import polars as pl

__all__ = ["attribute", "attribute_changes"]


def attribute_changes(changes: pl.DataFrame, assignments: pl.DataFrame) -> pl.DataFrame:
    """:func:`casekit.outcomes.outcome_changes` with ``case_manager`` set by :func:`attribute`:
    the assignment in force on each pair's latest measure (a measure without a pair: its
    only one), so that outcomes by case manager credit who held the case then.

    >>> import datetime as dt
    >>> held = pl.DataFrame({"case_id": ["A", "A"], "case_manager": ["Eva", "Luis"],
    ...     "from_on": [dt.date(2026, 1, 1), dt.date(2026, 6, 1)], "to_on": [dt.date(2026, 6, 1), None]})
    >>> changes = pl.DataFrame({"case_id": ["A", "A"], "baseline_on": [dt.date(2026, 2, 1), dt.date(2026, 7, 1)],
    ...     "latest_on": [dt.date(2026, 5, 1), None]})
    >>> attribute_changes(changes, held)["case_manager"].to_list()
    ['Eva', 'Luis']
    """
    measured = changes.with_columns(pl.coalesce("latest_on", "baseline_on").alias("__measured_on"))
    return attribute(measured, assignments, on="__measured_on").drop("__measured_on")


def attribute(frame: pl.DataFrame, assignments: pl.DataFrame, *, on: str = "latest_on") -> pl.DataFrame:
    """``frame`` with ``case_manager`` set to the assignment in force on each row's ``on`` date
    (an outcome pair: its latest measure), not to whoever holds the case today.

    >>> import datetime as dt
    >>> held = pl.DataFrame({"case_id": ["A", "A"], "case_manager": ["Eva", "Luis"],
    ...     "from_on": [dt.date(2026, 1, 1), dt.date(2026, 6, 1)], "to_on": [dt.date(2026, 6, 1), None]})
    >>> pairs = pl.DataFrame({"case_id": ["A", "A"], "latest_on": [dt.date(2026, 5, 31), dt.date(2026, 6, 1)]})
    >>> attribute(pairs, held)["case_manager"].to_list()
    ['Eva', 'Luis']
    """
    spans = (
        assignments.select("case_id", pl.col("case_manager").alias("__held"), "from_on")
        .filter(pl.col("from_on").is_not_null())
        .sort("case_id", "from_on")
    )
    rows = frame.with_row_index("__order").sort("case_id", on)
    joined = rows.join_asof(  # both sides sorted just above (polars cannot check it within groups)
        spans, left_on=on, right_on="from_on", by="case_id", strategy="backward", check_sortedness=False
    )
    if "case_manager" in frame.columns:
        joined = joined.with_columns(pl.coalesce("__held", "case_manager").alias("case_manager"))
    else:
        joined = joined.rename({"__held": "case_manager"})
    return joined.sort("__order").drop("__order", "__held", "from_on", strict=False)
