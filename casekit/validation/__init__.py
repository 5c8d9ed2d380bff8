"""Validate a case workbook: every problem in one report, rows with errors set aside.

:func:`validate` runs, in one pass over the data,

1. one pandera schema per sheet built from :mod:`casekit.contract` (types, required,
   unique, ranges, allowed values),
2. the two-column rules inside a row (closing after opening, diastolic below systolic,
   goal dates, achieved goals, overridden risk tiers),
3. the rules across sheets, as polars joins (unknown cases, event dates outside the
   case's life, contacts in the future or still scheduled in the past, one warning per
   contacts sheet with a blank ``with_whom``),

merges the problems the reader met, writes each one as a message in the user's
language, and sets aside (quarantines) every row with an error, plus the rows of cases
set aside in ``cases``.

Examples
--------
>>> import datetime as dt
>>> import polars as pl
>>> from casekit.data import CaseData
>>> cases = pl.DataFrame({"case_id": ["C-1", "C-2"], "opened_on": [dt.date(2026, 1, 5), None]})
>>> result = validate(CaseData({"cases": cases}), lang="es")
>>> result.report.select("row", "column", "check").rows()
[(3, 'fecha_apertura', 'required')]
>>> result.report["message"][0]
'Falta la fecha de apertura.'
>>> result.data["cases"]["case_id"].to_list(), result.quarantined["cases"]["case_id"].to_list()
(['C-1'], ['C-2'])
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from casekit._case_index import INDEX_DTYPE, Lookup, given_index
from casekit._frames import engine_for
from casekit.contract import ROW, SHEETS
from casekit.data import CaseData, ValidationResult, as_category, column_dtype
from casekit.i18n import normalize_lang
from casekit.validation import _issues, _rules
from casekit.validation._issues import issues_from
from casekit.validation._quarantine import cascade, error_rows, kept_values, split
from casekit.validation._report import build_report
from casekit.validation._schemas import DTYPES, Deferred, prepare, schema_parts

__all__ = ["issue_report", "issues_from", "prepare", "report_for", "validate"]


def _missing_columns(sheet: str, headers: dict[str, dict[str, str]]) -> list[str]:
    """Required columns absent from the file (known only when the reader recorded headers)."""
    if sheet not in headers:
        return []
    present = headers[sheet]
    return [c.name for c in SHEETS[sheet].columns.values() if c.required and c.name not in present]


def validate(
    data: CaseData, *, lang: str = "en", as_of: dt.date | None = None, report: bool = True
) -> ValidationResult:
    """Check ``data`` against the contract and the cross-sheet rules.

    ``as_of`` (default: today) is the reference date for contacts. Returns the clean
    rows, the report (one row per problem, messages in ``lang``) and the rows set aside.

    Sheets scanned from Parquet files (:func:`casekit.scan_caseload`, lazy frames) are
    checked by the same polars queries on the streaming engine: only the rows in error
    are collected, and the clean sheets stay lazy (the scans, filtered), ready for
    :func:`casekit.case_status` and :func:`casekit.events` on the streaming engine.

    ``report=False`` leaves the report empty (the ``issues`` are complete): for a caller
    that only needs to know which rows fail, such as the workspace checking one new row.
    """
    lang = normalize_lang(lang)
    as_of = as_of or dt.date.today()
    frames: list[pl.DataFrame] = [
        data.issues.with_columns(other_column=pl.lit(None, dtype=pl.String), other_value=pl.lit(None, dtype=pl.String))
    ]

    prepared: dict[str, pl.DataFrame] = {}
    work: dict[str, pl.DataFrame] = {}  # prepared, with wrongly typed columns emptied so rules can run
    checks: list[tuple[str, list[str], frozenset[str]]] = []  # (sheet, columns missing, columns not checked)
    for sheet, df in data.sheets.items():
        if sheet not in SHEETS:
            continue
        frame, bad_types = prepare(sheet, df)
        missing = _missing_columns(sheet, data.headers)
        prepared[sheet] = frame
        work[sheet] = frame.with_columns(
            pl.lit(None, dtype=DTYPES[SHEETS[sheet].columns[c].kind]).alias(c) for c in bad_types
        )
        checks.append((sheet, missing, frozenset(missing) | frozenset(bad_types)))
    deferred = _blanks_from_links(work, checks)
    sheet_frames, found_early = _sheet_issues(checks, prepared, work, deferred)
    issues = _checked(data.issues, frames + [f for f in sheet_frames if isinstance(f, pl.DataFrame)])

    ids = pl.Series("case_id", [], pl.String)
    found: dict[str, pl.Series] = {}  # each sheet's case: its position in the sorted ids
    cases = work.get("cases")
    if cases is not None:
        cross, ids, found = _case_links(work, issues, found_early)
        if deferred:  # each deferred place filled from its sheet's unknown cases
            issues = _checked(data.issues, frames + _filled(sheet_frames, work, cross))
        issues = _issues.concat([issues, *cross])
    if "contacts" in work:
        issues = _issues.concat([issues, _rules.contact_timing(work["contacts"], as_of)])
        issues = _issues.concat([issues, _rules.blank_with_whom(work["contacts"], issues)])
    if cases is not None:
        issues = _issues.concat([issues, _rules.opened_after_as_of(cases, as_of)])

    if cases is not None:
        rows, whole = error_rows(issues, "cases")
        clean, held = split(cases, rows, whole=whole)
        held_ids = held.get_column("case_id").drop_nulls()
        if held_ids.len():
            kept = clean.lazy().select(pl.col("case_id").drop_nulls()).collect(engine=engine_for(clean))
            held_ids = held_ids.filter(~held_ids.is_in(kept.to_series().implode()))
        issues = _issues.concat([issues, cascade(work, issues, held_ids)])

    clean_sheets = dict(data.sheets)
    quarantined: dict[str, pl.DataFrame] = {}
    for sheet, frame in prepared.items():
        rows, whole = error_rows(issues, sheet)
        clean_sheets[sheet], quarantined[sheet] = split(frame, rows, whole=whole)
        clean_sheets[sheet] = with_enums(sheet, clean_sheets[sheet])
        quarantined[sheet] = with_enums(sheet, quarantined[sheet])
        if sheet in found:
            found[sheet] = kept_values(found[sheet], frame, rows, whole=whole)

    messages = build_report(issues if report else issues.clear(), lang=lang, headers=data.headers)
    clean_data = CaseData(clean_sheets, issues=data.issues, source=data.source, headers=data.headers)
    if found:
        clean_data = _with_index(clean_data, ids, found)
    return ValidationResult(data=clean_data, report=messages, quarantined=quarantined, issues=issues, lang=lang)


def _checked(read: pl.DataFrame, frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The issue ``frames`` (the reader's first, then each sheet's alone) in one frame, without a
    ``required`` issue on a cell the reader could not parse (``read``: the reader's issues),
    already reported."""
    issues = _issues.concat(frames)
    unparsed = read.filter(pl.col("row").is_not_null()).select("sheet", "row", "column").unique()
    repeated = (pl.col("check") == "required").alias("_rep")
    return pl.concat(
        [
            issues.filter(~repeated),
            issues.filter(repeated).join(unparsed, on=["sheet", "row", "column"], how="anti", nulls_equal=False),
        ]
    )


