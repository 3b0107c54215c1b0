"""Roads that bend back (a U, a crescent) or run along a grid line, and two named roads whose known
courses stop short of their corner.

The small road models here are drawn by hand on a made-up patch of grid (one avenue = 0.0009° of
latitude, one street = 0.0012° of longitude, about 100 m and 80 m); expected positions are computed
from that drawing, never read from the code under test. One test reads the real stops file.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from elip_map.geocoding.chain import geocode_batch
from elip_map.geocoding.gazetteer import Gazetteer
from elip_map.geocoding.grid import haversine_m
from elip_map.geocoding.roads import PATH_COLUMNS, POINT_COLUMNS, RoadModel

STOPS = "ets_bus_stops_2026-07.txt"


def pos(east: float, north: float) -> tuple[float, float]:
    """The made-up grid: (east, north) grid values to (lat, lon)."""
    return 53.40 + 0.0009 * (north - 20.0), -113.45 + 0.0012 * (east + 60.0)


def _path(stops: list[tuple[float, float]], piece: int = 0) -> list[list[float]]:
    """Path rows (``PATH_COLUMNS``) through (north, east) stops in order, anchored and trusted."""
    rows, s = [], 0.0
    for i, (north, east) in enumerate(stops):
        lat, lon = pos(east, north)
        if i:
            s += float(haversine_m(lat, lon, *pos(stops[i - 1][1], stops[i - 1][0])))
        rows.append([piece, s, lat, lon, north, east, 0.0, 0.0, 1])
    return rows


def _road(known_north: list[tuple[float, float]], path_stops: list[tuple[float, float]]) -> dict:
    """A road known at some avenue lines ((north, east) of each known crossing)."""
    pts = [[n, *pos(e, n), 1, e, n, 1] for n, e in sorted(known_north)]
    return {"north": np.asarray(pts, dtype=float).reshape(-1, len(POINT_COLUMNS))}


def _model(roads: dict[str, tuple[list, list]]) -> RoadModel:
    return RoadModel({k: _road(known, path) for k, (known, path) in roads.items()}, {},
                     paths={k: np.asarray(_path(path), dtype=float).reshape(-1, len(PATH_COLUMNS))
                            for k, (known, path) in roads.items()})


def _one(text: str, model: RoadModel):
    return geocode_batch([(text, None, None)], roads=model, gazetteer=Gazetteer([]))[0]


# A U: north along 63 Street from 20 to 25 Avenue, east along 25 Avenue, back south along 57 Street
# to 22 Avenue. Known crossings (named stops) only on its west leg.
WEST_LEG = [(20.0, -63.0), (21.5, -63.0), (23.0, -63.0), (25.0, -63.0)]
TOP_AND_EAST_LEG = [(25.0, -61.0), (25.0, -59.0), (25.0, -57.0), (23.5, -57.0), (22.0, -57.0)]
KNOWN_WEST = [(20.0, -63.0), (25.0, -63.0)]


def test_without_its_other_leg_a_number_is_placed_between_the_known_crossings():
    model = _model({"ALDER ROAD": (KNOWN_WEST, WEST_LEG)})
    r = _one("2300 Alder Road", model)
    assert r.status == "ok" and r.method == "road"
    # 23 Avenue is 3/5 of the way from 20 to 25 Avenue along the west leg: 63 Street & 23 Avenue.
    assert float(haversine_m(r.lat, r.lon, *pos(-63.0, 23.0))) < 5


@pytest.mark.parametrize("text", ["2300 Alder Road", "Alder Road & 23 Avenue"])
def test_a_u_shaped_road_passing_the_line_on_both_legs_is_refused(text):
    # Both legs pass 23 Avenue (the east leg's stops at 23.5 and 22 Avenue, 480 m east of the west
    # leg): which one is meant cannot be told, though the known crossings are all on the west leg.
    model = _model({"ALDER ROAD": (KNOWN_WEST, WEST_LEG + TOP_AND_EAST_LEG)})
    r = _one(text, model)
    assert r.status == "needs-attention"
    assert "Alder Road passes 23 Avenue in more than one place" in r.message


# An L: north along 63 Street from 20 Avenue to 24.2 Avenue, then east along 24.2 Avenue to 52
# Street, 1.2 avenues from 23 Avenue for 880 m.
L_ROAD = [(20.0, -63.0), (21.5, -63.0), (23.0, -63.0), (24.2, -63.0), (24.2, -61.0), (24.2, -58.0),
          (24.2, -55.0), (24.2, -52.0)]
KNOWN_L = [(20.0, -63.0), (24.0, -63.0)]


def test_a_house_number_is_read_only_where_the_road_runs_along_its_axis():
    # 2300 is numbered by the avenues: on the north-south leg. The east-west leg near 23 Avenue is
    # numbered by the streets and does not make the number ambiguous.
    model = _model({"BIRCH ROAD": (KNOWN_L, L_ROAD)})
    r = _one("2300 Birch Road", model)
    assert r.status == "ok" and r.method == "road"
    assert float(haversine_m(r.lat, r.lon, *pos(-63.0, 23.0))) < 5


def test_a_crossing_with_a_line_the_road_runs_along_is_refused():
    # Where does Birch Road cross 23 Avenue? On its north-south leg, or where its long east-west leg,
    # 120 m from the avenue, may dip to it: refused rather than guessed.
    model = _model({"BIRCH ROAD": (KNOWN_L, L_ROAD)})
    r = _one("Birch Road & 23 Avenue", model)
    assert r.status == "needs-attention" and "in more than one place" in r.message


def test_a_real_u_shaped_road_is_refused_at_a_number_both_legs_pass(geodata_mirror):
    # Watt Drive SW, read from the stops file: two of its stops stand at the latitude of 22 Avenue SW
    # (within 60 m of it) more than 400 m apart (its west and east legs), so the number 2240, which
    # the grid rule puts on the 22 Avenue SW line, is on both.
    stops = []
    with open(geodata_mirror / STOPS, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh, quotechar="'"):
            if "Watt Dr" in row[2] and "Promenade" not in row[2].split("&")[0]:
                stops.append((row[2].strip(), float(row[3]), float(row[4])))
    corner = [s for s in stops if s[0] == "Watt Drive & 22 Avenue SW"]
    assert corner
    lat22 = float(np.mean([s[1] for s in corner]))
    level = [s for s in stops if abs(s[1] - lat22) * 111_320 < 60]
    spread = max(float(haversine_m(a[1], a[2], b[1], b[2])) for a in level for b in level)
    assert spread > 400, "the stops file no longer shows Watt Drive passing 22 Avenue SW twice"
    r = geocode_batch([("2240 Watt Drive SW", None, None)], gazetteer=Gazetteer([]))[0]
    assert r.status == "needs-attention" and "Watt Drive passes" in r.message


# -- two named roads whose known courses stop short of their corner ------------------------------------

def _plain(points: list[tuple[float, float]]) -> list[list[float]]:
    """Path rows through (lat, lon) stops (grid columns unused by the meeting of two roads)."""
    return [[0, i * 100.0, lat, lon, 0.0, 0.0, -1.0, -1.0, 0] for i, (lat, lon) in enumerate(points)]


def _seen(points: list[tuple[float, float]]) -> dict:
    return {"seen": np.asarray([[0.0, lat, lon, 0, 0.0, 0.0, 0] for lat, lon in points], dtype=float)}


def _pair_model(a: list, b: list | None, b_alone: list | None = None) -> RoadModel:
    roads = {"CEDAR ROAD": _seen(a), "DOGWOOD ROAD": _seen(b or b_alone)}
    paths = {"CEDAR ROAD": np.asarray(_plain(a), dtype=float)}
    if b is not None:
        paths["DOGWOOD ROAD"] = np.asarray(_plain(b), dtype=float)
    return RoadModel(roads, {}, paths=paths)


CEDAR = [(53.4900, -113.5000), (53.4950, -113.5000), (53.5000, -113.5000)]   # north along one meridian


def _metres_east(lat: float, dlon: float) -> float:
    return dlon * 111_320.0 * math.cos(math.radians(lat))


def test_two_roads_whose_last_stops_are_close_meet_between_them():
    # Dogwood Road starts 100 m east and 50 m north of Cedar Road's last stop and runs east: their
    # courses never cross; their closest points are those two stops, 111 m apart.
    start = (53.5000 + 50 / 111_320.0, -113.5000 + 0.0015)
    assert 95 < _metres_east(53.5, 0.0015) < 105
    model = _pair_model(CEDAR, [start, (start[0], start[1] + 0.004)])
    r = _one("Cedar Road & Dogwood Road", model)
    assert r.status == "ok" and r.method == "road"
    mid = ((CEDAR[-1][0] + start[0]) / 2, (CEDAR[-1][1] + start[1]) / 2)
    assert float(haversine_m(r.lat, r.lon, *mid)) < 3


def test_two_roads_whose_courses_stay_far_apart_are_refused():
    start = (53.5000, -113.5000 + 0.0045)      # 300 m east of Cedar Road's last stop
    model = _pair_model(CEDAR, [start, (start[0], start[1] + 0.004)])
    r = _one("Cedar Road & Dogwood Road", model)
    assert r.status == "needs-attention" and "do not meet" in r.message


def test_a_road_known_by_one_stop_meets_the_course_it_stands_beside():
    # Dogwood Road's only stop is 79 m east of the middle of Cedar Road's course: they meet halfway
    # between that stop and the foot of the perpendicular on Cedar Road.
    stop = (53.4950, -113.5000 + 0.0012)
    model = _pair_model(CEDAR, None, b_alone=[stop])
    r = _one("Cedar Road & Dogwood Road", model)
    assert r.status == "ok"
    assert float(haversine_m(r.lat, r.lon, 53.4950, -113.5000 + 0.0006)) < 3


def test_two_roads_close_in_two_far_places_are_refused():
    # Dogwood Road is a U open towards Cedar Road: its two ends come within 66 m of Cedar Road, 1 km
    # apart. Which corner is meant cannot be told.
    u = [(53.4905, -113.4990), (53.4905, -113.4900), (53.4995, -113.4900), (53.4995, -113.4990)]
    model = _pair_model(CEDAR, u)
    r = _one("Cedar Road & Dogwood Road", model)
    assert r.status == "needs-attention" and "meet in more than one place" in r.message


# -- a house number written without its quadrant -------------------------------------------------------

# Elm Road runs along 63 Street from 15 Avenue SW (north -15) to 15 Avenue NW, across the avenue
# baseline; Fir Road runs along 63 Street in the SW quadrant only.
ELM = [(-15.0, -63.0), (-10.0, -63.0), (-5.0, -63.0), (5.0, -63.0), (10.0, -63.0), (15.0, -63.0)]
FIR = [(-20.0, -63.0), (-15.0, -63.0), (-10.0, -63.0), (-5.0, -63.0)]


def test_a_number_without_quadrant_on_a_road_in_two_quadrants_is_refused():
    # 1300 Elm Road is at 13 Avenue NW and at 13 Avenue SW, 2.9 km apart: a person must say which.
    model = _model({"ELM ROAD": (ELM, ELM)})
    r = _one("1300 Elm Road", model)
    assert r.status == "needs-attention" and "fits Elm Road in two places" in r.message


@pytest.mark.parametrize("text,north", [("1300 Elm Road SW", -13.0), ("1300 Elm Road NW", 13.0),
                                        ("1300 Fir Road", -13.0)])
def test_a_number_is_placed_in_the_quadrant_written_or_the_only_one_the_road_is_in(text, north):
    # 13 Avenue SW is 2/5 of the way from 15 to 10 Avenue SW along 63 Street (NW: from 10 to 15).
    model = _model({"ELM ROAD": (ELM, ELM), "FIR ROAD": (FIR, FIR)})
    r = _one(text, model)
    assert r.status == "ok" and r.method == "road"
    assert float(haversine_m(r.lat, r.lon, *pos(-63.0, north))) < 5
