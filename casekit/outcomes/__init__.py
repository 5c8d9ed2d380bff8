"""Stage 9, outcome evaluation: how each case's measures changed, by group, and what it
did to utilisation and cost (DESIGN.md §6, ``docs/outcomes.md``).

- :func:`outcome_changes`: per case and measure, baseline → latest, change, direction;
- :func:`outcome_summary`: the same aggregated by domain, measure, tier, programme,
  case manager, sex or age band, small cells suppressed: mean change with its 95 %
  confidence interval, % improved beyond the MCID, response and remission;
- :func:`post_only_summary`: measures taken once after care (satisfaction at discharge);
- :func:`utilisation_changes` / :func:`utilisation_summary`: ED visits, admissions and
  cost before vs after (the first assessment's counts as the "before" when needed).

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

from casekit.outcomes._changes import CHANGE_COLUMNS, DIRECTIONS, outcome_changes, outcome_changes_lazy
from casekit.outcomes._names import direction_label, label_columns
from casekit.outcomes._post_only import POST_ONLY_COLUMNS, post_only_summary, post_only_values
from casekit.outcomes._summary import GROUPINGS, SUMMARY_COLUMNS, outcome_summary
from casekit.outcomes._utilisation import (
    ASSESSMENT_MEASURES,
    UTILISATION_DOMAINS,
    utilisation_changes,
    utilisation_changes_lazy,
    utilisation_summary,
)

__all__ = [
    "ASSESSMENT_MEASURES",
    "CHANGE_COLUMNS",
    "DIRECTIONS",
    "GROUPINGS",
    "POST_ONLY_COLUMNS",
    "SUMMARY_COLUMNS",
    "UTILISATION_DOMAINS",
    "direction_label",
    "label_columns",
    "outcome_changes",
    "outcome_changes_lazy",
    "outcome_summary",
    "post_only_summary",
    "post_only_values",
    "utilisation_changes",
    "utilisation_changes_lazy",
    "utilisation_summary",
]
