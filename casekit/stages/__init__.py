"""The stage engine: where every case stands as of a date, what is overdue, the event log.

Examples
--------
>>> import casekit.stages as st
>>> from casekit.sample import SAMPLE_AS_OF, make_sample
>>> data = make_sample(50, seed=1)
>>> status = st.case_status(data, as_of=SAMPLE_AS_OF, risk=st.NO_RISK)
>>> status.height, status.columns[:3]
(50, ['case_id', 'current_stage', 'current_stage_number'])
>>> st.funnel(status)["stage"].to_list()[:2]
['screening', 'assessment']
"""

from casekit.stages._config import DEFAULT_PROCESS_FILE, ProcessConfig, load_process_config
from casekit.stages._events import events, sink_events, to_process_mining, write_event_log
from casekit.stages._names import (
    FLAGS,
    STAGE_NUMBER,
    STAGES,
    flag_label,
    priority_label,
    stage_label,
)
from casekit.stages._obligations import open_red_flags, red_flag_dates
from casekit.stages._status import (
    NO_RISK,
    PRIORITIES,
    PRIORITY,
    TIER_ORDER,
    case_status,
    flags_long,
    open_flag_count,
    priority_counts,
    stage_entries,
    status_data,
    worklist,
)
from casekit.stages._transitions import contacts_of, post_transition_contacts, readmissions, transitions_until
from casekit.stages._views import duration_summary, funnel, stage_durations, time_in_stage

__all__ = [
    "DEFAULT_PROCESS_FILE",
    "FLAGS",
    "NO_RISK",
    "PRIORITIES",
    "PRIORITY",
    "STAGES",
    "STAGE_NUMBER",
    "TIER_ORDER",
    "ProcessConfig",
    "case_status",
    "contacts_of",
    "duration_summary",
    "events",
    "flag_label",
    "flags_long",
    "funnel",
    "load_process_config",
    "open_flag_count",
    "open_red_flags",
    "post_transition_contacts",
    "priority_counts",
    "priority_label",
    "readmissions",
    "red_flag_dates",
    "sink_events",
    "stage_durations",
    "stage_entries",
    "stage_label",
    "status_data",
    "time_in_stage",
    "to_process_mining",
    "transitions_until",
    "worklist",
    "write_event_log",
]
