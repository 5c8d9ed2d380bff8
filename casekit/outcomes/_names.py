"""Labels of the outcome ids (directions, "before" sources, domains) in the user's language.

Examples
--------
>>> direction_label("improved", "es"), direction_label("worsened", "en")
('Mejora', 'Worsened')
>>> df = pl.DataFrame({"domain": ["utilization"], "direction": ["unchanged"]})
>>> label_columns(df, "es").row(0)
('utilization', 'unchanged', 'Utilización de servicios', 'Sin cambios')
"""

from __future__ import annotations

import polars as pl

from casekit.contract import VOCABS
from casekit.i18n import t
from casekit.outcomes._changes import DIRECTIONS

__all__ = ["direction_label", "label_columns"]

_SOURCES = ("outcome", "assessment")


def direction_label(direction: str, lang: str | None = None) -> str:
    """Label of ``improved`` / ``worsened`` / ``unchanged`` in ``lang``."""
    return t(f"outcomes.direction_{direction}", lang)


def label_columns(df: pl.DataFrame, lang: str | None = None) -> pl.DataFrame:
    """Add ``domain_label`` / ``direction_label`` / ``baseline_source_label`` next to the
    id columns present in ``df`` (the ids stay: they are what code filters on)."""
    maps = {
        "domain": {k: v(lang or "en") for k, v in VOCABS["outcome_domain"].items()},
        "direction": {d: direction_label(d, lang) for d in DIRECTIONS},
        "baseline_source": {s: t(f"outcomes.source_{s}", lang) for s in _SOURCES},
    }
    exprs = [
        pl.col(col).replace_strict(mapping, default=pl.col(col)).alias(f"{col}_label")
        for col, mapping in maps.items()
        if col in df.columns
    ]
    return df.with_columns(exprs) if exprs else df
