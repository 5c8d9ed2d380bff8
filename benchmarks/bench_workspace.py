"""Workspace timings: import, ``data()`` (SQL → polars), a recorded contact → the worklist.

    python benchmarks/bench_workspace.py --cases 100000 [--db URL] [--reader sqlalchemy|adbc]

Creates (or reuses) a workspace holding ``make_sample(N)``, then times ``data()`` with
both read paths (on SQLite the ADBC one twice: a real read, its snapshot removed first, and
from the snapshot of the last read, ``casekit/workspace/_snapshot.py``), ``record`` of one
contact, and the worklist recomputed from the stored state. Prints one line per step (seconds).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import polars as pl

import casekit as ck


def timed(label: str, fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44} {best:8.3f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / "casekit-bench-workspace"
    folder.mkdir(exist_ok=True)
    os.environ.setdefault("CASEKIT_HOME", str(folder))
    url = args.db or f"sqlite:///{folder / f'ws{args.cases}.db'}"
    ws = ck.Workspace.open(url)
    if ws.data()["cases"].height == 0:
        data = timed(f"make_sample({args.cases})", lambda: ck.make_sample(args.cases, seed=0))
        timed("import_workbook", lambda: ws.import_workbook(data, actor="bench", as_of=ck.SAMPLE_AS_OF))
    db = ck.workspace.sqlite_path(url)
    snapshot = db.with_name(db.name + ".snapshot") if db is not None else None

    def real_read() -> ck.CaseData:
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)
        return ws.data()

    rows = sum(ws.data().n_rows().values())
    os.environ["CASEKIT_READER"] = "sqlalchemy"
    data = timed(f"data() [sqlalchemy] {rows} rows", ws.data, repeat=2)
    os.environ["CASEKIT_READER"] = "adbc"
    data = timed(f"data() [adbc] {rows} rows", real_read, repeat=2)
    if snapshot is not None:
        data = timed(f"data() [adbc, from the snapshot] {rows} rows", ws.data, repeat=2)
    os.environ.pop("CASEKIT_READER", None)
    open_case = data["cases"].filter(pl.col("closed_on").is_null())["case_id"][0]
    timed(
        "record one contact",
        lambda: ws.record("contacts", {"case_id": open_case, "contact_on": ck.SAMPLE_AS_OF}, actor="bench"),
    )

    def worklist() -> pl.DataFrame:
        result = ws.result()
        return ck.worklist(ck.case_status(result, as_of=ck.SAMPLE_AS_OF))

    timed("result() + case_status + worklist", worklist)
    ws.close()


if __name__ == "__main__":
    main()
