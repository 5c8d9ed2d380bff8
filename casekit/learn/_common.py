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

from casekit._case_index import coded, is_coded, slice_view, to_index
from casekit.contract import ROW, SHEETS, VOCABS, Label
from casekit.data import CaseData, ValidationResult
from casekit.i18n import normalize_lang, t
from casekit.present import format_date, format_number, readable
from casekit.stages import flag_label, stage_label, status_data

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
        text = format_number(int(value) if value.is_integer() else round(value, 2), lang)
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

    def cut(
        frames: Mapping[str, pl.DataFrame], view: CaseData | None = None, index: int = 0
    ) -> dict[str, pl.DataFrame]:
        out = {}
        for name, frame in frames.items():
            df = frame
            if "case_id" in df.columns:
                if ROW not in df.columns and name in SHEETS:
                    # keep the spreadsheet row the rules use to break ties
                    df = df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
                if view is not None:  # a comparison of numbers picks the client's rows
                    df = df.filter(view[name]["case_id"] == index)
                else:
                    df = df.filter(pl.col("case_id").cast(pl.String) == case_id)
            out[name] = df
        return out

    def cut_data(clean: CaseData, result: ValidationResult | None = None) -> CaseData:
        """The client's rows of ``clean``, on the case index of the whole data when it has
        one (issue 18: computed once per data, shared by the slice: none computed for it).
        A client whose own row was set aside takes its number in that index extended to
        the rows put back (:func:`casekit.stages.status_data` of ``result``)."""
        view = numbers = coded(clean)
        one = pl.DataFrame({"case_id": [case_id]})
        found = to_index(view, one) if is_coded(view) else None
        if found is None and result is not None and is_coded(view):
            numbers = coded(status_data(result))
            same = is_coded(numbers) and numbers.family is view.family
            found = to_index(numbers, one) if same else None
        if not is_coded(view) or not is_coded(numbers) or found is None:
            return CaseData(cut(clean.sheets), source=clean.source, headers=clean.headers)
        index = int(found["case_id"][0])
        part = CaseData(cut(clean.sheets, view, index), source=clean.source, headers=clean.headers)
        keyed = {
            name: df.with_columns(view[name]["case_id"].filter(view[name]["case_id"] == index))
            if "case_id" in df.columns
            else df
            for name, df in part.sheets.items()
        }
        return slice_view(part, numbers, keyed)

    if isinstance(data, ValidationResult):
        held = cut(data.quarantined)
        return ValidationResult(
            data=cut_data(data.data, data),
            report=data.report.clear(),
            quarantined=held,
            issues=_issues_of(data.issues, held),
            lang=data.lang,
        )
    return cut_data(data)


def _issues_of(issues: pl.DataFrame | None, held: Mapping[str, pl.DataFrame]) -> pl.DataFrame | None:
    """The validation issues of the rows ``held`` (sheet → rows set aside, with ``_row``) and
    of whole sheets (no row): what the stage engine reads to tell a row set aside for its own
    error from one set aside with its case's row (which it puts back).

    >>> issues = pl.DataFrame({"sheet": ["cases", "cases", "goals"], "row": [3, 4, None]})
    >>> _issues_of(issues, {"cases": pl.DataFrame({"_row": [3]})}).rows()
    [('cases', 3), ('goals', None)]
    """
    if issues is None:
        return None
    keys = [
        df.select(sheet=pl.lit(name, pl.String), row=pl.col(ROW).cast(pl.Int64), _mine=pl.lit(value=True))
        for name, df in held.items()
        if ROW in df.columns and df.height
    ]
    if not keys:
        return issues.filter(pl.col("row").is_null())
    mine = pl.concat(keys).unique(["sheet", "row"])
    return (
        issues.join(mine, on=["sheet", "row"], how="left", maintain_order="left")
        .filter(pl.col("row").is_null() | pl.col("_mine"))
        .drop("_mine")
    )


def labelled(df: pl.DataFrame, lang: str, *, sheet: str | None = None) -> pl.DataFrame:
    """``df`` as a person reads it (:func:`casekit.present.readable`), with the two things
    only Learn has: a bilingual pair of columns (``factor_en`` / ``factor_es``) shows the
    one of ``lang``, and a sheet's columns keep the headers of the workbook the learner has
    open (``sheet``).

    >>> df = pl.DataFrame({"decision": ["refer_to_assessment"], "claims_12m": [2]})
    >>> labelled(df, "es", sheet="screenings").rows(named=True)
    [{'decision': 'Derivar a evaluación', 'reclamaciones_12m': '2'}]
    >>> labelled(pl.DataFrame({"factor_en": ["Age"], "factor_es": ["Edad"], "points_before": [2.0]}), "es").row(0)
    ('Edad', '2')
    """
    lang = normalize_lang(lang)
    other = "en" if lang == "es" else "es"
    pairs = [c[: -len(lang) - 1] for c in df.columns if c.endswith(f"_{lang}") and f"{c[:-3]}_{other}" in df.columns]
    df = df.drop([f"{c}_{other}" for c in pairs]).rename({f"{c}_{lang}": c for c in pairs})
    columns = SHEETS[sheet].columns if sheet in SHEETS else {}
    return readable(df, lang, headers={c: columns[c].label(lang) for c in df.columns if c in columns})
