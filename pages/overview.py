"""Overview: open cases, where they stand, what is overdue."""

from __future__ import annotations

import polars as pl
import streamlit as st

from casekit.charts import funnel_chart, stage_chart
from casekit.report import key_figures, open_flag_counts
from casekit.stages import flag_label, priority_counts
from casekit.ui.widgets import (
    lang,
    num,
    page_header,
    show_chart,
    summary_pdf_download,
    table,
    tr,
    welcome,
)

ws = page_header("overview")
welcome(ws)  # a newcomer on the bundled sample: what this is and what to do first

status = ws.get("status")
# the figures shown here need no outcome changes, and the worklist's counts come from the
# status (both are computed when a page shows them: issue 18)
figures = key_figures(ws.result, status=status, changes=None, entries=ws.get("entries"))
# safety first: the open priority-1 and priority-2 items of the worklist
urgent = priority_counts(status)
cols = st.columns(2)
cols[0].metric(tr("ui.metric_priority_1"), num(urgent[1]), help=tr("ui.metric_priority_1_help"))
cols[1].metric(tr("ui.metric_priority_2"), num(urgent[2]), help=tr("ui.metric_priority_2_help"))
cols = st.columns(4)
cols[0].metric(tr("ui.metric_open_cases"), num(figures["open_cases"]))
high = figures["high_risk_share"]
cols[1].metric(tr("ui.metric_high_risk"), num(high, ".0%"))
cols[2].metric(tr("ui.metric_open_flags"), num(figures["open_flags"]))
days = figures["median_days_to_plan"]
cols[3].metric(tr("ui.metric_days_to_plan"), "—" if days is None else num(days, ".0f"))

left, right = st.columns(2)
with left:
    st.subheader(tr("ui.overview_funnel"))
    show_chart(funnel_chart(status, lang=lang()), key="funnel")
with right:
    st.subheader(tr("ui.overview_by_stage"))
    show_chart(stage_chart(status, lang=lang()), key="by_stage")

st.subheader(tr("ui.overview_flags"))
counts = open_flag_counts(status)
flags = counts.select(
    pl.col("flag").replace_strict({f: flag_label(f, lang()) for f in counts["flag"]}).alias(tr("ui.col_flag")),
    pl.col("cases").alias(tr("ui.col_cases")),
)
table(flags, key="open_flags", stem="open_flags")

st.subheader(tr("ui.summary_heading"))
summary_pdf_download(ws, key="overview_summary")
