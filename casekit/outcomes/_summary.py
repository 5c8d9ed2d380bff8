"""Outcome change aggregated by group, with small cells suppressed.

Groupings: ``domain``, ``measure``, ``effective_tier`` (from
:func:`casekit.risk.score_risk`), ``program``, ``case_manager``, ``sex`` and
``age_band`` (age at opening, :func:`casekit.risk.age_band`).

Means of values (baseline, latest, change, effect size) are only meaningful for one
measure at a time: when a group holds several measures they are null, while the
counts and percentages (of case-measure pairs) are still given.

Examples
--------
>>> import datetime as dt
>>> from casekit.data import CaseData
>>> ids = [f"C{i:02}" for i in range(12)]
>>> outcomes = pl.DataFrame({
...     "case_id": ids * 2, "domain": ["clinical"] * 24, "measure": ["PHQ-9"] * 24,
...     "measured_on": [dt.date(2026, 1, 1)] * 12 + [dt.date(2026, 4, 1)] * 12,
...     "value": [15.0] * 12 + [10.0] * 6 + [12.0] * 6, "timepoint": ["baseline"] * 12 + ["follow_up"] * 12,
...     "higher_is_better": [False] * 24})
>>> s = outcome_summary(CaseData({"outcomes": outcomes}), by=["measure"])
>>> s.select("measure", "n_cases", "n_paired", "mean_change", "pct_improved", "pct_improved_any").rows()
[('PHQ-9', 12, 12, -4.0, None, None)]
>>> own = outcome_summary(CaseData({"outcomes": outcomes}), by=["measure"], for_sharing=False)
>>> own.select("pct_improved", "pct_improved_any").row(0)  # 50 % of 12 is 6 people: shared, blanked
(0.5, 1.0)
>>> [round(s[c].item(), 2) for c in ("ci_low", "ci_high")]  # t(11) = 2.201, SD 1.044
[-4.66, -3.34]
>>> round(s["effect_size"].item(), 3)
-3.83
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl
import polars.selectors as cs

from casekit._case_index import INDEX_DTYPE, coded_with, is_coded, to_index
from casekit._frames import age_at, clean_data, sheet
from casekit.contract import ROW
from casekit.data import CaseData, ValidationResult
from casekit.errors import CasekitError
from casekit.measures import MeasureCatalogue, load_measures
from casekit.outcomes._changes import changes_of
from casekit.privacy import MIN_CELL, cell_threshold, suppress_linked
from casekit.risk.fairness import AGE_BANDS, age_band
from casekit.risk.model import TIERS, RiskModel

__all__ = ["GROUPINGS", "SUMMARY_COLUMNS", "outcome_summary", "summarise_changes"]

#: What an outcome summary can be grouped by.
GROUPINGS: tuple[str, ...] = ("domain", "measure", "effective_tier", "program", "case_manager", "sex", "age_band")
#: Value columns of :func:`outcome_summary`, after the grouping columns.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "n_cases",
    "n_paired",
    "n_pairs",
    "n_unpaired",
    "mean_baseline",
    "mean_latest",
    "mean_change",
    "ci_low",
    "ci_high",
    "sd_change",
    "mcid",
    "mcid_applied",
    "pct_improved",
    "pct_improved_any",
    "pct_worsened",
    "pct_unchanged",
    "pct_response",
    "pct_remission",
    "effect_size",
    "suppressed",
)
#: The shares of a summary row and their denominators (the pairs; for response and remission
#: the pairs whose measure defines them): shared, a share is a count (:func:`casekit.privacy.suppress_linked`).
#: Each set is blanked together: the directions of the pairs add up to 1 (one blank alone would
#: be 1 minus the others, and they go with a blanked count of pairs); response and remission are
#: counted among the pairs whose measure defines them, a count of its own (1-10 blanks its share).
SHARE_SETS: tuple[dict[str, str | None], ...] = (
    dict.fromkeys(("pct_improved", "pct_improved_any", "pct_worsened", "pct_unchanged"), "n_pairs"),
    {"pct_response": "_n_response", "_n_response": None},
    {"pct_remission": "_n_remission", "_n_remission": None},
)
#: Two-sided 95 % quantiles of Student's t for 1–29 degrees of freedom (30 and more:
#: the Cornish-Fisher expansion in :func:`t975`, exact to 1e-7 there).
_T975: tuple[float, ...] = (
    12.7062,
    4.3027,
    3.1824,
    2.7764,
    2.5706,
    2.4469,
    2.3646,
    2.306,
    2.2622,
    2.2281,
    2.201,
    2.1788,
    2.1604,
)
_T975 += (2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555)
_T975 += (2.0518, 2.0484, 2.0452)


def t975(df: pl.Expr) -> pl.Expr:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (null for df < 1).

    >>> pl.select(t=t975(pl.lit(11)).round(4), u=t975(pl.lit(100)).round(4)).row(0)
    (2.201, 1.984)
    """
    z = 1.959963985
    d = df.cast(pl.Float64)
    expansion = (
        z
        + (z**3 + z) / (4 * d)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * d**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * d**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * d**4)
    )
    table = df.cast(pl.Int64).replace_strict(dict(enumerate(_T975, start=1)), default=None, return_dtype=pl.Float64)
    return pl.when(df >= 30).then(expansion).when(df >= 1).then(table)


