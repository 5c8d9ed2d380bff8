"""walkthrough: nine steps whose numbers are casekit's own (score_risk, case_status, config)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import casekit as ck
from casekit import learn
from casekit.stages import STAGES

from .conftest import AS_OF

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def walks(sample: dict[str, Any]) -> dict[str, list[learn.StageStep]]:
    return {
        path: learn.walkthrough(sample["result"], case_id, as_of=AS_OF) for path, case_id in sample["curated"].items()
    }


def _by_stage(steps: list[learn.StageStep]) -> dict[str, learn.StageStep]:
    return {s.stage: s for s in steps}


def test_one_step_per_stage_in_order(walks: dict[str, list[learn.StageStep]]) -> None:
    for steps in walks.values():
        assert [s.stage for s in steps] == list(STAGES[:9])
        assert [s.number for s in steps] == list(range(1, 10))


def test_state_follows_the_stage_the_case_reached(sample: dict[str, Any], walks: dict) -> None:
    for path, steps in walks.items():
        reached = sample["status"].filter(pl.col("case_id") == sample["curated"][path])["reached_stage_number"][0]
        assert [s.state for s in steps] == [
            "done" if k < reached else "current" if k == reached else "ahead" for k in range(1, 10)
        ]


def test_risk_step_equals_score_risk(sample: dict[str, Any], walks: dict) -> None:
    model = ck.load_model()
    for path, steps in walks.items():
        risk = _by_stage(steps)["risk"]
        row = sample["scores"].filter(pl.col("case_id") == sample["curated"][path])
        if row.height == 0:
            assert risk.facts["score"] is None
            continue
        expected = row.row(0, named=True)
        for key in ("score", "computed_tier", "effective_tier", "override_tier", "red_flags", "provisional"):
            assert risk.facts[key] == expected[key], (path, key)
        assert risk.facts["points"] == {f.name: expected[f"pts_{f.name}"] for f in model.factors}
        shown = risk.detail["factors"]
        assert shown["points"].sum() == expected["score"]
        assert str(expected["score"]) in risk.headline("en")


def test_flags_of_each_stage_equal_case_status(sample: dict[str, Any], walks: dict) -> None:
    for path, steps in walks.items():
        row = sample["status"].filter(pl.col("case_id") == sample["curated"][path]).row(0, named=True)
        flags = dict(zip(row["flags"], row["flag_due_on"], strict=True))
        for step in steps:
            expected = {f: d for f, d in flags.items() if f in learn.STAGE_FLAGS[step.stage]}
            assert step.facts["flags"] == expected, (path, step.stage)


def test_deadlines_come_from_the_process_rules(sample: dict[str, Any], walks: dict) -> None:
    cfg = ck.load_process_config()
    data = sample["result"].data
    for path, steps in walks.items():
        case_id = sample["curated"][path]
        s = _by_stage(steps)
        row = sample["status"].filter(pl.col("case_id") == case_id).row(0, named=True)
        opened = data["cases"].filter(pl.col("case_id") == case_id)["opened_on"][0]
        assert s["screening"].facts["screening_due"] == opened + dt.timedelta(days=cfg.screening_days)
        assessed = data["assessments"].filter((pl.col("case_id") == case_id) & (pl.col("assessed_on") <= AS_OF))
        if assessed.height:
            days = cfg.plan_days_high_tier if row["deadline_tier"] == "high" else cfg.plan_days
            assert s["planning"].facts["plan_due"] == assessed["assessed_on"].max() + dt.timedelta(days=days)
        assert s["monitoring"].facts["cadence_days"] == cfg.cadence(row["deadline_tier"])
        latest = data["transitions"].filter((pl.col("case_id") == case_id) & (pl.col("transition_on") <= AS_OF))
        want = cfg.window(latest.sort("transition_on")["kind"][-1]) if latest.height else None
        assert s["post_transition"].facts["window_days"] == want


def test_the_high_risk_client_gets_the_shorter_plan_deadline(sample: dict[str, Any], walks: dict) -> None:
    planning = _by_stage(walks["high_risk"])["planning"]
    assert planning.facts["plan_days"] == ck.load_process_config().plan_days_high_tier == 7
    assert planning.facts["deadline_tier"] == "high"


def test_post_transition_window_of_the_no_call_client(sample: dict[str, Any], walks: dict) -> None:
    post = _by_stage(walks["no_post_transition_call"])["post_transition"]
    assert post.facts["contact_status"] in ("missing", "late")
    assert "post_transition_contact_missing" in post.facts["flags"]
    assert post.facts["flags"]["post_transition_contact_missing"] == post.facts["window_ends_on"]


def test_outcome_changes_equal_outcome_changes(sample: dict[str, Any], walks: dict) -> None:
    changes = ck.outcome_changes(sample["result"], as_of=AS_OF).filter(pl.col("paired"))
    for path, steps in walks.items():
        evaluation = _by_stage(steps)["evaluation"]
        expected = changes.filter(pl.col("case_id") == sample["curated"][path])
        assert evaluation.facts["paired"] == expected.height
        assert evaluation.facts["improved"] == expected.filter(pl.col("direction") == "improved").height
        if expected.height:
            got = evaluation.detail["changes"].sort("measure")
            assert got["change"].to_list() == expected.sort("measure")["change"].to_list()


def test_a_custom_config_moves_the_deadlines(sample: dict[str, Any]) -> None:
    case_id = sample["curated"]["stalled_before_planning"]
    cfg = ck.load_process_config("[deadlines]\nplan_days = 3\nplan_days_high_tier = 2\nscreening_days = 1")
    steps = _by_stage(learn.walkthrough(sample["result"], case_id, as_of=AS_OF, config=cfg))
    default = _by_stage(learn.walkthrough(sample["result"], case_id, as_of=AS_OF))
    shift = default["planning"].facts["plan_days"] - steps["planning"].facts["plan_days"]
    assert shift in (11, 5)  # 14 -> 3 or 7 -> 2, by the client's tier
    assert steps["planning"].facts["plan_due"] == default["planning"].facts["plan_due"] - dt.timedelta(days=shift)
    assert steps["screening"].facts["screening_due"] - default["screening"].facts["screening_due"] == dt.timedelta(
        days=-6
    )


def test_every_sentence_is_filled_in_both_languages(walks: dict) -> None:
    for steps in walks.values():
        for step in steps:
            for lang in ("es", "en"):
                texts = [step.purpose(lang), step.headline(lang), *step.reasons(lang), step.state_text(lang)]
                for text in texts:
                    assert text, step.stage
                    assert not text.startswith("learn."), text
                    assert not re.search(r"\{\w+\}", text), text
            assert step.headline("es") != step.headline("en")
            assert step.purpose("es") != step.purpose("en")


def test_tables_hold_only_this_clients_rows_without_identifying_columns(sample: dict[str, Any], walks: dict) -> None:
    for path, steps in walks.items():
        case_id = sample["curated"][path]
        contacts = (
            sample["result"].data["contacts"].filter((pl.col("case_id") == case_id) & (pl.col("contact_on") <= AS_OF))
        )
        implementation = _by_stage(steps)["implementation"].data["contacts"]
        assert (
            implementation.height
            == contacts.filter(pl.col("kind").is_in(["appointment", "home_visit", "education"])).height
        )
        for step in steps:
            for _, df in step.tables("es"):
                assert not {"nombre_cliente", "fecha_nacimiento", "notas"} & set(df.columns)


def test_unknown_case_raises(sample: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="NOPE"):
        learn.walkthrough(sample["result"], "NOPE", as_of=AS_OF)


def _shingles(text: str, n: int = 7) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not SEEDS.exists(), reason="the source articles are not next to the checkout")
def test_stage_purposes_are_our_own_words_not_the_articles() -> None:
    seeds = set().union(*(_shingles(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")))
    for stage in STAGES[:9]:
        purpose = learn.StageStep("X", stage, 1, "ahead", learn.Note("flag_none")).purpose("es")
        assert not _shingles(purpose) & seeds, stage


def test_derived_tables_show_labels_not_ids(sample: dict[str, Any], walks: dict) -> None:
    transition = _by_stage(walks["readmitted"])["transition"]
    tables = dict(transition.tables("en"))
    readmitted = tables["Readmissions"]
    assert set(readmitted["Index transition"]) <= {"Discharge", "Step down"}
    assert set(readmitted["From level"]) == {"Inpatient"}
    assert readmitted["To level"].to_list() != []
    assert "inpatient" not in readmitted["To level"].to_list()
