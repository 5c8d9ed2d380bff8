"""``readable``: a frame as a person reads it, in one pass of polars expressions.

Examples
--------
>>> import datetime as dt
>>> df = pl.DataFrame({
...     "case_id": ["C-1", "C-2"],
...     "effective_tier": ["high", None],
...     "provisional": [True, None],
...     "assessed_on": [dt.date(2026, 9, 30), None],
...     "mean_change": [1373.914, None],
...     "pct_improved": [0.125, 1.0],
...     "flags": [["goal_overdue", "plan_overdue"], []],
... })
>>> readable(df, "es").row(0)
('C-1', 'Alto', 'sí', '30/09/2026', '1.373,9', '12,5\\xa0%', 'Objetivo vencido, Plan atrasado')
>>> readable(df, "es").row(1)
('C-2', '', '', '', '', '100,0\\xa0%', '')
>>> readable(df, "en", headers={"case_id": "Client case"}, hide=("flags",)).columns
['Client case', 'Risk tier', 'Provisional', 'Assessed on', 'Mean change', 'Improved']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import polars as pl

from casekit.i18n import normalize_lang, t
from casekit.present._formats import formats, number_expr
from casekit.present._headers import header, number_style
from casekit.present._vocab import COMPOUND, column_labels

__all__ = ["excel_formats", "headers_for", "readable", "suppressed_flags", "text_expr"]


def text_expr(expr: pl.Expr, dtype: pl.DataType, column: str, lang: str | None, model: Any = None) -> pl.Expr:
    """``expr`` (of type ``dtype``, values of ``column``) as the text a person reads.

    Vocabulary ids become labels (ids outside the vocabulary stay as written), booleans
    ``sí``/``no``, dates and numbers the language's format, lists are joined with ``, ``;
    a missing value is blank. ``model``: the risk model whose factors and red flags are
    named (a team's own ones included; default: the shipped model).

    >>> pl.select(text_expr(pl.lit(0.5), pl.Float64(), "share", "es")).item()
    '50,0\\xa0%'
    """
    lang = normalize_lang(lang)
    fmt = formats(lang)
    if isinstance(dtype, pl.List):
        inner = text_expr(pl.element(), cast(pl.DataType, dtype.inner), column, lang, model)  # built: an instance
        return expr.list.eval(inner).list.join(", ").fill_null("")
    if dtype == pl.Boolean:
        yes, no = pl.lit(t("common.yes", lang)), pl.lit(t("common.no", lang))
        return pl.when(expr).then(yes).when(~expr).then(no).otherwise(pl.lit(""))
    if isinstance(dtype, pl.Datetime):
        return expr.dt.to_string(fmt.datetime).fill_null("")
    if dtype == pl.Date:
        return expr.dt.to_string(fmt.date).fill_null("")
    if dtype.is_numeric():
        style = number_style(column)
        decimals = style.decimals if dtype.is_float() or style.percent else 0
        return number_expr(expr, lang, decimals=decimals, percent=style.percent, grouping=style.grouping).fill_null("")
    text = expr.cast(pl.String)
    labels = column_labels(column, lang, model)
    if column in COMPOUND:
        text = text.str.split(COMPOUND[column]).list.eval(pl.element().replace(labels)).list.join(" · ")
    elif labels:
        text = text.replace(labels)
    return text.fill_null("")


def headers_for(columns: Iterable[str], lang: str | None, headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{column: header}`` for ``columns``: ``headers`` where given, else the catalogue's.

    Two columns that would get the same header keep them apart with the column id.

    >>> headers_for(["case_id", "program"], "es", {"program": "Línea"})
    {'case_id': 'Caso', 'program': 'Línea'}
    >>> headers_for(["cases", "n_cases"], "en")
    {'cases': 'Cases', 'n_cases': 'Cases (n_cases)'}
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        text = (headers or {}).get(column) or header(column, lang)
        if text in taken:
            text = f"{text} ({column})"
        taken.add(text)
        out[column] = text
    return out


def readable(
    df: pl.DataFrame,
    lang: str | None,
    *,
    headers: Mapping[str, str] | None = None,
    hide: Iterable[str] = (),
    keep_types: bool = False,
    keep: Iterable[str] = (),
    model: Any = None,
) -> pl.DataFrame:
    """``df`` as a person of ``lang`` reads it: every cell text, every header from the catalogue.

    - vocabulary ids → labels (:data:`COLUMN_VOCABULARY`), booleans → ``sí``/``no``;
    - dates and numbers in the language's format (:data:`FORMATS`; decimals and
      percentages per column from ``columns.toml``), lists joined with ``, ``;
    - null → blank, but a figure blanked by the small-cell rule (a ``suppressed`` column
      says which rows) is labelled as such (``oculto`` / ``suppressed``); ``headers``
      overrides the header of some columns (a screen's own
      words); columns in ``hide`` are left off;
    - ``keep_types=True`` (a spreadsheet download): numbers and dates stay numbers and
      dates (the spreadsheet formats them) and a missing value stays missing (an empty
      cell), everything else as above; ``keep``: columns
      left as they are (a table widget writes them in the language's format itself,
      ``FORMATS[lang].column_integer``);
    - ``model``: the risk model in use (:class:`casekit.risk.RiskModel`): its factors and
      red flags, a team's own columns' ones included, are named by their labels in it
      (``red_flags``, ``missing_factors``, a worklist's ``detail``); default: the shipped model.

    The result is for showing and for files people read; keep the ids frame for logic.

    >>> df = pl.DataFrame({"effective_tier": ["low"], "score": [3.5], "provisional": [None]})
    >>> readable(df, "es", keep_types=True).row(0)
    ('Bajo', 3.5, None)
    >>> readable(pl.DataFrame({"n_cases": [None, 0], "suppressed": [True, False]}), "es").rows()
    [('oculto', 'sí'), ('0', 'no')]
    >>> readable(pl.DataFrame({"days_overdue": [1204], "effective_tier": ["low"]}), "es", keep=["days_overdue"]).row(0)
    (1204, 'Bajo')
    """
    shown = df.drop(list(hide), strict=False)
    kept = set(keep)
    hidden = suppressed_flags(df)
    mark = pl.lit(t("printing.suppressed", normalize_lang(lang)))
    out = df.select(  # from df: a hidden ``suppressed`` column still labels the figures it flags
        pl.col(c)
        if c in kept or (keep_types and (dtype.is_numeric() or dtype.is_temporal()))
        else pl.when(hidden[c] & pl.col(c).is_null())
        .then(mark)
        .otherwise(_text(c, dtype, lang, model, keep_nulls=keep_types))
        .alias(c)
        if c in hidden
        else _text(c, dtype, lang, model, keep_nulls=keep_types).alias(c)
        for c, dtype in shown.schema.items()
    )
    return out.rename(headers_for(out.columns, lang, headers))


def _text(column: str, dtype: pl.DataType, lang: str | None, model: Any, *, keep_nulls: bool) -> pl.Expr:
    """:func:`text_expr` of ``column``; ``keep_nulls``: a missing value stays missing (a spreadsheet's empty cell)."""
    text = text_expr(pl.col(column), dtype, column, lang, model)
    return pl.when(pl.col(column).is_not_null()).then(text) if keep_nulls else text


def suppressed_flags(df: pl.DataFrame) -> dict[str, pl.Expr]:
    """``{column: expr}``: the numeric columns whose blank is a suppressed figure (small-cell
    rule, :mod:`casekit.privacy`) where ``expr`` is true — a ``suppressed`` column flags
    every number of its row, ``suppressed_<side>`` the numbers of columns ending ``_<side>``.

    >>> list(suppressed_flags(pl.DataFrame({"n_a": [1], "n_b": [2], "suppressed_a": [True], "g": ["x"]})))
    ['n_a']
    """
    flags = {
        c: c.removeprefix("suppressed") for c, d in df.schema.items() if c.startswith("suppressed") and d == pl.Boolean
    }
    return {
        c: pl.col(flag).fill_null(value=False)
        for c, dtype in df.schema.items()
        if dtype.is_numeric()
        for flag, side in flags.items()
        if c.endswith(side)
    }


def excel_formats(df: pl.DataFrame, lang: str | None) -> dict[str, str]:
    """Excel number formats of ``df``'s columns (by column id), from the one table of
    formats (:data:`FORMATS`) and each column's style in ``columns.toml``: shares as
    percentages, dates in the language's order, whole numbers without decimals (a float
    column holding only whole numbers too: ``18``, not ``18.00``).

    >>> import datetime as dt
    >>> excel_formats(pl.DataFrame({"mean_change": [18.0, None], "score": [1.5, 2.0], "n_cases": [3, 4],
    ...     "pct_improved": [0.5, 1.0], "due_on": [dt.date(2026, 1, 2)] * 2}), "es")
    {'mean_change': '#,##0', 'score': '#,##0.00', 'n_cases': '#,##0', 'pct_improved': '0.0%', 'due_on': 'dd/mm/yyyy'}
    """
    fmt = formats(lang)
    floats = [c for c, dtype in df.schema.items() if dtype.is_float() and not number_style(c).percent]
    whole = df.select((pl.col(c).drop_nans().round(0) == pl.col(c).drop_nans()).all() for c in floats)
    is_whole = dict(zip(floats, whole.row(0) if floats else (), strict=True))
    out: dict[str, str] = {}
    for column, dtype in df.schema.items():
        style = number_style(column)
        if dtype.is_numeric() and style.percent:
            out[column] = fmt.excel_percent
        elif isinstance(dtype, pl.Datetime):
            out[column] = fmt.excel_datetime
        elif dtype == pl.Date:
            out[column] = fmt.excel_date
        elif dtype.is_integer() or is_whole.get(column):
            out[column] = fmt.excel_integer if style.grouping else "0"
        elif dtype.is_float():
            out[column] = "#,##0." + "0" * style.decimals if style.decimals else fmt.excel_integer
    return out
