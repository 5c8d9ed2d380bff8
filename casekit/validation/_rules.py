"""Rules beyond one column: two columns of a row, and rows of two sheets (polars joins).

Each function takes prepared frames (contract columns, contract types, ``_row``) and
returns an issue frame (:mod:`casekit.validation._issues`). A rule fires only when the
values it compares are present; a missing value is the ``required`` check's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from casekit._frames import columns_of, engine_for
from casekit.contract import EVENT_DATES, POST_CLOSURE_GRACE_DAYS, POST_CLOSURE_GRACE_SHEETS, ROW, ROW_RULES
from casekit.validation._issues import concat, issues_from

_OPS = {
    ">=": (lambda a, b: a < b, "date_order"),  # violated when a is before b
    "<": (lambda a, b: a >= b, "value_order"),  # violated when a is not lower than b
}


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")


def _may_be_blank(col: str) -> pl.Expr:
    """True on every text :func:`_blank` is true on (and on others): null, or a first byte
    below ``!`` or non-ASCII (every whitespace character is one or the other), by comparisons
    instead of stripping every text.

    >>> df = pl.DataFrame({"t": ["", " ", "\t", "\u00a0x", "\u3000", "a", "!", None, "\u00e9"]})
    >>> df.select(_blank("t")).to_series().to_list()
    [True, True, True, False, True, False, False, True, False]
    >>> df.select(_may_be_blank("t")).to_series().to_list()
    [True, True, True, True, True, False, False, True, True]
    """
    return pl.col(col).is_null() | (pl.col(col) < pl.lit("!")) | (pl.col(col) >= pl.lit("\x80"))


def row_rules(sheet: str, df: pl.DataFrame) -> pl.DataFrame:
    """Two-column rules inside each row of ``sheet``.

    >>> import datetime as dt
    >>> df = pl.DataFrame({"opened_on": [dt.date(2026, 1, 5)], "closed_on": [dt.date(2026, 1, 4)], "_row": [2]})
    >>> row_rules("cases", df).select("row", "column", "check", "value", "other_column", "other_value").row(0)
    (2, 'closed_on', 'date_order', '2026-01-04', 'opened_on', '2026-01-05')
    """
    rules: list[tuple[pl.Expr, dict]] = []  # (violated, issue fields); a null comparison is no violation
    loose: dict[int, pl.Expr] = {}  # a cheaper test true on every row rule i is violated on (blank texts)
    for rule_sheet, a, op, b in ROW_RULES:
        if rule_sheet != sheet:
            continue
        violated, check = _OPS[op]
        spec = {"column": a, "check": check, "value": pl.col(a), "other_column": b, "other_value": pl.col(b)}
        rules.append((violated(pl.col(a), pl.col(b)), spec))
    if sheet == "goals":
        achieved = pl.col("status") == "achieved"
        common = {"column": "achieved_on", "other_column": "status", "other_value": pl.col("status")}
        rules.append((achieved & pl.col("achieved_on").is_null(), {"check": "achieved_on_missing", **common}))
        rules.append(
            (
                ~achieved & pl.col("achieved_on").is_not_null(),
                {"check": "achieved_on_unexpected", "value": pl.col("achieved_on"), **common},
            )
        )
        if {"target_value", "measure"} <= set(columns_of(df)):
            spec = {
                "column": "measure",
                "check": "measure_required",
                "other_column": "target_value",
                "severity": "warning",
            }
            rules.append(
                (
                    pl.col("target_value").is_not_null() & _blank("measure"),
                    {**spec, "other_value": pl.col("target_value")},
                )
            )
            loose[len(rules) - 1] = pl.col("target_value").is_not_null() & _may_be_blank("measure")
    if sheet == "risk_reviews":
        spec = {
            "column": "reason",
            "check": "reason_required",
            "other_column": "override_tier",
            "other_value": pl.col("override_tier"),
        }
        rules.append((pl.col("override_tier").is_not_null() & _blank("reason"), spec))
        loose[len(rules) - 1] = pl.col("override_tier").is_not_null() & _may_be_blank("reason")
        if "safety_action" in columns_of(df):
            spec = {
                "column": "reason",
                "check": "safety_reason_required",
                "other_column": "safety_action",
                "other_value": pl.col("safety_action"),
            }
            rules.append(((pl.col("safety_action") == "not_needed") & _blank("reason"), spec))
            loose[len(rules) - 1] = (pl.col("safety_action") == "not_needed") & _may_be_blank("reason")
    if not rules:
        return concat([])
    # one pass over the sheet keeps the rows that may break a rule; the few kept are then tested exactly
    flags = [f"_rule{i}" for i in range(len(rules))]
    hit = (
        df.lazy()
        .with_columns(loose.get(i, violated).alias(flags[i]) for i, (violated, _) in enumerate(rules))
        .filter(pl.any_horizontal(*flags))
        .collect(engine=engine_for(df))
    )
    if loose:
        hit = hit.with_columns(violated.alias(flag) for flag, (violated, _) in zip(flags, rules, strict=True))
    return concat(
        [issues_from(hit.filter(flag), sheet=sheet, **spec) for flag, (_, spec) in zip(flags, rules, strict=True)]
    )


def case_table(
    cases: pl.DataFrame | pl.LazyFrame, clean: pl.Expr | pl.Series, *, keep_row: bool = False
) -> pl.DataFrame:
    """One row per case id of ``cases`` (sorted by the id when ``cases`` is in memory): its
    dates, whether the case row is clean, and ``_key``, the hash of the id; ``keep_row``: also
    the ``_row`` of the case row kept (so whether it is clean can be told later: :func:`with_clean`).

    ``clean`` is true on the rows of ``cases`` without errors; a repeated case id is an
    error on every copy, so keeping any copy is enough.
    """
    rows = cases.lazy().select("case_id", "opened_on", "closed_on", *([ROW] if keep_row else []), _clean=clean)
    rows = rows.filter(pl.col("case_id").is_not_null())
    if isinstance(cases, pl.DataFrame):  # in memory: in the order of the case index (a scan's is not kept)
        # usually sorted already: told so, not sorted again (0.004 against 0.04 s at 1M)
        if cases.get_column("case_id").drop_nulls().is_sorted():
            rows = rows.with_columns(pl.col("case_id").set_sorted())
        else:
            rows = rows.sort("case_id", maintain_order=True)
    table = rows.with_columns(_key=pl.col("case_id").hash()).collect(engine=engine_for(cases))
    if isinstance(cases, pl.DataFrame):  # sorted: a repeated id is next to itself
        ids = table.get_column("case_id")
        repeated = table.height > 1 and bool((ids.slice(1) == ids.slice(0, table.height - 1)).any())
    else:  # distinct hashes: distinct ids (usual case)
        repeated = table.get_column("_key").n_unique() != table.height
    return table.unique("case_id", keep="first", maintain_order=True) if repeated else table


def with_clean(table: pl.DataFrame, clean: pl.Expr) -> pl.DataFrame:
    """``table`` (:func:`case_table` with ``keep_row``) with ``_clean`` told by ``clean`` (an
    expression of ``_row``) and without ``_row``: the table :func:`case_table` gives with
    that ``clean``, without building it again.

    >>> cases = pl.DataFrame({"case_id": ["B", "A", "A"], "_row": [2, 3, 4]}).with_columns(opened_on=0, closed_on=0)
    >>> table = with_clean(case_table(cases, pl.lit(True), keep_row=True), pl.col("_row") == 3)
    >>> table.drop("_key").rows(), table.equals(case_table(cases, pl.col("_row") == 3))
    ([('A', 0, 0, True), ('B', 0, 0, False)], True)
    """
    return table.with_columns(_clean=clean).drop(ROW)


def case_links(
    sheet: str,
    df: pl.DataFrame | pl.LazyFrame,
    table: pl.DataFrame,
    *,
    unique_keys: bool | None = None,
    found: pl.Series | None = None,
) -> pl.DataFrame:
    """Rows of ``sheet`` checked against their case (:func:`case_table`).

    ``unknown_case``: the case id is not in the cases sheet. ``before_opening`` /
    ``after_closing``: the event date is outside the life of a case without errors (for
    contacts and outcomes, up to the grace period after closing is fine).

    ``found``: the position of each row's case in ``table`` (null: none), from
    :class:`casekit._case_index.Lookup` — the case's bounds are then gathered, and
    :func:`casekit.validation.validate` keeps the positions as the clean data's case index.
    Else (a scanned sheet) one lazy join per sheet: only the rows in error are
    materialised, never the joined sheet. ``unique_keys`` (whether ``table``'s ``_key``
    hashes are distinct) is computed when not given.
    """
    return all_case_links({sheet: df}, table, unique_keys=unique_keys, found={} if found is None else {sheet: found})[0]


def all_case_links(
    sheets: Mapping[str, pl.DataFrame | pl.LazyFrame],
    table: pl.DataFrame,
    *,
    unique_keys: bool | None,
    found: dict[str, pl.Series],
) -> list[pl.DataFrame]:
    """:func:`case_links` of each of ``sheets`` (``found``: the positions of the sheets in
    memory); the queries of the sheets in memory are collected together (``pl.collect_all``:
    both cores), a scanned sheet's on the streaming engine."""
    bounds: dict[int, pl.DataFrame] = {}  # each case's bounds, per grace period (made once)
    queries = {
        sheet: _link_query(sheet, df, table, unique_keys=unique_keys, found=found.get(sheet), bounds=bounds)
        for sheet, df in sheets.items()
    }
    together = [sheet for sheet in sheets if sheet in found]
    bad = dict(zip(together, pl.collect_all([queries[s] for s in together]), strict=True))
    bad |= {s: q.collect(engine=engine_for(sheets[s])) for s, q in queries.items() if s not in bad}
    return [_link_issues(sheet, bad[sheet]) for sheet in sheets]


