"""Access control in the workspace itself: users, roles, caseloads, assignments (issue 14).

Every role against every public read (``data``, ``result``, the worklist computed from
them, ``case_record``, ``export``, ``audit``), the writes each role may and may not do,
reassignment with history, and the audit of sign-ins, views and refusals — on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casekit as ck
from casekit.outcomes import attribute
from casekit.workspace._engine import sqlite_path
from casekit.workspace._migrate import head_revision
from tests.builders import caseload

AS_OF = dt.date(2026, 9, 30)
#: A fixed extract key (the tests are deterministic); made once with secrets.token_hex(32).
EXTRACT_KEY = "5f1c7a9e03b2d48c6e1f0a7b9c2d3e4f8a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d"
CM_EVA, CM_LUIS, SUP, RES, TRAIN, ADMIN = (
    "eva@team.org",
    "luis@team.org",
    "sup@team.org",
    "res@uni.edu",
    "tra@team.org",
    "admin@team.org",
)


def team() -> ck.CaseData:
    """Four cases, two programmes, two case managers (one written with accents and spaces)."""
    return caseload(
        cases=[
            {"case_id": "A", "client_name": "Ana Alba", "case_manager": "Eva Núñez", "program": "north"},
            {"case_id": "B", "client_name": "Bea Bravo", "case_manager": " eva  nuñez", "program": "south"},
            {"case_id": "C", "client_name": "Carla Cruz", "case_manager": "Luis Mora", "program": "north"},
            {"case_id": "D", "client_name": "Dora Diaz", "case_manager": "Luis Mora", "program": "south"},
        ],
        contacts=[
            {
                "contact_id": f"K{c}",
                "case_id": c,
                "contact_on": "2026-02-01",
                "kind": "phone_call",
                "status": "attended",
            }
            for c in "ABCD"
        ],
        screenings=[{"case_id": c, "screened_on": "2026-01-03", "decision": "refer_to_assessment"} for c in "ABCD"],
        outcomes=[
            {"case_id": "A", "measured_on": day, "measure": "PHQ-9", "value": v, "timepoint": tp}
            for day, v, tp in (("2026-01-05", 14, "baseline"), ("2026-04-01", 8, "follow_up"))
        ],
    )


@pytest.fixture(autouse=True)
def _plain_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQLAlchemy read path (no child process per read): the scope is applied after
    reading, the same on both paths (tests/workspace/test_store.py compares the paths)."""
    monkeypatch.setenv("CASEKIT_READER", "sqlalchemy")


@pytest.fixture
def ws(db_url: str):
    workspace = ck.Workspace.open(db_url)
    workspace.import_workbook(team(), actor="setup")
    workspace.add_user(CM_EVA, "case_manager", name="EVA NUNEZ", actor="setup")
    workspace.add_user(CM_LUIS, "case_manager", name="Luis Mora", actor="setup")
    workspace.add_user(SUP, "supervisor", programs=["north"], actor="setup")
    workspace.add_user(RES, "researcher", actor="setup")
    workspace.add_user(TRAIN, "trainer", actor="setup")
    workspace.add_user(ADMIN, "admin", actor="setup")
    yield workspace
    workspace.close()


def case_ids(data: ck.CaseData) -> dict[str, set[str]]:
    return {sheet: set(df.get_column("case_id").to_list()) for sheet, df in data.sheets.items() if df.height}


def denials(ws: ck.Workspace) -> pl.DataFrame:
    return ws.audit().filter(pl.col("action") == "denied")


def test_schema_has_one_head_and_the_access_tables(ws: ck.Workspace) -> None:
    assert head_revision() == "0002"
    with ws.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {"users", "assignments"} <= tables


