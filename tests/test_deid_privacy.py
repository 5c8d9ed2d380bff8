"""Extracts that stay anonymous: kept text mapped to a vocabulary and scanned for identifiers,
quasi-identifiers generalised to k-anonymity (issue 15)."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest

import casekit as ck
from casekit.contract import SHEETS
from casekit.deid import OTHER, Deidentified, IdentifiersFoundError, deidentify
from casekit.privacy import identifier_kind
from tests.builders import caseload

PSEUDONYM = r"^[A-Z]-[0-9a-f]{16}$"
#: A fixed key: the extracts of this module are the same on every run.
FIXED_KEY = hashlib.sha256(b"casekit deid privacy tests").hexdigest()


@pytest.fixture(autouse=True)
def fixed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """An extract made without a key uses :data:`FIXED_KEY`, not a fresh random one (an
    unlucky random key once left an empty extract and failed CI)."""
    import casekit.deid

    monkeypatch.setattr(casekit.deid, "new_key", lambda: FIXED_KEY)


#: What people type into label columns, planted in 8 cases each (enough to pass the k = 5 vocabulary).
PLANTED: dict[tuple[str, str], tuple[str, str]] = {
    ("cases", "program"): ("Ana Belén Ortiz", "name"),
    ("cases", "ethnicity"): ("ana.ortiz@correo.es", "email"),
    ("cases", "language"): ("+34 612 345 678", "phone"),
    ("services", "service"): ("12345678Z", "national_id"),
    ("services", "provider"): ("Dr. Grant", "name"),
    ("outcomes", "measure"): ("Calle Mayor 123", "digits"),
}
#: Typed into one case only: the vocabulary turns it into ``other`` before any scan.
RARE = {("cases", "program"): "Rosa Díaz Pérez", ("services", "provider"): "rosa.diaz@gmail.com"}


@pytest.fixture(scope="module")
def sample() -> ck.CaseData:
    return ck.make_sample(150, seed=7)


@pytest.fixture(scope="module")
def planted(sample: ck.CaseData) -> tuple[ck.CaseData, dict[tuple[str, str], list[int]]]:
    """The sample with :data:`PLANTED` in the rows of 8 cases and :data:`RARE` in one, and the
    spreadsheet rows (``_row``) of the planted cells."""
    chosen = sample["cases"]["case_id"].head(8).implode()
    rare = sample["cases"]["case_id"].slice(20, 1).implode()
    sheets = dict(sample.sheets)
    rows: dict[tuple[str, str], list[int]] = {}
    for (sheet, column), (value, _) in PLANTED.items():
        df = sheets[sheet]
        hit = pl.col("case_id").is_in(chosen)
        rows[(sheet, column)] = df.filter(hit)["_row"].to_list()
        sheets[sheet] = df.with_columns(pl.when(hit).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    for (sheet, column), value in RARE.items():
        df = sheets[sheet]
        hit = pl.col("case_id").is_in(rare)
        sheets[sheet] = df.with_columns(pl.when(hit).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    return ck.CaseData(sheets), rows


def identifier_cells(data: ck.CaseData) -> list[tuple[str, str, str, str]]:
    """``(sheet, column, value, kind)`` of every text cell of an extract that is neither a
    pseudonym (in a pseudonymised column) nor free of identifier patterns."""
    bad = []
    for name, df in data.sheets.items():
        for column, dtype in df.schema.items():
            if dtype != pl.String:
                continue
            values = df.select(pl.col(column).unique().drop_nulls())
            if values.height and values[column].str.contains(PSEUDONYM).all():
                continue  # a pseudonymised column: every value is prefix + 16 hex digits
            if values.height and values[column].str.contains(r"^\d{4}-\d{4}$").all():
                continue  # dates grouped into bands of years by k-anonymity (2024-2025)
            kinds = values.with_columns(identifier_kind(pl.col(column)).alias("kind")).drop_nulls("kind")
            bad.extend((name, column, v, k) for v, k in kinds.iter_rows())
    return bad


def every_cell(data: ck.CaseData) -> set[str]:
    return {
        cell
        for df in data.sheets.values()
        if df.width
        for cell in df.select(pl.all().cast(pl.String)).unpivot(value_name="__cell")["__cell"].drop_nulls().to_list()
    }


# ---- the sample: nothing to find ------------------------------------------------------------


@pytest.mark.parametrize("dates", ["shift", "year"])
def test_no_identifier_pattern_in_any_cell_of_the_sample_extract(sample: ck.CaseData, dates: str) -> None:
    result = ck.validate(sample, as_of=ck.SAMPLE_AS_OF)
    for source in (sample, result):
        out = deidentify(source, dates=dates)
        assert out.dropped.height == 0
        assert identifier_cells(out.data) == []
    assert out.data["cases"]["case_id"].str.contains(PSEUDONYM).all()  # the check above sees pseudonyms


def test_the_scan_does_see_the_sample_names_it_must_catch(sample: ck.CaseData) -> None:
    """The checker of the test above is not blind: the sample's client and staff names trip it."""
    names = pl.concat([sample["cases"]["client_name"], sample["cases"]["case_manager"]]).unique()
    assert pl.select(identifier_kind(pl.lit(names))).to_series().is_not_null().all()


