"""The Learn screen (trainers): pick a client, walk the nine stages, move the what-if knobs,
download the handouts. Every number comes from :mod:`casekit.learn`; this module draws.

State lives in ``st.session_state`` under keys starting with ``learn_``: ``learn_stage``
(1–9), ``learn_case_shown`` (the client the stage belongs to), the pickers
``learn_path`` / ``learn_case`` and the knobs ``learn_wi_<input>_<case>`` /
``learn_rule_<rule>_<case>`` (per client, so another client starts from its own values).
"""

from __future__ import annotations

import functools

import polars as pl
import streamlit as st

from casekit import learn, present
from casekit.learn import StageStep, labelled
from casekit.stages import stage_label
from casekit.ui.derived import DerivedTables
from casekit.ui.widgets import download, empty_state, lang, md, num, rtm_note, table, tr

__all__ = ["RISK_KNOBS", "choose_client", "handouts", "show_step", "stage_nav"]

STAGE_KEY = "learn_stage"
SHOWN_KEY = "learn_case_shown"
OTHER = "__other__"
#: Above this many cases the case picker is a text box (a list that long is no use).
PICKER_LIMIT = 2_000
#: Assessment inputs the risk stage lets a trainer edit: (column, lowest, highest).
RISK_KNOBS: tuple[tuple[str, int, int], ...] = (
    ("phq9", 0, 27),
    ("phq9_item9", 0, 3),
    ("gad7", 0, 21),
    ("systolic_bp", 60, 260),
    ("diastolic_bp", 30, 160),
    ("ed_visits_6m", 0, 30),
    ("admissions_12m", 0, 30),
    ("chronic_conditions", 0, 20),
)


def choose_client(ws: DerivedTables) -> str | None:
    """The curated-path picker (or any case id); ``None`` when there is no case to show."""
    status = ws.get("status")
    if status.height == 0:
        empty_state("ui_learn.no_cases")
        return None
    curated = ws.get("curated_clients")
    names = dict(zip(curated["path"], curated[f"label_{lang()}"], strict=True))
    case_of = dict(zip(curated["path"], curated["case_id"], strict=True))
    other = tr("ui_learn.other_case")
    path = st.selectbox(
        tr("ui_learn.path_picker"),
        [*case_of, OTHER],
        format_func=lambda p: other if p == OTHER else f"{names[p]} · {case_of[p]}",
        help=tr("ui_learn.path_picker_help"),
        key="learn_path",
    )
    if path != OTHER:
        return case_of[path]
    # a case in the stage unknown has no opening date: no stage to walk (learn.walkthrough)
    ids = status.filter(pl.col("current_stage") != "unknown")["case_id"].sort().to_list()
    if len(ids) <= PICKER_LIMIT:
        return st.selectbox(tr("ui_learn.case_picker"), ids, key="learn_case")
    typed = st.text_input(tr("ui_learn.case_picker"), value=ids[0], key="learn_case").strip()
    if typed not in set(ids):
        st.error(md(learn.Note("unknown_case", {"case_id": typed, "as_of": ws.as_of}).text(lang())))
        return None
    return typed


PILLS_KEY = "learn_pills"
#: Set when the user chose a stage since the last drawing of the pills: a stage picked
#: right after another client was chosen (both in one rerun) is kept, not reset to 1.
CHOSEN_KEY = "learn_stage_chosen"


def _go(number: int) -> None:
    """Previous/next: move to stage ``number`` (1–9) and select its pill."""
    k = min(max(number, 1), 9)
    st.session_state[STAGE_KEY] = k
    st.session_state[PILLS_KEY] = k
    st.session_state[CHOSEN_KEY] = True


def _picked() -> None:
    """A stage pill was clicked (clicking the selected one again keeps it selected)."""
    chosen = st.session_state.get(PILLS_KEY)
    if chosen is None:
        st.session_state[PILLS_KEY] = st.session_state.get(STAGE_KEY, 1)
    else:
        st.session_state[STAGE_KEY] = int(chosen)
        st.session_state[CHOSEN_KEY] = True


_STATE_MARK = {"done": "✓", "current": "●", "ahead": "○"}


