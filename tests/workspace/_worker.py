"""A writer process for the concurrency and crash tests (``python -m tests.workspace._worker``).

``stress URL PROC N OUT GO``: wait for the file GO, then record N contacts and, every
third one, try to update the shared contact ``K1`` (append a token to its notes) with
the version it read; write what happened to OUT (JSON).

``hang URL READY``: record one contact but stop inside the write transaction (after the
row and its audit entry are written, before the commit), touch READY and sleep: the
test kills the process there with SIGKILL.

``loop URL``: record contacts one after another until killed.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import casekit as ck


def stress(url: str, proc: int, n: int, out: str, go: str) -> None:
    ws = ck.Workspace.open(url)
    while not Path(go).exists():
        time.sleep(0.01)
    rng = random.Random(proc)
    done: dict[str, object] = {"recorded": [], "updated": [], "stale": 0, "attempts": 0, "errors": []}
    for i in range(n):
        try:
            row = ws.record(
                "contacts",
                {"case_id": "A", "contact_on": "2026-03-01", "kind": "phone_call", "notes": f"p{proc}-{i}"},
                actor=f"worker{proc}",
            )
            done["recorded"].append(row["contact_id"])  # type: ignore[union-attr]
        except Exception as exc:
            done["errors"].append(repr(exc))  # type: ignore[union-attr]
        if i % 3 == 0:
            done["attempts"] += 1  # type: ignore[operator]
            current = ws.get("contacts", "K1")
            assert current is not None
            time.sleep(rng.random() * 0.02)
            token = f"|p{proc}-{i}"
            try:
                ws.update(
                    "contacts",
                    "K1",
                    {"notes": (current["notes"] or "") + token},
                    expected_version=current["_version"],
                    actor=f"worker{proc}",
                )
                done["updated"].append(token)  # type: ignore[union-attr]
            except ck.StaleEdit:
                done["stale"] += 1  # type: ignore[operator]
            except Exception as exc:
                done["errors"].append(repr(exc))  # type: ignore[union-attr]
    ws.close()
    Path(out).write_text(json.dumps(done))


def hang(url: str, ready: str) -> None:
    from casekit.workspace import _audit

    original = _audit.append

    def append_then_hang(*args: object, **kwargs: object) -> tuple[int, str]:
        result = original(*args, **kwargs)  # type: ignore[arg-type]
        Path(ready).touch()
        time.sleep(600)
        return result

    _audit.append = append_then_hang  # type: ignore[assignment]
    ws = ck.Workspace.open(url)
    ws.record("contacts", {"case_id": "A", "contact_on": "2026-03-02", "notes": "half-written"}, actor="crash")


def loop(url: str) -> None:
    ws = ck.Workspace.open(url)
    i = 0
    while True:
        ws.record("contacts", {"case_id": "A", "contact_on": "2026-03-03", "notes": f"loop-{i}"}, actor="loop")
        i += 1


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "stress":
        stress(args[0], int(args[1]), int(args[2]), args[3], args[4])
    elif command == "hang":
        hang(*args)
    else:
        loop(*args)
