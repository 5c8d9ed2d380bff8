"""deidentify: nothing identifying leaves, dates move together per case, pseudonyms hold joins."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Literal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
from casekit import present
from casekit.contract import DERIVED_COLUMNS, ROW, SHEETS, VOCABS
from casekit.data import as_text
from casekit.deid import (
    ID_PREFIXES,
    Deidentified,
    column_rules,
    deidentified_aggregate,
    deidentify,
    pseudonym,
)
from casekit.errors import CasekitError
from casekit.i18n import t
from tests.builders import D, caseload, frame

#: One fixed key for the module: the same extracts on every run (each still runs scrypt once).
KEY = hashlib.sha256(b"casekit deid tests").hexdigest()
ROW_IDS = {"goals": "goal_id", "services": "service_id", "contacts": "contact_id", "transitions": "transition_id"}
IDENTIFYING = {"client_name", "birth_date", "notes", "description", "reason", "prior_services"}


@pytest.fixture(scope="module")
def sample() -> ck.CaseData:
    return ck.make_sample(150, seed=7)


@pytest.fixture(scope="module")
def shifted(sample: ck.CaseData) -> Deidentified:
    """The extract without k-anonymity (``k=1``): every case kept, so rows can be compared one to one."""
    return deidentify(sample, key=KEY, k=1)


def _texts(data: ck.CaseData) -> set[str]:
    """Every cell of every sheet, as text."""
    cells: set[str] = set()
    for df in data.sheets.values():
        if df.width:
            long = df.select(pl.all().cast(pl.String)).unpivot(variable_name="__column", value_name="__cell")
            cells.update(long["__cell"].drop_nulls().to_list())
    return cells


def _secrets(sample: ck.CaseData) -> set[str]:
    """Names, notes, descriptions, reasons and original identifiers of the sample."""
    values = [
        sample["cases"]["client_name"],
        sample["contacts"]["notes"],
        sample["goals"]["description"],
        sample["risk_reviews"]["reason"],
        sample["transitions"]["reason"],
        sample["cases"]["case_id"],
        sample["cases"]["client_id"],
        *(sample[s][c] for s, c in ROW_IDS.items()),
    ]
    return set(pl.concat(values).drop_nulls().to_list())


def _aligned(original: pl.DataFrame, key: str = KEY) -> pl.DataFrame:
    """The original sheet in the extract's row order (by case pseudonym; order within a case kept)."""
    return original.with_columns(pseudonym(pl.col("case_id"), key, prefix="C-").alias("_pc")).sort(
        "_pc", maintain_order=True
    )


# ---- nothing identifying ---------------------------------------------------------------


def test_no_identifying_or_row_number_column_in_any_sheet(shifted: Deidentified, sample: ck.CaseData) -> None:
    assert set(shifted.data.sheets) == set(sample.sheets)
    for name, df in shifted.data.sheets.items():
        assert not IDENTIFYING & set(df.columns), name
        assert ROW not in df.columns


def test_no_name_note_or_original_id_in_any_cell(shifted: Deidentified, sample: ck.CaseData) -> None:
    secrets = _secrets(sample)
    assert len(secrets) > 1000  # the scan has something to find
    leaked = secrets & _texts(shifted.data)
    assert not leaked, sorted(leaked)[:5]


def test_no_secret_in_the_removed_log_and_every_reason_translated(shifted: Deidentified, sample: ck.CaseData) -> None:
    log = shifted.removed
    assert not _secrets(sample) & set(pl.concat([log[c] for c in log.columns]).drop_nulls().to_list())
    assert set(log["action"]) <= {"removed", "pseudonymised", "shifted", "year", "top_coded", "mapped"}
    assert log.select("sheet", "column").is_duplicated().sum() == 0
    for lang in ("es", "en"):
        explained = shifted.explain(lang)
        assert not explained["reason"].str.starts_with("deid.").any()
        assert explained["reason"].to_list() == [t(f"deid.reason_{r}", lang) for r in log["reason"]]
    assert shifted.explain("es")["reason"].to_list() != shifted.explain("en")["reason"].to_list()


