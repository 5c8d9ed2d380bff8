"""Charts (Altair) of the nine-stage process, risk, care and outcomes, in Spanish or English.

Every builder takes the polars frame of a casekit function (or the workbook), does
its aggregation in polars, and returns an Altair chart carrying only the aggregated
rows (a few hundred marks at most, whatever the size of the caseload), with tooltips,
titles and labels in ``lang``, in one colour-blind-safe palette (Okabe–Ito; the risk
tiers always low = bluish green, moderate = orange, high = vermillion).

When there is nothing to draw (no transitions, no outcome pairs, an unknown client)
a builder never raises: it returns an *empty-state chart* — the title and one line
saying why — for which :func:`is_empty` is true.

:data:`CHARTS` lists every builder (name, function, input, per client or not);
:func:`build_charts` builds them from a workbook; :func:`to_png`, :func:`to_svg` and
:func:`save_chart` turn a chart into an image for a slide.

Examples
--------
>>> import casekit as ck
>>> from casekit import charts
>>> data = ck.make_sample(200, seed=1)
>>> status = ck.case_status(data, as_of=ck.SAMPLE_AS_OF)
>>> chart = charts.funnel_chart(status, lang="es")
>>> chart.to_dict()["title"]["text"]
'Embudo de etapas'
>>> charts.chart_data(chart)["cases"].to_list() == ck.funnel(status)["cases"].to_list()
True
>>> charts.to_png(chart)[:4]
b'\\x89PNG'
"""

from casekit.charts._base import (
    CONTACT_STATUS_COLORS,
    NEUTRAL,
    OKABE_ITO,
    TIER_COLORS,
    chart_data,
    chart_locale,
    is_empty,
    label_expr,
)
from casekit.charts._care import attendance_chart, calendar_chart, transitions_chart
from casekit.charts._export import save_chart, to_png, to_svg
from casekit.charts._outcomes import improved_by_tier_chart, outcomes_chart, utilisation_chart
from casekit.charts._planning import GOAL_STATUS_COLORS, goals_chart
from casekit.charts._process import durations_chart, flags_by_manager_chart, funnel_chart, stage_chart
from casekit.charts._registry import CHARTS, ChartInfo, build_charts
from casekit.charts._risk import factors_chart, fairness_chart, tier_chart
from casekit.charts.explore import cohort_chart, compare_chart

__all__ = [
    "CHARTS",
    "CONTACT_STATUS_COLORS",
    "GOAL_STATUS_COLORS",
    "NEUTRAL",
    "OKABE_ITO",
    "TIER_COLORS",
    "ChartInfo",
    "attendance_chart",
    "build_charts",
    "calendar_chart",
    "chart_data",
    "chart_locale",
    "cohort_chart",
    "compare_chart",
    "durations_chart",
    "factors_chart",
    "fairness_chart",
    "flags_by_manager_chart",
    "funnel_chart",
    "goals_chart",
    "improved_by_tier_chart",
    "is_empty",
    "label_expr",
    "outcomes_chart",
    "save_chart",
    "stage_chart",
    "tier_chart",
    "to_png",
    "to_svg",
    "transitions_chart",
    "utilisation_chart",
]
