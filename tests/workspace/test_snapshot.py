"""The snapshot of the last read (``casekit/workspace/_snapshot.py``): never stale, never fatal.

Every write is followed by a reload through a *new* ``Workspace`` (a new server process's
first read): it must show the write, on SQLite (where the snapshot is used) and on
PostgreSQL (where it is not). On SQLite the tests also check that an unchanged workspace
is read from the snapshot, so they would catch a snapshot that is never used as well as
one used when it should not be.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

import casekit as ck
from casekit.workspace import _snapshot
from casekit.workspace._where import sqlite_path
from tests.builders import caseload

ROOT = Path(__file__).resolve().parents[2]


def small() -> ck.CaseData:
    return caseload(
        cases=[
            {"case_id": "A", "client_name": "Ana", "opened_on": "2026-01-05", "case_manager": "Eva"},
            {"case_id": "B", "client_name": "Bea", "opened_on": "2026-02-01", "case_manager": "Eva"},
        ],
        contacts=[{"contact_id": "K1", "case_id": "A", "contact_on": "2026-01-10", "kind": "phone_call"}],
    )


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each read found a snapshot to use (appended by every ``_snapshot.load``)."""
    calls: list[bool] = []
    original = _snapshot.load

    def load(*args: object, **kwargs: object) -> dict[str, pl.DataFrame] | None:
        frames = original(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(frames is not None)
        return frames

    monkeypatch.setattr(_snapshot, "load", load)
    monkeypatch.delenv("CASEKIT_READER", raising=False)
    return calls


def fresh(url: str) -> ck.CaseData:
    """The data as a new process's first read sees it."""
    ws = ck.Workspace.open(url)
    try:
        return ws.data()
    finally:
        ws.close()


def reference(url: str, monkeypatch: pytest.MonkeyPatch) -> ck.CaseData:
    """The data read without ADBC and without the snapshot (the plain SQLAlchemy path)."""
    with monkeypatch.context() as m:
        m.setenv("CASEKIT_READER", "sqlalchemy")
        return fresh(url)


def same(a: ck.CaseData, b: ck.CaseData) -> None:
    assert sorted(a.sheets) == sorted(b.sheets)
    for sheet in a.sheets:
        assert_frame_equal(a[sheet], b[sheet], check_exact=True)


@pytest.fixture
def ws(db_url: str) -> Iterator[ck.Workspace]:
    workspace = ck.Workspace.open(db_url)
    workspace.import_workbook(small(), actor="eva")
    yield workspace
    workspace.close()


def test_every_write_is_seen_by_the_next_process(
    ws: ck.Workspace, db_url: str, used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite = ws.backend == "sqlite"
    fresh(db_url)  # reads and (SQLite) keeps a snapshot
    used.clear()
    same(fresh(db_url), reference(db_url, monkeypatch))
    assert used == ([True] if sqlite else [])  # an unchanged workspace: the snapshot

    def after(write: str) -> ck.CaseData:
        used.clear()
        data = fresh(db_url)
        assert used == ([False] if sqlite else []), write  # a write: read again, never the snapshot
        same(data, reference(db_url, monkeypatch))
        used.clear()
        same(fresh(db_url), data)  # and the new state kept in turn
        assert used == ([True] if sqlite else []), write
        return data

    ws.record("contacts", {"contact_id": "K2", "case_id": "B", "contact_on": "2026-02-03"}, actor="eva")
    assert "K2" in after("record")["contacts"]["contact_id"].to_list()
    ws.update("contacts", "K1", {"notes": "called back"}, expected_version=1, actor="eva")
    assert after("update")["contacts"].filter(pl.col("contact_id") == "K1")["notes"].item() == "called back"
    ws.delete("contacts", "K2", "typo", expected_version=1, actor="eva")
    assert "K2" not in after("delete")["contacts"]["contact_id"].to_list()
    ws.restore_row("contacts", "K2", actor="admin")
    assert "K2" in after("restore a row")["contacts"]["contact_id"].to_list()
    ws.close_case("B", "2026-03-01", "goals_met", actor="eva")
    assert after("close")["cases"].filter(pl.col("case_id") == "B")["close_reason"].item() == "goals_met"
    changed = small()
    changed.sheets["cases"] = changed["cases"].with_columns(
        pl.when(pl.col("case_id") == "A").then(pl.lit("Ana María")).otherwise("client_name").alias("client_name")
    )
    ws.import_workbook(changed, actor="eva")
    assert "Ana María" in after("import update")["cases"]["client_name"].to_list()


def test_a_restored_backup_is_seen(ws: ck.Workspace, db_url: str, used: list[bool], tmp_path: Path) -> None:
    backup = ws.backup(tmp_path / "team.backup")
    ws.record("contacts", {"contact_id": "K2", "case_id": "B", "contact_on": "2026-02-03"}, actor="eva")
    assert "K2" in fresh(db_url)["contacts"]["contact_id"].to_list()
    ws.restore(backup, actor="admin")
    assert "K2" not in fresh(db_url)["contacts"]["contact_id"].to_list()


def test_a_write_by_another_open_workspace_is_seen(ws: ck.Workspace, db_url: str, used: list[bool]) -> None:
    before = ws.data()
    other = ck.Workspace.open(db_url)
    try:
        other.record("contacts", {"contact_id": "K9", "case_id": "A", "contact_on": "2026-02-09"}, actor="bea")
    finally:
        other.close()
    after = ws.data()  # the same Workspace object, read again
    assert after["contacts"].height == before["contacts"].height + 1
    assert "K9" in after["contacts"]["contact_id"].to_list()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_rows_inserted_outside_casekit_are_seen(ws: ck.Workspace, db_url: str, used: list[bool]) -> None:
    """Not audited (SQL by hand): each table's largest primary key is part of the version."""
    fresh(db_url)
    with ws.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO contacts (_row_id, _key, contact_id, case_id, contact_on, _created_at, _created_by) "
            "VALUES ('K7', 'K7', 'K7', 'A', '2026-01-20', '2026-01-20', 'sql')"
        )
    used.clear()
    assert "K7" in fresh(db_url)["contacts"]["contact_id"].to_list()
    assert used == [False]


def _snapshot_files(db: Path) -> list[Path]:
    (kept,) = [p for p in _snapshot.folder(db).iterdir() if p.name.startswith("v-")]
    return sorted(kept.iterdir())


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _garbage(path: Path) -> None:
    path.write_bytes(b"not an arrow file")


def _as_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("target", "damage"),
    [
        ("contacts.arrow", _truncate),
        ("contacts.arrow", _flip),
        ("cases.arrow", _garbage),
        ("cases.arrow", Path.unlink),
        ("cases.arrow", _as_folder),
        ("manifest.json", _garbage),
        ("manifest.json", _truncate),
        ("manifest.json", Path.unlink),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_damaged_snapshot_is_read_for_real_and_replaced(
    ws: ck.Workspace, db_url: str, used: list[bool], monkeypatch: pytest.MonkeyPatch, *, target: str, damage
) -> None:
    db = sqlite_path(db_url)
    assert db is not None
    truth = reference(db_url, monkeypatch)
    fresh(db_url)
    (path,) = [p for p in _snapshot_files(db) if p.name == target]
    damage(path)
    used.clear()
    same(fresh(db_url), truth)
    assert used == [False]
    used.clear()
    same(fresh(db_url), truth)  # a sound snapshot again
    assert used == [True]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_snapshot_of_another_version_is_not_used(ws: ck.Workspace, db_url: str, used: list[bool]) -> None:
    """A manifest whose version is not the one asked for (the folder name is only a hash of it)."""
    db = sqlite_path(db_url)
    assert db is not None
    fresh(db_url)
    (manifest,) = [p for p in _snapshot_files(db) if p.name == "manifest.json"]
    content = json.loads(manifest.read_text())
    assert '"seq":' in content["version"]
    content["version"] = content["version"].replace('"seq":', '"seq":1')
    manifest.write_text(json.dumps(content))
    used.clear()
    assert fresh(db_url)["contacts"].height == 1
    assert used == [False]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_snapshot_stays_in_the_workspace_folder_owner_only(
    ws: ck.Workspace, db_url: str, used: list[bool], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sqlite_path(db_url)
    assert db is not None
    scratch = tmp_path / "system-tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))
    ws.record("contacts", {"contact_id": "K2", "case_id": "B", "contact_on": "2026-02-03"}, actor="eva")
    for _ in range(3):  # a read, the snapshot, a read after a write: one snapshot kept
        fresh(db_url)
        ws.record("contacts", {"case_id": "B", "contact_on": "2026-02-04"}, actor="eva")
    fresh(db_url)
    assert list(scratch.iterdir()) == []  # no client data through the system's temporary folder
    folder = _snapshot.folder(db)
    assert folder.parent == db.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name.startswith("v-") for p in folder.iterdir()] == [True]  # only the newest, no scratch left
    assert used == [False, False, False, False]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_without_a_folder_of_its_own_the_read_still_works(
    ws: ck.Workspace, db_url: str, used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sqlite_path(db_url)
    assert db is not None
    _snapshot.folder(db).write_text("in the way")  # the snapshot folder cannot be made
    same(fresh(db_url), reference(db_url, monkeypatch))
    same(fresh(db_url), reference(db_url, monkeypatch))
    assert used == [False, False]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_other_queries_read_for_real(
    ws: ck.Workspace, db_url: str, used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queries are part of the version: a casekit whose contract gained a column (its
    queries read that column too) never takes the frames another casekit kept."""
    from casekit.workspace import _store

    fresh(db_url)
    original = _store._typed_first_row
    monkeypatch.setattr(_store, "_typed_first_row", lambda sheet: original(sheet) + " ")
    used.clear()
    same(fresh(db_url), reference(db_url, monkeypatch))
    assert used == [False]


def _reader(url: str, stop: Path) -> subprocess.Popen[str]:
    code = (
        "import sys, pathlib, casekit as ck\n"
        "ws = ck.Workspace.open(sys.argv[1]); n = 0\n"
        "while not pathlib.Path(sys.argv[2]).exists():\n"
        "    ws.data(); n += 1\n"
        "print(n)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-c", code, url, str(stop)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_readers_keeping_snapshots_while_others_write_lose_nothing(
    ws: ck.Workspace, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes read (and keep snapshots, racing each other) while two others write."""
    from tests.workspace.test_concurrency import _worker

    stop = tmp_path / "stop"
    go = tmp_path / "go"
    readers = [_reader(db_url, stop) for _ in range(2)]
    outs = [tmp_path / f"out{p}.json" for p in range(2)]
    writers = [_worker("stress", db_url, str(p), "12", str(outs[p]), str(go)) for p in range(2)]
    go.touch()
    for w in writers:
        _, err = w.communicate(timeout=600)
        assert w.returncode == 0, err[-2000:]
    time.sleep(0.5)
    stop.touch()
    assert all(int(r.communicate(timeout=600)[0]) > 0 for r in readers)
    truth = reference(db_url, monkeypatch)
    assert truth["contacts"].height == 1 + 2 * 12
    same(fresh(db_url), truth)
    same(fresh(db_url), truth)
    with ws.engine.connect() as conn:
        notes = conn.execute(sa.text("SELECT notes FROM contacts WHERE contact_id = 'K1'")).scalar()
    assert truth["contacts"].filter(pl.col("contact_id") == "K1")["notes"].item() == notes
