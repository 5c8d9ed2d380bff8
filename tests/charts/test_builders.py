"""Every builder on the sample: a valid Vega-Lite spec carrying the expected aggregates."""

from __future__ import annotations

import itertools
import math
import re

import polars as pl
import pytest

from casekit import charts
from casekit.charts import CHARTS, TIER_COLORS, build_charts, chart_data
from casekit.outcomes import utilisation_changes
from casekit.stages import flags_long, funnel, stage_label
from casekit.ui.widgets import LABEL_LIMIT
from tests.charts.conftest import encodings, marks, valid_spec

CASE = "C00005"  # a sample client with services, contacts and a transition

EXPECTED_MARKS = {
    "funnel": {"bar", "text"},
    "stage": {"bar"},
    "durations": {"rule", "point"},
    "flags_by_manager": {"rect", "text"},
    "tier": {"bar", "text"},
    "factors": {"bar", "text"},
    "fairness": {"bar"},
    "calendar": {"bar", "point", "rule"},
    "attendance": {"bar", "text"},
    "transitions": {"rect", "text"},
    "outcomes": {"rule", "point"},
    "improved_by_tier": {"bar", "text"},
    "utilisation": {"bar"},
}


@pytest.fixture(scope="module", params=["es", "en"])
def built(request, sample):
    lang = request.param
    return lang, build_charts(sample.data, as_of=sample.as_of, lang=lang, case_id=CASE)


def test_registry_lists_every_builder():
    assert set(CHARTS) == set(EXPECTED_MARKS)
    assert [n for n, i in CHARTS.items() if i.per_case] == ["factors", "calendar"]
    for info in CHARTS.values():
        assert callable(info.builder)
        assert info.title("es") != info.title("en")
        assert not info.title("es").startswith("charts.")


def test_every_chart_is_valid_vega_lite_with_tooltips(built):
    _lang, built_charts = built
    assert set(built_charts) == set(CHARTS)
    for name, chart in built_charts.items():
        spec = valid_spec(chart)
        assert spec["usermeta"]["casekit"] == {"chart": name, "empty": False}, name
        assert set(marks(spec)) == EXPECTED_MARKS[name], name
        assert "tooltip" in encodings(spec), name
        assert not spec["title"]["text"].startswith("charts."), name
        assert "charts." not in str(spec), f"an untranslated key in {name}"
        # labels are never cut shorter than the app allows (a 180 px limit cut two flag names)
        limits = [int(x) for x in re.findall(r"'labelLimit': (\d+)", str(spec))]
        assert all(limit == 0 or limit >= LABEL_LIMIT for limit in limits), (name, limits)


def test_titles_differ_by_language(sample):
    es = build_charts(sample.data, as_of=sample.as_of, lang="es", case_id=CASE)
    en = build_charts(sample.data, as_of=sample.as_of, lang="en", case_id=CASE)
    for name in CHARTS:
        assert es[name].to_dict()["title"]["text"] != en[name].to_dict()["title"]["text"], name
    assert es["funnel"].to_dict()["title"]["text"] == "Embudo de etapas"
    assert en["funnel"].to_dict()["title"]["text"] == "Stage funnel"


def test_builders_do_not_build_per_client_charts_without_a_client(sample):
    assert set(build_charts(sample.data, as_of=sample.as_of)) == {n for n, i in CHARTS.items() if not i.per_case}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_funnel_counts_equal_funnel(sample, lang):
    chart = charts.funnel_chart(sample.status, lang=lang)
    df = chart_data(chart)
    expected = funnel(sample.status)
    assert df["cases"].to_list() == expected["cases"].to_list()
    assert df["cases"][0] == 500
    assert df["label"].to_list() == [stage_label(s, lang) for s in expected["stage"]]
    assert df["share"].to_list() == pytest.approx(expected["share"].to_list())
    prev = expected["cases"].to_list()
    assert df["of_previous"].to_list()[1:] == pytest.approx([b / a for a, b in itertools.pairwise(prev)])
    # an already computed funnel gives the same chart
    assert chart_data(charts.funnel_chart(expected, lang=lang)).equals(df)


