"""Computations of the Transitions screen (stages 7–8), pure polars, no Streamlit.

- :func:`transitions_until`: the clean ``transitions`` sheet up to the as-of date;
- :func:`transition_flows` / :func:`transitions_by_kind`: counts from → to level and by kind;
- :func:`post_transition_contacts`: per case, its latest transition and whether an
  attended post-transition contact followed within the window (``within``), after it
  (``late``), not yet while the window is still open (``open``) or not at all
  (``missing``) — the same rule as the ``post_transition_contact_missing`` flag;
- :func:`contact_counts`, :func:`contacts_to_chase`: the counts and the list to chase;
- :func:`readmissions`: a step up after a discharge or step down of the same case;
- :func:`labelled`: ids → labels and headers in the user's language, for display.

Examples
--------
>>> import datetime as dt
>>> tr = pl.DataFrame({"case_id": ["A", "B", "C", "D"], "kind": ["discharge"] * 4,
...     "transition_on": [dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 25)]})
>>> co = pl.DataFrame({"case_id": ["A", "B"], "kind": ["post_transition"] * 2, "status": ["attended"] * 2,
...     "contact_on": [dt.date(2026, 3, 8), dt.date(2026, 3, 9)]})
>>> post = post_transition_contacts(tr, co, as_of=dt.date(2026, 3, 30), window_days=7)
>>> post.select("case_id", "contact_status").rows()
[('A', 'within'), ('B', 'late'), ('C', 'missing'), ('D', 'open')]
>>> contact_counts(post).rows()
[('within', 1), ('late', 1), ('open', 1), ('missing', 1)]
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from casekit._frames import sheet
from casekit.contract import VOCABS
from casekit.data import CaseData
from casekit.i18n import t

__all__ = [
    "CONTACT_STATUSES",
    "contact_counts",
    "contacts_to_chase",
    "key_figures",
    "labelled",
    "post_transition_contacts",
    "readmissions",
    "transition_flows",
    "transitions_by_kind",
    "transitions_until",
]

#: How a latest transition stands with its post-transition contact, in display order.
CONTACT_STATUSES: tuple[str, ...] = ("within", "late", "open", "missing")
FLAG = "post_transition_contact_missing"
CLOSED = 10  # current_stage_number of a closed case
_TX_COLUMNS = ["transition_id", "case_id", "transition_on", "from_level", "to_level", "kind"]


def transitions_until(data: CaseData, as_of: dt.date) -> pl.DataFrame:
    """The transitions dated on or before ``as_of`` (typed, empty when the sheet is absent)."""
    return sheet(data, "transitions", _TX_COLUMNS).filter(pl.col("transition_on") <= as_of).collect()


def contacts_of(data: CaseData) -> pl.DataFrame:
    """The contacts sheet's columns this screen needs (typed, empty when absent)."""
    return sheet(data, "contacts", ["case_id", "contact_on", "kind", "status"]).collect()


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


def post_transition_contacts(
    transitions: pl.DataFrame, contacts: pl.DataFrame, *, as_of: dt.date, window_days: int
) -> pl.DataFrame:
    """One row per case with a transition: its latest one and the post-transition contact.

    Columns ``case_id, transition_on, kind, to_level`` (of the latest transition, on or
    before ``as_of``), ``window_ends_on`` (transition + ``window_days``, that day
    included), ``contact_on`` (first attended ``post_transition`` contact on or after the
    transition, up to ``as_of``) and ``contact_status``: ``within`` the window, ``late``
    (after it), ``open`` (none yet, window not over) or ``missing`` (none, window over).
    The stage engine raises ``post_transition_contact_missing`` for the open cases among
    ``late`` and ``missing``.

    >>> tr = pl.DataFrame({"case_id": ["A", "A"], "kind": ["step_down", "discharge"],
    ...     "transition_on": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]})
    >>> co = pl.DataFrame({"case_id": ["A"], "kind": ["post_transition"], "status": ["attended"],
    ...     "contact_on": [dt.date(2026, 1, 3)]})
    >>> post_transition_contacts(tr, co, as_of=dt.date(2026, 2, 8), window_days=7).select(
    ...     "transition_on", "window_ends_on", "contact_status").row(0)
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 8), 'open')
    """
    c = pl.col
    cols = [x for x in ("kind", "to_level") if x in transitions.columns]
    latest = (
        transitions.lazy()
        .filter(c("transition_on") <= as_of)
        .sort("transition_on", maintain_order=True)
        .group_by("case_id")
        .agg(c("transition_on").last(), *(c(x).last() for x in cols))
        .with_columns(window_ends_on=c("transition_on") + pl.duration(days=window_days))
    )
    attended = (
        contacts.lazy()
        .filter((c("status") == "attended") & (c("kind") == "post_transition") & (c("contact_on") <= as_of))
        .select("case_id", "contact_on")
    )
    first = (
        latest.select("case_id", "transition_on")
        .join(attended, on="case_id", how="inner")
        .filter(c("contact_on") >= c("transition_on"))
        .group_by("case_id")
        .agg(c("contact_on").min())
    )
    status = (
        pl.when(c("contact_on") <= c("window_ends_on"))
        .then(pl.lit("within"))
        .when(c("contact_on").is_not_null())
        .then(pl.lit("late"))
        .when(c("window_ends_on") >= as_of)
        .then(pl.lit("open"))
        .otherwise(pl.lit("missing"))
    )
    return (
        latest.join(first, on="case_id", how="left")
        .with_columns(contact_status=status)
        .sort("case_id")
        .select("case_id", "transition_on", *cols, "window_ends_on", "contact_on", "contact_status")
        .collect()
    )


