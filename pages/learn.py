"""Learn (trainers): one client through the nine stages, what-if knobs, printable handouts."""

from __future__ import annotations

import streamlit as st

from casekit.ui import _learn as ui
from casekit.ui.widgets import md, quarantine_banner, require_tables, show_date, tr

ws = require_tables()
st.title(tr("ui.page_learn"))
st.caption(tr("ui.source_caption", source=md(ws.source), as_of=show_date(ws.as_of)))
st.caption(tr("ui_learn.caption"))
quarantine_banner(ws)

case_id = ui.choose_client(ws)
if case_id is None:
    st.stop()
steps = ui.steps_of(ws, case_id)
step = ui.stage_nav(steps)
ui.show_step(ws, step)
st.divider()
ui.handouts(steps, step)
