"""The stage forms of the workspace: one form per sheet, built from the contract.

Every field is drawn from its column in :mod:`casekit.contract` (dropdowns from its
vocabulary, labels from ``locales/columns.toml`` through :mod:`casekit.present`, dates in
the user's format). A save goes through :meth:`casekit.Workspace.record` (or ``update``):
the same contract validation as an import, audited, all-or-nothing. A refused save shows
each problem under its field and writes nothing; an edit of a row someone else saved
since it was shown is refused (:class:`~casekit.errors.StaleEdit`), never lost.

Examples
--------
>>> form_columns("risk_reviews")
['reviewed_on', 'reviewer', 'override_tier', 'reason', 'safety_action']
>>> form_columns("goals")[:3]
['domain', 'description', 'set_on']
>>> errors_by_column("goals", __import__("polars").DataFrame(
...     {"column": ["fecha_meta", None], "message": ["antes", "otro"]}))
{'target_on': ['antes'], '': ['otro']}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl
import streamlit as st

from casekit.contract import EVENT_DATES, SHEETS, VOCABS
from casekit.data import DTYPES, CaseData
from casekit.i18n import t
from casekit.present import FORMATS, format_date, header

__all__ = [
    "FORM_SHEETS",
    "errors_by_column",
    "form_columns",
    "goal_update_form",
    "needs_safety_action",
    "new_case_form",
    "preview_tier",
    "red_flag_names",
    "stage_form",
    "tier_history",
]

#: The sheets a stage form records (contacts and closing have their own forms in records).
FORM_SHEETS: tuple[str, ...] = (
    "screenings",
    "assessments",
    "risk_reviews",
    "goals",
    "services",
    "transitions",
    "outcomes",
)
#: Text columns written as a paragraph rather than a line.
LONG_TEXT = frozenset({"notes", "reason", "description", "prior_services"})
#: The range of a date field (a birth date is decades back; the widget's default is ten years).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _lang() -> str:
    return st.session_state.get("lang", "es")


def form_columns(sheet: str) -> list[str]:
    """The columns a form asks for: the sheet's, less the case (picked apart) and the
    generated id."""
    skip = {"case_id", SHEETS[sheet].id_column}
    return [c for c in SHEETS[sheet].columns if c not in skip]


def errors_by_column(sheet: str, report: pl.DataFrame) -> dict[str, list[str]]:
    """A rejection's messages by column id (``""``: the row as a whole). The report names a
    column by its header in the report's language (the Spanish alias or the id)."""
    alias = {c.es: name for name, c in SHEETS[sheet].columns.items()} | {n: n for n in SHEETS[sheet].columns}
    out: dict[str, list[str]] = {}
    for column, message in report.select("column", "message").iter_rows():
        out.setdefault(alias.get(column or "", ""), []).append(message)
    return out


def _field(sheet: str, name: str, key: str, *, default: Any = None) -> Any:  # noqa: PLR0911 - one per kind
    """One widget for one contract column; returns its value (``None`` when left blank)."""
    lang = _lang()
    col = SHEETS[sheet].columns[name]
    generated = name == SHEETS[sheet].id_column  # left empty, the id is generated
    label = header(name, lang) + (" *" if col.required and not generated else "")
    help_ = col.help(lang)
    blank = t("ui_forms.choose", lang)
    if col.kind == "category":
        vocab = VOCABS[col.vocab or name]
        values = list(vocab)
        return st.selectbox(
            label,
            values,
            index=values.index(default) if default in values else None,
            format_func=lambda v: vocab[v](lang),
            key=key,
            help=help_,
            placeholder=blank,
        )
    if col.kind == "bool":
        words = {True: t("ui_forms.yes", lang), False: t("ui_forms.no", lang)}
        return st.selectbox(
            label, [True, False], index=None, format_func=words.__getitem__, key=key, help=help_, placeholder=blank
        )
    if col.kind == "date":
        return st.date_input(
            label,
            value=default,
            min_value=EARLIEST,
            max_value=LATEST,
            format=FORMATS[lang].widget_date,
            key=key,
            help=help_,
        )
    if col.kind == "int":
        return st.number_input(label, value=None, step=1, key=key, help=help_, placeholder=blank)
    if col.kind == "float":
        return st.number_input(label, value=None, step=0.1, key=key, help=help_, placeholder=blank)
    if name in LONG_TEXT:
        return st.text_area(label, key=key, help=help_, height=80) or None
    return st.text_input(label, key=key, help=help_) or None


