"""suppress_small_cells: counts 1-10 and what is derived from them are blanked."""

from __future__ import annotations

import polars as pl
import pytest

from casekit.privacy import suppress_small_cells


@pytest.mark.parametrize(("n", "kept"), [(0, True), (1, False), (10, False), (11, True), (500, True)])
def test_boundaries(n: int, kept: bool) -> None:
    out = suppress_small_cells(pl.DataFrame({"n": [n], "mean": [2.5]}), "n", derived_cols="mean")
    assert out.row(0) == ((n, 2.5, False) if kept else (None, None, True))


def test_null_count_is_not_suppressed() -> None:
    out = suppress_small_cells(pl.DataFrame({"n": [None], "x": [1.0]}, schema={"n": pl.Int64, "x": pl.Float64}), "n")
    assert out.row(0) == (None, 1.0, False)


def test_any_small_count_blanks_the_derived_values_of_its_row_only() -> None:
    df = pl.DataFrame({"g": ["a", "b"], "n_cases": [30, 30], "n_paired": [20, 4], "pct": [50.0, 25.0], "k": [1, 2]})
    out = suppress_small_cells(df, ["n_cases", "n_paired"], derived_cols=["pct"])
    assert out.rows() == [("a", 30, 20, 50.0, 1, False), ("b", 30, None, None, 2, True)]


def test_min_cell_option_and_lazy_frames() -> None:
    lf = pl.LazyFrame({"n": [3, 5]})
    out = suppress_small_cells(lf, "n", min_cell=5)
    assert isinstance(out, pl.LazyFrame)
    assert out.collect().rows() == [(None, True), (5, False)]


def test_applying_twice_keeps_the_flag() -> None:
    once = suppress_small_cells(pl.DataFrame({"n": [3], "m": [1.0]}), "n", derived_cols="m")
    twice = suppress_small_cells(once.with_columns(n=pl.lit(20)), "n", derived_cols="m")
    assert twice["suppressed"].to_list() == [True]


def test_needs_a_count_column() -> None:
    with pytest.raises(ValueError, match="count column"):
        suppress_small_cells(pl.DataFrame({"n": [1]}), [])


# ---- complementary suppression: try to recover every blanked cell ----------------------------

import itertools  # noqa: E402

import numpy as np  # noqa: E402
from scipy.optimize import linprog  # noqa: E402

import casekit as ck  # noqa: E402
from casekit.cohort import cohort_frame, group_measure  # noqa: E402
from casekit.privacy import suppress_complementary  # noqa: E402


def recoverable(
    table: pl.DataFrame, truth: pl.DataFrame, by: list[str], count: str, margins: dict[str, pl.DataFrame] | None = None
) -> list[tuple]:
    """The blanked cells of ``count`` an attacker can work out exactly. Known: the table's total
    (an overall row, or a share beside a count), the published cells, and, for a table of two
    dimensions, each margin that the one-dimension table of the same cohort publishes
    (``margins``: that table by the dimension held fixed). Blanks are unknowns >= 0; one is
    recovered when its smallest and largest feasible values (two linear programs) are equal.
    Cells worth 0 disclose nobody."""
    merged = truth.select(*by, pl.col(count).alias("__true")).join(
        table.select(*by, count), on=by, how="left", nulls_equal=True, maintain_order="left"
    )
    blank = merged[count].is_null().to_numpy() & merged["__true"].is_not_null().to_numpy()
    unknown = np.flatnonzero(blank)
    if unknown.size == 0:
        return []
    values = merged["__true"].fill_null(0).to_numpy().astype(float)
    lines = [np.ones(merged.height, dtype=bool)]
    for fixed, shown in (margins or {}).items():
        for key, total in shown.select(fixed, count).drop_nulls(count).iter_rows():
            line = (merged[fixed].is_null() if key is None else merged[fixed] == key).fill_null(value=False)
            line = line.to_numpy()
            assert values[line].sum() == total  # the attacker's margins are the published ones
            lines.append(line)
    a_eq = np.array([line[unknown].astype(float) for line in lines])
    b_eq = np.array([values[line].sum() - values[line & ~blank].sum() for line in lines])
    found = []
    for j, row in enumerate(unknown):
        c = np.zeros(unknown.size)
        c[j] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        high = -linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        if high - low < 0.5 and values[row] > 0:
            found.append((merged.row(int(row))[: len(by)], values[row]))
    return found


