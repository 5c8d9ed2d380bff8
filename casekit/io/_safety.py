"""Checks made before any parser sees the bytes: size caps, format sniffing, zip bombs.

Examples
--------
>>> sniff(b"PK\\x03\\x04..."), sniff(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1"), sniff(b"PAR1"), sniff(b"a;b")
('zip', 'cfb', 'parquet', 'text')
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from casekit.errors import UnreadableFileError
from casekit.io._budget import MAX_COLUMNS, OdsScan, SharedStringsScan, XlsxSheetScan

MB = 1024 * 1024
#: Largest file (or total of several files) read, in bytes.
DEFAULT_MAX_BYTES = 50 * MB
#: Largest total decompressed size of the entries of an XLSX/ODS zip.
DEFAULT_MAX_UNZIPPED_BYTES = 500 * MB
#: Largest compression ratio of a zip entry (checked for entries above ``RATIO_MIN_BYTES``).
DEFAULT_MAX_RATIO = 200.0
#: Small entries (styles, shared strings of a tiny sheet) legitimately compress very well.
RATIO_MIN_BYTES = 1 * MB
#: Largest number of cells (rows × columns of each sheet's used range, summed over the
#: sheets) a read may build: a caseload of 1M cases (a dozen sheets, ~100M cells) fits,
#: and so does its parsing on a 24 GB machine.
DEFAULT_MAX_CELLS = 200_000_000
#: Largest total length of the shared strings an XLSX's cells refer to, and of the text an
#: ODS repeats over cells (each reference or repeat becomes its own copy in memory).
DEFAULT_MAX_TEXT = 1_000_000_000
#: Zip compression methods of XLSX/XLSM/ODS (stored and deflate); others are refused unread.
ALLOWED_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
#: A workbook has a handful of parts per sheet; thousands of entries are not a spreadsheet.
MAX_ZIP_ENTRIES = 10_000
_CHUNK = 1 * MB

_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class Limits:
    """Safety caps for one read."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES
    max_ratio: float = DEFAULT_MAX_RATIO
    max_cells: int = DEFAULT_MAX_CELLS
    max_text: int = DEFAULT_MAX_TEXT


def sniff(data: bytes) -> str:
    """The container kind from the first bytes: ``zip``, ``cfb``, ``parquet`` or ``text``."""
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_CFB_MAGIC[:4]):
        return "cfb"
    if data.startswith(_PARQUET_MAGIC):
        return "parquet"
    return "text"


def _mb(n: float) -> str:
    return f"{n / MB:.1f}".rstrip("0").rstrip(".")


def check_size(size: int, *, file: str, limits: Limits, lang: str) -> None:
    """Raise ``io.too_large`` when ``size`` exceeds the byte cap; ``io.empty_file`` when 0."""
    if size > limits.max_bytes:
        raise UnreadableFileError("io.too_large", lang=lang, file=file, size=_mb(size), limit=_mb(limits.max_bytes))
    if size == 0:
        raise UnreadableFileError("io.empty_file", lang=lang, file=file)


def check_cells(rows: int, cols: int, total: int, *, file: str, sheet: str, limits: Limits, lang: str) -> None:
    """Raise ``io.too_many_cells`` when a sheet is wider than Excel's grid or ``total``
    cells exceed the budget (``rows`` × ``cols`` is the sheet that tipped it over)."""
    if cols > MAX_COLUMNS or total > limits.max_cells:
        raise UnreadableFileError(
            "io.too_many_cells",
            lang=lang,
            file=file,
            sheet=sheet,
            rows=f"{rows:,}",
            cols=f"{cols:,}",
            limit=f"{limits.max_cells:,}",
            max_cols=f"{MAX_COLUMNS:,}",
        )


def _scanned(name: str, kind_hint: str) -> str | None:
    """Which scanner reads a zip entry: ``shared``, ``sheet``, ``ods`` or None."""
    low = name.lower()
    if low == "content.xml":
        return "ods"
    if not low.endswith(".xml") or kind_hint == "ods":
        return None
    if low.endswith("sharedstrings.xml"):
        return "shared"
    skip = ("_rels/", "docprops/", "xl/theme/", "xl/drawings/", "xl/charts/", "xl/styles.xml", "[content_types].xml")
    return None if any(s in low for s in skip) else "sheet"


@dataclass
class _Scans:
    """What the scan of a workbook's parts found."""

    hint: str = "xlsx"
    sheets: dict[str, XlsxSheetScan] = field(default_factory=dict)
    shared: SharedStringsScan = field(default_factory=SharedStringsScan)
    ods: OdsScan = field(default_factory=OdsScan)

    def scanner(self, name: str) -> XlsxSheetScan | SharedStringsScan | OdsScan | None:
        role = _scanned(name, self.hint)
        if role == "sheet":
            self.sheets[name] = XlsxSheetScan()
            return self.sheets[name]
        if role == "shared":
            return self.shared
        return self.ods if role == "ods" else None