# ---- vocabularies ---------------------------------------------------------------------------


def test_kept_text_held_by_fewer_than_k_cases_becomes_other() -> None:
    rows = [{"case_id": f"c{i}", "opened_on": "2026-06-01",
             "program": "Home care" if i < 5 else "Mobile unit" if i < 9 else "Unit Z"} for i in range(10)]  # fmt: skip
    book = caseload(cases=rows, services=[{"service_id": f"s{i}", "case_id": f"c{i % 4}", "provider": "Clínica Sur"}
                                          for i in range(12)])  # fmt: skip
    assert dict(deidentify(book).data["cases"].group_by("program").len().iter_rows()) == {"Home care": 5, OTHER: 5}
    # k = 4: "Mobile unit" is kept; "Unit Z" became "other", a class of one case, then suppressed
    out = deidentify(book, k=4, max_suppression=0.1)
    assert dict(out.data["cases"].group_by("program").len().iter_rows()) == {"Home care": 5, "Mobile unit": 4}
    assert out.steps.rows() == [("case_id", "suppressed", 1)]
    # twelve services of four cases: a provider is held by 4 cases, not 12 rows
    assert set(deidentify(book).data["services"]["provider"]) == {OTHER}
    assert set(out.data["services"]["provider"]) == {"Clínica Sur"}


def test_category_values_outside_the_contract_become_other_and_are_listed() -> None:
    book = caseload(cases=[{"case_id": "1", "sex": "female"}, {"case_id": "2", "sex": "María López"}])
    out = deidentify(book, k=1)  # two cases: no k-anonymity, to see the mapping
    assert sorted(out.data["cases"]["sex"].to_list()) == ["female", OTHER]
    assert ("cases", "sex", "mapped", "vocabulary_contract") in out.removed.rows()
    clean = deidentify(caseload(cases=[{"case_id": "1", "sex": "female"}]), k=1)
    assert "sex" not in clean.removed["column"].to_list()


def test_measures_take_the_catalogue_name(monkeypatch) -> None:
    from casekit import deid

    monkeypatch.setattr(deid, "measure_catalogue", lambda: {"phq9": "PHQ-9", "who5": "WHO-5"})
    rows = [{"case_id": f"c{i}", "measure": m} for i, m in enumerate(["phq_9", "PHQ 9", "who-5", "Escala X", "PHQ-9"])]
    cases = [{"case_id": f"c{i}", "opened_on": "2026-06-01"} for i in range(5)]  # one k-anonymous class
    out = deidentify(caseload(cases=cases, outcomes=rows))
    assert sorted(out.data["outcomes"]["measure"]) == sorted(["PHQ-9", "PHQ-9", "WHO-5", OTHER, "PHQ-9"])


def test_wrong_type_columns_of_unvalidated_data_are_removed() -> None:
    cases = pl.DataFrame({"case_id": ["1"], "opened_on": [ck.SAMPLE_AS_OF]})
    screenings = pl.DataFrame({"case_id": ["1"], "claims_12m": ["Ana, Calle Sol 4"]})
    out = deidentify(ck.CaseData({"cases": cases, "screenings": screenings}))
    assert "claims_12m" not in out.data["screenings"].columns
    assert ("screenings", "claims_12m", "removed", "wrong_type") in out.removed.rows()


