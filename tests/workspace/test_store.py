"""The workspace store on SQLite and PostgreSQL: import, record, update, delete, export, audit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

import casekit as ck
from casekit.stages import open_red_flags
from casekit.validation import validate
from casekit.workspace._migrate import head_revision
from tests.builders import caseload

AS_OF = dt.date(2026, 9, 30)


@pytest.fixture
def ws(db_url: str):
    workspace = ck.Workspace.open(db_url)
    yield workspace
    workspace.close()


def small() -> ck.CaseData:
    """Two open cases and one closed case, with a few events."""
    return caseload(
        cases=[
            {"case_id": "A", "client_name": "Ana", "opened_on": "2026-01-05", "case_manager": "Eva"},
            {"case_id": "B", "client_name": "Bea", "opened_on": "2026-02-01", "case_manager": "Eva"},
            {"case_id": "Z", "opened_on": "2025-01-01", "closed_on": "2025-03-01", "close_reason": "goals_met"},
        ],
        contacts=[
            {
                "contact_id": "K1",
                "case_id": "A",
                "contact_on": "2026-01-10",
                "kind": "phone_call",
                "status": "attended",
            },
            {
                "contact_id": "K2",
                "case_id": "B",
                "contact_on": "2026-02-10",
                "kind": "home_visit",
                "status": "attended",
            },
        ],
        screenings=[{"case_id": "A", "screened_on": "2026-01-06", "decision": "refer_to_assessment"}],
        outcomes=[
            {"case_id": "A", "measured_on": "2026-01-07", "measure": "phq9", "value": 12, "timepoint": "baseline"},
            {"case_id": "A", "measured_on": "2026-01-07", "measure": "phq9", "value": 12, "timepoint": "baseline"},
        ],
    )


def data_tables(ws: ck.Workspace) -> dict[str, object]:
    """The logical dump without the audit log (which every action appends to)."""
    return {k: v for k, v in ws.dump().items() if k != "audit_log"}


def test_open_creates_the_schema_from_the_contract(ws: ck.Workspace, db_url: str) -> None:
    with ws.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("contacts")}
    from casekit.contract import SHEETS

    assert set(SHEETS) | {"quarantine", "audit_log", "workspace_meta"} <= tables
    assert version == head_revision()
    assert set(SHEETS["contacts"].columns) <= columns
    again = ck.Workspace.open(db_url)  # a second open migrates nothing
    assert again.workspace_id == ws.workspace_id
    again.close()


def test_import_counts_and_idempotent_reimport(ws: ck.Workspace) -> None:
    first = ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    assert first.counts["cases"]["added"] == 3
    assert first.counts["outcomes"]["added"] == 2  # same natural key twice: two occurrences
    assert first.total("changed") == 0
    before = data_tables(ws)
    second = ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    assert second.total("added") == 0
    assert second.total("changed") == 0
    assert second.total("unchanged") == first.total("added")
    assert data_tables(ws) == before


def test_each_row_an_import_adds_has_its_own_audit_entry(ws: ck.Workspace) -> None:
    first = ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    rows = ws.audit().filter((pl.col("action") == "import") & pl.col("row_id").is_not_null())
    assert rows.height == first.total("added") == 8
    contact = rows.filter(pl.col("row_id") == "K2").row(0, named=True)
    assert (contact["sheet"], contact["case_id"], contact["actor"]) == ("contacts", "B", "eva")
    assert json.loads(contact["after"])["kind"] == "home_visit"
    outcome_ids = set(rows.filter(pl.col("sheet") == "outcomes")["row_id"])
    assert len(outcome_ids) == 2  # the same natural key twice: two rows, two entries
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)  # nothing added: only the import's summary
    again = ws.audit().filter(pl.col("action") == "import")
    assert again.height == rows.height + 2
    assert ws.verify_audit().intact


def test_changed_workbook_updates_by_key_and_audits_each_change(ws: ck.Workspace) -> None:
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    changed = small()
    contacts = changed["contacts"].with_columns(
        pl.when(pl.col("contact_id") == "K1").then(pl.lit("called back")).otherwise(pl.col("notes")).alias("notes")
    )
    extra = caseload(contacts=[{"contact_id": "K3", "case_id": "B", "contact_on": "2026-03-01"}])["contacts"]
    sheets = dict(changed.sheets) | {
        "contacts": pl.concat([contacts, extra.with_columns(pl.lit(4, dtype=pl.Int64).alias("_row"))])
    }
    result = ws.import_workbook(ck.CaseData(sheets), actor="ivan", as_of=AS_OF)
    assert result.counts["contacts"] == {"added": 1, "changed": 1, "unchanged": 1, "quarantined": 0}
    stored = ws.data()["contacts"]
    assert stored.filter(pl.col("contact_id") == "K1")["notes"].item() == "called back"
    entry = ws.audit().filter(pl.col("action") == "import_update")
    assert entry.height == 1
    assert entry["row_id"].item() == "K1"
    assert entry["actor"].item() == "ivan"
    assert "called back" in entry["after"].item()
    assert ws.get("contacts", "K1")["_version"] == 2


def test_quarantined_rows_are_kept_with_their_problems(ws: ck.Workspace) -> None:
    bad = small()
    contacts = pl.concat(
        [
            bad["contacts"],
            caseload(contacts=[{"contact_id": "K9", "case_id": "NOPE", "contact_on": "2026-03-01"}])[
                "contacts"
            ].with_columns(pl.lit(4, dtype=pl.Int64).alias("_row")),
        ]
    )
    data = ck.CaseData(dict(bad.sheets) | {"contacts": contacts})
    result = ws.import_workbook(data, actor="eva", as_of=AS_OF, lang="es")
    assert result.counts["contacts"]["quarantined"] == 1
    assert "K9" not in ws.data()["contacts"]["contact_id"].to_list()
    held = ws.quarantine()
    assert held["sheet"].to_list() == ["contacts"]
    assert held["case_id"].to_list() == ["NOPE"]
    stored = ws.result(lang="es")
    assert stored.quarantined["contacts"]["contact_id"].to_list() == ["K9"]
    assert stored.report["check"].to_list() == ["unknown_case"]
    assert stored.report["message"].item() == result.report.filter(pl.col("severity") == "error")["message"].item()
    ws.import_workbook(data, actor="eva", as_of=AS_OF)  # again: held once, not twice
    assert ws.quarantine().height == 1
    fixed = ws.resolve_quarantined(
        int(held["id"].item()), {"contact_id": "K9", "case_id": "B", "contact_on": "2026-03-01"}, actor="eva"
    )
    assert fixed["case_id"] == "B"
    assert ws.quarantine().height == 0


def test_round_trip_import_export_import_gives_identical_frames(ws: ck.Workspace, make_url, tmp_path: Path) -> None:
    data = ck.make_sample(40, seed=3)
    cases = data["cases"].with_columns(pl.lit("x").alias("team_note"))  # an unknown extra column round-trips
    data = ck.CaseData(dict(data.sheets) | {"cases": cases})
    ws.import_workbook(data, actor="eva", as_of=ck.SAMPLE_AS_OF)
    for out in (tmp_path / "book.xlsx", tmp_path / "folder"):
        ws.export(out, lang="es", actor="eva")
        other = ck.Workspace.open(make_url())
        try:
            other.import_workbook(out, actor="eva", as_of=ck.SAMPLE_AS_OF, lang="es")
            mine, theirs = ws.data(), other.data()
            for sheet in mine.sheets:
                assert_frame_equal(mine[sheet], theirs[sheet], check_dtypes=True)
        finally:
            other.close()
    assert ws.data()["cases"]["team_note"].to_list() == ["x"] * 40
    assert ws.audit().filter(pl.col("action") == "export").height == 2


def test_record_generates_ids_and_stores_one_row(ws: ck.Workspace) -> None:
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    row = ws.record(
        "contacts",
        {"case_id": "A", "contact_on": dt.date(2026, 3, 2), "kind": "phone_call", "status": "attended", "notes": "ok"},
        actor="eva",
    )
    assert row["contact_id"].startswith("K-")
    assert row["_row_id"] == row["contact_id"]
    assert row["_version"] == 1
    assert row["_created_by"] == "eva"
    got = ws.data()["contacts"].filter(pl.col("contact_id") == row["contact_id"])
    assert got.select("case_id", "contact_on", "notes").row(0) == ("A", dt.date(2026, 3, 2), "ok")
    outcome = ws.record(  # a column named "value" (the parser's own name for a column once)
        "outcomes", {"case_id": "B", "measured_on": "2026-03-01", "measure": "gad7", "value": "7,5",
                     "timepoint": "follow_up"}, actor="eva")  # fmt: skip
    assert outcome["value"] == 7.5
    screening = ws.record("screenings", {"case_id": "B", "screened_on": "2026-02-03"}, actor="eva")
    assert screening["_row_id"].startswith("SCR-")
    entry = ws.audit("A").filter(pl.col("action") == "record")
    assert entry["row_id"].to_list() == [row["contact_id"]]


@pytest.mark.parametrize(
    ("sheet", "row", "check"),
    [
        ("contacts", {"case_id": "NOPE", "contact_on": "2026-03-01"}, "unknown_case"),
        ("contacts", {"case_id": "A", "contact_on": "2025-12-01"}, "before_opening"),
        ("screenings", {"case_id": "Z", "screened_on": "2025-06-01"}, "after_closing"),
        ("contacts", {"case_id": "A", "contact_on": "2026-03-01", "kind": "telepathy"}, "not_allowed"),
        ("goals", {"case_id": "A", "set_on": "2026-03-01", "target_on": "2026-02-01"}, None),
        ("risk_reviews", {"case_id": "A", "reviewed_on": "2026-03-01", "override_tier": "high"}, None),
        ("contacts", {"case_id": "A"}, "required"),
        ("contacts", {"contact_id": "K1", "case_id": "A", "contact_on": "2026-03-01"}, "duplicate"),
    ],
)
def test_invalid_record_is_rejected_with_validate_messages_and_writes_nothing(
    ws: ck.Workspace, sheet: str, row: dict[str, object], check: str | None
) -> None:
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    before = ws.dump()
    for lang in ("es", "en"):
        with pytest.raises(ck.RecordRejected) as caught:
            ws.record(sheet, row, actor="eva", lang=lang)
        report = caught.value.report
        assert report.height >= 1
        assert set(report["severity"]) == {"error"}
        if check is not None:
            assert check in report["check"].to_list()
        # the same rows validate() writes for that row in a workbook
        id_col = {"contacts": "contact_id", "goals": "goal_id"}.get(sheet)
        as_given = {id_col: "NEW-1"} | row if id_col else row  # record() generates an empty id
        alone = validate(_with_case_rows(ws, sheet, as_given), lang=lang, as_of=AS_OF).report
        alone = alone.filter((pl.col("severity") == "error") & (pl.col("row") == 2))
        assert sorted(alone["message"].to_list()) == sorted(report["message"].to_list())
        assert caught.value.message(lang).startswith("No se guardó" if lang == "es" else "Not saved")
    assert ws.dump() == before


def _with_case_rows(ws: ck.Workspace, sheet: str, row: dict[str, object]) -> ck.CaseData:
    """The workspace's rows with ``row`` first in its sheet (``_row`` 2), as a workbook would hold them."""
    from tests.builders import frame

    data = ws.data()
    sheets = {s: df.with_columns(pl.col("_row") + 1_000) for s, df in data.sheets.items()}
    new = frame(sheet, [row])
    sheets[sheet] = pl.concat([new, sheets[sheet]], how="diagonal_relaxed")
    return ck.CaseData(sheets)


