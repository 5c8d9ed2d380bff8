"""The worked notebooks in ``notebooks/``: each runs top to bottom on the bundled sample, in
Spanish and in English, and each ``.ipynb`` is exactly its paired jupytext ``.py``, outputs stripped.

A failing cell fails the test (nbclient raises ``CellExecutionError`` with the cell and its
traceback). The kernel runs in ``tmp_path``, so whatever a notebook saves (PDF, SVG, the
event log) lands there, never in the repository.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import importlib.util
from pathlib import Path
from typing import NamedTuple

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

import casekit as ck

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LANGS = ("es", "en")
PAIRED = sorted(NOTEBOOKS.glob("*/*.py"))
IPYNB = sorted(NOTEBOOKS.glob("*/*.ipynb"))

#: What each notebook saves (patterns relative to the folder it runs in), per number and language.
SAVED = {
    ("1", "es"): ["salidas/resumen_financiador.pdf", "salidas/informe.xlsx"],
    ("1", "en"): ["output/funder_summary.pdf", "output/report.xlsx"],
    ("2", "es"): ["salidas/recorrido_*.html"],
    ("2", "en"): ["output/walkthrough_*.html"],
    ("3", "es"): ["salidas/extracto/casos.parquet", "salidas/registro_eventos.csv", "salidas/registro_eventos.parquet"]
    + [f"salidas/{name}.svg" for name in ("dias_plan_nivel", "dias_plan_programa", "a_frente_b")],
    ("3", "en"): ["output/extract/cases.parquet", "output/event_log.csv", "output/event_log.parquet"]
    + [f"output/{name}.svg" for name in ("days_to_plan_tier", "days_to_plan_programme", "a_vs_b")],
}


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def test_every_notebook_has_its_twin_in_the_other_language() -> None:
    numbers = {lang: sorted(p.name.split("_")[0] for p in (NOTEBOOKS / lang).glob("*.ipynb")) for lang in LANGS}
    assert numbers["es"], "no notebook in notebooks/es"
    assert numbers["es"] == numbers["en"]
    files = [p for p in NOTEBOOKS.glob("*/*") if p.is_file() and not p.name.startswith(".")]
    assert {p.suffix for p in files} == {".ipynb", ".py"}, "only notebooks and their .py in notebooks/es|en"
    assert sorted(p.with_suffix("") for p in PAIRED) == sorted(p.with_suffix("") for p in IPYNB)


@pytest.mark.parametrize("ipynb", IPYNB, ids=_id)
def test_ipynb_is_its_paired_py_with_outputs_stripped(ipynb: Path) -> None:
    nb = nbformat.read(ipynb, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, "a notebook without code"
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code), "outputs not stripped"
    paired = jupytext.read(ipynb.with_suffix(".py"))
    assert _cells(nb) == _cells(paired), "the .ipynb and its .py differ: run `jupytext --sync notebooks/*/*.py`"
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"


@pytest.mark.parametrize("es", sorted((NOTEBOOKS / "es").glob("*.ipynb")), ids=_id)
def test_the_english_twin_has_the_same_cells(es: Path) -> None:
    (en,) = (NOTEBOOKS / "en").glob(es.name.split("_")[0] + "_*.ipynb")
    es_nb, en_nb = nbformat.read(es, as_version=4), nbformat.read(en, as_version=4)
    assert [c.cell_type for c in es_nb.cells] == [c.cell_type for c in en_nb.cells]


def run_notebook(ipynb: Path, folder: Path, *, settings: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Execute ``ipynb`` in ``folder`` (its working directory); ``settings`` gives new values
    (Python source) to variables of its first code cell, the one a user edits. Raises on
    the first failing cell."""
    nb = nbformat.read(ipynb, as_version=4)
    if settings:
        first = next(cell for cell in nb.cells if cell.cell_type == "code")
        lines = first.source.splitlines()
        for name, value in settings.items():
            (at,) = [i for i, line in enumerate(lines) if line.startswith(f"{name} = ")]
            lines[at] = f"{name} = {value}"
        first.source = "\n".join(lines)
    _client(nb, folder).execute()
    return nb


def _client(nb: nbformat.NotebookNode, folder: Path) -> NotebookClient:
    return NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}})


