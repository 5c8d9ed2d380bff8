"""The sidebar drawn on every screen: language, data source, as-of date, settings.

It is drawn by the entry file (``app.py``) on every run, so the choices persist across
pages. It returns the :class:`~casekit.ui.derived.DerivedTables` to show, or ``None``
when the chosen source cannot be read (the message is already shown).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from casekit.errors import CasekitError
from casekit.i18n import LANGS, normalize_lang, t
from casekit.risk.model import load_model
from casekit.stages import load_process_config
from casekit.ui.derived import SAMPLE_WORKBOOK, DerivedTables, data_source, digest, load

UPLOAD_TYPES = ["xlsx", "xlsm", "ods", "csv", "tsv", "txt", "parquet"]
LANG_NAMES = {"es": "Español", "en": "English"}


def current_lang() -> str:
    """The language chosen in the sidebar (default: the browser's, else Spanish)."""
    if "lang" not in st.session_state:
        locale = getattr(st.context, "locale", None)
        st.session_state["lang"] = normalize_lang(locale) if locale else "es"
    return st.session_state["lang"]


def _settings_text(label: str, key: str, lang: str) -> str:
    upload = st.file_uploader(label, type=["toml"], key=key)
    if upload is None:
        return ""
    try:
        return upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error(t("ui.settings_not_text", lang, file=upload.name))
        return ""


def sidebar() -> DerivedTables | None:
    """Draw the sidebar and return the tables it selects."""
    lang = current_lang()
    with st.sidebar:
        st.selectbox(t("ui.language", lang), LANGS, format_func=LANG_NAMES.__getitem__, key="lang")
        lang = st.session_state["lang"]
        sample_path, sample_key, sample_as_of = data_source()  # the bundled sample, or CASEKIT_DATA
        on_server = sample_path != SAMPLE_WORKBOOK
        server_file = {"sample": t("ui.source_server", lang, name=sample_path.name)} if on_server else {}
        choice = st.radio(
            t("ui.data_source", lang),
            ("sample", "upload"),
            format_func=lambda c: server_file.get(c) or t(f"ui.source_{c}", lang),
            key="source",
        )
        uploads = []
        if choice == "upload":
            uploads = (
                st.file_uploader(
                    t("ui.upload", lang),
                    type=UPLOAD_TYPES,
                    accept_multiple_files=True,
                    key="uploads",
                    help=t("ui.upload_help", lang),
                )
                or []
            )
            month_first = st.checkbox(t("ui.month_first", lang), key="month_first")
        else:
            month_first = False
        default_as_of = sample_as_of if choice == "sample" else dt.date.today()
        if st.session_state.get("_as_of_source") != choice:
            st.session_state["as_of"] = default_as_of
            st.session_state["_as_of_source"] = choice
        as_of = st.date_input(t("ui.as_of", lang), key="as_of", format="DD/MM/YYYY" if lang == "es" else "YYYY-MM-DD")
        with st.expander(t("ui.settings", lang)):
            config_text = _settings_text(t("ui.process_config", lang), "config_upload", lang)
            model_text = _settings_text(t("ui.risk_model", lang), "model_upload", lang)
            st.caption(t("ui.settings_help", lang))

    if choice == "sample":
        source, key, name = sample_path, sample_key, sample_path.name
    else:
        if not uploads:
            return None
        files = {f.name: f.getvalue() for f in uploads}
        source = files
        key = digest(*(part for name, data in sorted(files.items()) for part in (name, data)))
        name = ", ".join(sorted(files))
    try:
        config = load_process_config(config_text or None, lang=lang)
        model = load_model(model_text or None, lang=lang)
        with st.spinner(t("ui.loading", lang)):
            result = load(source, key=digest(key, str(month_first)), as_of=as_of, month_first=month_first)
    except CasekitError as exc:
        st.session_state["load_error"] = exc.message(lang)
        return None
    st.session_state.pop("load_error", None)
    return DerivedTables.from_result(
        result,
        as_of=as_of,
        key=digest(key, str(month_first)),
        config=config,
        model=model,
        config_text=config_text,
        model_text=model_text,
        source=name,
        is_sample=choice == "sample" and source == SAMPLE_WORKBOOK,
    )
