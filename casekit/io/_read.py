"""``read_workbook``: any supported source -> :class:`casekit.data.CaseData`."""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl

from casekit.contract import ROW, SHEET_ORDER, SHEETS
from casekit.data import ISSUE_SCHEMA, CaseData, column_dtype
from casekit.errors import UnreadableFileError
from casekit.i18n import normalize_lang, t
from casekit.io._delimited import read_csv_raw
from casekit.io._excel import load_grid, open_workbook
from casekit.io._jobs import run_all
from casekit.io._layout import Table, locate, name_columns
from casekit.io._names import sheet_id
from casekit.io._parquet import category_enums, pyarrow_warmed
from casekit.io._parse import clean_expr, parse_frame
from casekit.io._safety import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_RATIO,
    DEFAULT_MAX_TEXT,
    DEFAULT_MAX_UNZIPPED_BYTES,
    Limits,
    check_cells,
    check_size,
    inspect_zip,
    sniff,
)

WORKBOOK_EXTS = frozenset({".xlsx", ".xlsm", ".ods"})
LEGACY_EXTS = frozenset({".xls"})
TEXT_EXTS = frozenset({".csv", ".tsv", ".txt"})
PARQUET_EXTS = frozenset({".parquet", ".pq"})
#: The extensions of a folder's one-sheet files (CSV, TSV, text, Parquet): what a folder read takes.
SHEET_FILE_EXTS = TEXT_EXTS | PARQUET_EXTS
SUPPORTED_EXTS = WORKBOOK_EXTS | LEGACY_EXTS | SHEET_FILE_EXTS

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | Mapping[str, Any] | Sequence[Any]


