"""Run the installed ``casekit`` console script as a user would (a subprocess)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def casekit_command() -> list[str]:
    """The console script next to this Python (the one ``pip install -e .`` made)."""
    script = Path(sys.executable).parent / "casekit"
    if script.exists():
        return [str(script)]
    found = shutil.which("casekit")
    return [found] if found else [sys.executable, "-m", "casekit"]


def run_casekit(*args: str | Path, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """``casekit ARGS…``; output captured as text, never raising on a non-zero exit."""
    return subprocess.run(
        [*casekit_command(), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
