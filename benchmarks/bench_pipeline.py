"""Pipeline benchmark: every step of casekit at 10k, 100k and 1M cases, side by side with
what users would use instead (issue 8). Run from the project folder::

    python benchmarks/bench_pipeline.py                                  # 10k, 100k, 1M; 3 runs
    python benchmarks/bench_pipeline.py --sizes 10000 100000 --runs 3    # without 1M
    python benchmarks/bench_pipeline.py --sizes 500 --runs 1 --out /tmp/p.json   # smoke test

For each size: ``ck.make_sample(n, seed=1)`` written as Parquet, CSV (up to ``--csv-limit``) and XLSX (up to
``--xlsx-limit`` cases), then timed ``--runs`` times each (median, min, max):

- steps: read Parquet / CSV / XLSX (``ck.read_workbook``), validate, risk
  (``ck.score_risk``), case status (``ck.case_status`` with the scores given), events,
  outcome summary (``ck.outcome_changes`` + ``ck.outcome_summary`` by domain, measure and tier);
- the whole pipeline from Parquet (read → validate → score_risk → case_status → events →
  outcome summary) in a fresh Python process per run, with that process's peak RSS;
- case status side by side (same frames, same tiers): the pandas baseline
  (``baseline_pandas.py``, up to ``--pandas-limit`` cases), casekit (validate + case_status),
  the bare-polars floor (``floor_polars.py``) and DuckDB running the same rules in SQL over
  the Parquet files (``baseline_duckdb.py``, when ``duckdb`` is installed);
- Excel reading (up to ``--xlsx-limit``): the ``cases`` sheet (n rows) as a one-sheet workbook
  read by polars/fastexcel (calamine), ``ck.read_workbook``, openpyxl (read-only, rows into
  lists) and ``pandas.read_excel(engine="openpyxl")``;
- page reruns (up to ``--pages-limit``): the app opened with AppTest on the Parquet folder
  (``CASEKIT_DATA``), then a rerun of Overview, the worklist (``monitoring``) and Explore.

Results: ``benchmarks/results/pipeline.json`` (``--out``) and a Markdown summary next to it
(same name, ``.md``), with the machine and the date; the issue's targets are printed PASS/MISS.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # sibling modules (baselines, helpers) when imported from elsewhere
    sys.path.insert(0, str(HERE))
if str(HERE.parent) not in sys.path:  # casekit itself when the project is not installed
    sys.path.insert(1, str(HERE.parent))

from _bench_common import ROOT, Times, app_test, child_env, machine, peak_rss_mb, ratio, summary, timed  # noqa: E402

from casekit.ui import PAGES as NAV_PAGES  # noqa: E402  (every screen, in navigation order)

#: Every screen the local administrator sees: the navigation's, then the Users screen.
PAGES: tuple[str, ...] = (*NAV_PAGES, "users")

RESULTS = HERE / "results" / "pipeline.json"
BIG = {"max_bytes": 4 * 10**9, "max_unzipped_bytes": 40 * 10**9}  # read limits for the benchmark's own files
STEPS = ("read parquet", "read csv", "read xlsx", "validate", "risk", "case status", "events", "outcome summary")
STATUS = (
    "status: pandas",
    "status: casekit (validate + case_status)",
    "status: floor (bare polars)",
    "status: duckdb (SQL over Parquet)",
)
EXCEL = {
    "excel: polars read_excel (calamine)": "polars/fastexcel, one sheet to a DataFrame",
    "excel: ck.read_workbook (calamine)": "casekit: fastexcel + header matching + typed parsing",
    "excel: openpyxl read_only": "openpyxl.load_workbook(read_only=True), rows into lists",
    "excel: pandas read_excel (openpyxl)": "pandas.read_excel(engine='openpyxl')",
}
#: Issue 18's targets (issue 8's, where issue 18 set none: the pandas speed-up).
TARGETS = {
    "pipeline_1m_s": 8.0,
    "pipeline_1m_rss_mb": 2.5 * 1024.0,
    "pandas_speedup_100k": 20.0,
    "casekit_over_floor": 1.5,
    "growth_1m_over_100k": 11.0,
    "first_load_100k_s": 2.0,
    "page_rerun_100k_s": 0.5,
}


# --------------------------------------------------------------------------------------
# Child processes: the whole pipeline, and the app's page reruns
# --------------------------------------------------------------------------------------


def pipeline_child(folder: Path, as_of: str) -> dict[str, Any]:
    """Read → validate → risk → status → events → outcome summary, once, in this process."""
    import datetime as dt

    start = time.perf_counter()
    import casekit as ck

    imported, cpu = time.perf_counter(), time.process_time()
    when = dt.date.fromisoformat(as_of)
    steps: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        t = time.perf_counter()
        out = fn()
        steps[name] = time.perf_counter() - t
        return out

    data = step("read parquet", lambda: ck.read_workbook(folder, **BIG))
    result = step("validate", lambda: ck.validate(data, as_of=when))
    scores = step("risk", lambda: ck.score_risk(result, as_of=when))
    step("case status", lambda: ck.case_status(result, as_of=when, risk=scores))
    step("events", lambda: ck.events(result, as_of=when))
    step("outcome summary", lambda: _outcome_summary(ck, result, scores, when))
    end = time.perf_counter()
    return {
        "pipeline_s": end - imported,
        "cpu_s": time.process_time() - cpu,
        "import_s": imported - start,
        "steps": steps,
        "peak_rss_mb": peak_rss_mb(),
        "cases": result.data["cases"].height,
    }


def _outcome_summary(ck: Any, result: Any, scores: Any, when: Any) -> Any:
    changes = ck.outcome_changes(result, as_of=when)
    return ck.outcome_summary(
        result, ("domain", "measure", "effective_tier"), changes=changes, scores=scores, as_of=when
    )


def pages_child(folder: Path, as_of: str, pages: list[str], runs: int) -> dict[str, Any]:
    """Open the app on ``folder`` with AppTest; time the first load, each page's first
    visit, and ``runs`` reruns of each page."""
    os.environ["CASEKIT_DATA"], os.environ["CASEKIT_AS_OF"] = str(folder), as_of
    os.environ["CASEKIT_LOCAL_MODE"] = "1"  # the local administrator: every screen, no sign-in
    at = app_test(ROOT / "app.py")  # the router's navigation kept, as on the server
    at.session_state["lang"] = "en"
    start = time.perf_counter()
    at.run()
    out: dict[str, Any] = {"first_load_s": time.perf_counter() - start, "pages": {}}
    out["server_start_s"] = at.server_start_s  # done before the timing, as a server does when it starts
    if at.exception:
        return {**out, "error": str(at.exception[0].value)}
    for page in pages:
        start = time.perf_counter()
        at.switch_page(f"pages/{page}.py").run()
        first = time.perf_counter() - start
        if at.exception:
            out["pages"][page] = {"error": str(at.exception[0].value), "first_visit_s": first}
            continue
        reruns, _ = timed(at.run, runs=runs)
        error = str(at.exception[0].value) if at.exception else None
        out["pages"][page] = {"first_visit_s": first, "reruns_s": reruns, "reruns_cpu_s": reruns.cpu, "error": error}
    return out


def _run_child(kind: str, folder: Path, as_of: str, *extra: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(folder), as_of, *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------------------


class Recorder:
    """Collects result rows and prints progress."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, n: int, group: str, step: str, times: list[float], **extra: Any) -> None:
        row = {"cases": n, "group": group, "step": step, **summary(times), **extra}
        self.rows.append(row)
        print(f"  {n:>9,} {step:<44} median {row['median_s']:8.3f} s", file=sys.stderr, flush=True)

    def median(self, n: int, step: str, key: str = "median_s") -> float | None:
        return next((r.get(key) for r in self.rows if r["cases"] == n and r["step"] == step), None)


