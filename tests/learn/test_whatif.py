"""what_if_risk / what_if_process: points, tiers and flags move exactly as casekit says."""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

import polars as pl
import pytest

import casekit as ck
from casekit import learn
from casekit.data import CaseData
from casekit.risk.model import DEFAULT_MODEL_PATH

from .conftest import AS_OF

MODEL = tomllib.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
DEPRESSION = next(f for f in MODEL["factors"] if f["name"] == "depression")["points"]
HIGH = MODEL["tiers"]["high"]


def _edited_by_hand(result: ck.ValidationResult, case_id: str, column: str, value: int) -> CaseData:
    """The whole caseload with the case's latest assessment edited (independently of casekit.learn)."""
    ass = result.data["assessments"]
    mine = ass.filter((pl.col("case_id") == case_id) & (pl.col("assessed_on") <= AS_OF))
    row = mine.sort("assessed_on", "_row")["_row"][-1]
    sheets = dict(result.data.sheets)
    sheets["assessments"] = ass.with_columns(
        pl.when(pl.col("_row") == row)
        .then(pl.lit(value, dtype=ass.schema[column]))
        .otherwise(pl.col(column))
        .alias(column)
    )
    return CaseData(sheets)


@pytest.fixture(scope="module")
def crossing(sample: dict[str, Any]) -> dict[str, Any]:
    """A moderate client with no red flag whom a severe PHQ-9 would push into the high tier."""
    scores = sample["scores"]
    ass = sample["result"].data["assessments"].filter(pl.col("assessed_on") <= AS_OF)
    latest = ass.sort("assessed_on", "_row").group_by("case_id").agg(pl.col("phq9").last())
    candidates = (
        scores.join(latest, on="case_id")
        .filter(
            (pl.col("computed_tier") == "moderate")
            & (pl.col("red_flags").list.len() == 0)
            & pl.col("phq9").is_between(0, 14)
            & (pl.col("score") - pl.col("pts_depression") + DEPRESSION["severe"] >= HIGH)
        )
        .sort("case_id")
    )
    assert candidates.height, "the sample has a client a PHQ-9 change moves into the high tier"
    return candidates.row(0, named=True)


def test_phq9_across_the_14_15_boundary_moves_the_depression_points(sample: dict, crossing: dict) -> None:
    case_id = crossing["case_id"]
    at14 = learn.what_if_risk(sample["result"], case_id, {"phq9": 14}, as_of=AS_OF)
    at15 = learn.what_if_risk(sample["result"], case_id, {"phq9": 15}, as_of=AS_OF)
    assert at14.points_after("depression") == DEPRESSION["moderate"] == 2
    assert at15.points_after("depression") == DEPRESSION["moderately_severe"] == 3
    assert at15.after["score"] - at14.after["score"] == 1
    assert at15.points_before("depression") == crossing["pts_depression"]


def test_a_severe_phq9_moves_the_chosen_client_to_high(sample: dict, crossing: dict) -> None:
    case_id = crossing["case_id"]
    wi = learn.what_if_risk(sample["result"], case_id, {"phq9": 20}, as_of=AS_OF)
    expected_score = crossing["score"] - crossing["pts_depression"] + DEPRESSION["severe"]
    assert wi.before["score"] == crossing["score"]
    assert wi.after["score"] == expected_score
    assert (wi.before["computed_tier"], wi.after["computed_tier"]) == ("moderate", "high")
    assert wi.changed_factors == ["depression"] or crossing["pts_depression"] == DEPRESSION["severe"]
    # the same as scoring the whole caseload edited by hand
    by_hand = ck.score_risk(_edited_by_hand(sample["result"], case_id, "phq9", 20), as_of=AS_OF)
    row = by_hand.filter(pl.col("case_id") == case_id).row(0, named=True)
    assert (row["score"], row["computed_tier"]) == (wi.after["score"], wi.after["computed_tier"])
    en, es = " ".join(wi.explanation("en")), " ".join(wi.explanation("es"))
    assert f"reaches {HIGH}" in en
    assert f"llega a {HIGH}" in es
    assert f"{crossing['score']} → {expected_score}" in en


def test_a_hypertensive_crisis_forces_high_and_says_so(sample: dict, crossing: dict) -> None:
    wi = learn.what_if_risk(
        sample["result"], crossing["case_id"], {"systolic_bp": 190, "diastolic_bp": 100}, as_of=AS_OF
    )
    assert "hypertensive_crisis" in wi.after["red_flags"]
    assert wi.after["computed_tier"] == "high"
    assert any("Hypertensive crisis" in line for line in wi.explanation("en"))


def test_no_edit_changes_nothing(sample: dict, crossing: dict) -> None:
    wi = learn.what_if_risk(sample["result"], crossing["case_id"], {}, as_of=AS_OF)
    assert wi.before == wi.after
    assert wi.changed_factors == []
    assert wi.explanation("en")[0] == "No factor changed: the new values fall in the same bands."


def test_unknown_inputs_and_unassessed_cases_raise(sample: dict, crossing: dict) -> None:
    with pytest.raises(ValueError, match="shoe_size"):
        learn.what_if_risk(sample["result"], crossing["case_id"], {"shoe_size": 44}, as_of=AS_OF)
    unassessed = sample["status"].filter(pl.col("effective_tier").is_null())["case_id"][0]
    with pytest.raises(ValueError, match="no assessment"):
        learn.what_if_risk(sample["result"], unassessed, {"phq9": 3}, as_of=AS_OF)


