"""A folder's sheets are read and parsed on several threads: same frames, same errors."""

from __future__ import annotations

import threading
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
from casekit.errors import UnreadableFileError
from casekit.io import read_workbook
from casekit.io._jobs import run_all


def test_jobs_run_side_by_side_and_come_back_in_order() -> None:
    if pl.thread_pool_size() < 2:
        pytest.skip("polars runs on one thread here")
    meet = threading.Barrier(2, timeout=60)  # broken (an error) unless two jobs run at once

    def job(i: int) -> int:
        meet.wait()
        return i

    outcomes = run_all([lambda: job(0), lambda: job(1)], weights=[1, 2])
    assert [(o.value, o.error) for o in outcomes] == [(0, None), (1, None)]


def test_a_thread_that_cannot_start_leaves_its_jobs_to_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    outcomes = run_all([lambda: 1, lambda: 2, lambda: 3])
    assert [o.value for o in outcomes] == [1, 2, 3]


def test_a_folder_reads_the_same_on_one_thread_and_on_several(tmp_path: Path) -> None:
    ck.write_workbook(ck.make_sample(60, seed=4), tmp_path, format="parquet")
    together = read_workbook(tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pl, "thread_pool_size", lambda: 1)
        alone = read_workbook(tmp_path)
    assert list(together.sheets) == list(alone.sheets)
    for sheet in together.sheets:
        assert_frame_equal(together[sheet], alone[sheet], check_exact=True)
    assert_frame_equal(together.issues, alone.issues, check_exact=True)


def test_the_first_file_that_fails_gives_the_error(tmp_path: Path) -> None:
    """One file after another: a damaged first file is the error, not a later file's
    duplicate sheet, found before any file is read."""
    ck.write_workbook(ck.make_sample(20, seed=1), tmp_path, format="parquet")
    (tmp_path / "cases.parquet").write_bytes(b"PAR1" + bytes(40) + b"PAR1")
    (tmp_path / "goals.csv").write_text("goal_id,case_id\nG1,C1\n", encoding="utf-8")  # a second goals sheet
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(tmp_path)
    assert info.value.key == "io.corrupt_file"
    (tmp_path / "cases.parquet").unlink()
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(tmp_path)
    assert info.value.key == "io.duplicate_sheet"


def test_read_errors_come_before_a_sheet_without_header(tmp_path: Path) -> None:
    ck.write_workbook(ck.make_sample(20, seed=1), tmp_path, format="parquet")
    pl.DataFrame({"foo": [1], "bar": [2]}).write_parquet(tmp_path / "assessments.parquet")
    (tmp_path / "transitions.parquet").write_bytes(b"PAR1" + bytes(40) + b"PAR1")
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(tmp_path)
    assert info.value.key == "io.corrupt_file"
    (tmp_path / "transitions.parquet").unlink()
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(tmp_path)
    assert info.value.key == "io.no_header"
