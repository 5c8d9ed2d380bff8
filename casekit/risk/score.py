"""Score every assessed case with a points model: one lazy query over the workbook.

For each case the **latest** assessment (by ``assessed_on``, then spreadsheet row) is
scored, with the latest screening (by ``screened_on``) and the case's own columns
(``sex``, age at the assessment from ``birth_date``). Reviews in ``risk_reviews``
confirm or override the computed tier:

- ``override_tier``: the override of the case's latest review (by ``reviewed_on``,
  then row), whatever its date; a later review without an override clears it. A
  reviewer's decision therefore stands until a newer review replaces it, even after
  a new assessment (the case is then ``review_pending`` so the tier gets looked at again).
- ``effective_tier``: ``override_tier`` when set, else ``computed_tier``.
- ``reviewed_on``: the latest review on or after ``assessed_on`` (null if none);
  ``review_pending`` is true when there is none (stage 3 not complete).

Examples
--------
>>> from casekit.sample import make_sample
>>> scores = score_risk(make_sample(60, seed=4))
>>> scores.columns[:8]
['case_id', 'assessed_on', 'score', 'computed_tier', 'effective_tier', 'provisional', 'red_flags', 'missing_factors']
>>> sorted(scores["computed_tier"].unique().to_list())
['high', 'low', 'moderate']
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from casekit._case_index import coded, id_dtype, to_text
from casekit._frames import age_at, clean_data, columns_of, is_lazy
from casekit._frames import sheet as typed_sheet
from casekit._masks import names_where
from casekit.contract import FALSE_WORDS, ROW, SHEETS, TRUE_WORDS
from casekit.data import CaseData, ValidationResult, column_dtype
from casekit.i18n import t
from casekit.risk.instruments import (
    auditc_positive,
    bmi_class,
    bp_category,
    gad7_severity,
    lace_score,
    lace_tier,
    phq9_severity,
)
from casekit.risk.model import Factor, InputSpec, RedFlag, RiskModel, load_model, norm, norm_expr

if TYPE_CHECKING:
    from collections.abc import Collection

    from polars._typing import EngineType
    from polars.expr.whenthen import ChainedThen, Then

__all__ = [
    "INSTRUMENT_COLUMNS",
    "LocalInputWarning",
    "local_columns",
    "local_input_warnings",
    "missing_local_columns",
    "score_risk",
    "score_risk_lazy",
]

#: Instrument columns of the output, in order.
INSTRUMENT_COLUMNS: tuple[str, ...] = (
    "phq9_severity",
    "gad7_severity",
    "auditc_positive",
    "bp_category",
    "bmi_class",
    "lace_score",
    "lace_tier",
)
#: Assessment columns the instruments read.
_INSTRUMENT_INPUTS = (
    "phq9",
    "gad7",
    "audit_c",
    "systolic_bp",
    "diastolic_bp",
    "bmi",
    "length_of_stay_days",
    "acute_admission",
    "charlson",
    "ed_visits_6m",
)
_PREFIX = {"screenings": "scr__", "cases": "case__", "assessments": ""}
#: Types of the team's own columns once parsed.
_LOCAL_DTYPES = {"bool": pl.Boolean(), "float": pl.Float64(), "category": pl.String()}
_TRUE = sorted({norm(w) for w in TRUE_WORDS})
_FALSE = sorted({norm(w) for w in FALSE_WORDS})


def _frame(data: CaseData, sheet: str, columns: list[str], enums: Collection[str] = ()) -> pl.LazyFrame:
    """``columns`` of ``sheet`` plus ``case_id`` and ``_row``, typed; an absent sheet or
    column gives typed nulls (an absent sheet has no rows). A category column in ``enums``
    stays its contract Enum when the sheet holds it so (:func:`casekit._frames.sheet`)."""
    wanted = list(dict.fromkeys(["case_id", *columns]))
    lf = typed_sheet(data, sheet, [*wanted, ROW], enums=[c for c in wanted if c in enums])
    lf = lf.filter(pl.col("case_id").is_not_null())
    df = data.get(sheet)
    if df is not None and _sorted_ids(df):  # rows grouped by case: windows and joins on case_id take the sorted path
        lf = lf.with_columns(pl.col("case_id").set_sorted())
    return lf


def _enum_inputs(model: RiskModel) -> set[tuple[str, str]]:
    """``(sheet, column)`` of the contract's category columns the model reads only in ways that
    give the same on their Enum as on their text: a category factor's points (equality with
    each category) and a category red flag's values (``is_in``); ``cases.sex`` for AUDIT-C
    (equality) unless the model reads it otherwise. Equality with a text outside the
    vocabulary matches no row of either."""
    safe: set[tuple[str, str]] = {("cases", "sex")}
    other: set[tuple[str, str]] = set()
    items: tuple[Factor | RedFlag, ...] = (*model.factors, *model.red_flags)
    for item in items:
        spec = item.input
        if spec.local or spec.source not in _PREFIX:
            continue
        if isinstance(item, Factor):
            ok = spec.kind == "category" and not item.bands and bool(item.points)
        else:
            ok = spec.kind == "category" and item.band is None
        (safe if ok else other).add((spec.source, spec.column))
    return {
        (s, c)
        for s, c in safe - other
        if c in SHEETS[s].columns and isinstance(column_dtype(SHEETS[s].columns[c]), pl.Enum)
    }


def _local_frame(data: CaseData, sheet: str, specs: list[InputSpec]) -> pl.LazyFrame:
    """``case_id, _row`` and the team's own columns ``specs`` of ``sheet``, parsed by their
    declared type (yes/no/sí/x… → bool; ``1,5`` or ``1.5`` → number; a category compared
    ignoring case, accents and spaces); a column absent from the data is all null (a
    missing input of its factor)."""
    df = data.get(sheet)
    cols = [s.column for s in specs]
    if df is None:
        schema = {
            "case_id": id_dtype(data),
            ROW: pl.Int64(),
            **{c: _LOCAL_DTYPES[s.kind] for c, s in zip(cols, specs, strict=True)},
        }
        return pl.LazyFrame(schema=schema)
    lf, schema = df.lazy(), df.collect_schema()
    if ROW not in schema:
        lf = lf.with_row_index(ROW, offset=2)
    exprs = []
    for spec in specs:
        if spec.column not in schema:
            exprs.append(pl.lit(None, dtype=_LOCAL_DTYPES[spec.kind]).alias(spec.column))
            continue
        col, dtype = pl.col(spec.column), schema[spec.column]
        if spec.kind == "bool":
            if dtype == pl.Boolean:
                expr = col
            elif dtype.is_numeric():
                expr = pl.when(col == 1).then(True).when(col == 0).then(False)
            else:
                word = norm_expr(col.cast(pl.String))
                expr = pl.when(word.is_in(_TRUE)).then(True).when(word.is_in(_FALSE)).then(False)
        elif spec.kind == "float":
            text = col.cast(pl.String).str.strip_chars().str.replace(",", ".", literal=True)
            expr = col.cast(pl.Float64) if dtype.is_numeric() else text.cast(pl.Float64, strict=False)
        else:
            expr = norm_expr(col.cast(pl.String))
        exprs.append(expr.cast(_LOCAL_DTYPES[spec.kind]).alias(spec.column))
    return lf.select(pl.col("case_id").cast(id_dtype(data)), pl.col(ROW).cast(pl.Int64), *exprs).filter(
        pl.col("case_id").is_not_null()
    )


def local_columns(data: CaseData, sheet: str, specs: list[InputSpec]) -> pl.LazyFrame:
    """``case_id, _row`` and a team's own columns of ``sheet`` parsed by their declared
    type, each named after its input (``assessments.food_insecurity``): the values the
    risk model scores, for the stage engine's red flags.

    >>> from casekit.risk.model import local_input
    >>> a = pl.DataFrame({"case_id": ["A", "B"], "unsafe_stairs": ["Sí", "no"]})
    >>> stairs = local_input("unsafe_stairs", "bool")
    >>> local_columns(CaseData({"assessments": a}), "assessments", [stairs]).collect().rows()
    [('A', 2, True), ('B', 3, False)]
    """
    specs = list(dict.fromkeys(specs))
    return _local_frame(data, sheet, specs).rename({s.column: s.name for s in specs})


def _sorted_ids(df: pl.DataFrame | pl.LazyFrame) -> bool:
    """Whether ``df`` has a ``case_id`` (text, or the case index) without nulls in ascending
    order (one cheap pass; a lazy sheet, scanned from files, is not read for this: ``False``).

    >>> _sorted_ids(pl.DataFrame({"case_id": ["A", "A", "B"]})), _sorted_ids(pl.DataFrame({"case_id": ["B", "A"]}))
    (True, False)
    """
    if isinstance(df, pl.LazyFrame):
        return False
    ids = df.get_column("case_id", default=None)
    return ids is not None and ids.dtype in (pl.String, pl.UInt32) and ids.null_count() == 0 and ids.is_sorted()


def _latest(lf: pl.LazyFrame, date_col: str, as_of: dt.date | None) -> pl.LazyFrame:
    """Each case's latest row by ``date_col`` (ties: the later spreadsheet row)."""
    lf = lf.filter(pl.col(date_col).is_not_null())
    if as_of is not None:
        lf = lf.filter(pl.col(date_col) <= as_of)
    key = pl.col(date_col).cast(pl.Int64) * 2**32 + pl.col(ROW)
    return lf.filter(key == key.max().over("case_id"))


