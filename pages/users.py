"""Users (administrators): who may sign in, with what role; add, change, remove."""

from __future__ import annotations

import streamlit as st

from casekit.errors import CasekitError
from casekit.i18n import LANGS, t
from casekit.ui import records
from casekit.ui.widgets import lang, page_title, table, tr, tr_md
from casekit.workspace import ROLES

page_title("users", "ui_access.users_intro")
if not records.workspace_exists():
    st.info(tr("ui_access.users_need_workspace"))
    st.stop()
ws = records.current()

LANG = lang()  # format_func runs outside the script too (AppTest): no session lookup there
with st.form("user_add", clear_on_submit=True):
    email = st.text_input(tr("ui_access.users_email"), key="user_email_input")
    role = st.selectbox(
        tr("ui_access.users_role"), ROLES, index=ROLES.index("case_manager"),
        format_func=lambda r: t(f"ui_access.role_{r}", LANG), key="user_role",
    )  # fmt: skip
    name = st.text_input(tr("ui_access.users_name"), key="user_name")
    programs = st.text_input(tr("ui_access.users_programs"), key="user_programs")
    language = st.selectbox(tr("ui_access.users_language"), LANGS, key="user_language")
    if st.form_submit_button(tr("ui_access.users_save")):
        try:
            saved = ws.add_user(
                email,
                role,
                name=name or None,
                programs=[p.strip() for p in programs.split(",") if p.strip()],
                language=language,
                user=records.user(),
                actor=records.actor(),
                lang=lang(),
            )
        except CasekitError as exc:
            st.error(exc.message(lang()))
        else:
            st.success(tr_md("ui_access.users_saved", email=saved.email))
            if saved.name and ws.name_matches(saved.name) == 0:
                st.warning(tr_md("access.name_unmatched", name=saved.name))

users = ws.users()  # after the form: a user just saved is listed
table(users.with_columns(users["programs"].list.join(", ")), key="users_table", stem="users")
if users.height:
    gone = st.selectbox(tr("ui_access.users_remove"), users["email"].to_list(), key="user_remove_pick")
    if st.button(tr("ui_access.users_remove"), key="user_remove"):
        try:
            ws.remove_user(gone, user=records.user(), actor=records.actor(), lang=lang())
        except CasekitError as exc:
            st.error(exc.message(lang()))
        else:
            st.session_state["_flash"] = tr("ui_access.users_removed", email=gone)
            st.rerun()
