"""casekit app — the router. Run with ``streamlit run app.py``.

Who is using the app is settled first (sign-in, or local mode: ``casekit.ui.signin``);
the role decides the pages listed. The sidebar (language, data source, as-of date,
settings) is drawn here on every run so the choices persist across pages; pages in
``pages/`` are thin scripts that draw what ``casekit`` computes.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from casekit.i18n import t
from casekit.ui import SECTIONS
from casekit.ui.sidebar import current_lang, sidebar
from casekit.ui.signin import alerts, identify, local_banner, pages_for

HERE = Path(__file__).parent
PAGES_DIR = HERE / "pages"

st.set_page_config(page_title="casekit", layout="wide")
who = identify(current_lang())
st.session_state["tables"] = sidebar()
lang = current_lang()
local_banner(who, lang)
alerts(who, st.session_state["tables"], lang)
allowed = pages_for(who.role)


def page(name: str, *, default: bool = False) -> st.Page:
    title = t(f"ui.page_{name}", lang)
    return st.Page(PAGES_DIR / f"{name}.py", title=title, url_path=name, default=default)


sections = {section: [n for n in names if n in allowed] for section, names in SECTIONS.items()}
if "users" in allowed:
    sections["data"] = [*sections["data"], "users"]
first = next(n for names in sections.values() for n in names)
navigation = st.navigation(
    {
        t(f"ui.section_{section}", lang): [page(n, default=n == first) for n in names]
        for section, names in sections.items()
        if names
    }
)
navigation.run()
