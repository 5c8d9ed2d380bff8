"""The app's side of the stored workspace: which one, its tables, and the forms that write to it.

The workspace is the one in ``CASEKIT_DB``, else ``casekit.db`` in the folder the app
runs in — when it exists: the app never creates one unasked, and the bundled sample is
never written into it. Its tables are cached on the head of its audit chain, which every
write advances, so a saved contact is on the worklist at the next rerun.

Examples
--------
>>> options(workspace_exists=False)
('sample', 'upload')
>>> options(workspace_exists=True)
('workspace', 'sample', 'upload')
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from casekit.present import formats
from casekit.workspace import resolve_url, sqlite_path

if TYPE_CHECKING:  # SQLAlchemy loads only when a workspace is opened (the sample and uploads never do)
    from casekit.workspace import Workspace

__all__ = ["current", "options", "workspace_exists", "workspace_url"]


def workspace_url() -> str:
    """The workspace the app uses: ``CASEKIT_DB`` or ``./casekit.db``."""
    return resolve_url()


def workspace_exists() -> bool:
    """Whether there is a workspace to open (a SQLite file that exists, or a server URL)."""
    path = sqlite_path(workspace_url())
    return path.exists() if path is not None else True


def options(*, workspace_exists: bool) -> tuple[str, ...]:
    """The sidebar's data sources: the workspace first when there is one."""
    return ("workspace", "sample", "upload") if workspace_exists else ("sample", "upload")


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Workspace:
    from casekit.workspace import Workspace

    return Workspace.open(url)


def current() -> Workspace:
    """The app's workspace (opened once per server process; created when missing)."""
    return _open(workspace_url())


def create() -> Workspace:
    """Create the empty workspace at :func:`workspace_url` (nothing from the sample)."""
    path = sqlite_path(workspace_url())
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return current()


@st.cache_resource(show_spinner=False)
def _latest() -> dict[str, tuple[int, Any]]:
    """The last stored state read, per workspace: ``{url: (audit head, ValidationResult)}``."""
    return {}


def stored_result(ws: Workspace) -> tuple[Any, str]:
    """``(ValidationResult of the stored state, cache key)``, current after every write.

    When the only writes since the last read are new rows (``record``), those rows are
    appended to the frames already in memory instead of reading every table again
    (:meth:`~casekit.workspace.Workspace.result_since`): a contact saved from the worklist
    is on the recomputed worklist at once.
    """
    seq = ws.last_change()  # moves with every write
    latest = _latest()
    previous = latest.get(ws.url)
    if previous is not None and previous[0] == seq:
        return previous[1], f"workspace:{ws.url}:{seq}"
    result = ws.result_since(previous[1], previous[0]) if previous is not None else None
    if result is None:
        result = ws.result(lang="en")
    latest[ws.url] = (seq, result)
    return result, f"workspace:{ws.url}:{seq}"


def actor() -> str:
    """Who records: the signed-in user's e-mail, in local mode the OS user."""
    from casekit.workspace import default_actor

    return st.session_state.get("user_email") or default_actor()


def user() -> str | None:
    """The signed-in e-mail every write passes as ``user=`` (the workspace checks the role
    and the caseload); ``None`` in local mode."""
    return st.session_state.get("user_email")


def case_audit(ws: Workspace, case_id: str) -> pl.DataFrame:
    """The case's audit history, newest first."""
    return ws.audit(case_id).sort("seq", descending=True)


