"""Safe exports: CSV, XLSX and Parquet that open cleanly in a spreadsheet.

Every text cell that a spreadsheet could take for a formula (first character ``=``,
``+``, ``-``, ``@``, tab, CR or LF — the OWASP CSV-injection list) is written with a
leading apostrophe ``'``; numbers, dates and booleans keep their types. The rule is
applied to *every* such text, including a lone ``"-"`` and text that looks like a
negative number (``"-5"`` in a text column): a simple rule is easier to trust.

The same goes for a dangerous character right after a list separator (``,``, ``;``,
tab, optionally followed by quotes) *inside* a text: ``Team;=1+1`` in a ``,`` file is
one harmless field until a spreadsheet whose list separator is ``;`` opens the file
and splits it into ``Team`` and a formula. It is written ``Team;'=1+1``.

The neutralisation is reversible: a text that already starts with apostrophes
followed by a dangerous character gets one more apostrophe, so :func:`unneutralise`
(one apostrophe removed from ``'*[=+-@\\t\\r\\n]``-prefixed text) gives back exactly the
original. Readers use it to read an export back to the same data.

CSV files quote every text field, and every writer writes to a temporary file in the
destination's folder and renames it into place: a failed write never leaves half a
file, and never destroys the file it was replacing.

Examples
--------
>>> import polars as pl
>>> df = pl.DataFrame({"note": ["=1+2", "-", "ok", None], "n": [-1, 2, 3, 4]})
>>> safe_frame(df)["note"].to_list()
["'=1+2", "'-", 'ok', None]
>>> safe_frame(df)["n"].to_list()
[-1, 2, 3, 4]
>>> safe_frame(df).select(unneutralise("note"))["note"].to_list()
['=1+2', '-', 'ok', None]
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Literal, cast

import polars as pl

from casekit._frames import Frame
from casekit._neutral import DANGEROUS_START, neutralise, safe_text, unneutralise
from casekit._print import longest_values, set_up_printing
from casekit.contract import DERIVED_COLUMNS, ROW, SHEET_ORDER, SHEETS
from casekit.data import CaseData, as_text
from casekit.errors import CasekitError
from casekit.i18n import normalize_lang
from casekit.present import formats, label, readable

__all__ = [
    "DANGEROUS_START",
    "WORKBOOK_OPTIONS",
    "deliver",
    "flatten_lists",
    "neutralise",
    "safe_frame",
    "safe_headers",
    "safe_text",
    "sheet_names",
    "unneutralise",
    "write_csv",
    "write_table",
    "write_workbook",
    "write_xlsx",
]

#: Longest text an XLSX cell holds (Excel's limit); longer texts are refused, not cut.
XLSX_MAX_CHARS = 32_767

#: Largest number of data rows an XLSX sheet holds (1,048,576 rows minus the header).
XLSX_MAX_ROWS = 1_048_575

#: xlsxwriter options of every workbook casekit writes: text stays text (never a formula,
#: a link or a number), whatever it looks like.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


Dest = str | Path | IO[bytes]


def safe_frame(df: Frame) -> Frame:
    """Neutralise every text column of ``df`` (String, Categorical, Enum); other columns untouched.

    Categorical and Enum columns come back as String. Column names are left alone
    (the writers neutralise headers themselves).
    """
    text_cols = [name for name, dtype in df.collect_schema().items() if _is_text(dtype)]
    if not text_cols:
        return df
    return df.with_columns(neutralise(pl.col(c).cast(pl.String)) for c in text_cols)


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def safe_headers(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with each column name neutralised as a text cell is (:func:`safe_text`).

    >>> safe_headers(pl.DataFrame({"=x": [1], "ok": [2]})).columns
    ["'=x", 'ok']
    """
    renames = {c: safe_text(c) for c in df.columns if safe_text(c) != c}
    return df.rename(renames) if renames else df


@contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """A temporary path next to ``dest``, renamed to ``dest`` when the block succeeds
    (removed when it fails): readers never see half a file, and a failed write keeps the
    file that was there.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "t.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('done', ['t.txt'])
    """
    dest = Path(dest)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.chmod(dest.stat().st_mode & 0o777 if dest.exists() else 0o666 & ~_umask())
        yield tmp
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes_atomic(dest: str | Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` through :func:`atomic_path`."""
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)


def deliver(data: bytes, dest: Dest | IO[str] | None) -> bytes | None:
    """Write ``data`` to a path (atomically) or buffer, or return it when ``dest`` is None."""
    if dest is None:
        return data
    if isinstance(dest, str | Path):
        write_bytes_atomic(dest, data)
    elif isinstance(dest, io.TextIOBase):
        dest.write(data.decode("utf-8"))
    else:
        cast(IO[bytes], dest).write(data)  # not a text stream: a binary one
    return None


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


def write_csv(
    df: pl.DataFrame, path_or_buffer: Dest | IO[str] | None = None, *, lang: str = "en", bom: bool = True
) -> bytes | None:
    """Write ``df`` as a spreadsheet-safe CSV; return the bytes when no destination is given.

    ``lang="es"``: ``;`` separator, decimal comma, ``dd/mm/yyyy`` dates (what Spanish
    Excel expects); ``"en"``: ``,`` separator, ISO dates. UTF-8, with a BOM by default
    so Excel shows accents. Every field that is not a number is quoted, so a separator
    or a line break inside a text never splits it.

    Examples
    --------
    >>> import datetime as dt
    >>> df = pl.DataFrame({"id": ["007"], "on": [dt.date(2026, 3, 1)], "x": [1.5], "note": ["a;=1+1"]})
    >>> print(write_csv(df, lang="es", bom=False).decode(), end="")
    "id";"on";"x";"note"
    "007";"01/03/2026";1,5;"a;'=1+1"
    >>> print(write_csv(df, lang="en", bom=False).decode(), end="")
    "id","on","x","note"
    "007","2026-03-01",1.5,"a;'=1+1"
    """
    lang = normalize_lang(lang)
    es = lang == "es"
    buf = io.BytesIO()
    safe_headers(safe_frame(df)).write_csv(
        buf,
        include_bom=bom,
        separator=formats(lang).csv_separator,
        decimal_comma=es,
        date_format=formats(lang).date,
        datetime_format=formats(lang).datetime,
        quote_style="non_numeric",
    )
    return deliver(buf.getvalue(), path_or_buffer)


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------

_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names(names: list[str]) -> list[str]:
    """Valid, distinct Excel sheet names (≤ 31 characters, no ``[]:*?/\\``)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        base = _INVALID_SHEET_CHARS.sub("_", name).strip("'")[:31] or f"Sheet{i}"
        candidate, n = base, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{base[: 31 - len(str(n)) - 1]}_{n}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def _column_formats(df: pl.DataFrame, lang: str) -> dict[str, str]:
    fmts: dict[str, str] = {}
    for name, dtype in df.schema.items():
        if dtype == pl.Date:
            fmts[name] = formats(lang).excel_date
        elif isinstance(dtype, pl.Datetime):
            fmts[name] = formats(lang).excel_datetime
        elif dtype.is_integer():
            fmts[name] = "0"
        elif dtype.is_float() or dtype.is_decimal():
            fmts[name] = "General"
    return fmts


def _column_widths(df: pl.DataFrame) -> dict[str, int]:
    """Pixel widths from the header and the longest of the first 1,000 values (clamped)."""
    longest = longest_values(df)
    return {name: min(max(len(name) + 3, int(n) + 1, 8), 60) * 7 + 10 for name, n in longest.items()}


def _check_cell_lengths(df: pl.DataFrame, sheet: str, lang: str) -> None:
    """Refuse a text longer than an XLSX cell holds (Excel would cut it silently).

    >>> _check_cell_lengths(pl.DataFrame({"note": ["ok", "x" * 40_000]}), "cases", "en")
    Traceback (most recent call last):
    casekit.errors.CasekitError: The sheet «cases», row 3, column «note» has a text of 40,000 characters; ...
    """
    texts = [c for c, dtype in df.schema.items() if dtype == pl.String]
    if not texts:
        return
    longest = df.select(pl.col(texts).str.len_chars().max()).row(0, named=True)
    for column in texts:
        if (longest[column] or 0) > XLSX_MAX_CHARS:
            index = df.select(pl.col(column).str.len_chars().arg_max()).item()
            raise CasekitError(
                "export.cell_too_long",
                lang=lang,
                sheet=sheet,
                row=index + 2,
                column=column,
                length=f"{longest[column]:,}",
                max=f"{XLSX_MAX_CHARS:,}",
            )


def _add_sheet(
    workbook: Any, name: str, df: pl.DataFrame, lang: str, *, source: str | None, as_of: dt.date | None
) -> None:
    if df.height > XLSX_MAX_ROWS:
        raise CasekitError("export.too_many_rows", lang=lang, sheet=name, rows=df.height, max=XLSX_MAX_ROWS)
    if df.width == 0:
        ws = workbook.add_worksheet(name)
        set_up_printing(ws, lang=lang, source=source, as_of=as_of, header_row=None)
        return
    df = safe_headers(safe_frame(df))
    _check_cell_lengths(df, name, lang)
    df.write_excel(
        workbook=workbook,
        worksheet=name,
        header_format={"bold": True, "bg_color": "#DDEBF7", "border": 1},
        column_formats=_column_formats(df, lang),  # type: ignore[arg-type]  # polars' write_excel stubs want a narrower mapping than its documented dict[str, str]
        column_widths=_column_widths(df),  # type: ignore[arg-type]  # polars' write_excel stubs want a narrower mapping than its documented dict[str, int]
        autofilter=True,
        freeze_panes="A2",
    )
    set_up_printing(workbook.get_worksheet_by_name(name), lang=lang, source=source, as_of=as_of)


def write_xlsx(
    sheets: Mapping[str, pl.DataFrame],
    path_or_buffer: Dest | None = None,
    *,
    lang: str = "en",
    source: str | None = None,
    as_of: dt.date | None = None,
) -> bytes | None:
    """Write one formatted sheet per frame; return the bytes when no destination is given.

    Bold frozen header with an autofilter, column widths from the content, dates as
    date cells (``dd/mm/yyyy`` for es, ``yyyy-mm-dd`` for en), numbers as numbers and
    neutralised text. Nothing is ever written as a formula or a link. Every sheet
    prints on A4, one page wide, its header on every page and a footer naming the
    sheet, the page, ``source`` and ``as_of`` (:func:`casekit._print.set_up_printing`).

    Examples
    --------
    >>> data = write_xlsx({"cases": pl.DataFrame({"case_id": ["007", "=2+2"]})})
    >>> pl.read_excel(data, sheet_name="cases")["case_id"].to_list()
    ['007', "'=2+2"]
    """
    import xlsxwriter

    lang = normalize_lang(lang)
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS)
    try:
        names = sheet_names(list(sheets))
        for name, df in zip(names, sheets.values(), strict=True):
            _add_sheet(workbook, name, df, lang, source=source, as_of=as_of)
        if not names:
            workbook.add_worksheet()
    finally:
        workbook.close()
    return deliver(buf.getvalue(), path_or_buffer)


# --------------------------------------------------------------------------------------
# Whole case workbook
# --------------------------------------------------------------------------------------


def _localise(sheet: str, df: pl.DataFrame, lang: str, labels: bool) -> tuple[str, pl.DataFrame]:
    """Drop ``_row``, translate values (``labels``) and headers; return the sheet name in ``lang``.
    Category columns (Enums, :func:`casekit.data.column_dtype`) are written as their text."""
    df = as_text(df.drop(ROW, strict=False))
    spec = SHEETS.get(sheet)
    if spec is None:
        return sheet, df
    if labels:  # what the reader maps back: the contract's categories as labels, booleans as sí/no
        columns = spec.columns
        coded = [c for c in df.columns if c in columns and (columns[c].vocab or columns[c].kind == "bool")]
        df = df.with_columns(readable(df.select(coded), lang, headers={c: c for c in coded}, keep_types=True))
    taken = set(df.columns)
    renames = {}
    for name in df.columns:
        col = spec.columns.get(name)
        # a contract column, or one casekit derives (an extract's age): its header in lang's workbook
        written = col.label(lang) if col is not None else label("column", name, lang)
        if (col is not None or name in DERIVED_COLUMNS.get(sheet, ())) and written != name and written not in taken:
            renames[name] = written
    return spec.label(lang), df.rename(renames)


def _ordered(sheets: Mapping[str, pl.DataFrame]) -> list[str]:
    return [s for s in SHEET_ORDER if s in sheets] + [s for s in sheets if s not in SHEETS]


def write_workbook(
    data: CaseData | Mapping[str, pl.DataFrame],
    dest: str | Path | IO[bytes] | None,
    *,
    lang: str = "en",
    labels: bool = False,
    format: Literal["parquet", "csv"] | None = None,
    as_of: dt.date | None = None,
) -> bytes | Path | None:
    """Write a whole case workbook in ``lang``.

    - ``dest`` ending in ``.xlsx``, a binary buffer, or ``None`` (returns bytes): one
      workbook, sheets in contract order, sheet names and headers in ``lang``
      (canonical ids for en, Spanish aliases for es);
    - any other path: a folder with one ``<sheet>.parquet`` (default) or
      ``<sheet>.csv`` file per sheet, the sheet name in ``lang``. Returns the folder.

    ``labels=True`` writes categorical values as their label in ``lang`` and booleans
    as sí/no or yes/no. The ``_row`` column is never written; identifiers stay text.
    The printed footer names the data's source file and ``as_of``.

    Examples
    --------
    >>> cases = pl.DataFrame({"case_id": ["007"], "sex": ["female"], "_row": [2]})
    >>> book = write_workbook({"cases": cases}, None, lang="es", labels=True)
    >>> pl.read_excel(book, sheet_name="casos").to_dicts()
    [{'id_caso': '007', 'sexo': 'Mujer'}]
    """
    lang = normalize_lang(lang)
    sheets = data.sheets if isinstance(data, CaseData) else data
    localised = dict(_localise(s, sheets[s], lang, labels) for s in _ordered(sheets))

    if dest is None or not isinstance(dest, str | Path) or Path(dest).suffix.lower() == ".xlsx":
        if format is not None:
            raise CasekitError("export.bad_format", lang=lang, format=format)
        source = data.source if isinstance(data, CaseData) else None
        out = write_xlsx(localised, dest, lang=lang, source=source, as_of=as_of)
        return out if dest is None else (Path(dest) if isinstance(dest, str | Path) else None)

    fmt = format or "parquet"
    if fmt not in ("parquet", "csv"):
        raise CasekitError("export.bad_format", lang=lang, format=fmt)
    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in localised.items():
        target = folder / f"{name}.{fmt}"
        if fmt == "csv":
            write_csv(df, target, lang=lang)
        else:
            with atomic_path(target) as tmp:
                df.write_parquet(tmp)
    return folder


def flatten_lists(df: pl.DataFrame, *, sep: str = ";") -> pl.DataFrame:
    """Join list columns into ``sep``-separated text (for CSV and XLSX, which have no lists).

    A list of lists (a worklist's details per flag) joins its inner lists with ``,``.

    >>> flatten_lists(pl.DataFrame({"flags": [["a", "b"], []], "n": [1, 2]}))["flags"].to_list()
    ['a;b', '']
    >>> flatten_lists(pl.DataFrame({"detail": [[["x", "y"], None, ["z"]]]}))["detail"].to_list()
    ['x,y;;z']
    """

    def text(dtype: pl.DataType) -> pl.Expr:
        if isinstance(dtype, pl.List):
            return pl.element().list.eval(text(cast(pl.DataType, dtype.inner))).list.join(",").fill_null("")
        return pl.element().cast(pl.String)

    lists = {name: dtype for name, dtype in df.schema.items() if isinstance(dtype, pl.List)}
    joined = (pl.col(n).list.eval(text(cast(pl.DataType, d.inner))).list.join(sep) for n, d in lists.items())
    return df.with_columns(joined) if lists else df


def write_table(
    df: pl.DataFrame,
    dest: str | Path,
    *,
    lang: str = "en",
    sheet: str = "data",
    source: str | None = None,
    as_of: dt.date | None = None,
) -> Path:
    """Write one result table by the file's extension: ``.csv``, ``.xlsx`` or ``.parquet``.

    CSV and XLSX are formula-safe and get list columns joined with ``;``; Parquet keeps
    native types (lists stay lists). Anything else raises ``CasekitError``. ``source``
    and ``as_of`` go in the XLSX's printed footer.

    >>> import tempfile
    >>> out = write_table(pl.DataFrame({"x": ["=1"]}), Path(tempfile.mkdtemp()) / "t.csv")
    >>> print(out.read_text(encoding="utf-8-sig"), end="")
    "x"
    "'=1"
    """
    path = Path(dest)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        with atomic_path(path) as tmp:
            df.write_parquet(tmp)
    elif suffix == ".csv":
        write_csv(flatten_lists(df), path, lang=lang)
    elif suffix == ".xlsx":
        write_xlsx({sheet: flatten_lists(df)}, path, lang=lang, source=source, as_of=as_of)
    else:
        raise CasekitError("export.bad_table_format", lang=lang, file=path.name)
    return path
