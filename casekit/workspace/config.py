"""The workspace configuration file: ``casekit.toml`` in the casekit home folder
(``CASEKIT_HOME``, default ``~/.config/casekit``), next to the audit key.

It holds the settings that belong to an installation rather than to its data:

- ``local_mode = true``: the app runs without sign-in, as one local administrator (the
  same opt-in as ``CASEKIT_LOCAL_MODE=1``; the variable, when set, wins);
- ``[smtp]``: the daily digest's mail server (:mod:`casekit.workspace.digest`).

A missing file is an empty configuration; a file that is not TOML, or a ``local_mode``
that is not ``true``/``false``, raises :class:`~casekit.errors.ConfigError` (never a
silent default for a security setting).

Examples
--------
>>> parse_config("local_mode = true")["local_mode"]
True
>>> local_mode_setting({}), local_mode_setting({"local_mode": False})
(False, False)
>>> local_mode_setting({"local_mode": "yes"})
Traceback (most recent call last):
casekit.errors.ConfigError: ...
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from casekit.errors import ConfigError
from casekit.workspace._audit import home

__all__ = ["CONFIG_HINT", "CONFIG_NAME", "config_path", "load_config", "local_mode_setting", "parse_config"]

#: The file's name in the casekit home folder.
CONFIG_NAME = "casekit.toml"
#: Where it is by default, as told to people (never the server's own path: that names its user).
CONFIG_HINT = "~/.config/casekit/casekit.toml"


def config_path() -> Path:
    """Where the workspace configuration is read: ``<casekit home>/casekit.toml``."""
    return home() / CONFIG_NAME


def parse_config(text: str, *, source: str = CONFIG_NAME, lang: str | None = None) -> dict[str, Any]:
    """The settings of a configuration file's ``text`` (``source`` names it in errors)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("access.config_invalid", lang=lang, path=source, problem=str(exc)) from exc


def load_config(path: Path | None = None, *, lang: str | None = None) -> dict[str, Any]:
    """The settings in ``path`` (default :func:`config_path`); ``{}`` when there is no file."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError("access.config_invalid", lang=lang, path=str(path), problem=str(exc)) from exc
    return parse_config(text, source=str(path), lang=lang)


def local_mode_setting(config: dict[str, Any], *, source: str = CONFIG_NAME, lang: str | None = None) -> bool:
    """The ``local_mode`` of a configuration: ``true`` or ``false`` (absent: ``false``)."""
    value = config.get("local_mode", False)
    if not isinstance(value, bool):
        raise ConfigError("access.config_invalid", lang=lang, path=source, problem=f"local_mode = {value!r}")
    return value
