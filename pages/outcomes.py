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
    goal_attainment,
    outcome_summary,
    post_only_summary,
    utilisation_rate_summary,
    utilisation_summary,
)
from casekit.present import header
from casekit.ui import _outcomes as oc
from casekit.ui import forms
from casekit.ui.derived import DerivedTables
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


@st.cache_resource(max_entries=64, show_spinner=False)
def _summary(key: str, by: tuple[str, ...], _ws: DerivedTables, *, for_sharing: bool = False) -> pl.DataFrame:
    """``outcome_summary`` by ``by``, from the cached changes and scores; by case manager,
    each pair counts for who held the case at its latest measure (a workspace's history)."""
    return outcome_summary(
        _ws.result,
        list(by),
        as_of=_ws.as_of,
        changes=_ws.get("attributed_changes" if "case_manager" in by else "changes"),
        scores=_ws.get("scores"),
        model=_ws.model,
        for_sharing=for_sharing,
        measures=_ws.measures,
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _utilisation(key: str, _ws: DerivedTables, *, for_sharing: bool = False) -> pl.DataFrame:
    """``utilisation_summary`` from the cached utilisation changes."""
    return utilisation_summary(
        _ws.result,
        as_of=_ws.as_of,
        changes=_ws.get("utilisation"),
        model=_ws.model,
        for_sharing=for_sharing,
        measures=_ws.measures,
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _rates(key: str, _ws: DerivedTables, *, for_sharing: bool = False) -> pl.DataFrame:
    """``utilisation_rate_summary``: per 1,000 member-months and PMPM, stated windows."""
    return utilisation_rate_summary(_ws.result, as_of=_ws.as_of, for_sharing=for_sharing, measures=_ws.measures)


@st.cache_resource(max_entries=32, show_spinner=False)
def _goals(key: str, by: tuple[str, ...], _ws: DerivedTables, *, for_sharing: bool = False) -> pl.DataFrame:
    """``goal_attainment`` by ``by``, with the cached risk scores."""
    return goal_attainment(
        _ws.result,
        list(by),
        as_of=_ws.as_of,
        scores=_ws.get("scores"),
        model=_ws.model,
        for_sharing=for_sharing,
        measures=_ws.measures,
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _post_only(key: str, _ws: DerivedTables, *, for_sharing: bool = False) -> pl.DataFrame:
    """``post_only_summary``: measures taken once after care (satisfaction at discharge)."""
    return post_only_summary(_ws.result, as_of=_ws.as_of, for_sharing=for_sharing, measures=_ws.measures)


def _explain_empty(key: str) -> None:
    """Why a chart is empty: nothing recorded (the team's own screen suppresses nothing)."""
    empty_state("ui_outcomes.no_utilisation" if key == "utilisation" else "ui_outcomes.empty")


ws = page_header("outcomes", "ui_outcomes.caption")
forms.stage_section(ws, "outcomes", key="outcome_form")

if ws.get("changes").height == 0 and ws.get("utilisation").height == 0:
    empty_state("ui_outcomes.empty")
    st.stop()
low, high = oc.suppression_range()
st.caption(tr("ui_outcomes.suppression", low=low, high=high))
exact = sharing_switch(key="outcomes_downloads")  # the downloads are for others: suppressed unless switched

# -- utilisation and cost: the payer's figure, first ------------------------------------
st.subheader(tr("ui_outcomes.utilisation"))
util = _utilisation(ws.key, ws)
chart = utilisation_chart(util, lang=lang())
if is_empty(chart):
    _explain_empty("utilisation")
else:
    headlines = oc.utilisation_headlines(util)
    names = oc.measure_names(lang())
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
    shared = None if exact else oc.shown(_utilisation(ws.key, ws, for_sharing=True), lang())
    table(oc.shown(util, lang()), key="out_utilisation", stem="utilisation_cost", screen="ui_outcomes", shared=shared)

# -- the same per member-month, in stated windows ---------------------------------------
st.subheader(tr("ui_outcomes.rates"))
rates = _rates(ws.key, ws)
st.caption(tr("ui_outcomes.rates_windows"))
if rates.filter(pl.col("n_used") > 0).height == 0:
    empty_state("ui_outcomes.no_rates")
else:
    rtm_note(rates)
    shared = None if exact else oc.shown(_rates(ws.key, ws, for_sharing=True), lang())
    table(
        oc.shown(rates, lang()),
        key="out_rates",
        stem="utilisation_per_member_month",
        screen="ui_outcomes",
        shared=shared,
    )

# -- change by domain and measure -------------------------------------------------------
st.subheader(tr("ui_outcomes.by_domain"))
by_measure = _summary(ws.key, oc.DEFAULT_GROUPING, ws)
chart = outcomes_chart(by_measure, lang=lang())
if is_empty(chart):
    _explain_empty("outcomes_by_measure")
else:
    show_chart(chart, key="out_domain_chart")
    st.caption(tr("ui_outcomes.improved_rule"))
    rtm_note(by_measure)
    shared = None if exact else oc.shown(_summary(ws.key, oc.DEFAULT_GROUPING, ws, for_sharing=True), lang())
    table(
        oc.shown(by_measure, lang()), key="out_domain", stem="outcomes_by_measure", screen="ui_outcomes", shared=shared
    )

# -- % improved by tier -----------------------------------------------------------------
st.subheader(tr("ui_outcomes.by_tier"))
by_tier = _summary(ws.key, ("effective_tier",), ws)
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
    shared = None if exact else oc.shown(_summary(ws.key, ("effective_tier",), ws, for_sharing=True), lang())
    table(oc.shown(by_tier, lang()), key="out_tier", stem="improved_by_tier", screen="ui_outcomes", shared=shared)

# -- goal attainment ----------------------------------------------------------------------
st.subheader(tr("ui_outcomes.goals"))
st.caption(tr("ui_outcomes.goals_caption"))
overall = _goals(ws.key, (), ws)
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
    shared = None if exact else _goals(ws.key, (goal_by,), ws, for_sharing=True)
    table(_goals(ws.key, (goal_by,), ws), key="out_goals", stem="goal_attainment", shared=shared)

# -- measured once, after care (satisfaction at discharge) ---------------------------
st.subheader(tr("ui_outcomes.post_only"))
post = _post_only(ws.key, ws)
if post.filter(pl.col("n_cases") > 0).height == 0:
    empty_state("ui_outcomes.no_post_only")
else:
    shown = post.filter(pl.col("n_cases") > 0)
    names = oc.measure_names(lang())
    cols = st.columns(shown.height)
    for col, row in zip(cols, shown.iter_rows(named=True), strict=True):
        col.metric(
            tr("ui_outcomes.metric_post_only", measure=names.get(row["measure"], row["measure"]), n=row["n_cases"]),
            num(row["mean"], ".1f"),
        )
    shared = None if exact else oc.shown(_post_only(ws.key, ws, for_sharing=True), lang())
    table(oc.shown(post, lang()), key="out_satisfaction", stem="post_only", screen="ui_outcomes", shared=shared)

# -- any grouping -----------------------------------------------------------------------
st.subheader(tr("ui_outcomes.grouped"))
by = st.multiselect(
    tr("ui_outcomes.grouping"),
    list(oc.GROUPINGS),
    default=list(oc.DEFAULT_GROUPING),
    format_func={g: oc.grouping_label(g, lang()) for g in oc.GROUPINGS}.__getitem__,
    placeholder=tr("ui_outcomes.grouping_none"),
    key="out_by",
)
grouped = _summary(ws.key, tuple(by), ws)
if "case_manager" in by and ws.assignments is not None:
    st.caption(tr("ui_outcomes.manager_in_force"))
rtm_note(grouped)
shared = None if exact else oc.shown(_summary(ws.key, tuple(by), ws, for_sharing=True), lang())
table(oc.shown(grouped, lang()), key="out_grouped", stem="outcome_summary", screen="ui_outcomes", shared=shared)

st.subheader(tr("ui.summary_heading"))
summary_pdf_download(ws, key="outcomes_summary")
