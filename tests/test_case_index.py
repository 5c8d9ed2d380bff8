"""The integer case index (issue 18): every derived table is the same as on the text ids,
and the index is computed once per data.

The reference is the same rules run on the text ``case_id`` (:func:`tests.index_reference.text_ids_only`),
on the bundled sample, the broken Spanish workbook, generated caseloads and a hand-built
caseload of edge ids (blank, orphan, numeric-looking, accented, ids only in other sheets).
The workspace's own index (its primary key) is tested in tests/workspace/test_case_index.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
import casekit._case_index as ci
from casekit.cohort import cohort_frame
from tests.builders import caseload
from tests.index_reference import derived_tables, text_ids_only

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = dt.date(2026, 9, 30)


def edge_caseload() -> ck.CaseData:
    """Ids a text order and a hash treat differently; orphans; blank ids; quarantined rows."""
    cases = [
        {"case_id": "007", "program": "P1", "sex": "female", "birth_date": "1950-02-01"},
        {"case_id": "7", "program": "P1", "sex": "male", "birth_date": "1960-02-01"},
        {"case_id": "Ñandú", "program": "P2", "opened_on": "2026-02-01"},
        {"case_id": "a", "program": "P2", "closed_on": "2026-06-01"},
        {"case_id": "B", "program": None, "opened_on": "2026-12-01"},  # opened after as-of
        {"case_id": "C", "opened_on": None},  # its identity cannot be read
        {"case_id": None, "program": "P1"},
        {"case_id": "Q", "program": "P2", "opened_on": "2026-03-01", "closed_on": "2026-01-01"},  # put back
    ]
    assessments = [
        {"case_id": c, "assessed_on": d, "phq9": p, "housing": h}
        for c, d, p, h in [("007", "2026-01-05", 22, "homeless"), ("7", "2026-01-06", 3, "stable"),
                           ("a", "2026-01-08", 12, "stable"), ("ghost", "2026-01-09", 9, "stable"),
                           ("007", "2026-03-05", 5, "stable")]
    ]  # fmt: skip
    outcomes = [
        {"case_id": c, "domain": "clinical", "measure": "PHQ-9", "measured_on": d, "value": v, "timepoint": t,
         "higher_is_better": False}
        for c, d, v, t in [("007", "2026-01-05", 22.0, "baseline"), ("007", "2026-05-05", 8.0, "follow_up"),
                           ("7", "2026-01-06", 3.0, "baseline"), ("ghost", "2026-01-06", 9.0, "baseline"),
                           ("a", "2026-01-08", 12.0, "baseline"), ("a", "2026-05-08", 14.0, "discharge")]
    ]  # fmt: skip
    goals = [
        {"goal_id": "G1", "case_id": "007", "domain": "clinical", "owner": "client", "set_on": "2026-02-01",
         "target_on": "2026-06-01", "status": "achieved", "achieved_on": "2026-05-01"},
        {"goal_id": "G2", "case_id": "ghost", "domain": "clinical", "owner": "care_team", "set_on": "2026-02-01"},
        {"goal_id": "G3", "case_id": "a", "domain": "social", "owner": "client", "set_on": "2026-02-02",
         "target_on": "2026-03-01", "status": "in_progress"},
    ]  # fmt: skip
    contacts = [
        {"contact_id": "K1", "case_id": "7", "contact_on": "2026-02-01", "kind": "phone_call", "status": "attended"},
        {"contact_id": "K2", "case_id": None, "contact_on": "2026-02-02", "kind": "phone_call", "status": "attended"},
        {"contact_id": "K3", "case_id": "zz", "contact_on": "2026-02-03", "kind": "home_visit", "status": "attended"},
        {"contact_id": "K4", "case_id": "Q", "contact_on": "2026-03-03", "kind": "home_visit", "status": "attended"},
    ]
    return caseload(cases=cases, assessments=assessments, outcomes=outcomes, goals=goals, contacts=contacts)


def _assert_same_as_text(data: ck.CaseData | ck.ValidationResult, as_of: dt.date) -> None:
    with text_ids_only():
        expected = derived_tables(data, as_of=as_of)
    got = derived_tables(data, as_of=as_of)
    assert sorted(got) == sorted(expected)
    for name, frame in expected.items():
        try:  # floats to 1e-12: a mean over pairs sums in thread order, differing in the last bit
            # between two runs on the text ids too (measured on the sample); every other value exactly
            assert_frame_equal(got[name], frame, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


@pytest.mark.parametrize("validated", [True, False], ids=["validated", "raw"])
def test_edge_caseload_tables_equal_the_text_ids(validated: bool) -> None:
    data = edge_caseload()
    result = ck.validate(data, as_of=AS_OF)
    assert any(df.height for df in result.quarantined.values())  # the edges are exercised
    assert result.quarantined["contacts"]["case_id"].to_list() == [None, "zz", "Q"]  # Q's comes back for its status
    _assert_same_as_text(result if validated else data, AS_OF)


def test_sample_and_broken_workbook_tables_equal_the_text_ids() -> None:
    for path in (SAMPLES / "casekit_muestra_es.xlsx", SAMPLES / "casekit_broken_es.xlsx"):
        _assert_same_as_text(ck.validate(ck.read_workbook(path), as_of=ck.SAMPLE_AS_OF), ck.SAMPLE_AS_OF)


def test_generated_caseload_tables_equal_the_text_ids() -> None:
    _assert_same_as_text(ck.validate(ck.make_sample(400, seed=11), as_of=ck.SAMPLE_AS_OF), ck.SAMPLE_AS_OF)


def test_the_index_is_computed_once_per_validation_result(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    numbering = ci._numbering

    def counted(texts: pl.Series, keys: pl.DataFrame | None) -> tuple[pl.Series, pl.Series]:
        calls.append(texts.len())
        return numbering(texts, keys)

    monkeypatch.setattr(ci, "_numbering", counted)
    result = ck.validate(edge_caseload(), as_of=AS_OF)
    derived_tables(result, as_of=AS_OF)
    first = len(calls)
    # once: the clean rows with the quarantined cases' rows back (case status) extend it
    assert first == 1
    derived_tables(result, as_of=AS_OF)  # every table again: no index computed again
    assert len(calls) == first
    assert ci.coded(result.data) is ci.coded(result.data)


def test_every_derived_table_carries_its_index_to_the_next_rule() -> None:
    """A table made from the data (text ids shown) gives its index back without a lookup to
    the rules it feeds (summaries, cohorts, case status); a frame changed after is not it."""
    result = ck.validate(ck.make_sample(120, seed=4), as_of=ck.SAMPLE_AS_OF)
    assert not any(df.height for df in result.quarantined.values())
    view = ci.coded(result.data)
    as_of = ck.SAMPLE_AS_OF
    tables = {
        "scores": ck.score_risk(result, as_of=as_of),
        "status": ck.case_status(result, as_of=as_of),
        "entries": ck.stage_entries(result.data, as_of=as_of),
        "changes": ck.outcome_changes(result, as_of=as_of),
        "utilisation": ck.utilisation_changes(result, as_of=as_of),
        "rates": ck.utilisation_rates(result, as_of=as_of),
        "progress": ck.goal_progress(result, as_of=as_of),
        "cohort": cohort_frame(result, as_of=as_of),
    }
    for name, table in tables.items():
        keyed = ci.carried(view, table)
        assert keyed is not None, name
        assert keyed["case_id"].dtype == ci.INDEX_DTYPE
        assert ci.text_ids(view, keyed["case_id"]).equals(table["case_id"]), name
        assert ci.carried(view, table.head(5)) is None
        assert ci.carried(ci.coded(ck.make_sample(5, seed=1)), table) is None  # another data's table


def _computed(data: ck.CaseData) -> ci.CodedData:
    """The index of ``data``'s sheets computed from scratch (no index handed over)."""
    view = ci.coded(ck.CaseData(dict(data.sheets), issues=data.issues))
    assert isinstance(view, ci.CodedData)
    return view


