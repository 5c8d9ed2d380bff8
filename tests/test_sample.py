"""Tests of the synthetic caseload generator (casekit.sample).

Scenario checks look at the generated frames only (not at the generator's internal
scenario codes), the way the stage engine and the risk model will see them.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from casekit.contract import EVENT_DATES, POST_CLOSURE_GRACE_DAYS, POST_CLOSURE_GRACE_SHEETS, ROW, SHEETS, VOCABS
from casekit.data import ISSUE_SCHEMA, CaseData
from casekit.sample import SAMPLE_AS_OF, make_sample

AS_OF = SAMPLE_AS_OF
DTYPES = {
    "id": pl.String,
    "text": pl.String,
    "category": pl.String,
    "date": pl.Date,
    "bool": pl.Boolean,
    "int": pl.Int64,
    "float": pl.Float64,
}
IDS = {"goals": "goal_id", "services": "service_id", "contacts": "contact_id", "transitions": "transition_id"}
LEVELS = list(VOCABS["to_level"])  # inpatient … self_care, discharged


@pytest.fixture(scope="module")
def data() -> CaseData:
    return make_sample(500, seed=0)


@pytest.fixture(scope="module")
def bundled() -> CaseData:
    """The seed of the committed sample workbook."""
    return make_sample(500, seed=2026)


@pytest.fixture(scope="module", params=["seed0", "seed2026"])
def any_data(request: pytest.FixtureRequest, data: CaseData, bundled: CaseData) -> CaseData:
    return data if request.param == "seed0" else bundled


def days(a: str, b: str) -> pl.Expr:
    """Whole days from column ``a`` to column ``b``."""
    return (pl.col(b) - pl.col(a)).dt.total_days()


def n_cases(frame: pl.DataFrame) -> int:
    return frame.get_column("case_id").n_unique()


# --------------------------------------------------------------------------------------
# Shape, types, determinism
# --------------------------------------------------------------------------------------


def test_columns_dtypes_and_rows_follow_the_contract(any_data: CaseData) -> None:
    assert list(any_data.sheets) == list(SHEETS)
    for name, sheet in SHEETS.items():
        df = any_data[name]
        assert df.columns == [*sheet.columns, ROW], name
        for col, spec in sheet.columns.items():
            assert df.schema[col] == DTYPES[spec.kind], (name, col)
        assert df.schema[ROW] == pl.Int64
        assert df[ROW].to_list() == list(range(2, df.height + 2)), name
        assert df.height > 0, name
    assert any_data.issues.height == 0
    assert any_data.issues.schema == pl.Schema(ISSUE_SCHEMA)
    assert any_data["cases"].height == 500


def test_same_seed_same_frames_and_other_seed_differs(data: CaseData) -> None:
    again = make_sample(500, seed=0)
    other = make_sample(500, seed=1)
    for name in SHEETS:
        assert again[name].equals(data[name]), name
    assert not other["cases"].equals(data["cases"])
    assert not other["assessments"].equals(data["assessments"])


def test_language_changes_only_free_text(data: CaseData) -> None:
    es = make_sample(500, seed=0, lang="es")
    for name, sheet in SHEETS.items():
        same = [c for c, spec in sheet.columns.items() if spec.kind != "text" or c in ("client_name", "case_manager")]
        assert es[name].select(same).equals(data[name].select(same)), name
    assert "Crónicos complejos" in es["cases"]["program"].to_list()
    assert "Complex chronic care" in data["cases"]["program"].to_list()
    assert set(es["services"]["service"]) & {"Fisioterapia", "Telemonitorización"}


def test_small_and_empty_samples() -> None:
    assert make_sample(0)["contacts"].height == 0
    assert make_sample(0)["cases"].columns[-1] == ROW
    tiny = make_sample(7, seed=3)
    assert tiny["cases"]["case_id"].to_list() == [f"C0000{i}" for i in range(1, 8)]
    with pytest.raises(ValueError, match="n_cases"):
        make_sample(-1)


def test_as_of_moves_the_whole_caseload() -> None:
    later = make_sample(100, seed=5, as_of=dt.date(2030, 1, 1))
    base = make_sample(100, seed=5)
    shift = (dt.date(2030, 1, 1) - AS_OF).days
    moved = base["contacts"]["contact_on"] + dt.timedelta(days=shift)
    assert later["contacts"]["contact_on"].equals(moved)
    assert later["cases"]["opened_on"].max() <= dt.date(2030, 1, 1)


def test_case_ids_follow_opening_order_and_rows_are_sorted(data: CaseData) -> None:
    cases = data["cases"]
    assert cases["opened_on"].is_sorted()
    assert cases["case_id"].is_sorted()
    assert cases["client_id"].is_unique().all()
    contacts = data["contacts"]
    assert contacts.select(pl.col("case_id").is_sorted()).item()
    assert contacts["contact_id"][0] == "K000001"


def test_a_hundred_thousand_cases() -> None:
    big = make_sample(100_000, seed=11)
    assert big["cases"].height == 100_000
    assert big["cases"]["case_id"].is_unique().all()
    total = sum(big.n_rows().values())
    assert 8 * 100_000 <= total <= 12 * 100_000  # about 8–10 related rows per case plus the case row


# --------------------------------------------------------------------------------------
# Contract and cross-sheet invariants
# --------------------------------------------------------------------------------------


def test_unique_ids_and_known_cases(any_data: CaseData) -> None:
    cases = any_data["cases"]
    assert cases["case_id"].is_unique().all()
    known = set(cases["case_id"])
    for name, col in IDS.items():
        assert any_data[name][col].is_unique().all(), name
    for name in SHEETS:
        df = any_data[name]
        assert df["case_id"].null_count() == 0, name
        assert set(df["case_id"]) <= known, name


def test_required_values_ranges_and_vocabularies(any_data: CaseData) -> None:
    for name, sheet in SHEETS.items():
        df = any_data[name]
        for col, spec in sheet.columns.items():
            s = df[col]
            if spec.required:
                assert s.null_count() == 0, (name, col)
            if spec.ge is not None:
                assert (s.drop_nulls() >= spec.ge).all(), (name, col)
            if spec.le is not None:
                assert (s.drop_nulls() <= spec.le).all(), (name, col)
            if spec.vocab:
                assert set(s.drop_nulls()) <= set(VOCABS[spec.vocab]), (name, col)
            if spec.kind in ("text", "id"):
                assert not s.drop_nulls().str.starts_with("=").any(), (name, col)


def test_row_rules(any_data: CaseData) -> None:
    a = any_data["assessments"].drop_nulls(["systolic_bp", "diastolic_bp"])
    assert (a["diastolic_bp"] < a["systolic_bp"]).all()
    assert (a.drop_nulls("phq9_item9")["phq9_item9"] <= a.drop_nulls("phq9_item9")["phq9"]).all()
    cases = any_data["cases"]
    closed = cases.drop_nulls("closed_on")
    assert (closed["closed_on"] >= closed["opened_on"]).all()
    assert closed["close_reason"].null_count() == 0
    assert cases.filter(pl.col("closed_on").is_null())["close_reason"].null_count() == cases["closed_on"].null_count()
    goals = any_data["goals"]
    with_target = goals.drop_nulls("target_on")
    assert (with_target["target_on"] >= with_target["set_on"]).all()
    achieved = goals["status"] == "achieved"
    assert (achieved == goals["achieved_on"].is_not_null()).all()
    ach = goals.filter(achieved)
    assert (ach["achieved_on"] >= ach["set_on"]).all()
    assert (ach["achieved_on"] <= AS_OF).all()
    services = any_data["services"].drop_nulls("end_on")
    assert (services["end_on"] >= services["start_on"]).all()
    reviews = any_data["risk_reviews"]
    assert (reviews["override_tier"].is_not_null() == reviews["reason"].is_not_null()).all()


def test_event_dates_within_the_case(any_data: CaseData) -> None:
    cases = any_data["cases"].select("case_id", "opened_on", "closed_on")
    for name, col in EVENT_DATES.items():
        grace = POST_CLOSURE_GRACE_DAYS if name in POST_CLOSURE_GRACE_SHEETS else 0
        df = any_data[name].join(cases, on="case_id")
        assert (df[col] >= df["opened_on"]).all(), name
        late = df.filter(pl.col(col) > pl.col("closed_on") + dt.timedelta(days=grace))
        assert late.height == 0, name
        if name != "contacts":
            assert (df[col] <= AS_OF).all(), name


def test_no_attended_or_missed_contact_after_as_of(any_data: CaseData) -> None:
    contacts = any_data["contacts"]
    future = contacts.filter(pl.col("contact_on") > AS_OF)
    assert future.height > 0  # planned follow-ups exist…
    assert set(future["status"]) == {"scheduled"}  # …and only as scheduled
    closed = any_data["cases"].drop_nulls("closed_on")["case_id"]
    assert not future["case_id"].is_in(closed.implode()).any()


def test_transitions_levels_are_consistent(any_data: CaseData) -> None:
    tr = any_data["transitions"].with_columns(
        f=pl.col("from_level").replace_strict(LEVELS, list(range(len(LEVELS)))),
        t=pl.col("to_level").replace_strict(LEVELS, list(range(len(LEVELS)))),
    )
    assert ((tr["kind"] == "discharge") == (tr["to_level"] == "discharged")).all()
    assert (tr.filter(pl.col("kind") == "step_down").select(pl.col("t") > pl.col("f")).to_series()).all()
    assert (tr.filter(pl.col("kind") == "step_up").select(pl.col("t") < pl.col("f")).to_series()).all()
    assert set(tr["kind"]) == set(VOCABS["transition_kind"])
    assert tr["from_level"].null_count() == 0


def test_outcome_measures_direction_and_domains(any_data: CaseData) -> None:
    out = any_data["outcomes"]
    per_measure = out.group_by("measure").agg(pl.col("higher_is_better").unique(), pl.col("domain").unique())
    hib = {r["measure"]: r["higher_is_better"] for r in per_measure.to_dicts()}
    assert all(len(v) == 1 for v in hib.values())
    assert hib["PHQ-9"] == [False]
    assert hib["monthly_cost"] == [False]
    assert hib["ed_visits_6m"] == [False]
    assert hib["WHO-5"] == [True]
    assert hib["barthel_index"] == [True]
    assert set(out["domain"]) == set(VOCABS["outcome_domain"])
    assert set(out["timepoint"]) == set(VOCABS["timepoint"])
    phq = out.filter(pl.col("measure") == "PHQ-9")["value"]
    assert phq.min() >= 0
    assert phq.max() <= 27


def test_validation_finds_no_errors(any_data: CaseData) -> None:
    from casekit.validation import validate

    result = validate(any_data, as_of=AS_OF)
    assert result.n_errors == 0, result.report.filter(pl.col("severity") == "error").head(5)
    # the only warnings are the intentional stale scheduled contacts
    assert set(result.report["check"]) == {"stale_scheduled"}
    assert result.n_warnings >= 5
