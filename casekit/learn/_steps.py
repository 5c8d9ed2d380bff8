"""The guided walkthrough: one client through the nine stages, one :class:`StageStep` each.

Every number comes from casekit's own functions run on that client's rows
(:func:`casekit.case_status`, :func:`casekit.score_risk`, :func:`casekit.stage_entries`,
:func:`casekit.outcome_changes`, the process-rule deadlines); the sentences are templates
in ``casekit/locales/learn.toml`` filled with those numbers, in Spanish or English.

Examples
--------
>>> import casekit as ck
>>> data = ck.make_sample(40, seed=3)
>>> steps = walkthrough(data, "C00003", as_of=ck.SAMPLE_AS_OF)
>>> [s.number for s in steps] == list(range(1, 10)), steps[0].stage, steps[-1].stage
(True, 'screening', 'evaluation')
>>> steps[0].title("es")
'1. Detección'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import polars as pl

from casekit._frames import sheet
from casekit.contract import EVENT_DATES, ROW, SHEETS, Label
from casekit.data import CaseData, ValidationResult
from casekit.i18n import normalize_lang, t
from casekit.learn._common import Note, flag_term, labelled, one_case, stage_term, term
from casekit.learn._risk import factor_table, score_one, tier_floor
from casekit.outcomes import outcome_changes
from casekit.present import format_number, label
from casekit.risk import RiskModel, load_model
from casekit.stages import (
    STAGES,
    ProcessConfig,
    case_status,
    load_process_config,
    post_transition_contacts,
    readmissions,
    stage_entries,
    status_data,
)

__all__ = ["STAGE_FLAGS", "StageStep", "walkthrough"]

#: The flags each stage's step explains (the others belong to no single stage).
STAGE_FLAGS: dict[str, tuple[str, ...]] = {
    "screening": ("screening_overdue", "not_eligible_but_open"),
    "assessment": ("assessment_overdue",),
    "risk": ("risk_review_pending",),
    "planning": ("plan_overdue",),
    "implementation": ("missed_appointment", "stale_scheduled_contact"),
    "monitoring": ("follow_up_overdue", "goal_overdue"),
    "transition": (),
    "post_transition": ("post_transition_contact_missing",),
    "evaluation": ("outcome_follow_up_due", "closed_without_outcomes"),
}
IMPLEMENTATION_KINDS = ("appointment", "home_visit", "education")
_COLUMNS = {
    "cases": ["case_id", "opened_on", "closed_on", "close_reason", "case_manager", "program", "referral_source", "sex"],
    "screenings": [
        "screened_on",
        "medical_history_reviewed",
        "employment",
        "home_environment",
        "self_management",
        "financial_situation",
        "claims_12m",
        "support_network",
        "decision",
    ],
    "assessments_2": [
        "assessed_on",
        "ed_visits_6m",
        "admissions_12m",
        "insurance",
        "prior_services_available",
        "housing",
        "housing_safe",
        "readiness_to_change",
        "health_engagement",
    ],
    "assessments_3": [
        "assessed_on",
        "systolic_bp",
        "diastolic_bp",
        "phq9",
        "phq9_item9",
        "gad7",
        "audit_c",
        "tobacco_use",
        "substance_use",
        "chronic_conditions",
        "medications",
        "bmi",
        "exercise_min_week",
    ],
    "risk_reviews": ["reviewed_on", "reviewer", "override_tier", "reason"],
    "goals": [
        "domain",
        "owner",
        "description",
        "set_on",
        "target_on",
        "status",
        "achieved_on",
        "measure",
        "target_value",
    ],
    "services": ["service", "provider", "level_of_care", "frequency", "start_on", "end_on"],
    "contacts": ["contact_on", "kind", "with_whom", "status"],
    "transitions": ["transition_on", "from_level", "to_level", "kind", "reason"],
    "outcomes": ["measured_on", "domain", "measure", "value", "timepoint", "higher_is_better"],
}
_DATE_OF = {"cases": "opened_on", **EVENT_DATES}


@dataclass(frozen=True)
class StageStep:
    """One stage of one client's walkthrough.

    ``state``: ``done`` (the stage is complete), ``current`` (the case stands, or stopped,
    here) or ``ahead`` (not reached yet). ``data``: the client's rows this stage looks at,
    by sheet; ``detail``: what casekit computed from them (factor points, due dates,
    outcome changes, open flags); ``decision`` and ``why``: the sentences explaining it;
    ``facts``: the numbers behind those sentences, by name.
    """

    case_id: str
    stage: str
    number: int
    state: str
    decision: Note
    why: tuple[Note, ...] = ()
    data: dict[str, pl.DataFrame] = field(default_factory=dict)
    detail: dict[str, pl.DataFrame] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        """``"3. Risk stratification"`` in ``lang``."""
        return f"{self.number}. {stage_term(self.stage)(normalize_lang(lang))}"

    def purpose(self, lang: str) -> str:
        """What the stage is for, in ``lang``."""
        return t(f"learn.purpose_{self.stage}", lang)

    def headline(self, lang: str) -> str:
        """The decision casekit makes at this stage for this client."""
        return self.decision.text(lang)

    def reasons(self, lang: str) -> list[str]:
        """Why, sentence by sentence."""
        return [note.text(lang) for note in self.why]

    def state_text(self, lang: str) -> str:
        """Where the client is with respect to this stage."""
        return t(f"learn.state_{self.state}", lang)

    def tables(self, lang: str) -> list[tuple[str, pl.DataFrame]]:
        """``(title, frame)`` pairs, data first then detail, labelled for people."""
        lang = normalize_lang(lang)
        out = []
        for name, df in self.data.items():
            base = name.split(":")[0]
            out.append((SHEETS[base].label(lang), labelled(df, lang, sheet=base)))
        out.extend((t(f"learn.table_{name}", lang), labelled(df, lang)) for name, df in self.detail.items())
        return out


# --------------------------------------------------------------------------------------
# The client's rows
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Client:
    """Everything the steps read about one client, computed once."""

    case_id: str
    as_of: dt.date
    cfg: ProcessConfig
    model: RiskModel
    data: CaseData
    status: dict[str, Any]  # the client's case_status row
    score: dict[str, Any] | None
    entered: dict[str, dt.date]

    def rows(self, name: str, columns: list[str] | None = None) -> pl.DataFrame:
        """The client's rows of sheet ``name`` dated on or before as-of (undated kept), by date."""
        cols = columns or _COLUMNS[name]
        date = _DATE_OF[name]
        wanted = list(dict.fromkeys([*cols, date, ROW]))
        frame = sheet(self.data, name, wanted).filter(pl.col(date).is_null() | (pl.col(date) <= self.as_of))
        return frame.sort(date, ROW, nulls_last=True).select(cols).collect()

    @property
    def flags(self) -> dict[str, dt.date]:
        return dict(zip(self.status["flags"], self.status["flag_due_on"], strict=True))

    @property
    def tier(self) -> str:
        return str(self.status["deadline_tier"])

    @property
    def reached(self) -> int:
        return int(self.status["reached_stage_number"])


