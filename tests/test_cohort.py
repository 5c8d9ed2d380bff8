"""casekit.cohort: hand-checked on a tiny caseload, consistent with the stage engine on the sample."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
from casekit.cohort import (
    CohortFilter,
    cohort_durations,
    cohort_entries,
    cohort_events,
    cohort_frame,
    compare_cohorts,
    group_measure,
    outcome_measures,
)
from casekit.risk.fairness import age_band
from tests.builders import D, caseload

AS_OF = D("2026-06-30")


@pytest.fixture(scope="module")
def tiny() -> pl.DataFrame:
    """A: planned (entered planning 11 days after opening), PHQ-9 improved by 6;
    B: waiting for its risk review, PHQ-9 worse by 2; C: not screened; D opens after the as-of date."""
    data = caseload(
        cases=[
            {
                "case_id": "A",
                "opened_on": "2026-01-01",
                "program": "p1",
                "case_manager": "Ana",
                "sex": "female",
                "birth_date": "1950-07-01",
            },
            {
                "case_id": "B",
                "opened_on": "2026-02-01",
                "program": "p1",
                "case_manager": "Bo",
                "sex": "male",
                "birth_date": "1990-01-01",
            },
            {"case_id": "C", "opened_on": "2026-03-01", "program": "p2", "case_manager": "Ana", "sex": "female"},
            {"case_id": "D", "opened_on": "2026-07-15", "program": "p2", "case_manager": "Ana", "sex": "male"},
        ],
        screenings=[
            {"case_id": "A", "screened_on": "2026-01-05", "decision": "refer_to_assessment"},
            {"case_id": "B", "screened_on": "2026-02-03", "decision": "refer_to_assessment"},
        ],
        assessments=[{"case_id": "A", "assessed_on": "2026-01-10"}, {"case_id": "B", "assessed_on": "2026-02-20"}],
        risk_reviews=[{"case_id": "A", "reviewed_on": "2026-01-12", "reviewer": "R"}],
        goals=[
            {
                "goal_id": "G1",
                "case_id": "A",
                "set_on": "2026-01-15",
                "target_on": "2026-03-01",
                "status": "in_progress",
            }
        ],
        services=[{"service_id": "S1", "case_id": "A", "service": "x", "start_on": "2026-01-20"}],
        outcomes=[
            {
                "case_id": "A",
                "measured_on": "2026-01-10",
                "domain": "clinical",
                "measure": "PHQ-9",
                "value": 15.0,
                "timepoint": "baseline",
                "higher_is_better": False,
            },
            {
                "case_id": "A",
                "measured_on": "2026-04-10",
                "domain": "clinical",
                "measure": "PHQ-9",
                "value": 9.0,
                "timepoint": "follow_up",
                "higher_is_better": False,
            },
            {
                "case_id": "B",
                "measured_on": "2026-02-20",
                "domain": "clinical",
                "measure": "PHQ-9",
                "value": 10.0,
                "timepoint": "baseline",
                "higher_is_better": False,
            },
            {
                "case_id": "B",
                "measured_on": "2026-05-20",
                "domain": "clinical",
                "measure": "PHQ-9",
                "value": 12.0,
                "timepoint": "follow_up",
                "higher_is_better": False,
            },
            {
                "case_id": "C",
                "measured_on": "2026-03-05",
                "domain": "clinical",
                "measure": "WHO-5",
                "value": 40.0,
                "timepoint": "baseline",
                "higher_is_better": True,
            },
        ],
    )
    risk = pl.DataFrame({"case_id": ["A", "B"], "effective_tier": ["high", "low"]})
    status = ck.case_status(data, as_of=AS_OF, risk=risk)
    return cohort_frame(data, as_of=AS_OF, status=status)


# -- the cohort frame --------------------------------------------------------------------


def test_one_row_per_case_opened_by_the_as_of_date(tiny: pl.DataFrame) -> None:
    rows = tiny.select("case_id", "program", "case_manager", "effective_tier", "current_stage", "sex").rows()
    assert rows == [
        ("A", "p1", "Ana", "high", "implementation", "female"),
        ("B", "p1", "Bo", "low", "risk", "male"),
        ("C", "p2", "Ana", None, "screening", "female"),
    ]


def test_age_is_completed_years_at_the_as_of_date(tiny: pl.DataFrame) -> None:
    # A turns 76 on 1 July 2026, the day after the as-of date
    assert tiny["age"].to_list() == [75, 36, None]
    assert tiny["age_band"].to_list() == ["75-84", "<40", None]
    assert tiny["opened_year"].to_list() == [2026] * 3


def test_stage_entry_days_come_from_the_completion_rules(tiny: pl.DataFrame) -> None:
    a = tiny.row(0, named=True)
    assert a["entered_screening"] == D("2026-01-01")  # opening
    assert a["entered_assessment"] == D("2026-01-05")  # referred
    assert a["entered_risk"] == D("2026-01-10")  # assessed
    assert a["entered_planning"] == D("2026-01-12")  # reviewed
    assert a["entered_implementation"] == D("2026-01-20")  # goal with target + service
    assert a["entered_monitoring"] is None
    assert tiny["entered_planning"].to_list() == [D("2026-01-12"), None, None]
    assert tiny["entered_closed"].null_count() == 3


def test_outcome_changes_are_one_column_per_measure_with_a_pair(tiny: pl.DataFrame) -> None:
    assert outcome_measures(tiny) == ["PHQ-9"]  # WHO-5 has a baseline only
    assert tiny["change[PHQ-9]"].to_list() == [-6.0, 2.0, None]
    assert tiny["direction[PHQ-9]"].to_list() == ["improved", "worsened", None]


# -- filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flt", "ids"),
    [
        (CohortFilter(), ["A", "B", "C"]),
        (CohortFilter(tiers=("high",)), ["A"]),
        (CohortFilter(tiers=(None,)), ["C"]),
        (CohortFilter(tiers=("low", None)), ["B", "C"]),
        (CohortFilter(programs=("p1",), sexes=("male",)), ["B"]),
        (CohortFilter(case_managers=("Ana",)), ["A", "C"]),
        (CohortFilter(stages=("risk", "screening")), ["B", "C"]),
        (CohortFilter(age_bands=("75-84", "<40")), ["A", "B"]),
        (CohortFilter(opened_from=D("2026-02-01")), ["B", "C"]),
        (CohortFilter(opened_to=D("2026-02-01")), ["A", "B"]),
        (CohortFilter(opened_from=D("2026-01-02"), opened_to=D("2026-02-28"), programs=("p1", "p2")), ["B"]),
        (CohortFilter(programs=("nope",)), []),
    ],
)
def test_filters(tiny: pl.DataFrame, flt: CohortFilter, ids: list[str]) -> None:
    assert flt.apply(tiny)["case_id"].to_list() == ids
    assert tiny.filter(flt.expr())["case_id"].to_list() == ids


def test_a_filter_is_hashable_and_lists_become_tuples() -> None:
    flt = CohortFilter(programs=["p1"])  # type: ignore[arg-type] - what a multiselect returns
    assert flt.programs == ("p1",)
    assert hash(flt) == hash(CohortFilter(programs=("p1",)))
    assert not flt.is_empty()


# -- group-bys ---------------------------------------------------------------------------


def test_count_and_share(tiny: pl.DataFrame) -> None:
    assert group_measure(tiny, by="program").rows() == [("p1", 2, 2, 2), ("p2", 1, 1, 1)]
    share = group_measure(tiny, by="program", measure="share")
    assert share["share"].to_list() == pytest.approx([2 / 3, 1 / 3])
    assert group_measure(tiny, by=(), measure="count").rows() == [(3, 3, 3)]


def test_groups_in_natural_order_blank_last(tiny: pl.DataFrame) -> None:
    assert group_measure(tiny, by="effective_tier")["effective_tier"].to_list() == ["low", "high", None]
    assert group_measure(tiny, by="current_stage")["current_stage"].to_list() == ["screening", "risk", "implementation"]
    assert group_measure(tiny, by="age_band")["age_band"].to_list() == ["<40", "75-84", None]
    two = group_measure(tiny, by=["program", "sex"])
    assert two.select("program", "sex", "n").rows() == [("p1", "female", 1), ("p1", "male", 1), ("p2", "female", 1)]


def test_median_days_between_stages(tiny: pl.DataFrame) -> None:
    plan = group_measure(tiny, by="program", measure="median_days", to_stage="planning")
    assert plan.rows() == [("p1", 2, 1, 11.0), ("p2", 1, 0, None)]
    risk = group_measure(tiny, by=(), measure="median_days", from_stage="assessment", to_stage="risk")
    assert risk.rows() == [(3, 2, 11.0)]  # A: 5 days, B: 17 days


def test_outcome_measures_per_group(tiny: pl.DataFrame) -> None:
    kw = {"by": "program", "outcome_measure": "PHQ-9"}
    assert group_measure(tiny, measure="pct_improved", **kw).rows() == [("p1", 2, 2, 0.5), ("p2", 1, 0, None)]
    assert group_measure(tiny, measure="mean_change", **kw).rows() == [("p1", 2, 2, -2.0), ("p2", 1, 0, None)]
    none = group_measure(tiny, measure="mean_change", by="program", outcome_measure="unknown")
    assert none["n"].to_list() == [0, 0]


def test_changes_frame_gives_the_same_as_the_cohort_columns(tiny: pl.DataFrame) -> None:
    changes = pl.DataFrame(
        {
            "case_id": ["A", "B", "C"],
            "measure": ["PHQ-9", "PHQ-9", "WHO-5"],
            "change": [-6.0, 2.0, None],
            "direction": ["improved", "worsened", None],
        }
    )
    for measure in ("pct_improved", "mean_change"):
        kw = {"by": "sex", "measure": measure, "outcome_measure": "PHQ-9"}
        assert_frame_equal(group_measure(tiny, **kw), group_measure(tiny, changes=changes, **kw))


def test_suppression_for_export(tiny: pl.DataFrame) -> None:
    out = group_measure(tiny, by="program", measure="median_days", to_stage="planning", for_sharing=True)
    assert out.rows() == [("p1", None, None, None, True), ("p2", None, None, None, True)]  # a small group: all of it
    # min_cell=2: p2 (1 case) is suppressed, and so is p1: the cohort's 3 cases minus p1's 2 would give p2 away
    out = group_measure(tiny, by="program", measure="count", for_sharing=True, min_cell=2)
    assert out.rows() == [("p1", None, None, None, True), ("p2", None, None, None, True)]


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"by": "client_name"}, "unknown grouping"),
        ({"by": "sex", "measure": "mean"}, "unknown measure"),
        ({"by": "sex", "measure": "pct_improved"}, "outcome_measure"),
        ({"by": "sex", "measure": "median_days"}, "to_stage"),
        ({"by": "sex", "measure": "median_days", "from_stage": "planning", "to_stage": "risk"}, "before"),
        ({"by": "sex", "measure": "median_days", "to_stage": "opened"}, "unknown stage"),
    ],
)
def test_bad_requests_are_explained(tiny: pl.DataFrame, kw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        group_measure(tiny, **kw)


# -- A vs B ------------------------------------------------------------------------------


def test_compare_cohorts(tiny: pl.DataFrame) -> None:
    a = CohortFilter(programs=("p1",)).apply(tiny)
    b = CohortFilter(programs=("p2",)).apply(tiny)
    cmp = compare_cohorts(a, b)
    assert cmp.outcomes.rows() == [("PHQ-9", 2, 0.5, -2.0, 0, None, None)]
    assert cmp.time_to_plan.rows() == [(2, 1, 11.0, 1, 0, None)]
    hidden = cmp.suppressed()
    assert hidden.outcomes.row(0, named=True) == {
        "measure": "PHQ-9",
        "n_paired_a": None,
        "pct_improved_a": None,
        "mean_change_a": None,
        "suppressed_a": True,
        "n_paired_b": 0,
        "pct_improved_b": None,
        "mean_change_b": None,
        "suppressed_b": False,
    }
    assert hidden.time_to_plan["median_days_a"].to_list() == [None]


# -- stage views and the event log of a cohort -------------------------------------------


def test_cohort_entries_round_trip_the_stage_entries(tiny: pl.DataFrame) -> None:
    entries = cohort_entries(tiny)
    assert entries.filter(pl.col("case_id") == "A")["stage"].to_list() == [
        "screening",
        "assessment",
        "risk",
        "planning",
        "implementation",
    ]
    assert entries.schema == {"case_id": pl.String, "stage_number": pl.Int8, "stage": pl.String, "entered_on": pl.Date}


@pytest.fixture(scope="module")
def sample() -> dict[str, object]:
    data = ck.make_sample(600, seed=3)
    status = ck.case_status(data, as_of=ck.SAMPLE_AS_OF)
    entries = ck.stage_entries(data, as_of=ck.SAMPLE_AS_OF)
    changes = ck.outcome_changes(data, as_of=ck.SAMPLE_AS_OF)
    cohort = cohort_frame(data, as_of=ck.SAMPLE_AS_OF, status=status, entries=entries, changes=changes)
    return {"data": data, "status": status, "entries": entries, "changes": changes, "cohort": cohort}


def test_the_cohort_is_the_status_frame_case_for_case(sample: dict) -> None:
    cohort, status = sample["cohort"], sample["status"]
    cols = ["case_id", "program", "case_manager", "effective_tier", "current_stage", "reached_stage_number"]
    assert_frame_equal(cohort.select(cols), status.select(cols))
    assert_frame_equal(cohort_frame(sample["data"], as_of=ck.SAMPLE_AS_OF).select(cols), status.select(cols))


def test_filter_counts_equal_direct_filters_on_case_status(sample: dict) -> None:
    cohort, status = sample["cohort"], sample["status"]
    cases = sample["data"]["cases"].select("case_id", "sex", "opened_on", "birth_date")
    birthday_later = pl.col("birth_date").dt.strftime("%m%d") > ck.SAMPLE_AS_OF.strftime("%m%d")
    years = ck.SAMPLE_AS_OF.year - pl.col("birth_date").dt.year().cast(pl.Int32) - birthday_later.cast(pl.Int32)
    direct = status.join(cases, on="case_id", how="left").with_columns(age_band(years))
    program = status["program"].drop_nulls().unique().sort()[0]
    manager = status["case_manager"].drop_nulls().unique().sort()[-1]
    checks = [
        (CohortFilter(programs=(program,)), pl.col("program") == program),
        (CohortFilter(case_managers=(manager,)), pl.col("case_manager") == manager),
        (CohortFilter(tiers=("high", "moderate")), pl.col("effective_tier").is_in(["high", "moderate"])),
        (CohortFilter(stages=("monitoring",)), pl.col("current_stage") == "monitoring"),
        (
            CohortFilter(stages=("closed",), sexes=("female",)),
            (pl.col("current_stage") == "closed") & (pl.col("sex") == "female"),
        ),
        (CohortFilter(age_bands=("85+",)), pl.col("age_band") == "85+"),
        (CohortFilter(opened_from=dt.date(2026, 1, 1)), pl.col("opened_on") >= dt.date(2026, 1, 1)),
    ]
    for flt, expr in checks:
        expected = direct.filter(expr)["case_id"].sort().to_list()
        got = flt.apply(cohort)["case_id"].sort().to_list()
        assert got == expected, flt
        assert 0 < len(got) < cohort.height, flt  # each check really cuts the caseload


def test_group_counts_equal_polars_group_bys(sample: dict) -> None:
    cohort, status = sample["cohort"], sample["status"]
    for by in ("program", "case_manager", "effective_tier", "current_stage"):
        ours = group_measure(cohort, by=by).select(by, "count").sort(by, nulls_last=True)
        direct = status.group_by(by).agg(pl.len().cast(pl.Int64).alias("count")).sort(by, nulls_last=True)
        assert_frame_equal(ours, direct)


def test_funnel_and_durations_of_a_filtered_cohort(sample: dict) -> None:
    cohort, status, entries = sample["cohort"], sample["status"], sample["entries"]
    flt = CohortFilter(tiers=("high",))
    sub = flt.apply(cohort)
    assert_frame_equal(ck.funnel(sub), ck.funnel(status.filter(pl.col("effective_tier") == "high")))
    direct = entries.filter(pl.col("case_id").is_in(sub["case_id"].implode()))
    assert_frame_equal(ck.stage_durations(cohort_entries(sub)), ck.stage_durations(direct))
    assert_frame_equal(cohort_entries(cohort), entries)
    # the fast path from the wide columns: the same table
    assert_frame_equal(cohort_durations(sub), ck.stage_durations(direct))
    assert_frame_equal(cohort_durations(cohort), ck.stage_durations(entries))
    assert cohort_durations(cohort.head(0)).height == 0


def test_time_to_plan_equals_a_hand_join(sample: dict) -> None:
    cohort, entries = sample["cohort"], sample["entries"]
    plan = entries.filter(pl.col("stage") == "planning").select("case_id", "entered_on")
    days = (
        cohort.select("case_id", "opened_on", "program")
        .join(plan, on="case_id")
        .with_columns(days=(pl.col("entered_on") - pl.col("opened_on")).dt.total_days())
        .group_by("program")
        .agg(pl.col("days").median().alias("median_days"), pl.len().cast(pl.Int64).alias("n"))
        .sort("program")
    )
    ours = group_measure(cohort, by="program", measure="median_days", to_stage="planning").drop_nulls("program")
    assert_frame_equal(ours.select("program", "median_days", "n"), days.select("program", "median_days", "n"))


def test_outcomes_agree_with_outcome_summary(sample: dict) -> None:
    cohort, changes, data = sample["cohort"], sample["changes"], sample["data"]
    summary = ck.outcome_summary(  # exact: the two computations are compared, not shared
        data, ["measure", "program"], as_of=ck.SAMPLE_AS_OF, changes=changes, for_sharing=False
    )
    shown = summary.filter(~pl.col("suppressed")).select(
        "measure", "program", "n_paired", "pct_improved", "mean_change"
    )
    assert shown.height > 3
    for measure, program, n_paired, pct, mean in shown.iter_rows():
        improved = group_measure(cohort, by="program", measure="pct_improved", outcome_measure=measure)
        row = improved.filter(pl.col("program") == program).row(0, named=True)
        assert (row["n"], row["pct_improved"]) == (n_paired, pytest.approx(pct))
        change = group_measure(cohort, by="program", measure="mean_change", outcome_measure=measure)
        assert change.filter(pl.col("program") == program)["mean_change"].item() == pytest.approx(mean)


def test_compare_a_cohort_with_itself_and_the_whole(sample: dict) -> None:
    cohort = sample["cohort"]
    high = CohortFilter(tiers=("high",)).apply(cohort)
    cmp = compare_cohorts(high, cohort)
    assert cmp.outcomes["measure"].to_list() == outcome_measures(cohort)
    for row in cmp.outcomes.iter_rows(named=True):
        assert row["n_paired_a"] == high[f"change[{row['measure']}]"].count()
        assert row["n_paired_b"] == cohort[f"change[{row['measure']}]"].count()
    same = compare_cohorts(high, high)
    for col in ("n_paired", "pct_improved", "mean_change"):
        assert same.outcomes[f"{col}_a"].to_list() == same.outcomes[f"{col}_b"].to_list()
    assert cmp.time_to_plan["n_cases_a"].item() == high.height
    assert cmp.time_to_plan["n_cases_b"].item() == cohort.height


def test_cohort_events_keep_only_the_cohort(sample: dict) -> None:
    log = ck.events(sample["data"], as_of=ck.SAMPLE_AS_OF)
    sub = CohortFilter(programs=(sample["cohort"]["program"][0],)).apply(sample["cohort"])
    mine = cohort_events(log, sub)
    assert set(mine["case_id"]) == set(sub["case_id"]) & set(log["case_id"])
    assert mine.height == log.filter(pl.col("case_id").is_in(sub["case_id"].implode())).height < log.height
    assert ck.to_process_mining(mine).columns[:3] == ["case:concept:name", "concept:name", "time:timestamp"]


# -- docs/explore.md -----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
DOC_BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "explore.md").read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("code", DOC_BLOCKS, ids=[f"block{i}" for i in range(len(DOC_BLOCKS))])
def test_the_notebook_example_of_the_docs_runs(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/explore.md", "exec"), namespace)  # our own documentation
    a, cohort = namespace["a"], namespace["cohort"]
    assert 0 < a.height < cohort.height == 500
    assert (tmp_path / "cohort_log.csv").stat().st_size > 0
    extract = pl.read_excel(tmp_path / "cohort_extract.xlsx", sheet_id=0)["cases"]
    assert 0.8 * a.height <= extract.height <= a.height  # k-anonymity suppresses a few cases


def test_unvalidated_data_with_a_repeated_case_row_gives_one_row_per_case() -> None:
    """The broken workbook read without validation repeats C00004's `cases` row: the cohort
    frame keeps one row for it (its first, as for the case's own columns) instead of
    failing in the stage-entry pivot."""
    root = Path(__file__).resolve().parents[1]
    raw = ck.read_workbook(root / "sample_data" / "casekit_broken_es.xlsx")
    assert raw.sheets["cases"].filter(pl.col("case_id") == "C00004").height == 2
    frame = cohort_frame(raw, as_of=ck.SAMPLE_AS_OF)
    assert frame["case_id"].is_duplicated().sum() == 0
    first = ck.stage_entries(raw, as_of=ck.SAMPLE_AS_OF).filter(pl.col("case_id") == "C00004")
    first = first.unique("stage", keep="first", maintain_order=True)
    row = frame.filter(pl.col("case_id") == "C00004")
    assert row["entered_screening"].item() == first.filter(pl.col("stage") == "screening")["entered_on"].item()
