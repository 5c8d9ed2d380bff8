"""Data screen (placeholder until the app issue): the bundled sample and its validation report."""

from __future__ import annotations

import streamlit as st

from casekit.app_data import load_bundled_sample
from casekit.contract import SHEETS
from casekit.i18n import t

lang = st.session_state.get("lang", "es")
st.title(t("app.page_data", lang))
st.caption(t("app.placeholder_note", lang))

result = load_bundled_sample(lang)
counts = result.data.n_rows()
cols = st.columns(3)
cols[0].metric(t("app.metric_cases", lang), counts.get("cases", 0))
cols[1].metric(t("app.metric_errors", lang), result.n_errors)
cols[2].metric(t("app.metric_warnings", lang), result.n_warnings)

st.subheader(t("app.rows_per_sheet", lang))
st.dataframe(
    [{t("app.col_sheet", lang): SHEETS[name].label(lang), t("app.col_rows", lang): n} for name, n in counts.items()],
    hide_index=True,
)
st.subheader(t("app.validation_report", lang))
if result.report.height:
    st.dataframe(
        result.report.rename({c: t(f"app.report_{c}", lang) for c in result.report.columns}),
        hide_index=True,
    )
else:
    st.success(t("app.no_problems", lang))
