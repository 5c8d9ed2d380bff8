"""The app's first load and a page rerun, from a file and from a workspace (issue 18).

Each run is a fresh Python process (the child) that opens ``app.py`` with Streamlit's
AppTest, as ``bench_pipeline.py``'s page child does (``_bench_common.app_test``: the same
``PagesManager`` workaround as ``tests/app/conftest.py``), and times, in wall and CPU
seconds (user + sys of the child):

- ``first load``: the first script run, from a process with Streamlit imported and
  started (its scan for components, which a server does once when it starts, is done
  before and reported as ``server_start_s``): imports, reading, validating and deriving
  the tables (risk, status, worklist…) and drawing Overview;
- ``rerun``: the median of ``--reruns`` reruns of the Monitoring page (the worklist),
  after its first visit.

Three data sources:

- ``file``: ``CASEKIT_DATA=<folder of Parquet files>`` — the sidebar's file source on the
  server, read, validated and derived by the same code as an uploaded file
  (``casekit.ui.derived``, cached on the files) but read in the server's process;
- ``upload``: the same Parquet files given to the sidebar's upload widget (AppTest's
  ``file_uploader``), read in a child process as every upload is
  (``casekit.io.read_isolated``); the first run draws the page without data (the app
  opened), the timed ``first load`` is the run after the files are dropped in, and
  ``opened_s`` the run before it (without the browser's transfer of the bytes);
- ``workspace``: ``CASEKIT_DB=sqlite:///<file>`` holding the same caseload
  (``Workspace.import_workbook``), the app's default source when a workspace exists.

AppTest runs the script and its caches as the server does, but there is no browser: the
figures are the script's time, not sending and drawing the elements.

    python benchmarks/bench_app_load.py --cases 100000 --runs 3 [--db sqlite:////tmp/ws.db]

The Parquet caseload is ``profile_pipeline.caseload(n)`` (``make_sample(n, seed=1)``);
the workspace is created on first use from the same sample (minutes at 100k).

>>> _median([3.0, 1.0, 2.0])
2.0
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the sibling helpers when imported from elsewhere
    sys.path.insert(0, str(HERE))

from _bench_common import ROOT, app_test  # noqa: E402

AS_OF = "2026-09-30"
#: The folder whose files the ``upload`` child drops into the upload widget.
UPLOAD_ENV = "CASEKIT_BENCH_UPLOAD"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (an upload's reader)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(source: str, reruns: int) -> dict[str, Any]:
    """In this process: open the app (the environment says on what), time the first load
    and the Monitoring page's reruns."""
    at = app_test(ROOT / "app.py")
    at.session_state["lang"] = "en"
    if source in ("file", "upload"):
        at.session_state["source"] = "sample" if source == "file" else "upload"
    opened = None
    if source == "upload":  # the app opened, then the files dropped in: the second run is timed
        start = time.perf_counter()
        at.run()
        opened = time.perf_counter() - start
        time.sleep(2)  # the user picks the files
        folder = Path(os.environ[UPLOAD_ENV])
        files = [(f.name, f.read_bytes(), "application/octet-stream") for f in sorted(folder.iterdir())]
        at.date_input(key="as_of").set_value(dt.date.fromisoformat(AS_OF))  # as the file source's date
        at.file_uploader(key="uploads").set_value(files)
    wall, cpu = time.perf_counter(), _cpu()
    at.run()
    out: dict[str, Any] = {"first_load_s": time.perf_counter() - wall, "first_load_cpu_s": _cpu() - cpu}
    if opened is not None:
        out["opened_s"] = opened
    out["server_start_s"] = at.server_start_s  # done before, as a server does when it starts
    if at.exception:
        return {**out, "error": str(at.exception[0].value)}
    at.switch_page("pages/monitoring.py").run()
    times, cpus = [], []
    for _ in range(reruns):
        wall, cpu = time.perf_counter(), _cpu()
        at.run()
        times.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    out.update(rerun_s=_median(times), rerun_cpu_s=_median(cpus))
    if at.exception:
        out["error"] = str(at.exception[0].value)
    return out


