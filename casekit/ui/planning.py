"""What the Planning screen (stage 4) shows, computed here so the page only draws.

Small pure polars functions over the clean workbook and the case status: goals by domain
and status, the cases whose plan is not complete yet (the planning-stage cases), and one
client's goals and services. Ids stay ids; the page shows the frames through
:func:`casekit.present.readable` (labels, dates, numbers and headers in the user's language).

Examples
--------
>>> import datetime as dt
>>> from casekit.data import CaseData
>>> goals = pl.DataFrame({"case_id": ["A", "A", "B"], "domain": ["clinical", "clinical", "housing"],
...                       "status": ["achieved", "planned", "planned"]})
>>> goals_by_domain_status(CaseData({"goals": goals}), lang="en").select("domain_label", "status", "goals").rows()
[('Clinical', 'planned', 1), ('Clinical', 'achieved', 1), ('Housing', 'planned', 1)]
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from casekit._frames import sheet
from casekit.charts import label_expr
from casekit.data import CaseData
from casekit.i18n import t
from casekit.present import vocabulary
from casekit.stages import ProcessConfig

__all__ = [
    "CLIENT_TABLES",
    "calendar_choices",
    "calendar_options",
    "client_rows",
    "default_case",
    "goals_by_domain_status",
    "goals_table",
    "incomplete_plans",
    "incomplete_plans_view",
]


def _tr(key: str, lang: str | None, **params: object) -> str:
    return t(f"ui_planning.{key}", lang, **params)


def _order(column: str, vocab: str) -> pl.Expr:
    """Position of ``column``'s id in the vocabulary (unknown ids and blanks last)."""
    ids = vocabulary(vocab, "en")
    return pl.col(column).replace_strict({k: i for i, k in enumerate(ids)}, default=len(ids), return_dtype=pl.Int64)


# -- goals by domain and status ----------------------------------------------------------


def goals_by_domain_status(data: CaseData, *, lang: str | None = None) -> pl.DataFrame:
    """Goals per (domain, status): ``domain, status, goals, domain_label, status_label``,
    in the vocabularies' order (blanks and unknown values last, blank shown as "(blank)").

    Every goal of the clean ``goals`` sheet counts once; no goals sheet gives no rows.
    """
    goals = sheet(data, "goals", ["domain", "status"])
    return (
        goals.group_by("domain", "status")
        .agg(pl.len().cast(pl.Int64).alias("goals"))
        .with_columns(_d=_order("domain", "goal_domain"), _s=_order("status", "goal_status"))
        .sort("_d", "domain", "_s", "status", nulls_last=True)
        .drop("_d", "_s")
        .with_columns(
            label_expr("domain", vocabulary("goal_domain", lang), lang).alias("domain_label"),
            label_expr("status", vocabulary("goal_status", lang), lang).alias("status_label"),
        )
        .collect()
    )


def goals_table(counts: pl.DataFrame) -> pl.DataFrame:
    """The counts as a table: one row per ``domain`` (id), one column per status (its label,
    in order), ``total``.

    >>> counts = pl.DataFrame({"domain": ["clinical", "clinical"], "status": ["planned", "achieved"],
    ...     "goals": [2, 1], "domain_label": ["Clinical", "Clinical"], "status_label": ["Planned", "Achieved"]})
    >>> goals_table(counts).rows(named=True)
    [{'domain': 'clinical', 'Planned': 2, 'Achieved': 1, 'total': 3}]
    """
    if counts.height == 0:
        return pl.DataFrame(schema={"domain": pl.String(), "total": pl.Int64()})
    statuses = (
        counts.sort(_order("status", "goal_status"), "status", nulls_last=True)["status_label"]
        .unique(maintain_order=True)
        .to_list()
    )
    wide = counts.pivot(on="status_label", index="domain", values="goals", aggregate_function="sum")
    return (
        wide.with_columns(pl.col(statuses).fill_null(0))
        .with_columns(pl.sum_horizontal(statuses).alias("total"))
        .select("domain", *statuses, "total")
    )


# -- cases without a complete plan ---------------------------------------------------------


