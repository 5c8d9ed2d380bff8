"""``casekit validate PATH [--format text|json] [--out report.xlsx|.csv] [--max-lines N]``.

Exit 0 when the workbook has no errors (warnings allowed), 1 when it has errors, 2 when
it cannot be read. The text output lists the problems in ``--lang``; ``--out`` also
writes the report as a person reads it (headers and labels in ``--lang``).

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casekit")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["validate", "book.xlsx", "--format", "json"])
>>> args.format, args.max_lines, args.handler is run_validate
('json', 200, True)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from casekit.cli._common import EXIT_ERRORS, EXIT_OK, add_input_arguments, json_text, load_validated, printable
from casekit.i18n import t

__all__ = ["register", "run_validate"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` sub-command to the ``casekit`` parser."""
    val = subparsers.add_parser("validate", help="check a workbook, a folder of CSV/Parquet files or one file")
    add_input_arguments(val)
    val.add_argument("--format", choices=("text", "json"), default="text")
    val.add_argument("--out", type=Path, default=None, help="also write the report to a .xlsx or .csv file")
    val.add_argument("--max-lines", type=int, default=200, help="problems listed in text output (default 200)")
    val.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Handler of ``casekit validate``; returns the exit code."""
    lang = args.lang
    result = load_validated(args)
    from casekit.export import write_csv, write_xlsx
    from casekit.present import readable

    if args.format == "json":
        print(json_text(result.report.to_dicts(), indent=1))
    else:
        _print_text(result, args.path.name, lang, args.max_lines)
    if args.out is not None:
        report = readable(result.report, lang, keep_types=True)
        if args.out.suffix.lower() == ".csv":
            write_csv(report, args.out, lang=lang)
        else:
            sheets = {t("cli.report_sheet", lang): report}
            write_xlsx(sheets, args.out, lang=lang, source=args.path.name, as_of=args.as_of)
    return EXIT_OK if result.ok else EXIT_ERRORS


def _print_text(result, source: str, lang: str, max_lines: int) -> None:
    report = result.report
    print(
        printable(
            t(
                "cli.summary",
                lang,
                file=source,
                errors=result.n_errors,
                warnings=result.n_warnings,
                rows=sum(result.n_quarantined().values()),
                cases=result.affected_cases(),
            )
        )
    )
    for rec in report.head(max_lines).iter_rows(named=True):
        where = rec["sheet"] if rec["row"] is None else t("cli.where_row", lang, sheet=rec["sheet"], row=rec["row"])
        if rec["column"]:
            where = f"{where} · {rec['column']}"
        severity = t(f"common.{rec['severity']}", lang)
        print(printable(f"  [{severity}] {where}: {rec['message']}"))
    if report.height > max_lines:
        print(t("cli.more_lines", lang, n=report.height - max_lines))
