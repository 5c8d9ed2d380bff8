"""Computations of the Transitions screen (stages 7–8), pure polars, no Streamlit.

- :func:`transitions_until`, :func:`post_transition_contacts`, :func:`readmissions`:
  from :mod:`casekit.stages` (re-exported for the page);
- :func:`transition_flows` / :func:`transitions_by_kind`: counts from → to level and by kind;
- :func:`contact_counts`, :func:`contacts_to_chase`: the counts and the list to chase;

Examples
--------
>>> import datetime as dt
>>> tr = pl.DataFrame({"case_id": ["A", "B", "C", "D"], "kind": ["step_down"] * 4,
...     "transition_on": [dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 25)]})
>>> co = pl.DataFrame({"case_id": ["A", "B"], "kind": ["post_transition"] * 2, "status": ["attended"] * 2,
...     "contact_on": [dt.date(2026, 3, 8), dt.date(2026, 3, 9)]})
>>> post = post_transition_contacts(tr, co, as_of=dt.date(2026, 3, 30))
>>> post.select("case_id", "contact_status").rows()
[('A', 'within'), ('B', 'late'), ('C', 'missing'), ('D', 'open')]
>>> contact_counts(post).rows()
[('within', 1), ('late', 1), ('open', 1), ('missing', 1)]
"""

from __future__ import annotations

import datetime as dt  # noqa: F401  (the doctests use it)

import polars as pl

from casekit.contract import VOCABS
from casekit.i18n import t
from casekit.stages import ProcessConfig, contacts_of, post_transition_contacts, readmissions, transitions_until

__all__ = [
    "CONTACT_STATUSES",
    "contact_counts",
    "contacts_of",
    "contacts_to_chase",
    "key_figures",
    "post_transition_contacts",
    "readmissions",
    "transition_flows",
    "transitions_by_kind",
    "transitions_until",
    "window_text",
]

#: How a transition stands with its post-transition contact, in display order.
CONTACT_STATUSES: tuple[str, ...] = ("within", "late", "open", "missing")
FLAG = "post_transition_contact_missing"
CLOSED = 10  # current_stage_number of a closed case


def transition_flows(transitions: pl.DataFrame) -> pl.DataFrame:
    """Transitions counted by level of care, from → to (most frequent first).

    >>> tr = pl.DataFrame({"from_level": ["inpatient", "inpatient", "outpatient"],
    ...                    "to_level": ["home_health", "home_health", "discharged"]})
    >>> transition_flows(tr).rows()
    [('inpatient', 'home_health', 2), ('outpatient', 'discharged', 1)]
    """
    return (
        transitions.group_by("from_level", "to_level")
        .agg(pl.len().cast(pl.Int64).alias("transitions"))
        .sort(["transitions", "from_level", "to_level"], descending=[True, False, False], nulls_last=True)
    )


def transitions_by_kind(transitions: pl.DataFrame) -> pl.DataFrame:
    """Transitions and cases by kind (step down, step up, discharge, transfer; blank last).

    >>> tr = pl.DataFrame({"case_id": ["A", "A", "B"], "kind": ["step_up", "discharge", "discharge"]})
    >>> transitions_by_kind(tr).rows()
    [('step_up', 1, 1), ('discharge', 2, 2)]
    """
    order = {k: i for i, k in enumerate(VOCABS["transition_kind"])}
    return (
        transitions.group_by("kind")
        .agg(pl.len().cast(pl.Int64).alias("transitions"), pl.col("case_id").n_unique().cast(pl.Int64).alias("cases"))
        .sort(pl.col("kind").replace_strict(order, default=len(order), return_dtype=pl.Int64), nulls_last=True)
    )


def contact_counts(post: pl.DataFrame) -> pl.DataFrame:
    """Transitions by ``contact_status`` (column ``cases`` kept for the page; every status,
    zeros included, in display order)."""
    counts = post.group_by("contact_status").agg(pl.len().cast(pl.Int64).alias("cases"))
    return (
        pl.DataFrame({"contact_status": list(CONTACT_STATUSES)})
        .join(counts, on="contact_status", how="left")
        .with_columns(pl.col("cases").fill_null(0))
    )


