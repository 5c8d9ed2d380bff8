"""Computations of the Outcomes screen (stage 9), pure polars, no Streamlit.

The figures themselves come from :func:`casekit.outcomes.outcome_summary` and
:func:`casekit.outcomes.utilisation_summary`; this module only picks rows (the
satisfaction measures, the headline utilisation changes) and writes a summary the way a
person reads it (labels for ids, shares as percentages, headers in the user's language).

Examples
--------
>>> s = pl.DataFrame({"domain": ["clinical", "satisfaction"], "measure": ["PHQ-9", "CSQ-8"],
...     "n_pairs": [40, 12], "pct_improved": [0.5, 0.25], "suppressed": [False, False]})
>>> satisfaction(s)["measure"].to_list()
['CSQ-8']
>>> readable(s, "en").columns
['Domain', 'Measure', 'Pairs', '% improved', 'Suppressed']
>>> readable(s, "en")["% improved"].to_list()
[50.0, 25.0]
"""

from __future__ import annotations

import polars as pl

from casekit.contract import VOCABS
from casekit.i18n import catalog, t
from casekit.outcomes import GROUPINGS
from casekit.present import header, vocabulary
from casekit.privacy import MIN_CELL

__all__ = [
    "DEFAULT_GROUPING",
    "GROUPINGS",
    "PERCENT_COLUMNS",
    "SATISFACTION",
    "grouping_label",
    "hidden_by_privacy",
    "readable",
    "satisfaction",
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
_VOCAB_OF = {"domain": "outcome_domain", "effective_tier": "tier", "sex": "sex"}
#: Columns whose ids are labelled from casekit.present's vocabularies.
_CATALOGUE_VOCAB = ("rate_unit", "measure_kind", "not_used_because")
#: Measures with a label of their own (the chart texts); others are shown as written.
_KNOWN_MEASURES = ("ed_visits_6m", "admissions_12m", "monthly_cost", "systolic_bp", "barthel_index", "knowledge_score")


def grouping_label(grouping: str, lang: str) -> str:
    """Label of a grouping column (``domain``, ``effective_tier``…) in ``lang``.

    >>> grouping_label("effective_tier", "es")
    'Nivel de riesgo'
    """
    return t(f"ui_outcomes.col_{grouping}", lang)


def suppression_range(min_cell: int = MIN_CELL) -> tuple[int, int]:
    """The counts that are blanked: 1 to ``min_cell - 1`` (1–10 by default).

    >>> suppression_range()
    (1, 10)
    """
    return 1, min_cell - 1


def hidden_by_privacy(summary: pl.DataFrame) -> bool:
    """Whether some of a summary's groups were blanked (so an empty chart means "too few
    cases to show", not "nothing recorded").

    >>> hidden_by_privacy(pl.DataFrame({"suppressed": [True, False]})), hidden_by_privacy(pl.DataFrame())
    (True, False)
    """
    return "suppressed" in summary.columns and bool(summary["suppressed"].any())


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


def measure_names(lang: str) -> dict[str, str]:
    """``{measure: label}`` of the measures casekit knows by name (others stay as written)."""
    return {m: t(f"charts.measure_{m}", lang) for m in _KNOWN_MEASURES}


def readable(summary: pl.DataFrame, lang: str) -> pl.DataFrame:
    """A summary as a person reads it: ids → labels, shares 0–1 → percentages rounded to
    0.1, means to 0.01, yes/no, headers in ``lang`` (blanked cells stay empty). Means
    that are empty on every row (groups mixing measures) are left out.

    >>> s = pl.DataFrame({"effective_tier": ["high", None], "mean_change": [-1.234, None], "suppressed": [False, True]})
    >>> readable(s, "es").rows()
    [('Alto', -1.23, 'no'), ('(en blanco)', None, 'sí')]
    """
    blank = t("ui_outcomes.blank", lang)
    yes, no = t("common.yes", lang), t("common.no", lang)
    if summary.height:
        empty = [c for c in _ONE_MEASURE if c in summary.columns and summary[c].null_count() == summary.height]
        summary = summary.drop(empty)
    exprs = []
    for col in summary.columns:
        c = pl.col(col)
        if col in _VOCAB_OF:
            names = {k: v(lang) for k, v in VOCABS[_VOCAB_OF[col]].items()}
            exprs.append(c.replace(names).fill_null(blank))
        elif col in _CATALOGUE_VOCAB:
            exprs.append(c.replace(vocabulary(col, lang)))
        elif col == "measure":
            exprs.append(c.replace(measure_names(lang)).fill_null(blank))
        elif col in GROUPINGS:
            exprs.append(c.cast(pl.String).fill_null(blank))
        elif col in PERCENT_COLUMNS:
            exprs.append((c * 100).round(1))
        elif summary.schema[col] == pl.Boolean:
            exprs.append(pl.when(c).then(pl.lit(yes)).when(~c).then(pl.lit(no)).alias(col))
        elif summary.schema[col].is_float():
            exprs.append(c.round(2))
        else:
            exprs.append(c)
    return summary.select(exprs).rename({col: _header(col, lang) for col in summary.columns})


def _header(col: str, lang: str) -> str:
    """The screen's own header of ``col``, else the one catalogue's (``locales/columns.toml``)."""
    key = f"ui_outcomes.col_{col}"
    return t(key, lang) if key in catalog() else header(col, lang)