def _age(data: CaseData) -> pl.Expr:
    """Completed years from ``case__birth_date`` to ``assessed_on``
    (:func:`casekit._frames.age_at`, told the first and last date when both are dates of
    sheets in memory, so it reads them from a table of days).

    >>> import datetime as dt
    >>> born = [dt.date(2000, 3, 1), dt.date(2000, 2, 29), None]
    >>> data = CaseData({"cases": pl.DataFrame({"birth_date": born}),
    ...     "assessments": pl.DataFrame({"assessed_on": [dt.date(2026, 3, 1), dt.date(2001, 2, 28), None]})})
    >>> frame = pl.DataFrame({"assessed_on": data["assessments"]["assessed_on"], "case__birth_date": born})
    >>> frame.select(_age(data)).to_series().to_list()
    [26, 0, None]
    """
    assessed, born = _date_bounds(data, "assessments", "assessed_on"), _date_bounds(data, "cases", "birth_date")
    within = None if assessed is None or born is None else (min(assessed[0], born[0]), max(assessed[1], born[1]))
    return age_at(pl.col("assessed_on"), pl.col("case__birth_date"), within=within)


def _date_bounds(data: CaseData, sheet: str, column: str) -> tuple[dt.date, dt.date] | None:
    """The first and last date of ``sheet.column`` when it is a ``Date`` column in memory
    with a value, else ``None``."""
    df = data.get(sheet)
    if not isinstance(df, pl.DataFrame) or df.schema.get(column) != pl.Date:
        return None
    dates = df.get_column(column)
    first, last = dates.min(), dates.max()
    return (first, last) if isinstance(first, dt.date) and isinstance(last, dt.date) else None


