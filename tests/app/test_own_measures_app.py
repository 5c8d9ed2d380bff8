"""The app reads a team's measures catalogue (issue 17): uploaded in the sidebar's settings,
beside the process rules and the risk model, it decides which measures complete stage 9
on their own, on every screen (status and worklist, funnel, Outcomes, report, cohort).

The caseload of ``tests/outcomes/test_own_measures.py``: three closed cases with one
discharge value and no baseline, ``S`` satisfaction (CSQ-8), ``F`` the team's ``falls_3m``,
``P`` PHQ-9. Shipped catalogue: only ``S`` is evaluated. The team's file makes ``falls_3m``
post-only and CSQ-8 not: ``F`` is evaluated, ``S`` and ``P`` are closed without outcomes.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.i18n import t
from tests.app.conftest import open_app
from tests.outcomes.conftest import caseload
from tests.outcomes.test_own_measures import AS_OF, OWN, caseload_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("own_measures_app") / "caseload.xlsx"
    ck.write_workbook(caseload(**caseload_rows()), path, lang="es")
    return path


def _closed_without_outcomes(at, lang: str) -> set[str]:
    """Cases the Monitoring worklist lists as closed without outcomes."""
    label = ck.stages.flag_label("closed_without_outcomes", lang)
    frame = next(d.value for d in at.dataframe if (d.value == label).any().any())
    cases = next(c for c in frame.columns if set(frame[c]) <= {"S", "F", "P"})
    return set(frame.loc[(frame == label).any(axis=1), cases])


@pytest.mark.parametrize("lang", ["es", "en"])
def test_an_uploaded_measures_file_changes_what_completes_stage_9(book: Path, lang: str) -> None:
    data = caseload(**caseload_rows())
    expected = {}
    for name, measures in (("shipped", None), ("own", OWN)):
        status = ck.case_status(data, as_of=AS_OF, measures=measures)
        listed = ck.worklist(status).filter(pl.col("flag") == "closed_without_outcomes")
        expected[name] = set(listed["case_id"])
    assert expected == {"shipped": {"F", "P"}, "own": {"S", "P"}}  # the hand-computed flags

    at = open_app("monitoring", lang=lang)
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value((book.name, book.read_bytes(), XLSX)).run()
    at.date_input(key="as_of").set_value(AS_OF).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _closed_without_outcomes(at, lang) == expected["shipped"]

    at.file_uploader(key="measures_upload").set_value(("measures.toml", OWN.encode(), "application/toml")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _closed_without_outcomes(at, lang) == expected["own"]

    # the Data screen shows the catalogue in use, as uploaded
    at.switch_page("pages/data.py").run()
    assert any(c.value.strip() == OWN.strip() for c in at.code)
    assert any(t("ui.data_settings_uploaded_measures", lang) in c.value for c in at.caption)

    # a bad file: one clear message naming the key, in the user's language, no traceback
    bad = OWN.replace("post_only = true", "post_only = true\ncolour = 'red'")
    at.file_uploader(key="measures_upload").set_value(("bad.toml", bad.encode(), "application/toml")).run()
    assert not at.exception
    assert any("measures.falls_3m.colour" in e.value.replace("\\", "") for e in at.error)