@pytest.fixture(scope="module")
def cohorts() -> list[pl.DataFrame]:
    """Cohorts of several sizes: the whole sample, one programme, a handful of cases."""
    data = ck.make_sample(400, seed=11)
    cohort = cohort_frame(data, as_of=ck.SAMPLE_AS_OF)
    return [cohort, cohort.filter(pl.col("program") == cohort["program"][0]), cohort.head(40)]


@pytest.mark.parametrize(
    "by", [["program"], ["sex"], ["age_band"], ["program", "sex"], ["program", "age_band"], ["effective_tier", "sex"]]
)
def test_no_suppressed_cell_of_a_grouped_table_can_be_recovered(cohorts: list[pl.DataFrame], by: list[str]) -> None:
    tried = 0
    for cohort, measure in itertools.product(cohorts, ("count", "share")):
        exact = group_measure(cohort, by=by, measure=measure)
        shared = group_measure(cohort, by=by, measure=measure, for_sharing=True)
        assert shared.height == exact.height
        small = exact["n_cases"].is_between(1, 10)
        assert (shared["suppressed"] | ~small).all()  # every small cell is blanked
        kept = ~shared["suppressed"]
        assert shared.filter(kept)["n_cases"].to_list() == exact.filter(kept)["n_cases"].to_list()
        margins = {d: group_measure(cohort, by=d, measure=measure, for_sharing=True) for d in by} if len(by) > 1 else {}
        for count in ("n_cases", "n"):
            assert recoverable(shared, exact, by, count, margins) == [], (by, measure, count)
        tried += int(shared["suppressed"].sum())
    assert tried > 0  # the attack had blanks to work on


def test_the_attack_does_recover_a_cell_without_complementary_suppression() -> None:
    """The checker is not blind: primary suppression alone leaves the cell = total - others."""
    exact = pl.DataFrame({"program": ["a", "b", "c"], "n": [40, 4, 30]})
    primary = suppress_small_cells(exact, "n")
    assert recoverable(primary, exact, ["program"], "n") == [(("b",), 4.0)]
    assert recoverable(suppress_complementary(exact, "n", by=["program"]), exact, ["program"], "n") == []
    grid = pl.DataFrame({"p": ["a", "a", "b", "b"], "s": ["f", "m", "f", "m"], "n": [30, 3, 25, 40]})
    margins = {d: suppress_complementary(grid.group_by(d).agg(pl.col("n").sum()), "n", by=[d]) for d in ("p", "s")}
    assert recoverable(suppress_small_cells(grid, "n"), grid, ["p", "s"], "n", margins) == [(("a", "m"), 3.0)]
    safe = suppress_complementary(grid, "n", by=["p", "s"])
    assert safe["suppressed"].to_list() == [True, True, True, True]  # margins 33, 65, 55, 43 are public: all four
    assert recoverable(safe, grid, ["p", "s"], "n", margins) == []


# ---- the same audit on the fairness view and the shared summary (report, PDF) --------------


def test_a_fairness_group_cannot_be_recovered_from_the_overall_row() -> None:
    """30 scored clients, 26 women and 4 men: with the men blanked alone, the overall row
    (30) minus the women (26) gives them back; so the women are blanked too."""
    from casekit.data import CaseData

    ids = [f"C{i:02}" for i in range(30)]
    scores = pl.DataFrame({"case_id": ids, "score": [3] * 30, "computed_tier": ["low"] * 30, "age": [50] * 30})
    cases = pl.DataFrame({"case_id": ids, "sex": ["female"] * 26 + ["male"] * 4})
    view = ck.fairness_summary(CaseData({"cases": cases}), scores, by=["sex"])
    exact = pl.DataFrame({"group": ["female", "male"], "n": [26, 4]})
    assert recoverable(suppress_small_cells(exact, "n"), exact, ["group"], "n") == [(("male",), 4.0)]  # the leak
    sex = view.filter(pl.col("grouping") == "sex")
    assert sex.select("group", "n", "suppressed").rows() == [("female", None, True), ("male", None, True)]
    assert sex["share_low"].null_count() == 2  # what is computed from them goes too
    assert recoverable(sex, exact, ["group"], "n") == []
    assert view.row(0, named=True)["n"] == 30  # the overall row stays


