"""One integer case index per data (issue 18): joins, group-bys and sorts on a number.

:func:`coded` gives a view of a :class:`~casekit.data.CaseData` whose sheets carry, in
place of the text ``case_id``, its **case index**, a ``UInt32``:

- from files, a dense numbering of the distinct ids of every sheet in text order
  (``"C-1"`` → 0, ``"C-2"`` → 1 …), so sorting by it is sorting by ``case_id``;
- from a workspace (:func:`with_case_keys`), the case's stable primary key in the
  ``cases`` table, so a new case leaves every other case's index as it was (ids found
  only in other sheets are numbered after the greatest key, in text order). Its order
  is then not the text order (``CodedData.ordered`` is false): a rule that sorts by
  case returns through :func:`to_text` with its sort keys.

A blank id stays null. The index is computed once per data (kept on the data object,
recomputed when a sheet frame is replaced) and shared by every rule that runs on the same
data: risk scores, case status, stage entries, events, outcome changes and summaries,
goals, utilisation, cohorts and Learn. The rules run unchanged on the view
(:func:`casekit._frames.sheet` keeps the index), tables of the same data given as inputs
(text ids) come in through :func:`to_index` (a :class:`Lookup` of the ids), and
:func:`text_ids` / :func:`to_text` turn the index back into the text ids at the edge
(display, export).

Of a validation result, :func:`casekit.validate` hands the index over
(:func:`given_index`): its case-link check finds every row's case in the sorted ids of
``cases`` (one hash join for every sheet), and those positions are the clean data's
index — no rule computes one (at 1M cases, about 1.4 s of CPU less: docs/performance.md).
Raw data (not validated: a workspace's) is indexed on first use (:func:`_positions`).

>>> import polars as pl
>>> from casekit.data import CaseData
>>> d = CaseData({"cases": pl.DataFrame({"case_id": ["B", "A"]}),
...               "contacts": pl.DataFrame({"case_id": ["A", None, "C", "A"]})})
>>> view = coded(d)
>>> view["cases"]["case_id"].to_list(), view["contacts"]["case_id"].to_list()
([1, 0], [0, None, 2, 0])
>>> view.ids.to_list()
['A', 'B', 'C']
>>> text_ids(view, pl.Series([2, None, 0], dtype=pl.UInt32)).to_list()
['C', None, 'A']
>>> coded(d) is view  # computed once per data
True
>>> to_index(view, pl.DataFrame({"case_id": ["C", "A"], "x": [1, 2]})).rows()
[(2, 1), (0, 2)]
>>> keyed = with_case_keys(CaseData(d.sheets), pl.DataFrame({"case_id": ["B", "A"], "key": [1, 7]}))
>>> coded(keyed)["contacts"]["case_id"].to_list(), coded(keyed).ordered
([7, None, 8, 7], False)
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from typing import Literal, TypeGuard, overload

import polars as pl

from casekit.data import CaseData

__all__ = [
    "INDEX_DTYPE",
    "CodedData",
    "Lookup",
    "carried",
    "case_keys",
    "coded",
    "coded_with",
    "extended",
    "given_index",
    "id_dtype",
    "index_table",
    "is_coded",
    "keep_case_keys",
    "slice_view",
    "text_ids",
    "to_index",
    "to_text",
    "with_added",
    "with_case_keys",
]

#: The dtype of the case index.
INDEX_DTYPE = pl.UInt32()
_CACHE = "_coded_view"
_KEYS = "_case_keys"
_CARRIED = "_case_index"
_GIVEN = "_given_index"
_LOOKUP = "_lookup"


@dataclass(frozen=True)
class CodedData(CaseData):
    """A :class:`CaseData` whose sheets' ``case_id`` is the case index; ``ids[k]`` is the
    text id of index ``k`` (null where no case has index ``k``: a workspace's deleted or
    unseen keys). ``ordered``: the index order is the text order (always, from files)."""

    ids: pl.Series = field(default_factory=lambda: pl.Series("case_id", [], pl.String))
    ordered: bool = True
    #: one token per numbering: the views grown from one (:func:`with_added`, :func:`slice_view`)
    #: keep it, and a table carried from any of them is keyed alike in all
    family: object = field(default_factory=object)

    def __post_init__(self) -> None:
        # one chunk: ``ids.gather`` (the text ids of a table, :func:`text_ids`) is then a
        # lookup; from 10 chunks it cost 0.21 s instead of 0.05 s for the 12M events at 1M
        if self.ids.n_chunks() > 1:
            object.__setattr__(self, "ids", self.ids.rechunk())


def is_coded(data: CaseData) -> TypeGuard[CodedData]:
    """Whether ``data``'s ``case_id`` columns hold the case index."""
    return isinstance(data, CodedData)


