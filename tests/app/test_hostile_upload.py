"""A hostile upload costs its own session one clear message; other sessions never notice.

The upload is read in a child process (memory and time limits), so even a reader that
runs out of memory takes down only that child. Two AppTest sessions run in this one
process, as two browser tabs share one Streamlit server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit.io._isolate import MEMORY_ENV
from tests.app.conftest import open_app

CORPUS = Path(__file__).resolve().parents[1] / "hostile" / "files"
WORST = "xlsx_far_cells.xlsx"  # 2 KB: A1 and XFD1048576; it killed the server before the cell budget


def _upload(at, name: str, data: bytes) -> None:
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value((name, data, "application/octet-stream")).run()


@pytest.mark.parametrize(("lang", "words"), [("es", "demasiado grande"), ("en", "too large to read safely")])
def test_the_worst_file_gives_one_message_and_a_second_session_keeps_working(lang: str, words: str) -> None:
    first = open_app("overview", lang=lang)
    _upload(first, WORST, (CORPUS / WORST).read_bytes())
    assert not first.exception, [e.value for e in first.exception]
    errors = [e.value.replace("\\", "") for e in first.error]  # data in an alert is Markdown-escaped
    assert len(errors) == 1, errors
    assert WORST in errors[0]
    assert words in errors[0]

    second = open_app("overview", lang=lang)  # another user, same server process
    assert not second.exception
    assert not second.error
    assert len(second.metric) > 0

    first.radio(key="source").set_value("sample").run()  # the first user goes on too
    assert not first.exception
    assert not first.error


def test_a_reader_that_runs_out_of_memory_takes_down_only_its_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the child's address space far too small even to start the readers, the upload
    fails with the memory message, and this process (the server) goes on serving."""
    monkeypatch.setenv(MEMORY_ENV, "40")
    first = open_app("overview", lang="en")
    _upload(first, "cases.csv", b"case_id,opened_on\nC1,2026-03-01\n")
    assert not first.exception
    errors = [e.value.replace("\\", "") for e in first.error]  # data in an alert is Markdown-escaped
    assert len(errors) == 1, errors
    assert "memory" in errors[0]
    assert "cases.csv" in errors[0]

    second = open_app("overview", lang="en")
    assert not second.exception
    assert len(second.metric) > 0