@dataclass(frozen=True)
class _Part:
    """One file's name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class _Found:
    """A sheet recognised in the source: its grid of text cells or its typed table."""

    sheet: str
    name: str
    table: Table
    decimal_comma: bool
    file: str
    #: Problems found while reading: ``(row, column, value, check, severity)``.
    notes: tuple[tuple[int | None, str | None, str | None, str, str], ...] = ()


#: A cell the reader reports: ``(row, column, value, check, severity)``.
Note = tuple[int | None, str | None, str | None, str, str]


def _layout_notes(table: Table) -> list[Note]:
    """Rows with content above the header, and headers naming a column twice (warnings)."""
    notes: list[Note] = [(row, None, value, "rows_above_header", "warning") for row, value in table.above]
    notes += [(None, header, header, "duplicate_header", "warning") for header in table.duplicates]
    return notes


@dataclass(frozen=True)
class _Options:
    lang: str
    month_first: bool
    limits: Limits


def read_workbook(
    source: Source,
    *,
    filename: str | None = None,
    lang: str = "en",
    month_first: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
    max_cells: int = DEFAULT_MAX_CELLS,
    max_text: int = DEFAULT_MAX_TEXT,
) -> CaseData:
    """Read a case workbook into typed frames with canonical names.

    ``source`` is a path to an ``.xlsx``/``.xlsm``/``.ods`` workbook, to a folder of
    ``<sheet>.csv``/``<sheet>.parquet`` files or to one such file; the bytes or a binary
    file object of an upload (give ``filename``); or several uploaded CSV/Parquet files
    as ``{filename: bytes}`` or ``[(filename, bytes), ...]``.

    Cells that do not parse become null and are listed in ``CaseData.issues``. A source
    that cannot be read at all raises one :class:`casekit.errors.UnreadableFileError`,
    with its message in ``lang``: among others when it is bigger than ``max_bytes``,
    would unpack to more than ``max_unzipped_bytes``, or would build more than
    ``max_cells`` cells (rows × columns of each sheet's used range, found by a cheap
    scan before any spreadsheet library sees the file) or ``max_text`` characters of
    repeated shared strings. To also bound memory and time, read through
    :func:`casekit.io.read_isolated`.

    Examples
    --------
    >>> data = read_workbook(b"id_caso;fecha_apertura;sexo\\n007;01/03/2026;Mujer\\n", filename="casos.csv")
    >>> data["cases"].select("case_id", "opened_on", "sex", "_row").row(0)
    ('007', datetime.date(2026, 3, 1), 'female', 2)
    >>> data.headers["cases"]["opened_on"], data.source
    ('fecha_apertura', 'casos.csv')
    >>> read_workbook(b"", filename="a.xlsx", lang="es")
    Traceback (most recent call last):
    casekit.errors.UnreadableFileError: El archivo «a.xlsx» está vacío.
    """
    opts = _Options(
        normalize_lang(lang), month_first, Limits(max_bytes, max_unzipped_bytes, max_ratio, max_cells, max_text)
    )
    readable = isinstance(source, str | os.PathLike | bytes | bytearray | memoryview) or hasattr(source, "read")
    if not readable and _pairs(source) is None:
        raise TypeError(f"read_workbook cannot read a {type(source).__name__}")
    label = _label(source, filename, opts.lang)
    try:
        return _read(source, filename, label, opts)
    except UnreadableFileError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine panics are BaseException (pyo3)
        raise UnreadableFileError("io.corrupt_file", lang=opts.lang, file=label) from exc


# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------


def _pairs(source: Any) -> list[tuple[str, Any]] | None:
    if isinstance(source, Mapping):
        return [(str(k), v) for k, v in source.items()]
    if isinstance(source, list | tuple) and all(isinstance(p, list | tuple) and len(p) == 2 for p in source):
        return [(str(k), v) for k, v in source]
    return None


def _label(source: Any, filename: str | None, lang: str) -> str:
    if filename:
        return filename
    if isinstance(source, str | os.PathLike):
        return Path(source).name or str(source)
    pairs = _pairs(source)
    if pairs:
        return ", ".join(Path(name).name for name, _ in pairs)
    name = getattr(source, "name", None)
    if isinstance(name, str) and name:
        return Path(name).name
    return t("io.upload", lang)


def _read_bytes(obj: Any, name: str, opts: _Options) -> bytes:
    """Bytes of a path, a bytes-like or a binary file object, reading at most the cap + 1."""
    cap = opts.limits.max_bytes
    if isinstance(obj, bytes | bytearray | memoryview):
        data = bytes(obj)
    elif isinstance(obj, str | os.PathLike):
        path = Path(obj)
        if not path.is_file():
            raise UnreadableFileError("io.not_found", lang=opts.lang, file=name)
        size = path.stat().st_size
        check_size(size, file=name, limits=opts.limits, lang=opts.lang)
        with path.open("rb") as fh:
            # never ask for more than the file holds: read(n) allocates n bytes up front
            data = fh.read(min(cap, size) + 1)
    elif hasattr(obj, "read"):
        if getattr(obj, "seekable", lambda: False)():
            obj.seek(0)
        data = obj.read(cap + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise TypeError(f"read_workbook cannot read a {type(obj).__name__}")
    check_size(len(data), file=name, limits=opts.limits, lang=opts.lang)
    return data


def _collect(source: Any, filename: str | None, label: str, opts: _Options) -> tuple[list[_Part], bool]:
    """The files to read and whether they are several sheet files (folder, uploads)."""
    pairs = _pairs(source)
    if pairs is not None:
        if len(pairs) == 1:
            name, obj = pairs[0]
            return [_Part(Path(name).name, _read_bytes(obj, Path(name).name, opts))], False
        parts = [_Part(Path(n).name, _read_bytes(obj, Path(n).name, opts)) for n, obj in pairs]
        _check_total(parts, label, opts)
        return parts, True
    if isinstance(source, str | os.PathLike) and Path(source).is_dir():
        files = sorted(p for p in Path(source).iterdir() if p.is_file() and p.suffix.lower() in SHEET_FILE_EXTS)
        with pyarrow_warmed([p.name for p in files], PARQUET_EXTS):  # its import overlaps the reads
            parts = [_Part(p.name, _read_bytes(p, p.name, opts)) for p in files]
        _check_total(parts, label, opts)
        return parts, True
    return [_Part(filename or label, _read_bytes(source, label, opts))], False


def _check_total(parts: list[_Part], label: str, opts: _Options) -> None:
    total = sum(len(p.data) for p in parts)
    if total > opts.limits.max_bytes:
        check_size(total, file=label, limits=opts.limits, lang=opts.lang)


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def _read(source: Any, filename: str | None, label: str, opts: _Options) -> CaseData:
    parts, several = _collect(source, filename, label, opts)
    warnings: list[str] = []
    pending = _sheet_files(parts, warnings, opts) if several else _single(parts[0], warnings, opts)
    # the sheets are read and parsed side by side; errors are raised as one after another would
    done = run_all(
        [functools.partial(_read_and_parse, job, opts) for job in pending.values()],
        weights=[job.weight for job in pending.values()],
    )
    ready: dict[str, _Ready] = {}
    for sheet, outcome in zip(pending, done, strict=True):
        if outcome.error is not None:
            raise outcome.error
        assert outcome.value is not None
        ready[sheet] = outcome.value
    if "cases" not in ready:
        names = ", ".join(r.found.name for r in ready.values()) or "—"
        raise UnreadableFileError("io.missing_cases", lang=opts.lang, file=label, sheets=names)
    sheets: dict[str, pl.DataFrame] = {}
    headers: dict[str, dict[str, str]] = {}
    n = len(warnings)
    issues = [
        pl.DataFrame(
            {
                "sheet": warnings,
                "row": [None] * n,
                "column": [None] * n,
                "value": warnings,
                "check": ["unknown_sheet"] * n,
                "severity": ["warning"] * n,
                "arg": [None] * n,
            },
            schema=ISSUE_SCHEMA,
        )
    ]
    for sheet in SHEET_ORDER:
        if sheet not in ready:
            continue
        item, parsed = ready[sheet].found, ready[sheet].parsed
        if parsed is None:
            raise UnreadableFileError("io.no_header", lang=opts.lang, file=item.file, sheet=item.name)
        if isinstance(parsed, BaseException):
            raise parsed
        sheets[sheet], sheet_issues = parsed
        headers[sheet] = {**item.table.headers, "__sheet__": item.name}
        issues.append(sheet_issues)
    issue_frame = pl.concat(issues, how="vertical")
    return CaseData(sheets, issue_frame, source=label, headers=headers)


@dataclass(frozen=True)
class _Pending:
    """A sheet to read (``read`` gives its :class:`_Found`) and how much work it is."""

    read: Callable[[], _Found]
    weight: int


@dataclass(frozen=True)
class _Ready:
    """A sheet read: what was found and its parse, ``(frame, issues)``; the error the
    parse raised; or None when the sheet has no header (raised in sheet order)."""

    found: _Found
    parsed: tuple[pl.DataFrame, pl.DataFrame] | BaseException | None


def _read_and_parse(job: _Pending, opts: _Options) -> _Ready:
    """Read one sheet and parse it (a read error propagates; a parse error is kept, as
    it is raised only after every file was read)."""
    item = job.read()
    if item.table.frame.width > 1 and not item.table.recognised:
        return _Ready(item, None)
    try:
        return _Ready(item, _parse(item, opts))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return _Ready(item, exc)


def _parse(item: _Found, opts: _Options) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The typed sheet and its issues, the reader's notes among them."""
    frame, sheet_issues = parse_frame(
        item.sheet,
        item.table.frame,
        item.table.columns,
        month_first=opts.month_first,
        decimal_comma=item.decimal_comma,
    )
    if item.notes:
        rows, columns, values, checks, severities = zip(*item.notes, strict=True)
        notes = {"row": rows, "column": columns, "value": values, "check": checks, "severity": severities}
        notes_frame = pl.DataFrame(
            {"sheet": [item.sheet] * len(rows), **notes, "arg": [None] * len(rows)}, schema=ISSUE_SCHEMA
        )
        sheet_issues = pl.concat([notes_frame, sheet_issues]).sort("row", maintain_order=True, nulls_last=False)
    return frame, sheet_issues


