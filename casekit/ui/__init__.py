"""Support for the Streamlit screens: the loaded tables, the sidebar, small widgets.

Pages stay thin: they draw what these helpers and the ``casekit`` functions return.
"""

#: The screens in navigation order, by sidebar section (``ui.section_<key>`` titles them;
#: each page is ``pages/<name>.py``, titled ``ui.page_<name>``; the first is the home page).
SECTIONS: dict[str, tuple[str, ...]] = {
    "overview": ("overview", "case"),
    "stages": ("screening", "assessment", "planning", "monitoring", "transitions", "outcomes"),
    "tools": ("learn", "explore"),
    "data": ("data",),
}
#: Every screen, in navigation order.
PAGES: tuple[str, ...] = tuple(name for names in SECTIONS.values() for name in names)
