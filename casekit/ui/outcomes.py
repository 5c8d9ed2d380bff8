"""Computations of the Outcomes screen (stage 9), pure polars, no Streamlit.

The figures themselves come from :func:`casekit.outcomes.outcome_summary` and
:func:`casekit.outcomes.utilisation_summary`; this module only picks rows (the
satisfaction measures, the headline utilisation changes) and prepares a summary for the
screen's tables, which :func:`casekit.present.readable` writes the way a person reads it.

Examples
--------
>>> s = pl.DataFrame({"domain": ["clinical", "satisfaction"], "measure": ["PHQ-9", "CSQ-8"],
...     "n_pairs": [40, 12], "pct_improved": [0.5, 0.25], "suppressed": [False, False]})
>>> satisfaction(s)["measure"].to_list()
['CSQ-8']
>>> shown(s, "en").columns
['domain', 'measure', 'n_pairs', 'pct_improved', 'suppressed']
"""

from __future__ import annotations

import polars as pl

from casekit.i18n import t
from casekit.outcomes import GROUPINGS
from casekit.privacy import MIN_CELL

__all__ = [
    "DEFAULT_GROUPING",
    "GROUPINGS",
    "PERCENT_COLUMNS",
    "SATISFACTION",
    "satisfaction",
    "shown",
    "suppression_range",
    "utilisation_headlines",
]

#: The grouping the summary table starts with.
DEFAULT_GROUPING: tuple[str, ...] = ("domain", "measure")
#: The outcome domain of client satisfaction.
SATISFACTION = "satisfaction"
#: Share columns (0–1) shown as percentages.
PERCENT_COLUMNS: tuple[str, ...] = (
    "pct_improved",
    "pct_improved_any",
    "pct_worsened",
    "pct_unchanged",
    "pct_response",
    "pct_remission",
    "pct_change",
)
#: Means of values: null for every row when the groups mix measures (dropped from display).
_ONE_MEASURE = (
    "mean_baseline",
    "mean_latest",
    "mean_change",
    "ci_low",
    "ci_high",
    "sd_change",
    "mcid",
    "effect_size",
    "sum_baseline",
    "sum_latest",
    "pct_response",
    "pct_remission",
)
#: Measures with a label of their own (the chart texts); others are shown as written.


def suppression_range(min_cell: int = MIN_CELL) -> tuple[int, int]:
    """The counts that are blanked: 1 to ``min_cell - 1`` (1–10 by default).

    >>> suppression_range()
    (1, 10)
    """
    return 1, min_cell - 1


def satisfaction(summary: pl.DataFrame) -> pl.DataFrame:
    """The satisfaction-domain rows of a summary grouped by domain (and measure), e.g. of
    :func:`casekit.outcomes.post_only_summary` (satisfaction is measured once, at discharge)."""
    if "domain" not in summary.columns:
        return summary.clear()
    return summary.filter(pl.col("domain") == SATISFACTION)


def utilisation_headlines(summary: pl.DataFrame) -> pl.DataFrame:
    """One row per utilisation or cost measure of ``utilisation_summary``: ``measure,
    mean_baseline, mean_latest, pct_change, n_pairs, suppressed`` (cost first, then
    admissions and ED visits: what a payer asks about first).

    >>> u = pl.DataFrame({"domain": ["utilization", "financial"], "measure": ["ed_visits_6m", "monthly_cost"],
    ...     "mean_baseline": [2.0, 900.0], "mean_latest": [1.5, 800.0], "pct_change": [-0.25, -0.11],
    ...     "n_pairs": [40, 30], "suppressed": [False, False]})
    >>> utilisation_headlines(u)["measure"].to_list()
    ['monthly_cost', 'ed_visits_6m']
    """
    order = {"monthly_cost": 0, "admissions_12m": 1, "ed_visits_6m": 2}
    cols = ["measure", "mean_baseline", "mean_latest", "pct_change", "n_pairs", "suppressed"]
    return summary.sort(
        pl.col("measure").replace_strict(order, default=len(order), return_dtype=pl.Int64), "measure"
    ).select(c for c in cols if c in summary.columns)


def shown(summary: pl.DataFrame, lang: str) -> pl.DataFrame:
    """A summary ready for :func:`casekit.ui.widgets.table` (``screen="ui_outcomes"``), ids
    kept: the means that are empty on every row (groups mixing measures) are left out, and
    an empty group value reads "(blank)"; labels, percentages and numbers come from
    :func:`casekit.present.readable`.

    >>> s = pl.DataFrame({"effective_tier": ["high", None], "mean_change": [None, None], "n_pairs": [12, 3]})
    >>> shown(s, "es").rows()
    [('high', 12), ('(en blanco)', 3)]
    """
    if summary.height:
        empty = [c for c in _ONE_MEASURE if c in summary.columns and summary[c].null_count() == summary.height]
        summary = summary.drop(empty)
    blank = t("ui_outcomes.blank", lang)
    groups = [c for c in summary.columns if c in GROUPINGS]
    return summary.with_columns(pl.col(c).cast(pl.String).fill_null(blank) for c in groups)
