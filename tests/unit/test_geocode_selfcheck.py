"""Self-check: two geocoding methods more than 300 m apart are listed for staff with both positions."""

from __future__ import annotations

import numpy as np
from babel.messages.pofile import read_po
from sqlalchemy import select

from elip_map.directory.models import Address, Location, Organization
from elip_map.geocoding.address_points import AddressIndex, CityIndexes, key_hash
from elip_map.geocoding.apply import geocode_locations
from elip_map.geocoding.chain import geocode_address
from elip_map.geocoding.grid import haversine_m
from elip_map.i18n import catalogue_path
from elip_map.geocoding.selfcheck import (disagreement_rows, disagreements, parse_choice, pin_start,
                                          position_choices)


def test_pairs_further_than_300_m_are_listed_and_postal_areas_are_not_compared():
    # 0.01 degree of latitude is about 1.1 km; 0.001 about 110 m.
    alts = [("grid", 53.500, -113.5), ("address-point", 53.510, -113.5), ("road", 53.501, -113.5),
            ("postal-fsa", 53.600, -113.5)]
    found = disagreements(alts)
    assert {(d.method_a, d.method_b) for d in found} == {("grid", "address-point"), ("address-point", "road")}
    assert all(1000 < d.distance_m < 1200 for d in found)
    assert disagreements([("grid", 53.5, -113.5), ("road", 53.501, -113.5)]) == []


def _city_index_at(key: str, lat: float, lon: float) -> CityIndexes:
    return CityIndexes(AddressIndex(np.array([key_hash(key)], dtype=np.uint64), np.array([lat]), np.array([lon])),
                       None, {})


def test_locations_whose_grid_and_address_point_disagree(db):
    grid = geocode_address("10310 102 Avenue NW")
    # The City's point for this address, put 1 km north of the grid's answer.
    city = _city_index_at("10310 102 AVENUE NW", grid.lat + 0.009, grid.lon)
    with db.session() as s:
        org = Organization(name="Test Org", name_key="test org")
        for key, street in (("far", "10310 102 Avenue NW"), ("fine", "9538 107 Ave NW")):
            loc = Location(organization=org, name=key, location_key=key)
            loc.addresses.append(Address(address_1=street, city="Edmonton"))
            s.add(loc)
        s.flush()
        geocode_locations(s, s.execute(select(Location)).scalars().all())
    with db.session() as s:
        rows = disagreement_rows(s, city=city)
    assert [r["name"] for r in rows] == ["far"]
    row = rows[0]
    assert {row["method_a"], row["method_b"]} == {"address-point", "grid"}
    assert 900 < row["distance_m"] < 1100
    choices = position_choices(row)
    assert len(choices) == 2
    points = [parse_choice(c["value"]) for c in choices]
    assert float(haversine_m(*points[0], *points[1])) > 900
    # The same table for a French reader: method names in words, the distance written the French way
    # (CLDR: a narrow no-break space between thousands and before the short metre unit).
    with db.session() as s:
        fr_row = disagreement_rows(s, city=city, ui="fr")[0]
    with catalogue_path("fr").open("rb") as fh:
        fr = {m.id: m.string for m in read_po(fh) if isinstance(m.id, str)}
    assert set(fr_row["methods"].split(" / ")) == {fr["City address point"], fr["numbered-street grid"]}
    metres = str(fr_row["distance_m"])
    grouped = f"{metres[:-3]}\u202f{metres[-3:]}" if len(metres) > 3 else metres
    assert fr_row["apart"] == f"{grouped}\u202fm"
    assert fr_row["methods"] != row["methods"]


def test_parse_choice_refuses_junk():
    assert parse_choice("53.5,-113.5") == [53.5, -113.5]
    assert parse_choice("x") is None and parse_choice(None) is None


def test_pin_starts_at_the_chains_choice_for_a_disagreement_and_in_place_otherwise():
    row = {"method_a": "address-point", "lat_a": 53.55, "lon_a": -113.49, "method_b": "grid", "lat_b": 53.54,
           "lon_b": -113.49}
    pin, zoom, choices = pin_start(row, (53.0, -113.0))
    assert pin == [53.55, -113.49] and zoom < 15 and [c["label"].split(":")[0] for c in choices] == ["City address point", "numbered-street grid"]
    assert pin_start({"lat": None, "lon": None}, (53.0, -113.0)) == ([53.0, -113.0], 15, [])
    assert pin_start({"lat": 53.6, "lon": -113.4}, (53.0, -113.0))[0] == [53.6, -113.4]
