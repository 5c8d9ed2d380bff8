"""Turn language-neutral issues into the report users read (:data:`casekit.data.REPORT_SCHEMA`).

Messages are built column-wise: the issues are joined with small lookup frames (each
column's plain name, range, allowed values…), then each message template from
``locales/validation.toml`` is filled with ``pl.concat_str`` over all issues of a check.
"""

from __future__ import annotations

import string

import polars as pl

from casekit.contract import POST_CLOSURE_GRACE_DAYS, POST_CLOSURE_GRACE_SHEETS, SHEET_ORDER, SHEETS, VOCABS
from casekit.data import REPORT_SCHEMA
from casekit.i18n import message, messages, t
from casekit.validation._issues import PARSE_CHECKS

#: Checks whose ``arg`` is a date.
_DATE_ARGS = (
    "before_opening",
    "after_closing",
    "future_contact",
    "stale_scheduled",
    "opened_after_as_of",
    "two_digit_year",
)

#: Template placeholder -> column of the enriched issue frame.
_FIELDS = {
    "value": "_value",
    "column": "_label",
    "the_column": "_the",
    "the_other": "_the_other",
    "other_value": "_other",
    "arg": "_arg",
    "header": "_header",
    "sheet": "_sheet",
    "allowed": "_allowed",
    "range": "_range",
    "type": "_type",
    "days": "_days",
    "check": "check",
}


def _strip_article(phrase: str, lang: str) -> str:
    articles = ("el ", "la ", "los ", "las ") if lang == "es" else ("the ",)
    for art in articles:
        if phrase.startswith(art):
            phrase = phrase[len(art) :]
            break
    return phrase[:1].upper() + phrase[1:]


def column_phrase(sheet: str, column: str, lang: str) -> str:
    """The column in plain words with its article.

    >>> column_phrase("assessments", "systolic_bp", "es")
    'la tensión sistólica'
    """
    for key in (f"validation.col_{sheet}__{column}", f"validation.col_{column}"):
        if message(key) is not None:
            return t(key, lang)
    return column


def _range(col, lang: str) -> str | None:
    lo, hi = col.ge, col.le

    def fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    if lo is not None and hi is not None:
        return t("validation.range_between", lang, lo=fmt(lo), hi=fmt(hi))
    if lo is not None:
        return t("validation.range_min", lang, lo=fmt(lo))
    if hi is not None:
        return t("validation.range_max", lang, hi=fmt(hi))
    return None


def _column_meta(lang: str, headers: dict[str, dict[str, str]]) -> pl.DataFrame:
    rows = []
    for sheet in SHEETS.values():
        file_headers = headers.get(sheet.name, {})
        for i, col in enumerate(sheet.columns.values()):
            phrase = column_phrase(sheet.name, col.name, lang)
            allowed = None
            if col.vocab is not None:
                allowed = ", ".join(label(lang) for label in VOCABS[col.vocab].values())
            rows.append(
                {
                    "sheet": sheet.name,
                    "column": col.name,
                    "_kind": col.kind,
                    "_col_order": i,
                    "_the": phrase,
                    "_The": phrase[:1].upper() + phrase[1:],
                    "_label": _strip_article(phrase, lang),
                    "_header": col.label(lang),
                    "_shown_column": file_headers.get(col.name, col.label(lang)),
                    "_range": _range(col, lang),
                    "_allowed": allowed,
                    "_type": t(f"validation.type_{col.kind}", lang),
                }
            )
    return pl.DataFrame(rows)