def id_dtype(data: CaseData) -> pl.DataType:
    """The dtype of ``case_id`` in ``data``'s frames: the index's, or text."""
    return INDEX_DTYPE if is_coded(data) else pl.String()


def with_case_keys(data: CaseData, keys: pl.DataFrame) -> CaseData:
    """``data`` (returned) told its stable case keys: ``keys`` has ``case_id`` (text) and
    ``key`` (an integer ≥ 0, e.g. a workspace's primary key of the case); :func:`coded`
    then uses them as the case index (an index computed before is let go)."""
    frame = keys.select(pl.col("case_id").cast(pl.String), pl.col("key").cast(INDEX_DTYPE))
    object.__setattr__(data, _KEYS, frame.drop_nulls().unique("case_id", keep="first", maintain_order=True))
    data.__dict__.pop(_CACHE, None)  # a view numbered before the keys were told is not theirs
    return data


def case_keys(data: CaseData) -> pl.DataFrame | None:
    """The stable case keys ``data`` was told (:func:`with_case_keys`), or ``None``."""
    return data.__dict__.get(_KEYS)


def keep_case_keys(source: CaseData, data: CaseData) -> CaseData:
    """``data`` (returned) with the stable case keys of ``source`` when it has some (a
    frame derived from a workspace's data keeps its index)."""
    keys = case_keys(source)
    if keys is not None and data is not source:
        object.__setattr__(data, _KEYS, keys)
    return data


def coded(data: CaseData) -> CaseData:
    """``data`` with every sheet's ``case_id`` replaced by the case index (computed once
    per data; a view already coded is returned as is). Sheets scanned lazily
    (:func:`casekit.scan_caseload`, the streaming path) are returned as they are: their
    rules run on the text ids, range by range."""
    if isinstance(data, CodedData) or any(isinstance(df, pl.LazyFrame) for df in data.sheets.values()):
        return data
    frames = tuple(data.sheets.items())
    cached = data.__dict__.get(_CACHE)
    if cached is not None and _same(cached[0], frames):
        return cached[1]
    given = data.__dict__.get(_GIVEN)
    # the sorted distinct ids and each sheet's positions in them: handed over by validate
    # (found by its case-link check) for these very frames, else computed here
    texts, positions = given[1:] if given is not None and _same(given[0], frames) else _positions(data)
    keys = data.__dict__.get(_KEYS)
    index, ids = _numbering(texts, keys)
    sheets = {
        name: df.with_columns((positions[name] if keys is None else index.gather(positions[name])).alias("case_id"))
        if name in positions
        else df
        for name, df in data.sheets.items()
    }
    view = CodedData(
        sheets, issues=data.issues, source=data.source, headers=data.headers, ids=ids, ordered=bool(index.is_sorted())
    )
    object.__setattr__(data, _CACHE, (frames, view))
    return view


def _positions(data: CaseData) -> tuple[pl.Series, dict[str, pl.Series]]:
    """The distinct ids of every sheet of ``data``, sorted, and each sheet's ``case_id`` as
    positions in them (``UInt32``; a blank id null): looked up in the sorted ids of ``cases``
    (:class:`Lookup`) when every id is one of them (a workspace's data, a caseload without
    orphan rows), else :func:`_categorical_positions`."""
    cases = data.sheets.get("cases")
    if cases is None or "case_id" not in cases.columns:
        return _categorical_positions(data)
    ids = cases.get_column("case_id").cast(pl.String).drop_nulls().sort()
    ids = ids.filter(_run_starts(ids)).alias("case_id")  # sorted: one of each (not hashed, as unique() is)
    names = [name for name, df in data.sheets.items() if "case_id" in df.columns]
    columns = [data[name].get_column("case_id").cast(pl.String) for name in names]
    found = Lookup.of(ids).find_all(columns)
    if any(f.null_count() != c.null_count() for f, c in zip(found, columns, strict=True)):  # an orphan id
        return _categorical_positions(data)
    return ids, dict(zip(names, found, strict=True))


