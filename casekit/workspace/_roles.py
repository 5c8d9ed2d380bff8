"""Who may do what in a workspace: the roles and what each records — standard library only.

The app asks these on every page (whether a form is drawn, whether exact counts show) with
no workspace open; they must not cost SQLAlchemy's import (:mod:`casekit.workspace._access`
applies them to the stored rows).

>>> can_record("case_manager", "contacts", {}), can_record("trainer", "contacts", {})
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CASE_MANAGER_SHEETS", "READ_ACTIONS", "RECORD_ROLES", "ROLES", "can_record"]

#: The roles, least to most powerful (the ``role`` column of ``users``).
ROLES: tuple[str, ...] = ("trainer", "researcher", "case_manager", "supervisor", "admin")
#: What a case manager records on their own cases (risk reviews: safety action only).
CASE_MANAGER_SHEETS: frozenset[str] = frozenset(
    {"contacts", "screenings", "assessments", "goals", "services", "transitions", "outcomes", "risk_reviews"}
)
#: Audit actions that read or sign in: they change no data (the app's caches ignore them).
READ_ACTIONS: frozenset[str] = frozenset(
    {"view", "sign_in", "sign_out", "denied", "research_extract", "export", "digest"}
)
#: Roles that read client records in the workspace (the others are refused ``data``).
RECORD_ROLES: frozenset[str] = frozenset({"case_manager", "supervisor", "admin"})


def can_record(role: str, sheet: str, row: Mapping[str, Any], *, action: str = "record") -> bool:
    """Whether ``role`` may write ``row`` of ``sheet`` (``action``: record, update, close,
    reopen, assign, delete, restore, import) — the case's scope is checked apart."""
    if role == "admin":
        return True
    if role == "supervisor":
        return action not in ("delete", "restore", "import", "users")
    if role == "case_manager":
        if action not in ("record", "update") or sheet not in CASE_MANAGER_SHEETS:
            return False
        return not (sheet == "risk_reviews" and row.get("override_tier") not in (None, ""))
    return False
