"""Printing: the print set-up of every sheet casekit writes, the one-page PDF summary and
the report as LibreOffice prints it (issue 19)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from casekit.deid import deidentify
from casekit.export import write_table, write_workbook, write_xlsx
from casekit.i18n import t
from casekit.report import build_report, write_report
from casekit.sample import SAMPLE_AS_OF, make_sample
from casekit.stages import case_status, worklist
from casekit.summary_pdf import summary_pdf
from casekit.template import instructions_name, write_template
from casekit.validation import validate
from tests.cli_runner import run_casekit as run

SOURCE = "muestra & co.xlsx"


@pytest.fixture(scope="module")
def data():
    return make_sample(240, seed=5)


@pytest.fixture(scope="module")
def result(data):
    return validate(data, lang="es", as_of=SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def reports(result) -> dict[str, object]:
    return {lang: build_report(result, as_of=SAMPLE_AS_OF, lang=lang) for lang in ("es", "en")}


# ---- print set-up on every writer's sheets ----------------------------------------------


def _books(tmp: Path, data, result, report) -> dict[str, Path]:
    """One XLSX from every writer casekit has."""
    status = case_status(result, as_of=SAMPLE_AS_OF)
    page = {"source": SOURCE, "as_of": SAMPLE_AS_OF}
    books = {
        "report": write_report(report, tmp / "report.xlsx", as_of=SAMPLE_AS_OF, lang="es", charts=False),
        "status": write_table(status, tmp / "status.xlsx", lang="es", sheet="status", **page),
        "worklist": write_table(worklist(status), tmp / "worklist.xlsx", lang="es", sheet="worklist", **page),
        "risk": write_table(report.sheets["risk"], tmp / "risk.xlsx", lang="es", sheet="risk", **page),
        "extract": deidentify(data).write(tmp / "extract.xlsx", lang="es"),
        "sample": write_workbook(data, tmp / "sample.xlsx", lang="es", labels=True, as_of=SAMPLE_AS_OF),
    }
    write_xlsx({"validación": result.report}, tmp / "validation.xlsx", lang="es", **page)
    books["validation"] = tmp / "validation.xlsx"
    write_template(tmp / "template.xlsx", lang="es", rows=20)
    books["template"] = tmp / "template.xlsx"
    return books


def test_every_writer_sets_up_printing(tmp_path: Path, data, result, reports) -> None:
    books = _books(tmp_path, data, result, reports["es"])
    summary_sheet = t("report.sheet_summary", "es")
    for kind, path in books.items():
        book = openpyxl.load_workbook(path)
        for ws in book.worksheets:
            where = f"{kind}: {ws.title}"
            setup = ws.page_setup
            assert setup.paperSize in (9, "9"), where
            assert ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert (setup.fitToWidth or 1) == 1, where  # 1 is the default when absent
            footer = ws.oddFooter
            assert footer.left.text == "&A", where
            assert footer.center.text == "Página &P de &N", where
            if ws.title == summary_sheet:
                assert (setup.fitToHeight or 1) == 1, where  # the whole summary on one page
                assert not ws.print_options.gridLines, where  # it draws its own boxes
                continue
            assert setup.fitToHeight in (0, "0"), where  # as many pages tall as the rows need
            if ws.title == instructions_name("es"):
                assert ws.print_title_rows, where
                assert ws.print_title_rows != "$1:$1", where  # the header of the columns table
                assert not ws.print_options.gridLines, where
            else:
                assert ws.print_title_rows == "$1:$1", where
                assert ws.print_options.gridLines, where
            width = sum(_pixels(ws.column_dimensions[c].width) for c in _used_columns(ws))
            wide = width > 660  # the printable width of a portrait A4 page
            assert setup.orientation == ("landscape" if wide else "portrait"), (where, width)
        if kind in ("status", "worklist", "risk", "validation", "report"):
            right = book.worksheets[0].oddFooter.right.text
            source = SOURCE if kind != "report" else "sample(n_cases=240, seed=5, as_of=2026-09-30)"
            assert right == f"{source.replace('&', '&&')} · 30/09/2026", kind  # "&" is a code: written "&&"


def _pixels(chars: float | None) -> int:
    """Excel's column width in characters -> pixels (64 px for a default column)."""
    return int(chars * 7 + 5) if chars else 64


