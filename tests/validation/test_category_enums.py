"""Category columns are ``pl.Enum``s of their vocabulary (issue 18, round 7): read, validated,
set aside; the rules read them as text, and exports write the text as before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

import casekit as ck
from casekit._frames import sheet
from casekit.contract import SHEETS, VOCABS
from casekit.data import CaseData, as_text, column_dtype

AS_OF = dt.date(2026, 6, 30)


def _categories() -> list[tuple[str, str]]:
    return [(s, c.name) for s, spec in SHEETS.items() for c in spec.columns.values() if c.kind == "category"]


def test_every_category_column_is_an_enum_of_its_sorted_vocabulary() -> None:
    """Sorted ids: an Enum sorts (and gives min/max) as its text does."""
    assert len(_categories()) == 27
    for s, c in _categories():
        dtype = column_dtype(SHEETS[s].columns[c])
        assert isinstance(dtype, pl.Enum)
        ids = dtype.categories.to_list()
        assert ids == sorted(VOCABS[SHEETS[s].columns[c].vocab or ""]), (s, c)
        values = pl.Series([*reversed(ids), None], dtype=dtype)
        assert values.sort().cast(pl.String).to_list() == values.cast(pl.String).sort().to_list()


def test_a_read_caseload_and_the_same_caseload_as_text_validate_alike(tmp_path: Path) -> None:
    """``validate`` gives the clean rows of data made by hand (text) the reader's Enums, so every
    rule meets one dtype; the derived tables are the same either way, and the rules read text."""
    sample = ck.make_sample(60, seed=3)
    ck.write_workbook(sample, tmp_path / "pq", format="parquet")
    read = ck.read_workbook(tmp_path / "pq")
    assert read["contacts"].schema["status"] == column_dtype(SHEETS["contacts"].columns["status"])
    by_hand, from_file = ck.validate(sample, as_of=AS_OF), ck.validate(read, as_of=AS_OF)
    for name, df in from_file.data.sheets.items():
        assert by_hand.data[name].schema == df.schema, name
        assert_frame_equal(by_hand.data[name], df)
    assert sheet(from_file.data, "contacts", ["status"]).collect_schema()["status"] == pl.String
    scores = ck.score_risk(by_hand, as_of=AS_OF)
    assert_frame_equal(scores, ck.score_risk(from_file, as_of=AS_OF))
    assert_frame_equal(
        ck.case_status(by_hand, as_of=AS_OF, risk=scores), ck.case_status(from_file, as_of=AS_OF, risk=scores)
    )
    assert_frame_equal(ck.events(by_hand, as_of=AS_OF), ck.events(from_file, as_of=AS_OF))
    assert_frame_equal(ck.outcome_changes(by_hand, as_of=AS_OF), ck.outcome_changes(from_file, as_of=AS_OF))


def test_a_value_outside_the_vocabulary_is_set_aside_as_text() -> None:
    """Data made by hand may hold any text: the row is set aside (``not_allowed``) with its text,
    and the clean rows are Enums."""
    data = CaseData(
        {
            "cases": pl.DataFrame(
                {"case_id": ["A", "B"], "opened_on": [dt.date(2026, 1, 5)] * 2, "sex": ["female", "Mujer?"]}
            )
        }
    )
    result = ck.validate(data, as_of=AS_OF)
    assert result.issues.filter(pl.col("check") == "not_allowed").get_column("value").to_list() == ["Mujer?"]
    assert result.data["cases"].schema["sex"] == column_dtype(SHEETS["cases"].columns["sex"])
    assert result.data["cases"].get_column("sex").to_list() == ["female"]
    held = result.quarantined["cases"]
    assert held.schema["sex"] == pl.String
    assert held.get_column("sex").to_list() == ["Mujer?"]


def test_exports_write_the_text_of_the_enums(tmp_path: Path) -> None:
    """The same CSV and Parquet files from the Enums as from the text."""
    sample = ck.make_sample(40, seed=5)
    clean = ck.validate(sample, as_of=AS_OF).data
    assert isinstance(clean["contacts"].schema["kind"], pl.Enum)
    text = CaseData({name: as_text(df) for name, df in clean.sheets.items()})
    for fmt in ("csv", "parquet"):
        a = ck.write_workbook(clean, tmp_path / f"enum-{fmt}", format=fmt)
        b = ck.write_workbook(text, tmp_path / f"text-{fmt}", format=fmt)
        assert isinstance(a, Path)
        assert isinstance(b, Path)
        files = sorted(p.name for p in a.iterdir())
        assert files
        assert files == sorted(p.name for p in b.iterdir())
        for name in files:
            assert (a / name).read_bytes() == (b / name).read_bytes(), (fmt, name)
    back = ck.read_workbook(tmp_path / "enum-parquet")
    assert_frame_equal(back["contacts"].drop("_row"), clean["contacts"].drop("_row"))


def test_an_enum_other_than_the_contracts_is_still_checked_against_the_vocabulary() -> None:
    """Only the contract's own Enum is known to hold nothing but its ids: a column made by
    hand as another Enum, with a value outside the vocabulary, still gets ``not_allowed``."""
    sample = ck.make_sample(20, seed=1)
    cases = sample["cases"]
    odd = pl.Enum([*column_dtype(SHEETS["cases"].columns["sex"]).categories.to_list(), "martian"])
    sex = pl.Series("sex", ["martian", *cases.get_column("sex").cast(pl.String).to_list()[1:]], dtype=odd)
    data = CaseData({**sample.sheets, "cases": cases.with_columns(sex)})
    issues = ck.validate(data, as_of=AS_OF).issues
    bad = issues.filter((pl.col("sheet") == "cases") & (pl.col("column") == "sex"))
    assert bad.get_column("check").to_list() == ["not_allowed"]
