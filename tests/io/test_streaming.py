"""The streaming path (issue 18, "beyond memory") gives what the in-memory path gives.

A folder of Parquet files scanned by ``ck.scan_caseload`` (lazy sheets) is validated by
the same polars queries on the streaming engine, and ``score_risk``, ``case_status``,
``events`` and the report computed from it equal, frame for frame, what the workbook read
into memory gives — on a clean sample, on one with errors of every kind (quarantine,
unknown case, duplicate id), and on a caseload written as parts per sheet by the chunked
generator. The command line's ``--streaming`` writes the same files byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
from casekit.contract import ROW, SHEET_ORDER
from casekit.report import build_report
from casekit.stages import _events, _status
from tests.benchmarks import load_bench
from tests.cli_runner import run_casekit

AS_OF = ck.SAMPLE_AS_OF


def _broken(data: ck.CaseData) -> ck.CaseData:
    """``data`` with errors: a contact without case and one of an unknown case, a case
    without opening date, a repeated case id, an out-of-range PHQ-9."""
    s = dict(data.sheets)
    row = pl.col(ROW)
    s["contacts"] = s["contacts"].with_columns(
        case_id=pl.when(row == 5).then(None).when(row == 6).then(pl.lit("ZZZ")).otherwise(pl.col("case_id"))
    )
    s["cases"] = s["cases"].with_columns(
        opened_on=pl.when(row == 10).then(None).otherwise(pl.col("opened_on")),
        case_id=pl.when(row == 12).then(pl.lit("C00011")).otherwise(pl.col("case_id")),
    )
    s["assessments"] = s["assessments"].with_columns(phq9=pl.when(row == 3).then(99).otherwise(pl.col("phq9")))
    return ck.CaseData(s)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("streaming")
    sample = ck.make_sample(250, seed=4)
    parts = load_bench("sample_parts").write_sample_parts(root / "parts", 250, chunk=100, seed=4)
    return {
        "clean": ck.write_workbook(sample, root / "clean"),
        "broken": ck.write_workbook(_broken(sample), root / "broken"),
        "parts": parts,
    }


def _in_memory(folder: Path) -> ck.CaseData:
    """The caseload read whole: the workbook reader, or every part of a sheet for parts."""
    if (folder / "cases").is_dir():  # the sheet names as the files give them, as a reader records them
        headers = ck.scan_caseload(folder).headers
        return ck.CaseData({s: pl.read_parquet(folder / s) for s in SHEET_ORDER}, headers=headers)
    return ck.read_workbook(folder)


@pytest.mark.parametrize("name", ["clean", "broken", "parts"])
def test_scanned_caseload_gives_the_in_memory_results(
    folders: dict[str, Path], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_status, "RANGE_CASES", 60)  # the status of scanned cases in ranges of 60
    scanned = ck.scan_caseload(folders[name])
    assert all(isinstance(df, pl.LazyFrame) for df in scanned.sheets.values())
    lazy = ck.validate(scanned, as_of=AS_OF, lang="es")
    eager = ck.validate(_in_memory(folders[name]), as_of=AS_OF, lang="es")
    assert_frame_equal(lazy.report, eager.report)
    assert lazy.n_quarantined() == eager.n_quarantined()
    assert bool(eager.n_quarantined()) == (name == "broken")  # the errors were caught
    for sheet, held in eager.quarantined.items():
        assert_frame_equal(lazy.quarantined[sheet], held)
    for sheet, df in eager.data.sheets.items():
        assert isinstance(lazy.data[sheet], pl.LazyFrame)  # the clean rows stay a query
        assert_frame_equal(lazy.data[sheet].collect(), df)
    scores = ck.score_risk(lazy, as_of=AS_OF)
    assert_frame_equal(scores, ck.score_risk(eager, as_of=AS_OF))
    assert_frame_equal(ck.case_status(lazy, as_of=AS_OF), ck.case_status(eager, as_of=AS_OF))
    assert_frame_equal(
        ck.case_status(lazy, as_of=AS_OF, risk=scores, engine="streaming"),
        ck.case_status(eager, as_of=AS_OF, risk=scores, engine="in-memory"),
    )
    assert_frame_equal(ck.events(lazy, as_of=AS_OF), ck.events(eager, as_of=AS_OF))
    assert len(_status.case_ranges(lazy.data)) == 5  # 250 cases (less any set aside), 60 a range


def test_events_sorted_range_by_range_equal_the_whole_sort(folders: dict[str, Path]) -> None:
    data = ck.read_workbook(folders["broken"])
    clean = ck.validate(data, as_of=AS_OF).data
    ranges = _events.log_ranges(clean, _events._unsorted(clean, None), rows=400)
    assert len(ranges) > 5
    whole = ck.events(data, engine="in-memory")
    assert whole["case_id"].null_count() == 1  # the contact without a case comes first
    assert_frame_equal(ck.events(data, engine="streaming"), whole)
    assert_frame_equal(ck.events(ck.scan_caseload(folders["broken"]), engine="streaming"), whole)


def test_the_report_from_scanned_files_equals_the_report_in_memory(folders: dict[str, Path]) -> None:
    lazy = build_report(ck.validate(ck.scan_caseload(folders["broken"]), as_of=AS_OF), as_of=AS_OF)
    eager = build_report(ck.validate(ck.read_workbook(folders["broken"]), as_of=AS_OF), as_of=AS_OF)
    assert lazy.figures == eager.figures
    for part in ("by_stage", "flags"):
        assert_frame_equal(getattr(lazy, part), getattr(eager, part))
    for key, df in {**eager.sheets, **eager.extra}.items():
        assert_frame_equal({**lazy.sheets, **lazy.extra}[key], df)


def test_cli_streaming_writes_the_same_files(folders: dict[str, Path], tmp_path: Path) -> None:
    said: dict[str, list[str]] = {}
    for mode in ("plain", "streaming"):
        extra = ["--streaming"] if mode == "streaming" else []
        for command, out in (("status", "status.csv"), ("events", "events.parquet")):
            proc = run_casekit(
                command, folders["broken"], "--as-of", "2026-09-30", "--out", tmp_path / mode / out, *extra
            )
            assert proc.returncode == 0, proc.stderr
            assert "left out" in proc.stderr  # the quarantine note, in both modes
            said.setdefault(mode, []).append(proc.stdout.replace(str(tmp_path / mode), ""))
    assert said["plain"] == said["streaming"]  # the same counts of cases and events
    assert "250 cases" in said["plain"][0]
    for out in ("status.csv", "events.parquet"):
        assert (tmp_path / "plain" / out).read_bytes() == (tmp_path / "streaming" / out).read_bytes()
    assert not list(tmp_path.glob("*/.casekit-events-*"))  # the temporary parts are removed


def test_cli_streaming_needs_a_folder(folders: dict[str, Path], tmp_path: Path) -> None:
    proc = run_casekit(
        "status",
        folders["clean"] / "cases.parquet",
        "--as-of",
        "2026-09-30",
        "--out",
        tmp_path / "s.csv",
        "--streaming",
        "--lang",
        "en",
    )
    assert proc.returncode == 2
    assert "is not a folder" in proc.stderr