def _categorical_positions(data: CaseData) -> tuple[pl.Series, dict[str, pl.Series]]:
    """:func:`_positions` for any data. One pass per sheet: each id becomes a code of a
    local categorical (hashing each text once), then the distinct codes are ranked by their
    text (a sort of the distinct ids only); the categorical is then let go."""
    categories = pl.Categorical(pl.Categories.random())
    texts = {
        name: df.get_column("case_id").cast(pl.String).cast(categories)
        for name, df in data.sheets.items()
        if "case_id" in df.columns
    }
    distinct = (
        pl.concat([s.unique() for s in texts.values()]).unique().drop_nulls()
        if texts
        else pl.Series("case_id", [], categories)
    )
    order = pl.DataFrame({"code": distinct.to_physical(), "case_id": distinct.cast(pl.String)}).sort("case_id")
    size = int(order.select(pl.col("code").max()).item() or 0) + 1 if order.height else 0
    rank = pl.int_range(order.height, dtype=INDEX_DTYPE, eager=True)
    codes = pl.repeat(None, size, dtype=INDEX_DTYPE, eager=True).scatter(order["code"], rank)
    return order["case_id"], {name: codes.gather(s.to_physical()).alias("case_id") for name, s in texts.items()}


def given_index(data: CaseData, ids: pl.Series, positions: dict[str, pl.Series]) -> CaseData:
    """``data`` (returned) given its index's parts, found by the caller (validate's case-link
    check), so :func:`coded` computes none: ``ids``, every distinct non-null ``case_id`` of
    every sheet, sorted, and for each sheet with a ``case_id`` its positions in ``ids``
    (``UInt32``, null where the id is null). Kept for these very frames: a sheet replaced
    after, and :func:`coded` computes the index again. Not given (``data`` as it is) when a
    sheet is scanned, or with a ``case_id`` and no positions.

    >>> d = CaseData({"cases": pl.DataFrame({"case_id": ["B", "A"]})})
    >>> given = given_index(d, pl.Series("case_id", ["A", "B"]), {"cases": pl.Series([1, 0], dtype=pl.UInt32)})
    >>> coded(given)["cases"]["case_id"].to_list(), coded(given).ids.to_list()
    ([1, 0], ['A', 'B'])
    """
    for name, df in data.sheets.items():
        if not isinstance(df, pl.DataFrame):
            return data
        if "case_id" in df.columns:
            found = positions.get(name)
            if found is None or found.len() != df.height or found.null_count() != df["case_id"].null_count():
                return data
    kept = {name: s.cast(INDEX_DTYPE).alias("case_id") for name, s in positions.items() if name in data.sheets}
    object.__setattr__(data, _GIVEN, (tuple(data.sheets.items()), ids.cast(pl.String).alias("case_id"), kept))
    return data


def coded_with(data: CaseData, table: pl.DataFrame | None) -> tuple[CaseData, pl.LazyFrame | None]:
    """``data`` on its case index (:func:`coded`) and ``table`` (a table of the same data:
    the changes a summary is given…) keyed the same, lazily, when ``table`` carries the index
    (:func:`carried`: made by a rule from the same data); else both on the text ids (looking
    up every text id of ``table`` would cost what the joins on numbers save).

    >>> d = CaseData({"cases": pl.DataFrame({"case_id": ["A"]})})
    >>> made = to_text(coded(d), coded(d)["cases"])
    >>> view, table = coded_with(d, made)
    >>> is_coded(view), table.collect()["case_id"].to_list()
    (True, [0])
    >>> view, table = coded_with(d, pl.DataFrame({"case_id": ["A"]}))
    >>> is_coded(view), table.collect()["case_id"].to_list()
    (False, ['A'])
    """
    view = coded(data)
    if table is None:
        return view, None
    keyed = carried(view, table)
    return (data, table.lazy()) if keyed is None else (view, keyed.lazy())


