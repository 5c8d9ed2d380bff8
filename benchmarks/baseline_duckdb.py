"""The case-status rules in SQL, run by DuckDB over the Parquet files: what a data analyst
might pick instead of casekit.

The same rules as ``ck.case_status`` (``docs/process_rules.md``) and as the bare-polars
floor (``floor_polars.py``) — current stage and every flag except ``quarantined_rows`` —
as one SQL query that reads ``<folder>/<sheet>.parquet`` itself: no validation, no
quarantine, no explanation columns; the default process rules are written in the SQL.
``bench_pipeline.py`` times it side by side with casekit, the floor and pandas
(reading the files is part of its time, as it is of an analyst's query);
``tests/benchmarks/test_baselines.py`` checks that it agrees with casekit.

Needs ``duckdb`` (the ``bench`` and ``test`` extras).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> cases = pl.DataFrame({"case_id": ["A", "B"], "opened_on": [dt.date(2026, 3, 1)] * 2})
>>> cases.write_parquet(folder / "cases.parquet")
>>> pl.DataFrame({"case_id": ["B"], "screened_on": [dt.date(2026, 3, 2)],
...               "decision": ["refer_to_assessment"]}).write_parquet(folder / "screenings.parquet")
>>> out = case_status_duckdb(folder, as_of=dt.date(2026, 3, 20))
>>> out.sort("case_id").rows()
[('A', 'screening', ['screening_overdue']), ('B', 'assessment', ['assessment_overdue'])]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from _bench_common import post_only_measures

#: The flags this baseline computes (casekit's, without ``quarantined_rows``), in casekit's order.
FLAGS = (
    "safety_red_flag",
    "screening_overdue",
    "not_eligible_but_open",
    "assessment_overdue",
    "risk_review_pending",
    "plan_overdue",
    "missed_appointment",
    "stale_scheduled_contact",
    "follow_up_overdue",
    "reassessment_due",
    "goal_overdue",
    "post_transition_contact_missing",
    "outcome_follow_up_due",
    "closed_without_outcomes",
    "out_of_order",
)

#: The columns each sheet needs, and their SQL types (for a file or column that is absent).
NEEDS: dict[str, dict[str, str]] = {
    "cases": {"case_id": "VARCHAR", "opened_on": "DATE", "closed_on": "DATE"},
    "screenings": {"case_id": "VARCHAR", "screened_on": "DATE", "decision": "VARCHAR", "home_environment": "VARCHAR"},
    "assessments": {
        "case_id": "VARCHAR",
        "assessed_on": "DATE",
        "phq9_item9": "BIGINT",
        "systolic_bp": "BIGINT",
        "diastolic_bp": "BIGINT",
        "housing_safe": "BOOLEAN",
    },
    "risk_reviews": {"case_id": "VARCHAR", "reviewed_on": "DATE", "safety_action": "VARCHAR", "reason": "VARCHAR"},
    "goals": {"case_id": "VARCHAR", "set_on": "DATE", "target_on": "DATE", "status": "VARCHAR", "achieved_on": "DATE"},
    "services": {"case_id": "VARCHAR", "start_on": "DATE"},
    "transitions": {"case_id": "VARCHAR", "transition_on": "DATE", "kind": "VARCHAR"},
    "contacts": {
        "case_id": "VARCHAR",
        "contact_on": "DATE",
        "kind": "VARCHAR",
        "with_whom": "VARCHAR",
        "status": "VARCHAR",
    },
    "outcomes": {"case_id": "VARCHAR", "measure": "VARCHAR", "measured_on": "DATE", "timepoint": "VARCHAR"},
}

# The rules, in SQL. {as_of} is a DATE literal; {post_only} the post-only measure keys.
# Each sheet is a view with a row position (_pos: the file's row number, which breaks
# ties between records of the same day, like the spreadsheet row in casekit).
RULES_SQL = """
WITH
scr AS (
    SELECT case_id,
        min(screened_on) FILTER (WHERE decision = 'refer_to_assessment') AS refer_on,
        min(screened_on) AS first_screened,
        arg_max(decision, screened_on::TIMESTAMP + to_microseconds(_pos))
            FILTER (WHERE decision IS NOT NULL) AS last_decision,
        -- red flag read from the screening: the latest record with a value decides
        arg_max(home_environment = 'unsafe', screened_on::TIMESTAMP + to_microseconds(_pos))
            FILTER (WHERE home_environment IS NOT NULL) AS unsafe_home_last,
        arg_max(screened_on, screened_on::TIMESTAMP + to_microseconds(_pos))
            FILTER (WHERE home_environment IS NOT NULL) AS unsafe_home_on
    FROM screenings WHERE screened_on <= {as_of} GROUP BY case_id
),
asm_rows AS (
    SELECT *, assessed_on::TIMESTAMP + to_microseconds(_pos) AS k,
        CASE WHEN phq9_item9 IS NOT NULL THEN phq9_item9 >= 1 END AS self_harm,
        CASE WHEN systolic_bp IS NOT NULL AND diastolic_bp IS NOT NULL
            THEN systolic_bp > 180 OR diastolic_bp > 120 END AS crisis,
        NOT housing_safe AS unsafe_housing
    FROM assessments WHERE assessed_on <= {as_of}
),
asm AS (
    SELECT case_id,
        min(assessed_on) AS first_assessed,
        max(assessed_on) AS last_assessed,
        CASE WHEN arg_max(self_harm, k) FILTER (WHERE self_harm IS NOT NULL)
            THEN arg_max(assessed_on, k) FILTER (WHERE self_harm IS NOT NULL) END AS raised_self_harm,
        CASE WHEN arg_max(crisis, k) FILTER (WHERE crisis IS NOT NULL)
            THEN arg_max(assessed_on, k) FILTER (WHERE crisis IS NOT NULL) END AS raised_crisis,
        CASE WHEN arg_max(unsafe_housing, k) FILTER (WHERE unsafe_housing IS NOT NULL)
            THEN arg_max(assessed_on, k) FILTER (WHERE unsafe_housing IS NOT NULL) END AS raised_housing
    FROM asm_rows GROUP BY case_id
),
rev AS (
    SELECT r.case_id,
        min(r.reviewed_on) AS first_reviewed,
        bool_or(r.reviewed_on >= a.last_assessed) AS review_ok,
        max(r.reviewed_on) FILTER (
            WHERE r.safety_action IS NOT NULL
            AND (r.safety_action <> 'not_needed' OR coalesce(trim(r.reason) <> '', false))
        ) AS safety_on
    FROM risk_reviews r LEFT JOIN asm a USING (case_id)
    WHERE r.reviewed_on <= {as_of} GROUP BY r.case_id
),
gls AS (
    SELECT case_id,
        min(set_on) AS first_goal,
        bool_or(target_on IS NOT NULL) AS has_target,
        bool_or(
            (status IS NULL OR status IN ('planned', 'in_progress')
             OR coalesce(status = 'achieved' AND achieved_on > {as_of}, false))
            AND target_on < {as_of}
        ) AS goal_overdue
    FROM goals WHERE set_on <= {as_of} GROUP BY case_id
),
svc AS (
    SELECT case_id, min(start_on) AS service_on, true AS has_service
    FROM services WHERE start_on IS NULL OR start_on <= {as_of} GROUP BY case_id
),
con_rows AS (
    SELECT *, status = 'attended' AS attended,
        status = 'attended' AND coalesce(with_whom, 'client') IN ('client', 'support_system') AS client
    FROM contacts WHERE contact_on <= {as_of}
),
con AS (
    SELECT case_id,
        max(contact_on) FILTER (WHERE attended) AS last_attended,
        max(contact_on) FILTER (WHERE client) AS last_client,
        max(contact_on) FILTER (WHERE status = 'missed') AS last_missed,
        bool_or(status = 'scheduled' AND contact_on < {as_of}) AS stale,
        min(contact_on) FILTER (WHERE attended AND kind = 'post_transition') AS first_post
    FROM con_rows GROUP BY case_id
),
qualifying AS (
    SELECT DISTINCT case_id, contact_on FROM con_rows
    WHERE client AND kind IN ('post_transition', 'phone_call', 'home_visit', 'appointment', 'follow_up')
),
-- every transition: its window (2 business days after a discharge or transfer, counted
-- from the next business day when it falls on a weekend; 7 days after a step), and the
-- first qualifying client contact from its day on
tx_rows AS (
    SELECT *,
        CASE isodow(transition_on) WHEN 6 THEN transition_on - 1 WHEN 7 THEN transition_on - 2
            ELSE transition_on END AS _b
    FROM transitions WHERE transition_on <= {as_of}
),
every AS (
    SELECT t.case_id, t.transition_on, t._pos, q.contact_on,
        CASE WHEN coalesce(t.kind IN ('step_down', 'step_up'), false) THEN t.transition_on + 7
            WHEN isodow(t._b) <= 3 THEN t._b + 2 ELSE t._b + 4 END AS ends
    FROM tx_rows t ASOF LEFT JOIN qualifying q
        ON t.case_id = q.case_id AND t.transition_on <= q.contact_on
),
tx AS (
    SELECT case_id,
        min(transition_on) AS first_tx,
        max(transition_on) AS last_tx,
        arg_max(contact_on IS NOT NULL, transition_on::TIMESTAMP + to_microseconds(_pos)) AS post_ok,
        bool_or(contact_on IS NULL AND ends < {as_of}) AS post_missing
    FROM every GROUP BY case_id
),
impl AS (
    SELECT DISTINCT c.case_id, true AS implemented
    FROM con_rows c JOIN gls g USING (case_id)
    WHERE c.attended AND c.kind IN ('appointment', 'home_visit', 'education') AND c.contact_on >= g.first_goal
),
per_measure AS (
    SELECT case_id,
        min(measured_on) FILTER (WHERE timepoint = 'baseline') AS base,
        min(measured_on) FILTER (WHERE timepoint IN ('follow_up', 'discharge')) AS later_min,
        max(measured_on) FILTER (WHERE timepoint IN ('follow_up', 'discharge')) AS later_max,
        regexp_replace(lower(measure), '[^0-9a-z]', '', 'g') IN ({post_only}) AS post_only
    FROM outcomes WHERE measured_on <= {as_of} GROUP BY case_id, measure
),
outc AS (
    SELECT case_id,
        min(base) AS first_baseline,
        min(later_min) AS first_later,
        bool_or(paired) AS paired,
        bool_or(base IS NOT NULL AND NOT paired AND base + 90 <= {as_of}) AS outcome_due
    FROM (
        SELECT *, coalesce(later_max > base OR (post_only AND later_max IS NOT NULL), false) AS paired
        FROM per_measure
    ) GROUP BY case_id
),
wide AS (
    SELECT c.case_id, c.opened_on, c.closed_on,
        c.closed_on IS NOT NULL AND c.closed_on <= {as_of} AS closed,
        scr.* EXCLUDE (case_id), asm.* EXCLUDE (case_id), rev.* EXCLUDE (case_id), gls.* EXCLUDE (case_id),
        svc.* EXCLUDE (case_id), tx.* EXCLUDE (case_id), con.* EXCLUDE (case_id),
        coalesce(impl.implemented, false) AS implemented, outc.* EXCLUDE (case_id),
        CASE WHEN asm.first_assessed IS NOT NULL THEN coalesce(tiers.effective_tier, 'moderate')
            ELSE 'moderate' END AS tier
    FROM cases c
    LEFT JOIN scr USING (case_id) LEFT JOIN asm USING (case_id) LEFT JOIN rev USING (case_id)
    LEFT JOIN gls USING (case_id) LEFT JOIN svc USING (case_id) LEFT JOIN tx USING (case_id)
    LEFT JOIN con USING (case_id) LEFT JOIN impl USING (case_id) LEFT JOIN outc USING (case_id)
    LEFT JOIN tiers USING (case_id)
    WHERE c.opened_on <= {as_of}
),
done AS (
    SELECT *,
        refer_on IS NOT NULL AS d1,
        first_assessed IS NOT NULL AS d2,
        first_assessed IS NOT NULL AND coalesce(review_ok, false) AS d3,
        coalesce(has_target, false) AND coalesce(has_service, false) AS d4,
        implemented AS d5,
        last_tx IS NOT NULL AS d6,
        coalesce(post_ok, false) AS d8,
        coalesce(paired, false) AND closed AS d9,
        coalesce(last_decision IN ('not_eligible', 'declined'), false) AS negative,
        CASE tier WHEN 'high' THEN 14 WHEN 'low' THEN 60 ELSE 30 END AS cadence,
        CASE tier WHEN 'high' THEN 90 WHEN 'low' THEN 365 ELSE 180 END AS reassess,
        least(
            CASE WHEN safety_on IS NULL OR safety_on < raised_self_harm THEN raised_self_harm END,
            CASE WHEN safety_on IS NULL OR safety_on < raised_crisis THEN raised_crisis END,
            CASE WHEN safety_on IS NULL OR safety_on < raised_housing THEN raised_housing END,
            CASE WHEN unsafe_home_last AND (safety_on IS NULL OR safety_on < unsafe_home_on) THEN unsafe_home_on END
        ) AS red_open,
        least(first_assessed, first_baseline) AS e2, least(first_goal, service_on) AS e4
    FROM wide
),
flagged AS (
    SELECT case_id,
        CASE WHEN closed THEN 'closed'
            WHEN NOT d1 THEN 'screening' WHEN NOT d2 THEN 'assessment' WHEN NOT d3 THEN 'risk'
            WHEN NOT d4 THEN 'planning' WHEN NOT d5 THEN 'implementation' WHEN NOT d6 THEN 'monitoring'
            WHEN NOT d8 THEN 'post_transition' WHEN NOT d9 THEN 'evaluation' ELSE 'closed' END AS current_stage,
        [
            CASE WHEN NOT closed AND red_open < {as_of} THEN 'safety_red_flag' END,
            CASE WHEN NOT closed AND NOT d1 AND NOT negative AND opened_on + 7 < {as_of}
                THEN 'screening_overdue' END,
            CASE WHEN NOT closed AND negative THEN 'not_eligible_but_open' END,
            CASE WHEN NOT closed AND d1 AND NOT d2 AND refer_on + 14 < {as_of} THEN 'assessment_overdue' END,
            CASE WHEN NOT closed AND d2 AND NOT d3 THEN 'risk_review_pending' END,
            CASE WHEN NOT closed AND d2 AND NOT d4
                AND last_assessed + CASE WHEN tier = 'high' THEN 7 ELSE 14 END < {as_of} THEN 'plan_overdue' END,
            CASE WHEN NOT closed AND last_missed >= coalesce(last_attended, DATE '0001-01-01')
                THEN 'missed_appointment' END,
            CASE WHEN NOT closed AND coalesce(stale, false) THEN 'stale_scheduled_contact' END,
            CASE WHEN NOT closed AND d2 AND greatest(last_client, last_assessed) + cadence < {as_of}
                THEN 'follow_up_overdue' END,
            CASE WHEN NOT closed AND d2 AND last_assessed + reassess < {as_of} THEN 'reassessment_due' END,
            CASE WHEN NOT closed AND coalesce(goal_overdue, false) THEN 'goal_overdue' END,
            CASE WHEN NOT closed AND coalesce(post_missing, false) THEN 'post_transition_contact_missing' END,
            CASE WHEN NOT closed AND coalesce(outcome_due, false) THEN 'outcome_follow_up_due' END,
            CASE WHEN closed AND d1 AND NOT coalesce(paired, false) THEN 'closed_without_outcomes' END,
            CASE WHEN coalesce(e2 < first_screened, false) OR coalesce(first_reviewed < first_screened, false)
                OR coalesce(e4 < first_screened, false) OR coalesce(first_tx < first_screened, false)
                OR coalesce(first_post < first_screened, false) OR coalesce(first_later < first_screened, false)
                OR coalesce(first_reviewed < e2, false) OR coalesce(e4 < e2, false)
                OR coalesce(first_tx < e2, false) OR coalesce(first_post < e2, false)
                OR coalesce(first_later < e2, false)
                OR coalesce(e4 < first_reviewed, false) OR coalesce(first_tx < first_reviewed, false)
                OR coalesce(first_post < first_reviewed, false) OR coalesce(first_later < first_reviewed, false)
                OR coalesce(first_tx < e4, false) OR coalesce(first_post < e4, false)
                OR coalesce(first_later < e4, false)
                OR coalesce(first_post < first_tx, false)
                THEN 'out_of_order' END
        ] AS all_flags
    FROM done
)
SELECT case_id, current_stage, [f FOR f IN all_flags IF f IS NOT NULL] AS flags FROM flagged
"""


def _create_views(con: object, folder: Path) -> None:
    """One view per sheet: its needed columns (typed nulls when the file or a column is
    absent) and ``_pos``, the file's row number."""
    for name, needs in NEEDS.items():
        path = folder / f"{name}.parquet"
        if not path.exists():
            cols = ", ".join(f"NULL::{t} AS {c}" for c, t in needs.items())
            con.execute(f"CREATE VIEW {name} AS SELECT {cols}, 0::BIGINT AS _pos WHERE false")  # type: ignore[attr-defined]
            continue
        scan = f"read_parquet('{path.as_posix()}', file_row_number = true)"
        present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}  # type: ignore[attr-defined]
        cols = ", ".join(c if c in present else f"NULL::{t} AS {c}" for c, t in needs.items())
        con.execute(f"CREATE VIEW {name} AS SELECT {cols}, file_row_number AS _pos FROM {scan}")  # type: ignore[attr-defined]


