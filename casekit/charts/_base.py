"""Shared pieces of every chart: the palette, titles, the empty state and the chart's
metadata. Labels and number formats come from :mod:`casekit.present` (one presentation
layer); :func:`label_expr` only adds the chart's name for a blank category.

One colour-blind-safe palette (Okabe & Ito, 2008) is used everywhere; the risk tiers
always have the same colours (low bluish green, moderate orange, high vermillion).

Examples
--------
>>> TIER_COLORS["high"], OKABE_ITO["blue"]
('#D55E00', '#0072B2')

"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt
import polars as pl

from casekit.i18n import t
from casekit.present import FORMATS

__all__ = [
    "CONTACT_STATUS_COLORS",
    "EVERY_LABEL",
    "NEUTRAL",
    "OKABE_ITO",
    "TIER_COLORS",
    "color_scale",
    "empty_chart",
    "finish",
    "label_expr",
    "text",
]

#: The Okabe–Ito palette (safe for the common colour-vision deficiencies).
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
#: Grey for "no data", "before", baselines and anything not to be looked at first.
NEUTRAL = "#999999"
#: Fixed tier colours, the same in every chart.
TIER_COLORS: dict[str, str] = {
    "low": OKABE_ITO["bluish_green"],
    "moderate": OKABE_ITO["orange"],
    "high": OKABE_ITO["vermillion"],
}
#: Colours of contact statuses in the care calendar.
CONTACT_STATUS_COLORS: dict[str, str] = {
    "attended": OKABE_ITO["blue"],
    "missed": OKABE_ITO["vermillion"],
    "scheduled": OKABE_ITO["sky_blue"],
    "cancelled": NEUTRAL,
}
#: Sequential range for counts (heatmaps): white to the palette's blue.
SEQUENTIAL = ["#F2F7FB", OKABE_ITO["blue"]]
#: Main colour of single-series bars.
MAIN = OKABE_ITO["blue"]

WIDTH = 480
ROW_HEIGHT = 22


def text(key: str, lang: str | None, /, **params: object) -> str:
    """A text of ``casekit/locales/charts.toml``."""
    return t(f"charts.{key}", lang, **params)


def label_expr(column: str, mapping: Mapping[str, str], lang: str | None) -> pl.Expr:
    """``column``'s ids as a chart (and a grouped table) shows them: mapped through
    ``mapping``, unknown ids kept, null read "(blank)" in ``lang``.

    >>> df = pl.DataFrame({"t": ["high", "x", None]})
    >>> df.select(label_expr("t", {"high": "Alto"}, "es"))["literal"].to_list()
    ['Alto', 'x', '(vacío)']
    """
    col = pl.col(column).cast(pl.String)
    return pl.when(col.is_null()).then(pl.lit(text("blank", lang))).otherwise(col.replace(dict(mapping)))


def color_scale(ids: Iterable[str], colors: Mapping[str, str], names: Mapping[str, str]) -> alt.Scale:
    """A colour scale over the labels of ``ids`` with each id's fixed colour."""
    ids = list(ids)
    return alt.Scale(domain=[names[i] for i in ids], range=[colors[i] for i in ids])


def _title(title: str, subtitle: str | list[str] | None) -> alt.TitleParams:
    if subtitle:
        return alt.TitleParams(text=title, subtitle=subtitle, anchor="start")
    return alt.TitleParams(text=title, anchor="start")


#: Natural size with the title, axes and legend *around* the plot: Streamlit's default
#: sizing otherwise squeezes them into the plot's height and layered charts come out flat.
AUTOSIZE = {"type": "pad", "contains": "padding"}


def finish(chart: Any, name: str, title: str, subtitle: str | list[str] | None = None) -> Any:
    """Title the chart, size it naturally and record which builder made it (``usermeta.casekit``)."""
    return chart.properties(
        title=_title(title, subtitle), autosize=AUTOSIZE, usermeta={"casekit": {"chart": name, "empty": False}}
    )


#: Axis settings that show every category's label: Streamlit's theme turns on
#: ``labelOverlap``, which hides labels that would touch (a heatmap showed 4 of 13 flags).
EVERY_LABEL: dict[str, Any] = {"labelOverlap": False}


