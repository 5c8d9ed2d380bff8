"""Implementation & monitoring (stages 5–6): the worklist, missed appointments,
attendance, follow-ups overdue by tier."""

from __future__ import annotations

import functools

import streamlit as st

from casekit.charts import attendance_chart, flags_by_manager_chart
from casekit.contract import VOCABS
from casekit.stages import flag_label, open_flag_count, priority_label
from casekit.ui import records
from casekit.ui.monitoring import (
    filter_worklist,
    overall_rate,
    worklist_flags,
    worklist_managers,
    worklist_print_html,
    worklist_priorities,
    worklist_rows,
)
from casekit.ui.widgets import (
    download,
    empty_state,
    lang,
    num,
    page_header,
    show_chart,
    table,
    tr,
)

ws = page_header("monitoring", "ui_monitoring.caption")

worklist = ws.get("worklist")
missed = ws.get("missed_appointments")
attendance = ws.get("attendance")
by_tier = ws.get("follow_up_by_tier")
rate = overall_rate(attendance)
cols = st.columns(4)
cols[0].metric(tr("ui_monitoring.metric_worklist"), num(open_flag_count(ws.get("status"))))
cols[1].metric(tr("ui_monitoring.metric_missed"), num(missed.height))
cols[2].metric(tr("ui_monitoring.metric_attendance"), num(rate, ".0%"))
cols[3].metric(tr("ui_monitoring.metric_follow_up"), num(by_tier["follow_up_overdue"].sum()))

# -- the worklist --------------------------------------------------------------------------
st.subheader(tr("ui_monitoring.worklist_title"))
st.caption(tr("ui_monitoring.worklist_help"))
if worklist.height == 0:
    empty_state("ui_monitoring.worklist_empty")
else:
    levels = worklist_priorities(worklist)
    priorities = st.multiselect(
        tr("ui_monitoring.filter_priority"),
        levels,
        format_func=lambda n: priority_label(n, lang()),
        key="monitoring_priorities",
        placeholder=tr("ui_monitoring.filter_placeholder"),
    )
    left, right = st.columns(2)
    choices = worklist_managers(worklist)
    if "monitoring_managers" not in st.session_state:  # the sidebar's case manager, kept across pages
        chosen = st.session_state.get("manager")
        st.session_state["monitoring_managers"] = [chosen] if chosen in choices else []
    managers = left.multiselect(
        tr("ui_monitoring.filter_manager"),
        choices,
        key="monitoring_managers",
        placeholder=tr("ui_monitoring.filter_placeholder"),
    )
    kinds = worklist_flags(worklist)
    flags = right.multiselect(
        tr("ui_monitoring.filter_flag"),
        kinds,
        format_func=dict(zip(kinds, [flag_label(f, lang()) for f in kinds], strict=True)).__getitem__,
        key="monitoring_flags",
        placeholder=tr("ui_monitoring.filter_placeholder"),
    )
    shown = filter_worklist(worklist, managers=managers, flags=flags, priorities=priorities)
    st.caption(tr("ui_monitoring.worklist_shown", shown=num(shown.height), total=num(worklist.height)))
    if shown.height == 0:
        empty_state("ui_monitoring.worklist_filtered_empty")
    else:
        table(
            worklist_rows(shown, lang=lang()),
            key="monitoring_worklist",
            stem="worklist",
            model=ws.model,
            version=(ws.key, tuple(priorities), tuple(managers), tuple(flags)),  # made again when these change
        )
        download(
            tr("ui_monitoring.print_button"),
            functools.partial(  # written when clicked
                worklist_print_html,
                shown,
                lang=lang(),
                as_of=ws.as_of,
                source=ws.source,
                total=worklist.height,
                model=ws.model,
            ),
            file_name=f"{tr('ui_monitoring.worklist_title')}_{ws.as_of.isoformat()}.html",
            key="monitoring_worklist_print",
            mime="text/html",
            help=tr("ui_monitoring.print_help"),
            icon=":material/print:",
        )
        st.subheader(tr("ui_records.log_contact_title"))
        rows = shown.head(1000).select("case_id", "flag").unique("case_id", keep="first", maintain_order=True)
        labels = {c: f"{c} — {flag_label(f, lang())}" for c, f in rows.iter_rows()}
        records.contact_form(list(labels), key="monitoring_contact", labels=labels)
        st.subheader(tr("ui_monitoring.flags_by_manager_title"))
        show_chart(flags_by_manager_chart(shown, lang=lang()), key="monitoring_flags_by_manager")

# -- missed appointments -----------------------------------------------------------------
st.subheader(tr("ui_monitoring.missed_title"))
st.caption(tr("ui_monitoring.missed_help"))
if missed.height == 0:
    empty_state("ui_monitoring.missed_empty")
else:
    table(missed, key="monitoring_missed", stem="missed_appointments", screen="ui_monitoring")

# -- attendance ----------------------------------------------------------------------------
st.subheader(tr("ui_monitoring.attendance_title"))
st.caption(tr("ui_monitoring.attendance_help"))
if attendance.height == 0:
    empty_state("ui_monitoring.attendance_empty")
else:
    left, right = st.columns([3, 2])
    with left:
        show_chart(
            attendance_chart(ws.data, lang=lang(), as_of=ws.as_of),
            key="monitoring_attendance_chart",
        )
    with right:
        table(attendance, key="monitoring_attendance", stem="attendance_by_kind", screen="ui_monitoring")

# -- follow-ups overdue by tier ------------------------------------------------------------
st.subheader(tr("ui_monitoring.follow_up_title"))
st.caption(tr("ui_monitoring.follow_up_help", tier=VOCABS["tier"][ws.config.default_tier](lang())))
table(by_tier, key="monitoring_follow_up", stem="follow_up_overdue_by_tier")