def case_status_duckdb(
    folder: str | Path,
    *,
    as_of: dt.date,
    tiers: pl.DataFrame | None = None,
    threads: int | None = None,
) -> pl.DataFrame:
    """``case_id, current_stage, flags`` (a list, casekit's order) per case opened on or before
    ``as_of``, by DuckDB over ``folder/<sheet>.parquet``; the default process rules.

    ``tiers`` (``case_id, effective_tier``) sets the tier used for deadlines, like
    ``ck.case_status(..., risk=...)``; ``threads`` caps DuckDB's threads (default: all).
    """
    import duckdb

    folder = Path(folder)
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        _create_views(con, folder)
        table = tiers if tiers is not None else pl.DataFrame(schema={"case_id": pl.String, "effective_tier": pl.String})
        con.register("tiers", table.select("case_id", "effective_tier").unique("case_id", keep="last").to_arrow())
        post_only = ", ".join(f"'{m}'" for m in sorted(post_only_measures())) or "NULL"
        sql = RULES_SQL.format(as_of=f"DATE '{as_of.isoformat()}'", post_only=post_only)
        return con.sql(sql).pl()
    finally:
        con.close()


def flag_sets(status: pl.DataFrame) -> dict[str, frozenset[str]]:
    """``{case_id: set of open flags}`` from a DuckDB status frame."""
    return {case: frozenset(flags) for case, flags in status.select("case_id", "flags").rows()}
