"""One pandera.polars schema per sheet, generated from :mod:`casekit.contract`.

Checks carry stable ids in their ``error`` text (``"<check>|<arg>"``) so failure cases
map straight to issue rows: ``required``, ``duplicate``, ``out_of_range`` (arg = the
bound), ``not_allowed`` (arg = the allowed ids), ``wrong_type`` (arg = the expected type).
Every check is a polars expression; schemas validate a ``pl.DataFrame`` (a LazyFrame
would only get its schema checked). :func:`prepare` and :func:`run_schema` also take a
scanned sheet (a LazyFrame, :func:`casekit.scan_caseload`): the same checks then run as
streaming queries and only the rows that fail are collected.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import cache, lru_cache, reduce
from typing import TYPE_CHECKING

import polars as pl

from casekit._frames import engine_for
from casekit.contract import ROW, SHEETS, VOCABS, Column
from casekit.data import DTYPES, column_dtype
from casekit.validation._issues import ISSUES, empty

if TYPE_CHECKING:
    import pandera.polars as pa


def _fmt(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


#: A value check of one column: ``(error, ok)`` where ``error`` is ``"<check>|<arg>"`` and
#: ``ok(column_name)`` is a boolean polars expression (null counts as passing).
_Rule = tuple[str, Callable[[str], pl.Expr]]


def _expr_check(expr_of, error: str) -> pa.Check:
    """A vectorised check: ``expr_of(column_name)`` is a boolean polars expression."""
    import pandera.polars as pa

    return pa.Check(
        lambda data: data.lazyframe.select(expr_of(data.key)), error=error, name=error.split("|", maxsplit=1)[0]
    )


def _all_distinct(col: pl.Series) -> bool:
    """Whether the non-null values of ``col`` are distinct: texts rising in length, then in
    text order (ids numbered without padding, ``G999999`` then ``G1000000``) by comparing
    each with the next, else by counting distinct hashes (distinct hashes: distinct values).

    >>> _all_distinct(pl.Series(["G9", None, "G10", "G11"])), _all_distinct(pl.Series(["B", "A", "B"]))
    (True, False)
    """
    present = col.drop_nulls()
    if present.dtype == pl.String and present.len() > 1:
        size, head, tail = present.str.len_bytes(), present.slice(0, present.len() - 1), present.slice(1)
        shorter, longer = size.slice(0, present.len() - 1), size.slice(1)
        if ((shorter < longer) | ((shorter == longer) & (head < tail))).all():
            return True
    return _distinct_hashes(present)


def _distinct_hashes(col: pl.Series) -> bool:
    """Whether the non-null values of ``col`` have distinct hashes (then they are distinct).

    >>> _distinct_hashes(pl.Series(["B", None, "A", None])), _distinct_hashes(pl.Series([1, 1]))
    (True, False)
    """
    present = col.drop_nulls()
    return present.hash().n_unique() == present.len()


def _all_distinct_in(df: pl.DataFrame | pl.LazyFrame, name: str) -> bool:
    """:func:`_all_distinct` of column ``name``; a lazy sheet counts in one streaming query.

    >>> _all_distinct_in(pl.LazyFrame({"a": ["x", None, None]}), "a")
    True
    >>> _all_distinct_in(pl.DataFrame({"a": [1, 1]}), "a")
    False
    """
    if isinstance(df, pl.DataFrame):
        return _all_distinct(df.get_column(name))
    present = pl.col(name).drop_nulls()
    return df.select(present.hash().n_unique() == present.len()).collect(engine="streaming").item()


def _duplicated(col: pl.Series | pl.Expr):
    """True where the value is present and repeated."""
    return col.is_duplicated() & col.is_not_null()


def _is_in(expr: pl.Expr, allowed: list[str]) -> pl.Expr:
    """``expr.is_in(allowed)`` (null stays null); a chain of ``==`` is faster on a short list.

    >>> pl.select(_is_in(pl.Series(["a", "c", None]), ["a", "b"])).to_series().to_list()
    [True, False, None]
    """
    if not allowed or len(allowed) > 12:
        return expr.is_in(allowed)
    return reduce(operator.or_, [expr == value for value in allowed])


#: The error of the ``duplicate`` rule: :func:`run_schema` skips it on a column whose values are
#: all distinct (one cheap count), the rest of the rule is the same expression.
DUPLICATE = "duplicate|"


def _value_rules(col: Column) -> list[_Rule]:
    """The value checks of ``col``, in the schema's order: the one declaration that both the
    pandera schema (:func:`sheet_schema`) and the polars query of :func:`run_schema` are
    generated from (the not-nullable ``required`` is pandera's ``nullable=False`` there and a
    null test here, from the same ``col.required``).

    >>> [error for error, _ in _value_rules(SHEETS["cases"].columns["case_id"])]
    ['duplicate|', 'required|']
    >>> df = pl.DataFrame({"phq9": [3, 28, None]})
    >>> [df.select(ok("phq9")).to_series().to_list() for _, ok in _value_rules(SHEETS["assessments"].columns["phq9"])]
    [[True, True, None], [True, False, None]]
    """
    rules: list[_Rule] = []
    if col.unique:
        rules.append((DUPLICATE, lambda k: ~_duplicated(pl.col(k))))
    if col.required and DTYPES[col.kind] == pl.String():
        rules.append(("required|", lambda k: pl.col(k).str.strip_chars() != ""))
    if col.ge is not None:
        lo = col.ge
        rules.append((f"out_of_range|{_fmt(lo)}", lambda k: pl.col(k) >= lo))
    if col.le is not None:
        hi = col.le
        rules.append((f"out_of_range|{_fmt(hi)}", lambda k: pl.col(k) <= hi))
    if col.vocab is not None:
        allowed = list(VOCABS[col.vocab])
        rules.append(("not_allowed|" + ", ".join(allowed), lambda k: _is_in(pl.col(k), allowed)))
    return rules


def _checks(col: Column) -> list[pa.Check]:
    """The pandera checks of ``col``: one per declared rule (:func:`_value_rules`)."""
    return [_expr_check(ok, error) for error, ok in _value_rules(col)]


@cache
def sheet_schema(sheet: str, *, relaxed: frozenset[str] = frozenset()) -> pa.DataFrameSchema:
    """The pandera schema of ``sheet``; columns in ``relaxed`` keep only their dtype.

    >>> schema = sheet_schema("assessments")
    >>> schema.columns["phq9"].dtype
    DataType(Int64)
    >>> [c.name for c in sheet_schema("cases").columns["case_id"].checks]
    ['duplicate', 'required']
    """
    import pandera.polars as pa

    columns = {}
    for col in SHEETS[sheet].columns.values():
        keep = col.name not in relaxed
        columns[col.name] = pa.Column(
            DTYPES[col.kind],
            nullable=not (keep and col.required),
            checks=_checks(col) if keep else [],
            required=True,
        )
    columns[ROW] = pa.Column(pl.Int64, nullable=False)
    return pa.DataFrameSchema(columns, name=sheet, strict=False, coerce=False)


def _lossless(dt: pl.DataType, target: pl.DataType) -> bool:
    """Whether a column of type ``dt`` casts to ``target`` without loss."""
    return (
        dt in (target, pl.Null())
        or (target == pl.String() and isinstance(dt, pl.Categorical | pl.Enum))
        or (target == pl.Int64() and dt.is_integer() and dt != pl.UInt64())
        or (target == pl.Float64() and (dt.is_integer() or dt.is_float()))
    )


def _safe_cast(s: pl.Series, target: pl.DataType) -> pl.Series | None:
    """``s`` cast to ``target`` when that loses nothing, else None."""
    if _lossless(s.dtype, target):
        return s.cast(target)
    if target == pl.Date() and isinstance(s.dtype, pl.Datetime):
        return s.dt.date()
    return None


def _prepare_lazy(sheet: str, lf: pl.LazyFrame) -> tuple[pl.LazyFrame, list[str]]:
    """:func:`prepare` for a scanned sheet: the same columns, casts and order, as a query.

    >>> lf, bad = _prepare_lazy("cases", pl.LazyFrame({"case_id": ["C-1"], "opened_on": ["x"]}))
    >>> lf.collect().columns[:2], lf.collect()[ROW].to_list(), bad
    (['case_id', 'client_id'], [2], ['opened_on'])
    """
    schema = lf.collect_schema()
    if ROW not in schema:
        lf = lf.with_row_index(ROW, offset=2)
    contract = SHEETS[sheet].columns
    exprs: list[pl.Expr] = []
    bad: list[str] = []
    for name, col in contract.items():
        target, dt = DTYPES[col.kind], schema.get(name)
        if dt is None:
            exprs.append(pl.lit(None, dtype=target).alias(name))
        elif dt == column_dtype(col):
            exprs.append(pl.col(name))
        elif _lossless(dt, target):
            exprs.append(pl.col(name).cast(target))
        elif target == pl.Date() and isinstance(dt, pl.Datetime):
            exprs.append(pl.col(name).dt.date())
        else:
            bad.append(name)
            exprs.append(pl.col(name))
    extra = [c for c in schema if c not in contract and c != ROW]
    return lf.select(*exprs, *extra, pl.col(ROW).cast(pl.Int64)), bad


def prepare(sheet: str, df: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Conform ``df`` to the contract: add absent columns (typed nulls) and ``_row``,
    cast what can be cast without loss, put contract columns first.

    Returns the frame and the columns whose type is wrong (left as they are).

    >>> df, bad = prepare("cases", pl.DataFrame({"case_id": ["C-1"], "opened_on": ["x"]}))
    >>> df.columns[:2], df[ROW].to_list(), bad
    (['case_id', 'client_id'], [2], ['opened_on'])
    """
    if isinstance(df, pl.LazyFrame):
        return _prepare_lazy(sheet, df)
    if ROW not in df.columns:
        df = df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    contract = SHEETS[sheet].columns
    schema = df.schema
    out: list[pl.Series] = []
    bad: list[str] = []
    for name, col in contract.items():
        target = DTYPES[col.kind]
        if name not in schema:
            out.append(pl.repeat(None, df.height, dtype=target, eager=True).alias(name))
            continue
        if schema[name] == column_dtype(col):  # a category column as the reader types it
            out.append(df.get_column(name))
            continue
        cast = _safe_cast(df.get_column(name), target)
        if cast is None:
            bad.append(name)
            out.append(df.get_column(name))
        else:
            out.append(cast)
    extra = [df.get_column(c) for c in df.columns if c not in contract and c != ROW]
    row = df.get_column(ROW).cast(pl.Int64)
    return pl.DataFrame([*out, *extra, row]), bad


