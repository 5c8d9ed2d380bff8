"""Bring a workspace's schema up to date: Alembic revisions, then new optional columns.

Run by ``casekit workspace init`` and on every open. Only one process migrates: the
work happens inside a serialised write transaction (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL an advisory lock), the others wait and then find nothing to do. Before any
change to an existing workspace a backup is written next to it (SQLite) or into the
casekit home folder (PostgreSQL).

**Changing the contract.** A new *optional* column in ``casekit/contract.py`` needs
nothing more: :func:`missing_columns` finds it and it is added (nullable) to existing
workspaces on their next open, after a backup. Anything else — a renamed or removed
column, a new table, a type change — needs an Alembic revision in
``casekit/workspace/migrations/versions`` (written so that it also runs on a workspace
created by a newer 0001, i.e. checking what exists first), named after its revision id
(``0003_what.py`` holds ``revision = "0003"``): the newest file is the head, known
without loading Alembic (~0.4 s, which every open of an up-to-date workspace used to pay).

>>> head_revision()
'0002'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from pathlib import Path
from typing import TYPE_CHECKING

from casekit.contract import SHEET_ORDER, SHEETS
from casekit.workspace._lazy import Lazy
from casekit.workspace._reads import REVISION

__all__ = ["current_revision", "head_revision", "migrate", "missing", "missing_columns", "pending", "to_do"]

if TYPE_CHECKING:
    import sqlalchemy as sa
    from alembic.config import Config

    from casekit.workspace import _engine, _schema
else:  # loaded to migrate or to ask SQLAlchemy (the reads of an open: casekit.workspace._reads)
    sa, _engine, _schema = Lazy("sqlalchemy"), Lazy("casekit.workspace._engine"), Lazy("casekit.workspace._schema")

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(conn: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The newest revision shipped with this casekit: the id its file is named after
    (``tests/workspace`` checks that it is Alembic's head)."""
    return max(p.name.partition("_")[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def current_revision(conn: sa.Connection) -> str | None:
    """The workspace's revision (``None``: not under Alembic yet), read as Alembic stores it."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text(REVISION)).scalar()


def missing_columns(conn: sa.Connection) -> dict[str, list[str]]:
    """Contract columns the workspace's tables lack (a contract that gained optional columns)."""
    return missing(_columns(conn))


def _columns(conn: sa.Connection) -> dict[str, set[str]]:
    """The sheets' tables and their columns, as SQLAlchemy's inspector sees them."""
    inspector = sa.inspect(conn)
    names = [n for n in inspector.get_table_names() if n in SHEET_ORDER]
    return {name: {c["name"] for c in inspector.get_columns(name)} for name in names}


def missing(have: Mapping[str, Set[str]]) -> dict[str, list[str]]:
    """Contract columns lacking from the tables ``have`` (table name → its columns).

    >>> missing({"cases": {"case_id", "client_id"}, "users": {"email"}})["cases"][:2]
    ['client_name', 'opened_on']
    >>> missing({})
    {}
    """
    out: dict[str, list[str]] = {}
    for name in SHEET_ORDER:  # the sheets' tables
        if name not in have:
            continue
        lacking = [c for c in SHEETS[name].columns if c not in have[name]]
        if lacking:
            out[name] = lacking
    return out


def to_do(current: str | None, have: Mapping[str, Set[str]]) -> bool:
    """Whether a workspace at revision ``current`` with the tables ``have`` is to migrate."""
    return current != head_revision() or bool(missing(have))


def pending(conn: sa.Connection) -> tuple[str | None, bool]:
    """``(current revision, whether anything is to do)``."""
    current = current_revision(conn)
    return current, to_do(current, _columns(conn))


def migrate(engine: sa.Engine, *, backup_dir: Path | None = None) -> Path | None:
    """Upgrade to the newest schema (no-op when up to date); returns the backup written, if any."""
    with engine.connect() as conn:
        current, todo = pending(conn)
    if not todo:
        return None
    from alembic import command

    from casekit.workspace._backup import backup

    written = None
    if current is not None:  # an existing workspace: keep a copy first
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        written = backup(engine, _backup_path(engine, backup_dir, f"before-migration-{current}-{stamp}"))
    with _engine.write_tx(engine) as conn:
        command.upgrade(_config(conn), "head")
        for table, columns in missing_columns(conn).items():
            for name in columns:
                col = _schema.contract_column(SHEETS[table].columns[name])
                type_sql = col.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {type_sql}')
    return written


def _backup_path(engine: sa.Engine, folder: Path | None, name: str) -> Path:
    from casekit.workspace._audit import home
    from casekit.workspace._engine import sqlite_path

    db = sqlite_path(str(engine.url))
    if folder is None:
        folder = db.parent if db is not None else home() / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stem = db.name if db is not None else (engine.url.database or "workspace")
    return folder / f"{stem}.{name}.backup"
