"""Service types and languages resolve the words real spreadsheets use, and name languages for readers."""

import pytest

from elip_map.directory.languages import autonym, language_name, resolve_language, split_languages
from elip_map.directory.taxonomy import SERVICE_TYPES, SLUGS, resolve_service_type


@pytest.mark.parametrize("text, slug", [
    ("language-training", "language-training"),
    ("Language Training", "language-training"),
    ("ESL", "language-training"),
    ("LINC", "language-training"),
    ("settlement", "information-orientation"),
    ("interpretation", "interpretation-translation"),
    ("mental-health", "mental-health-counselling"),
    ("Counselling", "mental-health-counselling"),
    ("legal", "legal-immigration"),
    ("family-children", "family-children"),
    ("Family & Children", "family-children"),
    ("LGBTQ+", "2slgbtqi"),
    ("francophone", "francophone"),
    ("Services en français", "francophone"),
    ("etablissement", "information-orientation"),
    ("Food Bank", "food"),
])
def test_service_type_words_resolve_to_slugs(text, slug):
    assert resolve_service_type(text) == slug


def test_taxonomy_covers_the_product_brief_with_unique_stable_slugs():
    assert len(SERVICE_TYPES) == 20
    assert len(set(SLUGS)) == len(SLUGS)
    assert all(s == s.lower() and " " not in s for s in SLUGS)


@pytest.mark.parametrize("text, code", [
    ("Arabic", "ar"), ("arabe", "ar"), ("العربية", "ar"), ("Farsi", "fa"), ("Dari", "prs"), ("دری", "prs"),
    ("Tagalog", "tl"), ("Tagalog (Pilipino, Filipino)", "tl"), ("Punjabi", "pa"), ("ਪੰਜਾਬੀ", "pa"),
    ("Tigrinya", "ti"), ("ትግርኛ", "ti"), ("Amharic", "am"), ("Somali", "so"), ("Ukrainian", "uk"),
    ("українська", "uk"), ("espagnol", "es"), ("Mandarin", "zh"), ("中文", "zh"), ("Cantonese", "yue"),
    ("fr", "fr"), ("FRENCH", "fr"), ("English (fluent)", "en"),
])
def test_language_names_in_english_french_or_own_script_resolve(text, code):
    assert resolve_language(text) == code


@pytest.mark.parametrize("resolve, text", [
    *[(resolve_service_type, t) for t in ("", "   ", "quantum gardening", "xyz")],
    *[(resolve_language, t) for t in ("", "Blorpish", "123", "the usual")],
])
def test_unknown_words_are_not_guessed(resolve, text):
    assert resolve(text) is None


def test_merged_language_cells_split_into_names():
    assert split_languages("Arabic, Farsi / Dari; French and English") == ["Arabic", "Farsi", "Dari", "French", "English"]


@pytest.mark.parametrize("code, ui, name", [
    ("ar", "es", "árabe"), ("ar", "fr", "arabe"), ("ar", "en", "Arabic"), ("pa", "fr", "pendjabi"),
    ("prs", "en", "Dari"),
])
def test_language_names_show_in_the_readers_language(code, ui, name):
    assert language_name(code, ui) == name


def test_autonyms_for_language_switchers():
    assert autonym("ar") == "العربية"
    assert autonym("fr") == "français"
