"""Loading helpers shared by the Streamlit pages (cached, keyed on simple values).

Kept out of the page files so they stay thin and the logic is testable without Streamlit.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from casekit.data import ValidationResult

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_WORKBOOK = SAMPLE_DIR / "casekit_muestra_es.xlsx"


@st.cache_data(show_spinner=False)
def load_bundled_sample(lang: str) -> ValidationResult:
    """Read and validate the bundled Spanish sample workbook as of its reference date."""
    from casekit.io import read_workbook
    from casekit.sample import SAMPLE_AS_OF
    from casekit.validation import validate

    return validate(read_workbook(SAMPLE_WORKBOOK, lang=lang), lang=lang, as_of=SAMPLE_AS_OF)
