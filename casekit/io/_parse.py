"""Typed parsing of string columns, vectorised: every failure is one issue row.

Each ``*_expr`` function turns a column of stripped strings (empty = null) into the
contract type; a cell that does not parse becomes null and
:func:`parse_frame` records it with its check id.

Examples
--------
>>> import polars as pl
>>> s = pl.DataFrame({"v": ["01/03/2026", "2026-03-01 00:00:00", "3/1/2026", "31/02/2026"]})
>>> s.select(date_expr(pl.col("v"), month_first=False))["v"].to_list()
[datetime.date(2026, 3, 1), datetime.date(2026, 3, 1), datetime.date(2026, 1, 3), None]
>>> n = pl.DataFrame({"v": ["27,5", "1.234,5", "7", "x"]})
>>> n.select(number_expr(pl.col("v"), decimal_comma=True))["v"].to_list()
[27.5, 1234.5, 7.0, None]
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from casekit._neutral import marked, unneutralise
from casekit.contract import FALSE_WORDS, ROW, SHEETS, TRUE_WORDS, Column, Sheet, vocab_of
from casekit.data import DTYPES, ISSUE_SCHEMA, as_category, column_dtype
from casekit.io._names import norm, norm_expr, vocab_map

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_SPACES = "[ \u00a0\u202f]"
_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
#: Years a case-management date can have; others are typing slips (``0226``, ``20026``).
MIN_YEAR, MAX_YEAR = 1900, 2100
_TWO_DIGIT_YEAR = r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}(?:[ T]|$)"
_TRUE = sorted({norm(w) for w in TRUE_WORDS})
_FALSE = sorted({norm(w) for w in FALSE_WORDS})


def clean_expr(expr: pl.Expr) -> pl.Expr:
    """Strip surrounding whitespace; empty strings become null."""
    stripped = expr.str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


def date_expr(s: pl.Expr, *, month_first: bool) -> pl.Expr:
    """ISO dates/datetimes, ``d/m/Y`` (or ``m/d/Y``), ``d-m-Y``, ``d.m.Y`` and two-digit years."""
    iso = (
        s.str.extract(rf"^(\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}){_TIME}$", 1)
        .str.replace_all(r"[/.]", "-")
        .str.to_date("%Y-%m-%d", strict=False)
    )
    order = "%m/%d" if month_first else "%d/%m"
    local = s.str.extract(rf"^(\d{{1,2}}[-/.]\d{{1,2}}[-/.])\d{{2}}(?:\d{{2}})?{_TIME}$", 1)
    year = s.str.extract(rf"^\d{{1,2}}[-/.]\d{{1,2}}[-/.](\d{{2}}(?:\d{{2}})?){_TIME}$", 1)
    local = (local + year).str.replace_all(r"[-.]", "/")
    long_year = local.str.to_date(f"{order}/%Y", strict=False)
    short_year = local.str.to_date(f"{order}/%y", strict=False)
    return pl.coalesce(iso, pl.when(year.str.len_chars() == 4).then(long_year).otherwise(short_year))


def number_text_expr(s: pl.Expr, *, decimal_comma: bool) -> pl.Expr:
    """Normalise thousands separators and decimal commas to a plain ``1234.5`` text."""
    s = (
        pl.when(s.str.contains(rf"^[+-]?\d{{1,3}}(?:{_SPACES}\d{{3}})+(?:[.,]\d+)?$"))
        .then(s.str.replace_all(_SPACES, ""))
        .otherwise(s)
    )
    dots_thousands = s.str.contains(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
    commas_thousands = s.str.contains(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
    if decimal_comma:  # "1.234" is a thousand and more; "1,234" is one point two...
        commas_thousands = commas_thousands & s.str.contains(r"\.")
    else:
        dots_thousands = dots_thousands & s.str.contains(",")
    return (
        pl.when(dots_thousands)
        .then(s.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(commas_thousands)
        .then(s.str.replace_all(",", "", literal=True))
        .when(s.str.contains(r"^[+-]?\d*,\d+$"))
        .then(s.str.replace(",", ".", literal=True))
        .otherwise(s)
    )


def number_expr(s: pl.Expr, *, decimal_comma: bool) -> pl.Expr:
    """A float from text such as ``27,5``, ``1.234,5``, ``1,234.5``, ``7``; else null.

    ``1e999`` (infinity once read), ``inf`` and ``nan`` are not numbers a sheet holds:
    they give null, so they are reported, never read as infinity.

    >>> texts = pl.DataFrame({"v": ["1e999", "inf", "nan", "-1e3"]})
    >>> texts.select(number_expr(pl.col("v"), decimal_comma=False))["v"].to_list()
    [None, None, None, -1000.0]
    """
    text = number_text_expr(s, decimal_comma=decimal_comma)
    value = text.cast(pl.Float64, strict=False)
    return pl.when(text.str.contains(_NUMBER) & value.is_finite()).then(value)


def int_exprs(s: pl.Expr, *, decimal_comma: bool) -> tuple[pl.Expr, pl.Expr]:
    """(integer value, check id of a failure): ``7``, ``7.0``, ``7,0`` -> 7; ``7.5`` fails."""
    value = number_expr(s, decimal_comma=decimal_comma)
    whole = value.is_not_null() & (value == value.round(0)) & (value.abs() < 2.0**63)
    direct = pl.when(s.str.contains(r"^[+-]?\d+$")).then(s.cast(pl.Int64, strict=False))
    typed = pl.coalesce(direct, pl.when(whole).then(value.cast(pl.Int64, strict=False)))
    check = pl.when(value.is_null()).then(pl.lit("not_a_number")).otherwise(pl.lit("not_an_integer"))
    return typed, check


def bool_expr(s: pl.Expr) -> pl.Expr:
    """yes/no, sí/no, true/false, 1/0, x/blank (blank is False only when the column uses x)."""
    n = norm_expr(s).str.replace(r"^([01])[.,]0+$", "${1}")
    x_style = (n == "x").any()
    return (
        pl.when(n.is_in(_TRUE))
        .then(pl.lit(True))
        .when(n.is_in(_FALSE))
        .then(pl.lit(False))
        .when(s.is_null() & x_style)
        .then(pl.lit(False))
    )


def category_expr(s: pl.Expr, vocab: str) -> pl.Expr:
    """The canonical id of a value given by id or by its English or Spanish label."""
    return norm_expr(s).replace_strict(vocab_map(vocab), default=None, return_dtype=pl.String)


def id_expr(s: pl.Expr) -> pl.Expr:
    """Identifiers stay text; ``7.0`` (a number cell) becomes ``7``."""
    return s.str.replace(r"^(\d+)\.0+$", "${1}")


def _typed(col: Column, s: pl.Expr, *, month_first: bool, decimal_comma: bool) -> tuple[pl.Expr, pl.Expr | None]:
    """(typed value, check id when a non-null cell gives null) for one contract column."""
    kind = col.kind
    if kind in ("id", "text"):
        # undo the ' that casekit's own exports put before =, +, -, @ (round trip)
        return (id_expr(s) if kind == "id" else unneutralise(s)), None
    if kind == "date":
        parsed = date_expr(s, month_first=month_first)
        plausible = _plausible(parsed)
        check = (
            pl.when(parsed.is_not_null() & ~plausible).then(pl.lit("implausible_year")).otherwise(pl.lit("not_a_date"))
        )
        return pl.when(plausible).then(parsed), check
    if kind == "bool":
        return bool_expr(s), pl.lit("not_a_boolean")
    if kind == "int":
        return int_exprs(s, decimal_comma=decimal_comma)
    if kind == "float":
        return number_expr(s, decimal_comma=decimal_comma), pl.lit("not_a_number")
    return category_expr(s, col.vocab or ""), pl.lit("not_allowed")


def _keeps_type(kind: str, dtype: pl.DataType) -> bool:
    """Whether a column already typed (Parquet) can be used without parsing text."""
    return (
        (kind == "date" and dtype in (pl.Date, pl.Datetime))
        or (kind == "bool" and dtype == pl.Boolean)
        or (kind == "int" and dtype.is_integer())
        or (kind == "float" and dtype.is_numeric())
        or (kind in ("id", "text") and dtype.is_integer())
    )


def _plausible(date: pl.Expr) -> pl.Expr:
    """Whether ``date``'s year is within ``MIN_YEAR``…``MAX_YEAR`` (null stays null): two
    comparisons of day numbers, several times cheaper than taking each date's year.

    >>> s = pl.Series([dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(2100, 12, 31), dt.date(2101, 1, 1), None])
    >>> pl.select(_plausible(pl.lit(s))).to_series().to_list()
    [False, True, True, False, None]
    """
    return date.is_between(dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31))


def _from_typed(kind: str, expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if kind == "date" and dtype == pl.Datetime:
        return expr.dt.date()
    return expr.cast(DTYPES[kind])


def _odd(kind: str, s: pl.Expr) -> pl.Expr:
    """True on each text of the id/text column ``s`` that cleaning would change: a blank,
    surrounding whitespace, a ``7.0`` id, a text the neutraliser marked (a ``'`` before a
    formula, leading or after a list separator; null on a null).

    >>> texts = pl.Series(["ok", " ok", "7.0", "'=x", "a;'=b", "it's", None])
    >>> pl.select(_odd("text", pl.lit(texts))).to_series().to_list()
    [False, True, False, True, True, False, None]
    """
    n = s.str.len_bytes()
    odd = (s.str.strip_chars().str.len_bytes() != n) | (n == 0)
    return odd | (s.str.contains(r"^\d+\.0+$") if kind == "id" else marked(s))


def _maybe_odd(kind: str, s: pl.Expr) -> pl.Expr:
    """True on every text :func:`_odd` can be true on, and on a few more: range tests of
    the first and last bytes, about a third of :func:`_odd`'s cost (no text is built).

    A text needs no cleaning when its last byte is printable ASCII (whitespace is a byte
    below ``!`` or a multi-byte character, whose last byte is >= 0x80) and its first
    byte is printable ASCII above ``'`` (a text) or above ``9`` (an id: ``7.0`` starts
    with a digit, ASCII or not), and a text holds no ``'`` (the neutraliser's mark can
    follow a list separator inside it); every other text, a blank among them, is flagged. The
    first byte is tested by comparing the whole text with ``"("`` (or ``":"``) and
    ``"\x7f"``, which only reads the 4-byte prefix every string view keeps.

    >>> texts = pl.Series(["C1", " C1", "C1\u00a0", "", "7.0", "Ana", "José", "'=x", None])
    >>> pl.select(_maybe_odd("id", pl.lit(texts))).to_series().to_list()
    [False, True, True, True, True, False, True, True, None]
    """
    first = s.is_between(pl.lit(":" if kind == "id" else "("), pl.lit("\x7f"), closed="left")  # False on ""
    last = s.cast(pl.Binary).bin.get(-1, null_on_oob=True).is_between(0x21, 0x7E)
    if kind == "id":
        return ~(first & last)
    # a text is also cleaned when a ' follows a list separator inside it (unneutralise)
    return ~(first & last) | s.str.contains("'", literal=True)


def _settled(frame: pl.DataFrame, kinds: Mapping[str, str]) -> dict[str, bool]:
    """For each id/text column of ``frame`` (name -> kind), whether no text would change
    when cleaned (:func:`_odd` nowhere). One cheap pass (:func:`_maybe_odd`) over every
    column; :func:`_odd` then runs only on the few rows it flags.

    >>> df = pl.DataFrame({"a": ["C1", None], "b": ["C1 ", "C2"], "c": ["7.0", "8"], "d": ["", "x"],
    ...                    "e": ["José", "Ana"], "t": ["'=x", "ok"]})
    >>> _settled(df, {"a": "id", "b": "id", "c": "id", "d": "id", "e": "id", "t": "text"})
    {'a': True, 'b': False, 'c': False, 'd': False, 'e': True, 't': False}
    """
    if not kinds:
        return {}
    flagged = frame.select(_maybe_odd(kind, pl.col(n)).any().alias(n) for n, kind in kinds.items()).row(0, named=True)
    settled: dict[str, bool] = {}
    for name, kind in kinds.items():
        if not flagged[name]:
            settled[name] = True
            continue
        rows = frame.select(pl.col(name).filter(_maybe_odd(kind, pl.col(name))))
        settled[name] = not rows.select(_odd(kind, pl.col(name)).any()).item()
    return settled


def _sound(frame: pl.DataFrame, typed: Mapping[str, str], spec: Sheet) -> dict[str, bool]:
    """For each typed date or float column of ``frame`` (contract column -> its name in
    ``frame``), whether every value passes the reader's rule (a plausible year; finite),
    so the column is used as it is, not copied through ``when``. One pass of comparisons.

    >>> import datetime as dt
    >>> df = pl.DataFrame({"d": [dt.date(2026, 1, 1), None], "e": [dt.date(1066, 1, 1), None], "v": [1.0, None]})
    >>> _sound(df, {"opened_on": "d", "closed_on": "e"}, SHEETS["cases"])
    {'d': True, 'e': False}
    >>> _sound(df, {"value": "v"}, SHEETS["outcomes"])
    {'v': True}
    """
    tests: dict[str, pl.Expr] = {}
    for column, name in typed.items():
        kind, dtype = spec.columns[column].kind, frame.schema[name]
        if kind == "date":
            tests[name] = _plausible(_from_typed(kind, pl.col(name), dtype)).all()
        elif kind == "float" and dtype.is_float():
            tests[name] = pl.col(name).is_finite().all()
    return frame.select(test.alias(name) for name, test in tests.items()).row(0, named=True) if tests else {}


def _kept(kind: str, name: str, dtype: pl.DataType, *, sound: bool) -> tuple[pl.Expr, pl.Expr | None]:
    """(value, check id where a cell fails) of a column already of its type; a ``sound``
    column (:func:`_sound`) is used as it is."""
    value: pl.Expr = _from_typed(kind, pl.col(name), dtype)
    if sound:
        return value, None
    if kind == "float" and dtype.is_float():  # inf and NaN are no measure
        return pl.when(pl.col(name).is_finite()).then(value), _non_finite(pl.col(name))
    if kind == "date":  # a typed date (Parquet, a date cell) meets the year rule of a text date
        plausible = _plausible(value)
        implausible = pl.when(value.is_not_null() & ~plausible).then(pl.lit("implausible_year"))
        return pl.when(plausible).then(value), implausible
    return value, None


def parse_frame(
    sheet: str,
    frame: pl.DataFrame,
    columns: dict[str, str],
    *,
    month_first: bool,
    decimal_comma: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Build the typed sheet frame and its issues.

    ``frame`` holds the sheet's data columns (strings, or already-typed Parquet columns)
    and ``_row``; ``columns`` maps each of its column names to a canonical column id or,
    for extra columns, to the name the extra column keeps.

    Fast paths (the usual case of a clean Parquet or CSV file): a column of the right
    type (a category column already its Enum) is used as is; an id or text column whose
    texts need no cleaning is used as is; any other column is parsed on its distinct
    texts, and is used as is when every text is already its canonical value.
    """
    spec = SHEETS[sheet]
    schema = frame.schema
    source_of = {target: name for name, target in columns.items()}
    present = {c.name: source_of[c.name] for c in spec.columns.values() if c.name in source_of}
    plain = {
        n: spec.columns[c].kind
        for c, n in present.items()
        if spec.columns[c].kind in ("id", "text") and schema[n] == pl.String
    }
    settled = _settled(frame, plain)
    sound = _sound(frame, {c: n for c, n in present.items() if _keeps_type(spec.columns[c].kind, schema[n])}, spec)
    typed: list[pl.Expr] = []
    checks: list[_Check] = []
    ready: list[pl.Series] = []  # category columns already cast to their Enum (no check needed)
    for i, col in enumerate(spec.columns.values()):
        name = present.get(col.name)
        if name is None:
            typed.append(pl.lit(None, dtype=column_dtype(col)).alias(col.name))
        elif _keeps_type(col.kind, schema[name]):
            value, failed = _kept(col.kind, name, schema[name], sound=sound.get(name, False))
            if failed is not None:
                checks.append(_Check(col.name, name, f"__check_{i}", failed, None))
            typed.append(value.alias(col.name))
        elif settled.get(name, False):
            typed.append(pl.col(name).alias(col.name))
        elif col.kind in ("id", "text"):  # row by row: ids are mostly distinct
            text = clean_expr(pl.col(name).cast(pl.String))
            typed.append(_typed(col, text, month_first=month_first, decimal_comma=decimal_comma)[0].alias(col.name))
        elif col.kind == "category" and (ids := _as_ids(frame.get_column(name), col)) is not None:
            ready.append(ids)
            typed.append(pl.col(name).alias(col.name))
        else:
            raw = frame.get_column(name)
            raw = raw.cast(pl.String) if raw.dtype != pl.String else raw
            value, failed = _via_distinct(raw, col, month_first=month_first, decimal_comma=decimal_comma)
            typed.append(value.alias(col.name))
            if failed is not None:
                arg = ", ".join(vocab_of(sheet, col.name)) if col.kind == "category" else None
                checks.append(_Check(col.name, name, f"__check_{i}", failed, arg))
            if col.kind == "date":  # a two-digit year is read, with a warning saying how
                short = clean_expr(pl.col(name)).str.contains(_TWO_DIGIT_YEAR) & value.is_not_null()
                warn = pl.when(short).then(pl.lit("two_digit_year"))
                checks.append(_Check(col.name, name, f"__warn_{i}", warn, value.cast(pl.String), "warning"))
    extras = [
        unneutralise(clean_expr(pl.col(name).cast(pl.String))).alias(t)
        for name, t in columns.items()
        if t not in spec.columns
    ]
    # One projection keeps row order; _row travels with each row anyway.
    source = frame.with_columns(ready) if ready else frame
    out = source.lazy().select(*typed, *extras, pl.col(ROW).cast(pl.Int64)).collect()
    issue_frame = pl.DataFrame(schema=ISSUE_SCHEMA)
    if checks:
        # every check in one pass; the raw cell is made text only on the rows that failed
        # (casting every date or number of a typed sheet to text cost more than reading it)
        raws = list(dict.fromkeys(c.raw for c in checks))
        failures = frame.lazy().select(
            pl.col(ROW).cast(pl.Int64),
            *(c.expr.alias(c.name) for c in checks),
            *(pl.col(r).alias(f"__raw_{k}") for k, r in enumerate(raws)),
            *(c.arg.alias(c.name + "_a") for c in checks if isinstance(c.arg, pl.Expr)),
        )
        issues = [
            failures.filter(pl.col(c.name).is_not_null()).select(
                sheet=pl.lit(sheet),
                row=pl.col(ROW),
                column=pl.lit(c.column),
                value=clean_expr(pl.col(f"__raw_{raws.index(c.raw)}").cast(pl.String)),
                check=pl.col(c.name),
                severity=pl.lit(c.severity),
                arg=pl.col(c.name + "_a") if isinstance(c.arg, pl.Expr) else pl.lit(c.arg, dtype=pl.String),
            )
            for c in checks
        ]
        issue_frame = pl.concat(issues, how="vertical").collect()
    issue_frame = issue_frame.cast(pl.Schema(ISSUE_SCHEMA)).sort("row", maintain_order=True)
    return out, issue_frame