def slice_view(part: CaseData, whole: CodedData, sheets: dict[str, pl.DataFrame]) -> CaseData:
    """``part`` (returned), rows cut from the data ``whole`` codes (one client's, for Learn),
    given its view without computing an index: ``sheets`` are ``part``'s sheets with the
    index of ``whole`` in ``case_id``.

    >>> whole = coded(CaseData({"cases": pl.DataFrame({"case_id": ["B", "A"]})}))
    >>> part = CaseData({"cases": pl.DataFrame({"case_id": ["B"]})})
    >>> slice_view(part, whole, {"cases": whole["cases"].head(1)}) is part, coded(part)["cases"].rows()
    (True, [(1,)])
    """
    view = replace(whole, sheets=sheets, issues=part.issues, source=part.source, headers=part.headers)
    if _LOOKUP in whole.__dict__:  # the same ids: the same lookup
        object.__setattr__(view, _LOOKUP, whole.__dict__[_LOOKUP])
    object.__setattr__(part, _CACHE, (tuple(part.sheets.items()), view))
    return part


def extended(before: CaseData, data: CaseData) -> CaseData:
    """``data`` (returned): ``before``'s sheets with rows added at their ends (a workspace's
    new records), given ``before``'s index extended to the added rows (:func:`with_added`).

    >>> keys = pl.DataFrame({"case_id": ["A", "B"], "key": [4, 2]})
    >>> before = with_case_keys(CaseData({"cases": pl.DataFrame({"case_id": ["A", "B"]})}), keys)
    >>> view = coded(before)
    >>> data = CaseData({"cases": pl.DataFrame({"case_id": ["A", "B", "C"]})})
    >>> data = with_case_keys(data, pl.concat([keys, pl.DataFrame({"case_id": ["C"], "key": [7]})]))
    >>> coded(extended(before, data))["cases"]["case_id"].to_list(), coded(data).ids[7]
    ([4, 2, 7], 'C')
    """
    added = {
        name: df.slice(before[name].height)
        for name, df in data.sheets.items()
        if name in before and df is not before[name] and isinstance(df, pl.DataFrame)
    }
    return with_added(before, data, added, how="diagonal_relaxed")


def with_added(
    before: CaseData,
    data: CaseData,
    added: dict[str, pl.DataFrame],
    *,
    how: Literal["vertical_relaxed", "diagonal_relaxed"],
    sort: str | None = None,
) -> CaseData:
    """``data`` (returned), made of ``before``'s sheets with the rows ``added[name]``
    concatenated (``how``, then sorted by ``sort``), given ``before``'s index extended to
    the added rows instead of an index of its own: every case keeps its number, a new id
    takes its case key (:func:`with_case_keys`) or the next free number (after every id of
    ``before``, so the index may leave the text order). Tables made from ``before`` stay
    carried (:func:`carried`). ``data`` as it is when ``before`` has no index (scanned sheets).

    >>> before = CaseData({"cases": pl.DataFrame({"case_id": ["B", "D"], "_row": [2, 4]})})
    >>> view = coded(before)
    >>> back = pl.DataFrame({"case_id": ["A"], "_row": [3]})
    >>> data = CaseData({"cases": pl.concat([before["cases"], back]).sort("_row")})
    >>> grown = coded(with_added(before, data, {"cases": back}, how="vertical_relaxed", sort="_row"))
    >>> grown["cases"]["case_id"].to_list(), grown.ids.to_list(), grown.ordered
    ([0, 2, 1], ['B', 'D', 'A'], False)
    """
    view = coded(before)  # computed here if no rule has asked for it yet: it serves both
    if not isinstance(view, CodedData):
        return data
    changed = {name for name, df in data.sheets.items() if before.sheets.get(name) is not df}
    if changed - set(added) or any("case_id" not in view.sheets.get(name, df).columns for name, df in added.items()):
        return data
    texts = (
        pl.concat([df.get_column("case_id").cast(pl.String) for df in added.values()]).drop_nulls().unique().sort()
        if added
        else pl.Series("case_id", [], pl.String)
    )
    known = to_index(view, texts.to_frame("case_id"), strict=False)["case_id"]
    new = texts.filter(~texts.is_in(text_ids(view, known).implode()))
    ids = view.ids
    if new.len():
        keys = case_keys(data)
        found = new.to_frame("case_id").with_columns(pl.lit(None, dtype=INDEX_DTYPE).alias("key"))
        if keys is not None:
            found = found.drop("key").join(keys, on="case_id", how="left", maintain_order="left")
        taken = found["key"].drop_nulls()
        if taken.is_in(ids.is_not_null().arg_true().implode()).any():
            return data
        free = max(ids.len(), int(taken.to_frame("k").select(pl.col("k").max()).item()) + 1 if taken.len() else 0)
        found = found.with_columns(pl.col("key").fill_null(pl.col("key").is_null().cum_sum() + free - 1))
        size = int(found.select(pl.col("key").max()).item()) + 1
        ids = pl.concat([ids, pl.repeat(None, max(size - ids.len(), 0), dtype=pl.String, eager=True)])
        ids = ids.scatter(found["key"], found["case_id"])
    grown = replace(view, ids=ids)
    sheets = dict(view.sheets)
    for name, df in added.items():
        rows = to_index(grown, df)
        if rows is None:
            return data
        sheet = pl.concat([view[name], rows], how=how)
        sheets[name] = sheet.sort(sort) if sort else sheet
    ordered = bool(view.ordered and ids.drop_nulls().is_sorted())
    grown = replace(grown, sheets=sheets, issues=data.issues, source=data.source, headers=data.headers, ordered=ordered)
    object.__setattr__(data, _CACHE, (tuple(data.sheets.items()), grown))
    return data


