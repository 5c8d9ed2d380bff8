"""The report's summary figures, gathered once for the workbook and the one-page PDF.

:func:`summary_sections` turns a :class:`~casekit.report.Report` into labelled sections
(key figures, the funnel, open items by priority and by kind, outcomes improved, use per member-month
before/after, validation). The workbook's summary sheet and the funder PDF both draw these
sections, so the two never disagree.

``for_sharing=True`` applies the small-cell rule of every shared output
(:func:`casekit.privacy.suppress_small_cells`): counts of 1 to ``min_cell - 1`` people
and the figures computed from them are blanked and marked ``suppressed``; zero is
shown. ``False`` gives the exact figures, for the team's own use.

Examples
--------
>>> from casekit.report import build_report
>>> from casekit.sample import SAMPLE_AS_OF, make_sample
>>> report = build_report(make_sample(60, seed=1), as_of=SAMPLE_AS_OF, lang="en")
>>> [s.key for s in summary_sections(report, lang="en")]
['key_figures', 'funnel', 'priorities', 'open_flags', 'outcomes', 'utilisation', 'validation']
>>> cases = summary_sections(report, lang="en", for_sharing=False)[0].rows[0]
>>> cases.label, cases.cells[0].value
('Cases (opened by the as-of date)', 60)
>>> hidden = summary_sections(report, lang="en", min_cell=61)[0].rows[0].cells[0]
>>> hidden.value is None and hidden.suppressed
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import polars as pl

from casekit.i18n import message, normalize_lang, t
from casekit.privacy import (
    MIN_CELL,
    cell_threshold,
    suppress_complementary,
    suppress_cumulative,
    suppress_small_cells,
    suppress_small_shares,
)

if TYPE_CHECKING:
    from casekit.report import Report

__all__ = ["Cell", "Row", "Section", "cell_kind", "summary_sections"]


class Cell(NamedTuple):
    """One figure: ``value`` (``None`` when missing or suppressed), how to show it
    (``kind``: ``int``, ``dec`` one decimal, ``dec2`` two decimals, ``pct``) and
    whether the small-cell rule blanked it."""

    value: float | None
    kind: str = "int"
    suppressed: bool = False


class Row(NamedTuple):
    """A labelled line of a section: ``key`` (stable id), ``label`` (in the language), ``cells``."""

    key: str
    label: str
    cells: tuple[Cell, ...]


class Section(NamedTuple):
    """A titled table of the summary: value ``headers``, ``rows`` and an optional ``note``."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[Row]
    note: str = ""


def cell_kind(value: float | None, kind: str) -> str:
    """The kind a value is shown with: a whole number is an integer (``19``, not ``19.0``).

    >>> cell_kind(19.0, "dec"), cell_kind(19.5, "dec"), cell_kind(0.25, "pct")
    ('int', 'dec', 'pct')
    """
    if kind == "dec" and value is not None and float(value).is_integer():
        return "int"
    return kind


def _cell(value: Any, kind: str = "int", *, hidden: bool = False) -> Cell:
    if hidden:
        return Cell(None, kind, True)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell(None, kind)
    number = int(value) if cell_kind(value, kind) == "int" and kind != "pct" else float(value)
    return Cell(number, cell_kind(number, kind))


def _hidden(df: pl.DataFrame, counts: Sequence[str], min_cell: int) -> pl.DataFrame:
    """Which count cells the small-cell rule blanks (one boolean column per count)."""
    kept = suppress_small_cells(df.select(counts), list(counts), min_cell=min_cell)
    return pl.DataFrame({c: df[c].is_not_null() & kept[c].is_null() for c in counts})


def _line_hidden(df: pl.DataFrame, key: str, count: str, min_cell: int) -> pl.Series:
    """Which cells of ``count`` to blank in a column whose total is public elsewhere in the
    summary (cases by current stage add up to the cases): the small cells and their
    complements (:func:`casekit.privacy.suppress_complementary`).

    >>> df = pl.DataFrame({"stage": ["a", "b", "c"], "n": [40, 4, 30]})
    >>> _line_hidden(df, "stage", "n", 11).to_list()
    [False, True, True]
    """
    shown = suppress_complementary(df.select(key, count), count, by=[key], min_cell=min_cell)
    return (df[count].is_not_null() & shown[count].is_null()).alias(count)