def test_no_fairness_group_of_the_sample_can_be_recovered() -> None:
    data = ck.make_sample(400, seed=11)
    scores = ck.score_risk(data, as_of=ck.SAMPLE_AS_OF)
    exact = ck.fairness_summary(data, scores, min_cell=1)
    shared = ck.fairness_summary(data, scores)
    blanked = 0
    for grouping in ("sex", "age_band", "ethnicity"):
        truth = exact.filter(pl.col("grouping") == grouping)
        shown = shared.filter(pl.col("grouping") == grouping)
        assert (shown["suppressed"] | ~truth["n"].is_between(1, 10)).all()  # every small group is blanked
        assert recoverable(shown, truth, ["group"], "n") == [], grouping
        blanked += int(shown["suppressed"].sum())
    assert blanked > 0  # the attack had blanks to work on


def test_the_shared_summary_hides_the_complement_of_a_small_stage_and_of_a_small_figure() -> None:
    import dataclasses

    from casekit.report import build_report
    from casekit.summary import summary_sections

    report = build_report(ck.make_sample(200, seed=3), as_of=ck.SAMPLE_AS_OF, lang="en")
    exact = report.by_stage.select("stage", pl.col("cases").alias("now"))
    assert exact["now"].is_between(1, 10).any()  # a stage with a handful of cases now
    sections = {s.key: s for s in summary_sections(report, lang="en", for_sharing=True)}
    figures = {r.key: r.cells[0] for r in sections["key_figures"].rows}
    assert figures["cases"].value == exact["now"].sum()  # the total every stage adds up to is public
    shown = pl.DataFrame(
        {"stage": [r.key for r in sections["funnel"].rows], "now": [r.cells[1].value for r in sections["funnel"].rows]},
        schema={"stage": pl.String, "now": pl.Int64},
    )
    assert recoverable(suppress_small_cells(exact, "now"), exact, ["stage"], "now") != []  # primary alone leaks
    assert recoverable(shown, exact, ["stage"], "now") == []
    # 4 closed cases among 200: open (196) would give them back as cases - open
    small = dataclasses.replace(report, figures={**report.figures, "open_cases": 196, "closed_cases": 4})
    rows = {r.key: r.cells[0] for s in summary_sections(small, lang="en") if s.key == "key_figures" for r in s.rows}
    assert (rows["closed_cases"].suppressed, rows["open_cases"].suppressed, rows["cases"].value) == (True, True, 200)
    exact_rows = {r.key: r.cells[0] for r in summary_sections(small, lang="en", for_sharing=False)[0].rows}
    assert (exact_rows["closed_cases"].value, exact_rows["open_cases"].value) == (4, 196)


# ---- A vs B: a count and its complement within the cohort ------------------------------------


