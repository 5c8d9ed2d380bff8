"""``casekit status|worklist|events``: in-process (through ``register``) and as a subprocess."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl
import pytest

from casekit.export import write_workbook
from casekit.sample import make_sample
from casekit.stages.cli import register
from tests.cli_runner import run_casekit as run

AS_OF = "2026-09-30"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stages_cli") / "book"
    write_workbook(make_sample(80, seed=4), out, format="csv")
    return out


def call(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="casekit")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([str(a) for a in argv])
    return args.handler(args)


def test_status_in_process_csv_with_joined_flags(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "status.csv"
    assert call("status", folder, "--as-of", AS_OF, "--out", out, "--lang", "en") == 0
    table = pl.read_csv(out, infer_schema=False)
    assert table.height == 80
    assert table.columns[:3] == ["case_id", "current_stage", "current_stage_number"]
    assert "current_stage_label" in table.columns
    joined = table["flags"].drop_nulls()
    assert joined.str.contains(";").any()
    assert "80" in capsys.readouterr().out


def test_worklist_in_process_filters_by_manager(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "worklist.parquet"
    assert call("worklist", folder, "--as-of", AS_OF, "--out", out) == 0
    everyone = pl.read_parquet(out)
    manager = everyone["case_manager"][0]
    assert call("worklist", folder, "--as-of", AS_OF, "--out", out, "--manager", manager) == 0
    mine = pl.read_parquet(out)
    assert 0 < mine.height < everyone.height
    assert set(mine["case_manager"]) == {manager}
    assert mine["days_overdue"].is_sorted(descending=True)


def test_bad_config_exits_2_with_one_message(folder: Path, tmp_path: Path, capsys) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[deadlines]\nplan_days = -3\n", encoding="utf-8")
    assert call("status", folder, "--as-of", AS_OF, "--config", rules, "--out", tmp_path / "s.csv", "--lang", "es") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "«deadlines.plan_days»" in err[0]
    assert not (tmp_path / "s.csv").exists()


def test_events_in_process_csv(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    assert call("events", folder, "--out", out) == 0
    log = pl.read_csv(out, infer_schema=False)
    assert log.columns[:3] == ["case:concept:name", "concept:name", "time:timestamp"]
    assert log["case:concept:name"].n_unique() == 80


def test_bad_output_suffix_exits_2(folder: Path, tmp_path: Path) -> None:
    assert call("events", folder, "--out", tmp_path / "log.xlsx") == 2
    assert call("status", folder, "--as-of", AS_OF, "--out", tmp_path / "s.txt") == 2


# --------------------------------------------------------------------------------------
# As a user runs it (the console script in a subprocess)
# --------------------------------------------------------------------------------------


def test_cli_status_xlsx_and_csv(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "estado.xlsx"
    proc = run("status", folder, "--as-of", AS_OF, "--out", out, "--lang", "es")
    assert proc.returncode == 0, proc.stderr
    table = pl.read_excel(out)
    assert table.height == 80
    assert table.schema["flags"] == pl.String  # joined with ";"
    assert "Seguimiento" in set(table["current_stage_label"])
    csv = tmp_path / "status.csv"
    assert run("status", folder, "--as-of", AS_OF, "--out", csv).returncode == 0
    assert pl.read_csv(csv, infer_schema=False)["flags"].drop_nulls().str.contains(";").any()


def test_cli_worklist_and_events(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    proc = run("worklist", folder, "--as-of", AS_OF, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert pl.read_csv(out, infer_schema=False).columns[:5] == [
        "case_id",
        "case_manager",
        "program",
        "current_stage",
        "flag",
    ]
    log = tmp_path / "log.parquet"
    proc = run("events", folder, "--out", log)
    assert proc.returncode == 0, proc.stderr
    assert pl.read_parquet(log).schema["time:timestamp"] == pl.Datetime("us")


def test_cli_broken_config_exits_2(folder: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[deadlines\n", encoding="utf-8")
    proc = run("status", folder, "--as-of", AS_OF, "--config", rules, "--out", tmp_path / "s.csv")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "rules.toml" in proc.stderr
    proc = run("status", folder, "--as-of", AS_OF, "--config", tmp_path / "absent.toml", "--out", tmp_path / "s.csv")
    assert proc.returncode == 2
    assert "absent.toml" in proc.stderr
