"""Explore screen helpers (casekit/ui/_explore.py) and its charts (casekit/charts/explore.py)."""

from __future__ import annotations

import io
import zipfile

import polars as pl
import pytest

import casekit as ck
from casekit import cohort as co
from casekit.charts import chart_data, is_empty
from casekit.charts.explore import COHORT_COLORS, cohort_chart, compare_chart
from casekit.contract import SHEETS, identifying_columns
from casekit.present import format_number
from casekit.ui import _explore as ex


@pytest.fixture(scope="module")
def sample() -> dict[str, object]:
    result = ck.validate(ck.make_sample(400, seed=7), as_of=ck.SAMPLE_AS_OF)
    cohort = co.cohort_frame(result, as_of=ck.SAMPLE_AS_OF)
    return {"result": result, "cohort": cohort, "events": ck.events(result.data, as_of=ck.SAMPLE_AS_OF)}


def test_filter_options_are_the_values_present_in_natural_order(sample: dict) -> None:
    cohort = sample["cohort"]
    options = ex.filter_options(cohort)
    assert options["programs"] == sorted(cohort["program"].drop_nulls().unique())
    assert options["tiers"] == ["low", "moderate", "high", ex.BLANK]  # not every case is assessed yet
    assert (options["stages"][0], options["stages"][-1]) == ("screening", "closed")
    assert set(options["age_bands"]) - {ex.BLANK} <= set(cohort["age_band"].drop_nulls())


def test_option_labels_in_both_languages() -> None:
    assert ex.option_label("stages", "post_transition", "es") == "Comunicación posterior a la transición"
    assert ex.option_label("sexes", "female", "en") == "Female"
    assert ex.option_label("programs", "Salud mental", "en") == "Salud mental"  # free text shown as written
    assert ex.option_label("tiers", ex.BLANK, "en") == "(blank)"


def test_make_filter_turns_widget_choices_into_a_cohort_filter(sample: dict) -> None:
    flt = ex.make_filter({"tiers": ["high", ex.BLANK], "sexes": ["male"]}, (None, ck.SAMPLE_AS_OF))
    assert (flt.tiers, flt.sexes, flt.programs, flt.opened_to) == (("high", None), ("male",), (), ck.SAMPLE_AS_OF)
    cohort = sample["cohort"]
    expected = cohort.filter(
        (pl.col("effective_tier").is_null() | (pl.col("effective_tier") == "high")) & (pl.col("sex") == "male")
    )
    assert flt.apply(cohort)["case_id"].to_list() == expected["case_id"].to_list()


@pytest.mark.parametrize(
    ("lang", "headers"),
    [
        ("es", ["Nivel de riesgo", "Casos", "Proporción"]),
        ("en", ["Risk tier", "Cases", "Share"]),
    ],
)
def test_readable_groups(sample: dict, lang: str, headers: list[str]) -> None:
    table = co.group_measure(sample["cohort"], by="effective_tier", measure="share")
    shown = ex.readable_groups(table, by=["effective_tier"], measure="share", lang=lang)
    assert shown.columns == headers
    assert shown[headers[-1]].to_list() == [format_number(v, lang, ".1%") for v in table["share"]]
    assert shown[headers[1]].to_list() == [format_number(n, lang) for n in table["n_cases"]]
    typed = ex.readable_groups(table, by=["effective_tier"], measure="share", lang=lang, keep_types=True)
    assert typed[headers[-1]].to_list() == table["share"].to_list()  # a download keeps numbers
    assert shown[headers[0]].to_list()[-1] == ("(vacío)" if lang == "es" else "(blank)")
    suppressed = co.group_measure(sample["cohort"], by="case_manager", measure="count", for_sharing=True)
    assert ex.readable_groups(suppressed, by=["case_manager"], measure="count", lang=lang).columns[-1] == (
        "Suprimido (celda pequeña)" if lang == "es" else "Suppressed (small cell)"
    )
    days = co.group_measure(sample["cohort"], by="sex", measure="median_days", to_stage="planning")
    assert ex.readable_groups(days, by=["sex"], measure="median_days", lang=lang).columns[1:3] == (
        ["Casos", "Casos con valor"] if lang == "es" else ["Cases", "Cases with a value"]  # the screen's own words
    )


def test_readable_comparison_names_each_cohort(sample: dict) -> None:
    cohort = sample["cohort"]
    cmp = co.compare_cohorts(co.CohortFilter(tiers=("high",)).apply(cohort), cohort)
    outcomes, plan = ex.readable_comparison(cmp, "en")
    assert outcomes.columns == [
        "Measure",
        "Cases with a pair A",
        "Improved A",
        "Mean change A",
        "Cases with a pair B",
        "Improved B",
        "Mean change B",
    ]
    assert plan.columns == [
        "Cases A",
        "Reached planning A",
        "Median days A",
        "Cases B",
        "Reached planning B",
        "Median days B",
    ]
    assert outcomes["Cases with a pair B"].to_list() == [format_number(n, "en") for n in cmp.outcomes["n_paired_b"]]
    named, _ = ex.readable_comparison(cmp, "es", measure_names={"ed_visits_6m": "Visitas a urgencias"})
    assert "Visitas a urgencias" in named["Medida"].to_list()
    assert "ed_visits_6m" not in named["Medida"].to_list()
    hidden, _ = ex.readable_comparison(cmp.suppressed(), "es")
    assert {"Suprimido (celda pequeña) A", "Suprimido (celda pequeña) B"} <= set(hidden.columns)


