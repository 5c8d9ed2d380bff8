"""``casekit risk`` as a user runs it (console script in a subprocess).

``test_handler_*`` run the same handler in-process.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl
import pytest

from casekit.cli import run as run_command
from casekit.cli.risk import register
from casekit.export import write_workbook
from casekit.present import label
from casekit.risk import default_model_text, score_risk
from casekit.sample import SAMPLE_AS_OF, make_sample
from tests.cli_runner import run_casekit as run


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("risk") / "book"
    write_workbook(make_sample(80, seed=3), folder, format="parquet")
    return folder


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="casekit")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["risk", *argv])


# ---- in-process (no wiring needed) ------------------------------------------------------


def test_handler_writes_csv_with_lists_joined(workbook: Path, tmp_path: Path, capsys):
    out = tmp_path / "scores.csv"
    assert run_command(parse(str(workbook), "--out", str(out), "--lang", "en", "--as-of", "2026-09-30")) == 0
    text = out.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0].replace('"', "").split(",")  # CSV text fields are quoted
    assert header[:8] == [
        "Case", "Assessed on", "Score", "Computed tier", "Risk tier", "Provisional", "Red flags",
        "Missing factors",
    ]  # fmt: skip
    written = pl.read_csv(out, encoding="utf8-lossy", infer_schema_length=0)
    expected = score_risk(make_sample(80, seed=3), as_of=SAMPLE_AS_OF)
    assert written.height == expected.height
    joined = [", ".join(label("red_flags", f, "en") for f in flags) for flags in expected["red_flags"]]
    assert written["Red flags"].fill_null("").to_list() == joined
    assert any(joined)
    assert capsys.readouterr().out.startswith(f"Scored {expected.height} cases: ")


def test_handler_broken_model_exit_2_one_message(workbook: Path, tmp_path: Path, capsys):
    model = tmp_path / "bad.toml"
    model.write_text(default_model_text().replace("moderate = 6", "moderate = 6\nsevere = 20"), encoding="utf-8")
    code = run_command(parse(str(workbook), "--out", str(tmp_path / "s.csv"), "--model", str(model), "--lang", "es"))
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("Modelo de riesgo bad.toml, [tiers] (línea ")
    assert err.endswith("nivel desconocido «severe»; los niveles son low, moderate, high.")
    assert "\n" not in err
    assert not (tmp_path / "s.csv").exists()


def test_handler_print_default_model(capsys):
    assert run_command(parse("--print-default-model")) == 0
    assert capsys.readouterr().out == default_model_text()


def test_handler_needs_out(workbook: Path, capsys):
    assert run_command(parse(str(workbook), "--lang", "en")) == 2
    assert "--out" in capsys.readouterr().err


# ---- subprocess -----------------------------------------------------------------------


def test_cli_parquet_keeps_lists_and_fairness(workbook: Path, tmp_path: Path):
    out, fair = tmp_path / "scores.parquet", tmp_path / "fair.csv"
    proc = run("risk", workbook, "--out", out, "--fairness", fair, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Scored ")
    df = pl.read_parquet(out)
    assert df.schema["red_flags"] == pl.List(pl.String)
    assert df.equals(score_risk(make_sample(80, seed=3)))
    assert fair.read_text(encoding="utf-8-sig").startswith(
        '"Grouping","Group","Number of cases","Suppressed (small cell)"'
    )


def test_cli_xlsx_spanish(workbook: Path, tmp_path: Path):
    out = tmp_path / "riesgo.xlsx"
    proc = run("risk", workbook, "--out", out, "--lang", "es")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Puntuados ")
    sheet = pl.read_excel(out, sheet_name="risk")
    assert sheet.height == score_risk(make_sample(80, seed=3)).height
    assert sheet.schema["Factores sin dato"] == pl.String  # labels joined
    assert sheet.schema["Puntuación"].is_integer()  # numbers stay numbers


def test_cli_broken_model(workbook: Path, tmp_path: Path):
    model = tmp_path / "m.toml"
    model.write_text("[[factors]]\nname = 'x'\ninput = 'assessments.shoe_size'\npoints = {a = 1}\n", encoding="utf-8")
    proc = run("risk", workbook, "--out", tmp_path / "s.csv", "--model", model, "--lang", "en")
    assert proc.returncode == 2
    expected = "Risk model m.toml, factor «x» (line 1): unknown input «assessments.shoe_size»"
    assert proc.stderr.strip().startswith(expected)
    assert "Traceback" not in proc.stderr


def test_cli_print_default_model_round_trips(tmp_path: Path):
    proc = run("risk", "--print-default-model")
    assert proc.returncode == 0
    assert proc.stdout == default_model_text()


def test_cli_unreadable_workbook(tmp_path: Path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    proc = run("risk", bad, "--out", tmp_path / "s.csv", "--lang", "en")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
