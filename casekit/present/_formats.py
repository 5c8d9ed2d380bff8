"""Date and number formats of each language, for every consumer, in one table.

Examples
--------
>>> import datetime as dt
>>> FORMATS["es"].date, FORMATS["es"].excel_date, FORMATS["es"].widget_date
('%d/%m/%Y', 'dd/mm/yyyy', 'DD/MM/YYYY')
>>> format_date(dt.date(2026, 9, 30), "es"), format_date(dt.date(2026, 9, 30), "en")
('30/09/2026', '2026-09-30')
>>> format_number(1373.914, "es", ",.2f"), format_number(1373.914, "en", ",.2f")
('1.373,91', '1,373.91')
>>> pl.select(number_expr(pl.lit(-1234567.891), "es", decimals=2)).item()
'-1.234.567,89'
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from casekit.i18n import normalize_lang

__all__ = ["FORMATS", "Formats", "count_text", "format_date", "format_number", "formats", "number_expr"]


@dataclass(frozen=True)
class Formats:
    """How one language writes dates and numbers, for each consumer.

    - ``date`` / ``datetime``: ``strftime`` (Python and polars ``dt.to_string``);
    - ``excel_*``: Excel number formats (xlsxwriter ``num_format``; Excel itself draws
      the separators of the reader's locale for ``#,##0``);
    - ``widget_date``: ``st.date_input(format=...)``; ``column_date`` /
      ``column_datetime``: ``st.column_config.DateColumn`` / ``DatetimeColumn`` (moment.js);
      ``column_integer``: ``st.column_config.NumberColumn`` for whole numbers (Streamlit's
      printf: ``%'.,d`` groups thousands with ``.``; it has no decimal comma, so a table's
      decimals are written as text, right-aligned, by :func:`casekit.present.readable`);
    - ``decimal`` / ``thousands`` / ``percent``: separators and the percent suffix of
      numbers written as text; ``csv_separator``: the field separator of a CSV file a
      spreadsheet of that language opens in columns.
    """

    date: str
    datetime: str
    excel_date: str
    excel_datetime: str
    excel_integer: str
    excel_decimal: str
    excel_percent: str
    widget_date: str
    column_date: str
    column_datetime: str
    column_integer: str
    decimal: str
    thousands: str
    percent: str
    csv_separator: str


#: The one table of formats per language.
FORMATS: dict[str, Formats] = {
    "es": Formats(
        date="%d/%m/%Y",
        datetime="%d/%m/%Y %H:%M:%S",
        excel_date="dd/mm/yyyy",
        excel_datetime="dd/mm/yyyy hh:mm:ss",
        excel_integer="#,##0",
        excel_decimal="#,##0.0",
        excel_percent="0.0%",
        widget_date="DD/MM/YYYY",
        column_date="DD/MM/YYYY",
        column_datetime="DD/MM/YYYY HH:mm:ss",
        column_integer="%'.,d",
        decimal=",",
        thousands=".",
        percent="\u00a0%",
        csv_separator=";",
    ),
    "en": Formats(
        date="%Y-%m-%d",
        datetime="%Y-%m-%d %H:%M:%S",
        excel_date="yyyy-mm-dd",
        excel_datetime="yyyy-mm-dd hh:mm:ss",
        excel_integer="#,##0",
        excel_decimal="#,##0.0",
        excel_percent="0.0%",
        widget_date="YYYY-MM-DD",
        column_date="YYYY-MM-DD",
        column_datetime="YYYY-MM-DD HH:mm:ss",
        column_integer="%,d",
        decimal=".",
        thousands=",",
        percent="%",
        csv_separator=",",
    ),
}


def formats(lang: str | None) -> Formats:
    """The formats of ``lang`` (``"es-ES"`` → Spanish; unknown → English).

    >>> formats("es-ES").csv_separator
    ';'
    """
    return FORMATS[normalize_lang(lang)]


def format_date(value: dt.date | None, lang: str | None) -> str:
    """A date as a person of ``lang`` writes it; blank when there is none.

    >>> format_date(dt.datetime(2026, 3, 1, 9, 5), "es"), format_date(None, "es")
    ('01/03/2026 09:05:00', '')
    """
    if value is None or not hasattr(value, "strftime"):
        return ""
    fmt = formats(lang)
    return value.strftime(fmt.datetime if isinstance(value, dt.datetime) else fmt.date)


def format_number(value: float | None, lang: str | None, spec: str = ",") -> str:
    """``value`` with a Python format ``spec`` in the language's convention.

    Spanish swaps the separators (``1.373,91``) and writes a space before ``%``
    (``12,5 %``); a missing value is ``—`` (a metric that has no value). A whole number
    has no decimals unless ``spec`` gives a precision (``4``, not ``4,0``).

    >>> print(format_number(0.125, "es", ".1%"), format_number(0.125, "en", ".1%"))
    12,5\u00a0% 12.5%
    >>> format_number(None, "es"), format_number(12345, "es"), format_number(-2.5, "es", "+.1f")
    ('—', '12.345', '-2,5')
    >>> format_number(4.0, "es"), format_number(1204.0, "en"), format_number(2.5, "es")
    ('4', '1,204', '2,5')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and value.is_integer() and "." not in spec and "%" not in spec:
        value = int(value)  # a whole number has no decimals unless ``spec`` asks for them: 4, not 4.0
    text = format(value, spec)
    fmt = formats(lang)
    if fmt.decimal == ".":
        return text
    swap: dict[str, str | int | None] = {",": fmt.thousands, ".": fmt.decimal}
    text = text.translate(str.maketrans(swap))
    return text[:-1] + fmt.percent if text.endswith("%") else text


def count_text(n: int, lang: str | None, *, for_sharing: bool) -> str:
    """A count of people as the screen writes it: the number, or ``menos de 11`` /
    ``fewer than 11`` when the small-cell rule (:func:`casekit.privacy.shown_count`,
    ``for_sharing``) suppresses it.

    >>> count_text(1028, "es", for_sharing=True), count_text(4, "es", for_sharing=True)
    ('1.028', 'menos de 11')
    >>> count_text(4, "en", for_sharing=True), count_text(4, "en", for_sharing=False)
    ('fewer than 11', '4')
    """
    from casekit.i18n import t
    from casekit.privacy import MIN_CELL, shown_count

    shown = shown_count(n, for_sharing=for_sharing)
    if shown is None:
        return t("common.fewer_than", lang, n=format_number(MIN_CELL, lang))
    return format_number(shown, lang)


def _grouped(n: pl.Expr, sep: str) -> pl.Expr:
    """Digits of the non-negative integer ``n`` with ``sep`` between groups of three."""
    text = (n // 10**15).cast(pl.String)
    for k in range(4, -1, -1):
        high = n // 10 ** (3 * k)
        group = (high % 1000).cast(pl.String)
        text = pl.when(high >= 1000).then(pl.concat_str(text, pl.lit(sep), group.str.zfill(3))).otherwise(group)
    return text


def number_expr(
    expr: pl.Expr, lang: str | None, *, decimals: int = 0, percent: bool = False, grouping: bool = True
) -> pl.Expr:
    """``expr`` (numbers) as text in the language's convention; null and NaN → null.

    ``decimals``: the places of a column that has fractions; a column of whole numbers
    (``4.0``: points, scores) is written without them (``4``, not ``4,00``), as
    :func:`casekit.present.excel_formats` formats it in a spreadsheet; a percentage keeps
    them. ``percent`` multiplies by 100 and adds the language's percent sign;
    ``grouping=False`` writes no thousands separator (years, row numbers). Pure polars (no
    Python per row): a 100,000-row table is formatted in milliseconds.

    >>> s = pl.Series([0.1254, None, 1.0])
    >>> pl.select(number_expr(pl.lit(s), "es", decimals=1, percent=True)).to_series().to_list()
    ['12,5\\xa0%', None, '100,0\\xa0%']
    >>> pl.select(number_expr(pl.lit(pl.Series([1373, -5, 0])), "en")).to_series().to_list()
    ['1,373', '-5', '0']
    >>> pl.select(number_expr(pl.lit(2026), "es", grouping=False)).item()
    '2026'
    >>> whole, mixed = pl.Series([4.0, 12.0, None]), pl.Series([4.0, 1.5])
    >>> pl.select(number_expr(pl.lit(whole), "es", decimals=2)).to_series().to_list()
    ['4', '12', None]
    >>> pl.select(number_expr(pl.lit(mixed), "es", decimals=2)).to_series().to_list()
    ['4,00', '1,50']
    """
    fmt = formats(lang)
    x = expr.cast(pl.Float64) * (100 if percent else 1)
    text = _written(x, fmt, decimals, grouping=grouping)
    if decimals and not percent:  # a column of whole numbers: no decimals
        whole = ((x == x.round(0)) | x.is_nan()).all()
        text = pl.when(whole).then(_written(x, fmt, 0, grouping=grouping)).otherwise(text)
    if percent:
        text = pl.concat_str(text, pl.lit(fmt.percent))
    return pl.when(x.is_null() | x.is_nan()).then(pl.lit(None, pl.String)).otherwise(text)


def _written(x: pl.Expr, fmt: Formats, decimals: int, *, grouping: bool) -> pl.Expr:
    """``x`` (floats) with ``decimals`` places and the separators of ``fmt``, signed."""
    scaled = (x.abs() * 10**decimals).round(0).cast(pl.Int64)
    whole = scaled // 10**decimals
    text = _grouped(whole, fmt.thousands) if grouping else whole.cast(pl.String)
    if decimals:
        fraction = (scaled % 10**decimals).cast(pl.String).str.zfill(decimals)
        text = pl.concat_str(text, pl.lit(fmt.decimal), fraction)
    return pl.when((x < 0) & (scaled > 0)).then(pl.concat_str(pl.lit("-"), text)).otherwise(text)