def test_stage_bars_add_up_to_every_case(sample):
    df = chart_data(charts.stage_chart(sample.status, lang="es"))
    assert df["cases"].sum() == 500
    got = df.group_by("stage").agg(pl.col("cases").sum()).sort("stage")
    want = sample.status.group_by(pl.col("current_stage").alias("stage")).agg(pl.len().alias("cases")).sort("stage")
    assert got.rows() == want.rows()
    untiered = sample.status.filter(pl.col("effective_tier").is_null()).height
    assert df.filter(pl.col("tier") == "none")["cases"].sum() == untiered
    assert set(df["tier_label"]) <= {"Sin evaluar", "Bajo", "Moderado", "Alto"}
    assert "Detección" in set(df["label"])


def test_durations_show_the_median_and_quartiles(sample):
    df = chart_data(charts.durations_chart(sample.durations, lang="en"))
    d = sample.durations
    assert df.height == d.filter(pl.col("n") > 0).height == 8
    assert df["median_days"].to_list() == d["median_days"].to_list()
    assert df["q1_days"].to_list() == d["q1_days"].to_list()
    assert df["q3_days"].to_list() == d["q3_days"].to_list()
    assert df["label"][0] == "Screening → Assessment"


def test_time_in_stage_is_drawn_too(sample):
    from casekit.stages import time_in_stage

    tis = time_in_stage(sample.status)
    chart = charts.durations_chart(tis, lang="es")
    spec = valid_spec(chart)
    assert spec["title"]["text"] == "Tiempo en la etapa actual"
    df = chart_data(chart)
    assert df["n"].to_list() == tis.filter(pl.col("n") > 0)["n"].to_list()


def test_flags_by_manager_counts(sample):
    df = chart_data(charts.flags_by_manager_chart(sample.status, lang="en"))
    long = flags_long(sample.status)
    assert df["cases"].sum() == long.height
    want = long.group_by(pl.col("case_manager").alias("manager"), "flag").agg(pl.len().alias("cases"))
    got = df.select("manager", "flag", "cases")
    assert got.sort("manager", "flag").rows() == want.sort("manager", "flag").rows()
    # from the long frame: the same counts
    assert (
        chart_data(charts.flags_by_manager_chart(long, lang="en"))
        .sort("manager", "flag")
        .equals(df.sort("manager", "flag"))
    )


def test_flags_by_manager_groups_managers_beyond_top(sample):
    df = chart_data(charts.flags_by_manager_chart(sample.status, lang="es", top=3))
    assert df["manager_label"].n_unique() == 4
    others = df.filter(pl.col("manager").is_null())
    n_managers = sample.status["case_manager"].n_unique()
    assert set(others["manager_label"]) == {f"Otros gestores ({n_managers - 3})"}
    assert df["cases"].sum() == flags_long(sample.status).height


def test_tier_shares_sum_to_one(sample):
    chart = charts.tier_chart(sample.scores, lang="es")
    df = chart_data(chart)
    counts = sample.scores["effective_tier"].value_counts()
    want = dict(counts.rows())
    assert dict(zip(df["tier"], df["cases"], strict=True)) == want
    assert math.isclose(df["share"].sum(), 1.0)
    assert df["label"].to_list() == ["Bajo", "Moderado", "Alto"]
    assert df["provisional"].sum() == sample.scores["provisional"].sum()
    # the fixed tier colours
    spec = chart.to_dict()
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {
        "domain": ["Bajo", "Moderado", "Alto"],
        "range": [TIER_COLORS[t] for t in ("low", "moderate", "high")],
    }
    # from case_status: unassessed cases are not drawn, and the subtitle counts them
    status_chart = charts.tier_chart(sample.status, lang="en")
    untiered = sample.status.filter(pl.col("effective_tier").is_null()).height
    assert chart_data(status_chart)["cases"].sum() == 500 - untiered
    assert f"{untiered:,} cases without a tier" in status_chart.to_dict()["title"]["subtitle"]


def test_factor_points_of_one_client(sample):
    row = sample.scores.filter(pl.col("case_id") == CASE).row(0, named=True)
    df = chart_data(charts.factors_chart(sample.scores, CASE, lang="en"))
    pts = {c.removeprefix("pts_"): v for c, v in row.items() if c.startswith("pts_")}
    assert dict(zip(df["factor"], df["points"], strict=True)) == {k: float(v or 0) for k, v in pts.items()}
    assert df.filter(pl.col("missing"))["factor"].sort().to_list() == sorted(k for k, v in pts.items() if v is None)
    assert df["points"].sum() == row["score"]
    assert "Blood pressure" in set(df["label"])