def bench_size(n: int, args: argparse.Namespace, rec: Recorder) -> dict[str, Any]:
    import casekit as ck

    as_of = ck.SAMPLE_AS_OF
    runs = args.runs
    data = ck.make_sample(n, seed=1)
    n_rows = data.n_rows()
    total = sum(n_rows.values())
    info = {
        "cases": n,
        "rows": total,
        "rows_per_case": round(total / n, 2),
        "related_rows_per_case": round((total - n_rows["cases"]) / n, 2),
        "sheets": n_rows,
    }
    print(f"{n:,} cases: {total:,} rows ({info['rows_per_case']} per case)", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="casekit-bench-") as tmp:
        pq, csv, xlsx = Path(tmp) / "parquet", Path(tmp) / "csv", Path(tmp) / "caseload.xlsx"
        ck.write_workbook(data, pq, format="parquet")
        with_csv = n <= args.csv_limit
        if with_csv:
            ck.write_workbook(data, csv, format="csv")
        with_xlsx = n <= args.xlsx_limit
        cases_xlsx = Path(tmp) / "cases.xlsx"
        if with_xlsx:
            ck.write_workbook(data, xlsx)
            ck.write_workbook({"cases": data["cases"]}, cases_xlsx)
        del data
        gc.collect()

        # the whole pipeline first, one fresh process per run (nothing else big in memory)
        children = [_run_child("pipeline", pq, as_of.isoformat()) for _ in range(runs)]
        rss = [c["peak_rss_mb"] for c in children]
        rec.add(
            n,
            "pipeline",
            "pipeline",
            Times([c["pipeline_s"] for c in children], [c["cpu_s"] for c in children]),
            peak_rss_mb=round(max(rss)),
            peak_rss_mb_runs=[round(x) for x in rss],
            import_s=summary([c["import_s"] for c in children])["median_s"],
            steps={k: summary([c["steps"][k] for c in children])["median_s"] for k in children[0]["steps"]},
        )

        read, scores = _steps(
            n, pq=pq, csv=csv if with_csv else None, xlsx=xlsx if with_xlsx else None, runs=runs, rec=rec
        )
        _status_side_by_side(n, read=read, scores=scores, pq=pq, args=args, rec=rec)
        if with_xlsx:
            _excel_side_by_side(n, cases_xlsx, runs, rec)
        del read, scores
        gc.collect()
        if n <= args.pages_limit:
            _page_reruns(n, pq, as_of.isoformat(), args, rec)
    info["peak_rss_mb_benchmark_process"] = round(peak_rss_mb())
    return info


