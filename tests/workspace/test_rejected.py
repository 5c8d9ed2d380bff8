"""Property: a rejected ``record`` leaves the database identical (a logical dump of every table)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casekit as ck
from casekit.contract import VOCABS
from tests.builders import caseload

DATES = st.one_of(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.sampled_from(["31/02/2026", "2026-13-01", "yesterday", "", "  "]),
    st.none(),
)
CONTACT = st.fixed_dictionaries(
    {
        "case_id": st.sampled_from(["A", "Z", "NOPE", "", None]),
        "contact_on": DATES,
    },
    optional={
        "contact_id": st.sampled_from(["K1", "K-NEW", ""]),
        "kind": st.one_of(st.sampled_from([*VOCABS["contact_kind"], "Llamada telefónica"]), st.text(max_size=8)),
        "status": st.one_of(st.sampled_from(list(VOCABS["contact_status"])), st.text(max_size=5)),
        "with_whom": st.sampled_from([*VOCABS["with_whom"], "nobody"]),
        "notes": st.text(max_size=20),
    },
)
GOAL = st.fixed_dictionaries(
    {"case_id": st.sampled_from(["A", "NOPE", None]), "set_on": DATES},
    optional={
        "target_on": DATES,
        "status": st.sampled_from([*VOCABS["goal_status"], "done"]),
        "achieved_on": DATES,
        "domain": st.sampled_from([*VOCABS["goal_domain"], "mars"]),
    },
)


@pytest.mark.slow
def test_rejected_input_leaves_a_logical_dump_identical(db_url: str) -> None:
    ws = ck.Workspace.open(db_url)
    try:
        ws.import_workbook(
            caseload(
                cases=[
                    {"case_id": "A", "opened_on": "2026-01-05"},
                    {"case_id": "Z", "opened_on": "2025-01-01", "closed_on": "2025-03-01", "close_reason": "other"},
                ],
                contacts=[{"contact_id": "K1", "case_id": "A", "contact_on": "2026-01-10"}],
            ),
            actor="setup",
        )
        outcome = {"rejected": 0, "accepted": 0}

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(st.one_of(CONTACT.map(lambda r: ("contacts", r)), GOAL.map(lambda r: ("goals", r))))
        def check(item: tuple[str, dict[str, object]]) -> None:
            sheet, row = item
            before = ws.dump()
            rejected = None
            try:
                ws.record(sheet, row, actor="prop", lang="es")
            except ck.RecordRejected as exc:
                rejected = exc
            if rejected is None:
                outcome["accepted"] += 1
                return
            outcome["rejected"] += 1
            assert rejected.report.height >= 1
            assert ws.dump() == before

        check()
        assert outcome["rejected"] >= 8  # the strategy mostly produces bad rows: the property is exercised
        assert ws.verify_audit().intact
    finally:
        ws.close()
