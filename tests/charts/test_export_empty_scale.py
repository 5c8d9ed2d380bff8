"""Images for slides, empty states, hand-built exact cases and the size of what reaches the browser."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from casekit import charts, outcomes, risk, stages
from casekit.charts import CHARTS, build_charts, chart_data, is_empty, save_chart, to_png, to_svg
from casekit.data import CaseData
from casekit.errors import CasekitError
from casekit.sample import SAMPLE_AS_OF, make_sample
from tests.charts.conftest import caseload, inline_rows, valid_spec

PNG = b"\x89PNG\r\n\x1a\n"
AS_OF = dt.date(2026, 6, 30)


# ---- export ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    data = make_sample(80, seed=3)
    return data, build_charts(data, as_of=SAMPLE_AS_OF, lang="es", case_id="C00005")


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_exports_png_and_svg(small, name):
    chart = small[1][name]
    assert to_png(chart, scale=1).startswith(PNG)
    assert to_svg(chart).startswith("<svg")


def test_save_chart_by_extension(small, tmp_path):
    chart = small[1]["funnel"]
    assert save_chart(chart, tmp_path / "f.png").read_bytes().startswith(PNG)
    assert save_chart(chart, tmp_path / "f.SVG").read_text(encoding="utf-8").startswith("<svg")
    assert '"$schema"' in save_chart(chart, tmp_path / "f.json").read_text(encoding="utf-8")
    png1, png2 = to_png(chart, scale=1), to_png(chart, scale=2)
    assert len(png2) > len(png1)


@pytest.mark.parametrize(("lang", "words"), [("en", "use .png, .svg or .json"), ("es", "use .png, .svg o .json")])
def test_save_chart_unknown_extension(small, tmp_path, lang, words):
    with pytest.raises(CasekitError) as err:
        save_chart(small[1]["funnel"], tmp_path / "f.pdf", lang=lang)
    assert words in str(err.value)
    assert "f.pdf" in str(err.value)
    assert not (tmp_path / "f.pdf").exists()


def test_unknown_chart_name(small):
    with pytest.raises(CasekitError, match="nope"):
        build_charts(small[0], as_of=SAMPLE_AS_OF, names=["funnel", "nope"])


# ---- empty inputs: an empty-state chart, never an exception -------------------------------


def only_cases() -> CaseData:
    return caseload(cases=[{"case_id": "A"}, {"case_id": "B", "case_manager": "Ana"}])


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_caseload_with_no_evidence_gives_empty_states(lang):
    built = build_charts(only_cases(), as_of=AS_OF, lang=lang, case_id="A")
    assert set(built) == set(CHARTS)
    # funnel and stage still have two cases in screening; everything else is empty
    assert not is_empty(built["funnel"])
    assert not is_empty(built["stage"])
    for name, chart in built.items():
        spec = valid_spec(chart)
        if name in ("funnel", "stage", "flags_by_manager"):
            continue
        assert is_empty(chart), name
        assert spec["usermeta"]["casekit"] == {"chart": name, "empty": True}
        assert spec["mark"]["type"] == "text"
        message = chart_data(chart)["message"].item()
        assert message, name
        assert not message.startswith("charts."), name
        assert to_png(chart, scale=1).startswith(PNG)


def test_empty_state_messages_in_both_languages():
    tr = pl.DataFrame(schema={"from_level": pl.String, "to_level": pl.String})
    assert chart_data(charts.transitions_chart(tr, lang="es"))["message"].item() == "No hay transiciones registradas."
    assert chart_data(charts.transitions_chart(tr, lang="en"))["message"].item() == "No transitions recorded."
    none = pl.DataFrame(schema=dict.fromkeys(("baseline", "latest", "change"), pl.Float64))
    assert is_empty(charts.outcomes_chart(none, lang="en"))
    assert is_empty(charts.improved_by_tier_chart(pl.DataFrame(), lang="en"))
    assert is_empty(charts.utilisation_chart(pl.DataFrame(), lang="en"))
    assert is_empty(charts.funnel_chart(pl.DataFrame(schema={"reached_stage_number": pl.Int8})))
    assert is_empty(charts.stage_chart(pl.DataFrame(schema={"current_stage": pl.String})))


def test_unknown_client_gives_empty_states(small):
    data = small[0]
    scores = risk.score_risk(data)
    assert chart_data(charts.factors_chart(scores, "ZZZ", lang="en"))["message"].item() == (
        "Case ZZZ has no risk score (no assessment)."
    )
    assert is_empty(charts.calendar_chart(data, "ZZZ", lang="es"))


def test_all_groups_suppressed_gives_an_empty_fairness_chart():
    view = pl.DataFrame(
        {"grouping": ["overall", "sex"], "group": ["all", "female"], "n": [None, None], "suppressed": [True, True]}
        | {f"share_{t}": [None, None] for t in ("low", "moderate", "high")}
        | {"mean_score": [None, None]},
        schema_overrides={"n": pl.Int64}
        | {f"share_{t}": pl.Float64 for t in ("low", "moderate", "high")}
        | {"mean_score": pl.Float64},
    )
    assert is_empty(charts.fairness_chart(view, lang="en"))


# ---- hand-built exact values -------------------------------------------------------------


def test_calendar_exact_rows():
    data = caseload(
        cases=[{"case_id": "A"}, {"case_id": "B"}],
        services=[
            {
                "service_id": "S1",
                "case_id": "A",
                "service": "Physio",
                "level_of_care": "outpatient",
                "start_on": "2026-02-01",
                "end_on": "2026-03-01",
            },
            {"service_id": "S2", "case_id": "A", "level_of_care": "home_health", "start_on": "2026-03-01"},
            {"service_id": "S3", "case_id": "B", "service": "Other", "start_on": "2026-03-01"},
        ],
        contacts=[
            {
                "contact_id": "K1",
                "case_id": "A",
                "contact_on": "2026-02-03",
                "kind": "appointment",
                "status": "attended",
            },
            {"contact_id": "K2", "case_id": "A", "contact_on": "2026-02-10", "kind": "appointment", "status": "missed"},
        ],
        transitions=[
            {
                "transition_id": "T1",
                "case_id": "A",
                "transition_on": "2026-03-01",
                "from_level": "outpatient",
                "to_level": "home_health",
                "kind": "step_down",
            },
        ],
    )
    spec = valid_spec(charts.calendar_chart(data, "A", lang="en", as_of=AS_OF))
    bars, points, rules, as_of = (spec["datasets"][layer["data"]["name"]] for layer in spec["layer"])
    assert [(r["lane"], r["start_on"][:10], r["until"][:10], r["end_shown"]) for r in bars] == [
        ("Physio", "2026-02-01", "2026-03-01", "2026-03-01"),
        ("Home health", "2026-03-01", "2026-06-30", "ongoing"),  # no name: its level; open: runs to as_of
    ]
    assert [(r["lane"], r["status_label"]) for r in points] == [
        ("Contact: Appointment", "Attended"),
        ("Contact: Appointment", "Missed"),
    ]
    assert [r["move"] for r in rules] == ["Outpatient → Home health"]
    assert as_of[0]["as_of"].startswith("2026-06-30")
    colors = spec["layer"][1]["encoding"]["color"]["scale"]
    assert colors == {"domain": ["Attended", "Missed"], "range": ["#0072B2", "#D55E00"]}


def test_attendance_and_transitions_exact():
    contacts = pl.DataFrame(
        {
            "kind": ["home_visit"] * 5 + ["phone_call", None],
            "status": ["attended", "attended", "attended", "missed", "scheduled", "cancelled", "attended"],
            "contact_on": [dt.date(2026, 1, d) for d in range(1, 8)],
        }
    )
    df = chart_data(charts.attendance_chart(contacts, lang="en"))
    # phone calls have only a cancelled contact: no rate, no bar; a contact without kind is left out
    assert df.select("kind", "attended", "missed", "scheduled", "rate").rows() == [("home_visit", 3, 1, 1, 0.75)]
    cut = chart_data(charts.attendance_chart(contacts, lang="en", as_of=dt.date(2026, 1, 3)))
    assert cut["rate"].to_list() == [1.0]


def test_tier_chart_keeps_empty_tiers_and_exact_shares():
    scores = pl.DataFrame({"computed_tier": ["high"] * 3 + ["low"], "effective_tier": ["low"] * 4})
    df = chart_data(charts.tier_chart(scores, tier="computed_tier", lang="en"))
    assert df.select("tier", "cases", "share").rows() == [("low", 1, 0.25), ("moderate", 0, 0.0), ("high", 3, 0.75)]


def test_outcomes_from_changes_leave_out_unpaired_cases():
    changes = pl.DataFrame(
        {
            "case_id": ["A", "B", "C", "A"],
            "domain": ["psychosocial", "psychosocial", "psychosocial", "financial"],
            "measure": ["WHO-5", "WHO-5", "WHO-5", "monthly_cost"],
            "baseline": [40.0, 60.0, 10.0, 1000.0],
            "latest": [50.0, 56.0, None, 800.0],
            "change": [10.0, -4.0, None, -200.0],
            "direction": ["improved", "worsened", None, "improved"],
        }
    )
    df = chart_data(charts.outcomes_chart(changes, lang="es"))
    wide = df.filter(pl.col("when") == "Basal").select(
        "label", "n_paired", "mean_baseline", "mean_latest", "pct_improved"
    )
    assert wide.sort("label").rows() == [
        ("Financiero · Coste mensual", 1, 1000.0, 800.0, 1.0),
        ("Psicosocial · WHO-5", 2, 50.0, 53.0, 0.5),
    ]


def test_suppressed_outcome_rows_are_named_not_drawn():
    summary = pl.DataFrame(
        {
            "domain": ["clinical", "clinical"],
            "measure": ["PHQ-9", "HbA1c"],
            "n_paired": [20, None],
            "mean_baseline": [10.0, None],
            "mean_latest": [7.0, None],
            "pct_improved": [0.6, None],
            "suppressed": [False, True],
        },
        schema_overrides={"n_paired": pl.Int64, "mean_baseline": pl.Float64, "mean_latest": pl.Float64},
    )
    chart = charts.outcomes_chart(summary, lang="en")
    assert chart_data(chart)["label"].unique().to_list() == ["Clinical · PHQ-9"]
    assert chart.to_dict()["title"]["subtitle"][-1] == "Suppressed (1–10 cases): Clinical · HbA1c."


# ---- what reaches the browser stays small on a big caseload ------------------------------


@pytest.mark.slow
def test_aggregate_charts_stay_small_on_100k_cases():
    data = make_sample(100_000, seed=7)
    scores = risk.score_risk(data, as_of=SAMPLE_AS_OF)
    status = stages.case_status(data, as_of=SAMPLE_AS_OF, risk=scores)
    changes = outcomes.outcome_changes(data, as_of=SAMPLE_AS_OF)
    built = {
        "funnel": charts.funnel_chart(status),
        "stage": charts.stage_chart(status),
        "durations": charts.durations_chart(stages.stage_durations(stages.stage_entries(data, as_of=SAMPLE_AS_OF))),
        "flags_by_manager": charts.flags_by_manager_chart(status),
        "tier": charts.tier_chart(scores),
        "fairness": charts.fairness_chart(risk.fairness_summary(data, scores)),
        "attendance": charts.attendance_chart(data),
        "transitions": charts.transitions_chart(data),
        "outcomes": charts.outcomes_chart(changes),
        "improved_by_tier": charts.improved_by_tier_chart(
            outcomes.outcome_summary(data, by=["effective_tier"], changes=changes, scores=scores)
        ),
        "utilisation": charts.utilisation_chart(outcomes.utilisation_changes(data, as_of=SAMPLE_AS_OF)),
    }
    assert set(built) == {n for n, i in CHARTS.items() if not i.per_case}
    for name, chart in built.items():
        spec = valid_spec(chart)
        assert not is_empty(chart), name
        assert inline_rows(spec) <= 400, (name, inline_rows(spec))
    assert chart_data(built["stage"])["cases"].sum() == 100_000
    assert chart_data(built["funnel"])["cases"][0] == 100_000


def test_utilisation_accepts_before_after_names():
    summary = pl.DataFrame({"measure": ["monthly_cost"], "mean_before": [1200.0], "mean_after": [900.0]})
    df = chart_data(charts.utilisation_chart(summary, lang="es"))
    assert df.select("measure_label", "when", "mean").rows() == [
        ("Coste mensual", "Antes", 1200.0),
        ("Coste mensual", "Después", 900.0),
    ]