def _stdout(nb: nbformat.NotebookNode) -> list[str]:
    return [
        out.text
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stdout"
    ]


def _stderr(nb: nbformat.NotebookNode) -> list[str]:
    """What cells wrote to stderr, but for the pm4py cell (when pm4py is installed, its
    licence banner and its own warnings go there)."""
    return [
        out.text
        for cell in nb.cells
        if cell.cell_type == "code" and "import pm4py" not in cell.source
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stderr"
    ]


class Run(NamedTuple):
    folder: Path
    nb: nbformat.NotebookNode
    error: BaseException | None


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Run]:
    """Every notebook executed on the sample, two kernels at a time (on CI's two cores the
    six runs take about half the time they take one after the other)."""

    async def run(ipynb: Path, gate: asyncio.Semaphore) -> tuple[Path, Run]:
        folder = tmp_path_factory.mktemp(f"{ipynb.parent.name}-{ipynb.stem}")
        nb = nbformat.read(ipynb, as_version=4)
        async with gate:
            try:
                await _client(nb, folder).async_execute()
            except Exception as error:  # reported by the notebook's own test below
                return ipynb, Run(folder, nb, error)
        return ipynb, Run(folder, nb, None)

    async def run_all() -> dict[Path, Run]:
        gate = asyncio.Semaphore(2)
        return dict(await asyncio.gather(*(run(ipynb, gate) for ipynb in IPYNB)))

    # In a thread of its own: earlier tests in the same session (Playwright's sync API) may
    # leave an event loop running in this one, where asyncio.run refuses to start.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run_all()).result()


@pytest.mark.slow
@pytest.mark.parametrize("ipynb", IPYNB, ids=_id)
def test_notebook_runs_top_to_bottom_on_the_sample(ipynb: Path, sample_runs: dict[Path, Run]) -> None:
    folder, nb, error = sample_runs[ipynb]
    if error is not None:
        raise error  # nbclient's CellExecutionError: the failing cell and its traceback
    assert _stderr(nb) == [], "a cell wrote to stderr (a warning?)"
    shown = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    html = [out["data"]["text/html"] for out in shown if "text/html" in out.get("data", {})]
    assert any("<table" in h for h in html), "no frame displayed"
    assert any("vega" in h for h in html), "no chart displayed"
    for pattern in SAVED[ipynb.name.split("_")[0], ipynb.parent.name]:
        files = list(folder.glob(pattern))
        assert files, f"{pattern} not saved"
        assert all(f.stat().st_size > 0 for f in files), pattern
    if ipynb.name.startswith("3_"):  # pm4py (AGPL) only in the notebooks extra: CI runs without it
        if importlib.util.find_spec("pm4py") is None:
            assert any('pip install -e ".[notebooks]"' in text for text in _stdout(nb))
        else:
            assert list(folder.glob("*/*.xes"))


@pytest.mark.slow
def test_one_variable_points_a_notebook_at_the_team_workspace(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    with ck.Workspace.open(db) as ws:
        ws.import_workbook(ck.make_sample(60, seed=3), actor="test", as_of=ck.SAMPLE_AS_OF)
    settings = {"SOURCE": repr(str(db)), "AS_OF": '"2026-09-30"'}
    nb = run_notebook(NOTEBOOKS / "en" / "1_monthly_review.ipynb", tmp_path, settings=settings)
    assert _stdout(nb)[0].startswith(f"Data: sqlite:///{db} — as of 2026-09-30")
    assert (tmp_path / "output" / "funder_summary.pdf").stat().st_size > 0


@pytest.mark.parametrize("py", PAIRED, ids=_id)
def test_notebooks_use_only_casekit_public_api(py: Path) -> None:
    tree = ast.parse(py.read_text(encoding="utf-8"))
    modules = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    modules += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    used = [m for m in modules if m.split(".")[0] == "casekit"]
    assert "casekit" in used
    assert [m for m in used if any(part.startswith("_") for part in m.split("."))] == []
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("casekit")
        for alias in node.names
    }
    assert [n for n in names if n.startswith("_")] == []
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert [a for a in attributes if a.startswith("_") and not a.startswith("__")] == []