#: The list to chase's first columns: the case, missing or late, who, by when (in view at 1280 px).
_CHASE_FIRST = ("case_id", "contact_status", "case_manager", "window_ends_on")


def contacts_to_chase(post: pl.DataFrame, status: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """The transitions whose window is over without a contact in it (``late`` and
    ``missing``), with the case manager, whether the case is still open and the due date
    of its ``post_transition_contact_missing`` flag (open flags first, oldest due first).

    ``status`` is :func:`casekit.stages.case_status`, ``flags`` :func:`casekit.stages.flags_long`.

    >>> post = pl.DataFrame({"case_id": ["A", "B", "C"], "transition_on": [dt.date(2026, 1, 1)] * 3,
    ...     "window_ends_on": [dt.date(2026, 1, 8)] * 3, "contact_on": [None, dt.date(2026, 1, 9), None],
    ...     "contact_status": ["missing", "late", "within"]})
    >>> status = pl.DataFrame({"case_id": ["A", "B", "C"], "case_manager": ["Ana", "Luis", "Ana"],
    ...     "current_stage_number": [8, 10, 9]})
    >>> flags = pl.DataFrame({"case_id": ["A"], "flag": ["post_transition_contact_missing"],
    ...     "due_on": [dt.date(2026, 1, 8)]})
    >>> contacts_to_chase(post, status, flags).select("case_id", "case_open", "flag_due_on").rows()
    [('A', True, datetime.date(2026, 1, 8)), ('B', False, None)]
    """
    due = flags.filter(pl.col("flag") == FLAG).select("case_id", pl.col("due_on").alias("flag_due_on"))
    cases = status.select("case_id", "case_manager", (pl.col("current_stage_number") < CLOSED).alias("case_open"))
    return (
        post.filter(pl.col("contact_status").is_in(["late", "missing"]))
        .join(cases, on="case_id", how="left")
        .join(due, on="case_id", how="left")
        .sort(
            [pl.col("flag_due_on").is_null(), "flag_due_on", "window_ends_on", "case_id"],
            nulls_last=True,
        )
        .select(*_CHASE_FIRST, pl.exclude(_CHASE_FIRST))
    )


def window_text(config: ProcessConfig, lang: str) -> str:
    """The post-transition windows per kind, as a person reads them.

    >>> window_text(ProcessConfig(), "en")
    'Discharge: 2 business days, Transfer: 2 business days, Step down: 7 days, Step up: 7 days'
    """
    parts = []
    for kind, days in config.windows().items():
        unit = "business" if kind in config.business_day_kinds else "calendar"
        parts.append(
            f"{VOCABS['transition_kind'][kind](lang)}: {t(f'ui_transitions.window_unit_{unit}', lang, n=days)}"
        )
    return ", ".join(parts)


def key_figures(
    transitions: pl.DataFrame, post: pl.DataFrame, chase: pl.DataFrame, readmitted: pl.DataFrame
) -> dict[str, int | float | None]:
    """The screen's headline numbers: ``transitions``, ``cases`` (with a transition),
    ``flagged`` (open cases with the missing-contact flag), ``readmissions``,
    ``readmitted_cases`` and ``median_days_to_readmission`` (``None`` without any).

    >>> one = pl.DataFrame({"case_id": ["A"]})
    >>> chase = pl.DataFrame({"case_id": ["A", "A"], "flag_due_on": [None, None]})
    >>> key_figures(one, one, chase, pl.DataFrame({"case_id": [], "days": []}))["flagged"]
    0
    """
    return {
        "transitions": transitions.height,
        "cases": post["case_id"].n_unique(),
        "flagged": chase.filter(pl.col("flag_due_on").is_not_null())["case_id"].n_unique(),
        "readmissions": readmitted.height,
        "readmitted_cases": readmitted["case_id"].n_unique(),
        "median_days_to_readmission": readmitted.select(pl.median("days")).item() if readmitted.height else None,
    }
