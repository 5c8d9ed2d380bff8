"""One map of column → vocabulary, and the labels of every vocabulary id.

A vocabulary is either one of the workbook contract's (:data:`casekit.contract.VOCABS`)
or a set of catalogue entries sharing a prefix (``stages.stage_<id>``, ``stages.flag_<id>``
…). :data:`COLUMN_VOCABULARY` says which vocabulary the values of each column come
from: the contract's columns, plus the columns casekit derives (``effective_tier``,
``current_stage``, ``flag``, ``to_stage``, ``direction`` …). Risk factors and red
flags take their labels from the default risk model. A column found in two
sheets with two vocabularies (``status`` of goals and of contacts) uses both: their ids
never disagree on a label (a test checks it).

Examples
--------
>>> label("effective_tier", "high", "es"), label("current_stage", "risk", "en")
('Alto', 'Risk stratification')
>>> label("status", "attended", "es"), label("status", "achieved", "es")
('Realizado', 'Logrado')
>>> label("flags", "goal_overdue", "es"), label("case_id", "C-1", "es")
('Objetivo vencido', 'C-1')
>>> label("group", "female", "es"), label("grouping", "age_band", "en"), label("sheet", "screenings", "es")
('Mujer', 'Age', 'cribados')
>>> label("column", "client_name", "es"), label("column", "age_band", "es"), label("provider", "other", "es")
('nombre_cliente', 'Grupo de edad', 'otro')
>>> label("column", "year", "es"), label("column", "year", "en")
('Año', 'year')
>>> label("activity", "contact:phone_call:attended", "es")
'Contacto · Llamada telefónica · Realizado'
>>> vocabulary_of("to_level"), vocabulary_of("direction[PHQ-9]")
(('to_level',), ('direction',))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from casekit.contract import DERIVED_COLUMNS, SHEETS, VOCABS
from casekit.i18n import messages, normalize_lang, t

__all__ = [
    "CATALOGUE_VOCABULARIES",
    "COLUMN_VOCABULARY",
    "MODEL_VOCABULARIES",
    "column_labels",
    "label",
    "model_vocabulary",
    "vocabulary",
    "vocabulary_of",
]

#: Vocabularies kept in the catalogues: name → (key prefix, ids); ``None``: every key
#: with that prefix (the id is what follows it).
CATALOGUE_VOCABULARIES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "stage": ("stages.stage_", None),
    "flag": ("stages.flag_", None),
    "direction": ("outcomes.direction_", None),
    "baseline_source": ("outcomes.source_", None),
    "instrument_severity": ("ui_assessment.severity_", None),
    "bp_category": ("ui_assessment.bp_", None),
    "bmi_class": ("ui_assessment.bmi_", None),
    "measure": ("charts.measure_", None),
    "issue_severity": ("common.", ("error", "warning")),
    "grouping": ("charts.grouping_", None),
    "all_cases": ("charts.group_", ("all",)),
    "rate_unit": ("outcomes.rate_unit_", None),
    "measure_kind": ("outcomes.kind_", None),
    "not_used_because": ("outcomes.not_used_", None),
    "post_transition_status": ("ui_transitions.status_", None),
    "event": ("events.", None),
    "worklist_detail": ("stages.detail_", None),
    "flag_change": ("learn.change_", None),
    "audit_action": ("workspace.action_", None),
    "kept_other": ("deid.value_", ("other",)),  # a de-identified extract's rare kept text
}
#: Vocabularies of the default risk model: its factors and its red flags.
MODEL_VOCABULARIES = ("factor", "red_flag")


def _contract_columns() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for sheet in SHEETS.values():
        for column in sheet.columns.values():
            if column.vocab and column.vocab not in out.get(column.name, ()):
                out[column.name] = (*out.get(column.name, ()), column.vocab)
    return out


#: Column id → the vocabularies its values come from (first match wins).
COLUMN_VOCABULARY: dict[str, tuple[str, ...]] = _contract_columns() | {
    "tier": ("tier",),
    "effective_tier": ("tier",),
    "computed_tier": ("tier",),
    "deadline_tier": ("tier",),
    "tier_before": ("tier",),
    "tier_after": ("tier",),
    "lace_tier": ("tier",),
    "stage": ("stage",),
    "current_stage": ("stage",),
    "from_stage": ("stage",),
    "to_stage": ("stage",),
    "flag": ("flag",),
    "flags": ("flag",),
    "change": ("flag_change",),  # a flag under a what-if rule (a numeric change is a number, never looked up)
    "direction": ("direction",),
    "rate_unit": ("rate_unit",),
    "measure_kind": ("measure_kind",),
    "not_used_because": ("not_used_because",),
    "baseline_source": ("baseline_source",),
    "after_kind": ("transition_kind",),
    "contact_status": ("contact_status", "post_transition_status"),
    "phq9_severity": ("instrument_severity",),
    "gad7_severity": ("instrument_severity",),
    "bp_category": ("bp_category",),
    "bmi_class": ("bmi_class",),
    "measure": ("measure", "kept_other"),
    "severity": ("issue_severity",),
    "activity": ("event", "close_reason", "contact_kind", "contact_status", "timepoint", "decision", "transition_kind"),
    "grouping": ("grouping",),
    "group": ("all_cases", "sex"),
    "sheet": ("sheet",),
    "column": ("column",),
    # kept text of a de-identified extract: the rare values are "other" (casekit.deid.OTHER)
    "program": ("kept_other",),
    "ethnicity": ("kept_other",),
    "language": ("kept_other",),
    "service": ("kept_other",),
    "provider": ("kept_other",),
    "factor": ("factor",),
    "missing_factors": ("factor",),
    "red_flags": ("red_flag",),
    "index_kind": ("transition_kind",),
    "action": ("audit_action",),
    # the worklist's detail: which red flag(s), which transition(s) (kind and id), which sheet(s)
    "detail": ("red_flag", "transition_kind", "sheet", "worklist_detail"),
    "flag_detail": ("red_flag", "transition_kind", "sheet", "worklist_detail"),
}

#: Columns named after a pattern: ``direction[<measure>]`` of a cohort frame.
_PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = ((re.compile(r"^direction\[.+\]$"), ("direction",)),)


#: Columns whose ids are made of parts (``contact:phone_call:attended``): the separator.
COMPOUND: dict[str, str] = {"activity": ":"}


def vocabulary_of(column: str) -> tuple[str, ...]:
    """The vocabularies of ``column``'s values (empty: free text, shown as written)."""
    if column in COLUMN_VOCABULARY:
        return COLUMN_VOCABULARY[column]
    return next((names for pattern, names in _PATTERNS if pattern.match(column)), ())