def _numbering(texts: pl.Series, keys: pl.DataFrame | None) -> tuple[pl.Series, pl.Series]:
    """The index of each distinct id of ``texts`` (sorted), and the id of each index: the
    position (dense), or the stable ``keys`` (ids without a key after the greatest one)."""
    if keys is None:
        return pl.int_range(texts.len(), dtype=INDEX_DTYPE, eager=True), texts
    found = texts.to_frame("case_id").join(keys, on="case_id", how="left", maintain_order="left")["key"]
    first = int(keys.select(pl.col("key").max()).item()) + 1 if keys.height else 0
    extra = (found.is_null().cum_sum() + first - 1).cast(INDEX_DTYPE)
    index = found.fill_null(extra)
    size = int(index.to_frame("i").select(pl.col("i").max()).item()) + 1 if index.len() else 0
    ids = pl.repeat(None, size, dtype=pl.String, eager=True).scatter(index, texts).alias("case_id")
    return index, ids


def _same(a: tuple[tuple[str, pl.DataFrame], ...], b: tuple[tuple[str, pl.DataFrame], ...]) -> bool:
    """The same sheet names holding the very same frames."""
    return len(a) == len(b) and all(x[0] == y[0] and x[1] is y[1] for x, y in zip(a, b, strict=True))


def text_ids(data: CaseData, index: pl.Series) -> pl.Series:
    """The text ids of the case ``index`` values (null stays null); ``index`` as it is
    when ``data`` is not coded."""
    return data.ids.gather(index).alias(index.name) if isinstance(data, CodedData) else index


def to_text(data: CaseData, frame: pl.DataFrame, sort: list[str] | None = None) -> pl.DataFrame:
    """``frame`` (its ``case_id`` the index of ``data``) with the text ids back, at the edge;
    ``sort``: the keys ``frame`` is sorted by, when they include ``case_id`` (re-sorted by
    the text when the index order is not the text order: a workspace's keys).

    The table returned carries its index unseen: given back to a rule on the same data
    (the changes to a summary, the status to a cohort…), :func:`to_index` takes it as it
    is, without looking up a text id (:func:`carried`).

    >>> view = coded(CaseData({"cases": pl.DataFrame({"case_id": ["B", "A"]})}))
    >>> table = to_text(view, pl.DataFrame({"case_id": [1, 0]}, schema={"case_id": INDEX_DTYPE}))
    >>> table.rows(), carried(view, table).rows(), carried(view, table.head(1)) is None
    ([('B',), ('A',)], [(1,), (0,)], True)
    """
    if not isinstance(data, CodedData) or "case_id" not in frame.columns:
        return frame
    if sort and not data.ordered and "case_id" in sort:  # a workspace's keys: sorted again by the text
        both = frame.with_columns(text_ids(data, frame["case_id"]).alias("_text")).sort(
            [("_text" if k == "case_id" else k) for k in sort], maintain_order=True
        )
        index, text = both["case_id"], both["_text"].alias("case_id")
        out = both.drop("_text").with_columns(text)
    else:
        index, text = frame["case_id"], text_ids(data, frame["case_id"])
        out = frame.with_columns(text)
    if sort and sort[0] == "case_id" and text.null_count() == 0:
        out = out.with_columns(pl.col("case_id").set_sorted())  # sorted by text: polars' fast paths
    out.__dict__[_CARRIED] = (weakref.ref(data), index)
    return out


