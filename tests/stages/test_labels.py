"""Every stage and flag id has a label and an explanation in Spanish and English."""

from __future__ import annotations

import polars as pl
import pytest

from casekit import present
from casekit.i18n import catalog
from casekit.stages import FLAGS, STAGES, flag_label, stage_label


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_id_has_a_label(lang: str) -> None:
    for stage in STAGES:
        assert f"stages.stage_{stage}" in catalog()
        assert stage_label(stage, lang) != stage_label(stage, "es" if lang == "en" else "en")
    for flag in FLAGS:
        assert f"stages.flag_{flag}" in catalog()
        assert f"stages.help_{flag}" in catalog()
        assert flag_label(flag, lang)


def test_stage_and_flag_ids_read_as_their_labels() -> None:
    df = pl.DataFrame({"current_stage": ["monitoring"], "flags": [["plan_overdue", "out_of_order"]]})
    assert present.readable(df, "es").row(0) == ("Seguimiento", "Plan atrasado, Fechas fuera de orden")
    assert present.readable(pl.DataFrame({"flag": ["goal_overdue"]}), "en").item() == "Goal overdue"
