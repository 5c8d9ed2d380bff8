"""``casekit report PATH --as-of DATE --out report.xlsx [--pdf summary.pdf] [--exact-counts]``.

Exit 0 when written; 2 for an unreadable input, a broken ``--model``/``--config`` file,
an ``--out`` that is not ``.xlsx`` or a ``--pdf`` that is not ``.pdf``. With ``--pdf``
the workbook and the one-page summary come from one :class:`casekit.report.Report`.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casekit")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["report", "b.xlsx", "--as-of", "2026-09-30", "--out", "r.xlsx", "--no-charts"])
>>> args.no_charts, args.pdf, args.handler is run_report
(True, None, True)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from casekit.cli._common import (
    EXIT_OK,
    EXIT_UNREADABLE,
    CliExit,
    add_input_arguments,
    add_rules_arguments,
    add_streaming_argument,
    engine_of,
    load_validated,
)
from casekit.i18n import t

__all__ = ["register", "run_report"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` sub-command to the ``casekit`` parser."""
    p = subparsers.add_parser("report", help="the workbook report: summary, charts, status, risk, outcomes")
    add_input_arguments(p, as_of_required=True)
    add_rules_arguments(p, model=True, config=True, measures=True)
    add_streaming_argument(p)
    p.add_argument("--no-charts", action="store_true", help="leave the chart images out (faster)")
    p.add_argument("--out", type=Path, required=True, help="the report: a .xlsx file")
    p.add_argument("--pdf", type=Path, default=None, help="also write the one-page A4 summary for funders: a .pdf file")
    p.add_argument(
        "--exact-counts",
        action="store_true",
        help="the PDF shows counts of 1-10 people (default: suppressed); only when the team may share them",
    )
    p.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Handler of ``casekit report``; returns the exit code."""
    from casekit.measures import load_measures
    from casekit.report import build_report, write_report
    from casekit.risk import load_model
    from casekit.stages import load_process_config

    lang = args.lang
    if args.out.suffix.lower() != ".xlsx":
        raise CliExit(EXIT_UNREADABLE, t("report.cli_bad_out", lang, file=args.out.name))
    pdf = getattr(args, "pdf", None)
    if pdf is not None and pdf.suffix.lower() != ".pdf":
        raise CliExit(EXIT_UNREADABLE, t("printing.cli_bad_pdf", lang, file=pdf.name))
    model = load_model(args.model, lang=lang)  # before reading: a broken file fails fast
    rules = load_process_config(args.config, lang=lang)
    measures = load_measures(args.measures, lang=lang)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with engine_of(args):
        result = load_validated(args)
        report = build_report(result, as_of=args.as_of, lang=lang, model=model, config=rules, measures=measures)
    write_report(report, args.out, as_of=args.as_of, lang=lang, model=model, charts=not args.no_charts)
    from casekit.present import format_date  # polars: not loaded for --help

    print(t("report.cli_wrote", lang, path=args.out, as_of=format_date(args.as_of, lang)))
    if pdf is not None:
        from casekit.summary_pdf import summary_pdf

        pdf.parent.mkdir(parents=True, exist_ok=True)
        exact = getattr(args, "exact_counts", False)
        summary_pdf(report, pdf, lang=lang, for_sharing=not exact)
        print(t("printing.cli_wrote_pdf" if not exact else "printing.cli_wrote_pdf_exact", lang, path=pdf))
    return EXIT_OK