def _done(found: _Found) -> _Pending:
    """A sheet already read (a workbook's): only its parse is left."""
    return _Pending(lambda: found, found.table.frame.height * found.table.frame.width)


def _single(part: _Part, warnings: list[str], opts: _Options) -> dict[str, _Pending]:
    """One file: a workbook, or one CSV/Parquet file (the ``cases`` sheet unless named otherwise)."""
    kind = sniff(part.data)
    ext = Path(part.name).suffix.lower()
    if kind == "cfb":
        raise UnreadableFileError("io.encrypted_or_legacy", lang=opts.lang, file=part.name)
    if ext not in SUPPORTED_EXTS and not (ext == "" and kind != "text"):
        if ext:
            raise UnreadableFileError("io.unsupported_extension", lang=opts.lang, file=part.name, ext=ext)
        ext = ".csv"
    if ext in WORKBOOK_EXTS | LEGACY_EXTS or (ext == "" and kind == "zip"):
        if kind != "zip":
            raise UnreadableFileError("io.corrupt_file", lang=opts.lang, file=part.name)
        return {sheet: _done(found) for sheet, found in _workbook(part, warnings, opts).items()}
    stem_sheet = sheet_id(Path(part.name).stem) or "cases"
    read = functools.partial(_sheet_file, part, stem_sheet, Path(part.name).stem, kind, opts)
    return {stem_sheet: _Pending(read, len(part.data))}


def _claim(claimed: dict[str, str], sheet: str, name: str, file: str, opts: _Options) -> None:
    """Two sheets (or files) for one entity are an error naming both."""
    if sheet in claimed:
        raise UnreadableFileError("io.duplicate_sheet", lang=opts.lang, file=file, first=claimed[sheet], second=name)
    claimed[sheet] = name