def _days(a: dt.date, b: dt.date) -> int:
    return (b - a).days


def _state(client: _Client, number: int) -> str:
    return "done" if number < client.reached else "current" if number == client.reached else "ahead"


def _flag_notes(client: _Client, stage: str) -> tuple[tuple[Note, ...], pl.DataFrame]:
    flags = client.flags
    mine = [(f, flags[f]) for f in STAGE_FLAGS[stage] if f in flags]
    notes = tuple(Note("flag_open", {"flag": flag_term(f), "due_on": d}) for f, d in mine)
    frame = pl.DataFrame(
        {"flag": [f for f, _ in mine], "due_on": [d for _, d in mine]}, schema={"flag": pl.String, "due_on": pl.Date}
    )
    return notes or (Note("flag_none"),), frame


def _step(client: _Client, stage: str, decision: Note, why: list[Note], **kw: object) -> StageStep:
    number = STAGES.index(stage) + 1
    flag_notes, flag_frame = _flag_notes(client, stage)
    detail = dict(kw.pop("detail", {}))  # type: ignore[call-overload]  # keyword arguments are typed object; a mapping here
    if flag_frame.height:
        detail["flags"] = flag_frame
    facts = dict(kw.pop("facts", {}))  # type: ignore[call-overload]  # keyword arguments are typed object; a mapping here
    facts["flags"] = {f: d for f, d in client.flags.items() if f in STAGE_FLAGS[stage]}
    facts["as_of"] = client.as_of
    return StageStep(
        case_id=client.case_id,
        stage=stage,
        number=number,
        state=_state(client, number),
        decision=decision,
        why=(*why, *flag_notes),
        data=dict(kw.pop("data", {})),  # type: ignore[call-overload]  # keyword arguments are typed object; a mapping here
        detail=detail,
        facts=facts,
    )


