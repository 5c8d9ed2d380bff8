"""Where the workspace is: its URL and, for SQLite, its file — without loading SQLAlchemy.

The app asks on every run whether a workspace exists (to offer it as a source); the
answer must not cost SQLAlchemy's import when the team works from a file or the sample.
:func:`sqlite_path` reads a URL as ``sqlalchemy.make_url`` does (the same pattern; the
database part percent-decoded); ``tests/workspace`` checks they agree.

Examples
--------
>>> resolve_url("team.db")
'sqlite:///team.db'
>>> resolve_url("postgresql+psycopg://u@h/db")
'postgresql+psycopg://u@h/db'
>>> resolve_url("postgresql://u@h/db")
'postgresql+psycopg://u@h/db'
>>> sqlite_path("sqlite:////tmp/team.db")
PosixPath('/tmp/team.db')
>>> sqlite_path("sqlite://") is None, sqlite_path("postgresql+psycopg://u@h/db") is None
(True, True)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

__all__ = ["BUSY_TIMEOUT_MS", "DB_ENV", "DEFAULT_DB", "resolve_url", "sqlite_path", "writer_lock"]

#: The environment variable naming the workspace (a path or a URL).
DB_ENV = "CASEKIT_DB"
#: The default workspace file, in the working folder.
DEFAULT_DB = "casekit.db"

#: SQLAlchemy's URL pattern (``sqlalchemy.engine.url._parse_url``), reduced to what we read.
_URL = re.compile(
    r"""
    (?P<name>[\w\+]+)://
    (?:[^:/]*(?::[^@]*)?@)?
    (?:(?:\[[^/\?]+\]|[^/:\?]+)?(?::[^/\?]*)?)?
    (?:/(?P<database>[^\?]*))?
    (?:\?.*)?
    """,
    re.X,
)


def resolve_url(url_or_path: str | os.PathLike[str] | None = None) -> str:
    """The SQLAlchemy URL of a path or URL; ``None``: ``CASEKIT_DB`` or ``casekit.db``."""
    value = os.fspath(url_or_path) if url_or_path is not None else (os.environ.get(DB_ENV) or DEFAULT_DB)
    value = value.strip()
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    return f"sqlite:///{value}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for another backend or an in-memory database).

    Raises ``ValueError`` for text that is not a URL (SQLAlchemy would not open it either).
    """
    match = _URL.match(url)
    if match is None:
        raise ValueError(f"not a database URL: {url!r}")
    database = match["database"]
    if match["name"].split("+")[0] != "sqlite" or not database or unquote(database) == ":memory:":
        return None
    return Path(unquote(database))


#: How long a SQLite connection waits for a lock (the engine's and the plain reads').
BUSY_TIMEOUT_MS = 30_000


def writer_lock(db: Path) -> Path:
    """The lock file the writers of the SQLite file ``db`` wait in line on.

    >>> writer_lock(Path("/srv/team/casekit.db")).name
    'casekit.db.writer-lock'
    """
    return db.with_name(db.name + ".writer-lock")
