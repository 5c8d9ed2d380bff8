"""Explore (researchers): filter a cohort, a measure by group, funnel and time between
stages, cohort A vs cohort B, exports (event log, de-identified extract, grouped table)."""

from __future__ import annotations

import datetime as dt
import functools

import polars as pl
import streamlit as st

import casekit as ck
from casekit import cohort as co
from casekit.charts import durations_chart, funnel_chart, stage_chart
from casekit.charts._base import measure_labels
from casekit.charts.explore import cohort_chart, compare_chart, grouping_label, measure_label
from casekit.stages import STAGE_NUMBER, STAGES
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
    page_header,
    rtm_note,
    sharing_switch,
    show_chart,
    tr,
)


@st.cache_resource(max_entries=8, show_spinner=False)
def _cohort(key: str, _ws: DerivedTables) -> pl.DataFrame:
    """The cohort frame, built once from its cached status, entries and changes."""
    return co.cohort_frame(
        _ws.result,
        as_of=_ws.as_of,
        status=_ws.get("status"),
        entries=_ws.get("entries"),
        changes=_ws.get("changes"),
        measures=_ws.measures,
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _rates(key: str, _ws: DerivedTables) -> pl.DataFrame:
    """Per case: utilisation per member-month in its stated windows (for A vs B)."""
    return ck.utilisation_rates(_ws.result, as_of=_ws.as_of, measures=_ws.measures)


@st.cache_resource(max_entries=8, show_spinner=False)
def _goal_progress(key: str, _ws: DerivedTables) -> pl.DataFrame:
    """Per goal: achieved, by target, overdue… (for A vs B)."""
    return ck.goal_progress(_ws.result, as_of=_ws.as_of, measures=_ws.measures)


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
    first, last = cohort["opened_on"].min(), cohort["opened_on"].max()
    opened: tuple[dt.date | None, dt.date | None] = (None, None)
    if isinstance(first, dt.date) and isinstance(last, dt.date):
        key = f"{prefix}opened"
        # the range is kept under another key: a date range cannot be restored through its own
        kept = st.session_state.get(f"{key}_kept")
        valid = isinstance(kept, tuple) and len(kept) == 2 and first <= kept[0] <= kept[1] <= last
        picked = cols[0].date_input(
            tr("ui_explore.filter_opened"),
            value=kept if valid else (first, last),
            min_value=first,
            max_value=last,
            format=ck.present.formats(lang()).widget_date,
            key=key,
        )
        ends = list(picked) if isinstance(picked, tuple | list) else [picked]
        if len(ends) == 2:  # a complete range (the picker gives one date while choosing)
            st.session_state[f"{key}_kept"] = tuple(ends)
        start = ends[0] if ends and ends[0] != first else None
        end = ends[1] if len(ends) > 1 and ends[1] != last else None
        opened = (start, end)
    return ex.make_filter(choices, opened)


def matches(key: str, n: int, total: int) -> None:
    st.markdown(tr(key, n=num(n), total=num(total), pct=num(n / total if total else None, ".1%")))


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

ws = page_header("explore", "ui_explore.caption")
for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(KEPT) and not k.endswith("opened")]:
    st.session_state[name] = st.session_state[name]


cohort = _cohort(ws.key, ws)
if cohort.height == 0:
    empty_state("ui.empty_table")
    st.stop()
with st.container(border=True):
    st.markdown(f"**{tr('ui_explore.filters')}**")
    flt = filters("ex_", cohort)
    a = flt.apply(cohort)
    matches("ui_explore.matches", a.height, cohort.height)
if a.height == 0:
    empty_state("ui_explore.no_match")
    st.stop()

# One view at a time: only what is shown is computed, and no chart waits in a hidden tab.
VIEWS = ("group", "process", "compare", "export")
view = st.radio(
    tr("ui_explore.view"),
    VIEWS,
    format_func={v: tr(f"ui_explore.tab_{v}") for v in VIEWS}.__getitem__,
    horizontal=True,
    label_visibility="collapsed",
    key="ex_view",
)
measures = co.outcome_measures(cohort)
outcome_names = measure_labels(lang())

