"""Foundation benchmark: generate, write, read and validate synthetic caseloads.

Run from the project folder::

    python benchmarks/bench_foundation.py                   # 10k, 100k, 1M cases, 3 runs each
    python benchmarks/bench_foundation.py --sizes 2000 --runs 1   # smoke test (CI-sized)

Each step is timed ``--runs`` times; the median (and min/max) is printed as a Markdown
table and written to ``benchmarks/results/foundation.json`` with the machine it ran on.
Peak memory is the process's maximum resident set size after the size's steps (it only
grows, so read it per size in increasing order).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

import casekit as ck

RESULTS = Path(__file__).parent / "results" / "foundation.json"


def _timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_size(n: int, runs: int, xlsx_limit: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def record(step: str, times: list[float], n_rows: int) -> None:
        rows.append(
            {
                "cases": n,
                "rows": n_rows,
                "step": step,
                "median_s": statistics.median(times),
                "min_s": min(times),
                "max_s": max(times),
                "runs": len(times),
            }
        )
        print(f"  {n:>9,} {step:<22} median {statistics.median(times):7.2f} s", file=sys.stderr, flush=True)

    times, data = _timed(lambda: ck.make_sample(n, seed=1), runs)
    total = sum(data.n_rows().values())
    record("make_sample", times, total)
    with tempfile.TemporaryDirectory() as tmp:
        pq, csv = Path(tmp) / "pq", Path(tmp) / "csv"
        times, _ = _timed(lambda: ck.write_workbook(data, pq, format="parquet"), runs)
        record("write parquet", times, total)
        ck.write_workbook(data, csv, format="csv")
        times, read_pq = _timed(lambda: ck.read_workbook(pq, max_bytes=10**10), runs)
        record("read parquet", times, total)
        times, _ = _timed(lambda: ck.read_workbook(csv, max_bytes=10**10), runs)
        record("read csv", times, total)
        if n <= xlsx_limit:
            xlsx = Path(tmp) / "w.xlsx"
            ck.write_workbook(data, xlsx)
            times, _ = _timed(lambda: ck.read_workbook(xlsx, max_bytes=10**10, max_unzipped_bytes=10**11), runs)
            record("read xlsx", times, total)
        times, result = _timed(lambda: ck.validate(read_pq, as_of=ck.SAMPLE_AS_OF), runs)
        record("validate", times, total)
        assert result.ok, result.report.head()
    rows.append({"cases": n, "step": "peak_rss_mb", "value": round(_peak_mb())})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xlsx-limit", type=int, default=100_000, help="largest size also read from XLSX")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    rows: list[dict[str, object]] = []
    for n in sorted(args.sizes):
        rows += bench_size(n, args.runs, args.xlsx_limit)
    machine = {
        "python": platform.python_version(),
        "polars": pl.__version__,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine, "results": rows}, indent=1))

    timed = pl.DataFrame([r for r in rows if "median_s" in r])
    table = timed.pivot("cases", index="step", values="median_s", aggregate_function="first")
    print(f"machine: {machine}")
    print("| step | " + " | ".join(f"{int(c):,} cases" for c in table.columns[1:]) + " |")
    print("|---|" + "---:|" * (len(table.columns) - 1))
    for rec in table.iter_rows():
        print(f"| {rec[0]} | " + " | ".join("—" if v is None else f"{v:.2f} s" for v in rec[1:]) + " |")
    peaks = {r["cases"]: r["value"] for r in rows if r["step"] == "peak_rss_mb"}
    print("| peak RSS | " + " | ".join(f"{peaks[int(c)]:,} MB" for c in table.columns[1:]) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
