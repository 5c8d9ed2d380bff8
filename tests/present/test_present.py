"""casekit.present: one header per column, labels, formats, and Spanish that reads as Spanish."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from casekit import present
from casekit.contract import VOCABS
from casekit.io._parse import date_expr
from casekit.present._vocab import COLUMN_VOCABULARY
from tests.present import spanish
from tests.present.public_frames import public_frames

FRAMES = public_frames()


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_every_column_of_every_public_frame_has_a_header_in_both_languages(name: str) -> None:
    """A column added to a public function without a header in columns.toml fails here:
    add ``[<column>]`` with ``en`` and ``es`` to ``casekit/locales/columns.toml``."""
    columns = FRAMES[name].columns
    assert present.missing_headers(columns) == [], f"{name}: add these to casekit/locales/columns.toml"
    for lang in ("es", "en"):
        headers = [present.header(c, lang) for c in columns]
        assert all(h and "{" not in h for h in headers), headers


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_readable_spanish_frames_read_as_spanish(name: str) -> None:
    shown = present.readable(FRAMES[name], "es")
    assert all(dtype == pl.String for dtype in shown.dtypes)
    cells = [*shown.columns, *(cell for row in shown.rows() for cell in row)]
    assert spanish.cell_problems(cells) == []


def test_readable_keeps_rows_and_order_and_labels_every_vocabulary_column() -> None:
    status = FRAMES["case_status"]
    shown = present.readable(status, "en")
    assert shown.height == status.height
    stage = present.header("current_stage", "en")
    labels = present.vocabulary("stage", "en")
    assert shown[stage].to_list() == [labels[s] for s in status["current_stage"]]


def test_spanish_checker_catches_what_it_should() -> None:
    bad = "Media 92.8 · total 1,373.91 · None · nan · 2026-09-30 · goal_overdue · high"
    assert spanish.problems(bad) == ["None", "nan", "92.8", "1,373.91", "2026-09-30", "goal_overdue"]
    assert spanish.cell_problems(["high", "Alto, moderate", "care after discharge"]) == ["high", "moderate"]
    assert spanish.problems("Total 1.373,91 · 12,5 % · 30/09/2026 · Alto · normal · 10.000") == []


def test_number_expr_writes_what_python_format_writes() -> None:
    rng = random.Random(16)
    values = [rng.uniform(-1e7, 1e7) for _ in range(300)] + [0.0, -0.004, 999.996, 1e12 + 0.25]
    for decimals in (0, 1, 2):
        for lang in ("es", "en"):
            got = pl.select(present.number_expr(pl.lit(pl.Series(values)), lang, decimals=decimals)).to_series()
            expected = [present.format_number(v, lang, f",.{decimals}f") for v in values]
            assert got.to_list() == [e.removeprefix("-") if e.strip("-0.,") == "" else e for e in expected]


def test_whole_numbers_show_without_decimals_in_both_languages() -> None:
    df = pl.DataFrame({"points": [4.0, 12.0, None], "score": [1204.0, 3.0, 1.0], "mean_change": [1.5, 2.0, None]})
    assert present.readable(df, "es").rows() == [("4", "1.204", "1,5"), ("12", "3", "2,0"), ("", "1", "")]
    assert present.readable(df, "en").rows() == [("4", "1,204", "1.5"), ("12", "3", "2.0"), ("", "1", "")]
    excel = present.excel_formats(df, "es")  # the spreadsheet download agrees with the screen
    assert (excel["points"], excel["score"]) == ("#,##0", "#,##0")
    assert excel["mean_change"] != "#,##0"
    assert [present.format_number(4.0, lang) for lang in ("es", "en")] == ["4", "4"]
    assert present.format_number(4.0, "es", ",.2f") == "4,00"  # a precision asked for is kept
    assert pl.select(present.number_expr(pl.lit(1.0), "es", decimals=1, percent=True)).item() == "100,0\xa0%"


def test_dates_written_in_a_language_are_read_back_the_same() -> None:
    days = [dt.date(2026, 1, 31), dt.date(1999, 12, 1), dt.date(2026, 3, 1)]
    for lang in ("es", "en"):
        text = pl.Series("d", [present.format_date(d, lang) for d in days])
        assert pl.select(date_expr(pl.lit(text), month_first=False)).to_series().to_list() == days


def test_columns_found_in_two_sheets_never_disagree_on_a_label() -> None:
    for column, names in COLUMN_VOCABULARY.items():
        for lang in ("es", "en"):
            seen: dict[str, str] = {}
            for name in names:
                for key, text in present.vocabulary(name, lang).items():
                    assert seen.setdefault(key, text) == text, (column, key)


def test_every_contract_vocabulary_is_reached_from_a_column() -> None:
    used = {name for names in COLUMN_VOCABULARY.values() for name in names}
    assert set(VOCABS) <= used | {"level_of_care"}


def test_formats_table_is_one_per_language_and_consumer() -> None:
    es, en = present.FORMATS["es"], present.FORMATS["en"]
    assert dt.date(2026, 9, 30).strftime(es.date) == "30/09/2026"
    assert (es.csv_separator, es.decimal, es.thousands) == (";", ",", ".")
    assert (en.csv_separator, en.decimal, en.thousands) == (",", ".", ",")
    assert es.widget_date == es.column_date == "DD/MM/YYYY"