def test_removed_log_names_each_removed_column(shifted: Deidentified) -> None:
    removed = shifted.removed.filter(pl.col("action") == "removed").select("sheet", "column").rows()
    assert set(removed) == {
        ("cases", "client_name"),
        ("cases", "birth_date"),
        ("screenings", "prior_services"),
        ("risk_reviews", "reason"),
        ("goals", "description"),
        ("contacts", "notes"),
        ("transitions", "reason"),
    }
    assert ("cases", "age", "top_coded") in shifted.removed.select("sheet", "column", "action").rows()


def test_unknown_columns_and_sheets_are_removed_and_listed(sample: ck.CaseData) -> None:
    sheets = dict(sample.sheets)
    sheets["cases"] = sheets["cases"].with_columns(phone=pl.lit("+34 600 123 456"))
    sheets["contacts"] = sheets["contacts"].with_columns(comment=pl.lit("lives at Calle Mayor 3"))
    sheets["scratch"] = pl.DataFrame({"who": ["Dr. House's patient"]})
    out = deidentify(ck.CaseData(sheets), key=KEY)
    assert "scratch" not in out.data.sheets
    assert "phone" not in out.data["cases"].columns
    assert "comment" not in out.data["contacts"].columns
    assert not {"+34 600 123 456", "lives at Calle Mayor 3", "Dr. House's patient"} & _texts(out.data)
    log = out.removed.select("sheet", "column", "reason").rows()
    assert ("cases", "phone", "unknown_column") in log
    assert ("contacts", "comment", "unknown_column") in log
    assert ("scratch", "who", "unknown_sheet") in log


def test_parsing_issues_and_source_are_not_carried_over(sample: ck.CaseData) -> None:
    issues = pl.DataFrame(
        {"sheet": ["cases"], "row": [2], "column": ["client_name"], "value": ["Ana Pérez"], "check": ["x"],
         "severity": ["warning"], "arg": [None]},
        schema=sample.issues.schema,
    )  # fmt: skip
    data = ck.CaseData(sample.sheets, issues=issues, source="/home/ana_perez/caseload.xlsx")
    out = deidentify(data, key=KEY).data
    assert out.issues.height == 0
    assert out.source == ""
    assert out.headers == {}


# ---- dates -----------------------------------------------------------------------------


def test_year_mode_leaves_no_date_and_keeps_the_year(sample: ck.CaseData) -> None:
    out = deidentify(sample, key=KEY, dates="year", k=1)
    for name, df in out.data.sheets.items():
        temporal = [c for c, dtype in df.schema.items() if dtype.is_temporal()]
        assert not temporal, (name, temporal)
    years = _aligned(sample["contacts"])["contact_on"].dt.year().cast(pl.Int64)
    assert out.data["contacts"]["contact_on"].to_list() == years.to_list()
    assert set(out.removed.filter(pl.col("reason") == "date_year")["action"]) == {"year"}


def test_shift_moves_every_date_of_a_case_by_the_same_bounded_nonzero_number_of_weeks(
    shifted: Deidentified, sample: ck.CaseData
) -> None:
    cases = _aligned(sample["cases"])
    out_cases = shifted.data["cases"]
    assert out_cases["case_id"].to_list() == cases["_pc"].to_list()
    offset = (out_cases["opened_on"] - cases["opened_on"]).dt.total_days()
    assert offset.null_count() == 0
    assert (offset != 0).all(), "no case keeps its original opened_on"
    assert (offset % 7 == 0).all(), "whole weeks: weekdays say nothing about the shift"
    assert offset.abs().max() <= 26 * 7
    assert offset.n_unique() > 30
    assert (offset < 0).any()
    assert (offset > 0).any()
    by_case = dict(zip(out_cases["case_id"], offset, strict=True))
    checked = 0
    for name, df in shifted.data.sheets.items():
        original = _aligned(sample[name])
        expected = original["_pc"].replace_strict(by_case, return_dtype=pl.Int64)
        for column, dtype in df.schema.items():
            if dtype != pl.Date:
                continue
            moved = (df[column] - original[column]).dt.total_days()
            assert moved.is_null().to_list() == original[column].is_null().to_list(), (name, column)
            assert (moved.drop_nulls() == expected.filter(original[column].is_not_null())).all(), (name, column)
            assert (df[column].dt.weekday() == original[column].dt.weekday()).all(), (name, column)
            checked += 1
    assert checked == 13  # every date column of the contract but birth_date


