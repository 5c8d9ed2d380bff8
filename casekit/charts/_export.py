"""Charts to images for slides and the workbook report, through vl-convert (no browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casekit.export import write_bytes_atomic

__all__ = ["save_chart", "to_png", "to_svg"]


def _spec(chart: Any) -> dict[str, Any]:
    return chart if isinstance(chart, dict) else chart.to_dict()


def to_png(chart: Any, *, scale: float = 2) -> bytes:
    """The chart as PNG bytes (``scale=2``: sharp on a slide).

    >>> import altair as alt, polars as pl
    >>> to_png(alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q"))[:4]
    b'\\x89PNG'
    """
    import vl_convert as vlc

    return vlc.vegalite_to_png(_spec(chart), scale=scale)


def to_svg(chart: Any) -> str:
    """The chart as SVG text.

    >>> import altair as alt, polars as pl
    >>> to_svg(alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q"))[:4]
    '<svg'
    """
    import vl_convert as vlc

    return vlc.vegalite_to_svg(_spec(chart))


def save_chart(chart: Any, path: str | Path, *, scale: float = 2, lang: str | None = None) -> Path:
    """Write the chart to ``path``: ``.png``, ``.svg`` or ``.json`` (the Vega-Lite spec),
    by the file's extension. Returns the path.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".png":
        write_bytes_atomic(path, to_png(chart, scale=scale))
    elif suffix == ".svg":
        write_bytes_atomic(path, to_svg(chart).encode("utf-8"))
    elif suffix == ".json":
        import json

        write_bytes_atomic(path, json.dumps(_spec(chart), ensure_ascii=False, indent=1).encode("utf-8"))
    else:
        from casekit.errors import CasekitError

        raise CasekitError("charts.unknown_format", lang=lang, name=path.name)
    return path
