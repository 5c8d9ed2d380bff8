"""The Parquet reader's imports start on a second thread while a folder's bytes are read."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from casekit.io._parquet import pyarrow_warmed
with pyarrow_warmed({names!r}, frozenset({{".parquet", ".pq"}})):
    pass
print("pyarrow.parquet" in sys.modules, "pyarrow.compute" in sys.modules)
"""


def _imported(names: list[str]) -> str:
    done = subprocess.run([sys.executable, "-c", CHECK.format(names=names)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_parquet_name_imports_the_reader_before_the_block_ends() -> None:
    assert _imported(["cases.csv", "contacts.PARQUET"]) == "True True"


def test_no_parquet_name_imports_nothing() -> None:
    assert _imported(["cases.csv", "goals.tsv"]) == "False False"
