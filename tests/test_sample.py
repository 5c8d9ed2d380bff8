"""Tests of the synthetic caseload generator (casekit.sample).

Scenario checks look at the generated frames only (not at the generator's internal
scenario codes), the way the stage engine and the risk model will see them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from pathlib import Path

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
    """Whole days from column ``a`` to column ``b`` (``"as_of"``: the sample's reference date)."""
    end = pl.lit(AS_OF) if b == "as_of" else pl.col(b)
    return (end - pl.col(a)).dt.total_days()


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
    needs_reason = reviews["override_tier"].is_not_null() | (reviews["safety_action"] == "not_needed").fill_null(False)
    assert (needs_reason == reviews["reason"].is_not_null()).all()
    assert set(reviews["safety_action"].drop_nulls()) >= {"safety_plan", "not_needed"}


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


# --------------------------------------------------------------------------------------
# Every stage, flag and risk band shows up at n=500
# --------------------------------------------------------------------------------------

K = 3  # at least this many cases of each scenario


def open_cases(data: CaseData) -> pl.DataFrame:
    return data["cases"].filter(pl.col("closed_on").is_null()).select("case_id", "opened_on")


def without(frame: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    return frame.join(other.select("case_id").unique(), on="case_id", how="anti")


def test_opening_dates_span_about_eighteen_months(any_data: CaseData) -> None:
    opened = any_data["cases"]["opened_on"]
    assert opened.min() >= AS_OF - dt.timedelta(days=560)
    assert opened.max() <= AS_OF
    quarters = any_data["cases"].select(((pl.lit(AS_OF) - pl.col("opened_on")).dt.total_days() // 91).alias("q"))
    assert quarters["q"].value_counts()["count"].min() >= 15
    assert quarters["q"].n_unique() >= 6


def test_people_attributes(any_data: CaseData) -> None:
    cases = any_data["cases"]
    assert set(cases["sex"]) == set(VOCABS["sex"])
    assert set(cases["referral_source"]) == set(VOCABS["referral_source"])
    assert set(cases["language"]) == {"es", "en"}
    assert 6 <= cases["case_manager"].n_unique() <= 8
    assert 3 <= cases["program"].n_unique() <= 4
    assert cases["ethnicity"].n_unique() >= 5
    age = cases.select(((pl.col("opened_on") - pl.col("birth_date")).dt.total_days() / 365.25).alias("age"))["age"]
    assert age.min() >= 18
    assert age.max() < 96
    assert (age > 89).sum() >= K
    names = cases["client_name"]
    assert names.str.contains(r"^\S+ \S+").all()  # first and last name
    assert names.str.contains("ez( |$)").sum() >= 50  # Spanish surnames
    assert names.str.contains(r"\b(Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson)\b").sum() >= 10


def test_screening_stalls_and_decisions(any_data: CaseData) -> None:
    scr = any_data["screenings"]
    unscreened = without(open_cases(any_data), scr).with_columns(wait=days("opened_on", "as_of"))
    assert unscreened.filter(pl.col("wait") > 7).height >= K  # screening overdue
    assert unscreened.filter(pl.col("wait") <= 7).height >= K  # not due yet
    assert scr["decision"].value_counts().filter(pl.col("count") >= K).height == 3
    out = scr.filter(pl.col("decision") != "refer_to_assessment").join(any_data["cases"], on="case_id")
    assert out.filter(pl.col("closed_on").is_not_null()).height >= K
    assert out.filter(pl.col("closed_on").is_null() & (pl.col("decision") == "not_eligible")).height >= K


def test_assessment_risk_review_and_plan_stalls(any_data: CaseData) -> None:
    scr = any_data["screenings"].filter(pl.col("decision") == "refer_to_assessment")
    ass, rev, goals = any_data["assessments"], any_data["risk_reviews"], any_data["goals"]
    waiting = without(scr, ass).join(open_cases(any_data), on="case_id").with_columns(w=days("screened_on", "as_of"))
    assert waiting.filter(pl.col("w") > 14).height >= K  # assessment overdue
    assert waiting.filter(pl.col("w") <= 14).height >= K
    pending = without(ass, rev).join(open_cases(any_data), on="case_id")
    assert pending.height >= K  # risk review pending
    no_plan = without(ass.join(rev.select("case_id").unique(), on="case_id"), goals)
    no_plan = no_plan.join(open_cases(any_data), on="case_id").with_columns(w=days("assessed_on", "as_of"))
    assert no_plan.filter(pl.col("w") > 14).height >= K  # plan overdue
    assert no_plan.filter(pl.col("w") <= 7).height >= K
    # goals without any service, and goals without any target date
    assert without(goals, any_data["services"]).n_unique("case_id") >= 2
    no_target = goals.group_by("case_id").agg(pl.col("target_on").is_null().all().alias("none"))
    assert no_target["none"].sum() >= 2


def test_implementation_and_monitoring(any_data: CaseData) -> None:
    goals, contacts = any_data["goals"], any_data["contacts"]
    first_goal = goals.group_by("case_id").agg(pl.col("set_on").min().alias("g"))
    impl = contacts.filter(
        pl.col("kind").is_in(["appointment", "home_visit", "education"]) & (pl.col("status") == "attended")
    ).join(first_goal, on="case_id")
    implemented = impl.filter(pl.col("contact_on") >= pl.col("g")).select("case_id").unique()
    planned = first_goal.join(any_data["services"].select("case_id").unique(), on="case_id")
    awaiting = without(planned, implemented).join(open_cases(any_data), on="case_id")
    assert awaiting.height >= K  # plan but no implementation contact

    monitoring = without(implemented, any_data["transitions"]).join(open_cases(any_data), on="case_id")
    last = (
        contacts.filter(pl.col("status") == "attended")
        .group_by("case_id")
        .agg(pl.col("contact_on").max().alias("last"))
        .join(monitoring, on="case_id")
        .with_columns(w=days("last", "as_of"))
    )
    assert last.filter(pl.col("w") <= 14).height >= 20  # on time for every tier
    assert last.filter(pl.col("w") > 60).height >= K  # overdue for every tier
    assert last.filter(pl.col("w").is_between(15, 60)).height >= K  # overdue for some tiers only


def test_missed_stale_and_overdue_goals(any_data: CaseData) -> None:
    contacts = any_data["contacts"].filter(pl.col("contact_on") <= AS_OF)
    per_case = contacts.group_by("case_id").agg(
        pl.col("contact_on").filter(pl.col("status") == "missed").max().alias("missed"),
        pl.col("contact_on").filter(pl.col("status") == "attended").max().alias("attended"),
    )
    missed = per_case.drop_nulls("missed")
    later = pl.col("attended").is_not_null() & (pl.col("attended") > pl.col("missed"))
    assert missed.filter(~later).height >= K  # missed appointment, nothing attended since
    assert missed.filter(later).height >= K
    stale = contacts.filter((pl.col("status") == "scheduled") & (pl.col("contact_on") < AS_OF))
    assert stale.n_unique("case_id") >= K
    overdue = (
        any_data["goals"]
        .join(open_cases(any_data), on="case_id")
        .filter(pl.col("status").is_in(["planned", "in_progress"]) & (pl.col("target_on") < AS_OF))
    )
    assert overdue.n_unique("case_id") >= K
    assert set(any_data["goals"]["status"]) == set(VOCABS["goal_status"])


def test_post_transition_windows(any_data: CaseData) -> None:
    latest = any_data["transitions"].group_by("case_id").agg(pl.col("transition_on").max())
    post = any_data["contacts"].filter((pl.col("kind") == "post_transition") & (pl.col("status") == "attended"))
    gap = (
        latest.join(post, on="case_id", how="left")
        .with_columns(d=days("transition_on", "contact_on"))
        .group_by("case_id")
        .agg(pl.col("d").filter(pl.col("d") >= 0).min())
    )
    assert gap.filter(pl.col("d").is_between(1, 6)).height >= K
    assert gap.filter(pl.col("d") == 7).height >= K  # last day of the window
    assert gap.filter(pl.col("d") == 8).height >= K  # one day too late
    assert gap.filter(pl.col("d").is_null()).height >= K  # no contact at all


def test_readmission_after_transition(any_data: CaseData) -> None:
    tr = any_data["transitions"].sort("case_id", "transition_on")
    readmitted = tr.filter(
        (pl.col("kind") == "step_up") & pl.col("kind").shift(1).over("case_id").is_in(["discharge", "step_down"])
    )
    assert readmitted.height >= K


def outcome_changes(data: CaseData) -> pl.DataFrame:
    out = data["outcomes"]
    base = (
        out.filter(pl.col("timepoint") == "baseline")
        .group_by("case_id", "measure")
        .agg(pl.col("value").sort_by("measured_on").first().alias("b"), pl.col("measured_on").min().alias("b_on"))
    )
    later = (
        out.filter(pl.col("timepoint") != "baseline")
        .group_by("case_id", "measure")
        .agg(pl.col("value").sort_by("measured_on").last().alias("v"), pl.col("higher_is_better").first())
    )
    return base.join(later, on=["case_id", "measure"], how="left").with_columns(
        change=pl.when(pl.col("higher_is_better")).then(pl.col("v") - pl.col("b")).otherwise(pl.col("b") - pl.col("v"))
    )


def test_closed_cases_with_and_without_outcomes(any_data: CaseData) -> None:
    closed = any_data["cases"].drop_nulls("closed_on").select("case_id")
    changes = outcome_changes(any_data)
    paired = changes.drop_nulls("v").join(closed, on="case_id")
    assert paired.n_unique("case_id") >= 20
    assert without(closed, any_data["outcomes"]).height >= 20
    assert paired.filter(pl.col("change") > 0).n_unique("case_id") >= K
    assert paired.filter(pl.col("change") < 0).n_unique("case_id") >= K
    # improvement more likely than worsening overall
    all_pairs = changes.drop_nulls("v")
    assert (all_pairs["change"] > 0).sum() > 1.5 * (all_pairs["change"] < 0).sum()
    assert set(any_data["cases"]["close_reason"].drop_nulls()) >= {"goals_met", "declined", "lost_contact"}


def test_baseline_without_follow_up_after_ninety_days(any_data: CaseData) -> None:
    changes = outcome_changes(any_data).join(open_cases(any_data), on="case_id")
    due = changes.filter(pl.col("v").is_null() & (days("b_on", "as_of") >= 90))
    assert due.n_unique("case_id") >= K


def test_out_of_order_goal_before_assessment(any_data: CaseData) -> None:
    first_ass = any_data["assessments"].group_by("case_id").agg(pl.col("assessed_on").min())
    early = any_data["goals"].join(first_ass, on="case_id").filter(pl.col("set_on") < pl.col("assessed_on"))
    assert early.n_unique("case_id") >= 2


# ---- risk inputs --------------------------------------------------------------------


def band_counts(s: pl.Series, edges: list[int]) -> list[int]:
    """How many values fall in each band [edges[i], edges[i+1])."""
    return [int(s.is_between(lo, hi, closed="left").sum()) for lo, hi in itertools.pairwise(edges)]


def test_instrument_bands_all_present(any_data: CaseData) -> None:
    a = any_data["assessments"]
    assert min(band_counts(a["phq9"].drop_nulls(), [0, 5, 10, 15, 20, 28])) >= K
    assert min(band_counts(a["gad7"].drop_nulls(), [0, 5, 10, 15, 22])) >= K
    assert (a["phq9_item9"] >= 1).sum() >= K  # safety red flag
    bmi = a["bmi"].drop_nulls()
    assert min(band_counts(bmi, [0, 18.5, 25, 30, 35, 40, 100])) >= 2  # WHO classes incl. obesity III

    sex = a.join(any_data["cases"].select("case_id", "sex"), on="case_id").drop_nulls("audit_c")
    for who, cut in (("male", 4), ("female", 3)):
        s = sex.filter(pl.col("sex") == who)["audit_c"]
        assert (s >= cut).sum() >= K
        assert (s < cut).sum() >= K


def test_blood_pressure_categories_all_present(any_data: CaseData) -> None:
    bp = any_data["assessments"].drop_nulls(["systolic_bp", "diastolic_bp"])
    sys, dia = pl.col("systolic_bp"), pl.col("diastolic_bp")
    cat = bp.select(
        pl.when((sys > 180) | (dia > 120))
        .then(pl.lit("crisis"))
        .when((sys >= 140) | (dia >= 90))
        .then(pl.lit("stage2"))
        .when((sys >= 130) | (dia >= 80))
        .then(pl.lit("stage1"))
        .when(sys >= 120)
        .then(pl.lit("elevated"))
        .otherwise(pl.lit("normal"))
    ).to_series()
    counts = cat.value_counts()
    assert counts.height == 5
    assert counts["count"].min() >= K
    assert bp.filter((sys <= 180) & (dia > 120)).height >= 1  # diastolic-only crisis


def lace(a: pl.DataFrame) -> pl.Series:
    los, c, e = pl.col("length_of_stay_days"), pl.col("charlson"), pl.col("ed_visits_6m")
    l_pts = pl.when(los < 1).then(0).when(los <= 3).then(los).when(los <= 6).then(4)
    l_pts = l_pts.when(los <= 13).then(5).otherwise(7)
    a_pts = pl.when(pl.col("acute_admission")).then(3).otherwise(0)
    c_pts = pl.when(c >= 4).then(5).otherwise(c)
    e_pts = pl.min_horizontal(e, pl.lit(4))
    return a.select(l_pts + a_pts + c_pts + e_pts).to_series()


def test_lace_inputs_span_low_and_high(any_data: CaseData) -> None:
    a = any_data["assessments"].drop_nulls(["length_of_stay_days", "acute_admission", "charlson", "ed_visits_6m"])
    score = lace(a)
    assert score.max() <= 19
    assert (score >= 10).sum() >= K
    assert (score < 5).sum() >= K
    assert a["acute_admission"].sum() >= K


def test_severity_ties_the_risk_factors_together(any_data: CaseData) -> None:
    a = any_data["assessments"].drop_nulls(["phq9", "systolic_bp", "charlson", "medications", "exercise_min_week"])
    corr = a.select(
        pl.corr("phq9", "systolic_bp").alias("a"),
        pl.corr("phq9", "charlson").alias("b"),
        pl.corr("charlson", "medications").alias("c"),
        pl.corr("medications", "exercise_min_week").alias("d"),
    ).row(0)
    assert corr[0] > 0.2
    assert corr[1] > 0.2
    assert corr[2] > 0.2
    assert corr[3] < -0.2
    # some of the ~20 % high-risk clients look severe on several factors at once, few others do
    severe = a.filter((pl.col("phq9") >= 10) & (pl.col("charlson") >= 3) & (pl.col("medications") >= 6))
    assert 0.03 <= severe.height / a.height <= 0.2


def test_missing_inputs_unsafe_homes_and_social_factors(any_data: CaseData) -> None:
    a = any_data["assessments"]
    inputs = ["systolic_bp", "phq9", "gad7", "audit_c", "bmi", "charlson", "medications", "exercise_min_week"]
    mostly_missing = a.select(pl.sum_horizontal(pl.col(inputs).is_null()) > len(inputs) / 2).to_series()
    assert mostly_missing.sum() >= K  # provisional tiers
    assert (a["housing_safe"] == False).sum() >= K  # noqa: E712 - polars comparison
    assert (any_data["screenings"]["home_environment"] == "unsafe").sum() >= K
    for col in ("insurance", "housing", "readiness_to_change"):
        assert set(a[col].drop_nulls()) == set(VOCABS[SHEETS["assessments"].columns[col].vocab or ""]), col
    s = any_data["screenings"]
    for col in ("employment", "home_environment", "self_management", "financial_situation", "support_network"):
        assert set(s[col].drop_nulls()) == set(VOCABS[SHEETS["screenings"].columns[col].vocab or ""]), col
    assert a["tobacco_use"].sum() >= K
    assert a["substance_use"].sum() >= K


# ---- the default risk model on the sample ---------------------------------------------

TIER_MIX = {"low": 0.5, "moderate": 0.3, "high": 0.2}


def tier_shares(data: CaseData) -> dict[str, float]:
    from casekit.risk import score_risk

    return dict(score_risk(data)["computed_tier"].value_counts(normalize=True).iter_rows())


def test_default_model_gives_the_intended_tier_mix(any_data: CaseData) -> None:
    shares = tier_shares(any_data)
    assert set(shares) == set(TIER_MIX)
    for tier, share in TIER_MIX.items():
        assert abs(shares[tier] - share) <= 0.06, shares


def test_tier_mix_holds_on_a_large_sample() -> None:
    shares = tier_shares(make_sample(20_000, seed=1))
    for tier, share in TIER_MIX.items():
        assert abs(shares[tier] - share) <= 0.03, shares


def test_every_instrument_class_and_red_flag_shows_up(any_data: CaseData) -> None:
    from casekit.risk import score_risk
    from casekit.risk.instruments import BMI_CLASSES, BP_CATEGORIES, GAD7_SEVERITIES, LACE_TIERS, PHQ9_SEVERITIES

    out = score_risk(any_data)
    for column, classes, at_least in (
        ("bmi_class", BMI_CLASSES, 2),
        ("bp_category", BP_CATEGORIES, K),
        ("phq9_severity", PHQ9_SEVERITIES, K),
        ("gad7_severity", GAD7_SEVERITIES, K),
        ("lace_tier", LACE_TIERS, K),
    ):
        counts = dict(out[column].drop_nulls().value_counts().iter_rows())
        assert set(counts) == set(classes), column
        assert min(counts.values()) >= at_least, (column, counts)
    flags = dict(out["red_flags"].explode().drop_nulls().value_counts().iter_rows())
    assert set(flags) == {"self_harm_thoughts", "hypertensive_crisis", "unsafe_housing", "unsafe_home"}
    assert min(flags.values()) >= K
    # red flags force the high tier: they stay a minority of the high-risk clients
    assert 0.03 <= (out["red_flags"].list.len() > 0).mean() <= 0.15


def test_older_clients_are_not_all_high_risk(any_data: CaseData) -> None:
    from casekit.risk import score_risk

    out = score_risk(any_data).join(any_data["assessments"].select("case_id", "medications"), on="case_id")
    old = out.filter(pl.col("age") >= 65)
    assert old.height >= 50
    assert 0.15 <= (old["medications"] >= 5).mean() <= 0.6  # polypharmacy common, not universal
    assert set(old["computed_tier"]) == set(TIER_MIX)
    assert (old["computed_tier"] == "high").mean() <= 0.45
    young = out.filter(pl.col("age") < 45)
    assert (young["computed_tier"] == "low").mean() >= 0.5


def test_risk_reviews_confirm_and_override(any_data: CaseData) -> None:
    rev = any_data["risk_reviews"]
    overrides = rev.drop_nulls("override_tier")
    assert overrides.height >= K
    assert set(overrides["override_tier"]) == {"low", "moderate", "high"}
    assert rev.filter(pl.col("override_tier").is_null()).height > overrides.height  # mostly confirmed
    assert (rev.n_unique("case_id") / any_data["assessments"].n_unique("case_id")) > 0.8
    assert rev["case_id"].is_duplicated().sum() >= 2  # some re-reviews


def test_every_category_of_services_contacts_and_transitions(any_data: CaseData) -> None:
    sv, ct = any_data["services"], any_data["contacts"]
    assert set(sv["level_of_care"]) == set(VOCABS["level_of_care"])
    assert set(sv["frequency"]) == set(VOCABS["frequency"])
    assert set(ct["kind"]) == set(VOCABS["contact_kind"])
    assert set(ct["with_whom"]) == set(VOCABS["with_whom"])
    assert set(ct["status"]) == set(VOCABS["contact_status"])
    assert set(any_data["goals"]["domain"]) == set(VOCABS["goal_domain"])
    assert set(any_data["transitions"]["to_level"]) >= {"discharged", "inpatient"}


# --------------------------------------------------------------------------------------
# The committed sample_data/ files
# --------------------------------------------------------------------------------------

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.mark.parametrize(
    ("name", "lang"), [("casekit_muestra_es.xlsx", "es"), ("casekit_sample_en", "en")], ids=["xlsx-es", "csv-en"]
)
def test_bundled_files_are_the_generator_output(name: str, lang: str) -> None:
    from casekit.io import read_workbook

    read = read_workbook(SAMPLE_DIR / name, lang=lang)
    expected = make_sample(500, seed=2026, lang=lang)
    assert read.issues.height == 0
    # the contract's columns are make_sample's; the assessments carry one column of the
    # team's own (a local risk factor), after them, typed as a team types it
    script = _sample_script()
    own = script.LOCAL_COLUMN[lang]
    assert read["assessments"][own].to_list() == script.food_insecurity(expected, lang).to_list()
    assert read["assessments"][own].drop_nulls().n_unique() == 2
    for sheet in SHEETS:  # regenerate with sample_data/make_sample_data.py when this fails
        assert read[sheet].drop(own, strict=False).equals(expected[sheet]), sheet
    if lang == "es":
        assert read.headers["screenings"]["__sheet__"] == "cribados"
        assert read.headers["cases"]["opened_on"] == "fecha_apertura"
        assert "Derivar a evaluación" in pl.read_excel(SAMPLE_DIR / name, sheet_name="cribados")["decision"]
    else:
        # canonical ids as headers (CSV writers quote every text field)
        header = (SAMPLE_DIR / name / "cases.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        assert header.replace('"', "").startswith("case_id,client_id")


def _sample_script():
    """``sample_data/make_sample_data.py`` as a module (the folder is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sample_data", SAMPLE_DIR / "make_sample_data.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_example_local_model_scores_the_samples_own_column(lang: str) -> None:
    from casekit.io import read_workbook
    from casekit.risk import load_model, score_risk

    script = _sample_script()
    path = SAMPLE_DIR / script.LOCAL_MODEL[lang]
    assert path.read_text(encoding="utf-8") == script.local_model_text(lang)  # regenerate when this fails
    data = read_workbook(SAMPLE_DIR / ("casekit_muestra_es.xlsx" if lang == "es" else "casekit_sample_en"), lang=lang)
    model = load_model(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the column is there: no missing-input warning
        scores = score_risk(data, model, as_of=AS_OF)
    shipped = score_risk(data, as_of=AS_OF)
    by_case = scores.join(shipped, on="case_id", suffix="_shipped")
    # a client with food insecurity gets 3 more points than with the shipped model; others the same
    own = script.LOCAL_COLUMN[lang]
    ass = data["assessments"].filter(pl.col("assessed_on") <= AS_OF).sort("assessed_on", "_row")
    ass = ass.group_by("case_id").agg(pl.col(own).last())
    yes = "sí" if lang == "es" else "yes"
    by_case = by_case.join(ass, on="case_id").with_columns(extra=pl.when(pl.col(own) == yes).then(3).otherwise(0))
    assert (by_case["score"] - by_case["score_shipped"]).to_list() == by_case["extra"].to_list()
    assert (by_case["computed_tier"] != by_case["computed_tier_shipped"]).sum() > 0  # it moves tiers


def test_broken_workbook_shows_each_planted_mistake() -> None:
    from casekit.io import read_workbook
    from casekit.validation import validate

    data = read_workbook(SAMPLE_DIR / "casekit_broken_es.xlsx", lang="es")
    result = validate(data, lang="es", as_of=AS_OF)
    report = result.report
    found = set(report.select("sheet", "check").iter_rows())
    expected = {
        ("casos", "not_a_date"),
        ("casos", "duplicate"),
        ("cribados", "required"),
        ("cribados", "before_opening"),
        ("evaluaciones", "out_of_range"),
        ("evaluaciones", "not_a_number"),
        ("evaluaciones", "value_order"),
        ("objetivos", "achieved_on_missing"),
        ("contactos", "not_allowed"),
        ("contactos", "unknown_case"),
    }
    assert expected <= found
    assert report.filter(pl.col("check") == "out_of_range")["value"].to_list() == ["31"]
    assert report.filter(pl.col("check") == "not_a_number")["value"].to_list() == ["dos"]
    assert report.filter(pl.col("check") == "not_allowed")["value"].to_list() == ["Aplazado"]
    assert report.filter(pl.col("check") == "unknown_case")["value"].to_list() == ["C99999"]
    assert data["cases"].height == 31
    names = data["cases"]["client_name"]
    assert names.str.starts_with("=HYPERLINK(").sum() == 1
    # apart from the planted mistakes (and the rows of their cases) the data are clean
    own = report.filter(~pl.col("check").is_in(["case_quarantined", "stale_scheduled"]))
    assert own.height <= 14
    assert result.affected_cases() <= 12
