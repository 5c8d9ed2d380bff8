"""casekit app — the router. Run with ``streamlit run app.py``.

Pages live in ``pages/`` (one thin script per screen); every number they show comes
from the ``casekit`` package.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from casekit.i18n import LANGS, t

HERE = Path(__file__).parent

st.set_page_config(page_title="casekit", layout="wide")

with st.sidebar:
    lang = st.selectbox(
        "Idioma / Language",
        LANGS,
        format_func=lambda code: {"es": "Español", "en": "English"}[code],
        key="lang",
    )

page = st.navigation(
    {
        t("app.section_data", lang): [
            st.Page(HERE / "pages" / "data.py", title=t("app.page_data", lang), url_path="data", default=True),
        ]
    }
)
page.run()
