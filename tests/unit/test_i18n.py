"""Interface languages: complete catalogues, placeholders kept, right-to-left where it belongs."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from elip_map.components.filter_panel import language_options, service_options
from elip_map.directory.taxonomy import SERVICE_TYPES
from elip_map.i18n import SUPPORTED_UI, catalogue_path, negotiate_ui, text_direction, translator
from elip_map.paths import PACKAGE_DIR

# Modules of the app shell and the newcomer page; other pages bring their own strings.
SOURCES = ("components", "pages/home.py", "pages/about.py", "pages/not_found_404.py", "factory.py")


def _source_messages() -> set[str]:
    found = set()
    for fn, _lineno, msg, _comments, _ctx in extract_from_dir(str(PACKAGE_DIR), method_map=[("**.py", "python")],
                                                              keywords={"_": None, "N_": None}):
        if any(fn == s or fn.startswith(s + "/") for s in SOURCES):
            found.add(msg[0] if isinstance(msg, tuple) else msg)
    return found | {t.label for t in SERVICE_TYPES}


def _entries(ui):
    with catalogue_path(ui).open("rb") as fh:
        return {m.id: m for m in read_po(fh, locale=ui) if m.id}


PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("ui", SUPPORTED_UI)
def test_every_interface_string_is_translated(ui):
    entries = _entries(ui)
    messages = _source_messages()
    assert len(messages) > 80
    missing = sorted(m for m in messages if m not in entries or not entries[m].string or entries[m].fuzzy)
    assert missing == [], f"{ui}: untranslated {missing}"
    for msgid in messages:
        assert set(PLACEHOLDER.findall(entries[msgid].string)) == set(PLACEHOLDER.findall(msgid)), (ui, msgid)


def test_translations_are_really_in_the_language():
    fr, ar = translator("fr"), translator("ar")
    assert fr("Find services") == "Trouver des services"
    assert re.search(r"[\u0600-\u06FF]", ar("Find services"))
    assert fr("{km} km away", km="1,5") == "à 1,5 km"


@pytest.mark.parametrize("value, expected", [
    (None, "en"), ("", "en"), ("fr", "fr"), ("fr-CA", "fr"), ("AR", "ar"), ("xx", "en"), (["ar", "fr"], "ar"),
])
def test_negotiate_ui(value, expected):
    assert negotiate_ui(value) == expected


@pytest.mark.parametrize("ui, direction", [("en", "ltr"), ("fr", "ltr"), ("ar", "rtl"), ("fa", "rtl")])
def test_text_direction(ui, direction):
    assert text_direction(ui) == direction


def test_filter_names_in_the_readers_language():
    fr_langs = {o["value"]: o["label"] for o in language_options(["ar", "so", "pa"], "fr")}
    assert fr_langs["ar"] == "arabe"
    assert {o["value"]: o["label"] for o in language_options(["ar"], "ar")}["ar"] == "العربية"
    assert {o["value"]: o["label"] for o in service_options("fr")}["food"] == "Alimentation"


def test_unknown_message_falls_back_to_english():
    assert translator("ar")("A sentence nobody translated") == "A sentence nobody translated"


def test_navigation_lists_nav_pages_in_the_readers_language():
    from elip_map.components.navbar import nav_pages, navbar

    registry = {
        "a": {"name": "About", "path": "/about", "relative_path": "/about", "nav": True, "order": 90},
        "h": {"name": "Find services", "path": "/", "relative_path": "/", "nav": True, "order": 0},
        "s": {"name": "Review queue", "path": "/staff/review", "relative_path": "/staff/review"},  # not in the nav
    }
    pages = nav_pages(registry)
    assert [p["path"] for p in pages] == ["/", "/about"]
    nav = navbar("fr", "/about", pages).to_plotly_json()
    text = str(nav)
    assert "Trouver des services" in text and "À propos" in text and "Review queue" not in text
    assert "href='/about?ui=fr'" in text  # the reader's language follows them around
