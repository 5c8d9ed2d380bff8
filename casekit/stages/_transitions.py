"""Transitions and what follows them (stages 7–8), shared by the app, Learn and notebooks.

- :func:`transitions_until`: the clean ``transitions`` sheet up to the as-of date;
- :func:`contacts_of`: the contact columns these views need;
- :func:`post_transition_contacts`: every transition and whether an attended contact
  with the client followed within its window (``within``), after it (``late``), not yet
  while the window is still open (``open``) or not at all (``missing``) — the same rule
  as the ``post_transition_contact_missing`` flag;
- :func:`readmissions`: admissions into a readmission level (default inpatient) within
  30 days of a discharge or step-down from one (HEDIS PCR / CMS HRRP style).

Examples
--------
>>> tr = pl.DataFrame({"case_id": ["A", "B", "C", "D"], "kind": ["step_down"] * 4,
...     "transition_on": [dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 25)]})
>>> co = pl.DataFrame({"case_id": ["A", "B"], "kind": ["post_transition"] * 2, "status": ["attended"] * 2,
...     "contact_on": [dt.date(2026, 3, 8), dt.date(2026, 3, 9)]})
>>> post = post_transition_contacts(tr, co, as_of=dt.date(2026, 3, 30))
>>> post.select("case_id", "contact_status").rows()
[('A', 'within'), ('B', 'late'), ('C', 'missing'), ('D', 'open')]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from casekit._frames import clean_data, sheet
from casekit.contract import ROW
from casekit.data import CaseData, ValidationResult
from casekit.stages._config import ProcessConfig, load_process_config
from casekit.stages._obligations import CONTACT_COLUMNS, TX_COLUMNS, readmission_events, transition_checks

__all__ = ["contacts_of", "post_transition_contacts", "readmissions", "transitions_until"]

_TX_COLUMNS = ["transition_id", "case_id", "transition_on", "from_level", "to_level", "kind"]


def transitions_until(data: CaseData, as_of: dt.date) -> pl.DataFrame:
    """The transitions dated on or before ``as_of`` (typed, empty when the sheet is absent)."""
    return sheet(data, "transitions", _TX_COLUMNS).filter(pl.col("transition_on") <= as_of).collect()


def contacts_of(data: CaseData) -> pl.DataFrame:
    """The contacts sheet's columns these views need (typed, empty when absent)."""
    return sheet(data, "contacts", CONTACT_COLUMNS).collect()


def _typed(frame: pl.DataFrame, columns: list[str], name: str) -> pl.LazyFrame:
    """``frame``'s ``columns`` typed by the contract (absent ones null), lazily."""
    from casekit.data import CaseData

    return sheet(CaseData({name: frame}), name, columns)


def post_transition_contacts(
    transitions: pl.DataFrame,
    contacts: pl.DataFrame,
    *,
    as_of: dt.date,
    config: ProcessConfig | str | Path | None = None,
) -> pl.DataFrame:
    """One row per transition on or before ``as_of`` and its post-transition contact.

    Columns ``case_id, transition_on, kind, from_level, to_level``, ``window_ends_on``
    (the last day of the kind's window: business days for discharges and transfers by
    default, the transition day is day 0), ``contact_on`` (the first attended contact
    with the client of a qualifying kind from the transition day on, up to ``as_of``) and
    ``contact_status``: ``within`` the window, ``late`` (after it), ``open`` (none yet,
    window not over) or ``missing`` (none, window over). Rules: ``config``
    (``[post_transition]``, ``[client_contact]``). An open case with a ``missing``
    transition has the flag ``post_transition_contact_missing``.

    >>> tr = pl.DataFrame({"case_id": ["A", "A"], "kind": ["step_down", "discharge"],
    ...     "transition_on": [dt.date(2026, 1, 1), dt.date(2026, 2, 6)]})
    >>> co = pl.DataFrame({"case_id": ["A"], "kind": ["phone_call"], "status": ["attended"],
    ...     "with_whom": ["client"], "contact_on": [dt.date(2026, 1, 3)]})
    >>> post_transition_contacts(tr, co, as_of=dt.date(2026, 2, 10)).select(
    ...     "transition_on", "window_ends_on", "contact_status").rows()  # 6 Feb is a Friday
    [(datetime.date(2026, 1, 1), datetime.date(2026, 1, 8), 'within'),
     (datetime.date(2026, 2, 6), datetime.date(2026, 2, 10), 'open')]
    """
    cfg = load_process_config(config)
    return (
        transition_checks(
            _typed(transitions, TX_COLUMNS, "transitions"),
            _typed(contacts, CONTACT_COLUMNS, "contacts"),
            as_of=as_of,
            cfg=cfg,
        )
        .sort("case_id", "transition_on", ROW)
        .select(
            "case_id",
            "transition_on",
            "kind",
            "from_level",
            "to_level",
            "window_ends_on",
            "contact_on",
            "contact_status",
        )
        .collect()
    )


def readmissions(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date | None = None,
    config: ProcessConfig | str | Path | None = None,
) -> pl.DataFrame:
    """One row per readmission: ``case_id, discharge_on, index_kind, from_level,
    readmitted_on, to_level, days``.

    An index event is a discharge or step-down *from* a level in ``[readmission] levels``
    (default inpatient); its readmission is the first admission (step-up or transfer)
    *into* such a level 1…``days`` (default 30, inclusive) days later, same case. A
    same-day move is a transfer, not a readmission; at most one per index event. Only
    transitions on or before ``as_of`` count (all when ``None``).

    >>> from casekit.data import CaseData
    >>> tr = pl.DataFrame({"case_id": ["A", "A", "B", "B"], "kind": ["discharge", "step_up"] * 2,
    ...     "from_level": ["inpatient", "community"] * 2, "to_level": ["discharged", "inpatient"] * 2,
    ...     "transition_on": [dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]})
    >>> readmissions(CaseData({"transitions": tr})).select("case_id", "days").rows()  # day 30 counts, 31 does not
    [('A', 30)]
    """
    cfg = load_process_config(config)
    clean = clean_data(data)
    return readmission_events(sheet(clean, "transitions", TX_COLUMNS), as_of=as_of, cfg=cfg).collect()
