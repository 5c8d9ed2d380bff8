"""``CASEKIT_DATA`` points the sidebar's "sample" source at a workbook or folder on the
server (``CASEKIT_AS_OF`` sets its as-of date): how the benchmark opens the app on 100k cases."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

import casekit as ck
from casekit.report import key_figures
from casekit.ui.derived import AS_OF_ENV, DATA_ENV, SAMPLE_WORKBOOK, data_source, path_key
from tests.app.conftest import open_app

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def caseload() -> ck.CaseData:
    return ck.make_sample(40, seed=3)


@pytest.fixture
def folder(tmp_path: Path, caseload: ck.CaseData) -> Path:
    out = tmp_path / "caseload"
    ck.write_workbook(caseload, out, format="parquet")
    return out


def _open_cases(data: ck.CaseData, as_of: dt.date) -> int:
    result = ck.validate(data, as_of=as_of)
    status = ck.case_status(result, as_of=as_of)
    changes = ck.outcome_changes(result, as_of=as_of)
    entries = ck.stage_entries(result.data, as_of=as_of)
    return key_figures(result, status=status, changes=changes, entries=entries)["open_cases"]


def test_the_env_var_replaces_the_sample_with_the_folder(
    monkeypatch: pytest.MonkeyPatch, folder: Path, caseload: ck.CaseData
) -> None:
    monkeypatch.setenv(DATA_ENV, str(folder))
    monkeypatch.setenv(AS_OF_ENV, AS_OF.isoformat())
    at = open_app(lang="en")
    assert at.date_input(key="as_of").value == AS_OF
    assert any(folder.name in c.value for c in at.main.caption)
    assert at.radio(key="source").format_func("sample") == f"{folder.name} (CASEKIT_DATA)"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Open cases"] == f"{_open_cases(caseload, AS_OF):,}"
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert at.dataframe[0].value.iloc[0].tolist()[1:] == [40, 0]  # the folder's 40 cases, none quarantined


def test_a_workbook_file_works_and_the_as_of_defaults_to_today(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caseload: ck.CaseData
) -> None:
    workbook = tmp_path / "big.xlsx"
    ck.write_workbook(caseload, workbook)
    monkeypatch.setenv(DATA_ENV, str(workbook))
    monkeypatch.delenv(AS_OF_ENV, raising=False)
    at = open_app("data", lang="en")
    assert at.date_input(key="as_of").value == dt.date.today()
    assert at.dataframe[0].value.iloc[0].tolist()[1:] == [40, 0]


def test_a_missing_path_is_a_message_not_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "nowhere.xlsx"))
    at = open_app(lang="en")
    assert not at.exception
    assert at.error, "the unreadable path is explained"
    assert not at.metric


def test_without_the_env_var_the_bundled_sample_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_ENV, raising=False)
    path, _, as_of = data_source()
    assert path == SAMPLE_WORKBOOK
    assert as_of == ck.SAMPLE_AS_OF


def test_a_bad_as_of_falls_back_to_today(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv(DATA_ENV, str(folder))
    monkeypatch.setenv(AS_OF_ENV, "30/06/2026")
    assert data_source()[2] == dt.date.today()


def test_the_key_follows_the_files_names_sizes_and_times(folder: Path) -> None:
    before = path_key(folder)
    assert path_key(folder) == before
    cases = folder / "cases.parquet"
    info = cases.stat()
    os.utime(cases, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert path_key(folder) != before