_CASE_ATTRS = ("program", "case_manager", "sex")
#: The shares of the pairs by ``direction`` (``pct_<name>``: the pairs of that direction).
_DIRECTION_SHARES = {"improved_any": "improved", "worsened": "worsened", "unchanged": "unchanged"}


def check_groupings(by: Sequence[str], lang: str | None) -> list[str]:
    """``by`` as a list, or ``CasekitError`` naming the unknown grouping."""
    by = [by] if isinstance(by, str) else list(by)
    unknown = [b for b in by if b not in GROUPINGS]
    if unknown:
        names, allowed = ", ".join(unknown), ", ".join(GROUPINGS)
        raise CasekitError("outcomes.unknown_grouping", lang=lang, name=names, allowed=allowed)
    return list(dict.fromkeys(by))


def with_groupings(
    changes: pl.LazyFrame,
    data: CaseData,
    by: Sequence[str],
    *,
    as_of: dt.date | None,
    scores: pl.DataFrame | pl.LazyFrame | None,
    model: RiskModel | str | Path | None,
) -> pl.LazyFrame:
    """Join the case attributes named in ``by`` to a change frame; one the frame carries
    already is kept (``case_manager`` attributed to the assignment in force at each
    measure, :func:`casekit.outcomes.attribute_changes`)."""
    carried = set(changes.collect_schema().names())
    case_cols = [c for c in _CASE_ATTRS if c in by and c not in carried]
    if case_cols or "age_band" in by:
        cases = sheet(data, "cases", ["case_id", *case_cols, "opened_on", "birth_date", ROW]).filter(
            pl.col("case_id").is_not_null()
        )
        cases = cases.filter(pl.col("_row") == pl.col("_row").min().over("case_id")).select(
            "case_id", *case_cols, age_band(age_at(pl.col("opened_on"), pl.col("birth_date")))
        )
        if "age_band" not in by:
            cases = cases.drop("age_band")
        changes = changes.join(cases, on="case_id", how="left", maintain_order="left")
    if "effective_tier" in by:
        if scores is None:
            from casekit.risk.score import score_risk

            scores = score_risk(data, model, as_of=as_of)
        keyed = to_index(data, scores, strict=False)  # keyed like data (carried by score_risk's table)
        by_index = _tier_by_index(keyed, data) if isinstance(keyed, pl.DataFrame) else None
        if by_index is not None:  # picked by the case index: no join of the changes
            return changes.with_columns(pl.lit(by_index).gather(pl.col("case_id")).alias("effective_tier"))
        tiers = keyed.lazy().select("case_id", "effective_tier").unique("case_id", keep="any")
        changes = changes.join(tiers, on="case_id", how="left", maintain_order="left")
    return changes