def _shares_hidden(df: pl.DataFrame, shares: dict[str, str], min_cell: int) -> pl.Series:
    """Which rows' shares give a small count back beside their denominator (5 % of 40 is 2
    people; :func:`casekit.privacy.suppress_small_shares`).

    >>> df = pl.DataFrame({"pairs": [40, 40], "share": [0.05, 0.5]})
    >>> _shares_hidden(df, {"share": "pairs"}, 11).to_list()
    [True, False]
    """
    cols = list(dict.fromkeys([*shares, *shares.values()]))
    return suppress_small_shares(df.select(cols), shares, min_cell=min_cell)["suppressed"]


def _row_hidden(values: dict[str, Any], counts: Sequence[str], min_cell: int, *, share: bool = False) -> bool:
    """A key figure's counts are small; ``share``: the figure is ``counts[0] / counts[1]``,
    hidden too when the complement ``counts[1] - counts[0]`` is small."""
    frame = pl.DataFrame({c: [values.get(c)] for c in counts}, schema=dict.fromkeys(counts, pl.Int64))
    if share and len(counts) == 2:
        num, den = counts
        ratio = frame.select((pl.col(num) / pl.col(den)).alias("__share"), den)
        if _shares_hidden(ratio, {"__share": den}, min_cell).item():
            return True
    return any(_hidden(frame, counts, min_cell).row(0))


# key figure -> (kind, the counts of people it is computed from)
_KEY_FIGURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cases": ("int", ("cases",)),
    "open_cases": ("int", ("open_cases",)),
    "closed_cases": ("int", ("closed_cases",)),
    "high_risk_share": ("pct", ("high_risk_cases", "tiered_cases")),
    "open_flags": ("int", ("open_flags",)),
    "median_days_to_plan": ("dec", ("plan_cases",)),
    "paired_measures": ("int", ("paired_measures",)),
    "improved_share": ("pct", ("improved_measures", "paired_measures")),
}
_VALIDATION: dict[str, tuple[str, tuple[str, ...]]] = {
    "errors": ("int", ()),
    "warnings": ("int", ()),
    "quarantined_rows": ("int", ()),
    "affected_cases": ("int", ("affected_cases",)),
}


#: Key figures that add up to another one shown beside them (open + closed = cases): when
#: one is blanked, its complement is too.
_FIGURE_LINES: tuple[tuple[str, ...], ...] = (("open_cases", "closed_cases"),)


def _figure_rows(report: Report, spec: dict[str, tuple[str, tuple[str, ...]]], lang: str, min_cell: int) -> list[Row]:
    complements: set[str] = set()
    for line in _FIGURE_LINES:
        if all(k in spec for k in line):
            df = pl.DataFrame(
                {"k": list(line), "n": [report.figures.get(k) for k in line]}, schema={"k": pl.String, "n": pl.Int64}
            )
            complements |= {k for k, h in zip(line, _line_hidden(df, "k", "n", min_cell), strict=True) if h}
    rows = []
    if "improved_share" in spec and "outcome_changes" in report.sheets:
        # the overall row of the outcome summary (the Outcomes page downloads it too)
        shown, exact = (_by_domain(report, (), cut).row(0, named=True) for cut in (min_cell, 1))
        figures = {"paired_measures": "n_pairs", "improved_share": "pct_improved_any"}
        complements |= {k for k, c in figures.items() if shown[c] is None and exact[c] is not None}
    for key, (kind, counts) in spec.items():
        hidden = key in complements or (
            bool(counts) and _row_hidden(report.figures, counts, min_cell, share=kind == "pct")
        )
        rows.append(Row(key, t(f"report.fig_{key}", lang), (_cell(report.figures.get(key), kind, hidden=hidden),)))
    return rows