def contact_counts(post: pl.DataFrame) -> pl.DataFrame:
    """Cases by ``contact_status`` (every status, zeros included, in display order)."""
    counts = post.group_by("contact_status").agg(pl.len().cast(pl.Int64).alias("cases"))
    return (
        pl.DataFrame({"contact_status": list(CONTACT_STATUSES)})
        .join(counts, on="contact_status", how="left")
        .with_columns(pl.col("cases").fill_null(0))
    )


def contacts_to_chase(post: pl.DataFrame, status: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """The latest transitions whose window is over without a contact in it (``late`` and
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
    )


def readmissions(transitions: pl.DataFrame) -> pl.DataFrame:
    """Each step up that follows (strictly later) a discharge or step down of the same
    case: ``case_id, after_on, after_kind, step_up_on, to_level, days``.

    >>> tr = pl.DataFrame({"case_id": ["A", "A", "B"], "kind": ["discharge", "step_up", "step_up"],
    ...     "to_level": ["discharged", "inpatient", "inpatient"],
    ...     "transition_on": [dt.date(2026, 1, 1), dt.date(2026, 1, 20), dt.date(2026, 1, 5)]})
    >>> readmissions(tr).select("case_id", "after_kind", "days").rows()
    [('A', 'discharge', 19)]
    """
    c = pl.col
    before = (
        transitions.filter(c("kind").is_in(["discharge", "step_down"]))
        .select("case_id", c("transition_on").alias("after_on"), c("kind").alias("after_kind"))
        .sort("after_on")
    )
    ups = transitions.filter(c("kind") == "step_up").select(
        "case_id", c("transition_on").alias("step_up_on"), "to_level"
    )
    return (
        ups.sort("step_up_on")
        .join_asof(
            before,
            left_on="step_up_on",
            right_on="after_on",
            by="case_id",
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,  # sorted above; polars cannot check it within groups
        )
        .filter(c("after_on").is_not_null())
        .with_columns(days=(c("step_up_on") - c("after_on")).dt.total_days())
        .select("case_id", "after_on", "after_kind", "step_up_on", "to_level", "days")
        .sort("step_up_on", "case_id")
    )


#: How dates are written (as ``casekit.ui.widgets.show_date``).
DATE_FORMAT = {"es": "%d/%m/%Y", "en": "%Y-%m-%d"}


def key_figures(
    transitions: pl.DataFrame, post: pl.DataFrame, chase: pl.DataFrame, readmitted: pl.DataFrame
) -> dict[str, int | float | None]:
    """The screen's headline numbers: ``transitions``, ``cases`` (with a transition),
    ``flagged`` (open cases with the missing-contact flag), ``readmissions``,
    ``readmitted_cases`` and ``median_days_to_readmission`` (``None`` without any).

    >>> key_figures(pl.DataFrame({"case_id": ["A"]}), pl.DataFrame({"case_id": ["A"]}),
    ...     pl.DataFrame({"flag_due_on": [None]}), pl.DataFrame({"case_id": [], "days": []}))["flagged"]
    0
    """
    return {
        "transitions": transitions.height,
        "cases": post.height,
        "flagged": chase.filter(pl.col("flag_due_on").is_not_null()).height,
        "readmissions": readmitted.height,
        "readmitted_cases": readmitted["case_id"].n_unique(),
        "median_days_to_readmission": readmitted["days"].median() if readmitted.height else None,
    }


_VOCAB_OF = {
    "from_level": "level_of_care",
    "to_level": "to_level",
    "kind": "transition_kind",
    "after_kind": "transition_kind",
}


def labelled(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """``df`` as a person reads it: vocabulary ids → labels, yes/no, headers in ``lang``.

    >>> labelled(pl.DataFrame({"kind": ["step_up"], "transitions": [3]}), "es").rows(named=True)
    [{'Tipo de transición': 'Aumento de nivel', 'Transiciones': 3}]
    """
    blank = t("ui_transitions.blank", lang)
    exprs = []
    for col in df.columns:
        if col in _VOCAB_OF:
            names = {k: v(lang) for k, v in VOCABS[_VOCAB_OF[col]].items()}
            exprs.append(pl.col(col).replace(names).fill_null(blank))
        elif col == "contact_status":
            names = {s: t(f"ui_transitions.status_{s}", lang) for s in CONTACT_STATUSES}
            exprs.append(pl.col(col).replace_strict(names, default=pl.col(col)))
        elif df.schema[col] == pl.Date:
            exprs.append(pl.col(col).dt.strftime(DATE_FORMAT[lang]).fill_null(""))
        elif df.schema[col] == pl.Boolean:
            yes, no = t("common.yes", lang), t("common.no", lang)
            exprs.append(pl.when(pl.col(col)).then(pl.lit(yes)).when(~pl.col(col)).then(pl.lit(no)).alias(col))
        else:
            exprs.append(pl.col(col))
    return df.select(exprs).rename({col: t(f"ui_transitions.col_{col}", lang) for col in df.columns})
