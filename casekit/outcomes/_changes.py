"""Stage 9: how each case's outcome measures changed (docs/outcomes.md).

One lazy query over the ``outcomes`` sheet. Per case and measure:

- **baseline**: the value of the earliest ``baseline`` row (ties on the date: the
  upper spreadsheet row);
- **latest**: the value of the last ``follow_up`` or ``discharge`` row dated strictly
  *after* the baseline (ties on the date: the lower spreadsheet row, the last entered);
- ``change = latest - baseline``; ``direction`` is ``improved`` / ``worsened`` /
  ``unchanged`` by ``higher_is_better``, null when there is no pair (or when the
  change is not zero and ``higher_is_better`` is unknown);
- ``improved``: a change the right way of at least the measure's MCID when the
  measures catalogue (:mod:`casekit.measures`) has one (``mcid_applied``), else any
  change the right way; ``response`` (a fall of at least the catalogued share of the
  baseline) and ``remission`` (latest below the catalogued cut-off) where the catalogue
  defines them and the baseline is in range (PHQ-9, GAD-7: baseline ≥ 10), else null.

A catalogued measure takes its ``domain`` and ``higher_is_better`` from the catalogue
(``catalogued = True``); an uncatalogued one keeps the row's own.

Rows without a date or a value cannot be paired; a case and measure with no pair is
kept (``paired = False``), so it is counted, never dropped. ``domain`` and
``higher_is_better`` come from the baseline row, else the latest row, else the first
row of the measure that has them.

Examples
--------
>>> import datetime as dt
>>> from casekit.data import CaseData
>>> D = dt.date
>>> outcomes = pl.DataFrame({
...     "case_id": ["A", "A", "A", "B"], "domain": ["clinical"] * 4, "measure": ["PHQ-9"] * 4,
...     "measured_on": [D(2026, 1, 5), D(2026, 4, 5), D(2026, 6, 1), D(2026, 1, 9)],
...     "value": [18.0, 12.0, 9.0, 10.0], "timepoint": ["baseline", "follow_up", "discharge", "baseline"],
...     "higher_is_better": [False] * 4})
>>> outcome_changes(CaseData({"outcomes": outcomes})).select(
...     "case_id", "baseline", "latest", "change", "direction", "paired").rows()
[('A', 18.0, 9.0, -9.0, 'improved', True), ('B', 10.0, None, None, None, False)]
>>> outcome_changes(CaseData({"outcomes": outcomes})).select(
...     "improved", "mcid_applied", "response", "remission", "catalogued").row(0)
(True, True, True, False, True)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from casekit._case_index import coded, is_coded, to_text
from casekit._frames import clean_data, is_lazy, sheet
from casekit.contract import ROW
from casekit.data import CaseData, ValidationResult
from casekit.measures import MeasureCatalogue, load_measures

if TYPE_CHECKING:
    from polars._typing import MaintainOrderJoin

__all__ = [
    "CHANGE_COLUMNS",
    "DIRECTIONS",
    "LATER_TIMEPOINTS",
    "changes_of",
    "classify",
    "collect_changes",
    "grouped_rows",
    "outcome_changes",
    "outcome_changes_lazy",
    "pair_changes",
]

#: Values of ``direction`` (null: no pair).
DIRECTIONS: tuple[str, ...] = ("improved", "worsened", "unchanged")
#: Timepoints that can be the "latest" value of a pair.
LATER_TIMEPOINTS: tuple[str, ...] = ("follow_up", "discharge")
#: Columns of :func:`outcome_changes`, in order.
CHANGE_COLUMNS: tuple[str, ...] = (
    "case_id",
    "domain",
    "measure",
    "baseline_on",
    "baseline",
    "latest_on",
    "latest",
    "change",
    "direction",
    "improved",
    "mcid_applied",
    "response",
    "remission",
    "higher_is_better",
    "paired",
    "catalogued",
    "post_only",
)
_OUTCOME_COLUMNS = ["case_id", "domain", "measure", "measured_on", "value", "timepoint", "higher_is_better"]
_KEY = ["case_id", "measure"]
#: Tolerance of the MCID and response comparisons (values are decimals).
_EPS = 1e-9


def outcome_rows(data: CaseData, as_of: dt.date | None, *, enums: tuple[str, ...] = ()) -> pl.LazyFrame:
    """The outcomes sheet, typed, rows without a case or a measure left out, measures
    dated after ``as_of`` left out (undated rows are kept: they still name a measure).
    ``enums``: category columns taken as their Enum when so held (:func:`casekit._frames.sheet`)."""
    rows = sheet(data, "outcomes", [*_OUTCOME_COLUMNS, ROW], enums=enums).filter(
        pl.col("case_id").is_not_null() & pl.col("measure").is_not_null()
    )
    if as_of is not None:
        rows = rows.filter(pl.col("measured_on").is_null() | (pl.col("measured_on") <= as_of))
    return rows


def _order_key(priority: pl.Expr | int = 0) -> pl.Expr:
    """Sort key of a row: source priority, then date, then spreadsheet row (one Int64)."""
    prio = priority if isinstance(priority, pl.Expr) else pl.lit(priority)
    return (prio.cast(pl.Int64) * 2**50) + pl.col("measured_on").cast(pl.Int64) * 2**32 + pl.col(ROW)


def pair_changes(
    rows: pl.LazyFrame,
    extra_baselines: pl.LazyFrame | None = None,
    *,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.LazyFrame:
    """Pair baselines with later values; the core of :func:`outcome_changes`.

    ``rows`` has the outcome columns and ``_row``. ``extra_baselines`` (optional) holds
    more baseline candidates with the same columns plus ``baseline_source``; they are
    used only for a case and measure with no baseline row in ``rows``. ``measures``:
    the catalogue (:func:`casekit.measures.load_measures`); its columns come along
    prefixed ``cat_`` for the callers that need them (utilisation windows).
    """
    usable = pl.col("measured_on").is_not_null() & pl.col("value").is_not_null()
    # without extra baselines, the rows sorted by case and measure and their groups numbered:
    # the group-bys, windows and joins below are on one sorted number (no hashing of the
    # case and measure; ~2x faster at 1M cases on the in-memory engine). Rows already so
    # sorted and numbered (``_g``, :func:`grouped_rows`) give the pairs in that order.
    key = ["_g"] if extra_baselines is None else _KEY
    grouped = extra_baselines is None and "_g" in rows.collect_schema().names()
    kept: MaintainOrderJoin | None = "left" if grouped else None
    if extra_baselines is None and not grouped:
        code = pl.col("measure").cast(pl.Categorical(pl.Categories.random())).to_physical()
        rows = rows.sort("case_id", code, maintain_order=True).with_columns(_g=pl.struct("case_id", code).rle_id())
        rows = rows.cache()
    baselines = rows.filter(usable & (pl.col("timepoint") == "baseline")).with_columns(
        baseline_source=pl.lit("outcome"), _prio=pl.lit(0)
    )
    keys = rows.select(*dict.fromkeys([*key, *_KEY]), "domain", "higher_is_better")
    if extra_baselines is not None:
        extra = extra_baselines.filter(usable).with_columns(_prio=pl.lit(1))
        baselines = pl.concat([baselines, extra], how="diagonal_relaxed")
        keys = pl.concat([keys, extra_baselines.select(*_KEY, "domain", "higher_is_better")], how="vertical_relaxed")
    keys = keys.group_by(key, maintain_order=grouped).agg(
        *[pl.col(c).first() for c in _KEY if c not in key],
        pl.col("domain").drop_nulls().first().alias("_domain"),
        pl.col("higher_is_better").drop_nulls().first().alias("_hib"),
    )
    order = _order_key(pl.col("_prio"))
    first = baselines.filter(order == order.min().over(key)).select(
        *key,
        pl.col("measured_on").alias("baseline_on"),
        pl.col("value").alias("baseline"),
        pl.col("domain").alias("_b_domain"),
        pl.col("higher_is_better").alias("_b_hib"),
        *(["baseline_source"] if extra_baselines is not None else []),
    )
    # the last later row dated after the baseline is the last later row when that one is
    # after the baseline (no later row is later), else none: no join of the later rows to
    # the baselines needed
    later_key = _order_key()
    last = (
        rows.filter(usable & pl.col("timepoint").is_in(LATER_TIMEPOINTS))
        .filter(later_key == later_key.max().over(key))
        .select(
            *key,
            pl.col("measured_on").alias("latest_on"),
            pl.col("value").alias("latest"),
            pl.col("domain").alias("_l_domain"),
            pl.col("higher_is_better").alias("_l_hib"),
        )
    )
    after = pl.col("latest_on") > pl.col("baseline_on")
    pairs = (
        keys.join(first, on=key, how="left", maintain_order=kept)
        .join(last, on=key, how="left", maintain_order=kept)
        .with_columns(pl.when(after).then(pl.col(c)).alias(c) for c in ("latest_on", "latest", "_l_domain", "_l_hib"))
        .with_columns(
            domain=pl.coalesce("_b_domain", "_l_domain", "_domain"),
            higher_is_better=pl.coalesce("_b_hib", "_l_hib", "_hib"),
            change=pl.col("latest") - pl.col("baseline"),
            paired=pl.col("latest").is_not_null(),
        )
        .drop("_b_domain", "_l_domain", "_domain", "_b_hib", "_l_hib", "_hib", *[c for c in key if c not in _KEY])
    )
    return classify(load_measures(measures).with_catalogue(pairs))


def classify(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """Direction, improvement, response and remission of pairs joined to the catalogue.

    A catalogued measure's ``domain`` and ``higher_is_better`` replace the row's.
    """
    cat = pl.col("cat_name").is_not_null()
    pairs = pairs.with_columns(
        domain=pl.when(cat).then(pl.col("cat_domain")).otherwise(pl.col("domain")),
        higher_is_better=pl.when(cat).then(pl.col("cat_higher_is_better")).otherwise(pl.col("higher_is_better")),
        catalogued=cat,
        post_only=pl.col("cat_post_only").fill_null(value=False),
    )
    change, hib = pl.col("change"), pl.col("higher_is_better")
    direction = (
        pl.when(change.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(change == 0)
        .then(pl.lit("unchanged"))
        .when(hib.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when((change > 0) == hib)
        .then(pl.lit("improved"))
        .otherwise(pl.lit("worsened"))
    )
    # the change in the good direction (positive = better); null without a direction
    gain = pl.when(hib).then(change).otherwise(-change)
    mcid = pl.col("cat_mcid")
    base, latest = pl.col("baseline"), pl.col("latest")
    in_range = change.is_not_null() & (pl.col("cat_baseline_min").is_null() | (base >= pl.col("cat_baseline_min")))
    reduction = pl.col("cat_response_reduction")
    return pairs.with_columns(
        direction=direction,
        mcid_applied=mcid.is_not_null(),
        improved=pl.when(change.is_null() | hib.is_null())
        .then(pl.lit(None, dtype=pl.Boolean))
        .when(mcid.is_not_null())
        .then(gain >= mcid - _EPS)
        .otherwise(gain > 0),
        # a zero (or negative) baseline never counts as a response
        response=pl.when(reduction.is_not_null() & in_range).then(
            (base > 0) & ((base - latest) >= reduction * base - _EPS)
        ),
        remission=pl.when(pl.col("cat_remission_below").is_not_null() & in_range).then(
            latest < pl.col("cat_remission_below")
        ),
    )


def outcome_changes_lazy(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.LazyFrame:
    """The query behind :func:`outcome_changes`, not yet collected (unsorted; fastest collected
    by :func:`collect_changes`)."""
    rows = outcome_rows(clean_data(data), as_of)
    return pair_changes(rows, measures=measures).select(CHANGE_COLUMNS)


def outcome_changes(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.DataFrame:
    """One row per case and measure: ``case_id, domain, measure, baseline_on, baseline,
    latest_on, latest, change, direction, improved, mcid_applied, response, remission,
    higher_is_better, paired, catalogued, post_only``, sorted by case and measure.

    With a :class:`~casekit.data.ValidationResult` the clean rows are used. ``as_of``
    ignores measures dated after it; ``measures`` is the catalogue (the shipped one when
    None). The pairing rules are in the module docstring and ``docs/outcomes.md``.
    """
    view = coded(clean_data(data))  # the case index (issue 18): text ids back at the end
    return to_text(view, changes_of(view, as_of=as_of, measures=measures), sort=_KEY)


def changes_of(
    data: CaseData, *, as_of: dt.date | None = None, measures: MeasureCatalogue | str | Path | None = None
) -> pl.DataFrame:
    """:func:`outcome_changes_lazy` of ``data`` collected as :func:`collect_changes` gives it
    (sorted by case and measure). Sheets in memory with the case index: the outcome rows
    collected and sorted once (:func:`grouped_rows`), so the pairs come out in that order
    (no sort of the pairs by text after); else :func:`collect_changes`."""
    if is_lazy(data) or not is_coded(data):
        return collect_changes(outcome_changes_lazy(data, as_of=as_of, measures=measures), data)
    rows = grouped_rows(outcome_rows(data, as_of, enums=("timepoint",)).collect(engine="in-memory"))
    out = pair_changes(rows.lazy(), measures=measures).select(CHANGE_COLUMNS).collect(engine="in-memory")
    return out.with_columns(pl.col("measure").cast(pl.String))


def grouped_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Outcome rows keyed by the case index, sorted by case and measure (each case and
    measure's rows in their given order), with ``measure`` an Enum of its texts in text order
    and ``_g`` the number of the case and measure (index × 2³² + the measure's rank, ascending):
    what :func:`pair_changes` groups on. One numpy sort of that number (rows grouped by case
    come in a few runs each, which its stable sort merges) instead of polars' two-key sort.

    >>> rows = pl.DataFrame({"case_id": [1, 0, 0, 0], "measure": ["b", "b", "a", "b"], "_row": [2, 3, 4, 5]},
    ...     schema_overrides={"case_id": pl.UInt32})
    >>> grouped_rows(rows).select("case_id", pl.col("measure").cast(pl.String), "_row", "_g").rows()
    [(0, 'a', 4, 0), (0, 'b', 3, 1), (0, 'b', 5, 1), (1, 'b', 2, 4294967297)]
    """
    rows = rows.with_columns(pl.col("measure").cast(pl.Enum(rows.get_column("measure").unique().sort())))
    rank = pl.col("measure").to_physical().cast(pl.UInt64)
    number = rows.select((pl.col("case_id").cast(pl.UInt64) * 2**32 + rank).alias("_g")).to_series()
    rows = rows.with_columns(number)
    if not number.is_sorted():
        rows = rows[pl.Series(np.argsort(number.to_numpy(), kind="stable"))]
    return rows.with_columns(pl.col("_g").set_sorted())


def collect_changes(changes: pl.LazyFrame, data: CaseData) -> pl.DataFrame:
    """A query of :func:`pair_changes` over ``data``'s sheets, collected and sorted by case and
    measure: on the in-memory engine for sheets in memory (its group-bys on sorted numbers
    are the fast path), the streaming one for scanned sheets; sorted by the case and the
    measure's rank among the measures (an enum), not by comparing texts."""
    out = changes.collect(engine="streaming" if is_lazy(data) else "in-memory")
    rank = pl.Enum(out.get_column("measure").unique().drop_nulls().sort())
    return out.sort(pl.col("case_id"), pl.col("measure").cast(rank))
