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

from casekit._frames import clean_data, sheet
from casekit.contract import ROW
from casekit.data import CaseData, ValidationResult
from casekit.measures import MeasureCatalogue
from casekit.outcomes._changes import CHANGE_COLUMNS, outcome_rows, pair_changes
from casekit.outcomes._summary import check_groupings, summarise_changes, with_groupings
from casekit.privacy import MIN_CELL
from casekit.risk.model import RiskModel

__all__ = ["ASSESSMENT_MEASURES", "UTILISATION_DOMAINS", "utilisation_changes", "utilisation_summary"]

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
    return utilisation_changes_lazy(data, as_of=as_of, measures=measures).sort("case_id", "measure").collect()


def utilisation_summary(
    data: CaseData | ValidationResult,
    by: Sequence[str] = (),
    *,
    min_cell: int = MIN_CELL,
    as_of: dt.date | None = None,
    changes: pl.DataFrame | None = None,
    scores: pl.DataFrame | None = None,
    model: RiskModel | str | Path | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
    lang: str | None = None,
) -> pl.DataFrame:
    """Utilisation and cost before vs after, per measure (and ``by``), small cells suppressed.

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
    clean = clean_data(data)
    frame = changes.lazy() if changes is not None else utilisation_changes_lazy(clean, as_of=as_of, measures=measures)
    frame = with_groupings(frame, clean, keys, as_of=as_of, scores=scores, model=model)
    return summarise_changes(frame, keys, min_cell=min_cell, totals=True, measures=measures).collect()
