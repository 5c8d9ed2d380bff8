"""``ck.open_caseload``: the one call the notebooks start from (sample, workbook or folder, workspace)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit import caseload

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("lang", "name"), [("es", "casekit_muestra_es.xlsx"), ("en", "casekit_sample_en")])
def test_the_sample_is_the_bundled_file_of_the_language(lang: str, name: str) -> None:
    assert caseload.sample_path(lang) == ROOT / "sample_data" / name  # read by the doctest and the notebooks


def test_without_the_sample_folder_the_same_cases_are_generated(monkeypatch: pytest.MonkeyPatch) -> None:
    # the bundled files are make_sample(N_CASES, seed=SEED) (tests/test_sample.py checks it): the same constants
    script = (ROOT / "sample_data" / "make_sample_data.py").read_text(encoding="utf-8")
    assert f"N_CASES = {caseload.SAMPLE_CASES}\n" in script
    assert f"SEED = {caseload.SAMPLE_SEED}\n" in script
    monkeypatch.setattr(caseload, "_SAMPLE_DIR", ROOT / "no_such_folder")
    monkeypatch.setattr(caseload, "SAMPLE_CASES", 12)
    assert caseload.sample_path("en") is None
    opened = ck.open_caseload("sample", lang="en")
    assert opened.source == "sample"
    assert opened.as_of == ck.SAMPLE_AS_OF
    assert opened.result.data["cases"].equals(ck.make_sample(12, seed=caseload.SAMPLE_SEED, lang="en")["cases"])


def test_a_workbook_is_read_and_validated_as_of_the_date_given(tmp_path: Path) -> None:
    book = tmp_path / "equipo.xlsx"
    ck.write_workbook(ck.make_sample(20, seed=4, lang="es"), book, lang="es")
    opened = ck.open_caseload(book, as_of="2026-06-30", lang="es")
    assert opened.as_of == dt.date(2026, 6, 30)
    assert opened.source == str(book)
    assert opened.result.data["cases"].height == 20
    later = opened.result.data["cases"].filter(pl.col("opened_on") > dt.date(2026, 6, 30)).height
    assert opened.result.report.filter(pl.col("check") == "opened_after_as_of").height == later


def test_the_team_data_defaults_to_today(tmp_path: Path) -> None:
    ck.write_workbook(ck.make_sample(5, seed=4), tmp_path / "book", format="csv")
    assert ck.open_caseload(tmp_path / "book").as_of == dt.date.today()


def test_the_broken_workbook_opens_with_its_errors_quarantined() -> None:
    opened = ck.open_caseload(ROOT / "sample_data" / "casekit_broken_es.xlsx", as_of=ck.SAMPLE_AS_OF)
    assert opened.result.n_errors > 0
    assert sum(df.height for df in opened.result.quarantined.values()) > 0


def test_a_workspace_file_is_read_with_what_it_holds(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    with ck.Workspace.open(db) as ws:
        ws.import_workbook(ck.make_sample(15, seed=2), actor="test", as_of=ck.SAMPLE_AS_OF)
    opened = ck.open_caseload(db, as_of=ck.SAMPLE_AS_OF, lang="en")
    assert opened.source.startswith("sqlite:///")
    assert opened.source.endswith("team.db")
    assert opened.result.data["cases"].height == 15
    assert opened.result.n_errors == 0


def test_a_missing_workspace_file_is_an_error_not_an_empty_workspace(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"team\.db"):
        ck.open_caseload(tmp_path / "team.db")
    assert not (tmp_path / "team.db").exists()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("casekit.db", True),
        ("data/Team.SQLite", True),
        ("postgresql+psycopg://eva@db/team", True),
        ("sqlite:///casekit.db", True),
        ("team.xlsx", False),
        ("data/casekit_sample_en", False),
        ("contacts.csv", False),
    ],
)
def test_what_names_a_workspace(source: str, expected: bool) -> None:
    assert caseload.is_workspace(source) is expected
