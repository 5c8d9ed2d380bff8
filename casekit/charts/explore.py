"""Charts of the cohort explorer: a measure per group, and cohort A vs cohort B.

Both take the small tables of :mod:`casekit.cohort` (one row per group or per outcome
measure), never the cases themselves, and use the shared palette and :func:`finish`.

Examples
--------
>>> from casekit.charts import chart_data
>>> table = pl.DataFrame({"effective_tier": ["low", "high"], "n_cases": [30, 12], "n": [30, 12], "count": [30, 12]})
>>> chart = cohort_chart(table, by="effective_tier", measure="count", lang="en")
>>> chart.to_dict()["title"]["text"]
'Cases by risk tier'
>>> chart_data(chart)["label"].to_list()
['Low', 'High']
"""

from __future__ import annotations

import altair as alt
import polars as pl

from casekit.charts._base import (
    MAIN,
    OKABE_ITO,
    ROW_HEIGHT,
    TIER_COLORS,
    WIDTH,
    empty_chart,
    finish,
    label_expr,
)
from casekit.i18n import t
from casekit.present import column_labels, header, screen_headers

__all__ = [
    "COHORT_COLORS",
    "cohort_chart",
    "compare_chart",
    "grouping_label",
    "measure_format",
    "measure_label",
]

#: Colours of cohort A and cohort B (blue and orange of the palette).
COHORT_COLORS: dict[str, str] = {"A": OKABE_ITO["blue"], "B": OKABE_ITO["orange"]}
_FORMATS = {"count": ",", "share": ".1%", "median_days": ".1f", "pct_improved": ".1%", "mean_change": ".2f"}


def grouping_label(by: str, lang: str | None) -> str:
    """Label of a grouping of :data:`casekit.cohort.GROUP_BY` (``()``: the whole cohort).

    >>> grouping_label("age_band", "es")
    'Grupo de edad'
    """
    return t(f"cohort.by_{by or 'all'}", lang)


def measure_label(measure: str, lang: str | None) -> str:
    """Label of a measure of :data:`casekit.cohort.MEASURES`.

    >>> measure_label("pct_improved", "en")
    '% improved'
    """
    return t(f"cohort.measure_{measure}", lang)


def measure_format(measure: str) -> str:
    """d3 number format of a measure (shares as percentages)."""
    return _FORMATS.get(measure, ",.2f")


def _axis(measure: str) -> alt.Axis:
    """Percent ticks for shares; the default ticks otherwise (a "," format turns 100 into 1e+2)."""
    return alt.Axis(format=".0%") if measure in ("share", "pct_improved") else alt.Axis()


def cohort_chart(
    table: pl.DataFrame,
    *,
    by: str,
    measure: str,
    lang: str | None = None,
    subtitle: str | None = None,
) -> alt.LayerChart | alt.Chart:
    """Horizontal bars of ``measure`` per group of a :func:`casekit.cohort.group_measure`
    table grouped by one column ``by`` (groups in the table's order; tiers in their
    colours), the value printed at the end of each bar; tooltips with the group's cases
    and the cases behind the value. Groups without a value are left out; when none has
    one, the empty-state chart.
    """
    group = grouping_label(by, lang)
    title = t("cohort.chart_title", lang, measure=measure_label(measure, lang), by=group[:1].lower() + group[1:])
    df = table.filter(pl.col(measure).is_not_null())
    if df.height == 0:
        return empty_chart("cohort", title, t("cohort.chart_empty", lang))
    df = df.select(
        label_expr(by, column_labels(by, lang), lang).alias("label"),
        pl.col(by).cast(pl.String).alias("group"),
        pl.col("n_cases").cast(pl.Int64),
        pl.col("n").cast(pl.Int64),
        pl.col(measure).cast(pl.Float64).alias("value"),
    )
    color = (
        alt.Color(
            "group:N",
            scale=alt.Scale(domain=list(TIER_COLORS), range=list(TIER_COLORS.values())),
            legend=None,
        )
        if by == "effective_tier"
        else alt.value(MAIN)
    )
    fmt = measure_format(measure)
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=df["label"].to_list(), title=None),
        x=alt.X("value:Q", title=measure_label(measure, lang), axis=_axis(measure)),
        tooltip=[
            alt.Tooltip("label:N", title=grouping_label(by, lang)),
            alt.Tooltip("value:Q", title=measure_label(measure, lang), format=fmt),
            alt.Tooltip("n_cases:Q", title=header("n_cases", lang), format=","),
            alt.Tooltip("n:Q", title=screen_headers("ui_explore", ["n"], lang)["n"], format=","),
        ],
    )
    chart = alt.layer(
        base.mark_bar().encode(color=color),
        base.mark_text(align="left", dx=3, color="#333333").encode(text=alt.Text("value:Q", format=fmt)),
    ).properties(width=WIDTH, height=ROW_HEIGHT * max(df.height, 2))
    return finish(chart, "cohort", title, subtitle)


def compare_chart(
    outcomes: pl.DataFrame, *, measure: str = "pct_improved", lang: str | None = None
) -> alt.Chart | alt.LayerChart:
    """Cohort A and cohort B side by side, one pair of bars per outcome measure:
    ``measure`` is ``pct_improved`` or ``mean_change`` of a
    :attr:`casekit.cohort.CohortComparison.outcomes` table.

    >>> from casekit.charts import chart_data
    >>> out = pl.DataFrame({"measure": ["PHQ-9"], "n_paired_a": [40], "pct_improved_a": [0.6], "mean_change_a": [-3.0],
    ...                     "n_paired_b": [20], "pct_improved_b": [0.4], "mean_change_b": [-1.0]})
    >>> chart_data(compare_chart(out, lang="es")).select("cohort", "value").rows()
    [('A', 0.6), ('B', 0.4)]
    """
    title = t("cohort.compare_title", lang, measure=measure_label(measure, lang))
    long = pl.concat(
        [
            outcomes.select(
                "measure",
                pl.lit(side.upper()).alias("cohort"),
                pl.col(f"n_paired_{side}").cast(pl.Int64).alias("n"),
                pl.col(f"{measure}_{side}").cast(pl.Float64).alias("value"),
            )
            for side in ("a", "b")
        ]
    ).filter(pl.col("value").is_not_null())
    if long.height == 0:
        return empty_chart("compare", title, t("cohort.compare_empty", lang))
    fmt = measure_format(measure)
    legend = t("cohort.legend_cohort", lang)
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None, sort=outcomes["measure"].to_list()),
            yOffset=alt.YOffset("cohort:N", sort=["A", "B"]),
            x=alt.X("value:Q", title=measure_label(measure, lang), axis=_axis(measure)),
            color=alt.Color(
                "cohort:N",
                scale=alt.Scale(domain=list(COHORT_COLORS), range=list(COHORT_COLORS.values())),
                title=legend,
            ),
            tooltip=[
                alt.Tooltip("measure:N", title=header("measure", lang)),
                alt.Tooltip("cohort:N", title=legend),
                alt.Tooltip("value:Q", title=measure_label(measure, lang), format=fmt),
                alt.Tooltip("n:Q", title=header("n_paired", lang), format=","),
            ],
        )
        .properties(width=WIDTH, height=ROW_HEIGHT * 2 * outcomes.height)
    )
    return finish(chart, "compare", title, t("cohort.compare_subtitle", lang))
