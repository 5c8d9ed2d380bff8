"""Figures of the Screening screen (stage 1), as small pure polars functions.

- :func:`awaiting_screening`: cases whose current stage is screening, which of them are
  overdue (flag ``screening_overdue``), the due date and the days overdue;
- :func:`latest_screenings`: each case's latest screening on or before the as-of date;
- :func:`findings`: shares of each finding (home environment, self-management, finances,
  support network) over those latest screenings, and :func:`finding_chart` to draw one;
- :func:`decisions`: refer / not eligible / declined counts of the latest screenings;
- :func:`not_eligible_open`: the open cases screened as not eligible (flag
  ``not_eligible_but_open``);

The page shows these frames through :func:`casekit.present.readable` (labels, dates,
numbers and headers in the user's language).

Every figure comes from :func:`casekit.case_status` / :func:`casekit.worklist` and the
workbook; the page only draws.

Examples
--------
>>> import casekit as ck
>>> result = ck.validate(ck.make_sample(80, seed=3), as_of=ck.SAMPLE_AS_OF)
>>> status = ck.case_status(result, as_of=ck.SAMPLE_AS_OF)
>>> waiting = awaiting_screening(status)
>>> waiting.height == status.filter(pl.col("current_stage") == "screening").height
True
>>> sorted(decisions(latest_screenings(result.data, as_of=ck.SAMPLE_AS_OF))["decision"].to_list())[:3]
['declined', 'not_eligible', 'refer_to_assessment']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import altair as alt
import polars as pl

from casekit.charts import NEUTRAL, OKABE_ITO
from casekit.contract import SHEETS, VOCABS
from casekit.data import DTYPES, CaseData
from casekit.i18n import t
from casekit.present import header, vocabulary
from casekit.stages import worklist

__all__ = [
    "BLANK",
    "FINDINGS",
    "awaiting_screening",
    "decisions",
    "finding_chart",
    "findings",
    "latest_screenings",
    "managers",
    "not_eligible_open",
]

#: The screening findings shown as charts, in the order of the screen.
FINDINGS: tuple[str, ...] = ("home_environment", "self_management", "financial_situation", "support_network")
#: The id standing for an empty cell in :func:`findings` and :func:`decisions`.
BLANK = ""
#: Colours of a finding's values, best first (each vocabulary is declared best → worst).
_SEVERITY = (OKABE_ITO["bluish_green"], OKABE_ITO["orange"], OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"])


def _tr(key: str, lang: str | None, **params: object) -> str:
    return t(f"ui_screening.{key}", lang, **params)


# --------------------------------------------------------------------------------------
# Cases awaiting screening
# --------------------------------------------------------------------------------------


def managers(status: pl.DataFrame, stage: str = "screening") -> list[str]:
    """The case managers of the cases now in ``stage``, sorted (for the filter).

    >>> managers(pl.DataFrame({"current_stage": ["screening", "screening", "risk"],
    ...                        "case_manager": ["Bo", "Ana", "Cy"]}))
    ['Ana', 'Bo']
    """
    return (
        status.filter(pl.col("current_stage") == stage)["case_manager"].drop_nulls().unique().sort().to_list()
        if status.height
        else []
    )


def awaiting_screening(status: pl.DataFrame, *, manager: str | Sequence[str] | None = None) -> pl.DataFrame:
    """Cases whose current stage is screening, the overdue ones first.

    ``status`` is a :func:`casekit.case_status` frame. Columns ``case_id,
    case_manager, program, stage_entered_on, days_in_stage, overdue, due_on,
    days_overdue`` — ``overdue`` is whether the case carries the flag
    ``screening_overdue``; ``due_on`` and ``days_overdue`` are that flag's (from
    :func:`casekit.worklist`; null when not overdue). ``manager`` keeps that case
    manager's (or those managers') cases.

    >>> st = pl.DataFrame({"case_id": ["A", "B", "C"], "case_manager": ["Ana", "Bo", "Ana"],
    ...     "program": ["p"] * 3, "current_stage": ["screening", "screening", "risk"],
    ...     "stage_entered_on": [dt.date(2026, 9, 1), dt.date(2026, 8, 1), dt.date(2026, 8, 1)],
    ...     "days_in_stage": [29, 60, 60], "flags": [[], ["screening_overdue"], []],
    ...     "flag_due_on": [[], [dt.date(2026, 8, 15)], []], "as_of": [dt.date(2026, 9, 30)] * 3})
    >>> awaiting_screening(st).select("case_id", "overdue", "days_overdue").rows()
    [('B', True, 46), ('A', False, None)]
    >>> awaiting_screening(st, manager="Ana")["case_id"].to_list()
    ['A']
    """
    waiting = status.filter(pl.col("current_stage") == "screening")
    if manager is not None:
        names = [manager] if isinstance(manager, str) else list(manager)
        waiting = waiting.filter(pl.col("case_manager").is_in(names))
    overdue = (
        worklist(waiting).filter(pl.col("flag") == "screening_overdue").select("case_id", "due_on", "days_overdue")
    )
    return (
        waiting.select("case_id", "case_manager", "program", "stage_entered_on", "days_in_stage")
        .join(overdue, on="case_id", how="left")
        .with_columns(pl.col("due_on").is_not_null().alias("overdue"))
        .sort(["days_overdue", "days_in_stage", "case_id"], descending=[True, True, False], nulls_last=True)
        .select(
            "case_id",
            "case_manager",
            "program",
            "stage_entered_on",
            "days_in_stage",
            "overdue",
            "due_on",
            "days_overdue",
        )
    )


# --------------------------------------------------------------------------------------
# Findings and decisions of the latest screening
# --------------------------------------------------------------------------------------


def latest_screenings(data: CaseData, *, as_of: dt.date | None = None) -> pl.DataFrame:
    """Each case's latest screening (by ``screened_on``, then spreadsheet row) dated on or
    before ``as_of``: ``case_id, screened_on``, the four :data:`FINDINGS` and ``decision``.
    A workbook without screenings (or without one of these columns) gives typed nulls.

    >>> data = CaseData({"screenings": pl.DataFrame({"case_id": ["A", "A", "B"],
    ...     "screened_on": [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 12, 1)],
    ...     "decision": ["declined", "refer_to_assessment", "not_eligible"]})})
    >>> latest_screenings(data, as_of=dt.date(2026, 9, 30)).select("case_id", "decision").rows()
    [('A', 'refer_to_assessment')]
    """
    spec = SHEETS["screenings"].columns
    columns = ["case_id", "screened_on", *FINDINGS, "decision"]
    schema = {c: DTYPES[spec[c].kind] for c in columns}
    df = data.get("screenings")
    if df is None:
        return pl.DataFrame(schema=schema)
    order = [pl.col("_row")] if "_row" in df.columns else []
    frame = df.with_row_index("_order").select(
        *[(pl.col(c) if c in df.columns else pl.lit(None)).cast(dtype).alias(c) for c, dtype in schema.items()],
        *(order or [pl.col("_order").alias("_row")]),
    )
    frame = frame.filter(pl.col("case_id").is_not_null() & pl.col("screened_on").is_not_null())
    if as_of is not None:
        frame = frame.filter(pl.col("screened_on") <= as_of)
    return frame.sort("case_id", "screened_on", "_row").unique("case_id", keep="last", maintain_order=True).drop("_row")


def _shares(frame: pl.DataFrame, grid: pl.DataFrame, keys: list[str], total: int) -> pl.DataFrame:
    """Counts of ``frame`` by ``keys`` on the full ``grid`` (zeros kept), with shares of ``total``."""
    counts = frame.group_by(keys).agg(pl.len().cast(pl.Int64).alias("cases"))
    blank_or_extra = counts.join(grid, on=keys, how="anti").with_columns(pl.lit(None, pl.Int64).alias("order"))
    full = grid.join(counts, on=keys, how="left").with_columns(pl.col("cases").fill_null(0))
    return (
        pl.concat([full, blank_or_extra.select(full.columns)])
        .with_columns(
            pl.col("order").fill_null(99),
            (pl.col("cases") / total if total else pl.lit(None, pl.Float64)).alias("share"),
        )
        .sort([*keys[:-1], "order", keys[-1]])
        .drop("order")
    )


def findings(latest: pl.DataFrame) -> pl.DataFrame:
    """Share of each value of each finding over the cases' latest screenings.

    ``latest`` is :func:`latest_screenings`. Columns ``finding, value, cases, share``:
    every value of the finding's vocabulary (zeros kept, in its declared order, best
    first), then :data:`BLANK` for screenings where the finding was not recorded (only
    when there are some). ``share`` is over all cases with a screening. No screening:
    no rows.

    >>> latest = pl.DataFrame({"case_id": ["A", "B"], "home_environment": ["stable", None],
    ...     "self_management": ["dependent", "dependent"], "financial_situation": [None, None],
    ...     "support_network": ["strong", "none"]})
    >>> findings(latest).filter(pl.col("finding") == "home_environment").drop("finding").rows()
    [('stable', 1, 0.5), ('unstable', 0, 0.0), ('unsafe', 0, 0.0), ('', 1, 0.5)]
    """
    schema = {"finding": pl.String, "value": pl.String, "cases": pl.Int64, "share": pl.Float64}
    if latest.height == 0:
        return pl.DataFrame(schema=schema)
    grid = pl.DataFrame(
        [(f, v, i) for f in FINDINGS for i, v in enumerate(VOCABS[f])],
        schema={"finding": pl.String, "value": pl.String, "order": pl.Int64},
        orient="row",
    )
    long = latest.select("case_id", *[pl.col(f).cast(pl.String) for f in FINDINGS]).unpivot(
        index="case_id", on=list(FINDINGS), variable_name="finding", value_name="value"
    )
    long = long.with_columns(pl.col("value").fill_null(BLANK))
    out = _shares(long, grid, ["finding", "value"], latest.height)
    finding_order = pl.col("finding").replace_strict({f: i for i, f in enumerate(FINDINGS)}, return_dtype=pl.Int64)
    return out.with_row_index("_i").sort(finding_order, "_i").select(list(schema)).cast(pl.Schema(schema))


def finding_chart(table: pl.DataFrame, finding: str, *, lang: str | None = None) -> alt.LayerChart:
    """One finding's shares as horizontal bars (values best to worst, Okabe–Ito colours
    from bluish green to vermillion; not recorded in grey), labelled with share and count.

    ``table`` is :func:`findings`; only its rows of ``finding`` are drawn.

    >>> latest = pl.DataFrame({"case_id": ["A", "B"], "home_environment": ["stable", "unsafe"],
    ...     "self_management": [None] * 2, "financial_situation": [None] * 2, "support_network": [None] * 2})
    >>> chart = finding_chart(findings(latest), "home_environment", lang="en")
    >>> chart.to_dict()["title"]["text"], [r["label"] for r in chart.data.to_dicts()]
    ('Home environment', ['Stable', 'Unstable', 'Unsafe'])
    """
    names = {**vocabulary(finding, lang), BLANK: _tr("not_recorded", lang)}
    ids = list(VOCABS[finding])
    colors = {v: _SEVERITY[min(i, len(_SEVERITY) - 1)] for i, v in enumerate(ids)}
    rows = table.filter(pl.col("finding") == finding).with_columns(
        pl.col("value").replace_strict(names, default=pl.col("value")).alias("label"),
        pl.col("value").replace_strict(colors, default=NEUTRAL).alias("color"),
    )
    rows = rows.with_columns(
        pl.format("{}% ({})", (pl.col("share") * 100).round(0).cast(pl.Int64), pl.col("cases")).alias("text")
    )
    order = rows["label"].to_list()
    base = alt.Chart(rows).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("share:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[
            alt.Tooltip("label:N", title=_tr(f"finding_{finding}", lang)),
            alt.Tooltip("cases:Q", title=header("cases", lang), format=","),
            alt.Tooltip("share:Q", title=_tr("axis_share", lang), format=".1%"),
        ],
    )
    bars = base.mark_bar().encode(color=alt.Color("color:N", scale=None, legend=None))
    return alt.LayerChart(layer=[bars, base.mark_text(align="left", dx=3).encode(text="text:N")]).properties(
        title=alt.TitleParams(_tr(f"finding_{finding}", lang), anchor="start"),
        width=300,
        # Streamlit fits the whole chart (title and axis included) into ``height``
        height=60 + 40 * rows.height,
    )


def decisions(latest: pl.DataFrame) -> pl.DataFrame:
    """Decisions of the cases' latest screenings: ``decision, cases, share`` — refer to
    assessment, not eligible, declined (zeros kept), then :data:`BLANK` (no decision
    recorded yet) when there are some. No screening: no rows.

    >>> latest = pl.DataFrame({"case_id": ["A", "B", "C"],
    ...     "decision": ["not_eligible", None, "not_eligible"]})
    >>> decisions(latest).select("decision", "cases").rows()
    [('refer_to_assessment', 0), ('not_eligible', 2), ('declined', 0), ('', 1)]
    """
    schema = {"decision": pl.String, "cases": pl.Int64, "share": pl.Float64}
    if latest.height == 0:
        return pl.DataFrame(schema=schema)
    grid = pl.DataFrame({"decision": list(VOCABS["decision"]), "order": list(range(len(VOCABS["decision"])))})
    frame = latest.select(pl.col("decision").cast(pl.String).fill_null(BLANK))
    return _shares(frame, grid, ["decision"], latest.height).select(list(schema)).cast(pl.Schema(schema))


# --------------------------------------------------------------------------------------
# Not eligible but still open
# --------------------------------------------------------------------------------------


def not_eligible_open(status: pl.DataFrame, *, manager: str | Sequence[str] | None = None) -> pl.DataFrame:
    """Open cases whose screening found them not eligible (flag ``not_eligible_but_open``),
    most overdue first: ``case_id, case_manager, program, current_stage, due_on,
    days_overdue`` (from :func:`casekit.worklist`).

    >>> st = pl.DataFrame({"case_id": ["A", "B"], "case_manager": ["Ana", "Bo"], "program": ["p", "p"],
    ...     "current_stage": ["assessment", "screening"], "flags": [["not_eligible_but_open"], []],
    ...     "flag_due_on": [[dt.date(2026, 9, 1)], []], "as_of": [dt.date(2026, 9, 30)] * 2})
    >>> not_eligible_open(st).select("case_id", "days_overdue").rows()
    [('A', 29)]
    """
    return (
        worklist(status, manager=manager)
        .filter(pl.col("flag") == "not_eligible_but_open")
        .select("case_id", "case_manager", "program", "current_stage", "due_on", "days_overdue")
    )