def _steps(n: int, *, pq: Path, csv: Path | None, xlsx: Path | None, runs: int, rec: Recorder) -> tuple[Any, Any]:
    """Each step of casekit on its own; returns the data read from Parquet and the risk scores."""
    import casekit as ck

    as_of = ck.SAMPLE_AS_OF
    times, read = timed(lambda: ck.read_workbook(pq, **BIG), runs=runs)
    rec.add(n, "steps", "read parquet", times)
    if csv is not None:
        rec.add(n, "steps", "read csv", timed(lambda: ck.read_workbook(csv, **BIG), runs=runs)[0])
    if xlsx is not None:
        rec.add(n, "steps", "read xlsx", timed(lambda: ck.read_workbook(xlsx, **BIG), runs=runs)[0])
    times, result = timed(lambda: ck.validate(read, as_of=as_of), runs=runs)
    rec.add(n, "steps", "validate", times)
    if not result.ok:
        raise RuntimeError(f"the sample does not validate at {n:,} cases:\n{result.report.head()}")
    times, scores = timed(lambda: ck.score_risk(result, as_of=as_of), runs=runs)
    rec.add(n, "steps", "risk", times)
    rec.add(n, "steps", "case status", timed(lambda: ck.case_status(result, as_of=as_of, risk=scores), runs=runs)[0])
    rec.add(n, "steps", "events", timed(lambda: ck.events(result, as_of=as_of), runs=runs)[0])
    rec.add(n, "steps", "outcome summary", timed(lambda: _outcome_summary(ck, result, scores, as_of), runs=runs)[0])
    return read, scores