def _workspace(url: str, cases: int) -> None:
    """Create the workspace at ``url`` with ``make_sample(cases, seed=1)`` unless it holds cases."""
    import casekit as ck

    ws = ck.Workspace.open(url)
    try:
        if ws.data()["cases"].height == 0:
            start = time.perf_counter()
            ws.import_workbook(ck.make_sample(cases, seed=1), actor="bench", as_of=ck.SAMPLE_AS_OF)
            print(f"workspace made in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    finally:
        ws.close()


def source_envs(cases: int, db: str | None) -> tuple[Path, Path, str, dict[str, dict[str, str]]]:
    """The caseload folder, the bench's home, the workspace URL and the app's environment
    for each source (``file``: the Parquet folder; ``workspace``: the SQLite file or ``db``)."""
    from profile_pipeline import caseload

    folder = caseload(cases)
    home = Path(os.environ.get("CASEKIT_HOME") or Path(os.environ.get("TMPDIR", "/tmp")) / "casekit-bench-app")
    home.mkdir(parents=True, exist_ok=True)
    url = db or f"sqlite:///{home / f'ws{cases}.db'}"
    env = {**os.environ, "CASEKIT_AS_OF": AS_OF, "CASEKIT_LOCAL_MODE": "1", "CASEKIT_HOME": str(home)}
    envs = {
        "file": {**env, "CASEKIT_DATA": str(folder), "CASEKIT_DB": f"sqlite:///{home / 'none.db'}"},
        "workspace": {**env, "CASEKIT_DB": url},
    }
    return folder, home, url, envs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per source")
    parser.add_argument("--reruns", type=int, default=3, help="Monitoring reruns per process")
    parser.add_argument("--db", help="the workspace URL (default: a SQLite file in the temporary folder)")
    parser.add_argument("--sources", nargs="+", default=["file", "workspace"], choices=["file", "upload", "workspace"])
    parser.add_argument("--out", type=Path, help="also write the figures here (JSON)")
    parser.add_argument("--child", choices=["file", "upload", "workspace"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.reruns)))
        return 0
    folder, home, url, envs = source_envs(args.cases, args.db)
    # the upload's child reads the files from here (CASEKIT_DATA unset in the app: no server file)
    envs["upload"] = {**envs["workspace"], "CASEKIT_DB": envs["file"]["CASEKIT_DB"], UPLOAD_ENV: str(folder)}
    if "workspace" in args.sources:
        os.environ["CASEKIT_HOME"] = str(home)
        _workspace(url, args.cases)
    figures: dict[str, list[dict[str, Any]]] = {s: [] for s in args.sources}
    for _ in range(args.runs):
        for source in args.sources:  # alternated
            cmd = [sys.executable, __file__, "--child", source, "--reruns", str(args.reruns)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=envs[source], check=True, cwd=ROOT)
            figures[source].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    summary = {}
    for source, runs in figures.items():
        errors = [r["error"] for r in runs if r.get("error")]
        row = {"runs": runs, "errors": errors}
        for key in ("first_load_s", "first_load_cpu_s", "rerun_s", "rerun_cpu_s", "opened_s"):
            values = [r[key] for r in runs if key in r]
            if values:
                row[key] = {"median": _median(values), "min": min(values), "max": max(values)}
        summary[source] = row
        rerun = "n/a"
        if "rerun_s" in row:
            rerun = f"{row['rerun_s']['median']:.2f} s wall, {row['rerun_cpu_s']['median']:.2f} s CPU"
        cpu = row["first_load_cpu_s"]
        print(
            f"{source:<10} first load {row['first_load_s']['median']:.2f} s wall, {cpu['median']:.2f} s CPU "
            f"(min {cpu['min']:.2f}, max {cpu['max']:.2f}); Monitoring rerun {rerun}"
            + (f"; errors: {errors}" if errors else "")
        )
    if args.out:
        args.out.write_text(json.dumps({"cases": args.cases, "as_of": AS_OF, "sources": summary}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
