"""The registry of derived tables (casekit/ui/derived.py): the one place a screen's tables
and Learn's per-client steps are cached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import casekit as ck
from casekit import learn
from casekit.ui import derived

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "casekit_muestra_es.xlsx"
#: Modules that cache what is not a derived table: sessions, workspaces, sign-in state; and
#: the readable text of a table ``show_table`` is given a version of (``widgets._readable_kept``,
#: keyed by the registry's data key that the version carries, issue 18).
OWN_RESOURCES = {"casekit/ui/derived.py", "casekit/ui/records.py", "casekit/ui/signin.py", "casekit/ui/widgets.py"}


@pytest.fixture(scope="module")
def tables() -> derived.DerivedTables:
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=ck.SAMPLE_AS_OF)
    return derived.DerivedTables.from_result(result, as_of=ck.SAMPLE_AS_OF, key="sample")


def test_learn_steps_come_from_the_registry_once_per_client(tables: derived.DerivedTables) -> None:
    case_id = tables.get("curated_clients")["case_id"][0]
    steps = tables.steps(case_id)
    assert tables.steps(case_id) is steps  # cached per data key and client
    expected = learn.walkthrough(tables.result, case_id, as_of=tables.as_of, config=tables.config, model=tables.model)
    assert [s.decision.text("es") for s in steps] == [s.decision.text("es") for s in expected]
    assert "walkthrough" in derived.PER_CLIENT


def test_no_screen_keeps_a_cache_of_its_own() -> None:
    """Page caches live in the registry (``ws.get``, ``ws.steps``), not in a screen module."""
    own = [
        str(path.relative_to(ROOT))
        for path in sorted([*(ROOT / "casekit" / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"])
        if re.search(r"st\.cache_(data|resource)", path.read_text(encoding="utf-8"))
    ]
    assert set(own) <= OWN_RESOURCES, own
