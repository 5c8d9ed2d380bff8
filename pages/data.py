"""Data: the validation report, templates, the settings in use, the full report."""

from __future__ import annotations

import polars as pl
import streamlit as st

from casekit.contract import SHEETS
from casekit.measures import DEFAULT_MEASURES_FILE
from casekit.risk.model import default_model_text
from casekit.ui import records
from casekit.ui.widgets import XLSX_MIME, download, lang, page_header, show_table, table, template_downloads, tr
from casekit.validation import report_for

ws = page_header("data", banner=False)
result = ws.result

# -- validation report ------------------------------------------------------------------
st.subheader(tr("ui.data_validation"))
st.write(
    tr(
        "ui.data_summary",
        errors=result.n_errors,
        warnings=result.n_warnings,
        rows=sum(result.n_quarantined().values()),
        cases=result.affected_cases(),
    )
)
sheets = [name for name in result.data.sheets if name in SHEETS]
counts = pl.DataFrame(
    {
        "sheet": sheets,
        "valid": [result.data[name].height for name in sheets],
        "set_aside": [result.quarantined.get(name, pl.DataFrame()).height for name in sheets],
    },
    schema={"sheet": pl.String, "valid": pl.Int64, "set_aside": pl.Int64},
)
show_table(counts, key="rows_per_sheet")  # sheet names, headers and counts through casekit.present
report = report_for(result, lang())
if report.height == 0:
    st.success(tr("ui.data_no_problems"))
else:
    left, right = st.columns(2)
    sheets = left.multiselect(
        tr("ui.data_filter_sheet"), sorted(report["sheet"].unique()), key="report_sheets", placeholder=tr("ui.all")
    )
    severity_labels = {"error": tr("common.error"), "warning": tr("common.warning")}
    severities = right.multiselect(
        tr("ui.data_filter_severity"),
        list(severity_labels),
        format_func=severity_labels.__getitem__,
        key="report_severity",
        placeholder=tr("ui.all"),
    )
    shown = report.filter(
        (pl.col("sheet").is_in(sheets) if sheets else pl.lit(True))
        & (pl.col("severity").is_in(severities) if severities else pl.lit(True))
    )
    # the check id stays in the downloads (to filter by), the screen shows the message,
    # with its hint, wide enough to read without scrolling sideways
    table(shown, key="validation", stem="validation_report", hide=("check",), wide=("message",))

# -- the team workspace: held-back rows to fix, the updated workbook ------------------------
if records.is_workspace():
    records.quarantine_forms()
    if st.button(tr("ui_records.download_workbook"), key="prepare_workbook"):
        download(
            tr("ui_records.download_workbook"),
            records.updated_workbook(lang()),
            file_name=f"casekit_{ws.as_of.isoformat()}.xlsx",
            mime=XLSX_MIME,
            key="download_workbook",
        )

# -- templates --------------------------------------------------------------------------
template_downloads()

# -- settings in use --------------------------------------------------------------------
st.subheader(tr("ui.data_settings"))
config_text = ws.config_text or ws.config.to_toml()
model_text = ws.model_text or default_model_text()
measures_text = ws.measures_text or DEFAULT_MEASURES_FILE.read_text(encoding="utf-8")
left, right = st.columns(2)
with left:
    st.caption(
        tr("ui.process_config")
        + " · "
        + tr("ui.data_settings_uploaded" if ws.config_text else "ui.data_settings_default")
    )
    st.code(config_text, language="toml")
    download(tr("ui.data_download_config"), config_text, file_name="process.toml", key="dl_config")
with right:
    st.caption(
        tr("ui.risk_model") + " · " + tr("ui.data_settings_uploaded" if ws.model_text else "ui.data_settings_default")
    )
    st.code(model_text, language="toml", height=400)
    download(tr("ui.data_download_model"), model_text, file_name="risk_model.toml", key="dl_model")
# a team's file is added to the shipped catalogue (same name: the team's entry wins)
st.caption(
    tr("ui.measures_catalogue")
    + " · "
    + tr("ui.data_settings_uploaded_measures" if ws.measures_text else "ui.data_settings_default")
)
st.code(measures_text, language="toml", height=300)
download(tr("ui.data_download_measures"), measures_text, file_name="measures.toml", key="dl_measures")

# -- the full workbook report -----------------------------------------------------------
st.subheader(tr("ui.data_report"))
if st.button(tr("ui.data_report_button"), key="make_report"):
    import io

    from casekit.report import write_report

    buffer = io.BytesIO()
    with st.spinner(tr("ui.loading")):
        write_report(
            result, buffer, as_of=ws.as_of, lang=lang(), model=ws.model, config=ws.config, measures=ws.measures
        )
    download(
        tr("ui.data_report_download"),
        buffer.getvalue(),
        file_name=f"casekit_report_{ws.as_of}.xlsx",
        mime=XLSX_MIME,
        key="dl_report",
    )