def _workbook(part: _Part, warnings: list[str], opts: _Options) -> dict[str, _Found]:
    error_cells: dict[str, list[tuple[int, int, str]]] = {}
    inspect_zip(part.data, file=part.name, limits=opts.limits, lang=opts.lang, error_cells=error_cells)
    reader = open_workbook(part.data)
    claimed: dict[str, str] = {}
    for name in reader.sheet_names:
        sheet = sheet_id(name)
        if sheet:
            _claim(claimed, sheet, name, part.name, opts)
        elif sheet is None:
            warnings.append(name)
    found: dict[str, _Found] = {}
    for sheet, name in claimed.items():
        grid, visible = load_grid(reader, name)
        table = locate(sheet, grid)
        notes = _layout_notes(table)
        if not visible:
            notes.append((None, None, name, "hidden_sheet", "warning"))
        notes += _error_notes(grid, table, error_cells.get(name, []))
        found[sheet] = _Found(sheet, name, table, decimal_comma=False, file=part.name, notes=tuple(notes))
    if "cases" not in found:
        names = ", ".join(reader.sheet_names) or "—"
        raise UnreadableFileError("io.missing_cases", lang=opts.lang, file=part.name, sheets=names)
    return found


def _error_notes(grid: pl.DataFrame, table: Table, cells: list[tuple[int, int, str]]) -> list[Note]:
    """``cell_error`` errors for the Excel error cells (``#REF!``, ``#N/A``…) of the data rows."""
    if not cells:
        return []
    positions = [c for c in grid.columns if c != ROW]
    data_rows = set(table.frame.get_column(ROW).to_list())
    notes: list[Note] = []
    for row, col, value in cells:
        if row in data_rows and col <= len(positions):
            column = table.columns.get(positions[col - 1]) or f"column_{col}"
            notes.append((row, column, value, "cell_error", "error"))
    return notes


def _sheet_files(parts: list[_Part], warnings: list[str], opts: _Options) -> dict[str, _Pending]:
    """Each sheet file's read, to run later; a file refused here (its name, kind or a
    second file for its sheet) is refused only after the files before it are read, so
    the error is the one a read of one file after another raises first."""
    pending: dict[str, _Pending] = {}
    claimed: dict[str, str] = {}
    for part in parts:
        try:
            sheet, kind = _sheet_of(part, claimed, warnings, opts)
        except UnreadableFileError:
            for job in pending.values():
                job.read()
            raise
        if sheet:
            read = functools.partial(_sheet_file, part, sheet, Path(part.name).stem, kind, opts)
            pending[sheet] = _Pending(read, len(part.data))
    return pending


def _sheet_of(part: _Part, claimed: dict[str, str], warnings: list[str], opts: _Options) -> tuple[str, str]:
    """The sheet a folder's file holds ("" for none: an unknown name is a warning) and its kind."""
    stem, ext = Path(part.name).stem, Path(part.name).suffix.lower()
    if ext not in SHEET_FILE_EXTS:
        raise UnreadableFileError("io.not_a_sheet_file", lang=opts.lang, file=part.name)
    kind = sniff(part.data)
    if kind == "cfb":
        raise UnreadableFileError("io.encrypted_or_legacy", lang=opts.lang, file=part.name)
    sheet = sheet_id(stem)
    if sheet is None:
        warnings.append(stem)
    if not sheet:
        return "", kind
    _claim(claimed, sheet, part.name, part.name, opts)
    return sheet, kind


def _sheet_file(part: _Part, sheet: str, name: str, kind: str, opts: _Options) -> _Found:
    ext = Path(part.name).suffix.lower()
    if ext in PARQUET_EXTS or (ext == "" and kind == "parquet"):
        if kind != "parquet":
            raise UnreadableFileError("io.corrupt_file", lang=opts.lang, file=part.name)
        return _Found(sheet, name, _parquet_table(part, sheet, opts), decimal_comma=False, file=part.name)
    raw = read_csv_raw(part.data, max_cells=opts.limits.max_cells, file=part.name, lang=opts.lang)
    table = locate(sheet, raw.frame)
    if table.empty:
        raise UnreadableFileError("io.no_header", lang=opts.lang, file=part.name, sheet=name)
    notes = _layout_notes(table)
    notes += [(row, None, None, "encoding_fallback", "warning") for row in raw.fallback_rows]
    notes += _extra_field_notes(raw.frame, table)
    return _Found(sheet, name, table, decimal_comma=raw.separator == ";", file=part.name, notes=tuple(notes))


