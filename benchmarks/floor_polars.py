"""The floor: the case-status rules in bare polars, nothing else.

The same rules as ``ck.case_status`` (``docs/process_rules.md``) — current stage and
every flag except ``quarantined_rows`` — as one lazy query over the sheets as read:
no validation, no quarantine, no type coercion of the sheets, no explanation columns
(no due dates, ``next_due_on``, ``stage_entered_on``, ``days_in_stage``, stage entry
dates), no flag list: each flag is a Boolean column, and rows come in no particular order.
The default process rules are fixed in the code. It is what casekit's status would cost
if it did only the arithmetic; ``bench_pipeline.py`` reports casekit / floor.

The tier used for deadlines comes from ``tiers`` (``case_id, effective_tier``), like
``ck.case_status(..., risk=...)``. ``tests/benchmarks/test_baselines.py`` checks it agrees
with casekit.

Examples
--------
>>> import datetime as dt
>>> cases = pl.DataFrame({"case_id": ["A", "B"], "opened_on": [dt.date(2026, 3, 1)] * 2})
>>> screenings = pl.DataFrame({"case_id": ["B"], "screened_on": [dt.date(2026, 3, 2)],
...                            "decision": ["refer_to_assessment"]})
>>> out = case_status_floor({"cases": cases, "screenings": screenings}, as_of=dt.date(2026, 3, 20))
>>> out.sort("case_id").select("case_id", "current_stage", "screening_overdue", "assessment_overdue").rows()
[('A', 'screening', True, False), ('B', 'assessment', False, True)]
>>> flag_sets(out)["A"]
frozenset({'screening_overdue'})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl
from _bench_common import post_only_measures

#: Post-only measures (a later value evaluates a case on its own), from the shipped catalogue.
POST_ONLY = post_only_measures()

STAGES = (
    "screening",
    "assessment",
    "risk",
    "planning",
    "implementation",
    "monitoring",
    "transition",
    "post_transition",
    "evaluation",
    "closed",
)
FLAGS = (
    "safety_red_flag",
    "screening_overdue",
    "not_eligible_but_open",
    "assessment_overdue",
    "risk_review_pending",
    "plan_overdue",
    "missed_appointment",
    "stale_scheduled_contact",
    "follow_up_overdue",
    "reassessment_due",
    "goal_overdue",
    "post_transition_contact_missing",
    "outcome_follow_up_due",
    "closed_without_outcomes",
    "out_of_order",
)
#: The columns each sheet needs (and their types when the sheet is absent).
NEEDS: dict[str, dict[str, pl.DataType]] = {
    "cases": {"case_id": pl.String(), "opened_on": pl.Date(), "closed_on": pl.Date()},
    "screenings": {
        "case_id": pl.String(),
        "screened_on": pl.Date(),
        "decision": pl.String(),
        "home_environment": pl.String(),
    },
    "assessments": {
        "case_id": pl.String(),
        "assessed_on": pl.Date(),
        "phq9_item9": pl.Int64(),
        "systolic_bp": pl.Int64(),
        "diastolic_bp": pl.Int64(),
        "housing_safe": pl.Boolean(),
    },
    "risk_reviews": {
        "case_id": pl.String(),
        "reviewed_on": pl.Date(),
        "safety_action": pl.String(),
        "reason": pl.String(),
    },
    "goals": {
        "case_id": pl.String(),
        "set_on": pl.Date(),
        "target_on": pl.Date(),
        "status": pl.String(),
        "achieved_on": pl.Date(),
    },
    "services": {"case_id": pl.String(), "start_on": pl.Date()},
    "transitions": {"case_id": pl.String(), "transition_on": pl.Date(), "kind": pl.String()},
    "contacts": {
        "case_id": pl.String(),
        "contact_on": pl.Date(),
        "kind": pl.String(),
        "with_whom": pl.String(),
        "status": pl.String(),
    },
    "outcomes": {"case_id": pl.String(), "measure": pl.String(), "measured_on": pl.Date(), "timepoint": pl.String()},
}


def _lazy(sheets: Mapping[str, pl.DataFrame], name: str) -> pl.LazyFrame:
    df = sheets.get(name)
    if df is None:
        empty = pl.LazyFrame(schema=NEEDS[name])
        return empty.with_row_index("_pos") if name in ("screenings", "assessments") else empty
    lf = df.lazy()
    if name in ("screenings", "assessments"):  # the row order breaks ties between records of the same day
        lf = lf.with_row_index("_pos")
    missing = [pl.lit(None, dtype).alias(c) for c, dtype in NEEDS[name].items() if c not in df.columns]
    return lf.with_columns(missing) if missing else lf


def _latest_value(conditions: Mapping[str, pl.Expr], key: pl.Expr) -> list[pl.Expr]:
    """Aggregations: ``raised_<flag>`` = the date (from ``key``) of the latest record whose
    input is known, when there the condition holds (null otherwise)."""
    out = []
    for name, cond in conditions.items():
        known, yes = key.filter(cond.is_not_null()).max(), key.filter(cond.fill_null(value=False)).max()
        out.append(pl.when(yes == known).then((yes // 2**32).cast(pl.Int32).cast(pl.Date)).alias(f"raised_{name}"))
    return out


def _plus(date: pl.Expr, days: int | pl.Expr) -> pl.Expr:
    return date + pl.duration(days=days)


def case_status_floor(
    sheets: Mapping[str, pl.DataFrame],
    *,
    as_of: dt.date,
    tiers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``case_id, current_stage`` and one Boolean column per flag (:data:`FLAGS`), per case
    opened on or before ``as_of``; the default process rules."""
    c = pl.col
    on = c("contact_on")
    scr = _lazy(sheets, "screenings").filter(c("screened_on") <= as_of)
    scr = scr.group_by("case_id").agg(
        refer_on=c("screened_on").filter(c("decision") == "refer_to_assessment").min(),
        first_screened=c("screened_on").min(),
        last_decision=c("decision").sort_by("screened_on", "_pos").drop_nulls().last(),
    )
    # red flags: the latest record with a value for the input decides (date, then row)
    key_a = c("assessed_on").cast(pl.Int64) * 2**32 + c("_pos")
    key_s = c("screened_on").cast(pl.Int64) * 2**32 + c("_pos")
    both_bp = c("systolic_bp").is_not_null() & c("diastolic_bp").is_not_null()
    red_a = {
        "self_harm_thoughts": pl.when(c("phq9_item9").is_not_null()).then(c("phq9_item9") >= 1),
        "hypertensive_crisis": pl.when(both_bp).then((c("systolic_bp") > 180) | (c("diastolic_bp") > 120)),
        "unsafe_housing": ~c("housing_safe"),
    }
    red_s = {"unsafe_home": pl.when(c("home_environment").is_not_null()).then(c("home_environment") == "unsafe")}
    asm = _lazy(sheets, "assessments").filter(c("assessed_on") <= as_of)
    asm = asm.group_by("case_id").agg(
        *_latest_value(red_a, key_a),
        first_assessed=c("assessed_on").min(),
        last_assessed=c("assessed_on").max(),
    )
    red = (
        _lazy(sheets, "screenings")
        .filter(c("screened_on") <= as_of)
        .group_by("case_id")
        .agg(*_latest_value(red_s, key_s))
    )
    reason = c("reason").str.strip_chars().ne("").fill_null(value=False)
    action = c("safety_action").is_not_null() & ((c("safety_action") != "not_needed") | reason)
    rev = _lazy(sheets, "risk_reviews").filter(c("reviewed_on") <= as_of).join(asm, on="case_id", how="left")
    rev = rev.group_by("case_id").agg(
        first_reviewed=c("reviewed_on").min(),
        review_ok=(c("reviewed_on") >= c("last_assessed")).any(),
        safety_on=c("reviewed_on").filter(action).max(),
    )
    goal_open = c("status").is_null() | c("status").is_in(["planned", "in_progress"])
    goal_open = goal_open | ((c("status") == "achieved") & (c("achieved_on") > as_of)).fill_null(value=False)
    goals = _lazy(sheets, "goals").filter(c("set_on") <= as_of)
    goals = goals.group_by("case_id").agg(
        first_goal=c("set_on").min(),
        has_target=c("target_on").is_not_null().any(),
        goal_overdue=(goal_open & (c("target_on") < as_of)).any(),
    )
    svc = _lazy(sheets, "services").filter(c("start_on").is_null() | (c("start_on") <= as_of))
    svc = svc.group_by("case_id").agg(service_on=c("start_on").min(), has_service=pl.len() > 0)
    attended = c("status") == "attended"
    client = attended & c("with_whom").fill_null("client").is_in(["client", "support_system"])
    post = attended & (c("kind") == "post_transition")
    contacts = _lazy(sheets, "contacts").filter(on <= as_of)
    con = contacts.group_by("case_id").agg(
        last_attended=on.filter(attended).max(),
        last_client=on.filter(client).max(),
        last_missed=on.filter(c("status") == "missed").max(),
        stale=((c("status") == "scheduled") & (on < as_of)).any(),
        first_post=on.filter(post).min(),
    )
    # every transition: its window (2 business days after a discharge or transfer, else 7
    # days) and the first attended client contact of a qualifying kind from its day on
    kinds = ["post_transition", "phone_call", "home_visit", "appointment", "follow_up"]
    qualifying = contacts.filter(client & c("kind").is_in(kinds)).select("case_id", "contact_on").unique()
    d = c("transition_on")
    business = ~c("kind").is_in(["step_down", "step_up"]).fill_null(value=False)
    ends = pl.when(business).then(d.dt.add_business_days(2, roll="backward")).otherwise(_plus(d, 7))
    every = (
        _lazy(sheets, "transitions")
        .filter(d <= as_of)
        .with_row_index("_pos")
        .with_columns(ends=ends)
        .sort("transition_on")
        .join_asof(
            qualifying.sort("contact_on"),
            left_on="transition_on",
            right_on="contact_on",
            by="case_id",
            strategy="forward",
            check_sortedness=False,
        )
    )
    key_t = d.cast(pl.Int64) * 2**32 + c("_pos")
    tx = every.group_by("case_id").agg(
        first_tx=d.min(),
        last_tx=d.max(),
        post_ok=c("contact_on").filter(key_t == key_t.max()).is_not_null().any(),
        post_missing=(c("contact_on").is_null() & (c("ends") < as_of)).any(),
    )
    # the few contacts that need another sheet's date: joined on their own
    implemented = (
        contacts.filter(attended & c("kind").is_in(["appointment", "home_visit", "education"]))
        .join(goals.select("case_id", "first_goal"), on="case_id")
        .filter(on >= c("first_goal"))
        .select("case_id", implemented=pl.lit(value=True))
        .unique("case_id")
    )
    m = c("measured_on")
    later = c("timepoint").is_in(["follow_up", "discharge"])
    out = (
        _lazy(sheets, "outcomes")
        .filter(m <= as_of)
        .group_by("case_id", "measure")
        .agg(
            base=m.filter(c("timepoint") == "baseline").min(),
            later_min=m.filter(later).min(),
            later_max=m.filter(later).max(),
        )
        .with_columns(
            post_only=c("measure").str.to_lowercase().str.replace_all(r"[^0-9a-z]", "").is_in(list(POST_ONLY))
        )
        .with_columns(
            paired=((c("later_max") > c("base")) | (c("post_only") & c("later_max").is_not_null())).fill_null(
                value=False
            )
        )
        .group_by("case_id")
        .agg(
            first_baseline=c("base").min(),
            first_later=c("later_min").min(),
            paired=c("paired").any(),
            outcome_due=(c("base").is_not_null() & ~c("paired") & (_plus(c("base"), 90) <= as_of)).any(),
        )
    )
    wide = _lazy(sheets, "cases").select("case_id", "opened_on", "closed_on").filter(c("opened_on") <= as_of)
    for agg in (scr, asm, red, rev, goals, svc, tx, con, implemented, out):
        wide = wide.join(agg, on="case_id", how="left")
    if tiers is not None:
        wide = wide.join(tiers.lazy().select("case_id", "effective_tier"), on="case_id", how="left")
    else:
        wide = wide.with_columns(effective_tier=pl.lit(None, pl.String))
    return wide.select("case_id", *_rules(as_of)).collect()


