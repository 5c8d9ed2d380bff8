"""Writing TOML: casekit's settings files (process rules, what-if changes) as text that
``tomllib`` reads back. The standard library reads TOML but does not write it.

>>> import tomllib
>>> tomllib.loads(dump_toml({"risk": {"default_tier": "high", "days": [7, 14]}}))
{'risk': {'default_tier': 'high', 'days': [7, 14]}}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["dump_toml", "toml_value"]


def toml_value(value: object) -> str:
    """One value written as TOML (numbers, booleans, text, dates and lists of them).

    >>> toml_value(True), toml_value("high"), toml_value(("a", "b")), toml_value([dt.date(2026, 12, 25)])
    ('true', '"high"', '["a", "b"]', '[2026-12-25]')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def dump_toml(doc: dict[str, Any]) -> str:
    """A (possibly nested) TOML document as text: tables become ``[a]`` / ``[a.b]`` headers.

    >>> print(dump_toml({"a": {"x": 1, "b": {"y": [2]}}}))
    [a]
    x = 1
    [a.b]
    y = [2]
    """
    lines: list[str] = []

    def table(prefix: str, content: dict[str, Any]) -> None:
        lines.append(f"[{prefix}]")
        lines.extend(f"{k} = {toml_value(v)}" for k, v in content.items() if not isinstance(v, dict))
        for k, v in content.items():
            if isinstance(v, dict):
                table(f"{prefix}.{k}", v)

    for name, content in doc.items():
        table(name, content)
    return "\n".join(lines)
