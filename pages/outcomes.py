"""Outcomes (stage 9): utilisation and cost before/after, change by domain, % improved by
tier, satisfaction, a summary by any grouping (exact counts on screen; downloads suppress small cells
unless switched to exact counts)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from casekit.charts import improved_by_tier_chart, is_empty, outcomes_chart, utilisation_chart
from casekit.contract import VOCABS
from casekit.outcomes import (
    GOAL_GROUPINGS,
)
from casekit.present import header, vocabulary
from casekit.ui import forms
from casekit.ui import outcomes as oc
from casekit.ui.signin import shows_exact_counts
from casekit.ui.widgets import (
    empty_state,
    lang,
    num,
    page_header,
    rtm_note,
    sharing_switch,
    show_chart,
    summary_pdf_download,
    table,
    tr,
)


def _explain_empty(key: str) -> None:
    """Why a chart is empty: nothing recorded, or (on a researcher's screen, which
    suppresses small cells) every group too small to show."""
    if suppressed_on_screen:
        empty_state("ui_outcomes.all_suppressed_here", low=low, high=high)
    else:
        empty_state("ui_outcomes.no_utilisation" if key == "utilisation" else "ui_outcomes.empty")


ws = page_header("outcomes", "ui_outcomes.caption")
forms.stage_section(ws, "outcomes", key="outcome_form")

if ws.get("changes").height == 0 and ws.get("utilisation").height == 0:
    empty_state("ui_outcomes.empty")
    st.stop()
low, high = oc.suppression_range()
suppressed_on_screen = not shows_exact_counts()  # a researcher's screen: small cells suppressed too
st.caption(
    tr("ui_outcomes.suppression_everywhere" if suppressed_on_screen else "ui_outcomes.suppression", low=low, high=high)
)
# the downloads are for others: suppressed unless switched (a researcher has no switch)
exact = sharing_switch(key="outcomes_downloads", allowed=not suppressed_on_screen)


def _summary_table(frame: pl.DataFrame, name: str, *, key: str, stem: str, **get: object) -> None:
    """``frame`` (this screen's copy of the registry table ``name``, made with ``get``) as a
    table whose download is the shared, suppressed copy unless the switch says exact."""
    shared = None if exact else oc.shown(ws.get(name, **get, for_sharing=True), lang())
    version = (ws.key, *get.values(), suppressed_on_screen)  # what the table is made from: its text is kept
    table(oc.shown(frame, lang()), key=key, stem=stem, screen="ui_outcomes", shared=shared, version=version)


# -- utilisation and cost: the payer's figure, first ------------------------------------
st.subheader(tr("ui_outcomes.utilisation"))
util = ws.get("utilisation_summary", for_sharing=suppressed_on_screen)
chart = utilisation_chart(util, lang=lang())
if is_empty(chart):
    _explain_empty("utilisation")
else:
    headlines = oc.utilisation_headlines(util)
    names = vocabulary("measure", lang())
    cols = st.columns(max(headlines.height, 1))
    for col, row in zip(cols, headlines.iter_rows(named=True), strict=False):
        col.metric(names.get(row["measure"], row["measure"]), num(row["pct_change"], "+.1%"))
    pairs = [
        tr(
            "ui_outcomes.utilisation_pair",
            measure=names.get(row["measure"], row["measure"]),
            before=num(row["mean_baseline"], ",.2f"),
            after=num(row["mean_latest"], ",.2f"),
        )
        for row in headlines.iter_rows(named=True)
    ]
    st.caption(tr("ui_outcomes.utilisation_caption", pairs=" · ".join(pairs)))
    rtm_note(util)
    show_chart(chart, key="out_utilisation_chart")
    _summary_table(util, "utilisation_summary", key="out_utilisation", stem="utilisation_cost")

# -- the same per member-month, in stated windows ---------------------------------------
st.subheader(tr("ui_outcomes.rates"))
rates = ws.get("utilisation_rate_summary", for_sharing=suppressed_on_screen)
st.caption(tr("ui_outcomes.rates_windows"))
if rates.filter(pl.col("n_used") > 0).height == 0:
    empty_state("ui_outcomes.no_rates")
else:
    rtm_note(rates)
    _summary_table(rates, "utilisation_rate_summary", key="out_rates", stem="utilisation_per_member_month")

# -- change by domain and measure -------------------------------------------------------
st.subheader(tr("ui_outcomes.by_domain"))
by_measure = ws.get("outcome_summary", by=oc.DEFAULT_GROUPING, for_sharing=suppressed_on_screen)
chart = outcomes_chart(by_measure, lang=lang())
if is_empty(chart):
    _explain_empty("outcomes_by_measure")
else:
    show_chart(chart, key="out_domain_chart")
    st.caption(tr("ui_outcomes.improved_rule"))
    rtm_note(by_measure)
    _summary_table(by_measure, "outcome_summary", key="out_domain", stem="outcomes_by_measure", by=oc.DEFAULT_GROUPING)

# -- % improved by tier -----------------------------------------------------------------
st.subheader(tr("ui_outcomes.by_tier"))
by_tier = ws.get("outcome_summary", by=("effective_tier",), for_sharing=suppressed_on_screen)
chart = improved_by_tier_chart(by_tier, lang=lang())
if is_empty(chart):
    _explain_empty("improved_by_tier")
else:
    tiers = {k: v(lang()) for k, v in VOCABS["tier"].items()}
    shown = by_tier.filter(pl.col("effective_tier").is_not_null())
    cols = st.columns(max(shown.height, 1))
    for col, row in zip(cols, shown.iter_rows(named=True), strict=False):
        col.metric(
            tr("ui_outcomes.metric_improved", tier=tiers.get(row["effective_tier"], row["effective_tier"])),
            num(row["pct_improved"], ".0%"),
        )
    # a layered chart drawn at its natural size (Streamlit's default "fit" squashes the bars)
    show_chart(chart, key="out_tier_chart")
    _summary_table(by_tier, "outcome_summary", key="out_tier", stem="improved_by_tier", by=("effective_tier",))

# -- goal attainment ----------------------------------------------------------------------
st.subheader(tr("ui_outcomes.goals"))
st.caption(tr("ui_outcomes.goals_caption"))
overall = ws.get("goal_attainment", by=(), for_sharing=suppressed_on_screen)
if overall["n_goals"].fill_null(0).sum() == 0:
    empty_state("ui_outcomes.no_goals")
else:
    row = overall.row(0, named=True)
    cols = st.columns(4)
    for col, name, fmt in (
        (cols[0], "n_goals", ","),
        (cols[1], "pct_achieved", ".0%"),
        (cols[2], "pct_achieved_by_target", ".0%"),
        (cols[3], "n_overdue", ","),
    ):
        col.metric(header(name, lang()), num(row[name], fmt))
    goal_groups = [g for g in GOAL_GROUPINGS if g not in ("sex", "age_band")]
    goal_by = st.selectbox(
        tr("ui_outcomes.goals_by"),
        goal_groups,
        format_func={g: header(g, lang()) for g in goal_groups}.__getitem__,
        key="out_goals_by",
    )
    shared = None if exact else ws.get("goal_attainment", by=(goal_by,), for_sharing=True)
    table(
        ws.get("goal_attainment", by=(goal_by,), for_sharing=suppressed_on_screen),
        key="out_goals",
        stem="goal_attainment",
        shared=shared,
        version=(ws.key, goal_by, suppressed_on_screen),
    )

# -- measured once, after care (satisfaction at discharge) ---------------------------
st.subheader(tr("ui_outcomes.post_only"))
post = ws.get("post_only_summary", for_sharing=suppressed_on_screen)
if post.filter(pl.col("n_cases") > 0).height == 0:
    empty_state("ui_outcomes.no_post_only")
else:
    shown = post.filter(pl.col("n_cases") > 0)
    names = vocabulary("measure", lang())
    cols = st.columns(shown.height)
    for col, row in zip(cols, shown.iter_rows(named=True), strict=True):
        col.metric(
            tr("ui_outcomes.metric_post_only", measure=names.get(row["measure"], row["measure"]), n=row["n_cases"]),
            num(row["mean"], ".1f"),
        )
    _summary_table(post, "post_only_summary", key="out_satisfaction", stem="post_only")

# -- any grouping -----------------------------------------------------------------------
st.subheader(tr("ui_outcomes.grouped"))
by = st.multiselect(
    tr("ui_outcomes.grouping"),
    list(oc.GROUPINGS),
    default=list(oc.DEFAULT_GROUPING),
    format_func={g: header(g, lang()) for g in oc.GROUPINGS}.__getitem__,
    placeholder=tr("ui_outcomes.grouping_none"),
    key="out_by",
)
grouped = ws.get("outcome_summary", by=tuple(by), for_sharing=suppressed_on_screen)
if "case_manager" in by and ws.assignments is not None:
    st.caption(tr("ui_outcomes.manager_in_force"))
rtm_note(grouped)
_summary_table(grouped, "outcome_summary", key="out_grouped", stem="outcome_summary", by=tuple(by))

st.subheader(tr("ui.summary_heading"))
summary_pdf_download(ws, key="outcomes_summary", exact_allowed=not suppressed_on_screen)
