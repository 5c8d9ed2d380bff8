"""Sub-commands of the stage engine: ``casekit status``, ``casekit worklist``, ``casekit events``.

``register(subparsers)`` adds them to the ``casekit`` parser. Each reads and validates
the workbook (rows with errors are left out, and a line on stderr says so), writes one
table, and exits 0; an unreadable workbook or a broken ``--config`` file prints one
clear message and exits 2.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casekit")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["worklist", "book.xlsx", "--as-of", "2026-09-30", "--out", "w.csv", "--manager", "Ana"])
>>> args.manager, str(args.as_of), args.handler.__name__
(['Ana'], '2026-09-30', '_worklist')
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

EXIT_OK, EXIT_UNREADABLE = 0, 2
_TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
_LOG_SUFFIXES = (".csv", ".parquet")
_MODEL_HELP = "risk model (.toml): tiers and red flags, also on your own columns; default: the shipped model"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``status``, ``worklist`` and ``events`` to the ``casekit`` sub-commands."""
    from casekit.cli import add_input_arguments, add_measures_argument

    status = subparsers.add_parser("status", help="where every case stands as of a date, with its flags")
    add_input_arguments(status, as_of_required=True)
    status.add_argument("--config", type=Path, default=None, help="process rules (.toml); default: shipped rules")
    status.add_argument("--model", type=Path, default=None, help=_MODEL_HELP)
    add_measures_argument(status)
    status.add_argument("--out", type=Path, required=True, help="output file: .csv, .xlsx or .parquet")
    status.set_defaults(handler=_status)

    work = subparsers.add_parser("worklist", help="one row per open flag, most overdue first")
    add_input_arguments(work, as_of_required=True)
    work.add_argument("--config", type=Path, default=None, help="process rules (.toml); default: shipped rules")
    work.add_argument("--model", type=Path, default=None, help=_MODEL_HELP)
    add_measures_argument(work)
    work.add_argument("--manager", action="append", default=None, help="only this case manager's cases (repeatable)")
    work.add_argument("--out", type=Path, required=True, help="output file: .csv, .xlsx or .parquet")
    work.set_defaults(handler=_worklist)

    log = subparsers.add_parser("events", help="the event log for process-mining tools")
    add_input_arguments(log)
    log.add_argument("--out", type=Path, required=True, help="output file: .csv or .parquet")
    log.set_defaults(handler=_events)


def _bad_out(args: argparse.Namespace, suffixes: tuple[str, ...]) -> bool:
    from casekit.i18n import t

    if args.out.suffix.lower() in suffixes:
        return False
    print(t("stages.cli_bad_out", args.lang, file=args.out.name, formats=", ".join(suffixes)), file=sys.stderr)
    return True


def _config(args: argparse.Namespace):
    """The process rules, the measures catalogue and the risk model, or an exit code after
    printing the error."""
    from casekit.errors import ConfigError
    from casekit.measures import load_measures
    from casekit.risk.model import load_model
    from casekit.stages._config import load_process_config

    try:
        return (
            load_process_config(args.config, lang=args.lang),
            load_measures(args.measures, lang=args.lang),
            load_model(args.model, lang=args.lang),
        )
    except ConfigError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return EXIT_UNREADABLE


def _status_frame(args: argparse.Namespace, *, with_data: bool = False):
    """The status frame (with the validated data when ``with_data``), or an exit code."""
    from casekit.cli import load_validated
    from casekit.stages._status import case_status

    if _bad_out(args, _TABLE_SUFFIXES):
        return EXIT_UNREADABLE
    settings = _config(args)
    if isinstance(settings, int):
        return settings
    config, measures, model = settings
    result = load_validated(args)
    if isinstance(result, int):
        return result
    status = case_status(result, as_of=args.as_of, config=config, measures=measures, model=model)
    return (status, result) if with_data else status


def _status(args: argparse.Namespace) -> int:
    from casekit.cli import write_for_people
    from casekit.i18n import t

    status = _status_frame(args)
    if isinstance(status, int):
        return status
    write_for_people(status, args, args.out, "status")
    print(t("stages.cli_wrote_status", args.lang, n=status.height, as_of=args.as_of.isoformat(), path=args.out))
    return EXIT_OK


def _worklist(args: argparse.Namespace) -> int:
    from casekit.cli import write_for_people
    from casekit.i18n import t
    from casekit.stages._status import worklist

    found = _status_frame(args, with_data=True)
    if isinstance(found, int):
        return found
    status, result = found
    table = worklist(status, manager=args.manager, data=result)
    write_for_people(
        table if args.out.suffix.lower() == ".parquet" else for_people(table, args.lang), args, args.out, "worklist"
    )
    print(t("stages.cli_wrote_worklist", args.lang, n=table.height, as_of=args.as_of.isoformat(), path=args.out))
    return EXIT_OK


def for_people(worklist: pl.DataFrame, lang: str | None) -> pl.DataFrame:
    """The worklist as a file for people (CSV, XLSX): the priority as its label in
    ``lang`` (``1 · Seguridad``, column ``priority_label``), and ``triage_order`` last (1 = the first row: sort by it
    to get the triage order back after sorting by another column). Parquet keeps the ids.

    >>> import polars as pl
    >>> wl = pl.DataFrame({"priority": [1, 4], "case_id": ["A", "B"]}, schema_overrides={"priority": pl.Int8})
    >>> for_people(wl, "es").rows(named=True)[0]
    {'priority_label': '1 · Seguridad', 'case_id': 'A', 'triage_order': 1}
    """
    import polars as pl

    from casekit.stages._names import priority_label

    names = {n: priority_label(n, lang) for n in range(1, 7)}
    return worklist.with_columns(
        pl.col("priority").replace_strict(names, default=None, return_dtype=pl.String).alias("priority_label"),
        triage_order=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
    ).select("priority_label", pl.exclude("priority", "priority_label"))


def _events(args: argparse.Namespace) -> int:
    from casekit.cli import load_validated
    from casekit.i18n import t
    from casekit.stages._events import events, write_event_log

    if _bad_out(args, _LOG_SUFFIXES):
        return EXIT_UNREADABLE
    result = load_validated(args)
    if isinstance(result, int):
        return result
    log = events(result, as_of=args.as_of)
    write_event_log(log, args.out)
    print(t("stages.cli_wrote_events", args.lang, n=log.height, cases=log["case_id"].n_unique(), path=args.out))
    return EXIT_OK
