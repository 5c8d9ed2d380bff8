"""Streamlit pages driven headlessly with AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def test_data_page_shows_bundled_sample_in_both_languages() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Datos"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Casos"] == "500"
    assert metrics["Errores"] == "0"
    sheets = at.dataframe[0].value
    assert sheets.iloc[:, 0].tolist()[:3] == ["casos", "cribados", "evaluaciones"]
    assert sheets.iloc[0, 1] == 500
    assert list(at.dataframe[1].value.columns)[:3] == ["Hoja", "Fila", "Columna"]

    at.selectbox(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Data"
    assert {m.label for m in at.metric} == {"Cases", "Errors", "Warnings"}
    assert at.dataframe[0].value.iloc[:, 0].tolist()[:2] == ["cases", "screenings"]
    assert "Message" in at.dataframe[1].value.columns