def carried(data: CaseData, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | None:
    """``frame`` keyed by ``data``'s case index when it is that very table made by
    :func:`to_text` from ``data`` (its index kept unseen), else ``None``."""
    if not isinstance(frame, pl.DataFrame):
        return None
    kept = frame.__dict__.get(_CARRIED)
    if kept is None or not isinstance(data, CodedData):
        return None
    source = kept[0]()
    return frame.with_columns(kept[1]) if source is not None and source.family is data.family else None


@overload
def to_index(data: CaseData, frame: pl.DataFrame | pl.LazyFrame, *, strict: Literal[False]) -> pl.DataFrame: ...
@overload
def to_index(data: CaseData, frame: pl.DataFrame | pl.LazyFrame, *, strict: bool = True) -> pl.DataFrame | None: ...
def to_index(data: CaseData, frame: pl.DataFrame | pl.LazyFrame, *, strict: bool = True) -> pl.DataFrame | None:
    """``frame`` (text ``case_id``, a table of the same data: risk scores, status, changes…)
    keyed by ``data``'s case index, collected. An id of ``frame`` that is not in ``data``:
    ``None`` (the caller then keeps the text ids), or with ``strict=False`` its rows are
    left out (a lookup joined onto the data's cases: they would match no case). ``frame``
    as it is when ``data`` is not coded or ``frame`` already carries the index.

    >>> view = coded(CaseData({"cases": pl.DataFrame({"case_id": ["A"]})}))
    >>> to_index(view, pl.DataFrame({"case_id": ["Z", "A"]})) is None
    True
    >>> to_index(view, pl.DataFrame({"case_id": ["Z", "A", None]}), strict=False)["case_id"].to_list()
    [0, None]
    """
    keyed = carried(data, frame)
    if keyed is not None:
        return keyed
    df = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    if not isinstance(data, CodedData) or df.schema.get("case_id") == INDEX_DTYPE:
        return df
    text = df.get_column("case_id").cast(pl.String)
    index = _lookup(data).find(text)
    if index.null_count() == text.null_count():
        return df.with_columns(index)
    if strict:
        return None
    return df.with_columns(index).filter(index.is_not_null() | text.is_null())


def _lookup(data: CodedData) -> Lookup:
    """The :class:`Lookup` of ``data``'s ids, made on first use and kept with them."""
    kept = data.__dict__.get(_LOOKUP)
    if kept is None or kept.ids is not data.ids:
        kept = Lookup.of(data.ids)
        object.__setattr__(data, _LOOKUP, kept)
    return kept


@dataclass(frozen=True)
class Lookup:
    """The position of a text id in ``ids`` (distinct ids, nulls allowed: a workspace's
    unused keys). Ids that are numbers after a shared prefix (``C0000001``…) are found by
    their number in a table of positions (:class:`_Numbers`); other ids by a join on a
    64-bit hash of the text (much faster than on the text). Either way the id found is
    checked against the text: a number or hash shared by two texts never gives a wrong
    position. When two of ``ids`` share a hash, the join is on the text itself.

    >>> look = Lookup.of(pl.Series(["A", None, "C"]))
    >>> look.find(pl.Series(["C", "Z", None, "A"])).to_list()
    [2, None, None, 0]
    >>> Lookup.of(pl.Series(["C-1", None, "C-3"])).find(pl.Series(["C-3", "C-03", None, "C-1"])).to_list()
    [2, None, None, 0]
    """

    ids: pl.Series
    #: ``_key`` (the hash of the id, or the id itself) and ``_at`` (its position) of each non-null id
    #: (empty when the ids are found by their number)
    table: pl.DataFrame
    hashed: bool
    numbers: _Numbers | None = None

    @classmethod
    def of(cls, ids: pl.Series, hashes: pl.Series | None = None, *, distinct: bool | None = None) -> Lookup:
        """The lookup of ``ids``; ``hashes``: their hashes when known (:meth:`pl.Series.hash`),
        ``distinct``: whether those of the non-null ids are distinct, when known."""
        numbers = _Numbers.of(ids)
        if numbers is not None:
            return cls(ids, pl.DataFrame(), hashed=False, numbers=numbers)
        at = pl.int_range(ids.len(), dtype=INDEX_DTYPE, eager=True)
        key = ids.hash() if hashes is None else hashes
        table = pl.DataFrame({"_key": key, "_at": at})
        table = table.filter(ids.is_not_null()) if ids.null_count() else table
        if distinct is None:
            distinct = table["_key"].n_unique() == table.height
        if distinct:  # distinct hashes (the usual case)
            return cls(ids, table, hashed=True)
        return cls(ids, pl.DataFrame({"_key": ids, "_at": at}).filter(ids.is_not_null()), hashed=False)

    def find(self, texts: pl.Series) -> pl.Series:
        """The position in ``ids`` of each of ``texts`` (``UInt32``, in ``texts``' order; null
        where the text is null or not in ``ids``), named ``case_id``."""
        return self.find_all([texts])[0]

    def find_all(self, columns: list[pl.Series]) -> list[pl.Series]:
        """:meth:`find` for each of ``columns``: by number (:class:`_Numbers`), else in one join
        (the hash table of ``ids`` built once: at 1M cases, 1.0 s CPU for the 9M ids of the
        other sheets against 1.55 s for a join per sheet); a column that is ``ids`` itself
        (the sorted cases) needs no look."""
        out: list[pl.Series | None] = [None] * len(columns)
        rest = []
        for i, texts in enumerate(columns):
            same = texts.len() == self.ids.len() and not self.ids.null_count()
            if same and texts.equals(self.ids, check_names=False):
                out[i] = pl.int_range(texts.len(), dtype=INDEX_DTYPE, eager=True).alias("case_id")
            else:
                rest.append(i)
        if rest and self.numbers is not None:  # the columns' queries together: both cores
            found = pl.collect_all([self.numbers.query(self.ids, columns[i]) for i in rest])
            for i, frame in zip(rest, found, strict=True):
                out[i] = frame.to_series()
        elif rest:
            runs = [_runs(columns[i]) for i in rest]
            keys = pl.concat([texts.hash() if self.hashed else texts for texts, _ in runs])
            at = keys.to_frame("_key").join(self.table, on="_key", how="left", maintain_order="left")["_at"]
            start = 0
            for i, (texts, run) in zip(rest, runs, strict=True):
                part = at.slice(start, texts.len())
                start += texts.len()
                if self.hashed:  # a text whose hash is another id's is not that id
                    part = pl.select(pl.when(self.ids.gather(part) == texts).then(part)).to_series()
                out[i] = (part if run is None else part.gather(run)).alias("case_id")
        return [s for s in out if s is not None]


@dataclass(frozen=True)
class _Numbers:
    """Ids found by their number: the text after the first ``skip`` characters (the prefix
    every id shares, ``C`` in ``C0000001``) read as an integer ``n``, and ``slots[n - low]``
    the position of the one id with that number. Made only when every id reads as a
    number, no two ids share one and they span a narrow range (a table of at most
    ``4 × ids + 64`` positions). Finding a text is a parse and a gather instead of a hash
    join (at 1M cases, ~0.45 s CPU against ~0.8 s for the 9.9M ids of the other sheets);
    the id found is then checked against the text (``C01`` reads as the number of ``C1``).

    >>> numbers = _Numbers.of(pl.Series(["K7", "K9", None]))
    >>> numbers.skip, numbers.low, numbers.slots.to_list()
    (1, 7, [0, None, 1])
    >>> found = numbers.query(pl.Series(["K7", "K9", None]), pl.Series(["K9", "K07", "k7", "K8", None, "K1000"]))
    >>> found.collect().to_series().to_list()
    [1, None, None, None, None, None]
    >>> _Numbers.of(pl.Series(["K7", "K07"])) is None, _Numbers.of(pl.Series(["K1", "K1000"])) is None
    (True, True)
    """

    skip: int
    low: int
    slots: pl.Series

    @classmethod
    def of(cls, ids: pl.Series) -> _Numbers | None:
        """The numbers of ``ids``, or ``None`` when they are not numbers as above."""
        present = ids.drop_nulls()
        if ids.dtype != pl.String or present.len() == 0:
            return None
        first, last = present.min(), present.max()  # every id shares their common prefix
        assert isinstance(first, str)
        assert isinstance(last, str)
        pairs = enumerate(zip(first, last, strict=False))
        skip = next((i for i, (a, b) in pairs if a != b), min(len(first), len(last)))
        number = ids.str.slice(skip).cast(pl.Int64, strict=False)
        if number.null_count() != ids.null_count():
            return None
        low, high = number.min(), number.max()
        assert isinstance(low, int)
        assert isinstance(high, int)
        if high - low >= 4 * present.len() + 64:
            return None
        at = pl.int_range(ids.len(), dtype=INDEX_DTYPE, eager=True)
        if ids.null_count():
            at, number = at.filter(number.is_not_null()), number.drop_nulls()
        slot = number - low
        slots = pl.repeat(None, high - low + 1, dtype=INDEX_DTYPE, eager=True).scatter(slot, at)
        if not (slots.gather(slot) == at).all():  # two ids, one number (``7`` and ``007``)
            return None
        return cls(skip, low, slots)

    def query(self, ids: pl.Series, texts: pl.Series) -> pl.LazyFrame:
        """The position in ``ids`` (the ids these numbers were made of) of each of ``texts``
        (null where the text is null or not one of ``ids``), as a query of one column, ``case_id``."""
        slot = pl.col("_text").str.slice(self.skip).cast(pl.Int64, strict=False) - self.low
        inside = pl.col("_slot").is_between(0, self.slots.len() - 1)
        at = pl.lit(self.slots).gather(pl.when(inside).then("_slot"))
        return (
            pl.LazyFrame({"_text": texts.cast(pl.String)})
            .with_columns(_slot=slot)
            .with_columns(_at=at)
            .select(pl.when(pl.lit(ids).gather("_at") == pl.col("_text")).then("_at").alias("case_id"))
        )


def _runs(texts: pl.Series) -> tuple[pl.Series, pl.Series | None]:
    """``texts`` with each run of repeats (a sheet sorted by case: a case's rows) kept once,
    and the run of each text (``None``: ``texts`` as they are, when few repeat), so a
    lookup looks each run up once.

    >>> kept, run = _runs(pl.Series(["A", "A", None, None, "B", "A"]))
    >>> kept.to_list(), run.to_list()
    (['A', None, 'B', 'A'], [0, 0, 1, 1, 2, 3])
    """
    first = _run_starts(texts)
    if first.sum() > texts.len() * 0.9:
        return texts, None
    return texts.filter(first), (first.cum_sum() - 1).cast(INDEX_DTYPE)


def _run_starts(texts: pl.Series) -> pl.Series:
    """Whether each of ``texts`` differs from the one before (null equals null): the first of
    each run. On sorted texts, a filter by it removes repeats without hashing (at 1M ids,
    0.003 s against 0.15 s for ``unique(maintain_order=True)``).

    >>> _run_starts(pl.Series(["A", "A", None, None, "B"])).to_list()
    [True, False, True, False, True]
    """
    if texts.len() < 2:
        return pl.repeat(True, texts.len(), eager=True)
    return pl.concat([pl.Series([True]), texts.slice(1).ne_missing(texts.slice(0, texts.len() - 1))])


def index_table(data: CaseData) -> pl.LazyFrame:
    """``case_id`` (text) and ``_index`` of every case of a coded ``data``.

    >>> index_table(coded(CaseData({"cases": pl.DataFrame({"case_id": ["B", "A"]})}))).collect().rows()
    [('A', 0), ('B', 1)]
    """
    assert isinstance(data, CodedData)
    table = pl.LazyFrame({"case_id": data.ids, "_index": pl.int_range(data.ids.len(), dtype=INDEX_DTYPE, eager=True)})
    return table if data.ids.null_count() == 0 else table.filter(pl.col("case_id").is_not_null())
