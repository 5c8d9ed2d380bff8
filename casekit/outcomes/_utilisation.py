"""Utilisation and cost before vs after: the figure a payer asks for first.

The measures of the ``utilization`` domain (ED visits, admissions, the payer's cost:
kinds ``count`` and ``cost`` in the measures catalogue) are paired like any outcome
(:func:`~casekit.outcomes.outcome_changes`), with one addition: for ``ed_visits_6m``
and ``admissions_12m``, a case with no baseline outcome row takes the value of its
first assessment that has one (``assessed_on``) as the "before"; the "after" is then
the last follow-up/discharge outcome of that measure dated after the assessment.
``baseline_source`` says where each "before" came from (``outcome`` or ``assessment``).

The client's own ``financial`` domain (income, debts) is never summed here: a rising
income is the client's improvement, reported by :func:`~casekit.outcomes.outcome_summary`.

Examples
--------
>>> import datetime as dt
>>> from casekit.data import CaseData
>>> assessments = pl.DataFrame({"case_id": ["A"], "assessed_on": [dt.date(2026, 1, 10)],
...                             "ed_visits_6m": [4], "admissions_12m": [None]})
>>> outcomes = pl.DataFrame({"case_id": ["A"], "domain": ["utilization"], "measure": ["ed_visits_6m"],
...     "measured_on": [dt.date(2026, 5, 1)], "value": [1.0], "timepoint": ["follow_up"],
...     "higher_is_better": [False]})
>>> utilisation_changes(CaseData({"assessments": assessments, "outcomes": outcomes})).select(
...     "measure", "baseline_source", "baseline", "latest", "direction").rows()
[('ed_visits_6m', 'assessment', 4.0, 1.0, 'improved')]
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
from casekit.i18n import t
from casekit.measures import MeasureCatalogue, load_measures
from casekit.outcomes._changes import CHANGE_COLUMNS, outcome_rows, pair_changes
from casekit.outcomes._summary import _order, check_groupings, summarise_changes, with_groupings
from casekit.privacy import MIN_CELL, suppress_linked
from casekit.risk.model import RiskModel

__all__ = [
    "ASSESSMENT_MEASURES",
    "BEFORE_AFTER_COLUMNS",
    "DAYS_PER_MONTH",
    "NOT_USED",
    "RATE_COLUMNS",
    "RATE_SUMMARY_COLUMNS",
    "UTILISATION_DOMAINS",
    "needs_rtm_caveat",
    "rtm_caveat",
    "utilisation_changes",
    "utilisation_rate_summary",
    "utilisation_rates",
    "utilisation_summary",
]

#: Outcome domains counted as utilisation and cost (the payer's; never the client's ``financial``).
UTILISATION_DOMAINS: tuple[str, ...] = ("utilization",)
#: Measures whose "before" can come from the first assessment (same column name there).
ASSESSMENT_MEASURES: tuple[str, ...] = ("ed_visits_6m", "admissions_12m")


def _assessment_baselines(data: CaseData, as_of: dt.date | None) -> pl.LazyFrame:
    """For each case and assessment measure: the first assessment that has a value."""
    ass = sheet(data, "assessments", ["case_id", "assessed_on", *ASSESSMENT_MEASURES, ROW]).filter(
        pl.col("case_id").is_not_null() & pl.col("assessed_on").is_not_null()
    )
    if as_of is not None:
        ass = ass.filter(pl.col("assessed_on") <= as_of)
    return (
        ass.unpivot(index=["case_id", "assessed_on", ROW], on=list(ASSESSMENT_MEASURES), variable_name="measure")
        .drop_nulls("value")
        .select(
            "case_id",
            pl.lit("utilization").alias("domain"),
            "measure",
            pl.col("assessed_on").alias("measured_on"),
            pl.col("value").cast(pl.Float64),
            pl.lit("baseline").alias("timepoint"),
            pl.lit(value=False).alias("higher_is_better"),
            ROW,
            pl.lit("assessment").alias("baseline_source"),
        )
    )


def utilisation_changes_lazy(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.LazyFrame:
    """The query behind :func:`utilisation_changes`, not yet collected (unsorted)."""
    clean = clean_data(data)
    pairs = _pairs(clean, as_of, measures)
    return pairs.select(*CHANGE_COLUMNS, "baseline_source")


def _pairs(clean: CaseData, as_of: dt.date | None, measures: MeasureCatalogue | str | Path | None) -> pl.LazyFrame:
    """Utilisation pairs with the catalogue's ``cat_`` columns."""
    pairs = pair_changes(outcome_rows(clean, as_of), _assessment_baselines(clean, as_of), measures=measures)
    return pairs.filter(pl.col("domain").is_in(UTILISATION_DOMAINS))


