"""``casekit users add EMAIL --role ROLE [--name NAME] [--program P] | list | remove EMAIL``,
and ``casekit digest [--config FILE]`` (:mod:`casekit.workspace.digest`; the settings
default to the workspace configuration, :mod:`casekit.workspace.config`).

Who may sign in to the app, with what role (docs/deployment.md). Every sub-command takes
``--db`` (a path or URL; default ``CASEKIT_DB``, else ``casekit.db``) and ``--actor``.
``add`` warns (exit 0) when ``--name`` matches no case's case manager. Exit codes: 0
done, 1 refused (no such user to remove; the digest not sent), 2 an argument, setting or
workspace that cannot be used (unknown role, bad e-mail, no ``[smtp]`` host) — the rule
of :func:`casekit.cli._common.exit_code`.

Examples
--------
>>> p = __import__("argparse").ArgumentParser().add_subparsers()
>>> register(p)
>>> args = p.choices["users"].parse_args(["add", "eva@team.org", "--role", "case_manager", "--program", "north"])
>>> args.role, args.program
('case_manager', ['north'])
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from casekit.cli._common import EXIT_ERRORS as EXIT_PROBLEMS
from casekit.cli._common import (
    EXIT_OK,
    EXIT_UNREADABLE,
    CliExit,
    add_workspace_arguments,
    open_workspace,
    parse_date,
)
from casekit.i18n import LANGS, t

__all__ = ["register", "run", "run_digest"]
ROLE_CHOICES = ("case_manager", "supervisor", "researcher", "trainer", "admin")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``users`` command and its sub-commands."""
    users = sub.add_parser("users", help="who may sign in to the app, and with what role: add, list, remove")
    cmds = users.add_subparsers(dest="users_command", required=True)
    common = add_workspace_arguments

    add = common(cmds.add_parser("add", help="add a user (or change one): EMAIL --role ROLE"))
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ROLE_CHOICES)
    add.add_argument("--name", default=None, help="the case-manager name on the cases (case managers)")
    add.add_argument("--program", action="append", default=[], help="a programme the supervisor oversees (repeat)")
    add.add_argument("--language", choices=LANGS, default=None, help="the user's language (app and digest)")
    add.add_argument("--away", action="store_true", help="mark away: the digest goes to --cover")
    add.add_argument("--cover", default=None, help="e-mail of who covers while away")
    common(cmds.add_parser("list", help="list the users"))
    rm = common(cmds.add_parser("remove", help="remove a user"))
    rm.add_argument("email")
    users.set_defaults(handler=run)

    digest = sub.add_parser("digest", help="e-mail each case manager their open priority-1 and priority-2 items")
    digest.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML file with an [smtp] table (default: the workspace configuration, ~/.config/casekit/casekit.toml)",
    )
    digest.add_argument("--as-of", type=parse_date, default=None, help="default: today")
    digest.add_argument("--dry-run", action="store_true", help="print the messages instead of sending them")
    add_workspace_arguments(digest, actor=False)
    digest.set_defaults(handler=run_digest)


def run_digest(args: argparse.Namespace) -> int:
    """``casekit digest``: send (or print) the day's messages."""
    from casekit.workspace.config import config_path
    from casekit.workspace.digest import SmtpSettings, digest_messages, send_digest

    as_of = args.as_of or dt.date.today()
    try:
        text = (args.config or config_path()).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliExit(EXIT_UNREADABLE, str(exc)) from exc
    settings = SmtpSettings.from_toml(text, lang=args.lang)
    with open_workspace(args) as ws:
        if args.dry_run:
            for msg in digest_messages(ws, as_of=as_of, sender=settings.sender):
                print(msg.as_string())
            return EXIT_OK
        try:
            n = send_digest(ws, settings, as_of=as_of)
        except OSError as exc:  # the SMTP server refused or is unreachable: nothing (more) sent
            raise CliExit(EXIT_PROBLEMS, str(exc)) from exc
    print(t("access.digest_sent", args.lang, n=n))
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Dispatch a ``users`` sub-command (an error: one message, its exit code set in
    :func:`casekit.cli.run`)."""
    lang = args.lang
    with open_workspace(args) as ws:
        if args.users_command == "add":
            return _add(ws, args)
        if args.users_command == "remove":
            if not ws.remove_user(args.email, actor=args.actor):
                raise CliExit(EXIT_PROBLEMS, t("access.cli_no_user", lang, email=args.email))
            print(t("access.cli_removed", lang, email=args.email))
            return EXIT_OK
        _list(ws, lang)
        return EXIT_OK


def _add(ws, args: argparse.Namespace) -> int:
    user = ws.add_user(
        args.email,
        args.role,
        name=args.name,
        programs=args.program,
        language=args.language,
        away=args.away,
        cover=args.cover,
        actor=args.actor,
        lang=args.lang,
    )
    print(t("access.cli_added", args.lang, email=user.email, role=user.role))
    if user.name and ws.name_matches(user.name) == 0:
        print(t("access.name_unmatched", args.lang, name=user.name), file=sys.stderr)
    return EXIT_OK


def _list(ws, lang: str) -> None:
    users = ws.users()
    if users.height == 0:
        print(t("access.cli_none", lang))
    for rec in users.iter_rows(named=True):
        extra = [rec["name"] or "", ",".join(rec["programs"]), rec["language"] or ""]
        if rec["away"]:
            extra.append(t("access.cli_away", lang, cover=rec["cover"] or "—"))
        print("\t".join([rec["email"], rec["role"], *extra]).rstrip())
