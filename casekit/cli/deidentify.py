"""``casekit deidentify``: a de-identified research extract of a workbook.

``casekit deidentify PATH --out OUT [--key-file F] [--save-key] [--dates shift|year]
[--max-shift-weeks N] [--k K] [--max-suppression S] [--drop-identifiers] [--as-of D]
[--lang es|en]`` validates the workbook first and
exports only its clean rows (a line says how many rows were quarantined and not
exported). ``OUT`` ending in ``.xlsx`` is one workbook; anything else is a folder of
``.parquet`` files (``--format csv`` for CSV). Kept text that looks like identifiers
(names, e-mails, phones, ID numbers, digits) stops the export with the list of cells
(exit 2), or is emptied with ``--drop-identifiers``. The quasi-identifiers are generalised,
then cases suppressed, until every combination is shared by ``--k`` people (5), and the
command prints what it did.

The key: without ``--key-file`` (or the ``CASEKIT_DEID_KEY`` variable) a fresh random
256-bit key is drawn and printed once, so two exports cannot be linked; ``--save-key``
also writes it beside the extract (``OUT.key``, readable only by its owner). A given
key must be 64 hexadecimal digits of random bytes: a word, a short key or an obvious
pattern is refused (exit 2, the reason in es/en), and so is the old ``--salt``.
Exit 0 when written, 2 when the key is refused, the workbook cannot be read or the
output cannot be written (one message on stderr). What each column becomes:
``docs/deidentification.md``.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casekit")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["deidentify", "book.xlsx", "--out", "x.xlsx", "--dates", "year"])
>>> args.dates, args.key_file, args.save_key, args.max_shift_weeks, args.handler is run_deidentify
('year', None, False, 26, True)
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from casekit._thresholds import K_ANONYMITY, MAX_SHIFT_WEEKS, MAX_SUPPRESSION
from casekit.cli._common import EXIT_OK, EXIT_UNREADABLE, CliExit, add_input_arguments, load_validated
from casekit.i18n import t

__all__ = ["KEY_ENV", "register", "run_deidentify"]

#: Environment variable read when ``--key-file`` is not given (keeps the key out of shell history).
KEY_ENV = "CASEKIT_DEID_KEY"


def _number(kind: type[int] | type[float], low: float, high: float | None, what: str):
    """An argparse type: a ``kind`` number between ``low`` and ``high`` (``None``: no upper bound).

    >>> _number(int, 1, None, "a whole number, 1 or more")("3")
    3
    >>> _number(float, 0, 1, "a share between 0 and 1")("1.5")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a share between 0 and 1, got '1.5'
    """

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


_weeks = _number(int, 0, None, "a whole number of weeks, 0 or more")
_positive = _number(int, 1, None, "a whole number, 1 or more")
_share = _number(float, 0, 1, "a share between 0 and 1")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``deidentify`` sub-command to the ``casekit`` parser."""
    p = subparsers.add_parser("deidentify", help="de-identified research extract of the clean rows")
    add_input_arguments(p)
    p.add_argument("--out", type=Path, required=True, help="a .xlsx workbook, or a folder of .parquet/.csv files")
    p.add_argument(
        "--key-file",
        type=Path,
        default=None,
        help=f"file holding the key, 64 hex digits of random bytes (default: ${KEY_ENV}, else a new random key)",
    )
    p.add_argument("--save-key", action="store_true", help="also write the key beside the extract (OUT.key)")
    p.add_argument("--salt", default=None, help=argparse.SUPPRESS)  # refused with an explanation
    p.add_argument("--dates", choices=("shift", "year"), default="shift", help="shift per case (default) or year only")
    p.add_argument(
        "--max-shift-weeks",
        type=_weeks,
        default=MAX_SHIFT_WEEKS,
        help=f"largest date shift in whole weeks (default {MAX_SHIFT_WEEKS})",
    )
    p.add_argument(
        "--k",
        type=_positive,
        default=K_ANONYMITY,
        help=f"every combination of age band, sex, ethnicity, language, programme and year shared by at least K "
        f"people; also the cases a kept label needs (default {K_ANONYMITY}; 1 turns k-anonymity off)",
    )
    p.add_argument(
        "--max-suppression",
        type=_share,
        default=MAX_SUPPRESSION,
        help=f"largest share of cases removed to reach k, after generalising (default {MAX_SUPPRESSION})",
    )
    p.add_argument(
        "--drop-identifiers",
        action="store_true",
        help="empty kept text cells that look like identifiers instead of refusing (exit 2) with their list",
    )
    p.add_argument("--format", choices=("parquet", "csv"), default=None, help="files of an output folder")
    p.set_defaults(handler=run_deidentify)


def run_deidentify(args: argparse.Namespace) -> int:
    """Handler of ``casekit deidentify``; returns the exit code."""
    from casekit.deid import deidentify

    lang = args.lang
    key = _given_key(args)
    result = load_validated(args)
    extract = deidentify(
        result,
        key=key,
        dates=args.dates,
        max_shift_weeks=args.max_shift_weeks,
        as_of=args.as_of,
        k=args.k,
        max_suppression=args.max_suppression,
        on_identifiers="drop" if args.drop_identifiers else "refuse",
    )
    if args.out.suffix.lower() == ".xlsx":
        args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        written = extract.write(args.out, lang=lang, format=args.format, save_key=args.save_key)
    except OSError as exc:
        message = t("deid.cli_cannot_write", lang, path=args.out, error=exc.strerror or exc)
        raise CliExit(EXIT_UNREADABLE, message) from exc
    _print_summary(extract, result, args)
    print(t("cli.wrote", lang, path=written))
    if key is None:
        print(t("deid.cli_key_generated", lang, key=extract.key))
    if args.save_key:
        print(t("deid.cli_key_saved", lang, path=type(extract).key_path(written)))
    return EXIT_OK


def _given_key(args: argparse.Namespace) -> str | None:
    """The key from ``--key-file`` or ``$CASEKIT_DEID_KEY`` (``None``: draw one), checked before any
    work; :class:`CliExit` (or the key check's error) saying why when it cannot be used."""
    from casekit.deid import check_key

    lang = args.lang
    if args.salt is not None:
        raise CliExit(EXIT_UNREADABLE, t("deid.salt_replaced", lang))
    key = os.environ.get(KEY_ENV) or None
    if args.key_file is not None:
        try:
            key = args.key_file.read_text(encoding="utf-8", errors="replace").strip()
        except OSError as exc:
            message = t("deid.cli_key_file_unreadable", lang, path=args.key_file, error=exc.strerror or exc)
            raise CliExit(EXIT_UNREADABLE, message) from exc
    if key is not None:
        check_key(key)
    return key


def _print_summary(extract, result, args: argparse.Namespace) -> None:
    lang = args.lang
    actions = extract.removed["action"]
    dates = (
        t("deid.cli_dates_shift", lang, weeks=args.max_shift_weeks)
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
    if extract.dropped.height:
        print(t("deid.cli_dropped", lang, cells=extract.dropped.height))
    if line := extract.anonymity_line(lang):
        print(line)
        for step, cases in extract.explain_steps(lang, k=args.k).iter_rows():
            print(f"  - {step} ({t('deid.cli_cases', lang, cases=cases)})")
    quarantined = sum(result.n_quarantined().values())
    if quarantined:
        print(t("deid.cli_quarantined", lang, rows=quarantined, cases=result.affected_cases()))
    else:
        print(t("deid.cli_none_quarantined", lang))
