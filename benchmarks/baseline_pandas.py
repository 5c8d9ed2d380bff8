"""What an analyst would write instead: the case-status rules in plain pandas.

A straightforward implementation of ``docs/process_rules.md`` (current stage and every
flag), the way a competent pandas user writes it: each sheet is filtered to the evidence
dated on or before ``as_of`` and reduced to one row per case with ``groupby("case_id").agg``
(named aggregations over masked columns), the per-case facts are joined to ``cases``, and
``apply(axis=1)`` runs the rules per case in plain Python (stage, then each flag). No
validation and no quarantine: the input is the sheets as read.

Rules left out: ``quarantined_rows`` (it needs validation). Everything else —
``current_stage`` and the fifteen other flags, including the obligations that run for
every open case whatever its stage (issue 12: follow-up cadence with the client,
reassessment, safety red flags, every transition's contact in business or calendar
days) — is implemented and checked against ``ck.case_status`` in
``tests/benchmarks/test_baselines.py``.

The tier used for deadlines comes from ``tiers`` (``case_id, effective_tier``, e.g.
``ck.score_risk(...)`` as pandas), like ``ck.case_status(..., risk=...)``.

Examples
--------
>>> import pandas as pd
>>> cases = pd.DataFrame({"case_id": ["A", "B"], "opened_on": pd.to_datetime(["2026-03-01"] * 2)})
>>> screenings = pd.DataFrame({"case_id": ["B"], "screened_on": pd.to_datetime(["2026-03-02"]),
...                            "decision": ["refer_to_assessment"]})
>>> out = case_status_pandas({"cases": cases, "screenings": screenings}, as_of=dt.date(2026, 3, 20))
>>> out[["case_id", "current_stage", "flags"]].values.tolist()
[['A', 'screening', ['screening_overdue']], ['B', 'assessment', ['assessment_overdue']]]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from _bench_common import post_only_measures

#: Post-only measures (a later value evaluates a case on its own), from the shipped catalogue.
POST_ONLY = post_only_measures()

#: The shipped process rules (``casekit/defaults/process.toml``); the tests check they match.
RULES = {
    "screening_days": 7,
    "assessment_days": 14,
    "plan_days": 14,
    "plan_days_high_tier": 7,
    "outcome_follow_up_days": 90,
    "cadence_high": 14,
    "cadence_moderate": 30,
    "cadence_low": 60,
    "reassess_high": 90,
    "reassess_moderate": 180,
    "reassess_low": 365,
    "client_contact_with": ("client", "support_system"),
    "post_transition_kinds": ("post_transition", "phone_call", "home_visit", "appointment", "follow_up"),
    "window_discharge": 2,
    "window_transfer": 2,
    "window_step_down": 7,
    "window_step_up": 7,
    "business_day_kinds": ("discharge", "transfer"),
    "default_tier": "moderate",
}

STAGES = [
    "screening",
    "assessment",
    "risk",
    "planning",
    "implementation",
    "monitoring",
    "transition",
    "post_transition",
    "evaluation",
]
#: Flags this baseline implements (all of casekit's except ``quarantined_rows``), in casekit's order.
FLAGS = [
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
]
#: The columns the rules read, per sheet (an absent column counts as empty).
COLUMNS = {
    "cases": ("case_id", "opened_on", "closed_on"),
    "screenings": ("case_id", "screened_on", "decision", "home_environment"),
    "assessments": ("case_id", "assessed_on", "phq9_item9", "systolic_bp", "diastolic_bp", "housing_safe"),
    "risk_reviews": ("case_id", "reviewed_on", "safety_action", "reason"),
    "goals": ("case_id", "set_on", "target_on", "status", "achieved_on"),
    "services": ("case_id", "start_on"),
    "contacts": ("case_id", "contact_on", "kind", "with_whom", "status"),
    "transitions": ("case_id", "transition_on", "kind"),
    "outcomes": ("case_id", "measure", "measured_on", "timepoint"),
}
SHEETS = tuple(COLUMNS)
NaT = pd.NaT


def read_parquet_folder(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The sheets of a folder of ``<sheet>.parquet`` files, as pandas frames with dates as datetimes."""
    sheets = {}
    for path in sorted(Path(folder).glob("*.parquet")):
        if path.stem in SHEETS:
            df = pd.read_parquet(path)
            for col in df.columns:
                if col.endswith("_on") or col == "birth_date":
                    df[col] = pd.to_datetime(df[col])
            sheets[path.stem] = df
    return sheets