#: The blank test of the other sheets' ``case_id`` (:func:`_blanks_from_links`).
_BLANK_CASE_ID = frozenset({("case_id", "required|")})


def _blanks_from_links(work: dict[str, pl.DataFrame], checks: list[tuple[str, list[str], frozenset[str]]]) -> set[str]:
    """The sheets whose blank ``case_id`` test is left to the case-link check
    (:func:`_blank_case_ids`): a blank text is no case id when no id of ``cases`` (in memory)
    may be blank (none starts below ``!`` or with a non-ASCII byte), so it is among the
    sheet's unknown cases, which that check finds anyway — and the other rows need no test.

    >>> cases = pl.DataFrame({"case_id": ["C1"]})
    >>> goals = pl.DataFrame({"case_id": [" "]})
    >>> _blanks_from_links({"cases": cases, "goals": goals}, [("cases", [], frozenset()), ("goals", [], frozenset())])
    {'goals'}
    >>> _blanks_from_links({"cases": pl.DataFrame({"case_id": [" "]}), "goals": goals}, [("goals", [], frozenset())])
    set()
    """
    cases = work.get("cases")
    if not isinstance(cases, pl.DataFrame) or cases.schema.get("case_id") != pl.String:
        return set()
    ids = cases.get_column("case_id")
    if ((ids < "!") | (ids >= "\x80")).any():
        return set()
    return {
        sheet
        for sheet, _, relaxed in checks
        if sheet != "cases"
        and isinstance(work[sheet], pl.DataFrame)
        and "case_id" not in relaxed
        and work[sheet].schema.get("case_id") == pl.String
    }