def _dates(data: ck.CaseData) -> pl.Series:
    """Every date of every sheet but ``birth_date``."""
    return pl.concat(
        [
            df[c]
            for df in data.sheets.values()
            for c, dtype in df.schema.items()
            if dtype == pl.Date and c != "birth_date"
        ]
    ).drop_nulls()


def test_shifted_dates_stay_inside_the_study_window(shifted: Deidentified, sample: ck.CaseData) -> None:
    """A shifted date outside the original first-to-last window would tell which way its case moved."""
    before, after = _dates(sample), _dates(shifted.data)
    assert before.min() <= after.min()
    assert after.max() <= before.max()


def test_cases_at_the_ends_of_the_window_move_inwards() -> None:
    book = caseload(
        cases=[
            {"case_id": "first", "opened_on": "2025-01-01", "closed_on": "2025-01-10"},
            {"case_id": "middle", "opened_on": "2025-06-01", "closed_on": "2025-06-05"},
            {"case_id": "last", "opened_on": "2025-12-20", "closed_on": "2025-12-31"},
        ]
    )
    for _ in range(3):
        out = deidentify(book, max_shift_weeks=8, k=1)
        moved = _aligned(book["cases"], out.key).with_columns(shifted=out.data["cases"]["opened_on"])
        offset = dict(moved.select("case_id", (pl.col("shifted") - pl.col("opened_on")).dt.total_days()).iter_rows())
        assert 7 <= offset["first"] <= 56, offset
        assert -56 <= offset["last"] <= -7, offset
        assert offset["middle"] != 0
        assert abs(offset["middle"]) <= 56
        assert out.data["cases"]["opened_on"].min() >= D("2025-01-01")
        assert out.data["cases"]["closed_on"].max() <= D("2025-12-31")


def test_intervals_within_a_case_are_kept_exactly() -> None:
    book = caseload(
        cases=[{"case_id": "A", "opened_on": "2026-01-31", "closed_on": "2026-03-01"}],
        contacts=[
            {"contact_id": "k1", "case_id": "A", "contact_on": "2026-02-28"},
            {"contact_id": "k2", "case_id": "A", "contact_on": "2026-02-01"},
        ],
        goals=[{"goal_id": "g1", "case_id": "A", "set_on": "2026-02-02", "target_on": "2026-12-31"}],
    )
    out = deidentify(book, key=KEY, max_shift_weeks=52, k=1).data
    opened = out["cases"]["opened_on"].item()
    assert opened != D("2026-01-31")
    assert [(d - opened).days for d in out["contacts"]["contact_on"]] == [28, 1]
    assert (out["cases"]["closed_on"].item() - opened).days == 29
    assert (out["goals"]["target_on"].item() - out["goals"]["set_on"].item()).days == 332


@pytest.mark.parametrize("max_weeks", [1, 3])
def test_small_max_shift_never_zero(sample: ck.CaseData, max_weeks: int) -> None:
    out = deidentify(sample, key=KEY, max_shift_weeks=max_weeks, k=1)
    offset = (out.data["cases"]["opened_on"] - _aligned(sample["cases"])["opened_on"]).dt.total_days()
    assert set(offset) == {7 * w for w in range(-max_weeks, max_weeks + 1) if w != 0}


def test_max_shift_zero_keeps_dates_and_bad_options_are_refused(sample: ck.CaseData) -> None:
    out = deidentify(sample, key=KEY, max_shift_weeks=0, k=1)
    assert out.data["cases"]["opened_on"].to_list() == _aligned(sample["cases"])["opened_on"].to_list()
    with pytest.raises(CasekitError, match="shift or year"):
        deidentify(sample, dates="month")  # type: ignore[arg-type]
    with pytest.raises(CasekitError, match="max_shift_weeks"):
        deidentify(sample, max_shift_weeks=-1)


# ---- pseudonyms ------------------------------------------------------------------------


def test_pseudonyms_join_across_sheets(shifted: Deidentified, sample: ck.CaseData) -> None:
    cases = shifted.data["cases"]["case_id"]
    assert cases.n_unique() == sample["cases"].height
    assert cases.str.contains(r"^C-[0-9a-f]{16}$").all()
    for name, df in shifted.data.sheets.items():
        assert df["case_id"].is_in(cases.implode()).all(), name
        assert df["case_id"].n_unique() == sample[name]["case_id"].n_unique(), name
    for sheet, column in ROW_IDS.items():
        ids = shifted.data[sheet][column]
        assert ids.str.starts_with(ID_PREFIXES[column]).all()
        assert ids.n_unique() == sample[sheet][column].n_unique()


