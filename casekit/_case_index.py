"""One integer case index per data (issue 18): joins, group-bys and sorts on a number.

:func:`coded` gives a view of a :class:`~casekit.data.CaseData` whose sheets carry, in
place of the text ``case_id``, its **case index**: a dense ``UInt32`` numbering the
distinct ids of every sheet in text order (``"C-1"`` → 0, ``"C-2"`` → 1 …; a blank id
stays null). It is computed once per data (kept on the data object, recomputed when a
sheet frame is replaced) and shared by every rule that runs on the same data: the case
status, its stage entries and the event log. The rules run unchanged on the view
(:func:`casekit._frames.sheet` keeps the index), and :func:`text_ids` turns the index back
into the text ids at the edge. Because the index follows the text order, sorting by it is
sorting by ``case_id``.

At 1M cases the index of every sheet (10M ids) costs about 2 s of CPU, once; the case
status alone spends about 3 s less on numbers than on texts (docs/performance.md).

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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from casekit.data import CaseData

__all__ = ["INDEX_DTYPE", "CodedData", "coded", "id_dtype", "is_coded", "text_ids"]

#: The dtype of the case index.
INDEX_DTYPE = pl.UInt32()
_CACHE = "_coded_view"


@dataclass(frozen=True)
class CodedData(CaseData):
    """A :class:`CaseData` whose sheets' ``case_id`` is the case index; ``ids[k]`` is the
    text id of index ``k`` (sorted, distinct, no null)."""

    ids: pl.Series = field(default_factory=lambda: pl.Series("case_id", [], pl.String))


def is_coded(data: CaseData) -> bool:
    """Whether ``data``'s ``case_id`` columns hold the case index."""
    return isinstance(data, CodedData)


def id_dtype(data: CaseData) -> pl.DataType:
    """The dtype of ``case_id`` in ``data``'s frames: the index's, or text."""
    return INDEX_DTYPE if is_coded(data) else pl.String()


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
    # one pass per sheet: each id becomes a code of a local categorical (hashing each text
    # once), then the distinct codes are ranked by their text (a sort of the distinct ids only)
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
    rank = pl.repeat(None, size, dtype=INDEX_DTYPE, eager=True).scatter(
        order["code"], pl.int_range(order.height, dtype=INDEX_DTYPE, eager=True)
    )
    sheets = {
        name: df.with_columns(rank.gather(texts[name].to_physical()).alias("case_id")) if name in texts else df
        for name, df in data.sheets.items()
    }
    view = CodedData(sheets, issues=data.issues, source=data.source, headers=data.headers, ids=order["case_id"])
    object.__setattr__(data, _CACHE, (frames, view))
    return view


def _same(a: tuple[tuple[str, pl.DataFrame], ...], b: tuple[tuple[str, pl.DataFrame], ...]) -> bool:
    """The same sheet names holding the very same frames."""
    return len(a) == len(b) and all(x[0] == y[0] and x[1] is y[1] for x, y in zip(a, b, strict=True))


def text_ids(data: CaseData, index: pl.Series) -> pl.Series:
    """The text ids of the case ``index`` values (null stays null); ``index`` as it is
    when ``data`` is not coded."""
    return data.ids.gather(index).alias(index.name) if isinstance(data, CodedData) else index
