"""Search in the reader's own words: a query that names a service type or a language finds its listings."""

from __future__ import annotations

import json

import pytest
from truth_tables import NAMED_TABLE, PHRASE_TABLE

from elip_map.directory.languages import language_name
from elip_map.directory.search_words import search_table
from elip_map.directory.taxonomy import SLUGS
from elip_map.i18n import SUPPORTED_UI
from elip_map.i18n.search_words import search_words_path
from elip_map.rules.filters import matches, named_concepts, with_named
from elip_map.rules.text import fold

CODES = ["ar", "en", "fa", "fr", "pa", "so", "ti", "uk", "zh"]

@pytest.mark.parametrize("query, expected", NAMED_TABLE)
def test_named_concepts(query, expected):
    assert named_concepts(query, PHRASE_TABLE) == expected


# The examples of the issue, in the interface language the reader would use.
ISSUE_EXAMPLES = [
    ("ar", "دروس اللغة الإنجليزية"), ("zh-Hans", "英语课"), ("es", "clases de inglés"), ("uk", "курси англійської"),
    ("pa", "ਅੰਗਰੇਜ਼ੀ ਕਲਾਸਾਂ"), ("zh-Hant", "英文課"), ("fa", "کلاس زبان انگلیسی"), ("prs", "صنف زبان انگلیسی"),
    ("so", "fasallada Ingiriisiga"), ("am", "የእንግሊዝኛ ትምህርት"), ("ti", "ትምህርቲ እንግሊዝኛ"), ("tl", "klase sa Ingles"),
    ("fr", "cours d'anglais"), ("en", "English classes"),
]


@pytest.mark.parametrize("ui, query", ISSUE_EXAMPLES)
def test_english_classes_in_every_language(ui, query):
    named = named_concepts(query, search_table(ui, CODES))
    assert named["types"] == ["language-training"], (ui, query, named)


@pytest.mark.parametrize("ui, query, code", [
    ("ar", "عربي", "ar"), ("ar", "العربية", "ar"), ("fa", "عربی", "ar"), ("es", "árabe", "ar"), ("zh-Hans", "阿拉伯语", "ar"),
    ("uk", "арабська", "ar"), ("so", "Carabi", "ar"), ("am", "ዓረብኛ", "ar"), ("pa", "ਅਰਬੀ", "ar"), ("ti", "ትግርኛ", "ti"),
    ("en", "Somali", "so"), ("fr", "somali", "so"), ("zh-Hant", "索馬利文", "so"),
    ("uk", "українська", "uk"), ("pa", "ਪੰਜਾਬੀ", "pa"), ("es", "panyabí", "pa"),
])
def test_a_language_is_found_by_its_name(ui, query, code):
    assert code in named_concepts(query, search_table(ui, CODES))["langs"], (ui, query)


@pytest.mark.parametrize("ui", SUPPORTED_UI)
def test_every_language_of_service_is_findable_in_every_interface_language(ui):
    table = search_table(ui, CODES)
    for code in set(CODES) - {"en"}:
        assert code in named_concepts(language_name(code, ui), table)["langs"], (ui, code)


@pytest.mark.parametrize("ui", SUPPORTED_UI)
def test_word_files_name_real_types_and_every_type_has_words(ui):
    data = json.loads(search_words_path(ui).read_text(encoding="utf-8"))
    assert set(data["types"]) == set(SLUGS), ui
    assert all(phrases and all(fold(p) for p in phrases) for phrases in data["types"].values())


def test_english_as_a_language_of_service_is_not_a_search_word():
    """Nearly every listing speaks English: "English" means English classes, not "everything"."""
    named = named_concepts("English", search_table("en", CODES))
    assert "language-training" in named["types"] and named["langs"] == []


def test_the_predicate_uses_what_the_query_names():
    listing = {"types": ["language-training"], "langs": ["ar", "en"], "text": fold("Newcomer Centre LINC")}
    other = {"types": ["food"], "langs": ["so"], "text": fold("Food Bank")}
    table = search_table("zh-Hans", CODES)
    criteria = with_named({"q": "英语课"}, table)
    assert matches(listing, criteria) and not matches(other, criteria)
    arabic = with_named({"q": "عربي"}, search_table("ar", CODES))
    assert matches(listing, arabic) and not matches(other, arabic)
    assert matches(other, with_named({"q": "food bank"}, table))  # the listing's own words still work
    assert not matches(listing, {"q": "英语课"})  # without the table, only the text counts
