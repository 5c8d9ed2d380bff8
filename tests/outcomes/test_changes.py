"""outcome_changes: pairing rules and direction, on hand-built outcomes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from casekit.data import CaseData
from casekit.outcomes import CHANGE_COLUMNS, outcome_changes
from casekit.validation import validate

from .conftest import D, caseload, m


def one(*rows: dict, **kw) -> dict:
    out = outcome_changes(caseload(outcomes=list(rows)), **kw)
    assert out.height == 1
    return out.row(0, named=True)


def test_columns_in_order() -> None:
    assert outcome_changes(caseload(outcomes=[m("A", "2026-01-01", 3, "baseline")])).columns == list(CHANGE_COLUMNS)


def test_simple_pair_improved_when_lower_is_better() -> None:
    row = one(m("A", "2026-01-05", 18, "baseline"), m("A", "2026-04-05", 11, "follow_up"))
    assert (row["baseline_on"], row["baseline"], row["latest_on"], row["latest"]) == (
        D("2026-01-05"),
        18.0,
        D("2026-04-05"),
        11.0,
    )
    assert (row["change"], row["direction"], row["paired"], row["domain"]) == (-7.0, "improved", True, "clinical")


def test_several_baselines_earliest_wins() -> None:
    row = one(
        m("A", "2026-02-01", 10, "baseline"),
        m("A", "2026-01-10", 20, "baseline"),
        m("A", "2026-05-01", 15, "follow_up"),
    )
    assert (row["baseline_on"], row["baseline"], row["change"], row["direction"]) == (
        D("2026-01-10"),
        20.0,
        -5.0,
        "improved",
    )


def test_latest_is_the_last_later_value_follow_up_or_discharge() -> None:
    row = one(
        m("A", "2026-01-10", 20, "baseline"),
        m("A", "2026-06-01", 12, "discharge"),
        m("A", "2026-04-01", 15, "follow_up"),
    )
    assert (row["latest_on"], row["latest"], row["change"]) == (D("2026-06-01"), 12.0, -8.0)


def test_no_follow_up_is_kept_unpaired() -> None:
    row = one(m("A", "2026-01-10", 20, "baseline"))
    assert (row["baseline"], row["latest"], row["change"], row["direction"], row["paired"]) == (
        20.0,
        None,
        None,
        None,
        False,
    )


def test_follow_up_before_or_on_the_baseline_is_not_a_pair() -> None:
    row = one(
        m("A", "2026-03-01", 20, "baseline"),
        m("A", "2026-02-01", 10, "follow_up"),
        m("A", "2026-03-01", 12, "discharge"),  # same day: not after
    )
    assert (row["baseline_on"], row["latest"], row["paired"]) == (D("2026-03-01"), None, False)


def test_follow_up_without_baseline_is_kept_unpaired() -> None:
    row = one(m("A", "2026-03-01", 20, "follow_up"))
    assert (row["baseline"], row["latest"], row["paired"], row["domain"]) == (None, None, False, "clinical")


def test_higher_is_better_true_and_false() -> None:
    up = {"higher_is_better": True, "measure": "WHO-5", "domain": "psychosocial"}
    out = outcome_changes(
        caseload(
            outcomes=[
                m("A", "2026-01-01", 40, "baseline", **up),
                m("A", "2026-04-01", 60, "follow_up", **up),
                m("B", "2026-01-01", 60, "baseline", **up),
                m("B", "2026-04-01", 40, "follow_up", **up),
                m("C", "2026-01-01", 5, "baseline"),
                m("C", "2026-04-01", 9, "follow_up"),
                m("D", "2026-01-01", 5, "baseline"),
                m("D", "2026-04-01", 5, "follow_up"),
            ]
        )
    )
    assert dict(zip(out["case_id"], out["direction"], strict=True)) == {
        "A": "improved",
        "B": "worsened",
        "C": "worsened",
        "D": "unchanged",
    }


def test_unknown_higher_is_better_gives_no_direction_unless_unchanged() -> None:
    out = outcome_changes(
        caseload(
            outcomes=[
                m("A", "2026-01-01", 5, "baseline", higher_is_better=None, measure="own_scale"),
                m("A", "2026-04-01", 7, "follow_up", higher_is_better=None, measure="own_scale"),
                m("B", "2026-01-01", 5, "baseline", higher_is_better=None, measure="own_scale"),
                m("B", "2026-04-01", 5, "follow_up", higher_is_better=None, measure="own_scale"),
            ]
        )
    )
    assert out.select("case_id", "change", "direction").rows() == [("A", 2.0, None), ("B", 0.0, "unchanged")]


def test_higher_is_better_taken_from_the_baseline_row_of_an_uncatalogued_measure() -> None:
    row = one(
        m("A", "2026-01-01", 5, "baseline", higher_is_better=True, measure="own_scale"),
        m("A", "2026-04-01", 7, "follow_up", higher_is_better=False, measure="own_scale"),
    )
    assert (row["higher_is_better"], row["direction"]) == (True, "improved")


def test_ties_on_dates_use_the_spreadsheet_row() -> None:
    row = one(
        m("A", "2026-01-01", 10, "baseline"),  # row 2: upper baseline wins
        m("A", "2026-01-01", 30, "baseline"),
        m("A", "2026-04-01", 8, "follow_up"),
        m("A", "2026-04-01", 6, "discharge"),  # row 5: last entered later value wins
    )
    assert (row["baseline"], row["latest"], row["change"]) == (10.0, 6.0, -4.0)


def test_rows_without_date_or_value_are_not_paired_but_counted() -> None:
    out = outcome_changes(
        caseload(
            outcomes=[
                m("A", None, 10, "baseline"),
                m("A", "2026-04-01", 8, "follow_up"),
                m("B", "2026-01-01", None, "baseline"),
                m("B", "2026-04-01", 8, "follow_up"),
            ]
        )
    )
    assert out.select("case_id", "paired").rows() == [("A", False), ("B", False)]


def test_one_row_per_case_and_measure_sorted() -> None:
    out = outcome_changes(
        caseload(
            outcomes=[
                m("B", "2026-01-01", 1, "baseline"),
                m("A", "2026-01-01", 1, "baseline", measure="WHO-5", domain="psychosocial", higher_is_better=True),
                m("A", "2026-01-01", 1, "baseline"),
                m("A", "2026-05-01", 3, "follow_up", measure="WHO-5", domain="psychosocial", higher_is_better=True),
            ]
        )
    )
    assert out.select("case_id", "measure", "direction").rows() == [
        ("A", "PHQ-9", None),
        ("A", "WHO-5", "improved"),
        ("B", "PHQ-9", None),
    ]


def test_as_of_ignores_later_measures() -> None:
    rows = [m("A", "2026-01-01", 10, "baseline"), m("A", "2026-05-01", 6, "follow_up")]
    assert one(*rows, as_of=dt.date(2026, 4, 30))["paired"] is False
    assert one(*rows, as_of=dt.date(2026, 5, 1))["paired"] is True


def test_absent_outcomes_sheet_gives_an_empty_typed_frame() -> None:
    out = outcome_changes(CaseData({"cases": pl.DataFrame({"case_id": ["A"]})}))
    assert out.height == 0
    assert out.schema["baseline_on"] == pl.Date
    assert out.schema["change"] == pl.Float64


def test_validation_result_uses_clean_rows() -> None:
    data = caseload(
        cases=[{"case_id": "A"}],
        outcomes=[
            m("A", "2026-01-05", 10, "baseline"),
            m("A", "2026-04-05", 8, "follow_up"),
            m("Z", "2026-01-05", 10, "baseline"),  # unknown case: quarantined
        ],
    )
    result = validate(data, as_of=dt.date(2026, 9, 30))
    assert result.n_quarantined() == {"outcomes": 1}
    assert outcome_changes(result)["case_id"].to_list() == ["A"]


@pytest.mark.parametrize("seed", [1, 2])
def test_on_the_sample_pairs_match_the_stage_engine(seed: int) -> None:
    from casekit.sample import SAMPLE_AS_OF, make_sample
    from casekit.stages import NO_RISK, case_status

    data = make_sample(300, seed=seed)
    changes = outcome_changes(data, as_of=SAMPLE_AS_OF)
    paired_cases = set(changes.filter(pl.col("paired"))["case_id"])
    status = case_status(data, as_of=SAMPLE_AS_OF, risk=NO_RISK)
    # a closed case without a pair is flagged by the stage engine; with a pair it is not
    flagged = set(status.filter(pl.col("flags").list.contains("closed_without_outcomes"))["case_id"])
    assert not (flagged & paired_cases)
    assert changes.filter(pl.col("paired"))["latest_on"].gt(changes.filter(pl.col("paired"))["baseline_on"]).all()
    # every case and measure of the sheet has exactly one row
    n_keys = data["outcomes"].select("case_id", "measure").unique().height
    assert changes.height == n_keys
