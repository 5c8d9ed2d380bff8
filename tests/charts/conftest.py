"""Sample caseload and its casekit outputs (computed once), and a tiny typed-frame builder."""

from __future__ import annotations

from typing import Any

import altair as alt
import jsonschema
import pytest
from altair.vegalite.v6.schema.core import load_schema

from casekit import outcomes, risk, stages
from casekit.sample import SAMPLE_AS_OF, make_sample
from tests.builders import D, caseload, frame  # noqa: F401 - re-exported to the tests

_SCHEMA = load_schema()


def valid_spec(chart: Any) -> dict[str, Any]:
    """The chart's Vega-Lite spec, checked against the Vega-Lite JSON schema."""
    spec = chart.to_dict()
    jsonschema.validate(spec, _SCHEMA)
    assert spec["$schema"] == alt.SCHEMA_URL
    return spec


def marks(spec: dict[str, Any]) -> list[str]:
    """Mark types of a spec (layers and facets included)."""
    if "mark" in spec:
        mark = spec["mark"]
        return [mark if isinstance(mark, str) else mark["type"]]
    if "spec" in spec:
        return marks(spec["spec"])
    return [m for layer in spec.get("layer", []) for m in marks(layer)]


def encodings(spec: dict[str, Any]) -> set[str]:
    """Encoding channels used anywhere in a spec."""
    out = set(spec.get("encoding", {}))
    for sub in spec.get("layer", []) + ([spec["spec"]] if "spec" in spec else []):
        out |= encodings(sub)
    return out


def inline_rows(spec: dict[str, Any]) -> int:
    """Rows of inline data sent with the chart (all datasets)."""
    return sum(len(rows) for rows in spec.get("datasets", {}).values())


class Sample:
    """make_sample(500, seed=2026) and the casekit outputs the charts draw."""

    def __init__(self, n: int = 500) -> None:
        self.data = make_sample(n, seed=2026)
        self.as_of = SAMPLE_AS_OF
        self.scores = risk.score_risk(self.data, as_of=SAMPLE_AS_OF)
        self.status = stages.case_status(self.data, as_of=SAMPLE_AS_OF, risk=self.scores)
        self.durations = stages.stage_durations(stages.stage_entries(self.data, as_of=SAMPLE_AS_OF))
        self.fairness = risk.fairness_summary(self.data, self.scores)
        self.changes = outcomes.outcome_changes(self.data, as_of=SAMPLE_AS_OF)
        # the team's own charts (for_sharing=False): a shared summary blanks shares of 1-10 people
        self.summary = outcomes.outcome_summary(self.data, as_of=SAMPLE_AS_OF, changes=self.changes, for_sharing=False)
        self.by_tier = outcomes.outcome_summary(
            self.data,
            by=["effective_tier"],
            as_of=SAMPLE_AS_OF,
            changes=self.changes,
            scores=self.scores,
            for_sharing=False,
        )
        self.utilisation = outcomes.utilisation_summary(self.data, as_of=SAMPLE_AS_OF, scores=self.scores)


@pytest.fixture(scope="session")
def sample() -> Sample:
    return Sample()