def _assert_same_view(got: ck.CaseData, expected: ci.CodedData) -> None:
    assert isinstance(got, ci.CodedData)
    assert got.ids.equals(expected.ids)
    assert got.ordered == expected.ordered
    assert sorted(got.sheets) == sorted(expected.sheets)
    for name, frame in expected.sheets.items():
        assert_frame_equal(got[name], frame, check_exact=True)


def _shuffled(data: ck.CaseData, seed: int) -> ck.CaseData:
    return ck.CaseData({k: v.sample(fraction=1.0, shuffle=True, seed=seed) for k, v in data.sheets.items()})


@pytest.mark.parametrize("name", ["edge", "broken", "shuffled"])
def test_validate_hands_its_index_over_and_no_rule_computes_one(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case-link check finds every row's case once; that is the clean data's index
    (the same as computed from scratch), and no rule computes another."""
    data = {
        "edge": edge_caseload,
        "broken": lambda: ck.read_workbook(SAMPLES / "casekit_broken_es.xlsx"),
        "shuffled": lambda: _shuffled(ck.make_sample(150, seed=5), seed=2),
    }[name]()
    as_of = AS_OF if name == "edge" else ck.SAMPLE_AS_OF
    result = ck.validate(data, as_of=as_of)
    expected = _computed(result.data)
    calls: list[int] = []
    positions = ci._positions

    def counted(data: ck.CaseData) -> tuple[pl.Series, dict[str, pl.Series]]:
        calls.append(1)
        return positions(data)

    monkeypatch.setattr(ci, "_positions", counted)
    _assert_same_view(ci.coded(result.data), expected)
    derived_tables(result, as_of=as_of)
    assert calls == []  # the rows put back for the case status extend it (ci.with_added)
    ck.events(result.data, as_of=as_of)
    assert calls == []


def test_a_handed_over_index_is_not_reused_for_other_frames() -> None:
    result = ck.validate(edge_caseload(), as_of=AS_OF)
    data = result.data
    before = ci.coded(data)
    # a sheet replaced after validation (its rows cut or moved): its index is computed again
    data.sheets["contacts"] = data["contacts"].reverse()
    after = ci.coded(data)
    assert after is not before
    _assert_same_view(after, _computed(data))
    # the handed-over parts are kept for the validated frames only, not the view's
    fresh = ck.validate(edge_caseload(), as_of=AS_OF).data
    fresh.sheets["cases"] = fresh["cases"].head(2)
    _assert_same_view(ci.coded(fresh), _computed(fresh))


def test_case_keys_told_after_validation_number_the_index() -> None:
    result = ck.validate(edge_caseload(), as_of=AS_OF)
    dense = ci.coded(result.data)
    assert dense.ordered
    keys = pl.DataFrame({"case_id": ["a", "7", "007"], "key": [3, 10, 4]})
    view = ci.coded(ci.with_case_keys(result.data, keys))
    assert isinstance(view, ci.CodedData)
    assert not view.ordered
    assert ci.text_ids(view, pl.Series([3, 10, 4], dtype=ci.INDEX_DTYPE)).to_list() == ["a", "7", "007"]
    assert ci.text_ids(view, view["cases"]["case_id"]).equals(result.data["cases"]["case_id"])


def test_the_lookup_is_exact_even_on_a_hash_collision() -> None:
    # ids that are not numbers after a prefix, so they are found by their hash
    ids = pl.Series("case_id", ["C-a", "C-b", None, "C-c"])
    forged = ids.hash().scatter(0, pl.Series(["C-X"]).hash()[0])  # C-a takes C-X's hash
    look = ci.Lookup.of(ids, forged)
    assert look.hashed
    assert look.numbers is None
    assert look.find(pl.Series(["C-X", "C-b", None, "C-c", "C-a"])).to_list() == [None, 1, None, 3, None]
    # runs of one text (a sheet sorted by case) are looked up once, still checked against the text
    runs = pl.Series(["C-X", "C-X", "C-b", "C-b", None, None, "C-a", "C-a", "C-a", "C-X"])
    assert look.find(runs).to_list() == [None, None, 1, 1, None, None, None, None, None, None]
    assert ci.Lookup.of(ids).find(runs).to_list() == [None, None, 1, 1, None, None, 0, 0, 0, None]
    # two ids sharing a hash: found by their text
    same = ci.Lookup.of(ids, forged.scatter(1, forged[0]))
    assert not same.hashed
    assert same.find(pl.Series(["C-X", "C-b", None, "C-c", "C-a"])).to_list() == [None, 1, None, 3, 0]


def test_the_lookup_by_number_is_exact_on_texts_of_the_same_number() -> None:
    ids = pl.Series("case_id", ["C01", "C02", None, "C10"])
    look = ci.Lookup.of(ids)
    assert look.numbers is not None  # found by the number after "C"
    # each text reads as the number of an id but is not that id: found only when it is
    texts = ["C1", "C001", "C+1", "c01", "X01", "C01 ", " C01", "C1e1", "C0x2", "C10", "C02", None, "C01", "C11", "C"]
    expected = [None, None, None, None, None, None, None, None, None, 3, 1, None, 0, None, None]
    assert look.find(pl.Series(texts)).to_list() == expected
    assert [s.to_list() for s in look.find_all([pl.Series(texts), ids])] == [expected, [0, 1, None, 3]]
    # the same answers by hash
    hashed = ci.Lookup.of(pl.Series("case_id", ["C01", "C02", None, "C10", "not a number"]))
    assert hashed.numbers is None
    assert hashed.find(pl.Series(texts)).to_list() == expected
    # no table when two ids read as one number, or the numbers spread too wide
    assert ci.Lookup.of(pl.Series(["7", "007"])).numbers is None
    assert ci.Lookup.of(pl.Series(["C1", "C999"])).numbers is None
    assert ci.Lookup.of(pl.Series(["C-5", "C7"])).find(pl.Series(["C-5", "C7", "C5"])).to_list() == [0, 1, None]
