"""Risk charts: tier distribution, one client's factor contributions, fairness view."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from casekit.charts._base import (
    MAIN,
    NEUTRAL,
    ROW_HEIGHT,
    TIER_COLORS,
    WIDTH,
    color_scale,
    empty_chart,
    finish,
    label_expr,
    text,
)
from casekit.present import format_number, number_expr, vocabulary
from casekit.risk import TIERS, RiskModel, load_model

__all__ = ["factors_chart", "fairness_chart", "tier_chart"]

_TIER_ORDER = {t: i for i, t in enumerate(TIERS, start=1)}


def tier_chart(
    scores: pl.DataFrame, *, lang: str | None = None, tier: str = "effective_tier"
) -> alt.LayerChart | alt.Chart:
    """Risk tier distribution: cases per tier (bars in the tier colours) and their share.

    ``scores`` is a :func:`~casekit.risk.score_risk` or
    :func:`~casekit.stages.case_status` frame; ``tier`` the column shown
    (``effective_tier``, after reviews, or ``computed_tier``). Cases without a tier
    (not assessed) are left out of the bars and counted in the subtitle; shares are
    over the cases with a tier.

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> scores = pl.DataFrame({"effective_tier": ["low", "high", "high", None]})
    >>> chart_data(tier_chart(scores)).select("tier", "cases", "share").rows()
    [('low', 1, 0.3333333333333333), ('moderate', 0, 0.0), ('high', 2, 0.6666666666666666)]
    """
    title = text("tier_title", lang)
    tiers = pl.DataFrame({"tier": list(TIERS), "tier_order": list(range(1, len(TIERS) + 1))})
    extra = [pl.col("provisional").sum().cast(pl.Int64).alias("provisional")] if "provisional" in scores.columns else []
    counts = (
        scores.lazy()
        .filter(pl.col(tier).is_not_null())
        .group_by(pl.col(tier).alias("tier"))
        .agg(pl.len().cast(pl.Int64).alias("cases"), *extra)
        .collect()
    )
    untiered = scores.height - int(counts["cases"].sum())
    if counts.height == 0:
        return empty_chart("tier", title, text("empty_tiers", lang))
    names = vocabulary("tier", lang)
    df = (
        tiers.join(counts, on="tier", how="left")
        .with_columns(pl.col("cases").fill_null(0), *[pl.col(c).fill_null(0) for c in ("provisional",) if extra])
        .with_columns(
            (pl.col("cases") / pl.col("cases").sum()).alias("share"), label_expr("tier", names, lang).alias("label")
        )
        .sort("tier_order")
    )
    tooltip = [
        alt.Tooltip("label:N", title=text("legend_tier", lang)),
        alt.Tooltip("cases:Q", title=text("tt_cases", lang), format=","),
        alt.Tooltip("share:Q", title=text("tt_share", lang), format=".1%"),
    ]
    if extra:
        tooltip.append(alt.Tooltip("provisional:Q", title=text("tt_provisional", lang), format=","))
    base = alt.Chart(df).encode(
        x=alt.X(
            "label:N", sort=[names[t] for t in TIERS], title=text("legend_tier", lang), axis=alt.Axis(labelAngle=0)
        ),
        y=alt.Y("cases:Q", title=text("axis_cases", lang)),
        tooltip=tooltip,
    )
    chart = alt.layer(
        base.mark_bar().encode(color=alt.Color("label:N", scale=color_scale(TIERS, TIER_COLORS, names), legend=None)),
        base.mark_text(baseline="bottom", dy=-3).encode(text=alt.Text("share:Q", format=".0%")),
    ).properties(width=WIDTH * 2 // 3, height=260)
    subtitle = text("tier_subtitle_untiered", lang, n=format_number(untiered, lang)) if untiered else None
    return finish(chart, "tier", title, subtitle)


def factors_chart(
    scores: pl.DataFrame, case_id: str, *, model: RiskModel | None = None, lang: str | None = None
) -> alt.LayerChart | alt.Chart:
    """One client's risk factors: the points each factor adds (bars in the tier's colour);
    factors without data are marked as missing; red flags are named in the subtitle.

    ``scores`` is a :func:`~casekit.risk.score_risk` frame (its ``pts_<factor>``
    columns); ``model`` gives the factor labels (the default model when ``None``).

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> scores = pl.DataFrame({"case_id": ["A"], "score": [5], "computed_tier": ["moderate"],
    ...     "effective_tier": ["moderate"], "red_flags": [[]], "pts_age": [2], "pts_housing": [3],
    ...     "pts_tobacco": [None]}, schema_overrides={"pts_tobacco": pl.Int64, "red_flags": pl.List(pl.String)})
    >>> chart_data(factors_chart(scores, "A", lang="en")).select("label", "points", "missing").rows()
    [('Housing', 3.0, False), ('Age', 2.0, False), ('Tobacco', 0.0, True)]
    """
    title = text("factors_title", lang, case_id=case_id)
    row = scores.filter(pl.col("case_id") == case_id)
    pts = [c for c in scores.columns if c.startswith("pts_")]
    if row.height == 0 or not pts:
        return empty_chart("factors", title, text("empty_factors", lang, case_id=case_id))
    rec = row.row(0, named=True)
    model = model or load_model()
    factor_names = {f.name: f.label(lang) for f in model.factors}
    flag_names = {f.name: f.label(lang) for f in model.red_flags}
    tier = rec.get("effective_tier") or rec.get("computed_tier")
    df = (
        row.select(pts)
        .cast(pl.Float64)
        .unpivot(variable_name="factor", value_name="points")
        .with_columns(pl.col("factor").str.strip_prefix("pts_"))
        .with_columns(
            pl.col("points").is_null().alias("missing"),
            pl.col("points").fill_null(0.0),
        )
        .with_columns(
            label_expr("factor", factor_names, lang).alias("label"),
            pl.when(pl.col("missing"))
            .then(pl.lit(text("missing_input", lang)))
            .when(pl.col("points") == pl.col("points").round(0))
            .then(number_expr(pl.col("points"), lang))
            .otherwise(number_expr(pl.col("points"), lang, decimals=2))
            .alias("shown"),
        )
        .sort(["missing", "points", "label"], descending=[False, True, False])
    )
    color = TIER_COLORS.get(tier or "", MAIN)
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=df["label"].to_list(), title=None),
        x=alt.X("points:Q", title=text("axis_points", lang)),
        tooltip=[
            alt.Tooltip("label:N", title=text("tt_factor", lang)),
            alt.Tooltip("shown:N", title=text("axis_points", lang)),
        ],
    )
    chart = alt.layer(
        base.mark_bar(color=color),
        base.mark_text(align="left", dx=3).encode(
            text="shown:N",
            color=alt.condition(alt.datum.missing, alt.value(NEUTRAL), alt.value("#333333")),
        ),
    ).properties(width=WIDTH, height=ROW_HEIGHT * df.height)
    tiers, computed = vocabulary("tier", lang), rec.get("computed_tier")
    subtitle = [
        text(
            "factors_subtitle",
            lang,
            score=rec.get("score"),
            tier=tiers.get(tier, tier) if tier else text("blank", lang),
            computed=tiers.get(computed, computed) if computed else text("blank", lang),
        )
    ]
    if rec.get("provisional"):
        subtitle.append(text("factors_provisional", lang))
    red = list(rec.get("red_flags") or [])
    if red:
        subtitle.append(text("factors_red_flags", lang, flags=", ".join(flag_names.get(f, f) for f in red)))
    return finish(chart, "factors", title, subtitle)


def _group_label(grouping: str, lang: str | None) -> pl.Expr:
    g = pl.col("group")
    if grouping == "sex":
        return label_expr("group", vocabulary("sex", lang), lang)
    if grouping == "overall":
        return pl.lit(text("group_all", lang))
    return pl.when(g.is_null()).then(pl.lit(text("blank", lang))).otherwise(g)


def fairness_chart(fairness: pl.DataFrame, *, lang: str | None = None, tiers: Sequence[str] = TIERS) -> alt.Chart:
    """Fairness view: the tier shares of each group (100 % stacked bars), overall first.

    ``fairness`` is a :func:`~casekit.risk.fairness_summary` frame. Suppressed groups
    (1–10 cases) are not drawn: the subtitle names them, so a reader knows they exist.

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> view = pl.DataFrame({"grouping": ["overall", "sex", "sex"], "group": ["all", "female", "male"],
    ...     "n": [20, 20, None], "suppressed": [False, False, True], "share_low": [0.5, 0.5, None],
    ...     "share_moderate": [0.25, 0.25, None], "share_high": [0.25, 0.25, None], "mean_score": [5.0, 5.0, None]})
    >>> chart = fairness_chart(view, lang="en")
    >>> chart_data(chart)["label"].unique(maintain_order=True).to_list()
    ['All cases', 'Sex: Female']
    >>> chart.title.subtitle
    ['Not shown (1–10 cases): Sex: Male.']
    """
    title = text("fairness_title", lang)
    if fairness.height == 0:
        return empty_chart("fairness", title, text("empty_tiers", lang))
    frame = fairness.with_row_index("order")
    parts = []
    for grouping in frame["grouping"].unique(maintain_order=True).to_list():
        part = frame.filter(pl.col("grouping") == grouping)
        prefix = "" if grouping == "overall" else text(f"grouping_{grouping}", lang) + ": "
        if prefix.startswith("charts."):  # a grouping without a label of its own: its column name
            prefix = f"{grouping}: "
        parts.append(part.with_columns((pl.lit(prefix) + _group_label(grouping, lang)).alias("label")))
    frame = pl.concat(parts).sort("order")
    hidden = frame.filter(pl.col("suppressed"))["label"].to_list()
    shown = frame.filter(~pl.col("suppressed") & (pl.col("n") > 0))
    if frame.filter(pl.col("n") > 0).height == 0 and not hidden:  # nobody has a tier
        return empty_chart("fairness", title, text("empty_tiers", lang))
    names = vocabulary("tier", lang)
    df = (
        shown.unpivot(
            index=["order", "label", "grouping", "group", "n", "mean_score"],
            on=[f"share_{t}" for t in tiers],
            variable_name="tier",
            value_name="share",
        )
        .with_columns(pl.col("tier").str.strip_prefix("share_"))
        .with_columns(
            label_expr("tier", names, lang).alias("tier_label"),
            pl.col("tier").replace_strict(_TIER_ORDER, default=0, return_dtype=pl.Int64).alias("tier_order"),
        )
        .sort("order", "tier_order")
    )
    if df.height == 0:
        return empty_chart("fairness", title, text("empty_fairness", lang))
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=shown["label"].to_list(), title=None),
            x=alt.X("share:Q", stack="zero", title=text("axis_share_tier", lang), axis=alt.Axis(format="%")),
            color=alt.Color(
                "tier_label:N", scale=color_scale(tiers, TIER_COLORS, names), title=text("legend_tier", lang)
            ),
            order=alt.Order("tier_order:Q"),
            tooltip=[
                alt.Tooltip("label:N", title=text("tt_group", lang)),
                alt.Tooltip("n:Q", title=text("tt_cases", lang), format=","),
                alt.Tooltip("tier_label:N", title=text("legend_tier", lang)),
                alt.Tooltip("share:Q", title=text("tt_share", lang), format=".1%"),
                alt.Tooltip("mean_score:Q", title=text("tt_mean_score", lang), format=".2f"),
            ],
        )
        .properties(width=WIDTH, height=ROW_HEIGHT * shown.height)
    )
    subtitle = [text("fairness_hidden", lang, groups=", ".join(hidden))] if hidden else None
    return finish(chart, "fairness", title, subtitle)
