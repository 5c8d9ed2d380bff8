"""Figures of the Assessment & risk review screen (stages 2–3), as small pure polars functions.

- :func:`tier_counts`: cases per risk tier (all three tiers, zeros kept) and their share;
- :func:`case_choices` / :func:`default_case`: the assessed cases of the picker, the
  first high-tier case first chosen;
- :func:`factor_table`, :func:`instruments_table`, :func:`case_summary`: one client's
  factor contributions (``pts_*``), instruments (PHQ-9 band, GAD-7 band, AUDIT-C, blood
  pressure category, BMI class, LACE), red flags, missing inputs, provisional, computed
  vs effective tier and override;
- :func:`reviews_pending`: the open cases waiting for a risk review (flag
  ``risk_review_pending``) with the due date and their score;
- :func:`fairness_table`: :func:`casekit.risk.fairness_summary` as a person reads it,
  suppressed groups shown as such;
- :func:`tier_policy`: the tier rule of the model in use, in words.

Every figure comes from :func:`casekit.score_risk`, :func:`casekit.case_status` and
:func:`casekit.risk.fairness_summary`; the page only draws.

Examples
--------
>>> import casekit as ck
>>> scores = ck.score_risk(ck.make_sample(60, seed=4))
>>> counts = tier_counts(scores)
>>> counts["tier"].to_list(), int(counts["cases"].sum()) == scores.height
(['low', 'moderate', 'high'], True)
>>> scores.filter(pl.col("case_id") == default_case(scores))["effective_tier"].item()
'high'
"""

from __future__ import annotations

from typing import Any

import polars as pl

from casekit.i18n import t
from casekit.present import label, vocabulary
from casekit.risk import TIERS, RiskModel
from casekit.risk.instruments import BMI_CLASSES, BP_CATEGORIES, GAD7_SEVERITIES, PHQ9_SEVERITIES
from casekit.risk.score import INSTRUMENT_COLUMNS
from casekit.stages import worklist

__all__ = [
    "INSTRUMENTS",
    "case_choices",
    "case_summary",
    "default_case",
    "factor_table",
    "instruments_table",
    "reviews_pending",
    "tier_counts",
    "tier_policy",
]

#: Instrument columns of :func:`casekit.score_risk` shown for one client, in order.
INSTRUMENTS: tuple[str, ...] = INSTRUMENT_COLUMNS
_VALUE_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "phq9_severity": ("severity", PHQ9_SEVERITIES),
    "gad7_severity": ("severity", GAD7_SEVERITIES),
    "bp_category": ("bp", BP_CATEGORIES),
    "bmi_class": ("bmi", BMI_CLASSES),
}


def _tr(key: str, lang: str | None, **params: object) -> str:
    return t(f"ui_assessment.{key}", lang, **params)


# --------------------------------------------------------------------------------------
# Tier distribution
# --------------------------------------------------------------------------------------


def tier_counts(scores: pl.DataFrame, tier: str = "effective_tier") -> pl.DataFrame:
    """Cases per tier of :func:`casekit.score_risk` (column ``tier``): ``tier, cases,
    share`` for low, moderate and high (zeros kept; share over the cases with a tier,
    null when none).

    >>> tier_counts(pl.DataFrame({"effective_tier": ["high", "low", "high", None]})).rows()
    [('low', 1, 0.3333333333333333), ('moderate', 0, 0.0), ('high', 2, 0.6666666666666666)]
    """
    counts = scores.filter(pl.col(tier).is_not_null()).group_by(pl.col(tier).alias("tier")).agg(pl.len().alias("n"))
    out = (
        pl.DataFrame({"tier": list(TIERS)})
        .join(counts, on="tier", how="left")
        .select("tier", pl.col("n").fill_null(0).cast(pl.Int64).alias("cases"))
    )
    total = int(out["cases"].sum())
    return out.with_columns((pl.col("cases") / total if total else pl.lit(None, pl.Float64)).alias("share"))


def tier_policy(model: RiskModel, lang: str | None = None) -> str:
    """The model's tier rule in words, saying it is a local policy (``docs/risk_model.md``).

    >>> from casekit.risk import load_model
    >>> tier_policy(load_model(), "en").split(";")[0]
    'Tiers by total points: low below 6, moderate from 6, high from 12'
    """
    rule = model.tiers

    def num(x: float) -> str:
        return f"{x:g}"

    if rule.method == "percentiles":
        text = _tr("policy_percentiles", lang, high=f"{rule.high:.0%}", moderate=f"{rule.moderate:.0%}")
    else:
        text = _tr("policy_thresholds", lang, moderate=num(rule.moderate), high=num(rule.high))
    return text + " " + _tr("policy_local", lang)


