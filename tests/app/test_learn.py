"""Learn screen (trainers), driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

import casekit as ck
from casekit import learn
from casekit.contract import VOCABS
from casekit.stages import stage_label
from tests.app.conftest import open_app
from tests.learn.test_whatif import _edited_by_hand

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
AS_OF = ck.SAMPLE_AS_OF
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def expected(sample_result: ck.ValidationResult) -> dict[str, Any]:
    result = sample_result
    curated = learn.curated_clients(result, as_of=AS_OF)
    return {"result": result, "curated": dict(zip(curated["path"], curated["case_id"], strict=True))}


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _stage_shown(at) -> str:
    return at.subheader[0].value


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_next_previous_and_stage_buttons_move_through_the_nine_stages(lang: str) -> None:
    at = open_app("learn", lang=lang)
    assert at.title[0].value == ("Aprender: las nueve etapas" if lang == "es" else "Learn: the nine stages")
    assert _stage_shown(at) == f"1. {stage_label('screening', lang)}"
    assert at.button(key="learn_prev").disabled
    for k, stage in enumerate(("assessment", "risk"), start=2):
        at.button(key="learn_next").click().run()
        _ok(at)
        assert _stage_shown(at) == f"{k}. {stage_label(stage, lang)}"
    at.button(key="learn_prev").click().run()
    assert _stage_shown(at) == f"2. {stage_label('assessment', lang)}"
    assert at.pills(key="learn_pills").value == 2  # the stage pills follow previous/next
    at.pills(key="learn_pills").set_value(9).run()
    _ok(at)
    assert _stage_shown(at) == f"9. {stage_label('evaluation', lang)}"
    assert at.button(key="learn_next").disabled
    at.button(key="learn_prev").click().run()
    assert _stage_shown(at) == f"8. {stage_label('post_transition', lang)}"
    at.button(key="learn_next").click().run()
    progress = at.get("progress")[0]
    assert progress.value == 100
    assert ("Etapa 9 de 9" if lang == "es" else "Stage 9 of 9") in progress.proto.text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_knob_changes_the_displayed_tier(expected: dict[str, Any], lang: str) -> None:
    case_id = expected["curated"]["high_risk"]
    at = open_app("learn", lang=lang)
    at.selectbox(key="learn_path").set_value("high_risk").run()
    at.pills(key="learn_pills").set_value(3).run()
    _ok(at)
    label = "Nivel calculado (y si…)" if lang == "es" else "Computed tier (what if)"
    assert _metric(at, label) == VOCABS["tier"]["high"](lang)
    at.number_input(key=f"learn_wi_phq9_{case_id}").set_value(0).run()
    _ok(at)
    by_hand = ck.score_risk(_edited_by_hand(expected["result"], case_id, "phq9", 0), as_of=AS_OF)
    row = by_hand.filter(pl.col("case_id") == case_id).row(0, named=True)
    assert row["computed_tier"] != "high"  # the curated client sits just over the line
    assert _metric(at, label) == VOCABS["tier"][row["computed_tier"]](lang)
    score = "Puntuación (y si…)" if lang == "es" else "Score (what if)"
    assert _metric(at, score) == str(row["score"])
    explanation = " ".join(m.value for m in at.markdown)
    assert ("pasa de Alto a" if lang == "es" else "moves from High to") in explanation
    at.button(key="learn_wi_reset").click().run()
    assert _metric(at, label) == VOCABS["tier"]["high"](lang)


def test_the_cadence_knob_clears_the_follow_up_flag(expected: dict[str, Any]) -> None:
    case_id = expected["curated"]["missed_appointments"]
    status = ck.case_status(expected["result"], as_of=AS_OF).filter(pl.col("case_id") == case_id).row(0, named=True)
    assert "follow_up_overdue" in status["flags"]
    at = open_app("learn", lang="en")
    at.selectbox(key="learn_path").set_value("missed_appointments").run()
    at.pills(key="learn_pills").set_value(6).run()
    _ok(at)
    slider = at.slider(key=f"learn_rule_cadence_{status['deadline_tier']}_{case_id}")
    assert slider.value == ck.load_process_config().cadence(status["deadline_tier"])
    slider.set_value(180).run()
    _ok(at)
    flags = next(d.value for d in at.dataframe if "Change" in d.value.columns)
    row = flags[flags["Flag"] == "Follow-up overdue"]
    assert row["Change"].tolist() == ["clears"]
    assert any("«Follow-up overdue» clears" in m.value.replace("\\", "") for m in at.markdown)


def test_another_case_starts_at_stage_one(expected: dict[str, Any]) -> None:
    at = open_app("learn", lang="es")
    at.pills(key="learn_pills").set_value(5).run()
    at.selectbox(key="learn_path").set_value("__other__").run()
    _ok(at)
    other = sorted(set(expected["result"].data["cases"]["case_id"]) - set(expected["curated"].values()))[0]
    at.selectbox(key="learn_case").set_value(other).run()
    _ok(at)
    assert _stage_shown(at).startswith("1. ")
    assert at.pills(key="learn_pills").value == 1
    assert at.session_state["learn_case_shown"] == other


def test_a_stage_picked_with_another_client_in_one_rerun_is_kept(expected: dict[str, Any]) -> None:
    """A click on a pill while the rerun of a new client is still running reaches the app in
    the same rerun as the client: the stage picked wins (the reset to stage 1 lost it)."""
    at = open_app("learn", lang="en")
    at.selectbox(key="learn_path").set_value("readmitted")
    at.pills(key="learn_pills").set_value(7)
    at.run()
    _ok(at)
    assert at.session_state["learn_case_shown"] == expected["curated"]["readmitted"]
    assert _stage_shown(at) == f"7. {stage_label('transition', 'en')}"
    at.selectbox(key="learn_path").set_value("smooth").run()  # alone: stage 1 again
    assert _stage_shown(at).startswith("1. ")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_handouts_can_be_downloaded(lang: str) -> None:
    at = open_app("learn", lang=lang)
    buttons = {b.key: b for b in at.get("download_button")}
    assert {"learn_dl_stage", "learn_dl_all"} <= set(buttons)
    assert buttons["learn_dl_stage"].proto.label == (
        "Descargar esta etapa (una página imprimible, HTML)"
        if lang == "es"
        else "Download this stage (one printable page, HTML)"
    )


def _local_edit(result: ck.ValidationResult, case_id: str, column: str, value: str) -> ck.CaseData:
    """The caseload with the case's latest assessment's own column set to ``value`` (as typed)."""
    ass = result.data["assessments"]
    mine = ass.filter((pl.col("case_id") == case_id) & (pl.col("assessed_on") <= AS_OF))
    row = mine.sort("assessed_on", "_row")["_row"][-1]
    edited = pl.when(pl.col("_row") == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    return ck.CaseData({**result.data.sheets, "assessments": ass.with_columns(edited)})


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_local_factor_knob_of_the_samples_example_model(expected: dict[str, Any], lang: str) -> None:
    """The bundled sample has a column of its own (food insecurity); with the example model
    uploaded in the settings, Learn's risk step has a knob for it that moves the score."""
    model_path = SAMPLE.parent / "modelo_riesgo_local_es.toml"
    model = ck.load_model(model_path)
    result = expected["result"]
    scores = ck.score_risk(result, model, as_of=AS_OF)
    curated = learn.curated_clients(result, scores=scores, as_of=AS_OF)
    case_id = dict(zip(curated["path"], curated["case_id"], strict=True))["high_risk"]
    column = "inseguridad_alimentaria"
    ass = result.data["assessments"].filter((pl.col("case_id") == case_id) & (pl.col("assessed_on") <= AS_OF))
    recorded = ass.sort("assessed_on", "_row")[column][-1]
    choice, typed = ("false", "no") if recorded == "sí" else ("true", "sí")

    at = open_app("learn", lang=lang)
    at.file_uploader(key="model_upload").set_value((model_path.name, model_path.read_bytes(), "application/toml"))
    at.run()
    _ok(at)
    at.selectbox(key="learn_path").set_value("high_risk").run()
    at.pills(key="learn_pills").set_value(3).run()
    _ok(at)
    knob = at.selectbox(key=f"learn_wi_local_assessments_{column}_{case_id}")
    assert knob.label == ("Inseguridad alimentaria" if lang == "es" else "Food insecurity")
    score = "Puntuación (y si…)" if lang == "es" else "Score (what if)"
    before = scores.filter(pl.col("case_id") == case_id).row(0, named=True)
    assert _metric(at, score) == str(before["score"])
    knob.set_value(choice).run()
    _ok(at)
    by_hand = ck.score_risk(_local_edit(result, case_id, column, typed), model, as_of=AS_OF)
    after = by_hand.filter(pl.col("case_id") == case_id).row(0, named=True)
    assert after["score"] == before["score"] + (3 if choice == "true" else -3)
    assert _metric(at, score) == str(after["score"])
    label = "Nivel calculado (y si…)" if lang == "es" else "Computed tier (what if)"
    assert _metric(at, label) == VOCABS["tier"][after["computed_tier"]](lang)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_caveat_is_beside_a_clients_before_after_use(expected: dict[str, Any], lang: str) -> None:
    """Stage 9 shows the client's paired measures: when one is a use or cost measure (ED
    visits, admissions, cost), the regression-to-the-mean caveat is beside it; not otherwise."""
    from casekit.outcomes import rtm_caveat

    changes = ck.outcome_changes(expected["result"], as_of=AS_OF).filter(pl.col("paired"))
    use = set(changes.filter(pl.col("domain") == "utilization")["case_id"])
    at = open_app("learn", lang=lang)
    seen = {}
    for path, case_id in expected["curated"].items():
        at.selectbox(key="learn_path").set_value(path).run()
        at.pills(key="learn_pills").set_value(9).run()
        _ok(at)
        seen[case_id] = sum(w.value == rtm_caveat(lang) for w in at.warning)
    assert seen == {c: int(c in use) for c in seen}
    assert any(seen.values())  # a curated client has a before/after of use to show


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_client_whose_own_row_was_set_aside_walks_on_the_broken_workbook(lang: str) -> None:
    """The broken workbook's C00004: its ``cases`` row is set aside (and put back for its
    status); Learn walks it through the nine stages. C00003 (no readable opening date,
    stage unknown) has no stage to walk: it is not offered."""
    broken = SAMPLE.parent / "casekit_broken_es.xlsx"
    at = open_app("learn", lang=lang)
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value((broken.name, broken.read_bytes(), XLSX)).run()
    _ok(at)
    at.selectbox(key="learn_path").set_value("__other__").run()
    _ok(at)
    offered = at.selectbox(key="learn_case").options
    assert "C00004" in offered
    assert "C00003" not in offered
    at.selectbox(key="learn_case").set_value("C00004").run()
    _ok(at)
    assert at.session_state["learn_case_shown"] == "C00004"
    for number in range(1, 10):
        at.pills(key="learn_pills").set_value(number).run()
        _ok(at)
        assert _stage_shown(at).startswith(f"{number}. ")