def _complete(sheet: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the columns the rules read (absent ones empty: NaT for dates)."""
    missing = [c for c in COLUMNS[sheet] if c not in df.columns]
    return df.assign(**{c: NaT if c.endswith("_on") else None for c in missing}) if missing else df


def _days(n: int) -> pd.Timedelta:
    return pd.Timedelta(days=n)


def _masked(df: pd.DataFrame, **columns: tuple[str, pd.Series]) -> pd.DataFrame:
    """``df`` with extra columns: ``name=(column, mask)`` keeps ``column`` where ``mask`` holds, else NaT."""
    return df.assign(**{name: df[col].where(mask) for name, (col, mask) in columns.items()})


def _screenings(df: pd.DataFrame) -> pd.DataFrame:
    df = _masked(df, refer=("screened_on", df["decision"] == "refer_to_assessment"))
    facts = df.groupby("case_id").agg(refer_on=("refer", "min"), first_screened=("screened_on", "min"))
    decided = df[df["decision"].notna()].sort_values("screened_on", kind="stable")  # same day: the later row wins
    latest = decided.groupby("case_id").agg(
        last_decision_on=("screened_on", "last"), last_decision=("decision", "last")
    )
    return facts.join(latest)


def _assessments(df: pd.DataFrame) -> pd.DataFrame:
    return df.groupby("case_id").agg(first_assessed=("assessed_on", "min"), last_assessed=("assessed_on", "max"))


def _reviews(df: pd.DataFrame) -> pd.DataFrame:
    reason = df["reason"].fillna("").astype(str).str.strip() != ""
    action = df["safety_action"].notna() & ((df["safety_action"] != "not_needed") | reason)
    df = _masked(df, ok=("reviewed_on", df["reviewed_on"] >= df["last_assessed"]), action=("reviewed_on", action))
    return df.groupby("case_id").agg(
        first_reviewed=("reviewed_on", "min"), review_ok_on=("ok", "min"), safety_on=("action", "max")
    )


#: The shipped model's red flags: (sheet, date column, input column(s), condition on the input).
RED_FLAGS = {
    "self_harm_thoughts": ("assessments", "assessed_on"),
    "hypertensive_crisis": ("assessments", "assessed_on"),
    "unsafe_housing": ("assessments", "assessed_on"),
    "unsafe_home": ("screenings", "screened_on"),
}


def _red_flag_values(df: pd.DataFrame, flag: str) -> pd.Series:
    """Per row: True/False when the flag's input is recorded (raised or not), NaN when blank."""
    if flag == "self_harm_thoughts":
        x = df["phq9_item9"]
        return (x >= 1).where(x.notna())
    if flag == "hypertensive_crisis":
        both = df["systolic_bp"].notna() & df["diastolic_bp"].notna()
        return ((df["systolic_bp"] > 180) | (df["diastolic_bp"] > 120)).where(both)
    if flag == "unsafe_housing":
        x = df["housing_safe"]
        return (x == False).where(x.notna())  # noqa: E712 - an object column of booleans
    x = df["home_environment"]
    return (x == "unsafe").where(x.notna())


def _raised(df: pd.DataFrame, on_col: str, flags: list[str]) -> pd.DataFrame:
    """Per case, ``raised_<flag>``: the date of the latest record with a value for the flag's
    input, when that value raises it (a blank never clears a flag)."""
    df = df.sort_values(on_col, kind="stable")  # same day: the later row wins
    out = []
    for flag in flags:
        values = _red_flag_values(df, flag)
        known = df.assign(_v=values)[values.notna()]
        last = known.groupby("case_id").agg(on=(on_col, "last"), v=("_v", "last"))
        out.append(last["on"].where(last["v"].astype(bool)).rename(f"raised_{flag}"))
    return pd.concat(out, axis=1) if out else pd.DataFrame()


def _goals(df: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    achieved_later = (df["status"] == "achieved") & (df["achieved_on"] > as_of)
    open_ = df["status"].isna() | df["status"].isin(["planned", "in_progress"]) | achieved_later
    df = _masked(
        df,
        with_target=("set_on", df["target_on"].notna()),
        overdue=("target_on", open_ & (df["target_on"] < as_of)),
        upcoming=("target_on", open_ & (df["target_on"] >= as_of)),
    )
    return df.groupby("case_id").agg(
        first_goal=("set_on", "min"),
        first_target_goal=("with_target", "min"),
        goal_overdue_on=("overdue", "min"),
        next_goal_target=("upcoming", "min"),
    )


def _services(df: pd.DataFrame) -> pd.DataFrame:
    return df.groupby("case_id").agg(service_on=("start_on", "min")).assign(has_service=True)


def _window_end(df: pd.DataFrame, rules: Mapping[str, object]) -> pd.Series:
    """Each transition's last window day: business days (numpy's busday_offset, rolled back
    from a weekend) for the business-day kinds, calendar days for the others."""
    windows = {k: rules[f"window_{k}"] for k in ("discharge", "transfer", "step_down", "step_up")}
    shortest = min(windows, key=windows.get)
    kind = df["kind"].where(df["kind"].isin(list(windows)), shortest)
    days = kind.map(windows).astype("int64")
    day = df["transition_on"].to_numpy(dtype="datetime64[D]")
    business = np.busday_offset(day, days.to_numpy(), roll="backward")
    calendar = day + days.to_numpy().astype("timedelta64[D]")
    in_business = kind.isin(list(rules["business_day_kinds"])).to_numpy()
    return pd.Series(np.where(in_business, business, calendar), index=df.index).astype("datetime64[ns]")


def _transitions(df: pd.DataFrame, contacts: pd.DataFrame | None, as_of: pd.Timestamp, rules) -> pd.DataFrame:
    df = df.reset_index(drop=True).assign(_tx=lambda x: range(len(x)))
    df["window_ends_on"] = _window_end(df, rules)
    first = pd.DataFrame({"_tx": [], "contact_on": []})
    if contacts is not None:
        whom = contacts["with_whom"].fillna("client")
        ok = (
            (contacts["status"] == "attended")
            & whom.isin(list(rules["client_contact_with"]))
            & contacts["kind"].isin(list(rules["post_transition_kinds"]))
            & (contacts["contact_on"] <= as_of)
        )
        pairs = df[["_tx", "case_id", "transition_on"]].merge(contacts.loc[ok, ["case_id", "contact_on"]], on="case_id")
        pairs = pairs[pairs["contact_on"] >= pairs["transition_on"]]
        first = pairs.groupby("_tx", as_index=False).agg(contact_on=("contact_on", "min"))
    df = df.merge(first, on="_tx", how="left")
    within = df["contact_on"] <= df["window_ends_on"]
    late = df["contact_on"].notna() & ~within
    missing = df["contact_on"].isna() & (df["window_ends_on"] < as_of)
    df = _masked(df, done_on=("contact_on", within | late), missing_on=("window_ends_on", missing))
    latest = df.sort_values("transition_on", kind="stable").drop_duplicates("case_id", keep="last").set_index("case_id")
    facts = df.groupby("case_id").agg(
        first_tx=("transition_on", "min"), last_tx=("transition_on", "max"), post_missing_on=("missing_on", "min")
    )
    # stage 8: the latest transition had its contact, in time or late
    return facts.join(latest["done_on"].rename("post_ok_on"))


def _contacts(df: pd.DataFrame, as_of: pd.Timestamp, with_client: tuple[str, ...]) -> pd.DataFrame:
    attended = df["status"] == "attended"
    post = attended & (df["kind"] == "post_transition")
    client = attended & df["with_whom"].fillna("client").isin(list(with_client))
    on = df["contact_on"]
    df = _masked(
        df,
        attended_on=("contact_on", attended),
        client_on=("contact_on", client),
        stale=("contact_on", (df["status"] == "scheduled") & (on < as_of)),
        post=("contact_on", post),
        impl=(
            "contact_on",
            attended & df["kind"].isin(["appointment", "home_visit", "education"]) & (on >= df["first_goal"]),
        ),
    )
    facts = df.groupby("case_id").agg(
        last_attended=("attended_on", "max"),
        last_client=("client_on", "max"),
        stale_on=("stale", "min"),
        first_post=("post", "min"),
        impl_on=("impl", "min"),
    )
    missed = df[df["status"] == "missed"].join(facts["last_attended"], on="case_id")
    missed = missed[missed["last_attended"].isna() | (missed["contact_on"] >= missed["last_attended"])]
    return facts.join(missed.groupby("case_id").agg(missed_on=("contact_on", "min")))


def _outcomes(df: pd.DataFrame, follow_up: pd.Timedelta) -> pd.DataFrame:
    df = _masked(
        df,
        baseline=("measured_on", df["timepoint"] == "baseline"),
        later=("measured_on", df["timepoint"].isin(["follow_up", "discharge"])),
    )
    per_measure = df.groupby(["case_id", "measure"], dropna=False).agg(
        baseline_on=("baseline", "min"), later_on=("later", "min"), last_later=("later", "max")
    )
    keys = per_measure.index.get_level_values("measure").str.lower().str.replace(r"[^0-9a-z]", "", regex=True)
    post_only = keys.isin(POST_ONLY) & per_measure["last_later"].notna()
    per_measure["paired"] = (per_measure["last_later"] > per_measure["baseline_on"]) | post_only
    per_measure["due"] = (per_measure["baseline_on"] + follow_up).where(~per_measure["paired"])
    return per_measure.groupby(level="case_id").agg(
        first_baseline=("baseline_on", "min"),
        first_later=("later_on", "min"),
        paired=("paired", "any"),
        outcome_due=("due", "min"),
    )


def _latest(*dates: object) -> object:
    known = [d for d in dates if pd.notna(d)]
    return max(known) if known else NaT


def _earliest(*dates: object) -> object:
    known = [d for d in dates if pd.notna(d)]
    return min(known) if known else NaT


def _per_case(df: pd.DataFrame | None, date_col: str, until: pd.Timestamp, fn, **kwargs) -> pd.DataFrame | None:
    """``fn`` over the rows dated on or before ``until`` (None when there are none)."""
    if df is None:
        return None
    df = df[df[date_col] <= until]
    return None if df.empty else fn(df, **kwargs)


def _out_of_order(r: pd.Series) -> object:
    evidence = {
        1: r["first_screened"],
        2: _earliest(r["first_assessed"], r["first_baseline"]),
        3: r["first_reviewed"],
        4: _earliest(r["first_goal"], r["service_on"]),
        7: r["first_tx"],
        8: r["first_post"],
        9: r["first_later"],
    }
    became = NaT
    for i, ei in evidence.items():
        for j, ej in evidence.items():
            if j <= i or (j == 9 and i in (7, 8)):  # outcomes may precede the transition (default)
                continue
            if pd.notna(ei) and pd.notna(ej) and ej < ei:
                became = _earliest(became, ei)
    return became


def _stage_and_flags(r: pd.Series, as_of: pd.Timestamp, rules: Mapping[str, object]) -> pd.Series:  # noqa: PLR0912 - one `if` per rule, as an analyst writes it
    def known(x: object) -> bool:
        return bool(pd.notna(x))

    def yes(x: object) -> bool:
        return known(x) and bool(x)

    closed = known(r["closed_on"]) and r["closed_on"] <= as_of
    is_open = not closed
    tier = r["effective_tier"] if known(r["first_assessed"]) and known(r["effective_tier"]) else rules["default_tier"]
    paired = yes(r["paired"])
    done = {
        1: known(r["refer_on"]),
        2: known(r["first_assessed"]),
        3: known(r["first_assessed"]) and known(r["review_ok_on"]),
        4: known(r["first_target_goal"]) and yes(r["has_service"]),
        5: known(r["impl_on"]),
        6: known(r["last_tx"]),
        7: known(r["last_tx"]),
        8: known(r["post_ok_on"]),
        9: paired and closed,
    }
    reached = next((k for k in range(1, 10) if not done[k]), 10)
    stage = "closed" if closed else STAGES[reached - 1]
    negative = r["last_decision"] in ("not_eligible", "declined")
    flags = []
    raised = [r[f"raised_{f}"] for f in RED_FLAGS if known(r[f"raised_{f}"])]
    open_red = [on for on in raised if not (known(r["safety_on"]) and r["safety_on"] >= on)]
    if is_open and open_red and as_of > min(open_red):
        flags.append("safety_red_flag")
    if is_open and not done[1] and not negative and as_of > r["opened_on"] + _days(rules["screening_days"]):
        flags.append("screening_overdue")
    if is_open and negative:
        flags.append("not_eligible_but_open")
    if is_open and done[1] and not done[2] and as_of > r["refer_on"] + _days(rules["assessment_days"]):
        flags.append("assessment_overdue")
    if is_open and done[2] and not done[3]:
        flags.append("risk_review_pending")
    plan_days = rules["plan_days_high_tier"] if tier == "high" else rules["plan_days"]
    if is_open and done[2] and not done[4] and as_of > r["last_assessed"] + _days(plan_days):
        flags.append("plan_overdue")
    if is_open and known(r["missed_on"]):
        flags.append("missed_appointment")
    if is_open and known(r["stale_on"]):
        flags.append("stale_scheduled_contact")
    cadence = rules[f"cadence_{tier}"] if f"cadence_{tier}" in rules else rules["cadence_moderate"]
    last_seen = _latest(r["last_client"], r["last_assessed"])
    if is_open and done[2] and as_of > last_seen + _days(cadence):
        flags.append("follow_up_overdue")
    reassess = rules[f"reassess_{tier}"] if f"reassess_{tier}" in rules else rules["reassess_moderate"]
    if is_open and done[2] and as_of > r["last_assessed"] + _days(reassess):
        flags.append("reassessment_due")
    if is_open and known(r["goal_overdue_on"]):
        flags.append("goal_overdue")
    if is_open and known(r["post_missing_on"]):
        flags.append("post_transition_contact_missing")
    if is_open and known(r["outcome_due"]) and r["outcome_due"] <= as_of:
        flags.append("outcome_follow_up_due")
    if closed and done[1] and not paired:
        flags.append("closed_without_outcomes")
    if known(_out_of_order(r)):
        flags.append("out_of_order")
    return pd.Series({"current_stage": stage, "flags": flags})


def case_status_pandas(
    sheets: Mapping[str, pd.DataFrame],
    *,
    as_of: dt.date,
    tiers: pd.DataFrame | None = None,
    rules: Mapping[str, object] = RULES,
) -> pd.DataFrame:
    """``case_id, current_stage, flags`` per case opened on or before ``as_of``, in ``cases`` order."""
    when = pd.Timestamp(as_of)
    sheets = {name: _complete(name, df) for name, df in sheets.items() if name in COLUMNS}
    cases = sheets["cases"]
    cases = cases[cases["opened_on"] <= when]
    wide = cases.set_index("case_id")[["opened_on", "closed_on"]]

    def add(facts: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
        if facts is None:
            facts = pd.DataFrame(columns=columns, index=pd.Index([], name="case_id"))
        return wide.join(facts[columns], how="left")

    get = sheets.get
    wide = add(
        _per_case(get("screenings"), "screened_on", when, _screenings),
        ["refer_on", "first_screened", "last_decision_on", "last_decision"],
    )
    assessments = _per_case(get("assessments"), "assessed_on", when, _assessments)
    wide = add(assessments, ["first_assessed", "last_assessed"])
    reviews = get("risk_reviews")
    if reviews is not None and assessments is not None:
        reviews = reviews.merge(assessments[["last_assessed"]], left_on="case_id", right_index=True, how="left")
    elif reviews is not None:
        reviews = reviews.assign(last_assessed=NaT)
    wide = add(_per_case(reviews, "reviewed_on", when, _reviews), ["first_reviewed", "review_ok_on", "safety_on"])
    for sheet, date_col in (("assessments", "assessed_on"), ("screenings", "screened_on")):
        flags = [f for f, (where, _) in RED_FLAGS.items() if where == sheet]
        raised = _per_case(get(sheet), date_col, when, _raised, on_col=date_col, flags=flags)
        wide = add(raised, [f"raised_{f}" for f in flags])
    goals = _per_case(get("goals"), "set_on", when, _goals, as_of=when)
    wide = add(goals, ["first_goal", "first_target_goal", "goal_overdue_on", "next_goal_target"])
    services = get("services")
    if services is not None:  # an undated service counts
        services = services[services["start_on"].isna() | (services["start_on"] <= when)]
        services = _services(services) if len(services) else None
    wide = add(services, ["service_on", "has_service"])
    contacts = get("contacts")
    transitions = _per_case(
        get("transitions"), "transition_on", when, _transitions, contacts=contacts, as_of=when, rules=rules
    )
    wide = add(transitions, ["first_tx", "last_tx", "post_missing_on", "post_ok_on"])
    if contacts is not None:
        contacts = contacts.merge(wide[["first_goal"]], left_on="case_id", right_index=True, how="left")
    contact_columns = ["last_attended", "last_client", "stale_on", "first_post", "missed_on", "impl_on"]
    with_client = tuple(rules["client_contact_with"])
    wide = add(_per_case(contacts, "contact_on", when, _contacts, as_of=when, with_client=with_client), contact_columns)
    follow_up = _days(rules["outcome_follow_up_days"])
    outcomes = _per_case(get("outcomes"), "measured_on", when, _outcomes, follow_up=follow_up)
    wide = add(outcomes, ["first_baseline", "first_later", "paired", "outcome_due"])
    tier_of = {} if tiers is None else dict(zip(tiers["case_id"], tiers["effective_tier"], strict=True))
    wide["effective_tier"] = [tier_of.get(case) for case in wide.index]
    if wide.empty:
        return pd.DataFrame({"case_id": [], "current_stage": [], "flags": []})
    out = wide.apply(_stage_and_flags, axis=1, as_of=when, rules=rules)
    return out.reset_index()[["case_id", "current_stage", "flags"]]
