"""The steps issue 18 carried onto the integer case index, in one process, CPU seconds each.

Reads and validates a Parquet caseload (``profile_pipeline.py`` makes one), computes the case
index once (its own step), then times risk, status, stage entries, the outcome tables, goals,
utilisation, post-only values, the cohort frame and five Learn walkthroughs, each given the
tables the app gives it. Prints ``{step: [cpu_s, wall_s]}`` as JSON; ``--out DIR`` also
writes each table as Parquet (to compare two versions' outputs).

Run alternately with two copies of the package (``git archive REV casekit | tar -x -C DIR``)::

    PYTHONPATH=/tmp/base python benchmarks/profile_index.py benchmarks/data/parquet_100000
    PYTHONPATH=/tmp/new python benchmarks/profile_index.py benchmarks/data/parquet_100000 --out /tmp/new-out
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(folder: Path, out: Path | None = None) -> dict[str, tuple[float, float]]:
    """Every step once: ``{step: (CPU seconds, wall seconds)}``."""
    import polars as pl

    import casekit as ck
    import casekit._case_index as ci
    from casekit import cohort as co
    from casekit import outcomes as oc
    from casekit.learn import walkthrough

    as_of = ck.SAMPLE_AS_OF
    result = ck.validate(ck.read_workbook(folder, max_bytes=10**10, max_unzipped_bytes=10**11), as_of=as_of)
    times: dict[str, tuple[float, float]] = {}
    tables: dict[str, pl.DataFrame] = {}

    def step(name: str, call: Callable[[], Any]) -> Any:
        cpu, wall = _cpu(), time.perf_counter()
        got = call()
        times[name] = (round(_cpu() - cpu, 3), round(time.perf_counter() - wall, 3))
        if isinstance(got, pl.DataFrame):
            tables[name] = got
        return got

    step("index", lambda: ci.coded(result.data))
    scores = step("score_risk", lambda: ck.score_risk(result, as_of=as_of))
    status = step("case_status", lambda: ck.case_status(result, as_of=as_of, risk=scores))
    step("case_status_own_risk", lambda: ck.case_status(result, as_of=as_of))
    entries = step("stage_entries", lambda: ck.stage_entries(result.data, as_of=as_of))
    changes = step("outcome_changes", lambda: ck.outcome_changes(result, as_of=as_of))
    by = ["domain", "measure", "effective_tier"]
    step("outcome_summary", lambda: oc.outcome_summary(result, by, as_of=as_of, changes=changes, scores=scores))
    step("outcome_summary_alone", lambda: oc.outcome_summary(result, ["program", "age_band"], as_of=as_of))
    use = step("utilisation_changes", lambda: ck.utilisation_changes(result, as_of=as_of))
    step(
        "utilisation_summary",
        lambda: oc.utilisation_summary(result, ["program"], as_of=as_of, changes=use, scores=scores),
    )
    rates = step("utilisation_rates", lambda: ck.utilisation_rates(result, as_of=as_of))
    step("rate_summary", lambda: oc.utilisation_rate_summary(result, ["program"], as_of=as_of, rates=rates))
    progress = step("goal_progress", lambda: ck.goal_progress(result, as_of=as_of))
    step(
        "goal_attainment",
        lambda: oc.goal_attainment(result, ["owner", "effective_tier"], as_of=as_of, progress=progress, scores=scores),
    )
    step("post_only", lambda: oc.post_only_values(result, as_of=as_of))
    step(
        "cohort_frame",
        lambda: co.cohort_frame(result, as_of=as_of, status=status, entries=entries, changes=changes),
    )
    picks = sorted({min(k, status.height - 1) for k in (0, 1000, 20000, status.height // 2, status.height - 1)})
    ids = status["case_id"].gather(picks).to_list()  # five clients (fewer on a tiny caseload)
    step("learn_5_clients", lambda: [walkthrough(result, i, as_of=as_of) for i in ids])
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            frame.write_parquet(out / f"{name}.parquet")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a Parquet caseload (profile_pipeline.py makes one)")
    parser.add_argument("--out", type=Path, default=None, help="write each table as Parquet here")
    args = parser.parse_args()
    print(json.dumps(run(args.folder, args.out)))


if __name__ == "__main__":
    main()
