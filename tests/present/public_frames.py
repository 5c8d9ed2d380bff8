"""Every public frame-returning function of casekit, run on one small sample."""

from __future__ import annotations

import hashlib

import polars as pl

import casekit as ck
from casekit import cohort, deid
from casekit.ui import _explore as explore
from casekit.validation import report_for

#: A fixed key: the extract is the same on every run.
_KEY = hashlib.sha256(b"casekit public frames").hexdigest()


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
    return frames | _cohort_frames(frame, events, comparison) | _deid_frames(result)


def _cohort_frames(
    frame: pl.DataFrame, events: pl.DataFrame, comparison: cohort.CohortComparison
) -> dict[str, pl.DataFrame]:
    """Every measure of ``group_measure`` (each adds its own column), the cohort's events,
    and the tables Explore shows and downloads (the team's exact counts, then shared)."""
    out = {f"group_measure.{m}": cohort.group_measure(frame, by="sex", measure=m) for m in ("count", "share")}
    out["group_measure.median_days"] = cohort.group_measure(frame, by="sex", measure="median_days", to_stage="planning")
    for m in ("pct_improved", "mean_change"):
        out[f"group_measure.{m}"] = cohort.group_measure(frame, by="sex", measure=m, outcome_measure="PHQ-9")
    assert set(cohort.MEASURES) == {name.removeprefix("group_measure.") for name in out}  # every measure
    out["cohort_events"] = cohort.cohort_events(events, frame)
    out["compare_cohorts.team.outcomes"] = comparison.outcomes
    out["compare_cohorts.team.time_to_plan"] = comparison.time_to_plan
    return out


def _deid_frames(result: ck.ValidationResult) -> dict[str, pl.DataFrame]:
    """A de-identified extract's sheets and what it says about them, and a shared aggregate."""
    extract = deid.deidentify(result, key=_KEY, as_of=ck.SAMPLE_AS_OF)
    out = {f"deidentify.sheet.{name}": df for name, df in extract.data.sheets.items()}
    out |= {
        "deidentify.removed": extract.removed,
        "deidentify.dropped": extract.dropped,
        "deidentify.steps": extract.steps,
        "deidentify.anonymity": extract.anonymity,
        "deidentify.explain": extract.explain("es"),
        "deidentify.explain_steps": extract.explain_steps("es"),
        "deid.column_rules": deid.column_rules(),
        "deidentified_aggregate": deid.deidentified_aggregate(
            result.data["cases"].group_by("program").agg(pl.len().alias("n_cases")), "n_cases"
        ),
    }
    prepared = explore.deidentified_extract(result, result.data["cases"]["case_id"], key=_KEY, fmt="zip")
    out["explore.deid_steps"] = prepared.steps
    out["explore.deid_explained"] = prepared.explained
    return out
