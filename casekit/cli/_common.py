"""What every ``casekit`` command shares: exit codes, :class:`CliExit`, the input
arguments, reading and validating the input, writing a table for people, and safe text
for the terminal.

Only the standard library and :mod:`casekit.i18n` are imported here, so that
``casekit --help`` stays fast; a command loads what it needs when it runs.

Examples
--------
>>> import argparse
>>> p = argparse.ArgumentParser()
>>> add_input_arguments(p)
>>> args = p.parse_args(["book.xlsx", "--lang", "es", "--as-of", "2026-09-30"])
>>> args.path.name, args.lang, args.as_of
('book.xlsx', 'es', datetime.date(2026, 9, 30))
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from casekit.i18n import LANGS, normalize_lang, t

__all__ = [
    "EXIT_ERRORS",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "CliExit",
    "add_input_arguments",
    "add_lang_argument",
    "add_rules_arguments",
    "add_streaming_argument",
    "add_workspace_arguments",
    "default_lang",
    "engine_of",
    "exit_code",
    "json_text",
    "load_validated",
    "open_workspace",
    "out_is_input",
    "parse_date",
    "printable",
    "release_address_space",
    "write_for_people",
]

if TYPE_CHECKING:
    from casekit.errors import CasekitError
    from casekit.workspace import Workspace

#: Exit codes of every command: done; problems found or refused (errors, rows
#: quarantined, a row or an access refused, a broken audit chain); the input, the
#: workspace or an option cannot be used at all. :func:`exit_code` maps errors to them.
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
#: The errors that refuse one thing asked of a usable workspace (exit 1, not 2).
_REFUSALS = ("RecordRejected", "StaleEdit", "AccessDenied")


def exit_code(exc: CasekitError) -> int:
    """The exit code of a command stopped by ``exc`` (the one rule, used by
    :func:`casekit.cli.run`): a row, an edit or an access refused is
    :data:`EXIT_ERRORS`; anything else (an unreadable file, a bad option or setting, a
    workspace that cannot be opened) is :data:`EXIT_UNREADABLE`.

    >>> from casekit.errors import AccessDenied, ConfigError
    >>> refused, bad = AccessDenied("access.unknown_user", user="x@y.org"), ConfigError("cli.bad_date", value="x")
    >>> exit_code(refused), exit_code(bad)
    (1, 2)
    """
    return EXIT_ERRORS if type(exc).__name__ in _REFUSALS else EXIT_UNREADABLE


class CliExit(Exception):  # noqa: N818 - a control-flow signal, not an error type
    """Stop the command with exit ``code`` after printing ``message`` on stderr (caught
    once, in :func:`casekit.cli.run`).

    >>> CliExit(2, "cannot read").code
    2
    """

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Terminal control characters (C0, DEL, C1) and bidirectional overrides: a cell value or
# a file name holding them could rewrite the terminal or hide text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    r"""``text`` with terminal control characters shown as escapes (``\x1b``), never sent raw.

    >>> printable("ok\x1b[2J\u202egnp.exe")
    'ok\\x1b[2J\\u202egnp.exe'
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


