"""The nine tables as last read, kept beside a SQLite workspace for the next process's first read.

Reading a SQLite workspace's tables takes a child process (:mod:`casekit.workspace._arrow_reader`)
~3 s of CPU at 100,000 cases; the app pays it on the first load of every new server process.
After a read, :func:`save` keeps the frames read, already typed to the contract (Arrow IPC, as
polars writes them: mapped back without copying; typing them once per read, not per process,
also makes the files smaller to check) in ``<workspace>.snapshot/`` with the **version** they were read at, and the
next :meth:`~casekit.workspace.Workspace.data` uses them when the workspace's version is still
that one. The version (:func:`version_query`) is read in the same read transaction as the
tables, so it names exactly what was read:

- the workspace's id and schema revision, and the nine queries themselves (a contract that
  gained a column reads other columns);
- the last audit entry that changed data, its sequence number and its hash: every write
  appends one (reads that are audited, such as sign-ins, change nothing and do not count),
  and the hash chains every entry before it, so a restored backup followed by new writes
  never looks like an older state;
- each table's largest ``_pk`` (free: the primary key's last row), so rows inserted outside
  casekit are seen too. Updates outside casekit (SQL by hand) are not: delete the folder.

A write is never missed: the version moves with it, and a snapshot of another version is
not used. A snapshot is written in a private scratch folder and renamed into place (atomic);
its manifest holds the version and each file's size, rows and CRC-32, checked before use:
a partial, corrupt or foreign file means a real read, never an error. The folder is
owner-only and lives beside the workspace (the client data it holds never leaves the
workspace's own folder); only the newest snapshot is kept.

Examples
--------
>>> folder(Path("/srv/team/casekit.db"))
PosixPath('/srv/team/casekit.db.snapshot')
>>> version({"seq": 7, "hash": "ab"}, {"cases": "SELECT 1"}) == version({"hash": "ab", "seq": 7}, {"cases": "SELECT 1"})
True
>>> version({"seq": 7}, {"cases": "SELECT 1"}) == version({"seq": 8}, {"cases": "SELECT 1"})
False
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from casekit.contract import SHEET_ORDER
from casekit.workspace._reads import LAST_CHANGE, WORKSPACE_ID

__all__ = ["folder", "load", "save", "scratch", "version", "version_query"]

#: The layout of a snapshot folder (a new layout is a new version: old snapshots go unused).
FORMAT = 2  # 2: the sheets typed to the contract (dates, flags, extra columns), not as read
MANIFEST = "manifest.json"
#: A scratch folder younger than this may be a reader's output in progress (the reader's timeout).
SCRATCH_AGE_S = 900
#: Threads checking a snapshot's files at most (the CRC-32 runs outside Python's lock).
CHECKERS = 4


def folder(db: Path) -> Path:
    """The snapshot folder of the SQLite workspace ``db``."""
    return db.with_name(db.name + ".snapshot")


def version_query() -> str:
    """One ``SELECT`` of the data version (one row: ``workspace_id, revision, seq, hash`` and each
    table's largest ``_pk``), as SQL text the reader's child can run in its own transaction
    (SQLite's; no SQLAlchemy: :mod:`casekit.workspace._reads`)."""
    parts = [
        f"({WORKSPACE_ID}) AS workspace_id",
        "(SELECT max(version_num) FROM alembic_version) AS revision",
        f"(SELECT seq FROM ({LAST_CHANGE})) AS seq",
        f"(SELECT hash FROM ({LAST_CHANGE})) AS hash",
        *(f'(SELECT max(_pk) FROM "{s}") AS max_{s}' for s in SHEET_ORDER),
    ]
    return "SELECT " + ", ".join(parts)


def version(row: Mapping[str, Any], queries: Mapping[str, str]) -> str:
    """The version text of a :func:`version_query` row and the queries read with it."""
    content = {"format": FORMAT, "row": dict(row), "queries": dict(queries)}
    return json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))