def stage_nav(steps: list[StageStep]) -> StageStep:
    """Progress bar, one pill per stage (✓ done, ● where the client is, ○ not reached) and
    previous/next buttons; returns the step to show."""
    case_id = steps[0].case_id
    chosen = st.session_state.pop(CHOSEN_KEY, False)
    if st.session_state.get(SHOWN_KEY) != case_id:  # another client starts at stage 1 ...
        st.session_state[SHOWN_KEY] = case_id
        if not chosen:  # ... unless a stage was picked in the same rerun
            st.session_state[STAGE_KEY] = 1
    k = int(st.session_state.get(STAGE_KEY, 1))
    st.session_state[PILLS_KEY] = k
    step = steps[k - 1]
    st.progress(k / 9, text=tr("ui_learn.progress", number=k, stage=stage_label(step.stage, lang())))
    marks = {s.number: f"{_STATE_MARK[s.state]} {s.title(lang())}" for s in steps}
    st.pills(
        tr("ui_learn.stages"),
        list(marks),
        format_func=marks.__getitem__,
        selection_mode="single",
        key=PILLS_KEY,
        on_change=_picked,
        help=tr("ui_learn.stages_help"),
        label_visibility="collapsed",
    )
    left, _, right = st.columns([1, 3, 1])
    left.button(
        tr("ui_learn.previous"), key="learn_prev", on_click=_go, args=(k - 1,), disabled=k == 1, width="stretch"
    )
    right.button(tr("ui_learn.next"), key="learn_next", on_click=_go, args=(k + 1,), disabled=k == 9, width="stretch")
    return step


def show_step(ws: DerivedTables, step: StageStep) -> None:
    """Purpose, decision and why, the what-if knobs of the stage, then the client's rows."""
    st.subheader(step.title(lang()))
    st.caption(f"{_STATE_MARK[step.state]} {step.state_text(lang())}")
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{tr('ui_learn.purpose')}**")
        st.markdown(md(step.purpose(lang())))
    with right:
        st.markdown(f"**{tr('ui_learn.decision')}**")
        st.info(md(step.headline(lang())))
        st.markdown(f"**{tr('ui_learn.why')}**")
        st.markdown("\n".join(f"- {md(r)}" for r in step.reasons(lang())))
    draw_knobs = _KNOBS.get(step.stage)
    if draw_knobs is not None:
        with st.container(border=True):
            st.markdown(f"**{tr('ui_learn.what_if')}**")
            draw_knobs(ws, step)
    st.markdown(f"**{tr('ui_learn.data')}**")
    for raw in step.detail.values():  # the client's before/after of ED visits or cost: the caveat beside it
        rtm_note(raw)
    for i, (title, df) in enumerate(step.tables(lang())):
        st.caption(title)
        table(df, key=f"learn_{step.stage}_{i}", stem=f"{step.case_id}_{step.stage}_{i}", height=_height(df))


def _height(df: pl.DataFrame) -> int | None:
    """Tall enough to show every row of a short table (Streamlit's default scrolls at 10)."""
    return 38 + 35 * df.height if 10 < df.height <= 25 else None


def _reset(keys: list[str]) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def _yes_no(choice: str) -> str:
    """``""`` (as recorded), ``true``, ``false`` in the user's words."""
    return {"": tr("ui_learn.as_recorded"), "true": tr("common.yes"), "false": tr("common.no")}[choice]


