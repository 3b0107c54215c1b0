"""Which interface language a request gets: BCP 47 tags in the URL, a cookie, then the browser's wishes.

The contract: ``ui=`` takes the tags of :data:`SUPPORTED_UI`; ``<html lang>`` is that tag and ``dir`` is
``rtl`` for Arabic, Persian and Dari. A tag we do not know is never an error: the reader gets the language
negotiated from their cookie or their browser's ``Accept-Language`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError, negotiate_locale
from flask import has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

DEFAULT_UI = "en"
# Interface languages in picker order (Canada's official languages first, then by the size of the
# Edmonton communities who read them); each needs a complete catalogue (tests/unit/test_i18n.py).
SUPPORTED_UI: tuple[str, ...] = ("en", "fr", "ar", "zh-Hans", "zh-Hant", "pa", "tl", "es", "uk", "so", "ti", "am",
                                 "fa", "prs")
COOKIE_NAME = "elip_ui"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Babel/CLDR locale for a tag where they differ: CLDR calls Tagalog "fil" and has no "prs" (Dari), whose
# written standard is Persian as used in Afghanistan.
_BABEL_ID = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "tl": "fil", "prs": "fa_AF"}
# What browsers and people send for our languages, lower-cased, beyond the tags themselves.
_ALIASES = {
    "zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-my": "zh-Hans", "zh-hans-cn": "zh-Hans",
    "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant", "zh-hant-tw": "zh-Hant", "zh-hant-hk": "zh-Hant",
    "fil": "tl", "fa-af": "prs", "prs-af": "prs", "pa-guru": "pa", "pa-in": "pa", "pa-guru-in": "pa",
}
_RTL_FALLBACK = frozenset({"ar", "fa", "prs", "ur", "he", "ps", "ckb"})  # for tags Babel does not know


def folder(ui: str) -> str:
    """Catalogue folder of a tag (gettext style): folder('zh-Hans') -> 'zh_Hans'."""
    return ui.replace("-", "_")


def babel_locale_id(ui: str) -> str:
    return _BABEL_ID.get(ui, ui.replace("-", "_"))


@lru_cache(maxsize=64)
def babel_locale(ui: str) -> Locale:
    """The CLDR locale behind an interface tag (Dari reads as Persian of Afghanistan, Tagalog as Filipino)."""
    try:
        return Locale.parse(babel_locale_id(ui))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_UI)


def intl_locale(ui: str) -> str:
    """The tag the browser's ``Intl`` formatters understand (``prs`` -> ``fa-AF``)."""
    return babel_locale_id(ui).replace("_", "-")


_BY_LOWER = {t.lower(): t for t in SUPPORTED_UI}


def match_tag(value) -> str | None:
    """A supported tag for a tag-like value, or None: 'fr-CA' -> 'fr', 'zh_TW' -> 'zh-Hant', 'xx' -> None."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if not value or not isinstance(value, str):
        return None
    key = value.strip().replace("_", "-").lower()
    if key in _BY_LOWER:
        return _BY_LOWER[key]
    if key in _ALIASES:
        return _ALIASES[key]
    parts = key.split("-")
    for n in range(len(parts) - 1, 0, -1):  # zh-hant-tw -> zh-hant; fr-ca -> fr
        head = "-".join(parts[:n])
        if head in _BY_LOWER:
            return _BY_LOWER[head]
        if head in _ALIASES:
            return _ALIASES[head]
    return None


def negotiate_accept(header: str | None) -> str | None:
    """The best supported tag for an ``Accept-Language`` header (Babel's ``negotiate_locale``), or None.

    >>> negotiate_accept("pa-IN,pa;q=0.9,en;q=0.5")
    'pa'
    """
    if not header:
        return None
    accepted = parse_accept_header(header, LanguageAccept)
    preferred = []
    for value, quality in accepted:  # werkzeug sorts by quality, best first
        if quality <= 0 or value == "*":
            continue
        preferred.append(match_tag(value) or value)
    return negotiate_locale(preferred, SUPPORTED_UI, sep="-")


def request_ui(args_value=None, cookie: str | None = None, accept: str | None = None) -> str:
    """URL first (a shared link shows what its sender saw), then the remembered choice, then the browser."""
    return match_tag(args_value) or match_tag(cookie) or negotiate_accept(accept) or DEFAULT_UI


def negotiate_ui(value=None) -> str:
    """The interface language for a ``ui`` query value; inside a request, an unknown or missing value
    falls back to the cookie and ``Accept-Language``: negotiate_ui('fr-CA') -> 'fr'."""
    tag = match_tag(value)
    if tag:
        return tag
    if has_request_context():
        return request_ui(None, request.cookies.get(COOKIE_NAME), request.headers.get("Accept-Language"))
    return DEFAULT_UI


# Names readers look for in a language menu, where CLDR's own name is less usual.
_AUTONYMS = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "tl": "Tagalog", "prs": "دری"}


@lru_cache(maxsize=64)
def ui_autonym(ui: str) -> str:
    """An interface language's name in itself, as a menu shows it: 'Français', '简体中文', 'ਪੰਜਾਬੀ'."""
    if ui in _AUTONYMS:
        return _AUTONYMS[ui]
    loc = babel_locale(ui)
    name = loc.languages.get(loc.language) or ui
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=64)
def text_direction(ui: str) -> str:
    """'rtl' or 'ltr' from CLDR (Babel's ``Locale.text_direction``): text_direction('fa') -> 'rtl'."""
    tag = match_tag(ui)
    if tag:
        return babel_locale(tag).text_direction
    try:
        return Locale.parse(str(ui).replace("-", "_")).text_direction
    except (UnknownLocaleError, ValueError):
        return "rtl" if str(ui).split("-")[0].lower() in _RTL_FALLBACK else "ltr"


@dataclass(frozen=True)
class UiChoice:
    """One line of a language menu: the language by its own name, in its own direction, linking to the page."""
    code: str
    name: str
    dir: str
    href: str
    current: bool


def ui_choices(ui: str, path: str) -> list[UiChoice]:
    """Every interface language as the menus list it (the public pages' picker, a verification link's page):
    ui_choices("ar", "/about")[1] -> UiChoice("fr", "Français", "ltr", "/about?ui=fr", False)."""
    return [UiChoice(code, ui_autonym(code), text_direction(code), f"{path}?ui={code}", code == ui) for code in SUPPORTED_UI]


def remember_choice(args_value, cookie: str | None) -> str | None:
    """The tag to store in the cookie after this request, or None when nothing changes."""
    tag = match_tag(args_value)
    return tag if tag and tag != cookie else None
