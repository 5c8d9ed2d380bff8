"""Process views for charts: funnel, time between stages, time in the current stage.

Each returns a small frame (one row per stage or stage pair), ready for a chart.

Examples
--------
>>> status = pl.DataFrame({"reached_stage_number": [1, 3, 10], "current_stage": ["screening", "risk", "closed"],
...                        "days_in_stage": [2, 5, 40]})
>>> funnel(status).select("stage", "cases").head(4).rows()
[('screening', 3), ('assessment', 2), ('risk', 2), ('planning', 1)]
"""

from __future__ import annotations

import polars as pl

from casekit.stages._names import STAGE_NUMBER, STAGES

__all__ = ["duration_summary", "funnel", "stage_durations", "time_in_stage"]

_NINE = STAGES[:9]


def _stage_frame() -> pl.LazyFrame:
    return pl.LazyFrame(
        {"stage_number": list(range(1, 10)), "stage": list(_NINE)},
        schema={"stage_number": pl.Int8(), "stage": pl.String()},
    )


def funnel(events_or_status: pl.DataFrame) -> pl.DataFrame:
    """Cases that reached each of the nine stages, in stage order: ``stage_number, stage, cases, share``.

    - From a :func:`~casekit.stages.case_status` frame: a case reached stage *k* when
      stages 1…k-1 were complete (``reached_stage_number >= k``), so the counts never
      grow down the funnel; closed cases count up to the stage where they stopped.
    - From an :func:`~casekit.stages.events` log: cases with at least one event of the
      stage (evidence of the stage; counts need not shrink).

    ``share`` is ``cases`` over all cases in the frame. Cases whose identity could not be
    read (stage ``unknown``, :func:`~casekit.stages.case_status`) reached no stage that
    is known: when there are any they have a row of their own, last (``stage_number``
    11), so that the funnel's total is every case.

    >>> st = pl.DataFrame({"reached_stage_number": [2, None], "current_stage": ["assessment", "unknown"]})
    >>> rows = funnel(st).select("stage", "cases", "share").rows()
    >>> rows[0], rows[-2:]
    (('screening', 1, 0.5), [('evaluation', 0, 0.0), ('unknown', 1, 0.5)])
    """
    if "reached_stage_number" in events_or_status.columns:
        per_case = events_or_status.lazy().select(pl.col("reached_stage_number").alias("r"))
        total = pl.len()
        counts = [(pl.col("r") >= k).sum().alias(str(k)) for k in range(1, 10)]
        wide = per_case.select(total.alias("total"), *counts)
        long = wide.unpivot(index="total", variable_name="stage_number", value_name="cases").with_columns(
            pl.col("stage_number").cast(pl.Int8)
        )
    else:
        log = events_or_status.lazy()
        totals = log.select(pl.col("case_id").n_unique().alias("total"))
        by_stage = (  # the log's stage is an Enum: as text once grouped
            log.group_by("stage")
            .agg(pl.col("case_id").n_unique().alias("cases"))
            .with_columns(pl.col("stage").cast(pl.String))
        )
        long = (
            _stage_frame()
            .join(by_stage, on="stage", how="left")
            .join(totals, how="cross")
            .select("stage_number", "cases", "total")
        )
    stages = _stage_frame()
    if "current_stage" in events_or_status.columns:
        unknown = events_or_status.lazy().select((pl.col("current_stage") == "unknown").sum().cast(pl.Int64)).collect()
        if unknown.item():
            row = {"stage_number": STAGE_NUMBER["unknown"], "stage": "unknown"}
            stages = pl.concat([stages, pl.LazyFrame(row, schema=stages.collect_schema())])
            counted = long.select("total", pl.lit(STAGE_NUMBER["unknown"], pl.Int8).alias("stage_number"))
            long = pl.concat([long, counted.head(1).with_columns(cases=pl.lit(unknown.item()))], how="diagonal_relaxed")
    return (
        stages.join(long, on="stage_number", how="left")
        .with_columns(pl.col("cases").fill_null(0).cast(pl.Int64))
        .with_columns(share=pl.when(pl.col("total") > 0).then(pl.col("cases") / pl.col("total")))
        .sort("stage_number")
        .select("stage_number", "stage", "cases", "share")
        .collect()
    )