def test_each_role_reads_exactly_its_scope(ws: ck.Workspace, tmp_path: Path) -> None:
    expected = {CM_EVA: {"A", "B"}, CM_LUIS: {"C", "D"}, SUP: {"A", "C"}, ADMIN: {"A", "B", "C", "D"}}
    for user, cases in expected.items():
        data = ws.data(user=user)
        assert all(ids <= cases for ids in case_ids(data).values()), user
        assert case_ids(data)["cases"] == cases
        assert case_ids(ws.result(user=user).data)["contacts"] == cases
        worklist = ck.worklist(ck.case_status(data, as_of=AS_OF))
        assert set(worklist.get_column("case_id").to_list()) <= cases
        out = ws.export(tmp_path / user, user=user, format="parquet")
        assert set(pl.read_parquet(out / "cases.parquet").get_column("case_id").to_list()) == cases
        for case in "ABCD":  # the case record: theirs opens, the others are refused
            if case in cases:
                assert case_ids(ws.case_record(case, user=user))["cases"] == {case}
            else:
                with pytest.raises(ck.AccessDenied):
                    ws.case_record(case, user=user)
        audited = set(ws.audit(user=user).get_column("case_id").drop_nulls().to_list())
        assert audited <= cases
        assert audited
    assert ws.data()["cases"].height == 4  # local mode / administrator


@pytest.mark.parametrize("user", [RES, TRAIN, "stranger@elsewhere.org"])
def test_researchers_trainers_and_strangers_read_no_client_record(ws: ck.Workspace, user: str) -> None:
    before = denials(ws).height
    for read in (
        lambda: ws.data(user=user),
        lambda: ws.result(user=user),
        lambda: ws.case_record("A", user=user),
        lambda: ws.audit(user=user),
        lambda: ws.export("never.xlsx", user=user),
    ):
        with pytest.raises(ck.AccessDenied):
            read()
    refused = denials(ws)
    assert refused.height == before + 5
    assert set(refused.get_column("actor").to_list()[before:]) == {user}
    assert not Path("never.xlsx").exists()
    assert ws.verify_audit().intact


def test_researcher_message_points_to_the_extract_and_the_extract_has_no_names(ws: ck.Workspace) -> None:
    with pytest.raises(ck.AccessDenied, match="research_extract"):
        ws.data(user=RES)
    with pytest.raises(ck.AccessDenied, match="extracto"):
        ws.case_record("A", user=RES, lang="es")
    out = ws.research_extract(user=RES, key=EXTRACT_KEY, k=1)
    text = " ".join(str(v) for df in out.data.sheets.values() for row in df.iter_rows() for v in row)
    for name in ("Ana", "Bea", "Carla", "Dora", "Eva", "Luis", "Alba"):
        assert name not in text
    assert "client_name" not in out.data["cases"].columns
    assert out.data["cases"].height == 4
    with pytest.raises(ck.AccessDenied):
        ws.research_extract(user=CM_EVA)
    assert ws.audit().filter(pl.col("action") == "research_extract").get_column("actor").to_list() == [RES]


def test_case_record_is_audited_and_other_cases_are_refused(ws: ck.Workspace) -> None:
    record = ws.case_record("A", user=CM_EVA)
    assert case_ids(record) == {"cases": {"A"}, "contacts": {"A"}, "screenings": {"A"}, "outcomes": {"A"}}
    assert record["cases"].get_column("client_name").to_list() == ["Ana Alba"]
    with pytest.raises(ck.AccessDenied, match="C"):
        ws.case_record("C", user=CM_EVA)
    log = ws.audit()
    view = log.filter(pl.col("action") == "view").row(-1, named=True)
    assert (view["actor"], view["case_id"]) == (CM_EVA, "A")
    denied = log.filter(pl.col("action") == "denied").row(-1, named=True)
    assert (denied["actor"], denied["case_id"]) == (CM_EVA, "C")
    assert ws.verify_audit().intact


