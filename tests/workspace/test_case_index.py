"""A workspace's case index is its stable primary key (issue 18), on SQLite and PostgreSQL:
a new case leaves every other case's index as it was, and every derived table of the
stored state equals the same table on the text ids."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

import casekit as ck
import casekit._case_index as ci
from casekit.workspace._schema import TABLES
from tests.index_reference import derived_tables, text_ids_only


@pytest.fixture
def ws(db_url: str):
    workspace = ck.Workspace.open(db_url)
    workspace.import_workbook(ck.make_sample(60, seed=5), actor="eva", as_of=ck.SAMPLE_AS_OF)
    yield workspace
    workspace.close()


def _stored_keys(ws: ck.Workspace) -> dict[str, int]:
    cases = TABLES["cases"]
    with ws.engine.connect() as conn:
        rows = conn.execute(sa.select(cases.c.case_id, cases.c._pk).where(cases.c._deleted_at.is_(None))).all()
    return dict(rows)


def _indices(data: ck.CaseData) -> dict[str, int]:
    view = ci.coded(data)
    assert ci.is_coded(view)
    return dict(zip(data["cases"]["case_id"].to_list(), view["cases"]["case_id"].to_list(), strict=True))


def test_the_index_is_the_primary_key_and_a_new_case_keeps_the_others(ws: ck.Workspace) -> None:
    before = _indices(ws.data())
    assert before == _stored_keys(ws)
    # a case whose id sorts first: a dense index would renumber every case after it
    ws.record("cases", {"case_id": "A-0000", "opened_on": "2026-01-02", "program": "P1"}, actor="eva")
    after = _indices(ws.data())
    assert after == _stored_keys(ws)
    assert {k: after[k] for k in before} == before
    assert after["A-0000"] == max(before.values()) + 1
    dense = ci.coded(ck.CaseData(dict(ws.data().sheets)))  # the same rows from files: text order
    assert dense["cases"]["case_id"].to_list() != list(after.values())
    assert not ci.coded(ws.data()).ordered  # the key order is not the text order now


def test_rows_recorded_since_extend_the_index_without_computing_it_again(ws: ck.Workspace, monkeypatch) -> None:
    before = ws.result()
    old = _indices(before.data)
    since = ws.last_change()
    ws.record("cases", {"case_id": "A-0000", "opened_on": "2026-01-02", "program": "P1"}, actor="eva")
    ws.record(
        "contacts",
        {"case_id": "A-0000", "contact_on": "2026-01-09", "kind": "phone_call", "status": "attended"},
        actor="eva",
    )
    monkeypatch.setattr(ci, "_numbering", lambda *a: pytest.fail("the index was computed again"))
    after = ws.result_since(before, since)
    assert after is not None
    view = ci.coded(after.data)
    assert _indices(after.data) == old | {"A-0000": _stored_keys(ws)["A-0000"]} == _stored_keys(ws)
    assert view["contacts"]["case_id"].to_list()[-1] == _stored_keys(ws)["A-0000"]
    assert not view.ordered
    monkeypatch.undo()
    fresh = ci.coded(ck.CaseData(dict(after.data.sheets)))  # the same rows, indexed from scratch: same tables
    with text_ids_only():
        expected = ck.case_status(after, as_of=ck.SAMPLE_AS_OF)
    assert_frame_equal(ck.case_status(after, as_of=ck.SAMPLE_AS_OF), expected)
    assert fresh.ids.drop_nulls().sort().to_list() == view.ids.drop_nulls().sort().to_list()


def test_tables_of_the_stored_state_equal_the_text_ids(ws: ck.Workspace) -> None:
    ws.record("cases", {"case_id": "A-0000", "opened_on": "2026-01-02", "program": "P1"}, actor="eva")
    ws.record(
        "contacts",
        {"case_id": "A-0000", "contact_on": "2026-01-09", "kind": "phone_call", "status": "attended"},
        actor="eva",
    )
    result = ws.result()
    assert not ci.coded(result.data).ordered
    with text_ids_only():
        expected = derived_tables(result, as_of=ck.SAMPLE_AS_OF)
    got = derived_tables(result, as_of=ck.SAMPLE_AS_OF)
    for name, frame in expected.items():
        try:  # floats to 1e-12: sums in thread order (see tests/test_case_index.py)
            assert_frame_equal(got[name], frame, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None
    assert "A-0000" in got["status"]["case_id"].to_list()
    assert ci.coded(result.data) is ci.coded(result.data)
