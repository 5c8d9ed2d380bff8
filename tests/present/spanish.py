"""What a Spanish screen or file must not show: ``None``, ``nan``, English number and
date formats, English vocabulary ids (the ones that are not also Spanish words)."""

from __future__ import annotations

import re
from functools import cache

from casekit.contract import VOCABS
from casekit.present._vocab import CATALOGUE_VOCABULARIES, MODEL_VOCABULARIES, vocabulary

#: ``92.8``, ``1,373.91``: an English decimal point (Spanish ``1.373`` has three digits after it).
ENGLISH_DECIMAL = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})*\.(?:\d{1,2}|\d{4,})(?![\d.,])")
#: ``2026-09-30``: the English (ISO) date on a Spanish screen.
ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
NONE_OR_NAN = re.compile(r"\b(?:None|nan|NaN|null)\b")


@cache
def english_ids() -> frozenset[str]:
    """Vocabulary ids a Spanish reader would see as English: every id that is not also
    a Spanish label (``normal``, ``crisis``, ``error`` are Spanish words too)."""
    names = [*VOCABS, *CATALOGUE_VOCABULARIES, *MODEL_VOCABULARIES]
    labels = {name: vocabulary(name, "es") for name in names}
    spanish = {text.lower() for vocab in labels.values() for text in vocab.values()}
    return frozenset(i for vocab in labels.values() for i in vocab if i.lower() not in spanish and not i.isupper())


def problems(text: str) -> list[str]:
    """What is wrong with ``text`` shown to a Spanish reader (empty: nothing).

    Ids with an underscore (``goal_overdue``) are found anywhere; a one-word id
    (``high``) only as a whole cell (``cells``), since free text a team typed (a
    programme called "Transitional care after discharge") may hold the same word.
    """
    found = [m.group() for rx in (NONE_OR_NAN, ENGLISH_DECIMAL, ISO_DATE) for m in rx.finditer(text)]
    compound = sorted((re.escape(i) for i in english_ids() if "_" in i), key=len, reverse=True)
    return found + [m.group() for m in re.finditer(r"(?<![\w-])(" + "|".join(compound) + r")(?![\w-])", text)]


def cell_problems(cells: list[str]) -> list[str]:
    """:func:`problems` of each cell, plus cells (or parts of a list ``a, b``) that are an id."""
    found = [p for cell in cells for p in problems(cell)]
    return found + [part for cell in cells for part in cell.split(", ") if part in english_ids()]
