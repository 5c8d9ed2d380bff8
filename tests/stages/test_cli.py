"""``casekit status|worklist|events``: in-process (through ``register``) and as a subprocess."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl
import pytest

from casekit.cli import run as run_command
from casekit.cli.stages import register
from casekit.export import write_workbook
from casekit.sample import make_sample
from casekit.stages import priority_label
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
    return run_command(args)


def test_status_in_process_csv_with_joined_flags(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "status.csv"
    assert call("status", folder, "--as-of", AS_OF, "--out", out, "--lang", "en") == 0
    table = pl.read_csv(out, infer_schema=False)
    assert table.height == 80
    assert table.columns[:3] == ["Case", "Current stage", "Stage number"]
    assert "Monitoring (follow-up)" in set(table["Current stage"])  # labels, not ids
    joined = table["Flags"].drop_nulls()
    assert joined.str.contains(", ").any()
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
    assert mine["priority"].is_sorted()
    assert mine["client_name"].null_count() == 0  # joined from the workbook
    assert set(mine["priority"]) <= set(range(1, 7))


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
    assert table.schema["Alertas"] == pl.String  # labels joined with ", "
    assert "Seguimiento" in set(table["Etapa actual"])
    assert table.schema["Días en la etapa"].is_integer()  # numbers stay numbers
    csv = tmp_path / "estado.csv"
    assert run("status", folder, "--as-of", AS_OF, "--out", csv, "--lang", "es").returncode == 0
    text = csv.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].replace('"', "").startswith("Caso;Etapa actual;")  # Spanish Excel: columns
    spanish = pl.read_csv(csv, separator=";", infer_schema=False)
    assert spanish["Alertas"].drop_nulls().str.contains(", ").any()
    assert spanish["Fecha de referencia"][0] == "30/09/2026"


def test_cli_worklist_and_events(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    proc = run("worklist", folder, "--as-of", AS_OF, "--out", out, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    table = pl.read_csv(out, infer_schema=False)
    assert table.columns[:9] == [
        "Priority",
        "Case",
        "Client name",
        "Risk tier",
        "Case manager",
        "Programme",
        "Current stage",
        "Flag",
        "Detail",
    ]
    # the priority's label, not a number; the triage order to sort back by
    ids = pl.read_parquet(_parquet_worklist(folder, tmp_path))
    labels = {1: "1 · Safety", 2: "2 · Transitions", 3: "3 · Contact", 4: "4 · Deadlines", 5: "5 · Closed cases"}
    labels[6] = "6 · Data"
    assert table["Priority"].to_list() == [labels[p] for p in ids["priority"]]
    assert table.columns[-1] == "Triage order (1 = first)"
    assert table["Triage order (1 = first)"].cast(pl.Int64).to_list() == list(range(1, ids.height + 1))
    assert table["Case"].to_list() == ids["case_id"].to_list()
    log = tmp_path / "log.parquet"
    proc = run("events", folder, "--out", log)
    assert proc.returncode == 0, proc.stderr
    assert pl.read_parquet(log).schema["time:timestamp"] == pl.Datetime("us")


def _parquet_worklist(folder: Path, tmp_path: Path) -> Path:
    out = tmp_path / "w.parquet"
    assert call("worklist", folder, "--as-of", AS_OF, "--out", out) == 0
    return out


def test_spanish_worklist_csv_shows_the_priority_label(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    assert call("worklist", folder, "--as-of", AS_OF, "--out", out, "--lang", "es") == 0
    table = pl.read_csv(out, separator=";", infer_schema=False)
    assert table.columns[0] == "Prioridad"
    assert set(table["Prioridad"]) <= {
        "1 · Seguridad",
        "2 · Transiciones",
        "3 · Contacto",
        "4 · Plazos",
        "5 · Casos cerrados",
        "6 · Datos",
    }
    ids = pl.read_parquet(_parquet_worklist(folder, tmp_path))
    assert table["Prioridad"].to_list() == [priority_label(p, "es") for p in ids["priority"]]
    assert table.columns[-1] == "Orden de triaje (1 = primero)"


def test_a_broken_risk_model_exits_2_with_one_line(folder: Path, tmp_path: Path, capsys) -> None:
    model = tmp_path / "my_model.toml"
    model.write_text("[[red_flags]]\nname = 'x'\ninput = 'nowhere'\n", encoding="utf-8")
    assert call("worklist", folder, "--as-of", AS_OF, "--model", model, "--out", tmp_path / "w.csv") == 2
    err = capsys.readouterr().err
    assert "my_model.toml" in err
    assert len(err.strip().splitlines()) == 1


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


def test_cli_worklist_defaults_to_today_and_warns_about_an_unknown_manager(folder: Path, tmp_path: Path) -> None:
    import datetime as dt

    managers = sorted(pl.read_csv(folder / "cases.csv", infer_schema=False)["case_manager"].drop_nulls().unique())
    before = dt.date.today()
    out = tmp_path / "w.csv"
    asked = ["--manager", "Nadie Conocido", "--manager", managers[0]]
    proc = run("worklist", folder, "--out", out, "--lang", "es", *asked)
    after = dt.date.today()
    assert proc.returncode == 0, proc.stderr
    said = {f"Sin fecha --as-of: a fecha de hoy, {day:%d/%m/%Y}." for day in (before, after)}
    assert said & set(proc.stdout.splitlines())
    warning = [line for line in proc.stderr.splitlines() if "«Nadie Conocido»" in line]
    assert len(warning) == 1
    assert warning[0].endswith(f"Los gestores de casos son: {', '.join(managers)}.")
    assert managers[0] not in warning[0].split("«Nadie Conocido»")[0]  # a known name is not reported
    written = pl.read_csv(out, separator=";", infer_schema=False)
    assert set(written["Gestor del caso"]) <= {managers[0]}