def _filled(
    frames: list[pl.DataFrame | Deferred], work: dict[str, pl.DataFrame], cross: list[pl.DataFrame]
) -> list[pl.DataFrame]:
    """``frames`` with each deferred blank ``case_id`` test (:func:`_blanks_from_links`) in
    its place, from ``cross``, the case-link issues of the sheets of ``work`` but ``cases``."""
    links = dict(zip([s for s in work if s != "cases"], cross, strict=True))
    return [f if isinstance(f, pl.DataFrame) else _blank_case_ids(links[f[0]]) for f in frames]


def _blank_case_ids(links: pl.DataFrame) -> pl.DataFrame:
    """The blank ``case_id`` issues (``required``) of a sheet from its case-link issues
    ``links`` (:func:`casekit.validation._rules.case_links`): its unknown cases whose text is
    blank, in the sheet's order, as the sheet's own blank test gives them.

    >>> from casekit.validation._issues import issues_from
    >>> rows = pl.DataFrame({"case_id": [" ", "C9", "\t"], "_row": [2, 5, 7]})
    >>> links = issues_from(rows, sheet="goals", column="case_id", check="unknown_case", value=pl.col("case_id"))
    >>> _blank_case_ids(links).select("row", "column", "value", "check").rows()
    [(2, 'case_id', None, 'required'), (7, 'case_id', None, 'required')]
    """
    unknown = (pl.col("check") == "unknown_case") & (pl.col("value").str.strip_chars() == "")
    return links.filter(unknown).with_columns(value=pl.lit(None, dtype=pl.String), check=pl.lit("required"))


def with_enums(sheet: str, df: pl.DataFrame) -> pl.DataFrame:
    """``df`` (clean or set-aside rows of ``sheet``) with each category column held as the contract's Enum
    (:func:`casekit.data.column_dtype`), as the reader types it: data made by hand (a
    ``CaseData`` of text, the workspace) reaches every rule with the same dtypes as a read file.
    A column that does not cast (a value outside the vocabulary, which a clean row cannot hold,
    or a wrong type) is left as it is. A scanned sheet (lazy) gets the casts in its query.

    >>> df = pl.DataFrame({"sex": ["male", None], "case_id": ["A", "B"]})
    >>> with_enums("cases", df).schema["sex"]
    Enum(categories=['female', 'male', 'other', 'unknown'])
    """
    spec = SHEETS[sheet].columns
    if not isinstance(df, pl.DataFrame):
        schema = df.collect_schema()
        text = [n for n, t in schema.items() if n in spec and spec[n].kind == "category" and t == pl.String]
        return df.with_columns(pl.col(n).cast(column_dtype(spec[n])) for n in text) if text else df
    categories = [(df.get_column(n), col) for n, col in spec.items() if col.kind == "category" and n in df.columns]
    casts = [cast for values, col in categories if (cast := as_category(values, col)) is not None]
    return df.with_columns(casts) if casts else df


