"""The sidebar drawn on every screen: language, data source, as-of date, settings.

It is drawn by the entry file (``app.py``) on every run, so the choices persist across
pages. It returns the :class:`~casekit.ui.derived.DerivedTables` to show, or ``None``
when the chosen source cannot be read (the message is already shown).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

from casekit.errors import CasekitError
from casekit.i18n import LANGS, normalize_lang, t
from casekit.measures import load_measures
from casekit.present import formats
from casekit.risk.model import load_model
from casekit.stages import load_process_config
from casekit.ui import records
from casekit.ui.derived import SAMPLE_WORKBOOK, DerivedTables, data_source, digest, load
from casekit.ui.signin import allowed_sources, scoped_result, signed_in, workspace_label
from casekit.ui.warmup import start as warm_up
from casekit.ui.widgets import md

if TYPE_CHECKING:
    import polars as pl

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
        st.error(t("ui.settings_not_text", lang, file=md(upload.name)))
        return ""


def _restore_from_url() -> None:
    """Once per session: take the language, source, as-of date and manager from the URL (a refresh)."""
    if st.session_state.get("_restored"):
        return
    st.session_state["_restored"] = True
    params = st.query_params
    if params.get("lang") in LANGS:
        st.session_state["lang"] = params["lang"]
    if params.get("source") in ("workspace", "sample", "upload"):
        st.session_state["source"] = params["source"]
    if params.get("manager"):
        st.session_state["manager"] = params["manager"]
    try:
        as_of = dt.date.fromisoformat(params.get("as_of", ""))
    except ValueError:
        return
    st.session_state["as_of"] = as_of
    st.session_state["_as_of_source"] = st.session_state.get("source")


def _save_to_url(choice: str, as_of: dt.date) -> None:
    wanted = {"lang": st.session_state["lang"], "source": choice, "as_of": as_of.isoformat()}
    manager = st.session_state.get("manager")
    if manager:
        wanted["manager"] = manager
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    if not manager and "manager" in st.query_params:
        del st.query_params["manager"]


#: Set when the user picked an as-of date since the sidebar was last drawn: a date picked
#: while the rerun of another source was still running reaches the app in the same rerun
#: as the source, and is kept (not replaced by the source's default date).
AS_OF_PICKED = "_as_of_picked"


def _as_of_picked() -> None:
    st.session_state[AS_OF_PICKED] = True


def _widgets(lang: str, sources: tuple[str, ...], has_workspace: bool) -> dict[str, object]:
    """The sidebar's widgets; their values by name."""
    sample_path, _, sample_as_of = data_source()  # the bundled sample, or CASEKIT_DATA
    on_server = sample_path != SAMPLE_WORKBOOK
    st.selectbox(t("ui.language", lang), LANGS, format_func=LANG_NAMES.__getitem__, key="lang")
    lang = st.session_state["lang"]
    labels = {"workspace": workspace_label(lang)}
    if on_server:
        labels["sample"] = t("ui.source_server", lang, name=md(sample_path.name))  # a radio option: Markdown
    choice = st.radio(
        t("ui.data_source", lang),
        sources,
        format_func=lambda c: labels.get(c) or t(f"ui.source_{c}", lang),
        key="source",
    )
    uploads, month_first = [], False
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
    if choice == "sample" and not on_server:
        st.caption(t("ui_records.sample_read_only", lang))
        if not has_workspace and st.button(t("ui_records.create_workspace", lang), key="create_workspace"):
            ws = records.create()
            st.session_state["_next_source"] = "workspace"
            st.session_state["_flash"] = t("ui_records.created", lang, db=ws.url_label)
            st.rerun()
    default_as_of = sample_as_of if choice == "sample" else dt.date.today()
    picked = st.session_state.pop(AS_OF_PICKED, False)
    if st.session_state.get("_as_of_source") != choice:  # another source starts at its own date ...
        if not picked:  # ... unless a date was picked in the same rerun
            st.session_state["as_of"] = default_as_of
        st.session_state["_as_of_source"] = choice
    as_of = st.date_input(t("ui.as_of", lang), key="as_of", format=formats(lang).widget_date, on_change=_as_of_picked)
    with st.expander(t("ui.settings", lang)):
        config_text = _settings_text(t("ui.process_config", lang), "config_upload", lang)
        model_text = _settings_text(t("ui.risk_model", lang), "model_upload", lang)
        measures_text = _settings_text(t("ui.measures_catalogue", lang), "measures_upload", lang)
        st.caption(t("ui.settings_help", lang))
    if st.session_state.get("_flash"):
        st.success(md(st.session_state.pop("_flash")))  # it names the case: data
    return {
        "lang": lang,
        "choice": choice,
        "uploads": uploads,
        "month_first": month_first,
        "as_of": as_of,
        "config_text": config_text,
        "model_text": model_text,
        "measures_text": measures_text,
    }


