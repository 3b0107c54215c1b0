"""The page's listing queries: which locations are public, what each listing says, and the GeoJSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from elip_map.api.feed import feature_collection
from elip_map.components.home_context import split_param
from elip_map.directory.listings import count_unplaced, listing_from_location, load_listings, public_language_codes
from elip_map.geocoding.near import resolve_near
from elip_map.rules.urls import safe_website
from elip_map.spatial.neighbourhoods import neighbourhoods_from_geojson
from elip_map.testing import add_location


def test_only_public_locations_are_listed(db):
    with db.session() as s:
        ok = add_location(s, "Org A", "Placed")
        manual = add_location(s, "Org A", "Pinned by hand", status="manual")
        add_location(s, "Org B", "Needs a person", status="needs-attention")
        add_location(s, "Org B", "Closed", closed=True)
        add_location(s, "Org C", "No coordinates", lat=None, lon=None)
        expected = {ok.id, manual.id}
    with db.session() as s:
        listings = load_listings(s)
        assert {item["location_id"] for item in listings} == expected
        # Closed locations are not "waiting to be placed"; the other two are.
        assert count_unplaced(s) == 2


def test_listing_carries_what_a_newcomer_needs(db):
    with db.session() as s:
        loc = add_location(s, "Centre <b>", "Main", types=("language-training", "employment"), langs=("ar", "fr"),
                           website="javascript:alert(1)", phone="+17804247709", hood="1090",
                           hours=[(1, dt.time(9), dt.time(17)), (3, dt.time(9, 30), dt.time(12))],
                           verified=dt.date(2026, 3, 1), service_name="English classes")
        loc_id = loc.id
    with db.session() as s:
        (item,) = load_listings(s)
    assert item["id"] == f"loc-{loc_id}"
    assert item["organization"] == "Centre <b>"  # kept as text; the page escapes it
    assert item["types"] == ["employment", "language-training"]
    assert item["langs"] == ["ar", "fr"]
    assert item["website"] is None  # never a javascript: link
    assert item["phones"] == [{"tel": "+17804247709", "display": "780-424-7709"}]
    assert item["hours"] == [[1, 540, 1020], [3, 570, 720]]
    assert item["last_verified"] == "2026-03-01"
    assert item["hood"] == "1090"
    assert "english" in item["text"].split() and "classes" in item["text"].split()


def test_feature_collection_is_compact_geojson(db):
    with db.session() as s:
        add_location(s, "Org", "A", lat=53.5461234567, lon=-113.4938765432)
    with db.session() as s:
        collection = feature_collection(load_listings(s))
    (feature,) = collection["features"]
    assert feature["geometry"]["coordinates"] == [-113.49388, 53.54612]
    assert feature["properties"]["id"].startswith("loc-")
    assert "accessibility" not in feature["properties"]  # empty values are left out
    json.dumps(collection)  # serialisable as is


def test_language_filter_options_come_from_public_locations(db):
    with db.session() as s:
        add_location(s, "Org", "A", langs=("ar", "en"))
        add_location(s, "Org", "B", langs=("so",), status="needs-attention")
    with db.session() as s:
        assert public_language_codes(s) == ["ar", "en"]


@pytest.mark.parametrize("url, expected", [
    ("https://emcn.ab.ca", "https://emcn.ab.ca"),
    ("emcn.ab.ca", "https://emcn.ab.ca"),
    ("javascript:alert(1)", None),
    ("data:text/html,hi", None),
    ("", None),
])
def test_safe_website(url, expected):
    assert safe_website(url) == expected


@pytest.mark.parametrize("value, expected", [
    (None, []), ("food", ["food"]), ("food,health", ["food", "health"]), (["food", "youth"], ["food", "youth"]),
    ("food,,", ["food"]),
])
def test_split_param(value, expected):
    assert split_param(value) == expected


SQUARE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "ALBERTA AVENUE", "descriptive_name": "Alberta Avenue",
                                       "neighbourhood_number": "1010"},
     "geometry": {"type": "Polygon", "coordinates": [[[-113.48, 53.56], [-113.46, 53.56], [-113.46, 53.58],
                                                      [-113.48, 53.58], [-113.48, 53.56]]]}}]}


def test_near_a_neighbourhood_name_needs_no_geocoder():
    hoods = neighbourhoods_from_geojson(SQUARE)
    answer = resolve_near("alberta avenue", hoods, geocode=None)
    assert answer["status"] == "ok" and answer["label"] == "Alberta Avenue"
    assert 53.56 < answer["lat"] < 53.58 and -113.48 < answer["lon"] < -113.46


def test_near_says_when_it_cannot_place_the_text():
    hoods = neighbourhoods_from_geojson(SQUARE)
    assert resolve_near("10010 105 Street", hoods, geocode=None)["status"] == "unavailable"

    def broken(_text):
        raise ConnectionError("geocoder down")

    assert resolve_near("10010 105 Street", hoods, geocode=broken)["status"] == "unavailable"
    assert resolve_near("nowhere at all", hoods, geocode=lambda _t: None)["status"] == "not-found"


def test_near_finds_named_places_with_typos(geodata_mirror):
    # Southgate Transit Centre: the median of its stops, read from the stops file here.
    import csv

    with open(geodata_mirror / "ets_bus_stops_2026-07.txt", newline="", encoding="utf-8") as fh:
        pts = [(float(r[3]), float(r[4])) for r in csv.reader(fh, quotechar="'") if r[2] == "Southgate Transit Centre"]
    hoods = neighbourhoods_from_geojson(SQUARE)
    answer = resolve_near("Soutgate Transit Center", hoods, geocode=None)
    assert answer["status"] == "ok" and answer["label"] == "Southgate Transit Centre"
    assert min(abs(answer["lat"] - p[0]) + abs(answer["lon"] - p[1]) for p in pts) < 0.003
    assert resolve_near("St Albert", hoods, geocode=None)["label"] == "St. Albert"


def test_neighbourhood_outlines_are_simplified_for_phones(geodata_mirror):
    path = next(geodata_mirror.glob("edmonton_neighbourhoods_*.geojson"))
    hoods = neighbourhoods_from_geojson(json.loads(path.read_text(encoding="utf-8")))
    assert len(hoods) == 406
    assert len(hoods.geojson_bytes) < path.stat().st_size / 3
    assert hoods.find("Alberta Avenue")["number"]


def test_bulk_query_agrees_with_one_location_view(db):
    """load_listings (column queries, fast) and listing_from_location (ORM, one location) say the same."""
    from elip_map.directory.models import Location as Loc

    with db.session() as s:
        add_location(s, "Org A", "One", types=("food", "health"), langs=("ar",), phone="+17805550100",
                     hours=[(2, dt.time(8), dt.time(12))], website="https://a.example.org", verified=dt.date(2026, 1, 5))
        add_location(s, "Org A", "Two", types=("youth",), langs=("so", "en"), hood="2010")
        add_location(s, "Org B", "Three", status="manual", service_name="Food bank")
    with db.session() as s:
        bulk = load_listings(s)
        single = sorted((listing_from_location(loc) for loc in s.query(Loc).all()), key=lambda x: x["sort"])
    assert bulk == single


def test_unplaced_locations_are_listed_with_the_reason(db):
    """The newcomer page lists every open location: the ones the map cannot show say why, in plain codes."""
    from elip_map.directory.models import Location as Loc

    with db.session() as s:
        placed = add_location(s, "Org A", "Placed")
        checking = add_location(s, "Org B", "Being checked", status="needs-attention", lat=None, lon=None,
                                address="12345 Nowhere Road")
        po_box = add_location(s, "Org C", "Mail only", status="needs-attention", lat=None, lon=None,
                              address="PO Box 1234")
        no_street = add_location(s, "Org D", "Phone line", status="needs-attention", lat=None, lon=None, address="")
        add_location(s, "Org E", "Closed", closed=True, lat=None, lon=None)
        ids = {"placed": placed.id, "checking": checking.id, "po": po_box.id, "none": no_street.id}
        s.get(Loc, placed.id).organization.email = "hello@org-a.example.ca"
        s.get(Loc, no_street.id).organization.email = "not an e-mail <script>"
    with db.session() as s:
        assert {x["location_id"] for x in load_listings(s)} == {ids["placed"]}  # the default is unchanged
        listings = {x["location_id"]: x for x in load_listings(s, include_unplaced=True)}
        single = sorted((listing_from_location(loc) for loc in s.query(Loc).filter_by(closed=False)),
                        key=lambda x: x["sort"])
        assert sorted(listings.values(), key=lambda x: x["sort"]) == single
        # Counted the same way as the page's hint: placed + unplaced = every open location.
        assert len(listings) == 1 + count_unplaced(s)
    assert set(listings) == set(ids.values())
    assert listings[ids["placed"]]["unplaced"] is None and listings[ids["placed"]]["lat"] is not None
    assert listings[ids["placed"]]["email"] == "hello@org-a.example.ca"
    assert listings[ids["checking"]]["unplaced"] == "checking"
    assert listings[ids["po"]]["unplaced"] == "no-address"
    assert listings[ids["none"]]["unplaced"] == "no-address"
    assert listings[ids["none"]]["email"] is None  # never a broken or hostile mailto: link
    assert all(listings[i]["lat"] is None and listings[i]["lon"] is None for i in (ids["checking"], ids["po"], ids["none"]))

    collection = feature_collection(listings.values())
    by_id = {f["properties"]["id"]: f for f in collection["features"]}
    assert len(by_id) == 4
    assert by_id[f"loc-{ids['po']}"]["geometry"] is None
    assert by_id[f"loc-{ids['po']}"]["properties"]["unplaced"] == "no-address"
    assert "unplaced" not in by_id[f"loc-{ids['placed']}"]["properties"]
