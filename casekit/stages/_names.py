"""Stable identifiers of the stages and flags, and their labels in the user's language.

Examples
--------
>>> STAGES[0], STAGES[9], STAGES[-1], STAGE_NUMBER["monitoring"]
('screening', 'closed', 'unknown', 6)
>>> stage_label("risk", "es"), flag_label("goal_overdue", "en")
('Evaluación del riesgo', 'Goal overdue')
"""

from __future__ import annotations

from casekit.i18n import t

__all__ = ["FLAGS", "STAGES", "STAGE_NUMBER", "flag_label", "priority_label", "stage_label"]

#: The nine stages in process order, then ``closed`` (number 10), then ``unknown`` (11):
#: a case whose identity (``case_id``, ``opened_on``) could not be read, listed so that
#: it is fixed, never dropped.
STAGES: tuple[str, ...] = (
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
    "unknown",
)
STAGE_NUMBER: dict[str, int] = {s: i for i, s in enumerate(STAGES, start=1)}

#: Every flag, in the order they are listed in a case's ``flags``.
FLAGS: tuple[str, ...] = (
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
    "quarantined_rows",
)


def stage_label(stage: str, lang: str | None = None) -> str:
    """Label of a stage id in ``lang``."""
    return t(f"stages.stage_{stage}", lang)


def flag_label(flag: str, lang: str | None = None) -> str:
    """Label of a flag id in ``lang``."""
    return t(f"stages.flag_{flag}", lang)


def priority_label(priority: int, lang: str | None = None) -> str:
    """Label of a worklist priority (1 safety … 6 data).

    >>> priority_label(1, "en"), priority_label(5, "es")
    ('1 · Safety', '5 · Casos cerrados')
    """
    return t(f"stages.priority_{priority}", lang)