# In JSON, C0 characters are escaped by ``json`` itself; DEL, C1 and bidi overrides are not.
_JSON_CONTROL = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_text(value: object, *, indent: int | None = None) -> str:
    r"""``value`` as JSON (UTF-8 text kept readable) with every terminal control character
    escaped as ``\uXXXX``, so the output is still valid JSON and never raw control bytes.

    >>> json_text({"id": "A\x9b2J\u202e"})
    '{"id": "A\\u009b2J\\u202e"}'
    >>> json.loads(json_text({"id": "A\x9b"})) == {"id": "A\x9b"}
    True
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=str)
    return _JSON_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def out_is_input(out: Path | None, source: Path) -> bool:
    """Whether writing ``out`` would overwrite a file the command reads: ``source`` itself,
    or a sheet file already in the folder ``source`` (a new file there is fine).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "cases.csv").write_text("case_id")
    7
    >>> out_is_input(folder / "cases.csv", folder), out_is_input(folder / "report.csv", folder)
    (True, False)
    >>> out_is_input(folder / "." / "cases.csv", folder / "cases.csv")
    True
    """
    if out is None or not out.exists():
        return False
    target = out.resolve()
    if target == source.resolve():
        return True
    from casekit.io import SHEET_FILE_EXTS

    return source.is_dir() and target.parent == source.resolve() and target.suffix.lower() in SHEET_FILE_EXTS


def default_lang() -> str:
    """The command line's language: ``CASEKIT_LANG``, else the system's ``LANG`` (es or en)."""
    return normalize_lang(os.environ.get("CASEKIT_LANG") or os.environ.get("LANG"))


def parse_date(text: str) -> dt.date:
    """An ISO date argument (``--as-of 2026-09-30``), with a clear message in the CLI's language.

    >>> parse_date("2026-09-30")
    datetime.date(2026, 9, 30)
    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("cli.bad_date", default_lang(), value=text)) from exc


def add_input_arguments(
    parser: argparse.ArgumentParser, *, as_of_required: bool = False, path_optional: bool = False
) -> None:
    """The options every command that reads a workbook shares: PATH, --lang, --as-of, --month-first."""
    parser.add_argument(
        "path",
        type=Path,
        nargs="?" if path_optional else None,
        help="workbook (.xlsx/.xlsm/.ods), folder of CSV/Parquet files, or one file",
    )
    add_lang_argument(parser)
    parser.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        required=as_of_required,
        help="reference date, e.g. 2026-09-30" + ("" if as_of_required else " (default: today, said in the output)"),
    )
    parser.add_argument("--month-first", action="store_true", help="read 03/01/2026 as 1 March (default: day first)")


def add_rules_arguments(
    parser: argparse.ArgumentParser, *, model: bool = False, config: bool = False, measures: bool = False
) -> None:
    """``--model`` (the risk model TOML), ``--config`` (the process rules TOML) and/or
    ``--measures`` (a team's measures catalogue, TOML like the shipped
    ``casekit/defaults/measures.toml``; its entries add to or replace the shipped ones)."""
    if model:
        parser.add_argument(
            "--model", type=Path, default=None, help="risk model TOML file (default: the shipped model)"
        )
    if config:
        parser.add_argument(
            "--config", type=Path, default=None, help="process rules TOML file (default: shipped rules)"
        )
    if measures:
        parser.add_argument(
            "--measures",
            type=Path,
            default=None,
            help="measures catalogue TOML file (default: the shipped catalogue); sets the outcome rules and "
            "which measures complete stage 9 on their own",
        )


def add_workspace_arguments(parser: argparse.ArgumentParser, *, actor: bool = True) -> argparse.ArgumentParser:
    """``--db`` (the workspace), ``--actor`` (who does this; with ``actor``) and ``--lang``,
    shared by ``casekit workspace …``, ``users …`` and ``digest``; returns ``parser``.

    >>> p = add_workspace_arguments(argparse.ArgumentParser())
    >>> args = p.parse_args(["--db", "team.db", "--actor", "eva"])
    >>> args.db, args.actor
    ('team.db', 'eva')
    """
    parser.add_argument("--db", default=None, help="workspace path or URL (default: CASEKIT_DB, else ./casekit.db)")
    if actor:
        parser.add_argument("--actor", default=None, help="who does this (default: the OS user)")
    add_lang_argument(parser)
    return parser


@contextlib.contextmanager
def open_workspace(args: argparse.Namespace) -> Iterator[Workspace]:
    """The workspace of ``--db``, closed when the block ends. One that cannot be opened
    raises its :class:`~casekit.errors.CasekitError`, which :func:`casekit.cli.run` turns
    into one message and :data:`EXIT_UNREADABLE`, like any input that cannot be used."""
    from casekit.workspace import Workspace

    ws = Workspace.open(args.db)
    try:
        yield ws
    finally:
        ws.close()


