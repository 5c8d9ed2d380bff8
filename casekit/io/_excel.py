"""XLSX/XLSM/ODS through fastexcel (calamine), every cell read as text.

Real date cells arrive as ISO text (``2026-03-01 00:00:00`` from XLSX, ``2026-03-01``
from ODS), booleans as ``true``/``false``, whole numbers without ``.0``.
"""

from __future__ import annotations

import fastexcel
import polars as pl

from casekit.contract import ROW


def open_workbook(data: bytes) -> fastexcel.ExcelReader:
    """Open workbook bytes (already checked by :func:`casekit.io._safety.inspect_zip`)."""
    return fastexcel.read_excel(data)


def load_grid(reader: fastexcel.ExcelReader, name: str) -> tuple[pl.DataFrame, bool]:
    """A sheet as positional string columns plus its 1-based spreadsheet row in ``_row``,
    and whether the sheet is visible.

    ``header_row=None, skip_rows=0`` keeps leading empty rows, so row numbers match
    what the user sees.
    """
    sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
    frame = sheet.to_polars().select(pl.all().cast(pl.String))
    frame = frame.with_row_index(ROW, offset=1).select(pl.exclude(ROW), pl.col(ROW).cast(pl.Int64))
    return frame, getattr(sheet, "visible", "visible") == "visible"
