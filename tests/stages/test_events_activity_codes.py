"""The in-memory event log makes each activity's text once per combination of the columns
it is made of (``_activity_codes``); the streaming path still builds every text. Both must
give the same log, whatever the qualifier columns hold."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
from casekit.data import CaseData
from casekit.stages import _events

D = dt.date(2026, 3, 1)


def _odd_data() -> CaseData:
    """Qualifiers null, blank, outside the vocabulary, and a null case id."""
    n = 7
    kinds = ["home_visit", None, "", "phone_call", "odd kind", "home_visit", None]
    statuses = ["attended", "missed", None, None, "", "attended", "x"]
    return CaseData(
        {
            "cases": pl.DataFrame(
                {
                    "case_id": ["A", "B", None],
                    "opened_on": [D, D, D],
                    "closed_on": [D, None, D],
                    "close_reason": [None, "goals_met", "other reason"],
                }
            ),
            "contacts": pl.DataFrame(
                {
                    "case_id": ["A", "B", "A", None, "B", "A", "A"],
                    "contact_on": [D + dt.timedelta(days=i % 3) for i in range(n)],
                    "kind": kinds,
                    "status": statuses,
                }
            ),
            "risk_reviews": pl.DataFrame(
                {"case_id": ["A", "B", "A"], "reviewed_on": [D, D, D], "override_tier": [None, "", "high"]}
            ),
            "outcomes": pl.DataFrame({"case_id": ["A", "B"], "measured_on": [D, D], "timepoint": ["baseline", None]}),
        }
    )


@pytest.mark.parametrize("as_of", [None, D])
def test_coded_activities_read_as_the_texts_the_streaming_path_builds(as_of: dt.date | None) -> None:
    data = _odd_data()
    in_memory = ck.events(data, as_of=as_of)
    assert in_memory.height > 10
    assert {"risk_reviewed:override_", "case_closed:other reason", "outcome"} <= set(in_memory["activity"])
    assert_frame_equal(in_memory, ck.events(data, as_of=as_of, engine="streaming"), check_exact=True)


def test_too_many_combinations_fall_back_to_the_categorical(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _odd_data()
    coded = ck.events(data)
    monkeypatch.setattr(_events, "_MAX_COMBINATIONS", 3)
    assert _events._activity_codes(_events._parts(data)) is None
    assert_frame_equal(ck.events(data), coded, check_exact=True)
