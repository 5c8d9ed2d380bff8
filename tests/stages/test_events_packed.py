"""The in-memory event log sorted as one 64-bit number per event (``_packed_log``, issue 18
round 8) gives the log the streaming engine's five-key sort gives; data it cannot pack
(two events alike on the sort's keys, a row without a number, numbers too wide) fall back
to that sort."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
from casekit.data import CaseData
from casekit.sample import make_sample
from casekit.stages import _events

D = dt.date(2026, 3, 1)


def _packed_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each call of ``_packed_log`` gave the log (``False``: it fell back)."""
    calls: list[bool] = []
    packed = _events._packed_log

    def spy(*args: object, **kwargs: object) -> pl.DataFrame | None:
        log = packed(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(log is not None)
        return log

    monkeypatch.setattr(_events, "_packed_log", spy)
    return calls


def _cases(**columns: list[object]) -> CaseData:
    return CaseData({"cases": pl.DataFrame(columns, schema_overrides={"opened_on": pl.Date, "closed_on": pl.Date})})


@pytest.mark.parametrize(
    ("data", "packed"),
    [
        # null case ids sort first; two days apart
        (_cases(case_id=[None, "B", None], opened_on=[D, D, D - dt.timedelta(days=2)]), True),
        # the same case, day and row twice (a row number given twice): the position decides, as the stable sort
        (
            _cases(case_id=["A", "A"], opened_on=[D, D], closed_on=[D, D], close_reason=["x", "other"], _row=[5] * 2),
            False,
        ),
        (_cases(case_id=["A", "B"], opened_on=[D, D], _row=[None, 3]), False),  # a row without a number
        (_cases(case_id=["A", "B"], opened_on=[dt.date(1, 1, 1), dt.date(9999, 1, 1)], _row=[-(2**40), 2**40]), False),
    ],
)
def test_odd_logs_sort_as_the_five_keys(monkeypatch: pytest.MonkeyPatch, data: CaseData, packed: bool) -> None:
    calls = _packed_calls(monkeypatch)
    log = ck.events(data)
    assert calls == [packed]
    assert_frame_equal(log, ck.events(data, engine="streaming"), check_exact=True)


@pytest.mark.parametrize("as_of", [None, dt.date(2025, 12, 31), dt.date(1900, 1, 1)])
def test_a_validated_caseload_and_its_shuffled_text_pack_to_the_streaming_log(
    monkeypatch: pytest.MonkeyPatch, as_of: dt.date | None
) -> None:
    """Validated (category columns as their Enum: their codes read as they are) and the
    same rows as text, shuffled (the row order is no longer the position order)."""
    result = ck.validate(make_sample(120, seed=4))
    text = {name: df.with_columns(pl.col(pl.Enum).cast(pl.String)) for name, df in result.data.sheets.items()}
    shuffled = CaseData({name: df.sample(fraction=1.0, shuffle=True, seed=2) for name, df in text.items()})
    calls = _packed_calls(monkeypatch)
    for data in (result, shuffled):
        log = ck.events(data, as_of=as_of)
        assert_frame_equal(log, ck.events(data, as_of=as_of, engine="streaming"), check_exact=True)
    assert calls == [True, True]
    assert ck.events(result).height > 1000
