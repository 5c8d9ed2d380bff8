"""Transitions (stages 7–8): level-of-care flows, post-transition contacts, readmissions."""

from __future__ import annotations

import polars as pl
import streamlit as st

from casekit.charts import transitions_chart
from casekit.contract import VOCABS
from casekit.present import vocabulary
from casekit.stages import flag_label
from casekit.ui import forms
from casekit.ui import transitions as tx
from casekit.ui.widgets import (
    empty_state,
    lang,
    num,
    page_header,
    show_chart,
    table,
    tr,
)

SCREEN = "ui_transitions"  # its catalogue words some headers its own way


ws = page_header("transitions", "ui_transitions.caption", days=lambda ws: tx.window_text(ws.config, lang()))
days = tx.window_text(ws.config, lang())
levels = ", ".join(VOCABS["level_of_care"][x](lang()) for x in ws.config.readmission_levels)
window = ws.config.readmission_days
forms.stage_section(ws, "transitions", key="transition_form")

transitions, post = ws.get("transitions"), ws.get("post_transition_contacts")
if transitions.height == 0:
    empty_state("ui_transitions.empty")
    st.stop()

readmitted = tx.readmissions(ws.data, as_of=ws.as_of, config=ws.config)
chase = tx.contacts_to_chase(post, ws.get("status"), ws.get("flags"))
figures = tx.key_figures(transitions, post, chase, readmitted)
cols = st.columns(3)
cols[0].metric(tr("ui_transitions.metric_transitions"), num(figures["transitions"]))
cols[1].metric(tr("ui_transitions.metric_cases"), num(figures["cases"]))
cols[2].metric(tr("ui_transitions.metric_readmissions", days=window), num(figures["readmissions"]))

# -- level-of-care flows ----------------------------------------------------------------
st.subheader(tr("ui_transitions.flows"))
kind_names = vocabulary("transition_kind", lang())
kinds = st.multiselect(
    tr("ui_transitions.filter_kind"),
    [k for k in kind_names if k in set(transitions["kind"].drop_nulls())],
    format_func=kind_names.__getitem__,
    placeholder=tr("ui_transitions.filter_kind_all"),
    key="tx_kinds",
)
shown = transitions.filter(pl.col("kind").is_in(kinds)) if kinds else transitions
st.caption(tr("ui_transitions.flows_caption", shown=num(shown.height), total=num(transitions.height)))
# Streamlit fits a layered chart (axes, title and legend included) into its width x height,
# squashing the rows: draw it at its natural size instead ("pad").
show_chart(
    transitions_chart(shown, lang=lang()),
    key="tx_flows_chart",
)
table(tx.transition_flows(shown), key="tx_flows", stem="transition_flows", screen=SCREEN)

st.subheader(tr("ui_transitions.by_kind"))
table(tx.transitions_by_kind(transitions), key="tx_by_kind", stem="transitions_by_kind", screen=SCREEN)

# -- post-transition contacts -----------------------------------------------------------
st.subheader(tr("ui_transitions.post_contacts"))
st.caption(tr("ui_transitions.post_caption", days=days))
counts = tx.contact_counts(post)
cols = st.columns(len(counts))
for col, (status, cases) in zip(cols, counts.iter_rows(), strict=True):
    col.metric(tr(f"ui_transitions.status_{status}"), num(cases))

st.subheader(tr("ui_transitions.to_chase"))
st.caption(tr("ui_transitions.to_chase_caption", flagged=num(figures["flagged"]), flag=flag_label(tx.FLAG, lang())))
if chase.height == 0:
    empty_state("ui_transitions.none_to_chase")
else:
    managers = sorted(chase["case_manager"].drop_nulls().unique())
    manager = st.selectbox(
        tr("ui_transitions.filter_manager"),
        [None, *managers],
        format_func={None: tr("ui_transitions.all_managers"), **{m: m for m in managers}}.__getitem__,
        key="tx_manager",
    )
    if manager is not None:
        chase = chase.filter(pl.col("case_manager") == manager)
    table(chase, key="tx_chase", stem="post_transition_contacts_missing", screen=SCREEN)

# -- readmissions -----------------------------------------------------------------------
st.subheader(tr("ui_transitions.readmissions", days=window))
if readmitted.height == 0:
    empty_state("ui_transitions.no_readmissions", levels=levels, window=window)
else:
    st.caption(
        tr(
            "ui_transitions.readmissions_caption",
            n=num(figures["readmissions"]),
            levels=levels,
            window=window,
            cases=num(figures["readmitted_cases"]),
            days=num(figures["median_days_to_readmission"], ".0f"),
        )
    )
    table(readmitted, key="tx_readmissions", stem="readmissions", screen=SCREEN)
