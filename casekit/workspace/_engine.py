"""Where the workspace lives and how we talk to it (SQLite or PostgreSQL).

SQLite (the default, a file on a local disk) is opened in WAL mode with foreign keys
on, a 30 s ``busy_timeout`` and ``synchronous=FULL``; every write transaction starts
with ``BEGIN IMMEDIATE`` so writers queue instead of failing with "database is
locked". PostgreSQL (``postgresql+psycopg://…``) serialises writers with a
transaction-level advisory lock (the audit chain needs one writer at a time).

Where the workspace is (:func:`resolve_url`, :func:`sqlite_path`) lives in
:mod:`casekit.workspace._where`, which does not load SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator

import sqlalchemy as sa

from casekit.workspace._where import BUSY_TIMEOUT_MS, DB_ENV, DEFAULT_DB, resolve_url, sqlite_path, writer_lock

__all__ = ["DB_ENV", "DEFAULT_DB", "make_engine", "resolve_url", "sqlite_path", "write_tx"]

#: Advisory lock id for PostgreSQL writers (any constant shared by every casekit process).
PG_WRITE_LOCK = 0x6361_7365  # "case"


def make_engine(url: str) -> sa.Engine:
    """An engine with the pragmas and transaction handling described above."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # a small pool: closing the last connection to a WAL database checkpoints it (slow)
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, pool_size=2, max_overflow=8)

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            immediate = conn.get_execution_options().get("casekit_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)


@contextlib.contextmanager
def _queue(engine: sa.Engine) -> Iterator[None]:
    """SQLite: wait in line on a lock file (woken at once when the writer before ends, where
    SQLite's busy handler polls with growing sleeps); released by the OS if the process dies."""
    db = sqlite_path(str(engine.url))
    if db is None:
        yield
        return
    with writer_lock(db).open("a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def write_tx(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction, serialised with every other writer, committed on success."""
    with _queue(engine), engine.connect() as plain:
        conn = plain.execution_options(casekit_write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})
            yield conn
