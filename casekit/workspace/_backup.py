"""Backups: SQLite's online backup API, or one logical format for PostgreSQL.

A SQLite workspace is copied page by page while it stays in use (``sqlite3``'s
``backup``), giving a SQLite file. A PostgreSQL workspace is written as a *logical
dump*: every table's rows in storage order, gzip-compressed JSON. :func:`restore`
reads either kind into either backend. :func:`logical_dump` is also what the tests
compare to prove that a rejected input changed nothing.

Examples
--------
>>> import sqlalchemy as sa
>>> _decode(sa.Date(), "2026-01-02")
datetime.date(2026, 1, 2)
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from casekit.workspace._engine import sqlite_path, write_tx
from casekit.workspace._schema import METADATA

__all__ = ["backup", "logical_dump", "restore"]

FORMAT = "casekit-workspace-dump"
SQLITE_MAGIC = b"SQLite format 3\x00"


def _tables(conn: sa.Connection) -> list[sa.Table]:
    present = set(sa.inspect(conn).get_table_names())
    return [t for t in METADATA.sorted_tables if t.name in present]


def _reflected(conn: sa.Connection, table: sa.Table) -> sa.Table:
    """The table as it is in the database (it may have columns the code does not know yet)."""
    return sa.Table(table.name, sa.MetaData(), autoload_with=conn)


def logical_dump(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    """Every table's columns and rows (storage order), plus the schema revision."""
    out: dict[str, dict[str, Any]] = {}
    for table in _tables(conn):
        real = _reflected(conn, table)
        order = [real.c[c.name] for c in real.primary_key.columns]
        rows = conn.execute(sa.select(real).order_by(*order)).all()
        out[table.name] = {"columns": [c.name for c in real.columns], "rows": [list(r) for r in rows]}
    if "alembic_version" in sa.inspect(conn).get_table_names():
        out["alembic_version"] = {
            "columns": ["version_num"],
            "rows": [list(r) for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")],
        }
    return out


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _decode(col_type: sa.types.TypeEngine, value: Any) -> Any:
    if value is not None and isinstance(col_type, sa.Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def backup(engine: sa.Engine, path: str | Path) -> Path:
    """Write a backup of the workspace to ``path`` (SQLite file, or logical dump)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_path(str(engine.url))
    if db is not None:
        tmp = path.with_name(path.name + ".part")
        src, dst = sqlite3.connect(db), sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        tmp.replace(path)
        return path
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        dump = logical_dump(conn)
    payload = {
        "format": FORMAT,
        "version": 1,
        "tables": {
            name: {"columns": t["columns"], "rows": [[_encode(v) for v in r] for r in t["rows"]]}
            for name, t in dump.items()
        },
    }
    tmp = path.with_name(path.name + ".part")
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False)
    tmp.replace(path)
    return path


def _load(path: Path) -> dict[str, Any]:
    head = path.read_bytes()[:16]
    if head == SQLITE_MAGIC:
        engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                tables = logical_dump(conn)
        finally:
            engine.dispose()
        return {"format": FORMAT, "tables": tables}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        payload = json.load(f)
    if payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not a casekit workspace backup")
    return payload


def restore(engine: sa.Engine, path: str | Path) -> None:
    """Replace the workspace's contents with the backup at ``path`` (one transaction)."""
    path = Path(path)
    db = sqlite_path(str(engine.url))
    if db is not None and path.read_bytes()[:16] == SQLITE_MAGIC:
        src, dst = sqlite3.connect(path), sqlite3.connect(db, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return
    payload = _load(path)
    tables = payload["tables"]
    with write_tx(engine) as conn:
        present = _tables(conn)
        for table in reversed(present):
            conn.execute(table.delete())
        for table in present:
            data = tables.get(table.name)
            if not data or not data["rows"]:
                continue
            real = _reflected(conn, table)
            cols = [c for c in data["columns"] if c in real.c]
            index = [data["columns"].index(c) for c in cols]
            rows = [{c: _decode(real.c[c].type, r[i]) for c, i in zip(cols, index, strict=True)} for r in data["rows"]]
            conn.execute(real.insert(), rows)
        if engine.dialect.name == "postgresql":
            for table in present:
                if "_pk" in table.c:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '_pk'), "
                        f'COALESCE((SELECT MAX("_pk") FROM "{table.name}"), 0) + 1, false)'
                    )