def _rising(name: str) -> pl.Expr:
    """Whether the non-null texts of column ``name`` rise in length, then in text order, each
    above the one before (so no two are equal): :func:`_all_distinct`'s first test, as an
    expression (the first text has none before it: a null comparison, which ``all`` skips).

    >>> df = pl.DataFrame({"a": ["G9", None, "G10", "G11"], "b": ["B", "A", None, "C"]})
    >>> df.select(_rising("a"), _rising("b")).row(0)
    (True, False)
    """
    texts = pl.col(name).drop_nulls()
    before = texts.shift(1)
    size, size_before = texts.str.len_bytes(), before.str.len_bytes()
    return ((size_before < size) | ((size_before == size) & (before < texts))).all()


def _idle_rules(
    sheet: str,
    df: pl.DataFrame | pl.LazyFrame,
    relaxed: frozenset[str],
    deferred: frozenset[tuple[str, str]] = frozenset(),
) -> set[tuple[str, str]]:
    """``(column, error)`` of the blank ``required`` and the ``duplicate`` rules of ``sheet``
    that no row of ``df`` can fail, from one pass over a sheet in memory (a scanned sheet:
    none). A blank text (empty, or whitespace only) starts below ``!`` or with a non-ASCII
    byte, so a column where no text does has no blank: one comparison per row instead of
    stripping every text. A text column rising in length then text (:func:`_rising`) has no
    duplicate; one that does not is counted as :func:`_all_distinct` does, and so is a
    column of another type. The ``deferred`` rules are not looked at. (A ``not_allowed`` gate
    on the distinct values cost what the check does.)

    >>> df, _ = prepare("contacts", pl.DataFrame({"contact_id": ["K1", "K2"], "case_id": ["C1", " "]}))
    >>> sorted(_idle_rules("contacts", df, frozenset()))
    [('contact_id', 'duplicate|'), ('contact_id', 'required|')]
    >>> df, _ = prepare("contacts", pl.DataFrame({"contact_id": ["K2", "K1", "K2"], "case_id": ["C1", "C1", "C1"]}))
    >>> sorted(_idle_rules("contacts", df, frozenset()))
    [('case_id', 'required|'), ('contact_id', 'required|')]
    """
    if isinstance(df, pl.LazyFrame):
        return set()
    schema = df.schema
    may_fail: dict[tuple[str, str], pl.Expr] = {}  # true when a row may fail the rule
    idle: set[tuple[str, str]] = set()
    for col in SHEETS[sheet].columns.values():
        name = col.name
        errors = {e for e, _ in _value_rules(col) if (name, e) not in deferred} if name not in relaxed else set()
        text = schema[name] == pl.String
        if "required|" in errors and text:
            may_fail[(name, "required|")] = ((pl.col(name) < pl.lit("!")) | (pl.col(name) >= pl.lit("\x80"))).any()
        if DUPLICATE in errors and text:
            may_fail[(name, DUPLICATE)] = ~_rising(name)
        elif DUPLICATE in errors and _all_distinct(df.get_column(name)):
            idle.add((name, DUPLICATE))
    if not may_fail:
        return idle
    flags = [f"_g{i}" for i in range(len(may_fail))]
    found = df.lazy().select(test.alias(f) for f, test in zip(flags, may_fail.values(), strict=True))
    for (name, error), may in zip(may_fail, found.collect(engine="streaming").row(0), strict=True):
        # not rising: the distinct hashes counted, as :func:`_all_distinct` does
        if not may or (error == DUPLICATE and _distinct_hashes(df.get_column(name))):
            idle.add((name, error))
    return idle


