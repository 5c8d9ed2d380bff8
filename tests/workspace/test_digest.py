"""The daily digest, sent to a real SMTP server the test starts on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import casekit as ck
from tests.builders import caseload
from tests.cli_runner import run_casekit

AS_OF = dt.date(2026, 3, 1)


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        msg = email.message_from_bytes(envelope.content)
        msg["X-Rcpt"] = ",".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def team() -> ck.CaseData:
    """Eva: a case with a safety red flag (PHQ-9 item 9) and one with nothing urgent; Luis: a
    case with an unanswered discharge (a transition item)."""
    return caseload(
        cases=[
            {"case_id": "A", "client_name": "Ana Alba", "case_manager": "Eva Núñez", "opened_on": "2026-01-01"},
            {"case_id": "B", "client_name": "Bea Bravo", "case_manager": "Eva Núñez", "opened_on": "2026-02-25"},
            {"case_id": "C", "client_name": "Carla Cruz", "case_manager": "Luis Mora", "opened_on": "2026-01-01"},
        ],
        screenings=[{"case_id": c, "screened_on": "2026-01-02", "decision": "refer_to_assessment"} for c in ("A", "C")],
        assessments=[{"case_id": "A", "assessed_on": "2026-01-10", "phq9": 14, "phq9_item9": 1}],
        transitions=[
            {
                "transition_id": "T1",
                "case_id": "C",
                "transition_on": "2026-02-01",
                "from_level": "inpatient",
                "to_level": "discharged",
                "kind": "discharge",
            }
        ],
    )


def test_digest_goes_to_each_case_manager_or_their_cover_without_client_names(
    tmp_path: Path, home: Path, smtp: tuple[int, _Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, inbox = smtp
    db = tmp_path / "team.db"
    ws = ck.Workspace.open(db)
    ws.import_workbook(team(), actor="setup")
    ws.add_user("eva@team.org", "case_manager", name="eva nunez", language="en")
    ws.add_user("luis@team.org", "case_manager", name="Luis Mora", language="es", away=True, cover="sup@team.org")
    ws.close()
    config = home / "casekit.toml"  # the workspace configuration: the default of --config
    config.write_text(f'local_mode = false\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "casekit@team.org"\n')
    monkeypatch.setenv("CASEKIT_LANG", "en")
    done = run_casekit("digest", "--db", db, "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stderr
    assert "2 messages sent" in done.stdout
    by_rcpt = {m["X-Rcpt"]: m for m in inbox.messages}
    assert set(by_rcpt) == {"eva@team.org", "sup@team.org"}  # Luis is away: his cover gets it
    eva = by_rcpt["eva@team.org"].get_payload()
    assert "A" in eva.split()
    assert "B" not in eva.split()
    assert "P1" in eva
    assert "1 safety" in by_rcpt["eva@team.org"]["Subject"]
    luis = by_rcpt["sup@team.org"].get_payload()
    assert "luis@team.org" in luis
    assert "P2" in luis
    assert "C" in luis.split()
    for msg in inbox.messages:
        for name in ("Ana", "Bea", "Carla", "Alba", "Cruz"):
            assert name not in msg.get_payload()
    ws = ck.Workspace.open(db)
    entry = ws.audit().filter(ws.audit()["action"] == "digest").row(0, named=True)
    assert "sup@team.org" in entry["after"]
    assert ws.verify_audit().intact
    ws.close()
