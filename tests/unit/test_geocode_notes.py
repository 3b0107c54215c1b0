"""The geocoder's and the importer's notes, stored in English, read back in the reader's language."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from elip_map.geocoding.chain import geocode_address
from elip_map.geocoding.notes import declared, display_note, method_label
from elip_map.i18n import catalogue_path

# One sample per placeholder name: what the writers put there (road, place and postal codes as typed).
SAMPLES = {
    "road": "Castle Downs Road", "other": "82 Street NW", "point": "23 Avenue", "km": "2.3", "house": "15379",
    "code": "T5J 1C4", "fsa": "T5J", "city": "Calgary", "municipality": "St. Albert", "alias": "Jasper Avenue",
    "line": "101 Avenue", "start": "96 Street", "end": "185 Street", "first": "10310 102 Avenue NW",
    "second": "9538 107 Avenue NW", "place": "Southgate Centre", "detail": "by the river", "error": "timed out",
    "rows": "4, 9", "low": "23 Avenue", "high": "28 Avenue", "method": "grid", "attempts": "3",
    "reason": "5.1.1 User unknown", "user": "amina", "file": "partners.xlsx", "source": "partners-2026.csv",
    "mail": "12", "address": "contact@centre.example",
}


def _po(ui: str) -> dict[str, str]:
    """The catalogue file as a translator wrote it (read directly, not through the translator)."""
    with catalogue_path(ui).open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and m.id}


@pytest.fixture(scope="module")
def fr():
    return _po("fr")


@pytest.mark.parametrize("template", declared(), ids=lambda t: t.msgid[:40])
def test_every_declared_note_reads_back_in_french(template, fr):
    values = {name: SAMPLES[name] for name in template.fields}
    english = template(**values)
    assert english == template.msgid.format(**values)          # what is stored stays plain English
    assert display_note(english, "en") == english
    shown = dict(values)
    if "method" in shown:                                      # method ids are shown as words
        shown["method"] = fr["numbered-street grid"]
    expected = fr[template.msgid].format(**shown)
    assert display_note(english, "fr") == expected
    assert expected != english


def test_joined_notes_are_read_one_by_one_even_when_one_contains_the_separator(fr):
    stored = ("Jasper Avenue read as 101 Avenue; PO box ignored; the street address was used; "
              "the postal code V6B 1A1 is not an Alberta one")
    expected = "; ".join([fr["{alias} read as {road}"].format(alias="Jasper Avenue", road="101 Avenue"),
                          fr["PO box ignored; the street address was used"],
                          fr["the postal code {code} is not an Alberta one"].format(code="V6B 1A1")])
    assert display_note(stored, "fr") == expected
    # Arabic readers see their own semicolon between notes.
    ar = _po("ar")
    assert display_note("no street address to place; outside the Edmonton region", "ar") == "\u200f" + "؛ ".join(
        [ar["no street address to place"], ar["outside the Edmonton region"]])


def test_a_note_inside_a_note_is_translated_too(fr):
    stored = "placed along the road, next to number 2019"
    inner = fr["next to {point}"].format(point=fr["number {house}"].format(house="2019"))
    assert display_note(stored, "fr") == fr["placed along the road, {detail}"].format(detail=inner)


def test_the_postal_code_reading_wins_over_the_named_place_one(fr):
    stored = "the street address and the postal code T5J 1C4 are 2.3 km apart: one of them is wrong"
    expected = fr["the street address and the postal code {code} are {km} km apart: one of them is wrong"]
    assert display_note(stored, "fr") == expected.format(code="T5J 1C4", km="2.3")


@pytest.mark.parametrize("stored", [
    "online geocoder said: no result for this query",                   # an online geocoder's own words
    "the grid could not place this; ask the partner",                   # an older wording
    "",
])
def test_a_note_nobody_declared_is_shown_as_stored(stored):
    assert display_note(stored, "fr") == stored
    assert display_note(stored, "ar") == stored


def test_only_the_declared_part_of_a_mixed_note_is_translated(fr):
    stored = "an old remark; no street address to place"
    assert display_note(stored, "fr") == "an old remark; " + fr["no street address to place"]


@pytest.mark.parametrize("address, postal, city, english", [
    ("", None, "St. Albert", "St. Albert is outside Edmonton and does not use Edmonton's numbered grid"),
    ("PO Box 123", None, None, "a PO box is a mailing address, not a place to visit"),
    ("The blue building", None, None, "not a form of address the geocoder can read"),
    ("118 Avenue & 119 Avenue", None, None, "118 Avenue NW and 119 Avenue NW run the same way and never cross"),
    ("10310 102 Avenue", None, "Calgary", "the city 'Calgary' is outside the Edmonton region"),
])
def test_the_geocoder_still_writes_the_same_english(address, postal, city, english):
    assert geocode_address(address, postal, city).message == english


def test_method_names_are_words_in_the_readers_language(fr):
    assert method_label("grid") == "numbered-street grid"
    assert method_label("postal", "fr") == fr["postal code"]
    assert method_label("something-new", "fr") == "something-new"
    assert re.search(r"[\u0600-\u06FF]", method_label("place", "ar"))


def test_in_arabic_a_note_reads_right_to_left_and_its_values_keep_their_own_direction():
    """'St. Albert' first in an Arabic sentence made the table cell (dir=auto) a left-to-right line, so
    the Arabic words were read in the wrong order: the note opens with a right-to-left mark, and each
    value sits in its own isolate (FSI ... PDI)."""
    ar = _po("ar")
    english = "St. Albert is outside Edmonton and does not use Edmonton's numbered grid"
    template = next(t for t in declared() if t.msgid.startswith("{municipality} is outside Edmonton"))
    assert template.msgid.format(municipality="St. Albert") == english
    shown = display_note(english, "ar")
    assert shown == "\u200f" + ar[template.msgid].format(municipality="\u2068St. Albert\u2069")
    assert display_note(english, "fr") == _po("fr")[template.msgid].format(municipality="St. Albert")  # LTR: no marks


@pytest.mark.parametrize("ui", ["fr", "ar"])
def test_an_online_geocoders_failure_reads_back_inside_its_note(ui):
    """The online geocoder's own failure (online.py) is stored inside "online geocoder unavailable: ...";
    both parts read in the reader's language, the exception's name kept as it is."""
    po = _po(ui)
    rtl = ui == "ar"
    wrap = (lambda v: f"\u2068{v}\u2069") if rtl else (lambda v: v)
    stored = "online geocoder unavailable: the geocoder did not answer after 3 attempts (GeocoderTimedOut)"
    inner = po["the geocoder did not answer after {attempts} attempts ({error})"].format(
        attempts=wrap("3"), error=wrap("GeocoderTimedOut"))
    expected = po["online geocoder unavailable: {error}"].format(error=wrap(inner))
    assert display_note(stored, ui) == ("\u200f" if rtl else "") + expected
    assert display_note(stored, "en") == stored

