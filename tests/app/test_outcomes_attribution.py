"""Outcomes by case manager on a team workspace credit the assignment in force (issue 14):
each outcome pair counts for who held the case on its latest measure, not for whoever
holds it today (``casekit.outcomes.attribute_changes``)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import casekit as ck
from casekit.outcomes import attribute_changes, outcome_summary
from tests.app.conftest import APP, shown_numbers

AS_OF = ck.SAMPLE_AS_OF
NEW = "Nora Vidal"  # takes over one case manager's whole caseload after the last measure
HANDOVER = AS_OF + dt.timedelta(days=1)
TEXTS = {"es": ("Gestor del caso", "Mejoran"), "en": ("Case manager", "Improved")}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A workspace whose busiest case manager handed every case over after the last measure,
    and what the screen must show: the summary with the pairs attributed."""
    folder = tmp_path_factory.mktemp("attribution")
    home, db = folder / "home", folder / "team.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEKIT_HOME", str(home))
        mp.delenv("CASEKIT_AUDIT_KEY", raising=False)
        ws = ck.Workspace.open(db)
        ws.import_workbook(ck.make_sample(160, seed=11), actor="setup", as_of=AS_OF)
        cases = ws.data()["cases"]
        leaving = cases["case_manager"].mode().sort()[0]
        for case_id in cases.filter(pl.col("case_manager") == leaving)["case_id"]:
            ws.assign(case_id, NEW, on=HANDOVER, actor="supervisor")
        result = ws.result(lang="en")
        changes = ck.outcome_changes(result, as_of=AS_OF)
        attributed = outcome_summary(  # the team's own screen: exact counts
            result, ["case_manager"], changes=attribute_changes(changes, ws.assignments()), for_sharing=False
        )
        today = outcome_summary(result, ["case_manager"], changes=changes, for_sharing=False)
        ws.close()
    # the hand-over changes the answer: credited to who held the cases then, not to NEW
    assert leaving in attributed["case_manager"].to_list()
    assert NEW not in attributed["case_manager"].to_list()
    assert NEW in today["case_manager"].to_list()
    return {"home": home, "db": db, "leaving": leaving, "attributed": attributed}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_outcomes_by_case_manager_follow_the_assignment_in_force(
    seeded: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    db = tmp_path / "team.db"
    shutil.copy(seeded["db"], db)  # type: ignore[arg-type]
    monkeypatch.setenv("CASEKIT_HOME", str(seeded["home"]))
    monkeypatch.setenv("CASEKIT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    assert at.radio(key="source").value == "workspace"
    at.date_input(key="as_of").set_value(AS_OF).run()
    at.switch_page("pages/outcomes.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.multiselect(key="out_by").set_value(["case_manager"]).run()
    assert not at.exception, [e.value for e in at.exception]
    manager, improved = TEXTS[lang]
    grouped = at.dataframe[-1].value
    attributed: pl.DataFrame = seeded["attributed"]  # type: ignore[assignment]
    assert grouped[manager].tolist() == attributed["case_manager"].to_list()
    assert NEW not in grouped[manager].tolist()
    expected = [None if v is None else round(v * 100, 1) for v in attributed["pct_improved"]]
    assert shown_numbers(grouped[improved], lang) == expected
    note = "en su última medición" if lang == "es" else "on its latest measure"
    assert any(note in c.value for c in at.caption)
