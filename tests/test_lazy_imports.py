"""``import casekit`` and ``casekit --help`` load no heavy library until it is used (PEP 562)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import casekit

HEAVY = ("altair", "pandera", "pandas", "streamlit", "xlsxwriter", "fastexcel")


def _loaded_after(code: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    probe = f"{code}\nimport sys\nprint('LOADED:' + ','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("LOADED:"))
    return [m for m in line.removeprefix("LOADED:").split(",") if m]


def test_import_casekit_loads_no_heavy_library() -> None:
    assert _loaded_after("import casekit") == []


def test_cli_help_loads_no_heavy_library_not_even_polars() -> None:
    """``casekit --help`` and a command's ``--help`` build the parser from the standard library only."""
    for argv in (["--help"], ["deidentify", "--help"]):
        code = f"from casekit.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
        assert _loaded_after(code, (*HEAVY, "polars", "sqlalchemy")) == []


def test_a_public_name_loads_its_module_when_used() -> None:
    # validate's checks are polars queries: pandera is loaded only for a pandera schema itself
    assert _loaded_after("import casekit\ncasekit.validate", ("polars", "pandera")) == ["polars"]
    assert "altair" in _loaded_after("import casekit\ncasekit.charts")


def test_every_public_name_resolves_and_type_checkers_see_the_same_names() -> None:
    tree = ast.parse(Path(casekit.__file__).read_text(encoding="utf-8"))
    checked = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for stmt in node.body
        if isinstance(stmt, ast.ImportFrom)
        for alias in stmt.names
    }
    assert set(casekit.__all__) == set(casekit._EXPORTS) == checked
    for name in casekit.__all__:
        assert getattr(casekit, name) is not None
    assert set(casekit.__all__) <= set(dir(casekit))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        casekit.no_such_thing  # noqa: B018


#: What only a stored workspace needs: the app's sample and upload sources never load them.
DATABASE = ("sqlalchemy", "alembic", "psycopg")


def _imported_modules(script: Path) -> list[str]:
    """The ``casekit`` modules a script imports at its top level (``from x import y``: x, and x.y if a module)."""
    names = []
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("casekit"):
            names += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names if a.name.startswith("casekit")]
    return names


def test_the_app_without_a_workspace_loads_no_database_library(tmp_path: Path) -> None:
    """app.py's router, every page but Users (a workspace's), the sidebar's question 'is
    there a workspace?' (none here) and the pages' role checks (exact counts shown? a form
    drawn?) import no SQLAlchemy, alembic or psycopg."""
    from casekit.ui import PAGES

    root = Path(casekit.__file__).parent.parent
    scripts = [root / "app.py", *(root / "pages" / f"{name}.py" for name in PAGES)]
    modules = sorted({m for script in scripts for m in _imported_modules(script)})
    assert {"casekit.ui.sidebar", "casekit.ui.records", "casekit.ui.widgets"} <= set(modules)
    code = (
        "import importlib, os\n"
        f"os.environ['CASEKIT_DB'] = {str(tmp_path / 'none.db')!r}\n"
        f"for m in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except ModuleNotFoundError:\n"
        "        pass  # a name imported from a module, not a module\n"
        "from casekit.ui import records\n"
        "assert records.options(workspace_exists=records.workspace_exists()) == ('sample', 'upload')\n"
        "from casekit.ui.signin import Identity, may_record, shows_exact_counts\n"
        "assert not shows_exact_counts(Identity('t@x.org', 'trainer')) and may_record('contacts')"
    )
    assert _loaded_after(code, DATABASE) == []
    # the workspace's module loads SQLAlchemy on first use, not on import (issue 18, round 9:
    # opening a current SQLite workspace needs none, tests/workspace/test_reads.py)
    assert _loaded_after("from casekit.workspace import Workspace", DATABASE) == []
    # the check can fail: the engine's module loads it (alembic only to migrate)
    assert _loaded_after("from casekit.workspace import _engine", DATABASE) == ["sqlalchemy"]


def test_the_first_load_and_the_worklist_draw_their_tables_without_pandas(tmp_path: Path) -> None:
    """Streamlit converts a polars frame to pandas before drawing it (and imports pandas
    for it); the app's tables go as Arrow tables, so neither Overview's first load nor the
    worklist's page loads pandas (issue 18)."""
    root = Path(casekit.__file__).parent.parent
    code = (
        "import os\n"
        f"os.environ.update(CASEKIT_DB={str(tmp_path / 'none.db')!r}, CASEKIT_LOCAL_MODE='1')\n"
        "from streamlit.runtime.pages_manager import PagesManager\n"
        "from streamlit.testing.v1 import AppTest\n"
        "original = PagesManager.__init__\n"  # the router on every run, as on the server (tests/app/conftest.py)
        "def init(self, *args, **kwargs):\n"
        "    original(self, *args, **kwargs)\n"
        "    PagesManager.uses_pages_directory = False\n"
        "PagesManager.__init__ = init\n"
        f"at = AppTest.from_file({str(root / 'app.py')!r}, default_timeout=300)\n"
        "at.run()\n"
        "at.switch_page('pages/monitoring.py').run()\n"
        "assert not at.exception, at.exception\n"
        "import pyarrow as pa\n"  # the rows sent, read without pandas (AppTest's .value is pandas)
        "rows = [pa.ipc.open_stream(d.proto.arrow_data.data).read_all().num_rows for d in at.dataframe]\n"
        "assert len(rows) >= 4 and rows[0] > 100, rows  # the worklist drawn\n"
    )
    assert _loaded_after(code, ("pandas",)) == []
    # the check can fail: a polars frame given to st.dataframe loads pandas
    drawn = "import polars as pl, streamlit as st\nst.dataframe(pl.DataFrame({'a': [1]}))"
    assert _loaded_after(drawn, ("pandas",)) == ["pandas"]