#: A rule whose failures :func:`schema_parts` leaves to its caller: ``(sheet, column, error)``,
#: in the place its issues take among the sheet's.
Deferred = tuple[str, str, str]


def _value_checks(
    sheet: str, df: pl.DataFrame, relaxed: frozenset[str], deferred: frozenset[tuple[str, str]] = frozenset()
) -> list[tuple[str, str, pl.Expr | None]]:
    """``(column, error, failed)`` for every value check of ``sheet``, in the order pandera
    runs them; the rules no row can fail (:func:`_idle_rules`) are left out, and a rule of
    ``deferred`` (``(column, error)`` of a rule of :func:`_value_rules`) has no test (None)."""
    idle = _idle_rules(sheet, df, relaxed, deferred)
    schema = df.collect_schema()
    out: list[tuple[str, str, pl.Expr | None]] = []
    for col in SHEETS[sheet].columns.values():
        name = col.name
        if name in relaxed:
            continue
        if isinstance(enum := column_dtype(col), pl.Enum) and schema[name] == enum:  # only its ids or null
            idle = idle | {(name, "required|"), (name, "not_allowed|" + ", ".join(VOCABS[col.vocab or ""]))}
        if col.required:  # pandera's not-nullable check: null, or NaN in a float column
            missing = pl.col(name).is_null()
            if schema[name].is_float():
                missing = missing | pl.col(name).is_nan()
            out.append((name, "required|", missing))
        out += [
            (name, error, None if (name, error) in deferred else ok(name).not_().fill_null(False))
            for error, ok in _value_rules(col)
            if (name, error) in deferred
            or (
                (name, error) not in idle
                # all distinct: nothing to find (a sheet in memory: told by _idle_rules)
                and (error != DUPLICATE or isinstance(df, pl.DataFrame) or not _all_distinct_in(df, name))
            )
        ]
    return out


