"""Every stage and flag id has a label and an explanation in Spanish and English."""

from __future__ import annotations

import polars as pl
import pytest

from casekit.i18n import catalog
from casekit.stages import FLAGS, STAGES, flag_label, label_columns, stage_label


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_id_has_a_label(lang: str) -> None:
    for stage in STAGES:
        assert f"stages.stage_{stage}" in catalog()
        assert stage_label(stage, lang) != stage_label(stage, "es" if lang == "en" else "en")
    for flag in FLAGS:
        assert f"stages.flag_{flag}" in catalog()
        assert f"stages.help_{flag}" in catalog()
        assert flag_label(flag, lang)


def test_label_columns_keeps_ids_and_adds_labels() -> None:
    df = pl.DataFrame({"current_stage": ["monitoring"], "flags": [["plan_overdue", "out_of_order"]]})
    out = label_columns(df, "es")
    assert out.row(0, named=True) == {
        "current_stage": "monitoring",
        "flags": ["plan_overdue", "out_of_order"],
        "current_stage_label": "Seguimiento",
        "flags_label": ["Plan atrasado", "Fechas fuera de orden"],
    }
    assert label_columns(pl.DataFrame({"flag": ["goal_overdue"]}), "en")["flag_label"].item() == "Goal overdue"
