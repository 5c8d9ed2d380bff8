"""The first load's background imports (casekit/ui/warmup.py, issue 18)."""

from __future__ import annotations

import subprocess
import sys

from casekit.ui import warmup


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


def test_the_router_starts_it_before_the_sidebar_reads() -> None:
    from pathlib import Path

    app = (Path(warmup.__file__).parents[2] / "app.py").read_text(encoding="utf-8")
    assert app.index("warm_up()") < app.index("sidebar()")