def _used_columns(ws) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, ws.max_column + 1)]


def test_integer_figures_are_written_as_integers(tmp_path: Path, reports) -> None:
    report = reports["en"]
    path = write_report(report, tmp_path / "r.xlsx", as_of=SAMPLE_AS_OF, lang="en", charts=False)
    ws = openpyxl.load_workbook(path)["Summary"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(max_col=2) if row[0].value}
    days = cells[t("report.fig_median_days_to_plan", "en")]
    median = report.figures["median_days_to_plan"]
    assert days.value == pytest.approx(median)
    if float(median).is_integer():
        assert isinstance(days.value, int)
        assert "." not in days.number_format, days.number_format
    for label in ("Open cases", "Open flags"):
        assert isinstance(cells[label].value, int)
        assert cells[label].number_format == "#,##0"
    # detail sheets: a column whose numbers are all whole shows no decimals
    checked = 0
    for sheet in openpyxl.load_workbook(path).worksheets[1:]:
        for column in sheet.iter_cols(min_row=2):
            numbers = [c for c in column if isinstance(c.value, int | float) and not isinstance(c.value, bool)]
            if numbers and all(float(c.value).is_integer() for c in numbers) and numbers[0].number_format != "0.0%":
                checked += 1
                assert all("." not in c.number_format for c in numbers), (sheet.title, column[0].column_letter)
    assert checked >= 10


# ---- the one-page PDF summary -----------------------------------------------------------

_NUMBER = {
    "es": r"-?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?:\s?%)?",
    "en": r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?%?",
}


def _parse(token: str, lang: str) -> tuple[float, float]:
    """A printed number -> (value, half of its last shown digit)."""
    pct = token.endswith("%")
    text = token.rstrip("%").strip()
    text = text.replace(".", "").replace(",", ".") if lang == "es" else text.replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    scale = 100 if pct else 1
    return float(text) / scale, 0.5 * 10**-decimals / scale + 1e-12


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def _workbook_rows(path: Path, sheet: str) -> list[tuple[str, list[object]]]:
    """(label, values) of the summary sheet's figure rows, read back with openpyxl."""
    ws = openpyxl.load_workbook(path)[sheet]
    rows = []
    for row in ws.iter_rows(min_row=5, max_col=5, values_only=True):
        label, values = row[0], [v for v in row[1:] if v is not None]
        if label and values and not all(isinstance(v, str) and v not in ("—",) for v in values):
            rows.append((label, values))
    return rows


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_is_one_page_and_its_figures_equal_the_workbooks(tmp_path: Path, reports, lang: str) -> None:
    report = reports[lang]
    book = write_report(report, tmp_path / "r.xlsx", as_of=SAMPLE_AS_OF, lang=lang, charts=False)
    pages, text = _pdf_text(summary_pdf(report, lang=lang, for_sharing=False) or b"")
    assert pages == 1
    assert t("printing.pdf_title", lang) in text
    assert t("outcomes.rtm_caveat", lang) in text
    assert t("printing.priorities", lang) in text  # open items by priority class (issue 12's triage)
    rows = _workbook_rows(book, t("report.sheet_summary", lang))
    assert len(rows) >= 30  # key figures, funnel, open items, outcomes, utilisation, validation
    number = _NUMBER[lang]
    for label, values in rows:
        cell = rf"(—|{number})"
        match = re.search(re.escape(label) + "".join(rf" {cell}" for _ in values), text)
        assert match, (label, values)
        for value, token in zip(values, match.groups(), strict=True):
            if value == "—":
                assert token == "—", label
                continue
            shown, tolerance = _parse(token, lang)
            assert shown == pytest.approx(float(value), abs=tolerance), (label, token, value)


