"""casekit: the nine-stage case-management process on spreadsheet data."""

from casekit.data import CaseData, ValidationResult
from casekit.errors import CasekitError, UnreadableFileError

__all__ = ["CaseData", "CasekitError", "UnreadableFileError", "ValidationResult"]
__version__ = "0.1.0"
