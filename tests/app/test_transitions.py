"""Transitions screen, driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.present import format_number
from casekit.ui import transitions as tx
from tests.app.conftest import open_app, shown_numbers
from tests.ui.test_transitions import _by_hand

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def expected(sample_result: ck.ValidationResult, sample_status: pl.DataFrame) -> dict[str, object]:
    result, status = sample_result, sample_status
    hand = _by_hand(result, ck.SAMPLE_AS_OF)
    flagged = ck.flags_long(status).filter(pl.col("flag") == "post_transition_contact_missing")
    return {"result": result, "sheet": result.data["transitions"], "hand": hand, "flagged": flagged}


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _frame(at, column: str):
    """The first table on screen with a column named ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("es", ["Transiciones", "Dentro del plazo", "Fuera de plazo", "Aún no, plazo abierto", "Falta"]),
        ("en", ["Transitions", "Within the window", "Late", "None yet, window open", "Missing"]),
    ],
)
def test_figures_equal_the_sheet_and_a_hand_computation(expected: dict, lang: str, labels: list[str]) -> None:
    at = open_app("transitions", lang=lang)
    assert at.title[0].value == ("Transiciones" if lang == "es" else "Transitions")
    metrics = _metrics(at)
    sheet, hand = expected["sheet"], expected["hand"]
    assert metrics[labels[0]] == format_number(sheet.height, lang, ",")
    for label, status in zip(labels[1:], tx.CONTACT_STATUSES, strict=True):
        assert metrics[label] == format_number(sum(v == status for v in hand.values()), lang, ",")
    # the from → to table adds up to the transitions sheet
    flows = _frame(at, labels[0])
    assert sum(shown_numbers(flows.iloc[:, -1], lang)) == sheet.height
    assert "inpatient" not in flows.iloc[:, 0].tolist()  # labels, not ids
    # the list to chase: late and missing ones, with the flag's due date for the flagged
    chase = _frame(at, "Caso abierto" if lang == "es" else "Case open")
    assert len(chase) == sum(v in ("late", "missing") for v in hand.values())
    due = chase["Alerta vencida el" if lang == "es" else "Flag due on"]
    flagged_cases = set(chase.loc[due != "", "Caso" if lang == "es" else "Case"])  # blank dates are shown empty
    assert flagged_cases == set(expected["flagged"]["case_id"])
    captions = " ".join(c.value for c in at.caption)
    assert format_number(expected["flagged"].height, lang, ",") in captions


def test_the_kind_filter_changes_the_flows(expected: dict) -> None:
    at = open_app("transitions", lang="en")
    at.multiselect(key="tx_kinds").set_value(["discharge"]).run()
    assert not at.exception, [e.value for e in at.exception]
    discharges = expected["sheet"].filter(pl.col("kind") == "discharge").height
    flows = _frame(at, "Transitions")
    assert sum(shown_numbers(flows["Transitions"], "en")) == discharges < expected["sheet"].height
    assert any(f"{discharges:,} of {expected['sheet'].height:,}" in c.value for c in at.caption)


def test_the_case_manager_filter_narrows_the_list() -> None:
    at = open_app("transitions", lang="es")
    before = _frame(at, "Caso abierto")
    manager = before["Gestor del caso"].replace("", None).dropna().iloc[0]
    at.selectbox(key="tx_manager").set_value(manager).run()
    assert not at.exception
    after = _frame(at, "Caso abierto")
    assert 0 < len(after) < len(before)
    assert set(after["Gestor del caso"]) == {manager}


def test_every_table_can_be_downloaded() -> None:
    at = open_app("transitions", lang="en")
    keys = {b.key for b in at.get("download_button")}
    for stem in ("tx_flows", "tx_by_kind", "tx_chase", "tx_readmissions"):
        assert {f"{stem}_csv", f"{stem}_xlsx"} <= keys


def test_a_workbook_with_only_cases_explains_there_are_no_transitions(expected: dict) -> None:
    cases_only = ck.write_workbook({"cases": expected["result"].data["cases"]}, None)
    at = open_app("transitions", lang="en")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value(("only_cases.xlsx", cases_only, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No transitions recorded yet" in i.value for i in at.info)
    assert not at.metric


def test_the_broken_workbook_keeps_working_on_the_valid_rows() -> None:
    broken = SAMPLE.parent / "casekit_broken_es.xlsx"
    at = open_app("transitions", lang="en")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value((broken.name, broken.read_bytes(), XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    result = ck.validate(ck.read_workbook(broken), as_of=at.session_state["as_of"])
    assert {m.label: m.value for m in at.metric}["Transitions"] == format_number(
        result.data["transitions"].height, "en", ","
    )
    assert any("rows with errors were set aside" in w.value for w in at.warning)


def test_an_earlier_as_of_date_leaves_later_transitions_out(expected: dict) -> None:
    import datetime as dt

    at = open_app("transitions", lang="en")
    earlier = dt.date(2026, 6, 30)
    at.date_input(key="as_of").set_value(earlier).run()
    assert not at.exception
    n = expected["sheet"].filter(pl.col("transition_on") <= earlier).height
    assert {m.label: m.value for m in at.metric}["Transitions"] == format_number(n, "en", ",")
