"""Process rules: deadlines, cadences and switches of the stage engine, read from TOML.

The shipped defaults live in ``casekit/defaults/process.toml`` (DESIGN.md §4). A user
file only needs the keys it changes; anything unknown or out of range raises a
:class:`~casekit.errors.ConfigError` that names the key, in Spanish or English.

Examples
--------
>>> cfg = load_process_config()
>>> cfg.plan_days, cfg.plan_days_high_tier, cfg.cadence("low")
(14, 7, 60)
>>> load_process_config("[deadlines]\\npost_transition_window_days = 8").post_transition_window_days
8
>>> load_process_config("[deadlines]\\nscreening_days = -1")
Traceback (most recent call last):
...
casekit.errors.ConfigError: «deadlines.screening_days» in the process rules must be a whole number ... (found -1).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from casekit.errors import ConfigError

__all__ = ["DEFAULT_PROCESS_FILE", "TIERS", "ProcessConfig", "load_process_config"]

#: The shipped process rules.
DEFAULT_PROCESS_FILE = Path(__file__).resolve().parent.parent / "defaults" / "process.toml"
#: Risk tiers, lowest first.
TIERS: tuple[str, ...] = ("low", "moderate", "high")

# section -> key -> (dataclass field, kind)
_SCHEMA: dict[str, dict[str, tuple[str, str]]] = {
    "deadlines": {
        "screening_days": ("screening_days", "days"),
        "assessment_days": ("assessment_days", "days"),
        "plan_days": ("plan_days", "days"),
        "plan_days_high_tier": ("plan_days_high_tier", "days"),
        "post_transition_window_days": ("post_transition_window_days", "days"),
        "outcome_follow_up_days": ("outcome_follow_up_days", "days"),
    },
    "follow_up_cadence_days": {
        "high": ("cadence_high", "days"),
        "moderate": ("cadence_moderate", "days"),
        "low": ("cadence_low", "days"),
    },
    "risk": {
        "review_required": ("review_required", "bool"),
        "default_tier": ("default_tier", "tier"),
    },
    "out_of_order": {
        "outcomes_may_precede_transition": ("outcomes_may_precede_transition", "bool"),
    },
}


@dataclass(frozen=True)
class ProcessConfig:
    """The process rules the stage engine applies (all day counts in whole days)."""

    screening_days: int = 7
    assessment_days: int = 14
    plan_days: int = 14
    plan_days_high_tier: int = 7
    post_transition_window_days: int = 7
    outcome_follow_up_days: int = 90
    cadence_high: int = 14
    cadence_moderate: int = 30
    cadence_low: int = 60
    review_required: bool = True
    default_tier: str = "moderate"
    outcomes_may_precede_transition: bool = True

    def cadence(self, tier: str) -> int:
        """Follow-up cadence (days) of ``tier``."""
        return {"high": self.cadence_high, "moderate": self.cadence_moderate, "low": self.cadence_low}[tier]

    def to_toml(self) -> str:
        """The rules as a TOML text :func:`load_process_config` reads back.

        >>> load_process_config(ProcessConfig(plan_days=10).to_toml()).plan_days
        10
        """
        lines: list[str] = []
        for section, keys in _SCHEMA.items():
            lines.append(f"[{section}]")
            for key, (attr, kind) in keys.items():
                value = getattr(self, attr)
                text = ("true" if value else "false") if kind == "bool" else f'"{value}"' if kind == "tier" else value
                lines.append(f"{key} = {text}")
            lines.append("")
        return "\n".join(lines)


def load_process_config(
    path_or_text: str | Path | bytes | ProcessConfig | None = None, *, lang: str | None = None
) -> ProcessConfig:
    """Read process rules: ``None`` → the shipped defaults; a :class:`~pathlib.Path` or a
    ``*.toml`` path string → that file; any other string (or bytes) → TOML text.

    Keys left out keep their default. Raises :class:`~casekit.errors.ConfigError` (message
    in ``lang``) for unreadable files, invalid TOML, unknown sections or keys, day counts
    that are not whole numbers ≥ 0, non-boolean switches and unknown tier names.

    Examples
    --------
    >>> load_process_config("[risk]\\ndefault_tier = 'high'").default_tier
    'high'
    >>> load_process_config("[deadline]\\nplan_days = 3", lang="es")
    Traceback (most recent call last):
    ...
    casekit.errors.ConfigError: Ajuste desconocido «deadline» en las reglas del proceso. ...
    """
    if isinstance(path_or_text, ProcessConfig):
        return path_or_text
    if path_or_text is None:
        return _defaults()
    name, text = _source(path_or_text, lang)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("stages.config_bad_toml", lang=lang, file=name, detail=str(exc)) from None
    return _build(raw, lang, _defaults())


@cache
def _defaults() -> ProcessConfig:
    return _build(tomllib.loads(DEFAULT_PROCESS_FILE.read_text(encoding="utf-8")), None, ProcessConfig())


def _source(obj: str | Path | bytes, lang: str | None) -> tuple[str, str]:
    """(name for messages, TOML text)."""
    if isinstance(obj, bytes):
        return "<bytes>", obj.decode("utf-8-sig", errors="replace")
    looks_like_path = isinstance(obj, Path) or (
        "\n" not in obj and "=" not in obj and "[" not in obj and obj.strip().lower().endswith(".toml")
    )
    if not looks_like_path:
        return "<text>", str(obj)
    path = Path(obj)
    try:
        return path.name, path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise ConfigError("stages.config_missing_file", lang=lang, file=str(path)) from None


def _build(raw: dict[str, Any], lang: str | None, base: ProcessConfig) -> ProcessConfig:
    values: dict[str, Any] = {}
    for section, content in raw.items():
        keys = _SCHEMA.get(section)
        if keys is None:
            raise ConfigError("stages.config_unknown_key", lang=lang, key=section, known=", ".join(_SCHEMA))
        if not isinstance(content, dict):
            raise ConfigError("stages.config_not_table", lang=lang, key=section)
        for key, value in content.items():
            spec = keys.get(key)
            if spec is None:
                raise ConfigError("stages.config_unknown_key", lang=lang, key=f"{section}.{key}", known=", ".join(keys))
            attr, kind = spec
            values[attr] = _check(f"{section}.{key}", value, kind, lang)
    return replace(base, **values)


def _check(key: str, value: Any, kind: str, lang: str | None) -> int | bool | str:
    if kind == "days":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError("stages.config_bad_days", lang=lang, key=key, value=_show(value))
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError("stages.config_bad_bool", lang=lang, key=key, value=_show(value))
        return value
    if not isinstance(value, str) or value.strip().lower() not in TIERS:
        raise ConfigError("stages.config_bad_tier", lang=lang, key=key, value=_show(value), tiers=", ".join(TIERS))
    return value.strip().lower()


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
