"""The case record's case box and the URL's ``case`` (AppTest, on the bundled sample)."""

from __future__ import annotations

import polars as pl

from tests.app.conftest import open_app


def test_a_case_picked_before_the_url_caught_up_is_kept(sample_status: pl.DataFrame) -> None:
    """The browser updates its URL when the run of the last pick reaches it: a case picked
    before that comes with the old URL in the same rerun, and the case picked wins (the old
    URL's case replaced it). A URL alone (a link, the Back button) still opens its case."""
    at = open_app("case", lang="en")
    assert not at.exception
    first, a, b = sample_status["case_id"].sort().head(3).to_list()
    assert at.query_params["case"] == first
    at.selectbox(key="case_pick").set_value(a).run()
    assert at.query_params["case"] == a
    at.query_params["case"] = first  # the browser has not applied the last run's URL yet
    at.selectbox(key="case_pick").set_value(b).run()
    assert not at.exception
    assert at.selectbox(key="case_pick").value == b
    assert at.query_params["case"] == b
    at.query_params["case"] = a  # alone: the URL's case
    at.run()
    assert at.selectbox(key="case_pick").value == a
