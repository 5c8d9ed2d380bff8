"""Assessment & risk review (stages 2–3): tiers, one client's risk, reviews pending, fairness."""

from __future__ import annotations

import streamlit as st

from casekit.charts import factors_chart, fairness_chart, tier_chart
from casekit.present import vocabulary
from casekit.risk.score import local_input_warnings
from casekit.ui import forms
from casekit.ui.assessment import (
    case_choices,
    case_summary,
    default_case,
    factor_table,
    instruments_table,
    tier_counts,
    tier_policy,
)
from casekit.ui.signin import shows_exact_counts
from casekit.ui.widgets import (
    empty_state,
    lang,
    md,
    num,
    page_header,
    sharing_switch,
    show_chart,
    show_date,
    table,
    tr,
)

ws = page_header("assessment", "ui_assessment.caption")
forms.stage_section(ws, "assessments", key="assessment_form")
forms.stage_section(ws, "risk_reviews", key="review_form")
scores = ws.get("scores")
names = vocabulary("tier", lang())

# -- tier distribution ------------------------------------------------------------------
st.subheader(tr("ui_assessment.tiers"))
if scores.height == 0:
    empty_state("ui_assessment.no_assessments")
else:
    st.caption(tr("ui_assessment.tiers_caption", cases=num(scores.height), as_of=show_date(ws.as_of)))
    counts = tier_counts(scores)
    left, right = st.columns([2, 3])
    with left:
        for tier, cases, share in counts.iter_rows():
            st.metric(
                tr("ui_assessment.metric_tier", tier=names[tier]),
                num(cases),
                num(share, ".0%"),
                delta_color="off",
                delta_arrow="off",
            )
    with right:
        show_chart(tier_chart(scores, lang=lang()), key="tiers")
st.info(tier_policy(ws.model, lang()))
for message in local_input_warnings(ws.result, ws.model, lang()):  # a team's column the data lacks
    st.warning(message)

# -- one client -------------------------------------------------------------------------
st.subheader(tr("ui_assessment.client"))
choices = case_choices(scores)
if not choices:
    empty_state("ui_assessment.no_assessments")
else:
    tier_of = dict(scores.select("case_id", "effective_tier").iter_rows())
    case_id = st.selectbox(
        tr("ui_assessment.case_picker"),
        choices,
        index=choices.index(default_case(scores)),
        format_func=lambda c: f"{c} · {names.get(tier_of.get(c), '—')}",
        help=tr("ui_assessment.case_picker_help"),
        key="assessment_case",
    )
    summary = case_summary(scores, case_id, ws.model, lang())
    cols = st.columns(4)
    cols[0].metric(tr("ui_assessment.metric_score"), num(summary["score"]))
    cols[1].metric(tr("ui_assessment.metric_computed"), summary["computed_tier"])
    cols[2].metric(tr("ui_assessment.metric_effective"), summary["effective_tier"])
    cols[3].metric(tr("ui_assessment.metric_override"), summary["override_tier"] or tr("ui_assessment.no_override"))
    reviewed = summary["reviewed_on"]
    st.caption(
        tr(
            "ui_assessment.assessed_reviewed",
            assessed=show_date(summary["assessed_on"]),
            reviewed=show_date(reviewed) if reviewed else tr("ui_assessment.not_reviewed"),
        )
    )
    if summary["provisional"]:
        st.warning(tr("ui_assessment.provisional"))
    if summary["red_flags"]:
        st.error(tr("ui_assessment.red_flags", flags=md(", ".join(summary["red_flags"]))))
    else:
        st.caption(tr("ui_assessment.no_red_flags"))
    if summary["missing"]:
        st.caption(tr("ui_assessment.missing_inputs", factors=md(", ".join(summary["missing"]))))
    else:
        st.caption(tr("ui_assessment.no_missing_inputs"))

    left, right = st.columns(2)  # half the page: the instruments table reads whole at 1280 px
    with left:
        st.markdown(f"**{tr('ui_assessment.factors')}**")
        show_chart(factors_chart(scores, case_id, model=ws.model, lang=lang()), key="factors")
        table(
            factor_table(scores, case_id, ws.model, lang()).drop("factor"),
            key="factor_table",
            stem=f"factors_{case_id}",
            headers={"label": tr("ui_assessment.col_factor")},
        )
    with right:
        st.markdown(f"**{tr('ui_assessment.instruments')}**")
        table(instruments_table(scores, case_id, lang()), key="instruments", stem=f"instruments_{case_id}")

# -- reviews pending --------------------------------------------------------------------
st.subheader(tr("ui_assessment.reviews"))
st.caption(tr("ui_assessment.reviews_caption"))
pending = ws.get("reviews_pending")
cols = st.columns(2)
cols[0].metric(tr("ui_assessment.metric_reviews"), num(pending.height))
cols[1].metric(tr("ui_assessment.metric_reviews_overdue"), num(int((pending["days_overdue"] > 0).sum())))
if pending.height == 0:
    empty_state("ui_assessment.no_reviews")
else:
    table(pending, key="reviews", stem="risk_reviews_pending", screen="ui_assessment", version=ws.key)

# -- fairness ---------------------------------------------------------------------------
st.subheader(tr("ui_assessment.fairness"))
if scores.height == 0:
    empty_state("ui_assessment.no_assessments")
else:
    st.caption(tr("ui_assessment.fairness_caption"))
    # the team's own screen: real counts; a researcher's screen and the download for others:
    # small cells suppressed (one rule: casekit.privacy, through fairness_summary)
    suppressed_on_screen = not shows_exact_counts()
    fairness = ws.get("fairness", for_sharing=suppressed_on_screen)
    show_chart(fairness_chart(fairness, lang=lang()), key="fairness")
    exact = sharing_switch(key="fairness_downloads", allowed=not suppressed_on_screen)
    shared = None if exact else ws.get("fairness", for_sharing=True)
    table(fairness, key="fairness_table", stem="fairness", shared=shared)
