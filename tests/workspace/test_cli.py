"""``casekit workspace …`` as a user runs it (a subprocess), on both backends."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import casekit as ck
from tests.cli_runner import run_casekit

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"


def test_workspace_commands(db_url: str, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sub-command on SQLite; on PostgreSQL (the same code, another URL) up to ``audit --verify``."""
    monkeypatch.setenv("CASEKIT_LANG", "en")
    db = ["--db", db_url, "--actor", "eva"]
    init = run_casekit("workspace", "init", *db)
    assert init.returncode == 0, init.stderr
    assert "Workspace ready" in init.stdout

    imported = run_casekit("workspace", "import", SAMPLE, *db)
    assert imported.returncode == 0, imported.stderr
    assert "0 changed, 0 unchanged, 0 quarantined" in imported.stdout
    if backend == "sqlite":
        again = run_casekit("workspace", "import", SAMPLE, *db, "--lang", "es")
        assert "0 filas añadidas, 0 modificadas" in again.stdout

    ws = ck.Workspace.open(db_url)
    case = ws.data()["cases"].filter(ws.data()["cases"]["closed_on"].is_null())["case_id"][0]
    ws.close()
    ok = run_casekit(
        "workspace", "record", "contacts", "--json", json.dumps({"case_id": case, "contact_on": "2026-09-30"}), *db
    )
    assert ok.returncode == 0, ok.stderr
    stored = json.loads(ok.stdout)
    assert stored["case_id"] == case
    assert stored["contact_id"].startswith("K-")
    bad = run_casekit(
        "workspace",
        "record",
        "contacts",
        "--json",
        '{"case_id": "NOPE", "contact_on": "2026-09-30"}',
        *db,
        "--lang",
        "es",
    )
    assert bad.returncode == 1
    assert "No se guardó" in bad.stderr
    assert "unknown_case" in bad.stderr

    if backend == "sqlite":
        _a_review_leaving_a_red_flag_open_is_refused(db_url, db)
        log = run_casekit("workspace", "audit", "--case", case, *db)
        assert log.returncode == 0
        assert " eva record contacts" in log.stdout
    verify = run_casekit("workspace", "audit", "--verify", *db)
    assert verify.returncode == 0, verify.stderr
    if backend == "postgresql":
        return

    out = tmp_path / "export.xlsx"
    exported = run_casekit("workspace", "export", "--out", out, *db)
    assert exported.returncode == 0
    assert out.exists()
    assert ck.read_workbook(out)["contacts"].filter(ck.read_workbook(out)["contacts"]["case_id"] == case).height >= 1

    backup = tmp_path / "team.backup"
    assert run_casekit("workspace", "backup", "--out", backup, *db).returncode == 0

    ws = ck.Workspace.open(db_url)
    with ws.engine.begin() as conn:  # someone edits the log behind casekit's back
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    ws.close()
    tampered = run_casekit("workspace", "audit", "--verify", *db)
    assert tampered.returncode == 1
    assert "BROKEN at entry 2" in tampered.stderr

    restored = run_casekit("workspace", "restore", backup, *db)
    assert restored.returncode == 0, restored.stderr
    assert run_casekit("workspace", "audit", "--verify", *db).returncode == 0


def _a_review_leaving_a_red_flag_open_is_refused(db_url: str, db: list[str]) -> None:
    """The safety action of an open red flag holds for the CLI too (the store's one rule)."""
    from casekit.stages import open_red_flags

    ws = ck.Workspace.open(db_url)
    cases = ws.data()["cases"]
    flagged = open_red_flags(ws.data(), as_of=ck.SAMPLE_AS_OF)
    red = flagged.filter(flagged["case_id"].is_in(cases.filter(cases["closed_on"].is_null())["case_id"].implode()))
    ws.close()
    review = json.dumps({"case_id": red["case_id"][0], "reviewed_on": ck.SAMPLE_AS_OF.isoformat()})
    refused = run_casekit("workspace", "record", "risk_reviews", "--json", review, *db, "--lang", "es")
    assert refused.returncode == 1
    assert "safety_action_required" in refused.stderr
    assert "registre la acción de seguridad" in refused.stderr


def test_default_database_is_casekit_db_in_the_working_folder(tmp_path: Path, home: Path) -> None:
    env_db = os.environ.pop("CASEKIT_DB", None)
    try:
        done = run_casekit("workspace", "init", cwd=tmp_path)
    finally:
        if env_db is not None:
            os.environ["CASEKIT_DB"] = env_db
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "casekit.db").exists()
