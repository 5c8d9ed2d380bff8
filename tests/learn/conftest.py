"""The bundled sample, validated and processed once for the Learn tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import casekit as ck
from casekit import learn

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
AS_OF = ck.SAMPLE_AS_OF


@pytest.fixture(scope="session")
def sample() -> dict[str, Any]:
    result = ck.validate(ck.read_workbook(SAMPLE), as_of=AS_OF)
    scores = ck.score_risk(result, as_of=AS_OF)
    status = ck.case_status(result, as_of=AS_OF, risk=scores)
    curated = learn.curated_clients(result, status=status, scores=scores, as_of=AS_OF)
    return {
        "result": result,
        "scores": scores,
        "status": status,
        "curated": dict(zip(curated["path"], curated["case_id"], strict=True)),
        "frame": curated,
    }