def heatmap(base: alt.Chart, df: pl.DataFrame, field: str, legend_title: str) -> alt.LayerChart:
    """Cells coloured by ``df[field]`` with the count printed inside, white on the darker cells."""
    limit = float(df.select(pl.max(field)).item() or 0) * 0.6
    return alt.LayerChart(
        layer=[
            base.mark_rect().encode(
                color=alt.Color(f"{field}:Q", scale=alt.Scale(range=SEQUENTIAL), title=legend_title)
            ),
            base.mark_text(fontSize=11).encode(
                text=alt.Text(f"{field}:Q", format=","),
                color=alt.condition(alt.datum[field] > limit, alt.value("white"), alt.value("#222222")),
            ),
        ]
    )


def empty_chart(name: str, title: str, message: str) -> alt.Chart:
    """The empty state: the chart's title and one line saying why there is nothing to draw.

    ``usermeta.casekit.empty`` is true, so an app can tell (see :func:`is_empty`).
    """
    frame = pl.DataFrame({"message": [message]})
    chart = (
        alt.Chart(frame)
        .mark_text(fontSize=14, color=NEUTRAL, align="center", baseline="middle")
        .encode(text=alt.Text("message:N"))
        .properties(width=WIDTH, height=80)
    )
    return chart.properties(
        title=_title(title, None), autosize=AUTOSIZE, usermeta={"casekit": {"chart": name, "empty": True}}
    )


def is_empty(chart: Any) -> bool:
    """Whether ``chart`` is an empty-state chart (nothing to draw in its input).

    >>> is_empty(empty_chart("funnel", "Funnel", "No cases"))
    True
    """
    meta = getattr(chart, "usermeta", None)
    return isinstance(meta, dict) and bool(meta.get("casekit", {}).get("empty"))


def chart_data(chart: Any) -> pl.DataFrame:
    """The rows a chart carries inline (its top-level data, else its first layer's), as polars.

    These are the already aggregated rows sent to the browser: what a test compares with
    an independent computation, and what an app can offer as "the data behind the chart".

    >>> chart_data(empty_chart("funnel", "Funnel", "No cases"))["message"].to_list()
    ['No cases']
    """
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    name = spec.get("data", {}).get("name")
    if name is None:
        for sub in spec.get("layer", []) + ([spec["spec"]] if "spec" in spec else []):
            name = sub.get("data", {}).get("name")
            if name is not None:
                break
    if name is None:
        return pl.DataFrame()
    rows = datasets[name]
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


_ES_MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
_ES_DAYS = [
    "domingo",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
]


def chart_locale(lang: str | None) -> alt.Locale:
    """The Vega number and time locale of ``lang``: Spanish charts write ``1.373,9`` and ``sept``.

    Apply it to a finished chart with ``chart.configure(locale=chart_locale("es"))``.

    >>> chart_locale("es").to_dict()["number"]["decimal"], chart_locale("en").to_dict()["time"]["shortMonths"][0]
    (',', 'Jan')
    """
    if (lang or "").lower().startswith("es"):
        number = alt.NumberLocale(decimal=",", thousands=".", grouping=[3], currency=["", "\u00a0€"])
        time = alt.TimeLocale(
            dateTime="%A, %e de %B de %Y, %X",
            date=FORMATS["es"].date,
            time="%H:%M:%S",
            periods=["AM", "PM"],
            days=_ES_DAYS,
            shortDays=[d[:3] for d in _ES_DAYS],
            months=_ES_MONTHS,
            shortMonths=[m[:3] if m != "septiembre" else "sept" for m in _ES_MONTHS],
        )
    else:
        number = alt.NumberLocale(decimal=".", thousands=",", grouping=[3], currency=["$", ""])
        months = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
        days = [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ]
        time = alt.TimeLocale(
            dateTime="%x, %X",
            date="%-m/%-d/%Y",
            time="%-I:%M:%S %p",
            periods=["AM", "PM"],
            days=days,
            shortDays=[d[:3] for d in days],
            months=months,
            shortMonths=[m[:3] for m in months],
        )
    return alt.Locale(number=number, time=time)