def test_pseudonyms_stable_for_a_key_and_different_across_keys(sample: ck.CaseData) -> None:
    first, again = deidentify(sample, key=KEY, k=1), deidentify(sample, key=KEY.upper(), k=1)
    for name in first.data.sheets:
        assert first.data[name].equals(again.data[name]), name
    other = deidentify(sample, key=hashlib.sha256(b"another study").hexdigest(), k=1)
    for column in ("case_id", "client_id"):
        assert not set(first.data["cases"][column]) & set(other.data["cases"][column])
    random_1, random_2 = deidentify(sample), deidentify(sample)
    assert not set(random_1.data["cases"]["case_id"]) & set(random_2.data["cases"]["case_id"])
    assert random_1.key != random_2.key
    again = deidentify(sample, key=random_1.key)  # the key shown once reproduces the extract
    assert again.data["cases"].equals(random_1.data["cases"])


def test_public_pseudonym_matches_the_export(shifted: Deidentified, sample: ck.CaseData) -> None:
    expected = sample["cases"].select(pseudonym(pl.col("case_id"), KEY, prefix="C-"))["case_id"]
    assert sorted(expected) == shifted.data["cases"]["case_id"].to_list()


def test_same_client_and_same_staff_member_get_one_pseudonym() -> None:
    book = caseload(
        cases=[
            {"case_id": "1", "client_id": "P7", "case_manager": "Ana Gil"},
            {"case_id": "2", "client_id": "P7", "case_manager": "Luis Mora"},
            {"case_id": "3", "client_id": "P8", "case_manager": "Ana Gil"},
        ],
        risk_reviews=[{"case_id": "1", "reviewed_on": "2026-01-05", "reviewer": "Ana Gil"}],
    )
    out = deidentify(book, key=KEY, k=1).data
    cases = out["cases"].sort("case_id")
    by_client = cases.group_by("client_id").len()
    assert sorted(by_client["len"]) == [1, 2]
    assert not {"P7", "P8", "Ana Gil", "Luis Mora"} & _texts(out)
    ana = set(cases.group_by("case_manager").len().filter(pl.col("len") == 2)["case_manager"])
    assert set(out["risk_reviews"]["reviewer"]) == ana


def test_case_ids_restrict_every_sheet(sample: ck.CaseData) -> None:
    chosen = sample["cases"]["case_id"].head(12)
    want = set(sample["cases"].head(12).select(pseudonym(pl.col("case_id"), KEY, prefix="C-"))["case_id"])
    for given in (chosen, chosen.to_list(), iter(chosen.to_list())):
        out = deidentify(sample, key=KEY, case_ids=given, k=1).data
        assert set(out["cases"]["case_id"]) == want
        for name, df in out.sheets.items():
            assert set(df["case_id"]) <= want, name
            assert df.height == sample[name].filter(pl.col("case_id").is_in(chosen.implode())).height, name


def test_validation_result_exports_only_clean_rows() -> None:
    book = caseload(
        cases=[{"case_id": "A", "client_name": "Rosa Díaz"}],
        contacts=[
            {"contact_id": "k1", "case_id": "A", "contact_on": "2026-01-10", "notes": "Rosa called"},
            {"contact_id": "k2", "case_id": "ZZZ", "contact_on": "2026-01-10"},  # unknown case: quarantined
        ],
    )
    result = ck.validate(book, as_of=D("2026-06-30"))
    assert sum(result.n_quarantined().values()) == 1
    out = deidentify(result, key=KEY, k=1).data
    assert out["contacts"].height == 1
    assert out["contacts"]["case_id"].item() == out["cases"]["case_id"].item()


# ---- ages ------------------------------------------------------------------------------


def test_age_at_opening_grouped_from_90() -> None:
    births = ["1936-03-01", "1936-03-02", "1935-03-02", "1920-01-01", "2000-03-01", None]
    book = caseload(
        cases=[{"case_id": str(i), "birth_date": b, "opened_on": "2026-03-01"} for i, b in enumerate(births)]
    )
    out = deidentify(book, key=KEY, k=1).data["cases"]
    order = _aligned(book["cases"])["case_id"].to_list()
    ages = dict(zip(order, out["age"], strict=True))
    bands = dict(zip(order, out["age_band"], strict=True))
    assert [ages[str(i)] for i in range(6)] == ["90+", "89", "90+", "90+", "26", None]
    assert [bands[str(i)] for i in range(6)] == ["85+", "85+", "85+", "85+", "<40", None]
    assert out.schema["age"] == pl.String


