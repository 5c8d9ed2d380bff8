"""Process charts: stage funnel, cases by current stage, time between stages, flags by manager."""

from __future__ import annotations

import altair as alt
import polars as pl

from casekit.charts._base import (
    EVERY_LABEL,
    MAIN,
    NEUTRAL,
    ROW_HEIGHT,
    TIER_COLORS,
    WIDTH,
    color_scale,
    empty_chart,
    finish,
    heatmap,
    label_expr,
    text,
)
from casekit.present import count_text, vocabulary
from casekit.privacy import suppress_complementary
from casekit.stages import FLAGS, STAGE_NUMBER, STAGES, flag_label, funnel, stage_label

__all__ = ["durations_chart", "flags_by_manager_chart", "funnel_chart", "stage_chart"]


def _stage_names(lang: str | None) -> dict[str, str]:
    return {s: stage_label(s, lang) for s in STAGES}


def funnel_chart(status: pl.DataFrame, *, lang: str | None = None) -> alt.LayerChart | alt.Chart:
    """Stage funnel: cases that reached each of the nine stages (bars, with the count).

    ``status`` is a :func:`~casekit.stages.case_status` frame, an
    :func:`~casekit.stages.events` log or an already computed
    :func:`~casekit.stages.funnel`. Tooltips: cases, share of all cases, share of the
    previous stage.

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> status = pl.DataFrame({"reached_stage_number": [1, 3, 10]})
    >>> chart_data(funnel_chart(status, lang="es"))["cases"].to_list()
    [3, 2, 2, 1, 1, 1, 1, 1, 1]
    """
    title = text("funnel_title", lang)
    frame = status if {"stage_number", "stage", "cases"} <= set(status.columns) else funnel(status)
    if frame.height == 0 or frame["cases"].sum() == 0:
        return empty_chart("funnel", title, text("empty_cases", lang))
    names = _stage_names(lang)
    df = frame.select(
        "stage_number",
        "stage",
        label_expr("stage", names, lang).alias("label"),
        "cases",
        pl.col("share") if "share" in frame.columns else (pl.col("cases") / pl.col("cases").first()).alias("share"),
        # cases whose identity could not be read (stage unknown) do not follow a stage
        pl.when(pl.col("stage") != "unknown").then(pl.col("cases") / pl.col("cases").shift(1)).alias("of_previous"),
    ).sort("stage_number")
    order = df["label"].to_list()
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("cases:Q", title=text("axis_cases", lang)),
        tooltip=[
            alt.Tooltip("label:N", title=text("tt_stage", lang)),
            alt.Tooltip("cases:Q", title=text("tt_cases", lang), format=","),
            alt.Tooltip("share:Q", title=text("tt_share_all", lang), format=".1%"),
            alt.Tooltip("of_previous:Q", title=text("tt_share_previous", lang), format=".1%"),
        ],
    )
    chart = alt.layer(
        base.mark_bar(color=MAIN),
        base.mark_text(align="left", dx=3, color="#333333").encode(text=alt.Text("cases:Q", format=",")),
    ).properties(width=WIDTH, height=ROW_HEIGHT * df.height)
    return finish(chart, "funnel", title, text("funnel_subtitle", lang))