def _status_side_by_side(n: int, *, read: Any, scores: Any, pq: Path, args: argparse.Namespace, rec: Recorder) -> None:
    """casekit (validate + case_status), the bare-polars floor and pandas on the same frames and tiers."""
    import floor_polars

    import casekit as ck

    as_of, runs = ck.SAMPLE_AS_OF, args.runs
    tiers = scores.select("case_id", "effective_tier")

    def casekit_status() -> Any:
        return ck.case_status(ck.validate(read, as_of=as_of), as_of=as_of, risk=tiers)

    rec.add(n, "status", "status: casekit (validate + case_status)", timed(casekit_status, runs=runs)[0])
    times, _ = timed(lambda: floor_polars.case_status_floor(read.sheets, as_of=as_of, tiers=tiers), runs=runs)
    rec.add(n, "status", "status: floor (bare polars)", times)
    try:
        import baseline_duckdb
    except ImportError:  # pragma: no cover - duckdb is in the bench and test extras
        baseline_duckdb = None
    if baseline_duckdb is not None:  # reads the Parquet files itself: its time includes the read
        times, _ = timed(lambda: baseline_duckdb.case_status_duckdb(pq, as_of=as_of, tiers=tiers), runs=runs)
        rec.add(n, "status", STATUS[3], times)
    if n > args.pandas_limit:
        return
    import baseline_pandas

    times, frames = timed(lambda: baseline_pandas.read_parquet_folder(pq), runs=runs)
    rec.add(n, "status", "read parquet: pandas", times)
    tiers_pd = tiers.to_pandas()
    runs_pd = min(runs, args.pandas_runs) if args.pandas_runs else runs
    times, _ = timed(lambda: baseline_pandas.case_status_pandas(frames, as_of=as_of, tiers=tiers_pd), runs=runs_pd)
    rec.add(n, "status", "status: pandas", times)


def _excel_side_by_side(n: int, path: Path, runs: int, rec: Recorder) -> None:
    """The same one-sheet workbook (the ``cases`` sheet, n rows) read four ways."""
    import openpyxl
    import pandas as pd
    import polars as pl

    import casekit as ck

    def with_openpyxl() -> list[list[Any]]:
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return [list(row) for row in wb["cases"].iter_rows(values_only=True)]
        finally:
            wb.close()

    readers: dict[str, Callable[[], Any]] = {
        "excel: polars read_excel (calamine)": lambda: pl.read_excel(path, sheet_name="cases", engine="calamine"),
        "excel: ck.read_workbook (calamine)": lambda: ck.read_workbook(path, **BIG),
        "excel: openpyxl read_only": with_openpyxl,
        "excel: pandas read_excel (openpyxl)": lambda: pd.read_excel(path, sheet_name="cases", engine="openpyxl"),
    }
    for step, fn in readers.items():
        times, out = timed(fn, runs=runs)
        height = (
            out["cases"].height if step.startswith("excel: ck") else len(out) - (step == "excel: openpyxl read_only")
        )
        if height != n:
            raise RuntimeError(f"{step} read {height} rows, expected {n}")
        rec.add(n, "excel", step, times, note=EXCEL[step])


def _page_reruns(n: int, pq: Path, as_of: str, args: argparse.Namespace, rec: Recorder) -> None:
    pages = [p for p in args.pages if (ROOT / "pages" / f"{p}.py").exists()]
    out = _run_child("pages", pq, as_of, str(args.runs), *pages)
    if "error" in out:
        raise RuntimeError(f"the app failed on {n:,} cases: {out['error']}")
    rec.add(n, "pages", "app first load", [out["first_load_s"]])
    for page, got in out["pages"].items():
        if got.get("error"):
            raise RuntimeError(f"page {page} failed on {n:,} cases: {got['error']}")
        reruns = Times(got["reruns_s"], got["reruns_cpu_s"])
        rec.add(n, "pages", f"page rerun: {page}", reruns, first_visit_s=got["first_visit_s"])