def _tier_by_index(scores: pl.DataFrame, data: CaseData) -> pl.Series | None:
    """The ``effective_tier`` of each case index of ``data`` (null: not scored), from scores
    keyed by the index with one row per case; None otherwise (text ids, a case scored twice,
    an index out of range: the tiers are then joined). At 1M cases a gather of the ~930k
    changes instead of a join (0.12 s of CPU).

    >>> from casekit._case_index import coded
    >>> d = coded(CaseData({"cases": pl.DataFrame({"case_id": ["A", "B", "C"]})}))
    >>> s = pl.DataFrame({"case_id": [2, 0], "effective_tier": ["high", "low"]},
    ...     schema_overrides={"case_id": pl.UInt32})
    >>> _tier_by_index(s, d).to_list()
    ['low', None, 'high']
    """
    if not is_coded(data) or scores.get_column("case_id").dtype != INDEX_DTYPE:
        return None
    scored = scores.filter(pl.col("case_id").is_not_null())
    case, n = scored.get_column("case_id"), data.ids.len()
    top = case.max()  # None when no case is scored
    if isinstance(top, int) and (top >= n or case.n_unique() < case.len()):
        return None
    tiers = scored.get_column("effective_tier")
    return pl.repeat(None, n, dtype=tiers.dtype, eager=True).scatter(case, tiers).alias(tiers.name)


def _order(col: str) -> pl.Expr:
    """Sort key of a grouping column (tiers and age bands in their natural order)."""
    if col == "effective_tier":
        return pl.col(col).replace_strict(TIERS, list(range(len(TIERS))), default=len(TIERS), return_dtype=pl.Int32)
    if col == "age_band":
        return pl.col(col).replace_strict(
            AGE_BANDS, list(range(len(AGE_BANDS))), default=len(AGE_BANDS), return_dtype=pl.Int32
        )
    return pl.col(col)


#: The whole-number parts of a margin's shares, counted among the pairs: ``n_pairs``; ``_c_*``,
#: the pairs where the share's flag holds; ``_n_*``, the pairs where response or remission is
#: defined (the denominators of those shares).
_PARTS: dict[str, pl.Expr] = {
    "n_pairs": pl.lit(value=True),
    "_c_improved": pl.col("improved").fill_null(value=False),
    **{f"_c_{n}": (pl.col("direction") == d).fill_null(value=False) for n, d in _DIRECTION_SHARES.items()},
    **{f"_c_{c}": pl.col(c).fill_null(value=False) for c in ("response", "remission")},
    **{f"_n_{c}": pl.col(c).is_not_null() for c in ("response", "remission")},
}


def _ratio(count: str, total: str) -> pl.Expr:
    """``count`` over ``total``, null when ``total`` is 0."""
    return pl.when(pl.col(total) > 0).then(pl.col(count) / pl.col(total))


