"""Neighbourhood assignment and lookup: tiny hand-built polygons, then the City's real boundaries."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from elip_map.spatial.neighbourhoods import (NeighbourhoodIndex, NeighbourhoodMatch, assign_neighbourhoods, closest_key,
                                             find_neighbourhood, neighbourhood_names)

# Two adjacent 0.01-degree squares in Edmonton sharing the edge lon = -113.49, plus a detached one.
WEST = box(-113.50, 53.54, -113.49, 53.55)
EAST = box(-113.49, 53.54, -113.48, 53.55)
FAR = box(-113.40, 53.40, -113.39, 53.41)


@pytest.fixture
def tiny_index():
    gdf = gpd.GeoDataFrame(
        {"neighbourhood_number": ["1010", "1020", "9000"], "name": ["West Side", "Québec Est", "Far Away"],
         "ward": ["Ward A", "Ward B", None]},
        geometry=[WEST, EAST, FAR], crs="EPSG:4326")
    return NeighbourhoodIndex(gdf)


@pytest.mark.parametrize("lat, lon, expected", [
    (53.545, -113.495, NeighbourhoodMatch("1010", "West Side", "Ward A", False)),
    (53.545, -113.485, NeighbourhoodMatch("1020", "Québec Est", "Ward B", False)),
    (53.405, -113.395, NeighbourhoodMatch("9000", "Far Away", None, False)),
    # On the shared edge: the first listed wins, whatever the order of the query.
    (53.545, -113.490, NeighbourhoodMatch("1010", "West Side", "Ward A", False)),
    (53.600, -113.495, NeighbourhoodMatch(None, None, None, True)),     # outside every polygon
    (float("nan"), -113.495, NeighbourhoodMatch(None, None, None, False)),  # unknown, not outside
    (None, None, NeighbourhoodMatch(None, None, None, False)),
])
def test_points_get_their_neighbourhood_or_a_flag(tiny_index, lat, lon, expected):
    assert tiny_index.assign([lat], [lon]) == [expected]


def test_many_points_keep_their_order_and_count(tiny_index):
    lats = [53.545, None, 53.600, 53.545, 53.405] * 2000
    lons = [-113.485, None, -113.495, -113.495, -113.395] * 2000
    result = tiny_index.assign(lats, lons)
    assert len(result) == 10_000
    assert [m.number for m in result[:5]] == ["1020", None, None, "1010", "9000"]
    assert [m.outside_city for m in result[:5]] == [False, False, True, False, False]
    assert result[5:10] == result[:5]


def test_mismatched_and_empty_inputs(tiny_index):
    assert tiny_index.assign([], []) == []
    with pytest.raises(ValueError, match="2 latitudes but 1 longitudes"):
        tiny_index.assign([53.5, 53.6], [-113.5])


@pytest.mark.parametrize("typed, number", [
    ("west side", "1010"), ("WEST-SIDE", "1010"), ("  West   Side ", "1010"),
    ("quebec est", "1020"), ("Québec Est", "1020"), ("QUEBEC-EST", "1020"),
    ("west sid", "1010"), ("quebek est", "1020"),        # a typo still finds the one close name
    ("nowhere", None), ("", None), ("est", None),
])
def test_find_by_name_ignores_case_accents_and_punctuation(tiny_index, typed, number):
    place = tiny_index.find(typed)
    assert (place.number if place else None) == number
    if place:
        assert shapely.contains_xy({"1010": WEST, "1020": EAST}[number], place.lon, place.lat)


def test_closest_key_takes_one_clear_misspelling_only():
    keys = {"millwoods": 1, "mill creek": 2, "laurel": 3, "laurier heights": 4}
    assert closest_key("millwods", keys) == "millwoods"
    assert closest_key("lau", keys) is None  # too short to guess
    assert closest_key("downtown", keys) is None


# --- the committed boundaries ----------------------------------------------------------------------

@pytest.mark.parametrize("name, lat, lon, number, expected_name", [
    ("Alberta Legislature", 53.5333, -113.5062, "1090", "Downtown"),
    ("City Hall", 53.5444, -113.4909, "1090", "Downtown"),
    ("University of Alberta campus", 53.5232, -113.5263, "5520", "University of Alberta"),
    ("Mill Woods Town Centre mall", 53.4561, -113.4286, "6520", "Mill Woods Town Centre"),
    ("West Edmonton Mall", 53.5225, -113.6242, "4520", "Summerlea"),
])
def test_known_places_land_in_their_neighbourhood(name, lat, lon, number, expected_name):
    match = assign_neighbourhoods([lat], [lon])[0]
    assert (match.number, match.name, match.outside_city) == (number, expected_name, False), name
    assert match.ward


@pytest.mark.parametrize("name, lat, lon", [
    ("St. Albert", 53.63, -113.63), ("Calgary", 51.05, -114.07), ("Sherwood Park", 53.5413, -113.2958),
])
def test_places_outside_edmonton_are_flagged_not_dropped(name, lat, lon):
    assert assign_neighbourhoods([lat], [lon]) == [NeighbourhoodMatch(None, None, None, True)], name


def test_simplified_boundaries_agree_with_the_citys_originals(geodata_mirror):
    """Random points across the city get the same answer from the compact file as from the original."""
    from elip_map.refdata.boundaries import read_neighbourhoods
    from elip_map.refdata.sources import find_in_mirror

    originals = read_neighbourhoods(find_in_mirror(geodata_mirror)["neighbourhoods"])
    full = NeighbourhoodIndex(gpd.GeoDataFrame(
        {"neighbourhood_number": [n.number for n in originals], "name": [n.name for n in originals],
         "ward": [n.ward for n in originals]}, geometry=[n.geometry for n in originals], crs="EPSG:4326"))
    rng = np.random.default_rng(7)
    lats, lons = rng.uniform(53.40, 53.70, 20_000), rng.uniform(-113.72, -113.27, 20_000)
    compact = assign_neighbourhoods(lats, lons)
    reference = full.assign(lats, lons)
    disagree = sum(a != b for a, b in zip(compact, reference))
    assert disagree / len(lats) < 0.001          # only points within metres of a boundary may differ
    assert sum(m.outside_city for m in reference) > 1000  # the box reaches beyond the city: both sides tested


@pytest.mark.parametrize("typed, expected", [
    ("mill woods town centre", "Mill Woods Town Centre"),
    ("Mill Woods Town Centre", "Mill Woods Town Centre"),
    ("downtown", "Downtown"),
    ("wihkwentowin", "Wîhkwêntôwin"),
    ("oliver", "Wîhkwêntôwin"),      # the former name people still use
    ("Mill Woods Town Center", "Mill Woods Town Centre"),  # American spelling
    ("Strathern", "Strathearn"),
    ("Calgary", None), ("Mill Woods", None),
])
def test_find_real_neighbourhoods_by_name(typed, expected):
    place = find_neighbourhood(typed)
    if expected is None:
        assert place is None
        return
    assert place is not None and place.name == expected
    match = assign_neighbourhoods([place.lat], [place.lon])[0]
    assert match.name == expected            # the point returned lies inside that neighbourhood
    assert not math.isnan(place.lat)


def test_names_list_every_neighbourhood_once():
    names = neighbourhood_names()
    assert len(names) == 406 and len(set(names)) == 406
    assert "Downtown" in names