def inspect_zip(
    data: bytes,
    *,
    file: str,
    limits: Limits,
    lang: str,
    error_cells: dict[str, list[tuple[int, int, str]]] | None = None,
) -> str:
    """Check a zip before a spreadsheet library opens it; return ``xlsx`` or ``ods``.

    Declared sizes, ratios and compression methods are checked first (only stored and
    deflate are accepted), then every entry is decompressed in chunks against a byte
    budget (declared sizes can lie) while the sheet XML is scanned for the cell budget
    (:mod:`casekit.io._budget`). A damaged zip raises ``io.corrupt_file``, an
    implausible one ``io.zip_bomb``, an unusual compression ``io.bad_compression``,
    too many cells ``io.too_many_cells``, too much repeated text ``io.too_much_text``.
    ``error_cells``, when given, receives the error cells of each sheet by name, as
    ``(row, column, text)``: calamine reads them as blanks (XLSX) or as their cached
    value (ODS).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            _check_declared(infos, file=file, limits=limits, lang=lang)
            names = {info.filename for info in infos}
            mimetype = b""
            if "mimetype" in names:
                with zf.open("mimetype") as fh:
                    mimetype = fh.read(100)
            scans = _Scans(hint="ods" if b"opendocument" in mimetype else "xlsx")
            _inflate(zf, infos, scans, file=file, limits=limits, lang=lang)
            sheet_names = _xlsx_sheet_names(zf, names) if scans.sheets else {}
    except UnreadableFileError:
        raise
    except Exception as exc:  # BadZipFile, CRC errors, truncated streams, bad headers...
        raise UnreadableFileError("io.corrupt_file", lang=lang, file=file) from exc
    if b"opendocument.spreadsheet" in mimetype:
        cells = 0
        for sheet, rows, cols in scans.ods.sheets:
            cells += rows * cols
            check_cells(rows, cols, cells, file=file, sheet=sheet, limits=limits, lang=lang)
        if scans.ods.text > limits.max_text:  # its own budget: few cells can still hold a lot of text
            raise UnreadableFileError(
                "io.too_much_repeated_text",
                lang=lang,
                file=file,
                sheet=scans.ods.text_sheet,
                size=_mb(scans.ods.text),
                limit=_mb(limits.max_text),
            )
        if error_cells is not None:
            error_cells.update(scans.ods.errors)
        return "ods"
    cells = 0
    refs: Counter[bytes] = Counter()
    for entry, scan in scans.sheets.items():
        cells += scan.rows * scan.cols
        name = sheet_names.get(entry, entry)
        check_cells(scan.rows, scan.cols, cells, file=file, sheet=name, limits=limits, lang=lang)
        refs.update(scan.shared_refs)
        if error_cells is not None and scan.errors:
            error_cells[name] = scan.errors
    text = scans.shared.referenced_chars(refs)
    if text > limits.max_text:
        raise UnreadableFileError("io.too_much_text", lang=lang, file=file, size=_mb(text), limit=_mb(limits.max_text))
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    raise UnreadableFileError("io.corrupt_file", lang=lang, file=file)


def _bomb(file: str, limits: Limits, lang: str) -> UnreadableFileError:
    return UnreadableFileError("io.zip_bomb", lang=lang, file=file, limit=_mb(limits.max_unzipped_bytes))


def _check_declared(infos: list[zipfile.ZipInfo], *, file: str, limits: Limits, lang: str) -> None:
    """Entry count, compression methods, declared sizes and ratios (nothing inflated yet)."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _bomb(file, limits, lang)
    declared = 0
    for info in infos:
        if info.compress_type not in ALLOWED_COMPRESSION:
            raise UnreadableFileError("io.bad_compression", lang=lang, file=file, entry=info.filename[:80])
        declared += info.file_size
        if declared > limits.max_unzipped_bytes or _bad_ratio(info.file_size, info.compress_size, limits):
            raise _bomb(file, limits, lang)


def _inflate(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], scans: _Scans, *, file: str, limits: Limits, lang: str
) -> None:
    """Inflate every entry in chunks against the byte budget, feeding the sheet scanners
    (shared strings first, so each sheet's references can be weighed)."""
    total = 0
    for info in sorted(infos, key=lambda i: _scanned(i.filename, scans.hint) != "shared"):
        real = 0
        scan = scans.scanner(info.filename)
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                real += len(chunk)
                total += len(chunk)
                if total > limits.max_unzipped_bytes or _bad_ratio(real, info.compress_size, limits):
                    raise _bomb(file, limits, lang)
                if scan is not None:
                    scan.feed(chunk)
        if scan is not None:
            scan.finish()


_WB_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')


def _xlsx_sheet_names(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Worksheet part -> sheet name, from ``xl/workbook.xml`` and its relationships (best effort)."""
    try:
        book = zf.read("xl/workbook.xml")[: 4 * MB] if "xl/workbook.xml" in names else b""
        rels = zf.read("xl/_rels/workbook.xml.rels")[: 4 * MB] if "xl/_rels/workbook.xml.rels" in names else b""
    except Exception:
        return {}
    targets = dict(_REL.findall(rels)) | {i: t for t, i in _REL_REVERSED.findall(rels)}
    out = {}
    for name, rid in _WB_SHEET.findall(book):
        target = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        out[part] = html.unescape(name.decode("utf-8", "replace"))
    return out


def _bad_ratio(size: int, compressed: int, limits: Limits) -> bool:
    return size > RATIO_MIN_BYTES and size > limits.max_ratio * max(compressed, 1)
