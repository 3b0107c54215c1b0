"""A location with no street address, placed at the place its name names ("..., City Hall").

Expected positions and precisions are the gazetteer's own rows, read here with the csv module, never
from the code under test.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from elip_map.geocoding.apply import parse_location_address
from elip_map.geocoding.chain import geocode_parsed_batch
from elip_map.geocoding.gazetteer import Gazetteer, Place
from elip_map.geocoding.grid import haversine_m
from elip_map.geocoding.notes import display_note
from elip_map.geocoding.parse import name_pieces

GAZETTEER_CSV = Path(__file__).resolve().parents[2] / "geodata" / "gazetteer.csv"


@pytest.fixture(scope="module")
def rows() -> dict[str, dict]:
    with open(GAZETTEER_CSV, newline="", encoding="utf-8") as fh:
        return {r["name"]: r for r in csv.DictReader(fh)}


def _locate(name: str, street: str = "", postal: str | None = None, city: str | None = "Edmonton"):
    """One location through the reader the geocoder and the self-check share, then the chain."""
    parsed = parse_location_address(SimpleNamespace(name=name), street, postal, city)
    return geocode_parsed_batch([parsed], cities=[city])[0]


def _at(result, row: dict) -> float:
    return float(haversine_m(result.lat, result.lon, float(row["lat"]), float(row["lon"])))


@pytest.mark.parametrize("name,place", [
    ("Citizen and New Arrival Information Centre, City Hall", "City Hall"),          # a comma part
    ("East Campus House (University of Alberta)", "University of Alberta"),          # in parentheses
    ("Settlement desk at Southgate Centre", "Southgate Centre"),                       # after " at "
    ("Drop-in hours in Kingsway Mall", "Kingsway Mall"),                               # after " in "
    ("Youth hub (Sir Winston Churchill Square)", "Sir Winston Churchill Square"),      # an alias
    ("Reading circle, century park station", "Century Park Station"),                  # any case
    ("City Hall", "City Hall"),                                                        # the whole name
])
def test_a_place_the_name_names_places_the_location(name, place, rows):
    row = rows[place]
    r = _locate(name)
    assert r.status == "ok" and r.method == "place"
    assert _at(r, row) < 1.0
    assert r.precision_m == float(row["precision_m"]) and not r.outside_city
    assert any(place in n and "name" in n for n in r.notes), r.notes


def test_a_campus_is_placed_as_approximate_with_its_own_precision(rows):
    r = _locate("East Campus House (University of Alberta)")
    assert r.precision_m == float(rows["University of Alberta"]["precision_m"]) > 500
    assert r.message and r.message.startswith("approximate") and "University of Alberta" in r.message


@pytest.mark.parametrize("name", [
    "Office (downtown Edmonton)",          # a vague area
    "Office (Edmonton area)",
    "Office in downtown Edmonton",
    "Office (Edmonton)",
    "Corona Office",                       # a station's leading word inside a longer piece
    "Office (Alberta)",                    # a leading word of "Alberta Hospital", not the place
    "Office (Southgate)",                  # a leading word of "Southgate Centre"
    "City Hall Annex",                     # a place's name inside a longer piece
    "Capilano Mall Office",
    "Kingsway Mallroom, 2nd floor",        # never part of a word
    "Office (Citty Hal)",                  # no spelling forgiven in a name
    "Office (St. Albert)",                 # a neighbouring town is not a place in the city
    "Office (Spruce Grove Transit Centre)",  # a place outside the city
    "Office, City Hall (West Edmonton Mall)",  # two places far apart: the name cannot say which
])
def test_names_that_name_no_single_place_in_the_city_stay_unplaced(name):
    r = _locate(name)
    assert r.status == "needs-attention" and r.lat is None and r.method is None


def test_outside_edmonton_the_name_is_not_read_as_an_edmonton_place():
    # St. Albert has a city hall and a public library of its own: the chain already says where it is.
    for name in ("Library Settlement Services at St. Albert Public Library", "Newcomer desk, City Hall"):
        r = _locate(name, city="St. Albert")
        assert r.status == "needs-attention" and r.lat is None
        assert "St. Albert is outside Edmonton" in r.message


def test_a_location_with_a_street_address_is_never_placed_from_its_name(rows):
    # Unreadable street text: the name's place is not used in its stead.
    unread = _locate("Information Centre, City Hall", street="Back door by the loading dock")
    assert unread.status == "needs-attention" and unread.lat is None
    # A street address that places: it is the street address that counts.
    street = _locate("Information Centre, West Edmonton Mall", street="10310 102 Avenue NW")
    assert street.status == "ok" and street.method != "place"
    assert _at(street, rows["West Edmonton Mall"]) > 5000


def test_the_note_reads_in_the_readers_language():
    r = _locate("Citizen and New Arrival Information Centre, City Hall")
    (note,) = r.notes
    shown = display_note(note, "fr")
    assert shown != note and "City Hall" in shown


def test_name_pieces_are_the_distinct_parts_of_a_name():
    assert name_pieces("Citizen and New Arrival Information Centre, City Hall") == [
        "Citizen and New Arrival Information Centre", "City Hall"]
    assert name_pieces("East Campus House (University of Alberta)") == ["East Campus House", "University of Alberta"]
    assert name_pieces("ESL Reception Centre at Eastglen School") == [
        "ESL Reception Centre at Eastglen School", "Eastglen School"]
    assert name_pieces("Office in downtown Edmonton") == ["Office in downtown Edmonton", "downtown Edmonton"]
    assert name_pieces("Information Centre") == ["Information Centre"] and name_pieces(None) == []


def test_whole_lookup_is_the_gazetteers_own_without_leading_parts_or_typos():
    gaz = Gazetteer([Place("Southgate Transit Centre", 53.4855, -113.5162, "transit-centre", 131.0),
                     Place("Alberta Hospital", 53.6369, -113.3707, "landmark", 50.0)])
    assert gaz.find("Southgate") is not None and gaz.find("Southgate", whole=True) is None
    assert gaz.find("Alberta", whole=True) is None
    assert gaz.find("Soutgate Transit Centre", whole=True) is None
    # The station and transit centre of one name are one place, whole or not.
    assert gaz.find("southgate station", whole=True).name == "Southgate Transit Centre"
