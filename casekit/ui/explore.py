"""The Explore screen's views (researchers), drawn with Streamlit; ``pages/explore.py`` only
calls them. What they compute is in :mod:`casekit.cohort` and in the screen's pure helpers
(``casekit/ui/_explore.py``); the tables they read come from the registry of derived
tables (``ws.get("cohort")``, ``"goal_progress"``, ``"utilisation_rates"``, ``"events"``).

- :func:`keep_hidden_choices`: the choices of views not drawn in a run are kept;
- :func:`cohort_a`: the filter box of cohort A and the cases it keeps;
- :func:`choose_view`: one view at a time (only what is shown is computed);
- :func:`group_view`, :func:`process_view`, :func:`compare_view`, :func:`export_view`.
"""

from __future__ import annotations

import datetime as dt
import functools

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from casekit import cohort as co
from casekit.charts import durations_chart, funnel_chart, stage_chart
from casekit.charts.explore import cohort_chart, compare_chart, grouping_label, measure_label
from casekit.errors import CasekitError
from casekit.present import count_text, formats, readable, vocabulary
from casekit.privacy import MIN_CELL, shown_count, suppress_cumulative, suppress_small_cells
from casekit.stages import STAGE_NUMBER, STAGES, funnel
from casekit.ui import _explore as ex
from casekit.ui.derived import DerivedTables
from casekit.ui.widgets import (
    XLSX_MIME,
    download,
    download_table,
    empty_state,
    lang,
    md,
    num,
    rtm_note,
    sharing_switch,
    show_chart,
    show_table,
    tr,
)

__all__ = [
    "KEPT",
    "VIEWS",
    "choose_view",
    "cohort_a",
    "compare_view",
    "export_view",
    "filters",
    "group_view",
    "keep_hidden_choices",
    "process_view",
]

#: Widgets of views not drawn in a run: their choices are kept while another view is shown.
KEPT = (
    "ex_b_",
    "ex_by",
    "ex_measure",
    "ex_from",
    "ex_to",
    "ex_outcome",
    "ex_cmp_measure",
    "ex_deid_dates",
    "ex_deid_format",
)
#: The screen's views, one drawn at a time.
VIEWS = ("group", "process", "compare", "export")
#: Hidden from the team's own tables (their blanks are labelled instead).
_SUPPRESSED = ["suppressed_a", "suppressed_b"]


def keep_hidden_choices() -> None:
    """Streamlit forgets a widget's value on a run that does not draw it: the choices of
    the views not shown are written back, so they are there when the view comes back."""
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(KEPT) and not k.endswith("opened")]:
        st.session_state[name] = st.session_state[name]


def filters(prefix: str, cohort: pl.DataFrame) -> co.CohortFilter:
    """The filter widgets (keys ``<prefix><field>``) and the filter they make."""
    options = ex.filter_options(cohort)
    cols = st.columns(3)
    choices = {}
    for i, field in enumerate(co.FILTER_COLUMNS):
        key = f"{prefix}{field}"
        # kept under another key too: Streamlit forgets a widget's value on pages that do not draw it
        kept = [v for v in st.session_state.get(f"{key}_kept", []) if v in options[field]]
        choices[field] = cols[i % 3].multiselect(
            tr(f"ui_explore.filter_{field}"),
            options[field],
            default=kept,
            format_func=functools.partial(ex.option_label, field, lang=lang()),
            placeholder=tr("ui_explore.any"),
            key=key,
        )
        st.session_state[f"{key}_kept"] = choices[field]
    return ex.make_filter(choices, _opened(prefix, cohort, cols[0]))