def _aggregate(frame: pl.LazyFrame, by: list[str], *, totals: bool, measures: MeasureCatalogue) -> pl.LazyFrame:
    """The exact summary of a change frame grouped by ``by``, with the denominators of the
    response and remission shares (``_n_response``, ``_n_remission``). The MCID of a group
    of one measure is the catalogue's (``measures``), joined to the groups, not to the rows."""
    paired = pl.col("paired")
    single = pl.col("_measures") == 1
    n_pairs = pl.col("n_pairs")
    # in the group-by: the means and the SD over the pairs (the floats, summed as before), the
    # counts of pairs behind every share (a share is that count over its denominator: the mean
    # of the 0/1 flags, to the last bit); after it, what these give per group
    sd = pl.col("_sd")
    half_width = t975(n_pairs - 1) * sd / n_pairs.cast(pl.Float64).sqrt()
    mean_change = pl.when(single).then(pl.col("_mean_change"))
    stats = [
        pl.col("case_id").n_unique().cast(pl.Int64).alias("n_cases"),
        pl.col("case_id").filter(paired).n_unique().cast(pl.Int64).alias("n_paired"),
        *[(flag & paired).sum().cast(pl.Int64).alias(name) for name, flag in _PARTS.items()],
        *[pl.col(c).filter(paired).mean().alias(f"_mean_{c}") for c in ("baseline", "latest", "change")],
        pl.col("change").filter(paired).std().alias("_sd"),
        pl.col("measure").n_unique().alias("_measures"),
        pl.col("measure").first().alias("_measure"),
        (paired & ~pl.col("mcid_applied")).sum().alias("_not_mcid"),  # pairs not judged by an MCID
        *[pl.col(c).filter(paired).sum().alias(f"_sum_{c}") for c in ("baseline", "latest") if totals],
    ]
    out = frame.group_by(by).agg(stats) if by else frame.select(stats)
    out = out.with_columns(
        mean_baseline=pl.when(single).then(pl.col("_mean_baseline")),
        mean_latest=pl.when(single).then(pl.col("_mean_latest")),
        mean_change=mean_change,
        ci_low=pl.when(single & (n_pairs >= 2)).then(mean_change - half_width),
        ci_high=pl.when(single & (n_pairs >= 2)).then(mean_change + half_width),
        sd_change=pl.when(single & (n_pairs >= 2)).then(sd),
        mcid=pl.when(single).then(pl.col("_measure")),  # the measure, then its MCID
        mcid_applied=pl.col("_not_mcid") == 0,
        **{f"pct_{n}": _ratio(f"_c_{n}", "n_pairs") for n in ("improved", *_DIRECTION_SHARES)},
        **{f"pct_{c}": _ratio(f"_c_{c}", f"_n_{c}") for c in ("response", "remission")},
        **{f"sum_{c}": pl.when(single).then(pl.col(f"_sum_{c}")) for c in ("baseline", "latest") if totals},
    )
    names = ["n_cases", "n_paired", "n_pairs", "mean_baseline", "mean_latest", "mean_change", "ci_low", "ci_high"]
    names += ["sd_change", "mcid", "mcid_applied", "pct_improved", *[f"pct_{n}" for n in _DIRECTION_SHARES]]
    names += ["pct_response", "pct_remission", "_n_response", "_n_remission"]
    out = out.select(*by, *names, *(["sum_baseline", "sum_latest"] if totals else []))
    out = measures.with_catalogue(out, measure="mcid").with_columns(mcid=pl.col("cat_mcid"))
    out = out.drop(cs.starts_with("cat_")).with_columns(
        n_unpaired=pl.col("n_cases") - pl.col("n_paired"),
        mcid_applied=pl.when(pl.col("n_pairs") > 0).then(pl.col("mcid_applied")),
        effect_size=pl.when(pl.col("sd_change") > 0).then(pl.col("mean_change") / pl.col("sd_change")),
    )
    if totals:
        out = out.with_columns(
            pct_change=pl.when((pl.col("sum_baseline") != 0) & (pl.col("n_pairs") > 0)).then(
                (pl.col("sum_latest") - pl.col("sum_baseline")) / pl.col("sum_baseline")
            )
        )
    return out