def _local_name(spec: InputSpec) -> str:
    """Column of a team's own input in the scoring frame (apart from every other name)."""
    return f"local__{spec.source}__{spec.column}"


def _input(spec: InputSpec) -> pl.Expr:
    """The column holding ``spec``'s value in the scoring frame."""
    if spec.source == "derived":
        return pl.col(spec.name)
    if spec.local:
        return pl.col(_local_name(spec))
    return pl.col(_PREFIX[spec.source] + spec.column)


def _points(factor: Factor, x: pl.Expr) -> pl.Expr:
    """``factor.points_expr(x)``; a category factor as a chain of equality tests instead
    of ``replace_strict`` (same values, about five times faster on a few categories)."""
    if factor.bands or factor.input.kind == "bool" or not factor.points:
        return factor.points_expr(x)
    expr: Then | ChainedThen = pl.when(x.is_null()).then(pl.lit(None))
    for category, points in dict(factor.points).items():
        expr = expr.when(x == category).then(pl.lit(points))
    return expr.otherwise(pl.lit(0))


def _tier(model: RiskModel) -> pl.Expr:
    score, rule = pl.col("score"), model.tiers
    if rule.method == "percentiles":
        # share of scored cases with a score at least as high: ties share one tier,
        # so a tier never holds more than its share (ties at a boundary go lower)
        share = score.rank("max", descending=True) / pl.len()
        high, moderate = share <= rule.high, share <= rule.high + rule.moderate
    else:
        high, moderate = score >= rule.high, score >= rule.moderate
    tier = pl.when(high).then(pl.lit("high")).when(moderate).then(pl.lit("moderate")).otherwise(pl.lit("low"))
    return pl.when(pl.col("red_flags").list.len() > 0).then(pl.lit("high")).otherwise(tier).alias("computed_tier")


def score_risk_lazy(
    data: CaseData | ValidationResult, model: RiskModel | None = None, *, as_of: dt.date | None = None
) -> pl.LazyFrame:
    """The query behind :func:`score_risk`, not yet collected (to join or filter further)."""
    return _scores(data, model, as_of=as_of).sort("case_id")