def add_streaming_argument(parser: argparse.ArgumentParser) -> None:
    """``--streaming``: PATH is a folder of Parquet files, scanned and run on polars' streaming engine."""
    parser.add_argument(
        "--streaming",
        action="store_true",
        help="PATH is a folder of Parquet files (one per sheet, or a sub-folder of parts per sheet): scan it and "
        "run on polars' streaming engine, for caseloads larger than memory (same results)",
    )


def release_address_space() -> None:
    """Before polars is loaded, ask its allocator (jemalloc) to give back the address space it
    no longer uses (``retain:false``): by default it keeps it, and under a memory cap on the
    address space (``ulimit -v``, ``RLIMIT_AS``) a streaming run at 10M cases then fails with
    a few GB resident. Called for ``--streaming``; a setting of the user's is kept."""
    if "polars" not in sys.modules:
        os.environ.setdefault("_RJEM_MALLOC_CONF", "retain:false")


def engine_of(args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """A context in which every polars query runs on the streaming engine when the command
    got ``--streaming`` (the functions whose engine is not chosen by their data, e.g. the
    outcome summaries of ``casekit report``), else nothing.

    >>> with engine_of(argparse.Namespace(streaming=False)):
    ...     pass
    """
    if not getattr(args, "streaming", False):
        return contextlib.nullcontext()
    import polars as pl

    return pl.Config(engine_affinity="streaming")


def add_lang_argument(parser: argparse.ArgumentParser) -> None:
    """``--lang es|en`` (default: :func:`default_lang`)."""
    parser.add_argument("--lang", choices=LANGS, default=default_lang())


def load_validated(args: argparse.Namespace):
    """Read and validate ``args.path`` and return the :class:`~casekit.data.ValidationResult`.

    An unreadable file (or an ``--out`` that would overwrite the input) raises
    :class:`CliExit` with one message. When rows were quarantined, one line on stderr says
    how many, so nothing is lost silently.
    """
    from casekit.errors import UnreadableFileError
    from casekit.io import read_isolated

    lang = args.lang
    out = getattr(args, "out", None)
    if isinstance(out, Path) and out_is_input(out, args.path):
        raise CliExit(EXIT_UNREADABLE, t("cli.out_is_input", lang, path=out))
    if getattr(args, "streaming", False):  # scanned, not read: the sheets stay lazy
        from casekit.io import scan_caseload

        if not args.path.is_dir():
            raise CliExit(EXIT_UNREADABLE, t("cli.streaming_needs_folder", lang, path=args.path))
        data = scan_caseload(args.path)
    else:
        try:  # in a child process with memory and time limits: a hostile file never aborts the CLI
            data = read_isolated(args.path, lang=lang, month_first=args.month_first)
        except UnreadableFileError as exc:
            raise CliExit(EXIT_UNREADABLE, exc.message(lang)) from exc
    from casekit.validation import validate  # pandera: imported once the file is read (a refusal stays quick)

    result = validate(data, lang=lang, as_of=args.as_of)
    if args.command != "validate" and result.n_quarantined():
        print(
            t("cli.quarantine_note", lang, rows=sum(result.n_quarantined().values()), cases=result.affected_cases()),
            file=sys.stderr,
        )
    return result


def write_for_people(df, args: argparse.Namespace, dest: Path, sheet: str, *, model=None) -> None:
    """``df`` to ``dest`` by its extension: CSV and XLSX as a person reads them in
    ``args.lang`` (:func:`casekit.present.readable`: headers, labels; numbers and dates
    typed; ``;`` and decimal comma in a Spanish CSV), Parquet with the ids, for programs.
    ``model``: the risk model in use, whose factors and red flags (a team's own ones
    included) are named by their labels in it."""
    from casekit.export import write_table
    from casekit.present import readable

    if dest.suffix.lower() != ".parquet":
        df = readable(df, args.lang, keep_types=True, model=model)
    source = args.path.name if getattr(args, "path", None) else None
    write_table(df, dest, lang=args.lang, sheet=sheet, source=source, as_of=getattr(args, "as_of", None))
