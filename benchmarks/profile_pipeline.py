"""Profile casekit's pipeline step by step on a cached Parquet caseload.

Run from the project folder::

    python benchmarks/profile_pipeline.py --cases 100000 --runs 3
    python benchmarks/profile_pipeline.py --cases 1000000 --runs 1
    python benchmarks/profile_pipeline.py --cases 100000 --profile read   # pyinstrument tree of one step
    python benchmarks/profile_pipeline.py --cases 100000 --casekit /tmp/old  # another checkout's casekit
    python benchmarks/profile_pipeline.py --cases 100000 --runs 3 --baseline /tmp/old  # before/after table

``--baseline`` runs the pipeline alternately with that folder's casekit ("before") and
this checkout's ("after"), each run in a fresh process, and prints a Markdown table of
the medians side by side (time per step, and peak RSS of each process).

The caseload is made once with ``ck.make_sample(n, seed=1)`` and written as Parquet to
``benchmarks/data/parquet_<n>/`` (git-ignored). Each run executes the whole pipeline
(read -> validate -> score_risk -> case_status -> events -> outcome_changes ->
outcome_summary) and times every step; the peak resident memory of each step is read
from ``VmHWM`` after resetting it (Linux ``/proc/self/clear_refs``), and the process's
peak over the whole run is reported too. The peaks are the **first run's** (a fresh
process): the resident memory a step needs. A later run starts with the pages the
allocator kept from the run before (at 1M cases, 3.6 GB resident after the first run,
its frames freed; 0.2 GB after 12 s idle), so its read step "peaked" at 3.7 GB.
``--profile STEP`` needs ``pip install pyinstrument``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).parent / "data"
STEPS = ("read", "validate", "score_risk", "case_status", "events", "outcome_changes", "outcome_summary")


def _hwm_mb() -> float:
    """Peak RSS since the last reset (MB), from /proc; the process peak elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_hwm() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def caseload(n: int) -> Path:
    """The Parquet folder of ``n`` sample cases, made on first use."""
    import casekit as ck

    folder = DATA / f"parquet_{n}"
    if not (folder / "cases.parquet").exists():
        start = time.perf_counter()
        ck.write_workbook(ck.make_sample(n, seed=1), folder, format="parquet")
        print(f"made {folder} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return folder


def pipeline(
    folder: Path, *, profile: str | None = None, until: str = STEPS[-1], verbose: bool = False
) -> dict[str, tuple[float, float, float]]:
    """Run every step once: ``{step: (seconds, peak MB during the step, CPU seconds)}``."""
    import casekit as ck

    as_of = ck.SAMPLE_AS_OF
    out: dict[str, tuple[float, float, float]] = {}
    state: dict[str, object] = {}
    calls = {
        "read": lambda: ck.read_workbook(folder, max_bytes=10**10, max_unzipped_bytes=10**11),
        "validate": lambda: ck.validate(state["read"], as_of=as_of),
        "score_risk": lambda: ck.score_risk(state["validate"], as_of=as_of),
        "case_status": lambda: ck.case_status(state["validate"], as_of=as_of, risk=state["score_risk"]),
        "events": lambda: ck.events(state["validate"].data, as_of=as_of),
        "outcome_changes": lambda: ck.outcome_changes(state["validate"], as_of=as_of),
        "outcome_summary": lambda: ck.outcome_summary(state["validate"], changes=state["outcome_changes"], as_of=as_of),
    }
    for step in STEPS[: STEPS.index(until) + 1]:
        gc.collect()
        _reset_hwm()
        profiler = None
        if profile == step:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.002)
            profiler.start()
        start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        state[step] = calls[step]()
        seconds = time.perf_counter() - start
        end = resource.getrusage(resource.RUSAGE_SELF)
        user, system = end.ru_utime - cpu.ru_utime, end.ru_stime - cpu.ru_stime
        if verbose:
            print(f"  {step:<16} {seconds:6.2f} s  (cpu user {user:5.2f} s, sys {system:5.2f} s)", file=sys.stderr)
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
        out[step] = (seconds, _hwm_mb(), user + system)
        if step == "validate":
            state.pop("read")  # the app keeps the validation result, not the raw read
            assert state["validate"].ok, state["validate"].report.head()
    return out


