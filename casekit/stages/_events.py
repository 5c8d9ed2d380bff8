"""The event log: every dated fact of a caseload as ``(case_id, stage, activity, timestamp)``.

Activities are stable ids, with qualifiers after ``:`` (``contact:home_visit:attended``,
``screened:not_eligible``, ``transition:discharge``). Each event keeps the sheet and
spreadsheet row it came from (``sheet``, ``row``), so any event can be traced back.
:func:`to_process_mining` renames the columns the way process-mining tools (pm4py,
ProM, Disco, Celonis) read them.

Examples
--------
>>> import datetime as dt
>>> from casekit.data import CaseData
>>> cases = pl.DataFrame({"case_id": ["A"], "opened_on": [dt.date(2026, 3, 1)], "closed_on": [dt.date(2026, 5, 1)],
...                       "close_reason": ["goals_met"]})
>>> contacts = pl.DataFrame({"case_id": ["A"], "contact_on": [dt.date(2026, 3, 9)], "kind": ["home_visit"],
...                          "status": ["attended"]})
>>> events(CaseData({"cases": cases, "contacts": contacts})).select("stage", "activity", "timestamp").rows()
[('screening', 'case_opened', datetime.date(2026, 3, 1)),
 ('implementation', 'contact:home_visit:attended', datetime.date(2026, 3, 9)),
 ('closed', 'case_closed:goals_met', datetime.date(2026, 5, 1))]
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from casekit._case_index import CodedData, coded, is_coded, text_ids
from casekit._frames import Frame, engine_for, id_ranges, is_lazy, sheet, unwrap
from casekit.contract import ROW
from casekit.data import CaseData, ValidationResult
from casekit.stages._names import STAGES

if TYPE_CHECKING:
    import numpy as np
    from polars._typing import EngineType

__all__ = ["EVENT_SCHEMA", "events", "log_ranges", "sink_events", "to_process_mining", "write_event_log"]


#: Stage of a contact, by kind (a contact's stage is not recorded in the data).
CONTACT_STAGE = {
    "appointment": "implementation",
    "home_visit": "implementation",
    "education": "implementation",
    "follow_up": "monitoring",
    "phone_call": "monitoring",
    "post_transition": "post_transition",
}


def _qualified(base: str, *parts: pl.Expr) -> pl.Expr:
    """``base:part1:part2`` leaving out null parts."""
    return pl.concat_str([pl.lit(base), *parts], separator=":", ignore_nulls=True)


#: The log's ``stage`` and ``sheet``: Enums of their closed vocabularies (1 byte a row
#: instead of a 16-byte text view: ~360 MB less for 12M events). An Enum's physical code
#: is the stage order (``STAGE_NUMBER - 1``) and the sheet's rank by name, so the sort
#: moves 1-byte codes; ``== "risk"``, ``is_in``, CSV and ``cast(pl.String)`` read the text.
_STAGE = pl.Enum(STAGES)
#: The log's ``activity``: a categorical (a 4-byte code a row instead of a 16-byte text
#: view: ~140 MB less for 12M events). Its texts are built from the data's values
#: (``contact:<kind>:<status>``), so not an Enum: a caseload made by hand may hold any;
#: the process-wide categories, so that any two logs concatenate.
_ACTIVITY = pl.Categorical()
_SHEET = pl.Enum(
    sorted(
        (
            "cases",
            "screenings",
            "assessments",
            "risk_reviews",
            "goals",
            "services",
            "contacts",
            "transitions",
            "outcomes",
        )
    )
)

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "case_id": pl.String(),
    "stage": _STAGE,
    "activity": _ACTIVITY,
    "timestamp": pl.Date(),
    "sheet": _SHEET,
    "row": pl.Int64(),
}


@dataclass(frozen=True)
class _Part:
    """The events of one sheet (one kind of fact): the rows of ``frame`` dated by ``when``,
    their ``stage`` and ``activity``; ``by``: the columns ``activity`` is made of."""

    frame: pl.LazyFrame
    sheet: str
    stage: str | pl.Expr
    activity: pl.Expr
    when: str
    by: tuple[str, ...] = ()

    def stage_enum(self) -> pl.Expr:
        """The part's ``stage`` as the log's Enum: its name, or its expression of the columns."""
        return pl.lit(self.stage, dtype=_STAGE) if isinstance(self.stage, str) else self.stage.cast(_STAGE)


def _event(part: _Part, activity: pl.Expr, stage: pl.Expr | None = None) -> pl.LazyFrame:
    """The events of ``part``; ``stage`` and ``sheet`` as Enums, ``activity`` as given
    (a categorical, or a code into the log's list of activities: see :func:`_sorted`);
    ``stage``: the part's own unless given (looked up by the activity code)."""
    when = part.when
    stage_expr = part.stage_enum() if stage is None else stage
    return part.frame.filter(pl.col(when).is_not_null()).select(
        pl.col("case_id"),
        stage_expr.alias("stage"),
        activity.alias("activity"),
        pl.col(when).alias("timestamp"),
        pl.lit(part.sheet, dtype=_SHEET).alias("sheet"),
        pl.col(ROW).alias("row"),
    )


def events(
    data: CaseData | ValidationResult, *, as_of: dt.date | None = None, engine: EngineType | None = None
) -> pl.DataFrame:
    """One row per dated fact: ``case_id, stage, activity, timestamp, sheet, row``.

    Facts: case opened (stage ``screening``) and closed (``closed``, with the reason);
    screened (with the decision); assessed; risk reviewed (``confirmed`` or
    ``override_<tier>``); goal set (planning) and goal achieved (monitoring); service
    started (implementation) and ended (monitoring); each contact (``contact:<kind>:<status>``,
    stage by kind: appointment/home visit/education → implementation, follow-up/phone
    call → monitoring, post-transition → post_transition); each transition
    (``transition:<kind>``); each outcome measure (``outcome:<timepoint>``: baseline →
    assessment, follow-up/discharge → evaluation). Sorted by case, date and stage order.
    ``as_of`` keeps only facts dated on or before it. With a ValidationResult, the clean rows.
    Dtypes: :data:`EVENT_SCHEMA` (``stage`` and ``sheet`` are Enums of their closed
    vocabularies, ``activity`` a categorical, ``case_id`` text, a date and an Int64).

    ``engine="streaming"`` (the default for sheets scanned from Parquet files,
    :func:`casekit.scan_caseload`) builds and sorts the log one range of case ids at a
    time (:func:`log_ranges`), so only the log of one range is ever sorted in memory; the
    result is the same.
    """
    clean, _ = unwrap(data)
    if engine is None:
        engine = "streaming" if is_lazy(clean) else "auto"
    if engine != "streaming":
        view = coded(clean)  # in memory: the case index; sorting by it is sorting by the text id
        if is_coded(view) and not view.ordered:  # a workspace's keys: not the text order
            view = clean
        return _in_memory(view, as_of, engine)
    log = _unsorted(clean, as_of)
    return pl.concat([_sorted(part.collect(engine="streaming")) for part in log_ranges(clean, log)], how="vertical")


#: Events per range of case ids when the log is built range by range (streaming).
RANGE_ROWS = 4_000_000


def log_ranges(clean: CaseData, log: pl.LazyFrame, *, rows: int | None = None) -> list[pl.LazyFrame]:
    """``log`` cut into consecutive ranges of ``case_id`` (nulls in the first), about
    ``rows`` sheet rows each (default :data:`RANGE_ROWS`): sorted one by one and put end to
    end, they give the sorted log, whose first key is the case id.

    >>> data = CaseData({"cases": pl.DataFrame({"case_id": ["A", "B", "C", "D"]})})
    >>> log = pl.LazyFrame({"case_id": ["D", None, "A", "C", "B"]})
    >>> [p.collect()["case_id"].to_list() for p in log_ranges(data, log, rows=2)]
    [[None, 'A', 'B'], ['D', 'C']]
    """
    total = sum(df.lazy().select(pl.len()).collect(engine=engine_for(df)).item() for df in clean.sheets.values())
    return [log.filter(part) for part in id_ranges(clean, -(-total // (rows or RANGE_ROWS)))]


def sink_events(
    data: CaseData | ValidationResult, dest: str | Path, *, as_of: dt.date | None = None
) -> tuple[int, int]:
    """Write :func:`events` to ``dest`` (``.parquet`` or ``.csv``, as :func:`write_event_log`)
    without holding the whole log: each range of case ids (:func:`log_ranges`) is sorted
    and written to a temporary part, then the parts are streamed into ``dest`` in order.
    Returns the number of events and of cases written."""
    import shutil
    import tempfile

    clean, _ = unwrap(data)
    path = Path(dest)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".casekit-events-", dir=path.parent))
    n = cases = 0
    try:
        for k, part in enumerate(log_ranges(clean, _unsorted(clean, as_of))):
            log = _sorted(part.collect(engine="streaming"))
            log.write_parquet(work / f"part-{k:05d}.parquet")
            n, cases = n + log.height, cases + log["case_id"].n_unique()  # ranges share no case
        write_event_log(pl.scan_parquet(sorted(work.glob("part-*.parquet"))), path)
        return n, cases
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _unsorted(clean: CaseData, as_of: dt.date | None) -> pl.LazyFrame:
    """The log's rows as a lazy query, not sorted, in the log's dtypes (:data:`EVENT_SCHEMA`)."""
    return _log([_event(part, part.activity.cast(_ACTIVITY)) for part in _parts(clean)], as_of)


def _in_memory(view: CaseData, as_of: dt.date | None, engine: EngineType) -> pl.DataFrame:
    """The sorted log of sheets in memory: :func:`_packed_log` when it applies, else the
    log with activity codes (:func:`_activity_codes`) sorted on its five keys, else (a lazy
    sheet, too many combinations) the log with every activity's text (:func:`_unsorted`)."""
    parts = _parts(view, enums=True)
    plan = None if any(isinstance(df, pl.LazyFrame) for df in view.sheets.values()) else _activity_codes(parts)
    if plan is None:
        return _sorted(_unsorted(view, as_of).collect(engine=engine), view)
    if is_coded(view):
        log = _packed_log(view, parts, plan, as_of, engine)
        if log is not None:
            return log
    stages = pl.lit(plan.table.get_column("stage")).gather
    unsorted = _log([_event(p, code, stages(code)) for p, code in zip(parts, plan.codes, strict=True)], as_of)
    return _sorted(unsorted.collect(engine=engine), view, activities=plan.table.get_column("activity"))


#: Most activity texts one part may make from its columns' combinations (else: the categorical).
_MAX_COMBINATIONS = 1 << 16


@dataclass(frozen=True)
class _Plan:
    """The in-memory log's activity codes (:func:`_activity_codes`): per part, an expression
    of each row's code (UInt32); per code, its ``activity`` text, ``stage`` and ``sheet``
    (``table``); over the parts, the bounds of the days and rows (``bounds``: ``first``,
    ``last``, ``low``, ``high``, ``blank_rows``)."""

    codes: list[pl.Expr]
    table: pl.DataFrame
    bounds: dict[str, int | None]


def _activity_codes(parts: list[_Part]) -> _Plan | None:
    """The activity codes of ``parts`` (:class:`_Plan`), or ``None`` when a part makes more
    than :data:`_MAX_COMBINATIONS`. A part's code counts the combinations of its ``by``
    columns' values, null included: a column held as its Enum (``sheet(..., enums=)``) by
    its categories and codes, a text column by its distinct values (one pass, then a lookup:
    no text built). A code's activity and stage are the part's expressions evaluated on that
    combination (a stage depends only on the ``by`` columns).

    >>> part = _Part(pl.LazyFrame({"k": ["b", None, "a"], "d": [1, 2, 3], "_row": [2, 3, 4]}), "contacts",
    ...              "monitoring", _qualified("contact", pl.col("k")), "d", ("k",))
    >>> plan = _activity_codes([_Part(pl.LazyFrame(schema=part.frame.collect_schema()), "cases", "screening",
    ...                                pl.lit("case_opened"), "d"), part])
    >>> plan.table.rows(), part.frame.select(plan.codes[1]).collect().to_series().to_list()
    ([('case_opened', 'screening', 'cases'), ('contact', 'monitoring', 'contacts'), \
('contact:a', 'monitoring', 'contacts'), ('contact:b', 'monitoring', 'contacts')], [3, 1, 2])
    >>> plan.bounds
    {'first': 1, 'last': 3, 'low': 2, 'high': 4, 'blank_rows': 0}
    """
    schemas = [part.frame.collect_schema() for part in parts]
    wanted = [(i, c) for i, part in enumerate(parts) for c in part.by if not isinstance(schemas[i][c], pl.Enum)]
    day = pl.col("_when").to_physical().cast(pl.Int64)
    bounds = pl.concat(
        [
            part.frame.select(pl.col(part.when).alias("_when"), pl.col(ROW)).select(
                day.min().alias("first"),
                day.max().alias("last"),
                pl.col(ROW).min().alias("low"),
                pl.col(ROW).max().alias("high"),
                pl.col(ROW).null_count().cast(pl.Int64).alias("blank_rows"),
            )
            for part in parts
        ]
    )
    *found, spans = pl.collect_all(
        [*(parts[i].frame.select(pl.col(c).drop_nulls().unique().sort()) for i, c in wanted), bounds]
    )
    if any(frame.height >= _MAX_COMBINATIONS for frame in found):
        return None
    distinct = {key: frame.to_series().to_list() for key, frame in zip(wanted, found, strict=True)}
    codes: list[pl.Expr] = []
    tables: list[pl.DataFrame] = []
    offset = 0
    for i, part in enumerate(parts):
        held = [(c, schemas[i][c]) for c in part.by]
        values = [d.categories.to_list() if isinstance(d, pl.Enum) else distinct[(i, c)] for c, d in held]
        sizes = [len(v) + 1 for v in values]  # code 0: null
        combinations = math.prod(sizes)
        if combinations > _MAX_COMBINATIONS:
            return None
        code: pl.Expr = pl.lit(offset, dtype=pl.UInt32)
        stride = combinations
        for (c, d), v, size in zip(held, values, sizes, strict=True):
            stride //= size
            enum = pl.col(c) if isinstance(d, pl.Enum) else pl.col(c).cast(pl.Enum(v))
            code = code + (enum.to_physical().cast(pl.UInt32) + 1).fill_null(0) * stride
        codes.append(code)
        grid = pl.DataFrame(
            list(itertools.product(*([None, *v] for v in values))),
            schema=dict.fromkeys(part.by, pl.String),
            orient="row",
        )
        tables.append(
            grid.select(
                part.activity.cast(pl.String).alias("activity"),
                part.stage_enum().alias("stage"),
                pl.lit(part.sheet, dtype=_SHEET).alias("sheet"),
            )
        )
        offset += combinations
    ends = spans.select(pl.col("first").min(), pl.col("last").max(), pl.col("low").min(), pl.col("high").max())
    sums = ends.with_columns(spans.select(pl.col("blank_rows").sum())).row(0, named=True)
    return _Plan(codes, pl.concat(tables).rechunk(), sums)  # one chunk: a gather from it is a lookup


def _log(events: list[pl.LazyFrame], as_of: dt.date | None) -> pl.LazyFrame:
    log = pl.concat(events, how="vertical")
    return log if as_of is None else log.filter(pl.col("timestamp") <= as_of)


def _parts(clean: CaseData, *, enums: bool = False) -> list[_Part]:
    """The log's parts: each sheet's dated facts (:func:`events` lists them). ``enums``: the
    columns an activity is made of (``by``) as their Enum when the sheet holds it
    (``sheet(..., enums=)``); then only their codes may be read (:func:`_activity_codes`),
    the parts' ``stage`` and ``activity`` being evaluated on text."""
    c = pl.col

    def read(data: CaseData, name: str, columns: list[str], by: tuple[str, ...] = ()) -> pl.LazyFrame:
        return sheet(data, name, columns, enums=by if enums else ())

    cases = read(clean, "cases", ["case_id", "opened_on", "closed_on", "close_reason", ROW], ("close_reason",))
    parts = [
        _Part(cases, "cases", "screening", pl.lit("case_opened"), "opened_on"),
        _Part(cases, "cases", "closed", _qualified("case_closed", c("close_reason")), "closed_on", ("close_reason",)),
        _Part(
            read(clean, "screenings", ["case_id", "screened_on", "decision", ROW], ("decision",)),
            "screenings",
            "screening",
            _qualified("screened", c("decision")),
            "screened_on",
            ("decision",),
        ),
        _Part(
            read(clean, "assessments", ["case_id", "assessed_on", ROW]),
            "assessments",
            "assessment",
            pl.lit("assessed"),
            "assessed_on",
        ),
        _Part(
            read(clean, "risk_reviews", ["case_id", "reviewed_on", "override_tier", ROW], ("override_tier",)),
            "risk_reviews",
            "risk",
            _qualified(
                "risk_reviewed",
                pl.when(c("override_tier").is_null())
                .then(pl.lit("confirmed"))
                .otherwise(pl.lit("override_") + c("override_tier")),
            ),
            "reviewed_on",
            ("override_tier",),
        ),
    ]
    goals = read(clean, "goals", ["case_id", "set_on", "status", "achieved_on", ROW])
    parts += [
        _Part(goals, "goals", "planning", pl.lit("goal_set"), "set_on"),
        _Part(goals.filter(c("status") == "achieved"), "goals", "monitoring", pl.lit("goal_achieved"), "achieved_on"),
    ]
    services = read(clean, "services", ["case_id", "start_on", "end_on", ROW])
    parts += [
        _Part(services, "services", "implementation", pl.lit("service_started"), "start_on"),
        _Part(services, "services", "monitoring", pl.lit("service_ended"), "end_on"),
    ]
    contacts = read(clean, "contacts", ["case_id", "contact_on", "kind", "status", ROW], ("kind", "status"))
    parts.append(
        _Part(
            contacts,
            "contacts",
            c("kind").replace_strict(CONTACT_STAGE, default="monitoring", return_dtype=_STAGE),
            _qualified("contact", c("kind"), c("status")),
            "contact_on",
            ("kind", "status"),
        )
    )
    parts.append(
        _Part(
            read(clean, "transitions", ["case_id", "transition_on", "kind", ROW], ("kind",)),
            "transitions",
            "transition",
            _qualified("transition", c("kind")),
            "transition_on",
            ("kind",),
        )
    )
    outcomes = read(clean, "outcomes", ["case_id", "measured_on", "timepoint", ROW], ("timepoint",))
    parts.append(
        _Part(
            outcomes,
            "outcomes",
            pl.when(c("timepoint") == "baseline")
            .then(pl.lit("assessment", dtype=_STAGE))
            .otherwise(pl.lit("evaluation", dtype=_STAGE)),
            _qualified("outcome", c("timepoint")),
            "measured_on",
            ("timepoint",),
        )
    )
    return parts


#: The log's sort keys: case (nulls first), date, stage order, sheet name and row.
_KEYS = ("case_id", "timestamp", "stage", "sheet", "row")


def _sorted(log: pl.DataFrame, data: CaseData | None = None, *, activities: pl.Series | None = None) -> pl.DataFrame:
    """``log`` sorted by :data:`_KEYS`, in the log's dtypes (:func:`_as_text`;
    ``activities``: the text of each activity code, see :func:`_in_memory`), with
    the text ids for a case index of ``data``.

    Each column is gathered in that order (:func:`_order`) one at a time, its narrow
    unsorted column let go as soon as it is read: the log is never held twice, and the
    text ids are made once, sorted. They are made last, once the order is let go: the
    step's peak is the sorted log and the case index gathered (~0.45 GB for 12M events).

    >>> log = pl.DataFrame({"case_id": ["B", "A", "A", None], "stage": ["closed", "risk", "screening", "risk"],
    ...     "timestamp": [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 2, 1), dt.date(2027, 1, 1)],
    ...     "sheet": ["cases", "risk_reviews", "screenings", "risk_reviews"], "row": [2, 5, 3, 9]},
    ...     schema_overrides={"stage": _STAGE, "sheet": _SHEET})
    >>> _sorted(log).select("case_id", "stage", "row").rows()
    [(None, 'risk', 9), ('A', 'screening', 3), ('A', 'risk', 5), ('B', 'closed', 2)]
    >>> _sorted(log.with_columns(row=pl.lit(None, dtype=pl.Int64))).select("case_id", "stage").rows()
    [(None, 'risk'), ('A', 'screening'), ('A', 'risk'), ('B', 'closed')]
    """
    names = log.columns
    columns = log.rechunk().get_columns()  # one chunk: the sort and the gathers run on arrays
    del log  # the caller's frame is a temporary: each column is freed once read
    order = _order(pl.DataFrame(columns))
    columns.sort(key=lambda column: column.name == "case_id")  # stable: the text ids last
    out = []
    while columns:
        codes = columns.pop(0).gather(order)  # the unsorted column is let go here
        if not columns:
            del order
        out.append(_as_text(codes, data, activities))
        del codes
    return pl.DataFrame(out).select(names)


def _order(log: pl.DataFrame) -> pl.Series:
    """The row order of :func:`_sorted`: a stable sort on the five keys (in polars 2.1 half
    the cost of the default unstable multi-key sort: docs/performance.md, round 5); the keys
    order every event (a sheet row gives at most one event per stage), so stable or not
    gives the same order."""
    return log.select(pl.arg_sort_by(*_KEYS, maintain_order=True)).to_series()


def _bits(n: int) -> int:
    """Bits to hold the numbers 0 to ``n``."""
    return max(int(n).bit_length(), 1)


#: Events decoded at a time from the sorted numbers (:func:`_packed_log`): 512 KiB of them.
_BLOCK = 1 << 16


def _packed_log(
    view: CodedData, parts: list[_Part], plan: _Plan, as_of: dt.date | None, engine: EngineType
) -> pl.DataFrame | None:
    """The sorted log as one sort of 64-bit numbers, or ``None`` (then :func:`_sorted`)
    when they would not fit, a row has no number, or two events tie on the sort's keys.

    Each event's number packs, high to low, its case index + 1 (0: null, first), day (from
    the first), the rank of its (stage, sheet) pair, its row (from the lowest) and its
    activity code's place among its pair's codes (:func:`_activity_codes`, whose table
    gives each code's stage and sheet). The numbers are built in the parts' query, sorted
    by numpy (vectorised, ~0.1 s for 8M), and every column is read back from the sorted
    numbers (:func:`_unpacked`): no multi-key sort, no order to gather by, the unsorted log
    8 bytes an event.

    >>> from casekit._case_index import coded
    >>> data = coded(CaseData({"cases": pl.DataFrame({"case_id": ["B", "A"],
    ...     "opened_on": [dt.date(2026, 1, 2), dt.date(2026, 1, 3)], "closed_on": [dt.date(2026, 1, 2), None],
    ...     "close_reason": ["other", None]})}))
    >>> parts = _parts(data)
    >>> _packed_log(data, parts, _activity_codes(parts), None, "auto").select("case_id", "activity", "row").rows()
    [('A', 'case_opened', 3), ('B', 'case_opened', 2), ('B', 'case_closed:other', 2)]
    """
    import numpy as np

    table, bounds = plan.table, plan.bounds
    first, last, low, high = (bounds[k] for k in ("first", "last", "low", "high"))
    if first is None or low is None or high is None or last is None or bounds["blank_rows"]:
        return None
    if as_of is not None:
        last = min(last, (as_of - dt.date(1970, 1, 1)).days)
    pairs = table.select(pl.col("stage").to_physical().cast(pl.Int64) * 256 + pl.col("sheet").to_physical())
    rank = pairs.to_series().rank("dense").cast(pl.Int64) - 1  # (stage, sheet) in their sort order
    # the activity is stored as its place among its pair's codes (fewer bits than the code)
    local = pl.DataFrame({"pair": rank}).select(pl.int_range(pl.len()).over("pair")).to_series()
    widths = {"act": _bits(max(local.to_list())), "row": _bits(high - low), "pair": _bits(rank.n_unique() - 1)}
    widths |= {"day": _bits(max(last - first, 0)), "case": _bits(view.ids.len())}
    if sum(widths.values()) > 64:
        return None
    shift = _shifts(widths)
    u64 = pl.UInt64
    lookup = pl.lit((rank * (1 << shift["pair"]) + local).cast(u64))
    codes = np.zeros(rank.n_unique() << widths["act"], np.uint32)  # each code at its slot: pair, then place
    codes[rank.to_numpy() * (1 << widths["act"]) + local.to_numpy()] = np.arange(table.height, dtype=np.uint32)
    table = table.gather(codes)  # an empty slot repeats code 0: no null, so the gathers below need no validity

    def number(when: str, code: pl.Expr) -> pl.Expr:
        return (
            (pl.col("case_id").cast(u64) + 1).fill_null(0) * pl.lit(1 << shift["case"], u64)
            + (pl.col(when).to_physical().cast(pl.Int64) - first).cast(u64) * pl.lit(1 << shift["day"], u64)
            + (pl.col(ROW) - low).cast(u64) * pl.lit(1 << shift["row"], u64)
            + lookup.gather(code)
        )

    numbers = []
    for part, code in zip(parts, plan.codes, strict=True):
        rows = part.frame.filter(pl.col(part.when).is_not_null())
        rows = rows if as_of is None else rows.filter(pl.col(part.when) <= as_of)
        numbers.append(rows.select(number(part.when, code).alias("n")))
    collected = pl.concat(numbers, how="vertical").collect(engine=engine).to_series()
    key = np.concatenate([np.empty(0, np.uint64), *(chunk.to_numpy() for chunk in collected.get_chunks())])
    del collected
    key.sort()
    out = _unpacked(key, widths, {"case": -1, "day": first, "row": low})
    if out is None:
        return None
    blank = int(np.searchsorted(key, np.uint64(1 << shift["case"])))  # null case ids: first
    del key
    case = pl.Series("case_id", out.pop("case"))
    if blank:
        case = pl.concat([pl.repeat(None, blank, dtype=pl.UInt32, eager=True), case.slice(blank)], rechunk=True)
    slot = pl.Series(out.pop("slot"))  # the table's row at the slot: stage, activity and sheet
    columns = [
        text_ids(view, case).alias("case_id"),
        table.get_column("stage").gather(slot),
        table.get_column("activity").cast(_ACTIVITY).gather(slot),
        pl.Series("timestamp", out.pop("day")).cast(pl.Date),
        table.get_column("sheet").gather(slot),
        pl.Series("row", out.pop("row")),
    ]
    return pl.DataFrame(columns)


def _shifts(widths: dict[str, int]) -> dict[str, int]:
    """Where each field of ``widths`` (low to high) starts in a packed number of :func:`_packed_log`.

    >>> _shifts({"act": 1, "row": 2, "pair": 1})
    {'act': 0, 'row': 1, 'pair': 3}
    """
    return dict(zip(widths, itertools.accumulate(widths.values(), initial=0), strict=False))


def _unpacked(key: np.ndarray, widths: dict[str, int], added: dict[str, int]) -> dict[str, np.ndarray] | None:
    """The columns the sorted numbers ``key`` of :func:`_packed_log` hold (fields of
    ``widths``, low to high), a block of :data:`_BLOCK` at a time, which stays in the cache:
    ``case``, ``day`` and ``row`` plus ``added`` (in the column's type: the case's -1 wraps
    around for a null id), and ``slot``: the activity's pair and place (``pair`` bits, then
    ``act``). ``None`` when two events are alike on case, day, pair and row (the sort would
    not decide them).

    >>> import numpy as np
    >>> widths = {"act": 1, "row": 2, "pair": 1, "day": 2, "case": 2}
    >>> key = np.array([0b01_10_1_11_0, 0b10_00_0_01_1], dtype=np.uint64)
    >>> out = _unpacked(key, widths, {"case": -1, "day": 100, "row": 2})
    >>> {name: column.tolist() for name, column in out.items()}
    {'case': [0, 1], 'day': [102, 100], 'row': [5, 3], 'slot': [2, 1]}
    >>> _unpacked(np.array([4, 5], dtype=np.uint64), widths, {}) is None
    True
    """
    import numpy as np

    shift = _shifts(widths)
    mask = {name: np.uint64((1 << width) - 1) for name, width in widths.items()}
    dtypes = {"case": np.uint32, "day": np.int32, "row": np.int64, "slot": np.uint32}
    out = {name: np.empty(key.size, dtype) for name, dtype in dtypes.items()}
    work, act = np.empty(_BLOCK, np.uint64), np.empty(_BLOCK, np.uint64)
    above = None  # the sort's keys of the block before's last event
    for start in range(0, key.size, _BLOCK):
        block = key[start : start + _BLOCK]
        w = work[: block.size]
        np.right_shift(block, np.uint64(shift["row"]), out=w)  # case, day, pair and row: two events alike?
        if (w[1:] == w[:-1]).any() or above == w[0]:
            return None
        above = int(w[-1])
        for name in ("case", "day", "row"):
            np.right_shift(block, np.uint64(shift[name]), out=w)
            np.bitwise_and(w, mask[name], out=w)
            column = out[name][start : start + block.size]
            column[:] = w
            if added.get(name):
                column += np.array(added[name]).astype(column.dtype)
        np.right_shift(block, np.uint64(shift["pair"]), out=w)  # the activity: its pair and place
        np.bitwise_and(w, mask["pair"], out=w)
        np.left_shift(w, np.uint64(widths["act"]), out=w)
        np.bitwise_or(w, np.bitwise_and(block, mask["act"], out=act[: block.size]), out=w)
        out["slot"][start : start + block.size] = w
    return out


def _as_text(column: pl.Series, data: CaseData | None, activities: pl.Series | None = None) -> pl.Series:
    """``column`` of the log as the public log has it: an activity code (of ``activities``)
    as the log's categorical, gathered from the short list (no text made per row); the
    case index of a coded ``data`` as its text ids, gathered from the ids (every row points
    into their buffer); the other columns as they are.

    >>> texts = pl.Series(["assessed", "contact:home_visit:attended"])
    >>> out = _as_text(pl.Series("activity", [1, 0, 1], pl.UInt32), None, texts)
    >>> out.dtype, out.to_list()
    (Categorical, ['contact:home_visit:attended', 'assessed', 'contact:home_visit:attended'])
    """
    if column.name == "activity" and activities is not None:
        return activities.cast(_ACTIVITY).gather(column).alias(column.name)
    if column.name == "case_id" and data is not None and is_coded(data):
        return text_ids(data, column)
    return column


def to_process_mining(events_df: Frame) -> Frame:
    """The log in process-mining column names: ``case:concept:name``, ``concept:name``,
    ``time:timestamp`` (a datetime at midnight), then ``stage`` and the source columns,
    every one of them text as before (the log's Enums and categorical cast: the files are the same).

    >>> log = pl.DataFrame({"case_id": ["A"], "stage": ["screening"], "activity": ["case_opened"],
    ...                     "timestamp": [dt.date(2026, 3, 1)]})
    >>> to_process_mining(log).columns
    ['case:concept:name', 'concept:name', 'time:timestamp', 'stage']
    """
    out = events_df.rename({"case_id": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp"})
    enums = [name for name, dtype in out.collect_schema().items() if isinstance(dtype, (pl.Enum, pl.Categorical))]
    out = out.with_columns(pl.col("time:timestamp").cast(pl.Datetime("us")), pl.col(enums).cast(pl.String))
    first = ["case:concept:name", "concept:name", "time:timestamp"]
    return out.select(*first, pl.all().exclude(first))


def write_event_log(events_df: Frame, dest: str | Path) -> Path:
    """Write the log for process-mining tools: ``.csv`` (UTF-8, comma, ISO timestamps,
    formula-safe) or ``.parquet``, in :func:`to_process_mining` column names. A lazy log
    is streamed to the file (:func:`sink_events`)."""
    from casekit.errors import CasekitError
    from casekit.export import atomic_path, safe_frame, write_csv

    path = Path(dest)
    log = to_process_mining(events_df)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        with atomic_path(path) as tmp:
            if isinstance(log, pl.LazyFrame):
                log.sink_parquet(tmp, engine="streaming")
            else:
                log.write_parquet(tmp)
    elif suffix == ".csv" and isinstance(log, pl.LazyFrame):
        with atomic_path(path) as tmp:  # as write_csv writes it (the log's headers need no quoting)
            safe_frame(log).sink_csv(
                tmp, datetime_format="%Y-%m-%d %H:%M:%S", quote_style="non_numeric", engine="streaming"
            )
    elif suffix == ".csv" and isinstance(log, pl.DataFrame):
        write_csv(log, path, lang="en", bom=False)
    else:
        raise CasekitError("stages.cli_bad_out", file=path.name, formats=".csv, .parquet")
    return path
