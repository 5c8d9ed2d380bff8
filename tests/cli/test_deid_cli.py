"""``casekit deidentify`` as a user runs it (console script in a subprocess); ``test_handler_*`` in-process."""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.cli import run as run_command
from casekit.cli.deidentify import KEY_ENV, register
from casekit.export import write_workbook
from tests.builders import frame
from tests.cli_runner import run_casekit as run

KEY = hashlib.sha256(b"casekit deidentify CLI tests").hexdigest()  # fixed: tests are deterministic
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
    assert run_command(parse(str(workbook), "--out", str(out), "--lang", "en", "--k", "1")) == 0
    printed = capsys.readouterr()
    assert "1 row with errors was quarantined and not exported (1 case affected)" in printed.out
    assert printed.out.startswith(f"De-identified {sample['cases'].height} cases (")
    back = ck.read_workbook(out)
    _assert_clean(back, sample)
    assert back["contacts"].height == sample["contacts"].height  # the bad row stayed out
    assert back["contacts"]["case_id"].is_in(back["cases"]["case_id"].implode()).all()


def test_handler_same_key_from_file_or_environment(workbook: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    key = KEY
    key_file = tmp_path / "study.key"
    key_file.write_text(f"  {key}\n", encoding="utf-8")
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert run_command(parse(str(workbook), "--out", str(a), "--key-file", str(key_file))) == 0
    assert key not in capsys.readouterr().out  # a key the user gave is never printed
    monkeypatch.setenv(KEY_ENV, key)
    assert run_command(parse(str(workbook), "--out", str(b))) == 0
    monkeypatch.delenv(KEY_ENV)
    assert run_command(parse(str(workbook), "--out", str(c))) == 0  # a new random key, shown once
    printed = capsys.readouterr().out
    shown = [line.rsplit(": ", 1)[1] for line in printed.splitlines() if line.startswith("Key of this extract")]
    assert len(shown) == 1
    assert len(shown[0]) == 64
    assert not (tmp_path / "c.key").exists()  # not saved unless asked
    ids = {p.name: pl.read_parquet(p / "cases.parquet")["case_id"].sort().to_list() for p in (a, b, c)}
    assert ids["a"] == ids["b"]
    assert not set(ids["a"]) & set(ids["c"])


def test_handler_save_key_writes_it_beside_the_extract_only(workbook: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "extract.xlsx"
    assert run_command(parse(str(workbook), "--out", str(out), "--save-key", "--lang", "en")) == 0
    printed = capsys.readouterr().out
    saved = tmp_path / "extract.key"
    key = saved.read_text(encoding="ascii").strip()
    assert "Key of this extract (shown once" in printed
    assert key in printed
    assert saved.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert key not in _cells(ck.read_workbook(out))
    again = tmp_path / "again.xlsx"
    assert run_command(parse(str(workbook), "--out", str(again), "--key-file", str(saved))) == 0
    assert ck.read_workbook(again)["cases"]["case_id"].equals(ck.read_workbook(out)["cases"]["case_id"])


def test_handler_bad_output_format_exit_2(workbook: Path, tmp_path: Path, capsys) -> None:
    assert run_command(parse(str(workbook), "--out", str(tmp_path / "x.xlsx"), "--format", "csv")) == 2
    assert capsys.readouterr().err.strip()


def test_negative_max_shift_is_refused_by_the_parser() -> None:
    with pytest.raises(SystemExit):
        parse("book.xlsx", "--out", "x.xlsx", "--max-shift-weeks", "-3")


# ---- the console script -----------------------------------------------------------------


def test_console_script_spanish_workbook(workbook: Path, sample: ck.CaseData, tmp_path: Path) -> None:
    out = tmp_path / "extracto.xlsx"
    proc = run("deidentify", workbook, "--out", out, "--lang", "es")
    assert proc.returncode == 0, proc.stderr
    assert "1 fila con errores se apartó y no se exportó (1 caso afectado)" in proc.stdout
    assert f"Escrito {out}" in proc.stdout
    back = ck.read_workbook(out)
    _assert_clean(back, sample)
    assert "casos" in back.headers["cases"]["__sheet__"]
    assert "k-anonimato sobre tramo de edad, sexo, etnia, idioma, programa y año: k = 1 antes, k = " in proc.stdout
    assert "age" not in back["cases"].columns  # the exact age is not exported


def test_console_script_year_csv_folder(workbook: Path, sample: ck.CaseData, tmp_path: Path) -> None:
    out = tmp_path / "years"
    proc = run("deidentify", workbook, "--out", out, "--dates", "year", "--format", "csv", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "dates reduced to the year" in proc.stdout
    cases = pl.read_csv(out / "cases.csv", infer_schema_length=0)
    assert not IDENTIFYING & set(cases.columns)
    # a year, or the band of years k-anonymity grouped them into (the same in every sheet)
    assert cases["opened_on"].str.contains(r"^\d{4}(-\d{4})?$").all()
    contacts = pl.read_csv(out / "contacts.csv", infer_schema_length=0)
    banded = cases["opened_on"].str.contains("-").any()
    assert contacts["contact_on"].drop_nulls().str.contains("-").all() == banded
    assert ("grouped into" in proc.stdout) == banded
    assert 0.8 * sample["contacts"].height <= contacts.height <= sample["contacts"].height  # k-anonymity
    assert contacts["case_id"].is_in(cases["case_id"].implode()).all()
    assert not _names_and_notes(sample) & set(contacts.unpivot()["value"].drop_nulls())


def test_console_script_unreadable_input_exit_2_one_line(tmp_path: Path) -> None:
    proc = run("deidentify", tmp_path / "missing.xlsx", "--out", tmp_path / "x.xlsx", "--lang", "en")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_module_entry_point(workbook: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "casekit", "deidentify", str(workbook), "--out", str(tmp_path / "o.xlsx")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o.xlsx").stat().st_size > 0


# ---- weak keys: refused before anything is read or written ---------------------------------

WEAK_KEYS = {
    "the old docs' example salt": "keep-this-secret",
    "a study name": "study-42",
    "a long passphrase": "correct horse battery staple and some more words to look long enough",
    "a short hex key": KEY[:32],
    "zeros": "00" * 32,
    "a counting sequence": bytes(range(32)).hex(),
    "a word written in hex": ("estudio" * 5).encode().hex(),
}


@pytest.mark.parametrize("name", list(WEAK_KEYS))
def test_handler_weak_key_from_file_or_environment_exit_2(
    name: str, workbook: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    key_file = tmp_path / "weak.key"
    key_file.write_text(WEAK_KEYS[name], encoding="utf-8")
    out = tmp_path / "x.xlsx"
    assert run_command(parse(str(workbook), "--out", str(out), "--key-file", str(key_file), "--lang", "en")) == 2
    err = capsys.readouterr().err
    assert err.startswith("This key was refused: "), err
    assert "secrets.token_hex(32)" in err
    monkeypatch.setenv(KEY_ENV, WEAK_KEYS[name])
    assert run_command(parse(str(workbook), "--out", str(out), "--lang", "es")) == 2
    assert capsys.readouterr().err.startswith("Se rechazó esta clave: ")
    assert not out.exists()


def test_console_script_refuses_a_typed_key_and_the_old_salt_option(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    key_file = tmp_path / "k.txt"
    key_file.write_text("estudio-2026", encoding="utf-8")
    proc = run("deidentify", workbook, "--out", out, "--key-file", key_file, "--lang", "es")
    assert proc.returncode == 2
    assert proc.stderr.startswith("Se rechazó esta clave: no está escrita en dígitos hexadecimales")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    proc = run("deidentify", workbook, "--out", out, "--salt", "estudio", "--lang", "en")
    assert proc.returncode == 2
    assert proc.stderr.startswith("--salt is no longer accepted: a typed salt can be guessed.")
    assert not out.exists()


# ---- kept text that looks like identifiers ---------------------------------------------------


@pytest.fixture(scope="module")
def planted_workbook(sample: ck.CaseData, tmp_path_factory) -> Path:
    """The sample with a staff member's name as the provider of every service of 8 cases."""
    chosen = sample["cases"]["case_id"].head(8).implode()
    services = sample["services"].with_columns(
        pl.when(pl.col("case_id").is_in(chosen))
        .then(pl.lit("Dra. Pilar Castaño"))
        .otherwise("provider")
        .alias("provider")
    )
    folder = tmp_path_factory.mktemp("planted") / "book"
    write_workbook(ck.CaseData({**sample.sheets, "services": services}), folder, format="parquet")
    return folder


def test_console_script_refuses_identifiers_in_kept_text_then_drops_them_by_option(
    planted_workbook: Path, sample: ck.CaseData, tmp_path: Path
) -> None:
    out = tmp_path / "x.xlsx"
    proc = run("deidentify", planted_workbook, "--out", out, "--lang", "en")
    assert proc.returncode == 2
    assert proc.stderr.startswith("The extract was not made: ")
    assert "sheet «services», row " in proc.stderr
    assert "column «provider» (a person's name)" in proc.stderr
    assert "Castaño" not in proc.stderr
    assert not out.exists()
    proc = run("deidentify", planted_workbook, "--out", out, "--lang", "es", "--drop-identifiers")
    assert proc.returncode == 0, proc.stderr
    n = sample["services"].filter(pl.col("case_id").is_in(sample["cases"]["case_id"].head(8).implode())).height
    assert f"Se vaciaron {n} celdas de texto conservado" in proc.stdout
    assert "Dra. Pilar Castaño" not in _cells(ck.read_workbook(out))


def test_handler_k_anonymity_report_and_options(workbook: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "k"
    assert run_command(parse(str(workbook), "--out", str(out), "--lang", "en", "--k", "5")) == 0
    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if x.startswith("k-anonymity on "))
    after = int(line.split("k = ")[2].split(" ")[0])
    assert after >= 5
    steps = [x for x in printed.splitlines() if x.startswith("  - ")]
    assert steps
    assert steps[-1].endswith(" cases)")
    cases = pl.read_parquet(out / "cases.parquet")
    quasi = [c for c in ("age_band", "sex", "ethnicity", "language", "program") if c in cases.columns]
    # the year of a shifted date, or its band when k-anonymity grouped the years (2024-2025)
    year = pl.col("opened_on").dt.year() if cases.schema["opened_on"].is_temporal() else pl.col("opened_on")
    sizes = cases.group_by(*quasi, year).agg(pl.coalesce("client_id", "case_id").n_unique())
    assert sizes["client_id"].min() >= 5
    with pytest.raises(SystemExit):
        parse("book.xlsx", "--out", "x", "--k", "0")
    with pytest.raises(SystemExit):
        parse("book.xlsx", "--out", "x", "--max-suppression", "2")
