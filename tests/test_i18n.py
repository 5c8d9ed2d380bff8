"""Every message exists in both languages and uses the same placeholders."""

import re
import string

import pytest

from casekit.i18n import LANGS, catalog, normalize_lang, t


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(catalog()))
def test_message_has_both_languages_with_same_placeholders(key: str) -> None:
    texts = catalog()[key]
    assert set(texts) >= set(LANGS), f"{key} lacks a language"
    assert all(texts[lang].strip() for lang in LANGS), f"{key} has an empty text"
    assert _fields(texts["es"]) == _fields(texts["en"]), key


def test_missing_param_stays_visible_and_unknown_key_is_returned() -> None:
    assert t("io.empty_file", "en") == "The file «{file}» is empty."
    assert t("no.such.key", "es") == "no.such.key"


@pytest.mark.parametrize(("given", "expected"), [("es-ES", "es"), ("EN_gb", "en"), ("fr", "en"), (None, "en")])
def test_normalize_lang(given: str | None, expected: str) -> None:
    assert normalize_lang(given) == expected


@pytest.mark.parametrize(
    ("n", "es", "en"), [(0, "0 avisos", "0 warnings"), (1, "1 aviso", "1 warning"), (2, "2 avisos", "2 warnings")]
)
def test_plural_forms_follow_the_count(n: int, es: str, en: str) -> None:
    params = {"errors": 1, "warnings": n, "rows": 1, "cases": 2}
    assert f"1 error y {es}; 1 fila apartada (2 casos afectados)" in t("ui.data_summary", "es", **params)
    assert f"1 error and {en}; 1 row set aside (2 cases affected)" in t("ui.data_summary", "en", **params)


#: Words that may follow a number without being its noun ("{path} is", "{max} or less").
_NOT_NOUNS = frozenset(
    {"is", "has", "was", "seems", "starts", "forces", "counts", "of", "in", "or", "this"}
    | {"de", "en", "es", "o", "no", "con", "sin", "hasta", "antes", "después", "más", "las", "los"}
)


def counts_without_plural(text: str) -> list[str]:
    """The placeholders of ``text`` that read as a count of a plural noun (``{n} casos``,
    ``{n} more problems``: a word ending in *s* within the next two) and have no plural
    form ``{n:caso|casos}`` anywhere in the text.

    >>> counts_without_plural("{n} casos en {path}")
    ['n']
    >>> counts_without_plural("{n} {n:caso|casos} en {path}; {path} no es válido")
    []
    """
    out = []
    for m in re.finditer(r"\{(\w+)\}(?:\*\*)?((?:\s+[^\W\d]+){1,2})", text):
        name = m.group(1)
        if "{" + name + ":" in text:
            continue
        for word in m.group(2).split():
            if word in _NOT_NOUNS:
                break
            if word.endswith("s"):
                out.append(name)
                break
    return out


@pytest.mark.parametrize("text", ["{n} casos", "{n} more problems", "Se vaciaron {cells} celdas", "{n} caso(s)"])
def test_the_plural_check_finds_a_count_without_plural(text: str) -> None:
    assert counts_without_plural(text) or "(s)" in text


def test_every_count_in_a_message_has_a_plural_form() -> None:
    """«1 aviso», «2 avisos»: a count followed by its noun is written ``{n} {n:aviso|avisos}``."""
    missing = {
        f"{key} [{lang}]": names
        for key, texts in catalog().items()
        for lang in LANGS
        if (names := counts_without_plural(texts[lang])) or "(s)" in texts[lang] or "(n)" in texts[lang]
    }
    assert not missing, missing


@pytest.mark.parametrize(
    ("key", "params", "es", "en"),
    [
        ("ui_forms.duplicate_found", {"n": 1}, "Ya existe 1 caso del", "1 case of the same client already exists"),
        ("ui_forms.duplicate_found", {"n": 2}, "Ya existen 2 casos del", "2 cases of the same client already exist"),
        ("ui_explore.matches", {"n": "**1**", "total": "1"}, "de 1 caso cumple", "of 1 case matches"),
        ("ui_explore.matches", {"n": "**2**", "total": "30"}, "de 30 casos cumplen", "of 30 cases match"),
        ("ui_transitions.to_chase_caption", {"flagged": "1", "flag": "F"}, "1 caso abierto tiene", "1 open case has"),
        ("ui_transitions.to_chase_caption", {"flagged": "2", "flag": "F"}, "2 casos abiertos tienen", "2 open cases"),
        ("ui_monitoring.worklist_shown", {"shown": "1", "total": "1"}, "Se muestra 1 de 1 fila.", "1 of 1 row shown."),
        ("ui_monitoring.worklist_shown", {"shown": "2", "total": "2"}, "Se muestran 2 de 2 filas.", "2 of 2 rows"),
        ("learn.window_business", {"n": "1"}, "1 día hábil", "1 business day"),
        ("learn.window_business", {"n": "2"}, "2 días hábiles", "2 business days"),
        ("deid.cli_dropped", {"cells": 1}, "Se vació 1 celda de texto conservado que parecía", "1 cell of kept"),
        ("deid.cli_dropped", {"cells": 2}, "Se vaciaron 2 celdas de texto conservado que parecían", "2 cells of kept"),
        ("ui_assessment.tiers_caption", {"cases": "1"}, "del 1 caso evaluado", "of the 1 assessed case,"),
        ("ui_assessment.tiers_caption", {"cases": "2"}, "de los 2 casos evaluados", "of the 2 assessed cases,"),
    ],
)
def test_counted_messages_read_right_for_one_and_two(key: str, params: dict[str, object], es: str, en: str) -> None:
    assert es in t(key, "es", **params)
    assert en in t(key, "en", **params)
