"""Care charts: one client's care calendar, attendance by contact kind, transitions heatmap."""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from casekit.charts._base import (
    CONTACT_STATUS_COLORS,
    EVERY_LABEL,
    MAIN,
    NEUTRAL,
    OKABE_ITO,
    ROW_HEIGHT,
    WIDTH,
    color_scale,
    empty_chart,
    finish,
    heatmap,
    label_expr,
    text,
)
from casekit.data import CaseData, ValidationResult
from casekit.present import formats, vocabulary

__all__ = ["attendance_chart", "calendar_chart", "transitions_chart"]


def _sheet(data: CaseData | ValidationResult | pl.DataFrame, sheet: str) -> pl.DataFrame | None:
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, ValidationResult):
        data = data.data
    return data.get(sheet)


def calendar_chart(
    data: CaseData | ValidationResult, case_id: str, *, lang: str | None = None, as_of: dt.date | None = None
) -> alt.LayerChart | alt.Chart:
    """One client's care calendar: services as bars from ``start_on`` to ``end_on`` (open
    services run to ``as_of``, else to the client's last date), contacts as points
    coloured by status (one row per kind of contact), transitions as vertical rules and
    ``as_of`` as a dashed rule.

    Examples
    --------
    >>> import datetime as dt
    >>> data = CaseData({"services": pl.DataFrame({"case_id": ["A"], "service": ["Physio"],
    ...     "level_of_care": ["outpatient"], "start_on": [dt.date(2026, 1, 5)], "end_on": [None]},
    ...     schema_overrides={"end_on": pl.Date})})
    >>> chart = calendar_chart(data, "A", as_of=dt.date(2026, 3, 1), lang="es")
    >>> [layer.mark.type for layer in chart.layer]
    ['bar', 'rule']
    """
    title = text("calendar_title", lang, case_id=case_id)
    kinds = vocabulary("contact_kind", lang)
    statuses = vocabulary("contact_status", lang)
    levels = vocabulary("to_level", lang)

    def rows(sheet: str) -> pl.DataFrame:
        df = _sheet(data, sheet)
        if df is None or "case_id" not in df.columns:
            return pl.DataFrame()
        return df.filter(pl.col("case_id") == case_id)

    services, contacts, transitions = rows("services"), rows("contacts"), rows("transitions")
    dates = [
        d
        for df, cols in (
            (services, ("start_on", "end_on")),
            (contacts, ("contact_on",)),
            (transitions, ("transition_on",)),
        )
        for c in cols
        if c in df.columns
        for d in [df[c].max()]
        if d is not None
    ]
    end = as_of or (max(dates) if dates else None)
    layers: list[alt.Chart] = []
    lanes: list[str] = []  # filled below; the y sort of every layer is this same list
    lane_y = alt.Y("lane:N", sort=lanes, title=None)

    if services.height and "start_on" in services.columns:
        svc = services.filter(pl.col("start_on").is_not_null()).with_columns(
            (pl.col("service") if "service" in services.columns else pl.lit(None, pl.String)).alias("service"),
            (pl.col("level_of_care") if "level_of_care" in services.columns else pl.lit(None, pl.String)).alias(
                "level"
            ),
            (pl.col("end_on") if "end_on" in services.columns else pl.lit(None, pl.Date)).alias("end_on"),
        )
        svc = (
            svc.with_columns(
                label_expr("level", levels, lang).alias("level_label"),
                pl.col("end_on").is_null().alias("ongoing"),
                pl.coalesce(pl.col("end_on"), pl.lit(end, pl.Date), pl.col("start_on")).alias("until"),
            )
            .with_columns(
                pl.coalesce(pl.col("service"), pl.col("level_label")).alias("lane"),
                pl.when(pl.col("ongoing"))
                .then(pl.lit(text("ongoing", lang)))
                .otherwise(pl.col("end_on").dt.to_string(formats(lang).date))
                .alias("end_shown"),
            )
            .select("lane", "service", "level_label", "start_on", "until", "end_shown")
            .sort("start_on")
        )
        lanes += svc["lane"].unique(maintain_order=True).to_list()
        layers.append(
            alt.Chart(svc)
            .mark_bar(color=OKABE_ITO["sky_blue"], opacity=0.6, height=14)
            .encode(
                x=alt.X("start_on:T", title=text("axis_date", lang)),
                x2="until:T",
                y=lane_y,
                tooltip=[
                    alt.Tooltip("lane:N", title=text("tt_service", lang)),
                    alt.Tooltip("level_label:N", title=text("tt_level", lang)),
                    alt.Tooltip("start_on:T", title=text("tt_start", lang), format=formats(lang).date),
                    alt.Tooltip("end_shown:N", title=text("tt_end", lang)),
                ],
            )
        )
    if contacts.height and "contact_on" in contacts.columns:
        con = contacts.filter(pl.col("contact_on").is_not_null()).with_columns(
            *[
                (pl.col(c) if c in contacts.columns else pl.lit(None, pl.String)).alias(c)
                for c in ("kind", "status", "with_whom")
            ]
        )
        con = con.with_columns(
            (pl.lit(text("contact_lane", lang)) + label_expr("kind", kinds, lang)).alias("lane"),
            label_expr("status", statuses, lang).alias("status_label"),
            label_expr("with_whom", vocabulary("with_whom", lang), lang).alias("with_label"),
            pl.col("kind")
            .replace_strict({k: i for i, k in enumerate(kinds)}, default=len(kinds), return_dtype=pl.Int64)
            .alias("kind_order"),
        ).sort("kind_order", "contact_on")
        con_lanes = con["lane"].unique(maintain_order=True).to_list()
        lanes += con_lanes
        present = [s for s in statuses if s in set(con["status"].to_list())] or list(statuses)
        layers.append(
            alt.Chart(con.select("lane", "contact_on", "status_label", "with_label"))
            .mark_point(filled=True, size=90, opacity=0.9)
            .encode(
                x=alt.X("contact_on:T", title=text("axis_date", lang)),
                y=lane_y,
                color=alt.Color(
                    "status_label:N",
                    scale=color_scale(present, CONTACT_STATUS_COLORS, statuses),
                    title=text("legend_contact_status", lang),
                ),
                shape=alt.Shape(
                    "status_label:N",
                    scale=alt.Scale(domain=[statuses[s] for s in present]),
                    title=text("legend_contact_status", lang),
                ),
                tooltip=[
                    alt.Tooltip("lane:N", title=text("tt_contact", lang)),
                    alt.Tooltip("contact_on:T", title=text("tt_date", lang), format=formats(lang).date),
                    alt.Tooltip("status_label:N", title=text("legend_contact_status", lang)),
                    alt.Tooltip("with_label:N", title=text("tt_with_whom", lang)),
                ],
            )
        )
    if transitions.height and "transition_on" in transitions.columns:
        tr = transitions.filter(pl.col("transition_on").is_not_null()).with_columns(
            *[
                (pl.col(c) if c in transitions.columns else pl.lit(None, pl.String)).alias(c)
                for c in ("from_level", "to_level", "kind")
            ]
        )
        tr = tr.select(
            "transition_on",
            (label_expr("from_level", levels, lang) + pl.lit(" → ") + label_expr("to_level", levels, lang)).alias(
                "move"
            ),
            label_expr("kind", vocabulary("transition_kind", lang), lang).alias("kind_label"),
        )
        layers.append(
            alt.Chart(tr)
            .mark_rule(color=OKABE_ITO["reddish_purple"], strokeWidth=2)
            .encode(
                x=alt.X("transition_on:T", title=text("axis_date", lang)),
                tooltip=[
                    alt.Tooltip("transition_on:T", title=text("tt_transition", lang), format=formats(lang).date),
                    alt.Tooltip("move:N", title=text("tt_move", lang)),
                    alt.Tooltip("kind_label:N", title=text("tt_kind", lang)),
                ],
            )
        )
    if not layers:
        return empty_chart("calendar", title, text("empty_calendar", lang, case_id=case_id))
    if as_of is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"as_of": [as_of], "label": [text("as_of", lang)]}))
            .mark_rule(color=NEUTRAL, strokeDash=[4, 4])
            .encode(
                x=alt.X("as_of:T", title=text("axis_date", lang)),
                tooltip=[alt.Tooltip("as_of:T", title=text("as_of", lang), format=formats(lang).date)],
            )
        )
    chart = alt.layer(*layers).properties(width=WIDTH + 120, height=max(ROW_HEIGHT * 2 * len(lanes), 60))
    return finish(chart, "calendar", title, text("calendar_subtitle", lang))


