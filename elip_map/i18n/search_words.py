"""Everyday words readers type, per interface language, kept beside the catalogues.

``translations/<folder>/search_words.json`` lists, for each service type (by slug) and some languages
of service (by ISO code), phrases a reader of that interface language may type: "英语课", "clases de
inglés", "عربي". The catalogue's type label and CLDR's language names are added by
:mod:`elip_map.directory.search_words`; this module only reads the files, one language at a time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from ..paths import TRANSLATIONS_DIR
from .locales import folder


def search_words_path(ui: str):
    return TRANSLATIONS_DIR / folder(ui) / "search_words.json"


@lru_cache(maxsize=None)
def search_words(ui: str) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    """{"types": {slug: phrases}, "languages": {code: phrases}} for one interface language (read-only)."""
    path = search_words_path(ui)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return MappingProxyType({
        kind: MappingProxyType({key: tuple(str(p) for p in phrases) for key, phrases in (data.get(kind) or {}).items()})
        for kind in ("types", "languages")
    })