def _opened(prefix: str, cohort: pl.DataFrame, where: DeltaGenerator) -> tuple[dt.date | None, dt.date | None]:
    """The "opened between" range picker; ``(None, None)`` when it is the whole span."""
    first, last = cohort["opened_on"].min(), cohort["opened_on"].max()
    if not (isinstance(first, dt.date) and isinstance(last, dt.date)):
        return None, None
    key = f"{prefix}opened"
    # the range is kept under another key: a date range cannot be restored through its own
    kept = st.session_state.get(f"{key}_kept")
    valid = isinstance(kept, tuple) and len(kept) == 2 and first <= kept[0] <= kept[1] <= last
    picked = where.date_input(
        tr("ui_explore.filter_opened"),
        value=kept if valid else (first, last),
        min_value=first,
        max_value=last,
        format=formats(lang()).widget_date,
        key=key,
    )
    ends = list(picked) if isinstance(picked, tuple | list) else [picked]
    if len(ends) == 2:  # a complete range (the picker gives one date while choosing)
        st.session_state[f"{key}_kept"] = tuple(ends)
    start = ends[0] if ends and ends[0] != first else None
    end = ends[1] if len(ends) > 1 and ends[1] != last else None
    return start, end


def _count(n: int, *, team: bool) -> str:
    """A count of cases on this screen: exact for the team, through the small-cell rule
    for a researcher (``menos de 11`` / ``fewer than 11``)."""
    return count_text(n, lang(), for_sharing=not team)


def _matches(key: str, n: int, total: int, *, team: bool) -> None:
    """ "N of M cases match (p %)"; for a researcher the share goes with the count it is
    computed from (a suppressed count leaves no share to read it back from)."""
    kept = shown_count(n, for_sharing=not team)
    pct = n / total if total and kept is not None and shown_count(total, for_sharing=not team) is not None else None
    st.markdown(tr(key, n=_count(n, team=team), total=_count(total, team=team), pct=num(pct, ".1%")))


def cohort_a(cohort: pl.DataFrame, *, team: bool = True) -> tuple[co.CohortFilter, pl.DataFrame]:
    """The filter box of cohort A: its filter and the cases it keeps (with the count line;
    not ``team``, a researcher: the counts go through the small-cell rule)."""
    with st.container(border=True):
        st.markdown(f"**{tr('ui_explore.filters')}**")
        flt = filters("ex_", cohort)
        a = flt.apply(cohort)
        _matches("ui_explore.matches", a.height, cohort.height, team=team)
    return flt, a


def choose_view() -> str:
    """The view picker (one view at a time: no chart waits in a hidden tab)."""
    return st.radio(
        tr("ui_explore.view"),
        VIEWS,
        format_func={v: tr(f"ui_explore.tab_{v}") for v in VIEWS}.__getitem__,
        horizontal=True,
        label_visibility="collapsed",
        key="ex_view",
    )


def _measure_options(
    measure: str, measures: list[str], where: DeltaGenerator
) -> tuple[dict[str, str | None], str, str | None]:
    """The widgets a measure needs (stages for days, an outcome measure): its options,
    the chart's subtitle and a problem key (``None`` when it can be drawn)."""
    names = vocabulary("measure", lang())
    if measure == "median_days":
        st.session_state.setdefault("ex_to", "planning")  # time to plan, unless chosen otherwise
        start = where.selectbox(
            tr("ui_explore.from_stage"),
            STAGES[:9],
            format_func=functools.partial(ex.endpoint_label, lang=lang(), start=True),
            key="ex_from",
        )
        end = where.selectbox(
            tr("ui_explore.to_stage"),
            co.ENDPOINTS[1:],
            format_func=functools.partial(ex.endpoint_label, lang=lang()),
            key="ex_to",
        )
        subtitle = tr(
            "cohort.chart_subtitle_days",
            start=ex.endpoint_label(start, lang(), start=True),
            end=ex.endpoint_label(end, lang()),
        )
        problem = "ui_explore.bad_order" if STAGE_NUMBER[start] >= STAGE_NUMBER[end] else None
        return {"from_stage": start, "to_stage": end}, subtitle, problem
    if measure in co.OUTCOME_MEASURES:
        if not measures:
            return {}, "", "ui_explore.no_outcomes"
        if st.session_state.get("ex_outcome") not in measures:  # first visit, or other data
            st.session_state["ex_outcome"] = "PHQ-9" if "PHQ-9" in measures else measures[0]
        chosen = where.selectbox(
            tr("ui_explore.outcome_measure"),
            measures,
            format_func={m: names.get(m, m) for m in measures}.__getitem__,
            key="ex_outcome",
        )
        return {"outcome_measure": chosen}, tr("cohort.chart_subtitle_outcome", measure=names.get(chosen, chosen)), None
    return {}, "", None


