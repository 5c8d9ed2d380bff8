"""Beyond memory (issue 18): the streaming path on a caseload written as Parquet parts.

Each run is a fresh Python process (the child) that does what ``casekit status
--streaming`` and ``casekit events --streaming`` do: it scans the folder
(:func:`casekit.scan_caseload`), validates it with the polars queries on the streaming
engine, computes the case status (the risk tiers inside the same query; written to
Parquet) and writes the event log range by range (:func:`casekit.stages.sink_events`). The parent reports the
child's wall and CPU seconds per step and its peak resident memory (``VmHWM``; and
``VmPeak``, its peak address space). With ``--caps N`` the child runs under ``RLIMIT_AS``
= N GiB (address space, not resident memory: allocations beyond it fail, and so does
the run): the streaming path must succeed under 8 GiB at 10M cases. The child runs with
``_RJEM_MALLOC_CONF=retain:false`` (unless set), as ``casekit … --streaming`` does.

``--check N`` first compares, on ``ck.make_sample(N, seed=1)`` written as Parquet, every
frame of the streaming path with the in-memory path (validation report, scores, status,
events): ``assert_frame_equal``, exact.

Examples (the 10M caseload, ~110M rows, is generated once by ``sample_parts.py``)::

    nice python benchmarks/sample_parts.py /tmp/stream-data --cases 10000000
    nice python benchmarks/bench_streaming.py /tmp/stream-data --caps none 8 --out benchmarks/results/streaming.json
    python benchmarks/bench_streaming.py --check 100000

>>> _cap_bytes("8"), _cap_bytes("none")
(8589934592, None)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _bench_common import child_env, machine

AS_OF = dt.date(2026, 9, 30)
#: polars' allocator (jemalloc) keeps the address space it has used unless told not to; under
#: RLIMIT_AS that retained space counts (casekit sets the same for ``--streaming``).
RETAIN_OFF = "retain:false"
#: read before polars is imported (importing it sets the variable to polars' own defaults)
_ALLOCATOR = os.environ.get("_RJEM_MALLOC_CONF", RETAIN_OFF)


def _cap_bytes(text: str) -> int | None:
    return None if text == "none" else int(float(text) * 1024**3)


def _vm_mb(field: str = "VmHWM") -> float:
    """``VmHWM`` (peak resident memory) or ``VmPeak`` (peak address space) of this process, MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(folder: Path, out: Path, as_of: dt.date) -> dict[str, Any]:
    """The streaming pipeline in this process; per step: wall and CPU seconds, peak memory so far."""
    import casekit as ck
    from casekit.stages import sink_events

    steps: dict[str, dict[str, float]] = {}

    def step(name: str, fn):
        start, cpu = time.perf_counter(), time.process_time()
        value = fn()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        steps[name] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb_so_far": round(_vm_mb())}
        print(f"  {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak so far {_vm_mb():,.0f} MiB", flush=True)
        return value

    start = time.perf_counter()
    result = step("validate", lambda: ck.validate(ck.scan_caseload(folder), as_of=as_of))
    # as ``casekit status --streaming``: the risk tiers are part of the status query
    status = step("case_status", lambda: ck.case_status(result, as_of=as_of))
    n_cases = status.height
    step("write status", lambda: status.write_parquet(out / "status.parquet"))
    status = None  # freed before the events
    n_events, _ = step(
        "events (sorted range by range, written)", lambda: sink_events(result, out / "events.parquet", as_of=as_of)
    )
    return {
        "cases": n_cases,
        "events": n_events,
        "quarantined_rows": sum(result.n_quarantined().values()),
        "report_rows": result.report.height,
        "wall_s": round(time.perf_counter() - start, 1),
        "steps": steps,
        "peak_rss_mb": round(_vm_mb()),
        "peak_address_space_mb": round(_vm_mb("VmPeak")),  # what RLIMIT_AS caps
    }


def run(folder: Path, cap: int | None, as_of: dt.date) -> dict[str, Any]:
    """One child run under the address-space cap ``cap`` (bytes; None: no cap)."""

    def limit() -> None:
        if cap is not None:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="bench-streaming-") as tmp:
        cmd = [sys.executable, __file__, str(folder), "--child", tmp, "--as-of", as_of.isoformat()]
        start = time.perf_counter()
        env = child_env(_RJEM_MALLOC_CONF=_ALLOCATOR)
        proc = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=limit, env=env, check=False)
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stdout.write(proc.stdout.split("@@")[0])
    out: dict[str, Any] = {
        "cap_gb": None if cap is None else cap / 1024**3,
        "ok": proc.returncode == 0,
        "returncode": proc.returncode,
        "process_wall_s": round(wall, 1),
        "process_cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
    }
    if proc.returncode == 0:
        out.update(json.loads(proc.stdout.split("@@", 1)[1]))
    else:
        out["error"] = proc.stderr[-2000:]
    return out


def check(n: int, as_of: dt.date) -> dict[str, Any]:
    """Every frame of the streaming path equals the in-memory path's on ``n`` generated cases."""
    import polars as pl
    from polars.testing import assert_frame_equal

    import casekit as ck

    with tempfile.TemporaryDirectory(prefix="bench-streaming-check-") as tmp:
        folder = ck.write_workbook(ck.make_sample(n, seed=1), Path(tmp) / "book")
        lazy = ck.validate(ck.scan_caseload(folder), as_of=as_of)
        eager = ck.validate(ck.read_workbook(folder, max_bytes=10**10, max_unzipped_bytes=10**11), as_of=as_of)
        assert_frame_equal(lazy.report, eager.report)
        frames = {"report": lazy.report.height}
        pairs = {
            "scores": (ck.score_risk(lazy, as_of=as_of), ck.score_risk(eager, as_of=as_of)),
            "events": (ck.events(lazy, as_of=as_of), ck.events(eager, as_of=as_of, engine="in-memory")),
        }
        pairs["status"] = (
            ck.case_status(lazy, as_of=as_of, risk=pairs["scores"][0]),
            ck.case_status(eager, as_of=as_of, risk=pairs["scores"][1], engine="in-memory"),
        )
        for name, (a, b) in pairs.items():
            assert isinstance(a, pl.DataFrame)
            assert_frame_equal(a, b, check_exact=True)
            frames[name] = a.height
    print(f"check at {n:,} cases: streaming == in-memory for {frames}")
    return {"cases": n, "equal": True, "rows": frames}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", help="a folder of Parquet files or parts (sample_parts.py)")
    parser.add_argument("--caps", nargs="*", default=["none", "8"], help="address-space caps in GiB, 'none' = no cap")
    parser.add_argument("--check", type=int, default=0, help="first compare streaming and in-memory at N cases")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    parser.add_argument("--out", type=Path, default=None, help="results JSON")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        result = child(args.folder, args.child, args.as_of)
        print("@@" + json.dumps(result))
        return 0
    doc: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv), "runs": []}
    if args.check:
        doc["check"] = check(args.check, args.as_of)
    if args.folder is not None:
        for cap in args.caps:
            print(f"streaming run on {args.folder}, RLIMIT_AS {cap} GiB", flush=True)
            doc["runs"].append(run(args.folder, _cap_bytes(cap), args.as_of))
            print(json.dumps({k: v for k, v in doc["runs"][-1].items() if k != "steps"}), flush=True)
    doc["machine"]["load_average_at_end"] = [round(x, 2) for x in __import__("os").getloadavg()]
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(doc, indent=2))
    return 0 if all(r["ok"] for r in doc["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
