"""The workbook report: one XLSX a team opens to see where its caseload stands.

:func:`write_report` validates the data (or takes a validation result), applies the
stage engine, the risk model and the outcome evaluation as of a date, and writes:

- a **summary** sheet: title, source file, as-of date, key figures (cases, open cases,
  cases by current stage, share of open cases at high risk, open flags by kind, median
  days from opening to a complete plan, % of paired measures improved, quarantined
  rows) and charts as PNG images;
- sheets for case status (flags joined by ``, ``), worklist, risk, outcome changes,
  outcome summary, utilisation and cost, goal attainment, 30-day readmissions (as
  :func:`casekit.readmissions` computes them, HEDIS PCR / CMS HRRP style) and the
  validation report.

Headers, sheet names and labels are in ``lang``; headers are frozen, columns sized,
dates are date cells, shares are percentages, and no cell is ever a formula (text a
spreadsheet could evaluate gets a leading ``'``). ``casekit report`` (:mod:`casekit.cli.report`) is
the command line.

Examples
--------
>>> import fastexcel
>>> from casekit.sample import SAMPLE_AS_OF, make_sample
>>> book = write_report(make_sample(60, seed=1), None, as_of=SAMPLE_AS_OF, lang="en", charts=False)
>>> fastexcel.read_excel(book).sheet_names[:4]
['Summary', 'Case status', 'Worklist', 'Risk']
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl

from casekit._print import set_up_printing, wrapped_widths
from casekit.contract import SHEETS
from casekit.data import CaseData, ValidationResult
from casekit.export import (
    WORKBOOK_OPTIONS,
    XLSX_MAX_ROWS,
    deliver,
    safe_frame,
    safe_headers,
    safe_text,
    sheet_names,
)
from casekit.i18n import normalize_lang, t
from casekit.present import excel_formats, formats, readable, vocabulary

__all__ = ["Report", "build_report", "write_report"]

_SHEET_KEYS = (
    "status",
    "worklist",
    "risk",
    "outcome_changes",
    "outcome_summary",
    "utilisation",
    "utilisation_rates",
    "goals",
    "readmissions",
    "validation",
)


@dataclass(frozen=True)
class Report:
    """Everything the workbook shows, as frames (ids, not labels): ``figures`` (the
    summary's key figures: ``key, value``), ``by_stage``, ``flags`` and one frame per
    detail sheet in ``sheets`` (keys ``status, worklist, risk, outcome_changes,
    outcome_summary, utilisation, utilisation_rates, goals, readmissions, validation``)."""

    source: str
    as_of: dt.date
    figures: dict[str, Any]
    by_stage: pl.DataFrame
    flags: pl.DataFrame
    sheets: dict[str, pl.DataFrame]
    extra: dict[str, pl.DataFrame] = field(default_factory=dict)
    config: Any = None  # the process rules used (ProcessConfig), for the notes that cite them
    model: Any = None  # the risk model used (RiskModel), whose factors and red flags the sheets name


def build_report(
    data: CaseData | ValidationResult,
    *,
    as_of: dt.date,
    lang: str = "es",
    model: Any = None,
    config: Any = None,
    measures: Any = None,
    for_sharing: bool = False,
) -> Report:
    """Compute the report's figures and tables (what :func:`write_report` writes).

    ``for_sharing``: the small-cell rule of the summaries (:mod:`casekit.privacy`): the
    team's own report shows the real counts (``False``, the default); ``True`` suppresses
    counts of 1–10 people and what is computed from them.

    ``model``: a risk model (``RiskModel``, TOML file or text; ``None`` = shipped);
    ``config``: process rules (``ProcessConfig``, TOML file or text; ``None`` = shipped);
    ``measures``: the measures catalogue (``MeasureCatalogue``, TOML file or text; ``None``
    = shipped), which sets the outcome rules and which measures complete stage 9 alone.
    A broken file raises ``ConfigError`` in ``lang``.
    """
    from casekit.measures import load_measures
    from casekit.outcomes import (
        goal_attainment,
        outcome_changes,
        outcome_summary,
        utilisation_changes,
        utilisation_rate_summary,
        utilisation_rates,
        utilisation_summary,
    )
    from casekit.risk import score_risk
    from casekit.stages import case_status, load_process_config, readmissions, stage_entries, worklist
    from casekit.validation import validate

    lang = normalize_lang(lang)
    rules = load_process_config(config, lang=lang)
    cat = load_measures(measures, lang=lang)
    risk_model = _risk_model(model, lang)
    result = data if isinstance(data, ValidationResult) else validate(data, lang=lang, as_of=as_of)

    scores = score_risk(result, risk_model, as_of=as_of)
    status = case_status(result, as_of=as_of, config=rules, risk=scores, model=risk_model, measures=cat)
    changes = outcome_changes(result, as_of=as_of, measures=cat)
    util = utilisation_changes(result, as_of=as_of, measures=cat)
    summary = outcome_summary(
        result, ["domain", "measure"], as_of=as_of, changes=changes, measures=cat, for_sharing=for_sharing
    )
    by_tier = outcome_summary(
        result, ["effective_tier"], as_of=as_of, changes=changes, scores=scores, measures=cat, for_sharing=for_sharing
    )
    util_summary = utilisation_summary(result, as_of=as_of, changes=util, measures=cat, for_sharing=for_sharing)
    rates = utilisation_rates(result, as_of=as_of, measures=cat)
    rate_summary = utilisation_rate_summary(result, as_of=as_of, rates=rates, measures=cat, for_sharing=for_sharing)
    goals = goal_attainment(
        result, ["owner", "domain"], as_of=as_of, scores=scores, measures=cat, for_sharing=for_sharing
    )
    entries = stage_entries(result, as_of=as_of, config=rules, measures=cat)

    figures = key_figures(result, status=status, changes=changes, entries=entries)
    by_stage = stage_counts(status)
    flags = open_flag_counts(status)
    return Report(
        source=result.data.source,
        as_of=as_of,
        figures=figures,
        by_stage=by_stage,
        flags=flags,
        sheets={
            "status": status,
            "worklist": worklist(status),
            "risk": scores,
            "outcome_changes": changes,
            "outcome_summary": summary,
            "utilisation": util_summary,
            "utilisation_rates": rate_summary,
            "goals": goals,
            "readmissions": readmissions(result, as_of=as_of, config=rules),
            "validation": result.report,
        },
        extra={"by_tier": by_tier, "utilisation_changes": util, "utilisation_rates": rates},
        config=rules,
        model=risk_model,
    )


def key_figures(
    result: ValidationResult, *, status: pl.DataFrame, changes: pl.DataFrame | None, entries: pl.DataFrame
) -> dict[str, Any]:
    """The key figures of the summary sheet and the Overview screen.

    ``status`` from :func:`casekit.case_status`, ``changes`` from
    :func:`casekit.outcome_changes` (``None``: the outcome figures ``paired_measures,
    improved_share, improved_measures`` are ``None``; the Overview shows none of them),
    ``entries`` from :func:`casekit.stage_entries`.
    Keys: ``cases, open_cases, closed_cases, high_risk_share`` (of open cases with a
    tier), ``open_flags, median_days_to_plan`` (opening → complete plan),
    ``paired_measures, improved_share, errors, warnings, quarantined_rows, affected_cases``,
    and the counts the shares and the median come from (``high_risk_cases,
    tiered_cases, plan_cases, improved_measures``: what the small-cell rule checks).
    """
    from casekit.stages import open_flag_count

    is_open = pl.col("current_stage") != "closed"
    open_status = status.filter(is_open)

    def entered(stage: str) -> pl.LazyFrame:  # one row per case that reached the stage
        return entries.lazy().filter(pl.col("stage") == stage).select("case_id", pl.col("entered_on").alias(stage))

    # days from opening (stage 1) to a complete plan (stage 6 entered), for the cases with both
    to_plan = (
        entered("implementation")
        .join(entered("screening"), on="case_id", how="inner")
        .select((pl.col("implementation") - pl.col("screening")).dt.total_days())
        .collect()
        .to_series()
    )
    with_tier = open_status.filter(pl.col("effective_tier").is_not_null())
    high = with_tier.filter(pl.col("effective_tier") == "high").height
    paired: int | None = None
    improved: int | None = None
    if changes is not None:
        pairs = changes.filter(pl.col("paired"))
        paired, improved = pairs.height, pairs.filter(pl.col("direction") == "improved").height
    return {
        "cases": status.height,
        "open_cases": open_status.height,
        "closed_cases": status.height - open_status.height,
        "high_risk_share": high / with_tier.height if with_tier.height else None,
        "open_flags": open_flag_count(status),
        "median_days_to_plan": to_plan.median(),
        "paired_measures": paired,
        "improved_share": improved / paired if paired and improved is not None else None,
        "errors": result.n_errors,
        "warnings": result.n_warnings,
        "quarantined_rows": sum(result.n_quarantined().values()),
        "affected_cases": result.affected_cases(),
        "high_risk_cases": high,
        "tiered_cases": with_tier.height,
        "plan_cases": int(to_plan.count()),
        "improved_measures": improved,
    }


def stage_counts(status: pl.DataFrame) -> pl.DataFrame:
    """Cases by current stage, every stage listed in process order (``stage, cases``)."""
    from casekit.stages import STAGES

    return (
        pl.DataFrame({"stage": list(STAGES)})
        .join(status.group_by(pl.col("current_stage").alias("stage")).len("cases"), on="stage", how="left")
        .with_columns(pl.col("cases").fill_null(0).cast(pl.Int64))
    )


def open_flag_counts(status: pl.DataFrame) -> pl.DataFrame:
    """Open flags by kind among open cases, most frequent first (``flag, cases``)."""
    from casekit.stages import flags_long

    return (
        flags_long(status.filter(pl.col("current_stage") != "closed"))
        .group_by("flag")
        .len("cases")
        .with_columns(pl.col("cases").cast(pl.Int64))
        .sort("cases", "flag", descending=[True, False])
    )


# --------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------


def _readable_sheet(
    key: str, df: pl.DataFrame, lang: str, factor_labels: Mapping[str, str], model: Any = None
) -> tuple[pl.DataFrame, dict[str, str]]:
    """A detail sheet as a person reads it (:func:`casekit.present.readable`, numbers and
    dates kept as cells) and the Excel formats of its columns (by header).

    ``model``: the risk model in use, whose factors and red flags (a team's own ones
    included) name the risk sheet's lists and the worklist's and status's detail. Only
    what the catalogue cannot know is done here: the headers of a team's own factors'
    points and the validation report's column names."""
    headers = {
        c: t("columns.pts_{factor}", lang, factor=factor_labels[c[4:]])
        for c in df.columns
        if c.startswith("pts_") and c[4:] in factor_labels
    }
    if key == "validation":
        col_names = {c: col.label(lang) for spec in SHEETS.values() for c, col in spec.columns.items()}
        df = df.with_columns(pl.col("column").replace(col_names))
    df = df.drop("flag_due_on", "as_of", strict=False)
    shown = readable(df, lang, headers=headers, keep_types=True, model=model)
    return shown, {shown.columns[df.columns.index(c)]: f for c, f in excel_formats(df, lang).items()}


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _detail_sheet(
    workbook: Any,
    name: str,
    df: pl.DataFrame,
    report: Report,
    *,
    lang: str,
    number_formats: Mapping[str, str],
    note: str | None = None,
) -> None:
    """One table per sheet; ``note`` (e.g. the regression-to-the-mean caveat beside a
    before/after figure) goes one blank row below the table, merged across its columns."""
    from casekit.errors import CasekitError

    if df.height > XLSX_MAX_ROWS:
        raise CasekitError("export.too_many_rows", lang=lang, sheet=name, rows=df.height, max=XLSX_MAX_ROWS)
    if df.width == 0:
        set_up_printing(
            workbook.add_worksheet(name), lang=lang, source=report.source, as_of=report.as_of, header_row=None
        )
        return
    safe = safe_headers(safe_frame(df))
    widths, header_lines = wrapped_widths(safe)
    safe.write_excel(
        workbook=workbook,
        worksheet=name,
        header_format={"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"},
        column_formats={safe_text(c): f for c, f in number_formats.items()},
        column_widths=widths,  # type: ignore[arg-type]  # polars' write_excel stubs want a narrower mapping than its documented dict[str, int]
        autofilter=True,
        freeze_panes="B2",
    )
    ws = workbook.get_worksheet_by_name(name)
    ws.set_row(0, 15 * header_lines + 3)  # the wrapped header shows whole (no application sizes it)
    if note:
        row, last = df.height + 2, max(min(df.width, 8) - 1, 1)
        style = workbook.add_format({"italic": True, "text_wrap": True, "valign": "top", "font_color": "#9C5700"})
        ws.merge_range(row, 0, row, last, safe_text(note), style)
        chars = sum(list(widths.values())[: last + 1]) // 7  # about 7 px a character
        ws.set_row(row, 15 * (len(note) // max(chars, 20) + 1) + 3)
    set_up_printing(ws, lang=lang, source=report.source, as_of=report.as_of)


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


#: Columns of the summary sheet: labels, up to four values, a gap, then the charts.
_LABEL_WIDTH, _VALUE_WIDTH, _VALUE_COLS = 56, 14, 4
_CHART_COL = 1 + _VALUE_COLS + 1


def _summary_sheet(
    workbook: Any, name: str, report: Report, lang: str, images: list[tuple[str, bytes]], *, for_sharing: bool
) -> None:
    """The summary: title, source, as-of date and the sections of
    :func:`casekit.summary.summary_sections` (the PDF summary draws the same), charts to the right."""
    from casekit.summary import summary_sections

    ws = workbook.add_worksheet(name)
    fmt = {
        "title": workbook.add_format({"bold": True, "font_size": 16}),
        "head": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "bold": workbook.add_format({"bold": True}),
        "date": workbook.add_format({"num_format": formats(lang).excel_date, "align": "left"}),
        "pct": workbook.add_format({"num_format": formats(lang).excel_percent}),
        "int": workbook.add_format({"num_format": formats(lang).excel_integer}),
        "dec": workbook.add_format({"num_format": formats(lang).excel_decimal}),
        "dec2": workbook.add_format({"num_format": "#,##0.00"}),
        "note": workbook.add_format({"italic": True, "text_wrap": True, "valign": "top", "font_size": 9}),
        "right": workbook.add_format({"align": "right"}),
    }
    ws.set_column(0, 0, _LABEL_WIDTH)
    ws.set_column(1, _VALUE_COLS, _VALUE_WIDTH)

    def text(row: int, col: int, value: str, style: str | None = None) -> None:
        ws.write_string(row, col, safe_text(value), fmt[style] if style else None)

    def note(row: int, value: str) -> None:
        ws.merge_range(row, 0, row, _VALUE_COLS, safe_text(value), fmt["note"])
        chars = _LABEL_WIDTH + _VALUE_COLS * _VALUE_WIDTH
        ws.set_row(row, 13 * (len(value) // chars + 1) + 2)

    text(0, 0, t("report.title", lang), "title")
    text(1, 0, t("report.source", lang), "bold")
    text(1, 1, report.source or "—")
    text(2, 0, t("report.as_of", lang), "bold")
    ws.write_datetime(2, 1, dt.datetime.combine(report.as_of, dt.time()), fmt["date"])
    suppressed = t("printing.suppressed", lang)
    row = 2
    for section in summary_sections(report, lang=lang, for_sharing=for_sharing):
        row += 2
        text(row, 0, section.title, "head")
        for j, header in enumerate(section.headers, start=1):
            text(row, j, header, "head")
        for item in section.rows or []:
            row += 1
            text(row, 0, item.label)
            for j, cell in enumerate(item.cells, start=1):
                if cell.suppressed:
                    text(row, j, suppressed, "right")
                elif cell.value is None:
                    text(row, j, "—", "right")
                else:
                    ws.write_number(row, j, cell.value, fmt[cell.kind])
        if not section.rows:
            row += 1
            text(row, 0, t("report.none", lang))
        if section.note:
            row += 1
            note(row, section.note)
    if for_sharing:
        note(row + 2, t("report.note_suppression", lang))
        note(row + 3, t("printing.note_for_sharing", lang))
    else:
        note(row + 2, t("printing.note_exact", lang))
    _insert_images(ws, images)
    ws.freeze_panes(1, 0)
    set_up_printing(
        ws, lang=lang, source=report.source, as_of=report.as_of, header_row=None, gridlines=False, one_page=True
    )


def _insert_images(ws: Any, images: list[tuple[str, bytes]]) -> None:
    """Charts down the column right of the figures, at half their pixel size (they are
    rendered at scale 2)."""
    row = 1
    for chart_name, png in images:
        _, height = _png_size(png)
        options = {"image_data": io.BytesIO(png), "x_scale": 0.5, "y_scale": 0.5, "object_position": 3}
        ws.insert_image(row, _CHART_COL, f"{chart_name}.png", options)
        row += int(height * 0.5 / 17) + 2  # rows are 20 px in Excel, 17 px in LibreOffice


def write_report(
    data: CaseData | ValidationResult | Report,
    dest: str | Path | IO[bytes] | None,
    *,
    as_of: dt.date,
    lang: str = "es",
    model: Any = None,
    config: Any = None,
    measures: Any = None,
    charts: bool = True,
    for_sharing: bool = False,
) -> Path | bytes | None:
    """Write the workbook report to ``dest`` (a ``.xlsx`` path or a binary buffer; ``None``
    returns the bytes). Returns the path when ``dest`` is a path.

    ``data``: a workbook (validated here, in ``lang``, as of ``as_of``), a
    :class:`~casekit.data.ValidationResult` or a :class:`Report` already built (so
    that the workbook and the PDF summary share one set of figures).
    ``model``/``config``/``measures``: see :func:`build_report`. ``charts=False`` leaves the images
    out (faster). ``for_sharing=True`` blanks small cells (1–10 people) on the summary
    sheet and in the summaries it builds; the team's own report shows exact figures (the default).
    """
    import xlsxwriter

    from casekit.outcomes import needs_rtm_caveat, rtm_caveat

    lang = normalize_lang(lang)
    if isinstance(data, Report):
        report = data
    else:
        report = build_report(
            data, as_of=as_of, lang=lang, model=model, config=config, measures=measures, for_sharing=for_sharing
        )
    images = _chart_images(report, lang) if charts else []
    risk_model = _risk_model(model if model is not None else report.model, lang)
    factor_labels = _factor_labels(risk_model, lang)

    names = sheet_names([t("report.sheet_summary", lang), *[t(f"report.sheet_{k}", lang) for k in _SHEET_KEYS]])
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS)
    try:
        _summary_sheet(workbook, names[0], report, lang, images, for_sharing=for_sharing)
        for name, key in zip(names[1:], _SHEET_KEYS, strict=True):
            raw = report.sheets[key]
            caveat = rtm_caveat(lang) if needs_rtm_caveat(raw) else None
            if key == "readmissions":
                caveat = _readmission_note(report, lang)
            shown, number_formats = _readable_sheet(key, raw, lang, factor_labels, risk_model)
            _detail_sheet(workbook, name, shown, report, lang=lang, number_formats=number_formats, note=caveat)
    finally:
        workbook.close()
    out = deliver(buf.getvalue(), dest)
    return Path(dest) if isinstance(dest, str | Path) else out


def _readmission_note(report: Report, lang: str) -> str:
    """The rule under the readmissions sheet, with the levels and days in use.

    >>> from casekit.stages import ProcessConfig
    >>> r = Report("x", dt.date(2026, 9, 30), {}, pl.DataFrame(), pl.DataFrame(), {}, config=ProcessConfig())
    >>> _readmission_note(r, "en")[:92]
    'A readmission is the first admission (step-up or transfer) into Inpatient 1 to 30 days after'
    """
    from casekit.stages import load_process_config

    rules = report.config or load_process_config()
    levels = vocabulary("level_of_care", lang)
    names = ", ".join(levels.get(lv, lv) for lv in rules.readmission_levels)
    return t("report.readmissions_note", lang, levels=names, days=rules.readmission_days)


def _risk_model(model: Any, lang: str) -> Any:
    """The :class:`~casekit.risk.RiskModel` in use: ``model`` itself, or loaded from its path (``None``: shipped)."""
    from casekit.risk import load_model

    return model if hasattr(model, "factors") else load_model(model, lang=lang)


def _factor_labels(risk_model: Any, lang: str) -> dict[str, str]:
    return {f.name: f.label(lang) for f in (*risk_model.factors, *risk_model.red_flags)}


# --------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------


def _chart_images(report: Report, lang: str) -> list[tuple[str, bytes]]:
    """PNG images of the summary sheet's charts, in ``lang`` (labels, numbers and months)."""
    from casekit.charts import chart_locale, improved_by_tier_chart, stage_chart, tier_chart, to_png, utilisation_chart

    status, scores = report.sheets["status"], report.sheets["risk"]
    util = report.sheets["utilisation"].rename({"mean_baseline": "mean_before", "mean_latest": "mean_after"})
    charts = {
        "stages": stage_chart(status, lang=lang),
        "tiers": tier_chart(scores, lang=lang),
        "improved_by_tier": improved_by_tier_chart(report.extra["by_tier"], lang=lang),
        "utilisation": utilisation_chart(util, lang=lang),
    }
    return [(name, to_png(chart.configure(locale=chart_locale(lang)))) for name, chart in charts.items()]
