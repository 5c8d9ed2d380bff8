"""casekit: the nine-stage case-management process on spreadsheet data.

The public front is small; everything else lives in modules a notebook rarely needs.
Names are imported when first used (PEP 562): ``import casekit`` and ``casekit --help``
do not load altair (charts) or pandera (validation) until a chart or a validation needs them.

Examples
--------
>>> import casekit as ck
>>> data = ck.make_sample(20, seed=1)
>>> result = ck.validate(data, as_of=ck.SAMPLE_AS_OF)
>>> result.ok, result.data["cases"].height
(True, 20)
"""

import importlib
from typing import TYPE_CHECKING

#: Public name → the module that defines it (imported on first use).
_EXPORTS: dict[str, str] = {
    "AccessDenied": "casekit.errors",
    "CaseData": "casekit.data",
    "CasekitError": "casekit.errors",
    "ConfigError": "casekit.errors",
    "Deidentified": "casekit.deid",
    "ProcessConfig": "casekit.stages",
    "RecordRejected": "casekit.errors",
    "RiskModel": "casekit.risk",
    "SAMPLE_AS_OF": "casekit.sample",
    "StaleEdit": "casekit.errors",
    "UnreadableFileError": "casekit.errors",
    "ValidationResult": "casekit.data",
    "Workspace": "casekit.workspace",
    "case_status": "casekit.stages",
    "charts": "casekit.charts",
    "cohort": "casekit.cohort",
    "deidentify": "casekit.deid",
    "events": "casekit.stages",
    "fairness_summary": "casekit.risk",
    "flags_long": "casekit.stages",
    "funnel": "casekit.stages",
    "goal_attainment": "casekit.outcomes",
    "goal_progress": "casekit.outcomes",
    "learn": "casekit.learn",
    "load_measures": "casekit.measures",
    "load_model": "casekit.risk",
    "load_process_config": "casekit.stages",
    "make_sample": "casekit.sample",
    "open_caseload": "casekit.caseload",
    "outcome_changes": "casekit.outcomes",
    "outcome_summary": "casekit.outcomes",
    "post_only_summary": "casekit.outcomes",
    "post_only_values": "casekit.outcomes",
    "present": "casekit.present",
    "read_workbook": "casekit.io",
    "scan_caseload": "casekit.io",
    "readmissions": "casekit.stages",
    "safe_frame": "casekit.export",
    "score_risk": "casekit.risk",
    "stage_durations": "casekit.stages",
    "stage_entries": "casekit.stages",
    "suppress_small_cells": "casekit.privacy",
    "time_in_stage": "casekit.stages",
    "to_process_mining": "casekit.stages",
    "utilisation_changes": "casekit.outcomes",
    "utilisation_rate_summary": "casekit.outcomes",
    "utilisation_rates": "casekit.outcomes",
    "utilisation_summary": "casekit.outcomes",
    "validate": "casekit.validation",
    "worklist": "casekit.stages",
    "write_csv": "casekit.export",
    "write_event_log": "casekit.stages",
    "write_report": "casekit.report",
    "write_template": "casekit.template",
    "write_workbook": "casekit.export",
    "write_xlsx": "casekit.export",
}

if TYPE_CHECKING:  # what type checkers and editors see; the same names as _EXPORTS (tested)
    from casekit import charts, cohort, learn, present
    from casekit.caseload import open_caseload
    from casekit.data import CaseData, ValidationResult
    from casekit.deid import Deidentified, deidentify
    from casekit.errors import AccessDenied, CasekitError, ConfigError, RecordRejected, StaleEdit, UnreadableFileError
    from casekit.export import safe_frame, write_csv, write_workbook, write_xlsx
    from casekit.io import read_workbook, scan_caseload
    from casekit.measures import load_measures
    from casekit.outcomes import (
        goal_attainment,
        goal_progress,
        outcome_changes,
        outcome_summary,
        post_only_summary,
        post_only_values,
        utilisation_changes,
        utilisation_rate_summary,
        utilisation_rates,
        utilisation_summary,
    )
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
        readmissions,
        stage_durations,
        stage_entries,
        time_in_stage,
        to_process_mining,
        worklist,
        write_event_log,
    )
    from casekit.template import write_template
    from casekit.validation import validate
    from casekit.workspace import Workspace

__all__ = [
    "SAMPLE_AS_OF",
    "AccessDenied",
    "CaseData",
    "CasekitError",
    "ConfigError",
    "Deidentified",
    "ProcessConfig",
    "RecordRejected",
    "RiskModel",
    "StaleEdit",
    "UnreadableFileError",
    "ValidationResult",
    "Workspace",
    "case_status",
    "charts",
    "cohort",
    "deidentify",
    "events",
    "fairness_summary",
    "flags_long",
    "funnel",
    "goal_attainment",
    "goal_progress",
    "learn",
    "load_measures",
    "load_model",
    "load_process_config",
    "make_sample",
    "open_caseload",
    "outcome_changes",
    "outcome_summary",
    "post_only_summary",
    "post_only_values",
    "present",
    "read_workbook",
    "readmissions",
    "safe_frame",
    "scan_caseload",
    "score_risk",
    "stage_durations",
    "stage_entries",
    "suppress_small_cells",
    "time_in_stage",
    "to_process_mining",
    "utilisation_changes",
    "utilisation_rate_summary",
    "utilisation_rates",
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


def __getattr__(name: str) -> object:
    """Import a public name on first use and keep it (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'casekit' has no attribute {name!r}")
    value = importlib.import_module(module)
    if module != f"casekit.{name}":  # a name defined in the module, not the module itself
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
