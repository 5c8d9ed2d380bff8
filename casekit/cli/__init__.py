"""The ``casekit`` command line: one module per command, the shared parts in
:mod:`casekit.cli._common`.

``casekit validate PATH`` exits 0 when the workbook has no errors (warnings allowed), 1
when it has errors and 2 when the file cannot be read at all; every command uses the same
three codes (:data:`~casekit.cli._common.EXIT_OK`…): 1 also for a row or an access
refused, 2 also for a bad option or a workspace that cannot be opened. A command stops early by raising
:class:`~casekit.cli._common.CliExit` (or a :class:`casekit.errors.CasekitError`), caught
once, in :func:`run`. Building the parser imports no heavy library, so ``casekit --help``
is quick; each command imports what it uses when it runs.

Examples
--------
>>> build_parser().parse_args(["validate", "x.xlsx", "--lang", "es"]).lang
'es'
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from casekit.cli import deidentify, report, risk, sample, stages, template, users, validate, workspace
from casekit.cli._common import EXIT_ERRORS, CliExit, exit_code, printable, release_address_space
from casekit.errors import CasekitError

__all__ = ["build_parser", "main", "run"]

#: The modules that register the sub-commands, in the order ``--help`` lists them.
_MODULES = (validate, template, sample, risk, stages, report, deidentify, workspace, users)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="casekit",
        description="Case-management workbooks: validate, template, sample, status, worklist, risk, report.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in _MODULES:
        module.register(sub)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the parsed command and return its exit code: a :class:`CliExit` or a
    :class:`~casekit.errors.CasekitError` becomes one message on stderr, never a traceback
    (the error's code: :func:`~casekit.cli._common.exit_code`, the one rule).

    >>> args = build_parser().parse_args(["risk", "--lang", "en"])
    >>> run(args)
    2
    """
    try:
        return args.handler(args)
    except CliExit as exc:
        if exc.message:
            print(printable(exc.message), file=sys.stderr)
        return exc.code
    except CasekitError as exc:
        print(printable(exc.message(getattr(args, "lang", None))), file=sys.stderr)
        return exit_code(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``casekit`` console script; returns the exit code.

    A reader that stops early (``casekit validate book.xlsx | head``) ends the output
    quietly: no ``BrokenPipeError`` traceback.
    """
    args = build_parser().parse_args(argv)
    if getattr(args, "streaming", False):
        release_address_space()
    try:
        code = run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python's advice: point stdout at devnull so the flush at exit does not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERRORS
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
