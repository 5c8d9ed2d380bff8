"""casekit: the nine-stage case-management process on spreadsheet data.

The public front is small; everything else lives in modules a notebook rarely needs.

Examples
--------
>>> import casekit as ck
>>> data = ck.make_sample(20, seed=1)
>>> result = ck.validate(data, as_of=ck.SAMPLE_AS_OF)
>>> result.ok, result.data["cases"].height
(True, 20)
"""

from casekit import charts, cohort, learn
from casekit.data import CaseData, ValidationResult
from casekit.deid import Deidentified, deidentify
from casekit.errors import CasekitError, ConfigError, UnreadableFileError
from casekit.export import safe_frame, write_csv, write_workbook, write_xlsx
from casekit.io import read_workbook
from casekit.outcomes import outcome_changes, outcome_summary, utilisation_changes, utilisation_summary
from casekit.privacy import suppress_small_cells
from casekit.report import write_report
from casekit.risk import RiskModel, fairness_summary, load_model, score_risk
from casekit.sample import SAMPLE_AS_OF, make_sample
from casekit.stages import (
    ProcessConfig,
    case_status,
    events,
    flags_long,
    funnel,
    load_process_config,
    stage_durations,
    stage_entries,
    time_in_stage,
    to_process_mining,
    worklist,
    write_event_log,
)
from casekit.template import write_template
from casekit.validation import validate

__all__ = [
    "SAMPLE_AS_OF",
    "CaseData",
    "CasekitError",
    "ConfigError",
    "Deidentified",
    "ProcessConfig",
    "RiskModel",
    "UnreadableFileError",
    "ValidationResult",
    "case_status",
    "charts",
    "cohort",
    "deidentify",
    "events",
    "fairness_summary",
    "flags_long",
    "funnel",
    "learn",
    "load_model",
    "load_process_config",
    "make_sample",
    "outcome_changes",
    "outcome_summary",
    "read_workbook",
    "safe_frame",
    "score_risk",
    "stage_durations",
    "stage_entries",
    "suppress_small_cells",
    "time_in_stage",
    "to_process_mining",
    "utilisation_changes",
    "utilisation_summary",
    "validate",
    "worklist",
    "write_csv",
    "write_event_log",
    "write_report",
    "write_template",
    "write_workbook",
    "write_xlsx",
]
__version__ = "0.1.0"
