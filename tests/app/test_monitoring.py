"""Implementation & monitoring screen (stages 5–6), driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import casekit as ck
from casekit.data import CaseData
from casekit.i18n import t
from casekit.present import format_number
from casekit.stages import flag_label, priority_label
from tests.app.conftest import open_app, shown_numbers

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def status(sample_status: pl.DataFrame) -> pl.DataFrame:
    return sample_status


def _metrics(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _count(status: pl.DataFrame, flag: str) -> int:
    return ck.flags_long(status).filter(pl.col("flag") == flag).height


@pytest.mark.parametrize("lang", ["es", "en"])
def test_monitoring_figures_equal_casekit(status: pl.DataFrame, lang: str) -> None:
    at = open_app("monitoring", lang=lang)
    assert at.title[0].value == t("ui.page_monitoring", lang)
    worklist = ck.worklist(status)
    metrics = _metrics(at)
    # the "open flags" figure: worklist rows of open cases, as on every screen
    open_flags = worklist.filter(pl.col("current_stage") != "closed").height
    assert metrics[t("ui_monitoring.metric_worklist", lang)] == format_number(open_flags, lang, ",")
    assert open_flags == ck.stages.open_flag_count(status)
    assert metrics[t("ui_monitoring.metric_missed", lang)] == format_number(
        _count(status, "missed_appointment"), lang, ","
    )
    assert metrics[t("ui_monitoring.metric_follow_up", lang)] == format_number(
        _count(status, "follow_up_overdue"), lang, ","
    )

    shown = at.dataframe[0].value  # the worklist, a triage list, labelled
    assert len(shown) == worklist.height
    assert shown.iloc[:, 0].tolist() == [priority_label(n, lang) for n in worklist["priority"]]
    assert shown.iloc[0, 0] == priority_label(1, lang)  # safety first
    assert shown.iloc[:, 1].tolist() == worklist["case_id"].to_list()
    assert shown.iloc[:, 2].str.len().min() > 0  # the client's name
    assert shown.iloc[:, 3].tolist() == [flag_label(f, lang) for f in worklist["flag"]]
    days = shown[ck.present.header("days_overdue", lang)]  # read once: numbers stay numbers (right-aligned)
    assert pd.api.types.is_integer_dtype(days), days.dtype
    assert days.tolist() == worklist["days_overdue"].to_list()
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])]
    assert numeric == [ck.present.header("days_overdue", lang)]  # the priority is its label
    config = json.loads(at.dataframe[0].proto.columns)[numeric[0]]["type_config"]
    assert config == {"type": "number", "format": ck.present.FORMATS[lang].column_integer}  # 1.204 / 1,204

    missed = at.dataframe[1].value
    assert len(missed) == _count(status, "missed_appointment")

    by_tier = at.dataframe[3].value  # follow-ups overdue by tier, with the cadences in use
    assert shown_numbers(by_tier.iloc[:, 1], lang) == [60, 30, 14]
    assert sum(shown_numbers(by_tier.iloc[:, 3], lang)) == _count(status, "follow_up_overdue")
    assert by_tier.columns[2] == ck.present.header("open_assessed", lang)
    assessed = shown_numbers(by_tier.iloc[:, 2], lang)
    assert (
        sum(assessed)
        == status.filter((pl.col("current_stage") != "closed") & pl.col("last_assessed_on").is_not_null()).height
    )
    assert all(o <= a for o, a in zip(shown_numbers(by_tier.iloc[:, 3], lang), assessed, strict=True))
    assert max(s for s in shown_numbers(by_tier.iloc[:, 4], lang) if s is not None) <= 100  # it showed 179,30 %
    labels = [b.label for b in at.get("download_button")]
    assert labels.count(t("ui.download_csv", lang)) == 4  # every table downloadable


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_worklist_is_sent_light_and_drawn_as_text(lang: str) -> None:
    """Issue 18: the worklist's repeated texts (priority, flag, tier, manager…) reach the
    browser dictionary-encoded, fewer bytes to serialise, hash and send on every rerun, and
    are drawn as text columns (not as categories); the values are those of
    ``test_monitoring_figures_equal_casekit``."""
    import pyarrow as pa

    at = open_app("monitoring", lang=lang)
    sent = pa.ipc.open_stream(at.dataframe[0].proto.arrow_data.data).read_all()
    config = json.loads(at.dataframe[0].proto.columns)
    encoded = [f.name for f in sent.schema if pa.types.is_dictionary(f.type)]
    columns = list(at.dataframe[0].value.columns)  # priority, case, name, flag…
    assert columns[0] in encoded
    assert columns[3] in encoded
    assert len(encoded) >= 6
    assert all(config[name]["type_config"] == {"type": "text"} for name in encoded)
    assert sent.schema.field(ck.present.header("days_overdue", lang)).type == pa.int64()
    assert at.dataframe[0].value[columns[3]].tolist() == sent[columns[3]].to_pylist()


def test_filtering_by_case_manager_equals_the_managers_worklist(status: pl.DataFrame) -> None:
    at = open_app("monitoring", lang="es")
    manager = "Marta Iglesias"
    at.multiselect(key="monitoring_managers").set_value([manager]).run()
    assert not at.exception
    expected = ck.worklist(status, manager=manager)
    shown = at.dataframe[0].value
    assert len(shown) == expected.height
    assert shown.iloc[:, 1].tolist() == expected["case_id"].to_list()
    assert set(shown.iloc[:, 8]) == {manager}
    total = ck.worklist(status).height
    assert any(c.value == f"Se muestran {expected.height:,} de {total:,} filas." for c in at.caption)
    # plurals: one row shown reads in the singular
    at.multiselect(key="monitoring_flags").set_value(["safety_red_flag"]).run()
    assert len(at.dataframe[0].value) == 1 == expected.filter(pl.col("flag") == "safety_red_flag").height
    assert any(c.value == f"Se muestra 1 de {total:,} filas." for c in at.caption)


def test_filtering_by_flag_kind(status: pl.DataFrame) -> None:
    at = open_app("monitoring", lang="en")
    at.multiselect(key="monitoring_flags").set_value(["follow_up_overdue"]).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert len(shown) == _count(status, "follow_up_overdue")
    assert set(shown.iloc[:, 3]) == {"Follow-up overdue"}
    expected = ck.worklist(status).filter(pl.col("flag") == "follow_up_overdue")
    assert shown.iloc[:, 1].tolist() == expected["case_id"].to_list()  # still in triage order


def test_filtering_by_priority(status: pl.DataFrame) -> None:
    at = open_app("monitoring", lang="es")
    at.multiselect(key="monitoring_priorities").set_value([1, 2]).run()
    assert not at.exception
    expected = ck.worklist(status).filter(pl.col("priority") <= 2)
    shown = at.dataframe[0].value
    assert 0 < len(shown) == expected.height
    assert set(shown.iloc[:, 0]) == {"1 · Seguridad", "2 · Transiciones"}


def test_a_workbook_with_only_cases_explains_what_is_missing() -> None:
    cases = ck.read_workbook(SAMPLE)["cases"]
    content = ck.write_workbook(CaseData({"cases": cases}), None)
    at = open_app("monitoring", lang="en")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value(("only_cases.xlsx", content, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    infos = [i.value for i in at.info]
    assert t("ui_monitoring.missed_empty", "en") in infos
    assert t("ui_monitoring.attendance_empty", "en") in infos
    assert _metrics(at)["Attendance (all contacts)"] == "—"
    assert _metrics(at)["Follow-ups overdue"] == "0"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "en"])
def test_broken_workbook_worklist_names_the_unknown_case_and_the_possible_red_flags(lang: str) -> None:
    """Issue 12 rule 8 on the screen: a case whose opening date cannot be read is listed
    (stage unknown), and a quarantined assessment is shown as a possible red flag."""
    broken = SAMPLE.parent / "casekit_broken_es.xlsx"
    at = open_app("monitoring", lang=lang)
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value((broken.name, broken.read_bytes(), XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = at.dataframe[0].value
    result = ck.validate(ck.read_workbook(broken), as_of=at.session_state["as_of"])
    expected = ck.worklist(ck.case_status(result, as_of=at.session_state["as_of"]))
    assert len(shown) == expected.height
    stage, detail = shown.iloc[:, 10].tolist(), shown.iloc[:, 4].tolist()
    unknown = t("stages.stage_unknown", lang)
    assert stage.count(unknown) == expected.filter(pl.col("current_stage") == "unknown").height >= 1
    possible = t("stages.detail_possible_red_flag", lang)
    hiding = expected["detail"].list.contains("possible_red_flag").fill_null(value=False)
    assert [possible in d for d in detail] == hiding.to_list()
    assert hiding.sum() >= 3