def attendance_chart(
    data: CaseData | ValidationResult | pl.DataFrame, *, lang: str | None = None, as_of: dt.date | None = None
) -> alt.LayerChart | alt.Chart:
    """Attendance rate by kind of contact: attended / (attended + missed).

    ``data`` is a workbook or its ``contacts`` sheet; ``as_of`` leaves out later contacts.
    Scheduled and cancelled contacts are not in the rate (they are in the tooltip).

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> contacts = pl.DataFrame({"kind": ["appointment"] * 4,
    ...                          "status": ["attended", "attended", "missed", "cancelled"]})
    >>> chart_data(attendance_chart(contacts)).select("kind", "attended", "missed", "rate").rows()
    [('appointment', 2, 1, 0.6666666666666666)]
    """
    title = text("attendance_title", lang)
    contacts = _sheet(data, "contacts")
    if contacts is None or contacts.height == 0 or not {"kind", "status"} <= set(contacts.columns):
        return empty_chart("attendance", title, text("empty_contacts", lang))
    lf = contacts.lazy()
    if as_of is not None and "contact_on" in contacts.columns:
        lf = lf.filter(pl.col("contact_on") <= as_of)
    kinds = vocabulary("contact_kind", lang)
    df = (
        lf.filter(pl.col("kind").is_not_null())
        .group_by("kind")
        .agg(
            *[
                (pl.col("status") == s).sum().cast(pl.Int64).alias(s)
                for s in ("attended", "missed", "scheduled", "cancelled")
            ]
        )
        .with_columns(
            pl.when(pl.col("attended") + pl.col("missed") > 0)
            .then(pl.col("attended") / (pl.col("attended") + pl.col("missed")))
            .alias("rate"),
            pl.col("kind")
            .replace_strict({k: i for i, k in enumerate(kinds)}, default=99, return_dtype=pl.Int64)
            .alias("kind_order"),
        )
        .sort("kind_order")
        .collect()
    )
    df = df.filter(pl.col("rate").is_not_null()).with_columns(label_expr("kind", kinds, lang).alias("label"))
    if df.height == 0:
        return empty_chart("attendance", title, text("empty_contacts", lang))
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=df["label"].to_list(), title=None),
        x=alt.X(
            "rate:Q", title=text("axis_attendance", lang), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
        ),
        tooltip=[
            alt.Tooltip("label:N", title=text("tt_kind", lang)),
            alt.Tooltip("rate:Q", title=text("axis_attendance", lang), format=".1%"),
            *[
                alt.Tooltip(f"{s}:Q", title=vocabulary("contact_status", lang)[s], format=",")
                for s in ("attended", "missed", "scheduled", "cancelled")
            ],
        ],
    )
    chart = alt.layer(
        base.mark_bar(color=MAIN),
        base.mark_text(align="left", dx=3).encode(text=alt.Text("rate:Q", format=".0%")),
    ).properties(width=WIDTH, height=ROW_HEIGHT * df.height)
    return finish(chart, "attendance", title, text("attendance_subtitle", lang))


