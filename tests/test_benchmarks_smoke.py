"""The benchmark script still runs (tiny size); speed itself is measured by the benchmark, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_foundation_benchmark_runs_and_records_every_step(tmp_path: Path) -> None:
    out = tmp_path / "foundation.json"
    script = ROOT / "benchmarks" / "bench_foundation.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--sizes", "300", "--runs", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())["results"]
    steps = {r["step"] for r in results}
    assert steps == {
        "make_sample",
        "write parquet",
        "read parquet",
        "read csv",
        "read xlsx",
        "validate",
        "peak_rss_mb",
    }
    assert all(r["median_s"] > 0 for r in results if "median_s" in r)
    assert "| validate |" in proc.stdout