def _earliest(dates: pl.Series) -> dt.date | None:
    """The first date of a date column (``None``: empty or all blank)."""
    return cast("dt.date | None", dates.min())  # a date column's minimum is a date


def _latest(dates: pl.Series) -> dt.date | None:
    """The last date of a date column (``None``: empty or all blank)."""
    return cast("dt.date | None", dates.max())


# --------------------------------------------------------------------------------------
# The nine steps
# --------------------------------------------------------------------------------------


def _screening(c: _Client) -> StageStep:
    case = c.rows("cases")
    scr = c.rows("screenings")
    opened = case["opened_on"][0]
    due = opened + dt.timedelta(days=c.cfg.screening_days)
    decided = scr.filter(pl.col("decision").is_not_null())
    decision = decided["decision"][-1] if decided.height else None
    first = _earliest(scr["screened_on"]) if scr.height else None
    why = [Note("s1_due", {"opened_on": opened, "days": c.cfg.screening_days, "due_on": due})]
    if first is not None:
        late = _days(due, first)
        key = "s1_done_in_time" if late <= 0 else "s1_done_late"
        why.append(Note(key, {"screened_on": first, "after": _days(opened, first), "late": late}))
    if decision is None:
        head = Note("s1_decision_none", {"as_of": c.as_of})
    else:
        key = "s1_decision_refer" if decision == "refer_to_assessment" else "s1_decision_negative"
        head = Note(key, {"decision": term("decision", decision)})
    facts = {"opened_on": opened, "screening_due": due, "first_screened": first, "decision": decision}
    data = {"cases": case.drop("case_id"), "screenings": scr}
    return _step(c, "screening", head, why, data=data, facts=facts)


def _assessment(c: _Client) -> StageStep:
    scr = c.rows("screenings", ["screened_on", "decision"])
    ass = c.rows("assessments", _COLUMNS["assessments_2"])
    refer = _earliest(scr.filter(pl.col("decision") == "refer_to_assessment")["screened_on"])
    due = refer + dt.timedelta(days=c.cfg.assessment_days) if refer is not None else None
    first = _earliest(ass["assessed_on"]) if ass.height else None
    why: list[Note] = []
    if refer is None:
        head = Note("s2_not_referred")
    else:
        why.append(Note("s2_due", {"refer_on": refer, "days": c.cfg.assessment_days, "due_on": due}))
        if first is None:
            head = Note("s2_missing", {"as_of": c.as_of})
        else:
            last = ass.row(ass.height - 1, named=True)
            head = Note(
                "s2_decision",
                {
                    "assessed_on": last["assessed_on"],
                    "ed": last["ed_visits_6m"],
                    "admissions": last["admissions_12m"],
                    "insurance": term("insurance", last["insurance"]),
                    "housing": term("housing", last["housing"]),
                },
            )
            late = _days(due, first)  # type: ignore[arg-type]  # a row's values are typed as any polars value; dates here
            why.append(Note("s2_in_time" if late <= 0 else "s2_late", {"assessed_on": first, "late": late}))
            if ass.height > 1:
                why.append(Note("s2_several", {"n": ass.height, "last_on": last["assessed_on"]}))
            if c.status["current_stage"] != "closed" and last["assessed_on"] is not None:
                again = last["assessed_on"] + dt.timedelta(days=c.cfg.reassessment(c.tier))
                late = _days(again, c.as_of)
                key = "s2_reassess_due" if late > 0 else "s2_reassess_next"
                days = c.cfg.reassessment(c.tier)
                tier = term("tier", c.tier)
                why.append(Note(key, {"due_on": again, "days": days, "tier": tier, "late": late}))
    facts = {"refer_on": refer, "assessment_due": due, "first_assessed": first, "assessments": ass.height}
    return _step(c, "assessment", head, why, data={"assessments": ass}, facts=facts)