def transitions_chart(
    data: CaseData | ValidationResult | pl.DataFrame, *, lang: str | None = None
) -> alt.LayerChart | alt.Chart:
    """Transitions between levels of care: a heatmap of counts, from (rows) → to (columns).

    ``data`` is a workbook or its ``transitions`` sheet.

    Examples
    --------
    >>> from casekit.charts import chart_data
    >>> tr = pl.DataFrame({"from_level": ["inpatient", "inpatient", "outpatient"],
    ...                    "to_level": ["home_health", "home_health", "discharged"]})
    >>> chart_data(transitions_chart(tr)).select("from_level", "to_level", "transitions").rows()
    [('inpatient', 'home_health', 2), ('outpatient', 'discharged', 1)]
    """
    title = text("transitions_title", lang)
    tr = _sheet(data, "transitions")
    if tr is None or tr.height == 0 or not {"from_level", "to_level"} <= set(tr.columns):
        return empty_chart("transitions", title, text("empty_transitions", lang))
    levels = vocabulary("to_level", lang)
    order = {k: i for i, k in enumerate(levels)}
    df = (
        tr.lazy()
        .group_by("from_level", "to_level")
        .agg(pl.len().cast(pl.Int64).alias("transitions"))
        .with_columns(
            pl.col("from_level").replace_strict(order, default=99, return_dtype=pl.Int64).alias("from_order"),
            pl.col("to_level").replace_strict(order, default=99, return_dtype=pl.Int64).alias("to_order"),
        )
        .sort("from_order", "to_order", "from_level", "to_level", nulls_last=True)
        .collect()
    )
    df = df.with_columns(
        label_expr("from_level", levels, lang).alias("from_label"),
        label_expr("to_level", levels, lang).alias("to_label"),
        (pl.col("transitions") / pl.col("transitions").sum().over("from_level")).alias("share_from"),
    )
    rows = df["from_label"].unique(maintain_order=True).to_list()
    cols = df.sort("to_order", "to_level", nulls_last=True)["to_label"].unique(maintain_order=True).to_list()
    base = alt.Chart(df).encode(
        x=alt.X("to_label:N", sort=cols, title=text("axis_to_level", lang), axis=EVERY_LABEL | {"labelAngle": -30}),
        y=alt.Y("from_label:N", sort=rows, title=text("axis_from_level", lang), axis=EVERY_LABEL),
        tooltip=[
            alt.Tooltip("from_label:N", title=text("axis_from_level", lang)),
            alt.Tooltip("to_label:N", title=text("axis_to_level", lang)),
            alt.Tooltip("transitions:Q", title=text("tt_transitions", lang), format=","),
            alt.Tooltip("share_from:Q", title=text("tt_share_from", lang), format=".1%"),
        ],
    )
    chart = heatmap(base, df, "transitions", text("tt_transitions", lang)).properties(
        width=max(300, 60 * len(cols)), height=max(120, 30 * len(rows))
    )
    return finish(chart, "transitions", title)
