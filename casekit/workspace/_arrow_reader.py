"""Read SQLite tables into Arrow IPC files, in a process of its own.

ADBC's SQLite driver returns Arrow record batches directly (no Python object per cell),
but it bundles its own copy of SQLite, and two copies of SQLite in one process break
SQLite's POSIX file locks (measured here: stale reads and "disk I/O error"). So
:meth:`casekit.workspace.Workspace.data` runs this module as a child process: it reads
every query in one read transaction (one snapshot) and writes one ``<name>.arrow`` file
each, which the parent maps into polars without copying.

Usage (by the workspace, not by hand)::

    python -m casekit.workspace._arrow_reader DB_PATH OUT_DIR < queries.json
"""

from __future__ import annotations

import json
import sys
from importlib.abc import MetaPathFinder
from pathlib import Path

#: imported by the driver's optional helpers (pyarrow's pandas shim, ADBC's polars
#: parameter binding), not needed to fetch Arrow tables: ~0.3 s of this process's start
UNUSED = ("pandas", "polars")


class _Absent(MetaPathFinder):
    """Makes ``UNUSED`` look uninstalled to this process (the libraries fall back).

    >>> _Absent().find_spec("json") is None
    True
    """

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in UNUSED:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)


def main(db: str, out: str) -> None:
    sys.meta_path.insert(0, _Absent())
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow as pa

    queries: dict[str, str] = json.load(sys.stdin)
    with adbc.connect(db, autocommit=False) as conn, conn.cursor() as cur:
        for name, query in queries.items():
            cur.execute(query)
            table = cur.fetch_arrow_table()
            with pa.OSFile(str(Path(out) / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
                w.write_table(table)
        conn.rollback()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
