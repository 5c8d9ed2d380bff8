"""Plumbing of the Learn walkthrough: a one-case slice of the workbook, bilingual notes,
and frames labelled for people (headers and values in Spanish or English).

Examples
--------
>>> import datetime as dt
>>> note = Note("flag_open", {"flag": flag_term("plan_overdue"), "due_on": dt.date(2026, 9, 1)})
>>> note.text("es")
'Alerta abierta «Plan atrasado» desde el 01/09/2026.'
>>> note.text("en")
'Open flag «Plan overdue» since 2026-09-01.'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from casekit.contract import ROW, SHEETS, VOCABS, Label
from casekit.data import CaseData, ValidationResult
from casekit.i18n import normalize_lang, t
from casekit.present import format_date, formats
from casekit.stages import flag_label, stage_label

__all__ = [
    "Note",
    "flag_term",
    "labelled",
    "one_case",
    "show_value",
    "stage_term",
    "term",
]

#: How dates are written in each language.


def term(vocab: str, value: str | None) -> Label | None:
    """A vocabulary id as a bilingual :class:`~casekit.contract.Label` (``None`` stays ``None``).

    >>> term("tier", "high")("es")
    'Alto'
    """
    if value is None:
        return None
    return VOCABS[vocab].get(value) or Label(value, value)


def stage_term(stage: str) -> Label:
    """A stage id as a bilingual label."""
    return Label(stage_label(stage, "en"), stage_label(stage, "es"))


def flag_term(flag: str) -> Label:
    """A flag id as a bilingual label."""
    return Label(flag_label(flag, "en"), flag_label(flag, "es"))


def show_value(value: object, lang: str) -> str:
    """One value as a person reads it in ``lang``: dates, numbers, yes/no, labels, lists.

    >>> show_value(2.5, "es"), show_value(3.0, "en"), show_value(None, "en"), show_value(True, "es")
    ('2,5', '3', '—', 'sí')
    """
    lang = normalize_lang(lang)
    text = str(value)
    if value is None:
        text = "—"
    elif isinstance(value, Label):
        text = value(lang)
    elif isinstance(value, bool):
        text = t("common.yes" if value else "common.no", lang)
    elif isinstance(value, dt.date):
        text = format_date(value, lang)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")
        text = text.replace(".", ",") if lang == "es" else text
    elif isinstance(value, list | tuple):
        text = ", ".join(show_value(v, lang) for v in value) or "—"
    return text


@dataclass(frozen=True)
class Note:
    """A sentence of the walkthrough: a ``learn.toml`` key and its parameters, rendered in
    either language on demand (so one computed walkthrough serves both)."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The sentence in ``lang``, parameters formatted for that language."""
        return t(f"learn.{self.key}", lang, **{k: show_value(v, lang) for k, v in self.params.items()})


def one_case(data: CaseData | ValidationResult, case_id: str) -> CaseData | ValidationResult:
    """Every sheet cut down to one case's rows (quarantined rows too, so the stage engine
    still flags them). The per-case rules give the same answers on the slice as on the
    whole caseload, instantly.

    >>> d = CaseData({"cases": pl.DataFrame({"case_id": ["A", "B"]})})
    >>> one_case(d, "B")["cases"]["case_id"].to_list()
    ['B']
    """

    def cut(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        out = {}
        for name, frame in frames.items():
            df = frame
            if "case_id" in df.columns:
                if ROW not in df.columns and name in SHEETS:
                    # keep the spreadsheet row the rules use to break ties
                    df = df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
                df = df.filter(pl.col("case_id").cast(pl.String) == case_id)
            out[name] = df
        return out

    if isinstance(data, ValidationResult):
        clean = data.data
        sliced = CaseData(cut(clean.sheets), source=clean.source, headers=clean.headers)
        return ValidationResult(
            data=sliced,
            report=data.report.clear(),
            quarantined=cut(data.quarantined),
            issues=None,
            lang=data.lang,
        )
    return CaseData(cut(data.sheets), source=data.source, headers=data.headers)


def _header(column: str, sheet: str | None, lang: str) -> str:
    spec = SHEETS[sheet].columns.get(column) if sheet in SHEETS else None
    if spec is not None:
        return spec.label(lang)
    key = f"learn.col_{column}"
    text = t(key, lang)
    return column if text == key else text


def labelled(df: pl.DataFrame, lang: str, *, sheet: str | None = None) -> pl.DataFrame:
    """``df`` as a person reads it: vocabulary ids → labels, yes/no, dates and numbers
    as written in ``lang``, headers as in the workbook (sheet columns) or translated.

    >>> df = pl.DataFrame({"decision": ["refer_to_assessment"], "claims_12m": [2]})
    >>> labelled(df, "es", sheet="screenings").rows(named=True)
    [{'decision': 'Derivar a evaluación', 'reclamaciones_12m': '2'}]
    """
    lang = normalize_lang(lang)
    columns = SHEETS[sheet].columns if sheet in SHEETS else {}
    other = "en" if lang == "es" else "es"
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if name.endswith(f"_{other}") and f"{name[:-3]}_{lang}" in df.columns:
            continue  # the same text in the other language
        if name.endswith(f"_{lang}") and f"{name[:-3]}_{other}" in df.columns:
            exprs.append(col.fill_null("").alias(_header(name[:-3], sheet, lang)))
            continue
        spec = columns.get(name)
        vocab = spec.vocab if spec is not None else _DERIVED_VOCABS.get(name)
        if vocab is not None:
            names = {k: v(lang) for k, v in VOCABS[vocab].items()}
            expr = col.cast(pl.String).replace(names)
        elif name in _TERMS:
            expr = col.cast(pl.String).replace({k: v(lang) for k, v in _TERMS[name]().items()})
        elif dtype == pl.Date:
            expr = col.dt.strftime(formats(lang).date)
        elif dtype == pl.Boolean:
            yes, no = t("common.yes", lang), t("common.no", lang)
            expr = pl.when(col).then(pl.lit(yes)).when(~col).then(pl.lit(no))
        elif dtype.is_float():
            expr = col.round(2).cast(pl.String)
            expr = expr.str.replace(r"\.0$", "")
            if lang == "es":
                expr = expr.str.replace(".", ",", literal=True)
        else:
            expr = col.cast(pl.String)
        exprs.append(expr.fill_null("").alias(_header(name, sheet, lang)))
    return df.select(exprs)


#: Columns of derived frames holding vocabulary ids.
_DERIVED_VOCABS = {
    "tier": "tier",
    "tier_before": "tier",
    "tier_after": "tier",
    "override_tier": "tier",
    "effective_tier": "tier",
    "computed_tier": "tier",
    "index_kind": "transition_kind",
    "from_level": "level_of_care",
    "to_level": "to_level",
}


def _stage_names() -> dict[str, Label]:
    from casekit.stages import STAGES

    return {s: stage_term(s) for s in STAGES}


def _flag_names() -> dict[str, Label]:
    from casekit.stages import FLAGS

    return {f: flag_term(f) for f in FLAGS}


def _directions() -> dict[str, Label]:
    return {d: Label(t(f"learn.direction_{d}", "en"), t(f"learn.direction_{d}", "es")) for d in _DIRECTIONS}


def _changes() -> dict[str, Label]:
    return {c: Label(t(f"learn.change_{c}", "en"), t(f"learn.change_{c}", "es")) for c in _FLAG_CHANGES}


_DIRECTIONS = ("improved", "worsened", "unchanged")
_FLAG_CHANGES = ("appears", "clears", "moves", "same")
_TERMS = {"stage": _stage_names, "flag": _flag_names, "direction": _directions, "change": _changes}
