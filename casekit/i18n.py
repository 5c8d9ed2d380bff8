"""Translations: ``t(key, lang, **params)`` over TOML catalogs in ``casekit/locales``.

Each catalog file is one domain (``io.toml``, ``validation.toml``, ``cli.toml``…); each
table in it is one message with an ``en`` and an ``es`` text. A key is
``"<file stem>.<table>"``. Missing parameters leave their ``{placeholder}`` visible
rather than failing, so a message is never lost. Plurals: ``{n:aviso|avisos}`` is the
first word when ``n`` is 1, the second otherwise (``"{n} {n:aviso|avisos}"``).

Examples
--------
>>> t("common.yes", "es")
'sí'
>>> t("common.yes", "en")
'yes'
>>> normalize_lang("es-ES")
'es'
>>> t("cli.summary", "es", file="f", errors=1, warnings=2, rows=1, cases=0)
'f: 1 error, 2 avisos; 1 fila apartada (0 casos afectados).'
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from pathlib import Path

LANGS: tuple[str, ...] = ("es", "en")
DEFAULT_LANG = "en"
_LOCALES = Path(__file__).parent / "locales"


def normalize_lang(lang: str | None) -> str:
    """Map ``"es"``, ``"es-ES"``, ``"ES"``… to a supported language (default English)."""
    if not lang:
        return DEFAULT_LANG
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGS else DEFAULT_LANG


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All messages: ``{"domain.key": {"en": ..., "es": ...}}``."""
    return {f"{stem}.{key}": texts for stem in _domains() for key, texts in messages(stem).items()}


@cache
def _domains() -> tuple[str, ...]:
    """The catalog files' stems (``"io"``, ``"validation"``…), sorted."""
    return tuple(sorted(path.stem for path in _LOCALES.glob("*.toml")))


@cache
def messages(domain: str) -> dict[str, dict[str, str]]:
    """The messages of one catalog file, by key without the domain: ``t`` and a check for a
    key read only the file of that key (all 31 files cost ~0.03 s of a process's first
    ``validate``, which needs one). An unknown domain has none.

    >>> messages("common")["yes"]["es"], messages("no_such_domain")
    ('sí', {})
    """
    if domain not in _domains():
        return {}
    with (_LOCALES / f"{domain}.toml").open("rb") as fh:
        return tomllib.load(fh)


def message(key: str) -> dict[str, str] | None:
    """The texts of ``key`` (``"<domain>.<table>"``) by language, or ``None`` when unknown.

    >>> message("common.yes")["en"], message("common.no_such_key")
    ('yes', None)
    """
    domain, _, name = key.partition(".")
    return messages(domain).get(name) if name else None


class _Plurals(string.Formatter):
    """``{n:one|other}`` picks the singular when ``n`` is 1 (a number, or one already written
    as text: ``"1"``, ``"**1**"``); other specs as ``format``.

    >>> _Plurals().format("{n} {n:aviso|avisos}, {m} {m:caso|casos}", n=1, m="1.028")
    '1 aviso, 1.028 casos'
    """

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return one if value == 1 or str(value).strip("* ") == "1" else other  # 1, or "1" / "**1**" written
        return super().format_field(value, format_spec)


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """Translate ``key`` into ``lang`` and fill ``{params}``.

    An unknown key returns the key itself (visible in tests, never a crash).
    """
    texts = message(key)
    if texts is None:
        return key
    text = texts.get(normalize_lang(lang)) or texts.get(DEFAULT_LANG) or key
    if not params:
        return text
    return _Plurals().vformat(text, (), _Keep(params))
