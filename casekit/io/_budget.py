"""The cell budget: cheap pre-scans that bound what a reader would build from a file.

Byte caps (file size, unzipped size, ratio) do not bound the *cells* a spreadsheet
library builds: two cells far apart in an XLSX make calamine allocate the whole grid
between them; one ODS row can declare billions of cells with a repeat attribute; one
shared string can be copied into a million cells. These scanners read the sheet XML as
it is decompressed (regular expressions over chunks, no XML tree) and report the used
range of every sheet, so the caller can refuse a file before any library opens it.

Examples
--------
>>> scan = XlsxSheetScan()
>>> scan.feed(b'<worksheet><dimension ref="A1:C2"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>')
>>> scan.feed(b'<c r="C2"><v>7</v></c><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row></sheetData>')
>>> scan.finish()
>>> scan.rows, scan.cols, scan.cells, dict(scan.shared_refs), scan.errors
(2, 3, 3, {b'0': 1}, [(2, 2, '#DIV/0!')])
>>> col_number(b"XFD"), col_number(b"A")
(16384, 1)
>>> ods = OdsScan()
>>> ods.feed(b'<table:table table:name="casos"><table:table-row table:number-rows-repeated="5">'
...          b'<table:table-cell table:number-columns-repeated="3" office:value-type="string"><text:p>x</text:p>'
...          b'</table:table-cell><table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
...          b'<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row>'
...          b'</table:table>')
>>> ods.finish()
>>> ods.sheets
[('casos', 5, 3)]
"""

from __future__ import annotations

import re
from collections import Counter

#: Largest number of columns of any sheet (Excel's own limit, XFD).
MAX_COLUMNS = 16_384

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_REF = re.compile(rb'\br="\$?([A-Za-z]{1,4})\$?(\d{1,10})"')
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)/?>")
_ROW_START = re.compile(rb"<(?:\w+:)?row\b")
_ROW_R = re.compile(rb'\br="(\d{1,10})"')
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*?\bref="\$?[A-Za-z]{1,4}\$?\d{1,10}(?::\$?([A-Za-z]{1,4})\$?(\d{1,10}))?"'
)
_SHARED_VALUE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="s"[^>]*>\s*<(?:\w+:)?v>\s*(\d{1,10})\s*<')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]{0,64})</(?:\w+:)?v>")
#: Error cells kept per sheet (each becomes a report row).
MAX_ERROR_CELLS = 10_000
_SI = re.compile(rb"<(/?)(?:\w+:)?si\b[^>]*?(/?)>")


