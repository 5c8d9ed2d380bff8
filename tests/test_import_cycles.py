"""No import cycle in casekit: the graph of every ``import`` in every module (at the top
or inside a function; ``if TYPE_CHECKING:`` blocks left out) has no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import casekit

ROOT = Path(casekit.__file__).resolve().parent


def _module_files() -> dict[str, Path]:
    files = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def import_graph(files: dict[str, Path]) -> dict[str, set[str]]:
    """``module → casekit modules it imports``; ``from pkg import name`` points at
    ``pkg.name`` when that is a module, else at ``pkg``."""
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        edges: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in files)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package[: len(package) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    if target in files:
                        edges.add(target)
                    elif base in files:
                        edges.add(base)
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as ``[a, b, …, a]``, or ``[]``.

    >>> find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    ['a', 'b', 'c', 'a']
    >>> find_cycle({"a": {"b"}, "b": set()})
    []
    """
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return []


def test_the_detector_sees_the_packages_imports() -> None:
    graph = import_graph(_module_files())
    assert "casekit.cli._common" in graph["casekit.cli.risk"]
    assert "casekit.validation._report" in graph["casekit.validation"]
    assert "casekit.risk.score" in graph["casekit.cli.risk"]  # an import inside a function counts


def test_no_import_cycle_in_casekit() -> None:
    cycle = find_cycle(import_graph(_module_files()))
    assert cycle == [], " → ".join(cycle)


def test_a_cycle_is_found(tmp_path: Path) -> None:
    (tmp_path / "data.py").write_text("def f():\n    from pkg.report import g\n", encoding="utf-8")
    (tmp_path / "report.py").write_text("from pkg.data import f\n", encoding="utf-8")
    typed = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import data\n"
    (tmp_path / "types.py").write_text(typed, encoding="utf-8")
    files = {f"pkg.{p.stem}": p for p in tmp_path.glob("*.py")}
    graph = import_graph(files)
    assert graph["pkg.types"] == set()
    assert find_cycle(graph) == ["pkg.data", "pkg.report", "pkg.data"]