# ---- planted identifiers --------------------------------------------------------------------


def test_planted_identifiers_refuse_the_export_listing_each_cell(planted) -> None:
    data, rows = planted
    with pytest.raises(IdentifiersFoundError) as caught:
        deidentify(data)
    cells = caught.value.cells
    for (sheet, column), (_, kind) in PLANTED.items():
        mine = cells.filter((pl.col("sheet") == sheet) & (pl.col("column") == column))
        assert sorted(mine["row"]) == sorted(rows[(sheet, column)]), (sheet, column)
        assert set(mine["kind"]) == {kind}, (sheet, column)
    assert cells.height == sum(len(r) for r in rows.values())
    sheet, row, column, _ = cells.row(0)
    es, en = caught.value.message("es"), caught.value.message("en")
    assert es.startswith(f"No se generó el extracto: {cells.height} celdas")
    assert (
        f"hoja «{SHEETS[sheet].label('es')}», fila {row}, columna «{SHEETS[sheet].columns[column].label('es')}»" in es
    )
    assert f"sheet «{sheet}», row {row}, column «{column}»" in en
    assert "--drop-identifiers" in en
    for value, _ in PLANTED.values():  # the message names cells, never their content
        assert value not in es
        assert value not in en


def test_planted_identifiers_dropped_by_option_leave_no_pattern_in_any_cell(planted) -> None:
    data, rows = planted
    for dates in ("shift", "year"):
        out = deidentify(data, on_identifiers="drop", dates=dates)
        assert identifier_cells(out.data) == []
        leaked = {v for v, _ in PLANTED.values()} | set(RARE.values())
        assert not leaked & every_cell(out.data)
        assert out.dropped.height == sum(len(r) for r in rows.values())
        assert out.dropped.columns == ["sheet", "row", "column", "kind"]
    # the planted cells are empty; their other values are untouched
    programs = out.data["cases"]["program"]
    assert programs.null_count() == len(rows[("cases", "program")])
    assert set(programs.drop_nulls()) <= set(data["cases"]["program"]) | {OTHER}


def test_identifiers_held_by_one_case_never_reach_the_scan(sample: ck.CaseData, planted) -> None:
    data, _ = planted
    only_rare = {**sample.sheets, "cases": data["cases"].with_columns(
        pl.when(pl.col("program") == PLANTED[("cases", "program")][0]).then(pl.lit("Frail older adults"))
        .otherwise(pl.col("program")).alias("program"),
        pl.lit(None, dtype=pl.String).alias("ethnicity"), pl.lit("es").alias("language"))}  # fmt: skip
    out = deidentify(ck.CaseData(only_rare))
    assert out.dropped.height == 0
    assert RARE[("cases", "program")] not in every_cell(out.data)


def test_bad_options_are_refused(sample: ck.CaseData) -> None:
    with pytest.raises(ck.CasekitError, match="on_identifiers"):
        deidentify(sample, on_identifiers="ignore")  # type: ignore[arg-type]
    with pytest.raises(ck.CasekitError, match="k must be"):
        deidentify(sample, k=0)


def test_dropped_is_empty_by_default(sample: ck.CaseData) -> None:
    assert isinstance(deidentify(sample), Deidentified)


# ---- k-anonymity of the quasi-identifiers -----------------------------------------------------

QUASI = ("age_band", "sex", "ethnicity", "language", "program")


def smallest_class(out: Deidentified) -> tuple[int, list[str]]:
    """The smallest number of distinct people sharing one combination of the quasi-identifiers
    left in the extract's cases (``year``: of ``opened_on``), counted here from the extract alone."""
    cases = out.data["cases"]
    opened = pl.col("opened_on")
    year = opened.dt.year() if cases.schema["opened_on"].is_temporal() else opened
    frame = cases.with_columns(year.alias("year"), pl.coalesce("client_id", "case_id").alias("person"))
    quasi = [c for c in (*QUASI, "year") if c in frame.columns]
    assert frame.height > 0, "the extract kept no case: k-anonymity would hold vacuously"
    return int(frame.group_by(quasi).agg(pl.col("person").n_unique())["person"].min()), quasi


