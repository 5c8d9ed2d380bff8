"""The stage engine on the bundled synthetic caseload (make_sample(500, seed=2026))."""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
import pytest

from casekit.sample import SAMPLE_AS_OF, make_sample
from casekit.stages import (
    FLAGS,
    NO_RISK,
    STAGES,
    case_status,
    events,
    funnel,
    priority_counts,
    stage_durations,
    worklist,
)
from casekit.validation import validate


@pytest.fixture(scope="module")
def sample():
    return make_sample(500, seed=2026)


@pytest.fixture(scope="module")
def status(sample):
    return case_status(sample, as_of=SAMPLE_AS_OF, risk=NO_RISK)


def test_every_stage_is_somebody_s_current_stage(status) -> None:
    seen = set(status["current_stage"])
    # "transition" is complete as soon as it is recorded, the same evidence that ends
    # monitoring (docs/process_rules.md), so a case moves from monitoring straight to post_transition
    assert seen == set(STAGES) - {"transition", "unknown"}  # the sample has no unreadable case
    counts = dict(status["current_stage"].value_counts().iter_rows())
    assert all(n >= 5 for n in counts.values()), counts


def test_every_stage_is_reached_in_the_funnel(status) -> None:
    f = funnel(status)
    assert f["cases"].to_list()[0] == 500
    assert (f["cases"] > 0).all()
    assert f["cases"].to_list() == sorted(f["cases"].to_list(), reverse=True)


def test_every_flag_appears(sample, status) -> None:
    seen = set(status["flags"].explode().drop_nulls())
    assert seen == set(FLAGS) - {"quarantined_rows"}  # the sample has no errors to quarantine
    counts = dict(status["flags"].explode().drop_nulls().value_counts().iter_rows())
    assert all(n >= 3 for n in counts.values()), counts
    # with a planted error, validation quarantines the row and the case says so
    broken = sample["contacts"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.date(1999, 1, 1))
        .otherwise(pl.col("contact_on"))
        .alias("contact_on")
    )
    from casekit.data import CaseData

    result = validate(CaseData({**sample.sheets, "contacts": broken}), as_of=SAMPLE_AS_OF)
    flagged = case_status(result, as_of=SAMPLE_AS_OF, risk=NO_RISK).filter(
        pl.col("flags").list.contains("quarantined_rows")
    )
    assert flagged["case_id"].to_list() == [broken["case_id"][0]]


def _window_end(on: dt.date, kind: str | None) -> dt.date:
    """The default post-transition window, counted by hand (an independent oracle)."""
    days = {"discharge": 2, "transfer": 2, "step_down": 7, "step_up": 7}.get(kind or "", 2)
    if kind not in ("step_down", "step_up"):  # business days; a blank kind has the shortest (business)
        end = on
        while days:
            end += dt.timedelta(days=1)
            days -= end.weekday() < 5
        return end
    return on + dt.timedelta(days=days)


def test_sample_scenarios_agree_with_the_engine(sample, status) -> None:
    by_case = {r["case_id"]: r for r in status.to_dicts()}
    closed = sample["cases"].filter(pl.col("closed_on").is_not_null())["case_id"]
    assert all(by_case[c]["current_stage"] == "closed" for c in closed)
    # every transition of an open case checked by hand: missing when no attended client
    # contact of a qualifying kind from the transition day to as_of and the window is over
    qualifying = sample["contacts"].filter(
        (pl.col("status") == "attended")
        & pl.col("with_whom").fill_null("client").is_in(["client", "support_system"])
        & pl.col("kind").is_in(["post_transition", "phone_call", "home_visit", "appointment", "follow_up"])
        & (pl.col("contact_on") <= SAMPLE_AS_OF)
    )
    dates: dict[str, list[dt.date]] = {}
    for case, on in qualifying.select("case_id", "contact_on").iter_rows():
        dates.setdefault(case, []).append(on)
    want: dict[str, dt.date] = {}
    for case, on, kind in sample["transitions"].select("case_id", "transition_on", "kind").iter_rows():
        if on > SAMPLE_AS_OF or by_case[case]["current_stage"] == "closed":
            continue
        end = _window_end(on, kind)
        if end < SAMPLE_AS_OF and not any(d >= on for d in dates.get(case, [])):
            want[case] = min(end, want.get(case, end))
    got = {
        r["case_id"]: dict(zip(r["flags"], r["flag_due_on"], strict=True))["post_transition_contact_missing"]
        for r in status.to_dicts()
        if "post_transition_contact_missing" in r["flags"]
    }
    assert want
    assert got == want


def test_worklist_and_events_on_the_sample(sample, status) -> None:
    wl = worklist(status)
    assert wl.height == status["flags"].list.len().sum()
    assert wl["days_overdue"].min() >= 0
    assert wl["priority"].is_sorted()
    for _, part in wl.group_by("priority", "effective_tier", maintain_order=True):
        assert part["days_overdue"].is_sorted(descending=True, nulls_last=True)
    log = events(sample)
    assert set(log["stage"]) == set(STAGES) - {"unknown"}  # events have a case and a date
    assert log["case_id"].n_unique() == 500
    durations = stage_durations(log)
    assert durations.height >= 8
    first = durations.filter((pl.col("from_stage") == "screening") & (pl.col("to_stage") == "assessment"))
    assert 1 <= first["median_days"].item() <= 30
    assert first["n"].item() == log.filter(pl.col("stage") == "assessment")["case_id"].n_unique()


def test_priority_counts_of_the_status_are_the_worklist_s(status) -> None:
    # Overview and a case manager's alerts count the priorities from the status, without
    # making the worklist (issue 18): the same counts, closed cases' flags in 5 included
    wl = worklist(status)
    counts = priority_counts(status)
    assert counts == priority_counts(wl)
    assert counts[1] > 0
    assert counts[5] > 0
    closed = status.with_columns(current_stage=pl.lit("closed"))
    assert priority_counts(closed) == {**dict.fromkeys(range(1, 7), 0), 5: wl.height}


def test_durations_by_the_rules_are_never_negative(sample) -> None:
    from casekit.stages import stage_durations, stage_entries

    durations = stage_durations(stage_entries(sample, as_of=SAMPLE_AS_OF))
    pairs = list(zip(durations["from_stage"], durations["to_stage"], strict=True))
    assert pairs == list(itertools.pairwise(STAGES[:9]))  # every step, in order, none skipped
    assert (durations["q1_days"] >= 0).all()
    assert durations.filter(pl.col("from_stage") == "transition")["median_days"].item() == 0


def test_risk_none_uses_the_risk_module_as_of_the_date(sample, status) -> None:
    from casekit.risk import score_risk

    auto = case_status(sample, as_of=SAMPLE_AS_OF)
    assert auto["current_stage"].to_list() == status["current_stage"].to_list()
    tiers = score_risk(sample, as_of=SAMPLE_AS_OF).select("case_id", pl.col("effective_tier").alias("want"))
    both = auto.join(tiers, on="case_id", how="left")
    assert both.filter(pl.col("effective_tier").ne_missing(pl.col("want"))).height == 0
    assert set(auto["effective_tier"].drop_nulls()) == {"low", "moderate", "high"}
    assert (
        both.filter(pl.col("effective_tier").is_null())["current_stage"]
        .is_in(["screening", "assessment", "closed"])
        .all()
    )