def col_number(letters: bytes) -> int:
    """Column number of ``A``..``XFD`` (1-based)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


class _Chunked:
    """Feeds complete tags only: the text after the last ``<`` waits for the next chunk."""

    def __init__(self) -> None:
        self._carry = b""

    def feed(self, chunk: bytes) -> None:
        buf = self._carry + chunk
        cut = buf.rfind(b"<")
        if cut < 0:
            self._carry = b""
            self._scan(buf)
            return
        if len(buf) - cut >= 1 << 20:  # no tag is that long: nothing to wait for
            self._carry = b""
            self._scan(buf)
            return
        self._carry = buf[cut:]
        self._scan(buf[:cut])

    def finish(self) -> None:
        buf, self._carry = self._carry, b""
        self._scan(buf)

    def _scan(self, buf: bytes) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class XlsxSheetScan(_Chunked):
    """Used range of one worksheet XML: the largest row and column any cell or row names,
    the ``<dimension>`` it claims, the number of cells and the shared strings each uses."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        self.cols = 0
        self.cells = 0
        self.shared_refs: Counter[bytes] = Counter()
        #: Excel error cells (``#REF!``, ``#N/A``…) as ``(row, column, text)``.
        self.errors: list[tuple[int, int, str]] = []
        self._row_count = 0
        self._max_cells_in_a_row = 0

    def _scan(self, buf: bytes) -> None:
        cells = _CELL.findall(buf)
        if cells:
            self.cells += len(cells)
            refs = _REF.findall(b" ".join(attrs for attrs, _ in cells))
            if refs:
                self.cols = max(self.cols, *(col_number(c) for c in {c for c, _ in refs}))
                self.rows = max(self.rows, *(int(r) for r in {r for _, r in refs}))
            if len(refs) < len(cells):  # cells without r="" follow one another in their row
                for segment in _ROW_START.split(buf):
                    unnamed = len(_CELL.findall(segment)) - len(_REF.findall(segment))
                    self._max_cells_in_a_row = max(self._max_cells_in_a_row, unnamed)
        rows = _ROW.findall(buf)
        if rows:
            self._row_count += len(rows)
            numbers = _ROW_R.findall(b" ".join(rows))
            if numbers:
                self.rows = max(self.rows, *(int(r) for r in set(numbers)))
        for col, row in _DIMENSION.findall(buf):
            if col:
                self.cols = max(self.cols, col_number(col))
                self.rows = max(self.rows, int(row))
        self.shared_refs.update(_SHARED_VALUE.findall(buf))
        if b't="e"' in buf and len(self.errors) < MAX_ERROR_CELLS:
            for attrs, body in _ERROR_CELL.findall(buf):
                ref, value = _REF.search(attrs), _VALUE.search(body)
                if ref:
                    text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
                    self.errors.append((int(ref.group(2)), col_number(ref.group(1)), text))

    def finish(self) -> None:
        super().finish()
        self.rows = max(self.rows, self._row_count)
        self.cols = max(self.cols, self._max_cells_in_a_row)


class SharedStringsScan(_Chunked):
    """Length in bytes of each shared string (``<si>`` element), in order."""

    def __init__(self) -> None:
        super().__init__()
        self.lengths: list[int] = []
        self._offset = 0
        self._start: int | None = None

    def _scan(self, buf: bytes) -> None:
        for m in _SI.finditer(buf):
            closing, empty = m.group(1), m.group(2)
            if empty:
                self.lengths.append(0)
            elif closing:
                start = self._start if self._start is not None else self._offset + m.start()
                self.lengths.append(self._offset + m.start() - start)
                self._start = None
            else:
                self._start = self._offset + m.end()
        self._offset += len(buf)

    def referenced_chars(self, refs: Counter[bytes]) -> int:
        """Total length of the strings ``refs`` (index -> number of cells) point at."""
        n = len(self.lengths)
        return sum(self.lengths[i] * k for i, k in ((int(idx), k) for idx, k in refs.items()) if i < n)


_ODS_TOKEN = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table|table-header-rows|table-row-group)\b([^>]*?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d{1,12})"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d{1,12})"')
_VALUE_TYPE = re.compile(rb"office:value-type=")
_ODS_ERROR = b'calcext:value-type="error"'
_ODS_TEXT = re.compile(rb"<text:p>([^<]{0,64})</text:p>")
_TABLE_NAME = re.compile(rb'table:name="([^"]*)"')


