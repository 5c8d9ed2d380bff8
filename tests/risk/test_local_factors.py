"""Local risk factors: a team's own columns declared in the model TOML (issue 17), by hand."""

from __future__ import annotations

import polars as pl
import pytest

import casekit as ck
from casekit.data import CaseData
from casekit.errors import ConfigError
from casekit.risk import fairness_summary, load_model, score_risk
from casekit.risk.score import LocalInputWarning, local_input_warnings

MODEL = """
[model]
provisional_share = 0.4

[tiers]
moderate = 2
high = 5

[[factors]]
name = "housing"
input = "assessments.housing"
points = { stable = 0, at_risk = 1, homeless = 3 }

[[factors]]
name = "food"
label = { en = "Food insecurity", es = "Inseguridad alimentaria" }
input = "assessments.food_insecurity"
type = "bool"
points = { true = 3, false = 0 }

[[red_flags]]
name = "fall_with_injury"
input = "falls_with_injury"
type = "bool"
values = [true]
"""


def data(**own: list) -> CaseData:
    assessments = pl.DataFrame(
        {"case_id": ["A", "B", "C", "D"], "housing": ["homeless", "homeless", "at_risk", "stable"], **own}
    ).with_columns(assessed_on=pl.date(2026, 3, 1))
    return CaseData({"assessments": assessments})


def test_a_local_boolean_factor_moves_a_tier() -> None:
    model = load_model(MODEL)
    # spreadsheet words: sí / x / no / blank (a blank is a missing input, not "no")
    own = {"food_insecurity": ["sí", "no", "x", None], "falls_with_injury": ["no", "no", "no", "1"]}
    s = score_risk(data(**own), model).select(
        "case_id", "score", "computed_tier", "pts_food", "missing_factors", "red_flags", "provisional"
    )
    assert s.rows() == [
        ("A", 6, "high", 3, [], [], False),  # homeless 3 + food 3 = 6 >= 5
        ("B", 3, "moderate", 0, [], [], False),  # homeless 3 only: the same client without food insecurity
        ("C", 4, "moderate", 3, [], [], False),  # at risk 1 + food 3
        (
            "D",
            0,
            "high",
            None,
            ["food"],
            ["fall_with_injury"],
            True,
        ),  # red flag on a local column; 1 of 2 missing > 0.4
    ]


def test_an_absent_column_is_a_missing_input_and_one_warning_never_a_crash() -> None:
    model = load_model(MODEL)
    with pytest.warns(LocalInputWarning) as caught:
        s = score_risk(data(), model)
    assert len(caught) == 2  # one per factor/flag and column
    messages = [str(w.message) for w in caught]
    assert "Food insecurity" in messages[0]
    assert "food_insecurity" in messages[0]
    assert "falls_with_injury" in messages[1]
    assert s["pts_food"].null_count() == 4
    assert s["missing_factors"].to_list() == [["food"]] * 4
    assert s["provisional"].all()  # 1 of 2 factors missing: above the model's 0.4
    es = local_input_warnings(data(), model, "es")
    assert es[0].startswith("El factor de riesgo «Inseguridad alimentaria» lee la columna «food_insecurity»")


def test_number_and_category_columns() -> None:
    model = load_model(
        """
[tiers]
moderate = 2
high = 4
[[factors]]
name = "falls"
input = "screenings.falls_12m"
type = "number"
bands = [{ below = 1, points = 0 }, { min = 1, below = 3, points = 1 }, { min = 3, points = 3 }]
[[factors]]
name = "caregiver_strain"
input = "cases.caregiver_strain"
type = "category"
points = { high = 2, "Muy alta" = 3, low = 0 }
"""
    )
    sheets = {
        "cases": pl.DataFrame({"case_id": ["A", "B", "C"], "caregiver_strain": ["HIGH", "muy alta", None]}),
        "screenings": pl.DataFrame({"case_id": ["A", "B", "C"], "falls_12m": ["1,5", "4", "0"]}).with_columns(
            screened_on=pl.date(2026, 2, 1)
        ),
        "assessments": pl.DataFrame({"case_id": ["A", "B", "C"]}).with_columns(assessed_on=pl.date(2026, 3, 1)),
    }
    s = score_risk(CaseData(sheets), model).select(
        "case_id", "pts_falls", "pts_caregiver_strain", "score", "computed_tier"
    )
    assert s.rows() == [("A", 1, 2, 3, "moderate"), ("B", 3, 3, 6, "high"), ("C", 0, None, 0, "low")]


@pytest.mark.parametrize(
    ("factor", "words"),
    [
        (
            'input = "assessments.food"\ntype = "yesno"\npoints = { true = 1 }',
            ["food", "yesno", "bool, number, category"],
        ),
        ('input = "assessments.housing"\ntype = "category"\npoints = { homeless = 1 }', ["housing", "type"]),
        ('input = "labs.food"\ntype = "bool"\npoints = { true = 1 }', ["labs.food"]),
        ('input = "food_insecurity"\npoints = { true = 1 }', ["food_insecurity", 'type = "bool"']),
    ],
)
def test_model_errors_say_how_to_declare_a_column(factor: str, words: list[str]) -> None:
    text = f'[[factors]]\nname = "f"\n{factor}\n'
    with pytest.raises(ConfigError) as err:
        load_model(text, lang="en")
    for w in words:
        assert w in str(err.value)


def test_a_teams_model_runs_on_the_bundled_sample_and_the_fairness_view_uses_it() -> None:
    sample = ck.make_sample(300, seed=1)
    model = load_model(MODEL)
    with pytest.warns(LocalInputWarning):
        without = score_risk(sample, model, as_of=ck.SAMPLE_AS_OF)  # the sample has no such column
    assert without.height > 0
    ass = sample["assessments"].with_columns(food_insecurity=pl.lit("yes"), falls_with_injury=pl.lit("no"))
    with_column = CaseData({**sample.sheets, "assessments": ass})
    scores = score_risk(with_column, model, as_of=ck.SAMPLE_AS_OF)
    assert (scores["pts_food"] == 3).all()
    view = fairness_summary(with_column, scores, by=["sex"])
    base = fairness_summary(with_column, without, by=["sex"])
    assert view["mean_score"][0] == pytest.approx(base["mean_score"][0] + 3)