# -- a measure by group -------------------------------------------------------------------
if view == "group":
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
    options: dict[str, str | None] = {}
    subtitle = tr("cohort.chart_subtitle_count", n=num(a.height))
    problem = None
    if measure == "median_days":
        st.session_state.setdefault("ex_to", "planning")  # time to plan, unless chosen otherwise
        start = right.selectbox(
            tr("ui_explore.from_stage"),
            STAGES[:9],
            format_func=functools.partial(ex.endpoint_label, lang=lang(), start=True),
            key="ex_from",
        )
        end = right.selectbox(
            tr("ui_explore.to_stage"),
            co.ENDPOINTS[1:],
            format_func=functools.partial(ex.endpoint_label, lang=lang()),
            key="ex_to",
        )
        options = {"from_stage": start, "to_stage": end}
        subtitle = tr(
            "cohort.chart_subtitle_days",
            start=ex.endpoint_label(start, lang(), start=True),
            end=ex.endpoint_label(end, lang()),
        )
        if STAGE_NUMBER[start] >= STAGE_NUMBER[end]:
            problem = "ui_explore.bad_order"
    elif measure in co.OUTCOME_MEASURES:
        if not measures:
            problem = "ui_explore.no_outcomes"
        else:
            if st.session_state.get("ex_outcome") not in measures:  # first visit, or other data
                st.session_state["ex_outcome"] = "PHQ-9" if "PHQ-9" in measures else measures[0]
            chosen = right.selectbox(
                tr("ui_explore.outcome_measure"),
                measures,
                format_func={m: outcome_names.get(m, m) for m in measures}.__getitem__,
                key="ex_outcome",
            )
            options = {"outcome_measure": chosen}
            subtitle = tr("cohort.chart_subtitle_outcome", measure=outcome_names.get(chosen, chosen))
    if problem:
        empty_state(problem)
    else:
        grouped = co.group_measure(a, by=by, measure=measure, **options)
        show_chart(cohort_chart(grouped, by=by, measure=measure, lang=lang(), subtitle=subtitle), key="ex_chart")
        rtm_note(grouped, measure=options.get("outcome_measure"))
        st.dataframe(
            ex.readable_groups(grouped, by=[by], measure=measure, lang=lang()), hide_index=True, key="ex_table"
        )
        st.caption(tr("ui_explore.group_caption"))
        exact = sharing_switch(key="ex_groups_share")
        safe = co.group_measure(a, by=by, measure=measure, for_sharing=not exact, **options)
        download_table(
            ex.readable_groups(safe, by=[by], measure=measure, lang=lang(), keep_types=True),
            "cohort_groups",
            key="ex_groups",
        )

# -- funnel and time between stages -------------------------------------------------------
if view == "process":
    st.caption(tr("ui_explore.process_caption"))
    left, right = st.columns(2)
    with left:
        show_chart(funnel_chart(ck.funnel(a), lang=lang()), key="ex_funnel")
    with right:
        show_chart(durations_chart(co.cohort_durations(a), lang=lang()), key="ex_durations")
    show_chart(stage_chart(a, lang=lang()), key="ex_stages")

