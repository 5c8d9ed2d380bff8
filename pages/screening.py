"""Screening (stage 1): cases awaiting screening and overdue, findings, decisions."""

from __future__ import annotations

import polars as pl
import streamlit as st

from casekit.ui import forms, records
from casekit.ui.screening import (
    BLANK,
    FINDINGS,
    awaiting_screening,
    decisions,
    finding_chart,
    findings,
    managers,
    not_eligible_open,
)
from casekit.ui.widgets import (
    empty_state,
    lang,
    num,
    page_header,
    show_chart,
    show_date,
    table,
    tr,
)

ws = page_header("screening", "ui_screening.caption")
status = ws.get("status")
if records.is_workspace():
    with st.expander(tr("ui_forms.new_case_title")):
        forms.new_case_form(key="new_case")
forms.stage_section(ws, "screenings", key="screening_form")

# -- cases awaiting screening -----------------------------------------------------------
st.subheader(tr("ui_screening.awaiting"))
ALL, all_label = "", tr("ui_screening.manager_all")
manager = st.selectbox(
    tr("ui_screening.manager_filter"),
    [ALL, *managers(status)],
    format_func=lambda m: m or all_label,
    help=tr("ui_screening.manager_help"),
    key="screening_manager",
)
waiting = awaiting_screening(status, manager=manager or None)
cols = st.columns(3)
cols[0].metric(tr("ui_screening.metric_awaiting"), num(waiting.height))
cols[1].metric(tr("ui_screening.metric_overdue"), num(int(waiting["overdue"].sum())))
worst = waiting["days_overdue"].max()
cols[2].metric(tr("ui_screening.metric_max_overdue"), "—" if worst is None else num(worst))
if waiting.height == 0:
    empty_state("ui_screening.no_awaiting", as_of=show_date(ws.as_of))
else:
    table(waiting, key="awaiting", stem="awaiting_screening", screen="ui_screening")

# -- findings ---------------------------------------------------------------------------
st.subheader(tr("ui_screening.findings"))
latest = ws.get("latest_screenings")
shares = findings(latest)
if shares.height == 0:
    empty_state("ui_screening.no_screenings")
else:
    st.caption(tr("ui_screening.findings_caption", cases=num(latest.height), as_of=show_date(ws.as_of)))
    grid = st.columns(2)
    for i, finding in enumerate(FINDINGS):
        with grid[i % 2]:
            show_chart(finding_chart(shares, finding, lang=lang()), key=f"finding_{finding}")

# -- decisions --------------------------------------------------------------------------
st.subheader(tr("ui_screening.decisions"))
decided = decisions(latest)
if decided.height == 0:
    empty_state("ui_screening.no_screenings")
else:
    st.caption(tr("ui_screening.decisions_caption"))
    counts = dict(decided.select("decision", "cases").iter_rows())
    cols = st.columns(3)
    for col, (decision, key) in zip(
        cols,
        [
            ("refer_to_assessment", "metric_refer"),
            ("not_eligible", "metric_not_eligible"),
            ("declined", "metric_declined"),
        ],
        strict=True,
    ):
        col.metric(tr(f"ui_screening.{key}"), num(counts.get(decision, 0)))
    no_decision = pl.col("decision").replace({BLANK: tr("ui_screening.no_decision")})
    table(decided.with_columns(no_decision), key="decisions", stem="screening_decisions")

# -- not eligible but still open --------------------------------------------------------
st.subheader(tr("ui_screening.not_eligible_open"))
st.caption(tr("ui_screening.not_eligible_caption"))
stray = not_eligible_open(status, manager=manager or None)
if stray.height == 0:
    empty_state("ui_screening.no_not_eligible")
else:
    table(stray, key="not_eligible", stem="not_eligible_open")