def _link_query(
    sheet: str,
    df: pl.DataFrame | pl.LazyFrame,
    table: pl.DataFrame,
    *,
    unique_keys: bool | None,
    found: pl.Series | None,
    bounds: dict[int, pl.DataFrame] | None = None,
) -> pl.LazyFrame:
    """The rows of ``sheet`` in error (:func:`case_links`), in the sheet's order, flagged
    ``_unknown``, ``_early``, ``_late``, with their case's ``opened_on`` and ``closed_on``
    (``bounds``: the cases' bounds per grace period, made by :func:`_found_links` when absent)."""
    col = EVENT_DATES.get(sheet)
    keep = ["case_id", ROW] + ([col] if col else [])
    grace = POST_CLOSURE_GRACE_DAYS if sheet in POST_CLOSURE_GRACE_SHEETS else 0
    if found is not None:
        return _found_links(df.lazy().select(keep), table, found, col, grace, bounds=bounds)
    joined = _joined(df.lazy().select(keep).with_row_index("_i"), table, unique_keys=unique_keys)
    unknown = pl.col("_clean").is_null()
    early = late = pl.lit(False)
    if col is not None:
        dated = pl.col("_clean").fill_null(False) & pl.col(col).is_not_null()
        early = dated & (pl.col(col) < pl.col("opened_on")).fill_null(False)
        late = dated & (pl.col(col) > pl.col("closed_on") + pl.duration(days=grace)).fill_null(False)
    # the few rows in error, in the sheet's order (a join does not keep it; keeping it with
    # maintain_order="left" costs 1.5x more at 1M cases)
    return (
        joined.with_columns(_unknown=unknown, _early=early, _late=late)
        .filter(pl.col("_unknown") | pl.col("_early") | pl.col("_late"))
        .sort("_i")
    )


