"""``sqlite_path`` reads a URL as SQLAlchemy does, without loading it (the app asks on every run)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casekit.workspace._where import resolve_url, sqlite_path


def _sqlalchemy_path(url: str) -> str | None:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return parsed.database


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///team.db",
        "sqlite:////tmp/team.db",
        "sqlite+pysqlite:////srv/casekit/team%20a.db",
        "sqlite:///team.db?mode=ro&uri=true",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+psycopg://user:p%40ss@db.example:5432/casekit",
        "postgresql+psycopg://u@[::1]/db",
        resolve_url("postgres://u@h/db"),
        resolve_url("carpeta con espacios/equipo.db"),
    ],
)
def test_sqlite_path_agrees_with_sqlalchemy(url: str) -> None:
    ours = sqlite_path(url)
    assert (str(ours) if ours is not None else None) == _sqlalchemy_path(url)


def test_text_that_is_not_a_url_is_refused() -> None:
    with pytest.raises(ValueError, match="not a database URL"):
        sqlite_path("team.db")
