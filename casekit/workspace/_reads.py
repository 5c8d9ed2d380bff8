"""The reads a new process's first load makes, as SQL text, and for SQLite run without SQLAlchemy.

Opening a workspace whose schema is current, asking for its last change, the snapshot's
version (:mod:`casekit.workspace._snapshot`), the held-back rows and whether cases were
reassigned are a few small ``SELECT``\\ s. On a SQLite workspace :class:`SqliteReads` runs
them with the standard library's ``sqlite3`` — the module SQLAlchemy's SQLite driver is
built on, so the process has one SQLite library and SQLite's file locks hold (unlike ADBC's
bundled copy, see :mod:`casekit.workspace._arrow_reader`) — and the app's first load from a
workspace whose snapshot is current needs no SQLAlchemy (issue 18). Each call is one read
transaction (``BEGIN`` … ``ROLLBACK``, as SQLAlchemy's connection with the engine's ``BEGIN``),
so it reads the last commit, never an older state; nothing is ever written through it.

Examples
--------
>>> "'sign_in'" in CHANGED and "'record'" not in CHANGED
True
>>> plain_sqlite("sqlite:////srv/team/casekit.db"), plain_sqlite("sqlite:///caf%C3%A9.db")
(True, False)
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from casekit.workspace._roles import READ_ACTIONS
from casekit.workspace._where import BUSY_TIMEOUT_MS, sqlite_path

__all__ = [
    "ASSIGNED",
    "CHANGED",
    "COLUMNS",
    "HELD",
    "LAST_CHANGE",
    "REVISION",
    "WORKSPACE_ID",
    "SqliteReads",
    "plain_sqlite",
]

#: Audit entries that changed data (reads that are audited, such as sign-ins, do not).
CHANGED = "action NOT IN (" + ", ".join(f"'{a}'" for a in sorted(READ_ACTIONS)) + ")"
#: The last audit entry that changed data.
LAST_CHANGE = f"SELECT seq, hash FROM audit_log WHERE {CHANGED} ORDER BY seq DESC LIMIT 1"
#: The held-back rows still to fix, oldest first.
HELD = "SELECT * FROM quarantine WHERE _resolved_at IS NULL ORDER BY _pk"
#: The schema's revision (Alembic's table).
REVISION = "SELECT version_num FROM alembic_version"
#: The workspace's own id.
WORKSPACE_ID = "SELECT value FROM workspace_meta WHERE \"key\" = 'workspace_id'"
#: Whether any case was ever reassigned (else ``cases.case_manager`` is the assignment in force).
ASSIGNED = "SELECT count(*) AS n FROM assignments"
#: Every table's columns.
COLUMNS = (
    "SELECT m.name AS tbl, p.name AS col FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p"
    " WHERE m.type = 'table'"
)

#: A SQLite URL of a file whose name SQLAlchemy shows as written (no driver, no options).
_PLAIN = re.compile(r"sqlite:///[A-Za-z0-9+\-./_~]+")

Run = Callable[[str], list[dict[str, Any]]]


def plain_sqlite(url: str) -> bool:
    """Whether ``url`` is a SQLite file that :class:`SqliteReads` reads (SQLAlchemy shows it as written)."""
    return _PLAIN.fullmatch(url) is not None and sqlite_path(url) is not None


class SqliteReads:
    """Read-only ``SELECT``\\ s on the SQLite workspace ``db`` through one ``sqlite3`` connection
    (opened on first use, shared by the app's sessions under a lock, never creating the file)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def of(cls, url: str) -> SqliteReads | None:
        """The reads of ``url`` when it is a plain SQLite file (:func:`plain_sqlite`), else ``None``."""
        db = sqlite_path(url) if plain_sqlite(url) else None
        return cls(db) if db is not None else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Run]:
        """``run(sql) -> rows`` (dicts), every query in one read transaction."""
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN")
            try:
                yield lambda sql: [dict(row) for row in conn.execute(sql).fetchall()]
            finally:
                conn.execute("ROLLBACK")

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of one query, as dicts."""
        with self.transaction() as run:
            return run(sql)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:  # mode=rw: a missing file is an error, not a new empty database
            uri = self.db.absolute().as_uri() + "?mode=rw"
            conn = sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            self._conn = conn
        return self._conn

    def close(self) -> None:
        """Close the connection (the next read opens another)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