def duration_summary(values: pl.Expr) -> list[pl.Expr]:
    """The summary of a time between stages (days), as aggregations: ``n, median_days,
    q1_days, q3_days, mean_days`` (linear quartiles) — the columns of :func:`stage_durations`.

    >>> pl.DataFrame({"d": [1, 2, 3, 10]}).select(duration_summary(pl.col("d"))).row(0)
    (4, 2.5, 1.75, 4.75, 4.0)
    """
    return [
        values.count().alias("n"),
        values.median().alias("median_days"),
        values.quantile(0.25, interpolation="linear").alias("q1_days"),
        values.quantile(0.75, interpolation="linear").alias("q3_days"),
        values.mean().alias("mean_days"),
    ]


def stage_durations(entries_or_events: pl.DataFrame) -> pl.DataFrame:
    """Time between stages: ``from_stage, to_stage, n, median_days, q1_days, q3_days, mean_days``.

    - From :func:`~casekit.stages.stage_entries` (recommended): days from entering a
      stage to entering the next one, by the completion rules — the time spent in each
      stage by the cases that moved on (never negative; ``transition`` →
      ``post_transition`` is always 0 days, both are entered with the transition).
    - From an :func:`~casekit.stages.events` log: days from the first event of each
      stage to the first event of the next stage the case has events of (stages with
      no event are skipped; negative days show evidence recorded out of stage order,
      e.g. a 90-day follow-up measure taken before a transition).

    >>> import datetime as dt
    >>> log = pl.DataFrame({"case_id": ["A", "A", "B", "B"], "stage": ["screening", "assessment"] * 2,
    ...                     "timestamp": [dt.date(2026, 1, 1), dt.date(2026, 1, 11), dt.date(2026, 1, 1),
    ...                                   dt.date(2026, 1, 21)]})
    >>> stage_durations(log).select("from_stage", "to_stage", "n", "median_days").rows()
    [('screening', 'assessment', 2, 15.0)]
    """
    order = pl.col("stage").replace_strict(STAGE_NUMBER, default=None, return_dtype=pl.Int8)
    frame = entries_or_events.lazy()
    if "entered_on" in entries_or_events.columns:
        frame = frame.rename({"entered_on": "timestamp"})
    firsts = (
        frame.with_columns(stage_number=order)
        .filter(pl.col("stage_number").is_between(1, 9))
        .group_by("case_id", "stage_number", "stage")
        .agg(pl.col("timestamp").min().alias("first_on"))
        .sort("case_id", "stage_number")
        # after the sort, the next row is the case's next stage when it is the same case
        .with_columns(
            same_case=pl.col("case_id").shift(-1) == pl.col("case_id"),
            to_stage=pl.col("stage").shift(-1),
            to_number=pl.col("stage_number").shift(-1),
            days=(pl.col("first_on").shift(-1) - pl.col("first_on")).dt.total_days(),
        )
        .filter(pl.col("same_case"))
    )
    return (
        firsts.group_by("stage_number", "stage", "to_number", "to_stage")
        .agg(*duration_summary(pl.col("days")))
        .sort("stage_number", "to_number")
        .select(
            pl.col("stage").cast(pl.String).alias("from_stage"),  # an events log's stage is an Enum
            pl.col("to_stage").cast(pl.String),
            "n",
            "median_days",
            "q1_days",
            "q3_days",
            "mean_days",
        )
        .collect()
    )


def time_in_stage(status: pl.DataFrame) -> pl.DataFrame:
    """Days cases have been in their current stage, per stage (all ten, closed last; a
    case whose identity could not be read has no days):
    ``stage, n, median_days, q1_days, q3_days, mean_days``.

    >>> time_in_stage(pl.DataFrame({"current_stage": ["risk", "risk"], "days_in_stage": [2, 4]})).row(2)
    ('risk', 2, 3.0, 2.5, 3.5, 3.0)
    """
    stages = pl.LazyFrame({"stage": list(STAGES[:10]), "_n": list(range(1, 11))})
    per_stage = (
        status.lazy().group_by(pl.col("current_stage").alias("stage")).agg(*duration_summary(pl.col("days_in_stage")))
    )
    return (
        stages.join(per_stage, on="stage", how="left")
        .with_columns(pl.col("n").fill_null(0).cast(pl.Int64))
        .sort("_n")
        .drop("_n")
        .collect()
    )
