"""Column headers from one catalogue (``casekit/locales/columns.toml``).

Examples
--------
>>> header("case_manager", "es"), header("case_manager", "en")
('Gestor del caso', 'Case manager')
>>> header("entered_planning", "es"), header("pct_improved_a", "en")
('Entrada en Planificación', 'Improved A')
>>> header("pts_blood_pressure", "es"), header("share_high", "es")
('Puntos: Presión arterial', 'Alto (proporción)')
>>> missing_headers(["case_id", "no_such_column"])
['no_such_column']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from casekit.i18n import message, messages, normalize_lang, t
from casekit.present._vocab import label

__all__ = ["NumberStyle", "header", "missing_headers", "number_style", "screen_headers"]

_DOMAIN = "columns."


class NumberStyle(NamedTuple):
    """How a numeric column is written: ``decimals`` of a float, ``percent`` of a
    fraction, ``grouping`` of thousands (off for years, row and stage numbers)."""

    decimals: int = 2
    percent: bool = False
    grouping: bool = True


class _Entry(NamedTuple):
    key: str
    params: dict[str, str]


@cache
def _families() -> tuple[tuple[re.Pattern[str], str], ...]:
    """``(regex, key)`` of every catalogue entry whose name has a ``{placeholder}``."""
    out = []
    for name in messages(_DOMAIN.rstrip(".")):
        key = _DOMAIN + name
        if "{" in name:
            parts = re.split(r"\{(\w+)\}", name)
            regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+)" for i, p in enumerate(parts))
            out.append((re.compile(f"^{regex}$"), key))
    return tuple(out)


@cache
def _entry(column: str) -> _Entry | None:
    """The catalogue entry of ``column`` and its family's parameters (``None``: no header)."""
    key = _DOMAIN + column
    if message(key) is not None:
        return _Entry(key, {})
    for regex, family in _families():
        match = regex.match(column)
        if match and all(name != "base" or _entry(value) for name, value in match.groupdict().items()):
            return _Entry(family, match.groupdict())
    return None


def header(column: str, lang: str | None) -> str:
    """The header of ``column`` in ``lang`` (the id itself when the catalogue has none:
    never a crash on screen; :func:`missing_headers` is what tests check).

    A family's ``{stage}``, ``{tier}``, ``{measure}``, ``{factor}`` is the label of the
    value in the vocabulary of the column of that name; ``{base}`` is that column's header.
    """
    entry = _entry(column)
    if entry is None:
        return column
    params = {
        name: header(value, lang) if name == "base" else label(name, value, lang)
        for name, value in entry.params.items()
    }
    return t(entry.key, normalize_lang(lang), **params)


def screen_headers(screen: str, columns: Iterable[str], lang: str | None) -> dict[str, str]:
    """The headers a screen words its own way: catalogue entries ``<screen>.col_<column>``
    (kept only where the words really differ from ``columns.toml``).

    >>> screen_headers("ui_screening", ["case_id", "days_in_stage"], "en")
    {'days_in_stage': 'Days waiting'}
    """
    return {c: t(f"{screen}.col_{c}", lang) for c in columns if message(f"{screen}.col_{c}") is not None}


def missing_headers(columns: Iterable[str]) -> list[str]:
    """The columns of ``columns`` that have no header in ``columns.toml``."""
    return [c for c in columns if _entry(c) is None]


def number_style(column: str) -> NumberStyle:
    """How ``column``'s numbers are written (``decimals``, ``percent``) from its catalogue entry.

    >>> number_style("pct_improved_b")
    NumberStyle(decimals=1, percent=True, grouping=True)
    >>> number_style("score"), number_style("opened_year").grouping
    (NumberStyle(decimals=2, percent=False, grouping=True), False)
    """
    entry = _entry(column)
    if entry is None:
        return NumberStyle()
    if "base" in entry.params:
        return number_style(entry.params["base"])
    texts = message(entry.key) or {}
    return NumberStyle(
        int(texts.get("decimals", 2)), bool(texts.get("percent", False)), bool(texts.get("grouping", True))
    )