def test_age_at_as_of_date() -> None:
    book = caseload(cases=[{"case_id": "A", "birth_date": "1950-06-15", "opened_on": "2020-01-01"}])
    at_opening = deidentify(book, key=KEY, k=1).data["cases"]["age"].item()
    at_as_of = deidentify(book, key=KEY, as_of=dt.date(2026, 6, 14), k=1).data["cases"]["age"].item()
    assert (at_opening, at_as_of) == ("69", "75")


# ---- aggregates ------------------------------------------------------------------------


def test_aggregate_cells_of_1_to_10_suppressed() -> None:
    table = pl.DataFrame({"program": list("abcd"), "n": [0, 1, 10, 11], "median_days": [None, 3.0, 4.0, 5.0]})
    out = deidentified_aggregate(table, "n", derived_cols="median_days")
    assert out.rows() == [
        ("a", 0, None, False),
        ("b", None, None, True),
        ("c", None, None, True),
        ("d", 11, 5.0, False),
    ]
    lazy = deidentified_aggregate(table.lazy(), ["n"], min_cell=5)
    assert lazy.collect()["n"].to_list() == [0, None, 10, 11]


def test_aggregate_of_the_extract_by_program(shifted: Deidentified) -> None:
    counts = shifted.data["cases"].group_by("program", "sex").len("n").sort("program", "sex")
    out = deidentified_aggregate(counts, "n")
    small = counts["n"].is_between(1, 10)
    assert small.any()
    assert out["n"].is_null().to_list() == small.to_list()
    assert out["suppressed"].to_list() == small.to_list()


@pytest.mark.parametrize("column", ["case_id", "client_name", "notes", "birth_date", "contact_id"])
def test_aggregate_with_a_row_level_column_is_refused(column: str) -> None:
    with pytest.raises(CasekitError, match=column):
        deidentified_aggregate(pl.DataFrame({column: ["x"], "n": [12]}), "n")


# ---- writing ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en"])
def test_written_workbook_reads_back_without_identifying_values(
    shifted: Deidentified, sample: ck.CaseData, tmp_path: Path, lang: str
) -> None:
    path = shifted.write(tmp_path / "extract.xlsx", lang=lang)
    assert path == tmp_path / "extract.xlsx"
    back = ck.read_workbook(path)
    assert set(back.sheets) == set(shifted.data.sheets)
    for name, df in back.sheets.items():
        for column in IDENTIFYING & set(df.columns):  # the reader adds missing contract columns, empty
            assert df[column].null_count() == df.height, (name, column)
        assert df.height == shifted.data[name].height
    assert not _secrets(sample) & _texts(back)
    assert back["cases"]["case_id"].to_list() == shifted.data["cases"]["case_id"].to_list()
    assert back["contacts"]["contact_on"].to_list() == shifted.data["contacts"]["contact_on"].to_list()
    assert back["cases"]["age"].to_list() == shifted.data["cases"]["age"].to_list()


@pytest.mark.parametrize(("lang", "fmt"), [("es", None), ("en", None), ("es", "csv"), ("en", "parquet")])
def test_written_extract_reads_back_to_the_same_frames(
    shifted: Deidentified, tmp_path: Path, lang: str, fmt: Literal["csv", "parquet"] | None
) -> None:
    """The extract's own columns (``age``, ``age_band``) are written under their header in
    ``lang`` (``columns.toml``) and read back to their ids: every sheet reads back equal."""
    path = shifted.write(tmp_path / ("extract" if fmt else "extract.xlsx"), lang=lang, format=fmt)
    if fmt is None:
        written = pl.read_excel(path, sheet_name=SHEETS["cases"].label(lang)).columns
        derived = [present.label("column", c, lang) for c in DERIVED_COLUMNS["cases"]]
        assert set(derived) <= set(written)
        assert (lang == "es") == ("Edad" in written and "age" not in written)
    back = ck.read_workbook(path)
    for name, df in shifted.data.sheets.items():
        # the reader gives category columns as Enums of their vocabulary (as_text: their ids)
        assert_frame_equal(as_text(back[name].select(df.columns)), df, check_dtypes=False)
        assert as_text(back[name].select(df.columns)).schema == df.schema, name


