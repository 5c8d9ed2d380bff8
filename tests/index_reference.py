"""The derived tables of a caseload, and the same tables computed on the text ``case_id``
(the rules as they ran before the integer case index, issue 18): what the index tests compare.

>>> import casekit as ck
>>> data = ck.make_sample(20, seed=2)
>>> with text_ids_only():
...     plain = derived_tables(data, as_of=ck.SAMPLE_AS_OF)
>>> sorted(plain) == sorted(derived_tables(data, as_of=ck.SAMPLE_AS_OF))
True
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl

import casekit as ck
from casekit import cohort as co
from casekit import outcomes as oc
from casekit.data import CaseData, ValidationResult


@contextmanager
def text_ids_only() -> Iterator[None]:
    """Within the block every rule runs on the text ids: :func:`casekit._case_index.coded`
    (and ``coded_with``) return the data as they are, in every casekit module that uses them."""
    import casekit._case_index as ci

    def plain(data: CaseData) -> CaseData:
        return data

    def plain_with(data: CaseData, table: pl.DataFrame | None) -> tuple[CaseData, pl.LazyFrame | None]:
        return data, None if table is None else table.lazy()

    swaps = {"coded": (ci.coded, plain), "coded_with": (ci.coded_with, plain_with)}
    undo: list[tuple[Any, str, Any]] = []
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("casekit") or module is ci:
            continue
        for name, (real, stand_in) in swaps.items():
            if getattr(module, name, None) is real:
                undo.append((module, name, real))
                setattr(module, name, stand_in)
    try:
        yield
    finally:
        for module, name, real in undo:
            setattr(module, name, real)


def derived_tables(data: CaseData | ValidationResult, *, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """Every table derived per case from ``data``, as the library and the app compute them:
    risk, status, stage entries, events, outcomes (changes, summaries, goals, utilisation,
    post-only), the cohort frame and the Learn walkthrough of three clients."""
    from casekit.learn import walkthrough

    clean = data.data if isinstance(data, ValidationResult) else data
    out: dict[str, pl.DataFrame] = {}
    out["scores"] = scores = ck.score_risk(data, as_of=as_of)
    out["status"] = status = ck.case_status(data, as_of=as_of)
    out["status_given_risk"] = ck.case_status(data, as_of=as_of, risk=scores)
    out["entries"] = entries = ck.stage_entries(clean, as_of=as_of)
    out["events"] = ck.events(clean, as_of=as_of)
    out["changes"] = changes = ck.outcome_changes(data, as_of=as_of)
    for by in (("domain", "measure"), ("program", "effective_tier"), ("age_band", "sex")):
        out[f"summary_{'_'.join(by)}"] = oc.outcome_summary(data, list(by), as_of=as_of, for_sharing=False)
    out["summary_given_changes"] = oc.outcome_summary(
        data, ["program", "effective_tier"], as_of=as_of, changes=changes, scores=scores, for_sharing=False
    )
    out["utilisation"] = utilisation = ck.utilisation_changes(data, as_of=as_of)
    out["utilisation_summary"] = oc.utilisation_summary(data, ["program"], as_of=as_of, for_sharing=False)
    out["utilisation_summary_given"] = oc.utilisation_summary(
        data, ["effective_tier"], as_of=as_of, changes=utilisation, scores=scores, for_sharing=False
    )
    out["rates"] = rates = ck.utilisation_rates(data, as_of=as_of)
    out["rate_summary"] = oc.utilisation_rate_summary(data, ["program"], as_of=as_of, rates=rates, for_sharing=False)
    out["goal_progress"] = progress = ck.goal_progress(data, as_of=as_of)
    out["goal_attainment"] = oc.goal_attainment(data, ["owner", "program"], as_of=as_of, for_sharing=False)
    out["goal_attainment_given"] = oc.goal_attainment(
        data, ["effective_tier"], as_of=as_of, progress=progress, scores=scores, for_sharing=False
    )
    out["post_only"] = oc.post_only_values(data, as_of=as_of)
    out["post_only_summary"] = oc.post_only_summary(data, ["program"], as_of=as_of, for_sharing=False)
    out["cohort"] = co.cohort_frame(data, as_of=as_of)
    out["cohort_given"] = co.cohort_frame(data, as_of=as_of, status=status, entries=entries, changes=changes)
    # Learn walks through every client with an opening date (one whose own row was set aside
    # too: walked on the rows put back, tests/learn/test_set_aside.py)
    opened = status.filter(pl.col("current_stage") != "unknown")["case_id"].drop_nulls()
    for k, case_id in enumerate(opened.gather([0, opened.len() // 2, opened.len() - 1]) if opened.len() else []):
        steps = walkthrough(data, case_id, as_of=as_of)
        out[f"learn_{k}"] = pl.DataFrame(
            {
                "stage": [s.stage for s in steps],
                "state": [s.state for s in steps],
                "decision": [s.decision.text("en") for s in steps],
                "why": [" ".join(s.reasons("en")) for s in steps],
                "rows": [" ".join(f"{name}:{df.rows()}" for name, df in {**s.data, **s.detail}.items()) for s in steps],
            }
        )
    return out