def _link_issues(sheet: str, bad: pl.DataFrame) -> pl.DataFrame:
    """The issues of the rows of :func:`_link_query`."""
    col = EVENT_DATES.get(sheet)
    frames = [
        issues_from(
            bad.filter("_unknown"), sheet=sheet, column="case_id", check="unknown_case", value=pl.col("case_id")
        )
    ]
    if col is not None:
        for where, check, bound in (("_early", "before_opening", "opened_on"), ("_late", "after_closing", "closed_on")):
            frames.append(
                issues_from(
                    bad.filter(where), sheet=sheet, column=col, check=check, value=pl.col(col), arg=pl.col(bound)
                )
            )
    return concat(frames)


def _found_links(
    rows: pl.LazyFrame,
    table: pl.DataFrame,
    found: pl.Series,
    col: str | None,
    grace: int,
    *,
    bounds: dict[int, pl.DataFrame] | None = None,
) -> pl.LazyFrame:
    """The rows (in memory, with ``case_id`` and ``col``) whose case is unknown or whose date
    ``col`` is outside their case's life, in their order, flagged ``_unknown``, ``_early``,
    ``_late``, with the case's ``opened_on`` and ``closed_on``; ``found``: each row's case in
    ``table``. A case's bounds are made once and gathered (a case with errors has none): no
    join, and the rows keep their order. ``bounds`` keeps the bounds made, per ``grace``,
    for the next sheet.

    >>> import datetime as dt
    >>> table = pl.DataFrame({"opened_on": [dt.date(2026, 1, 5)], "closed_on": [None], "_clean": [True]},
    ...                      schema_overrides={"closed_on": pl.Date})
    >>> rows = pl.LazyFrame({"case_id": ["A", "Z", "A"], "on": [dt.date(2026, 1, 4), None, None], "_row": [2, 3, 4]})
    >>> bad = _found_links(rows, table, pl.Series([0, None, 0], dtype=pl.UInt32), "on", 0).collect()
    >>> bad.select("_row", "_unknown", "_early", "_late", "opened_on").rows()
    [(2, False, True, False, datetime.date(2026, 1, 5)), (3, True, False, False, None)]
    """
    at = pl.col("_at")
    flags = {
        "_unknown": at.is_null() & pl.col("case_id").is_not_null(),
        "_early": pl.lit(False),
        "_late": pl.lit(False),
    }
    if col is not None:
        made = {} if bounds is None else bounds
        if grace not in made:
            made[grace] = table.select(
                pl.when("_clean").then("opened_on").alias("lo"),
                pl.when("_clean").then(pl.col("closed_on") + pl.duration(days=grace)).alias("hi"),
            )
        flags["_early"] = (pl.col(col) < pl.lit(made[grace].get_column("lo")).gather(at)).fill_null(False)
        flags["_late"] = (pl.col(col) > pl.lit(made[grace].get_column("hi")).gather(at)).fill_null(False)
    bad = rows.with_columns(_at=pl.lit(found)).with_columns(**flags).filter(pl.any_horizontal(*flags))
    return bad.with_columns(pl.lit(table.get_column(c)).gather(at).alias(c) for c in ("opened_on", "closed_on"))