# --------------------------------------------------------------------------------------
# Ratios, targets, report
# --------------------------------------------------------------------------------------


def ratios(rec: Recorder, sizes: list[int]) -> list[dict[str, Any]]:
    out = []
    for n in sizes:
        pandas = rec.median(n, "status: pandas")
        casekit = rec.median(n, "status: casekit (validate + case_status)")
        only = rec.median(n, "case status")
        floor = rec.median(n, "status: floor (bare polars)")
        duck = rec.median(n, STATUS[3])
        read = rec.median(n, "read parquet")
        with_read = casekit + read if casekit is not None and read is not None else None
        out += [
            {"cases": n, "ratio": "duckdb / casekit (validate + case_status)", "value": ratio(duck, casekit)},
            {"cases": n, "ratio": "duckdb / casekit (read + validate + case_status)", "value": ratio(duck, with_read)},
            {"cases": n, "ratio": "pandas / casekit (validate + case_status)", "value": ratio(pandas, casekit)},
            {"cases": n, "ratio": "pandas / casekit (case_status only)", "value": ratio(pandas, only)},
            {"cases": n, "ratio": "casekit (validate + case_status) / floor", "value": ratio(casekit, floor)},
            {"cases": n, "ratio": "casekit (case_status only) / floor", "value": ratio(only, floor)},
        ]
        cpu = {step: rec.median(n, step, "cpu_median_s") for step in (*STATUS, "case status")}
        out += [
            {
                "cases": n,
                "ratio": "pandas / casekit (validate + case_status), CPU time",
                "value": ratio(cpu[STATUS[0]], cpu[STATUS[1]]),
            },
            {
                "cases": n,
                "ratio": "casekit (validate + case_status) / floor, CPU time",
                "value": ratio(cpu[STATUS[1]], cpu[STATUS[2]]),
            },
        ]
        openpyxl = rec.median(n, "excel: openpyxl read_only")
        calamine = rec.median(n, "excel: polars read_excel (calamine)")
        if openpyxl is not None:
            out.append({"cases": n, "ratio": "openpyxl / polars calamine (Excel)", "value": ratio(openpyxl, calamine)})
    return [r for r in out if r["value"] is not None]


def _verdict(value: float | None, limit: float, *, at_least: bool = False) -> str:
    if value is None:
        return "n/a"
    return "PASS" if (value >= limit if at_least else value <= limit) else "MISS"