def test_pdf_for_sharing_suppresses_small_cells(reports) -> None:
    report = reports["es"]
    shared = summary_pdf(report, lang="es") or b""
    pages, text = _pdf_text(shared)
    assert pages == 1
    assert t("printing.note_for_sharing", "es") in text
    word = t("printing.suppressed", "es")
    # every open item by kind with 1-10 cases is hidden, larger counts and zero are shown
    for flag, cases in report.flags.iter_rows():
        from casekit.stages import flag_label

        shown = re.search(re.escape(flag_label(flag, "es")) + rf" ({word}|\d+)", text)
        assert shown, flag
        assert shown.group(1) == (word if 1 <= cases <= 10 else str(cases)), (flag, cases)
    assert word in text
    exact = _pdf_text(summary_pdf(report, lang="es", for_sharing=False) or b"")[1]
    assert t("printing.note_exact", "es") in exact
    assert t("printing.note_for_sharing", "es") not in exact


def test_pdf_stays_one_page_for_a_tiny_and_a_larger_caseload() -> None:
    for n in (12, 1500):
        report = build_report(make_sample(n, seed=3), as_of=SAMPLE_AS_OF, lang="en")
        assert _pdf_text(summary_pdf(report, lang="en") or b"")[0] == 1, n


def test_cli_report_writes_the_pdf(tmp_path: Path) -> None:
    book = tmp_path / "muestra.xlsx"
    write_workbook(make_sample(80, seed=2), book, lang="es", labels=True)
    out, pdf = tmp_path / "informe.xlsx", tmp_path / "resumen.pdf"
    proc = run("report", book, "--as-of", "2026-09-30", "--lang", "es", "--no-charts", "--out", out, "--pdf", pdf)
    assert proc.returncode == 0, proc.stderr
    assert "resumen.pdf" in proc.stdout
    assert "--exact-counts" in proc.stdout  # says that small cells are hidden and how to show them
    pages, text = _pdf_text(pdf.read_bytes())
    assert pages == 1
    assert "muestra.xlsx" in text
    assert "30/09/2026" in text
    bad = run("report", book, "--as-of", "2026-09-30", "--lang", "en", "--out", out, "--pdf", tmp_path / "s.txt")
    assert bad.returncode == 2
    assert ".pdf" in bad.stderr


# ---- the report as LibreOffice prints it ------------------------------------------------


def _soffice_pdf(book: Path, tmp: Path) -> PdfReader:
    """Convert ``book`` with headless LibreOffice Calc (its own profile: parallel runs never clash)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui")
    profile = (tmp / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), book],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return PdfReader(tmp / f"{book.stem}.pdf")


@pytest.mark.slow
def test_libreoffice_prints_the_report_with_labels_next_to_values(tmp_path: Path, result, reports) -> None:
    report = reports["es"]
    book = write_report(report, tmp_path / "informe.xlsx", as_of=SAMPLE_AS_OF, lang="es")
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in _soffice_pdf(book, tmp_path).pages]
    workbook = openpyxl.load_workbook(book)

    # the summary sheet is one page: its title and every label with its value on it
    title = t("report.title", "es")
    summary = [p for p in pages if title in p]
    assert len(summary) == 1
    for label, _ in _workbook_rows(book, t("report.sheet_summary", "es")):
        assert re.search(re.escape(label) + r" \S", summary[0]), label
    sheet = workbook[t("report.sheet_summary", "es")]
    for row in sheet.iter_rows(min_row=5, max_col=5):
        label, counts = row[0].value, [c.value for c in row[1:] if c.number_format == "#,##0"]
        for value in counts:  # whole numbers: the same digits on the page, after the label
            shown = f"{value:,}".replace(",", "[.,]")
            assert re.search(re.escape(label) + r".{0,40}?\b" + shown + r"\b", summary[0]), (label, value)

    # every other sheet: each of its pages repeats the whole header row (one page wide);
    # wrapped headers come out line by line, so each word of each header is looked for
    for ws in workbook.worksheets[1:]:
        words = {w for c in ws[1] if c.value for w in str(c.value).split()}
        own = [p for p in pages if f"{ws.title} Página" in p or p.startswith(ws.title)]
        assert own, ws.title
        for page in own:
            missing = sorted(w for w in words if w not in page)
            assert not missing, (ws.title, missing)
    assert len(pages) < 40  # 240 cases: the unprepared workbook printed ~150 pages