def _last_attended(sample: dict, case_id: str) -> dt.date:
    """The later of the last attended contact with the client and the latest assessment."""
    data = sample["result"].data
    client = pl.col("with_whom").fill_null("client").is_in(["client", "support_system"])
    last = (
        data["contacts"]
        .filter(
            (pl.col("case_id") == case_id) & (pl.col("status") == "attended") & client & (pl.col("contact_on") <= AS_OF)
        )["contact_on"]
        .max()
    )
    assessed = data["assessments"].filter((pl.col("case_id") == case_id) & (pl.col("assessed_on") <= AS_OF))
    return max(d for d in (last, assessed["assessed_on"].max()) if d is not None)


def _monitoring(sample: dict, *, flagged: bool) -> dict:
    status = sample["status"].filter(pl.col("current_stage") == "monitoring")
    has = pl.col("flags").list.contains("follow_up_overdue")
    return status.filter(has if flagged else ~has).sort("case_id").row(0, named=True)


def test_a_shorter_cadence_makes_the_follow_up_flag_appear(sample: dict) -> None:
    row = _monitoring(sample, flagged=False)
    tier, last = row["deadline_tier"], _last_attended(sample, row["case_id"])
    days = (AS_OF - last).days - 1  # the follow-up is now due the day before the as-of date
    wi = learn.what_if_process(sample["result"], row["case_id"], {f"cadence_{tier}": days}, as_of=AS_OF)
    assert wi.appeared == ["follow_up_overdue"]
    due = wi.flags.filter(pl.col("flag") == "follow_up_overdue")["due_after"][0]
    assert due == last + dt.timedelta(days=days)
    # what the stage engine says on the whole caseload with that rule
    rules = ck.load_process_config(f"[follow_up_cadence_days]\n{tier} = {days}")
    full = ck.case_status(sample["result"], as_of=AS_OF, config=rules, risk=sample["scores"])
    assert "follow_up_overdue" in full.filter(pl.col("case_id") == row["case_id"])["flags"][0]
    assert any("appears" in line for line in wi.explanation("en"))
    assert any("Aparece" in line for line in wi.explanation("es"))


def test_a_longer_cadence_clears_it(sample: dict) -> None:
    row = _monitoring(sample, flagged=True)
    tier, last = row["deadline_tier"], _last_attended(sample, row["case_id"])
    days = (AS_OF - last).days  # due on the as-of date itself: not overdue yet
    wi = learn.what_if_process(sample["result"], row["case_id"], {f"follow_up_cadence_days.{tier}": days}, as_of=AS_OF)
    assert wi.cleared == ["follow_up_overdue"]
    assert wi.config_after.cadence(tier) == days
    one_less = learn.what_if_process(sample["result"], row["case_id"], {f"cadence_{tier}": days - 1}, as_of=AS_OF)
    assert one_less.cleared == []


def test_a_wider_window_clears_the_missing_post_transition_contact(sample: dict) -> None:
    case_id = sample["curated"]["no_post_transition_call"]
    kinds = ["window_discharge", "window_transfer", "window_step_down", "window_step_up"]
    wi = learn.what_if_process(sample["result"], case_id, dict.fromkeys(kinds, 365), as_of=AS_OF)
    assert "post_transition_contact_missing" in wi.cleared
    cfg = ck.load_process_config()
    same = learn.what_if_process(sample["result"], case_id, {"window_step_up": cfg.window("step_up")}, as_of=AS_OF)
    assert same.cleared == same.appeared == []
    assert same.explanation("en")[-1] == "No flag appears or clears for this client."


def test_changed_config_keeps_the_rest_of_the_base_rules() -> None:
    base = ck.load_process_config("[deadlines]\nplan_days = 21\n[risk]\nreview_required = false")
    changed = learn.changed_config(base, {"cadence_high": 5})
    assert (changed.plan_days, changed.review_required, changed.cadence_high) == (21, False, 5)


def test_bad_rules_raise(sample: dict) -> None:
    case_id = sample["curated"]["smooth"]
    with pytest.raises(ValueError, match="cadence_weekly"):
        learn.what_if_process(sample["result"], case_id, {"cadence_weekly": 3}, as_of=AS_OF)
    with pytest.raises(ck.ConfigError):
        learn.what_if_process(sample["result"], case_id, {"cadence_low": -1}, as_of=AS_OF)


def test_a_local_factor_is_a_what_if_knob() -> None:
    # a team's model: housing (homeless 3) + its own food_insecurity column (yes 3); high from 5
    model = ck.load_model(
        "[tiers]\nmoderate = 2\nhigh = 5\n"
        "[[factors]]\nname = 'housing'\ninput = 'assessments.housing'\npoints = { homeless = 3, stable = 0 }\n"
        "[[factors]]\nname = 'food'\ninput = 'food_insecurity'\ntype = 'bool'\npoints = { true = 3, false = 0 }\n"
    )
    assert [k.name for k in learn.local_knobs(model)] == ["assessments.food_insecurity"]
    data = CaseData(
        {
            "cases": pl.DataFrame({"case_id": ["A"], "opened_on": [dt.date(2026, 1, 2)]}),
            "assessments": pl.DataFrame(
                {
                    "case_id": ["A"],
                    "assessed_on": [dt.date(2026, 1, 9)],
                    "housing": ["homeless"],
                    "food_insecurity": ["no"],
                }
            ),
        }
    )
    wi = learn.what_if_risk(data, "A", {"assessments.food_insecurity": True}, as_of=AS_OF, model=model)
    assert (wi.before["score"], wi.before["computed_tier"]) == (3, "moderate")
    assert (wi.after["score"], wi.after["computed_tier"]) == (6, "high")
    assert wi.changed_factors == ["food"]