def _side_by_side(args: argparse.Namespace) -> int:
    """Alternate before/after runs in fresh processes; print medians side by side."""
    figures: dict[str, list[dict]] = {"before": [], "after": []}
    here = Path(__file__).parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            for label, path in (("before", args.baseline), ("after", here)):
                out = Path(tmp) / f"{label}{i}.json"
                cmd = [sys.executable, __file__, "--cases", str(args.cases), "--runs", "1", "--casekit", str(path)]
                subprocess.run([*cmd, "--json", str(out)], check=True, stdout=subprocess.DEVNULL)
                figures[label].append(json.loads(out.read_text())["steps"])
    print(f"| step ({args.cases:,} cases, median of {args.runs}) | before | after | ratio | CPU before | CPU after |")
    print("|---|---:|---:|---:|---:|---:|")
    for step in (*STEPS, "pipeline"):
        before, after = (statistics.median(r[step]["median_s"] for r in figures[k]) for k in ("before", "after"))
        cpu = [statistics.median(r[step]["cpu_s"] for r in figures[k]) for k in ("before", "after")]
        print(f"| {step} | {before:.2f} s | {after:.2f} s | {before / after:.1f}x | {cpu[0]:.2f} s | {cpu[1]:.2f} s |")
    peaks = [statistics.median(r["pipeline"]["peak_mb"] for r in figures[k]) for k in ("before", "after")]
    print(f"| peak RSS | {peaks[0]:,.0f} MB | {peaks[1]:,.0f} MB | {peaks[0] / peaks[1]:.1f}x | | |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", choices=STEPS, help="print a pyinstrument profile of this step (first run)")
    parser.add_argument("--until", choices=STEPS, default=STEPS[-1], help="stop after this step")
    parser.add_argument("--verbose", action="store_true", help="print each run's times and CPU user/sys")
    parser.add_argument("--casekit", type=Path, help="import casekit from this folder (default: this checkout)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--baseline", type=Path, help="a folder holding the casekit package to compare against")
    args = parser.parse_args(argv)
    if args.baseline:
        caseload(args.cases)
        return _side_by_side(args)
    sys.path.insert(0, str((args.casekit or Path(__file__).parent.parent).resolve()))
    import casekit as ck

    folder = caseload(args.cases)
    print(f"casekit from {Path(ck.__file__).parent}, {args.cases:,} cases", file=sys.stderr)
    runs = [
        pipeline(folder, profile=args.profile if i == 0 else None, until=args.until, verbose=args.verbose)
        for i in range(args.runs)
    ]
    steps = STEPS[: STEPS.index(args.until) + 1]
    peak = max(runs[0][s][1] for s in steps)  # clear_refs also resets ru_maxrss
    summary = {}
    for step in steps:
        times = [r[step][0] for r in runs]
        cpu = statistics.median(r[step][2] for r in runs)
        summary[step] = {
            "median_s": statistics.median(times),
            "min_s": min(times),
            "cpu_s": cpu,
            "peak_mb": runs[0][step][1],  # the fresh process's (see the docstring)
        }
    total = [sum(r[s][0] for s in steps) for r in runs]
    cpu_total = statistics.median(sum(r[s][2] for s in steps) for r in runs)
    summary["pipeline"] = {
        "median_s": statistics.median(total),
        "min_s": min(total),
        "cpu_s": cpu_total,
        "peak_mb": peak,
    }
    for step, fig in summary.items():
        print(
            f"{step:<16} median {fig['median_s']:6.2f} s  min {fig['min_s']:6.2f} s  "
            f"cpu {fig['cpu_s']:6.2f} s  peak {fig['peak_mb']:7.0f} MB"
        )
    if args.json:
        args.json.write_text(json.dumps({"cases": args.cases, "runs": args.runs, "steps": summary}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
