"""``casekit deidentify`` as a user runs it (console script in a subprocess); ``test_handler_*`` in-process."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.deid_cli import SALT_ENV, register, run_deidentify
from casekit.export import write_workbook
from tests.builders import frame
from tests.cli_runner import run_casekit as run

IDENTIFYING = {"client_name", "birth_date", "notes", "description", "reason", "prior_services"}


@pytest.fixture(scope="module")
def sample() -> ck.CaseData:
    return ck.make_sample(60, seed=3)


@pytest.fixture(scope="module")
def workbook(sample: ck.CaseData, tmp_path_factory) -> Path:
    """The sample as a Parquet folder, plus one contact of an unknown case (an error: quarantined)."""
    bad = frame("contacts", [{"contact_id": "KX", "case_id": "NO-SUCH-CASE", "contact_on": "2026-01-05"}])
    sheets = {**sample.sheets, "contacts": pl.concat([sample["contacts"], bad.select(sample["contacts"].columns)])}
    folder = tmp_path_factory.mktemp("deid") / "book"
    write_workbook(ck.CaseData(sheets), folder, format="parquet")
    return folder


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="casekit")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["deidentify", *argv])


def _names_and_notes(sample: ck.CaseData) -> set[str]:
    return set(pl.concat([sample["cases"]["client_name"], sample["contacts"]["notes"]]).drop_nulls().to_list())


def _cells(data: ck.CaseData) -> set[str]:
    out: set[str] = set()
    for df in data.sheets.values():
        out.update(df.select(pl.all().cast(pl.String)).unpivot(value_name="__cell")["__cell"].drop_nulls().to_list())
    return out


def _assert_clean(back: ck.CaseData, sample: ck.CaseData) -> None:
    for name, df in back.sheets.items():
        for column in IDENTIFYING & set(df.columns):  # the reader adds missing contract columns, empty
            assert df[column].null_count() == df.height, (name, column)
    assert not _names_and_notes(sample) & _cells(back)
    assert not set(sample["cases"]["case_id"]) & set(back["cases"]["case_id"])


# ---- in-process -------------------------------------------------------------------------


def test_handler_writes_clean_rows_and_says_how_many_were_left_out(
    workbook: Path, sample: ck.CaseData, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "nested" / "extract.xlsx"
    assert run_deidentify(parse(str(workbook), "--out", str(out), "--lang", "en", "--salt", "s")) == 0
    printed = capsys.readouterr()
    assert "1 rows with errors were quarantined and not exported (1 cases affected)" in printed.out
    assert printed.out.startswith(f"De-identified {sample['cases'].height} cases (")
    back = ck.read_workbook(out)
    _assert_clean(back, sample)
    assert back["contacts"].height == sample["contacts"].height  # the bad row stayed out
    assert back["contacts"]["case_id"].is_in(back["cases"]["case_id"].implode()).all()


def test_handler_same_salt_from_option_or_environment(workbook: Path, tmp_path: Path, monkeypatch) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert run_deidentify(parse(str(workbook), "--out", str(a), "--salt", "k1")) == 0
    monkeypatch.setenv(SALT_ENV, "k1")
    assert run_deidentify(parse(str(workbook), "--out", str(b))) == 0
    monkeypatch.delenv(SALT_ENV)
    assert run_deidentify(parse(str(workbook), "--out", str(c))) == 0  # random salt
    ids = {p.name: pl.read_parquet(next(p.glob("*.parquet")))["case_id"].sort().to_list() for p in (a, b, c)}
    assert ids["a"] == ids["b"]
    assert not set(ids["a"]) & set(ids["c"])


def test_handler_bad_output_format_exit_2(workbook: Path, tmp_path: Path, capsys) -> None:
    assert run_deidentify(parse(str(workbook), "--out", str(tmp_path / "x.xlsx"), "--format", "csv")) == 2
    assert capsys.readouterr().err.strip()


def test_negative_max_shift_is_refused_by_the_parser() -> None:
    with pytest.raises(SystemExit):
        parse("book.xlsx", "--out", "x.xlsx", "--max-shift-days", "-3")


# ---- the console script -----------------------------------------------------------------


def test_console_script_spanish_workbook(workbook: Path, sample: ck.CaseData, tmp_path: Path) -> None:
    out = tmp_path / "extracto.xlsx"
    proc = run("deidentify", workbook, "--out", out, "--lang", "es", "--salt", "estudio")
    assert proc.returncode == 0, proc.stderr
    assert "1 filas con errores se apartaron y no se exportaron" in proc.stdout
    assert f"Escrito {out}" in proc.stdout
    back = ck.read_workbook(out)
    _assert_clean(back, sample)
    assert "casos" in back.headers["cases"]["__sheet__"]
    assert back["cases"]["age"].is_not_null().all()


def test_console_script_year_csv_folder(workbook: Path, sample: ck.CaseData, tmp_path: Path) -> None:
    out = tmp_path / "years"
    proc = run("deidentify", workbook, "--out", out, "--dates", "year", "--format", "csv", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "dates reduced to the year" in proc.stdout
    cases = pl.read_csv(out / "cases.csv", infer_schema_length=0)
    assert not IDENTIFYING & set(cases.columns)
    assert cases["opened_on"].str.contains(r"^\d{4}$").all()
    contacts = pl.read_csv(out / "contacts.csv", infer_schema_length=0)
    assert contacts.height == sample["contacts"].height
    assert not _names_and_notes(sample) & set(contacts.unpivot()["value"].drop_nulls())


def test_console_script_unreadable_input_exit_2_one_line(tmp_path: Path) -> None:
    proc = run("deidentify", tmp_path / "missing.xlsx", "--out", tmp_path / "x.xlsx", "--lang", "en")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_module_entry_point(workbook: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "casekit.deid_cli", "deidentify", str(workbook), "--out", str(tmp_path / "o.xlsx")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o.xlsx").stat().st_size > 0
