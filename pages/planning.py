"""Planning (stage 4): goals by domain and status, cases without a complete plan, one
client's care calendar."""

from __future__ import annotations

import streamlit as st

from casekit.charts import calendar_chart, goals_chart, is_empty
from casekit.ui import forms, records
from casekit.ui.planning import (
    CLIENT_TABLES,
    calendar_options,
    client_rows,
    default_case,
    goals_by_domain_status,
    goals_table,
    incomplete_plans_view,
)
from casekit.ui.widgets import (
    empty_state,
    lang,
    md,
    num,
    page_header,
    show_chart,
    table,
    tr,
)

ws = page_header("planning", "ui_planning.caption")
forms.stage_section(ws, "goals", key="goal_form")
forms.stage_section(ws, "services", key="service_form")
if records.is_workspace() and ws.data["goals"].height:
    with st.expander(tr("ui_forms.goal_update_title")):
        forms.goal_update_form(ws.data["goals"], key="goal_update")

counts = goals_by_domain_status(ws.data, lang=lang())
plans = ws.get("incomplete_plans")
cols = st.columns(3)
cols[0].metric(tr("ui_planning.metric_goals"), num(counts["goals"].sum()))
cols[1].metric(tr("ui_planning.metric_incomplete"), num(plans.height))
cols[2].metric(tr("ui_planning.metric_overdue"), num(plans["plan_overdue"].sum()))

# -- goals by domain and status ----------------------------------------------------------
st.subheader(tr("ui_planning.goals_title"))
if counts.height == 0:
    empty_state("ui_planning.goals_empty")
else:
    left, right = st.columns([3, 2])
    with left:
        show_chart(goals_chart(counts, lang=lang()), key="planning_goals_chart")
    with right:
        table(goals_table(counts), key="planning_goals", stem="goals_by_domain_status")

# -- cases without a complete plan ---------------------------------------------------------
st.subheader(tr("ui_planning.incomplete_title"))
st.caption(tr("ui_planning.incomplete_help", days=ws.config.plan_days, days_high=ws.config.plan_days_high_tier))
if plans.height == 0:
    empty_state("ui_planning.incomplete_empty")
else:
    table(incomplete_plans_view(plans, lang=lang()), key="planning_incomplete", stem="cases_without_plan")

# -- one client's care calendar ----------------------------------------------------------
st.subheader(tr("ui_planning.calendar_title"))
choices = ws.get("calendar_choices")
first = default_case(choices)
if first is None:
    empty_state("ui_planning.calendar_no_cases")
    st.stop()
options = choices["case_id"].to_list()
described = calendar_options(choices, lang=lang())
case_id = st.selectbox(
    tr("ui_planning.calendar_pick"),
    options,
    index=options.index(first),
    format_func=described.__getitem__,
    key="planning_case",
)
picked = choices.row(options.index(case_id), named=True)
cols = st.columns(3)
cols[0].metric(tr("ui_planning.metric_client_goals"), num(picked["goals"]))
cols[1].metric(tr("ui_planning.metric_client_services"), num(picked["services"]))
cols[2].metric(tr("ui_planning.metric_client_contacts"), num(picked["contacts"]))
chart = calendar_chart(ws.data, case_id, lang=lang(), as_of=ws.as_of)
if is_empty(chart):
    empty_state("ui_planning.calendar_empty", case_id=case_id)
else:
    show_chart(chart, key="planning_calendar")

for column, name in zip(st.columns(2), CLIENT_TABLES, strict=True):  # the client's goals, then services
    with column:
        st.markdown(f"**{tr(f'ui_planning.client_{name}_title', case_id=md(case_id))}**")
        rows = client_rows(ws.data, name, case_id)
        if rows.height == 0:
            empty_state(f"ui_planning.client_{name}_empty", case_id=case_id)
        else:
            table(rows, key=f"planning_client_{name}", stem=f"{name}_{case_id}")
