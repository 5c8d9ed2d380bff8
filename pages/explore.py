"""Explore (researchers): filter a cohort, a measure by group, funnel and time between
stages, cohort A vs cohort B, exports (event log, de-identified extract, grouped table).
The views are drawn by :mod:`casekit.ui.explore`."""

from __future__ import annotations

import streamlit as st

from casekit.ui import explore
from casekit.ui.signin import shows_exact_counts
from casekit.ui.widgets import empty_state, page_header

ws = page_header("explore", "ui_explore.caption")
explore.keep_hidden_choices()
cohort = ws.get("cohort")
if cohort.height == 0:
    empty_state("ui.empty_table")
    st.stop()
team = shows_exact_counts()  # the team sees its exact counts; every count of a researcher's screen is suppressed
flt, a = explore.cohort_a(cohort, team=team)
if a.height == 0:
    empty_state("ui_explore.no_match")
    st.stop()

view = explore.choose_view()
if view == "group":
    explore.group_view(a, cohort, team=team)
elif view == "process":
    explore.process_view(a, team=team)
elif view == "compare":
    explore.compare_view(ws, a, cohort, team=team)
else:
    explore.export_view(ws, a, flt, team=team)
