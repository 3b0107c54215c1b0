"""Languages: ISO 639 codes in storage, names resolved from English, French or the language's own script.

Babel's CLDR data gives every language's name in English, in French and in itself, so a spreadsheet
cell saying "Arabic", "arabe" or "العربية" resolves to ``ar`` without a hand-kept table.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from ..i18n import babel_locale, match_tag
from ..rules.text import fold

# Names people write that CLDR spells differently, or for which the macrolanguage code is the one stored.
_ALIASES = {
    "farsi": "fa", "persian": "fa", "dari": "prs", "tagalog": "tl", "filipino": "tl", "pilipino": "tl",
    "tagalog (pilipino, filipino)": "tl", "mandarin": "zh", "chinese": "zh", "mandarin chinese": "zh",
    "putonghua": "zh", "cantonese": "yue", "punjabi": "pa", "panjabi": "pa", "asl": "ase",
    "american sign language": "ase", "sign language": "sgn", "kurdish": "ku", "oromo": "om", "afaan oromo": "om",
    "tigrigna": "ti", "somalian": "so", "ukranian": "uk", "russian-speaking": "ru", "karen": "kar",
    "cree": "cr", "ojibwe": "oj", "blackfoot": "bla", "bengali": "bn", "bangla": "bn", "nepali": "ne",
    "english only": "en",
}

# ISO 639-3 codes that CLDR names under a regional variant of another code.
_CLDR_NAME_KEY = {"prs": "fa_AF"}

# Languages we look names up in (their own names are added for every code too).
_NAME_LOCALES = ("en", "fr")


def _key(text: str) -> str:
    """The shared text key (:func:`elip_map.rules.text.fold`): "Arabe", "ARABIC " and "العربية" all fold."""
    return fold(text)


@lru_cache(maxsize=1)
def _common_index() -> dict[str, str]:
    """Names in English and French plus the usual aliases: cheap, and what most cells say."""
    index: dict[str, str] = {}
    for loc_code in _NAME_LOCALES:
        for code, name in Locale(loc_code).languages.items():
            if "_" in code or len(code) > 3:
                continue
            index.setdefault(_key(name), code)
    for alias, code in _ALIASES.items():
        index[_key(alias)] = code
    return index


@lru_cache(maxsize=1)
def _autonym_index() -> dict[str, str]:
    """Every language's name in itself ("العربية"): loads hundreds of CLDR locales, so built only on a miss."""
    index: dict[str, str] = {}
    for code in Locale("en").languages:
        if "_" in code or len(code) > 3:
            continue
        try:
            own = Locale(code).languages.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        if own:
            index.setdefault(_key(own), code)
    for code in _CLDR_NAME_KEY:
        for name in (*(language_name(code, loc) for loc in _NAME_LOCALES), autonym(code)):
            index.setdefault(_key(name), code)
    return index


def _lookup(key: str) -> str | None:
    return _common_index().get(key) or _autonym_index().get(key)


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    codes = {c for c in Locale("en").languages if "_" not in c and len(c) <= 3}
    return frozenset(codes | set(_ALIASES.values()))


@lru_cache(maxsize=8192)
def resolve_language(text: str) -> str | None:
    """ISO 639 code for a language name or code, or None: resolve_language('arabe') -> 'ar'."""
    key = _key(text)
    if not key:
        return None
    if key in known_codes():
        return key
    found = _lookup(key)
    if found:
        return found
    # "English (fluent)", "Arabic - Levantine": try the first word group before brackets/dashes.
    head = _key(re.split(r"[(\-–/]", text)[0])
    if head and head != key:
        return _lookup(head)
    return None


def split_languages(cell: str) -> list[str]:
    """Split a spreadsheet 'Languages' cell: 'Arabic, Farsi / Dari; French and English' -> five names."""
    parts = re.split(r"[;,/|\n]+|\s+(?:and|et|&)\s+", cell or "")
    return [p.strip() for p in parts if p and p.strip()]


@lru_cache(maxsize=4096)
def language_name(code: str, ui_locale: str = "en") -> str:
    """The language's name in the reader's language: language_name('ar', 'es') -> 'árabe'."""
    key = _CLDR_NAME_KEY.get(code, code)
    try:
        name = babel_locale(ui_locale).languages.get(key) if match_tag(ui_locale) else \
            Locale.parse(ui_locale.replace("-", "_")).languages.get(key)
    except (UnknownLocaleError, ValueError):
        name = None
    if not name:
        name = Locale("en").languages.get(key, code)
    return name


@lru_cache(maxsize=1024)
def autonym(code: str) -> str:
    """The language's name in itself ('العربية'), for language switchers."""
    key = _CLDR_NAME_KEY.get(code, code)
    try:
        return Locale.parse(key).languages.get(key) or language_name(code)
    except (UnknownLocaleError, ValueError):
        return language_name(code)