@pytest.mark.parametrize(
    ("plan", "paired"),
    [((50, 45), (50, 47)), ((50, 6), (50, 12)), ((40, 30), (40, 40)), ((30, 25), (30, 0)), ((8, 8), (8, 3))],
)
def test_no_cell_of_a_vs_b_can_be_recovered_from_its_cohort_size(plan: tuple, paired: tuple) -> None:
    """Each A vs B count is one cell of a line whose total, the cohort's size, is public: the
    cases that reached planning and those without a plan; the cases with a pair of a
    measure and those without. Whatever is blanked — a small count or a small complement —
    the attacker cannot work it out from the size and the other cell of its line."""
    from casekit.cohort import CohortComparison

    (size, planned), (_, n_paired) = plan, paired
    comparison = CohortComparison(
        pl.DataFrame({"measure": ["PHQ-9"], "n_paired_a": [n_paired], "pct_improved_a": [0.5],
                      "mean_change_a": [-2.0], "n_paired_b": [0], "pct_improved_b": [None],
                      "mean_change_b": [None]}),
        pl.DataFrame({"n_cases_a": [size], "n_a": [planned], "median_days_a": [10.0],
                      "n_cases_b": [0], "n_b": [0], "median_days_b": [None]}),
    ).suppressed()  # fmt: skip
    shown_plan = comparison.time_to_plan.row(0, named=True)
    shown_pairs = comparison.outcomes.row(0, named=True)
    blanked = 0
    for count, shown, known_size in (
        (planned, shown_plan["n_a"], shown_plan["n_cases_a"]),
        (n_paired, shown_pairs["n_paired_a"], shown_plan["n_cases_a"]),
    ):
        truth = pl.DataFrame({"part": ["with", "without"], "n": [count, size - count]})
        table = pl.DataFrame({"part": ["with", "without"], "n": [shown, None]}, schema=truth.schema)  # never shown
        if known_size is None:  # the size itself is blanked: no line total to work from
            assert shown is None
            continue
        found = recoverable(table, truth, ["part"], "n")  # "without" is never shown: always a blank
        assert not [cell for cell in found if 1 <= cell[1] <= 10], (count, size)  # no small cell comes back
        assert shown is not None or found == [], (count, size)  # nor a blanked count
        assert (shown is None) == (1 <= count <= 10 or 1 <= size - count <= 10)  # no more blanked than needed
        blanked += shown is None
    assert (shown_plan["median_days_a"] is None) == (shown_plan["n_a"] is None)  # what a blank count gives goes too
    assert (shown_pairs["mean_change_a"] is None) == (shown_pairs["n_paired_a"] is None)


def test_the_attack_recovers_a_plan_complement_from_primary_suppression_alone() -> None:
    """The checker is not blind: 50 cases, 45 with a plan shown, 5 without: 50 - 45."""
    truth = pl.DataFrame({"part": ["with", "without"], "n": [45, 5]})
    primary = pl.DataFrame({"part": ["with", "without"], "n": [45, None]}, schema=truth.schema)
    assert recoverable(primary, truth, ["part"], "n") == [(("without",), 5.0)]


def test_a_vs_b_goals_and_utilisation_hide_the_cases_without_them() -> None:
    """Cohort A of 50 cases: 45 with a goal, 46 with ED visits in the rates. The 5 without a
    goal and the 4 without visits would be the cohort's size minus the shown count: both
    counts go blank, with the rates they give; cohort B (30 cases, all with both) shows
    exactly. With exact counts asked for (``min_cell=1``) nothing is blanked."""
    import datetime as dt

    from casekit.cohort import compare_goals, compare_utilisation

    a_ids, b_ids = [f"A{i:02}" for i in range(50)], [f"B{i:02}" for i in range(30)]
    a, b = pl.DataFrame({"case_id": a_ids}), pl.DataFrame({"case_id": b_ids})
    with_goal = a_ids[:45] + b_ids
    progress = pl.DataFrame({
        "goal_id": [f"G{c}" for c in with_goal], "case_id": with_goal, "target_on": [dt.date(2026, 3, 1)] * 75,
        "achieved": [True] * 75, "achieved_by_target": [True] * 75, "achieved_late": [False] * 75,
        "overdue": [False] * 75, "days_to_achieve": [20] * 75, "measure_met": [None] * 75,
    })  # fmt: skip
    used = a_ids[:46] + b_ids
    rates = pl.DataFrame({
        "case_id": used, "domain": ["utilization"] * 76, "measure": ["ed_visits_6m"] * 76,
        "measure_kind": ["count"] * 76, "window_months": [6.0] * 76, "member_months_before": [6.0] * 76,
        "before": [2.0] * 76, "member_months_after": [6.0] * 76, "rate_after": [0.1] * 76, "used": [True] * 76,
    })  # fmt: skip
    goals = compare_goals(a, b, progress).row(0, named=True)
    assert (goals["n_cases_a"], goals["suppressed_a"]) == (None, True)
    assert (goals["n_cases_b"], goals["suppressed_b"]) == (30, False)
    util = compare_utilisation(a, b, rates).row(0, named=True)
    assert (util["n_used_a"], util["rate_before_a"], util["suppressed_a"]) == (None, None, True)
    assert (util["n_used_b"], util["suppressed_b"]) == (30, False)
    exact = compare_utilisation(a, b, rates, min_cell=1).row(0, named=True)
    assert (exact["n_used_a"], exact["suppressed_a"]) == (46, False)
    assert compare_goals(a, b, progress, min_cell=1)["n_cases_a"].item() == 45


