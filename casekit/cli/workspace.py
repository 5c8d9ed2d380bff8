"""``casekit workspace init|import|export|record|audit|backup|restore``.

Every sub-command takes ``--db`` (a path or URL; default ``CASEKIT_DB``, else
``casekit.db`` in the working folder) and ``--actor`` (default: the OS user). Exit
codes: 0 done, 1 rejected / rows quarantined / audit chain broken, 2 an input, option or
workspace that cannot be used (:func:`casekit.cli._common.exit_code`).

Examples
--------
>>> p = __import__("argparse").ArgumentParser().add_subparsers()
>>> register(p)
>>> args = p.choices["workspace"].parse_args(["audit", "--verify", "--db", "x.db"])
>>> args.verify, args.db
(True, 'x.db')
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from casekit.cli._common import EXIT_ERRORS as EXIT_PROBLEMS
from casekit.cli._common import EXIT_OK, EXIT_UNREADABLE, CliExit, add_workspace_arguments, json_text, open_workspace
from casekit.errors import RecordRejected
from casekit.i18n import t

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``workspace`` command and its sub-commands."""
    ws = sub.add_parser("workspace", help="the team's workspace database: init, import, export, record, audit, backup")
    cmds = ws.add_subparsers(dest="ws_command", required=True)
    common = add_workspace_arguments

    common(cmds.add_parser("init", help="create the workspace (or bring its schema up to date)"))
    imp = common(cmds.add_parser("import", help="import a workbook (valid rows stored, the rest quarantined)"))
    imp.add_argument("path", type=Path)
    imp.add_argument("--month-first", action="store_true")
    exp = common(cmds.add_parser("export", help="write today's workbook (.xlsx, or a folder of Parquet/CSV files)"))
    exp.add_argument("--out", type=Path, required=True)
    exp.add_argument("--format", choices=("parquet", "csv"), default=None)
    rec = common(cmds.add_parser("record", help="record one row: SHEET --json '{...}'"))
    rec.add_argument("sheet")
    rec.add_argument("--json", dest="row", required=True, help="the row as a JSON object (canonical column ids)")
    rec.add_argument(
        "--duplicate-client-ok",
        action="store_true",
        help="record a new case even when the client already has one (same client_id, or name and birth date)",
    )
    aud = common(cmds.add_parser("audit", help="show the audit log, or --verify the chain"))
    aud.add_argument("--case", default=None)
    aud.add_argument("--verify", action="store_true")
    bak = common(cmds.add_parser("backup", help="write a backup of the workspace"))
    bak.add_argument("--out", type=Path, required=True)
    res = common(cmds.add_parser("restore", help="replace the workspace's contents with a backup"))
    res.add_argument("file", type=Path)
    ws.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Dispatch a ``workspace`` sub-command (an error: one message, its exit code set in
    :func:`casekit.cli.run`)."""
    with open_workspace(args) as ws:
        return _COMMANDS[args.ws_command](ws, args)


def _init(ws, args: argparse.Namespace) -> int:
    print(t("workspace.cli_ready", args.lang, db=ws.url_label))
    return EXIT_OK


def _import(ws, args: argparse.Namespace) -> int:
    result = ws.import_workbook(args.path, actor=args.actor, lang=args.lang, month_first=args.month_first)
    print(
        t(
            "workspace.cli_imported",
            args.lang,
            added=result.total("added"),
            changed=result.total("changed"),
            unchanged=result.total("unchanged"),
            quarantined=result.total("quarantined"),
        )
    )
    for rec in result.report.head(50).iter_rows(named=True):
        print(f"  [{rec['severity']}] {rec['sheet']} {rec['row'] or ''} {rec['column'] or ''}: {rec['message']}")
    return EXIT_PROBLEMS if result.total("quarantined") else EXIT_OK


def _export(ws, args: argparse.Namespace) -> int:
    out = ws.export(args.out, lang=args.lang, actor=args.actor, format=args.format)
    print(t("cli.wrote", args.lang, path=out))
    return EXIT_OK


def _record(ws, args: argparse.Namespace) -> int:
    try:
        row = json.loads(args.row)
    except json.JSONDecodeError as exc:
        raise CliExit(EXIT_UNREADABLE, t("workspace.cli_bad_json", args.lang, error=str(exc))) from exc
    try:
        stored = ws.record(
            args.sheet, row, actor=args.actor, lang=args.lang, duplicate_client_ok=args.duplicate_client_ok
        )
    except RecordRejected as exc:
        print(json_text(exc.report.to_dicts()), file=sys.stderr)  # the problems, for programs
        raise
    print(json_text(dict(stored.items())))
    return EXIT_OK


def _audit(ws, args: argparse.Namespace) -> int:
    if args.verify:
        check = ws.verify_audit()
        if check.intact:
            print(t("workspace.cli_audit_intact", args.lang, n=check.entries))
            return EXIT_OK
        print(t("workspace.cli_audit_broken", args.lang, seq=check.first_broken), file=sys.stderr)
        return EXIT_PROBLEMS
    log = ws.audit(args.case)
    for rec in log.iter_rows(named=True):
        where = " ".join(str(x) for x in (rec["sheet"], rec["row_id"], rec["case_id"]) if x)
        print(f"{rec['seq']:>6} {rec['at']:%Y-%m-%d %H:%M:%S} {rec['actor']} {rec['action']} {where}")
    return EXIT_OK


def _backup(ws, args: argparse.Namespace) -> int:
    print(t("cli.wrote", args.lang, path=ws.backup(args.out)))
    return EXIT_OK


def _restore(ws, args: argparse.Namespace) -> int:
    ws.restore(args.file, actor=args.actor)
    print(t("workspace.cli_restored", args.lang, file=args.file))
    return EXIT_OK


_COMMANDS = {
    "init": _init,
    "import": _import,
    "export": _export,
    "record": _record,
    "audit": _audit,
    "backup": _backup,
    "restore": _restore,
}