def _fields(
    sheet: str, key: str, errors: Mapping[str, list[str]], defaults: Mapping[str, Any], ncols: int = 3
) -> dict[str, Any]:
    """The form's fields in a grid, each refused field's messages under it."""
    values: dict[str, Any] = {}
    names = form_columns(sheet)
    cols = st.columns(ncols)
    for i, name in enumerate(names):
        with cols[i % ncols]:
            values[name] = _field(sheet, name, f"{key}_{name}", default=defaults.get(name))
            for message in errors.get(name, []):
                st.error(message)
    return values


def _errors_key(key: str) -> str:
    return f"_{key}_errors"


def _show_row_errors(key: str, lang: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = st.session_state.get(_errors_key(key)) or {}
    if errors:
        st.error("\n".join([t("ui_records.not_saved", lang), *(f"- {_md(m)}" for m in errors.get("", []))]))
    return errors


def _save(
    sheet: str,
    row: dict[str, Any],
    key: str,
    *,
    flash: str,
    duplicate_client_ok: bool = False,
) -> dict[str, Any] | None:
    """Record ``row``; on a refusal keep the messages for the next draw (under each field)."""
    from casekit.errors import AccessDenied, RecordRejected
    from casekit.ui import records

    lang = _lang()
    try:
        stored = records.current().record(
            sheet,
            row,
            actor=records.actor(),
            lang=lang,
            as_of=st.session_state.get("as_of"),
            duplicate_client_ok=duplicate_client_ok,
            user=records.user(),
        )
    except RecordRejected as exc:
        st.session_state[_errors_key(key)] = errors_by_column(sheet, exc.report)
        st.rerun()
    except AccessDenied as exc:  # not this role's to record, or not this user's case (audited)
        st.session_state[_errors_key(key)] = {"": [exc.message(lang)]}
        st.rerun()
    st.session_state.pop(_errors_key(key), None)
    st.session_state["_flash"] = flash.format(row_id=stored["_row_id"], case_id=row["case_id"])
    st.rerun()
    return stored  # pragma: no cover - st.rerun() does not return


def _case_picker(case_ids: list[str], key: str, labels: Mapping[str, str] | None) -> str | None:
    lang = _lang()
    if len(case_ids) == 1:
        return case_ids[0]
    return st.selectbox(
        t("ui_forms.case", lang),
        case_ids,
        index=None,
        format_func=lambda c: (labels or {}).get(c, c),
        key=f"{key}_case",
        placeholder=t("ui_forms.choose", lang),
    )


def stage_form(
    sheet: str,
    case_ids: list[str],
    *,
    key: str,
    labels: Mapping[str, str] | None = None,
    note: Callable[[str | None], None] | None = None,
) -> None:
    """The form that records one row of ``sheet`` for one of ``case_ids``.

    ``note(case_id)`` draws a hint above the fields (e.g. the red flag that needs a safety
    action). Nothing is saved until the contract and the workspace's rules pass.
    """
    from casekit.ui import records

    lang = _lang()
    if not records.is_workspace():
        st.info(t("ui_records.read_only_hint", lang))
        return
    if not case_ids:
        st.caption(t("ui_forms.no_open_cases", lang))
        return
    case_id = _case_picker(case_ids, key, labels)
    if note is not None:
        note(case_id)
    with st.form(key, clear_on_submit=False):
        errors = _show_row_errors(key, lang)
        values = _fields(sheet, key, errors, {EVENT_DATES.get(sheet, ""): records.today()})
        submitted = st.form_submit_button(t("ui_records.save", lang), type="primary")
    if not submitted:
        return
    if case_id is None:
        st.session_state[_errors_key(key)] = {"": [t("ui_forms.pick_case", lang)]}
        st.rerun()
    _save(sheet, {"case_id": case_id, **values}, key, flash=t(f"ui_forms.saved_{sheet}", lang))


# -- the assessment's live tier preview ----------------------------------------------------


def preview_tier(data: CaseData, case_id: str, values: Mapping[str, Any], model: Any = None) -> dict[str, Any] | None:
    """The score, tier and red flags the risk engine would give ``case_id`` with ``values``
    as its latest assessment (the same :func:`casekit.score_risk`, on the case's own rows).

    >>> import datetime as dt
    >>> data = CaseData({"cases": pl.DataFrame({"case_id": ["A"], "opened_on": [dt.date(2026, 1, 2)]})})
    >>> p = preview_tier(data, "A", {"assessed_on": dt.date(2026, 2, 1), "phq9": 22, "phq9_item9": 2})
    >>> p["tier"], "self_harm_thoughts" in p["red_flags"]
    ('high', True)
    >>> preview_tier(data, "A", {"assessed_on": None}) is None
    True
    """
    from casekit.risk.score import score_risk

    if values.get("assessed_on") is None:
        return None
    spec = SHEETS["assessments"].columns
    schema = {c: DTYPES[k.kind] for c, k in spec.items()}
    row = {c: values.get(c) for c in spec} | {"case_id": case_id}
    sheets: dict[str, pl.DataFrame] = {"assessments": pl.DataFrame([row], schema=schema, orient="row")}
    for sheet in ("cases", "screenings", "risk_reviews"):
        frame = data.get(sheet)
        if frame is not None and "case_id" in frame.columns:
            sheets[sheet] = frame.filter(pl.col("case_id") == case_id)
    scored = score_risk(CaseData(sheets), model)
    if scored.height == 0:
        return None
    rec = scored.row(0, named=True)
    return {
        "score": rec["score"],
        "tier": rec["computed_tier"],
        "red_flags": list(rec["red_flags"] or []),
        "missing": len(rec["missing_factors"] or []),
    }


def assessment_form(
    case_ids: list[str], data: CaseData, model: Any, *, key: str, labels: Mapping[str, str] | None = None
) -> None:
    """The assessment's items, with the score, tier and red flags previewed as they are
    typed (a fragment: only the form reruns), saved with one button."""
    from casekit.ui import records

    lang = _lang()
    if not records.is_workspace():
        st.info(t("ui_records.read_only_hint", lang))
        return
    if not case_ids:
        st.caption(t("ui_forms.no_open_cases", lang))
        return

    @st.fragment
    def draw() -> None:
        case_id = _case_picker(case_ids, key, labels)
        errors = _show_row_errors(key, lang)
        values = _fields("assessments", key, errors, {"assessed_on": records.today()})
        preview = preview_tier(data, case_id, values, model) if case_id else None
        if preview is not None:
            tier = VOCABS["tier"][preview["tier"]](lang) if preview["tier"] else "—"
            cols = st.columns(3)
            cols[0].metric(t("ui_forms.preview_score", lang), str(preview["score"]))
            cols[1].metric(t("ui_forms.preview_tier", lang), tier)
            cols[2].metric(t("ui_forms.preview_missing", lang), str(preview["missing"]))
            if preview["red_flags"]:
                names = red_flag_names(preview["red_flags"], lang, model)
                st.warning(t("ui_forms.preview_red_flag", lang, flags=names))
            st.caption(t("ui_forms.preview_caption", lang))
        if st.button(t("ui_records.save", lang), type="primary", key=f"{key}_save"):
            if case_id is None:
                st.session_state[_errors_key(key)] = {"": [t("ui_forms.pick_case", lang)]}
                st.rerun()
            _save("assessments", {"case_id": case_id, **values}, key, flash=t("ui_forms.saved_assessments", lang))

    draw()


# -- risk review: the safety action of a red flag ----------------------------------------------


def needs_safety_action(data: CaseData, case_id: str, *, as_of: dt.date, model: Any = None) -> list[str]:
    """The red flags of ``case_id`` open on ``as_of`` (:func:`casekit.stages.open_red_flags`,
    the rule the workspace enforces): a review of this case must record a safety action.

    >>> a = pl.DataFrame({"case_id": ["A", "B"], "assessed_on": [dt.date(2026, 1, 5)] * 2,
    ...     "phq9_item9": [2, 0]})
    >>> data = CaseData({"assessments": a})
    >>> [needs_safety_action(data, c, as_of=dt.date(2026, 2, 1)) for c in ("A", "B")]
    [['self_harm_thoughts'], []]
    """
    from casekit.stages import open_red_flags

    mine = CaseData(
        {s: df.filter(pl.col("case_id") == case_id) for s, df in data.sheets.items() if "case_id" in df.columns}
    )
    found = open_red_flags(mine, as_of=as_of, model=model)
    return found.get_column("red_flags")[0].to_list() if found.height else []


def red_flag_names(flags: list[str], lang: str, model: Any = None) -> str:
    """The red flags in words (the risk model's labels).

    >>> red_flag_names(["self_harm_thoughts"], "en")
    'Thoughts of self-harm (PHQ-9 item 9)'
    """
    from casekit.risk import load_model

    labels = {f.name: f.label(lang) for f in (model or load_model()).red_flags}
    return ", ".join(labels.get(f, f) for f in flags)


def risk_review_form(
    case_ids: list[str],
    scores: pl.DataFrame,
    data: CaseData,
    model: Any,
    *,
    key: str,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Confirm or override the tier (an override needs a reason, as the contract says); a
    case with a red flag open is warned about before saving, and the workspace refuses the
    review without its safety action (the message shows on the field)."""
    from casekit.ui import records

    lang = _lang()

    def note(case_id: str | None) -> None:
        if case_id is None:
            return
        tier = scores.filter(pl.col("case_id") == case_id)
        if tier.height and tier["computed_tier"][0] in VOCABS["tier"]:
            st.caption(t("ui_forms.review_tier", lang, tier=VOCABS["tier"][tier["computed_tier"][0]](lang)))
        red = needs_safety_action(data, case_id, as_of=st.session_state.get("as_of") or records.today(), model=model)
        if red:
            st.warning(t("ui_forms.safety_required", lang, flags=red_flag_names(red, lang, model)))

    stage_form("risk_reviews", case_ids, key=key, labels=labels, note=note)


# -- planning: a goal's progress, with the version the user saw ------------------------------


def goal_update_form(goals: pl.DataFrame, *, key: str) -> None:
    """Change a goal's status (and date achieved). The version shown is the one the save
    expects: if someone saved the goal meanwhile, the save is refused with who and when."""
    from casekit.errors import RecordRejected, StaleEdit
    from casekit.ui import records

    lang = _lang()
    if not records.is_workspace() or goals.height == 0:
        return
    ids = goals["goal_id"].to_list()
    desc = dict(goals.select("goal_id", pl.col("description").fill_null("")).iter_rows())
    goal_id = st.selectbox(
        t("ui_forms.goal", lang),
        ids,
        format_func=lambda g: f"{g} — {desc.get(g, '')}".rstrip(" —"),
        key=f"{key}_goal",
    )
    ws = records.current()
    current = ws.get("goals", goal_id)
    if current is None:
        return
    seen: dict[str, int] = st.session_state.setdefault(f"_{key}_seen", {})
    seen.setdefault(goal_id, int(current["_version"]))  # the version this user was shown
    with st.form(key):
        errors = _show_row_errors(key, lang)
        cols = st.columns(2)
        with cols[0]:
            status = _field("goals", "status", f"{key}_status", default=current.get("status"))
            for message in errors.get("status", []):
                st.error(message)
        with cols[1]:
            achieved = _field("goals", "achieved_on", f"{key}_achieved", default=current.get("achieved_on"))
            for message in errors.get("achieved_on", []):
                st.error(message)
        submitted = st.form_submit_button(t("ui_records.save", lang), type="primary")
    if not submitted:
        return
    try:
        ws.update(
            "goals",
            goal_id,
            {"status": status, "achieved_on": achieved},
            expected_version=seen[goal_id],
            actor=records.actor(),
            user=records.user(),
            lang=lang,
            as_of=st.session_state.get("as_of"),
        )
    except StaleEdit as exc:
        seen.pop(goal_id, None)  # shown again at the version now stored
        st.session_state[_errors_key(key)] = {"": [t("ui_records.stale", lang, message=exc.message(lang))]}
        st.rerun()
    except RecordRejected as exc:
        st.session_state[_errors_key(key)] = errors_by_column("goals", exc.report)
        st.rerun()
    seen.pop(goal_id, None)
    st.session_state.pop(_errors_key(key), None)
    st.session_state["_flash"] = t("ui_forms.saved_goal_update", lang, row_id=goal_id)
    st.rerun()


# -- a new case, with the duplicate-client check -----------------------------------------------


def new_case_form(*, key: str) -> None:
    """Open a case. Before saving, cases of the same client are shown: open the existing
    one, reopen it when closed (a recorded action), or create the new case anyway."""
    from casekit.errors import StaleEdit
    from casekit.ui import records
    from casekit.ui.signin import may_record

    lang = _lang()
    if records.is_workspace() and not may_record("cases"):  # case managers do not open cases
        return
    if not records.is_workspace():
        st.info(t("ui_records.read_only_hint", lang))
        return
    pending_key = f"_{key}_pending"
    with st.form(key):
        errors = _show_row_errors(key, lang)
        cols = st.columns(3)
        values: dict[str, Any] = {}
        names = [c for c in SHEETS["cases"].columns if c not in ("closed_on", "close_reason")]
        for i, name in enumerate(names):
            with cols[i % 3]:
                default = records.today() if name == "opened_on" else None
                values[name] = _field("cases", name, f"{key}_{name}", default=default)
                for message in errors.get(name, []):
                    st.error(message)
        submitted = st.form_submit_button(t("ui_forms.new_case_save", lang), type="primary")
    ws = records.current()
    if submitted:
        same = ws.same_client(values)
        if same.height == 0:  # the store checks again as it writes (someone may open one meanwhile)
            _save("cases", values, key, flash=t("ui_forms.saved_cases", lang))
        st.session_state[pending_key] = values
    pending = st.session_state.get(pending_key)
    if not pending:
        return
    same = ws.same_client(pending)
    st.warning(t("ui_forms.duplicate_found", lang, n=same.height))
    for case in same.iter_rows(named=True):
        cid = case["case_id"]
        found = st.columns([3, 1, 1])
        state = (
            t("ui_forms.closed_on", lang, day=format_date(case["closed_on"], lang))
            if case.get("closed_on")
            else t("ui_records.case_open", lang)
        )
        found[0].markdown(f"**{_md(cid)}** · {_md(case.get('client_name') or '')} · {state}")
        found[1].page_link("pages/case.py", label=t("ui_forms.open_existing", lang), query_params={"case": cid})
        if case.get("closed_on") and found[2].button(t("ui_forms.reopen", lang), key=f"{key}_reopen_{cid}"):
            try:
                ws.reopen_case(cid, actor=records.actor(), lang=lang, user=records.user())
            except StaleEdit as exc:
                st.error(t("ui_records.stale", lang, message=exc.message(lang)))
                return
            st.session_state.pop(pending_key, None)
            st.session_state["_flash"] = t("ui_forms.reopened", lang, case_id=cid)
            st.switch_page("pages/case.py", query_params={"case": cid})
    left, right = st.columns(2)
    if left.button(t("ui_forms.create_anyway", lang), key=f"{key}_anyway"):
        st.session_state.pop(pending_key, None)
        _save("cases", pending, key, flash=t("ui_forms.saved_cases", lang), duplicate_client_ok=True)
    if right.button(t("ui_forms.cancel", lang), key=f"{key}_cancel"):
        st.session_state.pop(pending_key, None)
        st.rerun()


def _md(text: str) -> str:
    from casekit.ui.widgets import md

    return md(text)


# -- the tier history of a case ----------------------------------------------------------------


def tier_history(data: CaseData, case_id: str, model: Any = None) -> pl.DataFrame:
    """The case's tier after each assessment and each risk review, newest first: the
    risk engine run as of each of those dates on the case's own rows (what the screens
    showed then, overrides included).

    >>> data = CaseData({
    ...     "cases": pl.DataFrame({"case_id": ["A"]}),
    ...     "assessments": pl.DataFrame({"case_id": ["A", "A"],
    ...         "assessed_on": [dt.date(2026, 1, 5), dt.date(2026, 3, 1)], "phq9": [2, 24]}),
    ...     "risk_reviews": pl.DataFrame({"case_id": ["A"], "reviewed_on": [dt.date(2026, 3, 2)],
    ...         "override_tier": ["high"], "reason": ["x"]}),
    ... })
    >>> history = tier_history(data, "A").select("tier_on", "computed_tier", "effective_tier")
    >>> [(d.isoformat(), c, e) for d, c, e in history.rows()]
    [('2026-03-02', 'low', 'high'), ('2026-03-01', 'low', 'low'), ('2026-01-05', 'low', 'low')]
    """
    from casekit.risk.score import score_risk

    sheets = {
        s: df.filter(pl.col("case_id") == case_id)
        for s, df in data.sheets.items()
        if s in ("cases", "screenings", "assessments", "risk_reviews") and "case_id" in df.columns
    }
    dates: set[dt.date] = set()
    for sheet, column in (("assessments", "assessed_on"), ("risk_reviews", "reviewed_on")):
        if sheet in sheets and column in sheets[sheet].columns:
            dates |= set(sheets[sheet][column].drop_nulls().to_list())
    empty = {
        "tier_on": pl.Date,
        "score": pl.Float64,
        "computed_tier": pl.String,
        "override_tier": pl.String,
        "effective_tier": pl.String,
    }
    if not dates:
        return pl.DataFrame(schema=empty)
    case = CaseData(sheets)
    rows = [
        score_risk(case, model, as_of=day).select(pl.lit(day).alias("tier_on"), *list(empty)[1:])
        for day in sorted(dates, reverse=True)
    ]
    return pl.concat(rows, how="vertical_relaxed")  # the score keeps the model's type (whole points: integers)


# -- on the screens ----------------------------------------------------------------------------


def open_case_choices(tables: Any) -> tuple[list[str], dict[str, str]]:
    """The open cases a form can record for (ids sorted, and ``id — name`` labels)."""
    cases = tables.data.get("cases")
    if cases is None or cases.height == 0:
        return [], {}
    open_ = cases.filter(pl.col("closed_on").is_null()).sort("case_id")
    names = open_.select("case_id", pl.col("client_name").fill_null("")).rows()
    return [c for c, _ in names], {c: f"{c} — {n}".rstrip(" —") for c, n in names}


def stage_section(tables: Any, sheet: str, *, key: str, case_ids: list[str] | None = None) -> None:
    """The form of ``sheet`` in a collapsed section of a stage screen (only on the workspace)."""
    from casekit.ui import records
    from casekit.ui.signin import may_record

    if not records.is_workspace() or not may_record(sheet):  # a role that cannot record it: no form
        return
    lang = _lang()
    ids, labels = open_case_choices(tables)
    if case_ids is not None:
        ids = [c for c in case_ids if c in labels] or case_ids
    title = t(f"ui_forms.title_{sheet}", lang)
    with st.expander(title, expanded=bool(st.session_state.get(_errors_key(key)))):
        if sheet == "assessments":
            assessment_form(ids, tables.data, tables.model, key=key, labels=labels)
        elif sheet == "risk_reviews":
            risk_review_form(ids, tables.get("scores"), tables.data, tables.model, key=key, labels=labels)
        else:
            stage_form(sheet, ids, key=key, labels=labels)
