"""casekit app — the router. Run with ``streamlit run app.py``.

The sidebar (language, data source, as-of date, settings) is drawn here on every run so
the choices persist across pages; pages in ``pages/`` are thin scripts that draw what
``casekit`` computes.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from casekit.i18n import t
from casekit.ui.sidebar import current_lang, sidebar

HERE = Path(__file__).parent
PAGES = HERE / "pages"

st.set_page_config(page_title="casekit", layout="wide")
st.session_state["workspace"] = sidebar()
lang = current_lang()


def page(name: str, *, default: bool = False) -> st.Page:
    return st.Page(PAGES / f"{name}.py", title=t(f"ui.page_{name}", lang), url_path=name, default=default)


sections = {
    t("ui.section_overview", lang): [page("overview", default=True)],
    t("ui.section_stages", lang): [
        page(name)
        for name in ("screening", "assessment", "planning", "monitoring", "transitions", "outcomes")
        if (PAGES / f"{name}.py").exists()
    ],
    t("ui.section_tools", lang): [page(name) for name in ("learn", "explore") if (PAGES / f"{name}.py").exists()],
    t("ui.section_data", lang): [page("data")],
}
navigation = st.navigation({section: pages for section, pages in sections.items() if pages})
navigation.run()
