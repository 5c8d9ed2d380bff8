"""Overview and Data screens, driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.i18n import t
from casekit.present import format_number
from casekit.report import key_figures, open_flag_counts
from casekit.ui.widgets import wrapped_row_height
from tests.app.conftest import open_app, shown_numbers

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
BROKEN = SAMPLE / "casekit_broken_es.xlsx"


@pytest.fixture(scope="module")
def expected(sample_result: ck.ValidationResult, sample_status: pl.DataFrame) -> dict[str, object]:
    result, status = sample_result, sample_status
    figures = key_figures(
        result,
        status=status,
        changes=ck.outcome_changes(result, as_of=ck.SAMPLE_AS_OF),
        entries=ck.stage_entries(result.data, as_of=ck.SAMPLE_AS_OF),
    )
    return {"figures": figures, "flags": open_flag_counts(status), "result": result}


@pytest.mark.parametrize(
    ("lang", "title", "labels"),
    [
        ("es", "Resumen", ["Casos abiertos", "Riesgo alto (casos abiertos)", "Alertas abiertas"]),
        ("en", "Overview", ["Open cases", "High risk (open cases)", "Open flags"]),
    ],
)
def test_overview_key_figures_equal_casekit(expected: dict, lang: str, title: str, labels: list[str]) -> None:
    at = open_app(lang=lang)
    assert at.title[0].value == title
    metrics = {m.label: m.value for m in at.metric}
    figures = expected["figures"]
    assert metrics[labels[0]] == format_number(figures["open_cases"], lang, ",")
    assert metrics[labels[1]] == format_number(figures["high_risk_share"], lang, ".0%")
    assert metrics[labels[2]] == format_number(figures["open_flags"], lang, ",")
    flags = at.dataframe[0].value
    assert shown_numbers(flags.iloc[:, 1], lang) == expected["flags"]["cases"].to_list()


def test_changing_the_as_of_date_changes_the_overdue_counts() -> None:
    at = open_app()
    before = {m.label: m.value for m in at.metric}["Alertas abiertas"]
    at.date_input(key="as_of").set_value(ck.SAMPLE_AS_OF.replace(year=2027)).run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}["Alertas abiertas"]

    def count(text: str) -> int:  # Spanish groups thousands with "."
        return int(text.replace(".", "").replace(",", ""))

    assert count(after) > count(before)


def test_a_date_picked_with_another_source_in_one_rerun_is_kept() -> None:
    """A date picked while the rerun of another source is still running reaches the app in
    the same rerun as the source: the date picked wins (the source's default date replaced
    it); a source chosen alone starts at its own date."""
    at = open_app()
    day = ck.SAMPLE_AS_OF.replace(year=2025)
    at.radio(key="source").set_value("upload")
    at.date_input(key="as_of").set_value(day)
    at.run()
    assert not at.exception
    assert at.date_input(key="as_of").value == day
    at.radio(key="source").set_value("sample").run()  # alone: the sample's own date
    assert at.date_input(key="as_of").value == ck.SAMPLE_AS_OF


def test_language_switch_keeps_the_page_and_translates_it() -> None:
    at = open_app("data", lang="es")
    assert at.title[0].value == "Datos"
    at.selectbox(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Data"
    assert at.sidebar.radio[0].label == "Data"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_data_page_on_the_clean_sample(lang: str) -> None:
    at = open_app("data", lang=lang)
    counts = at.dataframe[0].value
    assert counts.iloc[0].tolist()[1:] == [500, 0]
    labels = [b.label for b in at.get("download_button")]
    assert any("TOML" in label for label in labels)
    assert sum("ES" in label or "EN" in label for label in labels) == 2  # both templates
    # a click downloads and does not rerun the app (a rerun could forget a deferred file's id)
    assert all(b.proto.ignore_rerun for b in at.get("download_button"))
    assert any(b.proto.deferred_file_id for b in at.get("download_button"))  # templates: written on click


def test_uploading_the_broken_workbook_shows_the_report_and_keeps_working() -> None:
    at = open_app("data")
    at.radio(key="source").set_value("upload").run()
    assert not at.exception
    at.file_uploader(key="uploads").set_value(
        (BROKEN.name, BROKEN.read_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    report = at.dataframe[1].value
    result = ck.validate(ck.read_workbook(BROKEN), lang="es", as_of=at.session_state["as_of"])
    assert len(report) == result.report.height
    assert "El caso «C99999» no existe en la hoja de casos." in report.iloc[:, -1].tolist()
    # the check id is off the screen (the message says it in words) but kept in the download
    columns = ("sheet", "row", "column", "value", "severity", "message")
    assert list(report.columns) == [ck.present.header(c, "es") for c in columns]
    # the message with its hint wraps onto the lines it needs (read whole at 1280 px)
    longest = max(len(m) for m in report.iloc[:, -1])
    assert at.dataframe[1].proto.row_height == wrapped_row_height(pl.DataFrame({"m": ["x" * longest]}), ["m"]) > 0
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert any("filas con errores" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Casos abiertos"] != "0"


def test_an_unreadable_upload_shows_one_clear_message() -> None:
    at = open_app("overview")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value(("roto.xlsx", b"not a workbook at all", "application/octet-stream")).run()
    assert not at.exception
    assert any("roto.xlsx" in e.value.replace("\\", "") for e in at.error)  # Markdown-escaped file name


def test_flags_table_shows_translated_flag_names(expected: dict) -> None:
    at = open_app(lang="en")
    names = at.dataframe[0].value.iloc[:, 0].tolist()
    assert names[0] == ck.stages.flag_label(expected["flags"]["flag"][0], "en")
    assert not any("_" in name for name in names)
    assert isinstance(expected["flags"], pl.DataFrame)


def test_every_page_starts_with_the_page_header() -> None:
    """The guard, title, source caption and quarantine banner are drawn by one widget."""
    pages = sorted((Path(__file__).resolve().parents[2] / "pages").glob("*.py"))
    assert len(pages) >= 12
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "page_header(" in text or "page_title(" in text, page.name
        for repeated in ("st.title(", "require_tables(", "source_caption", "quarantine_banner("):
            assert repeated not in text, (page.name, repeated)


def test_every_download_goes_through_the_one_widget() -> None:
    """``widgets.download`` is the one place that sets how a download button behaves."""
    root = Path(__file__).resolve().parents[2]
    files = [*(root / "pages").glob("*.py"), *(root / "casekit").rglob("*.py"), root / "app.py"]
    calls = [f.name for f in files if "download_button(" in f.read_text(encoding="utf-8")]
    assert calls == ["widgets.py"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_first_screen_tells_a_newcomer_what_this_is_and_what_to_do_first(lang: str) -> None:
    at = open_app(lang=lang)
    shown = [m.value for m in at.markdown]
    assert f"**{t('ui.welcome_title', lang)}**" in shown
    assert t("ui.welcome_what", lang) in shown
    assert t("ui.welcome_sample", lang, cases=format_number(500, lang)) in shown  # the bundled sample, said so
    first = next(m for m in shown if m.startswith(t("ui.welcome_first", lang).split(":")[0]))
    for words in ("ui.source_upload", "ui_records.create_workspace", "ui_records.import_button"):
        assert t(words, lang) in first  # the sidebar's own words
    templates = {t("ui.data_template_button", lang, lang=code) for code in ("ES", "EN")}
    assert templates <= {b.proto.label for b in at.get("download_button")}
    # upload mode before any file: the Data screen still offers the template
    at.switch_page("pages/data.py").run()
    at.radio(key="source").set_value("upload").run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("ui.no_data", lang) in [i.value for i in at.info]
    assert templates <= {b.proto.label for b in at.get("download_button")}
    assert not any(t("ui.welcome_title", lang) in m.value for m in at.markdown)