def stage_chart(status: pl.DataFrame, *, lang: str | None = None, for_sharing: bool = False) -> alt.Chart:
    """Cases by current stage (the nine stages and closed), stacked by effective risk tier.

    ``status`` is a :func:`~casekit.stages.case_status` frame; cases without a tier
    (not assessed yet) are a grey segment. The bars add up to the number of cases.
    ``for_sharing`` (a researcher's screen): the counts are aggregated, then segments of
    1–10 cases are suppressed before drawing, with the complements that the stage and tier
    totals need (:func:`casekit.privacy.suppress_complementary`), and the subtitle's total
    goes through the same rule.

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> status = pl.DataFrame({"current_stage": ["risk", "risk", "closed"], "effective_tier": ["high", None, "low"]})
    >>> chart_data(stage_chart(status)).select("stage", "tier", "cases").sort("stage", "tier").rows()
    [('closed', 'low', 1), ('risk', 'high', 1), ('risk', 'none', 1)]
    >>> chart_data(stage_chart(status, for_sharing=True))["cases"].to_list()
    [None, None, None]
    >>> many = pl.DataFrame({"current_stage": ["risk"] * 14, "effective_tier": ["high"] * 11 + ["low"] * 3})
    >>> chart_data(stage_chart(many, for_sharing=True)).select("cases", "share_of_stage").rows()
    [(None, None), (None, None)]

    (The stage's 14 cases are public: 11 high would give the 3 low back.)
    """
    title = text("stage_title", lang)
    if status.height == 0:
        return empty_chart("stage", title, text("empty_cases", lang))
    tier = pl.col("effective_tier") if "effective_tier" in status.columns else pl.lit(None, pl.String)
    df = (
        status.lazy()
        .group_by(pl.col("current_stage").alias("stage"), tier.fill_null("none").alias("tier"))
        .agg(pl.len().cast(pl.Int64).alias("cases"))
        .with_columns(
            (pl.col("cases") / pl.col("cases").sum().over("stage")).alias("share_of_stage"),
            pl.col("stage").replace_strict(STAGE_NUMBER, default=99, return_dtype=pl.Int64).alias("stage_number"),
            pl.col("tier")
            .replace_strict({"low": 1, "moderate": 2, "high": 3}, default=0, return_dtype=pl.Int64)
            .alias("tier_order"),
        )
        .sort("stage_number", "tier_order")
        .collect()
    )
    # the stages add up to the cohort and the tiers to Explore's groups by tier (downloadable
    # beside the chart): complementary suppression over the stage x tier table and its margins
    df = suppress_complementary(
        df, "cases", by=["stage", "tier"], derived_cols="share_of_stage", for_sharing=for_sharing
    )
    # a visible segment's share of its stage gives the stage's total, and so a hidden sibling
    df = df.with_columns(
        pl.when(~pl.col("suppressed").any().over("stage")).then(pl.col("share_of_stage")).alias("share_of_stage")
    ).drop("suppressed")
    stage_names = _stage_names(lang)
    tier_names = {**vocabulary("tier", lang), "none": text("no_tier", lang)}
    df = df.with_columns(
        label_expr("stage", stage_names, lang).alias("label"),
        label_expr("tier", tier_names, lang).alias("tier_label"),
    )
    scale = color_scale(["none", "low", "moderate", "high"], {**TIER_COLORS, "none": NEUTRAL}, tier_names)
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=[stage_names[s] for s in STAGES], title=None),
            x=alt.X("sum(cases):Q", title=text("axis_cases", lang)),
            color=alt.Color("tier_label:N", scale=scale, title=text("legend_tier", lang)),
            order=alt.Order("tier_order:Q"),
            tooltip=[
                alt.Tooltip("label:N", title=text("tt_stage", lang)),
                alt.Tooltip("tier_label:N", title=text("legend_tier", lang)),
                alt.Tooltip("cases:Q", title=text("tt_cases", lang), format=","),
                alt.Tooltip("share_of_stage:Q", title=text("tt_share_stage", lang), format=".1%"),
            ],
        )
        .properties(width=WIDTH, height=ROW_HEIGHT * len(STAGES))
    )
    n = count_text(status.height, lang, for_sharing=for_sharing)
    return finish(chart, "stage", title, text("stage_subtitle", lang, n=n))


def durations_chart(durations: pl.DataFrame, *, lang: str | None = None) -> alt.LayerChart | alt.Chart:
    """Time between stages: the median (point) and the quartile range (line), in days.

    ``durations`` is a :func:`~casekit.stages.stage_durations` frame (one row per pair
    of stages) or a :func:`~casekit.stages.time_in_stage` frame (days in the current
    stage). Rows without cases are left out.

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> d = pl.DataFrame({"from_stage": ["screening"], "to_stage": ["assessment"], "n": [4],
    ...                   "median_days": [3.0], "q1_days": [1.0], "q3_days": [5.0], "mean_days": [3.5]})
    >>> chart_data(durations_chart(d, lang="en"))["label"].to_list()
    ['Screening → Assessment']
    """
    between = "from_stage" in durations.columns
    key = "durations" if between else "time_in_stage"
    title = text(f"{key}_title", lang)
    names = _stage_names(lang)
    df = durations.filter((pl.col("n") > 0) & pl.col("median_days").is_not_null())
    if df.height == 0:
        return empty_chart(key, title, text("empty_durations", lang))
    if between:
        lab = pl.concat_str([label_expr("from_stage", names, lang), pl.lit(" → "), label_expr("to_stage", names, lang)])
    else:
        lab = label_expr("stage", names, lang)
    df = df.with_columns(lab.alias("label"), pl.col("n").cast(pl.Int64)).select(
        "label", "n", "median_days", "q1_days", "q3_days", "mean_days"
    )
    tooltip = [
        alt.Tooltip("label:N", title=text("tt_stage", lang)),
        alt.Tooltip("n:Q", title=text("tt_cases", lang), format=","),
        alt.Tooltip("median_days:Q", title=text("tt_median_days", lang), format=".1f"),
        alt.Tooltip("q1_days:Q", title=text("tt_q1_days", lang), format=".1f"),
        alt.Tooltip("q3_days:Q", title=text("tt_q3_days", lang), format=".1f"),
        alt.Tooltip("mean_days:Q", title=text("tt_mean_days", lang), format=".1f"),
    ]
    base = alt.Chart(df).encode(y=alt.Y("label:N", sort=df["label"].to_list(), title=None), tooltip=tooltip)
    chart = alt.layer(
        base.mark_rule(color=MAIN, strokeWidth=3).encode(
            x=alt.X("q1_days:Q", title=text("axis_days", lang)), x2="q3_days:Q"
        ),
        base.mark_point(color=MAIN, filled=True, size=80, opacity=1).encode(x="median_days:Q"),
    ).properties(width=WIDTH, height=ROW_HEIGHT * df.height)
    return finish(chart, key, title, text("durations_subtitle", lang))