# ---- shares beside their n: 5 % of 40 is 2 people ---------------------------------------------


def implied_small_counts(table: pl.DataFrame, shares: dict[str, str], low: int = 11) -> list[tuple]:
    """The attack on a shared share: each share shown beside its denominator gives the count
    ``round(share × n)`` and the others ``n - count``; the (row, share, count) where either
    is 1 to ``low - 1`` people."""
    found = []
    for i, row in enumerate(table.iter_rows(named=True)):
        for share, den in shares.items():
            if row.get(share) is None or row.get(den) is None:
                continue
            k = round(row[share] * row[den])
            for count in (k, row[den] - k):
                if 1 <= count < low:
                    found.append((i, share, count))
    return found


_OUTCOME_SHARES = dict.fromkeys(("pct_improved", "pct_improved_any", "pct_worsened", "pct_unchanged"), "n_pairs")


@pytest.fixture(scope="module")
def sample_changes() -> tuple:
    data = ck.make_sample(400, seed=11)
    return data, ck.outcome_changes(data, as_of=ck.SAMPLE_AS_OF)


@pytest.mark.parametrize("by", [("domain", "measure"), ("measure", "program"), ("measure", "sex"), ("measure",)])
def test_no_small_count_comes_back_from_the_shared_outcome_shares(by: tuple, sample_changes: tuple) -> None:
    data, changes = sample_changes
    own = ck.outcome_summary(data, by=by, changes=changes, for_sharing=False, as_of=ck.SAMPLE_AS_OF)
    shared = ck.outcome_summary(data, by=by, changes=changes, as_of=ck.SAMPLE_AS_OF)
    assert implied_small_counts(own, _OUTCOME_SHARES) != []  # the control: the team's view gives them
    assert implied_small_counts(shared, _OUTCOME_SHARES) == [], by
    kept = ~shared["suppressed"]
    assert shared.filter(kept)["pct_improved"].to_list() == own.filter(kept)["pct_improved"].to_list()
    assert shared["mean_change"].drop_nulls().len() >= shared["pct_improved"].drop_nulls().len()  # means stay


def test_a_share_of_40_pairs_that_is_2_people_is_blanked_with_its_siblings() -> None:
    from casekit.outcomes._summary import summarise_changes

    frame = pl.DataFrame({
        "case_id": [f"C{i:02}" for i in range(40)], "measure": ["PHQ-9"] * 40, "paired": [True] * 40,
        "baseline": [15.0] * 40, "latest": [8.0] * 2 + [15.0] * 38, "change": [-7.0] * 2 + [0.0] * 38,
        "direction": ["improved"] * 2 + ["unchanged"] * 38, "improved": [True] * 2 + [False] * 38,
        "mcid_applied": [True] * 40, "response": [None] * 40, "remission": [None] * 40,
    }).lazy()  # fmt: skip
    own = summarise_changes(frame, ["measure"], for_sharing=False).collect().row(0, named=True)
    assert (own["n_pairs"], own["pct_improved"], own["pct_unchanged"]) == (40, 0.05, 0.95)
    shared = summarise_changes(frame, ["measure"]).collect().row(0, named=True)
    assert (shared["n_pairs"], shared["mean_change"], shared["suppressed"]) == (40, -0.35, True)
    assert [shared[c] for c in _OUTCOME_SHARES] == [None] * 4  # 0.95 would be 1 - 0.05


