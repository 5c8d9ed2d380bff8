"""Learn (trainers): one client through the nine stages, what-if knobs, printable handouts."""

from __future__ import annotations

import streamlit as st

from casekit.ui import learn as ui
from casekit.ui.widgets import page_header

ws = page_header("learn", "ui_learn.caption")

case_id = ui.choose_client(ws)
if case_id is None:
    st.stop()
steps = ws.steps(case_id)
step = ui.stage_nav(steps)
ui.show_step(ws, step)
st.divider()
ui.handouts(steps, step)
