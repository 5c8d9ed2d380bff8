"""Helpers of the Explore screen (researchers), pure polars, no Streamlit.

- :func:`filter_options` / :func:`option_label` / :func:`make_filter`: what each filter
  offers (values present in the cohort, in their natural order, blanks as
  :data:`BLANK`), how a value reads, and the widgets' choices as a
  :class:`~casekit.cohort.CohortFilter`;
- :func:`group_rows` / :func:`comparison_rows`: tables ready to be read once
  (``widgets.show_table``); :func:`readable_groups` / :func:`readable_comparison`: as a
  person reads them (downloads);
- :func:`event_log_csv` / :func:`deidentified_extract`: the exports' bytes.

Examples
--------
>>> import datetime as dt
>>> cohort = pl.DataFrame({"effective_tier": ["high", None, "low"], "program": ["b", "a", "a"]})
>>> filter_options(cohort)["tiers"]
['low', 'high', '__blank__']
>>> option_label("tiers", BLANK, "es"), option_label("tiers", "high", "en")
('(vacío)', 'High')
>>> make_filter({"tiers": ["high", BLANK]}).tiers
('high', None)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from casekit.charts import label_expr
from casekit.cohort import FILTER_COLUMNS, CohortComparison, CohortFilter, cohort_events
from casekit.contract import VOCABS
from casekit.data import CaseData, ValidationResult
from casekit.i18n import t
from casekit.present import column_labels, readable, screen_headers
from casekit.risk.fairness import AGE_BANDS
from casekit.risk.model import TIERS
from casekit.stages import STAGES, stage_label, to_process_mining

__all__ = [
    "BLANK",
    "EXTRACT_FORMATS",
    "ExtractDownload",
    "comparison_rows",
    "deidentified_extract",
    "endpoint_label",
    "event_log_csv",
    "filter_options",
    "group_rows",
    "make_filter",
    "option_label",
    "readable_comparison",
    "readable_groups",
]

#: The screen's catalogue: its own words for a header (``ui_explore.col_<column>``).
SCREEN = "ui_explore"
#: The option standing for "blank" in a filter (cases where the column is empty).
BLANK = "__blank__"
_NATURAL: dict[str, tuple[str, ...]] = {
    "tiers": TIERS,
    "stages": STAGES,
    "sexes": tuple(VOCABS["sex"]),
    "age_bands": AGE_BANDS,
}


def filter_options(cohort: pl.DataFrame) -> dict[str, list[str]]:
    """Per filter field, the values present in the cohort (natural order for tiers,
    stages, sexes and age bands; alphabetical otherwise), then :data:`BLANK` when some
    cases have the column empty."""
    out: dict[str, list[str]] = {}
    for field, column in FILTER_COLUMNS.items():
        if column not in cohort.columns:
            out[field] = []
            continue
        values = cohort.get_column(column).unique()
        present = set(values.drop_nulls().to_list())
        natural = _NATURAL.get(field)
        ordered = [v for v in natural if v in present] if natural else []
        ordered += sorted(present - set(ordered))
        out[field] = ordered + ([BLANK] if values.null_count() else [])
    return out


def option_label(field: str, value: str, lang: str) -> str:
    """How a filter value reads in ``lang`` (labels for tiers, stages and sexes)."""
    if value == BLANK:
        return t("charts.blank", lang)
    return column_labels(FILTER_COLUMNS[field], lang).get(value, value)


def make_filter(
    choices: Mapping[str, Iterable[str]], opened: tuple[dt.date | None, dt.date | None] = (None, None)
) -> CohortFilter:
    """The widgets' choices (``{field: values}``, :data:`BLANK` for blanks) and the
    opening-date range as a :class:`~casekit.cohort.CohortFilter`."""
    values = {field: tuple(None if v == BLANK else v for v in choices.get(field, ())) for field in FILTER_COLUMNS}
    return CohortFilter(**values, opened_from=opened[0], opened_to=opened[1])


def endpoint_label(stage: str, lang: str, *, start: bool = False) -> str:
    """A stage as one end of a time between stages (stage 1 as the start reads "Opening").

    >>> endpoint_label("screening", "en", start=True), endpoint_label("planning", "es")
    ('Opening', 'Planificación')
    """
    return t("cohort.opened", lang) if start and stage == "screening" else stage_label(stage, lang)


def group_rows(table: pl.DataFrame, *, by: Iterable[str], measure: str, lang: str) -> pl.DataFrame:
    """A :func:`~casekit.cohort.group_measure` table ready to be read (numbers as computed):
    group labels (blanks as a group of their own); counts equal to the group's case count
    are shown once.

    >>> tb = pl.DataFrame({"sex": ["female", None], "n_cases": [20, 3], "n": [20, 3], "share": [0.8695, 0.1304]})
    >>> group_rows(tb, by=["sex"], measure="share", lang="es").rows()
    [('Mujer', 20, 0.8695), ('(vacío)', 3, 0.1304)]
    """
    keys = list(by)
    same = {"count": ["n_cases", "n"], "share": ["n"]}.get(measure, [])  # equal to the count: shown once
    return table.drop(same, strict=False).with_columns(
        label_expr(k, column_labels(k, lang), lang).alias(k) for k in keys
    )


def readable_groups(
    table: pl.DataFrame, *, by: Iterable[str], measure: str, lang: str, keep_types: bool = False
) -> pl.DataFrame:
    """:func:`group_rows` as a person reads it (:func:`casekit.present.readable`, headers
    from ``columns.toml`` but for the screen's own words, ``ui_explore.col_*``).
    ``keep_types``: numbers stay numbers (a spreadsheet download).

    >>> tb = pl.DataFrame({"sex": ["female", None], "n_cases": [20, 3], "n": [20, 3], "share": [0.8695, 0.1304]})
    >>> readable_groups(tb, by=["sex"], measure="share", lang="es").rows(named=True)[1]
    {'Sexo': '(vacío)', 'Casos': '3', 'Proporción': '13,0\\xa0%'}
    """
    rows = group_rows(table, by=by, measure=measure, lang=lang)
    return readable(rows, lang, headers=screen_headers(SCREEN, rows.columns, lang), keep_types=keep_types)


def comparison_rows(
    comparison: CohortComparison, measure_names: Mapping[str, str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The outcomes and time-to-plan tables of an A vs B comparison ready to be read,
    measures renamed by ``measure_names`` (others as written)."""
    outcomes = comparison.outcomes
    if measure_names and "measure" in outcomes.columns:
        outcomes = outcomes.with_columns(pl.col("measure").replace(dict(measure_names)))
    return outcomes, comparison.time_to_plan


def readable_comparison(
    comparison: CohortComparison,
    lang: str,
    *,
    measure_names: Mapping[str, str] | None = None,
    keep_types: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`comparison_rows` as a person reads them (:func:`casekit.present.readable`;
    each header says its cohort, A or B).

    >>> from casekit.cohort import CohortComparison
    >>> cmp = CohortComparison(pl.DataFrame({"measure": ["PHQ-9"], "n_paired_a": [3], "pct_improved_a": [0.5]}),
    ...                        pl.DataFrame({"n_a": [4], "median_days_a": [12.345]}))
    >>> outcomes, plan = readable_comparison(cmp, "es")
    >>> outcomes.columns, outcomes.row(0)
    (['Medida', 'Casos con pareja de valores A', 'Mejoran A'], ('PHQ-9', '3', '50,0\\xa0%'))
    >>> plan.columns, plan.row(0)  # the screen's own words for ``n_a``
    (['Llegaron a planificación A', 'Mediana de días A'], ('4', '12,3'))
    """
    outcomes, plan = (
        readable(frame, lang, headers=screen_headers(SCREEN, frame.columns, lang), keep_types=keep_types)
        for frame in comparison_rows(comparison, measure_names)
    )
    return outcomes, plan


def event_log_csv(events: pl.DataFrame, cohort: pl.DataFrame) -> bytes:
    """The cohort's event log in process-mining columns (``case:concept:name``,
    ``concept:name``, ``time:timestamp``…) as a UTF-8 CSV, formula-safe (as
    :func:`casekit.write_event_log` writes it).

    >>> log = pl.DataFrame({"case_id": ["A", "B"], "stage": ["screening"] * 2, "activity": ["case_opened"] * 2,
    ...                     "timestamp": [dt.date(2026, 3, 1)] * 2})
    >>> for line in event_log_csv(log, pl.DataFrame({"case_id": ["B"]})).decode().splitlines():
    ...     print(line)
    "case:concept:name","concept:name","time:timestamp","stage"
    "B","case_opened","2026-03-01 00:00:00","screening"
    """
    from casekit.export import write_csv

    return write_csv(to_process_mining(cohort_events(events, cohort)), lang="en", bom=False) or b""


#: Formats of the de-identified extract: one Excel workbook, or a ZIP of one CSV per sheet
#: (Excel takes about a second per thousand cases; CSV suits large cohorts).
EXTRACT_FORMATS = ("xlsx", "zip")


@dataclass(frozen=True)
class ExtractDownload:
    """A prepared de-identified extract: the file's bytes and what the page says about it
    (``explained``: per column; ``steps``: what k-anonymity took, ``step, cases``, for
    :func:`casekit.present.readable`; ``anonymity``:
    one sentence; ``cases``: cases in the file). ``key`` is the extract's key (64 hex digits), to
    show once and then forget (:meth:`without_key`); ``key_file`` the bytes of the key file written
    beside the extract (:meth:`casekit.deid.Deidentified.write` with ``save_key=True``) when asked,
    else ``None``."""

    data: bytes
    explained: pl.DataFrame
    steps: pl.DataFrame
    anonymity: str
    cases: int
    key: str = dataclasses.field(default="", repr=False)
    key_file: bytes | None = dataclasses.field(default=None, repr=False)

    def without_key(self) -> ExtractDownload:
        """The same download with the key forgotten (what the session keeps once it was shown);
        the key file stays when the user asked for it.

        >>> e = ExtractDownload(b"x", pl.DataFrame(), pl.DataFrame(), "", 0, key="ab" * 32)
        >>> e.without_key().key, e.without_key().key_file
        ('', None)
        """
        return dataclasses.replace(self, key="")


def deidentified_extract(
    data: CaseData | ValidationResult,
    case_ids: pl.Series,
    *,
    dates: str = "shift",
    lang: str = "es",
    as_of: dt.date | None = None,
    fmt: str = "xlsx",
    drop_identifiers: bool = False,
    key: str | None = None,
    save_key: bool = False,
) -> ExtractDownload:
    """A de-identified extract of the cohort's cases (:func:`casekit.deid.deidentify`,
    k-anonymity 5) as the bytes of an XLSX workbook (``fmt="xlsx"``) or of a ZIP of CSV files
    (``"zip"``), with what was done to each column and to reach k-anonymity, in ``lang``.

    ``key``: the key of an earlier extract (64 hex digits, :func:`casekit.deid.check_key`; a word
    raises :class:`casekit.deid.WeakKeyError`), so that both extracts give a case the same
    pseudonym and the same date shift; ``None`` (or blank) draws a fresh random key, returned as
    ``.key`` for the page to show once: two such exports cannot be linked. ``save_key=True``
    also returns the key file the library writes beside the extract (``.key_file``), never
    inside it. Kept text that looks like identifiers raises
    :class:`casekit.deid.IdentifiersFoundError` (its message lists the cells), or is emptied
    with ``drop_identifiers=True``.

    >>> from casekit.sample import make_sample
    >>> from casekit.deid import new_key
    >>> book, k = make_sample(12, seed=1), new_key()
    >>> one = deidentified_extract(book, book["cases"]["case_id"], fmt="zip", key=k, save_key=True)
    >>> one.key == k, one.key_file == f"{k}\\n".encode(), k.encode() in one.data
    (True, True, False)
    >>> deidentified_extract(book, book["cases"]["case_id"], fmt="zip").key_file is None
    True
    """
    from casekit.deid import Deidentified, deidentify

    if fmt not in EXTRACT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(EXTRACT_FORMATS)}")
    on_identifiers = "drop" if drop_identifiers else "refuse"
    given = "".join((key or "").split()) or None
    extract = deidentify(data, key=given, case_ids=case_ids, dates=dates, as_of=as_of, on_identifiers=on_identifiers)  # type: ignore[arg-type]  # dates and on_identifiers are checked Literal values passed on as str
    key_file = None
    with tempfile.TemporaryDirectory(prefix="casekit_deid_") as tmp:
        if fmt == "xlsx":
            written = extract.write(Path(tmp) / "extract.xlsx", lang=lang, save_key=save_key)
            payload = written.read_bytes()
        else:
            written = extract.write(Path(tmp) / "extract", lang=lang, format="csv", save_key=save_key)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for file in sorted(written.iterdir()):
                    archive.write(file, arcname=file.name)
            payload = buffer.getvalue()
        if save_key:
            key_file = Deidentified.key_path(written).read_bytes()
    steps = extract.explain_steps(lang)
    cases = extract.data["cases"].height if "cases" in extract.data.sheets else 0
    explained, line = extract.explain(lang), extract.anonymity_line(lang)
    return ExtractDownload(payload, explained, steps, line, cases, key=extract.key, key_file=key_file)
