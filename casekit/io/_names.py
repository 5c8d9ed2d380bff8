"""Matching names written by people to the contract's canonical ids.

Sheet names, column headers and categorical values are compared after
:func:`norm`: lower case, accents removed, spaces, hyphens and underscores dropped.

Examples
--------
>>> norm("Fecha Apertura") == norm("FECHA_APERTURA") == norm("fecha-apertura") == "fechaapertura"
True
>>> sheet_id("Evaluaciones"), sheet_id("risk reviews"), sheet_id("Instrucciones"), sheet_id("notes")
('assessments', 'risk_reviews', '', None)
>>> column_id("cases", "Opened On"), column_id("cases", "Fecha Apertura"), column_id("cases", "nope")
('opened_on', 'opened_on', None)
>>> [derived_id("cases", h) for h in ("Grupo de edad", "Age band", "age")], derived_id("goals", "Edad")
(['age_band', 'age_band', 'age'], None)
>>> vocab_map("sex")["mujer"], vocab_map("to_level")["selfcare"]
('female', 'self_care')
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import polars as pl

from casekit.contract import DERIVED_COLUMNS, SHEETS, VOCABS
from casekit.present import header

#: Helper sheets of the template, ignored without a warning.
HELPER_SHEETS = frozenset({"instructions", "instrucciones", "lists", "listas"})

_DROP = re.compile(r"[\s_\-]+")


def norm(text: str) -> str:
    """Normalise a name or label for comparison (case, accents, spaces, ``-``, ``_``)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _DROP.sub("", plain.casefold())


def norm_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`norm` as a polars expression over a string column."""
    return expr.str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.to_lowercase().str.replace_all(r"[\s_\-]+", "")


@cache
def _sheet_names() -> dict[str, str]:
    out = {norm(h): "" for h in HELPER_SHEETS}
    for sheet in SHEETS.values():
        out[norm(sheet.name)] = sheet.name
        out[norm(sheet.es)] = sheet.name
    return out


def sheet_id(name: str) -> str | None:
    """Canonical sheet id of a sheet/file name; ``""`` for helper sheets; ``None`` if unknown."""
    return _sheet_names().get(norm(name))


@cache
def _column_names(sheet: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in SHEETS[sheet].columns.values():
        out.setdefault(norm(col.es), col.name)
    for col in SHEETS[sheet].columns.values():
        out[norm(col.name)] = col.name  # canonical ids win over aliases
    return out


def column_id(sheet: str, header: str) -> str | None:
    """Canonical column id of a header in ``sheet``, or ``None`` for an extra column."""
    return _column_names(sheet).get(norm(header))


@cache
def _derived_names(sheet: str) -> dict[str, str]:
    return {norm(text): c for c in DERIVED_COLUMNS.get(sheet, ()) for text in (header(c, "es"), header(c, "en"), c)}


def derived_id(sheet: str, text: str) -> str | None:
    """The id of a column casekit derives (:data:`casekit.contract.DERIVED_COLUMNS`, an
    extract's ``age``) from its header in either language (``columns.toml``) or its id."""
    return _derived_names(sheet).get(norm(text))


@cache
def vocab_map(vocab: str) -> dict[str, str]:
    """Normalised id / English label / Spanish label -> canonical id."""
    out: dict[str, str] = {}
    for value, label in VOCABS[vocab].items():
        out.setdefault(norm(label.es), value)
        out.setdefault(norm(label.en), value)
    for value in VOCABS[vocab]:
        out[norm(value)] = value
    return out
