"""Every address form partners type, read into the parts the grid geocoder uses (table-driven)."""

from __future__ import annotations

import pytest

from elip_map.geocoding import notes as N
from elip_map.geocoding.parse import (CIVIC, INTERSECTION, NAMED_ROAD, PO_BOX, POSTAL_ONLY, UNPARSED, alias_label,
                                        parse_address)
from elip_map.rules.postal import postal_or_fsa

# text, kind, unit, house, road label, cross label, grid (east, north) or None
CASES = [
    ("Suite 200, 10010 107A Ave NW", CIVIC, "200", 10010, "107A Avenue NW", None, (-100.10, 107.5)),
    ("200-10010 107A Ave", CIVIC, "200", 10010, "107A Avenue NW", None, (-100.10, 107.5)),
    ("Unit 5, 10310 102 Avenue", CIVIC, "5", 10310, "102 Avenue NW", None, (-103.10, 102.0)),
    ("#85 4003 98 St NW", CIVIC, "85", 4003, "98 Street NW", None, (-98.0, 40.03)),
    ("4003 98 St NW #85", CIVIC, "85", 4003, "98 Street NW", None, (-98.0, 40.03)),
    ("No. 11, 9656 Jasper Avenue", CIVIC, "11", 9656, "101 Avenue NW", None, (-96.56, 101.0)),
    ("9200-163 Street", CIVIC, None, 9200, "163 Street NW", None, (-163.0, 92.0)),
    ("12050-95A Street", CIVIC, None, 12050, "95A Street NW", None, (-95.5, 120.5)),
    ("5004 - 98 Avenue, T6A 0A1", CIVIC, None, 5004, "98 Avenue NW", None, (-50.04, 98.0)),
    ("10220 82nd Avenue", CIVIC, None, 10220, "82 Avenue NW", None, (-102.20, 82.0)),
    ("10025 Whyte Ave", CIVIC, None, 10025, "82 Avenue NW", None, (-100.25, 82.0)),
    ("9656 Jasper Av", CIVIC, None, 9656, "101 Avenue NW", None, (-96.56, 101.0)),
    ("8210 Gateway Blvd", CIVIC, None, 8210, "103 Street NW", None, (-103.0, 82.10)),
    ("16510 Stony Plain Road", CIVIC, None, 16510, "101 Avenue NW", None, (-165.10, 101.0)),
    ("170 Street & Stony Plain Rd", INTERSECTION, None, None, "170 Street NW", "101 Avenue NW", (-170.0, 101.0)),
    # Named roads read as grid lines only where the stops show they follow them.
    ("9556 Jasper Avenue", CIVIC, None, 9556, "101 Avenue NW", None, None),
    ("12510 Stony Plain Rd", CIVIC, None, 12510, "101 Avenue NW", None, None),
    ("2704 - 17 Street NE", CIVIC, None, 2704, "17 Street NE", None, (17.0, 27.04)),
    ("1520 66 St SW", CIVIC, None, 1520, "66 Street SW", None, (-66.0, -15.20)),
    ("3210 17 Ave SE", CIVIC, None, 3210, "17 Avenue SE", None, (32.10, -17.0)),
    ("10010 101 ST EDMONTON AB", CIVIC, None, 10010, "101 Street NW", None, (-101.0, 100.10)),
    ("8627 91 St (rue Marie-Anne-Gaboury)", CIVIC, None, 8627, "91 Street NW", None, (-91.0, 86.27)),
    ("135 St & 112 Ave", INTERSECTION, None, None, "135 Street NW", "112 Avenue NW", (-135.0, 112.0)),
    ("118 Avenue and 82 Street", INTERSECTION, None, None, "118 Avenue NW", "82 Street NW", (-82.0, 118.0)),
    ("Jasper Ave at 107 St", INTERSECTION, None, None, "101 Avenue NW", "107 Street NW", (-107.0, 101.0)),
    ("107A Avenue at 101 Street", INTERSECTION, None, None, "107A Avenue NW", "101 Street NW", (-101.0, 107.5)),
    ("Whyte Ave @ 104 St", INTERSECTION, None, None, "82 Avenue NW", "104 Street NW", (-104.0, 82.0)),
    ("66 Street & 6 Avenue SW", INTERSECTION, None, None, "66 Street NW", "6 Avenue SW", (-66.0, -6.0)),
    ("Centre (82 Street at 117 Avenue)", INTERSECTION, None, None, "82 Street NW", "117 Avenue NW", (-82.0, 117.0)),
    ("15379 Castle Downs Rd", NAMED_ROAD, None, 15379, None, None, None),
    ("11808 St. Albert Trail", NAMED_ROAD, None, 11808, None, None, None),
    ("2331 Parsons Dr", NAMED_ROAD, None, 2331, None, None, None),
    ("1000 Fraser Wy", NAMED_ROAD, None, 1000, None, None, None),
    ("5120 Calgary Trl NW", NAMED_ROAD, None, 5120, None, None, None),
    ("PO Box 1234", PO_BOX, None, None, None, None, None),
    ("P.O. Box 99, Edmonton AB", PO_BOX, None, None, None, None, None),
    ("T5J 2R7", POSTAL_ONLY, None, None, None, None, None),
    ("asdf qwerty", UNPARSED, None, None, None, None, None),
    ("", UNPARSED, None, None, None, None, None),
]


