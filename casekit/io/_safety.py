"""Checks made before any parser sees the bytes: size caps, format sniffing, zip bombs.

Examples
--------
>>> sniff(b"PK\\x03\\x04..."), sniff(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1"), sniff(b"PAR1"), sniff(b"a;b")
('zip', 'cfb', 'parquet', 'text')
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from casekit.errors import UnreadableFileError

MB = 1024 * 1024
#: Largest file (or total of several files) read, in bytes.
DEFAULT_MAX_BYTES = 50 * MB
#: Largest total decompressed size of the entries of an XLSX/ODS zip.
DEFAULT_MAX_UNZIPPED_BYTES = 500 * MB
#: Largest compression ratio of a zip entry (checked for entries above ``RATIO_MIN_BYTES``).
DEFAULT_MAX_RATIO = 200.0
#: Small entries (styles, shared strings of a tiny sheet) legitimately compress very well.
RATIO_MIN_BYTES = 1 * MB
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


def inspect_zip(data: bytes, *, file: str, limits: Limits, lang: str) -> str:
    """Check a zip before a spreadsheet library opens it; return ``xlsx`` or ``ods``.

    Declared sizes and ratios are checked first, then every entry is decompressed in
    chunks against a byte budget (declared sizes can lie). A damaged zip raises
    ``io.corrupt_file``, an implausible one ``io.zip_bomb``.
    """

    def bomb() -> UnreadableFileError:
        return UnreadableFileError("io.zip_bomb", lang=lang, file=file, limit=_mb(limits.max_unzipped_bytes))

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise bomb()
            declared = 0
            for info in infos:
                declared += info.file_size
                if declared > limits.max_unzipped_bytes or _bad_ratio(info.file_size, info.compress_size, limits):
                    raise bomb()
            total = 0
            for info in infos:
                real = 0
                with zf.open(info) as fh:
                    while chunk := fh.read(_CHUNK):
                        real += len(chunk)
                        total += len(chunk)
                        if total > limits.max_unzipped_bytes or _bad_ratio(real, info.compress_size, limits):
                            raise bomb()
            names = {info.filename for info in infos}
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except UnreadableFileError:
        raise
    except Exception as exc:  # BadZipFile, CRC errors, truncated streams, bad headers...
        raise UnreadableFileError("io.corrupt_file", lang=lang, file=file) from exc
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    raise UnreadableFileError("io.corrupt_file", lang=lang, file=file)


def _bad_ratio(size: int, compressed: int, limits: Limits) -> bool:
    return size > RATIO_MIN_BYTES and size > limits.max_ratio * max(compressed, 1)