# --------------------------------------------------------------------------------------
# One client
# --------------------------------------------------------------------------------------


def case_choices(scores: pl.DataFrame) -> list[str]:
    """The assessed cases, sorted by id (the picker's options).

    >>> case_choices(pl.DataFrame({"case_id": ["B", "A"]}))
    ['A', 'B']
    """
    return scores["case_id"].sort().to_list() if scores.height else []


def default_case(scores: pl.DataFrame) -> str | None:
    """The first (by id) case whose effective tier is high, else the first case; ``None``
    when no case is assessed.

    >>> default_case(pl.DataFrame({"case_id": ["A", "B", "C"], "effective_tier": ["low", "high", "high"]}))
    'B'
    >>> default_case(pl.DataFrame({"case_id": ["A"], "effective_tier": ["low"]}))
    'A'
    """
    if scores.height == 0:
        return None
    high = scores.filter(pl.col("effective_tier") == "high")["case_id"].sort()
    return high[0] if high.len() else scores["case_id"].sort()[0]


def _row(scores: pl.DataFrame, case_id: str | None) -> dict[str, Any] | None:
    row = scores.filter(pl.col("case_id") == pl.lit(case_id, dtype=pl.String))
    return row.row(0, named=True) if row.height else None


def factor_table(scores: pl.DataFrame, case_id: str | None, model: RiskModel, lang: str | None = None) -> pl.DataFrame:
    """One client's factor contributions: ``factor`` (id), ``label``, ``points`` (null
    when the input is missing), ``note`` ("no data" for those), most points first and the
    missing ones last — the rows of :func:`casekit.charts.factors_chart`. An unknown
    case gives no rows.

    >>> from casekit.risk import load_model
    >>> scores = pl.DataFrame({"case_id": ["A"], "pts_age": [2], "pts_housing": [3], "pts_tobacco": [None]},
    ...     schema_overrides={"pts_tobacco": pl.Int64})
    >>> factor_table(scores, "A", load_model(), "en").select("label", "points", "note").rows()
    [('Housing', 3.0, ''), ('Age', 2.0, ''), ('Tobacco', None, 'no data')]
    """
    schema = {"factor": pl.String, "label": pl.String, "points": pl.Float64, "note": pl.String}
    pts = [c for c in scores.columns if c.startswith("pts_")]
    row = scores.filter(pl.col("case_id") == pl.lit(case_id, dtype=pl.String))
    if row.height == 0 or not pts:
        return pl.DataFrame(schema=schema)
    names = {f.name: f.label(lang) for f in model.factors}
    return (
        row.select(pts)
        .cast(pl.Float64)
        .unpivot(variable_name="factor", value_name="points")
        .with_columns(pl.col("factor").str.strip_prefix("pts_"))
        .with_columns(
            pl.col("factor").replace_strict(names, default=pl.col("factor")).alias("label"),
            pl.when(pl.col("points").is_null()).then(pl.lit(_tr("no_data", lang))).otherwise(pl.lit("")).alias("note"),
        )
        .sort([pl.col("points").is_null(), "points", "label"], descending=[False, True, False])
        .select(list(schema))
    )