@pytest.mark.parametrize("totals", [False, True])
def test_margins_read_for_their_cells_only_give_the_cells_of_the_full_margins(sample_changes: tuple, totals) -> None:
    from itertools import combinations

    from polars.testing import assert_frame_equal

    from casekit.measures import load_measures
    from casekit.outcomes._summary import SHARE_SETS, _aggregate, _margins
    from casekit.privacy import _cells

    _, changes = sample_changes
    catalogue = load_measures(None)
    by = ["domain", "measure"]
    rows = changes.with_columns(pl.col("domain").replace("clinical", None))  # a null group too
    schema = _aggregate(rows.lazy(), by, totals=totals, measures=catalogue).collect_schema()
    margins = _margins(rows, by, schema)
    pairs = {c: None for c in schema if c not in by} | {"n_paired": "n_cases", "n_unpaired": "n_cases"}
    for keys in [list(k) for n in range(len(by)) for k in combinations(by, n)]:
        full = _aggregate(rows.lazy(), keys, totals=totals, measures=catalogue).collect()
        margin = margins(tuple(keys))
        assert margin["mean_change"].null_count() == margin.height  # the margin skips the means
        assert margin.columns == full.columns
        full, margin = (t.sort(keys).with_columns(__i=pl.int_range(pl.len())) for t in (full, margin))
        (values, names, units), (m_values, m_names, m_units) = (
            _cells(t, ["n_cases"], [pairs, *SHARE_SETS]) for t in (full, margin)
        )
        assert values.sum() > 0
        assert (values.tolist(), names, units.tolist()) == (m_values.tolist(), m_names, m_units.tolist())
        shares = [c for c in full.columns if c.startswith("pct_") and c != "pct_change"]  # the shares, to the last bit
        assert_frame_equal(full.select(shares), margin.select(shares), check_exact=True)


def test_group_measure_and_a_vs_b_hide_a_share_that_is_a_small_count() -> None:
    from casekit.cohort import CohortComparison

    data = ck.make_sample(400, seed=11)
    cohort = cohort_frame(data, as_of=ck.SAMPLE_AS_OF)
    blanked = 0
    for by in (["program"], ["sex"], ["effective_tier"], ["program", "sex"]):
        kw = {"by": by, "measure": "pct_improved", "outcome_measure": "PHQ-9"}
        own, shared = group_measure(cohort, **kw), group_measure(cohort, **kw, for_sharing=True)
        assert implied_small_counts(shared, {"pct_improved": "n"}) == [], by
        blanked += len(implied_small_counts(own, {"pct_improved": "n"}))
    assert blanked > 0  # the control: unshared, some of them give a count of 1-10
    comparison = CohortComparison(
        pl.DataFrame({"measure": ["PHQ-9", "GAD-7"], "n_paired_a": [40, 40], "pct_improved_a": [0.05, 0.5],
                      "mean_change_a": [-2.0, -1.0], "n_paired_b": [40, 40], "pct_improved_b": [0.8, 0.45],
                      "mean_change_b": [-1.0, -1.5]}),
        pl.DataFrame({"n_cases_a": [40], "n_a": [40], "median_days_a": [10.0],
                      "n_cases_b": [40], "n_b": [40], "median_days_b": [12.0]}),
    )  # fmt: skip
    shares = {"pct_improved_a": "n_paired_a", "pct_improved_b": "n_paired_b"}
    assert implied_small_counts(comparison.outcomes, shares) == [(0, "pct_improved_a", 2), (0, "pct_improved_b", 8)]
    shown = comparison.suppressed().outcomes
    assert implied_small_counts(shown, shares) == []
    assert shown.select("pct_improved_a", "mean_change_a", "pct_improved_b", "suppressed_b").rows() == [
        (None, -2.0, None, True),
        (0.5, -1.0, 0.45, False),
    ]


