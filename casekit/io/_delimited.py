"""CSV as spreadsheets save it: odd encodings, ``,``/``;``/tab separators, ``sep=`` lines.

Examples
--------
>>> decode("Año".encode("cp1252"))
'Año'
>>> sniff_separator('id;"a;b,c";x\\n1;2;3'), sniff_separator("a,b\\n1,2"), sniff_separator("a\\tb")
(';', ',', '\\t')
>>> read_csv_raw("id;fecha\\n007;01/03/2026\\n".encode()).frame.rows()
[('id', 'fecha', 1), ('007', '01/03/2026', 2)]
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import cast

import polars as pl

from casekit.contract import ROW
from casekit.errors import UnreadableFileError
from casekit.io._budget import MAX_COLUMNS

_SEPARATORS = ("\t", ";", ",")


def decode(data: bytes) -> str:
    """Decode bytes: UTF-16 (BOM or NUL pattern), UTF-8 (with or without BOM), else
    cp1252 line by line, else latin-1 (never fails). See :func:`decode_lines`."""
    return decode_lines(data)[0]


def _single_byte(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d have no cp1252 character
        return line.decode("latin-1")


def _utf16(data: bytes) -> str | None:
    """The codec of UTF-16 text without a BOM (Excel's "Unicode text"), from its NUL bytes."""
    head = data[:4096]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    odd, even = head[1 : 2 * pairs : 2].count(0), head[0 : 2 * pairs : 2].count(0)
    if odd > 0.3 * pairs and even < 0.05 * pairs:
        return "utf-16-le"
    if even > 0.3 * pairs and odd < 0.05 * pairs:
        return "utf-16-be"
    return None


def decode_lines(data: bytes) -> tuple[str, list[int]]:
    r"""Text of a CSV's bytes and the lines (1-based) that were not UTF-8.

    UTF-16 with a BOM or without (Excel's "Unicode text") and UTF-8 with or without a
    BOM are read as such. A UTF-8 file with a few cp1252 lines (rows pasted from
    another file) is decoded line by line, those lines from cp1252, and listed so the
    reader can warn; a file with no UTF-8 text beyond ASCII is cp1252 throughout, and
    nothing is listed.

    >>> decode_lines("Año\n".encode("utf-16"))
    ('Año\n', [])
    >>> decode_lines("id\nJosé\n".encode() + "Núñez\n".encode("cp1252"))
    ('id\nJosé\nNúñez\n', [3])
    >>> decode_lines("id\nNúñez\n".encode("cp1252"))
    ('id\nNúñez\n', [])
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    codec = _utf16(data)
    if codec:
        return data.decode(codec, errors="replace"), []
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    end = b"\n" if b"\n" in data else b"\r"
    lines, fallback, utf8_text = [], [], False
    for number, line in enumerate(data.split(end), start=1):
        try:
            lines.append(line.decode("utf-8"))
            utf8_text = utf8_text or not line.isascii()
        except UnicodeDecodeError:
            lines.append(_single_byte(line))
            fallback.append(number)
    if not utf8_text:
        return _single_byte(data), []
    return end.decode().join(lines), fallback


def _count_unquoted(line: str) -> dict[str, int]:
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    return counts


def sniff_separator(text: str) -> str:
    """The separator used by the first non-empty line (quotes respected); ``,`` if none."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    counts = _count_unquoted(first)
    best = max(_SEPARATORS, key=lambda sep: counts[sep])  # ties: tab, then ;, then ,
    return best if counts[best] else ","


@dataclass(frozen=True)
class RawCsv:
    """A CSV as positional string columns plus the record number (``_row``)."""

    frame: pl.DataFrame
    separator: str
    #: Lines decoded from cp1252 in an otherwise UTF-8 file (spreadsheet row numbers).
    fallback_rows: tuple[int, ...] = ()


def field_counts(text: str, separator: str) -> pl.Series:
    """Fields of each record of ``text`` (``\n`` line ends): separators and line breaks
    inside a quoted field (one that starts with ``"``) do not count.

    >>> field_counts('a,"b,\\nc",d\\n1,2\\n', ",").to_list()
    [3, 2]
    """
    quoted = re.compile(rf'(?<![^{re.escape(separator)}\n])"(?:[^"]|"")*"')
    unquoted = quoted.sub("", text)
    return pl.Series(unquoted.removesuffix("\n").split("\n")).str.count_matches(separator, literal=True) + 1


def read_csv_raw(data: bytes, *, max_cells: int | None = None, file: str = "", lang: str = "en") -> RawCsv:
    """Read every record as strings, header included, numbered from 1 as a spreadsheet does.

    Line ends may be ``\r\n``, ``\n`` or a lone ``\r`` (Excel for Mac). With
    ``max_cells``, a file whose records × widest record exceed it, or wider than
    :data:`~casekit.io._budget.MAX_COLUMNS` fields, raises ``io.too_many_cells`` before
    any table is built.
    """
    text, fallback = decode_lines(data)
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    skipped = 0
    first_line, _, rest = text.partition("\n")
    if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
        separator = first_line.strip()[4]  # Excel's "sep=;" hint line
        text, skipped = rest, 1
    else:
        separator = sniff_separator(text)
    head, newline, tail = text.partition("\n")
    text = head.replace("\ufeff", "") + newline + tail  # a BOM never ends up in a header
    if not text.strip():
        return RawCsv(pl.DataFrame({ROW: pl.Series([], dtype=pl.Int64)}), separator)
    # polars sizes the table on the first record; a title line would cut later ones.
    counts = field_counts(text, separator)
    n_fields = int(cast("int | None", counts.max()) or 1)  # the most fields on a line
    if max_cells is not None and (n_fields > MAX_COLUMNS or counts.len() * n_fields > max_cells):
        raise UnreadableFileError(
            "io.too_many_cells",
            lang=lang,
            file=file,
            sheet=file.rsplit(".", 1)[0],
            rows=f"{counts.len():,}",
            cols=f"{n_fields:,}",
            limit=f"{max_cells:,}",
            max_cols=f"{MAX_COLUMNS:,}",
        )
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        separator=separator,
        has_header=False,
        schema=dict.fromkeys((f"c{i}" for i in range(n_fields)), pl.String),
        missing_columns="insert",
        quote_char='"',
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    frame = frame.with_row_index(ROW, offset=1 + skipped).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawCsv(frame.select(pl.exclude(ROW), ROW), separator, tuple(fallback))
