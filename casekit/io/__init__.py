"""Reading case workbooks: XLSX/XLSM/ODS, CSV and Parquet files, uploads.

Examples
--------
>>> from casekit.io import read_workbook
>>> data = read_workbook(b"case_id,opened_on\\n7,2026-03-01\\n", filename="cases.csv")
>>> data.n_rows()
{'cases': 1}
"""

from __future__ import annotations

from casekit.io._isolate import prestart_reader, read_isolated
from casekit.io._parse import parse_frame
from casekit.io._read import SHEET_FILE_EXTS, read_workbook
from casekit.io._safety import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_RATIO,
    DEFAULT_MAX_TEXT,
    DEFAULT_MAX_UNZIPPED_BYTES,
)
from casekit.io._scan import scan_caseload

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_RATIO",
    "DEFAULT_MAX_TEXT",
    "DEFAULT_MAX_UNZIPPED_BYTES",
    "SHEET_FILE_EXTS",
    "parse_frame",
    "prestart_reader",
    "read_isolated",
    "read_workbook",
    "scan_caseload",
]
