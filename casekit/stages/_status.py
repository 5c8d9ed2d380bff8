"""Where every case stands as of a date, and what is overdue (docs/process_rules.md).

One lazy query: each sheet is reduced to one row per case by its own aggregation
(screenings, assessments, reviews, goals, services, contacts, transitions, outcomes),
the aggregates are joined to ``cases``, and the stage and every flag are column
expressions over that wide frame. No loop over cases. The rules, exactly as
implemented, are in ``docs/process_rules.md``.

Examples
--------
>>> import datetime as dt
>>> import polars as pl
>>> from casekit.data import CaseData
>>> cases = pl.DataFrame({"case_id": ["A", "B"], "opened_on": [dt.date(2026, 3, 1)] * 2})
>>> screenings = pl.DataFrame(
...     {"case_id": ["B"], "screened_on": [dt.date(2026, 3, 2)], "decision": ["refer_to_assessment"]}
... )
>>> data = CaseData({"cases": cases, "screenings": screenings})
>>> status = case_status(data, as_of=dt.date(2026, 3, 15), risk=NO_RISK)
>>> status.select("case_id", "current_stage", "flags", "next_due_on").rows()
[('A', 'screening', ['screening_overdue'], datetime.date(2026, 3, 8)),
 ('B', 'assessment', [], datetime.date(2026, 3, 16))]
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from casekit._case_index import (
    INDEX_DTYPE,
    carried,
    coded,
    index_table,
    is_coded,
    keep_case_keys,
    to_text,
    with_added,
)
from casekit._frames import (
    Reduction,
    columns_of,
    earliest,
    engine_for,
    id_ranges,
    is_lazy,
    latest,
    max_where,
    min_where,
    reduce_by_index,
    reduced,
    sheet,
    unwrap,
    value_where,
)
from casekit._masks import bit_mask, names_by_mask, picked
from casekit.contract import ROW, SHEETS
from casekit.data import CaseData, ValidationResult
from casekit.measures import MeasureCatalogue, evaluates_alone, post_only_keys
from casekit.stages._config import ProcessConfig, load_process_config
from casekit.stages._names import FLAGS, STAGE_NUMBER, STAGES
from casekit.stages._obligations import (
    CONTACT_CATEGORIES,
    CONTACT_COLUMNS,
    TX_COLUMNS,
    client_contact,
    red_flag_open,
    red_flag_parts,
    safety_review_on,
    transition_checks,
)

if TYPE_CHECKING:
    from polars._typing import EngineType

    from casekit.risk.model import RiskModel

__all__ = [
    "NO_RISK",
    "PRIORITIES",
    "PRIORITY",
    "TIER_ORDER",
    "case_status",
    "flags_long",
    "open_flag_count",
    "stage_entries",
    "worklist",
]

#: A risk frame with no tiers (every case uses the configured default tier for deadlines).
NO_RISK = pl.DataFrame(schema={"case_id": pl.String(), "effective_tier": pl.String()})

IMPLEMENTATION_KINDS = ("appointment", "home_visit", "education")
NEGATIVE_DECISIONS = ("not_eligible", "declined")
DECISIONS = ("refer_to_assessment", *NEGATIVE_DECISIONS)

_EXTRA_COLUMNS = (
    "flag_due_on",
    "flag_detail",
    "deadline_tier",
    "reached_stage_number",
    "last_assessed_on",
    "closed_on",
    "as_of",
)

#: Columns every status frame has, in order (extra columns follow).
STATUS_COLUMNS = (
    "case_id",
    "current_stage",
    "current_stage_number",
    "stage_entered_on",
    "days_in_stage",
    "effective_tier",
    "flags",
    "next_due_on",
    "case_manager",
    "program",
)


def case_status(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date,
    config: ProcessConfig | str | Path | None = None,
    risk: pl.DataFrame | pl.LazyFrame | None = None,
    model: RiskModel | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
    engine: EngineType | None = None,
) -> pl.DataFrame:
    """One row per case opened on or before ``as_of``: its stage, flags and next due date.

    Columns: ``case_id, current_stage, current_stage_number, stage_entered_on,
    days_in_stage, effective_tier, flags, next_due_on, case_manager, program``, then
    ``flag_due_on`` (the date each flag in ``flags`` became due, same order),
    ``deadline_tier`` (the tier used for deadlines: the effective tier, else the
    configured default), ``reached_stage_number`` (first stage not complete, ignoring
    closure: where a closed case stopped), ``last_assessed_on`` (the latest assessment up
    to ``as_of``; null when not assessed: the follow-up cadence runs for every open case
    that has one), ``closed_on`` and ``as_of``.

    Only evidence dated on or before ``as_of`` counts. ``risk`` is a frame with
    ``case_id, effective_tier`` (e.g. the output of :func:`casekit.risk.score_risk`);
    when ``risk`` is None ``model`` (default: the shipped risk model) scores the data as
    of ``as_of``. ``model``'s red flags, on the contract's columns or on a team's own
    columns, open ``safety_red_flag``. With
    a :class:`~casekit.data.ValidationResult` the clean rows are used and cases with
    quarantined rows carry the flag ``quarantined_rows``; a case whose identity cannot
    be read (its ``cases`` row set aside with no ``case_id`` or ``opened_on``) is listed
    last, in the stage ``unknown`` with ``quarantined_rows`` alone, never dropped.
    ``measures``: the measures catalogue (:func:`casekit.measures.load_measures`; a
    team's file or TOML text, ``None`` = shipped): its post-only measures complete stage 9
    on their own. Rules: ``docs/process_rules.md``. ``engine``: the polars engine of the
    query (default: ``"streaming"`` for sheets scanned from Parquet files,
    :func:`casekit.scan_caseload`, else polars' choice); the result is the same.
    """
    cfg = load_process_config(config)
    clean, _ = unwrap(data)
    quarantined = unknown = None
    if isinstance(data, ValidationResult):
        clean, quarantined = status_data(data), _quarantined_sheets(data)
        unknown = _unknown_identity(data, clean, as_of)
    view = coded(clean)  # in memory: joins and group-bys on the case index, text ids back at the end
    # the tiers on the index too: scored on it, or the risk table made from the same data
    tiers = (
        _risk_tiers(view, as_of, model) if risk is None else risk if (keyed := carried(view, risk)) is None else keyed
    )
    if engine is None:
        engine = "streaming" if is_lazy(clean) else "auto"
    # the plan's row-wise expressions over a case frame in memory: the in-memory engine (polars
    # 2.1's "auto" runs them streaming: at 1M cases ~0.15 s more CPU, in 6 of 6 alternations)
    plan_engine = "in-memory" if engine == "auto" and not is_lazy(view) else engine
    # a scanned caseload: range of case ids by range (the text ids), row order at the end
    ranges = case_ranges(view) if engine == "streaming" and is_lazy(view) else [view]
    if len(ranges) > 1:  # the tiers computed once, over every case
        tiers = tiers.lazy().collect(engine="streaming").lazy()
    frames = []
    for part in ranges:
        wide, flag_names = _case_frame(
            part, as_of=as_of, cfg=cfg, measures=measures, risk=tiers, quarantined=quarantined, model=model
        )
        if len(ranges) == 1:  # stage_entries of the same data reads the stages' inputs from here
            _keep_stage_inputs(view, wide, as_of=as_of, cfg=cfg, measures=measures)
        plan = _status_plan(wide, flag_names, as_of=as_of, cfg=cfg)
        early = [x for x in _EXTRA_COLUMNS if x != "flag_detail"]
        frame = plan.select(*STATUS_COLUMNS, *early, ROW, "_mask", *_detail_inputs(flag_names))
        frame = _with_flag_details(frame.collect(engine=plan_engine), flag_names)
        frames.append(frame.select(*STATUS_COLUMNS, *_EXTRA_COLUMNS, ROW))
    status = pl.concat(frames, how="vertical")
    status = (status.sort(ROW) if len(frames) > 1 else status).drop(ROW)
    status = to_text(view, status)  # the text ids back (the table carries its index, casekit._case_index)
    if unknown is None or unknown.height == 0:
        return status
    return pl.concat([status, _unknown_rows(unknown, status.schema, as_of)], how="vertical")


#: Cases per range when the status of a scanned caseload is computed range by range.
RANGE_CASES = 1_000_000


def case_ranges(clean: CaseData, *, cases: int | None = None) -> list[CaseData]:
    """``clean`` cut into consecutive ranges of case ids (about ``cases`` each, default
    :data:`RANGE_CASES`; :func:`casekit._frames.id_ranges`), every sheet kept to the range's
    rows: the status is computed case by case, so the ranges' statuses together, in row
    order, are the status of ``clean``, and only one range is in memory at a time (the
    filter reaches the Parquet scans, also the parts of a query that polars runs in memory).

    >>> cases = pl.DataFrame({"case_id": ["A", "B", "C"]}).lazy()
    >>> goals = pl.DataFrame({"case_id": ["C", "A", "C", None]}).lazy()
    >>> parts = case_ranges(CaseData({"cases": cases, "goals": goals}), cases=2)
    >>> [(p["cases"].collect()["case_id"].to_list(), p["goals"].collect()["case_id"].to_list()) for p in parts]
    [(['A', 'B'], ['A', None]), (['C'], ['C', 'C'])]
    >>> parts[1]["goals"].collect()["_row"].to_list()  # each row keeps its number
    [2, 4]
    """
    if "cases" not in clean:
        return [clean]
    n = _numbered(clean["cases"]).select(pl.len()).collect(engine="streaming").item()
    if n <= (size := cases or RANGE_CASES):
        return [clean]
    numbered = {name: _numbered(df) for name, df in clean.sheets.items()}
    return [
        CaseData(
            {name: df.filter(part) for name, df in numbered.items()},
            issues=clean.issues,
            source=clean.source,
            headers=clean.headers,
        )
        for part in id_ranges(clean, -(-n // size))
    ]


def _numbered(df: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """``df`` lazily, with its ``_row`` (row position + 2 when it has none) before any filter."""
    if ROW in columns_of(df):
        return df.lazy()
    return df.lazy().with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def stage_entries(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date,
    config: ProcessConfig | str | Path | None = None,
    measures: MeasureCatalogue | str | Path | None = None,
) -> pl.DataFrame:
    """The day each case entered each stage it reached, by the completion rules:
    ``case_id, stage_number, stage, entered_on`` (one row per case and stage reached;
    stage *k* is entered when stages 1…k-1 are all complete; stage 1 on opening).
    Closed cases keep the stages they reached before closing. Input of
    :func:`~casekit.stages.stage_durations`. ``measures``: as in :func:`case_status`.

    >>> import datetime as dt
    >>> from casekit.data import CaseData
    >>> cases = pl.DataFrame({"case_id": ["A"], "opened_on": [dt.date(2026, 3, 1)]})
    >>> scr = pl.DataFrame({"case_id": ["A"], "screened_on": [dt.date(2026, 3, 4)],
    ...                     "decision": ["refer_to_assessment"]})
    >>> stage_entries(CaseData({"cases": cases, "screenings": scr}), as_of=dt.date(2026, 3, 9)).rows()
    [('A', 1, 'screening', datetime.date(2026, 3, 1)), ('A', 2, 'assessment', datetime.date(2026, 3, 4))]
    """
    cfg = load_process_config(config)
    clean, _ = unwrap(data)
    view = coded(clean)
    c = pl.col
    _, done, completed_on = _stages(cfg, as_of)
    # the day each stage reached was entered: all earlier stages complete (never before opening);
    # a case reached stages 1 … min(reached, 9), each entered on a day (its opening is known)
    entered = [latest(c("opened_on"), *(v for j, v in completed_on.items() if j < k)) for k in range(1, 10)]
    inputs = _stage_inputs(view, as_of=as_of, cfg=cfg, measures=measures)
    wide = (
        inputs.select(
            "case_id",
            ROW,
            _entered=pl.concat_arr(entered),
            _reached=pl.min_horizontal(_reached(done), pl.lit(9, pl.Int8)),
        )
        .sort(ROW, maintain_order=True)
        .collect()
    )
    rows = wide.get_column(ROW)
    number = c("stage_number").cast(pl.UInt32) - 1
    entries = (
        wide.lazy()
        .select("case_id", ROW, "_entered", stage_number=pl.int_ranges(1, c("_reached") + 1, dtype=pl.Int8))
        .explode("stage_number")  # one row per stage reached, in stage order
        .with_columns(stage=pl.lit(pl.Series(STAGES[:9])).gather(number), entered_on=c("_entered").arr.get(number))
    )
    if rows.null_count() or not rows.diff().drop_nulls().gt(0).all():  # rows tied: by row, then stage
        entries = entries.sort(ROW, "stage_number", maintain_order=True)
    entries = entries.select("case_id", "stage_number", "stage", "entered_on").collect()
    return to_text(view, entries)


_KEPT = "_stage_inputs"


def _stage_key(as_of: dt.date, cfg: ProcessConfig, measures: MeasureCatalogue | str | Path | None) -> tuple:
    """What the stages' inputs of one data depend on: the day, the rules, the post-only measures."""
    return (as_of, cfg, tuple(post_only_keys(measures)))


def _keep_stage_inputs(
    view: CaseData,
    wide: pl.LazyFrame,
    *,
    as_of: dt.date,
    cfg: ProcessConfig,
    measures: MeasureCatalogue | str | Path | None,
) -> None:
    """Keep the :data:`STAGE_INPUTS` columns of the case frame ``wide`` on ``view`` (a coded view
    in memory, whose ``wide`` is a frame in memory: the columns are shared, not copied), for
    :func:`stage_entries` of the same data, day, rules and measures. One set per view."""
    if is_coded(view) and not is_lazy(view):
        inputs = wide.select(STAGE_INPUTS).collect()
        object.__setattr__(view, _KEPT, (_stage_key(as_of, cfg, measures), inputs))


def _stage_inputs(
    view: CaseData, *, as_of: dt.date, cfg: ProcessConfig, measures: MeasureCatalogue | str | Path | None
) -> pl.LazyFrame:
    """The :data:`STAGE_INPUTS` of the cases of ``view``: those kept by :func:`case_status` (or
    an earlier call) for the same day, rules and measures, else computed from the stages'
    parts only (:func:`_case_frame`) and kept.

    >>> data = CaseData({"cases": pl.DataFrame({"case_id": ["A"], "opened_on": [dt.date(2026, 3, 1)]})})
    >>> view, cfg = coded(data), load_process_config()
    >>> first = _stage_inputs(view, as_of=dt.date(2026, 3, 9), cfg=cfg, measures=None).collect()
    >>> first.columns == list(STAGE_INPUTS), first.height
    (True, 1)
    >>> kept = view.__dict__[_KEPT]
    >>> _ = _stage_inputs(view, as_of=dt.date(2026, 3, 9), cfg=cfg, measures=None)
    >>> view.__dict__[_KEPT] is kept  # the same day, rules and measures: read, not computed
    True
    >>> _ = _stage_inputs(view, as_of=dt.date(2026, 3, 10), cfg=cfg, measures=None)
    >>> view.__dict__[_KEPT][0][0]  # another day: computed again, and kept instead
    datetime.date(2026, 3, 10)
    """
    kept = view.__dict__.get(_KEPT)
    if kept is not None and kept[0] == _stage_key(as_of, cfg, measures):
        return kept[1].lazy()
    wide, _ = _case_frame(view, as_of=as_of, cfg=cfg, measures=measures)
    _keep_stage_inputs(view, wide, as_of=as_of, cfg=cfg, measures=measures)
    return wide.select(STAGE_INPUTS)


def status_data(data: CaseData | ValidationResult) -> CaseData:
    """The rows :func:`case_status` reads: a plain caseload as it is; of a validation result,
    the clean data with the rows set aside only because their case's own row was put back
    (docs/process_rules.md). What explains a case's status reads these rows too (Learn).

    >>> from casekit.data import CaseData
    >>> data = CaseData({"cases": pl.DataFrame({"case_id": ["A"]})})
    >>> status_data(data) is data
    True
    """
    return _reinstated(data) if isinstance(data, ValidationResult) else data


def _reinstated(result: ValidationResult) -> CaseData:
    """The clean data plus the rows set aside only because their case's own row was (rule 8:
    a case whose ``case_id`` and ``opened_on`` are readable keeps every obligation on its
    valid rows; its ``cases`` row comes back too, without the columns in error mattering).
    Made once per validation result (so is its case index, :func:`casekit._case_index.coded`)."""
    cached = result.__dict__.get("_reinstated")
    if cached is not None and cached[0] is result.data:
        return cached[1]
    data = keep_case_keys(result.data, _reinstate(result))
    object.__setattr__(result, "_reinstated", (result.data, data))
    return data


def _reinstate(result: ValidationResult) -> CaseData:
    """:func:`_reinstated`, computed."""
    issues = result.issues
    if issues is None or not any(df.height for df in result.quarantined.values()):
        return result.data
    errors = issues.filter(pl.col("severity") == "error")
    sheets = dict(result.data.sheets)
    clean_ids = _case_ids(result.data)
    added: dict[str, pl.DataFrame] = {}
    for name, held in result.quarantined.items():
        if held.height == 0 or ROW not in held.columns or name not in sheets:
            continue
        own = errors.filter((pl.col("sheet") == name) & (pl.col("check") != "case_quarantined"))
        if own["row"].null_count():  # the whole sheet is in error
            continue
        if name == "cases":
            back = held.filter(
                pl.col("case_id").is_not_null()
                & pl.col("opened_on").is_not_null()
                & ~pl.col("case_id").is_in(clean_ids.implode())
            ).unique("case_id", keep="first", maintain_order=True)
        else:
            back = held.filter(~pl.col(ROW).is_in(own["row"].drop_nulls().implode()))
        if back.height and isinstance(sheets[name], pl.LazyFrame):  # a scanned sheet stays lazy
            sheets[name] = pl.concat([sheets[name], back.lazy()], how="vertical_relaxed").sort(ROW)
        elif back.height:
            sheets[name] = pl.concat([sheets[name], back], how="vertical_relaxed").sort(ROW)
            added[name] = back
    data = CaseData(sheets, issues=result.data.issues, source=result.data.source, headers=result.data.headers)
    # the clean data's case index, extended to the rows put back (not a second index)
    return with_added(result.data, data, added, how="vertical_relaxed", sort=ROW)


def _case_ids(data: CaseData) -> pl.Series:
    """The ``case_id`` column of the ``cases`` sheet (read from the files when it is scanned)."""
    df = data.get("cases")
    if df is None:
        return pl.Series("case_id", [], pl.String)
    return df.lazy().select("case_id").collect(engine=engine_for(df)).to_series()


def _unknown_identity(result: ValidationResult, clean: CaseData, as_of: dt.date) -> pl.DataFrame | None:
    """The ``cases`` rows set aside whose case is not in ``clean`` (its ``case_id`` or
    ``opened_on`` could not be read, or its whole sheet is in error): ``case_id,
    case_manager, program`` (one row per readable id; every row without an id)."""
    held = result.quarantined.get("cases")
    if held is None or held.height == 0 or "case_id" not in held.columns:
        return None
    known = _case_ids(clean)
    readable = held.schema.get("opened_on") == pl.Date()
    opened = pl.col("opened_on") if readable else pl.lit(None, pl.Date)
    text = {
        c: pl.col(c).cast(pl.String) if c in held.columns else pl.lit(None, pl.String)
        for c in ("case_manager", "program")
    }
    listed = pl.col("case_id").cast(pl.String).is_in(known.cast(pl.String).implode())
    # a readable opening after as_of: the case does not exist yet (as for clean cases)
    unknown = held.filter(
        pl.col("case_id").is_null() | (~listed & (opened.is_null() | (opened <= as_of)).fill_null(value=True))
    ).select(pl.col("case_id").cast(pl.String), **text)
    named = unknown.filter(pl.col("case_id").is_not_null()).unique("case_id", keep="first", maintain_order=True)
    unknown = pl.concat([named, unknown.filter(pl.col("case_id").is_null())])
    # their assessments and screenings were set aside with them: one may hide a red flag
    held_ids = [
        df.get_column("case_id").cast(pl.String).drop_nulls()
        for name, df in result.quarantined.items()
        if name in RED_FLAG_SHEETS and df.height and "case_id" in df.columns
    ]
    hides = pl.col("case_id").is_in(pl.concat(held_ids).implode()) if held_ids else pl.lit(value=False)
    return unknown.with_columns(detail=_possible_red_flag(pl.lit("cases"), hides.fill_null(value=False)))


def _unknown_rows(unknown: pl.DataFrame, schema: pl.Schema, as_of: dt.date) -> pl.DataFrame:
    """Status rows of cases whose identity cannot be read: stage ``unknown`` and the flag
    ``quarantined_rows`` alone (detail: the ``cases`` sheet, and ``possible_red_flag``
    when an assessment or screening of the case was set aside with it), due on ``as_of``."""
    n = unknown.height
    values = {
        "current_stage": ["unknown"] * n,
        "current_stage_number": [STAGE_NUMBER["unknown"]] * n,
        "flags": [["quarantined_rows"]] * n,
        "next_due_on": [as_of] * n,
        "flag_due_on": [[as_of]] * n,
        "flag_detail": unknown.select(pl.col("detail").str.split(";").list.eval(pl.element().str.split(",")))
        .to_series()
        .to_list(),
        "as_of": [as_of] * n,
    }
    columns = {
        name: unknown[name] if name in unknown.columns else pl.Series(name, values.get(name, [None] * n))
        for name in schema
    }
    return pl.DataFrame(columns).cast(pl.Schema(schema)).select(list(schema))


def _quarantined_sheets(result: ValidationResult) -> pl.LazyFrame:
    """``case_id, q_sheets``: the sheets (ids, comma-joined) holding each case's rows set aside
    for errors of their own, then ``possible_red_flag`` when one is an assessment or a
    screening (it may hide a red flag)."""
    issues = result.issues
    frames = []
    for name, held in result.quarantined.items():
        if held.height == 0 or "case_id" not in held.columns:
            continue
        rows = held.select(pl.col("case_id").cast(pl.String), ROW) if ROW in held.columns else held.select("case_id")
        if issues is not None and ROW in held.columns:
            own = issues.filter(
                (pl.col("sheet") == name) & (pl.col("severity") == "error") & (pl.col("check") != "case_quarantined")
            )
            if not own["row"].null_count():
                rows = rows.filter(pl.col(ROW).is_in(own["row"].implode()))
        frames.append(rows.select("case_id", sheet=pl.lit(name)))
    if not frames:
        return pl.LazyFrame(schema={"case_id": pl.String(), "q_sheets": pl.String()})
    order = {name: i for i, name in enumerate(SHEETS)}
    return (
        pl.concat(frames)
        .drop_nulls("case_id")
        .unique()
        .lazy()
        .group_by("case_id")
        .agg(
            q_sheets=pl.col("sheet").sort_by(pl.col("sheet").replace_strict(order, default=99)).str.join(","),
            _hides=pl.col("sheet").is_in(RED_FLAG_SHEETS).any(),
        )
        # a quarantined assessment or screening may hide a red flag: say so in the detail
        .select("case_id", q_sheets=_possible_red_flag(pl.col("q_sheets"), pl.col("_hides")))
    )


#: Sheets whose rows carry the risk model's red-flag inputs (a row set aside there may hide one).
RED_FLAG_SHEETS = ("assessments", "screenings")
#: The worklist detail id of a quarantined row that may hide a red flag.
POSSIBLE_RED_FLAG = "possible_red_flag"


def _possible_red_flag(sheets: pl.Expr, hides: pl.Expr) -> pl.Expr:
    """``sheets`` (comma-joined ids) followed by ``possible_red_flag`` when ``hides``."""
    return pl.when(hides).then(pl.concat_str(sheets, pl.lit("," + POSSIBLE_RED_FLAG))).otherwise(sheets)


def _risk_tiers(data: CaseData, as_of: dt.date, model: RiskModel | None = None) -> pl.LazyFrame:
    """Effective tiers from the risk module (``model``, default the shipped one; evidence up
    to ``as_of``), lazily."""
    try:
        from casekit.risk import score_risk_lazy
    except ImportError:  # pragma: no cover - the risk module ships with casekit
        return NO_RISK.lazy()
    return score_risk_lazy(data, model, as_of=as_of).select("case_id", "effective_tier")


def _one_tier_per_case(risk: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """``case_id, effective_tier`` (text ids, or the case index), the last row of each case.

    A frame already sorted by a text ``case_id`` (as :func:`casekit.risk.score_risk`
    returns it) keeps the rows whose next id differs: same rows as ``unique(keep="last")``
    without hashing every id (about 0.4 s per million cases).

    >>> risk = pl.DataFrame({"case_id": ["A", "A", "B"], "effective_tier": ["low", "high", None]})
    >>> _one_tier_per_case(risk.sort("case_id")).collect().rows()
    [('A', 'high'), ('B', None)]
    >>> _one_tier_per_case(risk.lazy()).sort("case_id").collect().rows()
    [('A', 'high'), ('B', None)]
    """
    index = risk.lazy().collect_schema()["case_id"] == INDEX_DTYPE  # scored on the case index
    tiers = risk.lazy().select(
        pl.col("case_id") if index else pl.col("case_id").cast(pl.String), pl.col("effective_tier").cast(pl.String)
    )
    if (
        isinstance(risk, pl.DataFrame)
        and risk.schema["case_id"] in (pl.String, INDEX_DTYPE)
        and risk["case_id"].flags["SORTED_ASC"]
    ):
        ids = pl.col("case_id")
        return tiers.filter(ids.ne_missing(ids.shift(-1)))
    return tiers.unique("case_id", keep="last")


def _after(date: pl.Expr, days: int | pl.Expr) -> pl.Expr:
    return date + pl.duration(days=days)


def _aggregates(
    data: CaseData, as_of: dt.date, cfg: ProcessConfig, measures: MeasureCatalogue | str | Path | None = None
) -> Parts:
    """One frame per concern, one row per case (only evidence dated on or before ``as_of``);
    the reviews, missed and implementing contacts are made from other parts (:data:`Parts`)."""
    d = c = pl.col
    screenings = sheet(data, "screenings", ["case_id", "screened_on", "decision", ROW], enums=["decision"])
    # The latest decision (by date, then spreadsheet row) packed in one sortable integer:
    # a plain max per case is far faster than sorting inside each group.
    # an equality chain: about three times faster than replace_strict on a few texts
    decision_code = pl.when(d("decision") == DECISIONS[0]).then(pl.lit(0, pl.Int64))
    for code, decision in enumerate(DECISIONS[1:], start=1):
        decision_code = decision_code.when(d("decision") == decision).then(pl.lit(code, pl.Int64))
    latest_key = (d("screened_on").cast(pl.Int64) + 2**20) * 2**42 + d(ROW).fill_null(0) * 4 + decision_code
    screenings = _Reduced(
        screenings.filter(d("screened_on") <= as_of),
        {
            "refer_on": ("min", value_where(d("screened_on"), d("decision") == "refer_to_assessment")),
            "first_screened": ("min", d("screened_on")),
            "last_decision_on": ("max", value_where(d("screened_on"), d("decision").is_not_null())),
            "_latest": ("max", latest_key),
        },
        # whether the latest decision is negative: a flag gathered to the cases, not its text
        then=lambda part: part.with_columns(
            last_negative=(d("_latest") % 4).is_in([DECISIONS.index(x) for x in NEGATIVE_DECISIONS])
        ).drop("_latest"),
    )
    assessments = _Reduced(
        sheet(data, "assessments", ["case_id", "assessed_on"]).filter(d("assessed_on") <= as_of),
        {"first_assessed": ("min", d("assessed_on")), "last_assessed": ("max", d("assessed_on"))},
    )
    reviews = sheet(
        data, "risk_reviews", ["case_id", "reviewed_on", "safety_action", "reason"], enums=["safety_action"]
    ).filter(d("reviewed_on") <= as_of)

    def reviewed(parts: Mapping[str, Part]) -> pl.LazyFrame:  # each review beside its case's latest assessment
        return (
            _per_case(reviews, parts["assessments"], "last_assessed", data)
            .group_by("case_id")
            .agg(
                first_reviewed=d("reviewed_on").min(),
                review_ok_on=min_where(d("reviewed_on"), d("reviewed_on") >= d("last_assessed")),
                safety_on=safety_review_on(),
            )
        )

    goals = sheet(data, "goals", ["case_id", "set_on", "target_on", "status", "achieved_on"], enums=["status"])
    goal_open = (
        d("status").is_null()
        | d("status").is_in(["planned", "in_progress"])
        | ((d("status") == "achieved") & (d("achieved_on") > as_of)).fill_null(value=False)
    )
    goals = _Reduced(
        goals.filter(d("set_on") <= as_of),
        {
            "first_goal": ("min", d("set_on")),
            "first_target_goal": ("min", value_where(d("set_on"), d("target_on").is_not_null())),
            "goal_overdue_on": ("min", value_where(d("target_on"), goal_open & (d("target_on") < as_of))),
            "next_goal_target": ("min", value_where(d("target_on"), goal_open & (d("target_on") >= as_of))),
        },
    )
    services = sheet(data, "services", ["case_id", "start_on"])
    services = _Reduced(
        services.filter(d("start_on").is_null() | (d("start_on") <= as_of)),
        {"service_on": ("min", d("start_on")), "has_service": ("any", pl.lit(value=True))},
    )
    all_contacts = sheet(data, "contacts", CONTACT_COLUMNS, enums=CONTACT_CATEGORIES)
    checks = transition_checks(sheet(data, "transitions", TX_COLUMNS), all_contacts, as_of=as_of, cfg=cfg)
    tx_key = d("transition_on").cast(pl.Int64) * 2**32 + d(ROW).fill_null(0)
    missing = d("contact_status") == "missing"
    ok = d("contact_status").is_in(["within", "late"])
    transitions = checks.group_by("case_id").agg(
        first_tx=d("transition_on").min(),
        last_tx=d("transition_on").max(),
        # stage 8: the latest transition had its contact, in time or late (a gather at the
        # arg-max: ten times faster than filtering on `key == key.max()` inside each group)
        post_ok_on=pl.when(ok).then(d("contact_on")).get(tx_key.arg_max()),
        post_missing_on=min_where(d("window_ends_on"), missing),
        post_open_on=min_where(d("window_ends_on"), d("contact_status") == "open"),
    )
    # which transitions: their kind and id (ids, never text), over the missing ones only; the
    # texts gathered as a list and joined after (`str.join` inside the group-by: 4× the CPU)
    post_detail = (
        checks.filter(missing)
        .group_by("case_id")
        .agg(post_detail=pl.concat_str(d("kind").fill_null(""), pl.lit(","), d("transition_id").fill_null("")))
        .with_columns(d("post_detail").list.join(","))
    )
    contacts = all_contacts.filter(d("contact_on") <= as_of)
    attended = c("status") == "attended"
    on = c("contact_on")
    post = attended & (c("kind") == "post_transition")
    # Simple aggregates over all contacts, then small joins over the few rows that need
    # another sheet's date (cheaper than joining every contact to goals and transitions).
    main = _Reduced(
        contacts,
        {
            "last_attended": ("max", value_where(on, attended)),
            "last_client": ("max", value_where(on, client_contact(cfg))),
            "stale_on": ("min", value_where(on, (c("status") == "scheduled") & (on < as_of))),
            "first_post": ("min", value_where(on, post)),
        },
    )

    def missed(parts: Mapping[str, Part]) -> _Reduced:
        return _Reduced(
            _per_case(contacts.filter(c("status") == "missed"), parts["contacts"], "last_attended", data)
            # no attended contact later than the missed one (same day is not later)
            .filter(c("last_attended").is_null() | (on >= c("last_attended"))),
            {"missed_on": ("min", on)},
        )

    implementing = contacts.filter(attended & c("kind").is_in(IMPLEMENTATION_KINDS))

    def implemented(parts: Mapping[str, Part]) -> _Reduced:  # no goal: no first goal, no row
        return _Reduced(
            _per_case(implementing, parts["goals"], "first_goal", data).filter(on >= c("first_goal")),
            {"impl_on": ("min", on)},
        )

    outcomes = sheet(data, "outcomes", ["case_id", "measure", "measured_on", "timepoint"], enums=["timepoint"])
    # per measure: the earliest baseline, and whether a follow-up/discharge value is later
    # than it (the latest such value is later than the earliest baseline)
    outcomes = _Reduced(
        _per_measure(outcomes.filter(c("measured_on") <= as_of), measures)
        # a post-only measure (satisfaction at discharge) evaluates the case on its own
        .with_columns(
            paired=((c("last_later") > c("baseline_on")) | (c("_post_only") & c("last_later").is_not_null())).fill_null(
                value=False
            )
        ),
        {
            "first_baseline": ("min", c("baseline_on")),
            "first_later": ("min", c("later_on")),
            "paired": ("any", c("paired")),
            "outcome_due": (
                "min",
                value_where(
                    _after(c("baseline_on"), cfg.outcome_follow_up_days), c("baseline_on").is_not_null() & ~c("paired")
                ),
            ),
        },
    )
    return {
        "screenings": screenings,
        "assessments": assessments,
        "reviews": reviewed,
        "goals": goals,
        "services": services,
        "transitions": transitions,
        "post_detail": post_detail,
        "contacts": main,
        "missed": missed,
        "implemented": implemented,
        "outcomes": outcomes,
    }


def _per_measure(outcomes: pl.LazyFrame, measures: MeasureCatalogue | str | Path | None) -> pl.LazyFrame:
    """One row per (case, measure) of ``outcomes``: ``baseline_on`` (the earliest baseline),
    ``later_on`` and ``last_later`` (the earliest and latest follow-up or discharge value) and
    ``_post_only`` (the catalogue's rule, evaluated on each distinct measure name, not each row).

    On the case index, grouped on one number (case index × 2³² + the measure's categorical
    code) instead of on (case, text): at 1M cases 0.27 s of CPU against 0.44 s. A row without
    a case is left out there (it is attached to no case).

    >>> d = dt.date
    >>> rows = pl.LazyFrame({"case_id": [1, 1, 0, 1], "measure": ["phq9", "phq9", "phq9", None],
    ...     "measured_on": [d(2026, 1, 1), d(2026, 2, 1), d(2026, 1, 5), d(2026, 1, 9)],
    ...     "timepoint": ["baseline", "follow_up", "discharge", "baseline"]}, schema_overrides={"case_id": INDEX_DTYPE})
    >>> keyed = _per_measure(rows, None).sort("case_id", "baseline_on").collect()
    >>> keyed.select("case_id", "baseline_on", "last_later").rows()  # doctest: +NORMALIZE_WHITESPACE
    [(0, None, datetime.date(2026, 1, 5)), (1, datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)),
     (1, datetime.date(2026, 1, 9), None)]
    >>> text = _per_measure(rows.with_columns(pl.col("case_id").cast(pl.String)), None).collect()
    >>> keyed.drop("_code").cast({"case_id": pl.String}).equals(text.select(keyed.columns[:1] + keyed.columns[2:])
    ...     .sort("case_id", "baseline_on"))
    True
    """
    c = pl.col
    m, base, later = c("measured_on"), c("timepoint") == "baseline", c("timepoint").is_in(["follow_up", "discharge"])
    aggs = {"baseline_on": min_where(m, base), "later_on": min_where(m, later), "last_later": max_where(m, later)}
    if outcomes.collect_schema()["case_id"] != INDEX_DTYPE:  # text ids (a scanned caseload): by (case, measure)
        post_only = outcomes.select(c("measure").unique()).with_columns(
            _post_only=evaluates_alone(c("measure"), measures)
        )
        return outcomes.group_by("case_id", "measure").agg(**aggs).join(post_only, on="measure", how="left")
    outcomes = outcomes.filter(c("case_id").is_not_null()).with_columns(c("measure").cast(pl.Categorical))
    code = c("measure").to_physical().cast(pl.UInt64)
    post_only = outcomes.select(c("measure").unique()).select(
        _code=code, _post_only=evaluates_alone(c("measure").cast(pl.String), measures)
    )
    blank = 2**32 - 1  # no measure: a code of its own (no name's), matching no catalogue row
    return (
        outcomes.group_by(_key=c("case_id").cast(pl.UInt64) * 2**32 + code.fill_null(blank))
        .agg(**aggs)
        .select(case_id=(c("_key") // 2**32).cast(INDEX_DTYPE), _code=c("_key") % 2**32, **{k: c(k) for k in aggs})
        .join(post_only, on="_code", how="left")
    )


@dataclass(frozen=True)
class _Reduced:
    """A part made by reducing ``rows`` per case (:func:`casekit._frames.reduced`: ``aggs``,
    ``name: (op, value)``), then ``then`` (on the frame of one row per case).

    :func:`_attach` reduces it on the case index by numpy (:func:`reduce_by_index`: every
    case in the index's order, nothing to gather); elsewhere it is the group-by (:meth:`lazy`).

    >>> rows = pl.LazyFrame({"case_id": [1, 1, 0], "x": [4, 2, None]}, schema_overrides={"case_id": INDEX_DTYPE})
    >>> part = _Reduced(rows, {"lo": ("min", pl.col("x"))}, then=lambda p: p.with_columns(y=pl.col("lo") + 1))
    >>> part.lazy().sort("case_id").collect().rows()
    [(0, None, None), (1, 2, 3)]
    >>> part.by_index(part.values().collect(), 3).rows()  # every case, in the index's order
    [(0, None, None), (1, 2, 3), (2, None, None)]
    """

    rows: pl.LazyFrame
    aggs: Mapping[str, Reduction]
    then: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None

    def lazy(self) -> pl.LazyFrame:
        """The part as a group-by (one row per case present)."""
        part = reduced(self.rows, self.aggs)
        return part if self.then is None else self.then(part)

    def values(self) -> pl.LazyFrame:
        """``case_id`` and each reduction's value, row by row (what :meth:`by_index` reduces)."""
        return self.rows.select("case_id", *(value.alias(name) for name, (_, value) in self.aggs.items()))

    def by_index(self, values: pl.DataFrame, size: int) -> pl.DataFrame:
        """The part from its :meth:`values` on the case index: a row for each of the ``size``
        cases (:func:`reduce_by_index`), or of each case present when numpy cannot tell a value
        from a blank (then grouped, as :meth:`lazy`)."""
        ops = {name: op for name, (op, _) in self.aggs.items()}
        part = reduce_by_index(values, size, ops)
        if part is None:
            return (
                _Reduced(values.lazy(), {name: (op, pl.col(name)) for name, op in ops.items()}, self.then)
                .lazy()
                .collect()
            )
        if self.then is None:
            return part
        return self.then(part.lazy()).collect().with_columns(pl.col("case_id").set_sorted())


def _dense(part: pl.DataFrame, size: int) -> bool:
    """Whether ``part`` (one row per case, keyed by the case index) has every case of an index
    of ``size`` cases in its order (:meth:`_Reduced.by_index`): ids unique, sorted, no blank."""
    ids = part.get_column("case_id")
    return part.height == size and ids.null_count() == 0 and ids.flags["SORTED_ASC"]


#: A per-case part of the case frame: a frame (one row per case), or one made from other
#: parts (by their names, :func:`_per_case`) once those are known.
Part = pl.LazyFrame | pl.DataFrame | _Reduced
Parts = dict[str, Part | Callable[[Mapping[str, Part]], pl.LazyFrame | _Reduced]]


def _per_case(rows: pl.LazyFrame, part: Part, column: str, data: CaseData) -> pl.LazyFrame:
    """``rows`` with ``column`` of ``part`` (one row per case) for each row's case: null when
    the case has no row there. A left join, or on a coded view with ``part`` in memory
    (:func:`_attach`) a gather by the case index: ``part``'s values scattered into an array
    as long as the index, read at each row's index (the 0.8M risk reviews at 1M cases: 0.06 s
    of CPU against 0.2 s for the join).

    >>> from casekit._case_index import coded
    >>> d = coded(CaseData({"cases": pl.DataFrame({"case_id": ["A", "B"]})}))
    >>> rows = pl.LazyFrame({"case_id": [1, None, 0]}, schema={"case_id": INDEX_DTYPE})
    >>> part = pl.DataFrame({"case_id": [1], "x": [5]}, schema_overrides={"case_id": INDEX_DTYPE})
    >>> _per_case(rows, part, "x", d).collect()["x"].to_list()
    [5, None, None]
    >>> _per_case(rows, part.lazy(), "x", d).collect()["x"].to_list()
    [5, None, None]
    """
    if not isinstance(part, pl.DataFrame) or not is_coded(data):
        return rows.join(part.lazy().select("case_id", column), on="case_id", how="left", maintain_order="left")
    if _dense(part, len(data.ids)):  # every case in the index's order: the values as they are
        values = part.get_column(column)
    else:
        keyed = part.filter(pl.col("case_id").is_not_null())
        values = pl.repeat(None, len(data.ids), dtype=part.schema[column], eager=True)
        values = values.scatter(keyed.get_column("case_id"), keyed.get_column(column))
    return rows.with_columns(pl.lit(values).gather(pl.col("case_id")).alias(column))


def _out_of_order(cfg: ProcessConfig) -> pl.Expr:
    """The date a case's stage evidence first became out of order (null when in order).

    Earliest evidence per stage: 1 screening; 2 assessment or baseline outcome; 3 risk
    review; 4 goal set or service started; 7 transition; 8 attended post-transition
    contact; 9 follow-up/discharge outcome. A pair (earlier stage i, later stage j) is
    out of order when j's evidence is dated before i's; it became so on i's date.
    """
    c = pl.col
    evidence = {
        1: c("first_screened"),
        2: earliest("first_assessed", "first_baseline"),
        3: c("first_reviewed"),
        4: earliest("first_goal", "service_on"),
        7: c("first_tx"),
        8: c("first_post"),
        9: c("first_later"),
    }
    became = []
    for i, ei in evidence.items():
        for j, ej in evidence.items():
            if j <= i or (j == 9 and i in (7, 8) and cfg.outcomes_may_precede_transition):
                continue
            became.append(pl.when(ej < ei).then(ei))
    return earliest(*became)


#: The columns of the case frame the stages reached are computed from (:func:`_stages`).
STAGE_INPUTS = (
    "case_id",
    ROW,
    "opened_on",
    "closed_on",
    "refer_on",
    "first_assessed",
    "review_ok_on",
    "first_target_goal",
    "has_service",
    "service_on",
    "impl_on",
    "last_tx",
    "post_ok_on",
    "paired",
)
#: The aggregates :data:`STAGE_INPUTS` come from (the others feed the flags only).
STAGE_PARTS = ("screenings", "assessments", "reviews", "goals", "services", "transitions", "implemented", "outcomes")


def _case_frame(
    data: CaseData,
    *,
    as_of: dt.date,
    cfg: ProcessConfig,
    measures: MeasureCatalogue | str | Path | None,
    risk: pl.DataFrame | pl.LazyFrame | None = None,
    quarantined: pl.LazyFrame | None = None,
    model: RiskModel | None = None,
    red_flags: bool = True,
) -> tuple[pl.LazyFrame, list[str]]:
    """The cases opened on or before ``as_of`` with every part they need attached
    (:func:`_attach`), and the names of the red flags (``raised_<flag>`` columns). With
    ``risk=None``: the stages' parts only (:data:`STAGE_PARTS`), no tiers, red flags or
    quarantined sheets."""
    cases = sheet(data, "cases", ["case_id", "opened_on", "closed_on", "case_manager", "program", ROW])
    aggregates = _aggregates(data, as_of, cfg, measures)
    if risk is None:
        wide = _attach(cases.filter(pl.col("opened_on") <= as_of), {k: aggregates[k] for k in STAGE_PARTS}, data)
        return wide, []
    parts: Parts = {**aggregates, "_tiers": _indexed(_one_tier_per_case(risk), data)}
    flag_names: list[str] = []
    if red_flags:
        raised, flag_names = red_flag_parts(data, as_of=as_of, model=model)
        parts.update({f"_red_flags{i}": frame for i, frame in enumerate(raised)})
    if quarantined is not None:
        parts["_quarantined"] = _indexed(quarantined, data).with_columns(quarantined=pl.lit(value=True))
    wide = _attach(cases.filter(pl.col("opened_on") <= as_of), parts, data)
    if quarantined is None:
        wide = wide.with_columns(quarantined=pl.lit(None, dtype=pl.Boolean), q_sheets=pl.lit(None, dtype=pl.String))
    return wide, flag_names


def _stages(cfg: ProcessConfig, as_of: dt.date) -> tuple[pl.Expr, dict[int, pl.Expr], dict[int, pl.Expr]]:
    """Over the case frame (:data:`STAGE_INPUTS`): whether the case is closed, whether each
    stage 1–9 is complete, and the day each stage 1–8 was completed (docs/process_rules.md)."""
    c = pl.col
    closed = c("closed_on").is_not_null() & (c("closed_on") <= as_of)
    done = {
        1: c("refer_on").is_not_null(),
        2: c("first_assessed").is_not_null(),
        3: c("first_assessed").is_not_null() & (c("review_ok_on").is_not_null() | (not cfg.review_required)),
        4: c("first_target_goal").is_not_null() & c("has_service").fill_null(value=False),
        5: c("impl_on").is_not_null(),
        6: c("last_tx").is_not_null(),
        7: c("last_tx").is_not_null(),
        8: c("post_ok_on").is_not_null(),
        9: c("paired").fill_null(value=False) & closed,
    }
    completed_on = {
        1: c("refer_on"),
        2: c("first_assessed"),
        3: c("review_ok_on") if cfg.review_required else c("first_assessed"),
        4: latest("first_target_goal", "service_on"),
        5: c("impl_on"),
        6: c("last_tx"),
        7: c("last_tx"),
        8: c("post_ok_on"),
    }
    return closed, done, completed_on


def _reached(done: dict[int, pl.Expr]) -> pl.Expr:
    """``reached_stage_number``: the first stage not complete (10 when all are)."""
    reached = pl.lit(10)
    for k in range(9, 0, -1):
        reached = pl.when(~done[k]).then(pl.lit(k)).otherwise(reached)
    return reached.cast(pl.Int8)


def _status_plan(wide: pl.LazyFrame, flag_names: list[str], *, as_of: dt.date, cfg: ProcessConfig) -> pl.LazyFrame:
    """The stage, flags and due dates of every case of the case frame ``wide`` (:func:`_case_frame`)."""
    c = pl.col
    today = pl.lit(as_of)
    closed, done, completed_on = _stages(cfg, as_of)
    wide = wide.with_columns(
        is_closed=closed,
        effective_tier=pl.when(c("first_assessed").is_not_null()).then(c("effective_tier")),
        reached_stage_number=_reached(done),
        **{f"_done{k}": v for k, v in done.items()},
    ).with_columns(
        deadline_tier=c("effective_tier").fill_null(cfg.default_tier),
        current_stage_number=pl.when(c("is_closed")).then(pl.lit(10, pl.Int8)).otherwise(c("reached_stage_number")),
        _negative=c("last_negative").fill_null(value=False),
    )
    n = c("current_stage_number")
    entered = latest(c("opened_on"), *(pl.when(n > k).then(v) for k, v in completed_on.items()))
    is_open = ~c("is_closed")
    high = c("deadline_tier") == "high"
    cadence = (
        pl.when(c("deadline_tier") == "high")
        .then(cfg.cadence_high)
        .when(c("deadline_tier") == "low")
        .then(cfg.cadence_low)
        .otherwise(cfg.cadence_moderate)
    )
    reassess = (
        pl.when(c("deadline_tier") == "high")
        .then(cfg.reassess_high)
        .when(c("deadline_tier") == "low")
        .then(cfg.reassess_low)
        .otherwise(cfg.reassess_moderate)
    )
    red_open = _red_open(flag_names)
    safety_due = earliest(*red_open.values()) if red_open else pl.lit(None, dtype=pl.Date)
    deadlines = {
        "_screening_due": pl.when(is_open & ~c("_done1") & ~c("_negative")).then(
            _after(c("opened_on"), cfg.screening_days)
        ),
        "_assessment_due": pl.when(is_open & c("_done1") & ~c("_done2")).then(
            _after(c("refer_on"), cfg.assessment_days)
        ),
        "_plan_due": pl.when(is_open & c("_done2") & ~c("_done4")).then(
            _after(c("last_assessed"), pl.when(high).then(cfg.plan_days_high_tier).otherwise(cfg.plan_days))
        ),
        # every open assessed case, whatever its stage: the later of the last client contact
        # and the latest assessment, plus the tier's cadence
        "_follow_up_due": pl.when(is_open & c("_done2")).then(_after(latest("last_client", "last_assessed"), cadence)),
        "_reassessment_due": pl.when(is_open & c("_done2")).then(_after(c("last_assessed"), reassess)),
        "_post_due": pl.when(is_open).then(earliest("post_missing_on", "post_open_on")),
        "_outcome_due": pl.when(is_open).then(c("outcome_due")),
        "_goal_next": pl.when(is_open).then(c("next_goal_target")),
    }
    wide = wide.with_columns(stage_entered_on=pl.when(c("is_closed")).then(c("closed_on")).otherwise(entered))
    wide = wide.with_columns(**deadlines)
    due = {
        "safety_red_flag": pl.when(is_open & (safety_due < today)).then(safety_due),
        "screening_overdue": pl.when(c("_screening_due") < today).then(c("_screening_due")),
        "not_eligible_but_open": pl.when(is_open & c("_negative")).then(c("last_decision_on")),
        "assessment_overdue": pl.when(c("_assessment_due") < today).then(c("_assessment_due")),
        "risk_review_pending": pl.when(is_open & c("_done2") & ~c("_done3")).then(c("last_assessed")),
        "plan_overdue": pl.when(c("_plan_due") < today).then(c("_plan_due")),
        "missed_appointment": pl.when(is_open).then(c("missed_on")),
        "stale_scheduled_contact": pl.when(is_open).then(c("stale_on")),
        "follow_up_overdue": pl.when(c("_follow_up_due") < today).then(c("_follow_up_due")),
        "reassessment_due": pl.when(c("_reassessment_due") < today).then(c("_reassessment_due")),
        "goal_overdue": pl.when(is_open).then(c("goal_overdue_on")),
        "post_transition_contact_missing": pl.when(is_open).then(c("post_missing_on")),
        "outcome_follow_up_due": pl.when(c("_outcome_due") <= today).then(c("_outcome_due")),
        "closed_without_outcomes": pl.when(c("is_closed") & c("_done1") & ~c("paired").fill_null(value=False)).then(
            c("closed_on")
        ),
        "out_of_order": _out_of_order(cfg),
        "quarantined_rows": pl.when(c("quarantined")).then(today),
    }
    assert tuple(due) == FLAGS
    wide = wide.with_columns(**{f"_due_{f}": e for f, e in due.items()})
    flag_dues = [c(f"_due_{f}") for f in FLAGS]
    wide = wide.with_columns(_mask=bit_mask([d.is_not_null() for d in flag_dues]))
    return wide.with_columns(
        current_stage=n.replace_strict(dict(enumerate(STAGES, start=1)), return_dtype=pl.String),
        days_in_stage=(today - c("stage_entered_on")).dt.total_days(),
        flags=names_by_mask(FLAGS, c("_mask")),
        flag_due_on=picked(flag_dues, c("_mask")),
        # a flag raised when its deadline has passed is due on that deadline: the least of the
        # deadlines has it already (same dates, a quarter fewer columns to compare)
        next_due_on=earliest(*(c(f"_due_{f}") for f in FLAGS if f not in _ON_DEADLINE), *map(c, deadlines)),
        last_assessed_on=c("last_assessed"),
        as_of=today,
    ).sort(ROW)


def _red_open(flag_names: list[str]) -> dict[str, pl.Expr]:
    """Each red flag's day raised while still open: from the record that raised it until a
    review on or after it records a safety action (:func:`red_flag_open`)."""
    return {f: red_flag_open(pl.col(f"raised_{f}"), pl.col("safety_on")) for f in flag_names}


def _details(flag_names: list[str]) -> dict[str, pl.Expr]:
    """The flags that carry a detail, and its text on the case frame (ids, comma-joined)."""
    red_open = _red_open(flag_names)
    safety = (
        pl.concat_str(
            [pl.when(e.is_not_null()).then(pl.lit(f)) for f, e in red_open.items()], separator=",", ignore_nulls=True
        )
        if red_open
        else pl.lit(None, dtype=pl.String)
    )
    return {
        "safety_red_flag": safety,
        "post_transition_contact_missing": pl.col("post_detail"),
        "quarantined_rows": pl.col("q_sheets"),
    }


def _detail_inputs(flag_names: list[str]) -> list[str]:
    """The case frame's columns :func:`_with_flag_details` reads (beside the plan's ``_mask``)."""
    return [*(f"raised_{f}" for f in flag_names), "safety_on", "post_detail", "q_sheets"]


def _with_flag_details(frame: pl.DataFrame, flag_names: list[str]) -> pl.DataFrame:
    """``frame`` (the plan's rows: ``_mask`` and :func:`_detail_inputs`) with ``flag_detail``:
    each raised flag's detail as a list of ids (null for a flag without one), in ``flags``'
    order. Only the rows raising a flag that has a detail (at 1M cases 9 %) are picked and
    split; every other row is a list of nulls, one per flag, read from a table of every mask
    (at 1M cases 0.07 s of CPU against 0.18 s for picking and splitting every row).

    >>> flags = pl.Series([1 << FLAGS.index("goal_overdue") | 1 << FLAGS.index("quarantined_rows"), 0])
    >>> frame = pl.DataFrame({"_mask": flags, "post_detail": [None, None], "q_sheets": ["goals,contacts", None]},
    ...     schema_overrides={"_mask": pl.UInt32, "post_detail": pl.String})
    >>> _with_flag_details(frame, [])["flag_detail"].to_list()
    [[None, ['goals', 'contacts']], []]
    """
    c = pl.col
    details = _details(flag_names)
    bits = sum(1 << FLAGS.index(f) for f in details)
    has = (c("_mask") & bits) != 0
    split = pl.element().str.split(",").list.eval(pl.element().filter(pl.element() != ""))
    table = _no_details(len(FLAGS))
    picked_rows = (
        frame.filter(has)
        .select(picked([details.get(f) for f in FLAGS], c("_mask"), pl.String()).list.eval(split))
        .to_series()
        .cast(table.dtype)
    )
    at = frame.select(pl.when(has).then(has.cum_sum() - 1 + table.len()).otherwise(c("_mask")).cast(pl.UInt32))
    # one chunk: a gather from the two unjoined is ~30× slower on nested lists
    lists = pl.concat([table, picked_rows], rechunk=True)
    return frame.with_columns(lists.gather(at.to_series()).alias("flag_detail"))


@functools.cache
def _no_details(bits: int) -> pl.Series:
    """Every mask of ``bits`` bits as a list of nulls, one per set bit (``List(List(String))``).

    >>> _no_details(2).to_list()
    [[], [None], [None], [None, None]]
    """
    masks = pl.int_range(1 << bits, dtype=pl.UInt32)
    return pl.select(picked([None] * bits, masks, pl.List(pl.String())).alias("flag_detail")).to_series()


#: The flags due on one of the plan's deadlines (their due date is that deadline, when passed).
_ON_DEADLINE = frozenset(
    {
        "screening_overdue",  # _screening_due
        "assessment_overdue",  # _assessment_due
        "plan_overdue",  # _plan_due
        "follow_up_overdue",  # _follow_up_due
        "reassessment_due",  # _reassessment_due
        "outcome_follow_up_due",  # _outcome_due
    }
)


def _attach(cases: pl.LazyFrame, parts: Parts, data: CaseData) -> pl.LazyFrame:
    """``cases`` with the columns of every part (one row per case each) joined on ``case_id``
    (left joins: a case without a row in a part gets nulls), in the order of ``parts``; a
    part made from other parts (:data:`Parts`) is made once those are known.

    On a coded view in memory (:func:`casekit._case_index.coded`) the parts are collected
    together (``collect_all``: the sheets are scanned once for all of them), then the parts
    made from them (each reads the others' values by the case index, :func:`_per_case`), and
    each is *gathered* into the case order by the index instead of joined: a part's rows are
    scattered into an array as long as the index, which is read at each case's index (at
    1M cases, 0.5 s of CPU against 1.8 s for the hash joins). The rows stay in the order of
    ``cases``; same frame as the joins, which do not promise an order (the plan sorts by row).

    >>> from casekit._case_index import coded
    >>> d = coded(CaseData({"cases": pl.DataFrame({"case_id": ["B", "A", "B"], ROW: [2, 3, 4]})}))
    >>> part = pl.LazyFrame({"case_id": [0, None], "x": [7, 8]}, schema_overrides={"case_id": INDEX_DTYPE})
    >>> y = lambda p: _per_case(p["x"].lazy().select("case_id"), p["x"], "x", d).select("case_id", y=pl.col("x") + 1)
    >>> _attach(d["cases"].lazy(), {"x": part, "y": y}, d).collect().select("x", "y").rows()
    [(None, None), (7, 8), (None, None)]
    """
    own = {name: part for name, part in parts.items() if not callable(part)}
    if not is_coded(data) or is_lazy(data):
        made = {name: part if not callable(part) else part(own) for name, part in parts.items()}
        for part in made.values():
            cases = cases.join(part.lazy(), on="case_id", how="left")
        return cases
    size = len(data.ids)  # type: ignore[attr-defined]  # a coded view (is_coded above) carries its ids
    table, *frames = pl.collect_all([cases, *(_query(part) for part in own.values())])
    known = {name: _made(part, frame, size) for (name, part), frame in zip(own.items(), frames, strict=True)}
    later = {name: part(known) for name, part in parts.items() if callable(part)}
    frames = pl.collect_all([_query(part) for part in later.values()])
    known.update({name: _made(part, frame, size) for (name, part), frame in zip(later.items(), frames, strict=True)})
    index = table.get_column("case_id")
    # every case in the index's order (from files, a cases sheet sorted by id): each part's
    # positions are already in the cases' order, nothing to gather
    in_order = index.len() == size and index.null_count() == 0 and bool(index.equals(_count(size)))
    columns = [table]
    for name in parts:
        part = known[name]
        if _dense(part, size):  # reduced on the index: a row per case in the index's order
            columns.append(part.drop("case_id") if in_order else part.drop("case_id")[index])
            continue
        if part.get_column("case_id").null_count():  # a null id joins nothing
            part = part.filter(pl.col("case_id").is_not_null())
        at = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(part.get_column("case_id"), _count(part.height))
        columns.append(part.drop("case_id")[at if in_order else at.gather(index)])
    wide = pl.concat(columns, how="horizontal")
    rows = wide.get_column(ROW)
    if rows.null_count() == 0 and rows.is_sorted():  # the usual case: the plan's sort by row is free
        wide = wide.with_columns(pl.col(ROW).set_sorted())
    return wide.lazy()


def _query(part: Part) -> pl.LazyFrame:
    """What :func:`_attach` collects of a part: a reduced part's values row by row, else the part."""
    return part.values() if isinstance(part, _Reduced) else part.lazy()


def _made(part: Part, frame: pl.DataFrame, size: int) -> pl.DataFrame:
    """The part from what :func:`_query` collected (a reduced part reduced on the case index)."""
    return part.by_index(frame, size) if isinstance(part, _Reduced) else frame


def _count(n: int) -> pl.Series:
    """0, 1, … n - 1 (``UInt32``, the case index's type).

    >>> _count(3).to_list()
    [0, 1, 2]
    """
    return pl.int_range(n, dtype=INDEX_DTYPE, eager=True).alias("case_id")


def _indexed(frame: pl.LazyFrame, data: CaseData) -> pl.LazyFrame:
    """``frame`` (text ``case_id``) keyed like ``data``: by the case index when ``data`` is a
    coded view (an id absent from the data has no index and no row), else as it is."""
    schema = frame.collect_schema()
    if not is_coded(data) or schema["case_id"] == INDEX_DTYPE:  # text data, or keyed already
        return frame
    names = schema.names()
    return frame.join(index_table(data), on="case_id", how="inner").select(
        pl.col("_index").alias("case_id"), *names[1:]
    )


def flags_long(status: pl.DataFrame) -> pl.DataFrame:
    """One row per (case, open flag): ``case_id, flag, due_on`` (and ``detail`` when the
    status has ``flag_detail``) plus the case's columns.

    >>> import datetime as dt
    >>> st = pl.DataFrame({"case_id": ["A", "B"], "flags": [["goal_overdue"], []],
    ...                    "flag_due_on": [[dt.date(2026, 1, 2)], []]})
    >>> flags_long(st).rows()
    [('A', 'goal_overdue', datetime.date(2026, 1, 2))]
    """
    lists = ["flags", "flag_due_on", *(["flag_detail"] if "flag_detail" in status.columns else [])]
    names = {"flags": "flag", "flag_due_on": "due_on", "flag_detail": "detail"}
    first = [names[x] for x in lists]
    return (
        status.filter(pl.col("flags").list.len() > 0)
        .explode(*lists)
        .rename({x: names[x] for x in lists})
        .select("case_id", *first, pl.all().exclude("case_id", *first))
    )


#: Worklist priority of each flag on an open case (a closed case's flags are all 5).
PRIORITY: dict[str, int] = {
    "safety_red_flag": 1,
    "post_transition_contact_missing": 2,
    "follow_up_overdue": 3,
    "missed_appointment": 3,
    "screening_overdue": 4,
    "assessment_overdue": 4,
    "risk_review_pending": 4,
    "plan_overdue": 4,
    "goal_overdue": 4,
    "reassessment_due": 4,
    "outcome_follow_up_due": 4,
    "not_eligible_but_open": 4,
    "closed_without_outcomes": 5,
    "out_of_order": 6,
    "stale_scheduled_contact": 6,
    "quarantined_rows": 6,
}
#: Worklist priorities: 1 safety … 6 data.
PRIORITIES: tuple[str, ...] = ("safety", "transitions", "contact", "deadlines", "closed", "data")
#: Tier order of the worklist (``none``: not assessed yet).
TIER_ORDER: tuple[str, ...] = ("high", "moderate", "low", "none")

WORKLIST_COLUMNS = (
    "priority",
    "case_id",
    "client_name",
    "effective_tier",
    "case_manager",
    "program",
    "current_stage",
    "flag",
    "detail",
    "due_on",
    "days_overdue",
)


def worklist(
    status: pl.DataFrame,
    *,
    manager: str | Sequence[str] | None = None,
    data: CaseData | ValidationResult | None = None,
) -> pl.DataFrame:
    """What a case manager opens in the morning: a triage list, one row per open flag.

    Columns ``priority`` (1 safety, 2 transitions, 3 contact, 4 deadlines, 5 closed-case
    housekeeping — every flag of a closed case —, 6 data), ``case_id, client_name``
    (joined from ``data`` when given, else null), ``effective_tier`` (null when not
    assessed), ``case_manager, program, current_stage, flag, detail`` (which red flag,
    which transition; ids and values), ``due_on, days_overdue`` (days from ``due_on``
    to the status's ``as_of``). Sorted by priority, then tier (high → moderate → low →
    none), then days overdue (most first), then case and flag order. ``manager`` keeps
    only that case manager's (or those managers') cases. Labels: :func:`casekit.present.readable`.

    >>> import datetime as dt
    >>> st = pl.DataFrame({"case_id": ["A", "B", "C"], "case_manager": ["Ana", "Bo", "Bo"], "program": ["p"] * 3,
    ...     "current_stage": ["planning", "monitoring", "monitoring"], "effective_tier": ["high", "low", "high"],
    ...     "flags": [["plan_overdue"], ["follow_up_overdue"], ["follow_up_overdue"]],
    ...     "flag_due_on": [[dt.date(2026, 9, 20)], [dt.date(2026, 9, 1)], [dt.date(2026, 9, 25)]],
    ...     "as_of": [dt.date(2026, 9, 30)] * 3})
    >>> worklist(st).select("priority", "case_id", "effective_tier", "days_overdue").rows()
    [(3, 'C', 'high', 5), (3, 'B', 'low', 29), (4, 'A', 'high', 10)]
    >>> worklist(st, manager="Ana")["case_id"].to_list()
    ['A']
    """
    c = pl.col
    long = flags_long(status) if "flags" in status.columns else status
    if manager is not None:
        names = [manager] if isinstance(manager, str) else list(manager)
        long = long.filter(c("case_manager").is_in(names))
    for col in ("detail", "effective_tier", "client_name"):
        if col not in long.columns:
            long = long.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    if data is not None:
        cases = sheet(unwrap(data)[0], "cases", ["case_id", "client_name"]).unique("case_id", keep="first")
        long = long.drop("client_name").join(cases.collect(), on="case_id", how="left")
    order = c("flag").replace_strict({f: i for i, f in enumerate(FLAGS)}, default=len(FLAGS))
    tier = c("effective_tier").fill_null("none")
    return (
        long.with_columns(
            priority=_priority(),
            days_overdue=(c("as_of") - c("due_on")).dt.total_days(),
        )
        .sort(
            [
                c("priority"),
                tier.replace_strict({t: i for i, t in enumerate(TIER_ORDER)}, default=len(TIER_ORDER)),
                c("days_overdue"),
                c("case_id"),
                order,
            ],
            descending=[False, False, True, False, False],
            nulls_last=True,
        )
        .select(*WORKLIST_COLUMNS)
    )


def _priority() -> pl.Expr:
    """A worklist row's priority (its ``flag`` on a case in ``current_stage``): every flag of
    a closed case is 5, others :data:`PRIORITY` (6 when unknown)."""
    closed = (pl.col("current_stage") == "closed").fill_null(value=False)
    return pl.when(closed).then(5).otherwise(pl.col("flag").replace_strict(PRIORITY, default=6)).cast(pl.Int8)


def priority_counts(worklist: pl.DataFrame) -> dict[int, int]:
    """Worklist rows per priority (1…6, zeros included), of a :func:`worklist` or of the
    case status it is made from (the same counts, without making the worklist).

    >>> priority_counts(pl.DataFrame({"priority": [1, 1, 4]}))
    {1: 2, 2: 0, 3: 0, 4: 1, 5: 0, 6: 0}
    >>> st = pl.DataFrame({"case_id": ["A", "B"], "current_stage": ["planning", "closed"],
    ...     "flags": [["safety_red_flag", "plan_overdue"], ["goal_overdue"]]})
    >>> priority_counts(st)
    {1: 1, 2: 0, 3: 0, 4: 1, 5: 1, 6: 0}
    """
    if "priority" not in worklist.columns and "flags" in worklist.columns:  # a case status
        worklist = worklist.select("current_stage", pl.col("flags").alias("flag")).explode("flag").drop_nulls("flag")
        worklist = worklist.select(priority=_priority())
    counts = dict(worklist["priority"].value_counts().iter_rows()) if worklist.height else {}
    return {n: int(counts.get(n, 0)) for n in range(1, 7)}


def open_flag_count(status: pl.DataFrame) -> int:
    """The "open flags" figure shown on every screen: worklist rows of open cases.

    >>> import datetime as dt
    >>> st = pl.DataFrame({"case_id": ["A", "B"], "current_stage": ["planning", "closed"],
    ...     "flags": [["plan_overdue", "goal_overdue"], ["closed_without_outcomes"]]})
    >>> open_flag_count(st)
    2
    """
    is_open = pl.col("current_stage") != "closed"  # the flags' counts alone: no copy of the open rows
    return int(status.select(pl.col("flags").list.len().filter(is_open).sum()).item() or 0)
