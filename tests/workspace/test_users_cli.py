"""``casekit users add|list|remove`` as an administrator runs it (a subprocess).

On SQLite only: the command line is the same code on both backends, and the user
methods it calls run on both in tests/workspace/test_access.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import casekit as ck
from tests.builders import caseload
from tests.cli_runner import run_casekit


def test_users_commands(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEKIT_LANG", "en")
    db_url = f"sqlite:///{tmp_path / 'team.db'}"
    ws = ck.Workspace.open(db_url)
    ws.import_workbook(caseload(cases=[{"case_id": "A", "case_manager": "Eva Núñez"}]), actor="setup")
    ws.close()
    db = ["--db", db_url, "--actor", "root"]
    added = run_casekit("users", "add", "Eva@Team.org", "--role", "case_manager", "--name", "eva nunez", *db)
    assert added.returncode == 0, added.stderr
    assert "eva@team.org" in added.stdout
    assert "Warning" not in added.stderr
    typo = run_casekit("users", "add", "luis@team.org", "--role", "case_manager", "--name", "Luis Mora", *db)
    assert typo.returncode == 0
    assert "no case is held by the case manager «Luis Mora»" in typo.stderr
    sup = run_casekit("users", "add", "sup@team.org", "--role", "supervisor", "--program", "n", "--program", "s", *db)
    assert sup.returncode == 0, sup.stderr
    bad = run_casekit("users", "add", "x@team.org", "--role", "boss", *db)
    assert bad.returncode == 2
    assert "invalid choice" in bad.stderr
    no_email = run_casekit("users", "add", "x-at-team.org", "--role", "admin", *db)
    assert no_email.returncode == 2  # an argument that cannot be used, like the unknown role
    assert "is not an e-mail address" in no_email.stderr
    listed = run_casekit("users", "list", *db, "--lang", "es")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["eva@team.org", "case_manager", "eva nunez"]
    assert lines[2].split("\t")[:4] == ["sup@team.org", "supervisor", "", "n,s"]
    gone = run_casekit("users", "remove", "luis@team.org", *db)
    assert gone.returncode == 0
    assert "removed" in gone.stdout
    again = run_casekit("users", "remove", "luis@team.org", *db)
    assert again.returncode == 1
    assert "There is no user" in again.stderr
    ws = ck.Workspace.open(db_url)
    assert ws.users().get_column("email").to_list() == ["eva@team.org", "sup@team.org"]
    assert ws.audit().filter(ws.audit()["sheet"] == "users")["actor"].unique().to_list() == ["root"]
    assert ws.verify_audit().intact
    ws.close()


@pytest.mark.parametrize("command", [("users", "list"), ("workspace", "audit", "--verify")])
def test_a_workspace_that_cannot_be_opened_is_exit_2_with_one_message(tmp_path: Path, command: tuple[str, ...]) -> None:
    """One rule for every workspace command (``casekit.cli._common.exit_code``): no traceback."""
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("these are notes, not a database")
    done = run_casekit(*command, "--db", not_a_db, "--lang", "en")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"The workspace sqlite:///{not_a_db} cannot be opened: file is not a database."
    ]