def targets(rec: Recorder) -> list[dict[str, Any]]:
    """The issue's targets, each PASS, MISS or n/a (a size it needs was not run)."""
    pipe = next((r for r in rec.rows if r["cases"] == 1_000_000 and r["step"] == "pipeline"), None)
    out = [
        {
            "target": f"whole pipeline on 1M cases from Parquet ≤ {TARGETS['pipeline_1m_s']:g} s",
            "value": pipe and pipe["median_s"],
            "limit": TARGETS["pipeline_1m_s"],
        },
        {
            "target": f"peak memory of the 1M pipeline ≤ {TARGETS['pipeline_1m_rss_mb']:,.0f} MiB (largest run)",
            "value": pipe and pipe["peak_rss_mb"],
            "limit": TARGETS["pipeline_1m_rss_mb"],
        },
    ]
    pandas, casekit = rec.median(100_000, STATUS[0]), rec.median(100_000, STATUS[1])
    out.append(
        {
            "target": "≥ 20× faster than pandas at 100k (pandas status / casekit validate + case_status)",
            "value": ratio(pandas, casekit),
            "limit": TARGETS["pandas_speedup_100k"],
            "at_least": True,
        }
    )
    for n in sorted({r["cases"] for r in rec.rows if r["cases"] >= 100_000} or {100_000}):  # fixed costs dominate below
        casekit, floor = rec.median(n, STATUS[1]), rec.median(n, STATUS[2])
        out.append(
            {
                "target": f"casekit (validate + case_status) ≤ {TARGETS['casekit_over_floor']:g}× "
                f"the bare-polars floor at {n:,}",
                "value": ratio(casekit, floor),
                "limit": TARGETS["casekit_over_floor"],
            }
        )
    duck, casekit = rec.median(1_000_000, STATUS[3]), rec.median(1_000_000, STATUS[1])
    read = rec.median(1_000_000, "read parquet")
    out.append(
        {
            "target": "faster than DuckDB on the same rules at 1M (duckdb / casekit read + validate + case_status)",
            "value": ratio(duck, casekit + read) if casekit is not None and read is not None else None,
            "limit": 1.0,
            "at_least": True,
        }
    )
    for step in (*STEPS, "pipeline"):
        out.append(
            {
                "target": f"{step}: time(1M) ≤ {TARGETS['growth_1m_over_100k']:g} × time(100k)",
                "value": ratio(rec.median(1_000_000, step), rec.median(100_000, step)),
                "limit": TARGETS["growth_1m_over_100k"],
            }
        )
    out.append(
        {
            "target": f"app first load at 100k ≤ {TARGETS['first_load_100k_s']:g} s (AppTest, from Parquet)",
            "value": rec.median(100_000, "app first load"),
            "limit": TARGETS["first_load_100k_s"],
        }
    )
    for page in PAGES:
        out.append(
            {
                "target": f"page rerun at 100k ≤ {TARGETS['page_rerun_100k_s']:g} s: {page}",
                "value": rec.median(100_000, f"page rerun: {page}"),
                "limit": TARGETS["page_rerun_100k_s"],
            }
        )
    for t in out:
        t["result"] = _verdict(t["value"], t["limit"], at_least=t.pop("at_least", False))
    return out


def _fmt(v: float | None, unit: str = " s") -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}{unit}" if unit == " MB" else f"{v:.2f}{unit}" if v < 100 else f"{v:,.0f}{unit}"