#: Rows in memory from which :func:`validate` finds the cases (:func:`_find_cases`) on a
#: second thread while it checks the sheets: the lookup's queries and the id columns' tests
#: (one core each) then keep both cores busy; below, one after the other (a thread costs more).
_OVERLAP_ROWS = 200_000


def _in_memory_rows(work: dict[str, pl.DataFrame]) -> int:
    """The rows of the sheets of ``work`` held in memory, or 0 when ``cases`` is absent or scanned.

    >>> _in_memory_rows({"cases": pl.DataFrame({"case_id": ["A"]}), "goals": pl.LazyFrame({"case_id": ["A"]})})
    1
    """
    if not isinstance(work.get("cases"), pl.DataFrame):
        return 0
    return sum(df.height for df in work.values() if isinstance(df, pl.DataFrame))


def _sheet_issues(
    checks: list[tuple[str, list[str], frozenset[str]]],
    prepared: dict[str, pl.DataFrame],
    work: dict[str, pl.DataFrame],
    deferred: set[str] | None = None,
) -> tuple[list[pl.DataFrame | Deferred], tuple[pl.DataFrame | None, dict[str, pl.Series]] | None]:
    """The issues of each sheet of ``checks`` alone (missing columns, :func:`run_schema`,
    row rules), in its order, the blank ``case_id`` test of the sheets of ``deferred`` left
    to the caller (its place held: :func:`schema_parts`); and, on a caseload of
    :data:`_OVERLAP_ROWS` rows or more, the case table and each row's case
    (:func:`_find_cases`), looked up on a second thread meanwhile (else None).

    >>> df, _ = prepare("cases", pl.DataFrame({"case_id": ["C-1", "C-1"]}))
    >>> frames, found = _sheet_issues([("cases", [], frozenset())], {"cases": df}, {"cases": df})
    >>> [f.height for f in frames], found
    ([2, 2, 0], None)
    """
    frames: list[pl.DataFrame | Deferred] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        rows = _in_memory_rows(work)
        finding = pool.submit(_find_cases, work) if rows and rows >= _OVERLAP_ROWS else None
        for sheet, missing, relaxed in checks:
            frames += [_issues.sheet_issue(sheet=sheet, column=c, check="missing_column") for c in missing]
            later = _BLANK_CASE_ID if sheet in (deferred or ()) else frozenset()
            frames += schema_parts(sheet, prepared[sheet], relaxed=relaxed, deferred=later)
            frames.append(_rules.row_rules(sheet, work[sheet]))
        return frames, finding.result() if finding is not None else None


def _find_cases(work: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame | None, dict[str, pl.Series]]:
    """The case table of ``cases`` in memory (:func:`casekit.validation._rules.case_table`
    with ``_row``, every row taken as clean: its ids do not depend on which case rows have
    errors) and, for each sheet of ``work`` in memory with a ``case_id``, each row's case: its
    position in the table's ids, null when none; ``(None, {})`` without cases in memory.

    >>> cases = pl.DataFrame({"case_id": ["B", "A"], "_row": [2, 3]}).with_columns(opened_on=None, closed_on=None)
    >>> table, found = _find_cases({"cases": cases, "goals": pl.DataFrame({"case_id": ["A", "Z"]})})
    >>> table["case_id"].to_list(), found["goals"].to_list()
    (['A', 'B'], [0, None])
    """
    cases = work.get("cases")
    if not isinstance(cases, pl.DataFrame):
        return None, {}
    table = _rules.case_table(cases, pl.lit(True), keep_row=True)
    lookup = Lookup.of(table.get_column("case_id"), table.get_column("_key"))
    named = [s for s, df in work.items() if isinstance(df, pl.DataFrame) and "case_id" in df.columns]
    return table, dict(zip(named, lookup.find_all([work[s].get_column("case_id") for s in named]), strict=True))


