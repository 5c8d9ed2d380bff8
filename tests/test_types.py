"""The type check of ``casekit/`` (mypy, settings in ``pyproject.toml``): CI runs only
pytest, so this test is what runs the type checker there.

mypy keeps its cache in the system's temporary folder (outside the repository), so a
second run on the same machine checks only what changed.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Modules still listed as not type-clean in pyproject.toml: the list may only shrink.
MAX_UNCHECKED = 1


def _unchecked() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    return [m for o in config.get("overrides", []) if o.get("ignore_errors") for m in o["module"]]


def test_casekit_type_checks() -> None:
    pytest.importorskip("mypy", reason='mypy is in the test extra: python -m pip install -e ".[test]"')
    cache = Path(tempfile.gettempdir()) / f"casekit-mypy-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]}"
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--no-color-output"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success" in run.stdout


def test_the_list_of_unchecked_modules_only_shrinks() -> None:
    unchecked = _unchecked()
    assert len(unchecked) == len(set(unchecked))
    assert len(unchecked) <= MAX_UNCHECKED, "a module was added to mypy's ignore_errors list: fix its types instead"
    for module in unchecked:  # each names a module that exists
        path = ROOT.joinpath(*module.split("."))
        assert path.with_suffix(".py").exists() or (path / "__init__.py").exists(), module


def test_every_type_ignore_names_its_error_and_says_why() -> None:
    """``# type: ignore[code]  # why``: an unused one fails the type check itself."""
    bare = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "casekit").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "# type: ignore" in line and not re.search(r"# type: ignore\[[a-z-]+(, ?[a-z-]+)*\]  # \S", line)
    ]
    assert bare == []
