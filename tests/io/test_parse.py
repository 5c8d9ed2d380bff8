"""Cell parsing: dates, numbers, integers, booleans, categories, ids, names."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from casekit.contract import SHEETS, VOCABS
from casekit.io import read_workbook
from casekit.io._names import column_id, norm, sheet_id, vocab_map
from casekit.io._parse import (
    _maybe_odd,
    _odd,
    _settled,
    bool_expr,
    category_expr,
    date_expr,
    id_expr,
    int_exprs,
    number_expr,
)

D = dt.date


def _apply(expr_fn, values: list[str | None]) -> list[object]:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr_fn(pl.col("v")).alias("v"))["v"].to_list()


@pytest.mark.parametrize(
    ("text", "day_first", "month_first"),
    [
        ("2026-03-01", D(2026, 3, 1), D(2026, 3, 1)),
        ("2026-03-01 00:00:00", D(2026, 3, 1), D(2026, 3, 1)),
        ("2026-03-01T10:00", D(2026, 3, 1), D(2026, 3, 1)),
        ("2026-03-01T10:00:05.250", D(2026, 3, 1), D(2026, 3, 1)),
        ("2026/3/1", D(2026, 3, 1), D(2026, 3, 1)),
        ("01/03/2026", D(2026, 3, 1), D(2026, 1, 3)),
        ("1/3/2026", D(2026, 3, 1), D(2026, 1, 3)),
        ("01-03-2026", D(2026, 3, 1), D(2026, 1, 3)),
        ("01.03.2026", D(2026, 3, 1), D(2026, 1, 3)),
        ("01/03/2026 14:30", D(2026, 3, 1), D(2026, 1, 3)),
        ("1/3/26", D(2026, 3, 1), D(2026, 1, 3)),
        ("13/01/2026", D(2026, 1, 13), None),
        ("31/02/2026", None, None),
        ("2026-13-01", None, None),
        ("yesterday", None, None),
        ("46082", None, None),
        ("2026-03-01 trailing", None, None),
        (None, None, None),
    ],
)
def test_dates(text: str | None, day_first: dt.date | None, month_first: dt.date | None) -> None:
    assert _apply(lambda e: date_expr(e, month_first=False), [text]) == [day_first]
    assert _apply(lambda e: date_expr(e, month_first=True), [text]) == [month_first]


@pytest.mark.parametrize(
    ("text", "comma_file", "dot_file"),
    [
        ("27,5", 27.5, 27.5),
        ("27.5", 27.5, 27.5),
        ("1.234,5", 1234.5, 1234.5),
        ("1,234.5", 1234.5, 1234.5),
        ("1.234", 1234.0, 1.234),  # ambiguous: the file's convention decides
        ("1,234", 1.234, 1234.0),
        ("1 234,5", 1234.5, 1234.5),
        ("-0,5", -0.5, -0.5),
        ("1e3", 1000.0, 1000.0),
        ("7", 7.0, 7.0),
        ("inf", None, None),
        ("NaN", None, None),
        ("12 kg", None, None),
        ("1,2,3", None, None),
    ],
)
def test_numbers(text: str, comma_file: float | None, dot_file: float | None) -> None:
    assert _apply(lambda e: number_expr(e, decimal_comma=True), [text]) == [comma_file]
    assert _apply(lambda e: number_expr(e, decimal_comma=False), [text]) == [dot_file]


def test_integers_and_their_failures() -> None:
    values = ["7", "7.0", "7,0", "-3", "007", "7.5", "abc", None, "12345678901234567"]
    frame = pl.DataFrame({"v": values}).select(
        value=int_exprs(pl.col("v"), decimal_comma=False)[0], check=int_exprs(pl.col("v"), decimal_comma=False)[1]
    )
    assert frame["value"].to_list() == [7, 7, 7, -3, 7, None, None, None, 12345678901234567]
    assert frame["check"].to_list()[5:7] == ["not_an_integer", "not_a_number"]


def test_booleans() -> None:
    words = ["yes", "No", "Sí", "SI", "si", "true", "FALSE", "1", "0", "1.0", "verdadero", "falso", "maybe", None]
    expected = [True, False, True, True, True, True, False, True, False, True, True, False, None, None]
    assert _apply(bool_expr, words) == expected
    assert _apply(bool_expr, ["x", None, "X"]) == [True, False, True]  # x style: blank means no
    assert _apply(bool_expr, ["yes", None]) == [True, None]  # otherwise blank is unknown


def test_categories_by_id_or_label_in_either_language() -> None:
    values = ["refer_to_assessment", "Refer to assessment", "DERIVAR A EVALUACIÓN", "derivar a evaluacion", "nope"]
    assert _apply(lambda e: category_expr(e, "decision"), values) == [*["refer_to_assessment"] * 4, None]
    assert _apply(lambda e: category_expr(e, "to_level"), ["Alta", "Self-care", "self care"]) == [
        "discharged",
        "self_care",
        "self_care",
    ]


def test_every_vocabulary_label_maps_back_to_its_id() -> None:
    for vocab, labels in VOCABS.items():
        mapping = vocab_map(vocab)
        for value, label in labels.items():
            assert mapping[norm(value)] == value
            assert mapping[norm(label.en)] == value, (vocab, label.en)
            assert mapping[norm(label.es)] == value, (vocab, label.es)


def test_every_sheet_and_column_alias_is_recognised() -> None:
    for sheet in SHEETS.values():
        assert sheet_id(sheet.name) == sheet.name
        assert sheet_id(sheet.es.upper()) == sheet.name
        for col in sheet.columns.values():
            assert column_id(sheet.name, col.name.replace("_", " ").title()) == col.name
            assert column_id(sheet.name, col.es.replace("_", "-")) == col.name


def test_ids_stay_text() -> None:
    assert _apply(id_expr, ["007", "7.0", "7.50", "A-1.0", None]) == ["007", "7", "7.50", "A-1.0", None]


@pytest.mark.parametrize("header", ["Fecha Apertura", "FECHA_APERTURA", "fecha-apertura", "Opened On", "opened_on"])
def test_header_spellings(header: str) -> None:
    data = read_workbook(f"case_id;{header}\n1;02/03/2026\n".encode(), filename="cases.csv")
    assert data["cases"]["opened_on"].to_list() == [D(2026, 3, 2)]
    assert data.headers["cases"]["opened_on"] == header


def test_failed_cells_are_null_and_reported_once_with_allowed_values() -> None:
    data = read_workbook(b"case_id;sex;opened_on\n1;robot;2026-03-01\n2;female;soon\n", filename="cases.csv")
    assert data["cases"]["sex"].to_list() == [None, "female"]
    assert data.issues.rows(named=True) == [
        {
            "sheet": "cases",
            "row": 2,
            "column": "sex",
            "value": "robot",
            "check": "not_allowed",
            "severity": "error",
            "arg": "female, male, other, unknown",
        },
        {
            "sheet": "cases",
            "row": 3,
            "column": "opened_on",
            "value": "soon",
            "check": "not_a_date",
            "severity": "error",
            "arg": None,
        },
    ]


def test_row_numbers_survive_large_inputs() -> None:
    n = 50_000
    lines = [f"{i};2026-03-01" if i % 7 else ";" for i in range(n)]
    data = read_workbook(("case_id;opened_on\n" + "\n".join(lines)).encode(), filename="cases.csv")
    cases = data["cases"]
    assert cases.height == n - len(range(0, n, 7))
    assert (cases["case_id"].cast(pl.Int64) + 2 == cases["_row"]).all()


@pytest.mark.parametrize("kind", ["id", "text"])
def test_the_cheap_test_of_texts_to_clean_flags_every_text_cleaning_changes(kind: str) -> None:
    """`_maybe_odd` (byte comparisons) must be true wherever `_odd` (strip, regex) is, or a
    text needing cleaning would be kept as it is: every character up to U+30FF (all the
    Unicode whitespace, controls, digits of other scripts) alone, before, after and inside
    a text, also in texts longer than a string view's 12 inline bytes, and the ids and
    quotes the rules are about."""
    chars = [chr(c) for c in range(0x3100) if not 0xD800 <= c < 0xE000]
    long = "C" * 15
    texts = [*chars, *(f"{c}C1" for c in chars), *(f"C1{c}" for c in chars), *(f"C{c}1" for c in chars)]
    texts += [*(f"{c}{long}" for c in chars), *(f"{long}{c}" for c in chars)]
    texts += ["", "7.0", "7.00", "07.0", "7.", ".0", "\u0663.0", "'=x", "x'", "C-1", "a;'=b", "a,\"'+b", None]
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    rows = frame.select(odd=_odd(kind, pl.col("t")), maybe=_maybe_odd(kind, pl.col("t")))
    missed = frame.filter(rows["odd"] & ~rows["maybe"])
    assert missed.height == 0, missed["t"].to_list()[:10]
    assert rows["odd"].sum() >= 125  # the texts do hit the rule (25 whitespace characters, 5 places)
    assert (rows["maybe"] & ~rows["odd"]).sum() > 0  # a superset, not the same test


def test_a_column_is_settled_only_when_no_text_would_change() -> None:
    frame = pl.DataFrame({"ok": ["C1", "José", None], "ws": ["C1", "C2\u3000", None], "id": ["C1", "12.0", None]})
    settled = _settled(frame, {"ok": "id", "ws": "id", "id": "id"})
    assert settled == {"ok": True, "ws": False, "id": False}
    assert _settled(frame, {"id": "text"}) == {"id": True}  # 12.0 is a text, not an id
    marked = pl.DataFrame({"t": ["Team;'=1+1", "ok"], "q": ["it's", "ok"]})
    assert _settled(marked, {"t": "text", "q": "text"}) == {"t": False, "q": True}


@pytest.mark.parametrize("neighbour", ["ok", " ok ", "'=x", None])
def test_a_text_reads_the_same_whatever_the_other_cells_of_its_column(neighbour: str | None) -> None:
    """The neutraliser's mark after a list separator (``a;'=b``, as casekit's exports
    write ``a;=b``) is undone whether or not another cell of the column needs cleaning."""
    from casekit.io._parse import parse_frame

    frame = pl.DataFrame(
        {"Case": ["C1", "C2"], "Notes": ["Team;'=1+1, ok", neighbour], "_row": [2, 3]},
        schema={"Case": pl.String, "Notes": pl.String, "_row": pl.UInt32},
    )
    out, _ = parse_frame(
        "contacts", frame, {"Case": "case_id", "Notes": "notes"}, month_first=False, decimal_comma=False
    )
    assert out["notes"][0] == "Team;=1+1, ok"
