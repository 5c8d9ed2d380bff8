"""Stage 3, risk stratification: standard instruments, a points model, reviews and a fairness view.

- :mod:`casekit.risk.instruments`: PHQ-9, GAD-7, AUDIT-C, ACC/AHA blood pressure, WHO BMI
  and LACE as polars expressions;
- :func:`load_model`: the points model (TOML; the shipped default or your own);
- :func:`score_risk`: the tier of every assessed case, factor by factor, with reviews;
- :func:`fairness_summary`: tier shares and mean score by sex, age band and ethnicity.

See ``docs/risk_model.md``.

Examples
--------
>>> import casekit as ck
>>> from casekit.risk import score_risk
>>> scores = score_risk(ck.make_sample(40, seed=2))
>>> set(scores["effective_tier"].unique()) <= {"low", "moderate", "high"}
True
"""

from casekit.risk.fairness import AGE_BANDS, age_band, fairness_summary
from casekit.risk.instruments import (
    auditc_positive,
    bmi_class,
    bp_category,
    gad7_severity,
    lace_score,
    lace_tier,
    phq9_severity,
)
from casekit.risk.model import (
    DEFAULT_MODEL_PATH,
    TIERS,
    RiskModel,
    RiskModelError,
    default_model_text,
    load_model,
)
from casekit.risk.score import INSTRUMENT_COLUMNS, score_risk, score_risk_lazy

__all__ = [
    "AGE_BANDS",
    "DEFAULT_MODEL_PATH",
    "INSTRUMENT_COLUMNS",
    "TIERS",
    "RiskModel",
    "RiskModelError",
    "age_band",
    "auditc_positive",
    "bmi_class",
    "bp_category",
    "default_model_text",
    "fairness_summary",
    "gad7_severity",
    "lace_score",
    "lace_tier",
    "load_model",
    "phq9_severity",
    "score_risk",
    "score_risk_lazy",
]
