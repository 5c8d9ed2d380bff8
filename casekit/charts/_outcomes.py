"""Outcome charts: baseline → latest by domain and measure, % improved by tier, utilisation before/after.

They take the frames of :mod:`casekit.outcomes` (``outcome_changes``,
``outcome_summary``, ``utilisation_changes``/``utilisation_summary``); per-case frames
are averaged here, in polars, so only one row per measure reaches the chart.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from casekit.charts._base import (
    NEUTRAL,
    OKABE_ITO,
    ROW_HEIGHT,
    TIER_COLORS,
    WIDTH,
    color_scale,
    empty_chart,
    finish,
    label_expr,
    text,
)
from casekit.present import vocabulary
from casekit.risk import TIERS

__all__ = ["improved_by_tier_chart", "outcomes_chart", "utilisation_chart"]

_TIER_COLUMNS = ("effective_tier", "tier", "computed_tier")


def _row_label(df: pl.DataFrame, lang: str | None) -> pl.Expr:
    parts: list[pl.Expr] = []
    if "domain" in df.columns:
        parts.append(label_expr("domain", vocabulary("outcome_domain", lang), lang))
    if "measure" in df.columns:
        parts.append(label_expr("measure", vocabulary("measure", lang), lang))
    if not parts:
        return pl.lit(text("group_all", lang))
    return pl.concat_str(parts, separator=" · ")


def _by_measure(changes: pl.DataFrame) -> pl.DataFrame:
    """Means of paired per-case changes by domain and measure (the summary's columns,
    shares 0–1; no small-cell suppression: use ``outcome_summary`` for that)."""
    keys = [c for c in ("domain", "measure") if c in changes.columns]
    paired = pl.col("baseline").is_not_null() & pl.col("latest").is_not_null() & pl.col("change").is_not_null()
    # beyond the MCID where the measures catalogue has one (outcome_changes' ``improved``)
    improved = pl.col("improved") if "improved" in changes.columns else pl.col("direction") == "improved"
    return (
        changes.lazy()
        .group_by(keys)
        .agg(
            pl.col("case_id").n_unique().cast(pl.Int64).alias("n_cases"),
            paired.sum().cast(pl.Int64).alias("n_paired"),
            pl.col("baseline").filter(paired).mean().alias("mean_baseline"),
            pl.col("latest").filter(paired).mean().alias("mean_latest"),
            pl.col("change").filter(paired).mean().alias("mean_change"),
            improved.fill_null(value=False).filter(paired).mean().alias("pct_improved"),
            (pl.col("direction") == "worsened").filter(paired).mean().alias("pct_worsened"),
        )
        .sort(keys)
        .collect()
    )


def outcomes_chart(outcomes: pl.DataFrame, *, lang: str | None = None) -> alt.FacetChart | alt.Chart:
    """Outcomes baseline → latest: a dumbbell per domain and measure (grey baseline mean,
    blue latest mean, joined by a line), one row per measure with its own scale
    (measures have different units; every scale starts at zero, so a small change
    looks small).

    ``outcomes`` is ``outcome_changes`` (averaged here over the cases with a pair) or
    ``outcome_summary`` grouped by domain and/or measure.

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> changes = pl.DataFrame({"case_id": ["A", "B", "C"], "domain": ["clinical"] * 3, "measure": ["PHQ-9"] * 3,
    ...     "baseline": [12.0, 8.0, 5.0], "latest": [6.0, 10.0, None], "change": [-6.0, 2.0, None],
    ...     "direction": ["improved", "worsened", None]})
    >>> chart_data(outcomes_chart(changes, lang="en")).select("label", "n_paired", "when", "mean").rows()
    [('Clinical · PHQ-9', 2, 'Baseline', 10.0), ('Clinical · PHQ-9', 2, 'Latest', 8.0)]
    """
    title = text("outcomes_title", lang)
    frame = (
        outcomes if "mean_baseline" in outcomes.columns else (_by_measure(outcomes) if outcomes.height else outcomes)
    )
    if frame.height == 0 or "mean_baseline" not in frame.columns:
        return empty_chart("outcomes", title, text("empty_outcomes", lang))
    frame = frame.with_columns(_row_label(frame, lang).alias("label"))
    hidden = frame.filter(pl.col("suppressed"))["label"].to_list() if "suppressed" in frame.columns else []
    frame = frame.filter(pl.col("mean_baseline").is_not_null() & pl.col("mean_latest").is_not_null())
    if frame.height == 0:
        return empty_chart("outcomes", title, text("empty_outcomes", lang))
    extra = [
        c for c in ("n_paired", "mean_change", "pct_improved", "pct_worsened", "effect_size") if c in frame.columns
    ]
    df = frame.select("label", "mean_baseline", "mean_latest", *extra)
    baseline, latest = text("baseline", lang), text("latest", lang)
    points = df.unpivot(index=["label"], on=["mean_baseline", "mean_latest"], variable_name="when", value_name="mean")
    points = points.with_columns(
        pl.col("when").replace_strict({"mean_baseline": baseline, "mean_latest": latest}).alias("when")
    )
    df = df.join(points, on="label", how="left")
    formats = {
        "n_paired": ",",
        "mean_change": ".2f",
        "pct_improved": ".1%",
        "pct_worsened": ".1%",
        "effect_size": ".2f",
    }
    tooltip = [
        alt.Tooltip("label:N", title=text("tt_measure", lang)),
        alt.Tooltip("mean_baseline:Q", title=baseline, format=".2f"),
        alt.Tooltip("mean_latest:Q", title=latest, format=".2f"),
        *[alt.Tooltip(f"{c}:Q", title=text(f"tt_{c}", lang), format=formats[c]) for c in extra],
    ]
    rule = (
        alt.Chart()
        .mark_rule(color=NEUTRAL, strokeWidth=2)
        .encode(x=alt.X("mean_baseline:Q", title=None, scale=alt.Scale(zero=True)), x2="mean_latest:Q", tooltip=tooltip)
    )
    dots = (
        alt.Chart()
        .mark_point(filled=True, size=90, opacity=1)
        .encode(
            x=alt.X("mean:Q", title=None, scale=alt.Scale(zero=True)),
            color=alt.Color(
                "when:N",
                scale=alt.Scale(domain=[baseline, latest], range=[NEUTRAL, OKABE_ITO["blue"]]),
                title=None,
            ),
            tooltip=tooltip,
        )
    )
    rows = df["label"].unique(maintain_order=True).to_list()
    chart = (
        alt.layer(rule, dots, data=df)
        .properties(width=WIDTH, height=ROW_HEIGHT)
        .facet(row=alt.Row("label:N", sort=rows, title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .resolve_scale(x="independent")
    )
    subtitle = [text("outcomes_subtitle", lang)]
    if hidden:
        subtitle.append(text("suppressed_note", lang, groups=", ".join(hidden)))
    return finish(chart, "outcomes", title, subtitle)


def improved_by_tier_chart(summary: pl.DataFrame, *, lang: str | None = None) -> alt.LayerChart | alt.Chart:
    """% of paired measures that improved, by risk tier (bars in the tier colours).

    ``summary`` is ``outcome_summary(data, by=["effective_tier"])`` (shares 0–1),
    or with ``domain`` too: then one group of bars per domain. Tiers without pairs and
    suppressed cells are left out (the subtitle names the suppressed ones).

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> s = pl.DataFrame({"effective_tier": ["low", "high"], "n_pairs": [10, 4], "pct_improved": [0.6, 0.25]})
    >>> chart_data(improved_by_tier_chart(s)).select("tier", "pct_improved").rows()
    [('low', 0.6), ('high', 0.25)]
    """
    title = text("improved_by_tier_title", lang)
    tier_col = next((c for c in _TIER_COLUMNS if c in summary.columns), None)
    if tier_col is None or "pct_improved" not in summary.columns or summary.height == 0:
        return empty_chart("improved_by_tier", title, text("empty_outcomes", lang))
    by_domain = "domain" in summary.columns
    names = vocabulary("tier", lang)
    domains = vocabulary("outcome_domain", lang)
    frame = summary.with_columns(
        label_expr(tier_col, names, lang).alias("tier_label"),
        *([label_expr("domain", domains, lang).alias("domain_label")] if by_domain else []),
    )
    hidden_rows = frame.filter(pl.col("suppressed")) if "suppressed" in frame.columns else frame.clear()
    hidden = (
        hidden_rows.select(
            pl.concat_str(["domain_label", "tier_label"], separator=" · ") if by_domain else "tier_label"
        )
        .to_series()
        .to_list()
    )
    n_col = next((c for c in ("n_pairs", "n_paired") if c in frame.columns), None)
    df = frame.filter(pl.col("pct_improved").is_not_null() & pl.col(tier_col).is_not_null())
    if n_col:
        df = df.filter(pl.col(n_col) > 0)
    if df.height == 0:
        return empty_chart("improved_by_tier", title, text("empty_outcomes", lang))
    keep = [c for c in ("pct_worsened", "mean_change") if c in df.columns]
    df = (
        df.select(
            pl.col(tier_col).alias("tier"),
            "tier_label",
            *(["domain", "domain_label"] if by_domain else []),
            "pct_improved",
            *([pl.col(n_col).alias("n_pairs")] if n_col else []),
            *keep,
        )
        .with_columns(
            pl.col("tier")
            .replace_strict({t: i for i, t in enumerate(TIERS)}, default=9, return_dtype=pl.Int64)
            .alias("_o"),
        )
        .sort(["domain", "_o"] if by_domain else ["_o"])
        .drop("_o")
    )
    tier_sort = [names[t] for t in TIERS]
    formats = {"n_pairs": ",", "pct_worsened": ".1%", "mean_change": ".2f"}
    tooltip = [
        *([alt.Tooltip("domain_label:N", title=text("tt_domain", lang))] if by_domain else []),
        alt.Tooltip("tier_label:N", title=text("legend_tier", lang)),
        alt.Tooltip("pct_improved:Q", title=text("tt_pct_improved", lang), format=".1%"),
        *[
            alt.Tooltip(f"{c}:Q", title=text(f"tt_{c}", lang), format=formats[c])
            for c in (["n_pairs"] if n_col else []) + keep
        ],
    ]
    color = alt.Color("tier_label:N", scale=color_scale(TIERS, TIER_COLORS, names), title=text("legend_tier", lang))
    x = alt.X(
        "pct_improved:Q", title=text("tt_pct_improved", lang), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
    )
    if by_domain:
        order = df["domain_label"].unique(maintain_order=True).to_list()
        base = alt.Chart(df).encode(
            y=alt.Y("domain_label:N", sort=order, title=None),
            yOffset=alt.YOffset("tier_label:N", sort=tier_sort),
            x=x,
            tooltip=tooltip,
        )
        height = ROW_HEIGHT * len(order) * len(TIERS) // 2
    else:
        base = alt.Chart(df).encode(y=alt.Y("tier_label:N", sort=tier_sort, title=None), x=x, tooltip=tooltip)
        height = ROW_HEIGHT * 2 * df.height
    chart = alt.layer(
        base.mark_bar().encode(color=color),
        base.mark_text(align="left", dx=3, fontSize=10).encode(text=alt.Text("pct_improved:Q", format=".0%")),
    ).properties(width=WIDTH, height=height)
    subtitle = [text("improved_subtitle", lang)]
    if hidden:
        subtitle.append(text("suppressed_note", lang, groups=", ".join(hidden)))
    return finish(chart, "improved_by_tier", title, subtitle)


def utilisation_chart(utilisation: pl.DataFrame, *, lang: str | None = None) -> alt.FacetChart | alt.Chart:
    """Utilisation and cost before vs after: the mean per case, before (grey) and after
    (blue), one panel per measure (each with its own scale: visits and euros differ).

    ``utilisation`` is ``utilisation_summary`` (``measure, mean_baseline,
    mean_latest``…; suppressed measures are named in the subtitle) or
    ``utilisation_changes`` (``case_id, measure, baseline, latest``…; averaged here over
    the cases with both values, without small-cell suppression). ``mean_before`` /
    ``mean_after`` (and ``before`` / ``after``) are accepted for the means (and values).

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> u = pl.DataFrame({"case_id": ["A", "B", "C"], "measure": ["ed_visits_6m"] * 3,
    ...                   "baseline": [3.0, 1.0, 2.0], "latest": [1.0, 1.0, None]})
    >>> chart_data(utilisation_chart(u, lang="en")).select("measure", "when", "mean").rows()
    [('ed_visits_6m', 'Before', 2.0), ('ed_visits_6m', 'After', 1.0)]
    """
    title = text("utilisation_title", lang)
    aliases = {"mean_before": "mean_baseline", "mean_after": "mean_latest", "before": "baseline", "after": "latest"}
    frame = utilisation.rename(
        {k: v for k, v in aliases.items() if k in utilisation.columns and v not in utilisation.columns}
    )
    if "mean_baseline" not in frame.columns and {"measure", "baseline", "latest"} <= set(frame.columns):
        both = pl.col("baseline").is_not_null() & pl.col("latest").is_not_null()
        keys = [c for c in ("domain", "measure") if c in frame.columns]
        frame = (
            frame.lazy()
            .filter(both)
            .group_by(keys)
            .agg(
                pl.len().cast(pl.Int64).alias("n_pairs"),
                pl.col("baseline").mean().alias("mean_baseline"),
                pl.col("latest").mean().alias("mean_latest"),
                pl.col("baseline").sum().alias("sum_baseline"),
                pl.col("latest").sum().alias("sum_latest"),
            )
            .with_columns(
                pl.when(pl.col("sum_baseline") != 0)
                .then((pl.col("sum_latest") - pl.col("sum_baseline")) / pl.col("sum_baseline"))
                .alias("pct_change")
            )
            .sort(keys)
            .collect()
        )
    if frame.height == 0 or not {"measure", "mean_baseline", "mean_latest"} <= set(frame.columns):
        return empty_chart("utilisation", title, text("empty_utilisation", lang))
    measures = vocabulary("measure", lang)
    frame = frame.with_columns(label_expr("measure", measures, lang).alias("measure_label"))
    hidden = frame.filter(pl.col("suppressed"))["measure_label"].to_list() if "suppressed" in frame.columns else []
    frame = frame.filter(pl.col("mean_baseline").is_not_null() & pl.col("mean_latest").is_not_null())
    if frame.height == 0:
        return empty_chart("utilisation", title, text("empty_utilisation", lang))
    before, after = text("before", lang), text("after", lang)
    extra = [c for c in ("n_pairs", "sum_baseline", "sum_latest", "pct_change") if c in frame.columns]
    df = (
        frame.select("measure", "measure_label", "mean_baseline", "mean_latest", *extra)
        .unpivot(
            index=["measure", "measure_label", *extra],
            on=["mean_baseline", "mean_latest"],
            variable_name="when",
            value_name="mean",
        )
        .with_columns(pl.col("when").replace_strict({"mean_baseline": before, "mean_latest": after}))
        .sort("measure", pl.col("when") == after)
    )
    formats = {"n_pairs": ",", "sum_baseline": ",.0f", "sum_latest": ",.0f", "pct_change": "+.1%"}
    tooltip = [
        alt.Tooltip("measure_label:N", title=text("tt_measure", lang)),
        alt.Tooltip("when:N", title=text("tt_period", lang)),
        alt.Tooltip("mean:Q", title=text("tt_mean", lang), format=",.2f"),
        *[alt.Tooltip(f"{c}:Q", title=text(f"tt_{c}", lang), format=formats[c]) for c in extra],
    ]
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("when:N", sort=[before, after], title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mean:Q", title=text("tt_mean", lang)),
            color=alt.Color(
                "when:N", scale=alt.Scale(domain=[before, after], range=[NEUTRAL, OKABE_ITO["blue"]]), legend=None
            ),
            tooltip=tooltip,
        )
        .properties(width=110, height=200)
        .facet(
            column=alt.Column(
                "measure_label:N", title=None, sort=df["measure_label"].unique(maintain_order=True).to_list()
            )
        )
        .resolve_scale(y="independent")
    )
    subtitle = [text("utilisation_subtitle", lang)]
    if hidden:
        subtitle.append(text("suppressed_note", lang, groups=", ".join(hidden)))
    return finish(chart, "utilisation", title, subtitle)