@pytest.mark.parametrize(("k", "dates"), [(5, "shift"), (5, "year"), (10, "shift")])
def test_k_anonymity_holds_on_the_sample_extract(sample: ck.CaseData, k: int, dates: str) -> None:
    out = deidentify(sample, k=k, dates=dates)
    smallest, quasi = smallest_class(out)
    assert smallest >= k
    assert "year" in quasi
    removed = [c for c, a, _ in out.steps.iter_rows() if a == "removed"]
    if "program" in removed:  # the programme goes last, after every other quasi-identifier
        assert removed[-1] == "program"
        assert {"age_band", "sex", "ethnicity", "language"} <= set(removed)
    before, after = out.anonymity.rows(named=True)
    assert before["k"] == 1
    assert before["unique"] > 0.25 * sample["cases"].height  # many clients stood out
    assert after["k"] == smallest
    assert after["below_k"] == 0
    assert "age" not in out.data["cases"].columns  # finer than the band
    kept = set(out.data["cases"]["case_id"])
    for name, df in out.data.sheets.items():  # suppressed cases are gone from every sheet
        assert set(df["case_id"]) <= kept, name
    suppressed = out.steps.filter(pl.col("action") == "suppressed")["cases"].sum()
    assert len(kept) + suppressed == sample["cases"].height
    # within the 5 % budget, unless every generalisation step was taken (the programme is the
    # last); the year is never generalised and, with shifted dates, depends on the random key
    assert suppressed <= 0.05 * sample["cases"].height or "program" in removed
    for column, action, _ in out.steps.iter_rows():  # the table says what was done, and it was done
        if action == "removed":
            assert column not in out.data["cases"].columns
            assert ("cases", column, "removed", "k_anonymity") in out.removed.rows()
        if action == "generalised" and "age_band" in out.data["cases"].columns:  # it may go later
            assert set(out.data["cases"]["age_band"].drop_nulls()) <= {"<65", "65-84", "85+"}


def test_k_anonymity_holds_on_a_small_cohort_and_on_planted_data(sample: ck.CaseData, planted) -> None:
    cohort = sample["cases"].filter(pl.col("program") == "Complex chronic care")["case_id"]
    out = deidentify(sample, case_ids=cohort)
    assert smallest_class(out)[0] >= 5
    assert out.data["cases"].height >= 0.5 * cohort.len()
    data, _ = planted
    out = deidentify(data, on_identifiers="drop")
    assert smallest_class(out)[0] >= 5


def test_suppression_budget_decides_between_generalising_and_suppressing(sample: ck.CaseData) -> None:
    # Shifted dates make the year depend on the random key: with suppression alone, an unlucky
    # key can leave no case at all, so this check keeps the true year (the same on every run).
    only_suppress = deidentify(sample, max_suppression=1.0, dates="year")
    assert set(only_suppress.steps["action"]) == {"suppressed"}
    assert {"age_band", "sex", "ethnicity", "language"} <= set(only_suppress.data["cases"].columns)
    assert smallest_class(only_suppress)[0] >= 5
    key = FIXED_KEY  # one key for both runs, so the same shifted years are compared
    generalise_all = deidentify(sample, max_suppression=0.0, key=key)
    assert smallest_class(generalise_all)[0] >= 5
    assert generalise_all.data["cases"].height >= deidentify(sample, key=key).data["cases"].height
    with pytest.raises(ck.CasekitError, match="max_suppression"):
        deidentify(sample, max_suppression=1.5)


def test_k_of_one_keeps_every_case_and_the_exact_age(sample: ck.CaseData) -> None:
    out = deidentify(sample, k=1)
    assert out.data["cases"].height == sample["cases"].height
    assert "age" in out.data["cases"].columns
    assert out.steps.height == 0