def _margins(rows: pl.DataFrame, by: list[str], schema: pl.Schema) -> Callable[[tuple[str, ...]], pl.DataFrame]:
    """The margins of a shared summary: ``rows`` grouped by a part of ``by`` (``schema``: the
    full table's), as :func:`casekit.privacy.suppress_linked` reads them, for their cells only.

    The whole-number columns and the shares are those of :func:`_aggregate` (a share is its
    count of pairs over its denominator: the mean of the flags, to the last bit), the other
    columns typed nulls (no means, SDs or MCIDs). The counts of pairs add up: one pass counts
    them per group of ``by``, and each margin sums those groups. The distinct cases do not
    add up: each margin counts them over the rows, grouped by the codes of the text columns.

    >>> rows = pl.DataFrame({"case_id": [1, 1, 2], "measure": ["A", "B", "A"], "paired": [True, False, True],
    ...     "improved": [True, None, False], "direction": ["improved", None, "worsened"],
    ...     "response": [None, None, None], "remission": [True, None, False]})
    >>> names = ("measure", "n_cases", "n_paired", "n_pairs", "pct_improved", "pct_remission", "mean_change")
    >>> schema = pl.Schema(zip(names, [pl.String, *[pl.Int64] * 3, *[pl.Float64] * 3], strict=True))
    >>> _margins(rows, ["measure"], schema)(()).row(0)  # the whole view: no means
    (2, 2, 2, 0.5, 0.5, None)
    """
    texts = [c for c in by if rows.schema[c] == pl.String]
    key = {c: f"__k_{c}" if c in texts else c for c in by}
    paired = pl.col("paired")
    coded = rows.select(
        "case_id",
        "paired",
        *by,
        *[pl.col(c).cast(pl.Categorical(pl.Categories.random())).to_physical().alias(key[c]) for c in texts],
        *[(flag & paired).alias(name) for name, flag in _PARTS.items()],
    )
    sums = [pl.col(name).sum().cast(pl.Int64) for name in _PARTS]
    finest = coded.group_by([key[c] for c in by]).agg(*[pl.col(c).first() for c in texts], *sums)
    cases = [
        pl.col("case_id").n_unique().cast(pl.Int64).alias("n_cases"),
        pl.col("case_id").filter(paired).n_unique().cast(pl.Int64).alias("n_paired"),
    ]

    read = {  # the columns a margin is read for; the rest are typed nulls
        **{name: pl.col(name) for name in ("n_cases", "n_paired", "n_pairs", "_n_response", "_n_remission")},
        "n_unpaired": pl.col("n_cases") - pl.col("n_paired"),
        **{f"pct_{n}": _ratio(f"_c_{n}", "n_pairs") for n in ("improved", *_DIRECTION_SHARES)},
        **{f"pct_{c}": _ratio(f"_c_{c}", f"_n_{c}") for c in ("response", "remission")},
    }

    def margin(keys: tuple[str, ...]) -> pl.DataFrame:
        codes = [key[c] for c in keys]
        if keys:
            named = [pl.col(c).first() for c in keys if c in texts]
            counts = (
                finest.group_by(codes)
                .agg(*named, *sums)
                .join(coded.group_by(codes).agg(cases), on=codes, nulls_equal=True)
            )
        else:
            counts = pl.concat([finest.select(sums), coded.select(cases)], how="horizontal")
        values = [read.get(name, pl.lit(None, dtype)).alias(name) for name, dtype in schema.items() if name not in by]
        return counts.select(*keys, *values)

    return margin


def summarise_changes(
    frame: pl.LazyFrame,
    by: Sequence[str],
    *,
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
    totals: bool = False,
    measures: MeasureCatalogue | str | Path | None = None,
    fixed: Sequence[str] = (),
) -> pl.LazyFrame:
    """Aggregate a change frame (with its grouping columns) by ``by`` and suppress small cells.

    ``totals=True`` adds ``sum_baseline, sum_latest, pct_change`` (for utilisation and cost).
    ``measures`` (the catalogue) gives the MCID shown beside each measure.
    """
    frame, catalogue = frame.drop(cs.starts_with("cat_")), load_measures(measures)  # the MCID joined to the groups
    # the cases with a pair and those without add up to the cases: a set within the row, with
    # every figure computed from the pairs; the shares of the pairs are a set of their own
    shares = [c for part in SHARE_SETS for c in part if c.startswith("pct_")]
    values = [c for c in SUMMARY_COLUMNS if c not in ("n_cases", "suppressed", *shares)]
    values += ["sum_baseline", "sum_latest", "pct_change"] if totals else []
    pairs = dict.fromkeys(values) | {"n_paired": "n_cases", "n_unpaired": "n_cases"}
    # the rows in their given order, one chunk, summed on the in-memory engine: each group's
    # means and SDs add its rows in that order, so two runs give the same bits (the streaming
    # engine, and joins that do not keep the order, summed them in any order: the last bit varied)
    rows = frame.collect(engine="in-memory").rechunk()
    if for_sharing and cell_threshold(for_sharing=for_sharing, min_cell=min_cell) > 1:
        full = _aggregate(rows.lazy(), list(by), totals=totals, measures=catalogue).collect(engine="in-memory")
        margin = _margins(rows, list(by), full.schema)  # a margin is read for its cells only

        def table_of(keys: tuple[str, ...]) -> pl.DataFrame:
            return full if keys == tuple(by) else margin(keys)

        # the same view grouped by any part of ``by`` can be downloaded beside this table: one
        # system, so no blank comes back as a margin minus the shown cells (casekit.privacy)
        out = suppress_linked(
            table_of,
            by,
            "n_cases",
            linked=[pairs, *SHARE_SETS],
            fixed=fixed,
            min_cell=min_cell,
        ).lazy()
    else:
        out = _aggregate(rows.lazy(), list(by), totals=totals, measures=catalogue).collect(engine="in-memory").lazy()
        out = out.with_columns(suppressed=pl.lit(value=False))
    if by:
        out = out.sort([_order(c) for c in by], nulls_last=True)
    cols = [*SUMMARY_COLUMNS[:-1]]
    if totals:
        cols = [*cols[:7], "sum_baseline", "sum_latest", "pct_change", *cols[7:]]
    return out.select(*by, *cols, "suppressed")


