"""The daily e-mail digest: each case manager's open priority-1 and priority-2 items.

``casekit digest --config casekit.toml [--db …] [--as-of DATE] [--dry-run]`` sends one
message per case manager who has open safety (priority 1) or transition (priority 2)
items on the worklist, in the user's language; when a case manager is marked away
(``casekit users add … --away --cover EMAIL``) the message goes to the cover person.
The message names cases by id, flag and due date only — never a client's name or notes:
e-mail is not a safe place for health data (the "minimum necessary" rule, docs/deployment.md).
Each sending is audited (action ``digest``).

The SMTP settings are the ``[smtp]`` table of the configuration file::

    [smtp]
    host = "smtp.example.org"
    port = 587
    sender = "casekit@example.org"
    starttls = true
    username = "casekit"        # the password: the CASEKIT_SMTP_PASSWORD environment variable

Examples
--------
>>> settings = SmtpSettings.from_toml('[smtp]\\nhost = "127.0.0.1"\\nport = 2525\\nsender = "ck@x.org"')
>>> settings.host, settings.port, settings.starttls
('127.0.0.1', 2525, False)
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import polars as pl

from casekit.errors import ConfigError
from casekit.i18n import t
from casekit.workspace._access import name_key_expr

__all__ = ["PASSWORD_ENV", "SmtpSettings", "digest_messages", "send_digest"]

PASSWORD_ENV = "CASEKIT_SMTP_PASSWORD"


@dataclass(frozen=True)
class SmtpSettings:
    """Where the digest is sent from: ``host``, ``port``, ``sender``, ``starttls``, ``username``."""

    host: str
    port: int = 25
    sender: str = "casekit@localhost"
    starttls: bool = False
    username: str | None = None

    @classmethod
    def from_toml(cls, text: str, *, lang: str | None = None) -> SmtpSettings:
        """The ``[smtp]`` table of a configuration file's text."""
        try:
            smtp = tomllib.loads(text).get("smtp")
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("access.digest_bad_config", lang=lang, problem=str(exc)) from exc
        if not isinstance(smtp, dict) or not smtp.get("host"):
            raise ConfigError("access.digest_bad_config", lang=lang, problem="[smtp] host")
        return cls(
            host=str(smtp["host"]),
            port=int(smtp.get("port", 25)),
            sender=str(smtp.get("sender", "casekit@localhost")),
            starttls=bool(smtp.get("starttls", False)),
            username=smtp.get("username"),
        )


def _items(ws: Any, as_of: dt.date) -> pl.DataFrame:
    """Open priority-1 and priority-2 worklist rows of every case, with the holder's name key."""
    from casekit.stages import case_status, worklist

    status = case_status(ws.data(), as_of=as_of)
    rows = worklist(status).filter(pl.col("priority") <= 2)
    return rows.with_columns(name_key_expr(pl.col("case_manager")).alias("_holder"))


def digest_messages(ws: Any, *, as_of: dt.date, sender: str = "casekit@localhost") -> list[EmailMessage]:
    """One message per case manager with open priority-1/2 items (to the cover when away)."""
    from casekit.stages import flag_label

    items = _items(ws, as_of)
    users = ws.users()
    managers = users.filter(pl.col("role") == "case_manager").with_columns(
        name_key_expr(pl.col("name")).alias("_holder")
    )
    messages = []
    for user in managers.iter_rows(named=True):
        mine = items.filter(pl.col("_holder") == user["_holder"])
        if mine.height == 0 or user["_holder"] is None:
            continue
        lang = user["language"] or "es"
        to = user["cover"] if user["away"] and user["cover"] else user["email"]
        p1 = mine.filter(pl.col("priority") == 1).height
        p2 = mine.height - p1
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = t("access.digest_subject", lang, day=as_of.isoformat(), p1=p1, p2=p2)
        lines = [t("access.digest_intro", lang, name=user["name"], day=as_of.isoformat())]
        if to != user["email"]:
            lines.append(t("access.digest_cover", lang, email=user["email"]))
        lines.append("")
        for row in mine.iter_rows(named=True):
            due = row["due_on"].isoformat() if row["due_on"] else "—"
            lines.append(f"P{row['priority']}  {row['case_id']}  {flag_label(row['flag'], lang)}  {due}")
        lines += ["", t("access.digest_footer", lang)]
        msg.set_content("\n".join(lines))
        messages.append(msg)
    return messages


def send_digest(ws: Any, settings: SmtpSettings, *, as_of: dt.date, actor: str = "casekit digest") -> int:
    """Send the digest through ``settings``; returns the number of messages sent (audited)."""
    messages = digest_messages(ws, as_of=as_of, sender=settings.sender)
    if messages:
        with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, os.environ.get(PASSWORD_ENV, ""))
            for msg in messages:
                smtp.send_message(msg)
    ws._log("digest", actor, after={"as_of": as_of, "to": [str(m["To"]) for m in messages]})
    return len(messages)