def test_writes_follow_the_role_table(ws: ck.Workspace) -> None:
    contact = {"case_id": "A", "contact_on": "2026-03-01", "kind": "phone_call", "status": "attended"}
    assert ws.record("contacts", contact, user=CM_EVA)["_created_by"] == CM_EVA
    before = ws.data()["contacts"].height
    with pytest.raises(ck.AccessDenied):
        ws.record("contacts", contact | {"case_id": "C"}, user=CM_EVA)  # not hers
    with pytest.raises(ck.AccessDenied):
        ws.record("contacts", contact, user=RES)
    with pytest.raises(ck.AccessDenied):
        ws.close_case("A", "2026-03-02", "goals_met", user=CM_EVA)  # closing: supervisors
    override = {"case_id": "A", "reviewed_on": "2026-03-01", "override_tier": "high", "reason": "crisis"}
    with pytest.raises(ck.AccessDenied):
        ws.record("risk_reviews", override, user=CM_EVA)
    assert ws.data()["contacts"].height == before
    # a safety action without an override is the case manager's to record
    ws.record("risk_reviews", {"case_id": "A", "reviewed_on": "2026-03-01", "reason": "safety plan"}, user=CM_EVA)
    ws.record("risk_reviews", override, user=SUP)
    with pytest.raises(ck.AccessDenied):
        ws.record("risk_reviews", override | {"case_id": "B"}, user=SUP)  # programme south
    ws.close_case("C", "2026-03-02", "goals_met", user=SUP)
    stored = ws.get("contacts", "KA")
    assert stored is not None
    with pytest.raises(ck.AccessDenied):
        ws.delete("contacts", "KA", "typo", expected_version=stored["_version"], user=SUP)  # admins delete
    ws.delete("contacts", "KA", "typo", expected_version=stored["_version"], user=ADMIN)
    with pytest.raises(ck.AccessDenied):
        ws.import_workbook(team(), user=SUP)
    with pytest.raises(ck.AccessDenied):
        ws.add_user("x@team.org", "admin", user=SUP)
    assert ws.verify_audit().intact


def test_reassignment_keeps_history_and_moves_the_caseload(ws: ck.Workspace) -> None:
    with pytest.raises(ck.AccessDenied):
        ws.assign("A", "Luis Mora", on=dt.date(2026, 6, 1), user=CM_EVA)
    ws.assign("A", "Luis Mora", on=dt.date(2026, 6, 1), user=SUP)
    history = ws.assignments().filter(pl.col("case_id") == "A")
    assert history.select("case_manager", "from_on", "to_on", "by").rows() == [
        ("Eva Núñez", dt.date(2026, 1, 1), dt.date(2026, 6, 1), SUP),
        ("Luis Mora", dt.date(2026, 6, 1), None, SUP),
    ]
    assert case_ids(ws.data(user=CM_EVA))["cases"] == {"B"}
    assert case_ids(ws.data(user=CM_LUIS))["cases"] == {"A", "C", "D"}
    assert ws.data().sheets["cases"].filter(pl.col("case_id") == "A")["case_manager"].item() == "Luis Mora"
    with pytest.raises(ck.AccessDenied):
        ws.record("contacts", {"case_id": "A", "contact_on": "2026-06-02"}, user=CM_EVA)
    with pytest.raises(ck.CasekitError):
        ws.assign("A", "Eva Núñez", on=dt.date(2026, 5, 1), user=SUP)  # before the one in force
    # the outcome pair (latest measure 2026-04-01) belongs to who held the case then, not now
    pairs = attribute(ck.outcome_changes(ws.data()), ws.assignments())
    assert pairs.filter(pl.col("case_id") == "A")["case_manager"].to_list() == ["Eva Núñez"]
    entry = ws.audit("A").filter(pl.col("action") == "assign").row(0, named=True)
    assert entry["actor"] == SUP
    assert "Luis Mora" in entry["after"]


def test_sign_in_and_out_are_audited_and_strangers_refused(ws: ck.Workspace) -> None:
    assert ws.sign_in("EVA@team.org").role == "case_manager"
    ws.sign_out(CM_EVA)
    with pytest.raises(ck.AccessDenied, match="stranger"):
        ws.sign_in("stranger@x.org")
    actions = ws.audit().filter(pl.col("action").is_in(["sign_in", "sign_out", "denied"]))
    assert actions.select("action", "actor").rows()[-3:] == [
        ("sign_in", CM_EVA),
        ("sign_out", CM_EVA),
        ("denied", "stranger@x.org"),
    ]
    assert ws.verify_audit().intact


