"""A Parquet sheet file's category columns read from their dictionaries, straight into their Enum.

Parquet stores a column of a few distinct texts as a dictionary (each text once per row
group) and a small code per row. For a category column whose every text is an id of its
vocabulary, mapping the few dictionary texts to the Enum's codes and gathering a code per
row gives the Enum that decoding every text and casting it (a hash per row) gave: at 1M
cases, ~0.3 s of CPU instead of ~1.0 s for the 27 category columns. Any other column (a
label, a blank, a value outside the vocabulary, a file pyarrow cannot read) is left to the
caller, who reads it as text as before.

Examples
--------
>>> import io
>>> from casekit.data import category_enum
>>> buf = io.BytesIO()
>>> pl.DataFrame({"sexo": ["female", None, "male"], "tipo": ["Visita", "x", None]}).write_parquet(buf)
>>> enums = category_enums(buf.getvalue(), {0: category_enum("sex"), 1: category_enum("contact_kind")})
>>> list(enums), enums[0].to_list(), enums[0].dtype == category_enum("sex")
([0], ['female', None, 'male'], True)
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq


@contextmanager
def pyarrow_warmed(names: Iterable[str], exts: frozenset[str]) -> Iterator[None]:
    """Import pyarrow's Parquet reader and ``pyarrow.compute`` on a second thread while the
    body runs (the caller reads the files' bytes), when a name ends with one of ``exts``;
    waits for them on exit.

    These imports (~0.1 s and ~0.05 s in a fresh process: polars imports
    ``pyarrow.compute`` on its first ``pl.Series`` of a pyarrow array) otherwise ran in
    the first Parquet sheet's job, with the other job waiting for them on both cores.
    A thread that cannot start, or an import that fails, leaves the import to the jobs
    (which raise as before).

    >>> with pyarrow_warmed(["cases.csv"], frozenset({".parquet"})):
    ...     pass
    """
    if not any(name.lower().endswith(ext) for name in names for ext in exts):
        yield
        return
    helper = threading.Thread(target=_import_pyarrow, name="casekit-import", daemon=True)
    try:
        helper.start()
    except RuntimeError:  # "can't start new thread" (a memory cap): the jobs import it
        yield
        return
    try:
        yield
    finally:
        helper.join()


def _import_pyarrow() -> None:
    with suppress(Exception):  # the jobs' own import raises it where it did
        import pyarrow.compute
        import pyarrow.parquet  # noqa: F401


def category_enums(data: bytes, wanted: Mapping[int, pl.DataType]) -> dict[int, pl.Series]:
    """Each column of the Parquet file ``data`` at a position of ``wanted`` (position ->
    its Enum) whose every value is one of the Enum's categories or null, as that Enum (named
    as in the file), by position; columns holding anything else are left out.

    Only a flat file (no nested column) with unique column names and text columns is read
    this way; pyarrow's error on a damaged file leaves every column to the caller (whose
    read then fails, or not, as before).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(io.BytesIO(data))
        schema = file.schema_arrow
        names = schema.names
        flat = file.metadata.num_columns == len(names) and len(set(names)) == len(names)
        texts = sorted(i for i in wanted if flat and 0 <= i < len(names) and _is_leaf_text(file, i))
        if not texts:
            return {}
        file = pq.ParquetFile(io.BytesIO(data), metadata=file.metadata, read_dictionary=[names[i] for i in texts])
        kept = file.schema_arrow
        parts: dict[int, list[pl.Series]] = {i: [] for i in texts if pa.types.is_dictionary(kept.field(i).type)}
        for group in range(file.metadata.num_row_groups if parts else 0):
            # a row group at a time: the next one reuses pyarrow's pages (a whole file's, ~70 MB
            # at 1M, were faulted in anew for each file: ~0.1 s of system time per read)
            table = file.reader.read_row_group(group, column_indices=sorted(parts), use_threads=False)
            for i in sorted(parts):
                column = table.column(names[i])
                try:
                    part = _as_enum(column.chunks, wanted[i]) if pa.types.is_dictionary(column.type) else None
                except pl.exceptions.PolarsError:  # a code outside its dictionary: the caller's read reports it
                    part = None
                if part is None:
                    del parts[i]
                else:
                    parts[i].append(part)
            del table
    except (pa.ArrowException, OSError, ValueError):  # a damaged file: the caller's read reports it
        return {}
    finally:
        pa.default_memory_pool().release_unused()  # the Series hold polars' copies
    return {i: _joined(found, wanted[i]).alias(names[i]) for i, found in parts.items()}


def _joined(parts: list[pl.Series], enum: pl.DataType) -> pl.Series:
    """The row groups' ``parts`` of one column as one Series (no copy)."""
    if not parts:
        return pl.Series(dtype=enum)
    return pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]


def _is_leaf_text(file: pq.ParquetFile, i: int) -> bool:
    """Whether column ``i`` of a flat ``file`` is a top-level leaf read as text (or as a
    dictionary of texts)."""
    import pyarrow as pa

    dtype = file.schema_arrow.field(i).type
    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    text = pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype)
    return bool(text) and file.schema.column(i).path == file.schema_arrow.names[i]


def _as_enum(chunks: list[pa.Array], enum: pl.DataType) -> pl.Series | None:
    """The column read as dictionary ``chunks`` (one per row group, each with its own
    dictionary) as ``enum``: each dictionary cast to the Enum (a few texts), then gathered
    by the row's code; None when a dictionary holds a text that is not one of the Enum's
    categories (or a null, which no Parquet dictionary holds). A code outside its dictionary
    raises ``pl.exceptions.OutOfBoundsError``.

    >>> import pyarrow as pa
    >>> from casekit.data import category_enum
    >>> chunk = pa.DictionaryArray.from_arrays(pa.array([1, None, 0, 1], pa.int32()), pa.array(["male", "female"]))
    >>> _as_enum([chunk], category_enum("sex")).to_list()
    ['female', None, 'male', 'female']
    >>> _as_enum([pa.DictionaryArray.from_arrays(pa.array([0], pa.int32()), pa.array(["Mujer"]))], category_enum("sex"))
    """
    parts: list[pl.Series] = []
    for chunk in chunks:
        dictionary = pl.Series(chunk.dictionary).cast(pl.String).cast(enum, strict=False)
        if dictionary.null_count():
            return None
        # the codes read as unsigned (no copy, no check of its own): a negative code (a damaged
        # file; polars would count it from the end) is out of bounds, as one beyond the dictionary
        parts.append(dictionary.gather(pl.Series(chunk.indices).reinterpret(signed=False)))
    return _joined(parts, enum)