def _as_ids(values: pl.Series, col: Column) -> pl.Series | None:
    """Category column ``values`` as its Enum when it holds ids only: as it is (in one chunk,
    as a cast gives it) when a Parquet file's dictionary already gave the Enum, else
    :func:`casekit.data.as_category` (None when a text is not an id: labels, blanks, values
    outside the vocabulary).

    >>> sex = SHEETS["cases"].columns["sex"]
    >>> _as_ids(pl.Series(["male"], dtype=column_dtype(sex)), sex).dtype == _as_ids(pl.Series(["male"]), sex).dtype
    True
    """
    return values.rechunk() if values.dtype == column_dtype(col) else as_category(values, col)


def _non_finite(s: pl.Expr) -> pl.Expr:
    """``not_a_number`` where a float cell holds infinity or NaN."""
    return pl.when(s.is_not_null() & ~s.is_finite()).then(pl.lit("not_a_number"))


def _via_distinct(
    raw: pl.Series, col: Column, *, month_first: bool, decimal_comma: bool
) -> tuple[pl.Expr, pl.Expr | None]:
    """(typed value, check id where the cell fails, or None when none fails) for the
    uncleaned text column ``raw``.

    Every kind is parsed on the column's *distinct* texts only (stripped, blank = null),
    then mapped back onto every row with a hash lookup: normalising labels, trying date
    formats or reading decimal commas costs ~0.5-1 µs a cell, and a caseload column
    holds a few dozen (categories, scores) to a few thousand (dates) distinct values.
    When every distinct text is already its own typed value (canonical category ids),
    the column is used as it is.

    >>> raw = pl.Series("r", ["Mujer", " mujer", None, "x", ""])
    >>> value, failed = _via_distinct(raw, SHEETS["cases"].columns["sex"], month_first=False, decimal_comma=False)
    >>> pl.DataFrame(raw).select(value, failed.alias("check")).rows()
    [('female', None), ('female', None), (None, None), (None, 'not_allowed'), (None, None)]
    >>> ok = pl.Series("r", ["female", "male", None])
    >>> value, failed = _via_distinct(ok, SHEETS["cases"].columns["sex"], month_first=False, decimal_comma=False)
    >>> pl.DataFrame(ok).select(value)["r"].to_list(), failed is None
    (['female', 'male', None], True)
    """
    dtype = column_dtype(col)
    name = raw.name
    distinct = raw.unique().drop_nulls()
    if distinct.len() <= _MEMO_TEXTS:  # one form's row: the same few texts again and again
        parsed = _parsed_memo(col, tuple(sorted(distinct.to_list())), month_first, decimal_comma)
    else:
        parsed = _parsed_texts(col, distinct, month_first=month_first, decimal_comma=decimal_comma)
    x_style = col.kind == "bool" and bool(parsed.get_column("x").any())
    failing = parsed.get_column("check").is_not_null().any()
    textual = dtype == pl.String() or isinstance(dtype, pl.Enum)
    if textual and parsed.get_column("value").eq_missing(parsed.get_column(_TEXT)).all():  # every text its value
        mapped = pl.col(name) if dtype == pl.String() else pl.col(name).cast(dtype)
    else:
        mapped = pl.col(name).replace_strict(parsed[_TEXT], parsed["value"], default=None, return_dtype=dtype)
    failed = None
    if failing:
        failed = pl.col(name).replace_strict(parsed[_TEXT], parsed["check"], default=None, return_dtype=pl.String)
    if x_style:
        # blank is False only when the column uses the x/blank style (a column-wide fact)
        mapped = pl.when(pl.col(name).is_null()).then(pl.lit(False)).otherwise(mapped)
    return mapped, failed