def _risk(c: _Client) -> StageStep:
    ass = c.rows("assessments", _COLUMNS["assessments_3"])
    reviews = c.rows("risk_reviews")
    data = {"assessments": ass, "risk_reviews": reviews}
    s = c.score
    if s is None:
        return _step(c, "risk", Note("s3_none", {"as_of": c.as_of}), [], data=data, facts={"score": None})
    factors = factor_table(s, c.model)
    head = Note(
        "s3_decision",
        {
            "score": s["score"],
            "computed": term("tier", s["computed_tier"]),
            "effective": term("tier", s["effective_tier"]),
        },
    )
    why: list[Note] = []
    scoring = factors.filter(pl.col("points") > 0).sort("points", descending=True)
    if scoring.height:
        rows = scoring.select("factor_en", "factor_es", "points").iter_rows()
        parts = [Label(f"{en} {_pts(p)}", f"{es} {_pts(p)}") for en, es, p in rows]
        why.append(Note("s3_points_from", {"factors": parts, "score": s["score"]}))
    else:
        why.append(Note("s3_no_points"))
    if c.model.tiers.method == "thresholds":
        why.append(
            Note(
                "s3_thresholds",
                {
                    "low_max": _pts(tier_floor(c.model, "moderate") - 1),  # type: ignore[operator]  # tier_floor is typed float | None; the shipped tiers all have a floor
                    "moderate": _pts(tier_floor(c.model, "moderate")),
                    "moderate_max": _pts(tier_floor(c.model, "high") - 1),  # type: ignore[operator]  # tier_floor is typed float | None; the shipped tiers all have a floor
                    "high": _pts(tier_floor(c.model, "high")),
                },
            )
        )
    else:
        why.append(Note("s3_percentiles", {"high": c.model.tiers.high * 100, "moderate": c.model.tiers.moderate * 100}))
    flags = {f.name: f for f in c.model.red_flags}
    raised = [Label(flags[n].label("en"), flags[n].label("es")) for n in s["red_flags"]]
    if raised:
        why.append(Note("s3_red_flags", {"flags": raised}))
    due = dict(zip(c.status["flags"], c.status["flag_due_on"], strict=True))
    detail_of = dict(zip(c.status["flags"], c.status["flag_detail"], strict=True))
    if "safety_red_flag" in due:
        names = [
            Label(flags[n].label("en"), flags[n].label("es")) for n in detail_of["safety_red_flag"] or [] if n in flags
        ]
        why.append(
            Note(
                "s3_safety_open",
                {"flags": names, "on": due["safety_red_flag"], "late": _days(due["safety_red_flag"], c.as_of)},
            )
        )
    elif raised:
        why.append(Note("s3_safety_done"))
    missing = s["missing_factors"] or []
    if missing:
        key = "s3_provisional" if s["provisional"] else "s3_missing"
        why.append(Note(key, {"n": len(missing), "total": len(c.model.factors)}))
    if s["override_tier"] is not None:
        reason = reviews.filter(pl.col("reviewed_on") == s["last_review_on"])["reason"]
        why.append(
            Note(
                "s3_override",
                {
                    "on": s["last_review_on"],
                    "tier": term("tier", s["override_tier"]),
                    "reason": reason[-1] if reason.len() else None,
                },
            )
        )
    elif s["last_review_on"] is not None:
        why.append(Note("s3_confirmed", {"on": s["last_review_on"]}))
    if s["review_pending"]:
        why.append(Note("s3_review_pending", {"assessed_on": s["assessed_on"]}))
    facts = {
        k: s[k]
        for k in (
            "score",
            "computed_tier",
            "effective_tier",
            "override_tier",
            "red_flags",
            "missing_factors",
            "provisional",
            "review_pending",
            "last_review_on",
        )
    }
    facts["points"] = {f.name: s[f"pts_{f.name}"] for f in c.model.factors}
    detail = {"factors": factors.filter(pl.col("points").is_not_null()).sort("points", descending=True).drop("factor")}
    return _step(c, "risk", head, why, data=data, detail=detail, facts=facts)


