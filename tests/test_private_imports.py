"""No ``_private`` name is imported across packages: a name (or module) whose path has a
part starting with ``_`` belongs to the package holding that part, and only modules inside
that package import it (``casekit._frames`` is casekit's own plumbing, for every casekit
module; ``casekit.workspace._access`` is the workspace's alone). The app's pages and
router are outside every casekit package: they use public names only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module(path: Path) -> tuple[str, str]:
    """``(module name, package it is in)`` of a file of the repository."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def imported_private(source: str, package: str) -> list[tuple[int, str]]:
    """``(line, name)`` of each private casekit name ``source`` imports from outside the
    package owning it, for a module in ``package``.

    >>> imported_private("from casekit.workspace._access import ROLES", "pages")
    [(1, 'casekit.workspace._access.ROLES')]
    >>> imported_private("from casekit._frames import sheet", "casekit.ui")
    []
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in (n for n in names if n.split(".")[0] == "casekit"):
            parts = name.split(".")
            private = next((i for i, p in enumerate(parts) if p.startswith("_") and not p.startswith("__")), None)
            if private is None:
                continue
            owner = ".".join(parts[:private])
            if package != owner and not package.startswith(f"{owner}."):
                found.append((node.lineno, name))
    return found


def private_imports(files: list[Path]) -> list[str]:
    """``file:line: name`` for each private name a file imports across packages."""
    return [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in files
        for line, name in imported_private(path.read_text(encoding="utf-8"), _module(path)[1])
    ]


def test_pages_and_the_router_use_public_names_only() -> None:
    files = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]
    assert private_imports(files) == []


def test_casekit_modules_import_no_private_name_of_another_package() -> None:
    """A name two packages need is public in its own package, or lives where it is used."""
    found = private_imports(sorted((ROOT / "casekit").rglob("*.py")))
    assert found == [], "\n".join(found)