def _value_issues(
    sheet: str, df: pl.DataFrame, relaxed: frozenset[str], deferred: frozenset[tuple[str, str]] = frozenset()
) -> dict[str, list[pl.DataFrame | Deferred]]:
    """The failures of the value checks, per column: one pass over ``df`` keeps the rows with any failure.

    Each column's list starts with its not-nullable failures (possibly none); a rule of
    ``deferred`` has its :data:`Deferred` in its place.
    """
    checks = _value_checks(sheet, df, relaxed, deferred)
    tested = [(flag, failed) for flag, (_, _, failed) in zip(_flags(checks), checks, strict=True) if failed is not None]
    bad = empty()
    if tested:
        bad = (
            df.lazy()
            .select(ROW, *dict.fromkeys(name for name, _, _ in checks), *(test.alias(f) for f, test in tested))
            .filter(pl.any_horizontal(f for f, _ in tested))
            .collect(engine=engine_for(df))
        )
    out: dict[str, list[pl.DataFrame | Deferred]] = {}
    if bad.height == 0 and len(tested) == len(checks):
        return out
    for flag, (name, error, failed) in zip(_flags(checks), checks, strict=True):
        check, arg = error.split("|", maxsplit=1)
        found = out.setdefault(name, [] if error == "required|" and name not in out else [empty()])
        if failed is None:
            found.append((sheet, name, error))
            continue
        found.append(
            bad.filter(flag).select(
                sheet=pl.lit(sheet, dtype=pl.String),
                row=pl.col(ROW),
                column=pl.lit(name, dtype=pl.String),
                value=pl.lit(None, dtype=pl.String) if check == "required" else pl.col(name).cast(pl.String),
                check=pl.lit(check, dtype=pl.String),
                severity=pl.lit("error", dtype=pl.String),
                arg=pl.lit(arg or None, dtype=pl.String),
                other_column=pl.lit(None, dtype=pl.String),
                other_value=pl.lit(None, dtype=pl.String),
            )
            if bad.height
            else empty()
        )
    return out