def test_the_funder_summary_hides_a_share_whose_others_are_few() -> None:
    import dataclasses

    from casekit.report import build_report
    from casekit.summary import summary_sections

    report = build_report(ck.make_sample(200, seed=3), as_of=ck.SAMPLE_AS_OF, lang="en")
    # 40 paired measures, 36 improved: 90 % beside 40 gives the 4 not improved back
    small = dataclasses.replace(
        report, figures={**report.figures, "paired_measures": 40, "improved_measures": 36, "improved_share": 0.9}
    )
    figures = {r.key: r.cells[0] for s in summary_sections(small, lang="en") for r in s.rows if s.key == "key_figures"}
    assert (figures["paired_measures"].value, figures["improved_share"].suppressed) == (40, True)
    own = summary_sections(small, lang="en", for_sharing=False)
    assert {r.key: r.cells[0] for r in own[0].rows}["improved_share"].value == 0.9
    # the outcomes by domain: no shown share gives 1-10 people (improved or not) among its pairs
    paired = report.sheets["outcome_changes"].filter(pl.col("paired"))
    pairs = dict(paired.group_by("domain").len().iter_rows())
    section = next(s for s in summary_sections(report, lang="en") if s.key == "outcomes")
    rows = pl.DataFrame(
        [(pairs[r.key], r.cells[1].value, r.cells[2].value) for r in section.rows],
        schema={"pairs": pl.Int64, "any": pl.Float64, "mcid": pl.Float64},
        orient="row",
    )
    assert implied_small_counts(rows, {"any": "pairs", "mcid": "pairs"}) == []
    own_section = next(s for s in own if s.key == "outcomes")
    own_rows = pl.DataFrame(
        [(pairs[r.key], r.cells[1].value, r.cells[2].value) for r in own_section.rows],
        schema={"pairs": pl.Int64, "any": pl.Float64, "mcid": pl.Float64},
        orient="row",
    )
    assert implied_small_counts(own_rows, {"any": "pairs", "mcid": "pairs"}) != []  # the control


_GOAL_SHARES = {"pct_achieved": "n_goals", "pct_measure_met": "n_with_measure"}


@pytest.mark.parametrize("by", [("domain",), ("owner",), ("program",), ("domain", "owner")])
def test_no_small_count_comes_back_from_the_shared_goal_attainment_shares(by: tuple) -> None:
    data = ck.make_sample(400, seed=11)
    progress = ck.goal_progress(data, as_of=ck.SAMPLE_AS_OF)
    kw = {"by": by, "as_of": ck.SAMPLE_AS_OF, "progress": progress}
    own, shared = ck.goal_attainment(data, **kw, for_sharing=False), ck.goal_attainment(data, **kw)
    assert implied_small_counts(own, _GOAL_SHARES) != []  # the control: the team's view gives them
    assert implied_small_counts(shared, _GOAL_SHARES) == [], by
    kept = ~shared["suppressed"]
    assert shared.filter(kept)["pct_achieved"].to_list() == own.filter(kept)["pct_achieved"].to_list()


def _small_goal_counts(view: pl.DataFrame) -> list[tuple[str, int]]:
    """Shown goal counts of 1-10, or whose complement within a shown total is 1-10."""
    from casekit.outcomes._goals import GOAL_LINKED

    found = []
    for n, total in {n: t for linked in GOAL_LINKED for n, t in linked.items() if n.startswith("n_")}.items():
        wholes = view[total] if total in view.columns else [None] * view.height
        for count, whole in zip(view[n], wholes, strict=True):
            if count is not None and (1 <= count <= 10 or (whole is not None and 1 <= whole - count <= 10)):
                found.append((n, count))
    return found


@pytest.mark.parametrize("by", [("domain",), ("owner",), ("program",)])
def test_no_small_goal_count_is_shown_in_the_shared_goal_attainment(by: tuple) -> None:
    """Counts of goals achieved, overdue, measured... of 1-10, or 1-10 short of their shown
    total, are small cells: shared, the row's counts go (the team's view keeps them)."""
    data = ck.make_sample(400, seed=11)
    progress = ck.goal_progress(data, as_of=ck.SAMPLE_AS_OF)
    kw = {"by": by, "as_of": ck.SAMPLE_AS_OF, "progress": progress}
    own, shared = ck.goal_attainment(data, **kw, for_sharing=False), ck.goal_attainment(data, **kw)
    assert _small_goal_counts(own) != []  # the control: the team's view shows them
    assert _small_goal_counts(shared) == [], by
    kept = ~shared["suppressed"]
    assert shared.filter(kept)["n_achieved"].to_list() == own.filter(kept)["n_achieved"].to_list()