def utilisation_changes(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.DataFrame:
    """Per case and utilisation/cost measure, before vs after: the columns of
    :func:`~casekit.outcomes.outcome_changes` plus ``baseline_source``
    (``outcome``/``assessment``; null when there is no "before"), sorted by case and measure.

    Cases with an assessment get a row for ``ed_visits_6m`` and ``admissions_12m`` even
    without outcome rows (unpaired: counted, not dropped).
    """
    view, keys = coded(clean_data(data)), ["case_id", "measure"]  # the case index (issue 18)
    return to_text(view, utilisation_changes_lazy(view, as_of=as_of, measures=measures).sort(keys).collect(), sort=keys)


def utilisation_summary(
    data: CaseData | ValidationResult,
    by: Sequence[str] = (),
    *,
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
    as_of: dt.date | None = None,
    changes: pl.DataFrame | None = None,
    scores: pl.DataFrame | None = None,
    model: RiskModel | str | Path | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
    lang: str | None = None,
) -> pl.DataFrame:
    """Utilisation and cost before vs after, per measure (and ``by``), small cells suppressed
    (``for_sharing=False``: the team's own view, real counts).

    Always grouped by ``domain, measure`` (adding up ED visits and euros makes no
    sense), then by ``by`` (any of :data:`~casekit.outcomes.GROUPINGS`). Columns: those
    of :func:`~casekit.outcomes.outcome_summary` plus ``sum_baseline, sum_latest``
    (totals over the pairs: what the cases cost or used before and after) and
    ``pct_change`` (relative change of the total, 0.25 = +25 %; negative = fewer visits,
    lower cost).

    Examples
    --------
    >>> from casekit.sample import make_sample
    >>> s = utilisation_summary(make_sample(400, seed=3))
    >>> s.columns[:5], sorted(set(s["domain"]))
    (['domain', 'measure', 'n_cases', 'n_paired', 'n_pairs'], ['utilization'])
    """
    by = [b for b in check_groupings(by, lang) if b not in ("domain", "measure")]
    keys = ["domain", "measure", *by]
    clean, given = coded_with(clean_data(data), changes)  # the case index (issue 18)
    if given is None:  # sorted: the summary's sums in one order (the same bits run after run)
        given = utilisation_changes_lazy(clean, as_of=as_of, measures=measures).sort("case_id", "measure")
    frame = with_groupings(given, clean, keys, as_of=as_of, scores=scores, model=model)
    return summarise_changes(
        frame, keys, min_cell=min_cell, for_sharing=for_sharing, totals=True, measures=measures, fixed=keys[:2]
    ).collect()


# --------------------------------------------------------------------------------------
# Rates per member-month: comparable before and after
# --------------------------------------------------------------------------------------

#: Days in an average month (member-months of partial months are days / this).
DAYS_PER_MONTH = 365.25 / 12
#: Columns of :func:`utilisation_rates`, in order.
RATE_COLUMNS: tuple[str, ...] = (
    "case_id",
    "domain",
    "measure",
    "measure_kind",
    "window_months",
    "before_from",
    "before_to",
    "member_months_before",
    "before",
    "after_from",
    "after_to",
    "member_months_after",
    "after",
    "rate_before",
    "rate_after",
    "used",
    "not_used_because",
)
#: Why a case and measure is left out of the rates (``not_used_because``).
NOT_USED: tuple[str, ...] = ("no_pair", "no_window", "no_plan", "baseline_after_plan_start", "after_before_plan_start")
#: Value columns of :func:`utilisation_rate_summary`, after the grouping columns.
RATE_SUMMARY_COLUMNS: tuple[str, ...] = (
    "measure_kind",
    "window_months",
    "rate_unit",
    "n_cases",
    "n_used",
    "member_months_before",
    "member_months_after",
    "total_before",
    "total_after",
    "rate_before",
    "rate_after",
    "pct_change",
    "suppressed",
)


def _plan_starts(clean: CaseData, as_of: dt.date | None) -> pl.LazyFrame:
    """``case_id, plan_on``: the first goal's ``set_on`` (the start of the "after")."""
    goals = sheet(clean, "goals", ["case_id", "set_on"]).filter(pl.col("set_on").is_not_null())
    if as_of is not None:
        goals = goals.filter(pl.col("set_on") <= as_of)
    return goals.group_by("case_id").agg(plan_on=pl.col("set_on").min())


def utilisation_rates_lazy(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.LazyFrame:
    """The query behind :func:`utilisation_rates`, not yet collected (unsorted)."""
    clean = clean_data(data)
    pairs = _pairs(clean, as_of, measures).filter(pl.col("cat_kind").is_in(["count", "cost"]))
    cases = sheet(clean, "cases", ["case_id", "closed_on", ROW]).filter(pl.col("case_id").is_not_null())
    cases = cases.filter(pl.col(ROW) == pl.col(ROW).min().over("case_id")).select("case_id", "closed_on")
    closed = pl.col("closed_on").is_not_null()
    if as_of is not None:
        closed = closed & (pl.col("closed_on") <= as_of)
    end = (
        pl.when(closed)
        .then(pl.col("closed_on"))
        .otherwise(pl.lit(as_of, dtype=pl.Date) if as_of else pl.col("latest_on"))
    )
    w = pl.col("cat_window_months")
    months = (pl.col("after_to") - pl.col("after_from")).dt.total_days() / DAYS_PER_MONTH
    why = (
        pl.when(~pl.col("paired"))
        .then(pl.lit("no_pair"))
        .when(w.is_null() | (w <= 0))
        .then(pl.lit("no_window"))
        .when(pl.col("plan_on").is_null())
        .then(pl.lit("no_plan"))
        .when(pl.col("baseline_on") > pl.col("plan_on"))
        .then(pl.lit("baseline_after_plan_start"))
        .when((pl.col("latest_on") <= pl.col("plan_on")) | (pl.col("member_months_after") <= 0))
        .then(pl.lit("after_before_plan_start"))
    )
    return (
        pairs.join(_plan_starts(clean, as_of), on="case_id", how="left")
        .join(cases, on="case_id", how="left")
        .with_columns(
            measure_kind=pl.col("cat_kind"),
            window_months=w,
            # calendar months back from the baseline (days for a fractional window)
            before_from=pl.when(w == w.round(0))
            .then(pl.col("baseline_on").dt.offset_by(pl.format("-{}mo", w.cast(pl.Int64))))
            .otherwise(pl.col("baseline_on") - pl.duration(days=(w * DAYS_PER_MONTH).round(0).cast(pl.Int64))),
            before_to=pl.col("baseline_on"),
            member_months_before=w,
            before=pl.col("baseline"),
            after_from=pl.col("plan_on"),
            after_to=end,
            after=pl.col("latest"),
        )
        .with_columns(member_months_after=months.clip(lower_bound=0))
        .with_columns(not_used_because=why)
        .with_columns(
            used=pl.col("not_used_because").is_null(),
            rate_before=pl.col("before") / w,
            rate_after=pl.col("after") / w,
        )
        .select(RATE_COLUMNS)
    )


def utilisation_rates(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.DataFrame:
    """Per case and utilisation measure with a look-back window (``window_months`` in the
    measures catalogue: ED visits, admissions, cost), the two stated, non-overlapping
    windows and the rate per member-month in each, sorted by case and measure.

    - **before**: the baseline's own look-back, ``before_from`` (baseline date minus
      ``window_months`` calendar months) to ``before_to`` (the baseline date): ``member_months_before`` =
      ``window_months``, ``rate_before = before / window_months``;
    - **after**: from the first goal's ``set_on`` (``after_from``: the plan starts) to the
      closing date, or ``as_of`` for an open case (``after_to``); ``member_months_after``
      = days / 30.4375 (partial months count as fractions); ``rate_after = after /
      window_months`` (the latest value spread evenly over its look-back).

    ``used`` is false, with the reason in ``not_used_because`` (:data:`NOT_USED`), when
    there is no pair, no window, no plan, a baseline dated after the plan started (the
    windows would overlap) or no value after the plan started.

    Examples
    --------
    >>> import datetime as dt
    >>> from casekit.data import CaseData
    >>> D = dt.date
    >>> cases = pl.DataFrame({"case_id": ["A"], "opened_on": [D(2026, 1, 2)], "closed_on": [D(2026, 4, 11)]})
    >>> goals = pl.DataFrame({"case_id": ["A"], "set_on": [D(2026, 1, 11)]})
    >>> outcomes = pl.DataFrame({"case_id": ["A", "A"], "domain": ["utilization"] * 2,
    ...     "measure": ["ed_visits_6m"] * 2, "measured_on": [D(2026, 1, 5), D(2026, 4, 10)],
    ...     "value": [6.0, 3.0], "timepoint": ["baseline", "discharge"], "higher_is_better": [False] * 2})
    >>> r = utilisation_rates(CaseData({"cases": cases, "goals": goals, "outcomes": outcomes})).row(0, named=True)
    >>> r["before_from"], r["before_to"], r["after_from"], r["after_to"]
    (datetime.date(2025, 7, 5), datetime.date(2026, 1, 5), datetime.date(2026, 1, 11), datetime.date(2026, 4, 11))
    >>> r["rate_before"], r["rate_after"], round(r["member_months_after"], 3), r["used"]
    (1.0, 0.5, 2.957, True)
    """
    view, keys = coded(clean_data(data)), ["case_id", "measure"]  # the case index (issue 18)
    return to_text(view, utilisation_rates_lazy(view, as_of=as_of, measures=measures).sort(keys).collect(), sort=keys)


def utilisation_rate_summary(
    data: CaseData | ValidationResult,
    by: Sequence[str] = (),
    *,
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
    as_of: dt.date | None = None,
    rates: pl.DataFrame | None = None,
    scores: pl.DataFrame | None = None,
    model: RiskModel | str | Path | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
    lang: str | None = None,
) -> pl.DataFrame:
    """Exposure-normalised utilisation before and after, per ``domain, measure`` (and
    ``by``): ED visits and admissions **per 1,000 member-months**, cost **per member per
    month** (PMPM); small cells suppressed (``for_sharing=False``: real counts).

    Over the cases ``used`` in :func:`utilisation_rates`: ``member_months_before/after``
    (sums), ``total_before`` (visits or cost in the before windows), ``total_after``
    (each case's after rate × its after member-months), ``rate_before = total_before /
    member_months_before`` and ``rate_after`` likewise (× 1,000 for counts;
    ``rate_unit`` says which), ``pct_change = rate_after / rate_before - 1``. ``n_cases``:
    cases with the measure; ``n_used``: of them, cases in the rates.

    Read every before/after figure with the regression-to-the-mean caveat
    (:func:`rtm_caveat`): clients are enrolled when their use peaks.

    >>> from casekit.sample import SAMPLE_AS_OF, make_sample
    >>> s = utilisation_rate_summary(make_sample(600, seed=3), as_of=SAMPLE_AS_OF)
    >>> dict(s.select("measure", "rate_unit").rows())["monthly_cost"], s["measure"].to_list()
    ('per_member_month', ['admissions_12m', 'ed_visits_6m', 'monthly_cost'])
    """
    by = [b for b in check_groupings(by, lang) if b not in ("domain", "measure")]
    keys = ["domain", "measure", *by]
    clean, given = coded_with(clean_data(data), rates)  # the case index (issue 18)
    if given is None:  # sorted, summed in-memory in that order: the same bits run after run
        given = utilisation_rates_lazy(clean, as_of=as_of, measures=measures).sort("case_id", "measure")
    frame = with_groupings(given, clean, keys, as_of=as_of, scores=scores, model=model)
    rows = frame.collect(engine="in-memory").rechunk().lazy()

    def table_of(part: Sequence[str]) -> pl.DataFrame:
        return _rate_table(rows, list(part)).collect(engine="in-memory")

    derived = [
        c
        for c in RATE_SUMMARY_COLUMNS
        if c not in ("measure_kind", "window_months", "rate_unit", "n_cases", "n_used", "suppressed")
    ]
    # the cases in the rates are a count within the cases with the measure (the others are
    # n_cases - n_used); the same measures grouped by part of ``by`` can be downloaded beside
    # this table, and are blanked as one system (casekit.privacy)
    out = suppress_linked(
        table_of,
        keys,
        "n_cases",
        linked=[{"n_used": "n_cases", **dict.fromkeys(derived)}],
        fixed=keys[:2],
        min_cell=min_cell,
        for_sharing=for_sharing,
    ).lazy()
    return out.sort([_order(c) for c in keys], nulls_last=True).select(*keys, *RATE_SUMMARY_COLUMNS).collect()


def _rate_table(frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """The exact rates per member-month of ``frame`` grouped by ``keys``."""
    used = pl.col("used")
    scale = pl.when(pl.col("measure_kind") == "count").then(1000.0).otherwise(1.0)
    return (
        frame.group_by(keys)
        .agg(
            pl.col("measure_kind").first(),
            pl.col("window_months").first(),
            pl.col("case_id").n_unique().cast(pl.Int64).alias("n_cases"),
            pl.col("case_id").filter(used).n_unique().cast(pl.Int64).alias("n_used"),
            pl.col("member_months_before").filter(used).sum().alias("member_months_before"),
            pl.col("member_months_after").filter(used).sum().alias("member_months_after"),
            pl.col("before").filter(used).sum().alias("total_before"),
            (pl.col("rate_after") * pl.col("member_months_after")).filter(used).sum().alias("total_after"),
        )
        .with_columns(
            rate_unit=pl.when(pl.col("measure_kind") == "count")
            .then(pl.lit("per_1000_member_months"))
            .otherwise(pl.lit("per_member_month")),
            rate_before=pl.when(pl.col("member_months_before") > 0).then(
                pl.col("total_before") / pl.col("member_months_before") * scale
            ),
            rate_after=pl.when(pl.col("member_months_after") > 0).then(
                pl.col("total_after") / pl.col("member_months_after") * scale
            ),
        )
        .with_columns(
            pct_change=pl.when(pl.col("rate_before") > 0).then(pl.col("rate_after") / pl.col("rate_before") - 1),
        )
    )


def rtm_caveat(lang: str | None = None) -> str:
    """The regression-to-the-mean caveat that goes beside every before/after figure
    (app, report, docs), in ``lang``.

    >>> rtm_caveat("en").startswith("Caution — regression to the mean")
    True
    """
    return t("outcomes.rtm_caveat", lang)


#: Columns that hold a before/after figure of a measure or its change (a suffix ``_a`` /
#: ``_b`` marks the cohorts of an A-vs-B comparison).
BEFORE_AFTER_COLUMNS: tuple[str, ...] = (
    "baseline",
    "latest",
    "change",
    "mean_baseline",
    "mean_latest",
    "mean_change",
    "sum_baseline",
    "sum_latest",
    "pct_change",
    "total_before",
    "total_after",
    "rate_before",
    "rate_after",
)


def needs_rtm_caveat(
    table: pl.DataFrame, *, measure: str | None = None, measures: MeasureCatalogue | str | Path | None = None
) -> bool:
    """Whether ``table`` shows a before/after figure of utilisation or cost, so that the
    regression-to-the-mean caveat (:func:`rtm_caveat`) goes beside it: the one rule every
    screen, report sheet and summary applies (issue 17).

    True when a column of :data:`BEFORE_AFTER_COLUMNS` (or one suffixed ``_a``/``_b``)
    holds a value, and the rows are of a utilisation domain (:data:`UTILISATION_DOMAINS`)
    by their ``domain`` column, else by their ``measure`` column or the ``measure`` the
    table is about, looked up in the measures catalogue. A client's income
    (``financial``) and clinical scores are left out: their "before" is not chosen at a
    peak of use.

    >>> rates = pl.DataFrame({"measure": ["ed_visits_6m"], "rate_before": [120.0], "rate_after": [60.0]})
    >>> needs_rtm_caveat(rates), needs_rtm_caveat(rates.with_columns(measure=pl.lit("PHQ-9")))
    (True, False)
    >>> income = pl.DataFrame({"domain": ["financial"], "mean_baseline": [800.0], "mean_latest": [1200.0]})
    >>> needs_rtm_caveat(income), needs_rtm_caveat(pl.DataFrame({"mean_change": [-0.4]}), measure="admissions_12m")
    (False, True)
    >>> blanked = pl.DataFrame({"domain": ["utilization"], "mean_change": [None]})
    >>> blanked = blanked.cast({"mean_change": pl.Float64})
    >>> needs_rtm_caveat(blanked)
    False
    """
    figures = [
        c
        for c in table.columns
        if c.removesuffix("_a").removesuffix("_b") in BEFORE_AFTER_COLUMNS and table[c].null_count() < table.height
    ]
    if not figures:
        return False
    if "domain" in table.columns:
        return bool(table["domain"].is_in(UTILISATION_DOMAINS).any())
    names = table["measure"].drop_nulls().unique().to_list() if "measure" in table.columns else []
    if measure is not None:
        names.append(measure)
    catalogue = load_measures(measures)
    return any((found := catalogue.get(str(n))) is not None and found.domain in UTILISATION_DOMAINS for n in names)
