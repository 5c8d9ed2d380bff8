"""The workspace: a team's case records in SQLite or PostgreSQL, validated and audited.

``ck.Workspace.open()`` opens (creating and migrating as needed) ``casekit.db`` in the
working folder, the path or URL in ``CASEKIT_DB``, or the one given. See
docs/workspace.md. Names are imported on first use, so ``casekit --help`` does not load
SQLAlchemy. An installation's settings file is read by :mod:`casekit.workspace.config`,
the daily digest is :mod:`casekit.workspace.digest`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = [
    "RECORD_ROLES",
    "ROLES",
    "AuditCheck",
    "ImportResult",
    "Workspace",
    "can_record",
    "default_actor",
    "resolve_url",
    "sqlite_path",
]

if TYPE_CHECKING:
    from casekit.workspace._roles import RECORD_ROLES, ROLES, can_record
    from casekit.workspace._store import AuditCheck, ImportResult, Workspace, default_actor
    from casekit.workspace._where import resolve_url, sqlite_path

#: The module each name lives in (the roles and what they may write; where a workspace is).
_HOMES = {
    "RECORD_ROLES": "_roles",
    "ROLES": "_roles",
    "can_record": "_roles",
    "resolve_url": "_where",
    "sqlite_path": "_where",
}


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module 'casekit.workspace' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"casekit.workspace.{_HOMES.get(name, '_store')}"), name)
    globals()[name] = value
    return value
