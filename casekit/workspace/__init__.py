"""The workspace: a team's case records in SQLite or PostgreSQL, validated and audited.

``ck.Workspace.open()`` opens (creating and migrating as needed) ``casekit.db`` in the
working folder, the path or URL in ``CASEKIT_DB``, or the one given. See
docs/workspace.md. Names are imported on first use, so ``casekit --help`` does not load
SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = ["ROLES", "AuditCheck", "ImportResult", "Workspace", "default_actor"]

if TYPE_CHECKING:
    from casekit.workspace._access import ROLES
    from casekit.workspace._store import AuditCheck, ImportResult, Workspace, default_actor


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module 'casekit.workspace' has no attribute {name!r}")
    home = "casekit.workspace._access" if name == "ROLES" else "casekit.workspace._store"  # the roles a user can have
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
