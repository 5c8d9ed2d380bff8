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
>>> args.manager, str(args.as_of), args.handler is run_worklist
(['Ana'], '2026-09-30', True)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from casekit.cli._common import (
    EXIT_OK,
    EXIT_UNREADABLE,
    CliExit,
    add_input_arguments,
    add_rules_arguments,
    add_streaming_argument,
    load_validated,
    printable,
    write_for_people,
)
from casekit.i18n import t

if TYPE_CHECKING:
    import polars as pl

__all__ = ["register", "run_events", "run_status", "run_worklist"]

_TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
_LOG_SUFFIXES = (".csv", ".parquet")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``status``, ``worklist`` and ``events`` to the ``casekit`` sub-commands."""
    status = subparsers.add_parser("status", help="where every case stands as of a date, with its flags")
    add_input_arguments(status)
    add_rules_arguments(status, config=True, measures=True, model=True)
    add_streaming_argument(status)
    status.add_argument("--out", type=Path, required=True, help="output file: .csv, .xlsx or .parquet")
    status.set_defaults(handler=run_status)

    work = subparsers.add_parser("worklist", help="one row per open flag, most overdue first")
    add_input_arguments(work)
    add_rules_arguments(work, config=True, measures=True, model=True)
    work.add_argument("--manager", action="append", default=None, help="only this case manager's cases (repeatable)")
    work.add_argument("--out", type=Path, required=True, help="output file: .csv, .xlsx or .parquet")
    work.set_defaults(handler=run_worklist)

    log = subparsers.add_parser("events", help="the event log for process-mining tools")
    add_input_arguments(log)
    add_streaming_argument(log)
    log.add_argument("--out", type=Path, required=True, help="output file: .csv or .parquet")
    log.set_defaults(handler=run_events)


def _check_out(args: argparse.Namespace, suffixes: tuple[str, ...]) -> None:
    if args.out.suffix.lower() not in suffixes:
        message = t("stages.cli_bad_out", args.lang, file=args.out.name, formats=", ".join(suffixes))
        raise CliExit(EXIT_UNREADABLE, message)


def _status_and_data(args: argparse.Namespace):
    """The status frame, the validation result and the risk model (a broken ``--config``, ``--measures`` or
    ``--model`` raises :class:`~casekit.errors.ConfigError` before the workbook is read).
    Without ``--as-of`` the date is today, and the output says so."""
    from casekit.measures import load_measures
    from casekit.risk.model import load_model
    from casekit.stages import case_status, load_process_config

    _check_out(args, _TABLE_SUFFIXES)
    config = load_process_config(args.config, lang=args.lang)
    measures = load_measures(args.measures, lang=args.lang)
    model = load_model(args.model, lang=args.lang)
    if args.as_of is None:
        args.as_of = dt.date.today()
        print(t("stages.cli_as_of_today", args.lang, as_of=_counted(0, args)["as_of"]))
    result = load_validated(args)
    return case_status(result, as_of=args.as_of, config=config, measures=measures, model=model), result, model


def run_status(args: argparse.Namespace) -> int:
    """Handler of ``casekit status``; returns the exit code."""
    status, _, model = _status_and_data(args)
    write_for_people(status, args, args.out, "status", model=model)
    print(t("stages.cli_wrote_status", args.lang, **_counted(status.height, args), path=args.out))
    return EXIT_OK


def run_worklist(args: argparse.Namespace) -> int:
    """Handler of ``casekit worklist``; returns the exit code."""
    from casekit.stages import worklist

    status, result, model = _status_and_data(args)
    if args.manager and (warning := unknown_managers_message(args.manager, status["case_manager"], args.lang)):
        print(printable(warning), file=sys.stderr)
    table = worklist(status, manager=args.manager, data=result)
    write_for_people(
        table if args.out.suffix.lower() == ".parquet" else for_people(table, args.lang),
        args,
        args.out,
        "worklist",
        model=model,
    )
    print(t("stages.cli_wrote_worklist", args.lang, **_counted(table.height, args), path=args.out))
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

    from casekit.stages import priority_label

    names = {n: priority_label(n, lang) for n in range(1, 7)}
    return worklist.with_columns(
        pl.col("priority").replace_strict(names, default=None, return_dtype=pl.String).alias("priority_label"),
        triage_order=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
    ).select("priority_label", pl.exclude("priority", "priority_label"))


def _counted(n: int, args: argparse.Namespace) -> dict[str, object]:
    """A message's ``n`` (for its plural), ``count`` (``1.028`` in Spanish) and ``as_of`` in ``--lang``.

    >>> _counted(1028, argparse.Namespace(lang="es", as_of=dt.date(2026, 9, 30)))
    {'n': 1028, 'count': '1.028', 'as_of': '30/09/2026'}
    """
    from casekit.present import format_date, format_number  # polars: not loaded for --help

    return {"n": n, "count": format_number(n, args.lang), "as_of": format_date(args.as_of, args.lang)}


def unknown_managers_message(asked: list[str], managers, lang: str) -> str | None:
    """The warning when some asked case managers have no case (with the known names), else ``None``.

    >>> import polars as pl
    >>> unknown_managers_message(["Ana", "Bea"], pl.Series(["Luis", "Ana", None]), "en")
    'No case manager is called «Bea» in this workbook, ... The case managers are: Ana, Luis.'
    >>> unknown_managers_message(["Ana"], pl.Series(["Ana"]), "es") is None
    True
    """
    known = sorted(managers.drop_nulls().unique().to_list())
    unknown = [name for name in asked if name not in known]
    if not unknown:
        return None
    names = ", ".join(f"«{name}»" for name in unknown)
    return t("stages.cli_unknown_manager", lang, names=names, known=", ".join(known))


def run_events(args: argparse.Namespace) -> int:
    """Handler of ``casekit events``; returns the exit code."""
    from casekit.stages import events, sink_events, write_event_log

    _check_out(args, _LOG_SUFFIXES)
    result = load_validated(args)
    if getattr(args, "streaming", False):  # never the whole log in memory
        n, cases = sink_events(result, args.out, as_of=args.as_of)
    else:
        log = events(result, as_of=args.as_of)
        write_event_log(log, args.out)
        n, cases = log.height, log["case_id"].n_unique()
    print(t("stages.cli_wrote_events", args.lang, n=n, cases=cases, path=args.out))
    return EXIT_OK