#: The distinct texts under a name of their own (a column may be called "value").
_TEXT = "__text__"
#: Up to this many distinct texts, a column's parse is memoised (see :func:`_parsed_memo`).
_MEMO_TEXTS = 4


def _parsed_texts(col: Column, distinct: pl.Series, *, month_first: bool, decimal_comma: bool) -> pl.DataFrame:
    """Each distinct text of ``col`` (non-null) with its typed ``value``, the ``check`` id
    where it fails and whether it is an ``x`` (one query of the contract's parsers).

    >>> col = SHEETS["contacts"].columns["contact_on"]
    >>> texts = pl.Series(["01/03/2026", "31/02/2026"])
    >>> _parsed_texts(col, texts, month_first=False, decimal_comma=False).select("value", "check").rows()
    [(datetime.date(2026, 3, 1), None), (None, 'not_a_date')]
    """
    cleaned = clean_expr(pl.col(_TEXT))
    value, check = _typed(col, cleaned, month_first=month_first, decimal_comma=decimal_comma)
    return pl.DataFrame(distinct.alias(_TEXT).cast(pl.String)).select(
        pl.col(_TEXT),
        value=value.cast(column_dtype(col)),
        check=pl.when(cleaned.is_not_null() & value.is_null()).then(check).cast(pl.String),
        x=norm_expr(cleaned) == "x",
    )


@functools.lru_cache(maxsize=4096)
def _parsed_memo(col: Column, texts: tuple[str, ...], month_first: bool, decimal_comma: bool) -> pl.DataFrame:
    """:func:`_parsed_texts` of a few texts, memoised: a workspace records one row at a
    time, and compiling the date patterns cost ~4 ms of CPU per row (the same parsers,
    the same results; polars frames are immutable, so sharing one is safe)."""
    return _parsed_texts(col, pl.Series(texts, dtype=pl.String), month_first=month_first, decimal_comma=decimal_comma)


@dataclass(frozen=True)
class _Check:
    """A parsed column's failure test: working column names, check expression, arg."""

    column: str
    raw: str
    name: str
    expr: pl.Expr
    arg: str | pl.Expr | None
    severity: str = "error"