def _sheet_meta(lang: str, headers: dict[str, dict[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sheet": list(SHEET_ORDER),
            "_sheet_order": list(range(len(SHEET_ORDER))),
            "_sheet": [headers.get(s, {}).get("__sheet__", SHEETS[s].label(lang)) for s in SHEET_ORDER],
        }
    )


def _vocab_labels(lang: str) -> pl.DataFrame:
    rows = [
        {"sheet": sheet.name, "column": col.name, "id": vid, "label": label(lang)}
        for sheet in SHEETS.values()
        for col in sheet.columns.values()
        if col.vocab is not None
        for vid, label in VOCABS[col.vocab].items()
    ]
    return pl.DataFrame(rows)


def _show_date(expr: pl.Expr, lang: str) -> pl.Expr:
    """An ISO date string as the user's language writes it (Spanish: day first)."""
    if lang != "es":
        return expr
    iso = expr.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    day, month, year = expr.str.slice(8, 2), expr.str.slice(5, 2), expr.str.slice(0, 4)
    day_first = pl.concat_str(day, pl.lit("/"), month, pl.lit("/"), year)
    return pl.when(iso).then(day_first).otherwise(expr)


def _lookup(df: pl.DataFrame, table: pl.DataFrame, on: list[str]) -> pl.DataFrame:
    """Left join of ``df`` with the small ``table`` on the text columns ``on``.

    Joins on a 64-bit hash of the keys (text keys are slow on millions of issues) and
    checks the keys afterwards; on any hash clash it falls back to the plain join.
    """
    key = pl.concat_str([pl.col(c).fill_null("\x00") for c in on], separator="\x1f").hash()
    right = table.with_columns(_h=key).rename({c: f"_r_{c}" for c in on})
    out = df.with_columns(_h=key).join(right, on="_h", how="left")
    matched = pl.col(f"_r_{on[0]}").is_not_null()
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"_r_{c}")) for c in on])
    clash = out.select((matched & ~same).any()).item() or right.get_column("_h").n_unique() < right.height
    if clash:
        return df.join(table, on=on, how="left")
    return out.drop("_h", *(f"_r_{c}" for c in on))


