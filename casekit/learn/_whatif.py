"""What if…? Re-run casekit on one client with an edited input or a changed process rule.

- :func:`what_if_risk`: edit the client's latest assessment (or screening) — PHQ-9 total,
  blood pressure, emergency visits… — and re-score it: factor points, score and tier
  before and after, and why they moved;
- :func:`what_if_process`: change a deadline or a follow-up cadence and re-run the stage
  engine: which flags appear or clear, and why.

Both work on a one-case slice of the workbook, so they answer instantly on any caseload.

Examples
--------
>>> import casekit as ck
>>> data = ck.make_sample(40, seed=3)
>>> wi = what_if_risk(data, "C00004", {"phq9": 27}, as_of=ck.SAMPLE_AS_OF)
>>> wi.points_after("depression")
4
>>> process = what_if_process(data, "C00004", {"cadence_low": 1, "cadence_moderate": 1, "cadence_high": 1},
...                           as_of=ck.SAMPLE_AS_OF)
>>> process.config_after.cadence("low")
1
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from casekit._toml import dump_toml
from casekit.contract import ROW, SHEETS, Label
from casekit.data import DTYPES, CaseData, ValidationResult
from casekit.i18n import t
from casekit.learn._common import Note, flag_term, one_case, term
from casekit.learn._risk import factor_label, factor_table, score_one, tier_floor
from casekit.risk import RiskModel, load_model
from casekit.risk.model import InputSpec, resolve_input
from casekit.stages import FLAGS, ProcessConfig, case_status, load_process_config

__all__ = [
    "RULES",
    "ProcessWhatIf",
    "RiskWhatIf",
    "changed_config",
    "local_knobs",
    "recorded_inputs",
    "what_if_process",
    "what_if_risk",
]

#: Process rules the knobs can change: name → (TOML section, key). Dotted TOML names
#: (``"follow_up_cadence_days.high"``) are accepted too.
RULES: dict[str, tuple[str, str]] = {
    "screening_days": ("deadlines", "screening_days"),
    "assessment_days": ("deadlines", "assessment_days"),
    "plan_days": ("deadlines", "plan_days"),
    "plan_days_high_tier": ("deadlines", "plan_days_high_tier"),
    "window_discharge": ("post_transition.window_days", "discharge"),
    "window_transfer": ("post_transition.window_days", "transfer"),
    "window_step_down": ("post_transition.window_days", "step_down"),
    "window_step_up": ("post_transition.window_days", "step_up"),
    "outcome_follow_up_days": ("deadlines", "outcome_follow_up_days"),
    "cadence_high": ("follow_up_cadence_days", "high"),
    "cadence_moderate": ("follow_up_cadence_days", "moderate"),
    "cadence_low": ("follow_up_cadence_days", "low"),
}
_DATE_COLUMN = {"assessments": "assessed_on", "screenings": "screened_on"}


@dataclass(frozen=True)
class RiskWhatIf:
    """Before/after of re-scoring one client with edited inputs (rows of
    :func:`casekit.score_risk`), the factor table and the explanation."""

    case_id: str
    edits: dict[str, object]
    before: dict[str, Any]
    after: dict[str, Any]
    factors: pl.DataFrame
    notes: tuple[Note, ...] = field(default=())

    def explanation(self, lang: str) -> list[str]:
        """What moved and why, in ``lang``."""
        return [n.text(lang) for n in self.notes]

    def points_before(self, factor: str) -> object:
        return self.before.get(f"pts_{factor}")

    def points_after(self, factor: str) -> object:
        return self.after.get(f"pts_{factor}")

    @property
    def changed_factors(self) -> list[str]:
        """Factors whose points differ."""
        return self.factors.filter(pl.col("points_before").ne_missing(pl.col("points_after")))["factor"].to_list()


@dataclass(frozen=True)
class ProcessWhatIf:
    """Flags of one client under the current and the changed process rules."""

    case_id: str
    config_before: ProcessConfig
    config_after: ProcessConfig
    before: dict[str, Any]
    after: dict[str, Any]
    flags: pl.DataFrame
    notes: tuple[Note, ...] = field(default=())

    def explanation(self, lang: str) -> list[str]:
        """What appeared or cleared and why, in ``lang``."""
        return [n.text(lang) for n in self.notes]

    @property
    def appeared(self) -> list[str]:
        return self.flags.filter(pl.col("change") == "appears")["flag"].to_list()

    @property
    def cleared(self) -> list[str]:
        return self.flags.filter(pl.col("change") == "clears")["flag"].to_list()


# --------------------------------------------------------------------------------------
# Risk
# --------------------------------------------------------------------------------------


#: Types of a team's own column when the data does not have it yet.
_LOCAL_DTYPES = {"bool": pl.Boolean(), "float": pl.Float64(), "category": pl.String()}


def local_knobs(model: RiskModel) -> list[InputSpec]:
    """The model's inputs on a team's own columns of the assessment or screening (what-if
    knobs beside the standard ones).

    >>> text = "[[factors]]|name = 'food'|input = 'food_insecurity'|type = 'bool'|points = {true = 2}"
    >>> m = load_model(text.replace("|", chr(10)))
    >>> [k.name for k in local_knobs(m)]
    ['assessments.food_insecurity']
    """
    return [spec for spec in model.inputs() if spec.local and spec.source in _DATE_COLUMN]


def _edit(
    data: CaseData | ValidationResult,
    case_id: str,
    edits: Mapping[str, object],
    as_of: dt.date,
    model: RiskModel | None = None,
) -> CaseData:
    """``data`` (clean rows) with the case's latest assessment/screening on or before
    ``as_of`` carrying the edited values (an input of the contract, or one of ``model``'s
    own columns by its name, e.g. ``assessments.food_insecurity``)."""
    clean = data.data if isinstance(data, ValidationResult) else data
    local = {spec.name: spec for spec in local_knobs(model)} if model is not None else {}
    by_sheet: dict[str, dict[str, object]] = {}
    types: dict[str, pl.DataType] = {}
    for name, value in edits.items():
        spec = local.get(name) or resolve_input(name)
        if spec is None or spec.source not in _DATE_COLUMN:
            raise ValueError(t("learn.wi_unknown_input", None, name=name))
        if spec.local:
            types[spec.column] = _LOCAL_DTYPES[spec.kind]
        by_sheet.setdefault(spec.source, {})[spec.column] = value
    sheets = dict(clean.sheets)
    for name, values in by_sheet.items():
        df = sheets.get(name)
        if df is None:
            continue
        if ROW not in df.columns:
            df = df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
        date = pl.col(_DATE_COLUMN[name])
        eligible = (pl.col("case_id") == case_id) & date.is_not_null() & (date <= as_of)
        key = pl.when(eligible).then(date.cast(pl.Int64) * 2**32 + pl.col(ROW))
        latest = (key == key.max()).fill_null(value=False)
        exprs = []
        for column, value in values.items():
            dtype = df.schema.get(column) or types.get(column) or DTYPES[SHEETS[name].columns[column].kind]
            current = pl.col(column) if column in df.columns else pl.lit(None, dtype=dtype)
            exprs.append(pl.when(latest).then(pl.lit(value, dtype=dtype)).otherwise(current).alias(column))
        sheets[name] = df.with_columns(exprs)
    return CaseData(sheets, source=clean.source, headers=clean.headers)


def what_if_risk(
    data: CaseData | ValidationResult,
    case_id: str,
    edits: Mapping[str, object],
    *,
    as_of: dt.date,
    model: RiskModel | None = None,
) -> RiskWhatIf:
    """Re-score ``case_id`` with ``edits`` to its latest assessment (keys: assessment
    columns such as ``phq9``, ``systolic_bp``, ``diastolic_bp``, ``ed_visits_6m``, or
    ``screenings.<column>``). Raises ``ValueError`` for an unknown column or a case with
    no assessment as of ``as_of``.
    """
    model = model or load_model()
    one = one_case(data, case_id)
    before = score_one(data, one, case_id, model=model, as_of=as_of)
    if before.height == 0:
        raise ValueError(t("learn.wi_not_assessed", None, case_id=case_id, as_of=as_of.isoformat()))
    whole_edited = _edit(data, case_id, edits, as_of, model) if model.tiers.method == "percentiles" else None
    one_edited = _edit(one, case_id, edits, as_of, model)
    after = score_one(whole_edited or one_edited, one_edited, case_id, model=model, as_of=as_of)
    b, a = before.row(0, named=True), after.row(0, named=True)
    factors = (
        factor_table(b, model)
        .rename({"points": "points_before"})
        .with_columns(points_after=factor_table(a, model)["points"])
    )
    return RiskWhatIf(case_id, dict(edits), b, a, factors, tuple(_risk_notes(b, a, model)))


def _risk_notes(b: dict[str, object], a: dict[str, object], model: RiskModel) -> list[Note]:
    notes: list[Note] = []
    for f in model.factors:
        pb, pa = b[f"pts_{f.name}"], a[f"pts_{f.name}"]
        if pb != pa:
            notes.append(Note("wi_factor", {"factor": factor_label(f), "before": pb, "after": pa}))
    if b["score"] != a["score"]:
        notes.append(Note("wi_score", {"before": b["score"], "after": a["score"]}))
    flags = {flag.name: Label(flag.label("en"), flag.label("es")) for flag in model.red_flags}
    raised_before, raised_after = set(b["red_flags"]), set(a["red_flags"])  # type: ignore[call-overload]  # a row's values are typed as any polars value; lists of flag names
    notes.extend(Note("wi_flag_on", {"flag": flags[n]}) for n in sorted(raised_after - raised_before))
    notes.extend(Note("wi_flag_off", {"flag": flags[n]}) for n in sorted(raised_before - raised_after))
    if not notes:
        notes.append(Note("wi_nothing"))
    tb, ta = str(b["computed_tier"]), str(a["computed_tier"])
    order = ("low", "moderate", "high")
    if tb == ta and raised_after and ta == "high":
        forced = [flags[n] for n in sorted(raised_after)]
        notes.append(Note("wi_tier_forced", {"tier": term("tier", ta), "flags": forced}))
    elif tb == ta:
        notes.append(Note("wi_tier_same", {"tier": term("tier", ta)}))
    elif raised_after == raised_before and not raised_after and model.tiers.method == "thresholds":
        up = order.index(ta) > order.index(tb)
        threshold = tier_floor(model, ta if up else tb)
        key = "wi_tier_up" if up else "wi_tier_down"
        notes.append(Note(key, {"threshold": threshold, "from": term("tier", tb), "to": term("tier", ta)}))
    else:
        notes.append(Note("wi_tier_moves", {"from": term("tier", tb), "to": term("tier", ta)}))
    if a["override_tier"] is not None:
        notes.append(Note("wi_override", {"tier": term("tier", str(a["override_tier"]))}))
    return notes


# --------------------------------------------------------------------------------------
# Process rules
# --------------------------------------------------------------------------------------


def _rule(name: str) -> tuple[str, tuple[str, str]]:
    """(field name, (section, key)) of a rule given by field name or dotted TOML key."""
    if name in RULES:
        return name, RULES[name]
    for field_name, place in RULES.items():
        if name == ".".join(place):
            return field_name, place
    raise ValueError(t("learn.wp_unknown_rule", None, name=name, known=", ".join(RULES)))


def changed_config(config: ProcessConfig | str | Path | None, overrides: Mapping[str, int]) -> ProcessConfig:
    """``config`` with ``overrides`` applied, read back through :func:`casekit.load_process_config`
    (so a bad value raises the same ``ConfigError``).

    >>> changed_config(None, {"follow_up_cadence_days.high": 7}).cadence("high")
    7
    """
    doc = tomllib.loads(load_process_config(config).to_toml())
    for name, days in overrides.items():
        _, (section, key) = _rule(name)
        table = doc
        for part in section.split("."):
            table = table[part]
        table[key] = days
    return load_process_config(dump_toml(doc))


def what_if_process(
    data: CaseData | ValidationResult,
    case_id: str,
    overrides: Mapping[str, int],
    *,
    as_of: dt.date,
    config: ProcessConfig | str | Path | None = None,
    model: RiskModel | None = None,
) -> ProcessWhatIf:
    """The flags of ``case_id`` under ``config`` and under ``config`` with ``overrides``
    (rule name → days, see :data:`RULES`): which appear, clear or change due date, and why.
    """
    before_cfg = load_process_config(config)
    after_cfg = changed_config(before_cfg, overrides)
    model = model or load_model()
    one = one_case(data, case_id)
    scores = score_one(data, one, case_id, model=model, as_of=as_of)
    before = case_status(one, as_of=as_of, config=before_cfg, risk=scores, model=model)
    if before.height == 0:
        raise ValueError(t("learn.unknown_case", None, case_id=case_id, as_of=as_of.isoformat()))
    after = case_status(one, as_of=as_of, config=after_cfg, risk=scores, model=model)
    b, a = before.row(0, named=True), after.row(0, named=True)
    due_b = dict(zip(b["flags"], b["flag_due_on"], strict=True))
    due_a = dict(zip(a["flags"], a["flag_due_on"], strict=True))
    shown = [f for f in FLAGS if f in due_b or f in due_a]
    change = [
        "appears" if f not in due_b else "clears" if f not in due_a else "same" if due_b[f] == due_a[f] else "moves"
        for f in shown
    ]
    flags = pl.DataFrame(
        {"flag": shown, "due_before": [due_b.get(f) for f in shown], "due_after": [due_a.get(f) for f in shown]},
        schema={"flag": pl.String, "due_before": pl.Date, "due_after": pl.Date},
    ).with_columns(change=pl.Series(change, dtype=pl.String))
    notes = [
        Note(
            "wp_rule",
            {
                "rule": Label(t(f"learn.rule_{name}", "en"), t(f"learn.rule_{name}", "es")),
                "before": getattr(before_cfg, name),
                "after": getattr(after_cfg, name),
            },
        )
        for name in dict.fromkeys(_rule(n)[0] for n in overrides)
        if getattr(before_cfg, name) != getattr(after_cfg, name)
    ]
    for f, what in zip(shown, change, strict=True):
        params = {"flag": flag_term(f), "before": due_b.get(f), "after": due_a.get(f), "as_of": as_of}
        if what == "appears":
            notes.append(Note("wp_appears", {**params, "due_on": due_a[f]}))
        elif what in ("clears", "moves"):
            notes.append(Note(f"wp_{what}", params))
    if not any(c != "same" for c in change):
        notes.append(Note("wp_same"))
    return ProcessWhatIf(case_id, before_cfg, after_cfg, b, a, flags, tuple(notes))


def recorded_inputs(
    data: CaseData | ValidationResult, case_id: str, columns: list[str], *, as_of: dt.date
) -> dict[str, object]:
    """The values of ``columns`` in the client's latest assessment on or before ``as_of``
    (the one :func:`casekit.score_risk` scores); empty when the client has none.

    >>> import casekit as ck
    >>> data = ck.make_sample(20, seed=3)
    >>> sorted(recorded_inputs(data, "C00004", ["phq9", "systolic_bp"], as_of=ck.SAMPLE_AS_OF))
    ['phq9', 'systolic_bp']
    """
    one = one_case(data, case_id)
    clean = one.data if isinstance(one, ValidationResult) else one
    df = clean.get("assessments")
    if df is None:
        return {}
    rows = df.filter(pl.col("assessed_on").is_not_null() & (pl.col("assessed_on") <= as_of)).sort("assessed_on", ROW)
    if rows.height == 0:
        return {}
    last = rows.row(rows.height - 1, named=True)
    return {c: last.get(c) for c in columns}