def incomplete_plans(status: pl.DataFrame, data: CaseData, config: ProcessConfig, *, as_of: dt.date) -> pl.DataFrame:
    """The open cases whose plan is due but not complete: assessed (risk or planning
    stage) without ≥1 goal with a target date and ≥1 service, as the stage engine counts
    them as of ``as_of``. Every planning-stage case is here; so are risk-stage cases
    (review pending) that have no complete plan yet, since their plan is due too.

    Columns ``case_id, case_manager, program, current_stage, effective_tier,
    stage_entered_on, days_in_stage, goals_with_target, services, plan_due_on,
    plan_overdue, days_overdue``; the most overdue first, then by due date.
    ``plan_due_on`` is the latest assessment plus the configured plan deadline (shorter
    for the high tier: ``deadline_tier``); ``plan_overdue`` is the engine's
    ``plan_overdue`` flag.

    >>> status = pl.DataFrame({"case_id": ["A", "B"], "current_stage": ["planning", "monitoring"],
    ...     "flags": [["plan_overdue"], []], "deadline_tier": ["high", "low"]})
    >>> data = CaseData({"assessments": pl.DataFrame({"case_id": ["A"], "assessed_on": [dt.date(2026, 9, 1)]}),
    ...                  "goals": pl.DataFrame({"case_id": ["A"], "set_on": [dt.date(2026, 9, 2)],
    ...                                         "target_on": [dt.date(2026, 12, 1)]})})
    >>> plans = incomplete_plans(status, data, ProcessConfig(), as_of=dt.date(2026, 9, 30))
    >>> plans.select("case_id", "goals_with_target", "services", "plan_due_on", "days_overdue").rows()
    [('A', 1, 0, datetime.date(2026, 9, 8), 22)]
    """
    c = pl.col
    goals = (
        sheet(data, "goals", ["case_id", "set_on", "target_on"])
        .filter(c("set_on") <= as_of)
        .group_by("case_id")
        .agg(goals_with_target=c("target_on").is_not_null().sum().cast(pl.Int64))
    )
    services = (
        sheet(data, "services", ["case_id", "start_on"])
        .filter(c("start_on").is_null() | (c("start_on") <= as_of))
        .group_by("case_id")
        .agg(services=pl.len().cast(pl.Int64))
    )
    assessed = (
        sheet(data, "assessments", ["case_id", "assessed_on"])
        .filter(c("assessed_on") <= as_of)
        .group_by("case_id")
        .agg(last_assessed=c("assessed_on").max())
    )
    frame = status.lazy()
    columns = set(status.columns)
    for name, dtype in {
        "case_manager": pl.String(),
        "program": pl.String(),
        "effective_tier": pl.String(),
        "deadline_tier": pl.String(),
        "stage_entered_on": pl.Date(),
        "days_in_stage": pl.Int64(),
    }.items():
        if name not in columns:
            frame = frame.with_columns(pl.lit(None, dtype).alias(name))
    days = pl.when(c("deadline_tier") == "high").then(config.plan_days_high_tier).otherwise(config.plan_days)
    overdue = c("flags").list.contains("plan_overdue")
    return (
        frame.filter(c("current_stage").is_in(["risk", "planning"]))
        .join(goals, on="case_id", how="left")
        .join(services, on="case_id", how="left")
        .join(assessed, on="case_id", how="left")
        .with_columns(c("goals_with_target", "services").fill_null(0))
        .filter((c("goals_with_target") == 0) | (c("services") == 0))
        .with_columns(
            plan_due_on=c("last_assessed") + pl.duration(days=days),
            plan_overdue=overdue,
        )
        .with_columns(
            days_overdue=pl.when(overdue).then((pl.lit(as_of) - c("plan_due_on")).dt.total_days()),
        )
        .sort(
            ["plan_overdue", "days_overdue", "plan_due_on", "case_id"],
            descending=[True, True, False, False],
            nulls_last=True,
        )
        .select(
            "case_id",
            "case_manager",
            "program",
            "current_stage",
            "effective_tier",
            "stage_entered_on",
            "days_in_stage",
            "goals_with_target",
            "services",
            "plan_due_on",
            "plan_overdue",
            "days_overdue",
        )
        .collect()
    )


def incomplete_plans_view(plans: pl.DataFrame, *, lang: str | None = None) -> pl.DataFrame:
    """:func:`incomplete_plans` with ``missing``, what the plan still lacks in ``lang``,
    after ``services`` (the rest is labelled by :func:`casekit.present.readable`).

    >>> plans = pl.DataFrame({"case_id": ["A"], "current_stage": ["risk"], "effective_tier": ["high"],
    ...                       "goals_with_target": [1], "services": [0], "plan_overdue": [True]})
    >>> incomplete_plans_view(plans, lang="en").row(0)
    ('A', 'risk', 'high', 1, 0, 'Service', True)
    """
    goal, service = _tr("missing_goal", lang), _tr("missing_service", lang)
    missing = pl.concat_str(
        [
            pl.when(pl.col("goals_with_target") == 0).then(pl.lit(goal)),
            pl.when(pl.col("services") == 0).then(pl.lit(service)),
        ],
        separator=" · ",
        ignore_nulls=True,
    )
    order = [c for c in plans.columns if c != "plan_overdue"]
    at = order.index("services") + 1 if "services" in order else len(order)
    return plans.with_columns(missing.alias("missing")).select(*order[:at], "missing", "plan_overdue", *order[at:])


