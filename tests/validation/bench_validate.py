"""Benchmark of :func:`casekit.validation.validate` on synthetic data (not a test).

Run: ``python -m tests.validation.bench_validate [n_cases] [contacts_per_case]``. Builds
``n_cases`` cases with one screening, assessment, goal, service and outcome each plus
``contacts_per_case`` contacts, a few bad cells, and prints the time per step.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import polars as pl


def synthetic(n_cases: int, contacts_per_case: int = 3, *, seed: int = 0) -> dict[str, pl.DataFrame]:
    """Frames of a large valid-ish workbook (0.1 % of the assessments out of range)."""
    rng = np.random.default_rng(seed)
    ids = pl.Series("case_id", np.arange(n_cases)).cast(pl.String).str.pad_start(7, "0")
    days = pl.date_range(dt.date(2024, 1, 1), dt.date(2025, 11, 30), eager=True)
    opened = days.sample(n_cases, with_replacement=True, seed=seed).alias("opened_on")

    def rows(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(_row=pl.int_range(2, df.height + 2, dtype=pl.Int64))

    cases = pl.DataFrame({"case_id": ids, "opened_on": opened, "sex": rng.choice(["female", "male"], n_cases)})
    after = pl.col("opened_on") + pl.duration(days=pl.lit(5))
    phq9 = rng.integers(0, 28, n_cases)
    phq9[rng.random(n_cases) < 0.001] = 40
    k = contacts_per_case
    contact_case = np.repeat(np.arange(n_cases), k)
    return {
        "cases": rows(cases),
        "screenings": rows(cases.select("case_id", screened_on=after, decision=pl.lit("refer_to_assessment"))),
        "assessments": rows(
            cases.select("case_id", assessed_on=after).with_columns(
                phq9=pl.Series(phq9),
                systolic_bp=pl.Series(rng.integers(100, 180, n_cases)),
                diastolic_bp=pl.Series(rng.integers(50, 95, n_cases)),
                bmi=pl.Series(rng.uniform(15, 45, n_cases)),
                housing=pl.Series(rng.choice(["stable", "at_risk", "homeless"], n_cases)),
            )
        ),
        "goals": rows(
            cases.select(
                goal_id="G" + pl.col("case_id"),
                case_id="case_id",
                set_on=after,
                target_on=after + pl.duration(days=60),
                status=pl.lit("in_progress"),
            )
        ),
        "services": rows(cases.select(service_id="S" + pl.col("case_id"), case_id="case_id", start_on=after)),
        "contacts": rows(
            cases[contact_case].select(
                contact_id=pl.format("K{}-{}", "case_id", pl.int_range(pl.len()) % k),
                case_id="case_id",
                contact_on=after + pl.duration(days=pl.int_range(pl.len()) % k * 14),
                status=pl.lit("attended"),
            )
        ),
        "outcomes": rows(
            cases.select(
                "case_id", measured_on=after, measure=pl.lit("PHQ-9"), value=pl.lit(10.0), timepoint=pl.lit("baseline")
            )
        ),
    }


def main(n_cases: int = 1_000_000, contacts_per_case: int = 3) -> None:
    from casekit.data import CaseData
    from casekit.validation import validate

    t0 = time.perf_counter()
    sheets = synthetic(n_cases, contacts_per_case)
    total = sum(df.height for df in sheets.values())
    print(f"built {total:,} rows ({n_cases:,} cases) in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    result = validate(CaseData(sheets), lang="es", as_of=dt.date(2026, 1, 1))
    print(f"validate: {time.perf_counter() - t0:.2f} s, {result.report.height:,} report rows, {result.n_quarantined()}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