def group_view(a: pl.DataFrame, cohort: pl.DataFrame, *, team: bool = True) -> None:
    """A measure of cohort A by group: chart, the team's exact table, the shared download.
    Not ``team`` (a researcher): small cells suppressed on screen too, no exact-counts switch."""
    left, middle, right = st.columns(3)
    by = left.selectbox(
        tr("ui_explore.group_by"),
        co.GROUP_BY,
        format_func=functools.partial(grouping_label, lang=lang()),
        key="ex_by",
    )
    measure = middle.selectbox(
        tr("ui_explore.measure"),
        co.MEASURES,
        format_func=functools.partial(measure_label, lang=lang()),
        key="ex_measure",
    )
    options, subtitle, problem = _measure_options(measure, co.outcome_measures(cohort), right)
    if problem:
        empty_state(problem)
        return
    subtitle = subtitle or tr("cohort.chart_subtitle_count", n=_count(a.height, team=team))
    group = functools.partial(
        co.group_measure,
        a,
        by=by,
        measure=measure,
        from_stage=options.get("from_stage"),
        to_stage=options.get("to_stage"),
        outcome_measure=options.get("outcome_measure"),
    )
    grouped = group(for_sharing=not team)
    show_chart(cohort_chart(grouped, by=by, measure=measure, lang=lang(), subtitle=subtitle), key="ex_chart")
    rtm_note(grouped, measure=options.get("outcome_measure"))
    show_table(ex.group_rows(grouped, by=[by], measure=measure, lang=lang()), key="ex_table", screen=ex.SCREEN)
    st.caption(tr("ui_explore.group_caption"))
    exact = sharing_switch(key="ex_groups_share", allowed=team)
    safe = group(for_sharing=not exact)
    shared = ex.readable_groups(safe, by=[by], measure=measure, lang=lang(), keep_types=True)
    download_table(shared, "cohort_groups", key="ex_groups")


def process_view(a: pl.DataFrame, *, team: bool = True) -> None:
    """Cohort A's funnel, time between stages and where its cases stand. Not ``team`` (a
    researcher): each chart's counts are aggregated, then suppressed by the small-cell rule
    (with the days computed from them) before drawing."""
    st.caption(tr("ui_explore.process_caption"))
    if not team:
        st.caption(tr("ui_explore.process_suppressed"))
    sharing = not team
    # each stage's count is within the one before: their differences are counts too
    stages = funnel(a).sort("stage_number")
    reached = suppress_cumulative(stages, "cases", total=a.height, derived_cols="share", for_sharing=sharing)
    derived = ["median_days", "q1_days", "q3_days", "mean_days"]
    days = suppress_small_cells(co.cohort_durations(a), "n", derived_cols=derived, for_sharing=sharing)
    left, right = st.columns(2)
    with left:
        show_chart(funnel_chart(reached.drop("suppressed"), lang=lang()), key="ex_funnel")
    with right:
        show_chart(durations_chart(days.drop("suppressed"), lang=lang()), key="ex_durations")
    show_chart(stage_chart(a, lang=lang(), for_sharing=sharing), key="ex_stages")