def test_every_column_an_extract_adds_to_the_contract_is_declared(sample: ck.CaseData) -> None:
    """Columns the extract writes beyond the contract are :data:`DERIVED_COLUMNS` (their headers
    are translated and read back); a new one must be declared there."""
    out = deidentify(sample, key=KEY, k=1)
    for name, df in out.data.sheets.items():
        assert set(df.columns) - set(SHEETS[name].columns) == set(DERIVED_COLUMNS.get(name, ())), name


@pytest.mark.parametrize("lang", ["es", "en"])
def test_written_extract_is_in_one_language(shifted: Deidentified, tmp_path: Path, lang: str) -> None:
    """Sheet names, headers and values in the extract's language: no Spanish headers over English ids."""
    other = "en" if lang == "es" else "es"
    raw = pl.read_excel(shifted.write(tmp_path / "extract.xlsx", lang=lang), sheet_id=0)
    checked = 0
    for name, spec in SHEETS.items():
        if name not in shifted.data.sheets:
            continue
        sheet = raw[spec.label(lang)]
        for column, col in spec.columns.items():
            if col.kind not in ("category", "bool") or col.label(lang) not in sheet.columns:
                continue
            values = set(sheet[col.label(lang)].drop_nulls().cast(pl.String))
            words = (
                {t("common.yes", lang), t("common.no", lang)}
                if col.kind == "bool"
                else set(ck.present.vocabulary(col.vocab, lang).values())
            )
            ids = set(VOCABS[col.vocab]) if col.vocab else set()
            foreign = set(ck.present.vocabulary(col.vocab, other).values()) if col.vocab else set()
            assert values <= words | (values - ids - foreign), (name, column, values - words)
            checked += bool(values & words)
    assert checked >= 5  # sex, programme status, contact kinds… were really written as labels
    assert (
        ck.read_workbook(tmp_path / "extract.xlsx")["cases"]["sex"].to_list() == shifted.data["cases"]["sex"].to_list()
    )


def test_written_files_are_formula_safe(tmp_path: Path) -> None:
    book = caseload(cases=[{"case_id": "A", "program": '=HYPERLINK("http://x")'}])
    out = deidentify(book, key=KEY, k=1)  # k=1 keeps a value of one case, to reach the writer
    folder = out.write(tmp_path / "csv", lang="en", format="csv")
    text = (folder / "cases.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    book_path = out.write(tmp_path / "extract.xlsx", lang="es")
    assert pl.read_excel(book_path, sheet_name="casos")["programa"].item().startswith("'=")


# ---- rules and docs --------------------------------------------------------------------


def test_every_contract_column_has_a_rule_and_the_docs_list_the_removed_ones() -> None:
    rules = column_rules()
    assert rules.height == sum(len(s.columns) for s in SHEETS.values())
    id_columns = {c for s in SHEETS.values() for c, col in s.columns.items() if col.kind == "id"}
    ids = rules.filter(pl.col("column").is_in(list(id_columns)))
    assert set(ids["action"]) == {"pseudonymised"}
    docs = (Path(__file__).parents[1] / "docs" / "deidentification.md").read_text(encoding="utf-8")
    for sheet, column, action, _ in rules.iter_rows():
        if action != "kept":
            where = "every sheet" if column == "case_id" else f"`{sheet}`"
            assert re.search(rf"{where}[^\n]*`{column}`", docs), (sheet, column)


def test_frame_builder_columns_have_typed_nulls_only() -> None:
    # a sheet of typed nulls (builders) goes through without error
    out = deidentify(ck.CaseData({"cases": frame("cases", [{"case_id": "A", "opened_on": "2026-01-01"}])}), k=1)
    assert out.data["cases"].select("age", "age_band").row(0) == (None, None)


def test_unparsed_dates_are_removed_not_passed_through() -> None:
    cases = pl.DataFrame({"case_id": ["1"], "opened_on": ["01/02/2026"], "birth_date": ["03/04/1950"]})
    out = deidentify(ck.CaseData({"cases": cases}), key=KEY, k=1)
    assert out.data["cases"].columns == ["case_id"]
    assert set(out.removed.filter(pl.col("action") == "removed")["reason"]) == {"not_a_date"}
