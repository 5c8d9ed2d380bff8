"""Stage 9, outcome evaluation: how each case's measures changed, by group, and what it
did to utilisation and cost (``docs/outcomes.md``).

- :func:`outcome_changes`: per case and measure, baseline → latest, change, direction;
- :func:`outcome_summary`: the same aggregated by domain, measure, tier, programme,
  case manager, sex or age band, small cells suppressed: mean change with its 95 %
  confidence interval, % improved beyond the MCID, response and remission;
- :func:`goal_progress` / :func:`goal_attainment`: goals set, achieved, achieved by
  their target date, overdue, days to achieve, and attainment by linked measure;
- :func:`post_only_summary`: measures taken once after care (satisfaction at discharge);
- :func:`utilisation_changes` / :func:`utilisation_summary`: ED visits, admissions and
  cost before vs after (the first assessment's counts as the "before" when needed);
- :func:`utilisation_rates` / :func:`utilisation_rate_summary`: the same per 1,000
  member-months and per member per month (PMPM), in stated non-overlapping windows,
  to be read with :func:`rtm_caveat` (regression to the mean), which goes beside every
  table :func:`needs_rtm_caveat` finds.

Examples
--------
>>> from casekit.sample import make_sample
>>> data = make_sample(300, seed=1)
>>> changes = outcome_changes(data)
>>> changes.columns[:9]
['case_id', 'domain', 'measure', 'baseline_on', 'baseline', 'latest_on', 'latest', 'change', 'direction']
>>> set(changes["direction"].drop_nulls()) <= {"improved", "worsened", "unchanged"}
True
"""

from casekit.outcomes._attribution import attribute, attribute_changes
from casekit.outcomes._changes import CHANGE_COLUMNS, DIRECTIONS, outcome_changes, outcome_changes_lazy
from casekit.outcomes._goals import (
    GOAL_COLUMNS,
    GOAL_GROUPINGS,
    GOAL_SUMMARY_COLUMNS,
    goal_attainment,
    goal_progress,
)
from casekit.outcomes._names import direction_label
from casekit.outcomes._post_only import POST_ONLY_COLUMNS, post_only_summary, post_only_values
from casekit.outcomes._summary import GROUPINGS, SUMMARY_COLUMNS, outcome_summary
from casekit.outcomes._utilisation import (
    ASSESSMENT_MEASURES,
    BEFORE_AFTER_COLUMNS,
    DAYS_PER_MONTH,
    NOT_USED,
    RATE_COLUMNS,
    RATE_SUMMARY_COLUMNS,
    UTILISATION_DOMAINS,
    needs_rtm_caveat,
    rtm_caveat,
    utilisation_changes,
    utilisation_changes_lazy,
    utilisation_rate_summary,
    utilisation_rates,
    utilisation_summary,
)

__all__ = [
    "ASSESSMENT_MEASURES",
    "BEFORE_AFTER_COLUMNS",
    "CHANGE_COLUMNS",
    "DAYS_PER_MONTH",
    "DIRECTIONS",
    "GOAL_COLUMNS",
    "GOAL_GROUPINGS",
    "GOAL_SUMMARY_COLUMNS",
    "GROUPINGS",
    "NOT_USED",
    "POST_ONLY_COLUMNS",
    "RATE_COLUMNS",
    "RATE_SUMMARY_COLUMNS",
    "SUMMARY_COLUMNS",
    "UTILISATION_DOMAINS",
    "attribute",
    "attribute_changes",
    "direction_label",
    "goal_attainment",
    "goal_progress",
    "needs_rtm_caveat",
    "outcome_changes",
    "outcome_changes_lazy",
    "outcome_summary",
    "post_only_summary",
    "post_only_values",
    "rtm_caveat",
    "utilisation_changes",
    "utilisation_changes_lazy",
    "utilisation_rate_summary",
    "utilisation_rates",
    "utilisation_summary",
]
