"""casekit's exception types: one clear, translated message, never a traceback.

Examples
--------
>>> err = UnreadableFileError("io.empty_file", file="a.xlsx")
>>> err.message("es")
'El archivo «a.xlsx» está vacío.'
>>> isinstance(err, CasekitError)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casekit.i18n import t

if TYPE_CHECKING:
    import polars as pl


class CasekitError(Exception):
    """Base class. Carries a catalog key and parameters; ``message(lang)`` renders it."""

    def __init__(self, key: str, /, lang: str | None = None, **params: object) -> None:
        self.key = key
        self.params = params
        self.lang = lang
        super().__init__(self.message(lang))

    def message(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the language the error was raised with)."""
        return t(self.key, lang or self.lang, **self.params)


class UnreadableFileError(CasekitError):
    """The file cannot be read at all (empty, not a spreadsheet, encrypted, too large,
    a zip bomb, no ``cases`` sheet…)."""


class ConfigError(CasekitError):
    """A configuration or model file is invalid."""


class RecordRejected(CasekitError):  # noqa: N818 - the public name (issue 13)
    """A row offered to the workspace breaks the contract; nothing was written.

    ``report`` holds the problems as :func:`casekit.validate` reports them (same
    columns, same messages, in the language asked for).
    """

    def __init__(self, report: pl.DataFrame, /, lang: str | None = None) -> None:
        self.report = report
        messages = list(report.get_column("message"))  # a polars frame (REPORT_SCHEMA)
        super().__init__("workspace.rejected", lang=lang, problems=" ".join(messages))


class StaleEdit(CasekitError):  # noqa: N818 - the public name (issue 13)
    """Someone else saved the row since it was read (optimistic concurrency): ``who``, ``when``."""

    @property
    def who(self) -> str:
        return str(self.params.get("who"))

    @property
    def when(self) -> str:
        return str(self.params.get("when"))


class AccessDenied(CasekitError):  # noqa: N818 - the public name (issue 14)
    """The signed-in user's role does not allow this read or write (the refusal is audited).

    ``user`` is the e-mail asked with; ``case_id`` the case asked for, when there was one.
    """

    @property
    def user(self) -> str:
        return str(self.params.get("user"))
