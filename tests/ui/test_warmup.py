"""The first load's background imports (casekit/ui/warmup.py, issue 18)."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_the_thread_imports_overviews_libraries_once_and_never_pandas() -> None:
    out = _run(
        "import sys\n"
        "from casekit.ui import warmup\n"
        "thread = warmup.start()\n"
        "assert warmup.start() is thread  # once per process\n"
        "thread.join(timeout=120)\n"
        "print(thread.name, not thread.is_alive(), [m for m in warmup.MODULES if m not in sys.modules],"
        " 'pandas' in sys.modules)"
    )
    assert out.split() == ["casekit-warm-up", "True", "[]", "False"]


def test_a_module_that_cannot_be_imported_is_left_to_the_page() -> None:
    out = _run(
        "import sys\n"
        "from casekit.ui import warmup\n"
        "warmup._import(('casekit.no_such_module', 'casekit.i18n'))\n"
        "print('casekit.i18n' in sys.modules)"
    )
    assert out.strip() == "True"


def test_the_sidebar_starts_it_before_it_reads_any_source() -> None:
    import inspect

    from casekit.ui import sidebar

    code = inspect.getsource(sidebar._load_choice)
    assert code.index("warm_up()") < min(code.index(s) for s in ("stored_result(", "load(sample_path", "load(files"))


def test_charts_are_checked_against_the_schema_when_drawn_only() -> None:
    """After the warm-up, altair no longer checks each part of a chart as it is made (its debug
    mode); the whole chart is still checked when drawn (``to_dict()``, as Streamlit calls it)."""
    out = _run(
        "import altair as alt\n"
        "from casekit.ui import warmup\n"
        "warmup.start().join(timeout=120)\n"
        "bad = alt.Chart(alt.Data(values=[])).mark_bar().encode(x=alt.X('a:Q', bin='yes'))\n"
        "try:\n"
        "    bad.to_dict()\n"
        "except alt.utils.schemapi.SchemaValidationError:\n"
        "    print('checked when drawn', alt.utils.schemapi.DEBUG_MODE)\n"
    )
    assert out.strip() == "checked when drawn False"