def markdown(doc: dict[str, Any]) -> str:
    """The results as a Markdown page (tables by group, ratios, targets, machine)."""
    rows, sizes, m = doc["results"], [s["cases"] for s in doc["sizes"]], doc["machine"]
    head = "| | " + " | ".join(f"{n:,} cases" for n in sizes) + " |\n|---|" + "---:|" * len(sizes)

    def line(label: str, step: str, key: str = "median_s", unit: str = " s") -> str | None:
        found = [next((r for r in rows if r["cases"] == n and r["step"] == step), None) for n in sizes]
        values = [r and r.get(key) for r in found]
        if all(v is None for v in values):
            return None
        cells = [_fmt(v, unit) for v in values]
        if key == "median_s":  # CPU time next to wall time
            cells = [
                c if not r or "cpu_median_s" not in r else f"{c} ({_fmt(r['cpu_median_s'])})"
                for c, r in zip(cells, found, strict=True)
            ]
        return f"| {label} | " + " | ".join(cells) + " |"

    out = [
        "# casekit pipeline benchmark",
        "",
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['ram_gb']} GB RAM), {m['os']}, "
        f"Python {m['python']}, polars {m['polars']}, pandas {m['pandas']}, openpyxl {m['openpyxl']}, "
        f"fastexcel {m['fastexcel']}. Load average at start: {m['load_average_at_start']} (a shared machine).",
        "",
        f"Command: `{doc['command']}`. Medians of {doc['settings']['runs']} runs, wall-clock seconds, then in "
        "brackets the process's CPU seconds (user + system, all threads) — on a shared machine the wall time also "
        "counts waiting for a core; min–max in `pipeline.json`.",
        "",
        "Caseloads: `ck.make_sample(n, seed=1)`: "
        + "; ".join(
            f"{s['cases']:,} cases → {s['rows']:,} rows ({s['rows_per_case']} per case, "
            f"{s['related_rows_per_case']} related rows per case)"
            for s in doc["sizes"]
        )
        + ".",
        "",
        "## Steps (seconds, in one process; scores given to case_status)",
        "",
        head,
    ]
    out += [x for x in (line(step, step) for step in STEPS) if x]
    out += [
        x
        for x in (
            line("**whole pipeline** (fresh process, from Parquet)", "pipeline"),
            line("whole pipeline: peak RSS (largest run)", "pipeline", "peak_rss_mb", " MB"),
            line("whole pipeline: Python + casekit import", "pipeline", "import_s"),
        )
        if x
    ]
    out += ["", "## Case status side by side (same frames, same tiers; seconds)", "", head]
    out += [x for x in (line(s, s) for s in ("read parquet: pandas", *STATUS, "case status")) if x]
    ratio_names = sorted({r["ratio"] for r in doc["ratios"] if "Excel" not in r["ratio"]})
    for name in ratio_names:
        values = [
            next((r["value"] for r in doc["ratios"] if r["cases"] == n and r["ratio"] == name), None) for n in sizes
        ]
        out.append(f"| {name} | " + " | ".join("—" if v is None else f"{v:,.1f}×" for v in values) + " |")
    out += [
        "",
        "pandas: `baseline_pandas.py` (groupby/agg per sheet, rules per case with `apply(axis=1)`), on frames read "
        "with `pd.read_parquet`; casekit: `ck.validate` + `ck.case_status` on the frames `ck.read_workbook` read; "
        "floor: `floor_polars.py` on those same frames (no validation, no explanation columns, no quarantine); "
        "duckdb: `baseline_duckdb.py`, the same rules in SQL over the Parquet files (its time includes reading them). "
        "All take the tiers `ck.score_risk` computed (not timed).",
        "",
        "## Excel reading: the `cases` sheet as a one-sheet workbook (n rows; seconds)",
        "",
        head,
    ]
    out += [x for x in (line(s, s) for s in EXCEL) if x]
    out += ["", "## Page reruns with AppTest (seconds)", "", head]
    out += [x for x in (line(s, s) for s in ["app first load", *(f"page rerun: {p}" for p in PAGES)]) if x]
    out += ["", "## Targets", "", "| target | measured | limit | result |", "|---|---:|---:|---|"]
    for t in doc["targets"]:
        value = "—" if t["value"] is None else f"{t['value']:,.2f}"
        out.append(f"| {t['target']} | {value} | {t['limit']:,g} | {t['result']} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xlsx-limit", type=int, default=100_000, help="largest size also read from XLSX")
    parser.add_argument("--csv-limit", type=int, default=10**9, help="largest size also read from CSV")
    parser.add_argument("--pandas-limit", type=int, default=100_000, help="largest size run with pandas")
    parser.add_argument("--pandas-runs", type=int, default=0, help="at most this many pandas runs (0: --runs)")
    parser.add_argument("--pages-limit", type=int, default=100_000, help="largest size the app is opened on")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help="pages to rerun (those that exist)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON (the Markdown goes next to it)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, folder, as_of, *rest = args.child
        if kind == "pipeline":
            out = pipeline_child(Path(folder), as_of)
        else:
            out = pages_child(Path(folder), as_of, rest[1:], int(rest[0]))
        print(json.dumps(out))
        return 0

    doc: dict[str, Any] = {
        "machine": machine(),
        "command": "python benchmarks/bench_pipeline.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "settings": {k: v for k, v in vars(args).items() if k not in ("out", "child")},
    }
    rec = Recorder()
    sizes = sorted(args.sizes)
    doc["sizes"] = [bench_size(n, args, rec) for n in sizes]
    doc["results"] = rec.rows
    doc["ratios"] = ratios(rec, sizes)
    doc["targets"] = targets(rec)
    doc["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    doc["settings"]["out"] = str(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1, default=str))
    text = markdown(doc)
    args.out.with_suffix(".md").write_text(text)
    print(text)
    for t in doc["targets"]:
        print(f"{t['result']:<5} {t['target']}: {'—' if t['value'] is None else round(t['value'], 2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