class OdsScan(_Chunked):
    """Used range of every table of an ODS ``content.xml``, repeat attributes expanded.

    Only cells holding something count: a LibreOffice file ends its sheets with empty rows
    and cells repeated up to the grid's end, which no reader expands. ``sheets`` lists
    ``(name, rows, columns)``; ``cells`` is the largest number of non-empty cells declared.
    ``text`` is the text built by repetition (the bytes inside each repeated cell times its
    copies, ``number-columns-repeated`` × ``number-rows-repeated``): one long text in a
    cell repeated a million times is read as a million copies. ``text_sheet`` names the
    table with the most.

    >>> scan = OdsScan()
    >>> scan.feed(b'<table:table table:name="s"><table:table-row table:number-rows-repeated="10">'
    ...           b'<table:table-cell table:number-columns-repeated="4"><text:p>abc</text:p></table:table-cell>'
    ...           b'<table:table-cell><text:p>once</text:p></table:table-cell></table:table-row></table:table>')
    >>> scan.finish()
    >>> scan.text, scan.text_sheet  # 20 bytes x 4 columns x 10 rows, and the other cell's 21 x 10 rows
    (1010, 's')
    """

    def __init__(self) -> None:
        super().__init__()
        self.sheets: list[tuple[str, int, int]] = []
        self.cells = 0
        self._name = ""
        self._row = 0  # rows seen in the current table
        self._rows = 0  # last row holding a value
        self._cols = 0
        self._in_row = False
        self._row_repeat = 1
        self._col = 0  # columns seen in the current row
        self._row_cols = 0  # last column holding a value in the current row
        self._cell_open: tuple[int, bool] | None = None  # (repeat, has value) of an open cell
        #: Error cells (``calcext:value-type="error"``) by table: ``(row, column, text)``.
        #: calamine reads their cached value (often ``0``) as if it were data.
        self.errors: dict[str, list[tuple[int, int, str]]] = {}
        self.text = 0
        self.text_sheet = ""
        self._sheet_text = 0
        self._offset = 0  # bytes scanned before the current buffer
        self._cell_start = 0  # where the open cell's content starts

    def _scan(self, buf: bytes) -> None:
        self._scan_tokens(buf)
        self._offset += len(buf)

    def _scan_tokens(self, buf: bytes) -> None:
        for match in _ODS_TOKEN.finditer(buf):
            closing, kind, attrs, empty = match.groups()
            if kind == b"table-cell" and not closing and _ODS_ERROR in attrs:
                self._error(buf, match.end())
            if kind == b"table":
                self._table(closing, attrs)
            elif kind == b"table-row":
                if closing:
                    self._end_row()
                else:
                    rep = _ROWS_REPEATED.search(attrs)
                    self._row_repeat = int(rep.group(1)) if rep else 1
                    self._in_row, self._col, self._row_cols = True, 0, 0
                    if empty:
                        self._end_row()
            elif kind in (b"table-cell", b"covered-table-cell"):
                self._cell(match, closing=bool(closing), attrs=attrs, empty=bool(empty))

    def _cell(self, match: re.Match[bytes], *, closing: bool, attrs: bytes, empty: bool) -> None:
        if closing:
            if self._cell_open is not None:
                copies = self._cell_open[0] * self._row_repeat
                if copies > 1:  # text fanned out by repetition
                    self._add_text((self._offset + match.start() - self._cell_start) * copies)
                self._add_cell(self._cell_open[0], True)
                self._cell_open = None
            return
        rep = _COLS_REPEATED.search(attrs)
        repeat = int(rep.group(1)) if rep else 1
        if empty:
            self._add_cell(repeat, bool(_VALUE_TYPE.search(attrs)))
        else:
            self._cell_open = (repeat, True)
            self._cell_start = self._offset + match.end()

    def _error(self, buf: bytes, end: int) -> None:
        errors = self.errors.setdefault(self._name, [])
        if len(errors) < MAX_ERROR_CELLS:
            text = _ODS_TEXT.search(buf, end, end + 400)
            value = text.group(1).decode("utf-8", "replace") if text else "#ERROR"
            errors.append((self._row + 1, self._col + 1, value))

    def _add_text(self, n: int) -> None:
        self.text += n
        self._sheet_text += n
        if self._sheet_text == self.text or not self.text_sheet:  # this table holds the most so far
            self.text_sheet = self._name

    def _table(self, closing: bytes, attrs: bytes) -> None:
        if closing:
            self.sheets.append((self._name, self._rows, self._cols))
        else:
            name = _TABLE_NAME.search(attrs)
            self._name = name.group(1).decode("utf-8", "replace") if name else ""
            self._row = self._rows = self._cols = self._sheet_text = 0

    def _add_cell(self, repeat: int, has_value: bool) -> None:
        self._col += repeat
        if has_value:
            self._row_cols = self._col
            self.cells += repeat * self._row_repeat

    def _end_row(self) -> None:
        if not self._in_row:
            return
        self._row += self._row_repeat
        if self._row_cols:
            self._rows = self._row
            self._cols = max(self._cols, self._row_cols)
        self._in_row, self._row_repeat = False, 1