def _instrument_value(name: str, value: Any, lang: str | None) -> str:
    if value is None:
        return _tr("no_data", lang)
    if name == "auditc_positive":
        return _tr("auditc_positive" if value else "auditc_negative", lang)
    if name == "lace_tier":
        return label("lace_tier", value, lang)
    if name in _VALUE_KEYS:
        prefix, ids = _VALUE_KEYS[name]
        return _tr(f"{prefix}_{value}", lang) if value in ids else str(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def instruments_table(scores: pl.DataFrame, case_id: str | None, lang: str | None = None) -> pl.DataFrame:
    """One client's instruments as ``instrument, result`` (labels in ``lang``): PHQ-9
    band, GAD-7 band, AUDIT-C, blood pressure category, BMI class, LACE score and tier.

    >>> scores = pl.DataFrame({"case_id": ["A"], "phq9_severity": ["moderately_severe"], "gad7_severity": [None],
    ...     "auditc_positive": [True], "bp_category": ["stage_1"], "bmi_class": ["obese_1"], "lace_score": [11],
    ...     "lace_tier": ["high"]}, schema_overrides={"gad7_severity": pl.String})
    >>> instruments_table(scores, "A", "en")["result"].to_list()
    ['Moderately severe', 'no data', 'Positive', 'Stage 1 hypertension', 'Obesity class I', '11', 'High']
    """
    row = _row(scores, case_id)
    if row is None:
        return pl.DataFrame(schema={"instrument": pl.String, "result": pl.String})
    present = [c for c in INSTRUMENTS if c in row]
    return pl.DataFrame(
        {
            "instrument": [_tr(f"instrument_{c}", lang) for c in present],
            "result": [_instrument_value(c, row[c], lang) for c in present],
        }
    )


def case_summary(scores: pl.DataFrame, case_id: str | None, model: RiskModel, lang: str | None = None) -> dict:
    """One client's risk at a glance, labelled in ``lang``: ``score``, ``computed_tier``,
    ``effective_tier``, ``override_tier`` (None when the reviewer kept the computed
    tier), ``provisional``, ``review_pending``, ``assessed_on``, ``reviewed_on``,
    ``red_flags`` and ``missing`` (lists of labels). ``None`` for an unknown case.

    >>> import datetime as dt
    >>> from casekit.risk import load_model
    >>> scores = pl.DataFrame({"case_id": ["A"], "score": [13], "computed_tier": ["high"],
    ...     "effective_tier": ["moderate"], "override_tier": ["moderate"], "provisional": [False],
    ...     "review_pending": [False], "assessed_on": [dt.date(2026, 3, 1)], "reviewed_on": [dt.date(2026, 3, 9)],
    ...     "red_flags": [["unsafe_home"]], "missing_factors": [["tobacco"]]})
    >>> summary = case_summary(scores, "A", load_model(), "en")
    >>> summary["computed_tier"], summary["effective_tier"], summary["override_tier"], summary["missing"]
    ('High', 'Moderate', 'Moderate', ['Tobacco'])
    """
    row = _row(scores, case_id)
    if row is None:
        return {}
    tiers = vocabulary("tier", lang)

    def tier(column: str) -> str | None:
        value = row.get(column)
        return tiers.get(value, value) if value else None

    factor_names = {f.name: f.label(lang) for f in model.factors}
    flag_names = {f.name: f.label(lang) for f in model.red_flags}
    return {
        "score": row.get("score"),
        "computed_tier": tier("computed_tier"),
        "effective_tier": tier("effective_tier"),
        "override_tier": tier("override_tier"),
        "provisional": bool(row.get("provisional")),
        "review_pending": bool(row.get("review_pending")),
        "assessed_on": row.get("assessed_on"),
        "reviewed_on": row.get("reviewed_on"),
        "red_flags": [flag_names.get(f, f) for f in row.get("red_flags") or []],
        "missing": [factor_names.get(f, f) for f in row.get("missing_factors") or []],
    }


# --------------------------------------------------------------------------------------
# Reviews pending
# --------------------------------------------------------------------------------------


def reviews_pending(status: pl.DataFrame, scores: pl.DataFrame) -> pl.DataFrame:
    """Open cases waiting for a risk review (flag ``risk_review_pending`` of
    :func:`casekit.worklist`), most overdue first: ``case_id, case_manager,
    current_stage, assessed_on, score, computed_tier, provisional, due_on,
    days_overdue``.

    >>> import datetime as dt
    >>> st = pl.DataFrame({"case_id": ["A", "B"], "case_manager": ["Ana", "Bo"], "program": ["p", "p"],
    ...     "current_stage": ["risk", "risk"], "flags": [["risk_review_pending"], []],
    ...     "flag_due_on": [[dt.date(2026, 9, 20)], []], "as_of": [dt.date(2026, 9, 30)] * 2})
    >>> sc = pl.DataFrame({"case_id": ["A", "B"], "assessed_on": [dt.date(2026, 9, 10)] * 2, "score": [7, 2],
    ...     "computed_tier": ["moderate", "low"], "provisional": [False, False]})
    >>> reviews_pending(st, sc).select("case_id", "score", "days_overdue").rows()
    [('A', 7, 10)]
    """
    pending = worklist(status).filter(pl.col("flag") == "risk_review_pending")
    return pending.join(
        scores.select("case_id", "assessed_on", "score", "computed_tier", "provisional"), on="case_id", how="left"
    ).select(
        "case_id",
        "case_manager",
        "current_stage",
        "assessed_on",
        "score",
        "computed_tier",
        "provisional",
        "due_on",
        "days_overdue",
    )