def _case_links(
    work: dict[str, pl.DataFrame],
    issues: pl.DataFrame,
    found: tuple[pl.DataFrame | None, dict[str, pl.Series]] | None = None,
) -> tuple[list[pl.DataFrame], pl.Series, dict[str, pl.Series]]:
    """The case-link issues of every sheet of ``work`` but ``cases``; the sorted ids of
    ``cases`` and, for the sheets in memory, each row's position in them (its case:
    ``found`` when given, :func:`_find_cases` of ``work``)."""
    cases = work["cases"]
    # event dates are checked only against cases without errors of their own
    rows, whole = error_rows(issues, "cases")
    without_errors = pl.lit(not whole) & ~pl.col(ROW).is_in(rows.get_column(ROW).implode())
    table, positions = _find_cases(work) if found is None else found  # in memory: each row's case found once
    table = _rules.case_table(cases, without_errors) if table is None else _rules.with_clean(table, without_errors)
    others = {sheet: df for sheet, df in work.items() if sheet != "cases"}
    # whether the ids' hashes are distinct: needed only to join a sheet not found above (scanned)
    unique_keys = None if set(others) <= set(positions) else table.get_column("_key").n_unique() == table.height
    cross = _rules.all_case_links(others, table, unique_keys=unique_keys, found=positions)
    return cross, table.get_column("case_id"), positions


def _with_index(clean: CaseData, ids: pl.Series, found: dict[str, pl.Series]) -> CaseData:
    """``clean`` (returned) given its case index (:func:`casekit._case_index.given_index`)
    from ``found``, the positions of its rows' cases in ``ids`` (the sorted ids of every
    row of ``cases``): renumbered densely over the ids of the clean rows, which every
    rule then shares without computing an index of its own.

    >>> d = CaseData({"cases": pl.DataFrame({"case_id": ["A", "C"]})})
    >>> found = {"cases": pl.Series([0, 2], dtype=pl.UInt32)}
    >>> _with_index(d, pl.Series("case_id", ["A", "B", "C"]), found).__dict__["_given_index"][2]["cases"].to_list()
    [0, 1]
    """
    present = pl.repeat(False, ids.len(), eager=True)
    # the clean cases usually hold every id: the other sheets' rows then need no look
    for at in sorted(found.values(), key=lambda at: at is not found.get("cases")):
        present = present.scatter(at.drop_nulls(), True)
        if present.all():
            return given_index(clean, ids, found)
    number = present.cast(INDEX_DTYPE).cum_sum()  # 1 + the dense index of each id still present
    return given_index(clean, ids.filter(present), {s: number.gather(at) - 1 for s, at in found.items()})


def report_for(result: ValidationResult, lang: str) -> pl.DataFrame:
    """The report of ``result`` with its messages (and sheet/column labels) in ``lang``,
    without validating again.

    >>> bad = CaseData({"cases": pl.DataFrame({"case_id": ["A"], "opened_on": [None], "_row": [2]})})
    >>> report_for(validate(bad, lang="en"), "es")["message"].to_list()
    ['Falta la fecha de apertura.']
    """
    lang = normalize_lang(lang)
    if lang == result.lang or result.issues is None:
        return result.report
    return build_report(result.issues, lang=lang, headers=result.data.headers)


def issue_report(issues: pl.DataFrame, *, lang: str, headers: dict[str, dict[str, str]] | None = None) -> pl.DataFrame:
    """The report of an issue frame as :func:`validate` writes it (one row per problem, its
    message in ``lang``), for issues found outside a validation: a workspace's held-back
    rows, a record it refuses. ``issues`` has the columns of :data:`casekit.data.ISSUE_SCHEMA`
    (``other_column`` and ``other_value`` too, when a rule names a second column).

    >>> from casekit.data import ISSUE_SCHEMA
    >>> issues = pl.DataFrame([("cases", 3, "opened_on", None, "required", "error", None)],
    ...                       schema=ISSUE_SCHEMA, orient="row")
    >>> issue_report(issues, lang="es")["message"].to_list()
    ['Falta la fecha de apertura.']
    """
    missing = [c for c in ("other_column", "other_value") if c not in issues.columns]
    issues = issues.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    return build_report(issues, lang=normalize_lang(lang), headers=headers or {})
