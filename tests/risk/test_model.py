"""The points model: the shipped default, and every kind of broken model file."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit.errors import ConfigError
from casekit.risk import DEFAULT_MODEL_PATH, RiskModel, default_model_text, load_model
from casekit.risk.model import Band


def test_default_model_matches_the_issue_table():
    model = load_model()
    assert isinstance(model, RiskModel)
    assert [f.name for f in model.factors] == [
        "blood_pressure", "depression", "anxiety", "alcohol", "tobacco", "substances", "conditions",
        "medications", "nutrition", "exercise", "age", "finances", "insurance", "housing", "support",
        "emergency_visits", "admissions",
    ]  # fmt: skip
    assert dict(model.factor("blood_pressure").points) == {
        "normal": 0, "elevated": 1, "stage_1": 1, "stage_2": 2, "crisis": 2,
    }  # fmt: skip
    assert model.factor("conditions").bands == (Band(None, 1, 0), Band(1, 3, 1), Band(3, 5, 2), Band(5, None, 3))
    assert model.factor("age").bands == (Band(None, 65, 0), Band(65, 75, 1), Band(75, 85, 2), Band(85, None, 3))
    assert model.factor("age").input.source == "derived"
    assert model.factor("finances").input.source == "screenings"
    assert (model.tiers.method, model.tiers.moderate, model.tiers.high) == ("thresholds", 6, 12)
    assert [f.name for f in model.red_flags] == [
        "self_harm_thoughts", "hypertensive_crisis", "unsafe_housing", "unsafe_home",
    ]  # fmt: skip
    assert model.factor("depression").label("es") == "Depresión (PHQ-9)"


def test_default_model_leaves_out_race_and_ethnicity():
    assert all(spec.column != "ethnicity" for spec in load_model().inputs())
    assert "ethnicity" not in default_model_text().split("# Race", 1)[0].replace("ethnicity are", "")


def test_load_from_path_and_text_give_the_same_model(tmp_path: Path):
    copy = tmp_path / "mine.toml"
    copy.write_text(default_model_text(), encoding="utf-8")
    assert load_model(copy).factors == load_model().factors
    assert load_model(str(copy)).source == "mine.toml"
    assert load_model(default_model_text()).factors == load_model().factors
    assert load_model(DEFAULT_MODEL_PATH).red_flags == load_model().red_flags


MINIMAL = """\
[tiers]
moderate = 2
high = 4

[[factors]]
name = "housing"
input = "assessments.housing"
points = { homeless = 3, at_risk = 1 }