def _risk_knobs(ws: DerivedTables, step: StageStep) -> None:
    if step.facts.get("score") is None:
        st.caption(md(step.headline(lang())))
        return
    case_id = step.case_id
    names = [name for name, _, _ in RISK_KNOBS]
    recorded = learn.recorded_inputs(ws.result, case_id, names, as_of=ws.as_of)
    st.caption(tr("ui_learn.what_if_risk_caption"))
    values: dict[str, object] = {}
    cols = st.columns(4)
    keys = []
    for i, (name, low, high) in enumerate(RISK_KNOBS):
        start = recorded.get(name)
        key = f"learn_wi_{name}_{case_id}"
        keys.append(key)
        values[name] = cols[i % 4].number_input(
            tr(f"ui_learn.knob_{name}"),
            min_value=low,
            max_value=high,
            value=None if start is None else min(max(int(start), low), high),  # type: ignore[call-overload]  # number_input's overloads do not accept int | None with int bounds
            step=1,
            key=key,
        )
    edits = {n: v for n, v in values.items() if v is not None and v != recorded.get(n)}
    # the team's own columns the model scores (local risk factors): a knob each
    for i, spec in enumerate(learn.local_knobs(ws.model)):
        key = f"learn_wi_local_{spec.source}_{spec.column}_{case_id}"
        keys.append(key)
        label = next((f.label(lang()) for f in ws.model.factors if f.input.name == spec.name), spec.column)
        col = cols[i % 4]
        if spec.kind == "bool":
            words = {c: _yes_no(c) for c in ("", "true", "false")}
            choice = col.selectbox(label, list(words), format_func=words.__getitem__, key=key)
            value: object = None if choice == "" else choice == "true"
        elif spec.kind == "float":
            value = col.number_input(label, value=None, key=key)
        else:
            options = ["", *{k for f in ws.model.factors if f.input.name == spec.name for k, _ in f.points}]
            value = col.selectbox(label, options, key=key) or None
        if value is not None:
            edits[spec.name] = value
    wi = learn.what_if_risk(ws.result, case_id, edits, as_of=ws.as_of, model=ws.model)
    before, after = wi.before, wi.after
    metrics = st.columns(3)
    metrics[0].metric(
        tr("ui_learn.metric_score"),
        num(after["score"]),
        delta=num(after["score"] - before["score"]) if edits else None,
        delta_color="inverse",
    )
    for col, which in zip(metrics[1:], ("computed_tier", "effective_tier"), strict=True):
        now, was = after[which], before[which]  # tier ids (or None)
        col.metric(
            tr("ui_learn.metric_tier" if which == "computed_tier" else "ui_learn.metric_effective"),
            present.label(which, now, lang()) if now else "—",
            delta=tr("ui_learn.was", value=present.label(which, was, lang())) if was and now != was else None,
            delta_color="off",
            delta_arrow="off",
        )
    moved = wi.factors.filter(pl.col("points_before").ne_missing(pl.col("points_after")))
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("\n".join(f"- {md(r)}" for r in wi.explanation(lang())))
        st.button(tr("ui_learn.reset"), key="learn_wi_reset", on_click=_reset, args=(keys,))
    with right:
        if moved.height:
            st.caption(tr("ui_learn.changed_factors"))
            st.dataframe(labelled(moved.drop("factor"), lang()), hide_index=True, key="learn_wi_factors")


def _process_knob(ws: DerivedTables, step: StageStep) -> None:
    case_id = step.case_id
    tier = str(
        step.facts.get("deadline_tier") or ws.get("status").filter(pl.col("case_id") == case_id)["deadline_tier"][0]
    )
    tier_name = present.label("deadline_tier", tier, lang())
    if step.stage == "monitoring":
        rule, label, low, high = f"cadence_{tier}", tr("ui_learn.rule_cadence", tier=tier_name), 1, 180
    elif step.stage == "post_transition":
        kind = step.facts.get("kind") if step.facts.get("kind") in ws.config.windows() else "discharge"
        rule, label, low, high = f"window_{kind}", tr(f"learn.rule_window_{kind}"), 0, 60
    else:
        rule = "plan_days_high_tier" if tier == "high" else "plan_days"
        label, low, high = tr("ui_learn.rule_plan", tier=tier_name), 0, 60
    st.caption(tr("ui_learn.what_if_process_caption"))
    current = int(getattr(ws.config, rule))
    left, right = st.columns(2, gap="large")
    days = left.slider(label, low, max(high, current), value=current, key=f"learn_rule_{rule}_{case_id}")
    wi = learn.what_if_process(ws.result, case_id, {rule: days}, as_of=ws.as_of, config=ws.config, model=ws.model)
    left.markdown("\n".join(f"- {md(r)}" for r in wi.explanation(lang())))
    with right:
        if wi.flags.height == 0:
            st.caption(tr("ui_learn.no_flags"))
        else:
            st.caption(tr("ui_learn.flags_under_rule"))
            st.dataframe(labelled(wi.flags, lang()), hide_index=True, key="learn_rule_flags")


_KNOBS = {
    "risk": _risk_knobs,
    "planning": _process_knob,
    "monitoring": _process_knob,
    "post_transition": _process_knob,
}


def handouts(steps: list[StageStep], step: StageStep) -> None:
    """Download buttons: this stage's one-page handout and the whole walkthrough."""
    st.markdown(f"**{tr('ui_learn.downloads')}**")
    left, right = st.columns(2)
    download(
        tr("ui_learn.download_stage"),
        functools.partial(learn.stage_handout_html, step, lang=lang()),  # written when clicked
        file_name=f"casekit_{step.case_id}_{step.number}_{step.stage}_{lang()}.html",
        mime="text/html",
        help=tr("ui_learn.download_help"),
        key="learn_dl_stage",
        where=left,
    )
    download(
        tr("ui_learn.download_all"),
        functools.partial(learn.walkthrough_handout_html, steps, lang=lang()),
        file_name=f"casekit_{step.case_id}_walkthrough_{lang()}.html",
        mime="text/html",
        help=tr("ui_learn.download_help"),
        key="learn_dl_all",
        where=right,
    )
