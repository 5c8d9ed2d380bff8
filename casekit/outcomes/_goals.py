"""Goal attainment: the most direct measure of a care plan (stage 4 goals judged at stage 9).

Per goal (:func:`goal_progress`) as of a date, from the ``goals`` sheet:

- ``achieved``: status ``achieved`` with its date on or before ``as_of``;
  ``achieved_by_target``: achieved on or before ``target_on``; ``achieved_late``:
  after it (one day late is late);
- ``overdue``: still open (planned, in progress, blank, or achieved after ``as_of``)
  with ``target_on`` before ``as_of``, in a case not closed by then (the stage
  engine's ``goal_overdue`` rule);
- ``days_to_achieve``: ``achieved_on - set_on``;
- by measure, for goals that name a ``measure`` and a ``target_value``: the case's
  latest value of that measure dated on or after ``set_on`` (``measure_value``) and
  ``measure_met`` (the value reaches the target the way the measure improves: at most
  the target when lower is better, at least it when higher is better; null without a
  value). **The goal's status wins**: ``achieved`` comes from the status only; the
  measure's verdict is reported beside it.

:func:`goal_attainment` aggregates by ``domain``, ``owner``, ``effective_tier``,
``program``, ``case_manager``, ``sex`` or ``age_band``, small cells suppressed.

Examples
--------
>>> import datetime as dt
>>> from casekit.data import CaseData
>>> D = dt.date
>>> goals = pl.DataFrame({"goal_id": ["G1", "G2"], "case_id": ["A", "A"], "domain": ["clinical"] * 2,
...     "set_on": [D(2026, 1, 10)] * 2, "target_on": [D(2026, 3, 1), D(2026, 3, 1)],
...     "status": ["achieved", "in_progress"], "achieved_on": [D(2026, 3, 2), None]})
>>> p = goal_progress(CaseData({"goals": goals}), as_of=D(2026, 6, 30))
>>> p.select("goal_id", "achieved", "achieved_by_target", "achieved_late", "overdue", "days_to_achieve").rows()
[('G1', True, False, True, False, 51), ('G2', False, False, False, True, None)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from casekit._case_index import coded, coded_with, to_text
from casekit._frames import clean_data, sheet
from casekit.contract import ROW
from casekit.data import CaseData, ValidationResult
from casekit.errors import CasekitError
from casekit.measures import MeasureCatalogue, load_measures, measure_key
from casekit.outcomes._changes import outcome_rows
from casekit.outcomes._summary import _order, with_groupings
from casekit.privacy import MIN_CELL, suppress_linked
from casekit.risk.model import RiskModel

__all__ = ["GOAL_COLUMNS", "GOAL_GROUPINGS", "GOAL_LINKED", "GOAL_SUMMARY_COLUMNS", "goal_attainment", "goal_progress"]

#: What goal attainment can be grouped by.
GOAL_GROUPINGS: tuple[str, ...] = ("domain", "owner", "effective_tier", "program", "case_manager", "sex", "age_band")
#: The figures of a goal summary row that give each other away, each with the total it is part
#: of (``_n_target``: the goals with a target date; ``None``: no total of its own). Shared, a
#: count (or a share × its total) of 1 to ``min_cell - 1``, or that far short of its total, is
#: a small cell: it blanks the figures of its own set (``n_achieved`` = 38 of 40 gives away the
#: 2 others), not the other set (:func:`casekit.privacy.suppress_linked`). Goals still open
#: past their date are the goals neither achieved nor otherwise closed: they go with the
#: achieved, and so does the median time to achieve (computed from the achieved).
GOAL_LINKED: tuple[dict[str, str | None], ...] = (
    {
        "n_achieved": "n_goals",
        "n_achieved_by_target": "_n_target",
        "n_achieved_late": "n_goals",
        "n_overdue": "n_goals",
        "pct_achieved": "n_goals",
        "pct_achieved_by_target": "_n_target",
        "median_days_to_achieve": None,
    },
    {"n_with_measure": "n_goals", "n_measure_met": "n_with_measure", "pct_measure_met": "n_with_measure"},
)
#: Columns of :func:`goal_progress`, in order.
GOAL_COLUMNS: tuple[str, ...] = (
    "goal_id",
    "case_id",
    "domain",
    "owner",
    "set_on",
    "target_on",
    "status",
    "achieved_on",
    "achieved",
    "achieved_by_target",
    "achieved_late",
    "overdue",
    "days_to_achieve",
    "measure",
    "target_value",
    "measure_value",
    "measure_met",
)
#: Value columns of :func:`goal_attainment`, after the grouping columns.
GOAL_SUMMARY_COLUMNS: tuple[str, ...] = (
    "n_cases",
    "n_goals",
    "n_achieved",
    "n_achieved_by_target",
    "n_achieved_late",
    "n_overdue",
    "pct_achieved",
    "pct_achieved_by_target",
    "median_days_to_achieve",
    "n_with_measure",
    "n_measure_met",
    "pct_measure_met",
    "suppressed",
)
_GOAL_SHEET = ["goal_id", "case_id", "domain", "owner", "set_on", "target_on", "status", "achieved_on"]
_GOAL_SHEET += ["measure", "target_value", ROW]


def _progress(clean: CaseData, as_of: dt.date, measures: MeasureCatalogue | str | Path | None) -> pl.LazyFrame:
    c = pl.col
    goals = sheet(clean, "goals", _GOAL_SHEET).filter(c("set_on").is_null() | (c("set_on") <= as_of))
    cases = sheet(clean, "cases", ["case_id", "closed_on", ROW]).filter(c("case_id").is_not_null())
    cases = cases.filter(c(ROW) == c(ROW).min().over("case_id")).select("case_id", "closed_on")
    achieved = ((c("status") == "achieved") & (c("achieved_on") <= as_of)).fill_null(value=False)
    still_open = (
        c("status").is_null()
        | c("status").is_in(["planned", "in_progress"])
        | ((c("status") == "achieved") & (c("achieved_on") > as_of)).fill_null(value=False)
    )
    case_open = c("closed_on").is_null() | (c("closed_on") > as_of)
    # the case's latest value of the goal's measure, dated on or after the goal was set
    rows = load_measures(measures).with_catalogue(outcome_rows(clean, as_of))
    values = rows.filter(c("measured_on").is_not_null() & c("value").is_not_null()).select(
        "case_id",
        measure_key(c("measure")).alias("_key"),
        "measured_on",
        "value",
        ROW,
        pl.coalesce("cat_higher_is_better", "higher_is_better").alias("_hib"),
    )
    linked = goals.filter(c("measure").is_not_null() & c("target_value").is_not_null()).select(
        "goal_id", "case_id", "set_on", measure_key(c("measure")).alias("_key")
    )
    order = c("measured_on").cast(pl.Int64) * 2**32 + c(ROW)
    latest = (
        linked.join(values, on=["case_id", "_key"])
        .filter(c("set_on").is_null() | (c("measured_on") >= c("set_on")))
        .filter(order == order.max().over("goal_id"))
        .select("goal_id", c("value").alias("measure_value"), "_hib")
        .unique("goal_id", keep="any")
    )
    met = (
        pl.when(c("measure_value").is_null() | c("_hib").is_null())
        .then(pl.lit(None, dtype=pl.Boolean))
        .when(c("_hib"))
        .then(c("measure_value") >= c("target_value"))
        .otherwise(c("measure_value") <= c("target_value"))
    )
    return (
        goals.join(cases, on="case_id", how="left")
        .join(latest, on="goal_id", how="left")
        .with_columns(
            achieved=achieved,
            achieved_by_target=achieved & (c("achieved_on") <= c("target_on")).fill_null(value=False),
            achieved_late=achieved & (c("achieved_on") > c("target_on")).fill_null(value=False),
            overdue=(still_open & case_open & (c("target_on") < as_of)).fill_null(value=False),
            days_to_achieve=pl.when(achieved).then((c("achieved_on") - c("set_on")).dt.total_days()),
            measure_met=met,
        )
        .select(*GOAL_COLUMNS, ROW)
    )


def goal_progress(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.DataFrame:
    """One row per goal set on or before ``as_of``: the goal's columns, ``achieved,
    achieved_by_target, achieved_late, overdue, days_to_achieve, measure_value,
    measure_met`` (rules in the module docstring), in spreadsheet order."""
    view = coded(clean_data(data))  # the case index (issue 18): text ids back at the end
    return to_text(view, _progress(view, as_of, measures).sort(ROW).drop(ROW).collect())


def goal_attainment(
    data: CaseData | ValidationResult,
    by: Sequence[str] = ("domain",),
    *,
    as_of: dt.date,
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
    progress: pl.DataFrame | None = None,
    scores: pl.DataFrame | None = None,
    model: RiskModel | str | Path | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
    lang: str | None = None,
) -> pl.DataFrame:
    """Goals set, achieved, achieved by their target date, overdue and the median days to
    achieve, by group (any of :data:`GOAL_GROUPINGS`; ``()``: one row), small cells suppressed
    (``for_sharing=False``: the team's own view, real counts; :mod:`casekit.privacy`).

    Columns after the groups: ``n_cases`` (cases with a goal in the group), ``n_goals``,
    ``n_achieved``, ``n_achieved_by_target``, ``n_achieved_late``, ``n_overdue``,
    ``pct_achieved`` (of the goals), ``pct_achieved_by_target`` (of the goals with a target
    date), ``median_days_to_achieve``; by measure: ``n_with_measure`` (goals naming a
    measure and a target value that have a value of it), ``n_measure_met``,
    ``pct_measure_met``; ``suppressed`` (a count of cases or goals of 1 to ``min_cell -
    1`` blanks the row; shared, a share whose implied count (× its denominator) or its
    complement is 1 to ``min_cell - 1`` blanks the figures linked to it
    (:data:`GOAL_LINKED`: a count of 1 to ``min_cell - 1`` or that far short of its total too),
    and complements are blanked so that the table grouped by part of ``by`` and the overall
    row give no blank back: :func:`casekit.privacy.suppress_linked`). ``progress`` (of :func:`goal_progress`)
    is computed when not given.

    >>> from casekit.sample import SAMPLE_AS_OF, make_sample
    >>> g = goal_attainment(make_sample(400, seed=1), by=["owner"], as_of=SAMPLE_AS_OF)
    >>> g["owner"].to_list()
    ['client', 'care_team', None]
    """
    by = [by] if isinstance(by, str) else list(dict.fromkeys(by))
    unknown = [b for b in by if b not in GOAL_GROUPINGS]
    if unknown:
        raise CasekitError(
            "outcomes.unknown_grouping", lang=lang, name=", ".join(unknown), allowed=", ".join(GOAL_GROUPINGS)
        )
    clean, given = coded_with(clean_data(data), progress)  # the case index (issue 18)
    frame = given if given is not None else _progress(clean, as_of, measures)
    frame = with_groupings(frame, clean, by, as_of=as_of, scores=scores, model=model)
    c = pl.col
    with_target = c("target_on").is_not_null()
    has_value = c("measure_met").is_not_null()
    stats = [
        c("case_id").n_unique().cast(pl.Int64).alias("n_cases"),
        pl.len().cast(pl.Int64).alias("n_goals"),
        c("achieved").sum().cast(pl.Int64).alias("n_achieved"),
        c("achieved_by_target").sum().cast(pl.Int64).alias("n_achieved_by_target"),
        c("achieved_late").sum().cast(pl.Int64).alias("n_achieved_late"),
        c("overdue").sum().cast(pl.Int64).alias("n_overdue"),
        c("achieved").mean().alias("pct_achieved"),
        c("achieved_by_target").filter(with_target).mean().alias("pct_achieved_by_target"),
        c("days_to_achieve").median().alias("median_days_to_achieve"),
        has_value.sum().cast(pl.Int64).alias("n_with_measure"),
        c("measure_met").fill_null(value=False).sum().cast(pl.Int64).alias("n_measure_met"),
        c("measure_met").filter(has_value).cast(pl.Float64).mean().alias("pct_measure_met"),
        with_target.sum().cast(pl.Int64).alias("_n_target"),
    ]
    rows = frame.collect().lazy()

    def table_of(keys: Sequence[str]) -> pl.DataFrame:
        return (rows.group_by(keys).agg(stats) if keys else rows.select(stats)).collect()

    # the goals by a grouping and overall (the page's figures) can be downloaded together: one
    # system, no blank comes back as the overall minus the shown groups (casekit.privacy)
    out = suppress_linked(
        table_of, by, ["n_cases", "n_goals"], linked=GOAL_LINKED, min_cell=min_cell, for_sharing=for_sharing
    ).lazy()
    if by:
        order = {"owner": ["client", "care_team"]}
        keys = [
            c(b).replace_strict(order[b], list(range(len(order[b]))), default=len(order[b]), return_dtype=pl.Int32)
            if b in order
            else _order(b)
            for b in by
        ]
        out = out.sort(keys, nulls_last=True)
    return out.select(*by, *GOAL_SUMMARY_COLUMNS).collect()
