"""Cohorts for research: one row per case, filters, group-bys and an A vs B comparison.

:func:`cohort_frame` gathers what a researcher filters and groups on into one frame,
one row per case (built once; every filter and group-by after that is a few
milliseconds on 100,000 cases): programme, case manager, effective tier, current stage,
sex, age band, opening date, the day the case entered each stage, and the change of
each outcome measure. :class:`CohortFilter` picks cases, :func:`group_measure` draws a
measure per group, :func:`compare_cohorts` sets two cohorts side by side. Funnel and
time between stages of a cohort come from :func:`casekit.stages.funnel` (a cohort
frame is a valid input) and :func:`casekit.stages.stage_durations` over
:func:`cohort_entries`. Pure polars: the same code runs in a notebook and in the app.

Small cells: the tables here carry exact counts (a researcher's own view). Anything
meant for sharing passes ``for_sharing=True`` (counts of 1–10 and the values computed
from them blanked by :func:`casekit.privacy.suppress_small_cells`, with the complementary
suppression of :func:`casekit.privacy.suppress_complementary` for grouped tables).

Examples
--------
>>> import casekit as ck
>>> data = ck.make_sample(300, seed=1)
>>> cohort = cohort_frame(data, as_of=ck.SAMPLE_AS_OF)
>>> cohort.height, cohort.columns[:4]
(300, ['case_id', 'program', 'case_manager', 'effective_tier'])
>>> high = CohortFilter(tiers=("high",)).apply(cohort)
>>> high.height == cohort.filter(pl.col("effective_tier") == "high").height
True
>>> group_measure(high, by="sex", measure="count")["n"].sum() == high.height
True
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl

from casekit._case_index import coded_with, to_index, to_text
from casekit._frames import age_at, clean_data, sheet
from casekit.contract import ROW
from casekit.data import CaseData, ValidationResult
from casekit.measures import MeasureCatalogue
from casekit.privacy import (
    MIN_CELL,
    cell_threshold,
    suppress_complementary,
    suppress_linked,
    suppress_small_cells,
    suppress_small_shares,
)
from casekit.risk.fairness import AGE_BANDS, age_band
from casekit.risk.model import TIERS
from casekit.stages import STAGE_NUMBER, STAGES, ProcessConfig

__all__ = [
    "ENDPOINTS",
    "FILTER_COLUMNS",
    "GROUP_BY",
    "MEASURES",
    "OUTCOME_MEASURES",
    "CohortComparison",
    "CohortFilter",
    "cohort_durations",
    "cohort_entries",
    "cohort_events",
    "cohort_frame",
    "compare_cohorts",
    "compare_goals",
    "compare_utilisation",
    "days_between",
    "group_measure",
    "outcome_measures",
]

#: What a cohort can be grouped by (the filter dimensions, and the year of opening).
GROUP_BY: tuple[str, ...] = (
    "program",
    "case_manager",
    "effective_tier",
    "current_stage",
    "sex",
    "age_band",
    "opened_year",
)
#: Measures of :func:`group_measure`.
MEASURES: tuple[str, ...] = ("count", "share", "median_days", "pct_improved", "mean_change")
#: Measures that need an outcome measure (``outcome_measure=``).
OUTCOME_MEASURES: tuple[str, ...] = ("pct_improved", "mean_change")
#: Ends of a time between stages: the day the case entered each of the nine stages, or closed.
ENDPOINTS: tuple[str, ...] = STAGES[:10]
_NINE = STAGES[:9]
_DURATIONS_SCHEMA = {
    "from_stage": pl.String(),
    "to_stage": pl.String(),
    "n": pl.UInt32(),
    **{c: pl.Float64() for c in ("median_days", "q1_days", "q3_days", "mean_days")},
}
#: ``from_stage`` of the time to plan: opening (the day stage 1 is entered).
_TIME_TO_PLAN = ("screening", "planning")


def _entered(stage: str) -> str:
    return f"entered_{stage}"


def _change(measure: str) -> str:
    return f"change[{measure}]"


def _direction(measure: str) -> str:
    return f"direction[{measure}]"


def _improved(measure: str) -> str:
    return f"improved[{measure}]"


#: The columns of the case status a cohort frame takes.
_STATUS_COLUMNS = [
    "case_id",
    "program",
    "case_manager",
    "effective_tier",
    "current_stage",
    "current_stage_number",
    "reached_stage_number",
    "closed_on",
]


def cohort_frame(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date,
    status: pl.DataFrame | None = None,
    entries: pl.DataFrame | None = None,
    changes: pl.DataFrame | None = None,
    config: ProcessConfig | str | Path | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.DataFrame:
    """One row per case opened on or before ``as_of``, with what a cohort is cut by.

    Columns: ``case_id, program, case_manager, effective_tier, current_stage,
    current_stage_number, reached_stage_number, sex, age`` (completed years at
    ``as_of``, from ``birth_date``), ``age_band`` (:func:`casekit.risk.age_band`),
    ``opened_on, opened_year, closed_on``, ``entered_<stage>`` for the nine stages
    (:func:`casekit.stages.stage_entries`; null when not reached) and ``entered_closed``
    (the closing day when closed by ``as_of``), then for each outcome measure with a
    pair ``change[<measure>]``, ``direction[<measure>]`` and ``improved[<measure>]``
    (beyond the MCID where catalogued; :func:`casekit.outcomes.outcome_changes`; null
    when the case has no pair).

    ``status``, ``entries`` and ``changes`` are the outputs of
    :func:`~casekit.stages.case_status`, :func:`~casekit.stages.stage_entries` and
    :func:`~casekit.outcomes.outcome_changes` for the same data and date; pass them
    when already computed (the app does), otherwise they are computed here, with the
    process rules ``config`` and the measures catalogue ``measures`` (``None`` = shipped).
    """
    from casekit.outcomes import outcome_changes
    from casekit.stages import case_status, stage_entries

    if status is None:
        status = case_status(data, as_of=as_of, config=config, measures=measures)
    if entries is None:
        entries = stage_entries(data, as_of=as_of, config=config, measures=measures)
    if changes is None:
        changes = outcome_changes(data, as_of=as_of, measures=measures)
    # joins and pivots on the case index (issue 18), the text ids back at the end
    clean, keyed = coded_with(clean_data(data), status)  # on the index when status carries it
    assert keyed is not None
    entries, changes = (to_index(clean, df, strict=False) for df in (entries, changes))
    cases = (
        sheet(clean, "cases", ["case_id", "opened_on", "birth_date", "sex", ROW])
        .filter(pl.col("case_id").is_not_null())
        .sort(ROW)
        .unique("case_id", keep="first")
        .select(
            "case_id",
            "sex",
            age_at(pl.lit(as_of), pl.col("birth_date")).cast(pl.Int32).alias("age"),
            "opened_on",
        )
        .with_columns(age_band("age"), opened_year=pl.col("opened_on").dt.year().cast(pl.Int32))
    )
    # unvalidated data may repeat a case's row: its first row stands for it, as in `cases`
    wide_entries = (
        entries.lazy()
        .select("case_id", "stage", "entered_on")
        .unique(["case_id", "stage"], keep="first", maintain_order=True)
        .collect()
        .pivot(on="stage", index="case_id", values="entered_on", on_columns=list(_NINE))
        .rename({s: _entered(s) for s in _NINE})
    )
    base = (
        keyed.select(_STATUS_COLUMNS)
        .unique("case_id", keep="first", maintain_order=True)
        .with_columns(
            pl.when(pl.col("current_stage") == "closed").then(pl.col("closed_on")).alias("entered_closed"),
        )
    )
    frame = (
        base.join(cases, on="case_id", how="left", maintain_order="left")
        .join(wide_entries.lazy(), on="case_id", how="left", maintain_order="left")
        .select(
            *_STATUS_COLUMNS[:-1],  # closed_on comes after the case's own columns
            "sex",
            "age",
            "age_band",
            "opened_on",
            "opened_year",
            "closed_on",
            *(_entered(s) for s in ENDPOINTS),
        )
    )
    return to_text(clean, frame.join(_wide_changes(changes), on="case_id", how="left", maintain_order="left").collect())


def _wide_changes(changes: pl.DataFrame) -> pl.LazyFrame:
    """``case_id, change[<m>], direction[<m>], improved[<m>]…`` for the paired case-measures
    of ``changes`` (``improved`` only when ``changes`` has it)."""
    paired = changes.filter(pl.col("change").is_not_null())
    measures = sorted(paired["measure"].unique().to_list())
    if not measures:
        return pl.LazyFrame(schema={"case_id": changes.schema["case_id"]})
    values = [("change", _change), ("direction", _direction)]
    if "improved" in paired.columns:
        values.append(("improved", _improved))
    wide = [
        paired.pivot(on="measure", index="case_id", values=value, on_columns=measures).rename(
            {m: name(m) for m in measures}
        )
        for value, name in values
    ]
    joined = wide[0]
    for other in wide[1:]:
        joined = joined.join(other, on="case_id", how="full", coalesce=True)
    order = [name(m) for m in measures for _, name in values]
    return joined.lazy().select("case_id", *order)


def outcome_measures(cohort: pl.DataFrame) -> list[str]:
    """The outcome measures a cohort frame carries (those with at least one pair in the data).

    >>> outcome_measures(pl.DataFrame(schema=["case_id", "change[PHQ-9]", "direction[PHQ-9]"]))
    ['PHQ-9']
    """
    return [c[len("change[") : -1] for c in cohort.columns if c.startswith("change[") and c.endswith("]")]


#: Cohort column of each value field of :class:`CohortFilter`.
FILTER_COLUMNS: dict[str, str] = {
    "programs": "program",
    "case_managers": "case_manager",
    "tiers": "effective_tier",
    "stages": "current_stage",
    "sexes": "sex",
    "age_bands": "age_band",
}


@dataclass(frozen=True)
class CohortFilter:
    """Which cases to keep. An empty field puts no restriction on that dimension; a
    ``None`` among the values keeps the cases where the column is blank (e.g. no tier
    yet). ``opened_from``/``opened_to`` are inclusive.

    >>> cohort = pl.DataFrame({"program": ["a", "b", None], "opened_on": [dt.date(2026, 1, d) for d in (1, 2, 3)]})
    >>> CohortFilter(programs=("a", None)).apply(cohort)["opened_on"].dt.day().to_list()
    [1, 3]
    >>> CohortFilter(opened_from=dt.date(2026, 1, 2)).apply(cohort).height
    2
    >>> CohortFilter().is_empty()
    True
    """

    programs: tuple[str | None, ...] = ()
    case_managers: tuple[str | None, ...] = ()
    tiers: tuple[str | None, ...] = ()
    stages: tuple[str | None, ...] = ()
    sexes: tuple[str | None, ...] = ()
    age_bands: tuple[str | None, ...] = ()
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None

    def __post_init__(self) -> None:
        for name in FILTER_COLUMNS:  # lists from widgets become tuples (hashable, frozen)
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def is_empty(self) -> bool:
        """Whether the filter keeps every case."""
        return all(not getattr(self, f.name) for f in fields(self))

    def expr(self) -> pl.Expr:
        """The filter as one boolean polars expression over a cohort frame."""
        parts = [_is_in(column, getattr(self, name)) for name, column in FILTER_COLUMNS.items() if getattr(self, name)]
        if self.opened_from is not None:
            parts.append(pl.col("opened_on") >= self.opened_from)
        if self.opened_to is not None:
            parts.append(pl.col("opened_on") <= self.opened_to)
        return pl.all_horizontal(parts).fill_null(value=False) if parts else pl.lit(value=True)

    def apply(self, cohort: pl.DataFrame) -> pl.DataFrame:
        """The cases of ``cohort`` the filter keeps (same columns, same order)."""
        return cohort if self.is_empty() else cohort.filter(self.expr())


def _is_in(column: str, values: Iterable[str | None]) -> pl.Expr:
    values = list(values)
    known = [v for v in values if v is not None]
    expr = pl.col(column).is_in(known) if known else pl.lit(value=False)
    if None in values:
        expr = expr | pl.col(column).is_null()
    return expr.fill_null(value=False)


def _days_between(from_stage: str | None, to_stage: str | None) -> pl.Expr:
    """Days from entering ``from_stage`` (None: opening) to entering ``to_stage``."""
    start = from_stage or "screening"
    if to_stage is None:
        raise ValueError("median_days needs to_stage (and optionally from_stage)")
    for stage in (start, to_stage):
        if stage not in ENDPOINTS:
            raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(ENDPOINTS)}")
    if STAGE_NUMBER[start] >= STAGE_NUMBER[to_stage]:
        raise ValueError(f"from_stage {start!r} must come before to_stage {to_stage!r}")
    return (pl.col(_entered(to_stage)) - pl.col(_entered(start))).dt.total_days()


def days_between(to_stage: str, from_stage: str | None = None) -> pl.Expr:
    """Per case of a cohort frame: days from entering ``from_stage`` (``None``: opening) to
    entering ``to_stage`` (null when the case has not reached it) — the values whose median
    :func:`group_measure` reports as ``median_days``, for a test or a distribution.

    >>> import casekit as ck
    >>> cohort = cohort_frame(ck.make_sample(200, seed=1), as_of=ck.SAMPLE_AS_OF)
    >>> days = cohort.select(days_between("planning")).to_series()
    >>> days.name, days.min() >= 0, days.null_count() == cohort["entered_planning"].null_count()
    ('days_to_planning', True, True)
    >>> mine = cohort.group_by("sex").agg(days_between("planning").median()).sort("sex")
    >>> theirs = group_measure(cohort, by="sex", measure="median_days", to_stage="planning").sort("sex")
    >>> mine["days_to_planning"].to_list() == theirs["median_days"].to_list()
    True
    """
    return _days_between(from_stage, to_stage).alias(f"days_to_{to_stage}")


def _order(column: str) -> pl.Expr:
    """Sort key of a grouping column: tiers, stages and age bands in their natural order."""
    natural = {"effective_tier": TIERS, "current_stage": STAGES, "age_band": AGE_BANDS}.get(column)
    if natural is None:
        return pl.col(column)
    return pl.col(column).replace_strict(
        list(natural), list(range(len(natural))), default=len(natural), return_dtype=pl.Int32
    )


def _check_by(by: str | Sequence[str]) -> list[str]:
    keys = [by] if isinstance(by, str) else list(dict.fromkeys(by))
    unknown = [b for b in keys if b not in GROUP_BY]
    if unknown:
        raise ValueError(f"unknown grouping {', '.join(unknown)}; expected any of {', '.join(GROUP_BY)}")
    return keys


def _outcome_frame(
    cohort: pl.DataFrame, keys: list[str], measure: str, changes: pl.DataFrame | None
) -> tuple[pl.LazyFrame, pl.Expr, pl.Expr]:
    """The rows, the change and the improved flag of one outcome measure over a cohort.

    From the cohort's own ``change[m]``/``direction[m]`` columns, or, with ``changes``
    (an :func:`~casekit.outcomes.outcome_changes` frame), from that frame joined to the cohort.
    """
    if changes is not None:
        pairs = changes.lazy().filter((pl.col("measure") == measure) & pl.col("change").is_not_null())
        flag = "improved" if "improved" in changes.columns else "direction"
        rows = (
            cohort.lazy()
            .select("case_id", *keys)
            .join(pairs.select("case_id", "change", flag), on="case_id", how="left")
        )
        return rows, pl.col("change"), _improved_flag(pl.col(flag), flag)
    if _change(measure) not in cohort.columns:
        rows = cohort.lazy().select(*keys, pl.lit(None, pl.Float64).alias("change"), pl.lit(None, pl.String).alias("d"))
        return rows, pl.col("change"), pl.col("d") == "improved"
    if _improved(measure) in cohort.columns:
        return cohort.lazy(), pl.col(_change(measure)), pl.col(_improved(measure))
    return cohort.lazy(), pl.col(_change(measure)), pl.col(_direction(measure)) == "improved"


def _improved_flag(col: pl.Expr, name: str) -> pl.Expr:
    """Improved: the ``improved`` flag (beyond the MCID where catalogued), else ``direction``."""
    return col if name == "improved" else col == "improved"


def group_measure(
    cohort: pl.DataFrame,
    *,
    by: str | Sequence[str],
    measure: str = "count",
    from_stage: str | None = None,
    to_stage: str | None = None,
    outcome_measure: str | None = None,
    changes: pl.DataFrame | None = None,
    for_sharing: bool = False,
    min_cell: int = MIN_CELL,
) -> pl.DataFrame:
    """A measure per group of a cohort: ``*by, n_cases, n, <measure>`` (one row per group).

    - ``count``: cases in the group (``n`` = ``n_cases`` = ``count``);
    - ``share``: the group's cases over the cohort's (0–1);
    - ``median_days``: median days from entering ``from_stage`` (default: opening) to
      entering ``to_stage`` (any of :data:`ENDPOINTS`; ``closed`` is the closing day),
      over the ``n`` cases that reached both;
    - ``pct_improved`` / ``mean_change`` of ``outcome_measure``: over the ``n`` cases with
      a baseline and a later value of it (% improved beyond the MCID where the measures
      catalogue has one, and counts a pair whose direction is unknown as not improved,
      as :func:`casekit.outcomes.outcome_summary` does).

    ``by`` is one or more of :data:`GROUP_BY` (``()``: one row for the whole cohort);
    groups are sorted in their natural order (tiers, stages, age bands), blanks last.
    ``changes`` (optional) takes the outcome pairs from an
    :func:`~casekit.outcomes.outcome_changes` frame instead of the cohort's columns.
    ``for_sharing=True`` (for any export; :mod:`casekit.privacy`'s one rule,
    :func:`casekit.privacy.suppress_linked`) blanks a group of 1 to ``min_cell - 1`` cases;
    ``n`` with the measure when ``n`` or ``n_cases - n`` is such a count; a
    ``pct_improved`` whose implied count (× ``n``) or its complement is; then as many
    other cells as it takes for no blank, nor a set of blanks adding up to 1 to
    ``min_cell - 1``, to be the cohort (or the table grouped by part of ``by``) minus the
    shown groups; and adds ``suppressed``.

    >>> c = pl.DataFrame({"sex": ["female", "female", "male"], "entered_screening": [dt.date(2026, 1, 1)] * 3,
    ...     "entered_planning": [dt.date(2026, 1, 11), dt.date(2026, 1, 21), None]})
    >>> group_measure(c, by="sex", measure="median_days", to_stage="planning").rows()
    [('female', 2, 2, 15.0), ('male', 1, 0, None)]
    >>> group_measure(c, by="sex", measure="share", for_sharing=True).rows()
    [('female', None, None, None, True), ('male', None, None, None, True)]
    """
    keys = _check_by(by)
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
    rows = cohort.lazy()
    total = cohort.height
    if measure in ("count", "share"):
        n = pl.len()
        value = pl.len().cast(pl.Int64) if measure == "count" else pl.len() / pl.lit(total, pl.Float64)
    elif measure == "median_days":
        days = _days_between(from_stage, to_stage)
        n, value = days.count(), days.median()
    else:
        if outcome_measure is None:
            raise ValueError(f"{measure} needs outcome_measure")
        rows, change, improved = _outcome_frame(cohort, keys, outcome_measure, changes)
        n = change.count()
        value = (
            change.mean()
            if measure == "mean_change"
            else improved.fill_null(value=False).filter(change.is_not_null()).mean()
        )
        value = pl.when(change.count() > 0).then(value)
    stats = [pl.len().cast(pl.Int64).alias("n_cases"), n.cast(pl.Int64).alias("n"), value.alias(measure)]
    rows = rows.collect().lazy()

    def table_of(part: Sequence[str]) -> pl.DataFrame:
        out = rows.group_by(part).agg(stats) if part else rows.select(stats)
        return (out.sort([_order(k) for k in part], nulls_last=True) if part else out).collect()

    if not for_sharing:
        return table_of(keys)
    # the cases with the measure are a count within the group's cases (n_cases - n are the
    # others); a % improved of them gives its count back (5 % of 40 is 2 people); the cohort
    # and the cohort grouped by part of ``by`` can be downloaded beside it: one system
    linked: list[dict[str, str | None]] = [{"n": "n_cases", measure: None}]
    if measure == "pct_improved":
        linked = [{"n": "n_cases"}, {measure: "n"}]
    return suppress_linked(table_of, keys, "n_cases", linked=linked, min_cell=min_cell)


@dataclass(frozen=True)
class CohortComparison:
    """Cohorts A and B side by side (from :func:`compare_cohorts`).

    - ``outcomes``: one row per outcome measure: ``measure, n_paired_a, pct_improved_a,
      mean_change_a, n_paired_b, pct_improved_b, mean_change_b``;
    - ``time_to_plan``: one row: ``n_cases_a, n_a, median_days_a, n_cases_b, n_b,
      median_days_b`` (days from opening to entering planning, over the ``n`` cases that
      got there).
    """

    outcomes: pl.DataFrame
    time_to_plan: pl.DataFrame

    def suppressed(self, *, min_cell: int = MIN_CELL) -> CohortComparison:
        """The same tables for sharing, per cohort: counts of 1 to ``min_cell - 1`` (and what
        they give) blanked, so is a % improved whose implied count (× ``n_paired``) or its
        complement is such a cell (:func:`casekit.privacy.suppress_small_shares`), and so is a
        count whose complement within its cohort is such a cell — the cases *without* a plan
        (``n_cases - n``), the cases without a pair of a measure (``n_cases - n_paired``) —
        since cohort size minus the shown count would give it back
        (:func:`casekit.privacy.suppress_complementary` on each such line).

        >>> cmp = CohortComparison(
        ...     pl.DataFrame({"measure": ["PHQ-9"], "n_paired_a": [47], "pct_improved_a": [0.5],
        ...                   "mean_change_a": [-3.0], "n_paired_b": [20], "pct_improved_b": [0.4],
        ...                   "mean_change_b": [-1.0]}),
        ...     pl.DataFrame({"n_cases_a": [50], "n_a": [45], "median_days_a": [12.0],
        ...                   "n_cases_b": [40], "n_b": [20], "median_days_b": [15.0]}))
        >>> hidden = cmp.suppressed()  # A: 5 without a plan, 3 without a PHQ-9 pair
        >>> hidden.time_to_plan.select("n_cases_a", "n_a", "median_days_a", "n_b", "suppressed_a").row(0)
        (50, None, None, 20, True)
        >>> hidden.outcomes.select("n_paired_a", "mean_change_a", "n_paired_b", "suppressed_a").row(0)
        (None, None, 20, True)
        """
        outcomes, plan = self.outcomes, self.time_to_plan
        for side in ("a", "b"):
            size = plan[f"n_cases_{side}"].item() if plan.height else None
            plan = _suppress_part(
                plan, f"n_{side}", f"n_cases_{side}", derived=[f"median_days_{side}"], side=side, min_cell=min_cell
            )
            outcomes = _suppress_part(
                outcomes.with_columns(pl.lit(size, pl.Int64).alias("__size")),
                f"n_paired_{side}",
                "__size",
                derived=[f"pct_improved_{side}", f"mean_change_{side}"],
                side=side,
                min_cell=min_cell,
                total_shown=False,
            ).drop("__size")
            outcomes = suppress_small_shares(  # % improved beside its n gives the count back
                outcomes.rename({f"suppressed_{side}": "suppressed"}),
                {f"pct_improved_{side}": f"n_paired_{side}"},
                min_cell=min_cell,
            ).rename({"suppressed": f"suppressed_{side}"})
        return CohortComparison(outcomes, plan)


def _suppress_part(
    table: pl.DataFrame,
    part: str,
    total: str,
    *,
    derived: list[str],
    side: str,
    min_cell: int,
    total_shown: bool = True,
) -> pl.DataFrame:
    """``table`` with ``suppressed_<side>`` and, on the rows to hide, ``part`` and ``derived``
    blanked: where ``part`` (and ``total``, when the table shows it) is a cell of 1 to
    ``min_cell - 1``, or where ``total - part`` is while ``total``, the cohort's size, is
    public — the line ``part`` + complement then has a known total, so one small cell in it
    gives the other away (:func:`casekit.privacy.suppress_complementary`). A table of a few
    rows (one per measure): each row is its own line of two cells.
    """
    counts = [total, part] if total_shown else [part]
    flag = f"suppressed_{side}"
    prior = pl.col(flag) if flag in table.columns else pl.lit(value=False)  # what was blanked already stays so
    table = table.with_columns(prior.fill_null(value=False).alias("__prior")).drop(flag, strict=False)
    out = suppress_small_cells(table, counts, derived_cols=derived, min_cell=min_cell)
    public = pl.col(total).is_not_null() & (pl.col(total) >= min_cell)
    pairs = table.select(pl.col(part).fill_null(0), (pl.col(total) - pl.col(part)).fill_null(0).clip(0)).rows()
    line = {"part": pl.String, "n": pl.Int64}
    hidden = [  # one two-cell line per row of the table (a measure, a cohort), a handful at most
        bool(
            suppress_complementary(
                pl.DataFrame({"part": ["in", "out"], "n": list(pair)}, schema=line), "n", by=["part"], min_cell=min_cell
            )["suppressed"].any()
        )
        for pair in pairs
    ]
    complement = pl.lit(pl.Series(hidden, dtype=pl.Boolean)) & public
    return out.with_columns(
        *[pl.when(~complement).then(pl.col(c)).alias(c) for c in [part, *derived]],
        (pl.col("suppressed") | complement | pl.col("__prior")).alias(flag),
    ).drop("suppressed", "__prior")


def compare_cohorts(
    a_cohort: pl.DataFrame,
    b_cohort: pl.DataFrame,
    *,
    measures: Sequence[str] | None = None,
    changes: pl.DataFrame | None = None,
) -> CohortComparison:
    """Cohort A vs cohort B on outcomes (per measure: pairs, % improved, mean change) and
    on the time to plan (median days from opening to entering planning).

    ``measures`` defaults to every outcome measure of either cohort (:func:`outcome_measures`).
    Exact counts: call ``.suppressed()`` on the result before sharing it.

    >>> a = pl.DataFrame({"entered_screening": [dt.date(2026, 1, 1)] * 2,
    ...     "entered_planning": [dt.date(2026, 1, 5), dt.date(2026, 1, 9)],
    ...     "change[PHQ-9]": [-4.0, 2.0], "direction[PHQ-9]": ["improved", "worsened"]})
    >>> b = a.head(1)
    >>> cmp = compare_cohorts(a, b)
    >>> cmp.outcomes.rows()
    [('PHQ-9', 2, 0.5, -1.0, 1, 1.0, -4.0)]
    >>> cmp.time_to_plan.rows()
    [(2, 2, 6.0, 1, 1, 4.0)]
    """
    names = (
        list(measures)
        if measures is not None
        else list(dict.fromkeys([*outcome_measures(a_cohort), *outcome_measures(b_cohort)]))
    )
    sides = {"a": a_cohort, "b": b_cohort}
    per_side = []
    for side, cohort in sides.items():
        rows = []
        for m in names:
            improved = group_measure(cohort, by=(), measure="pct_improved", outcome_measure=m, changes=changes)
            mean = group_measure(cohort, by=(), measure="mean_change", outcome_measure=m, changes=changes)
            rows.append(
                {
                    "measure": m,
                    "n_paired": improved["n"].item(),
                    "pct_improved": improved["pct_improved"].item(),
                    "mean_change": mean["mean_change"].item(),
                }
            )
        schema = {"measure": pl.String, "n_paired": pl.Int64, "pct_improved": pl.Float64, "mean_change": pl.Float64}
        frame = pl.DataFrame(rows, schema=schema)
        per_side.append(frame.rename({c: f"{c}_{side}" for c in frame.columns if c != "measure"}))
    outcomes = per_side[0].join(per_side[1], on="measure", how="left", maintain_order="left")
    plans = []
    for side, cohort in sides.items():
        plan = group_measure(cohort, by=(), measure="median_days", from_stage=None, to_stage=_TIME_TO_PLAN[1])
        plans.append(plan.rename({c: f"{c}_{side}" for c in plan.columns}))
    return CohortComparison(outcomes, pl.concat(plans, how="horizontal"))


def compare_utilisation(
    a_cohort: pl.DataFrame,
    b_cohort: pl.DataFrame,
    rates: pl.DataFrame,
    *,
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> pl.DataFrame:
    """Utilisation per member-month of cohort A vs cohort B: the comparison a
    before/after figure needs (regression to the mean lowers both cohorts' "after";
    only the difference between them speaks for the programme).

    ``rates`` is :func:`casekit.outcomes.utilisation_rates`. One row per measure:
    ``measure, rate_unit``, then for each side ``n_used, rate_before, rate_after,
    pct_change, suppressed`` suffixed ``_a`` / ``_b`` (as
    :func:`casekit.outcomes.utilisation_rate_summary`; counts of 1 to ``min_cell - 1``
    blanked per side).

    >>> rates = pl.DataFrame({"case_id": ["A", "B"], "domain": ["utilization"] * 2, "measure": ["monthly_cost"] * 2,
    ...     "measure_kind": ["cost"] * 2, "window_months": [1.0] * 2, "member_months_before": [1.0] * 2,
    ...     "before": [900.0, 500.0], "member_months_after": [2.0, 4.0], "rate_after": [600.0, 450.0],
    ...     "used": [True, True]})
    >>> compare_utilisation(pl.DataFrame({"case_id": ["A"]}), pl.DataFrame({"case_id": ["B"]}), rates,
    ...     min_cell=1).select("measure", "rate_before_a", "rate_after_a", "rate_before_b", "rate_after_b").rows()
    [('monthly_cost', 900.0, 600.0, 500.0, 450.0)]
    """
    from casekit.outcomes import utilisation_rate_summary

    sides = []
    for side, cohort in (("a", a_cohort), ("b", b_cohort)):
        own = rates.join(cohort.select("case_id").unique(), on="case_id", how="semi")
        summary = utilisation_rate_summary(CaseData({}), rates=own, min_cell=min_cell, for_sharing=for_sharing).select(
            "measure", "rate_unit", "n_used", "rate_before", "rate_after", "pct_change", "suppressed"
        )
        summary = summary.rename({c: f"{c}_{side}" for c in summary.columns if c not in ("measure", "rate_unit")})
        values = [f"{c}_{side}" for c in ("rate_before", "rate_after", "pct_change")]
        summary = _suppress_part(  # the cases without the measure are the cohort's size minus n_used
            summary.with_columns(pl.lit(cohort.height, pl.Int64).alias("__size")),
            f"n_used_{side}",
            "__size",
            derived=values,
            side=side,
            min_cell=cell_threshold(for_sharing=for_sharing, min_cell=min_cell),
            total_shown=False,
        ).drop("__size")
        sides.append(summary)
    return sides[0].join(sides[1].drop("rate_unit"), on="measure", how="full", coalesce=True).sort("measure")


def compare_goals(
    a_cohort: pl.DataFrame,
    b_cohort: pl.DataFrame,
    progress: pl.DataFrame,
    *,
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> pl.DataFrame:
    """Goal attainment of cohort A vs cohort B: one row with :func:`casekit.outcomes.goal_attainment`'s
    columns suffixed ``_a`` / ``_b`` (``progress`` is :func:`casekit.outcomes.goal_progress`;
    counts of 1 to ``min_cell - 1`` blanked per side).

    >>> import datetime as dt
    >>> progress = pl.DataFrame({"goal_id": ["G1", "G2", "G3"], "case_id": ["A", "A", "B"],
    ...     "target_on": [dt.date(2026, 3, 1)] * 3, "achieved": [True, False, True],
    ...     "achieved_by_target": [True, False, False], "achieved_late": [False, False, True],
    ...     "overdue": [False, True, False], "days_to_achieve": [20, None, 60], "measure_met": [None, None, None]})
    >>> cmp = compare_goals(pl.DataFrame({"case_id": ["A"]}), pl.DataFrame({"case_id": ["B"]}), progress, min_cell=1)
    >>> cmp.select("n_goals_a", "pct_achieved_a", "n_overdue_a", "n_goals_b", "n_achieved_late_b").row(0)
    (2, 0.5, 1, 1, 1)
    """
    from casekit.outcomes import goal_attainment

    sides = []
    for side, cohort in (("a", a_cohort), ("b", b_cohort)):
        own = progress.join(cohort.select("case_id").unique(), on="case_id", how="semi")
        summary = goal_attainment(
            CaseData({}), (), as_of=dt.date.max, progress=own, min_cell=min_cell, for_sharing=for_sharing
        )
        summary = summary.rename({c: f"{c}_{side}" for c in summary.columns})
        summary = _suppress_part(  # the cases without a goal are the cohort's size minus n_cases
            summary.with_columns(pl.lit(cohort.select("case_id").n_unique(), pl.Int64).alias("__size")),
            f"n_cases_{side}",
            "__size",
            derived=[],
            side=side,
            min_cell=cell_threshold(for_sharing=for_sharing, min_cell=min_cell),
            total_shown=False,
        ).drop("__size")
        sides.append(summary)
    return pl.concat(sides, how="horizontal")


def cohort_entries(cohort: pl.DataFrame) -> pl.DataFrame:
    """The cohort's stage entries in :func:`casekit.stages.stage_entries` form
    (``case_id, stage_number, stage, entered_on``), input of
    :func:`casekit.stages.stage_durations`.

    >>> c = pl.DataFrame({"case_id": ["A"], "entered_screening": [dt.date(2026, 1, 1)],
    ...                   "entered_assessment": [dt.date(2026, 1, 4)], "entered_risk": [None]})
    >>> cohort_entries(c).rows()
    [('A', 1, 'screening', datetime.date(2026, 1, 1)), ('A', 2, 'assessment', datetime.date(2026, 1, 4))]
    """
    present = [s for s in _NINE if _entered(s) in cohort.columns]
    names = {_entered(s): s for s in present}
    return (
        cohort.lazy()
        .select("case_id", *names)
        .with_row_index("_i")
        .unpivot(index=["_i", "case_id"], variable_name="stage", value_name="entered_on")
        .drop_nulls("entered_on")
        .with_columns(pl.col("stage").replace_strict(names, return_dtype=pl.String))
        .with_columns(stage_number=pl.col("stage").replace_strict(STAGE_NUMBER, return_dtype=pl.Int8))
        .sort("_i", "stage_number")
        .select("case_id", "stage_number", "stage", pl.col("entered_on").cast(pl.Date))
        .collect()
    )


def cohort_durations(cohort: pl.DataFrame) -> pl.DataFrame:
    """Time between consecutive stages of a cohort: the same table as
    ``stage_durations(cohort_entries(cohort))`` (``from_stage, to_stage, n, median_days,
    q1_days, q3_days, mean_days``), computed from the cohort's ``entered_<stage>`` columns
    without reshaping them, so it stays fast on the whole of a large caseload. Stages
    are entered in order, so each case's next stage is the next one of the nine.

    >>> c = pl.DataFrame({"case_id": ["A", "B"], "entered_screening": [dt.date(2026, 1, 1)] * 2,
    ...                   "entered_assessment": [dt.date(2026, 1, 5), None]})
    >>> cohort_durations(c).select("from_stage", "to_stage", "n", "median_days").rows()
    [('screening', 'assessment', 1, 4.0)]
    """
    from casekit.stages import duration_summary

    pairs = [(a, b) for a, b in itertools.pairwise(_NINE) if {_entered(a), _entered(b)} <= set(cohort.columns)]
    parts = [
        cohort.lazy().select(
            pl.lit(a).alias("from_stage"),
            pl.lit(b).alias("to_stage"),
            *duration_summary((pl.col(_entered(b)) - pl.col(_entered(a))).dt.total_days()),
        )
        for a, b in pairs
    ]
    if not parts:
        return pl.DataFrame(schema=_DURATIONS_SCHEMA)
    return pl.concat(parts).filter(pl.col("n") > 0).collect().cast(_DURATIONS_SCHEMA)  # type: ignore[arg-type]  # collect() is typed DataFrame | InProcessQuery; eager here


def cohort_events(events: pl.DataFrame, cohort: pl.DataFrame) -> pl.DataFrame:
    """The rows of an :func:`casekit.stages.events` log that belong to the cohort's cases
    (same order), ready for :func:`casekit.stages.to_process_mining`.

    >>> log = pl.DataFrame({"case_id": ["A", "B", "A"], "activity": ["x", "y", "z"]})
    >>> cohort_events(log, pl.DataFrame({"case_id": ["A"]}))["activity"].to_list()
    ['x', 'z']
    """
    return events.filter(pl.col("case_id").is_in(cohort["case_id"].implode()))
