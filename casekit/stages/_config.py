"""Process rules: deadlines, cadences and switches of the stage engine, read from TOML.

The shipped defaults live in ``casekit/defaults/process.toml`` (docs/process_rules.md). A user
file only needs the keys it changes; anything unknown or out of range raises a
:class:`~casekit.errors.ConfigError` that names the key, in Spanish or English.

Examples
--------
>>> cfg = load_process_config()
>>> cfg.plan_days, cfg.plan_days_high_tier, cfg.cadence("low")
(14, 7, 60)
>>> load_process_config("[post_transition.window_days]\\ndischarge = 3").window("discharge")
3
>>> load_process_config("[deadlines]\\nscreening_days = -1")
Traceback (most recent call last):
...
casekit.errors.ConfigError: «deadlines.screening_days» in the process rules must be a whole number ... (found -1).
"""

from __future__ import annotations

import datetime as dt
import tomllib
import warnings
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from casekit._toml import toml_value
from casekit.errors import ConfigError
from casekit.i18n import t

__all__ = ["DEFAULT_PROCESS_FILE", "TIERS", "ProcessConfig", "load_process_config"]

#: The shipped process rules.
DEFAULT_PROCESS_FILE = Path(__file__).resolve().parent.parent / "defaults" / "process.toml"
#: Risk tiers, lowest first.
TIERS: tuple[str, ...] = ("low", "moderate", "high")

#: Transition kinds, contact kinds and with-whom values the lists may name.
_VOCAB = {
    "with_whom": ("client", "support_system", "provider", "insurer"),
    "contact_kind": ("appointment", "follow_up", "home_visit", "phone_call", "education", "post_transition"),
    "transition_kind": ("discharge", "transfer", "step_down", "step_up"),
    "level": (
        "inpatient",
        "skilled_nursing",
        "rehabilitation",
        "home_health",
        "outpatient",
        "community",
        "self_care",
    ),
}

# section -> key -> (dataclass field, kind); a nested table is "section.sub"
_SCHEMA: dict[str, dict[str, tuple[str, str]]] = {
    "deadlines": {
        "screening_days": ("screening_days", "days"),
        "assessment_days": ("assessment_days", "days"),
        "plan_days": ("plan_days", "days"),
        "plan_days_high_tier": ("plan_days_high_tier", "days"),
        "outcome_follow_up_days": ("outcome_follow_up_days", "days"),
    },
    "follow_up_cadence_days": {
        "high": ("cadence_high", "days"),
        "moderate": ("cadence_moderate", "days"),
        "low": ("cadence_low", "days"),
    },
    "reassessment_days": {
        "high": ("reassess_high", "days"),
        "moderate": ("reassess_moderate", "days"),
        "low": ("reassess_low", "days"),
    },
    "client_contact": {
        "with_whom": ("client_contact_with", "list:with_whom"),
    },
    "post_transition": {
        "kinds": ("post_transition_kinds", "list:contact_kind"),
        "business_day_kinds": ("business_day_kinds", "list:transition_kind"),
        "holidays": ("holidays", "dates"),
    },
    "post_transition.window_days": {
        "discharge": ("window_discharge", "days"),
        "transfer": ("window_transfer", "days"),
        "step_down": ("window_step_down", "days"),
        "step_up": ("window_step_up", "days"),
    },
    "readmission": {
        "levels": ("readmission_levels", "list:level"),
        "days": ("readmission_days", "days"),
    },
    "risk": {
        "review_required": ("review_required", "bool"),
        "default_tier": ("default_tier", "tier"),
    },
    "out_of_order": {
        "outcomes_may_precede_transition": ("outcomes_may_precede_transition", "bool"),
    },
}
#: The deprecated key (before issue 12): one window for every transition kind.
_OLD_WINDOW_KEY = "post_transition_window_days"


