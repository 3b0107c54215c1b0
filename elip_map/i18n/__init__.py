"""Interface languages: BCP 47 tags, gettext catalogues with plural forms, locale formats.

``translations/<folder>/LC_MESSAGES/messages.po`` holds each language (folder = tag with ``_``,
``zh_Hans``); ``scripts/i18n_catalogues.py`` extracts the English messages from the source and updates
every catalogue. Adding a language is adding its tag to :data:`SUPPORTED_UI` and running that script.
Listing data is never translated: it stays in the language it was entered in.
"""

from __future__ import annotations

from .catalogues import (
    DOMAIN, REVIEW_HEADER, N_, N_plural, Translator, catalogue, catalogue_path, gnu_translations, page_title, plural_table,
    reader_translator, reader_ui, review_status, translate_all, translator,
)
from .formats import format_date, format_datetime, format_distance, format_list, format_metres, format_number
from .locales import (
    COOKIE_MAX_AGE, COOKIE_NAME, DEFAULT_UI, SUPPORTED_UI, babel_locale, folder, intl_locale, match_tag,
    negotiate_accept, negotiate_ui, remember_choice, request_ui, text_direction, ui_autonym, ui_choices,
)

RTL_LANGUAGES = frozenset(t for t in SUPPORTED_UI if text_direction(t) == "rtl")

__all__ = [
    "COOKIE_MAX_AGE", "COOKIE_NAME", "DEFAULT_UI", "DOMAIN", "N_", "N_plural", "REVIEW_HEADER", "RTL_LANGUAGES", "SUPPORTED_UI",
    "Translator", "babel_locale", "catalogue", "catalogue_path", "folder", "format_date", "format_datetime",
    "format_distance", "format_list", "format_metres", "format_number", "gnu_translations", "intl_locale", "match_tag", "negotiate_accept",
    "negotiate_ui", "page_title", "plural_table", "reader_translator", "reader_ui", "remember_choice", "request_ui", "review_status", "text_direction", "translate_all",
    "translator", "ui_autonym", "ui_choices",
]