# -- A vs B -------------------------------------------------------------------------------
if view == "compare":
    st.caption(tr("ui_explore.compare_caption"))
    with st.expander(tr("ui_explore.filters_b"), expanded=True):
        b = filters("ex_b_", cohort).apply(cohort)
        matches("ui_explore.matches_b", b.height, cohort.height)
    comparison = co.compare_cohorts(a, b)
    plan = comparison.time_to_plan.row(0, named=True)
    cols = st.columns(4)
    for col, side, n in ((cols[0], "A", a.height), (cols[1], "B", b.height)):
        col.metric(tr("ui_explore.metric_cases", cohort=side), num(n))
    for col, side in ((cols[2], "a"), (cols[3], "b")):
        days = plan[f"median_days_{side}"]
        col.metric(
            tr("ui_explore.metric_days_to_plan", cohort=side.upper()),
            num(days, ".0f"),
            help=f"n = {num(plan[f'n_{side}'])}",
        )
    if comparison.outcomes.height:
        on = st.radio(
            tr("ui_explore.compare_measure"),
            co.OUTCOME_MEASURES,
            format_func=functools.partial(measure_label, lang=lang()),
            horizontal=True,
            key="ex_cmp_measure",
        )
        shown = comparison.outcomes.with_columns(pl.col("measure").replace(outcome_names))
        show_chart(compare_chart(shown, measure=on, lang=lang()), key="ex_cmp_chart")
    else:
        empty_state("ui_explore.no_outcomes")
    outcomes_table, plan_table = ex.readable_comparison(comparison, lang(), measure_names=outcome_names)
    rtm_note(comparison.outcomes)
    st.dataframe(outcomes_table, hide_index=True, key="ex_cmp_outcomes")
    st.markdown(f"**{tr('ui_explore.time_to_plan')}**")
    st.dataframe(plan_table, hide_index=True, key="ex_cmp_plan")
    st.caption(tr("ui_explore.compare_download"))
    exact = sharing_switch(key="ex_cmp_share")
    safe_outcomes, safe_plan = ex.readable_comparison(
        comparison if exact else comparison.suppressed(), lang(), measure_names=outcome_names, keep_types=True
    )
    download_table(safe_outcomes, "cohort_comparison", key="ex_cmp_dl", what=tr("ui_explore.compare_outcomes"))
    download_table(safe_plan, "cohort_time_to_plan", key="ex_cmp_plan_dl", what=tr("ui_explore.time_to_plan"))
    st.markdown(f"**{tr('ui_explore.compare_goals')}**")
    progress = _goal_progress(ws.key, ws)
    goals = co.compare_goals(a, b, progress, for_sharing=False)  # the team's own view: real counts
    st.dataframe(ck.present.readable(goals, lang(), hide=["suppressed_a", "suppressed_b"]), key="ex_cmp_goals")
    shared = co.compare_goals(a, b, progress, for_sharing=not exact)
    download_table(
        ck.present.readable(shared, lang(), keep_types=True),
        "cohort_goals",
        key="ex_cmp_goals_dl",
        what=tr("ui_explore.compare_goals_short"),
    )
    # utilisation per member-month: a comparison cohort is the answer to regression to the mean
    st.markdown(f"**{tr('ui_explore.compare_rates')}**")
    rates = _rates(ws.key, ws)
    util = co.compare_utilisation(a, b, rates, for_sharing=False)
    rtm_note(util)
    hidden = ["suppressed_a", "suppressed_b"]
    st.dataframe(ck.present.readable(util, lang(), hide=hidden), hide_index=True, key="ex_cmp_rates")
    shared = co.compare_utilisation(a, b, rates, for_sharing=not exact)
    download_table(
        ck.present.readable(shared, lang(), keep_types=True),
        "cohort_utilisation",
        key="ex_cmp_rates_dl",
        what=tr("ui_explore.compare_rates_short"),
    )

# -- exports ------------------------------------------------------------------------------
if view == "export":
    st.subheader(tr("ui_explore.export_log"))
    log = ws.get("events")
    n_events = co.cohort_events(log, a).height
    st.caption(tr("ui_explore.export_log_caption", events=num(n_events), cases=num(a.height)))
    download(
        tr("ui_explore.export_log_button"),
        functools.partial(ex.event_log_csv, log, a),  # written when clicked, not on every rerun
        file_name="cohort_event_log.csv",
        mime="text/csv",
        key="ex_log_csv",
    )

    st.subheader(tr("ui_explore.export_deid"))
    st.caption(tr("ui_explore.export_deid_caption"))
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
            with st.spinner(tr("ui_explore.deid_working", cases=num(a.height))):
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
        except ImportError:
            empty_state("ui_explore.deid_unavailable")
        except ck.CasekitError as exc:  # a weak key, or kept text that looks like identifiers (never the values)
            st.session_state.pop("ex_deid_extract", None)
            st.error(md(exc.message(lang())), icon=":material/block:")
        else:
            st.session_state["ex_deid_extract"] = (signature, prepared.without_key())
            new_key = "" if given.strip() else prepared.key
    ready = st.session_state.get("ex_deid_extract")
    if ready is not None and ready[0] == signature:
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
        st.caption(tr("ui_explore.deid_ready", cases=num(prepared.cases)))
        st.dataframe(ex.readable_removed(prepared.explained, lang()), hide_index=True, key="ex_deid_explained")
        if prepared.anonymity:
            st.caption(prepared.anonymity)
            st.dataframe(prepared.steps, hide_index=True, key="ex_deid_steps")

    st.subheader(tr("ui_explore.export_groups"))
    st.caption(tr("ui_explore.export_groups_caption"))
