"""Containers passed between reading, validation and the stage logic.

``CaseData`` is what :func:`casekit.read_workbook` returns: one polars frame per
canonical sheet (canonical column names, parsed types, the spreadsheet row number in
``_row``, unknown extra columns kept at the end) plus the problems met while parsing.

Examples
--------
>>> import polars as pl
>>> d = CaseData({"cases": pl.DataFrame({"case_id": ["007"], "_row": [2]})})
>>> d["cases"]["case_id"].to_list()
['007']
>>> "goals" in d
False
>>> d.issues.columns
['sheet', 'row', 'column', 'value', 'check', 'severity', 'arg']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import polars as pl

from casekit.contract import VOCABS, Column

#: Polars dtype of each contract column kind (``Column.kind``).
DTYPES: dict[str, pl.DataType] = {
    "id": pl.String(),
    "text": pl.String(),
    "category": pl.String(),
    "date": pl.Date(),
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "float": pl.Float64(),
}


@functools.cache
def category_enum(vocab: str) -> pl.Enum:
    """The ``pl.Enum`` a category column of vocabulary ``vocab`` holds in the typed sheets the
    reader returns and in a validation result's clean data: its ids, **sorted**, so the
    Enum sorts, and gives its min and max, as the text does (1 byte a row, not a 16-byte text).

    >>> category_enum("sex").categories.to_list()
    ['female', 'male', 'other', 'unknown']
    """
    return pl.Enum(sorted(VOCABS[vocab]))


def column_dtype(col: Column) -> pl.DataType:
    """The dtype of contract column ``col`` as read and validated: :data:`DTYPES` of its kind,
    and :func:`category_enum` of its vocabulary for a category column.

    >>> from casekit.contract import SHEETS
    >>> column_dtype(SHEETS["cases"].columns["sex"]), column_dtype(SHEETS["cases"].columns["case_id"])
    (Enum(categories=['female', 'male', 'other', 'unknown']), String)
    """
    if col.kind == "category" and col.vocab is not None:
        return category_enum(col.vocab)
    return DTYPES[col.kind]


def as_category(values: pl.Series, col: Column) -> pl.Series | None:
    """The text ``values`` of category column ``col`` as its Enum (:func:`column_dtype`) when
    every one is an id of its vocabulary or null, else None (labels, blanks, values outside
    the vocabulary, or not text): one hashed cast, for the reader and for ``validate``.

    >>> from casekit.contract import SHEETS
    >>> sex = SHEETS["cases"].columns["sex"]
    >>> as_category(pl.Series("r", ["female", None]), sex).dtype
    Enum(categories=['female', 'male', 'other', 'unknown'])
    >>> as_category(pl.Series("r", ["female", "Mujer"]), sex) is None
    True
    """
    if values.dtype != pl.String:
        return None
    try:
        return values.cast(column_dtype(col))
    except pl.exceptions.InvalidOperationError:
        return None


def as_text(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every Enum column cast back to text (the edge: exports, forms, the
    workspace, pages that process the text).

    >>> df = pl.DataFrame({"sex": ["male"]}, schema={"sex": category_enum("sex")})
    >>> as_text(df).schema["sex"]
    String
    """
    enums = [n for n, t in df.schema.items() if isinstance(t, pl.Enum)]
    return df.with_columns(pl.col(enums).cast(pl.String)) if enums else df


#: Problems as found (language-neutral): ``check`` is a stable id, ``arg`` an optional
#: detail (a bound, the other column…) used to fill the message.
ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "sheet": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "check": pl.String(),
    "severity": pl.String(),
    "arg": pl.String(),
}

#: The validation report users see (``message`` in their language).
REPORT_SCHEMA: dict[str, pl.DataType] = {
    "sheet": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "check": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
}


def empty_issues() -> pl.DataFrame:
    """An issue frame with no rows."""
    return pl.DataFrame(schema=ISSUE_SCHEMA)


@dataclass(frozen=True)
class CaseData:
    """A case workbook: ``sheets[name]`` is a polars frame per canonical sheet id.

    ``headers[sheet]`` maps canonical column ids to the header as written in the
    file, and ``headers[sheet]["__sheet__"]`` the sheet's name in the file, so reports
    can speak the user's own words.
    """

    sheets: dict[str, pl.DataFrame]
    issues: pl.DataFrame = field(default_factory=empty_issues)
    source: str = ""
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def __getitem__(self, sheet: str) -> pl.DataFrame:
        return self.sheets[sheet]

    def __contains__(self, sheet: object) -> bool:
        return sheet in self.sheets

    def get(self, sheet: str) -> pl.DataFrame | None:
        """The sheet's frame, or ``None`` when the workbook has no such sheet."""
        return self.sheets.get(sheet)

    def n_rows(self) -> dict[str, int]:
        """Row count per sheet."""
        return {name: df.height for name, df in self.sheets.items()}


@dataclass(frozen=True)
class ValidationResult:
    """What :func:`casekit.validate` returns.

    ``data``: the clean rows (errors quarantined, warnings kept); ``quarantined``: the
    rows held back, per sheet, with their ``_row``; ``report``: every problem, one row
    each (:data:`REPORT_SCHEMA`).
    """

    data: CaseData
    report: pl.DataFrame
    quarantined: dict[str, pl.DataFrame]
    #: the problems as found (language-neutral, :data:`ISSUE_SCHEMA`-like), and the
    #: language ``report`` is written in: :func:`casekit.validation.report_for` renders
    #: another language without validating again.
    issues: pl.DataFrame | None = None
    lang: str = "en"

    @property
    def n_errors(self) -> int:
        return self.report.filter(pl.col("severity") == "error").height

    @property
    def n_warnings(self) -> int:
        return self.report.filter(pl.col("severity") == "warning").height

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return self.n_errors == 0

    def n_quarantined(self) -> dict[str, int]:
        """Rows quarantined per sheet."""
        return {name: df.height for name, df in self.quarantined.items() if df.height}

    def affected_cases(self) -> int:
        """Distinct cases with at least one quarantined row."""
        ids = [
            df.get_column("case_id").cast(pl.String)
            for df in self.quarantined.values()
            if "case_id" in df.columns and df.height
        ]
        return pl.concat(ids).drop_nulls().n_unique() if ids else 0
