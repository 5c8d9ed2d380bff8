"""A handful of real sample clients that show typical paths through the nine stages.

Each path is a rule on casekit's own results (never a hard-coded id), so the choice
follows the data: the same rules pick clients from any caseload.

- ``smooth``: went at least as far as monitoring and has no open flag (the client who got
  furthest is chosen);
- ``high_risk``: effective tier high; when possible one the model put there by points alone
  (no red flag, no reviewer override), the lowest such score first (the knobs can move it);
- ``stalled_before_planning``: assessed, no plan, plan overdue (the longest overdue);
- ``missed_appointments``: a missed contact with no attended contact after it;
- ``no_post_transition_call``: no attended post-transition contact within the window;
- ``readmitted``: a readmission into hospital within 30 days of a discharge or step down
  from it (:func:`casekit.stages.readmissions`; the earliest such readmission).

A client is used for one path only when another client can show the other path.

Examples
--------
>>> import casekit as ck
>>> data = ck.make_sample(300, seed=7)
>>> picked = curated_clients(data, as_of=ck.SAMPLE_AS_OF)
>>> picked.columns
['path', 'case_id', 'label_es', 'label_en']
>>> picked["case_id"].n_unique() == picked.height
True
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from casekit.data import CaseData, ValidationResult
from casekit.i18n import t
from casekit.risk import RiskModel, score_risk
from casekit.stages import ProcessConfig, case_status, load_process_config, readmissions

__all__ = ["PATHS", "curated_clients", "path_candidates"]

#: The typical paths, in the order they are offered.
PATHS: tuple[str, ...] = (
    "smooth",
    "high_risk",
    "stalled_before_planning",
    "missed_appointments",
    "no_post_transition_call",
    "readmitted",
)
MONITORING = 6
PLANNING = 4


def _has(flag: str) -> pl.Expr:
    return pl.col("flags").list.contains(flag)


def _due(flag: str) -> pl.Expr:
    """The due date of ``flag`` in a status row (null when not open)."""
    index = pl.col("flags").list.eval(pl.element() == flag).list.arg_max()
    return pl.when(_has(flag)).then(pl.col("flag_due_on").list.get(index, null_on_oob=True))


def path_candidates(
    data: CaseData | ValidationResult,
    *,
    status: pl.DataFrame,
    scores: pl.DataFrame,
    as_of: dt.date,
    config: ProcessConfig | str | Path | None = None,
) -> dict[str, pl.DataFrame]:
    """Every case that shows each path, best example first (``case_id`` plus the column
    the order comes from)."""
    c = pl.col
    cfg = load_process_config(config)
    clean = data.data if isinstance(data, ValidationResult) else data
    smooth = status.filter((c("reached_stage_number") >= MONITORING) & (c("flags").list.len() == 0)).sort(
        ["reached_stage_number", "case_id"], descending=[True, False]
    )
    high = (
        scores.filter(c("effective_tier") == "high")
        .join(status.select("case_id"), on="case_id", how="semi")
        # a tier earned by points (no red flag forcing it), just over the line: the knobs can move it
        .sort(
            c("computed_tier") != "high",
            c("red_flags").list.len() > 0,
            c("override_tier").is_not_null(),
            "score",
            "case_id",
        )
    )
    stalled = (
        status.filter(_has("plan_overdue") & c("reached_stage_number").is_between(3, PLANNING))
        .with_columns(due=_due("plan_overdue"))
        .sort("due", "case_id")
    )
    missed = (
        status.filter(_has("missed_appointment")).with_columns(due=_due("missed_appointment")).sort("due", "case_id")
    )
    no_call = (
        status.filter(_has("post_transition_contact_missing"))
        .with_columns(due=_due("post_transition_contact_missing"))
        .sort("due", "case_id")
    )
    again = readmissions(clean, as_of=as_of, config=cfg).join(status.select("case_id"), on="case_id", how="semi")
    readmitted = again.group_by("case_id").agg(c("readmitted_on").min()).sort("readmitted_on", "case_id")
    frames = {
        "smooth": smooth,
        "high_risk": high,
        "stalled_before_planning": stalled,
        "missed_appointments": missed,
        "no_post_transition_call": no_call,
        "readmitted": readmitted,
    }
    return {path: frame.select("case_id") for path, frame in frames.items()}


def curated_clients(
    data: CaseData | ValidationResult,
    *,
    status: pl.DataFrame | None = None,
    scores: pl.DataFrame | None = None,
    as_of: dt.date,
    config: ProcessConfig | str | Path | None = None,
    model: RiskModel | None = None,
) -> pl.DataFrame:
    """One real case per typical path: ``path, case_id, label_es, label_en`` (paths with
    no example in the data are left out). ``status`` and ``scores`` are
    :func:`casekit.case_status` and :func:`casekit.score_risk` of ``data`` as of
    ``as_of``; they are computed (with ``config`` and ``model``) when not given.
    """
    if scores is None:
        scores = score_risk(data, model, as_of=as_of)
    if status is None:
        status = case_status(data, as_of=as_of, config=load_process_config(config), risk=scores)
    candidates = path_candidates(data, status=status, scores=scores, as_of=as_of, config=config)
    chosen: dict[str, str] = {}
    # the paths with the fewest examples choose first, so every path keeps a client
    for path in sorted(PATHS, key=lambda p: (candidates[p].height, PATHS.index(p))):
        ids = candidates[path]["case_id"]
        if ids.len() == 0:
            continue
        fresh = ids.filter(~ids.is_in(list(chosen.values())))
        chosen[path] = fresh[0] if fresh.len() else ids[0]
    paths = [p for p in PATHS if p in chosen]
    return pl.DataFrame(
        {
            "path": paths,
            "case_id": [chosen[p] for p in paths],
            "label_es": [t(f"learn.path_{p}", "es") for p in paths],
            "label_en": [t(f"learn.path_{p}", "en") for p in paths],
        },
        schema={"path": pl.String, "case_id": pl.String, "label_es": pl.String, "label_en": pl.String},
    )
