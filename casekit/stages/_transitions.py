"""Transitions and what follows them (stages 7–8), shared by the app, Learn and notebooks.

- :func:`transitions_until`: the clean ``transitions`` sheet up to the as-of date;
- :func:`contacts_of`: the contact columns these views need;
- :func:`post_transition_contacts`: per case, its latest transition and whether an
  attended post-transition contact followed within the window (``within``), after it
  (``late``), not yet while the window is still open (``open``) or not at all
  (``missing``) — the same rule as the ``post_transition_contact_missing`` flag;
- :func:`readmissions`: a step up after a discharge or step down of the same case.

Examples
--------
>>> tr = pl.DataFrame({"case_id": ["A", "B", "C", "D"], "kind": ["discharge"] * 4,
...     "transition_on": [dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 25)]})
>>> co = pl.DataFrame({"case_id": ["A", "B"], "kind": ["post_transition"] * 2, "status": ["attended"] * 2,
...     "contact_on": [dt.date(2026, 3, 8), dt.date(2026, 3, 9)]})
>>> post = post_transition_contacts(tr, co, as_of=dt.date(2026, 3, 30), window_days=7)
>>> post.select("case_id", "contact_status").rows()
[('A', 'within'), ('B', 'late'), ('C', 'missing'), ('D', 'open')]
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from casekit._frames import sheet
from casekit.data import CaseData

__all__ = ["contacts_of", "post_transition_contacts", "readmissions", "transitions_until"]

_TX_COLUMNS = ["transition_id", "case_id", "transition_on", "from_level", "to_level", "kind"]


def transitions_until(data: CaseData, as_of: dt.date) -> pl.DataFrame:
    """The transitions dated on or before ``as_of`` (typed, empty when the sheet is absent)."""
    return sheet(data, "transitions", _TX_COLUMNS).filter(pl.col("transition_on") <= as_of).collect()


def contacts_of(data: CaseData) -> pl.DataFrame:
    """The contacts sheet's columns this screen needs (typed, empty when absent)."""
    return sheet(data, "contacts", ["case_id", "contact_on", "kind", "status"]).collect()


def post_transition_contacts(
    transitions: pl.DataFrame, contacts: pl.DataFrame, *, as_of: dt.date, window_days: int
) -> pl.DataFrame:
    """One row per case with a transition: its latest one and the post-transition contact.

    Columns ``case_id, transition_on, kind, to_level`` (of the latest transition, on or
    before ``as_of``), ``window_ends_on`` (transition + ``window_days``, that day
    included), ``contact_on`` (first attended ``post_transition`` contact on or after the
    transition, up to ``as_of``) and ``contact_status``: ``within`` the window, ``late``
    (after it), ``open`` (none yet, window not over) or ``missing`` (none, window over).
    The stage engine raises ``post_transition_contact_missing`` for the open cases among
    ``late`` and ``missing``.

    >>> tr = pl.DataFrame({"case_id": ["A", "A"], "kind": ["step_down", "discharge"],
    ...     "transition_on": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]})
    >>> co = pl.DataFrame({"case_id": ["A"], "kind": ["post_transition"], "status": ["attended"],
    ...     "contact_on": [dt.date(2026, 1, 3)]})
    >>> post_transition_contacts(tr, co, as_of=dt.date(2026, 2, 8), window_days=7).select(
    ...     "transition_on", "window_ends_on", "contact_status").row(0)
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 8), 'open')
    """
    c = pl.col
    cols = [x for x in ("kind", "to_level") if x in transitions.columns]
    latest = (
        transitions.lazy()
        .filter(c("transition_on") <= as_of)
        .sort("transition_on", maintain_order=True)
        .group_by("case_id")
        .agg(c("transition_on").last(), *(c(x).last() for x in cols))
        .with_columns(window_ends_on=c("transition_on") + pl.duration(days=window_days))
    )
    attended = (
        contacts.lazy()
        .filter((c("status") == "attended") & (c("kind") == "post_transition") & (c("contact_on") <= as_of))
        .select("case_id", "contact_on")
    )
    first = (
        latest.select("case_id", "transition_on")
        .join(attended, on="case_id", how="inner")
        .filter(c("contact_on") >= c("transition_on"))
        .group_by("case_id")
        .agg(c("contact_on").min())
    )
    status = (
        pl.when(c("contact_on") <= c("window_ends_on"))
        .then(pl.lit("within"))
        .when(c("contact_on").is_not_null())
        .then(pl.lit("late"))
        .when(c("window_ends_on") >= as_of)
        .then(pl.lit("open"))
        .otherwise(pl.lit("missing"))
    )
    return (
        latest.join(first, on="case_id", how="left")
        .with_columns(contact_status=status)
        .sort("case_id")
        .select("case_id", "transition_on", *cols, "window_ends_on", "contact_on", "contact_status")
        .collect()
    )


def readmissions(transitions: pl.DataFrame) -> pl.DataFrame:
    """Each step up that follows (strictly later) a discharge or step down of the same
    case: ``case_id, after_on, after_kind, step_up_on, to_level, days``.

    >>> tr = pl.DataFrame({"case_id": ["A", "A", "B"], "kind": ["discharge", "step_up", "step_up"],
    ...     "to_level": ["discharged", "inpatient", "inpatient"],
    ...     "transition_on": [dt.date(2026, 1, 1), dt.date(2026, 1, 20), dt.date(2026, 1, 5)]})
    >>> readmissions(tr).select("case_id", "after_kind", "days").rows()
    [('A', 'discharge', 19)]
    """
    c = pl.col
    before = (
        transitions.filter(c("kind").is_in(["discharge", "step_down"]))
        .select("case_id", c("transition_on").alias("after_on"), c("kind").alias("after_kind"))
        .sort("after_on")
    )
    ups = transitions.filter(c("kind") == "step_up").select(
        "case_id", c("transition_on").alias("step_up_on"), "to_level"
    )
    return (
        ups.sort("step_up_on")
        .join_asof(
            before,
            left_on="step_up_on",
            right_on="after_on",
            by="case_id",
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,  # sorted above; polars cannot check it within groups
        )
        .filter(c("after_on").is_not_null())
        .with_columns(days=(c("step_up_on") - c("after_on")).dt.total_days())
        .select("case_id", "after_on", "after_kind", "step_up_on", "to_level", "days")
        .sort("step_up_on", "case_id")
    )