def _joined(rows: pl.LazyFrame, table: pl.DataFrame, *, unique_keys: bool | None) -> pl.LazyFrame:
    """``rows`` with a case id, joined to their case's row of ``table`` (null: none)."""
    rows = rows.filter(pl.col("case_id").is_not_null())
    if unique_keys is None:
        unique_keys = table.get_column("_key").n_unique() == table.height
    if not unique_keys:
        return rows.join(table.lazy(), on="case_id", how="left")
    # join on a 64-bit hash of the id (much faster than on text); a row whose hash
    # matches another id's counts as unmatched, so the result is exact
    joined = rows.with_columns(_key=pl.col("case_id").hash()).join(
        table.lazy().rename({"case_id": "_matched"}), on="_key", how="left"
    )
    return joined.with_columns(
        pl.when(pl.col("_matched") == pl.col("case_id")).then(pl.col(c)).alias(c)
        for c in ("opened_on", "closed_on", "_clean")
    )


def opened_after_as_of(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """A warning on each case opened after the reference date (nothing is due for it yet)."""
    late = df.lazy().select(ROW, "opened_on").filter(pl.col("opened_on") > as_of).collect(engine=engine_for(df))
    common = {"sheet": "cases", "column": "opened_on", "severity": "warning", "arg": as_of.isoformat()}
    return issues_from(late, check="opened_after_as_of", value=pl.col("opened_on"), **common)


def contact_timing(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Warnings on contacts: done in the future, or still scheduled in the past."""
    date, status = pl.col("contact_on"), pl.col("status")
    flags = {
        "_future": ((status == "attended") | (status == "missed")) & (date > as_of),
        "_stale": (status == "scheduled") & (date < as_of),
    }
    # one pass over the sheet keeps the flagged rows (null flags are dropped, as by filter)
    hit = df.lazy().select(ROW, date, status, **flags).filter(pl.any_horizontal(*flags)).collect(engine=engine_for(df))
    future, stale = hit.filter("_future"), hit.filter("_stale")
    common = {
        "sheet": "contacts",
        "column": "contact_on",
        "severity": "warning",
        "arg": as_of.isoformat(),
        "other_column": "status",
    }
    return concat(
        [
            issues_from(future, check="future_contact", value=date, other_value=status, **common),
            issues_from(stale, check="stale_scheduled", value=date, other_value=status, **common),
        ]
    )


def blank_with_whom(df: pl.DataFrame, issues: pl.DataFrame) -> pl.DataFrame:
    """One warning per contacts sheet when ``with_whom`` is blank on some rows: such a
    contact counts as contact with the client (``docs/process_rules.md``), which may
    take a call with the insurer for a follow-up. ``row`` is the first such row, ``arg``
    how many there are; rows whose ``with_whom`` already has an issue are not counted.

    >>> co = pl.DataFrame({"with_whom": ["client", None, None, "insurer"], "_row": [2, 3, 4, 5]})
    >>> blank_with_whom(co, pl.DataFrame(schema={"sheet": pl.String, "row": pl.Int64, "column": pl.String}))[
    ...     ["sheet", "row", "column", "check", "severity", "arg"]].row(0)
    ('contacts', 3, 'with_whom', 'blank_with_whom', 'warning', '2')
    """
    known = issues.lazy().filter((pl.col("sheet") == "contacts") & (pl.col("column") == "with_whom")).select("row")
    blank = (
        df.lazy()
        .select(ROW, "with_whom")
        .filter(pl.col("with_whom").is_null())  # a blank cell is read as null; other text is checked
        .join(known, left_on=ROW, right_on="row", how="anti")
        .select(pl.col(ROW).min(), pl.len().alias("_n"))
        .filter(pl.col("_n") > 0)
        .collect(engine=engine_for(df))
    )
    return issues_from(
        blank,
        sheet="contacts",
        column="with_whom",
        check="blank_with_whom",
        severity="warning",
        arg=pl.col("_n"),
    )