@cache
def _vocabulary(name: str, lang: str) -> Mapping[str, str]:
    if name in VOCABS:
        return {k: v(lang) for k, v in VOCABS[name].items()}
    if name == "sheet":
        return {k: sheet.label(lang) for k, sheet in SHEETS.items()}
    if name == "column":  # a workbook's column: its header in that language's workbook
        # the extract's own columns, and ``year``: the opening year k-anonymity may band
        # (a step of :func:`casekit.deid.deidentify`, never a written column)
        own = (*(c for cs in DERIVED_COLUMNS.values() for c in cs), "year")
        derived = {c: t(f"columns.{c}", lang) if lang == "es" else c for c in own}
        return derived | {c: spec.label(lang) for sheet in SHEETS.values() for c, spec in sheet.columns.items()}
    if name in MODEL_VOCABULARIES:
        # imported here: the risk model reads workbook names through casekit.io, whose
        # writers use this module (a top-level import would be a cycle)
        from casekit.risk.model import load_model

        model = load_model()
        return {item.name: item.label(lang) for item in (model.factors if name == "factor" else model.red_flags)}
    prefix, ids = CATALOGUE_VOCABULARIES[name]
    if ids is None:
        domain, _, start = prefix.partition(".")
        ids = tuple(key.removeprefix(start) for key in messages(domain) if key.startswith(start))
    return {i: t(prefix + i, lang) for i in ids}


def vocabulary(name: str, lang: str | None) -> dict[str, str]:
    """``{id: label}`` of vocabulary ``name`` in ``lang``, in its declared order.

    >>> list(vocabulary("tier", "es").values())
    ['Bajo', 'Moderado', 'Alto']
    """
    return dict(_vocabulary(name, normalize_lang(lang)))


def model_vocabulary(model: Any, name: str, lang: str | None) -> dict[str, str]:
    """``{id: label}`` of the factors (``name="factor"``) or red flags (``"red_flag"``) of
    ``model`` (a :class:`casekit.risk.RiskModel`): a team's own entries included.

    >>> from casekit.risk.model import load_model
    >>> model_vocabulary(load_model(), "red_flag", "es")["unsafe_home"]
    'Entorno doméstico inseguro'
    """
    items = model.factors if name == "factor" else model.red_flags
    return {item.name: item.label(normalize_lang(lang)) for item in items}


def column_labels(column: str, lang: str | None, model: Any = None) -> dict[str, str]:
    """``{id: label}`` of every id ``column`` can hold (its vocabularies merged).

    ``model``: the risk model in use (a :class:`casekit.risk.RiskModel`); its factors and
    red flags name the ``factor`` and ``red_flag`` ids, a team's own ones included
    (without it, the shipped model's).
    """
    out: dict[str, str] = {}
    for name in reversed(vocabulary_of(column)):
        if model is not None and name in MODEL_VOCABULARIES:
            out |= model_vocabulary(model, name, lang)
        else:
            out |= _vocabulary(name, normalize_lang(lang))
    return out


def label(column: str, value: str | None, lang: str | None, model: Any = None) -> str:
    """The label of ``value`` in ``column``'s vocabulary; ids outside it as written.
    ``model``: the risk model whose factors and red flags are named (see :func:`column_labels`).

    >>> label("sex", None, "es"), label("program", "Cardio", "es")
    ('', 'Cardio')
    """
    if value is None:
        return ""
    labels = column_labels(column, lang, model)
    if column in COMPOUND:
        return " · ".join(labels.get(part, part) for part in value.split(COMPOUND[column]))
    return labels.get(value, value)