def compare_view(ws: DerivedTables, a: pl.DataFrame, cohort: pl.DataFrame, *, team: bool = True) -> None:
    """Cohort A against a cohort B the user filters: sizes, time to plan, outcomes, goals and
    utilisation per member-month (the team's exact counts; downloads for sharing). Not
    ``team`` (a researcher): the tables suppress small cells on screen too, no switch."""
    st.caption(tr("ui_explore.compare_caption"))
    with st.expander(tr("ui_explore.filters_b"), expanded=True):
        b = filters("ex_b_", cohort).apply(cohort)
        _matches("ui_explore.matches_b", b.height, cohort.height, team=team)
    comparison = co.compare_cohorts(a, b) if team else co.compare_cohorts(a, b).suppressed()
    _compare_metrics(comparison, a.height, b.height, team=team)
    names = vocabulary("measure", lang())
    if comparison.outcomes.height:
        on = st.radio(
            tr("ui_explore.compare_measure"),
            co.OUTCOME_MEASURES,
            format_func=functools.partial(measure_label, lang=lang()),
            horizontal=True,
            key="ex_cmp_measure",
        )
        shown = comparison.outcomes.with_columns(pl.col("measure").replace(names))
        show_chart(compare_chart(shown, measure=on, lang=lang()), key="ex_cmp_chart")
    else:
        empty_state("ui_explore.no_outcomes")
    outcomes_rows, plan_rows = ex.comparison_rows(comparison, names)
    rtm_note(comparison.outcomes)
    show_table(outcomes_rows, key="ex_cmp_outcomes", screen=ex.SCREEN)
    st.markdown(f"**{tr('ui_explore.time_to_plan')}**")
    show_table(plan_rows, key="ex_cmp_plan", screen=ex.SCREEN)
    st.caption(tr("ui_explore.compare_download"))
    exact = sharing_switch(key="ex_cmp_share", allowed=team)
    safe_outcomes, safe_plan = ex.readable_comparison(
        comparison if exact else comparison.suppressed(), lang(), measure_names=names, keep_types=True
    )
    download_table(safe_outcomes, "cohort_comparison", key="ex_cmp_dl", what=tr("ui_explore.compare_outcomes"))
    download_table(safe_plan, "cohort_time_to_plan", key="ex_cmp_plan_dl", what=tr("ui_explore.time_to_plan"))

    st.markdown(f"**{tr('ui_explore.compare_goals')}**")
    progress = ws.get("goal_progress")
    goals = co.compare_goals(a, b, progress, for_sharing=not team)  # the team: real counts
    show_table(goals, key="ex_cmp_goals", hide=_SUPPRESSED)
    shared = co.compare_goals(a, b, progress, for_sharing=not exact)
    download_table(
        readable(shared, lang(), keep_types=True),
        "cohort_goals",
        key="ex_cmp_goals_dl",
        what=tr("ui_explore.compare_goals_short"),
    )
    # utilisation per member-month: a comparison cohort is the answer to regression to the mean
    st.markdown(f"**{tr('ui_explore.compare_rates')}**")
    rates = ws.get("utilisation_rates")
    util = co.compare_utilisation(a, b, rates, for_sharing=not team)
    rtm_note(util)
    show_table(util, key="ex_cmp_rates", hide=_SUPPRESSED)
    shared = co.compare_utilisation(a, b, rates, for_sharing=not exact)
    download_table(
        readable(shared, lang(), keep_types=True),
        "cohort_utilisation",
        key="ex_cmp_rates_dl",
        what=tr("ui_explore.compare_rates_short"),
    )


def _compare_metrics(comparison: co.CohortComparison, n_a: int, n_b: int, *, team: bool = True) -> None:
    """Cases in each cohort and their median days to a plan (not ``team``: the counts through
    the small-cell rule; ``comparison`` is then already suppressed, a blank ``n`` is a small cell)."""
    plan = comparison.time_to_plan.row(0, named=True)
    cols = st.columns(4)
    for col, side, n in ((cols[0], "A", n_a), (cols[1], "B", n_b)):
        col.metric(tr("ui_explore.metric_cases", cohort=side), _count(n, team=team))
    for col, side in ((cols[2], "a"), (cols[3], "b")):
        n_plan = plan[f"n_{side}"]
        col.metric(
            tr("ui_explore.metric_days_to_plan", cohort=side.upper()),
            num(plan[f"median_days_{side}"], ".0f"),
            help=f"n = {num(n_plan) if n_plan is not None else tr('common.fewer_than', n=num(MIN_CELL))}",
        )


def export_view(ws: DerivedTables, a: pl.DataFrame, flt: co.CohortFilter, *, team: bool = True) -> None:
    """Cohort A's exports: its event log and a de-identified extract (not ``team``: the
    counts of the captions through the small-cell rule)."""
    st.subheader(tr("ui_explore.export_log"))
    log = ws.get("events")
    n_events = co.cohort_events(log, a).height
    st.caption(
        tr("ui_explore.export_log_caption", events=_count(n_events, team=team), cases=_count(a.height, team=team))
    )
    download(
        tr("ui_explore.export_log_button"),
        functools.partial(ex.event_log_csv, log, a),  # written when clicked, not on every rerun
        file_name="cohort_event_log.csv",
        mime="text/csv",
        key="ex_log_csv",
    )
    st.subheader(tr("ui_explore.export_deid"))
    st.caption(tr("ui_explore.export_deid_caption"))
    _deidentified_export(ws, a, flt, team=team)
    st.subheader(tr("ui_explore.export_groups"))
    st.caption(tr("ui_explore.export_groups_caption"))