def _scores(
    data: CaseData | ValidationResult, model: RiskModel | None = None, *, as_of: dt.date | None = None
) -> pl.LazyFrame:
    """:func:`score_risk_lazy` before its sort by case (the rows come in the assessments' order)."""
    if isinstance(data, ValidationResult):
        data = data.data
    model = model or load_model()
    sheet_inputs: dict[str, list[str]] = {"assessments": [], "screenings": [], "cases": ["sex", "birth_date"]}
    local: dict[str, list[InputSpec]] = {}
    for spec in model.inputs():
        if spec.local:
            local.setdefault(spec.source, []).append(spec)
        elif spec.source in sheet_inputs:
            sheet_inputs[spec.source].append(spec.column)

    def with_local(lf: pl.LazyFrame, sheet: str) -> pl.LazyFrame:
        """The team's own columns of ``sheet`` joined row by row (they come from the same row)."""
        if sheet not in local:
            return lf
        own = _local_frame(data, sheet, local[sheet]).rename({s.column: _local_name(s) for s in local[sheet]})
        return lf.join(own, on=["case_id", ROW], how="left")

    enums = _enum_inputs(model)

    def frame_of(sheet: str, columns: list[str]) -> pl.LazyFrame:
        return _frame(data, sheet, columns, enums=[c for s, c in enums if s == sheet])

    ass_cols = list(dict.fromkeys(["assessed_on", *_INSTRUMENT_INPUTS, "phq9_item9", *sheet_inputs["assessments"]]))
    ass_frame = with_local(frame_of("assessments", ass_cols), "assessments")
    assessments = _latest(ass_frame, "assessed_on", as_of).drop(ROW)

    scr_cols = list(dict.fromkeys(sheet_inputs["screenings"]))
    scr_local = [_local_name(s) for s in local.get("screenings", [])]
    scr_frame = with_local(frame_of("screenings", ["screened_on", *scr_cols]), "screenings")
    screenings = _latest(scr_frame, "screened_on", as_of).select(
        "case_id", *[pl.col(c).alias(_PREFIX["screenings"] + c) for c in scr_cols], *scr_local
    )
    case_cols = list(dict.fromkeys(sheet_inputs["cases"]))
    case_local = [_local_name(s) for s in local.get("cases", [])]
    cases = (
        with_local(frame_of("cases", case_cols), "cases")
        .filter(pl.col(ROW) == pl.col(ROW).min().over("case_id"))
        .select("case_id", *[pl.col(c).alias(_PREFIX["cases"] + c) for c in case_cols], *case_local)
    )
    reviews = _frame(data, "risk_reviews", ["reviewed_on", "override_tier"]).filter(pl.col("reviewed_on").is_not_null())
    if as_of is not None:
        reviews = reviews.filter(pl.col("reviewed_on") <= as_of)
    latest_review = _latest(reviews, "reviewed_on", None).select(
        "case_id", "override_tier", pl.col("reviewed_on").alias("last_review_on")
    )
    # the latest review on or after the assessment is the latest review when that one is
    # on or after it (no review is later), else none: no join of every review needed
    last = pl.col("last_review_on")

    frame = (
        assessments.join(screenings, on="case_id", how="left")
        .join(cases, on="case_id", how="left")
        .join(latest_review, on="case_id", how="left")
        .with_columns(pl.when(last >= pl.col("assessed_on")).then(last).alias("reviewed_on"))
        .with_columns(
            phq9_severity("phq9"),
            gad7_severity("gad7"),
            auditc_positive("audit_c", "case__sex"),
            bp_category("systolic_bp", "diastolic_bp"),
            bmi_class("bmi"),
            lace_score(),
            _age(data).cast(pl.Int64).alias("age"),
        )
        .with_columns(lace_tier("lace_score"))
    )

    dtype = pl.Int64() if model.integer_points else pl.Float64()
    pts = [f"pts_{f.name}" for f in model.factors]
    frame = frame.with_columns(
        _points(f, _input(f.input)).cast(dtype).alias(col) for f, col in zip(model.factors, pts, strict=True)
    )
    missing = names_where([(pl.col(c).is_null(), f.name) for f, c in zip(model.factors, pts, strict=True)])
    flags = names_where([(flag.condition(_input(flag.input)), flag.name) for flag in model.red_flags])
    frame = frame.with_columns(
        pl.sum_horizontal(pts).cast(dtype).alias("score"),
        missing.alias("missing_factors"),
        flags.alias("red_flags"),
    ).with_columns(
        (pl.col("missing_factors").list.len() > model.provisional_share * len(model.factors)).alias("provisional"),
        _tier(model),
    )
    return frame.select(
        "case_id",
        "assessed_on",
        "score",
        "computed_tier",
        pl.coalesce("override_tier", "computed_tier").alias("effective_tier"),
        "provisional",
        "red_flags",
        "missing_factors",
        "override_tier",
        "reviewed_on",
        "last_review_on",
        pl.col("reviewed_on").is_null().alias("review_pending"),
        *[pl.col(c).cast(model.points_dtype) for c in pts],  # the score is summed before: Int64
        *INSTRUMENT_COLUMNS,
        "age",
    )


