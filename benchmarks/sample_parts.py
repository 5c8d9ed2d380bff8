"""A caseload too large for memory, written to disk chunk by chunk (issue 18, "beyond memory").

``write_sample_parts(folder, n_cases, chunk=...)`` calls :func:`casekit.make_sample` once
per chunk (seed ``seed + k`` for chunk ``k``) and writes each chunk's sheets as
``folder/<sheet>/part-<k>.parquet``: only one chunk is ever in memory (a 1M-case chunk
peaks at ~3 GB). Ids are renumbered so that every chunk has its own range: case
``C00042`` of chunk ``k`` becomes ``C`` + (``k * chunk + 42``) on 8 digits, client
``P…`` likewise, and the row ids of goals, services, contacts and transitions continue
from the previous chunk. ``_row`` is not written (like :func:`casekit.write_workbook`):
:func:`casekit.scan_caseload` numbers the rows of a sheet over its parts in order.

Command line (10M cases, ~110M rows, ~5 GB of Parquet)::

    nice python benchmarks/sample_parts.py /tmp/stream-data --cases 10000000 --chunk 500000

>>> import tempfile
>>> folder = write_sample_parts(tempfile.mkdtemp(), 30, chunk=20)
>>> sorted(p.name for p in (folder / "cases").iterdir())
['part-00000.parquet', 'part-00001.parquet']
>>> import polars as pl
>>> ids = pl.read_parquet(folder / "cases")["case_id"]
>>> ids.len(), ids.n_unique(), ids[20]
(30, 30, 'C00000021')
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import polars as pl

import casekit as ck
from casekit.contract import ROW, SHEET_ORDER

__all__ = ["write_sample_parts"]

#: Id columns renumbered per chunk: column -> (prefix, digits, offset kind).
_CASE_IDS = {"case_id": ("C", 8), "client_id": ("P", 8)}
_ROW_IDS = {
    "goals": ("goal_id", "G", 9),
    "services": ("service_id", "S", 9),
    "contacts": ("contact_id", "K", 9),
    "transitions": ("transition_id", "T", 9),
}


def _renumber(col: str, prefix: str, digits: int, offset: int) -> pl.Expr:
    """``X000042`` -> ``prefix`` + (42 + ``offset``) zero-padded to ``digits``."""
    number = pl.col(col).str.slice(1).cast(pl.Int64) + offset
    return (pl.lit(prefix) + number.cast(pl.String).str.zfill(digits)).alias(col)


def write_sample_parts(
    folder: str | Path,
    n_cases: int,
    *,
    chunk: int = 500_000,
    seed: int = 1,
    as_of: dt.date = ck.SAMPLE_AS_OF,
    verbose: bool = False,
) -> Path:
    """Write ``n_cases`` generated cases as Parquet parts under ``folder`` (one sub-folder per
    sheet, one part per chunk of ``chunk`` cases); returns the folder."""
    folder = Path(folder)
    done = dict.fromkeys(SHEET_ORDER, 0)  # rows written per sheet so far
    for k, start in enumerate(range(0, n_cases, chunk)):
        t0 = time.perf_counter()
        data = ck.make_sample(min(chunk, n_cases - start), seed=seed + k, as_of=as_of)
        for name in SHEET_ORDER:
            df = data[name]
            exprs = [_renumber(c, p, d, start) for c, (p, d) in _CASE_IDS.items() if c in df.columns]
            if name in _ROW_IDS:
                col, prefix, digits = _ROW_IDS[name]
                exprs.append(_renumber(col, prefix, digits, done[name]))
            (folder / name).mkdir(parents=True, exist_ok=True)
            df.with_columns(exprs).drop(ROW).write_parquet(folder / name / f"part-{k:05d}.parquet")
            done[name] += df.height
        del data
        if verbose:
            print(f"chunk {k}: cases {start}..{start + chunk - 1} in {time.perf_counter() - t0:.1f} s", flush=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    write_sample_parts(args.folder, args.cases, chunk=args.chunk, seed=args.seed, verbose=True)
    print(f"{args.cases} cases in {time.perf_counter() - t0:.0f} s -> {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