def _funnel(report: Report, lang: str, min_cell: int) -> Section:
    from casekit.stages import funnel, stage_label

    reached = funnel(report.sheets["status"]).sort("stage_number")
    # each stage's reached is within the one before (the first within the cases): no difference
    # of two shown counts may be a small cell either (casekit.privacy.suppress_cumulative)
    kept = suppress_cumulative(reached, "cases", total=report.figures["cases"], min_cell=min_cell)
    reached = reached.select("stage", pl.col("cases").alias("reached"), kept["suppressed"].alias("__hidden"))
    table = report.by_stage.rename({"cases": "now"}).join(reached, on="stage", how="left", maintain_order="left")
    # cases by current stage add up to the cases shown among the key figures
    hidden = pl.DataFrame({"reached": table["__hidden"].fill_null(value=False)})
    hidden = hidden.with_columns(_line_hidden(table, "stage", "now", min_cell))
    table = table.drop("__hidden")
    rows = [
        Row(stage, stage_label(stage, lang), (_cell(r, hidden=hr), _cell(n, hidden=hn)))
        for (stage, n, r), (hr, hn) in zip(table.iter_rows(), hidden.iter_rows(), strict=True)
    ]
    headers = (t("printing.col_reached", lang), t("printing.col_now", lang))
    return Section("funnel", t("printing.funnel", lang), headers, rows, t("printing.funnel_note", lang))


def _open_items(report: Report, lang: str, min_cell: int) -> Section:
    """Worklist items by priority class (1 safety … 6 data, :func:`casekit.stages.priority_counts`)."""
    from casekit.stages import priority_counts, priority_label

    counts = priority_counts(report.sheets["worklist"])
    table = pl.DataFrame(
        {"priority": list(counts), "items": list(counts.values())}, schema={"priority": pl.Int64, "items": pl.Int64}
    )
    hidden = _hidden(table, ["items"], min_cell)["items"]  # no total of items is shown: a blank stays a blank
    rows = [
        Row(str(p), priority_label(p, lang), (_cell(n, hidden=h),))
        for (p, n), h in zip(table.iter_rows(), hidden, strict=True)
    ]
    headers = (t("printing.col_items", lang),)
    return Section("priorities", t("printing.priorities", lang), headers, rows, t("printing.priorities_note", lang))


def _open_flags(report: Report, lang: str, min_cell: int) -> Section:
    from casekit.stages import flag_label

    flags = report.flags
    hidden = _hidden(flags, ["cases"], min_cell)["cases"]
    rows = [
        Row(flag, flag_label(flag, lang), (_cell(n, hidden=h),))
        for (flag, n), h in zip(flags.iter_rows(), hidden, strict=True)
    ]
    return Section("open_flags", t("report.open_flags", lang), (t("printing.col_cases", lang),), rows)


def _by_domain(report: Report, by: tuple[str, ...], min_cell: int) -> pl.DataFrame:
    """The outcome summary of the report's pairs grouped by ``by``, through the one rule for
    shared grouped tables (:func:`casekit.privacy.suppress_linked`): the by-domain rows and the
    key figures blank what the Outcomes page's downloads of the same workspace blank."""
    from casekit.data import CaseData
    from casekit.outcomes import outcome_summary

    return outcome_summary(
        CaseData({}), by=by, changes=report.sheets["outcome_changes"], min_cell=min_cell, for_sharing=min_cell > 1
    )