def _deidentified_export(ws: DerivedTables, a: pl.DataFrame, flt: co.CohortFilter, *, team: bool = True) -> None:
    """The de-identified extract: its choices, the form that prepares it (the key of an
    earlier extract links the two), and its download with what was done."""
    dates = st.radio(
        tr("ui_explore.deid_dates"),
        ("shift", "year"),
        format_func={d: tr(f"ui_explore.deid_dates_{d}") for d in ("shift", "year")}.__getitem__,
        horizontal=True,
        key="ex_deid_dates",
    )
    fmt = st.radio(
        tr("ui_explore.deid_format"),
        ex.EXTRACT_FORMATS,
        format_func={f: tr(f"ui_explore.deid_format_{f}") for f in ex.EXTRACT_FORMATS}.__getitem__,
        horizontal=True,
        key="ex_deid_format",
    )
    drop = st.checkbox(tr("ui_explore.deid_drop_identifiers"), key="ex_deid_drop")
    save_key = st.checkbox(tr("ui_explore.deid_save_key"), key="ex_deid_save_key")
    signature = (ws.key, flt, dates, fmt, drop, save_key, lang())
    # the key of an earlier extract links this one to it; the browser empties the field when the
    # form is submitted (clear_on_submit), and the page keeps only the extract, never the key
    with st.form("ex_deid_form", clear_on_submit=True, border=False):
        given = st.text_input(
            tr("ui_explore.deid_key"), type="password", key="ex_deid_key", help=tr("ui_explore.deid_key_help")
        )
        prepare = st.form_submit_button(tr("ui_explore.deid_prepare"), key="ex_deid_prepare")
    new_key = ""  # a key drawn for this extract: shown in this run only, never kept
    if prepare:
        try:
            with st.spinner(tr("ui_explore.deid_working", cases=_count(a.height, team=team))):
                prepared = ex.deidentified_extract(
                    ws.result,
                    a["case_id"],
                    dates=dates,
                    lang=lang(),
                    as_of=ws.as_of,
                    fmt=fmt,
                    drop_identifiers=drop,
                    key=given,
                    save_key=save_key,
                )
        except CasekitError as exc:  # a weak key, or kept text that looks like identifiers (never the values)
            st.session_state.pop("ex_deid_extract", None)
            st.error(md(exc.message(lang())), icon=":material/block:")
        else:
            st.session_state["ex_deid_extract"] = (signature, prepared.without_key())
            new_key = "" if given.strip() else prepared.key
    ready = st.session_state.get("ex_deid_extract")
    if ready is None or ready[0] != signature:
        return
    prepared = ready[1]
    download(
        tr("ui_explore.deid_download"),
        prepared.data,
        file_name=f"cohort_deidentified.{fmt}",
        mime=XLSX_MIME if fmt == "xlsx" else "application/zip",
        type="primary",
        key="ex_deid_download",  # downloading does not rerun the page, so the key stays in view
    )
    if new_key:
        st.caption(tr("ui_explore.deid_key_shown"))
        st.code(new_key, language=None)
    if prepared.key_file is not None:  # asked for: beside the extract, never inside it
        download(
            tr("ui_explore.deid_key_download"),
            prepared.key_file,
            file_name="cohort_deidentified.key",
            mime="text/plain",
            key="ex_deid_key_download",
        )
    st.caption(tr("ui_explore.deid_ready", cases=_count(prepared.cases, team=team)))
    explained = prepared.explained.select("sheet", "column", "action", "reason")
    show_table(explained, key="ex_deid_explained", wide=("reason",), narrow=False)  # every reason whole
    if prepared.anonymity:
        st.caption(prepared.anonymity)
        show_table(prepared.steps, key="ex_deid_steps", wide=("step",), narrow=False)
