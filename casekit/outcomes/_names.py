"""Labels of the outcome ids (directions, "before" sources, domains) in the user's language.

Examples
--------
>>> direction_label("improved", "es"), direction_label("worsened", "en")
('Mejora', 'Worsened')

A frame's columns of ids are labelled by :func:`casekit.present.readable`.
"""

from __future__ import annotations

from casekit.i18n import t

__all__ = ["direction_label"]


def direction_label(direction: str, lang: str | None = None) -> str:
    """Label of ``improved`` / ``worsened`` / ``unchanged`` in ``lang``."""
    return t(f"outcomes.direction_{direction}", lang)
