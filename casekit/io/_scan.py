"""A folder of Parquet files as a caseload of lazy sheets: scanned, never read whole.

:func:`scan_caseload` is the entry of the streaming path (issue 18, "beyond memory"):
each sheet is a :class:`polars.LazyFrame` over its file(s), so :func:`casekit.validate`,
:func:`casekit.case_status`, :func:`casekit.score_risk` and :func:`casekit.events` run
their queries on polars' streaming engine and only the results are held in memory.

A sheet is ``<sheet>.parquet`` or a sub-folder ``<sheet>/`` of Parquet parts (read in
name order), named by its sheet id or its Spanish name (``casos``); headers are matched
to the contract as :func:`casekit.read_workbook` matches them. ``_row`` numbers the rows
of a sheet over its parts from 2 (row 1 is the header), as in a workbook. Values are
taken as typed in the files: no text is parsed (a column of the wrong type is reported
by validation as ``wrong_type``).

>>> import tempfile
>>> from pathlib import Path
>>> from casekit.sample import make_sample
>>> from casekit.export import write_workbook
>>> folder = write_workbook(make_sample(20, seed=1), Path(tempfile.mkdtemp()) / "book")
>>> data = scan_caseload(folder)
>>> type(data["cases"]).__name__, data["cases"].select("case_id", "_row").head(2).collect().rows()
('LazyFrame', [('C00001', 2), ('C00002', 3)])
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from casekit.contract import ROW, SHEET_ORDER
from casekit.data import CaseData
from casekit.io._names import column_id, sheet_id

__all__ = ["scan_caseload"]


def _sheet_sources(folder: Path) -> dict[str, tuple[str, list[Path]]]:
    """The name and Parquet file(s) of each contract sheet found in ``folder``, in contract order."""
    found: dict[str, tuple[str, list[Path]]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            files, name = sorted(entry.glob("*.parquet")), entry.name
        elif entry.suffix.lower() == ".parquet":
            files, name = [entry], entry.stem
        else:
            continue
        sheet = sheet_id(name)
        if sheet and files and sheet not in found:
            found[sheet] = (name, files)
    return {s: found[s] for s in SHEET_ORDER if s in found}


def scan_caseload(folder: str | Path) -> CaseData:
    """The sheets of the Parquet files in ``folder`` as lazy frames (see the module docs).

    Raises :class:`FileNotFoundError` when ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(folder)
    sheets: dict[str, pl.LazyFrame] = {}
    headers: dict[str, dict[str, str]] = {}
    for sheet, (name, files) in _sheet_sources(folder).items():
        lf = pl.scan_parquet(files, row_index_name=ROW, row_index_offset=2)
        names = [c for c in lf.collect_schema().names() if c != ROW]
        renames: dict[str, str] = {}
        for header in names:
            cid = column_id(sheet, header)
            if cid and cid != header and cid not in names and cid not in renames.values():
                renames[header] = cid
        headers[sheet] = {"__sheet__": name, **{renames.get(h, h): h for h in names}}
        sheets[sheet] = lf.rename(renames).with_columns(pl.col(ROW).cast(pl.Int64))
    return CaseData(sheets, source=str(folder), headers=headers)  # type: ignore[arg-type]  # CaseData is typed over DataFrames; the streaming path holds LazyFrames
