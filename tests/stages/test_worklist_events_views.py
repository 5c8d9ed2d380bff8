"""Worklist, long flags, event log (and its export read back), funnel and durations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from casekit.stages import (
    NO_RISK,
    case_status,
    events,
    flags_long,
    funnel,
    stage_durations,
    time_in_stage,
    to_process_mining,
    worklist,
    write_event_log,
)
from tests.stages.conftest import ASSESSED, GOAL, REVIEWED, SCREENED, SERVICE, VISIT, D, caseload


def small_caseload():
    return caseload(
        cases=[
            {"case_id": "A", "case_manager": "Ana", "program": "P1"},
            {"case_id": "B", "case_manager": "Bea", "program": "P2", "opened_on": "2026-06-01"},
            {"case_id": "C", "case_manager": "Ana", "program": "P1", "opened_on": "2026-06-25"},
            {"case_id": "D", "case_manager": "Bea", "closed_on": "2026-03-01", "close_reason": "goals_met"},
        ],
        screenings=[SCREENED, {**SCREENED, "case_id": "D", "screened_on": "2026-01-02"}],
        assessments=[ASSESSED, {"case_id": "D", "assessed_on": "2026-01-05"}],
        risk_reviews=[REVIEWED],
        goals=[{**GOAL, "target_on": "2026-05-01"}],
        services=[SERVICE],
        contacts=[VISIT],
        outcomes=[
            {"case_id": "D", "measure": "PHQ-9", "measured_on": "2026-01-05", "timepoint": "baseline", "value": 12.0},
            {"case_id": "D", "measure": "PHQ-9", "measured_on": "2026-02-25", "timepoint": "discharge", "value": 7.0},
        ],
    )


AS_OF = D("2026-06-30")


def test_worklist_one_row_per_flag_most_overdue_first() -> None:
    status = case_status(small_caseload(), as_of=AS_OF, risk=NO_RISK)
    wl = worklist(status)
    assert wl.columns == [
        "priority",
        "case_id",
        "client_name",
        "effective_tier",
        "case_manager",
        "program",
        "current_stage",
        "flag",
        "detail",
        "due_on",
        "days_overdue",
    ]
    # contact first (priority 3), then deadlines (4); no risk given: no tier
    assert wl.select("priority", "case_id", "effective_tier", "flag", "due_on", "days_overdue").rows() == [
        (3, "A", None, "follow_up_overdue", D("2026-03-12"), 110),
        (4, "A", None, "goal_overdue", D("2026-05-01"), 60),
        (4, "B", None, "screening_overdue", D("2026-06-08"), 22),
    ]
    assert worklist(status, manager="Bea")["case_id"].to_list() == ["B"]
    assert worklist(status, manager=["Ana", "Bea"]).height == 3
    assert worklist(status, manager="Nobody").height == 0


def test_worklist_ties_sorted_by_case() -> None:
    data = caseload(
        cases=[
            {"case_id": "Z", "case_manager": "Bea"},
            {"case_id": "Y", "case_manager": "Ana"},
            {"case_id": "X", "case_manager": "Ana"},
        ]
    )
    wl = worklist(case_status(data, as_of=AS_OF, risk=NO_RISK))
    assert wl.select("case_manager", "case_id").rows() == [("Ana", "X"), ("Ana", "Y"), ("Bea", "Z")]
    assert wl["days_overdue"].to_list() == [173] * 3


def test_flags_long_has_one_row_per_flag() -> None:
    status = case_status(small_caseload(), as_of=AS_OF, risk=NO_RISK)
    long = flags_long(status)
    assert long.columns[:3] == ["case_id", "flag", "due_on"]
    assert long.height == status["flags"].list.len().sum() == 3
    assert long.schema["due_on"] == pl.Date


def test_events_cover_every_dated_fact() -> None:
    data = caseload(
        cases=[{"case_id": "A", "closed_on": "2026-06-01", "close_reason": "goals_met"}],
        screenings=[SCREENED],
        assessments=[ASSESSED],
        risk_reviews=[REVIEWED, {"case_id": "A", "reviewed_on": "2026-02-01", "override_tier": "high", "reason": "x"}],
        goals=[{**GOAL, "status": "achieved", "achieved_on": "2026-04-01"}],
        services=[{**SERVICE, "end_on": "2026-05-01"}],
        contacts=[
            VISIT,
            {**VISIT, "contact_id": "K2", "contact_on": "2026-03-01", "kind": "follow_up", "status": "missed"},
        ],
        transitions=[{"transition_id": "T1", "case_id": "A", "transition_on": "2026-05-02", "kind": "discharge"}],
        outcomes=[
            {"case_id": "A", "measure": "PHQ-9", "measured_on": "2026-01-10", "timepoint": "baseline", "value": 1.0},
            {"case_id": "A", "measure": "PHQ-9", "measured_on": "2026-05-20", "timepoint": "discharge", "value": 1.0},
        ],
    )
    log = events(data)
    assert log.columns == ["case_id", "stage", "activity", "timestamp", "sheet", "row"]
    assert log.select("stage", "activity", "timestamp").rows() == [
        ("screening", "case_opened", D("2026-01-01")),
        ("screening", "screened:refer_to_assessment", D("2026-01-03")),
        ("assessment", "assessed", D("2026-01-10")),
        ("assessment", "outcome:baseline", D("2026-01-10")),
        ("risk", "risk_reviewed:confirmed", D("2026-01-12")),
        ("planning", "goal_set", D("2026-01-20")),
        ("implementation", "service_started", D("2026-01-21")),
        ("risk", "risk_reviewed:override_high", D("2026-02-01")),
        ("implementation", "contact:home_visit:attended", D("2026-02-10")),
        ("monitoring", "contact:follow_up:missed", D("2026-03-01")),
        ("monitoring", "goal_achieved", D("2026-04-01")),
        ("monitoring", "service_ended", D("2026-05-01")),
        ("transition", "transition:discharge", D("2026-05-02")),
        ("evaluation", "outcome:discharge", D("2026-05-20")),
        ("closed", "case_closed:goals_met", D("2026-06-01")),
    ]
    assert log.filter(pl.col("activity") == "goal_set").select("sheet", "row").row(0) == ("goals", 2)
    assert events(data, as_of=D("2026-01-10")).height == 4


def test_events_are_sorted_by_case_date_stage_sheet_and_row_on_shuffled_sheets() -> None:
    """The narrow log's order and dtypes (issue 18) against a plain sort of the log as text:
    stage and sheet are Enums of their vocabularies, the activity a categorical (round 6),
    the rest as before."""
    from polars.testing import assert_frame_equal

    from casekit.data import CaseData
    from casekit.sample import make_sample
    from casekit.stages import STAGES

    shuffled = CaseData(
        {name: df.sample(fraction=1.0, shuffle=True, seed=5) for name, df in make_sample(40, seed=3).sheets.items()}
    )
    for log in (events(shuffled), events(shuffled, engine="streaming")):
        assert log.schema == pl.Schema(
            {"case_id": pl.String, "stage": pl.Enum(STAGES), "activity": pl.Categorical(), "timestamp": pl.Date}
            | {"sheet": pl.Enum(sorted(shuffled.sheets)), "row": pl.Int64}
        )
        text = log.with_columns(pl.col("stage", "sheet", "activity").cast(pl.String))
        stage_order = pl.col("stage").replace_strict(STAGES, list(range(len(STAGES))))
        expected = text.sample(fraction=1.0, shuffle=True, seed=1).sort(
            "case_id", "timestamp", stage_order, "sheet", "row", nulls_last=False
        )
        assert_frame_equal(text, expected, check_exact=True)
        assert log.height > 400
        assert log["activity"].n_unique() > 20


def test_event_log_export_reads_back(tmp_path: Path) -> None:
    log = events(small_caseload())
    pm = to_process_mining(log)
    assert pm.columns[:3] == ["case:concept:name", "concept:name", "time:timestamp"]
    assert pm.schema["time:timestamp"] == pl.Datetime("us")
    # the log's Enums and categorical, as text for the tools
    assert pm.schema["stage"] == pm.schema["sheet"] == pm.schema["concept:name"] == pl.String
    parquet = write_event_log(log, tmp_path / "log.parquet")
    assert pl.read_parquet(parquet).equals(pm)
    csv = write_event_log(log, tmp_path / "log.csv")
    back = pl.read_csv(csv, try_parse_dates=True, schema_overrides={"case:concept:name": pl.String})
    assert back.columns == pm.columns
    assert back["concept:name"].to_list() == pm["concept:name"].to_list()
    assert back["time:timestamp"].to_list() == pm["time:timestamp"].to_list()
    assert (
        csv.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith('"A","case_opened","2026-01-01 00:00:00","screening"')
    )


def test_funnel_from_status_and_from_events() -> None:
    data = small_caseload()
    status = case_status(data, as_of=AS_OF, risk=NO_RISK)
    f = funnel(status)
    assert f.columns == ["stage_number", "stage", "cases", "share"]
    # A in monitoring, B and C in screening, D closed during risk (no review)
    assert f["cases"].to_list() == [4, 2, 2, 1, 1, 1, 0, 0, 0]
    assert f["share"][0] == 1.0
    from_events = funnel(events(data))
    assert from_events["stage"].to_list()[:3] == ["screening", "assessment", "risk"]
    assert from_events["cases"].to_list() == [4, 2, 1, 1, 1, 0, 0, 0, 1]


def test_stage_durations_and_time_in_stage() -> None:
    data = small_caseload()
    durations = stage_durations(events(data))
    first = durations.row(0, named=True)
    assert (first["from_stage"], first["to_stage"], first["n"]) == ("screening", "assessment", 2)
    assert first["median_days"] == 6.5  # A: 9 days (opened 01-01, assessed 01-10), D: 4 days (01-01 → 01-05)
    assert (first["q1_days"], first["q3_days"], first["mean_days"]) == (5.25, 7.75, 6.5)
    status = case_status(data, as_of=AS_OF, risk=NO_RISK)
    tis = time_in_stage(status)
    assert tis["stage"].to_list()[-1] == "closed"
    screening = tis.filter(pl.col("stage") == "screening").row(0, named=True)
    assert (screening["n"], screening["median_days"]) == (2, 17.0)  # B 29 days, C 5 days
    assert tis.filter(pl.col("stage") == "evaluation")["n"].item() == 0


def test_views_on_empty_data() -> None:
    data = caseload(cases=[])
    status = case_status(data, as_of=AS_OF, risk=NO_RISK)
    assert status.height == 0
    assert funnel(status)["cases"].to_list() == [0] * 9
    assert events(data).height == 0
    assert stage_durations(events(data)).height == 0
    assert worklist(status).height == 0
    assert isinstance(dt.date.today(), dt.date)


def test_stage_entries_and_durations_by_the_rules() -> None:
    from casekit.stages import stage_entries

    entries = stage_entries(small_caseload(), as_of=AS_OF)
    assert entries.columns == ["case_id", "stage_number", "stage", "entered_on"]
    by_case = {c: list(zip(g["stage"], g["entered_on"], strict=True)) for (c,), g in entries.group_by("case_id")}
    assert by_case["A"] == [
        ("screening", D("2026-01-01")),
        ("assessment", D("2026-01-03")),
        ("risk", D("2026-01-10")),
        ("planning", D("2026-01-12")),
        ("implementation", D("2026-01-21")),
        ("monitoring", D("2026-02-10")),
    ]
    assert by_case["D"] == [("screening", D("2026-01-01")), ("assessment", D("2026-01-02")), ("risk", D("2026-01-05"))]
    assert by_case["B"] == [("screening", D("2026-06-01"))]
    durations = stage_durations(entries)
    assert durations.select("from_stage", "to_stage", "n", "median_days").rows() == [
        ("screening", "assessment", 2, 1.5),
        ("assessment", "risk", 2, 5.0),
        ("risk", "planning", 1, 2.0),
        ("planning", "implementation", 1, 9.0),
        ("implementation", "monitoring", 1, 20.0),
    ]


def test_stage_entries_after_the_status_read_its_inputs_for_the_same_day_and_rules_only() -> None:
    # case_status keeps the stages' inputs on the data for stage_entries: what is read back
    # must be what stage_entries computes alone, and another day or other rules recompute
    import casekit as ck
    from casekit.data import CaseData
    from casekit.stages import stage_entries

    as_of = ck.SAMPLE_AS_OF
    rules = '[risk]\nreview_required = false\n[post_transition]\nkinds = ["home_visit"]'  # the parts change too
    sample = ck.make_sample(150, seed=4)

    def alone(**kw) -> pl.DataFrame:  # a fresh data object: nothing kept on it
        return stage_entries(CaseData(dict(sample.sheets)), **kw)

    data = CaseData(dict(sample.sheets))
    status = case_status(data, as_of=as_of, config=rules, risk=NO_RISK)
    assert status.height == 150
    default, relaxed = alone(as_of=as_of), alone(as_of=as_of, config=rules)
    assert not default.equals(relaxed)  # the rules change the entries of this sample
    assert stage_entries(data, as_of=as_of).equals(default)
    assert stage_entries(data, as_of=as_of, config=rules).equals(relaxed)
    case_status(data, as_of=as_of, config=rules, risk=NO_RISK)
    earlier = as_of - dt.timedelta(days=90)
    assert stage_entries(data, as_of=earlier, config=rules).equals(alone(as_of=earlier, config=rules))
    assert stage_entries(data, as_of=as_of, config=rules).equals(relaxed)


def test_stage_entries_follow_the_cases_rows_then_the_stages_ties_in_the_cases_order() -> None:
    from casekit.data import CaseData
    from casekit.stages import stage_entries

    opened = D("2026-01-01")
    cases = pl.DataFrame({"case_id": ["B", "A", "C"], "opened_on": [opened] * 3, "_row": [3, 3, 2]})
    scr = pl.DataFrame({"case_id": ["A", "B", "C"], "screened_on": [D("2026-01-02")] * 3})
    scr = scr.with_columns(decision=pl.lit("refer_to_assessment"))
    entries = stage_entries(CaseData({"cases": cases, "screenings": scr}), as_of=AS_OF)
    # C (row 2) first; B and A share row 3: by stage, then in the order of the cases sheet
    want = [("C", 1), ("C", 2), ("B", 1), ("A", 1), ("B", 2), ("A", 2)]
    assert entries.select("case_id", "stage_number").rows() == want
