"""The first load's reads without SQLAlchemy (``casekit/workspace/_reads.py``, issue 18 round 9).

A SQLite workspace with nothing to migrate is opened, asked for its last change, its
snapshot's version, its held-back rows and its reassignments through the standard library's
``sqlite3``; every other read and every write make the engine. These tests check that the
SQL text reads what SQLAlchemy's queries read (on both backends), that the first load from a
snapshot loads no SQLAlchemy and that a write after it still goes through the engine, and
that an open which would change something still takes the full path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import casekit as ck
from casekit.errors import CasekitError
from casekit.workspace import _reads, _snapshot
from casekit.workspace._roles import READ_ACTIONS
from casekit.workspace._schema import AUDIT, META, QUARANTINE, TABLES
from tests.builders import caseload

ROOT = Path(__file__).resolve().parents[2]


def small() -> ck.CaseData:
    """Two cases, a contact of one and a contact of an unknown case (held back)."""
    opened = {"A": ("Ana", "2026-01-05"), "B": ("Bea", "2026-02-01")}
    cases = [{"case_id": c, "client_name": n, "opened_on": o, "case_manager": "Eva"} for c, (n, o) in opened.items()]
    call = {"case_id": "A", "contact_on": "2026-01-10", "kind": "phone_call"}
    return caseload(cases=cases, contacts=[call | {"contact_id": "K1"}, call | {"contact_id": "K2", "case_id": "Z"}])


def _version_by_sqlalchemy(conn: sa.Connection) -> dict[str, object]:
    """The snapshot's version row as round 6 built it with SQLAlchemy (the reference)."""
    changed = AUDIT.c.action.notin_(sorted(READ_ACTIONS))
    last = sa.select(AUDIT.c.seq, AUDIT.c.hash).where(changed).order_by(AUDIT.c.seq.desc()).limit(1).subquery()
    query = sa.select(
        sa.select(META.c.value).where(META.c.key == "workspace_id").scalar_subquery().label("workspace_id"),
        sa.literal_column("(SELECT max(version_num) FROM alembic_version)").label("revision"),
        sa.select(last.c.seq).scalar_subquery().label("seq"),
        sa.select(last.c.hash).scalar_subquery().label("hash"),
        *(sa.select(sa.func.max(t.c._pk)).scalar_subquery().label(f"max_{s}") for s, t in TABLES.items()),
    )
    return dict(conn.execute(query).one()._mapping)


def _same_reads(ws: ck.Workspace) -> None:
    """The text reads (through ``sqlite3`` on SQLite) give what SQLAlchemy's queries give."""
    with ws.engine.connect() as conn:
        held = [dict(r) for r in conn.execute(sa.select(QUARANTINE).order_by(QUARANTINE.c._pk)).mappings()]
        held = [r for r in held if r["_resolved_at"] is None]
        seq = conn.execute(
            sa.select(AUDIT.c.seq).where(AUDIT.c.action.notin_(READ_ACTIONS)).order_by(AUDIT.c.seq.desc()).limit(1)
        ).scalar()
        if ws.backend == "sqlite":  # the snapshot's version (SQLite only: PostgreSQL keeps none)
            assert ws._rows(_snapshot.version_query()) == [_version_by_sqlalchemy(conn)]
    assert ws._rows(_reads.HELD) == held
    assert ws.last_change() == (seq or 0)


def test_the_text_reads_read_what_sqlalchemy_reads(db_url: str) -> None:
    ws = ck.Workspace.open(db_url)
    try:
        _same_reads(ws)  # empty
        ws.import_workbook(small(), actor="eva")
        assert len(ws._rows(_reads.HELD)) == 1
        _same_reads(ws)
        ws.record("contacts", {"contact_id": "K3", "case_id": "B", "contact_on": "2026-02-03"}, actor="eva")
        _same_reads(ws)
        before = ws.last_change()
        ws.audit("A")  # reads
        ws.open_case("A")  # audited as a view: changes nothing
        assert ws.last_change() == before
        _same_reads(ws)
        assert ws._rows(_reads.ASSIGNED) == [{"n": 0}]
    finally:
        ws.close()


def _probe(url: str, code: str) -> str:
    cmd = [sys.executable, "-c", code.format(url=url)]
    out = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


FIRST_LOAD = """
import sys, casekit as ck
ws = ck.Workspace.open({url!r})
seq, result = ws.last_change(), ws.result(lang="en")
shown = (ws.url_label, ws.backend, repr(ws), ws.synced_file)
loaded = "sqlalchemy" in sys.modules
ws.record("contacts", {{"contact_id": "K9", "case_id": "A", "contact_on": "2026-01-12"}}, actor="eva")
print(loaded, seq, result.data["contacts"].height, result.quarantined["contacts"].height,
      "sqlalchemy" in sys.modules, ws.last_change() > seq, ws.verify_audit().intact)
"""


