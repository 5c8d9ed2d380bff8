"""Every public frame-returning function of casekit, run on one small sample."""

from __future__ import annotations

import polars as pl

import casekit as ck
from casekit import cohort
from casekit.validation import report_for


def public_frames(n_cases: int = 120) -> dict[str, pl.DataFrame]:
    """``{name: frame}`` for every public function (and result attribute) that returns a frame."""
    data = ck.make_sample(n_cases, seed=1, lang="es")
    result = ck.validate(data, as_of=ck.SAMPLE_AS_OF)
    status = ck.case_status(result, as_of=ck.SAMPLE_AS_OF)
    events = ck.events(result, as_of=ck.SAMPLE_AS_OF)
    entries = ck.stage_entries(result, as_of=ck.SAMPLE_AS_OF)
    scores = ck.score_risk(result, as_of=ck.SAMPLE_AS_OF)
    frame = cohort.cohort_frame(result, as_of=ck.SAMPLE_AS_OF)
    half = frame.height // 2
    comparison = cohort.compare_cohorts(frame.head(half), frame.tail(frame.height - half))
    frames = {
        "case_status": status,
        "events": events,
        "flags_long": ck.flags_long(status),
        "funnel": ck.funnel(status),
        "stage_entries": entries,
        "stage_durations": ck.stage_durations(entries),
        "time_in_stage": ck.time_in_stage(status),
        "worklist": ck.worklist(status, data=result),
        "readmissions": ck.readmissions(result, as_of=ck.SAMPLE_AS_OF),
        "post_transition_contacts": ck.stages.post_transition_contacts(
            result.data["transitions"], result.data["contacts"], as_of=ck.SAMPLE_AS_OF
        ),
        "score_risk": scores,
        "fairness_summary": ck.fairness_summary(result, scores),
        "outcome_changes": ck.outcome_changes(result),
        "outcome_summary": ck.outcome_summary(result),
        "utilisation_changes": ck.utilisation_changes(result),
        "utilisation_summary": ck.utilisation_summary(result),
        "post_only_summary": ck.post_only_summary(result),
        "post_only_values": ck.post_only_values(result),
        "goal_progress": ck.goal_progress(result, as_of=ck.SAMPLE_AS_OF),
        "goal_attainment": ck.goal_attainment(result, ["owner", "domain"], as_of=ck.SAMPLE_AS_OF, min_cell=1),
        "utilisation_rates": ck.utilisation_rates(result, as_of=ck.SAMPLE_AS_OF),
        "utilisation_rate_summary": ck.utilisation_rate_summary(result, as_of=ck.SAMPLE_AS_OF, min_cell=1),
        "validate.report": report_for(result, "es"),
        "cohort_frame": frame,
        "cohort_entries": cohort.cohort_entries(frame),
        "cohort_durations": cohort.cohort_durations(frame),
        "group_measure": cohort.group_measure(frame, by="effective_tier", for_sharing=True),
        "compare_cohorts.outcomes": comparison.suppressed().outcomes,
        "compare_cohorts.time_to_plan": comparison.suppressed().time_to_plan,
        "compare_goals": cohort.compare_goals(
            frame.head(half),
            frame.tail(frame.height - half),
            ck.goal_progress(result, as_of=ck.SAMPLE_AS_OF),
            min_cell=1,
        ),
        "compare_utilisation": cohort.compare_utilisation(
            frame.head(half), frame.tail(frame.height - half), ck.utilisation_rates(result), min_cell=1
        ),
    }
    frames |= {f"sheet.{name}": df for name, df in result.data.sheets.items()}
    return frames