def _flags(checks: list) -> list[str]:
    """The names of the flag columns of ``checks`` in :func:`_value_issues`' query."""
    return [f"_f{i}" for i in range(len(checks))]


def _type_issues(sheet: str, df: pl.DataFrame) -> pl.DataFrame:
    """Columns of the wrong type (``wrong_type``, no row; the value is the column's dtype).

    Types need no rows: a contract column whose dtype is not the contract's, in contract
    order, once per distinct schema of a sheet. Same frame as pandera's dtype checks of
    :func:`sheet_schema` (the reference, :func:`pandera_issues`), without importing pandera.

    >>> import datetime as dt
    >>> df, _ = prepare("cases", pl.DataFrame({"case_id": [1.5], "opened_on": [dt.time(1)], "age": ["3"]}))
    >>> _type_issues("cases", df).select("column", "value", "check").rows()
    [('case_id', 'Float64', 'wrong_type'), ('opened_on', 'Time', 'wrong_type')]
    """
    return _types_of(sheet, tuple(df.collect_schema().items()))


@lru_cache(maxsize=256)
def _types_of(sheet: str, schema: tuple[tuple[str, pl.DataType], ...]) -> pl.DataFrame:
    dtypes = dict(schema)
    wrong = [
        (c.name, str(dtypes[c.name]))
        for c in SHEETS[sheet].columns.values()
        if c.name in dtypes and dtypes[c.name] not in (DTYPES[c.kind], column_dtype(c))
    ]
    if not wrong:
        return empty()
    return pl.DataFrame(
        {
            "sheet": [sheet] * len(wrong),
            "row": [None] * len(wrong),
            "column": [name for name, _ in wrong],
            "value": [value for _, value in wrong],
            "check": ["wrong_type"] * len(wrong),
            "severity": ["error"] * len(wrong),
            "arg": [None] * len(wrong),
            "other_column": [None] * len(wrong),
            "other_value": [None] * len(wrong),
        },
        schema=ISSUES,
    )


def run_schema(sheet: str, df: pl.DataFrame, *, relaxed: frozenset[str] = frozenset()) -> pl.DataFrame:
    """Validate ``df`` (prepared) like :func:`sheet_schema` does; every failure as one issue row.

    The column types are compared with the contract's; the value checks of :func:`sheet_schema` (the
    not-nullable ``required``, ``duplicate``, blank ``required``, ``out_of_range``,
    ``not_allowed``) run as one polars query over the sheet, and the failures come in
    pandera's order (column by column, check by check, rows in sheet order).

    >>> df, _ = prepare("assessments", pl.DataFrame({"case_id": ["C-1", None], "phq9": [3, 28]}))
    >>> issues = run_schema("assessments", df)
    >>> issues.select("row", "column", "value", "check", "arg").rows()  # doctest: +NORMALIZE_WHITESPACE
    [(3, 'case_id', None, 'required', None), (2, 'assessed_on', None, 'required', None),
     (3, 'assessed_on', None, 'required', None), (3, 'phq9', '28', 'out_of_range', '27')]
    """
    frames = [f for f in schema_parts(sheet, df, relaxed=relaxed) if isinstance(f, pl.DataFrame)]
    return pl.concat(frames, how="vertical").cast(pl.Schema(ISSUES)) if frames else empty()