def test_a_new_case_of_a_client_who_has_one_is_refused_unless_confirmed(ws: ck.Workspace) -> None:
    ws.record("cases", {"case_id": "P", "client_id": "CL-1", "client_name": "Ana  Ruiz",
                        "birth_date": "1970-03-04", "opened_on": "2026-01-05"}, actor="eva")  # fmt: skip
    before = ws.dump()
    for row, column in (
        ({"case_id": "Q", "client_id": "CL-1", "opened_on": "2026-02-01"}, "id_cliente"),
        ({"case_id": "Q", "client_name": "ana ruiz", "birth_date": "1970-03-04", "opened_on": "2026-02-01"},
         "nombre_cliente"),
    ):  # fmt: skip
        with pytest.raises(ck.RecordRejected) as caught:
            ws.record("cases", row, actor="eva", lang="es")
        report = caught.value.report.row(0, named=True)
        assert (report["column"], report["check"]) == (column, "duplicate_client")
        assert "P" in report["message"]
        assert ws.dump() == before
    assert ws.same_client({"client_name": "ANA RUIZ", "birth_date": "1970-03-04"})["case_id"].to_list() == ["P"]
    ws.record("cases", {"case_id": "R", "client_name": "Ana Ruiz", "opened_on": "2026-02-01"}, actor="eva")  # no date
    confirmed = ws.record(
        "cases", {"case_id": "Q", "client_id": "CL-1", "opened_on": "2026-02-01"}, actor="eva", duplicate_client_ok=True
    )
    assert confirmed["client_id"] == "CL-1"


