"""The benchmark's baselines compute what ``ck.case_status`` computes.

``benchmarks/baseline_pandas.py`` (what an analyst would write),
``benchmarks/baseline_duckdb.py`` (the same rules in SQL, by DuckDB over the Parquet files)
and ``benchmarks/floor_polars.py`` (the bare-polars floor) must agree with casekit on the
current stage and the set of open flags of every case, or the speed ratios compare
different work. All leave out one rule: ``quarantined_rows`` (it needs validation);
the sample validates cleanly, so casekit raises it nowhere here and the flag sets are
compared whole.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
from pathlib import Path
from types import ModuleType

import pandas as pd
import polars as pl
import pytest

import casekit as ck
from casekit.stages import FLAGS
from tests.benchmarks import load_bench
from tests.builders import caseload

baseline_pandas = load_bench("baseline_pandas")
floor_polars = load_bench("floor_polars")
baseline_duckdb = load_bench("baseline_duckdb")

Statuses = dict[str, tuple[str, frozenset[str]]]


def casekit_status(data: ck.CaseData, as_of: dt.date, tiers: pl.DataFrame) -> Statuses:
    result = ck.validate(data, as_of=as_of)
    status = ck.case_status(result, as_of=as_of, risk=tiers)
    return {
        case: (stage, frozenset(flags))
        for case, stage, flags in status.select("case_id", "current_stage", "flags").rows()
    }


def pandas_status(sheets: dict[str, pd.DataFrame], as_of: dt.date, tiers: pl.DataFrame) -> Statuses:
    out = baseline_pandas.case_status_pandas(sheets, as_of=as_of, tiers=tiers.to_pandas())
    return {case: (stage, frozenset(flags)) for case, stage, flags in out.itertuples(index=False)}


def floor_status(data: ck.CaseData, as_of: dt.date, tiers: pl.DataFrame) -> Statuses:
    out = floor_polars.case_status_floor(data.sheets, as_of=as_of, tiers=tiers)
    flags = floor_polars.flag_sets(out)
    return {case: (stage, flags[case]) for case, stage in out.select("case_id", "current_stage").rows()}


def duckdb_status(folder: Path, as_of: dt.date, tiers: pl.DataFrame) -> Statuses:
    out = baseline_duckdb.case_status_duckdb(folder, as_of=as_of, tiers=tiers, threads=1)
    flags = baseline_duckdb.flag_sets(out)
    return {case: (stage, flags[case]) for case, stage in out.select("case_id", "current_stage").rows()}


def disagreements(expected: Statuses, got: Statuses) -> list[tuple[str, object, object]]:
    return sorted(
        (k, expected.get(k), got.get(k)) for k in expected.keys() | got.keys() if expected.get(k) != got.get(k)
    )


@pytest.fixture(scope="module", params=[(1, ck.SAMPLE_AS_OF), (7, dt.date(2026, 4, 15))], ids=["seed1", "seed7-april"])
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    seed, as_of = request.param
    data = ck.make_sample(300, seed=seed)
    folder = tmp_path_factory.mktemp("caseload") / "parquet"
    ck.write_workbook(data, folder, format="parquet")
    tiers = ck.score_risk(data, as_of=as_of).select("case_id", "effective_tier")
    return {
        "data": data,
        "folder": folder,
        "as_of": as_of,
        "tiers": tiers,
        "casekit": casekit_status(data, as_of, tiers),
    }


def test_the_sample_exercises_every_rule_the_baselines_implement(sample: dict) -> None:
    raised = {f for _, flags in sample["casekit"].values() for f in flags}
    stages = {stage for stage, _ in sample["casekit"].values()}
    opened = sample["data"]["cases"].filter(pl.col("opened_on") <= sample["as_of"]).height
    assert len(sample["casekit"]) == opened > 100
    assert set(baseline_pandas.FLAGS) == set(floor_polars.FLAGS) == set(FLAGS) - {"quarantined_rows"}
    assert tuple(f for f in FLAGS if f != "quarantined_rows") == baseline_duckdb.FLAGS
    if sample["as_of"] == ck.SAMPLE_AS_OF:  # the sample's own date: every rule fires somewhere
        assert raised == set(baseline_pandas.FLAGS)
        assert len(stages) == 9
    else:  # an early date: fewer cases, most still in the first stages
        assert len(raised) >= 5
        assert len(stages) >= 5


def test_pandas_baseline_agrees_with_case_status(sample: dict) -> None:
    sheets = baseline_pandas.read_parquet_folder(sample["folder"])  # the way the benchmark reads them
    got = pandas_status(sheets, sample["as_of"], sample["tiers"])
    assert disagreements(sample["casekit"], got) == []


def test_floor_agrees_with_case_status(sample: dict) -> None:
    read = ck.read_workbook(sample["folder"])  # the frames the benchmark gives the floor
    got = floor_status(read, sample["as_of"], sample["tiers"])
    assert disagreements(sample["casekit"], got) == []


def test_duckdb_baseline_agrees_with_case_status(sample: dict) -> None:
    got = duckdb_status(sample["folder"], sample["as_of"], sample["tiers"])  # the Parquet files, as benchmarked
    assert disagreements(sample["casekit"], got) == []


def test_without_tiers_the_baselines_use_the_default_tier(sample: dict) -> None:
    none = pl.DataFrame(schema={"case_id": pl.String, "effective_tier": pl.String})
    data, as_of = sample["data"], sample["as_of"]
    expected = casekit_status(data, as_of, none)
    assert expected != sample["casekit"]  # the tiers matter (plan and follow-up deadlines)
    sheets = {name: df.drop("_row").to_pandas() for name, df in data.sheets.items()}
    assert disagreements(expected, pandas_status(sheets, as_of, none)) == []
    assert disagreements(expected, floor_status(data, as_of, none)) == []
    assert disagreements(expected, duckdb_status(sample["folder"], as_of, none)) == []


#: Cases of the rules of issue 12 (assessed, reviewed: in planning unless their own rows say more).
NEW_EDGES = (
    "friday_tuesday",
    "friday_wednesday",
    "friday_missing",
    "insurer_only",
    "two_first_missed",
    "self_harm_open",
    "self_harm_done",
    "self_harm_blank_later",
    "crisis_cleared",
    "unsafe_home",
)

#: Boundary cases of the rules (``docs/process_rules.md``), each a case of one caseload.
EDGES = {
    "cases": [
        {"case_id": "tie", "opened_on": "2026-05-01"},
        {"case_id": "undated_service", "opened_on": "2026-05-01"},
        {"case_id": "achieved_later", "opened_on": "2026-05-01"},
        {"case_id": "post_day7", "opened_on": "2026-04-01"},
        {"case_id": "post_day8", "opened_on": "2026-04-01"},
        {"case_id": "missed_same_day", "opened_on": "2026-05-01"},
        {"case_id": "future", "opened_on": "2026-07-15"},
        {"case_id": "closed_later", "opened_on": "2026-05-01", "closed_on": "2026-07-01"},
        {"case_id": "review_before_reassessment", "opened_on": "2026-05-01"},
        *({"case_id": c, "opened_on": "2026-05-01"} for c in NEW_EDGES),
    ],
    "screenings": [
        {"case_id": "tie", "screened_on": "2026-05-02", "decision": "refer_to_assessment"},
        {"case_id": "tie", "screened_on": "2026-05-02", "decision": "declined"},  # same day, later row wins
        *(
            {"case_id": c, "screened_on": "2026-05-02", "decision": "refer_to_assessment"}
            for c in ("undated_service", "achieved_later", "missed_same_day", "closed_later")
        ),
        *(
            {"case_id": c, "screened_on": "2026-04-02", "decision": "refer_to_assessment"}
            for c in ("post_day7", "post_day8")
        ),
        {"case_id": "review_before_reassessment", "screened_on": "2026-05-02", "decision": "refer_to_assessment"},
        *({"case_id": c, "screened_on": "2026-05-02", "decision": "refer_to_assessment"} for c in NEW_EDGES),
        {"case_id": "unsafe_home", "screened_on": "2026-05-02", "home_environment": "unsafe"},
    ],
    "assessments": [
        *(
            {"case_id": c, "assessed_on": "2026-05-05"}
            for c in ("undated_service", "achieved_later", "missed_same_day")
        ),
        *({"case_id": c, "assessed_on": "2026-04-05"} for c in ("post_day7", "post_day8")),
        {"case_id": "review_before_reassessment", "assessed_on": "2026-05-05"},
        {"case_id": "review_before_reassessment", "assessed_on": "2026-06-01"},
        *({"case_id": c, "assessed_on": "2026-05-04"} for c in NEW_EDGES),
        {"case_id": "self_harm_open", "assessed_on": "2026-06-01", "phq9_item9": 1},
        {"case_id": "self_harm_done", "assessed_on": "2026-06-01", "phq9_item9": 2},
        {"case_id": "self_harm_blank_later", "assessed_on": "2026-06-01", "phq9_item9": 1},
        {"case_id": "self_harm_blank_later", "assessed_on": "2026-06-10"},  # a blank never clears it
        {"case_id": "crisis_cleared", "assessed_on": "2026-06-01", "systolic_bp": 190, "diastolic_bp": 95},
        {"case_id": "crisis_cleared", "assessed_on": "2026-06-10", "systolic_bp": 130, "diastolic_bp": 85},
    ],
    "risk_reviews": [
        *(
            {"case_id": c, "reviewed_on": "2026-05-06"}
            for c in ("undated_service", "achieved_later", "missed_same_day")
        ),
        *({"case_id": c, "reviewed_on": "2026-04-06"} for c in ("post_day7", "post_day8")),
        {"case_id": "review_before_reassessment", "reviewed_on": "2026-05-06"},
        *({"case_id": c, "reviewed_on": "2026-05-05"} for c in NEW_EDGES),
        {"case_id": "self_harm_open", "reviewed_on": "2026-06-02"},  # no safety action: stays open
        {"case_id": "self_harm_done", "reviewed_on": "2026-06-01", "safety_action": "safety_plan"},
    ],
    "goals": [
        {"goal_id": "g1", "case_id": "undated_service", "set_on": "2026-05-10", "target_on": "2026-08-01"},
        {
            "goal_id": "g2",
            "case_id": "achieved_later",
            "set_on": "2026-05-10",
            "target_on": "2026-06-01",
            "status": "achieved",
            "achieved_on": "2026-07-10",
        },
        {"goal_id": "g3", "case_id": "post_day7", "set_on": "2026-04-10", "target_on": "2026-09-01"},
        {"goal_id": "g4", "case_id": "post_day8", "set_on": "2026-04-10", "target_on": "2026-09-01"},
        {"goal_id": "g5", "case_id": "missed_same_day", "set_on": "2026-05-10", "target_on": "2026-09-01"},
    ],
    "services": [
        {"service_id": "s1", "case_id": "undated_service"},
        {"service_id": "s2", "case_id": "achieved_later", "start_on": "2026-07-20"},  # after as_of: not yet
        {"service_id": "s3", "case_id": "post_day7", "start_on": "2026-04-10"},
        {"service_id": "s4", "case_id": "post_day8", "start_on": "2026-04-10"},
        {"service_id": "s5", "case_id": "missed_same_day", "start_on": "2026-05-10"},
    ],
    "contacts": [
        *(
            {
                "contact_id": f"{c}-v",
                "case_id": c,
                "contact_on": "2026-04-12",
                "kind": "home_visit",
                "status": "attended",
            }
            for c in ("post_day7", "post_day8")
        ),
        {
            "contact_id": "p7",
            "case_id": "post_day7",
            "contact_on": "2026-05-08",
            "kind": "post_transition",
            "status": "attended",
        },
        {
            "contact_id": "p8",
            "case_id": "post_day8",
            "contact_on": "2026-05-09",
            "kind": "post_transition",
            "status": "attended",
        },
        {
            "contact_id": "m1",
            "case_id": "missed_same_day",
            "contact_on": "2026-06-10",
            "kind": "appointment",
            "status": "attended",
        },
        {
            "contact_id": "m2",
            "case_id": "missed_same_day",
            "contact_on": "2026-06-10",
            "kind": "appointment",
            "status": "missed",
        },
        {
            "contact_id": "m3",
            "case_id": "missed_same_day",
            "contact_on": "2026-06-20",
            "kind": "phone_call",
            "status": "scheduled",
        },
        *(
            {
                "contact_id": f"f{i}",
                "case_id": case,
                "contact_on": on,
                "kind": kind,
                "status": "attended",
                "with_whom": whom,
            }
            for i, (case, on, kind, whom) in enumerate(
                [
                    ("friday_tuesday", "2026-06-09", "phone_call", "client"),
                    ("friday_wednesday", "2026-06-10", "home_visit", None),
                    ("insurer_only", "2026-06-08", "phone_call", "insurer"),
                ]
            )
        ),
    ],
    "transitions": [
        *(
            {"transition_id": f"t-{c}", "case_id": c, "transition_on": "2026-05-01", "kind": "step_down"}
            for c in ("post_day7", "post_day8")
        ),
        # 2026-06-05 is a Friday: a discharge's window (2 business days) ends on Tuesday 06-09
        *(
            {"transition_id": f"t-{c}", "case_id": c, "transition_on": "2026-06-05", "kind": "discharge"}
            for c in ("friday_tuesday", "friday_wednesday", "friday_missing", "insurer_only")
        ),
        {"transition_id": "t-two-1", "case_id": "two_first_missed", "transition_on": "2026-06-01", "kind": "discharge"},
        {"transition_id": "t-two-2", "case_id": "two_first_missed", "transition_on": "2026-06-26", "kind": "step_down"},
    ],
    "outcomes": [
        {
            "case_id": "post_day7",
            "measured_on": "2026-04-05",
            "measure": "PHQ-9",
            "value": 12.0,
            "timepoint": "baseline",
        },
        {
            "case_id": "post_day8",
            "measured_on": "2026-04-05",
            "measure": "PHQ-9",
            "value": 12.0,
            "timepoint": "baseline",
        },
        {
            "case_id": "post_day8",
            "measured_on": "2026-04-05",
            "measure": "PHQ-9",
            "value": 10.0,
            "timepoint": "follow_up",
        },
    ],
}


def test_all_three_agree_on_the_boundary_cases(tmp_path: Path) -> None:
    data = caseload(**EDGES)
    as_of = dt.date(2026, 6, 30)
    tiers = pl.DataFrame({"case_id": ["post_day7"], "effective_tier": ["high"]})
    expected = casekit_status(data, as_of, tiers)
    assert "future" not in expected  # opened after as_of
    assert expected["tie"] == ("assessment", frozenset({"assessment_overdue", "not_eligible_but_open"}))
    # assessed 05-05, moderate tier (30 days), no contact with the client since: the
    # follow-up cadence runs in every stage
    assert expected["undated_service"] == ("implementation", frozenset({"follow_up_overdue"}))
    assert expected["achieved_later"] == ("planning", frozenset({"plan_overdue", "goal_overdue", "follow_up_overdue"}))
    assert expected["post_day7"] == ("evaluation", frozenset({"follow_up_overdue"}))  # day 7 counts
    assert expected["post_day8"][0] == "evaluation"  # day 8 is late: the stage completes, no flag
    assert "post_transition_contact_missing" not in expected["post_day8"][1]
    assert "post_transition_contact_missing" not in expected["friday_tuesday"][1]
    assert "post_transition_contact_missing" not in expected["friday_wednesday"][1]  # late
    assert "post_transition_contact_missing" in expected["friday_missing"][1]
    assert "post_transition_contact_missing" in expected["insurer_only"][1]
    assert "post_transition_contact_missing" in expected["two_first_missed"][1]
    for case in ("self_harm_open", "self_harm_blank_later", "unsafe_home"):
        assert "safety_red_flag" in expected[case][1], case
    for case in ("self_harm_done", "crisis_cleared"):
        assert "safety_red_flag" not in expected[case][1], case
    assert expected["missed_same_day"][1] >= {"missed_appointment"}  # same day is not later
    assert expected["review_before_reassessment"][0] == "risk"
    assert expected["closed_later"][0] == "assessment"  # closed after as_of: still open
    ck.write_workbook(data, tmp_path / "pq", format="parquet")
    sheets = baseline_pandas.read_parquet_folder(tmp_path / "pq")
    assert disagreements(expected, pandas_status(sheets, as_of, tiers)) == []
    assert disagreements(expected, floor_status(data, as_of, tiers)) == []
    assert disagreements(expected, duckdb_status(tmp_path / "pq", as_of, tiers)) == []


def test_pandas_rules_are_the_shipped_defaults() -> None:
    config = dataclasses.asdict(ck.load_process_config())
    assert {k: config[k] for k in baseline_pandas.RULES} == baseline_pandas.RULES
    assert config["review_required"] is True
    assert config["outcomes_may_precede_transition"] is True  # both baselines assume it


@pytest.mark.parametrize(
    "name", ["baseline_pandas", "baseline_duckdb", "floor_polars", "_bench_common", "bench_pipeline"]
)
def test_benchmark_docstring_examples_run(name: str) -> None:
    module: ModuleType = load_bench(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0
