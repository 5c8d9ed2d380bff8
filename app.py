"""casekit app — the router. Run with ``streamlit run app.py``.

The sidebar (language, data source, as-of date, settings) is drawn here on every run so
the choices persist across pages; pages in ``pages/`` are thin scripts that draw what
``casekit`` computes.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from casekit.i18n import t
from casekit.ui import PAGES, SECTIONS
from casekit.ui.sidebar import current_lang, sidebar

HERE = Path(__file__).parent
PAGES_DIR = HERE / "pages"

st.set_page_config(page_title="casekit", layout="wide")
st.session_state["tables"] = sidebar()
lang = current_lang()


def page(name: str, *, default: bool = False) -> st.Page:
    return st.Page(PAGES_DIR / f"{name}.py", title=t(f"ui.page_{name}", lang), url_path=name, default=default)


navigation = st.navigation(
    {
        t(f"ui.section_{section}", lang): [page(name, default=name == PAGES[0]) for name in names]
        for section, names in SECTIONS.items()
    }
)
navigation.run()
