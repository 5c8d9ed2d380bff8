"""Case record (Ficha del caso): one client's case — details, stage, tier, open flags,
timeline, goals, services, contacts, the change history — and the actions on it."""

from __future__ import annotations

import polars as pl
import streamlit as st

from casekit.contract import VOCABS
from casekit.stages import flag_label, stage_label
from casekit.ui import forms, records
from casekit.ui.signin import guard_case, reassign_form
from casekit.ui.widgets import lang, page_header, show_date, table, tr

ws = page_header("case")

status = ws.get("status")
cases = ws.data.get("cases")
if status.height == 0 or cases is None:
    st.info(tr("ui_records.case_none"))
    st.stop()

if records.is_workspace():
    with st.expander(tr("ui_forms.new_case_title")):
        forms.new_case_form(key="case_new_case")


def _picked() -> None:
    st.session_state["_case_picked"] = True


ids = status.sort("case_id")["case_id"].to_list()
wanted = st.query_params.get("case")  # a link, a refresh: the case in the URL
new_url = wanted != st.session_state.get("_case_from_url") or "case_pick" not in st.session_state
# the URL's case is shown, unless a case was picked in the box in this rerun: the browser updates
# its URL when the run of the last pick reaches it, so a pick made before that comes with the old URL
picked = st.session_state.pop("_case_picked", False)
if wanted in ids and new_url and not picked:
    st.session_state["case_pick"] = wanted
elif wanted and wanted not in ids and records.is_workspace() and records.user():  # not theirs: refused, audited
    guard_case(records.current(), wanted, lang())
names = dict(cases.select("case_id", pl.col("client_name").fill_null("")).iter_rows())
case_id = st.selectbox(
    tr("ui_records.case_pick"),
    ids,
    format_func=lambda c: f"{c} — {names.get(c, '')}".rstrip(" —"),
    key="case_pick",
    on_change=_picked,
)
if st.query_params.get("case") != case_id:
    st.query_params["case"] = case_id
st.session_state["_case_from_url"] = case_id
if records.is_workspace() and not guard_case(records.current(), case_id, lang()):  # the opening is audited
    st.stop()

case = cases.filter(pl.col("case_id") == case_id).row(0, named=True)
row = status.filter(pl.col("case_id") == case_id).row(0, named=True)
st.subheader(f"{case_id} · {case.get('client_name') or ''}")
cols = st.columns(4)
cols[0].metric(tr("ui_records.case_stage"), stage_label(row["current_stage"], lang()) if row["current_stage"] else "—")
tier = row.get("effective_tier")
cols[1].metric(tr("ui_records.case_tier"), VOCABS["tier"][tier](lang()) if tier in VOCABS["tier"] else "—")
cols[2].metric(tr("ui_records.case_opened"), show_date(case["opened_on"]))
cols[3].metric(
    tr("ui_records.case_closed"), show_date(case["closed_on"]) if case["closed_on"] else tr("ui_records.case_open")
)

with st.expander(tr("ui_records.case_details"), expanded=False):
    details = {k: v for k, v in case.items() if k != "_row" and v is not None}
    st.table(pl.DataFrame({"": list(details), " ": [str(v) for v in details.values()]}))

st.subheader(tr("ui_records.case_flags"))
flags = ws.get("flags").filter(pl.col("case_id") == case_id)
if flags.height == 0:
    st.caption(tr("ui_records.case_no_flags"))
else:
    for flag in flags.iter_rows(named=True):
        st.markdown(f"- **{flag_label(flag['flag'], lang())}** · {show_date(flag['due_on'])}")

st.subheader(tr("ui_forms.tier_history"))
history = forms.tier_history(ws.data, case_id, ws.model)
if history.height == 0:
    st.caption(tr("ui_forms.tier_history_none"))
else:
    table(history, key="case_tiers", stem=f"tiers_{case_id}")

if records.is_workspace() and not case["closed_on"]:
    st.subheader(tr("ui_records.log_contact_title"))
    records.contact_form([case_id], key="case_contact", record_link=False)
    for sheet in forms.FORM_SHEETS:
        forms.stage_section(ws, sheet, key=f"case_{sheet}", case_ids=[case_id])
if records.is_workspace():
    managers = sorted(cases["case_manager"].drop_nulls().unique().to_list())
    reassign_form(records.current(), case_id, managers, lang())
elif not records.is_workspace():
    st.info(tr("ui_records.read_only_hint"))

st.subheader(tr("ui_records.case_timeline"))
events = ws.get("events").filter(pl.col("case_id") == case_id).sort("timestamp", descending=True)
table(events.drop("case_id"), key="case_events", stem=f"timeline_{case_id}")

for sheet, title in (("goals", "case_goals"), ("services", "case_services"), ("contacts", "case_contacts")):
    frame = ws.data.get(sheet)
    if frame is not None:
        st.subheader(tr(f"ui_records.{title}"))
        table(frame.filter(pl.col("case_id") == case_id).drop("_row", strict=False), key=f"case_{sheet}", stem=sheet)

client = case.get("client_id")
if client:
    others = cases.filter((pl.col("client_id") == client) & (pl.col("case_id") != case_id))
    if others.height:
        st.subheader(tr("ui_records.case_other_cases"))
        table(others.drop("_row", strict=False), key="case_others", stem="other_cases")

if records.is_workspace():
    st.subheader(tr("ui_records.case_history"))
    history = records.audit_view(records.case_audit(records.current(), case_id), lang())
    table(history, key="case_audit", stem=f"audit_{case_id}", wide=("what_changed",))
    if not case["closed_on"]:
        st.subheader(tr("ui_records.close_title"))
        records.close_form(case_id, key="case_close")
