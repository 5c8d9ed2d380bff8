"""Tiny hand-built caseloads for the stage engine tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from casekit.data import CaseData
from casekit.stages import NO_RISK, case_status
from tests.builders import D, caseload, frame  # noqa: F401 - re-exported to the tests

AS_OF = dt.date(2026, 6, 30)


def risk(**tiers: str) -> pl.DataFrame:
    """A risk frame: ``risk(A="high")``."""
    return pl.DataFrame(
        {"case_id": list(tiers), "effective_tier": list(tiers.values())},
        schema={"case_id": pl.String, "effective_tier": pl.String},
    )


def status_of(data: CaseData, as_of: dt.date = AS_OF, **kw: Any) -> dict[str, dict[str, Any]]:
    """case_id -> status row (dict); no risk tiers unless ``risk=`` is given."""
    kw.setdefault("risk", NO_RISK)
    df = case_status(data, as_of=as_of, **kw)
    return {row["case_id"]: row for row in df.to_dicts()}


def flags_of(data: CaseData, as_of: dt.date = AS_OF, case: str = "A", **kw: Any) -> dict[str, dt.date]:
    """flag -> due date of one case."""
    row = status_of(data, as_of, **kw)[case]
    return dict(zip(row["flags"], row["flag_due_on"], strict=True))


# A case that has completed stages 1-5 (in monitoring from 2026-02-10 on)
SCREENED = {"case_id": "A", "screened_on": "2026-01-03", "decision": "refer_to_assessment"}
ASSESSED = {"case_id": "A", "assessed_on": "2026-01-10"}
REVIEWED = {"case_id": "A", "reviewed_on": "2026-01-12"}
GOAL = {"goal_id": "G1", "case_id": "A", "set_on": "2026-01-20", "target_on": "2026-12-31", "status": "in_progress"}
SERVICE = {"service_id": "S1", "case_id": "A", "start_on": "2026-01-21"}
VISIT = {"contact_id": "K1", "case_id": "A", "contact_on": "2026-02-10", "kind": "home_visit", "status": "attended"}


def monitored(**extra: list[dict[str, Any]]) -> CaseData:
    """Case A in monitoring since 2026-02-10, plus ``extra`` rows per sheet (appended)."""
    base: dict[str, list[dict[str, Any]]] = {
        "cases": [{"case_id": "A", "case_manager": "Ana", "program": "P1"}],
        "screenings": [SCREENED],
        "assessments": [ASSESSED],
        "risk_reviews": [REVIEWED],
        "goals": [GOAL],
        "services": [SERVICE],
        "contacts": [VISIT],
    }
    for name, rows in extra.items():
        base[name] = [*base.get(name, []), *rows]
    return caseload(**base)


@pytest.fixture
def as_of() -> dt.date:
    return AS_OF
