"""Every hostile file ends ``casekit validate`` with exit 0/1/2 and at most one clear
message, in under 30 s and 1 GB of peak memory (RSS measured with ``wait4``; the reader's
child process runs under ``RLIMIT_AS`` = 1 GiB, the command line under a 4 GiB guard).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from casekit.i18n import t
from casekit.io._isolate import MEMORY_ENV
from tests.cli_runner import casekit_command
from tests.hostile.make_corpus import EXPECTED, FILES, build

MIB = 1 << 20
#: Limits every file must stay under.
MAX_RSS_BYTES, MAX_SECONDS = 1024 * MIB, 30.0
LAUNCHER = Path(__file__).with_name("_launcher.py")
_PLACEHOLDERS = ("file", "sheet", "rows", "cols", "limit", "max_cols", "size", "entry")


def _lang(name: str) -> str:
    return "es" if len(name) % 2 else "en"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """``casekit validate`` on every corpus file (one small launcher starts each run)."""
    root = tmp_path_factory.mktemp("hostile")
    jobs = []
    for name in sorted(EXPECTED):
        folder = root / name
        folder.mkdir()
        jobs.append({"name": name, "args": ["validate", str(FILES / name), "--lang", _lang(name)], "dir": str(folder)})
    (root / "jobs.json").write_text(json.dumps({"command": casekit_command(), "jobs": jobs}))
    env = {**os.environ, "PYTHONWARNINGS": "ignore", MEMORY_ENV: str(MAX_RSS_BYTES // MIB)}
    subprocess.run(
        [sys.executable, LAUNCHER, root / "jobs.json", root / "results.json"], env=env, check=True, timeout=900
    )
    out = {}
    for result in json.loads((root / "results.json").read_text()):
        folder = root / result["name"]
        result["stdout"] = (folder / "stdout").read_text("utf-8")
        result["stderr"] = (folder / "stderr").read_text("utf-8")
        out[result["name"]] = result
        print(
            f"{result['name']}: exit {result['code']}, peak RSS {result['maxrss_kb'] / 1024:.0f} MB, "
            f"{result['seconds']:.1f} s"
        )
    return out


def test_the_committed_corpus_is_what_the_script_builds() -> None:
    for name in EXPECTED:
        assert (FILES / name).stat().st_size <= 1_100_000, name  # small files
    # Parquet files are left out: their footers name the pyarrow version that wrote them
    for name, data in build(parquet=False).items():
        assert (FILES / name).read_bytes() == data, f"{name}: run python tests/hostile/make_corpus.py"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_ends_cleanly_within_limits(name: str, runs: dict[str, dict]) -> None:
    code, key = EXPECTED[name]
    run = runs[name]
    assert run["code"] == code, (run["stdout"], run["stderr"])
    assert run["maxrss_kb"] * 1024 < MAX_RSS_BYTES
    assert run["seconds"] < MAX_SECONDS
    assert "Traceback" not in run["stderr"] + run["stdout"]
    if code == 2:
        lines = [line for line in run["stderr"].splitlines() if line.strip()]
        assert len(lines) == 1, run["stderr"]  # one clear message, nothing else
        assert name in lines[0]
        template = t(key, _lang(name), **dict.fromkeys(_PLACEHOLDERS, "§"))
        assert max(template.split("§"), key=len).strip()[:30] in lines[0], (lines[0], template)
    else:
        assert run["stderr"].strip() == "", run["stderr"]