def test_factor_chart_names_the_red_flags(sample):
    flagged = sample.scores.filter(pl.col("red_flags").list.len() > 0).row(0, named=True)
    from casekit.risk import load_model

    labels = {f.name: f.label("es") for f in load_model().red_flags}
    spec = valid_spec(charts.factors_chart(sample.scores, flagged["case_id"], lang="es"))
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "Señales de alarma" in subtitle
    for flag in flagged["red_flags"]:
        assert labels[flag] in subtitle


def test_fairness_shares_and_suppressed_groups(sample):
    chart = charts.fairness_chart(sample.fairness, lang="en")
    df = chart_data(chart)
    sums = df.group_by("label").agg(pl.col("share").sum())
    assert all(math.isclose(s, 1.0) for s in sums["share"])
    shown = sample.fairness.filter(~pl.col("suppressed"))
    assert df["label"].n_unique() == shown.height
    hidden = sample.fairness.filter(pl.col("suppressed"))
    assert hidden.height > 0
    subtitle = chart.to_dict()["title"]["subtitle"][0]
    assert subtitle.startswith("Not shown (1–10 cases)")
    assert "Sex: Other" in subtitle
    assert not df["share"].is_null().any()
    overall = sample.fairness.row(0, named=True)
    all_cases = df.filter(pl.col("label") == "All cases")
    assert dict(zip(all_cases["tier"], all_cases["share"], strict=True)) == pytest.approx(
        {t: overall[f"share_{t}"] for t in ("low", "moderate", "high")}
    )


def test_calendar_of_one_client(sample):
    chart = charts.calendar_chart(sample.data, CASE, lang="en", as_of=sample.as_of)
    spec = valid_spec(chart)
    layers = spec["layer"]
    rows = {
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]: spec["datasets"][
            layer["data"]["name"]
        ]
        for layer in layers[:3]
    }
    of_case = {s: sample.data[s].filter(pl.col("case_id") == CASE) for s in ("services", "contacts", "transitions")}
    assert len(rows["bar"]) == of_case["services"].height > 0
    assert len(rows["point"]) == of_case["contacts"].height > 0
    assert len(rows["rule"]) == of_case["transitions"].height > 0
    statuses = {r["status_label"] for r in rows["point"]}
    assert statuses <= {"Attended", "Missed", "Scheduled", "Cancelled"}
    assert all(r["lane"].startswith("Contact: ") for r in rows["point"])
    # the lanes: services first, then contact kinds
    sort = layers[0]["encoding"]["y"]["sort"]
    assert (
        sort[: of_case["services"]["service"].n_unique()]
        == of_case["services"].sort("start_on")["service"].unique(maintain_order=True).to_list()
    )
    assert inline_total(spec) < 200


def inline_total(spec):
    return sum(len(v) for v in spec["datasets"].values())


def test_attendance_rates(sample):
    df = chart_data(charts.attendance_chart(sample.data, lang="es", as_of=sample.as_of))
    c = sample.data["contacts"].filter(pl.col("contact_on") <= sample.as_of)
    want = (
        c.group_by("kind")
        .agg((pl.col("status") == "attended").sum().alias("a"), (pl.col("status") == "missed").sum().alias("m"))
        .with_columns(rate=pl.col("a") / (pl.col("a") + pl.col("m")))
    )
    assert dict(zip(df["kind"], df["rate"], strict=True)) == pytest.approx(
        dict(zip(want["kind"], want["rate"], strict=True))
    )
    assert "Cita" in set(df["label"])


def test_transition_heatmap_counts(sample):
    df = chart_data(charts.transitions_chart(sample.data, lang="es"))
    tr = sample.data["transitions"]
    assert df["transitions"].sum() == tr.height
    want = tr.group_by("from_level", "to_level").agg(pl.len().alias("transitions"))
    assert (
        df.select("from_level", "to_level", "transitions").sort("from_level", "to_level").rows()
        == want.sort("from_level", "to_level").rows()
    )
    assert "Alta" in set(df["to_label"])


