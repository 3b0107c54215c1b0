"""Catalogues: gettext ``.po`` files read with Babel when first needed, compiled in memory (no build step).

One catalogue per language is loaded, only when a reader asks for that language, and kept read-only
for the life of the process (shared by all requests). Fuzzy and empty entries are left out, so they
fall back to English instead of showing a guess or a blank.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ..paths import TRANSLATIONS_DIR
from flask import g, has_request_context, request

from .locales import DEFAULT_UI, babel_locale_id, folder, match_tag, negotiate_ui
from .locales import babel_locale as _babel_locale

DOMAIN = "messages"
# Catalogue header that says whether a fluent person has checked the translation ("yes"/"no").
REVIEW_HEADER = "X-Reviewed-By-Community-Translator"


def catalogue_path(ui: str) -> Path:
    return TRANSLATIONS_DIR / folder(ui) / "LC_MESSAGES" / f"{DOMAIN}.po"


def _complete(message) -> bool:
    if not message.id or message.fuzzy:
        return False
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


@lru_cache(maxsize=None)
def _read(ui: str):
    path = catalogue_path(ui)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=babel_locale_id(ui), abort_invalid=False)


@lru_cache(maxsize=None)
def gnu_translations(ui: str) -> gettext.NullTranslations:
    """The language's catalogue as standard gettext (plural forms from its ``Plural-Forms`` header)."""
    cat = _read(ui)
    if cat is None:
        return gettext.NullTranslations()
    for message in list(cat):
        if message.id and not _complete(message):
            del cat[message.id]
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@lru_cache(maxsize=None)
def catalogue(ui: str) -> Mapping[str, str]:
    """msgid -> msgstr (singular messages) for one language; read-only."""
    cat = _read(ui)
    if cat is None:
        return MappingProxyType({})
    return MappingProxyType({m.id: m.string for m in cat if isinstance(m.id, str) and _complete(m)})


_EXTRA_HEADER = re.compile(r'^"(X-[A-Za-z0-9-]+):\s*(.*?)\\n"$', re.MULTILINE)


def extra_headers(po_text: str) -> dict[str, str]:
    """The project's own ``X-`` header fields of a catalogue (Babel's reader does not keep them)."""
    head = po_text.split("\n\n", 1)[0]
    return {k: v for k, v in _EXTRA_HEADER.findall(head)}


def with_extra_headers(po_text: str, headers: Mapping[str, str]) -> str:
    """``po_text`` with these ``X-`` fields appended to its header entry (replacing any already there)."""
    head, sep, rest = po_text.partition("\n\n")
    lines = [ln for ln in head.split("\n") if not (_EXTRA_HEADER.match(ln) and _EXTRA_HEADER.match(ln).group(1) in headers)]
    lines += [f'"{k}: {v}\\n"' for k, v in headers.items()]
    return "\n".join(lines) + sep + rest


@lru_cache(maxsize=None)
def review_status(ui: str) -> bool:
    """True when the catalogue's header says a fluent community translator has reviewed it."""
    path = catalogue_path(ui)
    if not path.exists():
        return False
    value = extra_headers(path.read_text(encoding="utf-8")).get(REVIEW_HEADER, "no")
    return value.strip().lower() in {"yes", "true", "1"}


class Translator:
    """``_`` for one reader's language: ``_(msg, **values)`` and ``_.ngettext(singular, plural, n, **values)``.

    Keyword values fill ``{placeholders}`` after translating; a plural message also gets ``{n}``.
    """

    __slots__ = ("ui", "_gnu")

    def __init__(self, ui: str):
        self.ui = ui
        self._gnu = gnu_translations(ui)

    def __call__(self, message: str, **values) -> str:
        text = self._gnu.gettext(message) if message else message
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        """The plural form the language needs for ``n`` (Arabic has six), with ``{n}`` filled in."""
        text = self._gnu.ngettext(singular, plural, n)
        values.setdefault("n", n)
        return text.format(**values)


def translator(ui: str) -> Translator:
    """A ``_`` for one request's language.

    >>> _ = translator("fr"); _("{km} km away", km="1,5")  # doctest: +SKIP
    'à 1,5 km'
    """
    return _translator(match_tag(ui) or DEFAULT_UI)


@lru_cache(maxsize=None)
def _translator(ui: str) -> Translator:
    return Translator(ui)


def reader_ui() -> str:
    """The interface language of the request being answered: one a route chose for this request
    (``flask.g.elip_ui``: a verification link answers in its mail's language), else ``ui`` in the URL,
    the reader's cookie, then Accept-Language; English outside a request (the command line, direct calls)."""
    if not has_request_context():
        return DEFAULT_UI
    return match_tag(getattr(g, "elip_ui", None)) or negotiate_ui(request.args.get("ui"))


def reader_translator() -> Translator:
    """``_`` for the person this request answers (see :func:`reader_ui`). For messages built deep in the
    review and account rooms, which have no page to hand them the language."""
    return translator(reader_ui())


def page_title(name: str) -> Callable[..., str]:
    """A Dash page ``title`` that follows the reader's language (Dash calls it while answering a request):
    "À propos — Carte des services de l’ELIP". ``name`` must be marked with ``N_`` where it is written."""

    def title(**_path_variables) -> str:
        ui = negotiate_ui(request.args.get("ui") if has_request_context() else None)
        _ = translator(ui)
        site = _("ELIP Service Map")
        return site if name == "ELIP Service Map" else f"{_(name)} — {site}"

    return title


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet (translated later, per reader)."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message for the catalogue (both forms), to be chosen per count later."""
    return singular, plural


# Counts that show every CLDR plural category of every interface language (Arabic's "many" starts at 11,
# its "other" again at 100; Ukrainian's "many" at 5 and 11-14).
_SAMPLES = range(1, 1200)


def plural_table(ui: str, singular: str, plural: str) -> dict[str, str]:
    """One plural message for the browser: its text per CLDR category, as ``Intl.PluralRules(locale).select(n)``
    names them, plus ``"0"`` for a count of zero (CLDR puts 0 in "one" for Punjabi, Amharic, Tigrinya and
    Tagalog, where gettext writes the plural). Built from the catalogue's own plural forms, so the browser
    writes what ``_.ngettext`` writes for the same count.

    >>> plural_table("en", "{n} service", "{n} services")
    {'one': '{n} service', 'other': '{n} services', '0': '{n} services'}
    """
    gnu = gnu_translations(match_tag(ui) or DEFAULT_UI)
    locale = _babel_locale(ui)
    table: dict[str, str] = {}
    for n in _SAMPLES:
        table.setdefault(locale.plural_form(n), gnu.ngettext(singular, plural, n))
    table["0"] = gnu.ngettext(singular, plural, 0)
    return table


def translate_all(ui: str, messages: Iterable[str]) -> dict[str, str]:
    """Translations of several messages at once, for the browser's own rendering (list cards, counts)."""
    _ = translator(ui)
    return {m: _(m) for m in messages}