def test_users_are_validated_and_managed(ws: ck.Workspace) -> None:
    with pytest.raises(ck.CasekitError, match="role"):
        ws.add_user("a@b.org", "boss")
    with pytest.raises(ck.CasekitError):
        ws.add_user("not-an-email", "admin")
    ws.add_user(CM_EVA, "case_manager", name="Eva Núñez", language="es", user=ADMIN)
    assert ws.user(CM_EVA).language == "es"  # type: ignore[union-attr]
    assert ws.name_matches("eva nunez") == 2
    assert ws.name_matches("Nobody") == 0
    assert ws.remove_user(TRAIN, user=ADMIN)
    assert not ws.remove_user(TRAIN, user=ADMIN)
    assert TRAIN not in ws.users().get_column("email").to_list()
    actions = ws.audit().filter(pl.col("sheet") == "users").get_column("action").to_list()
    assert actions.count("user_add") == 6
    assert "user_change" in actions
    assert "user_remove" in actions


MANAGERS = ("Eva Núñez", "Luis Mora", "Rosa Vidal")  # Rosa has no user: her cases are nobody's caseload
#: Whose caseload each spelling of a name is in (written out: the test does not reuse name_key).
OWNER = {"Eva Núñez": CM_EVA, "eva  nuñez": CM_EVA, "eva nuñez": CM_EVA, "Luis Mora": CM_LUIS, "Rosa Vidal": None}


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.sampled_from("ABCD"), st.sampled_from(MANAGERS)), min_size=1, max_size=4))
def test_random_reassignments_never_leak_a_row(ws: ck.Workspace, moves: list[tuple[str, str]]) -> None:
    """After any sequence of reassignments, each case manager reads exactly the cases held
    by their name now — in every sheet, every read — and is refused the others."""
    held = dict(ws.current_assignees().select("case_id", "case_manager").iter_rows())
    last = ws.assignments().get_column("from_on").max()
    day = max(last, dt.date(2026, 3, 1)) if last else dt.date(2026, 3, 1)  # type: ignore[type-var]
    for case, manager in moves:
        day += dt.timedelta(days=1)
        ws.assign(case, manager, on=day, user=SUP if case in "AC" else ADMIN)
        held[case] = manager
    for user in (CM_EVA, CM_LUIS):
        mine = {c for c, m in held.items() if OWNER[m.strip()] == user}
        data = ws.data(user=user)
        assert case_ids(data).get("cases", set()) == mine
        assert all(ids <= mine for ids in case_ids(data).values())
        assert all(ids <= mine for ids in case_ids(ws.result(user=user).data).values())
        for case in "ABCD":
            if case in mine:
                assert case_ids(ws.case_record(case, user=user))["cases"] == {case}
            else:
                with pytest.raises(ck.AccessDenied):
                    ws.case_record(case, user=user)
    assert case_ids(ws.data(user=SUP))["cases"] == {"A", "C"}  # programmes, whoever holds them


def test_a_workspace_from_before_sign_in_gains_the_tables(db_url: str) -> None:
    """A workspace at revision 0001 (no users, no assignments) is upgraded on open, after a
    backup, and its import's case managers are the cases' first assignments."""
    ws = ck.Workspace.open(db_url)
    ws.import_workbook(team(), actor="setup")
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE assignments")
        conn.exec_driver_sql("DROP TABLE users")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    ws.close()
    ws = ck.Workspace.open(db_url)
    with ws.engine.connect() as conn:
        assert {"users", "assignments"} <= set(sa.inspect(conn).get_table_names())
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0002"
    db = sqlite_path(db_url)
    if db is not None:  # PostgreSQL backups go to the casekit home: same code, tested in test_store
        assert list(db.parent.glob(f"{db.name}.before-migration-0001-*.backup"))
    assert dict(ws.current_assignees().select("case_id", "case_manager").iter_rows())["C"] == "Luis Mora"
    ws.add_user(CM_LUIS, "case_manager", name="Luis Mora")
    assert case_ids(ws.data(user=CM_LUIS))["cases"] == {"C", "D"}
    ws.close()
