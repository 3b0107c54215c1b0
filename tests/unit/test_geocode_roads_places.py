"""Named roads, named places and the written forms that defeated the grid-only geocoder.

Expected positions come from the open data itself (the stops file, the LRT file), read here with
the csv/json modules, never from the code under test.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from elip_map.geocoding.chain import geocode_address, geocode_batch
from elip_map.geocoding.gazetteer import Gazetteer, Place, find_place
from elip_map.geocoding.grid import haversine_m, load_grid_model
from elip_map.geocoding.parse import CIVIC, NAMED_ROAD, parse_address
from elip_map.geocoding.roads import RoadModel, build_road_model, load_road_model

STOPS = "ets_bus_stops_2026-07.txt"


@pytest.fixture(scope="module")
def stops(geodata_mirror):
    """Median position of the stops of each name."""
    groups: dict[str, list] = {}
    with open(geodata_mirror / STOPS, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh, quotechar="'"):
            groups.setdefault(row[2], []).append((float(row[3]), float(row[4])))
    return {k: (float(np.median([p[0] for p in v])), float(np.median([p[1] for p in v]))) for k, v in groups.items()}


def _m(result, point) -> float:
    return float(haversine_m(result.lat, result.lon, point[0], point[1]))


# -- written forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,house,road", [
    ("2704 - 17 Street", 2704, "17 Street NW"),
    ("601 Mill Woods Town Centre, 2331 - 66 Street", 2331, "66 Street NW"),
    ("201 Capilano Mall, 5004 - 98 Avenue", 5004, "98 Avenue NW"),
    ("2nd Floor, 10010 101 Street", 10010, "101 Street NW"),
    ("4th floor 10242 105 St", 10242, "105 Street NW"),
    ("Floor 3, 10310 102 Ave", 10310, "102 Avenue NW"),
    ("Room 120, 10010 101 Street", 10010, "101 Street NW"),
    ("c/o Mosaic Centre, 9538 107 Ave", 9538, "107 Avenue NW"),
    ("Mailing: PO Box 1234, Location: 9538 107 Ave", 9538, "107 Avenue NW"),
])
def test_written_forms_read_the_civic_address(text, house, road):
    p = parse_address(text)
    assert p.kind == CIVIC and p.problem is None
    assert p.house_number == house and p.road.label() == road


def test_floor_is_not_taken_for_a_unit_number():
    assert parse_address("4th floor 10242 105 St").unit is None


def test_two_different_street_addresses_are_refused_not_guessed():
    r = geocode_address("9538 107 Ave / 10310 102 Ave")
    assert r.status == "needs-attention" and r.lat is None
    assert "two different street addresses" in r.message


def test_mall_unit_then_civic_address_is_placed_at_the_civic_address():
    # The unit number (601) must never be read as a house number: the grid puts 2331 66 Street
    # near 23 Avenue, within a few hundred metres of the Mill Woods stops around 66 St & 23 Ave.
    r = geocode_address("601 Mill Woods Town Centre, 2331 - 66 Street")
    corner = geocode_address("66 Street & 23 Avenue")
    assert r.status == "ok" and r.method == "grid"
    assert float(haversine_m(r.lat, r.lon, corner.lat, corner.lon)) < 300


@pytest.mark.parametrize("text,road,cross", [
    ("Hewes Way & 28 Avenue", "HEWES WAY", "28 Avenue NW"),
    ("Desrochers Dr & 35 Ave SW", "DESROCHERS DRIVE", "35 Avenue SW"),
    ("Castle Downs Rd and 153 Ave", "CASTLE DOWNS ROAD", "153 Avenue NW"),
])
def test_named_road_crossings_parse(text, road, cross):
    p = parse_address(text)
    assert p.kind == NAMED_ROAD and p.named_road == road
    assert p.named_cross.label() == cross


def test_every_named_road_candidate_is_kept_in_order():
    p = parse_address("106 Lakeside Landing, 15379 Castle Downs Rd, T5X 3Y7")
    assert [(c.house, c.key) for c in p.named_candidates] == [(106, "LAKESIDE LANDING"),
                                                              (15379, "CASTLE DOWNS ROAD")]


# -- named roads -------------------------------------------------------------------------------------

def test_house_number_on_named_road_follows_the_grid_rule(stops):
    # 15379 Castle Downs Road lies between where the road crosses 153 and 156 Avenue.
    r = geocode_address("106 Lakeside Landing, 15379 Castle Downs Rd, T5X 3Y7")
    a, b = stops["Castle Downs Rd & 153 Ave"], stops["Castle Downs Rd & 156 Ave"]
    assert r.status == "ok" and r.method == "road"
    assert min(a[0], b[0]) - 0.001 <= r.lat <= max(a[0], b[0]) + 0.001
    assert _m(r, a) < _m(r, b)   # 53.79 is nearer 153 than 156
    assert r.precision_m is not None and 0 < r.precision_m <= 500


def test_house_number_stop_is_placed_where_the_stop_is(stops):
    r = geocode_address("2019 Leger Road")
    assert r.status == "ok" and _m(r, stops["2019 Leger Road"]) < 100


def test_named_crossing_near_its_stops(stops):
    r = geocode_address("Hewes Way & 23 Avenue")
    assert r.status == "ok" and _m(r, stops["Hewes Way & 23 Avenue"]) < 150


@pytest.mark.parametrize("text,why", [
    ("1234 Nowhere Road", "not among the roads the open data names"),
    ("9999 Leger Road", "does not fit the known part of Leger Road"),
    ("Rowland Road & 50 Street", "outside the part of Rowland Road"),
])
def test_named_road_refusals_say_why(text, why):
    r = geocode_address(text)
    assert r.status == "needs-attention" and r.lat is None
    assert why in r.message


def test_road_model_on_a_held_out_road(geodata_mirror, stops):
    # Build without every stop naming "Castle Downs Rd & 145 Ave": the model must still place
    # that crossing from the other crossings of the same road.
    held = "Castle Downs Rd & 145 Ave"
    model = build_road_model(geodata_mirror / STOPS, load_grid_model(), exclude=lambda n: n == held)
    r = geocode_batch([(held, None, None)], roads=model, gazetteer=Gazetteer([]))[0]
    assert r.status == "ok" and r.method == "road"
    assert _m(r, stops[held]) < 300


def test_a_road_that_passes_a_line_twice_is_refused():
    # A loop road known only at its two ends on one axis: a number between them is ambiguous.
    pts = np.array([[-76.0, 53.4820, -113.4524, 1, -76.0, 44.6, 1],
                    [-70.0, 53.4818, -113.4477, 1, -70.0, 44.0, 1]])
    north = np.array([[36.5, 53.4713, -113.4439, 1, -70.8, 36.5, 1],
                      [41.5, 53.4795, -113.4457, 1, -69.3, 41.5, 1]])
    model = RoadModel({"LOOP ROAD": {"east": pts, "north": north}}, {}, grid=load_grid_model())
    r = geocode_batch([("71 Street & Loop Road", None, None)], roads=model, gazetteer=Gazetteer([]))[0]
    assert r.status == "needs-attention" and "more than one place" in r.message


def test_grid_only_chain_still_refuses_named_roads():
    r = geocode_batch([("2019 Leger Road", None, None)], roads=RoadModel.empty(), gazetteer=Gazetteer([]))[0]
    assert r.status == "needs-attention"


def test_shipped_road_model_records_its_source(geodata_mirror):
    import hashlib

    model = load_road_model()
    assert model.meta["source"] == STOPS
    assert model.meta["source_sha256"] == hashlib.sha256((geodata_mirror / STOPS).read_bytes()).hexdigest()


# -- named places ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lrt(geodata_mirror):
    path = sorted(geodata_mirror.glob("edmonton_lrt_stops_*.geojson"))[-1]
    out: dict[str, list] = {}
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        lon, lat = f["geometry"]["coordinates"][:2]
        out.setdefault(f["properties"]["lrt_stop_description"], []).append((lat, lon))
    return out


@pytest.mark.parametrize("text", ["Century Park Station", "century park station", "Centruy Park Station"])
def test_lrt_station_found_with_case_and_typos(text, lrt):
    place = find_place(text)
    assert place is not None and place.kind == "lrt-station"
    lat, lon = lrt["Century Park Station"][0]
    assert float(haversine_m(place.lat, place.lon, lat, lon)) < 150


def test_transit_centre_and_abbreviation(stops):
    place = find_place("West Edm Mall TC")
    assert place is not None and place.kind == "transit-centre"
    assert float(haversine_m(place.lat, place.lon, *stops["West Edm Mall TC"])) < 200


def test_square_is_beside_its_station(lrt):
    place = find_place("Sir Winston Churchill Square")
    lat, lon = lrt["Churchill Station"][0]
    assert place.kind == "square" and float(haversine_m(place.lat, place.lon, lat, lon)) < 300


@pytest.mark.parametrize("text", ["", "zz", "Nowhere In Particular", "Northgate Centre Plaza Tower"])
def test_unknown_places_are_none(text):
    assert find_place(text) is None


def test_neighbouring_towns_are_places_outside_the_city():
    for town in ("St. Albert", "Sherwood Park", "Spruce Grove", "Beaumont"):
        place = find_place(town)
        assert place is not None and place.outside_city and place.kind == "municipality"


def test_one_name_for_two_far_places_is_refused():
    gaz = Gazetteer([Place("Twin Hall", 53.50, -113.50, "landmark", 50.0),
                     Place("Twin Hall", 53.60, -113.40, "landmark", 50.0)])
    assert gaz.find("Twin Hall") is None


def test_chain_places_named_places_and_towns():
    square = geocode_address("7 Sir Winston Churchill Square, T5J 2V4")
    assert square.status == "ok" and square.method == "place" and not square.outside_city
    town = geocode_address("5 St Anne St", None, "St. Albert")
    assert town.status == "ok" and town.method == "municipality" and town.outside_city
    assert "outside Edmonton" in town.message and town.precision_m >= 1000
    far = geocode_address("1234 1 Ave", None, "Calgary")
    assert far.status == "needs-attention"


def test_street_address_far_from_the_mall_it_names_is_refused():
    # 12331 66 Street is 13 km north of Mill Woods Town Centre: one of the two is wrong.
    r = geocode_address("601 Mill Woods Town Centre, 12331 - 66 Street")
    assert r.status == "needs-attention" and r.lat is None
    assert "Mill Woods Town Centre" in r.message and "apart" in r.message
    near = geocode_address("601 Mill Woods Town Centre, 2331 - 66 Street")
    assert near.status == "ok" and near.method == "grid"
    assert [a[0] for a in near.alternatives] == ["grid", "place"]   # the self-check sees both


def test_a_town_alone_without_a_street_address_is_not_placed_at_its_centre():
    r = geocode_address("", None, "St. Albert")
    assert r.status == "needs-attention" and r.lat is None
