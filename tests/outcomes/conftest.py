"""Tiny hand-built caseloads for the outcome tests."""

from __future__ import annotations

from typing import Any

from tests.builders import D, caseload, frame  # noqa: F401 - re-exported to the tests


def m(case: str, on: str, value: float | None, timepoint: str, **kw: Any) -> dict[str, Any]:
    """One outcome row (PHQ-9, clinical, lower is better unless overridden)."""
    row = {"case_id": case, "domain": "clinical", "measure": "PHQ-9", "higher_is_better": False}
    return {**row, "measured_on": on, "value": value, "timepoint": timepoint, **kw}
