"""The ``casekit`` command line.

``casekit validate PATH`` exits 0 when the workbook has no errors (warnings allowed),
1 when it has errors and 2 when the file cannot be read at all. ``casekit template``
writes the empty workbook to fill in; ``casekit sample`` a synthetic caseload.

Examples
--------
>>> build_parser().parse_args(["validate", "x.xlsx", "--lang", "es"]).lang
'es'
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from casekit.i18n import LANGS, normalize_lang, t

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2

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
    from casekit.io._read import SHEET_FILE_EXTS

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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (sub-commands validate, template, sample)."""
    parser = argparse.ArgumentParser(
        prog="casekit", description="Case-management workbooks: validate, template, sample."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    val = sub.add_parser("validate", help="check a workbook, a folder of CSV/Parquet files or one file")
    add_input_arguments(val)
    val.add_argument("--format", choices=("text", "json"), default="text")
    val.add_argument("--out", type=Path, default=None, help="also write the report to a .xlsx or .csv file")
    val.add_argument("--max-lines", type=int, default=200, help="problems listed in text output (default 200)")

    tpl = sub.add_parser("template", help="write the empty workbook to fill in")
    tpl.add_argument("--lang", choices=LANGS, default=default_lang())
    tpl.add_argument("--out", type=Path, required=True)

    smp = sub.add_parser("sample", help="write a synthetic caseload")
    smp.add_argument("--cases", type=int, default=500)
    smp.add_argument("--seed", type=int, default=0)
    smp.add_argument("--out", type=Path, required=True)
    smp.add_argument("--format", choices=("parquet", "csv", "xlsx"), default=None)
    smp.add_argument("--lang", choices=LANGS, default="en", help="sheet names, headers and labels of the files")
    smp.add_argument("--as-of", type=parse_date, default=None, help="reference date (default: the sample's own)")

    for name, handler in (("validate", _validate), ("template", _template), ("sample", _sample)):
        sub.choices[name].set_defaults(handler=handler)
    _register_feature_commands(sub)
    return parser


def _register_feature_commands(sub: argparse._SubParsersAction) -> None:
    """Sub-commands that live with their feature package (risk, stages…)."""
    from casekit.deid_cli import register as register_deid
    from casekit.report import register as register_report
    from casekit.risk.cli import register as register_risk
    from casekit.stages.cli import register as register_stages
    from casekit.workspace.cli import register as register_workspace

    register_risk(sub)
    register_stages(sub)
    register_report(sub)
    register_deid(sub)
    register_workspace(sub)


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


def add_input_arguments(parser: argparse.ArgumentParser, *, as_of_required: bool = False) -> None:
    """The options every command that reads a workbook shares: PATH, --lang, --as-of, --month-first."""
    parser.add_argument("path", type=Path, help="workbook (.xlsx/.xlsm/.ods), folder of CSV/Parquet files, or one file")
    parser.add_argument("--lang", choices=LANGS, default=default_lang())
    parser.add_argument(
        "--as-of", type=parse_date, default=None, required=as_of_required, help="reference date, e.g. 2026-09-30"
    )
    parser.add_argument("--month-first", action="store_true", help="read 03/01/2026 as 1 March (default: day first)")


def add_measures_argument(parser: argparse.ArgumentParser) -> None:
    """``--measures FILE``: a team's measures catalogue (TOML, like the shipped
    ``casekit/defaults/measures.toml``; its entries add to or replace the shipped ones)."""
    parser.add_argument(
        "--measures",
        type=Path,
        default=None,
        help="measures catalogue TOML file (default: the shipped catalogue); sets the outcome rules and "
        "which measures complete stage 9 on their own",
    )


def load_validated(args: argparse.Namespace):
    """Read and validate ``args.path``; on an unreadable file print one message and return an exit code.

    Returns a :class:`~casekit.data.ValidationResult`, or ``EXIT_UNREADABLE`` (int). When
    rows were quarantined, one line on stderr says how many, so nothing is lost silently.
    """
    from casekit.errors import UnreadableFileError
    from casekit.io import read_isolated

    lang = args.lang
    out = getattr(args, "out", None)
    if isinstance(out, Path) and out_is_input(out, args.path):
        print(printable(t("cli.out_is_input", lang, path=out)), file=sys.stderr)
        return EXIT_UNREADABLE
    try:  # in a child process with memory and time limits: a hostile file never aborts the CLI
        data = read_isolated(args.path, lang=lang, month_first=args.month_first)
    except UnreadableFileError as exc:
        print(printable(exc.message(lang)), file=sys.stderr)
        return EXIT_UNREADABLE
    from casekit.validation import validate  # pandera: imported once the file is read (a refusal stays quick)

    result = validate(data, lang=lang, as_of=args.as_of)
    if args.command != "validate" and result.n_quarantined():
        print(
            t("cli.quarantine_note", lang, rows=sum(result.n_quarantined().values()), cases=result.affected_cases()),
            file=sys.stderr,
        )
    return result


def write_for_people(df, args: argparse.Namespace, dest: Path, sheet: str) -> None:
    """``df`` to ``dest`` by its extension: CSV and XLSX as a person reads them in
    ``args.lang`` (:func:`casekit.present.readable`: headers, labels; numbers and dates
    typed; ``;`` and decimal comma in a Spanish CSV), Parquet with the ids, for programs."""
    from casekit.export import write_table
    from casekit.present import readable

    if dest.suffix.lower() != ".parquet":
        df = readable(df, args.lang, keep_types=True)
    source = args.path.name if getattr(args, "path", None) else None
    write_table(df, dest, lang=args.lang, sheet=sheet, source=source, as_of=getattr(args, "as_of", None))


def _validate(args: argparse.Namespace) -> int:
    lang = args.lang
    result = load_validated(args)
    if isinstance(result, int):
        return result
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


def _template(args: argparse.Namespace) -> int:
    from casekit.template import write_template

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_template(args.out, lang=args.lang)
    print(t("cli.wrote", args.lang, path=args.out))
    return EXIT_OK


def _sample(args: argparse.Namespace) -> int:
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
        write_workbook(data, out, lang=args.lang, format=fmt)
    print(t("cli.wrote_sample", args.lang, n=args.cases, path=out))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``casekit`` console script; returns the exit code.

    A reader that stops early (``casekit validate book.xlsx | head``) ends the output
    quietly: no ``BrokenPipeError`` traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python's advice: point stdout at devnull so the flush at exit does not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERRORS
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
