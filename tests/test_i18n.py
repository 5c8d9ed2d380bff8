"""Every message exists in both languages and uses the same placeholders."""

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
