"""The workbook report, opened back: sheets, values, images, no formulas, injection-safe."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from casekit import present
from casekit.cli import run as run_command
from casekit.cli.report import register, run_report
from casekit.data import CaseData
from casekit.export import write_workbook
from casekit.outcomes import outcome_changes, outcome_summary
from casekit.report import build_report, write_report
from casekit.sample import SAMPLE_AS_OF, make_sample
from casekit.stages import case_status
from casekit.validation import validate
from tests.cli_runner import run_casekit as run

EVIL = '=HYPERLINK("http://x","y")'
SHEETS_EN = [
    "Summary",
    "Case status",
    "Worklist",
    "Risk",
    "Outcome changes",
    "Outcome summary",
    "Utilisation and cost",
    "Use per member-month",
    "Goal attainment",
    "Readmissions",
    "Validation report",
]
SHEETS_ES = [
    "Resumen",
    "Estado de los casos",
    "Lista de trabajo",
    "Riesgo",
    "Cambios en resultados",
    "Resumen de resultados",
    "Utilización y coste",
    "Uso por mes-persona",
    "Logro de objetivos",
    "Reingresos",
    "Informe de validación",
]


def _evil_sample() -> CaseData:
    data = make_sample(250, seed=7)
    cases = data["cases"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(EVIL)).otherwise(pl.col("client_name")).alias("client_name"),
        pl.when(pl.int_range(pl.len()) < 3)
        .then(pl.lit("@SUM(A1)"))
        .otherwise(pl.col("case_manager"))
        .alias("case_manager"),
    )
    outcomes = data["outcomes"].with_columns(
        pl.when(pl.col("measure") == "CSQ-8")
        .then(pl.lit("+cmd|' /C calc'!A0"))
        .otherwise(pl.col("measure"))
        .alias("measure")
    )
    return CaseData({**data.sheets, "cases": cases, "outcomes": outcomes}, source="=evil.xlsx")


@pytest.fixture(scope="module")
def data() -> CaseData:
    return _evil_sample()


@pytest.fixture(scope="module")
def result(data: CaseData):
    return validate(data, lang="en", as_of=SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def book_en(result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rep") / "report.xlsx"
    assert write_report(result, out, as_of=SAMPLE_AS_OF, lang="en") == out
    return out


def _split(path: Path | bytes, sheet: str) -> tuple[pl.DataFrame, str | None]:
    """A report sheet's table, and the note below it (a last row with only its first cell)."""
    df = pl.read_excel(path, sheet_name=sheet)
    if df.height and df.width > 1 and all(v is None for v in df.row(-1)[1:]):
        return df.head(-1), df.row(-1)[0]
    return df, None


def read(path: Path | bytes, sheet: str) -> pl.DataFrame:
    return _split(path, sheet)[0]


def note_below(path: Path | bytes, sheet: str) -> str | None:
    return _split(path, sheet)[1]


def test_the_rtm_caveat_is_below_every_before_after_table_and_only_there(book_en: Path, result) -> None:
    from casekit.outcomes import needs_rtm_caveat, rtm_caveat

    report = build_report(result, as_of=SAMPLE_AS_OF, lang="en")
    expected = {
        "Outcome changes": needs_rtm_caveat(report.sheets["outcome_changes"]),
        "Outcome summary": needs_rtm_caveat(report.sheets["outcome_summary"]),
        "Utilisation and cost": True,
        "Use per member-month": True,
        "Case status": False,
        "Risk": False,
        "Goal attainment": False,
    }
    assert expected["Outcome changes"]  # the sample has ED visits and cost
    assert expected["Outcome summary"]
    found = {sheet: note_below(book_en, sheet) for sheet in expected}
    assert {sheet: note == rtm_caveat("en") for sheet, note in found.items()} == expected
    assert not any(found[s] for s, wanted in expected.items() if not wanted)
    # a caseload with clinical scores and income only: no caveat anywhere
    rows = {"case_id": ["A"] * 4, "measured_on": [dt.date(2026, 1, 5), dt.date(2026, 5, 5)] * 2}
    outcomes = pl.DataFrame(
        {
            **rows,
            "domain": ["clinical", "clinical", "financial", "financial"],
            "measure": ["PHQ-9", "PHQ-9", "monthly_income", "monthly_income"],
            "value": [15.0, 4.0, 800.0, 1200.0],
            "timepoint": ["baseline", "follow_up"] * 2,
        }
    )
    cases = pl.DataFrame({"case_id": ["A"], "opened_on": [dt.date(2026, 1, 1)]})
    book = write_report(
        CaseData({"cases": cases, "outcomes": outcomes}), None, as_of=SAMPLE_AS_OF, lang="es", charts=False
    )
    assert note_below(book, "Cambios en resultados") is None


def test_sheet_names_in_both_languages(book_en: Path, data: CaseData) -> None:
    assert fastexcel.read_excel(book_en).sheet_names == SHEETS_EN
    es = write_report(data, None, as_of=SAMPLE_AS_OF, lang="es", charts=False)
    assert fastexcel.read_excel(es).sheet_names == SHEETS_ES
    headers = pl.read_excel(es, sheet_name="Estado de los casos").columns
    assert headers[:3] == ["Caso", "Etapa actual", "Número de etapa"]