# -- one client's care calendar ----------------------------------------------------------


def calendar_choices(data: CaseData, status: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every case of the ``cases`` sheet with its numbers of goals, services and contacts:
    ``case_id, goals, services, contacts, is_open`` (sorted by case id), for the case
    picker; ``is_open`` from the case status (``current_stage`` not ``closed``) when given.

    >>> data = CaseData({"cases": pl.DataFrame({"case_id": ["B", "A"]}),
    ...                  "services": pl.DataFrame({"case_id": ["A", "A"]})})
    >>> calendar_choices(data).rows()
    [('A', 0, 2, 0, None), ('B', 0, 0, 0, None)]
    """
    frame = sheet(data, "cases", ["case_id"]).drop_nulls().unique()
    for name in ("goals", "services", "contacts"):
        counts = sheet(data, name, ["case_id"]).group_by("case_id").agg(pl.len().cast(pl.Int64).alias(name))
        frame = frame.join(counts, on="case_id", how="left").with_columns(pl.col(name).fill_null(0))
    if status is not None and {"case_id", "current_stage"} <= set(status.columns):
        is_open = status.lazy().select("case_id", (pl.col("current_stage") != "closed").alias("is_open"))
        frame = frame.join(is_open.unique("case_id"), on="case_id", how="left")
    else:
        frame = frame.with_columns(pl.lit(None, pl.Boolean).alias("is_open"))
    return frame.sort("case_id").collect()


def calendar_options(choices: pl.DataFrame, *, lang: str | None = None) -> dict[str, str]:
    """``{case_id: text shown in the picker}`` for :func:`calendar_choices`.

    >>> calendar_options(pl.DataFrame({"case_id": ["A"], "services": [2], "contacts": [5]}), lang="en")
    {'A': 'A — services: 2, contacts: 5'}
    """
    text = pl.lit(_tr("calendar_option", lang)) + pl.col("case_id").str.slice(0, 0)
    for name in ("case_id", "services", "contacts"):
        text = text.str.replace_all("{" + name + "}", pl.col(name).cast(pl.String), literal=True)
    shown = choices.select("case_id", text.alias("shown"))
    return dict(zip(shown["case_id"].to_list(), shown["shown"].to_list(), strict=True))


def default_case(choices: pl.DataFrame) -> str | None:
    """The case the picker starts on: the first open case with both services and
    contacts, else the first with both, else the first case (``None`` with no cases).

    >>> default_case(pl.DataFrame({"case_id": ["A", "B", "C"], "services": [1, 2, 1], "contacts": [0, 3, 1],
    ...                            "is_open": [True, False, True]}))
    'C'
    """
    both = choices.filter((pl.col("services") > 0) & (pl.col("contacts") > 0))
    if "is_open" in choices.columns:
        both = both.sort(pl.col("is_open").fill_null(value=False), descending=True, maintain_order=True)
    pick = both if both.height else choices
    return pick["case_id"][0] if pick.height else None


#: The client's tables on the Planning screen: sheet → (columns shown, order of the rows).
CLIENT_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "goals": (
        ("goal_id", "domain", "description", "set_on", "target_on", "status", "achieved_on"),
        ("set_on", "goal_id"),
    ),
    "services": (
        ("service_id", "service", "provider", "level_of_care", "frequency", "start_on", "end_on"),
        ("start_on", "service_id"),
    ),
}


def client_rows(data: CaseData, name: str, case_id: str) -> pl.DataFrame:
    """One client's rows of sheet ``name`` (``goals`` by date set, ``services`` by start
    date: :data:`CLIENT_TABLES`); an absent sheet gives no rows.

    >>> goals = pl.DataFrame({"case_id": ["A", "B", "A"], "goal_id": ["G2", "G3", "G1"],
    ...                       "set_on": [dt.date(2026, 3, 1), None, dt.date(2026, 1, 1)]})
    >>> client_rows(CaseData({"goals": goals}), "goals", "A")["goal_id"].to_list()
    ['G1', 'G2']
    """
    columns, order = CLIENT_TABLES[name]
    return (
        sheet(data, name, ["case_id", *columns])
        .filter(pl.col("case_id") == case_id)
        .sort(order, nulls_last=True)
        .select(columns)
        .collect()
    )