def audit_view(audit: pl.DataFrame, lang: str) -> pl.DataFrame:
    """An audit history as a person reads it: ``at, actor, action, sheet, row_id,
    what_changed`` (ids; :func:`casekit.present.readable` labels them). ``what_changed``
    is each field that changed, ``Header: before → after`` in ``lang`` (a new row: its
    values; a removed one: what it held), never the stored JSON.

    >>> a = pl.DataFrame({"seq": [2, 1], "at": ["t2", "t1"], "actor": ["ana", "ana"],
    ...     "action": ["update", "record"], "sheet": ["contacts"] * 2, "row_id": ["K1"] * 2,
    ...     "before": ['{"kind": "phone_call", "contact_on": "2026-01-03"}', None],
    ...     "after": ['{"kind": "home_visit", "contact_on": "2026-01-03"}',
    ...               '{"kind": "phone_call", "contact_on": "2026-01-03"}']})
    >>> audit_view(a, "es")["what_changed"].to_list()
    ['Tipo: Llamada telefónica → Visita domiciliaria', 'Fecha del contacto: 03/01/2026; Tipo: Llamada telefónica']
    """
    long = [
        _fields(rows, sheet, side, lang)
        for (sheet,), rows in audit.group_by("sheet", maintain_order=True)
        for side in ("before", "after")
    ]
    fields = pl.concat([f for f in long if f.height], how="diagonal") if any(f.height for f in long) else None
    if fields is None:
        changed = pl.DataFrame(schema={"seq": audit.schema["seq"], "what_changed": pl.String})
    else:
        fields = fields.with_columns(
            pl.lit(None, pl.String).alias(c) for c in ("before", "after") if c not in fields.columns
        )
        b, a = pl.col("before").fill_null(""), pl.col("after").fill_null("")
        changed = (
            fields.group_by("seq", "field", maintain_order=True)
            .agg(pl.col("before").drop_nulls().first(), pl.col("after").drop_nulls().first())
            .filter(b != a)
            .sort("seq", "field")
            .with_columns(
                pl.when(b == "")
                .then(pl.format("{}: {}", "field", a))
                .when(a == "")
                .then(pl.format("{}: {}", "field", b))
                .otherwise(pl.format("{}: {} → {}", "field", b, a))
                .alias("_text")
            )
            .group_by("seq", maintain_order=True)
            .agg(pl.col("_text").str.join("; ").alias("what_changed"))
        )
    return audit.join(changed, on="seq", how="left", maintain_order="left").select(
        "at", "actor", "action", "sheet", "row_id", "what_changed"
    )