@pytest.mark.parametrize("text,kind,unit,house,road,cross,grid", CASES)
def test_address_forms(text, kind, unit, house, road, cross, grid):
    p = parse_address(text)
    assert p.kind == kind
    assert p.unit == unit
    assert p.house_number == house
    assert (p.road.label() if p.road else None) == road
    assert (p.cross.label() if p.cross else None) == cross
    xy = p.grid_xy()
    if grid is None:
        assert xy is None
    else:
        assert xy == pytest.approx(grid)


@pytest.mark.parametrize("text,city,municipality", [
    ("5 St Anne St, St. Albert", None, "St. Albert"),
    ("123 Main St", "Sherwood Park", "Sherwood Park"),
    ("100 Main Street", "Spruce Grove", "Spruce Grove"),
    ("4330 50 St", "Leduc", "Leduc"),
    ("4800 44 Ave, Stony Plain", None, "Stony Plain"),
    ("5015 50 Ave, Beaumont AB", None, "Beaumont"),
    ("10010 99 Ave", "Fort Saskatchewan", "Fort Saskatchewan"),
])
def test_nearby_municipalities_are_outside_city_but_allowed(text, city, municipality):
    p = parse_address(text, city=city)
    assert p.municipality == municipality
    assert p.outside_city and not p.outside_region
    # Their numbering is their own, never Edmonton's grid.
    assert p.grid_xy() is None
    assert municipality in p.problem


def test_road_named_after_a_municipality_is_still_edmonton():
    p = parse_address("11808 St. Albert Trail", city="Edmonton")
    assert p.municipality is None and not p.outside_city


@pytest.mark.parametrize("text,city", [("1234 1 Ave, Calgary", None), ("10010 101 St", "Red Deer"),
                                       ("10010 101 St", "Toronto")])
def test_far_away_places_are_refused(text, city):
    p = parse_address(text, city=city)
    assert p.outside_region
    assert p.grid_xy() is None
    assert "outside the Edmonton region" in p.problem


def test_po_box_beside_a_street_address_uses_the_street():
    p = parse_address("PO Box 12, 10010 101 St")
    assert p.kind == CIVIC and p.po_box
    assert p.grid_xy() == pytest.approx((-101.0, 100.10))


def test_parallel_roads_do_not_make_an_intersection():
    p = parse_address("101 Street and 102 Street")
    assert p.grid_xy() is None
    assert "never cross" in p.problem


def test_postal_code_inside_address_and_in_its_own_column():
    assert parse_address("3410 - 118 Avenue  T5W 0Z4").postal_code == "T5W 0Z4"
    assert parse_address("3410 118 Avenue", postal_code="t5w0z4").postal_code == "T5W 0Z4"
    fsa = parse_address("T5J")
    assert fsa.kind == POSTAL_ONLY and fsa.postal_code == "T5J"


@pytest.mark.parametrize("raw,expected", [("t5j2r7", "T5J 2R7"), ("T5J-2R7", "T5J 2R7"), (" t6e ", "T6E"),
                                          ("12345", None), ("", None), (None, None), ("D5J 2R7", None)])
def test_postal_or_fsa(raw, expected):
    assert postal_or_fsa(raw) == expected


def test_same_place_typed_two_ways_has_one_key():
    a = parse_address("Suite 200, 10010 107A Ave NW")
    b = parse_address("10010 - 107A Avenue")
    assert a.key() == b.key()
    assert parse_address("118 Avenue and 82 Street").key() == parse_address("82 St & 118 Ave").key()


def test_an_alias_is_read_back_from_its_note_by_the_notes_template():
    # The alias of "<alias> read as <road>" comes out of the declared template; any other note
    # names no alias (cutting a note at " read as " took the whole of such a note for an alias).
    parsed = parse_address("PO Box 12, 8720 Jasper Ave")
    assert sorted(map(str, map(alias_label, parsed.notes))) == ["Jasper Avenue", "None"]
    # East of 96 Street Jasper Avenue leaves the 101 Avenue line: the range check found the alias.
    assert parsed.off_grid and parsed.problem == N.ALIAS_ONLY_WEST(alias="Jasper Avenue", line="101 Avenue",
                                                                   start="96 Street")
    assert not parse_address("10310 Jasper Ave").off_grid
    words = "Jasper Avenue"
    for template in N.declared():
        if template != N.ALIAS_READ_AS:
            note = template(**{name: ("2" if name in ("km", "house", "rows") else words) for name in template.fields})
            assert alias_label(note) is None, note
