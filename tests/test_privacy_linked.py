"""Differencing across the tables of one view (issue 15): the shared tables a user can download
for one view — a grouped table, the same view grouped by part of it, the overall row — are
attacked together, as one system of linear equations.

The attacker's unknowns are the cells of the finest table; every figure shown in any of the
tables is an equation (the sum of the finest cells it covers), every cell is >= 0. For each
blank, two linear programs give its smallest and largest possible value. The small-cell rule
lets a blank say "1 to 10" (that is what a blank means), nothing narrower: so

- no blank worth more than 0 may have a single possible value (recovered), and
- a blank worth 1 to 10 must keep possible a value of 1 or less and one of 11 or more: the
  attacker cannot tell it from a large blank (a complement), nor bound it away from 1. "The
  overall minus the shown groups" pins two blanks that add up to 10 to "at most 10" each:
  narrower than the rule allows.

Controls: the same attack on the team's view sees every small count, and on each table
suppressed row by row (the rule before this change) it recovers or narrows some blank.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

import casekit as ck
from casekit.cohort import cohort_frame, group_measure
from casekit.privacy import suppress_small_cells

LOW = 11


def _parts(by: Sequence[str]) -> list[tuple[str, ...]]:
    """Every grouping of the view a user can download beside ``by``: each part of it, down to ()."""
    return [tuple(c for c in by if c in part) for r in range(len(by) + 1) for part in itertools.combinations(by, r)]


def attack(shown: dict[tuple, pl.DataFrame], exact: dict[tuple, pl.DataFrame], count: str) -> list[tuple]:
    """The blanks of ``count`` (in any table of ``shown``) the attacker recovers or narrows:
    ``(keys, group, value, low, high)``. ``exact`` holds the same tables unsuppressed; the
    largest key tuple is the finest table."""
    finest = max(exact, key=len)
    cells = exact[finest].select(*finest, pl.col(count).fill_null(0).alias("__v"))
    truth = cells["__v"].to_numpy().astype(float)
    rows, blanks = [], []  # equations (cover, value) and blanks (keys, group, cover, value)
    for keys, table in shown.items():
        true = exact[keys].select(*keys, pl.col(count).fill_null(0).alias("__t"))
        if keys:
            joined = table.select(*keys, count).join(true, on=list(keys), how="left", nulls_equal=True)
        else:
            joined = table.select(count).with_columns(true["__t"])
        for row in joined.iter_rows(named=True):
            cover = np.ones(cells.height, dtype=bool)
            for k in keys:
                cover &= (
                    (cells[k].is_null() if row[k] is None else cells[k] == row[k]).fill_null(value=False).to_numpy()
                )
            if row[count] is not None:
                assert abs(truth[cover].sum() - row[count]) < 0.5, (keys, row)  # the tables add up
                rows.append((cover, float(row[count])))
            elif row["__t"] > 0:
                blanks.append((keys, tuple(row[k] for k in keys), cover, float(row["__t"])))
    if not blanks:
        return []
    a_eq = np.array([c.astype(float) for c, _ in rows]) if rows else None
    b_eq = np.array([v for _, v in rows]) if rows else None
    found = []
    for keys, group, cover, value in blanks:
        c = cover.astype(float)
        low, high = (linprog(sign * c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)) for sign in (1, -1))
        assert low.status == 0, (keys, group)  # the equations hold together
        assert high.status in (0, 3), (keys, group)  # unbounded above is fine
        low, high = low.fun, (-high.fun if high.status == 0 else np.inf)
        narrowed = 1 <= value < LOW and (low > 1 + 1e-6 or high < LOW - 1e-6)
        if high - low < 0.5 or narrowed:
            found.append((keys, group, value, round(low, 2), round(high, 2)))
    return found


def implied(table: pl.DataFrame, share: str, total: str, name: str) -> pl.DataFrame:
    """``table`` with ``name``: the count a share gives beside its total, and ``name~``, the others."""
    k = (pl.col(share) * pl.col(total)).round().cast(pl.Int64)
    return table.with_columns(k.alias(name), (pl.col(total) - k).alias(f"{name}~"))


def views(compute: Callable[..., pl.DataFrame], by: Sequence[str]) -> tuple[dict, dict]:
    """The shared and the exact tables of every grouping downloadable beside ``by``."""
    return (
        {p: compute(p, for_sharing=True) for p in _parts(by)},
        {p: compute(p, for_sharing=False) for p in _parts(by)},
    )


def row_by_row(exact: dict[tuple, pl.DataFrame], counts: Sequence[str]) -> dict[tuple, pl.DataFrame]:
    """The control: each table on its own, each count of 1-10 blanked (no complements)."""
    return {p: suppress_small_cells(t, list(counts)) for p, t in exact.items()}


@pytest.fixture(scope="module")
def sample() -> tuple:
    data = ck.make_sample(400, seed=11)
    return data, ck.outcome_changes(data, as_of=ck.SAMPLE_AS_OF)


# ---- the outcome summary: any grouping of the Outcomes page, and every part of it -------------


@pytest.mark.parametrize(
    "by", [("domain", "measure"), ("measure", "program"), ("measure", "effective_tier"), ("program", "sex")]
)
def test_no_blank_of_the_outcome_summaries_comes_back_from_the_others(sample: tuple, by: tuple) -> None:
    data, changes = sample

    def compute(p: tuple, *, for_sharing: bool) -> pl.DataFrame:
        out = ck.outcome_summary(data, by=p, changes=changes, as_of=ck.SAMPLE_AS_OF, for_sharing=for_sharing)
        return implied(out, "pct_improved", "n_pairs", "improved")

    shown, exact = views(compute, by)
    counts = ["n_pairs", "improved", "improved~"] + (["n_cases"] if "measure" not in by else [])
    blanks = 0
    for count in counts:
        assert attack(shown, exact, count) == [], (by, count)
        blanks += sum(t[count].null_count() for t in shown.values())
    assert blanks > 0  # the attack had blanks to work on
    # the controls: the team's view shows counts of 1-10; row by row, the attack finds some
    assert any(t["n_pairs"].is_between(1, LOW - 1).any() for t in exact.values())
    assert attack(row_by_row(exact, ["n_pairs", "improved"]), exact, "n_pairs") != []


def test_two_blanks_adding_up_to_a_small_count_are_not_left_alone() -> None:
    """80 people in four programmes: 4 and 6 are small; blanked alone, the overall 80 minus 40
    and 30 says the two add up to 10 (each is at most 10): a third cell goes blank too."""
    exact = {
        ("p",): pl.DataFrame({"p": ["a", "b", "c", "d"], "n": [40, 4, 6, 30]}),
        (): pl.DataFrame({"n": [80]}),
    }
    primary = {k: suppress_small_cells(t, "n") for k, t in exact.items()}
    assert attack(primary, exact, "n") == [(("p",), ("b",), 4.0, 0.0, 10.0), (("p",), ("c",), 6.0, 0.0, 10.0)]
    from casekit.privacy import suppress_complementary

    shared = {("p",): suppress_complementary(exact[("p",)], "n", by=["p"]), (): exact[()]}
    assert shared[("p",)]["n"].to_list() == [40, None, None, None]
    assert attack(shared, exact, "n") == []


# ---- Explore: a cohort grouped by one column, beside the cohort's own row ------------------------


@pytest.mark.parametrize("measure", ["count", "median_days", "pct_improved"])
def test_no_blank_of_an_explore_group_comes_back_from_the_cohort(sample: tuple, measure: str) -> None:
    data, _ = sample
    cohort = cohort_frame(data, as_of=ck.SAMPLE_AS_OF)
    kw = {"measure": measure, "to_stage": "planning", "outcome_measure": "PHQ-9"}
    blanks = 0
    for part, by in itertools.product((cohort, cohort.head(120)), ("program", "sex", "effective_tier", "age_band")):

        def compute(p: tuple, *, for_sharing: bool, part=part) -> pl.DataFrame:
            out = group_measure(part, by=p, for_sharing=for_sharing, **kw)
            out = out.with_columns((pl.col("n_cases") - pl.col("n")).alias("without"))
            return implied(out, "pct_improved", "n", "improved") if measure == "pct_improved" else out

        shown, exact = views(compute, (by,))
        for count in ("n_cases", "n", "without", *(("improved", "improved~") if measure == "pct_improved" else ())):
            assert attack(shown, exact, count) == [], (by, measure, count)
        blanks += shown[(by,)]["n"].null_count()
    assert blanks > 0


# ---- goal attainment: by a grouping, beside the overall figures the page shows ----------------


def test_no_blank_goal_count_comes_back_from_the_overall_figures() -> None:
    data = ck.make_sample(400, seed=11)
    progress = ck.goal_progress(data, as_of=ck.SAMPLE_AS_OF)
    counts = ("n_goals", "n_achieved", "n_achieved_late", "n_overdue", "n_with_measure", "n_measure_met")
    blanks, control = 0, []
    for by in ("domain", "owner", "program"):

        def compute(p: tuple, *, for_sharing: bool) -> pl.DataFrame:
            return ck.goal_attainment(data, by=p, as_of=ck.SAMPLE_AS_OF, progress=progress, for_sharing=for_sharing)

        shown, exact = views(compute, (by,))
        for count in counts:
            assert attack(shown, exact, count) == [], (by, count)
            control += attack(row_by_row(exact, [count]), exact, count)
        blanks += shown[(by,)]["n_achieved"].null_count()
    assert blanks > 0
    # the control: by owner, 4 and 2 goals with a value of their measure blanked alone are
    # the overall 17 minus the 11 shown: at most 6 each
    assert (("owner",), ("client",), 4.0, 0.0, 6.0) in control


def test_no_segment_of_explores_stage_chart_comes_back_from_the_groups_by_stage_and_tier(sample: tuple) -> None:
    """A researcher's cases by current stage and tier (Explore's process view) beside the
    cohort's groups by current stage and by tier (Explore's grouped downloads) and its size."""
    from casekit.charts import chart_data, stage_chart

    data, _ = sample
    cohort = cohort_frame(data, as_of=ck.SAMPLE_AS_OF)
    keys = ("current_stage", "effective_tier")
    blanks = 0
    for part in (cohort, cohort.head(150)):
        shown, exact = {}, {}
        for sharing, tables in ((True, shown), (False, exact)):
            cells = chart_data(stage_chart(part, for_sharing=sharing)).select(
                pl.col("stage").alias(keys[0]), pl.col("tier").replace("none", None).alias(keys[1]), "cases"
            )
            tables[keys] = cells
            for by in ((keys[0],), (keys[1],), ()):
                tables[by] = group_measure(part, by=by, for_sharing=sharing).rename({"n": "cases"})
        assert attack(shown, exact, "cases") == []
        blanks += shown[keys]["cases"].null_count()
    assert blanks > 0
    primary = {k: suppress_small_cells(t, "cases") for k, t in exact.items()}  # the rule before: segments alone
    assert attack(primary, exact, "cases") != []


def _stopped_narrowed(shown: list[int | None], truth: list[int], total: int) -> list[tuple]:
    """A funnel (cases that reached each stage, each within the one before, the first within
    ``total``): the attacker's unknowns are the cases that stopped before each stage and after
    the last; each shown count is the sum of those from its stage on. The cases stopped at a
    stage that are 1-10 must keep possible a value of 1 or less and one of 11 or more."""
    n = len(truth)
    stopped = [total - truth[0], *[truth[k] - truth[k + 1] for k in range(n - 1)], truth[-1]]
    a_eq = [[1.0] * (n + 1)] + [[1.0 if j > k else 0.0 for j in range(n + 1)] for k in range(n) if shown[k] is not None]
    b_eq = [float(total)] + [float(v) for v in shown if v is not None]
    found = []
    for j, value in enumerate(stopped):
        c = np.zeros(n + 1)
        c[j] = 1
        low, high = (linprog(sign * c, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None)) for sign in (1, -1))
        if 1 <= value < LOW and (low.fun > 1 + 1e-6 or -high.fun < LOW - 1e-6):
            found.append((j, value, round(low.fun, 2), round(-high.fun, 2)))
    return found


def test_no_small_number_of_cases_stopped_at_a_stage_comes_back_from_a_shared_funnel(sample: tuple) -> None:
    """Explore's funnel for a researcher (and the summary's "reached"): 400 reached screening and
    395 assessment would say 5 stopped at screening, a small cell the stage chart blanks."""
    from casekit.privacy import suppress_cumulative
    from casekit.stages import funnel

    data, _ = sample
    cohort = cohort_frame(data, as_of=ck.SAMPLE_AS_OF)
    control = []
    for part in (cohort, cohort.head(150), cohort.filter(pl.col("program") == cohort["program"][0])):
        stages = funnel(part).filter(pl.col("stage_number") <= 9).sort("stage_number")
        truth = stages["cases"].to_list()
        shown = suppress_cumulative(stages, "cases", total=part.height)["cases"].to_list()
        assert _stopped_narrowed(shown, truth, part.height) == []
        assert all(v is None or not 1 <= v < LOW for v in shown)
        primary = suppress_small_cells(stages, "cases")["cases"].to_list()  # the rule before
        control += _stopped_narrowed(primary, truth, part.height)
    assert control != []


# ---- the rule's own guarantees, on random tables -------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_random_views_keep_the_line_rules(seed: int) -> None:
    """A random count by two columns (every pair present, zeros and small counts common), each
    grouping shared as suppress_linked decides it. On every line (the cells of a table that add
    up to one cell of a table one grouping coarser): no shown count is small; with the parent
    shown, not exactly one blank and blanks not adding up to 1-10; with the parent blanked,
    two blanks or more unless the shown cells are all zero."""
    from casekit.privacy import suppress_linked

    rng = np.random.default_rng(seed)
    n_a, n_b = (int(x) for x in rng.integers(2, 6, size=2))
    counts = rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 10, 11, 12, 15, 25, 60], size=n_a * n_b)
    finest = pl.DataFrame({"a": np.repeat(np.arange(n_a), n_b), "b": np.tile(np.arange(n_b), n_a), "n": counts})
    by = ("a", "b")
    exact = {
        p: finest.group_by(p).agg(pl.col("n").sum()) if p else finest.select(pl.col("n").sum()) for p in _parts(by)
    }
    exact[by] = finest

    def table_of(keys: tuple[str, ...]) -> pl.DataFrame:
        return exact[keys]

    shown = {p: suppress_linked(table_of, p, "n") for p in _parts(by)}
    blanks = 0
    for p, table in shown.items():
        assert not table["n"].is_between(1, LOW - 1).any(), p
        blanks += table["n"].null_count()
        full = (
            table.rename({"n": "shown"}).join(exact[p], on=list(p), how="left")
            if p
            else table.rename({"n": "shown"}).with_columns(exact[p]["n"])
        )
        for free in p:
            parent = tuple(k for k in p if k != free)
            lines = full.group_by(parent or pl.lit(0)).agg(
                blank=pl.col("shown").is_null().sum(),
                hidden=pl.col("n").filter(pl.col("shown").is_null()).sum(),
                seen=pl.col("shown").sum(),
            )
            if parent:
                top = shown[parent].select(*parent, pl.col("n").is_not_null().alias("top"))
                lines = lines.join(top, on=list(parent), how="left")
            else:
                lines = lines.with_columns(top=pl.lit(shown[()]["n"].is_not_null().item()))
            with_parent = lines.filter("top")
            assert not (with_parent["blank"] == 1).any(), (seed, p, free)
            assert not with_parent["hidden"].is_between(1, LOW - 1).any(), (seed, p, free)
            without = lines.filter(~pl.col("top"))
            assert ((without["blank"] >= 2) | (without["seen"] == 0)).all(), (seed, p, free)
    if seed == 0:
        assert blanks > 0  # the rule had something to do
