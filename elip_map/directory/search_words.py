"""The name search in the reader's words: a table of phrases that name a service type or a language.

The newcomer page sends this table (for the reader's interface language only) to the browser; the
filter predicate (``elip_map/rules/filters.py`` and its twin in ``assets/elip_map.js``) then lets a query
that names a type or a language ("英语课", "clases de inglés", "عربي") also match listings of that type
or language, even when the listing's own text is in English.

Rows are ``[folded phrase, "t" | "l", slug or code]``. Phrases come from the type's label in the
catalogue, the English label, ``translations/<folder>/search_words.json``, and CLDR's name of each
language of service in the reader's language and in itself. English as a *language of service* is left
out on purpose: nearly every listing offers it, and a reader typing "English", "inglés" or "英语" is
looking for English classes (those words are language-training phrases in the word files).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..i18n import match_tag, translator
from ..i18n.search_words import search_words
from ..rules.text import fold
from .languages import autonym, language_name
from .taxonomy import SERVICE_TYPES

LEFT_OUT_LANGUAGES = frozenset({"en"})


def search_table(ui: str, language_codes: Iterable[str]) -> list[list[str]]:
    """Phrases naming each service type and each language of service present, for one interface language."""
    ui = match_tag(ui) or "en"
    _ = translator(ui)
    words = search_words(ui)
    rows: list[list[str]] = []
    seen: set[tuple[str, str, str]] = set()

    def add(phrase: str, kind: str, key: str) -> None:
        folded = fold(phrase)
        if folded and (folded, kind, key) not in seen:
            seen.add((folded, kind, key))
            rows.append([folded, kind, key])

    for service in SERVICE_TYPES:
        for phrase in (_(service.label), service.label, *words["types"].get(service.slug, ())):
            add(phrase, "t", service.slug)
    for code in sorted(set(language_codes) - LEFT_OUT_LANGUAGES):
        for phrase in (language_name(code, ui), autonym(code), *words["languages"].get(code, ())):
            add(phrase, "l", code)
    return rows