def _spread_over_years(per_year: int, years: range) -> ck.CaseData:
    """Clients alike in everything but the year they were opened (``per_year`` a year), each
    with one contact the same year."""
    rows = [(f"C{i:03}", y) for i, (y, _) in enumerate((y, j) for y in years for j in range(per_year))]
    common = {"sex": "female", "program": "Hogar", "language": "es", "ethnicity": "X", "birth_date": "1960-05-01"}
    return caseload(
        cases=[{"case_id": c, "client_id": f"P{c}", "opened_on": f"{y}-03-02", **common} for c, y in rows],
        contacts=[
            {
                "contact_id": f"K{c}",
                "case_id": c,
                "contact_on": f"{y}-04-06",
                "kind": "phone_call",
                "status": "attended",
            }
            for c, y in rows
        ],
    )


def test_k_anonymity_groups_the_years_into_bands_before_suppressing() -> None:
    """24 clients, 3 opened each year 2018-2025: every class (one year) is smaller than 5.
    With the years grouped by two, each band holds 6: nobody is removed, and every date of
    every sheet shows the band, not the year. Spread over 2017-2024 instead, the two-year
    bands leave 2017 and 2024 alone (3 each, over the 5 % budget): five-year bands follow."""
    data = _spread_over_years(3, range(2018, 2026))
    out = deidentify(data, key=FIXED_KEY, dates="year")
    assert out.steps.rows() == [("year", "year_2", 24)]
    cases, contacts = out.data["cases"], out.data["contacts"]
    assert cases.height == 24  # generalising kept every client
    assert sorted(set(cases["opened_on"])) == ["2018-2019", "2020-2021", "2022-2023", "2024-2025"]
    assert set(contacts["contact_on"]) == set(cases["opened_on"])  # no sheet gives the year back
    assert cases.group_by("opened_on").agg(pl.col("client_id").n_unique())["client_id"].min() == 6
    assert out.explain_steps("en")["step"].to_list() == [
        "Years grouped into 2-year bands (e.g. 2024-2025) in every date of every sheet."
    ]
    banded = out.removed.filter(pl.col("action") == "year_band")
    assert {("cases", "opened_on"), ("contacts", "contact_on")} <= set(banded.select("sheet", "column").iter_rows())
    assert out.explain("es").filter(pl.col("column") == "contact_on")["action"].to_list() == [
        "reducida a un tramo de años (k-anonimato)"
    ]
    wider = deidentify(_spread_over_years(3, range(2017, 2025)), key=FIXED_KEY, dates="year")
    assert wider.steps.rows() == [("year", "year_2", 24), ("year", "year_5", 24)]
    assert sorted(set(wider.data["cases"]["opened_on"])) == ["2015-2019", "2020-2024"]
    assert wider.data["cases"].height == 24


def test_shifted_dates_are_grouped_into_bands_of_their_shifted_year_when_nothing_else_helps() -> None:
    """The same 24 clients with shifted dates (the default): only the (shifted) year tells them
    apart, so removing any other column leaves as many small classes and banding the year is
    the one step that helps. Every date of every sheet becomes the band of its shifted year
    (intervals are lost, said in the steps): nobody is removed and k >= 5 holds on what is
    released. With the years alike, no band is drawn and the shifted dates stay dates."""
    data = _spread_over_years(3, range(2018, 2026))
    out = deidentify(data, key=FIXED_KEY)
    assert out.steps.height > 0
    assert set(out.steps["column"]) == {"year"}  # the only step that helps
    cases, contacts = out.data["cases"], out.data["contacts"]
    assert cases.height == 24  # generalising kept every client
    band = r"\d{4}-\d{4}"
    for frame, column in ((cases, "opened_on"), (contacts, "contact_on")):
        assert frame.schema[column] == pl.String
        assert frame[column].str.contains(f"^{band}$").all(), column
    assert cases.group_by("opened_on").agg(pl.col("client_id").n_unique())["client_id"].min() >= 5
    assert out.anonymity.filter(pl.col("when") == "after")["k"].item() >= 5
    banded = out.removed.filter(pl.col("action") == "year_band")
    assert {("cases", "opened_on"), ("contacts", "contact_on")} <= set(banded.select("sheet", "column").iter_rows())
    assert out.explain_steps("en")["step"][0].startswith("Years grouped into")
    alike = deidentify(_spread_over_years(24, range(2024, 2025)), key=FIXED_KEY)
    assert alike.data["cases"].schema["opened_on"] == pl.Date  # no band needed: dates stay dates
    assert "year" not in set(alike.steps["column"])