def _fields(rows: pl.DataFrame, sheet: str | None, side: str, lang: str) -> pl.DataFrame:
    """``seq, field, <side>``: one row per field of the ``side`` JSON of ``rows`` (one
    sheet), its header and its value as ``lang`` reads them (typed by the contract first:
    a date is a date, not its ISO text)."""
    from casekit.contract import SHEETS
    from casekit.data import DTYPES
    from casekit.present import readable

    values = rows.filter(pl.col(side).is_not_null())
    if values.height == 0:
        return pl.DataFrame()
    decoded = values[side].str.json_decode(infer_schema_length=None)  # each sheet's own fields
    if not isinstance(decoded.dtype, pl.Struct):
        return pl.DataFrame()
    wide = values.select("seq").with_columns(decoded.alias("_v")).unnest("_v")
    # the row's own extra columns, and the case (the history is one case's)
    wide = wide.drop([c for c in wide.columns if c.startswith("_") or c == "case_id"])
    spec = SHEETS[sheet].columns if sheet in SHEETS else {}
    casts = []
    for column in wide.columns:
        kind = spec[column].kind if column in spec else ("date" if column.endswith("_on") else None)
        if kind == "date" and wide.schema[column] == pl.String:
            casts.append(pl.col(column).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        elif kind is not None and column != "seq":
            casts.append(pl.col(column).cast(DTYPES[kind], strict=False))
    wide = wide.with_columns(casts)
    shown = readable(wide.drop("seq"), lang).with_columns(seq=wide["seq"])
    return shown.unpivot(index="seq", variable_name="field", value_name=side)


def today() -> dt.date:
    """Today's date (the default date of a form)."""
    return dt.date.today()


def is_workspace() -> bool:
    """Whether the sidebar's source is the team workspace (the only one that is written)."""
    return st.session_state.get("source") == "workspace"


def _vocab_select(label: str, vocab: str, lang: str, *, key: str, default: str | None = None) -> str | None:
    from casekit.contract import VOCABS
    from casekit.i18n import t

    values = list(VOCABS[vocab])
    return st.selectbox(
        label,
        values,
        index=values.index(default) if default in values else None,
        format_func=lambda v: VOCABS[vocab][v](lang),
        key=key,
        placeholder=t("ui_forms.choose", lang),  # not Streamlit's English "Choose an option"
    )


def show_rejection(report: pl.DataFrame) -> None:
    """The problems of a rejected row, each on its field, in the user's language."""
    from casekit.i18n import t

    lang = st.session_state.get("lang", "es")
    st.error(t("ui_records.not_saved", lang))
    for rec in report.iter_rows(named=True):
        where = f"**{rec['column']}**: " if rec["column"] else ""
        st.markdown(f"- {where}{rec['message']}")


def contact_form(
    case_ids: list[str], *, key: str, labels: dict[str, str] | None = None, record_link: bool = True
) -> None:
    """Log a contact for one of ``case_ids`` (the first is preselected: two clicks from a
    worklist row), with a link to the chosen case's record (``record_link``).

    The form is a fragment: pressing *Save* reruns the form alone (validated, stored,
    audited), and only a stored contact reruns the page, once, with the new state — the
    page's tables are not drawn a second time for the click itself."""
    lang = st.session_state.get("lang", "es")
    if not is_workspace():
        from casekit.i18n import t

        st.info(t("ui_records.read_only_hint", lang))
        return
    st.fragment(_contact_fragment)(case_ids, key, labels, record_link)


def _contact_fragment(case_ids: list[str], key: str, labels: dict[str, str] | None, record_link: bool) -> None:
    from casekit.errors import RecordRejected
    from casekit.i18n import t

    lang = st.session_state.get("lang", "es")
    with st.form(key, clear_on_submit=False):
        case_id = st.selectbox(
            t("ui_records.log_contact_case", lang),
            case_ids,
            format_func=lambda c: (labels or {}).get(c, c),
            key=f"{key}_case",
        )
        cols = st.columns(4)
        with cols[0]:
            day = st.date_input(
                t("ui_records.contact_on", lang),
                value=today(),
                format=formats(lang).widget_date,
                key=f"{key}_date",
            )
        with cols[1]:
            kind = _vocab_select(
                t("ui_records.kind", lang), "contact_kind", lang, key=f"{key}_kind", default="follow_up"
            )
        with cols[2]:
            whom = _vocab_select(
                t("ui_records.with_whom", lang), "with_whom", lang, key=f"{key}_with", default="client"
            )
        with cols[3]:
            status = _vocab_select(
                t("ui_records.status", lang), "contact_status", lang, key=f"{key}_status", default="attended"
            )
        notes = st.text_area(t("ui_records.notes", lang), key=f"{key}_notes", height=80)
        submitted = st.form_submit_button(t("ui_records.save", lang), type="primary")
    if case_id is not None and record_link:  # from a worklist row to its case record
        from casekit.ui.widgets import md

        st.page_link(
            "pages/case.py",
            label=t("ui_forms.open_case_record", lang, case_id=md(case_id)),
            query_params={"case": case_id},
            icon=":material/folder_open:",
        )
    if not submitted or case_id is None:
        return
    row = {"case_id": case_id, "contact_on": day, "kind": kind, "with_whom": whom, "status": status, "notes": notes}
    try:
        stored = current().record(
            "contacts", row, actor=actor(), lang=lang, as_of=st.session_state.get("as_of"), user=user()
        )
    except RecordRejected as exc:
        show_rejection(exc.report)
        return
    st.session_state["_flash"] = t("ui_records.saved_contact", lang, contact_id=stored["contact_id"], case_id=case_id)
    st.rerun()  # the whole page, with the new state


def close_form(case_id: str, *, key: str) -> None:
    """Close the case (validated; refused when an event falls after the closing date).

    The save expects the version of the case shown when the form was drawn: if someone
    changed the case since (closed, reopened, reassigned, corrected it), the closing is
    refused with who and when, and the case is shown again as it is now."""
    from casekit.errors import RecordRejected, StaleEdit
    from casekit.i18n import t

    lang = st.session_state.get("lang", "es")
    stored = current().get("cases", case_id)
    if stored is None:
        return
    seen: dict[str, int] = st.session_state.setdefault(f"_{key}_seen", {})
    seen.setdefault(case_id, int(stored["_version"]))  # the version this user was shown
    refused = st.session_state.pop(f"_{key}_stale", None)
    if refused:
        st.error(refused)
    with st.form(key):
        cols = st.columns(2)
        with cols[0]:
            day = st.date_input(
                t("ui_records.close_on", lang),
                value=today(),
                format=formats(lang).widget_date,
                key=f"{key}_on",
            )
        with cols[1]:
            reason = _vocab_select(t("ui_records.close_reason", lang), "close_reason", lang, key=f"{key}_reason")
        submitted = st.form_submit_button(t("ui_records.close_title", lang))
    if not submitted:
        return
    try:
        current().close_case(
            case_id, day, reason or "", actor=actor(), lang=lang, user=user(), expected_version=seen[case_id]
        )
    except RecordRejected as exc:
        show_rejection(exc.report)
        return
    except StaleEdit as exc:
        seen.pop(case_id, None)  # shown again at the version now stored
        st.session_state[f"_{key}_stale"] = t("ui_records.close_stale", lang, message=exc.message(lang))
        st.rerun()
    seen.pop(case_id, None)
    st.session_state["_flash"] = t("ui_records.closed", lang, case_id=case_id)
    st.rerun()


def updated_workbook(lang: str) -> bytes:
    """Today's workbook from the workspace (an audited export), as bytes for a download."""
    import tempfile

    ws = current()
    with tempfile.TemporaryDirectory() as folder:
        path = ws.export(Path(folder) / "casekit.xlsx", lang=lang, actor=actor(), user=user())
        return path.read_bytes()


def quarantine_forms(limit: int = 50) -> None:
    """Each held-back row in a form of its own, with its problems; saved rows are re-validated."""
    import json

    from casekit.contract import SHEETS
    from casekit.data import ISSUE_SCHEMA
    from casekit.errors import RecordRejected
    from casekit.i18n import t
    from casekit.validation import issue_report

    lang = st.session_state.get("lang", "es")
    ws = current()
    held = ws.quarantine()
    st.subheader(t("ui_records.quarantine_title", lang))
    if held.height == 0:
        st.caption(t("ui_records.quarantine_empty", lang))
        return
    st.caption(t("ui_records.quarantine_help", lang, n=held.height))
    for entry in held.head(limit).iter_rows(named=True):
        sheet, values = entry["sheet"], json.loads(entry["values"])
        issues = pl.DataFrame(
            [i | {"sheet": sheet, "row": entry["row"]} for i in json.loads(entry["issues"])], schema=ISSUE_SCHEMA
        )
        report = issue_report(issues, lang=lang)
        label = (
            f"{SHEETS[sheet].label(lang)} · {t('ui_records.row', lang, row=entry['row'])} · {entry['case_id'] or ''}"
        )
        with st.expander(label), st.form(f"quarantine_{entry['id']}"):
            for rec in report.iter_rows(named=True):
                st.markdown(f"- **{rec['column'] or ''}**: {rec['message']}")
            edited = {
                name: st.text_input(
                    col.label(lang),
                    value="" if values.get(name) is None else str(values[name]),
                    key=f"q{entry['id']}_{name}",
                    help=col.help(lang),
                )
                for name, col in SHEETS[sheet].columns.items()
            }
            if st.form_submit_button(t("ui_records.save", lang)):
                try:
                    ws.resolve_quarantined(int(entry["id"]), edited, actor=actor(), lang=lang, user=user())
                except RecordRejected as exc:
                    show_rejection(exc.report)
                else:
                    st.session_state["_flash"] = t("ui_records.quarantine_fixed", lang)
                    st.rerun()
