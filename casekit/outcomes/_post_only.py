"""Post-only measures: measured once, after care (satisfaction at discharge, e.g. CSQ-8).

They have no baseline, so no change: each case counts with its last follow-up or
discharge value of the measure (ties on the date: the lower spreadsheet row). Per
measure (and ``by``): ``n_cases``, ``mean``, ``sd``, ``min``, ``p25``, ``median``,
``p75``, ``max`` — the distribution a satisfaction survey is reported with — small
cells suppressed. Which measures are post-only is the catalogue's ``post_only``
(:mod:`casekit.measures`).

Examples
--------
>>> import datetime as dt
>>> from casekit.data import CaseData
>>> ids = [f"C{i:02}" for i in range(11)]
>>> outcomes = pl.DataFrame({"case_id": ids, "domain": ["satisfaction"] * 11, "measure": ["CSQ-8"] * 11,
...     "measured_on": [dt.date(2026, 6, 1)] * 11, "value": [float(v) for v in range(20, 31)],
...     "timepoint": ["discharge"] * 11, "higher_is_better": [True] * 11})
>>> post_only_summary(CaseData({"outcomes": outcomes})).select("measure", "n_cases", "mean", "median", "max").rows()
[('CSQ-8', 11, 25.0, 25.0, 30.0)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from casekit._case_index import coded, to_text
from casekit._frames import clean_data
from casekit.contract import ROW
from casekit.data import CaseData, ValidationResult
from casekit.measures import MeasureCatalogue, load_measures
from casekit.outcomes._changes import LATER_TIMEPOINTS, outcome_rows
from casekit.outcomes._summary import check_groupings, with_groupings
from casekit.privacy import MIN_CELL, suppress_small_cells
from casekit.risk.model import RiskModel

__all__ = ["POST_ONLY_COLUMNS", "post_only_summary", "post_only_values"]

#: Value columns of :func:`post_only_summary`, after the grouping columns.
POST_ONLY_COLUMNS: tuple[str, ...] = (
    "n_cases",
    "mean",
    "sd",
    "min",
    "p25",
    "median",
    "p75",
    "max",
    "suppressed",
)


def post_only_values(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.DataFrame:
    """One row per case and post-only measure: ``case_id, domain, measure, measured_on,
    value`` (the last follow-up/discharge value), sorted by case and measure."""
    view, keys = coded(clean_data(data)), ["case_id", "measure"]  # the case index (issue 18)
    return to_text(view, _values(view, as_of, measures).sort(keys).collect(), sort=keys)


def _values(clean: CaseData, as_of: dt.date | None, measures: MeasureCatalogue | str | Path | None) -> pl.LazyFrame:
    rows = load_measures(measures).with_catalogue(outcome_rows(clean, as_of))
    key = pl.col("measured_on").cast(pl.Int64) * 2**32 + pl.col(ROW)
    return (
        rows.filter(
            pl.col("cat_post_only").fill_null(value=False)
            & pl.col("timepoint").is_in(LATER_TIMEPOINTS)
            & pl.col("measured_on").is_not_null()
            & pl.col("value").is_not_null()
        )
        .filter(key == key.max().over("case_id", "cat_name"))
        .select(
            "case_id", pl.col("cat_domain").alias("domain"), pl.col("cat_name").alias("measure"), "measured_on", "value"
        )
    )


def post_only_summary(
    data: CaseData | ValidationResult,
    by: Sequence[str] = (),
    *,
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
    as_of: dt.date | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
    scores: pl.DataFrame | None = None,
    model: RiskModel | str | Path | None = None,
    lang: str | None = None,
) -> pl.DataFrame:
    """Post-only measures per ``domain, measure`` (and ``by``, any of
    :data:`~casekit.outcomes.GROUPINGS`): ``n_cases, mean, sd, min, p25, median, p75,
    max, suppressed`` (a count of 1 to ``min_cell - 1`` blanks the row's values;
    ``for_sharing=False``: the team's own view, real counts).
    """
    by = [b for b in check_groupings(by, lang) if b not in ("domain", "measure")]
    keys = ["domain", "measure", *by]
    clean = coded(clean_data(data))  # the case index (issue 18)
    frame = with_groupings(_values(clean, as_of, measures), clean, keys, as_of=as_of, scores=scores, model=model)
    v = pl.col("value")
    out = frame.group_by(keys).agg(
        pl.col("case_id").n_unique().cast(pl.Int64).alias("n_cases"),
        v.mean().alias("mean"),
        v.std().alias("sd"),
        v.min().alias("min"),
        v.quantile(0.25, interpolation="linear").alias("p25"),
        v.median().alias("median"),
        v.quantile(0.75, interpolation="linear").alias("p75"),
        v.max().alias("max"),
    )
    values = [c for c in POST_ONLY_COLUMNS if c not in ("n_cases", "suppressed")]
    out = suppress_small_cells(out, "n_cases", derived_cols=values, min_cell=min_cell, for_sharing=for_sharing)
    return out.sort(keys, nulls_last=True).select(*keys, *POST_ONLY_COLUMNS).collect()
