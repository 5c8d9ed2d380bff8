"""The audit trail: an append-only, HMAC-SHA256 hash-chained log.

Each entry's ``hash`` is ``HMAC-SHA256(key, canonical JSON of its content and the
previous entry's hash)``. The key lives *outside* the database — the environment
variable ``CASEKIT_AUDIT_KEY`` or an owner-only (0600) key file in the casekit home
folder (``CASEKIT_HOME``, default ``~/.config/casekit``) — so whoever can edit the
database cannot rewrite the chain without it. Every export appends the head of the
chain (sequence and hash) to a "heads" file next to the key: cutting the tail of the
log below a recorded head is detected too.

Appends happen inside the caller's write transaction (serialised by
:func:`casekit.workspace._engine.write_tx`), reading the previous hash in that same
transaction, so two writers can never fork the chain.

Examples
--------
>>> h1 = entry_hash(b"k", {"seq": 1, "action": "record"}, GENESIS)
>>> h1 == entry_hash(b"k", {"action": "record", "seq": 1}, GENESIS)
True
>>> h1 == entry_hash(b"other key", {"seq": 1, "action": "record"}, GENESIS)
False
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casekit.errors import CasekitError
from casekit.workspace._lazy import Lazy

if TYPE_CHECKING:
    import sqlalchemy as sa

    from casekit.workspace import _schema
else:  # loaded by the first write or check (the audit key and the actor need neither)
    sa, _schema = Lazy("sqlalchemy"), Lazy("casekit.workspace._schema")

__all__ = [
    "GENESIS",
    "HOME_ENV",
    "KEY_ENV",
    "AuditKey",
    "append",
    "append_many",
    "default_actor",
    "entry_hash",
    "home",
    "to_json",
    "verify",
]

KEY_ENV = "CASEKIT_AUDIT_KEY"
HOME_ENV = "CASEKIT_HOME"
GENESIS = "0" * 64
#: The entry fields the hash covers (everything but the hash itself).
FIELDS = ("seq", "at", "actor", "action", "sheet", "row_id", "case_id", "before", "after")


def default_actor() -> str:
    """The OS user, the actor of the CLI and notebooks when none is given."""
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def home() -> Path:
    """The casekit home folder (key files, heads files): ``CASEKIT_HOME`` or ``~/.config/casekit``."""
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else Path.home() / ".config" / "casekit"


def to_json(value: Any) -> str | None:
    """Canonical JSON (sorted keys, dates as ISO text) or ``None``.

    >>> to_json({"b": dt.date(2026, 1, 2), "a": 1})
    '{"a":1,"b":"2026-01-02"}'
    """
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def _default(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def entry_hash(key: bytes, content: dict[str, Any], prev_hash: str) -> str:
    """The HMAC-SHA256 of an entry's content chained to the previous hash."""
    message = to_json({"content": content, "prev": prev_hash})
    assert message is not None  # a dict is never null
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


class AuditKey:
    """The chain's key, for the workspace with id ``workspace_id``."""

    def __init__(self, workspace_id: str) -> None:
        self.workspace_id = workspace_id
        self.path = home() / f"audit-{workspace_id}.key"
        self.heads_path = home() / f"audit-{workspace_id}.heads"

    def load(self, *, create: bool = False) -> bytes:
        """The key bytes; created (0600) when ``create`` and none exists yet."""
        env = os.environ.get(KEY_ENV)
        if env:
            return env.encode()
        if self.path.exists():
            mode = stat.S_IMODE(self.path.stat().st_mode)
            if mode & 0o077:
                raise CasekitError("workspace.key_permissions", path=str(self.path), mode=oct(mode))
            return bytes.fromhex(self.path.read_text().strip())
        if not create:
            raise CasekitError("workspace.no_audit_key", path=str(self.path), env=KEY_ENV)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        return bytes.fromhex(self.path.read_text().strip())

    def record_head(self, seq: int, digest: str) -> None:
        """Remember a head of the chain outside the database (every export does)."""
        self.heads_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self.heads_path.open("a") as f:
            f.write(f"{seq} {digest}\n")

    def heads(self) -> list[tuple[int, str]]:
        """The heads recorded so far."""
        if not self.heads_path.exists():
            return []
        out = []
        for line in self.heads_path.read_text().splitlines():
            seq, _, digest = line.strip().partition(" ")
            if seq.isdigit():
                out.append((int(seq), digest))
        return out


def now() -> str:
    """UTC now, ISO 8601 with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def append(
    conn: sa.Connection,
    key: bytes,
    *,
    actor: str,
    action: str,
    sheet: str | None = None,
    row_id: str | None = None,
    case_id: str | None = None,
    before: Any = None,
    after: Any = None,
    at: str | None = None,
) -> tuple[int, str]:
    """Append one entry inside the caller's (serialised) write transaction; returns ``(seq, hash)``."""
    last = conn.execute(
        sa.select(_schema.AUDIT.c.seq, _schema.AUDIT.c.hash).order_by(_schema.AUDIT.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    content = {
        "seq": seq,
        "at": at or now(),
        "actor": actor,
        "action": action,
        "sheet": sheet,
        "row_id": row_id,
        "case_id": case_id,
        "before": to_json(before),
        "after": to_json(after),
    }
    digest = entry_hash(key, content, prev)
    conn.execute(_schema.AUDIT.insert().values(**content, prev_hash=prev, hash=digest))
    return seq, digest


def append_many(conn: sa.Connection, key: bytes, entries: list[dict[str, Any]], *, at: str | None = None) -> None:
    """Append several entries (each a dict of :func:`append`'s keyword arguments) in one insert."""
    if not entries:
        return
    last = conn.execute(
        sa.select(_schema.AUDIT.c.seq, _schema.AUDIT.c.hash).order_by(_schema.AUDIT.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    stamp = at or now()
    rows = []
    for entry in entries:
        seq += 1
        content = {
            "seq": seq,
            "at": entry.get("at") or stamp,
            "actor": entry["actor"],
            "action": entry["action"],
            "sheet": entry.get("sheet"),
            "row_id": entry.get("row_id"),
            "case_id": entry.get("case_id"),
            "before": to_json(entry.get("before")),
            "after": to_json(entry.get("after")),
        }
        digest = entry_hash(key, content, prev)
        rows.append({**content, "prev_hash": prev, "hash": digest})
        prev = digest
    conn.execute(_schema.AUDIT.insert(), rows)


def verify(conn: sa.Connection, key: bytes, heads: list[tuple[int, str]]) -> tuple[bool, int | None]:
    """``(intact, first broken seq)``: recompute the chain; check the recorded heads are in it."""
    prev, expected_seq = GENESIS, 1
    seen: dict[int, str] = {}
    last = 0
    while True:  # in pages, so a long log never sits in memory at once
        page = conn.execute(
            sa.select(_schema.AUDIT).where(_schema.AUDIT.c.seq > last).order_by(_schema.AUDIT.c.seq).limit(5000)
        ).all()
        if not page:
            break
        for row in page:
            content = {f: getattr(row, f) for f in FIELDS}
            if (
                row.seq != expected_seq
                or row.prev_hash != prev
                or not hmac.compare_digest(row.hash, entry_hash(key, content, prev))
            ):
                return False, row.seq
            seen[row.seq] = row.hash
            prev, expected_seq = row.hash, expected_seq + 1
        last = page[-1].seq
    for seq, digest in heads:
        if seen.get(seq) != digest:
            return False, seq
    return True, None
