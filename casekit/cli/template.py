"""``casekit template --out FILE [--lang es|en]``: the empty workbook to fill in.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casekit")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["template", "--out", "t.xlsx", "--lang", "es"])
>>> args.out.name, args.lang, args.handler is run_template
('t.xlsx', 'es', True)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from casekit.cli._common import EXIT_OK, add_lang_argument
from casekit.i18n import t

__all__ = ["register", "run_template"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``template`` sub-command to the ``casekit`` parser."""
    tpl = subparsers.add_parser("template", help="write the empty workbook to fill in")
    add_lang_argument(tpl)
    tpl.add_argument("--out", type=Path, required=True)
    tpl.set_defaults(handler=run_template)


def run_template(args: argparse.Namespace) -> int:
    """Handler of ``casekit template``; returns the exit code."""
    from casekit.template import write_template

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_template(args.out, lang=args.lang)
    print(t("cli.wrote", args.lang, path=args.out))
    return EXIT_OK
