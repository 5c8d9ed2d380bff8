"""walkthrough of clients with rows set aside by validation, and of every kind of client of the
bundled workbooks: each walks (nine steps) and its steps say what ``case_status`` says of it
on the whole caseload (stage reached, flags), or it is in the stage ``unknown`` and says why not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

import casekit as ck
from casekit import learn
from casekit.stages import STAGES
from tests.builders import D, caseload

from .conftest import AS_OF

BROKEN = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_broken_es.xlsx"


def _set_aside_caseload() -> ck.CaseData:
    """``Q``'s own ``cases`` row is in error (closed before opened) but readable: validation sets
    it and Q's other rows aside, case_status puts them back. ``U`` has no opening date."""
    return caseload(
        cases=[
            {"case_id": "A"},
            {"case_id": "Q", "opened_on": "2026-03-01", "closed_on": "2026-01-01"},
            {"case_id": "U", "opened_on": None},
        ],
        screenings=[{"case_id": "Q", "screened_on": "2026-03-02", "decision": "refer_to_assessment"}],
        contacts=[
            {"contact_id": "K1", "case_id": "Q", "contact_on": "2026-03-03", "kind": "home_visit", "status": "attended"}
        ],
    )


def _says_what_the_status_says(steps: list[learn.StageStep], row: dict[str, Any]) -> None:
    assert [s.stage for s in steps] == list(STAGES[:9])
    reached = row["reached_stage_number"]
    states = ["done" if k < reached else "current" if k == reached else "ahead" for k in range(1, 10)]
    assert [s.state for s in steps] == states
    flags = dict(zip(row["flags"], row["flag_due_on"], strict=True))
    for step in steps:
        assert step.facts["flags"] == {f: d for f, d in flags.items() if f in learn.STAGE_FLAGS[step.stage]}, step.stage


def test_a_client_whose_own_row_was_set_aside_is_walked_on_the_rows_put_back() -> None:
    result = ck.validate(_set_aside_caseload(), as_of=AS_OF)
    assert sorted(result.quarantined["cases"]["case_id"].to_list()) == ["Q", "U"]
    assert "Q" not in result.data["cases"]["case_id"].to_list()
    status = ck.case_status(result, as_of=AS_OF)
    row = status.filter(pl.col("case_id") == "Q").row(0, named=True)
    assert row["current_stage"] == "closed"
    assert "quarantined_rows" in row["flags"]
    steps = learn.walkthrough(result, "Q", as_of=AS_OF)  # was: IndexError (no cases row)
    _says_what_the_status_says(steps, row)
    screening = steps[0]
    assert screening.facts["opened_on"] == D("2026-03-01")  # its own row, put back
    assert screening.facts["decision"] == "refer_to_assessment"  # its screening, put back with it
    assert screening.data["screenings"]["screened_on"].to_list() == [D("2026-03-02")]


def test_a_client_without_a_readable_opening_date_cannot_be_walked() -> None:
    result = ck.validate(_set_aside_caseload(), as_of=AS_OF)
    status = ck.case_status(result, as_of=AS_OF)
    assert status.filter(pl.col("case_id") == "U")["current_stage"].to_list() == ["unknown"]
    with pytest.raises(ValueError, match="«U»"):
        learn.walkthrough(result, "U", as_of=AS_OF)


def _kinds_of_client(status: pl.DataFrame) -> list[str]:
    """One client per stage reached (current and furthest), per deadline tier and per flag raised."""
    status = status.with_row_index("_n")
    picks = [
        status.unique(["current_stage", "reached_stage_number"], keep="first")["_n"],
        status.unique("deadline_tier", keep="first")["_n"],
        status.explode("flags").drop_nulls("flags").unique("flags", keep="first")["_n"],
    ]
    return status.filter(pl.col("_n").is_in(pl.concat(picks).implode()))["case_id"].to_list()


@pytest.mark.parametrize("workbook", ["sample", "broken"])
def test_every_kind_of_client_of_the_bundled_workbooks_walks(workbook: str, sample: dict[str, Any]) -> None:
    """The broken workbook: every client. The 500-case sample (no row set aside; ~0.1 s per
    walk): one client of each kind, chosen by :func:`_kinds_of_client`."""
    if workbook == "sample":
        result, status = sample["result"], sample["status"]
        clients = _kinds_of_client(status)
    else:
        result = ck.validate(ck.read_workbook(BROKEN), as_of=AS_OF)
        status = ck.case_status(result, as_of=AS_OF)
        clients = status["case_id"].drop_nulls().to_list()
    assert len(clients) >= 20
    failed = {}
    for case_id in clients:
        row = status.filter(pl.col("case_id") == case_id).row(0, named=True)
        if row["current_stage"] == "unknown":
            with pytest.raises(ValueError, match=case_id):
                learn.walkthrough(result, case_id, as_of=AS_OF)
            continue
        try:
            _says_what_the_status_says(learn.walkthrough(result, case_id, as_of=AS_OF), row)
        except Exception as error:  # every failing client is listed, not the first alone
            failed[case_id] = repr(error)
    assert not failed, failed
