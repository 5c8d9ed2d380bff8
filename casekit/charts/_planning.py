"""Planning charts: goals by domain, stacked by status."""

from __future__ import annotations

import altair as alt
import polars as pl

from casekit.charts._base import NEUTRAL, OKABE_ITO, ROW_HEIGHT, WIDTH, finish, text
from casekit.present import header, vocabulary

__all__ = ["GOAL_STATUS_COLORS", "goals_chart"]

#: Fixed colours of the goal statuses (Okabe–Ito; cancelled in grey).
GOAL_STATUS_COLORS: dict[str, str] = {
    "planned": OKABE_ITO["sky_blue"],
    "in_progress": OKABE_ITO["orange"],
    "achieved": OKABE_ITO["bluish_green"],
    "not_achieved": OKABE_ITO["vermillion"],
    "cancelled": NEUTRAL,
}


def goals_chart(counts: pl.DataFrame, *, lang: str | None = None) -> alt.LayerChart | alt.Chart:
    """Goals by domain (bars), stacked by status in fixed colours. ``counts`` holds
    ``domain_label, status, status_label, goals`` (the Planning screen's
    :func:`casekit.ui.planning.goals_by_domain_status`: already aggregated, a few dozen rows).

    >>> counts = pl.DataFrame({"domain_label": ["Clínico"], "status": ["planned"],
    ...                        "status_label": ["Planificado"], "goals": [3]})
    >>> goals_chart(counts, lang="es").to_dict()["title"]["text"]
    'Objetivos por ámbito y estado'
    """
    names = vocabulary("goal_status", lang)
    ids = vocabulary("goal_status", "en")
    order = pl.col("status").replace_strict({k: i for i, k in enumerate(ids)}, default=len(ids), return_dtype=pl.Int64)
    present = [s for s in names if s in set(counts["status"].to_list())]
    domains = counts["domain_label"].unique(maintain_order=True).to_list()
    statuses = counts.sort(order, nulls_last=True)["status_label"].unique(maintain_order=True)
    others = [s for s in statuses.to_list() if s not in {names[p] for p in present}]
    scale = alt.Scale(
        domain=[names[s] for s in present] + others,
        range=[GOAL_STATUS_COLORS[s] for s in present] + [OKABE_ITO["black"]] * len(others),
    )
    df = counts.with_columns(order.alias("status_order"))
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("domain_label:N", sort=domains, title=None),
            x=alt.X("sum(goals):Q", stack="zero", title=text("axis_goals", lang)),
            color=alt.Color("status_label:N", scale=scale, title=text("legend_goal_status", lang)),
            order=alt.Order("status_order:Q"),
            tooltip=[
                alt.Tooltip("domain_label:N", title=header("domain", lang)),
                alt.Tooltip("status_label:N", title=text("legend_goal_status", lang)),
                alt.Tooltip("goals:Q", title=text("axis_goals", lang), format=","),
            ],
        )
        .properties(width=WIDTH, height=ROW_HEIGHT * max(len(domains), 1))
    )
    # "fit-x": fit the width, keep the plot height; title, axes and legend are added around it
    # (Streamlit's default autosize squeezes them all into ``height``)
    fit = alt.AutoSizeParams(type="fit-x", contains="padding")
    return finish(chart, "goals", text("goals_title", lang)).properties(autosize=fit)