def test_outcome_dumbbells_equal_the_summary(sample):
    df = chart_data(charts.outcomes_chart(sample.summary, lang="en"))
    s = sample.summary.filter(~pl.col("suppressed"))
    assert df["label"].n_unique() == s.height
    base = df.filter(pl.col("when") == "Baseline").sort("label")
    latest = df.filter(pl.col("when") == "Latest").sort("label")
    assert base["mean"].to_list() == base["mean_baseline"].to_list()
    assert latest["mean"].to_list() == latest["mean_latest"].to_list()
    phq = df.filter(pl.col("label") == "Clinical · PHQ-9").row(0, named=True)
    want = s.filter(pl.col("measure") == "PHQ-9").row(0, named=True)
    assert phq["mean_baseline"] == pytest.approx(want["mean_baseline"])
    assert phq["mean_latest"] == pytest.approx(want["mean_latest"])
    # from the per-case changes: the same means
    from_changes = chart_data(charts.outcomes_chart(sample.changes, lang="en"))
    row = from_changes.filter(pl.col("label") == "Clinical · PHQ-9").row(0, named=True)
    assert row["mean_baseline"] == pytest.approx(want["mean_baseline"])
    assert row["mean_latest"] == pytest.approx(want["mean_latest"])
    assert row["pct_improved"] == pytest.approx(want["pct_improved"])


def test_improved_by_tier_equals_the_summary(sample):
    df = chart_data(charts.improved_by_tier_chart(sample.by_tier, lang="es"))
    want = sample.by_tier.filter(pl.col("pct_improved").is_not_null())
    assert df["tier"].to_list() == ["low", "moderate", "high"]
    assert df["pct_improved"].to_list() == pytest.approx(want["pct_improved"].to_list())
    assert all(0 <= p <= 1 for p in df["pct_improved"])
    assert df["tier_label"].to_list() == ["Bajo", "Moderado", "Alto"]


def test_improved_by_tier_and_domain(sample):
    summary = __import__("casekit").outcomes.outcome_summary(
        sample.data,
        by=["domain", "effective_tier"],
        as_of=sample.as_of,
        changes=sample.changes,
        scores=sample.scores,
        for_sharing=False,
    )
    chart = charts.improved_by_tier_chart(summary, lang="en")
    spec = valid_spec(chart)
    assert "yOffset" in encodings(spec)
    df = chart_data(chart)
    assert df.height == summary.filter(pl.col("pct_improved").is_not_null()).height
    if summary["suppressed"].any():
        assert "Suppressed (1–10 cases)" in spec["title"]["subtitle"][-1]


def test_utilisation_before_and_after(sample):
    df = chart_data(charts.utilisation_chart(sample.utilisation, lang="en"))
    u = sample.utilisation.filter(pl.col("mean_baseline").is_not_null())
    before = df.filter(pl.col("when") == "Before").sort("measure")
    after = df.filter(pl.col("when") == "After").sort("measure")
    assert before["mean"].to_list() == pytest.approx(u.sort("measure")["mean_baseline"].to_list())
    assert after["mean"].to_list() == pytest.approx(u.sort("measure")["mean_latest"].to_list())
    assert set(df["measure_label"]) == {"ED visits (6 months)", "Admissions (12 months)", "Monthly cost"}
    # from the per-case changes
    changes = utilisation_changes(sample.data, as_of=sample.as_of)
    df2 = chart_data(charts.utilisation_chart(changes, lang="en"))
    b2 = df2.filter(pl.col("when") == "Before").sort("measure")
    assert b2["mean"].to_list() == pytest.approx(u.sort("measure")["mean_baseline"].to_list())


@pytest.mark.parametrize("name", ["flags_by_manager", "transitions"])
def test_heatmaps_never_hide_a_category_label(sample, name: str) -> None:
    """Streamlit's theme hides labels that would touch (``labelOverlap``); the heatmaps turn that off on both axes."""
    chart = (
        charts.flags_by_manager_chart(sample.status, lang="es")
        if name == "flags_by_manager"
        else charts.transitions_chart(sample.data, lang="es")
    )
    layers = chart.to_dict()["layer"]
    axes = [layer["encoding"][axis].get("axis", {}) for layer in layers for axis in ("x", "y")]
    assert len(axes) == 2 * len(layers) > 0
    assert all(axis.get("labelOverlap") is False for axis in axes)