def test_a_vs_b_goals_hide_a_share_that_is_a_small_count() -> None:
    from casekit.cohort import compare_goals

    data = ck.make_sample(400, seed=11)
    progress = ck.goal_progress(data, as_of=ck.SAMPLE_AS_OF)
    cases = progress["case_id"].unique().sort()
    shares = {f"{s}_{side}": f"{d}_{side}" for s, d in _GOAL_SHARES.items() for side in ("a", "b")}
    leaked = 0
    for size in (6, 9, 14, 25):  # cohorts of a few cases with goals: few goals achieved or measured
        a, b = pl.DataFrame({"case_id": cases[:size]}), pl.DataFrame({"case_id": cases[size : 3 * size]})
        own = compare_goals(a, b, progress, for_sharing=False)
        assert implied_small_counts(compare_goals(a, b, progress), shares) == [], size
        leaked += len(implied_small_counts(own, shares))
    assert leaked > 0  # the control: the team's view gives some


def _tier_cells(view: pl.DataFrame, grouping: str) -> pl.DataFrame:
    """The fairness view's implied counts (share × n) as a groups × tiers table (null: not shown)."""
    tiers = [c.removeprefix("share_") for c in view.columns if c.startswith("share_")]
    part = view.filter(pl.col("grouping") == grouping)
    cells = part.select("group", *[(pl.col(f"share_{t}") * pl.col("n")).round().cast(pl.Int64).alias(t) for t in tiers])
    return cells.unpivot(index="group", variable_name="tier", value_name="k").sort("group", "tier", nulls_last=True)


def test_no_tier_count_of_the_fairness_view_comes_back_from_shares_ns_and_the_overall_row() -> None:
    """Shown tier shares beside each group's n are counts; the groups' n (row totals) and the
    overall row's shares (column totals) are public: the linear-program attack on the
    groups × tiers table of each grouping finds no blank, and no shown share is 1-10 people."""
    data = ck.make_sample(400, seed=11)
    scores = ck.score_risk(data, as_of=ck.SAMPLE_AS_OF)
    own = ck.fairness_summary(data, scores, for_sharing=False)
    shared = ck.fairness_summary(data, scores)
    shares = {c: "n" for c in shared.columns if c.startswith("share_")}
    assert implied_small_counts(own, shares) != []  # the control: exact shares give people away
    assert implied_small_counts(shared, shares) == []
    overall = _tier_cells(shared, "overall").drop("group").drop_nulls("k")
    blanks = 0
    for grouping in ("sex", "age_band", "ethnicity"):
        truth, shown = _tier_cells(own, grouping), _tier_cells(shared, grouping)
        groups = shared.filter(pl.col("grouping") == grouping).select("group", pl.col("n").alias("k")).drop_nulls("k")
        margins = {"group": groups, "tier": overall}
        assert recoverable(shown, truth, ["group", "tier"], "k", margins) == [], grouping
        blanks += shown["k"].null_count()
    assert blanks > 0
    # the attack works: 40 women, 2 of them moderate; the share blanked alone is 40 - 20 - 18
    from casekit.data import CaseData

    ids = [f"C{i:02}" for i in range(80)]
    tiers = ["low"] * 20 + ["high"] * 18 + ["moderate"] * 2 + ["low"] * 20 + ["high"] * 20
    scores = pl.DataFrame({"case_id": ids, "score": [3] * 80, "computed_tier": tiers, "age": [50] * 80})
    cases = CaseData({"cases": pl.DataFrame({"case_id": ids, "sex": ["female"] * 40 + ["male"] * 40})})
    own = ck.fairness_summary(cases, scores, by=["sex"], for_sharing=False)
    primary = own.with_columns(
        pl.when(~(pl.col(c) * pl.col("n")).round().is_between(1, 10)).then(pl.col(c)).alias(c) for c in shares
    )
    margins = {"group": own.filter(pl.col("grouping") == "sex").select("group", pl.col("n").alias("k"))}
    found = recoverable(_tier_cells(primary, "sex"), _tier_cells(own, "sex"), ["group", "tier"], "k", margins)
    assert found == [(("female", "moderate"), 2.0)]
    shared = ck.fairness_summary(cases, scores, by=["sex"])
    assert recoverable(_tier_cells(shared, "sex"), _tier_cells(own, "sex"), ["group", "tier"], "k", margins) == []
    assert shared["n"].to_list() == [80, 40, 40]  # the counts stay; the shares go
