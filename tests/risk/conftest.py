from __future__ import annotations

import datetime as dt
from typing import Any

from casekit.data import CaseData
from tests.builders import frame

ASSESSED = dt.date(2026, 3, 1)


def build(**sheets: list[dict[str, Any]]) -> CaseData:
    """CaseData from row dicts per sheet; ``cases`` is derived from the other sheets' case ids
    when not given (opened 2025-01-01)."""
    if "cases" not in sheets:
        ids = dict.fromkeys(r["case_id"] for rows in sheets.values() for r in rows)
        sheets["cases"] = [{"case_id": c, "opened_on": dt.date(2025, 1, 1)} for c in ids]
    return CaseData({name: frame(name, rows) for name, rows in sheets.items()})


def assessment(case_id: str = "A", on: dt.date = ASSESSED, **values: Any) -> dict[str, Any]:
    return {"case_id": case_id, "assessed_on": on, **values}


#: An assessment with every default-model input present and worth 0 points.
ZERO = {
    "systolic_bp": 110,
    "diastolic_bp": 70,
    "phq9": 2,
    "phq9_item9": 0,
    "gad7": 1,
    "audit_c": 1,
    "tobacco_use": False,
    "substance_use": False,
    "chronic_conditions": 0,
    "medications": 2,
    "bmi": 22.0,
    "exercise_min_week": 200,
    "insurance": "insured",
    "housing": "stable",
    "housing_safe": True,
    "ed_visits_6m": 0,
    "admissions_12m": 0,
    "length_of_stay_days": 0,
    "acute_admission": False,
    "charlson": 0,
}
ZERO_SCREENING = {"financial_situation": "secure", "support_network": "strong", "home_environment": "stable"}
