"""Scoring one client for the walkthrough and the what-if knobs (stage 3).

Threshold models score the one-case slice (instant); a percentile model ranks a client
among everyone scored together, so it scores the whole caseload and keeps the client's row.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from casekit.contract import Label
from casekit.data import CaseData, ValidationResult
from casekit.risk import RiskModel, load_model, score_risk
from casekit.risk.model import Factor

__all__ = ["factor_label", "factor_table", "score_one", "tier_floor"]


def score_one(
    whole: CaseData | ValidationResult,
    one: CaseData | ValidationResult,
    case_id: str,
    *,
    model: RiskModel | None,
    as_of: dt.date,
) -> pl.DataFrame:
    """:func:`casekit.score_risk` of one case (0 rows when it has no assessment yet)."""
    model = model or load_model()
    source = whole if model.tiers.method == "percentiles" else one
    return score_risk(source, model, as_of=as_of).filter(pl.col("case_id") == case_id)


def factor_label(factor: Factor) -> Label:
    """A factor's name in both languages."""
    return Label(factor.label("en"), factor.label("es"))


def factor_table(row: dict[str, object] | None, model: RiskModel) -> pl.DataFrame:
    """One row per factor of ``model``: ``factor, factor_en, factor_es, points`` (points
    null when the input is missing), from one row of :func:`casekit.score_risk`.

    >>> import casekit as ck
    >>> scores = ck.score_risk(ck.make_sample(5, seed=1))
    >>> table = factor_table(scores.row(0, named=True), load_model())
    >>> table.height, int(table["points"].sum()) == scores["score"][0]
    (17, True)
    """
    row = row or {}
    return pl.DataFrame(
        {
            "factor": [f.name for f in model.factors],
            "factor_en": [f.label("en") for f in model.factors],
            "factor_es": [f.label("es") for f in model.factors],
            "points": [row.get(f"pts_{f.name}") for f in model.factors],
        },
        schema={"factor": pl.String, "factor_en": pl.String, "factor_es": pl.String, "points": pl.Float64},
    )


def tier_floor(model: RiskModel, tier: str) -> float | None:
    """Lowest score of ``tier`` under a threshold model (``None`` for percentile models).

    >>> tier_floor(load_model(), "high"), tier_floor(load_model(), "low")
    (12, 0)
    """
    if model.tiers.method != "thresholds":
        return None
    return {"low": 0, "moderate": model.tiers.moderate, "high": model.tiers.high}[tier]