def _extra_field_notes(grid: pl.DataFrame, table: Table) -> list[Note]:
    """An error on each data row with more fields than the header (never a silent shift)."""
    beyond = [c for c in grid.columns if c != ROW][table.width :]
    if not beyond or table.frame.height == 0:
        return []
    data = grid.join(table.frame.select(ROW), on=ROW, how="semi")
    extra = data.select(
        ROW,
        fields=pl.max_horizontal(
            pl.when(pl.col(c).is_not_null()).then(table.width + i + 1) for i, c in enumerate(beyond)
        ),
        value=pl.concat_str(beyond, separator=" | ", ignore_nulls=True),
    ).filter(pl.col("fields").is_not_null())
    return [(row, None, f"{value}", "extra_fields", "error") for row, _, value in extra.rows()]


def _parquet_table(part: _Part, sheet: str, opts: _Options) -> Table:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(io.BytesIO(part.data))
    check_cells(
        meta.num_rows,
        meta.num_columns,
        meta.num_rows * meta.num_columns,
        file=part.name,
        sheet=Path(part.name).stem,
        limits=opts.limits,
        lang=opts.lang,
    )
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > opts.limits.max_unzipped_bytes:
        raise UnreadableFileError(
            "io.zip_bomb", lang=opts.lang, file=part.name, limit=f"{opts.limits.max_unzipped_bytes / 2**20:.0f}"
        )
    frame = _parquet_frame(part.data, meta.schema.names, sheet)
    positional = {name: f"c{i}" for i, name in enumerate(frame.columns)}
    frame = frame.rename(positional)
    frame.insert_column(0, pl.int_range(2, frame.height + 2, dtype=pl.Int64, eager=True).alias(ROW))  # no u32 copy
    frame = _drop_empty_rows(frame, list(positional.values()))
    has_data = dict.fromkeys(positional.values(), True)
    table = name_columns(sheet, [(pos, name) for name, pos in positional.items()], has_data)
    return Table(
        frame.select(*table.columns, ROW),
        table.columns,
        table.headers,
        table.recognised,
        duplicates=table.duplicates,
    )


def _parquet_frame(data: bytes, leaves: list[str], sheet: str) -> pl.DataFrame:
    """The Parquet file ``data`` as read by polars, its category columns already their Enum
    where every value is an id (:func:`casekit.io._parquet.category_enums`: from the file's
    dictionaries, no text decoded); every other column as polars reads it.

    ``leaves`` are the file's leaf columns, by which its header is matched to ``sheet``'s
    columns as the frame's will be (the same names in a flat file, the only kind read so).
    """
    spec = SHEETS[sheet]
    targets = name_columns(sheet, [(str(i), name) for i, name in enumerate(leaves)], {}).columns
    wanted = {
        int(i): column_dtype(spec.columns[c])
        for i, c in targets.items()
        if c in spec.columns and spec.columns[c].kind == "category"
    }
    enums = category_enums(data, wanted) if wanted else {}
    if not enums:
        return pl.read_parquet(io.BytesIO(data))
    rest = [i for i in range(len(leaves)) if i not in enums]
    if not rest:
        return pl.DataFrame([enums[i] for i in sorted(enums)])
    frame = pl.read_parquet(io.BytesIO(data), columns=rest)
    for i in sorted(enums):
        frame.insert_column(i, enums[i])
    return frame


def _drop_empty_rows(frame: pl.DataFrame, cells: list[str]) -> pl.DataFrame:
    """``frame`` without the rows whose every cell is null or blank text.

    Only the rows with no typed (non-text) value can be empty, so the texts are
    stripped on those rows alone (usually none: every sheet has a date column).

    >>> import datetime as dt
    >>> f = pl.DataFrame({"a": ["x", " ", " ", None], "d": [None, dt.date(2026, 1, 1), None, None],
    ...                   "_row": [2, 3, 4, 5]})
    >>> _drop_empty_rows(f, ["a", "d"])["_row"].to_list()
    [2, 3]
    """
    texts = [c for c in cells if frame.schema[c] == pl.String]
    typed = [c for c in cells if c not in texts]
    if any(frame.get_column(c).null_count() == 0 for c in typed):  # a value on every row (counts kept by polars)
        return frame
    maybe_empty = ~pl.any_horizontal(pl.col(c).is_not_null() for c in typed) if typed else pl.lit(True)
    candidates = frame.filter(maybe_empty).select(ROW, *texts)
    if candidates.height == 0:
        return frame
    filled = [clean_expr(pl.col(c)).is_not_null() for c in texts]
    empty = candidates.filter(~pl.any_horizontal(filled) if filled else pl.lit(True)).get_column(ROW)
    if empty.len() == 0:
        return frame
    return frame.filter(~pl.col(ROW).is_in(empty.implode()))
