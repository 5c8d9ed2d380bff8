"""From a grid of cells to named columns: find the header row, name the columns.

Examples
--------
>>> import polars as pl
>>> grid = pl.DataFrame({"a": ["Casos 2026", "ID Caso", "007", None], "b": [None, "Nota", "hola", None],
...                      "_row": [1, 2, 3, 4]})
>>> table = locate("cases", grid)
>>> table.columns, table.headers, table.frame["_row"].to_list()
({'a': 'case_id', 'b': 'Nota'}, {'case_id': 'ID Caso'}, [3])
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from casekit.contract import ROW, SHEETS
from casekit.io._names import column_id, derived_id
from casekit.io._parse import clean_expr

#: How many non-empty rows at the top may precede the header (titles, notes).
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Table:
    """A sheet's data rows (``frame``) and how its columns map to the contract.

    ``columns``: column of ``frame`` -> canonical id, or the name an extra column keeps
    (a column casekit derives, an extract's ``Edad``, keeps its id: ``age``);
    ``headers``: canonical id -> header as written; ``recognised``: any contract column found;
    ``width``: the header's columns up to its last non-empty one; ``above``: the rows
    with content above the header, as ``(row, first value)``; ``duplicates``: headers
    naming a contract column a previous header already named (kept as extra columns).
    """

    frame: pl.DataFrame
    columns: dict[str, str]
    headers: dict[str, str]
    recognised: bool
    empty: bool = False
    width: int = 0
    above: tuple[tuple[int, str], ...] = ()
    duplicates: tuple[str, ...] = ()


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used or candidate == ROW:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def name_columns(sheet: str, headers: list[tuple[str, str]], has_data: dict[str, bool]) -> Table:
    """Map ``(frame column, header text)`` pairs to canonical ids and extra names."""
    columns: dict[str, str] = {}
    written: dict[str, str] = {}
    duplicates: list[str] = []
    used = set(SHEETS[sheet].columns)
    for position, (name, header) in enumerate(headers, start=1):
        canonical = column_id(sheet, header) if header else None
        if canonical is not None and canonical not in written:
            columns[name] = canonical
            written[canonical] = header
        elif header or has_data.get(name, False):
            if canonical is not None:
                duplicates.append(header)
            extra = derived_id(sheet, header) if header and canonical is None else None  # an extract's "Edad"
            if extra is None or extra in used:
                extra = _unique(header or f"column_{position}", used)
            used.add(extra)
            columns[name] = extra
    width = max((i for i, (_, header) in enumerate(headers, start=1) if header), default=0)
    return Table(pl.DataFrame(), columns, written, bool(written), width=width, duplicates=tuple(duplicates))


def locate(sheet: str, grid: pl.DataFrame) -> Table:
    """Find the header row of a string grid (with ``_row``) and name its columns.

    The header is the first of the top non-empty rows that names a contract column of
    ``sheet`` (else the first non-empty row). Rows after it with no value are dropped;
    ``_row`` keeps the spreadsheet's numbering.
    """
    cells = [c for c in grid.columns if c != ROW]
    grid = grid.select(*(clean_expr(pl.col(c).cast(pl.String)) for c in cells), pl.col(ROW))
    grid = grid.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in cells)) if cells else grid.clear()
    if grid.height == 0:
        return Table(grid.select(ROW), {}, {}, recognised=False, empty=True)
    top = grid.head(HEADER_SEARCH_ROWS).rows()
    index = next(
        (i for i, row in enumerate(top) if any(v and column_id(sheet, v) for v in row[:-1])),
        0,
    )
    header_row = top[index]
    data = grid.slice(index + 1)
    has_data = dict(zip(cells, data.select(pl.col(cells).is_not_null().any()).row(0), strict=True))
    pairs = list(zip(cells, [v or "" for v in header_row[:-1]], strict=True))
    table = name_columns(sheet, pairs, has_data)
    above = tuple((row[-1], next(v for v in row[:-1] if v)) for row in top[:index])
    return Table(
        data.select(*table.columns, ROW),
        table.columns,
        table.headers,
        table.recognised,
        width=table.width,
        above=above,
        duplicates=table.duplicates,
    )