def _outcomes(report: Report, lang: str, min_cell: int) -> Section:
    """Paired measures by domain: cases, share improved, and share improved by at least
    the measure's MCID (``improved`` of :func:`casekit.outcome_changes`; any improvement
    where the measures catalogue has no MCID). The same figures as the outcome summary by
    domain, blanked the same way, so the two downloads cannot be differenced."""
    from casekit.present import column_labels

    by_domain = _by_domain(report, ("domain",), min_cell).filter(pl.col("n_cases") > 0)
    exact = _by_domain(report, ("domain",), 1).select("domain", "n_pairs")
    by_domain = by_domain.join(exact, on="domain", how="left", suffix="_exact", maintain_order="left")
    by_domain = by_domain.filter(pl.col("n_pairs_exact") > 0).sort("n_pairs_exact", "domain", descending=[True, False])
    labels = by_domain["domain"].replace(column_labels("domain", lang))
    rows = []
    for d, label in zip(by_domain.iter_rows(named=True), labels, strict=True):
        cells = (
            _cell(d["n_paired"], hidden=d["n_paired"] is None),
            _cell(d["pct_improved_any"], "pct", hidden=d["pct_improved_any"] is None),
            _cell(d["pct_improved"], "pct", hidden=d["pct_improved"] is None),
        )
        rows.append(Row(d["domain"], label, cells))
    headers = (t("printing.col_cases", lang), t("printing.col_improved", lang), t("printing.col_mcid", lang))
    return Section("outcomes", t("printing.outcomes", lang), headers, rows, t("printing.mcid_note", lang))


def _measure_label(measure: str, lang: str) -> str:
    key = f"charts.measure_{measure}"
    return t(key, lang) if message(key) is not None else measure


def _utilisation(report: Report, lang: str, min_cell: int) -> Section:
    """Use per member-month before and after (:func:`casekit.outcomes.utilisation_rate_summary`):
    cases used, the rate in each window, the change; with the regression-to-the-mean caveat."""
    from casekit.present import vocabulary

    rates = report.sheets["utilisation_rates"]
    if "suppressed" not in rates.columns:
        rates = rates.with_columns(pl.lit(value=False).alias("suppressed"))
    # the report's rate summary already blanks its own small groups
    hidden = _hidden(rates, ["n_used"], min_cell)["n_used"] | rates["suppressed"].fill_null(value=False)
    units = vocabulary("rate_unit", lang)
    rows = []
    for u, h in zip(rates.iter_rows(named=True), hidden, strict=True):
        cells = (
            _cell(u["n_used"], hidden=h),
            _cell(u["rate_before"], "dec2", hidden=h),
            _cell(u["rate_after"], "dec2", hidden=h),
            _cell(u["pct_change"], "pct", hidden=h),
        )
        label = f"{_measure_label(u['measure'], lang)}, {units.get(u['rate_unit'], u['rate_unit'])}"
        rows.append(Row(u["measure"], label, cells))
    headers = tuple(t(f"printing.col_{k}", lang) for k in ("cases", "before", "after", "change"))
    return Section("utilisation", t("printing.utilisation", lang), headers, rows, t("outcomes.rtm_caveat", lang))


def summary_sections(
    report: Report, *, lang: str = "es", for_sharing: bool = True, min_cell: int = MIN_CELL
) -> list[Section]:
    """The summary's sections, in ``lang``: ``key_figures, funnel, priorities, open_flags,
    outcomes, utilisation, validation``.

    ``for_sharing=True`` (the default, for anything that leaves the team) blanks
    counts of 1 to ``min_cell - 1`` people and what is computed from them; each such
    :class:`Cell` has ``suppressed=True``. ``for_sharing=False`` shows exact figures.
    """
    lang = normalize_lang(lang)
    cut = cell_threshold(for_sharing=for_sharing, min_cell=min_cell)
    value = (t("report.value", lang),)
    validation = _figure_rows(report, _VALIDATION, lang, cut)
    status = "validation_ok" if report.figures["errors"] == 0 else "validation_errors"
    return [
        Section("key_figures", t("report.key_figures", lang), value, _figure_rows(report, _KEY_FIGURES, lang, cut)),
        _funnel(report, lang, cut),
        _open_items(report, lang, cut),
        _open_flags(report, lang, cut),
        _outcomes(report, lang, cut),
        _utilisation(report, lang, cut),
        Section("validation", t("printing.validation", lang), value, validation, t(f"printing.{status}", lang)),
    ]
