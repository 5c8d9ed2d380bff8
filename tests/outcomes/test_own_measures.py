"""A team's own measures catalogue decides which measures complete stage 9 on their own
(issue 17): the library's ``measures=`` and the CLI's ``--measures FILE``.

Hand-built caseload: three closed cases, each screened, with one discharge value and no
baseline: ``S`` satisfaction (CSQ-8), ``F`` the team's own ``falls_3m``, ``P`` PHQ-9. With the
shipped catalogue only ``S`` is evaluated; a team file that makes ``falls_3m`` post-only and
CSQ-8 not post-only evaluates ``F`` and leaves ``S`` and ``P`` closed without outcomes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from casekit.report import build_report
from casekit.stages import NO_RISK, case_status, stage_entries
from tests.cli_runner import run_casekit

from .conftest import caseload, m

AS_OF = dt.date(2026, 9, 30)
OWN = """
[measures.falls_3m]
domain = "physical_function"
higher_is_better = false
kind = "count"
post_only = true

[measures.CSQ-8]
domain = "satisfaction"
higher_is_better = true
kind = "rating"
post_only = false
"""
SHIPPED = {"S": False, "F": True, "P": True}  # closed_without_outcomes by case
OWN_FLAGS = {"S": True, "F": False, "P": True}


def caseload_rows() -> dict[str, list[dict]]:
    screened = {"screened_on": "2026-01-03", "decision": "refer_to_assessment"}
    ids = ("S", "F", "P")
    return {
        "cases": [{"case_id": c, "opened_on": "2026-01-01", "closed_on": "2026-06-01"} for c in ids],
        "screenings": [{"case_id": c, **screened} for c in ids],
        "outcomes": [
            m("S", "2026-06-01", 27, "discharge", measure="CSQ-8", domain="satisfaction", higher_is_better=True),
            m("F", "2026-06-01", 1, "discharge", measure="falls_3m", domain="physical_function"),
            m("P", "2026-06-01", 9, "discharge"),
        ],
    }


def _without_outcomes(status: pl.DataFrame) -> dict[str, bool]:
    return {r["case_id"]: "closed_without_outcomes" in r["flags"] for r in status.iter_rows(named=True)}


@pytest.mark.parametrize(("measures", "expected"), [(None, SHIPPED), (OWN, OWN_FLAGS)])
def test_the_catalogue_decides_which_measure_evaluates_a_case_alone(measures: str | None, expected: dict) -> None:
    status = case_status(caseload(**caseload_rows()), as_of=AS_OF, risk=NO_RISK, measures=measures)
    assert _without_outcomes(status) == expected


def test_the_report_uses_the_same_catalogue_for_its_status_and_figures() -> None:
    data = caseload(**caseload_rows())
    shipped = build_report(data, as_of=AS_OF, lang="en")
    own = build_report(data, as_of=AS_OF, lang="en", measures=OWN)
    assert _without_outcomes(shipped.sheets["status"]) == SHIPPED
    assert _without_outcomes(own.sheets["status"]) == OWN_FLAGS
    # the stage entries are computed with the same catalogue (same three cases, stage 1 and 2)
    assert stage_entries(data, as_of=AS_OF, measures=OWN).height == 6


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The caseload as a folder of CSV files, and the team's catalogue beside it."""
    root = tmp_path_factory.mktemp("own_measures")
    book = root / "book"
    book.mkdir()
    for name, rows in caseload_rows().items():
        pl.DataFrame(rows).write_csv(book / f"{name}.csv")
    (root / "own.toml").write_text(OWN, encoding="utf-8")
    (root / "bad.toml").write_text(OWN.replace("post_only = true", "post_only = true\ncolour = 'red'"), "utf-8")
    return root


def test_cli_status_and_worklist_follow_measures_file(folder: Path) -> None:
    base = ("--as-of", AS_OF.isoformat(), "--lang", "en")
    shipped = run_casekit("status", folder / "book", *base, "--out", folder / "shipped.parquet")
    own_args = ("--measures", folder / "own.toml", "--out", folder / "own.parquet")
    own = run_casekit("status", folder / "book", *base, *own_args)
    assert (shipped.returncode, own.returncode) == (0, 0), shipped.stderr + own.stderr
    assert _without_outcomes(pl.read_parquet(folder / "shipped.parquet")) == SHIPPED
    assert _without_outcomes(pl.read_parquet(folder / "own.parquet")) == OWN_FLAGS
    work = run_casekit(
        "worklist", folder / "book", *base, "--measures", folder / "own.toml", "--out", folder / "w.parquet"
    )
    assert work.returncode == 0, work.stderr
    listed = pl.read_parquet(folder / "w.parquet").filter(pl.col("flag") == "closed_without_outcomes")
    assert sorted(listed["case_id"]) == ["P", "S"]


@pytest.mark.parametrize(
    ("command", "lang", "words"),
    [("status", "es", "Ajuste desconocido"), ("report", "en", "Unknown setting")],
)
def test_cli_bad_measures_file_exit_2_naming_the_key(folder: Path, command: str, lang: str, words: str) -> None:
    out = folder / ("bad.xlsx" if command == "report" else "bad.csv")
    done = run_casekit(
        command, folder / "book", "--as-of", AS_OF.isoformat(), "--lang", lang,
        "--measures", folder / "bad.toml", "--out", out,
    )  # fmt: skip
    assert done.returncode == 2
    assert words in done.stderr
    assert "measures.falls_3m.colour" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