def test_status_and_worklist_match_the_functions(book_en: Path, result) -> None:
    status = case_status(result, as_of=SAMPLE_AS_OF)
    sheet = read(book_en, "Case status")
    assert sheet["Case"].to_list() == status["case_id"].to_list()
    assert sheet.schema["In stage since"] in (pl.Date, pl.Datetime("ms"), pl.Datetime("us"))
    # flags as labels joined by ", "
    row = status.filter(pl.col("flags").list.len() >= 2).row(0, named=True)
    shown = sheet.filter(pl.col("Case") == row["case_id"])["Flags"].item()
    assert shown.split(", ") == [present.label("flag", f, "en") for f in row["flags"]]
    assert "_" not in shown  # labels, not ids
    n_flags = int(status.filter(pl.col("current_stage") != "closed")["flags"].list.len().sum())
    figures = read(book_en, "Summary")
    assert read(book_en, "Worklist").height == int(status["flags"].list.len().sum())
    labels = figures.to_series(0).to_list()
    assert "Open flags" in labels
    assert float(figures.row(labels.index("Open flags"))[1]) == n_flags


def test_outcome_sheets_match_the_functions(book_en: Path, result) -> None:
    changes = outcome_changes(result, as_of=SAMPLE_AS_OF)
    sheet = read(book_en, "Outcome changes")
    assert sheet.height == changes.height
    assert sheet["Change"].sum() == pytest.approx(changes["change"].sum())
    summary = outcome_summary(result, as_of=SAMPLE_AS_OF, for_sharing=False)  # the team's own report
    shown = read(book_en, "Outcome summary")
    assert shown["Cases"].to_list() == summary["n_cases"].to_list()
    assert shown["Improved"].to_list() == pytest.approx(summary["pct_improved"].to_list(), nan_ok=True)
    assert set(shown["Domain"]) <= {
        "Clinical",
        "Physical function",
        "Utilisation",
        "Financial",
        "Satisfaction",
        "Knowledge",
        "Psychosocial",
    }


def test_key_figures(book_en: Path, result) -> None:
    report = build_report(result, as_of=SAMPLE_AS_OF, lang="en")
    status = report.sheets["status"]
    assert report.figures["cases"] == status.height
    assert report.figures["open_cases"] == status.filter(pl.col("current_stage") != "closed").height
    assert report.by_stage["cases"].sum() == status.height
    assert report.figures["quarantined_rows"] == sum(result.n_quarantined().values())
    paired = report.sheets["outcome_changes"].filter(pl.col("paired"))
    assert report.figures["improved_share"] == pytest.approx((paired["direction"] == "improved").mean())
    summary = read(book_en, "Summary")
    labels = summary.to_series(0).to_list()
    assert float(summary.row(labels.index("Open cases"))[1]) == report.figures["open_cases"]


def test_key_figures_without_outcome_changes_are_the_same_but_the_outcome_ones(result) -> None:
    # the Overview asks for its figures without outcome changes (issue 18)
    import casekit as ck
    from casekit.report import key_figures

    status = ck.case_status(result, as_of=SAMPLE_AS_OF)
    entries = ck.stage_entries(result.data, as_of=SAMPLE_AS_OF)
    changes = ck.outcome_changes(result, as_of=SAMPLE_AS_OF)
    full = key_figures(result, status=status, changes=changes, entries=entries)
    partial = key_figures(result, status=status, changes=None, entries=entries)
    outcome = {"paired_measures", "improved_share", "improved_measures"}
    assert full["paired_measures"] > 0
    assert full["improved_share"] is not None
    assert {k: v for k, v in partial.items() if k not in outcome} == {k: v for k, v in full.items() if k not in outcome}
    assert all(partial[k] is None for k in outcome)


def test_images_present_no_formulas_and_injection_neutralised(book_en: Path) -> None:
    with zipfile.ZipFile(book_en) as zf:
        names = zf.namelist()
        assert len([n for n in names if re.fullmatch(r"xl/media/image\d+\.png", n)]) >= 2
        xml = {n: zf.read(n).decode("utf-8") for n in names if n.startswith("xl/worksheets/")}
        shared = zf.read("xl/sharedStrings.xml").decode("utf-8")
    assert not any("<f>" in text or "<f " in text for text in xml.values())
    assert all("<pane" in text for name, text in xml.items() if name.endswith(".xml"))
    managers = read(book_en, "Case status")["Case manager"].to_list()
    assert managers.count("'@SUM(A1)") == 3
    measures = read(book_en, "Outcome changes")["Measure"].to_list()
    assert "'+cmd|' /C calc'!A0" in measures
    assert "'=evil.xlsx" in shared
    assert "HYPERLINK" not in shared  # client names are never in the report


