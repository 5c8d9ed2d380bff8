"""Fairness view: tier shares and mean score by sex, age band and ethnicity.

The default model does not use race or ethnicity; this view lets a team see whether
its tiers still fall unevenly on some groups (through correlated inputs such as
insurance, housing or finances) and compare each group with the whole caseload.
Groups of 1–10 cases are suppressed, as in every research export, with the complementary
suppression that keeps a blank from being the overall count minus the other groups.

Examples
--------
>>> from casekit.sample import make_sample
>>> view = fairness_summary(make_sample(300, seed=5))
>>> view.columns[:6]
['grouping', 'group', 'n', 'suppressed', 'share_low', 'share_moderate']
>>> view.row(0, named=True)["grouping"], view["grouping"].unique(maintain_order=True).to_list()
('overall', ['overall', 'sex', 'age_band', 'ethnicity'])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from casekit.contract import SHEETS
from casekit.data import CaseData, ValidationResult
from casekit.errors import CasekitError
from casekit.privacy import MIN_CELL, suppress_complementary, suppress_small_shares
from casekit.risk.model import TIERS, RiskModel
from casekit.risk.score import score_risk

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

__all__ = ["AGE_BANDS", "age_band", "fairness_summary"]

#: Age bands of the fairness view (completed years at the latest assessment).
AGE_BANDS: tuple[str, ...] = ("<40", "40-64", "65-74", "75-84", "85+")
_VALUES = ["n", *[f"share_{t}" for t in TIERS], "mean_score", *[f"ratio_{t}" for t in TIERS]]


def age_band(age: pl.Expr | str) -> pl.Expr:
    """Age band of an age in completed years: <40, 40-64, 65-74, 75-84, 85+ (null stays null).

    >>> pl.DataFrame({"age": [39, 40, 64, 65, 84, 85, None]}).select(age_band("age"))["age_band"].to_list()
    ['<40', '40-64', '40-64', '65-74', '75-84', '85+', None]
    """
    a = pl.col(age) if isinstance(age, str) else age
    expr: Then | ChainedThen = pl.when(a.is_null()).then(pl.lit(None, dtype=pl.String))
    for lower, label in zip((85, 75, 65, 40), reversed(AGE_BANDS[1:]), strict=True):
        expr = expr.when(a >= lower).then(pl.lit(label))
    return expr.otherwise(pl.lit(AGE_BANDS[0])).alias("age_band")


def fairness_summary(
    data: CaseData | ValidationResult,
    scores: pl.DataFrame | None = None,
    *,
    by: Sequence[str] = ("sex", "age_band", "ethnicity"),
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
    tier: str = "computed_tier",
    model: RiskModel | None = None,
    lang: str | None = None,
) -> pl.DataFrame:
    """Tier shares and mean score per group, with each share's ratio to the overall share.

    ``scores`` is the output of :func:`~casekit.risk.score_risk` (computed with
    ``model`` when not given). ``by`` names columns of the ``cases`` sheet or
    ``age_band`` (age at the latest assessment). ``tier`` is the tier column compared:
    ``computed_tier`` (the model's, default) or ``effective_tier`` (after reviews).

    One row per grouping and group, the first one ``overall``/``all``: ``grouping,
    group, n, suppressed, share_<tier>, mean_score, ratio_<tier>`` (``ratio`` = the
    group's share / the overall share; null when the overall share is 0). A group of
    1 to ``min_cell - 1`` cases (``for_sharing=True``, the default) has every value null, ``n`` included, and
    ``suppressed = True``; so has, within its grouping, the smallest other group while a
    blank could still be worked out from the overall row
    (:func:`casekit.privacy.suppress_complementary`). A tier share whose implied count
    (share × ``n``) is 1 to ``min_cell - 1`` is blanked with its ratio, and so are as many
    other shares as it takes for none to be worked out from the groups' ``n`` and the
    overall row (``suppressed`` then flags the row, its ``n`` shown). A null ``group`` is
    the cases where the column is empty.

    Examples
    --------
    >>> import datetime as dt
    >>> scores = pl.DataFrame({
    ...     "case_id": [f"C{i}" for i in range(14)], "score": [2] * 6 + [14] * 6 + [7, 7],
    ...     "computed_tier": ["low"] * 6 + ["high"] * 6 + ["moderate"] * 2, "age": [50] * 14})
    >>> cases = pl.DataFrame({"case_id": scores["case_id"], "sex": ["female"] * 12 + ["male"] * 2})
    >>> view = fairness_summary(CaseData({"cases": cases}), scores, by=["sex"])
    >>> view.select("group", "n", "suppressed", pl.col("share_high", "ratio_high").round(3)).rows()
    [('all', 14, True, None, None), ('female', None, True, None, None), ('male', None, True, None, None)]
    >>> own = fairness_summary(CaseData({"cases": cases}), scores, by=["sex"], for_sharing=False)
    >>> own.select("group", "n", pl.col("share_high").round(3)).rows()  # 0.429 of 14 is 6 people
    [('all', 14, 0.429), ('female', 12, 0.5), ('male', 2, 0.0)]
    """
    if isinstance(data, ValidationResult):
        data = data.data
    if scores is None:
        scores = score_risk(data, model)
    case_spec = SHEETS["cases"].columns
    case_cols = [c for c in by if c != "age_band"]
    unknown = [c for c in case_cols if c not in case_spec or c == "case_id"]
    if unknown or tier not in scores.columns:
        raise CasekitError("risk.unknown_grouping", lang=lang, name=", ".join(unknown) or tier)

    cases = data.get("cases")
    base = scores.lazy().select("case_id", "score", pl.col(tier).alias("tier"), age_band("age"))
    if case_cols:
        frame = (
            cases.lazy().select("case_id", *case_cols).unique("case_id", keep="any")
            if cases is not None
            else pl.LazyFrame(schema={"case_id": pl.String, **dict.fromkeys(case_cols, pl.String)})
        )
        base = base.join(frame, on="case_id", how="left")

    def stats() -> list[pl.Expr]:
        return [
            pl.len().cast(pl.Int64).alias("n"),
            *[(pl.col("tier") == t).mean().alias(f"share_{t}") for t in TIERS],
            pl.col("score").cast(pl.Float64).mean().alias("mean_score"),
        ]

    overall = base.select(pl.lit("overall").alias("grouping"), pl.lit("all").alias("group"), *stats())
    parts = [overall.with_columns(pl.lit(-1).alias("_order"), pl.lit(0).alias("_sort"))]
    for i, col in enumerate(by):
        part = base.group_by(pl.col(col).cast(pl.String).alias("group")).agg(stats())
        order = (
            pl.col("group").replace_strict(AGE_BANDS, list(range(len(AGE_BANDS))), default=len(AGE_BANDS))
            if col == "age_band"
            else pl.lit(0)
        )
        parts.append(part.with_columns(pl.lit(col).alias("grouping"), pl.lit(i).alias("_order"), order.alias("_sort")))
    groups = pl.concat(parts, how="diagonal_relaxed")
    shares = overall.select(*[pl.col(f"share_{t}").alias(f"_all_{t}") for t in TIERS])
    table = (
        groups.join(shares, how="cross")
        .with_columns(
            (pl.col(f"share_{t}") / pl.when(pl.col(f"_all_{t}") > 0).then(pl.col(f"_all_{t}"))).alias(f"ratio_{t}")
            for t in TIERS
        )
        .sort("_order", "_sort", "group", nulls_last=True)
        .select("grouping", "group", *_VALUES)
        .collect()
    )
    # the groups of one grouping add up to the overall row: a lone blank would be the overall
    # n minus the others, so each grouping gets complementary suppression (the one rule)
    suppressed = [
        suppress_complementary(table.filter(pl.col("grouping") == g), "n", by=["group"], derived_cols=_VALUES[1:],
                               min_cell=min_cell, for_sharing=for_sharing)
        for g in table["grouping"].unique(maintain_order=True)
    ]  # fmt: skip
    shown = pl.concat(suppressed).select("grouping", "group", "n", "suppressed", *_VALUES[1:])
    return _hide_tier_counts(table, shown, min_cell=min_cell) if for_sharing else shown


def _hide_tier_counts(table: pl.DataFrame, shown: pl.DataFrame, *, min_cell: int) -> pl.DataFrame:
    """Blank the tier shares that give a small count back (share × n): a table of groups ×
    tiers whose row totals (each group's n) and column totals (the overall row's share × N)
    are public, so each grouping gets the two-way complementary suppression of
    :func:`casekit.privacy.suppress_complementary` on the implied counts, and a blanked
    share takes its ratio with it. An overall share that is a small count (or leaves one)
    is blanked with every ratio of its tier (the ratio times a group's share would give it).
    """
    tiers = [t for t in TIERS if f"share_{t}" in table.columns]
    counts = [(pl.col(f"share_{t}") * pl.col("n")).round().cast(pl.Int64).alias(t) for t in tiers]
    keys = ["grouping", "group"]
    long = (
        table.select(*keys, "n", *counts)
        .with_columns((pl.col("n") - pl.sum_horizontal(tiers)).alias("__none"))  # cases without a tier
        .join(shown.select(*keys, pl.col("suppressed").alias("__hidden")), on=keys, how="left", nulls_equal=True)
        .unpivot(index=[*keys, "__hidden"], on=[*tiers, "__none"], variable_name="tier", value_name="k")
        .with_columns(suppressed=pl.col("__hidden") | (pl.col("tier") == "__none") & (pl.col("k") != 0))
    )
    overall = suppress_small_shares(
        table.filter(pl.col("grouping") == "overall"), {f"share_{t}": "n" for t in tiers}, min_cell=min_cell
    )
    overall_hidden = overall["suppressed"].any()
    blanks = [long.filter(pl.col("grouping") == "overall").with_columns(suppressed=pl.lit(overall_hidden))]
    for g in table.filter(pl.col("grouping") != "overall")["grouping"].unique(maintain_order=True):
        line = long.filter(pl.col("grouping") == g).drop("__hidden")
        blanks.append(suppress_complementary(line, "k", by=["group", "tier"], min_cell=min_cell).select(line.columns))
    hidden = pl.concat(blanks, how="diagonal_relaxed").filter(pl.col("tier") != "__none")
    wide = hidden.pivot("tier", index=keys, values="suppressed").rename({t: f"__h_{t}" for t in tiers})
    out = shown.join(wide, on=keys, how="left", nulls_equal=True, maintain_order="left")
    return out.with_columns(
        *[pl.when(~pl.col(f"__h_{t}").fill_null(value=False)).then(pl.col(f"share_{t}")).alias(f"share_{t}")
          for t in tiers],
        *[pl.when(~pl.col(f"__h_{t}").fill_null(value=False) & pl.lit(not overall_hidden))
          .then(pl.col(f"ratio_{t}")).alias(f"ratio_{t}") for t in tiers],
        (pl.col("suppressed") | pl.any_horizontal([pl.col(f"__h_{t}").fill_null(value=False) for t in tiers]))
        .alias("suppressed"),
    ).select(shown.columns)  # fmt: skip
