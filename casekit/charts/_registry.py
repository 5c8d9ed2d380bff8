"""Every chart builder, listed once, so the app and the report can enumerate them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from casekit.charts._base import text
from casekit.charts._care import attendance_chart, calendar_chart, transitions_chart
from casekit.charts._outcomes import improved_by_tier_chart, outcomes_chart, utilisation_chart
from casekit.charts._process import durations_chart, flags_by_manager_chart, funnel_chart, stage_chart
from casekit.charts._risk import factors_chart, fairness_chart, tier_chart
from casekit.data import CaseData, ValidationResult

__all__ = ["CHARTS", "ChartInfo", "build_charts"]


@dataclass(frozen=True)
class ChartInfo:
    """One chart builder: its ``name``, the function, the frame it takes (``input``: the
    casekit function whose output it draws, or ``data`` for the workbook) and whether it
    is about one client (``per_case``: the builder also takes a ``case_id``)."""

    name: str
    builder: Callable[..., Any]
    input: str
    per_case: bool = False

    def title(self, lang: str | None = None) -> str:
        """The chart's title in ``lang``."""
        return text(f"{self.name}_title", lang, case_id="…")


#: The builders, in the order a report shows them.
CHARTS: dict[str, ChartInfo] = {
    info.name: info
    for info in (
        ChartInfo("funnel", funnel_chart, "case_status"),
        ChartInfo("stage", stage_chart, "case_status"),
        ChartInfo("durations", durations_chart, "stage_durations"),
        ChartInfo("flags_by_manager", flags_by_manager_chart, "case_status"),
        ChartInfo("tier", tier_chart, "score_risk"),
        ChartInfo("factors", factors_chart, "score_risk", per_case=True),
        ChartInfo("fairness", fairness_chart, "fairness_summary"),
        ChartInfo("calendar", calendar_chart, "data", per_case=True),
        ChartInfo("attendance", attendance_chart, "data"),
        ChartInfo("transitions", transitions_chart, "data"),
        ChartInfo("outcomes", outcomes_chart, "outcome_summary"),
        ChartInfo("improved_by_tier", improved_by_tier_chart, "outcome_summary"),
        ChartInfo("utilisation", utilisation_chart, "utilisation_summary"),
    )
}

#: What :func:`build_charts` computes for each chart that does not read the workbook itself.
_SOURCES = {
    "funnel": "case_status",
    "stage": "case_status",
    "durations": "stage_durations",
    "flags_by_manager": "case_status",
    "tier": "scores",
    "factors": "scores",
    "fairness": "fairness_summary",
    "outcomes": "outcome_summary",
    "improved_by_tier": "improved_summary",
    "utilisation": "utilisation_summary",
}


def build_charts(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date,
    lang: str | None = None,
    names: Iterable[str] | None = None,
    case_id: str | None = None,
) -> dict[str, Any]:
    """Build the charts ``names`` (default: all; the per-client ones only when ``case_id``
    is given) from a workbook as of a date, computing each casekit input once.

    Caseload charts use the shared (small-cell suppressed) summaries: ``outcomes`` and
    ``improved_by_tier`` from :func:`~casekit.outcomes.outcome_summary`, ``utilisation``
    from :func:`~casekit.outcomes.utilisation_summary`, ``fairness`` from
    :func:`~casekit.risk.fairness_summary`. A data quality problem of the workbook is
    :func:`~casekit.validation.validate`'s business: pass its result.

    Examples
    --------
    >>> from casekit.sample import SAMPLE_AS_OF, make_sample
    >>> charts = build_charts(make_sample(60, seed=1), as_of=SAMPLE_AS_OF, names=["funnel", "tier"], lang="es")
    >>> list(charts)
    ['funnel', 'tier']
    """
    from casekit import outcomes, risk, stages

    wanted = (
        list(names) if names is not None else [n for n, i in CHARTS.items() if case_id is not None or not i.per_case]
    )
    unknown = [n for n in wanted if n not in CHARTS]
    if unknown:
        from casekit.errors import CasekitError

        raise CasekitError("charts.unknown_chart", lang=lang, name=", ".join(unknown), names=", ".join(CHARTS))
    cache: dict[str, Any] = {}

    def get(key: str) -> Any:
        if key not in cache:
            if key == "scores":
                cache[key] = risk.score_risk(data, as_of=as_of)
            elif key == "case_status":
                cache[key] = stages.case_status(data, as_of=as_of, risk=get("scores"))
            elif key == "stage_durations":
                cache[key] = stages.stage_durations(stages.stage_entries(data, as_of=as_of))
            elif key == "fairness_summary":
                cache[key] = risk.fairness_summary(data, get("scores"))
            elif key == "changes":
                cache[key] = outcomes.outcome_changes(data, as_of=as_of)
            elif key == "outcome_summary":
                cache[key] = outcomes.outcome_summary(data, as_of=as_of, changes=get("changes"))
            elif key == "improved_summary":
                cache[key] = outcomes.outcome_summary(
                    data, by=["effective_tier"], as_of=as_of, changes=get("changes"), scores=get("scores")
                )
            elif key == "utilisation_summary":
                cache[key] = outcomes.utilisation_summary(data, as_of=as_of)
        return cache[key]

    out: dict[str, Any] = {}
    for name in wanted:
        info = CHARTS[name]
        if info.per_case and case_id is None:
            continue
        if name == "calendar":
            out[name] = calendar_chart(data, case_id or "", lang=lang, as_of=as_of)
        elif name == "attendance":
            out[name] = attendance_chart(data, lang=lang, as_of=as_of)
        elif name == "transitions":
            out[name] = transitions_chart(data, lang=lang)
        elif info.per_case:
            out[name] = info.builder(get(_SOURCES[name]), case_id, lang=lang)
        else:
            out[name] = info.builder(get(_SOURCES[name]), lang=lang)
    return out