def outcome_summary(
    data: CaseData | ValidationResult,
    by: Sequence[str] = ("domain", "measure"),
    *,
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
    as_of: dt.date | None = None,
    changes: pl.DataFrame | None = None,
    scores: pl.DataFrame | None = None,
    model: RiskModel | str | Path | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
    lang: str | None = None,
) -> pl.DataFrame:
    """Outcome change by group, small cells suppressed (a table meant for sharing;
    ``for_sharing=False``: the team's own view, real counts; :mod:`casekit.privacy`).

    ``by``: any of :data:`GROUPINGS` (``()`` gives one row for everything). One row per
    group, sorted: the grouping columns, then

    - ``n_cases``: cases with a measure in the group; ``n_paired``: of them, cases with
      at least one pair; ``n_pairs``: case-measure pairs (= ``n_paired`` when grouped
      by measure); ``n_unpaired``: cases without a pair (``n_cases - n_paired``);
    - ``mean_baseline, mean_latest, mean_change, sd_change``: over the pairs (null
      when the group mixes measures); ``ci_low, ci_high``: the 95 % confidence interval
      of the mean change (Student's t, 2 pairs or more); ``effect_size`` = mean change /
      SD of change (paired, sign of the raw change; null when fewer than 2 pairs or SD = 0);
    - ``mcid``: the catalogued MCID of the group's measure; ``mcid_applied``: every pair
      was judged against an MCID; ``pct_improved``: share of the pairs improved beyond
      the MCID where catalogued, else by any change the right way (``mcid_applied`` says
      which); ``pct_improved_any``: any change the right way; ``pct_worsened,
      pct_unchanged``: shares of the pairs (0–1; show as %);
    - ``pct_response, pct_remission``: share of the pairs whose measure defines them and
      whose baseline is in range (null when none does);
    - ``suppressed``: figures of the row were blanked (:func:`casekit.privacy.suppress_linked`,
      in sets: the row; the cases with and without a pair with the means of the pairs; the
      shares of the pairs; response; remission): a count of 1 to ``min_cell - 1``, or one a
      share gives beside its denominator (``pct_improved`` = 5 % of 40 pairs is 2 people),
      or its complement; or a complement, so that the same view grouped by part of ``by``
      and the overall row (downloadable beside it) give no blank back.

    Post-only measures (``CSQ-8``…) have no pairs: they are left out here and summarised
    by :func:`~casekit.outcomes.post_only_summary`. ``changes`` (the output of
    :func:`outcome_changes`) and ``scores`` (of :func:`casekit.risk.score_risk`, for
    ``effective_tier``) are computed when not given (the tier with ``model`` as of
    ``as_of``). An unknown grouping raises ``CasekitError``.
    """
    by = check_groupings(by, lang)
    clean, given = coded_with(clean_data(data), changes)  # the case index (issue 18)
    if given is None:  # the changes on the fast engine (sorted: the same table as given changes)
        given = changes_of(clean, as_of=as_of, measures=measures).lazy()
    frame = given.filter(~pl.col("post_only").fill_null(value=False) | pl.col("paired"))
    frame = with_groupings(frame, clean, by, as_of=as_of, scores=scores, model=model)
    return summarise_changes(frame, by, min_cell=min_cell, for_sharing=for_sharing, measures=measures).collect()
