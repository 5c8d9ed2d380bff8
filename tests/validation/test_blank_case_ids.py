"""The other sheets' blank ``case_id`` test, left to the case-link check (issue 18, round 9).

When no id of ``cases`` may be blank, a blank case id in another sheet is one of its
unknown cases, so :func:`casekit.validation.validate` takes its ``required`` issues from
the link check instead of testing every row. The issues must be those of the test itself.
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import casekit as ck
from casekit import validation
from casekit.data import CaseData

BLANKS = [" ", "\t", "\u3000", "", "\u00a0 ", "\u00a0"]
NOT_BLANK = ["C9999", "\u00c1lvaro", "\u00a0x", None]


def _caseload(*, blank_case: bool = False) -> CaseData:
    sample = ck.make_sample(60)
    sheets = dict(sample.sheets)
    for sheet in ("goals", "contacts", "outcomes"):
        ids = sheets[sheet]["case_id"].to_list()
        for i, text in enumerate(BLANKS + NOT_BLANK):
            ids[3 * i + 1] = text
        sheets[sheet] = sheets[sheet].with_columns(case_id=pl.Series(ids, dtype=pl.String))
    if blank_case:  # an id of cases that may be blank: the sheets test their own
        ids = sheets["cases"]["case_id"].to_list()
        ids[5] = " "
        sheets["cases"] = sheets["cases"].with_columns(case_id=pl.Series(ids, dtype=pl.String))
    return CaseData(sheets)


@pytest.mark.parametrize("blank_case", [False, True])
def test_blank_case_ids_are_the_same_issues_with_and_without_the_link_check(
    monkeypatch: pytest.MonkeyPatch, blank_case: bool
) -> None:
    data = _caseload(blank_case=blank_case)
    checks = [(sheet, [], frozenset()) for sheet in data.sheets]
    assert bool(validation._blanks_from_links(dict(data.sheets), checks)) is not blank_case
    linked = validation.validate(data, as_of=ck.SAMPLE_AS_OF, lang="es")
    monkeypatch.setattr(validation, "_blanks_from_links", lambda work, checks: set())
    tested = validation.validate(data, as_of=ck.SAMPLE_AS_OF, lang="es")
    assert_frame_equal(linked.issues, tested.issues, check_exact=True)
    assert_frame_equal(linked.report, tested.report, check_exact=True)
    for sheet in ("goals", "contacts", "outcomes"):
        assert_frame_equal(linked.quarantined[sheet], tested.quarantined[sheet], check_exact=True)
        missing = linked.issues.filter(
            (pl.col("sheet") == sheet) & (pl.col("column") == "case_id") & (pl.col("check") == "required")
        )["row"].to_list()
        # every blank text (and the null) is missing; the texts that only start like a blank are not
        assert sorted(missing) == [3 * i + 3 for i in range(len(BLANKS))] + [3 * (len(BLANKS) + 3) + 3]
