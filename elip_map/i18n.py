"""Interface languages: gettext ``.po`` catalogues read with Babel at runtime, so no build step is needed.

Adding a language is adding ``translations/<code>/LC_MESSAGES/messages.po`` and its code to
:data:`SUPPORTED_UI`. Listing data is never translated: it stays in the language it was entered in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

from babel.messages.pofile import read_po

from .paths import TRANSLATIONS_DIR

DEFAULT_UI = "en"
# Interface languages in switcher order; each needs a complete catalogue (a test checks).
SUPPORTED_UI: tuple[str, ...] = ("en", "fr", "ar")
RTL_LANGUAGES = frozenset({"ar", "fa", "prs", "ur", "he", "ps", "ckb"})
DOMAIN = "messages"


def catalogue_path(ui: str):
    return TRANSLATIONS_DIR / ui / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def catalogue(ui: str) -> Mapping[str, str]:
    """msgid -> msgstr for one language, read once per process; read-only (shared by all requests).

    Fuzzy and empty entries are left out, so they fall back to English instead of showing a guess.
    """
    path = catalogue_path(ui)
    if not path.exists():
        return MappingProxyType({})
    with path.open("rb") as fh:
        cat = read_po(fh, locale=ui)
    table = {m.id: m.string for m in cat if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
    return MappingProxyType(table)


def negotiate_ui(value: str | list | None) -> str:
    """The interface language to use for a ``ui`` query value: negotiate_ui('fr-CA') -> 'fr'."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not value:
        return DEFAULT_UI
    code = str(value).strip().replace("_", "-").split("-")[0].lower()
    return code if code in SUPPORTED_UI else DEFAULT_UI


def text_direction(ui: str) -> str:
    """'rtl' for right-to-left scripts: text_direction('ar') -> 'rtl'."""
    return "rtl" if ui.split("-")[0] in RTL_LANGUAGES else "ltr"


def translator(ui: str) -> Callable[..., str]:
    """A ``_`` for one request's language; keyword arguments fill ``{placeholders}`` after translating.

    >>> _ = translator("fr"); _("Results: {n}", n=3)  # doctest: +SKIP
    'Résultats : 3'
    """
    table = catalogue(negotiate_ui(ui))

    def _(message: str, **values) -> str:
        text = table.get(message) or message
        return text.format(**values) if values else text

    return _


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet (translated later, per reader)."""
    return message


def translate_all(ui: str, messages) -> dict[str, str]:
    """Translations of several messages at once, for the browser's own rendering (list cards, counts)."""
    _ = translator(ui)
    return {m: _(m) for m in messages}
