"""``casekit sample --out PATH [--cases N] [--seed S] [--format parquet|csv|xlsx]``: a
synthetic caseload (a workbook, or a folder of Parquet/CSV files).

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casekit")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["sample", "--out", "s.xlsx", "--cases", "30"])
>>> args.cases, args.seed, args.lang, args.handler is run_sample
(30, 0, 'en', True)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from casekit.cli._common import EXIT_OK, parse_date
from casekit.i18n import LANGS, t

__all__ = ["register", "run_sample"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sample`` sub-command to the ``casekit`` parser."""
    smp = subparsers.add_parser("sample", help="write a synthetic caseload")
    smp.add_argument("--cases", type=int, default=500)
    smp.add_argument("--seed", type=int, default=0)
    smp.add_argument("--out", type=Path, required=True)
    smp.add_argument("--format", choices=("parquet", "csv", "xlsx"), default=None)
    smp.add_argument("--lang", choices=LANGS, default="en", help="sheet names, headers and labels of the files")
    smp.add_argument("--as-of", type=parse_date, default=None, help="reference date (default: the sample's own)")
    smp.set_defaults(handler=run_sample)


def run_sample(args: argparse.Namespace) -> int:
    """Handler of ``casekit sample``; returns the exit code."""
    from casekit.export import write_workbook
    from casekit.sample import SAMPLE_AS_OF, make_sample

    fmt = args.format or ("xlsx" if args.out.suffix.lower() == ".xlsx" else "parquet")
    out = args.out if fmt != "xlsx" or args.out.suffix.lower() == ".xlsx" else args.out.with_suffix(".xlsx")
    data = make_sample(args.cases, seed=args.seed, as_of=args.as_of or SAMPLE_AS_OF, lang=args.lang)
    if fmt == "xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(data, out, lang=args.lang, labels=args.lang == "es", as_of=args.as_of or SAMPLE_AS_OF)
    else:
        out.mkdir(parents=True, exist_ok=True)
        write_workbook(data, out, lang=args.lang, format="csv" if fmt == "csv" else "parquet")
    print(t("cli.wrote_sample", args.lang, n=args.cases, path=out))
    return EXIT_OK