def _rules(as_of: dt.date) -> list[pl.Expr]:
    c = pl.col
    closed = c("closed_on").is_not_null() & (c("closed_on") <= as_of)
    open_ = ~closed
    assessed = c("first_assessed").is_not_null()
    done = [
        c("refer_on").is_not_null(),
        assessed,
        assessed & c("review_ok").fill_null(value=False),
        c("has_target").fill_null(value=False) & c("has_service").fill_null(value=False),
        c("implemented").fill_null(value=False),
        c("last_tx").is_not_null(),
        c("last_tx").is_not_null(),
        c("post_ok").fill_null(value=False),
        c("paired").fill_null(value=False) & closed,
    ]
    reached = pl.lit(10, pl.Int8)
    for k in range(9, 0, -1):
        reached = pl.when(~done[k - 1]).then(pl.lit(k, pl.Int8)).otherwise(reached)
    tier = pl.when(assessed).then(c("effective_tier")).fill_null(pl.lit("moderate"))
    cadence = pl.when(tier == "high").then(14).when(tier == "low").then(60).otherwise(30)
    reassess = pl.when(tier == "high").then(90).when(tier == "low").then(365).otherwise(180)
    raised = [c(f"raised_{f}") for f in ("self_harm_thoughts", "hypertensive_crisis", "unsafe_housing", "unsafe_home")]
    red_open = [pl.when(c("safety_on").is_null() | (c("safety_on") < r)).then(r) for r in raised]
    negative = c("last_decision").is_in(["not_eligible", "declined"]).fill_null(value=False)
    late = as_of
    evidence = {
        1: c("first_screened"),
        2: pl.min_horizontal("first_assessed", "first_baseline"),
        3: c("first_reviewed"),
        4: pl.min_horizontal("first_goal", "service_on"),
        7: c("first_tx"),
        8: c("first_post"),
        9: c("first_later"),
    }
    disorder = [
        (ej < ei).fill_null(value=False)
        for i, ei in evidence.items()
        for j, ej in evidence.items()
        if j > i and not (j == 9 and i in (7, 8))
    ]
    flags = {
        "safety_red_flag": open_ & (pl.min_horizontal(red_open) < late),
        "screening_overdue": open_ & ~done[0] & ~negative & (_plus(c("opened_on"), 7) < late),
        "not_eligible_but_open": open_ & negative,
        "assessment_overdue": open_ & done[0] & ~done[1] & (_plus(c("refer_on"), 14) < late),
        "risk_review_pending": open_ & done[1] & ~done[2],
        "plan_overdue": open_
        & done[1]
        & ~done[3]
        & (_plus(c("last_assessed"), pl.when(tier == "high").then(7).otherwise(14)) < late),
        "missed_appointment": open_ & (c("last_missed") >= c("last_attended").fill_null(pl.date(1, 1, 1))),
        "stale_scheduled_contact": open_ & c("stale"),
        "follow_up_overdue": open_
        & assessed
        & (_plus(pl.max_horizontal("last_client", "last_assessed"), cadence) < late),
        "reassessment_due": open_ & assessed & (_plus(c("last_assessed"), reassess) < late),
        "goal_overdue": open_ & c("goal_overdue"),
        "post_transition_contact_missing": open_ & c("post_missing"),
        "outcome_follow_up_due": open_ & c("outcome_due"),
        "closed_without_outcomes": closed & done[0] & ~c("paired").fill_null(value=False),
        "out_of_order": pl.any_horizontal(disorder),
    }
    stage = pl.when(closed).then(pl.lit(10, pl.Int8)).otherwise(reached)
    return [
        stage.replace_strict(dict(enumerate(STAGES, start=1)), return_dtype=pl.String).alias("current_stage"),
        *(e.fill_null(value=False).alias(name) for name, e in flags.items()),
    ]


def flag_sets(status: pl.DataFrame) -> dict[str, frozenset[str]]:
    """``{case_id: set of open flags}`` from a floor frame (its Boolean flag columns)."""
    named = [pl.when(pl.col(f)).then(pl.lit(f)) for f in FLAGS]
    rows = status.select("case_id", flags=pl.concat_list(named).list.drop_nulls()).rows()
    return {case: frozenset(flags) for case, flags in rows}
