"""The ``casekit`` console script, run as a subprocess like a user would."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from casekit.io import read_workbook
from tests.cli_runner import run_casekit as run

BROKEN_CASES = (
    "case_id;opened_on;closed_on;sex\n"
    "C-1;05/01/2026;;mujer\n"
    "C-2;31/02/2026;;male\n"  # impossible date -> row 3
    "C-3;10/01/2026;01/01/2026;female\n"  # closed before opened -> row 4
)
BROKEN_SCREENINGS = (
    "id_caso;fecha_cribado;decision\n"
    "C-1;03/01/2026;derivar a evaluación\n"  # before opening -> row 2
    "C-9;10/01/2026;refer_to_assessment\n"  # unknown case -> row 3
)


@pytest.fixture
def broken_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "cases.csv").write_text(BROKEN_CASES, encoding="cp1252")
    (folder / "cribados.csv").write_text(BROKEN_SCREENINGS, encoding="cp1252")
    return folder


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "en"
    proc = run("sample", "--cases", "60", "--seed", "3", "--out", out, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    return out


def test_sample_then_validate_has_no_errors(sample_folder: Path) -> None:
    assert (sample_folder / "cases.csv").exists()
    assert read_workbook(sample_folder)["cases"].height == 60
    proc = run("validate", sample_folder, "--lang", "en", "--as-of", "2026-09-30")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 errors" in proc.stdout


def test_validate_broken_folder_json_names_sheet_row_column(broken_folder: Path) -> None:
    proc = run("validate", broken_folder, "--lang", "es", "--format", "json", "--as-of", "2026-09-30")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report, "a broken workbook must report problems"
    assert set(report[0]) == {"sheet", "row", "column", "value", "check", "severity", "message"}
    where = [(r["sheet"], r["row"], r["column"]) for r in report]
    assert len(where) == len(set(where)), "one problem per cell: an unreadable date is not also 'missing'"
    by_where = dict(zip(where, report, strict=True))
    # the sheets and columns are named as the user wrote them
    assert by_where[("cases", 3, "opened_on")]["value"] == "31/02/2026"
    assert by_where[("cases", 3, "opened_on")]["check"] == "not_a_date"
    assert by_where[("cribados", 2, "fecha_cribado")]["check"] == "before_opening"
    assert "apertura" in by_where[("cribados", 2, "fecha_cribado")]["message"]
    assert by_where[("cribados", 3, "id_caso")]["check"] == "unknown_case"
    assert any(r["row"] == 4 and r["sheet"] == "cases" and r["severity"] == "error" for r in report)


def test_validate_text_output_in_english(broken_folder: Path) -> None:
    proc = run("validate", broken_folder, "--lang", "en", "--as-of", "2026-09-30")
    assert proc.returncode == 1
    first = proc.stdout.splitlines()[0]
    assert first.startswith("broken: ")
    assert "errors" in first
    assert "cribados, row 2 · fecha_cribado" in proc.stdout


def test_validate_writes_safe_report(broken_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    proc = run("validate", broken_folder, "--lang", "en", "--out", out)
    assert proc.returncode == 1
    report = pl.read_csv(out, infer_schema=False)
    assert {"Sheet", "Row", "Column", "Message"} <= set(report.columns)
    assert set(report["Severity"]) <= {"error", "warning"}
    assert report.height >= 4


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.xlsx", b""),
        ("random.xlsx", os.urandom(2048)),
        ("text.ods", b"this is not a spreadsheet"),
        ("locked.xlsx", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600),
        ("notes.docx", b"PK\x03\x04whatever"),
    ],
)
def test_unreadable_files_exit_2_with_one_clear_message(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    for lang in ("es", "en"):
        proc = run("validate", path, "--lang", lang)
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert name in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_missing_path_exits_2(tmp_path: Path) -> None:
    proc = run("validate", tmp_path / "nope.xlsx", "--lang", "es")
    assert proc.returncode == 2
    assert "nope.xlsx" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("lang", "sheet", "header"), [("es", "casos", "id_caso"), ("en", "cases", "case_id")])
def test_template_is_read_back_as_empty_workbook(tmp_path: Path, lang: str, sheet: str, header: str) -> None:
    out = tmp_path / f"template_{lang}.xlsx"
    proc = run("template", "--lang", lang, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert pl.read_excel(out, sheet_name=sheet).columns[0] == header
    data = read_workbook(out)
    assert data["cases"].height == 0
    assert data.issues.height == 0


def test_sample_xlsx_in_spanish_validates(tmp_path: Path) -> None:
    out = tmp_path / "muestra.xlsx"
    proc = run("sample", "--cases", "40", "--seed", "7", "--out", out, "--lang", "es")
    assert proc.returncode == 0, proc.stderr
    assert "casos" in pl.read_excel(out, sheet_id=0, engine="calamine")
    proc = run("validate", out, "--lang", "es", "--as-of", "2026-09-30", "--format", "json")
    assert proc.returncode == 0, proc.stdout[:2000]
    assert all(r["severity"] == "warning" for r in json.loads(proc.stdout))