@dataclass(frozen=True)
class ProcessConfig:
    """The process rules the stage engine applies (all day counts in whole days)."""

    screening_days: int = 7
    assessment_days: int = 14
    plan_days: int = 14
    plan_days_high_tier: int = 7
    outcome_follow_up_days: int = 90
    cadence_high: int = 14
    cadence_moderate: int = 30
    cadence_low: int = 60
    reassess_high: int = 90
    reassess_moderate: int = 180
    reassess_low: int = 365
    client_contact_with: tuple[str, ...] = ("client", "support_system")
    post_transition_kinds: tuple[str, ...] = ("post_transition", "phone_call", "home_visit", "appointment", "follow_up")
    business_day_kinds: tuple[str, ...] = ("discharge", "transfer")
    holidays: tuple[dt.date, ...] = ()
    window_discharge: int = 2
    window_transfer: int = 2
    window_step_down: int = 7
    window_step_up: int = 7
    readmission_levels: tuple[str, ...] = ("inpatient",)
    readmission_days: int = 30
    review_required: bool = True
    default_tier: str = "moderate"
    outcomes_may_precede_transition: bool = True

    def cadence(self, tier: str) -> int:
        """Follow-up cadence (days) of ``tier``."""
        return {"high": self.cadence_high, "moderate": self.cadence_moderate, "low": self.cadence_low}[tier]

    def reassessment(self, tier: str) -> int:
        """Days from the latest assessment to the next one, for ``tier``.

        >>> ProcessConfig().reassessment("high"), ProcessConfig().reassessment("low")
        (90, 365)
        """
        return {"high": self.reassess_high, "moderate": self.reassess_moderate, "low": self.reassess_low}[tier]

    def windows(self) -> dict[str, int]:
        """Post-transition window (days) per transition kind.

        >>> ProcessConfig().windows()
        {'discharge': 2, 'transfer': 2, 'step_down': 7, 'step_up': 7}
        """
        return {kind: getattr(self, f"window_{kind}") for kind in _VOCAB["transition_kind"]}

    def window(self, kind: str | None) -> int:
        """The window of a transition ``kind``; a transition without a kind gets the shortest one.

        >>> ProcessConfig().window("step_down"), ProcessConfig().window(None)
        (7, 2)
        """
        windows = self.windows()
        return windows[kind] if kind in windows else min(windows.values())

    def to_toml(self) -> str:
        """The rules as a TOML text :func:`load_process_config` reads back.

        >>> load_process_config(ProcessConfig(plan_days=10).to_toml()).plan_days
        10
        """
        lines: list[str] = []
        for section, keys in _SCHEMA.items():
            lines.append(f"[{section}]")
            lines.extend(f"{key} = {toml_value(getattr(self, attr))}" for key, (attr, _) in keys.items())
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
    old_window: int | None = None
    for section, content in raw.items():
        if section not in _SCHEMA:
            raise ConfigError("stages.config_unknown_key", lang=lang, key=section, known=_sections())
        if not isinstance(content, dict):
            raise ConfigError("stages.config_not_table", lang=lang, key=section)
        for key, value in content.items():
            name = f"{section}.{key}"
            if name in _SCHEMA:  # a nested table ([post_transition.window_days])
                if not isinstance(value, dict):
                    raise ConfigError("stages.config_not_table", lang=lang, key=name)
                values.update(_table(name, value, lang))
            elif section == "deadlines" and key == _OLD_WINDOW_KEY:
                old_window = int(_check(name, value, "days", lang))
            else:
                values.update(_table(section, {key: value}, lang))
    if old_window is not None:
        warnings.warn(t("stages.config_deprecated_window", lang, days=old_window), FutureWarning, stacklevel=3)
        for kind in _VOCAB["transition_kind"]:
            values.setdefault(f"window_{kind}", old_window)
    return replace(base, **values)


def _sections() -> str:
    return ", ".join(s for s in _SCHEMA if "." not in s)


def _table(section: str, content: dict[str, Any], lang: str | None) -> dict[str, Any]:
    keys = _SCHEMA[section]
    out: dict[str, Any] = {}
    for key, value in content.items():
        spec = keys.get(key)
        if spec is None:
            known = ", ".join([*keys, *(s.split(".", 1)[1] for s in _SCHEMA if s.startswith(f"{section}."))])
            raise ConfigError("stages.config_unknown_key", lang=lang, key=f"{section}.{key}", known=known)
        attr, kind = spec
        out[attr] = _check(f"{section}.{key}", value, kind, lang)
    return out


def _check(key: str, value: Any, kind: str, lang: str | None) -> Any:
    if kind == "days":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError("stages.config_bad_days", lang=lang, key=key, value=_show(value))
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError("stages.config_bad_bool", lang=lang, key=key, value=_show(value))
        return value
    if kind.startswith("list:"):
        allowed = _VOCAB[kind.split(":", 1)[1]]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip().lower() in allowed for v in value):
            raise ConfigError(
                "stages.config_bad_list", lang=lang, key=key, value=_show(value), known=", ".join(allowed)
            )
        return tuple(dict.fromkeys(v.strip().lower() for v in value))
    if kind == "dates":
        if not isinstance(value, list) or not all(
            isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in value
        ):
            raise ConfigError("stages.config_bad_dates", lang=lang, key=key, value=_show(value))
        return tuple(sorted(set(value)))
    if not isinstance(value, str) or value.strip().lower() not in TIERS:
        raise ConfigError("stages.config_bad_tier", lang=lang, key=key, value=_show(value), tiers=", ".join(TIERS))
    return value.strip().lower()


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
