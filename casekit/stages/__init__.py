"""The stage engine: where every case stands as of a date, what is overdue, the event log."""

from casekit.stages._config import ProcessConfig, load_process_config
from casekit.stages._names import FLAGS, STAGES, flag_label, label_columns, stage_label
from casekit.stages._status import case_status, flags_long, worklist

__all__ = [
    "FLAGS",
    "STAGES",
    "ProcessConfig",
    "case_status",
    "flag_label",
    "flags_long",
    "label_columns",
    "load_process_config",
    "stage_label",
    "worklist",
]