def flags_by_manager_chart(
    status: pl.DataFrame, *, lang: str | None = None, top: int = 20
) -> alt.LayerChart | alt.Chart:
    """Open flags by case manager: a heatmap of counts (manager × flag).

    ``status`` is a :func:`~casekit.stages.case_status` frame (``flags`` lists) or a
    :func:`~casekit.stages.flags_long` / :func:`~casekit.stages.worklist` frame (one
    row per flag). The ``top`` managers with most flags get a row each; the others are
    summed in one last row.

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> status = pl.DataFrame({"case_manager": ["Ana", "Ana", "Luis"],
    ...                        "flags": [["plan_overdue"], ["plan_overdue", "goal_overdue"], []]})
    >>> chart_data(flags_by_manager_chart(status)).select("manager", "flag", "cases").sort("flag").rows()
    [('Ana', 'goal_overdue', 1), ('Ana', 'plan_overdue', 2)]
    """
    title = text("flags_by_manager_title", lang)
    manager = pl.col("case_manager") if "case_manager" in status.columns else pl.lit(None, pl.String)
    lf = status.lazy()
    if "flag" in status.columns:
        long = lf.select(manager.alias("manager"), pl.col("flag"))
    else:
        long = lf.select(manager.alias("manager"), pl.col("flags").alias("flag")).explode("flag")
    counts = (
        long.filter(pl.col("flag").is_not_null())
        .group_by("manager", "flag")
        .agg(pl.len().cast(pl.Int64).alias("cases"))
        .collect()
    )
    if counts.height == 0:
        return empty_chart("flags_by_manager", title, text("empty_flags", lang))
    totals = (
        counts.group_by("manager")
        .agg(pl.col("cases").sum().alias("total"))
        .sort(["total", "manager"], descending=[True, False], nulls_last=True)
    )
    kept = totals.head(top)
    others = text("other_managers", lang, n=totals.height - kept.height)
    counts = (
        counts.join(kept.select("manager", pl.lit(True).alias("kept")), on="manager", how="left", nulls_equal=True)
        .with_columns(
            pl.when(pl.col("kept").is_null())
            .then(pl.lit(others))
            .otherwise(pl.col("manager").fill_null(text("no_manager", lang)))
            .alias("manager_label")
        )
        .with_columns(
            pl.when(pl.col("kept").is_null()).then(pl.lit(None)).otherwise(pl.col("manager")).alias("manager")
        )
        .group_by("manager", "manager_label", "flag")
        .agg(pl.col("cases").sum())
        .with_columns(
            pl.col("flag")
            .replace_strict({f: i for i, f in enumerate(FLAGS)}, default=99, return_dtype=pl.Int64)
            .alias("flag_order"),
            pl.col("cases").sum().over("manager_label").alias("manager_total"),
        )
        .sort("manager_total", "manager_label", "flag_order", descending=[True, False, False])
    )
    flag_names = {f: flag_label(f, lang) for f in FLAGS}
    df = counts.with_columns(label_expr("flag", flag_names, lang).alias("flag_label"))
    managers = df["manager_label"].unique(maintain_order=True).to_list()
    if totals.height > kept.height:  # "others" last
        managers = [m for m in managers if m != others] + [others]
    flags = df.sort("flag_order")["flag_label"].unique(maintain_order=True).to_list()
    base = alt.Chart(df).encode(
        # whole flag labels: the app allows 360 px (a 180 px limit cut two of them)
        x=alt.X("flag_label:N", sort=flags, title=None, axis=EVERY_LABEL | {"labelAngle": -40}),
        y=alt.Y("manager_label:N", sort=managers, title=text("axis_manager", lang), axis=EVERY_LABEL),
        tooltip=[
            alt.Tooltip("manager_label:N", title=text("axis_manager", lang)),
            alt.Tooltip("flag_label:N", title=text("tt_flag", lang)),
            alt.Tooltip("cases:Q", title=text("tt_flags", lang), format=","),
        ],
    )
    chart = heatmap(base, df, "cases", text("tt_flags", lang)).properties(
        width=max(WIDTH, 36 * len(flags)), height=ROW_HEIGHT * len(managers)
    )
    return finish(chart, "flags_by_manager", title)