def schema_parts(
    sheet: str,
    df: pl.DataFrame,
    *,
    relaxed: frozenset[str] = frozenset(),
    deferred: frozenset[tuple[str, str]] = frozenset(),
) -> list[pl.DataFrame | Deferred]:
    """The issue frames of :func:`run_schema` in its order, none empty, with the place of each
    rule of ``deferred`` (``(column, error)`` of a rule of :func:`_value_rules`, not tested
    here) held by its :data:`Deferred`, for the caller to fill with that rule's failures.

    >>> df, _ = prepare("goals", pl.DataFrame({"goal_id": ["G1", None], "case_id": [" ", None]}))
    >>> def shown(parts):
    ...     return [p if isinstance(p, tuple) else (p["column"][0], p["row"].to_list()) for p in parts][:3]
    >>> shown(schema_parts("goals", df))
    [('goal_id', [3]), ('case_id', [3]), ('case_id', [2])]
    >>> shown(schema_parts("goals", df, deferred=frozenset({("case_id", "required|")})))
    [('goal_id', [3]), ('case_id', [3]), ('goals', 'case_id', 'required|')]
    """
    types = _type_issues(sheet, df)
    values = _value_issues(sheet, df, relaxed, deferred)
    if not values:
        return [types] if types.height else []
    frames: list[pl.DataFrame | Deferred] = []
    for name in [*SHEETS[sheet].columns, ROW]:
        nullable, *checks = values.get(name, [empty()])
        # pandera's order within a column: not-nullable, dtype, then the checks
        frames += [nullable, types.filter(pl.col("column") == name), *checks]
    return [f for f in frames if isinstance(f, tuple) or f.height]


def pandera_issues(sheet: str, df: pl.DataFrame, *, relaxed: frozenset[str] = frozenset()) -> pl.DataFrame:
    """What :func:`run_schema` gives, computed by pandera with :func:`sheet_schema` (one pass
    per check): the slow reference that the fast path must equal.

    >>> from polars.testing import assert_frame_equal
    >>> frames = {
    ...     "cases": {"case_id": ["C-1", "C-1", " ", None], "sex": ["female", "x", None, "male"]},
    ...     "assessments": {"case_id": ["C-1"] * 4, "bmi": [float("nan"), 95.0, 9.5, None], "phq9": [None, 28, -1, 3]},
    ...     "outcomes": {"case_id": ["C-1", "C-2"], "value": [float("nan"), 1.0], "measured_on": ["x", "y"]},
    ... }
    >>> for sheet, columns in frames.items():
    ...     df, bad = prepare(sheet, pl.DataFrame(columns))
    ...     fast = run_schema(sheet, df, relaxed=frozenset(bad))
    ...     assert_frame_equal(fast, pandera_issues(sheet, df, relaxed=frozenset(bad)))
    ...     print(sheet, fast.get_column("check").value_counts(sort=True).rows())
    cases [('required', 6), ('duplicate', 2), ('not_allowed', 1)]
    assessments [('out_of_range', 5), ('required', 4)]
    outcomes [('required', 5), ('wrong_type', 1)]
    """
    from pandera.errors import SchemaErrors

    try:
        sheet_schema(sheet, relaxed=relaxed).validate(df, lazy=True)
    except SchemaErrors as exc:
        fc = exc.failure_cases
    else:
        return empty()
    fc = fc.with_columns(
        pl.col("check").str.split_exact("|", 1).struct.rename_fields(["c", "a"]).alias("_parts"),
    ).unnest("_parts")
    check = (
        pl.when(pl.col("check").str.starts_with("dtype("))
        .then(pl.lit("wrong_type"))
        .otherwise(pl.col("c").replace({"not_nullable": "required"}))
    )
    rows = df.select(pl.col(ROW)).with_row_index("index")
    return (
        fc.with_columns(pl.col("index").cast(pl.UInt32))
        # a failure with no row is a dtype problem (kept) or a check that could not run (dropped)
        .filter(pl.col("index").is_not_null() | pl.col("check").str.starts_with("dtype("))
        .join(rows, on="index", how="left")
        .select(
            sheet=pl.lit(sheet, dtype=pl.String),
            row=pl.col(ROW),
            column=pl.col("column").cast(pl.String),
            value=pl.when(check == "required").then(None).otherwise(pl.col("failure_case")).cast(pl.String),
            check=check,
            severity=pl.lit("error"),
            arg=pl.when(check == "wrong_type").then(None).otherwise(pl.col("a").replace("", None)),
            other_column=pl.lit(None, dtype=pl.String),
            other_value=pl.lit(None, dtype=pl.String),
        )
        .cast(ISSUES)
    )