class LocalInputWarning(UserWarning):
    """A risk model's factor reads a team's own column that the data does not have."""


def missing_local_columns(data: CaseData | ValidationResult, model: RiskModel) -> list[tuple[str, str, str]]:
    """``(factor or red flag, sheet, column)`` for each of the model's own columns absent
    from the data: each is a missing input of its factor for every client.

    >>> text = "[[factors]]|name = 'food'|input = 'food_insecurity'|type = 'bool'|points = {true = 2}"
    >>> m = load_model(text.replace("|", chr(10)))
    >>> missing_local_columns(CaseData({"assessments": pl.DataFrame({"case_id": ["A"]})}), m)
    [('food', 'assessments', 'food_insecurity')]
    """
    if isinstance(data, ValidationResult):
        data = data.data
    out = []
    items: tuple[Factor | RedFlag, ...] = (*model.factors, *model.red_flags)
    for item in items:
        spec = item.input
        df = data.get(spec.source)
        if spec.local and (df is None or spec.column not in columns_of(df)):
            out.append((item.name, spec.source, spec.column))
    return out


def local_input_warnings(data: CaseData | ValidationResult, model: RiskModel, lang: str | None = None) -> list[str]:
    """One message per missing own column (:func:`missing_local_columns`), naming the
    factor and the column, in ``lang``."""
    items: tuple[Factor | RedFlag, ...] = (*model.factors, *model.red_flags)
    labels = {f.name: f.label(lang) for f in items}
    return [
        t("risk.local_column_missing", lang, factor=labels[name], sheet=sheet, column=column)
        for name, sheet, column in missing_local_columns(data, model)
    ]


def score_risk(
    data: CaseData | ValidationResult,
    model: RiskModel | str | Path | None = None,
    *,
    as_of: dt.date | None = None,
    lang: str | None = None,
    engine: EngineType | None = None,
) -> pl.DataFrame:
    """Risk tier of every assessed case, factor by factor.

    ``model``: a :class:`RiskModel`, a TOML file or text, or ``None`` for the shipped
    default (a broken file raises ``ConfigError`` in ``lang``). ``as_of`` ignores
    assessments, screenings and reviews dated after it. ``engine``: the polars engine
    (default: in-memory, or ``"streaming"`` when the sheets are scanned files,
    :func:`casekit.scan_caseload`).

    One row per case with at least one assessment, sorted by ``case_id``:
    ``case_id, assessed_on, score, computed_tier, effective_tier, provisional,
    red_flags, missing_factors, override_tier, reviewed_on, last_review_on,
    review_pending``, one ``pts_<factor>`` column per factor (null when its input is
    missing: it then adds 0 and is listed in ``missing_factors``), the instrument
    columns ``phq9_severity, gad7_severity, auditc_positive, bp_category, bmi_class,
    lace_score, lace_tier`` and ``age`` (completed years at the assessment).

    Examples
    --------
    >>> import datetime as dt
    >>> data = CaseData({
    ...     "cases": pl.DataFrame({"case_id": ["A"], "sex": ["female"], "birth_date": [dt.date(1950, 6, 1)]}),
    ...     "assessments": pl.DataFrame({
    ...         "case_id": ["A", "A"], "assessed_on": [dt.date(2026, 1, 5), dt.date(2026, 3, 1)],
    ...         "phq9": [3, 22], "housing": ["stable", "homeless"]}),
    ... })
    >>> row = score_risk(data).row(0, named=True)
    >>> row["score"], row["pts_depression"], row["pts_housing"], row["pts_age"], row["computed_tier"]
    (9, 4, 3, 2, 'moderate')
    >>> row["provisional"], len(row["missing_factors"]), row["review_pending"]
    (True, 14, True)
    """
    if model is None or isinstance(model, str | Path):
        model = load_model(model, lang=lang)
    for message in local_input_warnings(data, model, lang):  # never a crash: the factor is missing
        warnings.warn(LocalInputWarning(message), stacklevel=2)
    # the in-memory engine: ~40% less CPU than the streaming one here (windows over case_id);
    # the streaming one for sheets scanned from files (``engine=None``: chosen by the data)
    if engine is None:
        engine = "streaming" if is_lazy(data) else "in-memory"
    view = coded(clean_data(data))  # in memory: the case index (issue 18), text ids back at the end
    scores = _scores(view, model, as_of=as_of).collect(engine=engine)
    if not scores.get_column("case_id").is_sorted():  # read in case order, it is: no sort (35 columns gathered)
        scores = scores.sort("case_id")
    return to_text(view, scores, sort=["case_id"])