[[factors]]
name = "visits"
input = "ed_visits_6m"
bands = [
  { max = 1, points = 0 },
  { min = 2, points = 2 },
]
"""


def test_minimal_model_bare_names_and_unlisted_values():
    model = load_model(MINIMAL)
    assert model.factor("visits").input.name == "assessments.ed_visits_6m"
    assert model.factor("housing").points == (("homeless", 3), ("at_risk", 1))
    assert model.red_flags == ()


def test_percentile_tiers():
    text = MINIMAL.replace("moderate = 2\nhigh = 4", 'method = "percentiles"\nhigh = 0.1\nmoderate = 0.3')
    rule = load_model(text).tiers
    assert (rule.method, rule.high, rule.moderate) == ("percentiles", 0.1, 0.3)


def broken(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


# (model text, expected English message, expected Spanish message)
BROKEN = {
    "syntax": (
        broken("high = 4", "high = = 4"),
        "Risk model (text) (line 3, column 8): this is not valid TOML: Invalid value.",
        "Modelo de riesgo (texto) (línea 3, columna 8): no es un TOML válido: Invalid value.",
    ),
    "unknown_input": (
        broken('input = "assessments.housing"', 'input = "assessments.housin"'),
        "Risk model (text), factor «housing» (line 5): unknown input «assessments.housin». Use <sheet>.<column>",
        "Modelo de riesgo (texto), factor «housing» (línea 5): entrada desconocida «assessments.housin».",
    ),
    "date_input": (
        broken('input = "assessments.housing"', 'input = "cases.birth_date"'),
        "factor «housing» (line 5): unknown input «cases.birth_date».",
        "factor «housing» (línea 5): entrada desconocida «cases.birth_date».",
    ),
    "overlap": (
        broken("{ min = 2, points = 2 }", "{ min = 1, points = 2 }"),
        "Risk model (text), factor «visits» (line 10): bands overlap at 1.",
        "Modelo de riesgo (texto), factor «visits» (línea 10): las bandas se solapan en 1.",
    ),
    "gap": (
        broken("{ min = 2, points = 2 }", "{ min = 3, points = 2 }"),
        "factor «visits» (line 10): the bands leave a gap: values from 2 to below 3 are in no band.",
        "factor «visits» (línea 10): las bandas dejan un hueco: los valores desde 2 hasta menos de 3 no están",
    ),
    "gap_below": (
        broken("{ max = 1, points = 0 }", "{ min = 1, max = 1, points = 0 }"),
        "factor «visits» (line 10): the bands leave a gap: values below 1 are in no band.",
        "factor «visits» (línea 10): las bandas dejan un hueco: los valores menores que 1 no están",
    ),
    "gap_above": (
        broken("{ min = 2, points = 2 }", "{ min = 2, max = 30, points = 2 }"),
        "factor «visits» (line 10): the bands leave a gap: values of 31 or more are in no band.",
        "factor «visits» (línea 10): las bandas dejan un hueco: los valores de 31 o más no están",
    ),
    "open_band_twice": (
        broken("{ max = 1, points = 0 }", "{ points = 0 }"),
        "factor «visits» (line 10): bands overlap at 2.",
        "factor «visits» (línea 10): las bandas se solapan en 2.",
    ),
    "unknown_tier": (
        broken("high = 4", "high = 4\nsevere = 9"),
        "Risk model (text), [tiers] (line 1): unknown tier «severe»; the tiers are low, moderate, high.",
        "Modelo de riesgo (texto), [tiers] (línea 1): nivel desconocido «severe»; los niveles son low, moderate, high.",
    ),
    "thresholds_order": (
        broken("moderate = 2", "moderate = 5"),
        "[tiers] (line 1): thresholds must be numbers with moderate below high.",
        "[tiers] (línea 1): los umbrales deben ser números, con moderate menor que high.",
    ),
    "bad_percentiles": (
        broken("moderate = 2\nhigh = 4", 'method = "percentiles"\nhigh = 0.5\nmoderate = 0.6'),
        "[tiers] (line 1): percentile shares must be between 0 and 1 and add up to 1 at most",
        "[tiers] (línea 1): las proporciones por percentil deben estar entre 0 y 1 y sumar 1 como máximo",
    ),
    "unknown_method": (
        broken("moderate = 2", 'method = "quantiles"\nmoderate = 2'),
        "[tiers] (line 1): unknown method «quantiles»; use thresholds or percentiles.",
        "[tiers] (línea 1): método desconocido «quantiles»; use thresholds o percentiles.",
    ),
    "unknown_value": (
        broken("at_risk = 1", "at_risk = 1, couch_surfing = 2"),
        "factor «housing» (line 5): «couch_surfing» is not a value of assessments.housing; "
        "the values are: stable, at_risk, homeless.",
        "factor «housing» (línea 5): «couch_surfing» no es un valor de assessments.housing; "
        "los valores son: stable, at_risk, homeless.",
    ),
    "points_not_a_number": (
        broken("at_risk = 1", 'at_risk = "one"'),
        "factor «housing» (line 5): the points for «at_risk» must be a number, not «one».",
        "factor «housing» (línea 5): los puntos de «at_risk» deben ser un número, no «one».",
    ),
    "band_points_not_a_number": (
        broken("{ min = 2, points = 2 }", "{ min = 2, points = true }"),
        "factor «visits» (line 10): the points for «#2» must be a number, not «True».",
        "factor «visits» (línea 10): los puntos de «#2» deben ser un número, no «True».",
    ),
    "bands_for_category": (
        broken("points = { homeless = 3, at_risk = 1 }", "bands = [{ points = 1 }]"),
        "factor «housing» (line 5): «assessments.housing» is not a number: give points",
        "factor «housing» (línea 5): «assessments.housing» no es un número: indique points",
    ),
    "points_for_number": (
        broken("bands = [\n  { max = 1, points = 0 },\n  { min = 2, points = 2 },\n]", "points = { 1 = 2 }"),
        "factor «visits» (line 10): «assessments.ed_visits_6m» is a number: give bands",
        "factor «visits» (línea 10): «assessments.ed_visits_6m» es un número: indique bands",
    ),
    "max_on_decimal": (
        MINIMAL + '\n[[factors]]\nname = "weight"\ninput = "assessments.bmi"\nbands = [{ max = 30, points = 0 }]\n',
        "factor «weight» (line 18): band 1: max (inclusive) needs a whole number and a whole-number input; "
        "«assessments.bmi» can hold decimals, use below.",
        "factor «weight» (línea 18): banda 1: max (incluido) requiere un número entero",
    ),
    "duplicate": (
        broken('name = "visits"', 'name = "housing"'),
        "factor «housing» (line 10): the name «housing» is used twice.",
        "factor «housing» (línea 10): el nombre «housing» está repetido.",
    ),
    "typo_key": (
        broken("points = { homeless", "pionts = { homeless"),
        "factor «housing» (line 5): unknown setting «pionts».",
        "factor «housing» (línea 5): ajuste desconocido «pionts».",
    ),
    "no_factors": (
        "[tiers]\nmoderate = 2\nhigh = 4\n",
        "Risk model (text): the model has no factors (add [[factors]] tables).",
        "Modelo de riesgo (texto): el modelo no tiene factores (añada tablas [[factors]]).",
    ),
    "unknown_section": (
        MINIMAL + "\n[thresholds]\nhigh = 3\n",
        "Risk model (text): unknown section «thresholds»",
        "Modelo de riesgo (texto): sección desconocida «thresholds»",
    ),
    "red_flag_value": (
        MINIMAL + '\n[[red_flags]]\nname = "unsafe"\ninput = "screenings.home_environment"\nvalues = ["dangerous"]\n',
        "Risk model (text), red flag «unsafe» (line 18): «dangerous» is not a value of screenings.home_environment",
        "Modelo de riesgo (texto), señal de alarma «unsafe» (línea 18): «dangerous» no es un valor de",
    ),
    "red_flag_numeric_needs_band": (
        MINIMAL + '\n[[red_flags]]\nname = "item9"\ninput = "assessments.phq9_item9"\nvalues = [1]\n',
        "red flag «item9» (line 18): «assessments.phq9_item9» is a number: give min, max or below",
        "señal de alarma «item9» (línea 18): «assessments.phq9_item9» es un número: indique min, max o below",
    ),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_model_raises_config_error_in_both_languages(kind):
    text, en, es = BROKEN[kind]
    with pytest.raises(ConfigError) as info:
        load_model(text, lang="en")
    assert en in info.value.message("en")
    assert es in info.value.message("es")
    assert str(info.value) == info.value.message("en")


def test_broken_file_names_the_file(tmp_path: Path):
    path = tmp_path / "mi_modelo.toml"
    path.write_text(BROKEN["overlap"][0], encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_model(path, lang="es")
    assert str(info.value) == "Modelo de riesgo mi_modelo.toml, factor «visits» (línea 10): las bandas se solapan en 1."


def test_missing_model_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError) as info:
        load_model(tmp_path / "nope.toml", lang="en")
    assert info.value.message("en").startswith("Risk model nope.toml: the file cannot be read")
    assert info.value.message("es").startswith("Modelo de riesgo nope.toml: no se puede leer el archivo")


def test_integer_points_flag():
    assert load_model().integer_points
    assert not load_model(MINIMAL.replace("at_risk = 1", "at_risk = 0.5")).integer_points


def test_the_example_in_the_docs_loads():
    import re

    doc = Path(__file__).resolve().parents[2] / "docs" / "risk_model.md"
    block = re.findall(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)[0]
    model = load_model(block)
    assert [f.name for f in model.factors] == ["depression", "alcohol", "emergency_visits", "nutrition"]
    assert [f.name for f in model.red_flags] == ["self_harm_thoughts", "unsafe_home"]