def test_without_optional_sheets() -> None:
    cases = pl.DataFrame({"case_id": ["A", "B"], "opened_on": [SAMPLE_AS_OF, SAMPLE_AS_OF]})
    book = write_report(CaseData({"cases": cases}), None, as_of=SAMPLE_AS_OF, lang="es", charts=True)
    assert read(book, "Estado de los casos").height == 2
    assert read(book, "Cambios en resultados").height == 0
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        assert any(n.startswith("xl/media/") for n in zf.namelist())


# ---- command line ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "muestra.xlsx"
    write_workbook(make_sample(120, seed=2), path, lang="es", labels=True)
    return path


def _args(workbook: Path, out: Path, **kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="casekit")
    register(parser.add_subparsers(dest="command"))
    argv = ["report", str(workbook), "--as-of", "2026-09-30", "--out", str(out), "--lang", kw.get("lang", "en")]
    argv += kw.get("extra", [])
    return parser.parse_args(argv)


def test_handler_writes_the_report(workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.xlsx"
    args = _args(workbook, out, extra=["--no-charts"])
    assert args.handler is run_report
    assert run_command(args) == 0
    assert fastexcel.read_excel(out).sheet_names == SHEETS_EN
    assert str(out) in capsys.readouterr().out


def test_handler_bad_out_and_broken_model(workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(_args(workbook, tmp_path / "r.csv", lang="es")) == 2
    assert ".xlsx" in capsys.readouterr().err
    model = tmp_path / "m.toml"
    model.write_text("[[factor]\n", encoding="utf-8")
    assert run_command(_args(workbook, tmp_path / "r.xlsx", extra=["--model", str(model)])) == 2
    assert "m.toml" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()


def test_cli_report_in_spanish(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "informe.xlsx"
    proc = run("report", workbook, "--as-of", "2026-09-30", "--lang", "es", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert fastexcel.read_excel(out).sheet_names == SHEETS_ES


def test_cli_report_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    proc = run("report", bad, "--as-of", "2026-09-30", "--out", tmp_path / "r.xlsx")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("lang", "decimal", "september"), [("es", ",", "sept"), ("en", ".", "Sep")])
def test_report_charts_use_the_languages_number_and_month_format(
    result, monkeypatch: pytest.MonkeyPatch, lang: str, decimal: str, september: str
) -> None:
    import casekit.charts

    drawn: list[dict] = []
    to_png = casekit.charts.to_png

    def spy(chart) -> bytes:
        drawn.append(chart.to_dict())
        return to_png(chart)

    monkeypatch.setattr(casekit.charts, "to_png", spy)
    write_report(result, None, as_of=SAMPLE_AS_OF, lang=lang)
    assert len(drawn) == 4
    for spec in drawn:
        assert spec["config"]["locale"]["number"]["decimal"] == decimal
        assert spec["config"]["locale"]["time"]["shortMonths"][8] == september


def test_the_rates_per_member_month_sheet(book_en: Path, result) -> None:
    from casekit.outcomes import utilisation_rate_summary

    expected = utilisation_rate_summary(result, as_of=SAMPLE_AS_OF, for_sharing=False)
    sheet = read(book_en, "Use per member-month")
    assert sheet["Measure"].to_list() == [present.label("measure", m, "en") for m in expected["measure"]]
    assert sheet["Rate before"].to_list() == pytest.approx(expected["rate_before"].to_list())
    assert sheet["Member-months after"].to_list() == pytest.approx(expected["member_months_after"].to_list())
    units = dict(zip(sheet["Measure"], sheet["Rate unit"], strict=True))
    assert units == {
        "Admissions (12 months)": "per 1,000 member-months",
        "ED visits (6 months)": "per 1,000 member-months",
        "Monthly cost": "per member per month (PMPM)",
    }


def test_the_goal_attainment_sheet(book_en: Path, result) -> None:
    from casekit.outcomes import goal_attainment

    expected = goal_attainment(result, ["owner", "domain"], as_of=SAMPLE_AS_OF, for_sharing=False)
    sheet = read(book_en, "Goal attainment")
    assert sheet.height == expected.height
    assert sheet["Goals set"].to_list() == expected["n_goals"].to_list()
    assert sheet["Owner"].drop_nulls().unique().sort().to_list() == ["Care team", "Client"]


def test_the_readmissions_sheet(book_en: Path, result) -> None:
    """30-day readmissions as the engine computes them, labelled, with the rule below."""
    from casekit.stages import readmissions

    expected = readmissions(result, as_of=SAMPLE_AS_OF)
    assert expected.height > 0  # the sample has readmissions inside 30 days
    sheet = read(book_en, "Readmissions")
    assert sheet["Case"].to_list() == expected["case_id"].to_list()
    assert sheet[sheet.columns[-1]].cast(pl.Int64).to_list() == expected["days"].to_list()
    assert set(sheet[sheet.columns[-1]].cast(pl.Int64)) <= set(range(1, 31))
    assert set(sheet[sheet.columns[3]]) == {"Inpatient"}  # the level's label, not its id
    note = note_below(book_en, "Readmissions")
    assert note is not None
    assert note.startswith("A readmission is the first admission (step-up or transfer) into Inpatient 1 to 30 days")
    assert "HEDIS" in note
