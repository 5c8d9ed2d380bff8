"""Learn: a guided walkthrough of one client through the nine stages, for trainers.

Pure polars (no Streamlit), usable from a notebook:

- :func:`curated_clients`: one real client per typical path (smooth, high risk, stalled
  before planning, missed appointments, no post-transition call, readmitted);
- :func:`walkthrough`: nine :class:`StageStep` for one client — the purpose of the stage,
  the client's rows, the decision casekit makes and why;
- :func:`what_if_risk` / :func:`what_if_process`: edit an input or a process rule and see
  factor points, tier and flags move, with the reason;
- :func:`stage_handout_html` / :func:`walkthrough_handout_html`: printable A4 handouts.

Examples
--------
>>> import casekit as ck
>>> from casekit import learn
>>> data = ck.make_sample(60, seed=5)
>>> picked = learn.curated_clients(data, as_of=ck.SAMPLE_AS_OF)
>>> steps = learn.walkthrough(data, picked["case_id"][0], as_of=ck.SAMPLE_AS_OF)
>>> len(steps), learn.stage_handout_html(steps[2], lang="es").startswith("<!DOCTYPE html>")
(9, True)
"""

from casekit.learn._common import Note, labelled, one_case
from casekit.learn._curated import PATHS, curated_clients
from casekit.learn._handout import MAX_ROWS, stage_handout_html, walkthrough_handout_html
from casekit.learn._steps import STAGE_FLAGS, StageStep, walkthrough
from casekit.learn._whatif import (
    RULES,
    ProcessWhatIf,
    RiskWhatIf,
    changed_config,
    local_knobs,
    recorded_inputs,
    what_if_process,
    what_if_risk,
)

__all__ = [
    "MAX_ROWS",
    "PATHS",
    "RULES",
    "STAGE_FLAGS",
    "Note",
    "ProcessWhatIf",
    "RiskWhatIf",
    "StageStep",
    "changed_config",
    "curated_clients",
    "labelled",
    "local_knobs",
    "one_case",
    "recorded_inputs",
    "stage_handout_html",
    "walkthrough",
    "walkthrough_handout_html",
    "what_if_process",
    "what_if_risk",
]