def _capitalised(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(expr.str.slice(0, 1).str.to_uppercase(), expr.str.slice(1))


def _template_expr(template: str) -> pl.Expr:
    """The message ``template`` filled from the issue columns, starting with a capital;
    ``{days:día|días}`` is a plural form, as in :func:`casekit.i18n.t`.

    >>> pl.DataFrame({"_days": ["1", "2"]}).select(m=_template_expr("{days} {days:día|días}"))["m"].to_list()
    ['1 día', '2 días']
    """
    parts: list[pl.Expr] = []
    for literal, field, spec, _ in string.Formatter().parse(template):
        if literal:
            parts.append(pl.lit(literal[:1].upper() + literal[1:] if not parts else literal))
        if field is not None:
            source = _FIELDS.get(field)
            if source is not None and spec and "|" in spec:  # a plural form, as i18n's {n:one|other}
                one, other = spec.split("|", 1)
                parts.append(pl.when(pl.col(source) == "1").then(pl.lit(one)).otherwise(pl.lit(other)))
            elif source is None:
                parts.append(pl.lit("{" + field + "}"))
            elif parts:
                parts.append(pl.col(source).fill_null(""))
            elif source == "_the":  # the sentence starts with the column: precomputed capital
                parts.append(pl.col("_The").fill_null(""))
            else:
                parts.append(_capitalised(pl.col(source).fill_null("")))
    return pl.concat_str(parts) if parts else pl.lit("")


def _split_by_key(df: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """``df`` split by message key (filters on a small integer code; ``partition_by`` is slow here)."""
    keys = df.get_column("_key").unique().sort().to_list()
    if len(keys) == 1:
        return [(keys[0], df)]
    code = df.get_column("_key").replace_strict(keys, range(len(keys)), return_dtype=pl.UInt8)
    return [(key, df.filter(code == i)) for i, key in enumerate(keys)]


def build_report(issues: pl.DataFrame, *, lang: str, headers: dict[str, dict[str, str]]) -> pl.DataFrame:
    """The translated, sorted report of ``issues`` (internal issue frame)."""
    if issues.height == 0:
        return pl.DataFrame(schema=REPORT_SCHEMA)
    meta = _column_meta(lang, headers)
    labels = _vocab_labels(lang)
    other_meta = meta.select(
        "sheet",
        pl.col("column").alias("other_column"),
        pl.col("_kind").alias("_other_kind"),
        pl.col("_the").alias("_the_other"),
    )
    parse = pl.col("check").is_in(list(PARSE_CHECKS))
    df = (
        issues.pipe(_lookup, meta, ["sheet", "column"])
        .pipe(_lookup, _sheet_meta(lang, headers), ["sheet"])
        .pipe(_lookup, other_meta, ["sheet", "other_column"])
        .pipe(_lookup, labels.rename({"id": "value", "label": "_value_label"}), ["sheet", "column", "value"])
        .pipe(
            _lookup,
            labels.rename({"column": "other_column", "id": "other_value", "label": "_other_label"}),
            ["sheet", "other_column", "other_value"],
        )
        .with_columns(
            _value=pl.when(parse)
            .then(pl.col("value"))
            .when(pl.col("_kind") == "date")
            .then(_show_date(pl.col("value"), lang))
            .otherwise(pl.coalesce("_value_label", "value")),
            _other=pl.when(pl.col("_other_kind") == "date")
            .then(_show_date(pl.col("other_value"), lang))
            .otherwise(pl.coalesce("_other_label", "other_value")),
            _arg=pl.when(pl.col("check").is_in(_DATE_ARGS)).then(_show_date(pl.col("arg"), lang)).otherwise("arg"),
            _allowed=pl.coalesce("_allowed", "arg"),
            _label=pl.coalesce("_label", "column"),
            _the=pl.coalesce("_the", "column"),
            _The=pl.coalesce("_The", "column"),
            _sheet=pl.coalesce("_sheet", "sheet"),
            _days=pl.lit(str(POST_CLOSURE_GRACE_DAYS)),
            _key=pl.when((pl.col("check") == "after_closing") & pl.col("sheet").is_in(list(POST_CLOSURE_GRACE_SHEETS)))
            .then(pl.lit("after_closing_grace"))
            .otherwise("check"),
        )
    )
    known = set(messages("validation"))
    df = df.with_columns(
        _key=pl.when(pl.col("_key").is_in(list(known)))
        .then("_key")
        .otherwise(
            pl.when(pl.col("severity") == "warning").then(pl.lit("generic_warning")).otherwise(pl.lit("generic_error"))
        )
    )
    checks = df.get_column("check").unique().sort()
    # one integer sort key (sheet, row, column, check): far faster than sorting four columns
    order = (
        pl.col("_sheet_order").fill_null(255).cast(pl.UInt64) * (1 << 56)
        + (pl.col("row").fill_null(0).cast(pl.UInt64) * (1 << 16))
        + pl.when(pl.col("column").is_null()).then(0).otherwise(pl.col("_col_order").fill_null(254) + 1).cast(pl.UInt64)
        * (1 << 8)
        + pl.col("check").replace_strict(checks, range(len(checks)), return_dtype=pl.UInt64).clip(0, 255)
    )
    narrow = df.select(
        "_key",
        *{*_FIELDS.values(), "_The"},
        _order=order,
        _out_sheet=pl.col("_sheet"),
        _out_column=pl.coalesce("_shown_column", "column"),
        row="row",
        severity="severity",
    )
    # each message template is filled only over the issues it applies to
    parts = [
        part.select(
            sheet="_out_sheet",
            row="row",
            column="_out_column",
            value="_value",
            check="check",
            severity="severity",
            message=_template_expr(t(f"validation.{key}", lang)),
            _order="_order",
        )
        for key, part in _split_by_key(narrow)
    ]
    return (
        pl.concat(parts, how="vertical")
        .sort("_order", maintain_order=True)
        .drop("_order")
        .cast(pl.Schema(REPORT_SCHEMA))
    )
