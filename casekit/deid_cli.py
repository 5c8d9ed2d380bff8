"""``casekit deidentify``: a de-identified research extract of a workbook.

``casekit deidentify PATH --out OUT [--salt S] [--dates shift|year] [--as-of D] [--lang es|en]``
validates the workbook first and exports only its clean rows (a line says how many rows
were quarantined and not exported). ``OUT`` ending in ``.xlsx`` is one workbook; anything
else is a folder of ``.parquet`` files (``--format csv`` for CSV). Without ``--salt`` (or
the ``CASEKIT_DEID_SALT`` variable) a fresh random salt is used, so two exports cannot be
linked. Exit 0 when written, 2 when the workbook cannot be read or the output cannot be
written (one message on stderr). What each column becomes: ``docs/deidentification.md``.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casekit")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["deidentify", "book.xlsx", "--out", "x.xlsx", "--dates", "year"])
>>> args.dates, args.salt, args.max_shift_days, args.handler is run_deidentify
('year', None, 180, True)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from casekit.i18n import t

__all__ = ["SALT_ENV", "main", "register", "run_deidentify"]

EXIT_OK, EXIT_UNREADABLE = 0, 2
#: Environment variable read when ``--salt`` is not given (keeps the salt out of shell history).
SALT_ENV = "CASEKIT_DEID_SALT"


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, 0 or more, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``deidentify`` sub-command to the ``casekit`` parser."""
    from casekit.cli import add_input_arguments

    p = subparsers.add_parser("deidentify", help="de-identified research extract of the clean rows")
    add_input_arguments(p)
    p.add_argument("--out", type=Path, required=True, help="a .xlsx workbook, or a folder of .parquet/.csv files")
    p.add_argument(
        "--salt", default=None, help=f"secret for pseudonyms and date offsets (default: ${SALT_ENV}, else random)"
    )
    p.add_argument("--dates", choices=("shift", "year"), default="shift", help="shift per case (default) or year only")
    p.add_argument("--max-shift-days", type=_days, default=180, help="largest date shift in days (default 180)")
    p.add_argument("--format", choices=("parquet", "csv"), default=None, help="files of an output folder")
    p.set_defaults(handler=run_deidentify)


def run_deidentify(args: argparse.Namespace) -> int:
    """Handler of ``casekit deidentify``; returns the exit code."""
    from casekit.cli import load_validated
    from casekit.deid import deidentify
    from casekit.errors import CasekitError

    lang = args.lang
    result = load_validated(args)
    if isinstance(result, int):
        return result
    salt = args.salt or os.environ.get(SALT_ENV) or None
    extract = deidentify(result, salt=salt, dates=args.dates, max_shift_days=args.max_shift_days, as_of=args.as_of)
    try:
        if args.out.suffix.lower() == ".xlsx":
            args.out.parent.mkdir(parents=True, exist_ok=True)
        written = extract.write(args.out, lang=lang, format=args.format)
    except CasekitError as exc:
        print(exc.message(lang), file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(t("deid.cli_cannot_write", lang, path=args.out, error=exc.strerror or exc), file=sys.stderr)
        return EXIT_UNREADABLE
    _print_summary(extract, result, args)
    print(t("cli.wrote", lang, path=written))
    return EXIT_OK


def _print_summary(extract, result, args: argparse.Namespace) -> None:
    lang = args.lang
    actions = extract.removed["action"]
    dates = (
        t("deid.cli_dates_shift", lang, days=args.max_shift_days)
        if args.dates == "shift"
        else t("deid.cli_dates_year", lang)
    )
    sheets = extract.data.sheets
    print(
        t(
            "deid.cli_summary",
            lang,
            cases=sheets["cases"].height if "cases" in sheets else 0,
            rows=sum(df.height for df in sheets.values()),
            sheets=len(sheets),
            removed=int((actions == "removed").sum()),
            pseudonymised=int((actions == "pseudonymised").sum()),
            dates=dates,
        )
    )
    quarantined = sum(result.n_quarantined().values())
    if quarantined:
        print(t("deid.cli_quarantined", lang, rows=quarantined, cases=result.affected_cases()))
    else:
        print(t("deid.cli_none_quarantined", lang))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m casekit.deid_cli deidentify …``: the full ``casekit`` parser with this command
    added when ``casekit.cli`` does not register it yet."""
    from casekit.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "deidentify" not in sub.choices:
        register(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
