"""A Parquet file's category columns read from their dictionaries give what the text gave.

The reference is the same read with the dictionary path turned off (every column decoded as
text, then cast to its Enum or parsed on its distinct texts): files written with and
without dictionary pages, holding ids, nulls, labels, blanks, spaces and values outside the
vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
import casekit.io._read as reader
from casekit.contract import SHEETS
from casekit.data import CaseData, as_text, category_enum, column_dtype
from casekit.io._parquet import _as_enum, category_enums

ODD = ["", " ", " female", "male ", "Mujer", "Llamada telefónica", "phone call", "zzz", "\u00a0", None]


def _category(sheet: str, column: str) -> bool:
    col = SHEETS[sheet].columns.get(column)
    return col is not None and col.kind == "category"


def _sheets(odd: bool) -> dict[str, pl.DataFrame]:
    """``make_sample(120)`` as text; with ``odd``, every 9th value of each category column odd."""
    sheets = {s: as_text(f).drop("_row") for s, f in ck.make_sample(120, seed=3).sheets.items()}
    if not odd:
        return sheets
    return {
        s: f.with_columns(
            pl.when(pl.int_range(pl.len()) % 9 == 4)
            .then(pl.lit(pl.Series(ODD)).gather(pl.int_range(pl.len()) % len(ODD)))
            .otherwise(pl.col(c))
            .alias(c)
            for c in f.columns
            if _category(s, c)
        )
        for s, f in sheets.items()
    }


WRITERS: dict[str, Callable[[pl.DataFrame, Path], None]] = {
    "polars": lambda f, p: f.write_parquet(p),
    "polars_row_groups": lambda f, p: f.write_parquet(p, row_group_size=17),
    "no_dictionary": lambda f, p: pq.write_table(f.to_arrow(), p, use_dictionary=False),
    "dictionary_falls_back": lambda f, p: pq.write_table(
        f.to_arrow(), p, dictionary_pagesize_limit=32, row_group_size=50
    ),
    "categorical": lambda f, p: f.with_columns(pl.col(pl.String).cast(pl.Categorical)).write_parquet(p),
}


def _write(sheets: dict[str, pl.DataFrame], folder: Path, how: str) -> Path:
    folder.mkdir()
    for sheet, frame in sheets.items():
        WRITERS[how](frame, folder / f"{sheet}.parquet")
    return folder


def _as_text_read(folder: Path, monkeypatch: pytest.MonkeyPatch) -> CaseData:
    with monkeypatch.context() as m:
        m.setattr(reader, "category_enums", lambda data, wanted: {})
        return ck.read_workbook(folder, lang="es")


@pytest.mark.parametrize("how", sorted(WRITERS))
@pytest.mark.parametrize("odd", [False, True])
def test_dictionary_read_equals_the_text_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, odd: bool
) -> None:
    folder = _write(_sheets(odd), tmp_path / "caseload", how)
    taken: list[int] = []

    def spy(data: bytes, wanted: dict[int, pl.DataType]) -> dict[int, pl.Series]:
        enums = category_enums(data, wanted)
        taken.append(len(enums))
        return enums

    monkeypatch.setattr(reader, "category_enums", spy)
    fast = ck.read_workbook(folder, lang="es")
    text = _as_text_read(folder, monkeypatch)
    assert sum(taken) == (0 if odd else 27)  # every clean category column took the dictionary path
    assert list(fast.sheets) == list(text.sheets)
    for sheet in text.sheets:
        assert_frame_equal(fast[sheet], text[sheet], check_exact=True)
    assert_frame_equal(fast.issues, text.issues, check_exact=True)
    assert fast.headers == text.headers
    if odd:
        assert fast.issues.filter(pl.col("check") == "not_allowed").height > 0


def test_only_the_columns_holding_anything_else_are_read_as_text(tmp_path: Path) -> None:
    cases = as_text(ck.make_sample(40, seed=1)["cases"]).drop("_row")
    cases = cases.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("Mujer")).otherwise("sex").alias("sex"))
    path = tmp_path / "cases.parquet"
    cases.write_parquet(path)
    categories = [c for c in cases.columns if _category("cases", c)]
    wanted = {cases.columns.index(c): column_dtype(SHEETS["cases"].columns[c]) for c in categories}
    enums = category_enums(path.read_bytes(), wanted)
    assert sorted(cases.columns[i] for i in enums) == sorted(c for c in categories if c != "sex")
    data = ck.read_workbook(path)
    assert data["cases"]["sex"].to_list()[3] == "female"  # the label, mapped on the text path
    assert data["cases"].schema["sex"] == category_enum("sex")


def test_a_file_of_category_columns_only(tmp_path: Path) -> None:
    frame = pl.DataFrame({"case_id": ["C1", "C2"], "sex": ["male", None], "language": ["es", "en"]})
    path = tmp_path / "cases.parquet"
    frame.select("sex").write_parquet(path)
    assert category_enums(path.read_bytes(), {0: category_enum("sex")})[0].to_list() == ["male", None]
    frame.write_parquet(path)
    assert ck.read_workbook(path)["cases"]["sex"].to_list() == ["male", None]


def test_a_damaged_code_leaves_the_column_to_the_text_read() -> None:
    negative = pa.DictionaryArray.from_arrays(pa.array([0, -1], pa.int32()), pa.array(["male", "female"]), safe=False)
    beyond = pa.DictionaryArray.from_arrays(pa.array([0, 5], pa.int32()), pa.array(["male"]), safe=False)
    for damaged in (negative, beyond):  # never a value counted from the end or taken from beyond
        with pytest.raises(pl.exceptions.OutOfBoundsError):
            _as_enum([damaged], category_enum("sex"))
    empty = _as_enum([], category_enum("sex"))
    assert empty is not None
    assert (empty.len(), empty.dtype) == (0, category_enum("sex"))


def test_no_dictionary_path_for_duplicate_names_binary_or_nested_columns(tmp_path: Path) -> None:
    sex = pa.array(["male", "female"])
    wanted = {0: category_enum("sex")}
    for table in (
        pa.Table.from_arrays([sex, sex], names=["sex", "sex"]),
        pa.table({"sex": sex.cast(pa.binary())}),
        pa.table({"sex": pa.array([{"a": "male"}, {"a": "female"}])}),
    ):
        path = tmp_path / "x.parquet"
        pq.write_table(table, path)
        assert category_enums(path.read_bytes(), wanted) == {}
    assert category_enums(b"not a parquet file", wanted) == {}