def test_update_needs_the_version_read_and_names_who_changed_it(ws: ck.Workspace) -> None:
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    row = ws.update("contacts", "K1", {"notes": "first"}, expected_version=1, actor="ana")
    assert row["_version"] == 2
    assert row["notes"] == "first"
    with pytest.raises(ck.StaleEdit) as caught:
        ws.update("contacts", "K1", {"notes": "second"}, expected_version=1, actor="bea", lang="es")
    assert caught.value.who == "ana"
    assert row["_updated_at"] in caught.value.message("es")
    assert "ana" in str(caught.value)
    assert ws.get("contacts", "K1")["notes"] == "first"
    with pytest.raises(ck.RecordRejected):  # the changed row is validated too
        ws.update("contacts", "K1", {"contact_on": "2025-01-01"}, expected_version=2, actor="ana")
    with pytest.raises(TypeError):
        ws.update("contacts", "K1", {"notes": "x"}, actor="ana")  # type: ignore[call-arg]
    audit = ws.audit("A").filter(pl.col("action") == "update")
    assert audit.height == 1
    assert '"first"' in audit["after"].item()


def test_close_reopen_delete_and_restore_are_recorded(ws: ck.Workspace) -> None:
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    with pytest.raises(ck.RecordRejected) as caught:  # closing before its screening breaks the case's rows
        ws.close_case("A", "2026-01-05", "goals_met", actor="eva")
    assert caught.value.report["check"].to_list() == ["after_closing"]
    closed = ws.close_case("A", "2026-03-01", "goals_met", actor="eva")
    assert closed["closed_on"] == dt.date(2026, 3, 1)
    with pytest.raises(ck.RecordRejected):  # a screening after closing
        ws.record("screenings", {"case_id": "A", "screened_on": "2026-08-01"}, actor="eva")
    ws.reopen_case("A", actor="eva")
    assert ws.get("cases", "A")["closed_on"] is None
    version = ws.get("contacts", "K2")["_version"]
    with pytest.raises(ck.CasekitError):
        ws.delete("contacts", "K2", "  ", expected_version=version, actor="eva")
    ws.delete("contacts", "K2", "entered twice", expected_version=version, actor="eva")
    assert "K2" not in ws.data()["contacts"]["contact_id"].to_list()
    with ws.engine.connect() as conn:  # still in the database
        assert conn.exec_driver_sql("SELECT _delete_reason FROM contacts WHERE _row_id = 'K2'").scalar() == (
            "entered twice"
        )
    ws.restore_row("contacts", "K2", actor="admin")
    assert "K2" in ws.data()["contacts"]["contact_id"].to_list()
    ws.delete("cases", "B", "duplicate client", expected_version=1, actor="eva")  # its rows go with it
    assert "B" not in ws.data()["cases"]["case_id"].to_list()
    assert "B" not in ws.data()["contacts"]["case_id"].to_list()
    ws.restore_row("cases", "B", actor="admin")
    assert "K2" in ws.data()["contacts"]["contact_id"].to_list()
    actions = ws.audit()["action"].to_list()
    assert {"close", "reopen", "delete", "restore"} <= set(actions)
    assert ws.verify_audit().intact