def test_event_log_csv_is_the_cohorts_process_mining_log(sample: dict) -> None:
    cohort, events = sample["cohort"], sample["events"]
    sub = co.CohortFilter(stages=("monitoring",)).apply(cohort)
    log = pl.read_csv(io.BytesIO(ex.event_log_csv(events, sub)))
    assert log.columns[:3] == ["case:concept:name", "concept:name", "time:timestamp"]
    assert set(log["case:concept:name"]) == set(sub["case_id"])
    assert log.height == events.filter(pl.col("case_id").is_in(sub["case_id"].implode())).height


@pytest.mark.parametrize("dates", ["shift", "year"])
def test_deidentified_extract_has_no_identifying_column_nor_original_id(sample: dict, dates: str) -> None:
    cohort = sample["cohort"]
    sub = co.CohortFilter(tiers=("high",)).apply(cohort)
    prepared = ex.deidentified_extract(sample["result"], sub["case_id"], dates=dates, lang="en")
    data, explained = prepared.data, prepared.explained
    raw = pl.read_excel(io.BytesIO(data), sheet_id=0)  # the headers as written
    assert raw["cases"].height == prepared.cases
    assert 0.9 * sub.height <= prepared.cases <= sub.height  # a few cases suppressed for k-anonymity at most
    assert prepared.anonymity.startswith("k-anonymity on age band")
    assert prepared.steps.columns == ["step", "cases"]  # read on screen through casekit.present
    for sheet, columns in identifying_columns().items():
        if sheet in raw:
            assert not set(columns) & set(raw[sheet].columns), sheet
    assert "notes" not in raw["contacts"].columns
    originals = set(cohort["case_id"])
    for name, frame in raw.items():
        for col in frame.select(pl.col(pl.String)).columns:
            assert not set(frame[col].drop_nulls()) & originals, (name, col)
    back = ck.read_workbook(data)  # casekit reads the extract back
    assert back["cases"]["client_name"].null_count() == prepared.cases
    assert back["cases"]["case_id"].n_unique() == prepared.cases
    assert "client_name" in explained["column"].to_list()
    shown = ck.present.readable(explained.select("sheet", "column", "action", "reason"), "es")  # as the page
    assert shown.columns == ["Hoja", "Columna", "Qué se hizo", "Motivo"]
    assert ("casos", "nombre_cliente") in shown.select("Hoja", "Columna").rows()
    assert shown.height == explained.height


def test_cohort_chart_carries_the_group_measure_values(sample: dict) -> None:
    cohort = sample["cohort"]
    table = co.group_measure(cohort, by="effective_tier", measure="median_days", to_stage="planning")
    chart = cohort_chart(table, by="effective_tier", measure="median_days", lang="es")
    shown = chart_data(chart)
    with_value = table.filter(pl.col("median_days").is_not_null())
    assert shown["value"].to_list() == with_value["median_days"].to_list()
    assert shown["n"].to_list() == with_value["n"].to_list()
    assert shown["label"].to_list()[:3] == ["Bajo", "Moderado", "Alto"]
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Mediana de días entre dos etapas por nivel de riesgo"
    colors = spec["layer"][0]["encoding"]["color"]["scale"]["range"]
    assert colors == ["#009E73", "#E69F00", "#D55E00"]  # the tiers' fixed colours


def test_cohort_chart_empty_state(sample: dict) -> None:
    table = co.group_measure(sample["cohort"], by="sex", measure="mean_change", outcome_measure="nothing")
    chart = cohort_chart(table, by="sex", measure="mean_change", lang="en")
    assert is_empty(chart)
    assert chart_data(chart)["message"].to_list() == ["No case of the cohort has a value for this measure"]


def test_compare_chart_draws_both_cohorts(sample: dict) -> None:
    cohort = sample["cohort"]
    cmp = co.compare_cohorts(
        co.CohortFilter(sexes=("female",)).apply(cohort), co.CohortFilter(sexes=("male",)).apply(cohort)
    )
    chart = compare_chart(cmp.outcomes, measure="mean_change", lang="en")
    shown = chart_data(chart)
    a = shown.filter(pl.col("cohort") == "A").sort("measure")
    expected = cmp.outcomes.filter(pl.col("mean_change_a").is_not_null()).sort("measure")
    assert a["value"].to_list() == pytest.approx(expected["mean_change_a"].to_list())
    assert set(shown["cohort"]) == {"A", "B"}
    assert chart.to_dict()["encoding"]["color"]["scale"]["range"] == list(COHORT_COLORS.values())
    empty = cmp.outcomes.clear()
    assert is_empty(compare_chart(empty, lang="es"))


def test_spanish_headers_of_identifying_columns_are_known() -> None:
    """The AppTest checks the Spanish workbook's headers against these aliases."""
    assert SHEETS["cases"].columns["client_name"].es != "client_name"


def test_deidentified_extract_as_a_zip_of_csv_files(sample: dict) -> None:
    cohort = sample["cohort"]
    sub = co.CohortFilter(sexes=("female",)).apply(cohort)
    prepared = ex.deidentified_extract(sample["result"], sub["case_id"], lang="es", fmt="zip")
    data = prepared.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert "casos.csv" in names
        assert "contactos.csv" in names
        cases = pl.read_csv(archive.read("casos.csv"), separator=";", infer_schema=False)
    assert cases.height == prepared.cases
    assert SHEETS["cases"].columns["client_name"].es not in cases.columns
    assert not set(cases[SHEETS["cases"].columns["case_id"].es]) & set(cohort["case_id"])
    back = ck.read_workbook(_files(data))  # casekit reads the files back
    assert back["cases"].height == prepared.cases
    with pytest.raises(ValueError, match="unknown format"):
        ex.deidentified_extract(sample["result"], sub["case_id"], fmt="pdf")


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