def test_a_first_load_from_the_snapshot_loads_no_sqlalchemy_and_a_write_still_audits(
    tmp_path: Path, home: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    ws = ck.Workspace.open(url)
    ws.import_workbook(small(), actor="eva")
    seq = ws.last_change()
    ws.data()  # keeps the snapshot
    ws.close()
    # the check can fail: without a snapshot the read is a real one (no SQLAlchemy either: the
    # reader's child), so the first load itself is what is checked, then a write in that process
    assert _probe(url, FIRST_LOAD) == f"False {seq} 1 1 True True True"
    ws = ck.Workspace.open(url)
    try:
        assert "K9" in ws.data()["contacts"]["contact_id"].to_list()  # the write is seen
        assert ws.verify_audit().intact
    finally:
        ws.close()


def test_an_open_that_changes_something_takes_the_full_path(tmp_path: Path, home: Path) -> None:
    """A new file is created, an old revision migrated (each through SQLAlchemy); a file that
    is not a database says why; only a current workspace is opened without the engine."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    ws = ck.Workspace.open(url)  # created
    assert ws._engine is not None
    ws.close()
    ws = ck.Workspace.open(url)  # current: no engine until asked
    assert ws._engine is None
    assert ws.last_change() == 0
    assert ws.backend == "sqlite"
    assert ws._engine is None
    assert ws.engine is ws.engine  # made once, on first use
    assert ws._engine is not None
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    ws.close()
    with pytest.MonkeyPatch.context() as m:
        calls: list[object] = []
        from casekit.workspace import _migrate

        original = _migrate.migrate
        m.setattr(_migrate, "migrate", lambda *a, **k: calls.append(a) or original(*a, **k))
        ws = ck.Workspace.open(url)
        assert calls  # an old revision: migrated (through the engine)
        assert ws._engine is not None
        ws.close()
    with pytest.MonkeyPatch.context() as m:  # a file this process may not write: the full open (which says why)
        m.setattr(os, "access", lambda path, mode: Path(path) != tmp_path / "new.db")
        ws = ck.Workspace.open(url)
        assert ws._engine is not None
        ws.close()
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    with pytest.raises(CasekitError):
        ck.Workspace.open(tmp_path / "junk.db")


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///team.db",
        "sqlite:////srv/team/casekit.db",
        "sqlite:////tmp/a b.db",
        "sqlite:////tmp/caf%C3%A9.db",
        "sqlite:////tmp/a@b.db",
        "sqlite:///team.db?timeout=5",
        "sqlite+pysqlite:///team.db",
        "sqlite://",
    ],
)
def test_a_plain_sqlite_url_is_shown_as_sqlalchemy_shows_it(url: str) -> None:
    shown = sa.make_url(url).render_as_string(hide_password=True)
    if _reads.plain_sqlite(url):  # the label without SQLAlchemy is the URL itself
        assert shown == url
        assert str(_reads.SqliteReads.of(url).db) == sa.make_url(url).database  # type: ignore[union-attr]
    else:
        assert _reads.SqliteReads.of(url) is None
    assert _reads.plain_sqlite("sqlite:////srv/team/casekit.db")  # the check can fail


def test_the_reads_beside_the_engine_in_one_process_see_every_commit(tmp_path: Path, home: Path) -> None:
    """``sqlite3`` and SQLAlchemy's driver are one SQLite library (its file locks hold: unlike
    ADBC's copy, casekit/workspace/_arrow_reader.py); the reads' connection stays open beside
    the engine's and another process's writes, and each read sees the last commit."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'team.db'}"
    ck.Workspace.open(url).close()
    reader = ck.Workspace.open(url)  # without the engine
    writer = ck.Workspace.open(url)
    try:
        assert writer.engine.dialect.dbapi is sqlite3.dbapi2  # the same module, the same library
        assert reader.last_change() == 0
        writer.import_workbook(small(), actor="eva")
        assert reader.last_change() == writer.last_change() > 0
        seen = reader.last_change()
        code = (
            "import casekit as ck\n"
            f"ws = ck.Workspace.open({url!r})\n"
            "ws.record('contacts', {'contact_id': 'K5', 'case_id': 'B', 'contact_on': '2026-02-05'}, actor='eva')\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        assert reader.last_change() > seen
        assert "K5" in reader.data()["contacts"]["contact_id"].to_list()
        writer.record("contacts", {"contact_id": "K6", "case_id": "B", "contact_on": "2026-02-06"}, actor="eva")
        assert "K6" in reader.data()["contacts"]["contact_id"].to_list()
        assert reader._engine is None  # all of it without SQLAlchemy's engine
    finally:
        reader.close()
        writer.close()