def _pts(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plan_on(goals: pl.DataFrame, services: pl.DataFrame) -> dt.date | None:
    """The day a plan was in place: a goal with a target date and a service (the later of the two)."""
    goal_on = _earliest(goals.filter(pl.col("target_on").is_not_null())["set_on"])
    if goal_on is None or services.height == 0:
        return None
    starts = services["start_on"].drop_nulls()
    first_start = _earliest(starts)
    return max(goal_on, first_start) if first_start is not None else goal_on


def _planning(c: _Client) -> StageStep:
    goals, services = c.rows("goals"), c.rows("services")
    last_assessed = _latest(c.rows("assessments", ["assessed_on"])["assessed_on"])
    high = c.tier == "high"
    days = c.cfg.plan_days_high_tier if high else c.cfg.plan_days
    data = {"goals": goals, "services": services}
    due = last_assessed + dt.timedelta(days=days) if last_assessed is not None else None
    plan_on = _plan_on(goals, services) if c.reached > 4 else None
    why: list[Note] = []
    if due is None:
        head = Note("s4_not_assessed")
    else:
        key = "s4_due_high" if high else "s4_due"
        why.append(Note(key, {"days": days, "assessed_on": last_assessed, "tier": term("tier", c.tier), "due_on": due}))
        if plan_on is not None:
            late = _days(due, plan_on)
            head = Note("s4_met" if late <= 0 else "s4_late", {"plan_on": plan_on, "late": late, "due_on": due})
        else:
            late = _days(due, c.as_of)
            head = Note("s4_overdue" if late > 0 else "s4_open", {"late": late, "left": -late, "due_on": due})
        why.append(Note("s4_counts", {"goals": goals.height, "services": services.height}))
    facts = {"plan_due": due, "plan_days": days, "plan_on": plan_on, "deadline_tier": c.tier}
    return _step(c, "planning", head, why, data=data, facts=facts)


def _implementation(c: _Client) -> StageStep:
    contacts = c.rows("contacts").filter(pl.col("kind").is_in(IMPLEMENTATION_KINDS))
    first_goal = _earliest(c.rows("goals", ["set_on"])["set_on"])
    started = None
    if first_goal is not None:
        attended = contacts.filter((pl.col("status") == "attended") & (pl.col("contact_on") >= first_goal))
        started = _earliest(attended["contact_on"])
    counts = {s: contacts.filter(pl.col("status") == s).height for s in ("attended", "missed", "scheduled")}
    if first_goal is None:
        head = Note("s5_no_plan")
    elif started is None:
        head = Note("s5_missing", {"first_goal": first_goal})
    else:
        head = Note("s5_started", {"on": started})
    why = [Note("s5_counts", counts)]
    facts = {"first_goal": first_goal, "started_on": started, **counts}
    return _step(c, "implementation", head, why, data={"contacts": contacts}, facts=facts)


def _monitoring(c: _Client) -> StageStep:
    contacts = c.rows("contacts").filter(pl.col("kind") != "post_transition")
    attended = c.rows("contacts").filter(pl.col("status") == "attended")
    with_client = attended.filter(pl.col("with_whom").fill_null("client").is_in(list(c.cfg.client_contact_with)))
    coordination = attended.height - with_client.height
    last = _latest(with_client["contact_on"])
    assessed = _latest(c.rows("assessments", ["assessed_on"])["assessed_on"])
    cadence = c.cfg.cadence(c.tier)
    base = max((d for d in (last, assessed) if d is not None), default=None)
    due = base + dt.timedelta(days=cadence) if base is not None else None
    closed = c.status["current_stage"] == "closed"
    in_monitoring = c.status["current_stage"] == "monitoring"
    why = [Note("s6_cadence", {"tier": term("tier", c.tier), "days": cadence})]
    if closed:
        head = Note("s6_closed")
    elif assessed is None or due is None:
        head = Note("s6_not_yet")
    else:
        late = _days(due, c.as_of)
        key = "s6_overdue" if late > 0 else "s6_on_track"
        head = Note(key, {"last_on": base, "due_on": due, "late": late, "left": -late})
        why.append(Note("s6_last", {"last_on": last, "assessed_on": assessed, "days": cadence, "due_on": due}))
    if coordination:
        why.append(Note("s6_coordination", {"n": coordination}))
    schedule = pl.DataFrame(
        {
            "tier": ["high", "moderate", "low"],
            "cadence_days": [c.cfg.cadence(x) for x in ("high", "moderate", "low")],
        }
    ).with_columns(
        due_on=(pl.lit(base, dtype=pl.Date) + pl.duration(days=pl.col("cadence_days"))),
        this_client=pl.col("tier") == c.tier,
    )
    facts = {
        "cadence_days": cadence,
        "last_attended": last,
        "last_assessed": assessed,
        "follow_up_due": due,
        "in_monitoring": in_monitoring,
        "coordination_contacts": coordination,
        "deadline_tier": c.tier,
    }
    detail = {"cadence": schedule} if due is not None and not closed else {}
    return _step(c, "monitoring", head, why, data={"contacts": contacts}, detail=detail, facts=facts)


def _transition(c: _Client) -> StageStep:
    tx = c.rows("transitions")
    typed = c.rows("transitions", ["case_id", "transition_on", "from_level", "to_level", "kind"])
    again = readmissions(CaseData({"transitions": typed}), as_of=c.as_of, config=c.cfg)
    why: list[Note] = []
    if tx.height == 0:
        head = Note("s7_none")
    else:
        last = tx.row(tx.height - 1, named=True)
        head = Note(
            "s7_latest",
            {
                "n": tx.height,
                "on": last["transition_on"],
                "from": term("level_of_care", last["from_level"]),
                "to": term("to_level", last["to_level"]),
                "kind": term("transition_kind", last["kind"]),
            },
        )
        for r in again.iter_rows(named=True):
            why.append(
                Note(
                    "s7_readmission",
                    {
                        "on": r["readmitted_on"],
                        "days": r["days"],
                        "after_kind": term("transition_kind", r["index_kind"]),
                        "after_on": r["discharge_on"],
                        "to": term("to_level", r["to_level"]),
                        "window": c.cfg.readmission_days,
                    },
                )
            )
        if again.height == 0:
            why.append(Note("s7_no_readmission", {"window": c.cfg.readmission_days}))
    facts = {"transitions": tx.height, "readmissions": again.height}
    detail = {"readmissions": again.drop("case_id")} if again.height else {}
    return _step(c, "transition", head, why, data={"transitions": tx}, detail=detail, facts=facts)


def _window(cfg: ProcessConfig, kind: str | None) -> Label:
    """The window of a transition kind as words ("2 business days")."""
    days = cfg.window(kind)
    shortest = min(cfg.windows(), key=lambda k: cfg.windows()[k])
    business = (kind if kind in cfg.windows() else shortest) in cfg.business_day_kinds
    key = "learn.window_business" if business else "learn.window_calendar"
    return Label(t(key, "en", n=days), t(key, "es", n=days))


def _post_transition(c: _Client) -> StageStep:
    contacts = c.rows("contacts").filter(pl.col("kind").is_in(list(c.cfg.post_transition_kinds)))
    typed = c.rows("transitions", ["case_id", "transition_on", "from_level", "to_level", "kind"])
    all_contacts = c.rows("contacts", ["case_id", "contact_on", "kind", "with_whom", "status"])
    post = post_transition_contacts(typed, all_contacts, as_of=c.as_of, config=c.cfg)
    why: list[Note] = []
    facts: dict[str, object] = {"window_days": None, "contact_status": None, "window_ends_on": None}
    if post.height == 0:
        head = Note("s8_none")
    else:
        p = post.row(post.height - 1, named=True)  # the latest transition decides the stage
        days = c.cfg.window(p["kind"])
        why.append(
            Note(
                "s8_window",
                {"tx_on": p["transition_on"], "days": _window(c.cfg, p["kind"]), "ends_on": p["window_ends_on"]},
            )
        )
        status = p["contact_status"]
        late = _days(p["window_ends_on"], p["contact_on"] or c.as_of)
        head = Note(f"s8_{status}", {"contact_on": p["contact_on"], "late": late, "left": -late})
        for r in post.head(post.height - 1).filter(pl.col("contact_status") == "missing").iter_rows(named=True):
            why.append(Note("s8_earlier_missing", {"tx_on": r["transition_on"], "ends_on": r["window_ends_on"]}))
        facts.update(
            kind=p["kind"],
            window_days=days,
            contact_status=status,
            window_ends_on=p["window_ends_on"],
            contact_on=p["contact_on"],
        )
        facts["missing_transitions"] = post.filter(pl.col("contact_status") == "missing").height
    return _step(c, "post_transition", head, why, data={"contacts": contacts}, facts=facts)


def _direction(direction: str | None) -> Label | None:
    if direction is None:
        return None
    return Label(t(f"learn.direction_{direction}", "en"), t(f"learn.direction_{direction}", "es"))


def _rounded(change: float | None) -> float | None:
    """A change as the walkthrough writes it: whole, or to two decimals (a difference of
    two amounts is ``-242.06000000000017`` in floating point).

    >>> _rounded(-242.06000000000017), _rounded(0.0), _rounded(None)
    (-242.06, 0, None)
    """
    if change is None:
        return None
    return int(change) if float(change).is_integer() else round(change, 2)


def _evaluation(c: _Client) -> StageStep:
    outcomes = c.rows("outcomes")
    changes = outcome_changes(c.data, as_of=c.as_of).filter(pl.col("case_id") == c.case_id)
    paired = changes.filter(pl.col("paired"))
    counts = {d: paired.filter(pl.col("direction") == d).height for d in ("improved", "worsened", "unchanged")}
    why = [
        Note(
            "s9_change",
            {
                "measure": Label(*(label("measure", r["measure"], lang) for lang in ("en", "es"))),
                "baseline": r["baseline"],
                "latest": r["latest"],
                "change": Label(*(format_number(_rounded(r["change"]), lang, "+,") for lang in ("en", "es"))),
                "direction": _direction(r["direction"]),
            },
        )
        for r in paired.iter_rows(named=True)
    ]
    head = Note("s9_summary", {"paired": paired.height, **counts}) if paired.height else Note("s9_no_pair")
    closed_on = c.rows("cases")["closed_on"][0]
    closed = closed_on is not None and closed_on <= c.as_of
    why.append(Note("s9_closed", {"on": closed_on}) if closed else Note("s9_open"))
    columns = ("measure", "baseline_on", "baseline", "latest_on", "latest", "change", "direction")
    detail = {"changes": paired.select(columns)} if paired.height else {}
    facts = {"paired": paired.height, **counts, "closed": closed}
    return _step(c, "evaluation", head, why, data={"outcomes": outcomes}, detail=detail, facts=facts)


_BUILDERS = (
    _screening,
    _assessment,
    _risk,
    _planning,
    _implementation,
    _monitoring,
    _transition,
    _post_transition,
    _evaluation,
)


def client_context(
    data: CaseData | ValidationResult,
    case_id: str,
    *,
    as_of: dt.date,
    config: ProcessConfig | str | Path | None = None,
    model: RiskModel | None = None,
) -> _Client:
    """Score, status and stage entries of one client (internal; used by the what-ifs too)."""
    cfg = load_process_config(config)
    model = model or load_model()
    one = one_case(data, case_id)
    scores = score_one(data, one, case_id, model=model, as_of=as_of)
    status = case_status(one, as_of=as_of, config=cfg, risk=scores, model=model)
    if status.height == 0:
        raise ValueError(t("learn.unknown_case", None, case_id=case_id, as_of=as_of.isoformat()))
    if status["current_stage"][0] == "unknown":  # its cases row set aside, no opening date
        raise ValueError(t("learn.unreadable_case", None, case_id=case_id))
    # the rows the status was computed from: a case whose own row was set aside has it back
    clean = status_data(one)
    entries = stage_entries(clean, as_of=as_of, config=cfg)
    return _Client(
        case_id=case_id,
        as_of=as_of,
        cfg=cfg,
        model=model,
        data=clean,
        status=status.row(0, named=True),
        score=scores.row(0, named=True) if scores.height else None,
        entered=dict(zip(entries["stage"], entries["entered_on"], strict=True)),
    )


def walkthrough(
    data: CaseData | ValidationResult,
    case_id: str,
    *,
    as_of: dt.date,
    config: ProcessConfig | str | Path | None = None,
    model: RiskModel | None = None,
) -> list[StageStep]:
    """One :class:`StageStep` per stage (nine) for ``case_id`` as of ``as_of``.

    Raises ``ValueError`` when the case does not exist (or was opened after ``as_of``), or
    its ``cases`` row was set aside unreadable (stage ``unknown``: no opening date). A case
    whose own row was set aside but readable is walked on the rows its status was computed
    from (:func:`casekit.stages.status_data`: that row and its other rows put back).
    ``config`` and ``model`` default to the shipped process rules and risk model.
    """
    client = client_context(data, case_id, as_of=as_of, config=config, model=model)
    return [build(client) for build in _BUILDERS]