def _load_choice(w: dict[str, object]) -> tuple[object, str, str, Callable[[], pl.DataFrame] | None] | None:
    """``(validation result, cache key, source name, assignment history reader)`` of the
    chosen source (``None``: no upload yet). Only a workspace has an assignment history
    (not in a researcher's de-identified extract)."""
    lang, choice, as_of = str(w["lang"]), w["choice"], w["as_of"]
    # once per process: Overview's libraries imported while the data is read (its polars
    # queries let go of Python's lock), not before: the sidebar's own Python work comes first
    warm_up()
    if choice == "workspace":
        ws = records.current()
        with st.spinner(t("ui.loading", lang)):
            result, key = scoped_result(ws, *records.stored_result(ws))  # the signed-in user's scope
        with st.sidebar:
            st.caption(t("ui_records.workspace_caption", lang, db=md(ws.url_label)))
            synced = ws.synced_file
            if synced is not None:  # SQLite in Dropbox/OneDrive/iCloud…: corruption, lost changes
                st.warning(t("workspace.synced_folder", lang, path=md(str(synced))), icon=":material/sync_problem:")
        who = signed_in()
        history = None if who is not None and who.role == "researcher" else ws.assignments
        return result, key, ws.url_label, history
    month_first = bool(w["month_first"])
    if choice == "sample":
        sample_path, sample_key, _ = data_source()
        key = digest(sample_key, str(month_first))
        with st.spinner(t("ui.loading", lang)):
            return load(sample_path, key=key, as_of=as_of), key, sample_path.name, None  # type: ignore[arg-type]  # the sidebar's choices travel in a dict of objects; as_of is a date
    uploads = w["uploads"]
    if not uploads:
        from casekit.io import prestart_reader

        prestart_reader()  # the reader's child started while the user picks the files (issue 18)
        return None
    files = {f.name: f.getvalue() for f in uploads}  # type: ignore[attr-defined]  # uploads are Streamlit's UploadedFile objects, held as object in the choices
    key = digest(digest(*(part for name, data in sorted(files.items()) for part in (name, data))), str(month_first))
    with st.spinner(t("ui.loading", lang)):
        result = load(files, key=key, as_of=as_of, month_first=month_first)  # type: ignore[arg-type]  # the sidebar's choices travel in a dict of objects; as_of is a date
    _offer_import(files, result, month_first, lang)
    return result, key, ", ".join(sorted(files)), None


def sidebar() -> DerivedTables | None:
    """Draw the sidebar and return the tables it selects."""
    _restore_from_url()
    lang = current_lang()
    has_workspace = records.workspace_exists()
    sources = allowed_sources(records.options(workspace_exists=has_workspace))
    if "_next_source" in st.session_state:  # set by a button on the previous run
        st.session_state["source"] = st.session_state.pop("_next_source")
    if st.session_state.get("source") not in sources:
        st.session_state["source"] = sources[0]
    with st.sidebar:
        w = _widgets(lang, sources, has_workspace)
    lang, as_of = str(w["lang"]), w["as_of"]
    _save_to_url(str(w["choice"]), as_of)  # type: ignore[arg-type]  # the sidebar's choices travel in a dict of objects; as_of is a date
    try:
        config = load_process_config(w["config_text"] or None, lang=lang)  # type: ignore[arg-type]  # the settings' text travels in a dict of objects (str or "")
        model = load_model(w["model_text"] or None, lang=lang)  # type: ignore[arg-type]  # the settings' text travels in a dict of objects (str or "")
        measures = load_measures(w["measures_text"] or None, lang=lang)  # type: ignore[arg-type]  # the settings' text travels in a dict of objects (str or "")
        loaded = _load_choice(w)
    except CasekitError as exc:
        st.session_state["load_error"] = exc.message(lang)
        return None
    if loaded is None:
        return None
    result, key, name, history = loaded
    st.session_state.pop("load_error", None)
    _manager_filter(result, lang)
    _save_to_url(str(w["choice"]), as_of)  # type: ignore[arg-type]  # the sidebar's choices travel in a dict of objects; as_of is a date
    sample_path = data_source()[0]
    return DerivedTables.from_result(
        result,  # type: ignore[arg-type]  # the loaded result is typed object in _load_choice's tuple: a ValidationResult
        as_of=as_of,  # type: ignore[arg-type]  # the sidebar's choices travel in a dict of objects; as_of is a date
        key=key,
        config=config,
        model=model,
        config_text=str(w["config_text"]),
        model_text=str(w["model_text"]),
        measures=measures,
        measures_text=str(w["measures_text"]),
        source=name,
        is_sample=w["choice"] == "sample" and sample_path == SAMPLE_WORKBOOK,
        assignments=history,
    )


def _manager_filter(result: object, lang: str) -> None:
    """The case manager whose work the screens show first (kept in the URL, like the source)."""
    cases = result.data.get("cases")  # type: ignore[attr-defined]  # result is typed object here: a ValidationResult
    who = signed_in()
    if cases is None or "case_manager" not in cases.columns or (who is not None and who.role == "case_manager"):
        return  # a case manager's data is their own caseload already
    managers = ["", *sorted(cases["case_manager"].drop_nulls().unique().to_list())]
    if st.session_state.get("manager") not in managers:
        st.session_state["manager"] = ""
    with st.sidebar:
        st.selectbox(
            t("ui_records.manager", lang),
            managers,
            format_func=lambda m: m or t("ui_records.manager_all", lang),
            key="manager",
        )


def _offer_import(files: dict[str, bytes], result: object, month_first: bool, lang: str) -> None:
    """Show what an import would do (the validation counts) and import with one button."""
    with st.sidebar:
        st.caption(
            t(
                "ui_records.import_preview",
                lang,
                errors=result.n_errors,  # type: ignore[attr-defined]  # result is typed object here: a ValidationResult
                warnings=result.n_warnings,  # type: ignore[attr-defined]  # result is typed object here: a ValidationResult
                rows=sum(result.n_quarantined().values()),  # type: ignore[attr-defined]  # result is typed object here: a ValidationResult
            )
        )
        if st.button(t("ui_records.import_button", lang), key="import_upload"):
            ws = records.create()
            done = ws.import_workbook(
                files, actor=records.actor(), lang=lang, month_first=month_first, user=records.user()
            )
            st.session_state["_next_source"] = "workspace"
            st.session_state["_flash"] = t(
                "ui_records.imported",
                lang,
                added=done.total("added"),
                changed=done.total("changed"),
                unchanged=done.total("unchanged"),
                quarantined=done.total("quarantined"),
            )
            st.rerun()