def test_data_feeds_every_function_and_result_keeps_quarantined_cases(ws: ck.Workspace) -> None:
    ws.import_workbook(ck.make_sample(30, seed=1), actor="eva", as_of=ck.SAMPLE_AS_OF)
    data = ws.data()
    assert data["cases"].height == 30
    assert data["cases"]["_row"].to_list() == list(range(2, 32))
    status = ck.case_status(ws.result(), as_of=ck.SAMPLE_AS_OF)
    assert status.height == 30
    direct = ck.case_status(ck.validate(ck.make_sample(30, seed=1), as_of=ck.SAMPLE_AS_OF), as_of=ck.SAMPLE_AS_OF)
    assert_frame_equal(status, direct)


def test_both_read_paths_give_the_same_frames(ws: ck.Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.import_workbook(ck.make_sample(30, seed=4), actor="eva", as_of=ck.SAMPLE_AS_OF)
    ws.delete("contacts", ws.data()["contacts"]["contact_id"][0], "test", expected_version=1, actor="eva")
    frames = {}
    for reader in ("adbc", "sqlalchemy"):
        monkeypatch.setenv("CASEKIT_READER", reader)
        frames[reader] = ws.data()
    for sheet in frames["adbc"].sheets:
        assert_frame_equal(frames["adbc"][sheet], frames["sqlalchemy"][sheet])
    assert frames["adbc"]["contacts"].height == len(ws.dump()["contacts"]["rows"]) - 1
    # the Arrow path itself works (data() would fall back quietly)
    if ws.backend == "postgresql":
        assert ws._read_adbc({"cases": ws._data_queries()["cases"]})["cases"].height == 30
    else:
        assert ws._read_sqlite_arrow()["cases"].height == 30


def test_audit_chain_detects_edits_deletions_and_a_cut_tail(ws: ck.Workspace, tmp_path: Path) -> None:
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    for i in range(3):
        ws.record("contacts", {"case_id": "A", "contact_on": f"2026-03-0{i + 1}"}, actor="eva")
    ws.export(tmp_path / "out.xlsx", actor="eva")
    check = ws.verify_audit()
    assert check.intact
    assert check.entries == ws.audit().height
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    assert ws.verify_audit() == ck.workspace.AuditCheck(False, 3, check.entries)
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'eva' WHERE seq = 3")
    assert ws.verify_audit().intact
    with ws.engine.begin() as conn:  # cut the tail: the export's recorded head is gone
        conn.exec_driver_sql(f"DELETE FROM audit_log WHERE seq = {check.entries}")
    assert not ws.verify_audit().intact


def test_audit_key_stays_outside_the_database(ws: ck.Workspace, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = home / f"audit-{ws.workspace_id}.key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    key = key_file.read_text().strip()
    assert key not in str(ws.dump())
    key_file.chmod(0o644)
    with pytest.raises(ck.CasekitError, match="chmod 600"):
        ws.verify_audit()
    key_file.chmod(0o600)
    ws.record("cases", {"case_id": "M", "opened_on": "2026-01-01"}, actor="eva")
    monkeypatch.setenv("CASEKIT_AUDIT_KEY", "another key")
    ws.record("cases", {"case_id": "N", "opened_on": "2026-01-01"}, actor="eva")
    assert not ws.verify_audit().intact  # entries made with the file key do not verify under another key


def test_backup_and_restore(ws: ck.Workspace, tmp_path: Path) -> None:
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    saved = data_tables(ws)
    path = ws.backup(tmp_path / "team.backup")
    ws.record("contacts", {"case_id": "A", "contact_on": "2026-03-01"}, actor="eva")
    ws.restore(path, actor="admin")
    assert data_tables(ws) == saved
    assert ws.verify_audit().intact
    assert ws.audit()["action"].to_list()[-1] == "restore"


def test_new_optional_contract_column_flows_into_an_existing_workspace(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migration pattern for a contract that gains an optional column (docs/workspace.md)."""
    from casekit import contract
    from casekit.workspace import _migrate

    ws = ck.Workspace.open(db_url)
    ws.import_workbook(small(), actor="eva", as_of=AS_OF)
    ws.close()
    col = contract.Column("next_step", "text", "siguiente_paso", "Next step.", "Siguiente paso.")
    monkeypatch.setitem(contract.SHEETS["contacts"].columns, "next_step", col)
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        assert _migrate.missing_columns(conn) == {"contacts": ["next_step"]}
    engine.dispose()
    backups = []
    monkeypatch.setattr(_migrate, "_backup_path", lambda *a: backups.append(a) or _path_for(db_url, a))
    ws = ck.Workspace.open(db_url)
    try:
        with ws.engine.connect() as conn:
            assert _migrate.missing_columns(conn) == {}
        assert backups, "a backup is written before the migration"
    finally:
        ws.close()


def _path_for(db_url: str, args: tuple) -> Path:
    import tempfile

    return Path(tempfile.mkdtemp()) / "before-migration.backup"


def test_a_risk_review_that_leaves_a_red_flag_open_is_refused(ws: ck.Workspace) -> None:
    """The safety action of a red flag: one rule (``open_red_flags``), enforced by the store
    for every writer (forms, CLI, notebooks); nothing written when refused."""
    ws.record("cases", {"case_id": "A", "opened_on": "2026-01-05"}, actor="eva")
    ws.record("assessments", {"case_id": "A", "assessed_on": "2026-02-01", "phq9": 22, "phq9_item9": 2}, actor="eva")
    early = ws.record("risk_reviews", {"case_id": "A", "reviewed_on": "2026-01-20"}, actor="eva")  # before the flag
    before = ws.dump()
    for lang, column, words in (
        ("es", "accion_seguridad", "registre la acción de seguridad tomada en «Acción de seguridad»"),
        ("en", "safety_action", "record the safety action taken in «Safety action»"),
    ):
        with pytest.raises(ck.RecordRejected) as caught:
            ws.record("risk_reviews", {"case_id": "A", "reviewed_on": "2026-02-02"}, actor="eva", lang=lang)
        report = caught.value.report.row(0, named=True)
        assert (report["column"], report["check"]) == (column, "safety_action_required")
        assert words in report["message"]
        assert ("autolesión" if lang == "es" else "self-harm") in report["message"]  # the flag, in words
        assert ws.dump() == before
    with pytest.raises(ck.RecordRejected):  # «not needed» counts only with its reason
        ws.record("risk_reviews", {"case_id": "A", "reviewed_on": "2026-02-02", "safety_action": "not_needed",
                                   "reason": " "}, actor="eva")  # fmt: skip
    assert ws.dump() == before
    with pytest.raises(ck.RecordRejected):  # an edit may not move a review into the flag's time without one
        ws.update("risk_reviews", early["_row_id"], {"reviewed_on": "2026-02-03"}, expected_version=1, actor="eva")
    assert ws.dump() == before
    done = ws.record("risk_reviews", {"case_id": "A", "reviewed_on": "2026-02-02", "safety_action": "safety_plan"},
                     actor="eva")  # fmt: skip
    assert open_red_flags(ws.data(), as_of=AS_OF).height == 0
    ws.record("risk_reviews", {"case_id": "A", "reviewed_on": "2026-02-10"}, actor="eva")  # the flag is closed
    with pytest.raises(ck.RecordRejected) as caught:  # taking the action back would reopen it
        ws.update("risk_reviews", done["_row_id"], {"safety_action": None}, expected_version=1, actor="eva")
    assert caught.value.report["check"].to_list() == ["safety_action_required"]


def test_a_close_with_a_stale_version_is_refused_naming_who_changed_the_case(ws: ck.Workspace) -> None:
    ws.record("cases", {"case_id": "A", "opened_on": "2026-01-05", "case_manager": "Eva"}, actor="eva")
    shown = ws.get("cases", "A")["_version"]  # the close form is drawn
    ws.update("cases", "A", {"case_manager": "Luis"}, expected_version=shown, actor="bea")  # meanwhile
    for lang, words in (("es", "bea modificó esta fila"), ("en", "bea changed this row")):
        with pytest.raises(ck.StaleEdit) as caught:
            ws.close_case("A", "2026-03-01", "goals_met", actor="eva", expected_version=shown, lang=lang)
        assert words in caught.value.message(lang)
    assert ws.get("cases", "A")["closed_on"] is None
    closed = ws.close_case("A", "2026-03-01", "goals_met", actor="eva", expected_version=shown + 1)
    assert (closed["closed_on"], closed["case_manager"]) == (dt.date(2026, 3, 1), "Luis")  # bea's change kept


def test_the_arrow_reader_process_skips_pandas_and_polars(tmp_path: Path) -> None:
    """The SQLite reader's child starts without the libraries it does not use (issue 18)."""
    import sqlite3
    import subprocess
    import sys

    db = tmp_path / "t.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (a INTEGER)")
        conn.execute("INSERT INTO t VALUES (7)")
    code = (
        "import sys; from casekit.workspace._arrow_reader import main; main(sys.argv[1], sys.argv[2]); "
        "print(sorted(m for m in ('pandas', 'polars') if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(db), str(tmp_path)],
        input='{"t": "SELECT a FROM t"}',
        text=True,
        capture_output=True,
        check=True,
    )
    assert run.stdout.strip() == "[]"
    assert pl.read_ipc(tmp_path / "t.arrow")["a"].to_list() == [7]


def test_the_head_revision_is_alembics_without_loading_alembic() -> None:
    """Each revision file is named after its id, so the newest file is Alembic's head."""
    from alembic.script import ScriptDirectory

    from casekit.workspace import _migrate

    script = ScriptDirectory.from_config(_migrate._config())
    assert _migrate.head_revision() == script.get_current_head()
    for rev in script.walk_revisions():
        assert Path(rev.path).name.startswith(f"{rev.revision}_")


def test_opening_an_up_to_date_workspace_does_not_load_alembic(db_url: str) -> None:
    """Alembic (~0.4 s to import) only when there is something to migrate (issue 18)."""
    import subprocess
    import sys

    ck.Workspace.open(db_url).close()  # created and migrated here
    code = "import sys, casekit as ck; ck.Workspace.open(sys.argv[1]).close(); print('alembic' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code, db_url], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