def _name(version_text: str) -> str:
    return "v-" + hashlib.sha256(version_text.encode()).hexdigest()[:32]


def _crc(path: Path) -> int:
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        return zlib.crc32(source.read_buffer())


def load(db: Path, version_text: str, names: list[str]) -> dict[str, pl.DataFrame] | None:
    """The frames saved at ``version_text``, mapped from their files; ``None`` when there is
    no such snapshot or any part of it is missing, partial or corrupt (then read for real)."""
    return _read(folder(db) / _name(version_text), version_text, names)


def _read(here: Path, version_text: str, names: list[str]) -> dict[str, pl.DataFrame] | None:
    import pyarrow as pa

    try:
        manifest = json.loads((here / MANIFEST).read_text())
        if manifest.get("version") != version_text or sorted(manifest["tables"]) != sorted(names):
            return None
        entries, paths = manifest["tables"], [here / f"{name}.arrow" for name in names]
        if any(path.stat().st_size != entries[name]["size"] for name, path in zip(names, paths, strict=True)):
            return None
        # each file's CRC-32 is checked before the file is read; zlib lets go of Python's lock,
        # so the checks run on threads beside each other (issue 18: ~0.08 s at 100k on one)
        with ThreadPoolExecutor(max_workers=min(CHECKERS, os.cpu_count() or 1)) as pool:
            frames = {}
            for name, path, crc in zip(names, paths, pool.map(_crc, paths), strict=True):
                entry = entries[name]
                if crc != entry["crc32"]:
                    return None
                with pa.memory_map(str(path)) as source:
                    table = pa.ipc.open_file(source).read_all()
                table.validate()
                frame = pl.from_arrow(table)
                if not isinstance(frame, pl.DataFrame) or frame.height != entry["rows"]:
                    return None
                frames[name] = frame
        return frames
    except Exception:  # missing, removed while read, partial, corrupt: the real read
        return None


@contextlib.contextmanager
def scratch(db: Path) -> Iterator[Path]:
    """A private folder inside the snapshot folder (the reader's output: the data stays beside
    the workspace; the system's temporary folder only when the workspace's is read-only),
    removed on leaving unless :func:`save` renamed it into place."""
    base = folder(db)
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        base.chmod(0o700)
        path = base / f"tmp-{secrets.token_hex(8)}"
        path.mkdir(mode=0o700)
    except OSError:
        path = Path(tempfile.mkdtemp(prefix="casekit-read-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def save(db: Path, version_text: str, frames: Mapping[str, pl.DataFrame]) -> bool:
    """Keep ``frames`` (read at ``version_text``) as the workspace's snapshot; best effort:
    ``False`` when it could not be written (a full disk, a read-only folder…)."""
    base = folder(db)
    try:
        with scratch(db) as tmp:
            if tmp.parent != base:  # no folder of its own beside the workspace: nothing kept
                return False
            tables = {}
            for name, frame in frames.items():
                path = tmp / f"{name}.arrow"
                frame.write_ipc(path, compression="uncompressed")
                tables[name] = {"rows": frame.height, "size": path.stat().st_size, "crc32": _crc(path)}
            (tmp / MANIFEST).write_text(json.dumps({"version": version_text, "tables": tables}))
            final = base / _name(version_text)
            try:
                tmp.rename(final)  # atomic: a reader sees the whole snapshot or none
            except OSError:  # the same version saved meanwhile by another process (or a broken one)
                if _read(final, version_text, list(frames)) is None:
                    shutil.rmtree(final, ignore_errors=True)
                    tmp.rename(final)
        _prune(base, keep=final.name)
        return True
    except Exception:
        return False


def _prune(base: Path, *, keep: str) -> None:
    """Remove the other snapshots, and scratch folders old enough to be abandoned."""
    now = time.time()
    for entry in base.iterdir():
        if entry.name == keep:
            continue
        if entry.name.startswith("tmp-"):
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime < SCRATCH_AGE_S:
                    continue
        shutil.rmtree(entry, ignore_errors=True)
