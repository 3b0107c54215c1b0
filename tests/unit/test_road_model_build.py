"""The shipped road model: rebuilt from the shipped open data it must be the committed file, byte
for byte (a reviewer can check it, and a rebuild never drifts silently); and real facility-style
addresses on named roads land where the open data, read here independently, puts them."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import numpy as np
import pytest

from elip_map.geocoding.chain import geocode_address, geocode_batch
from elip_map.geocoding.gazetteer import Gazetteer
from elip_map.geocoding.grid import haversine_m, load_grid_model
from elip_map.geocoding.roads import build_road_model
from elip_map.paths import GEODATA_DIR, PROJECT_ROOT

STOPS = "ets_bus_stops_2026-07.txt"


@pytest.mark.parametrize("hash_seed", ["0", "4242"])
def test_rebuilding_the_road_model_reproduces_the_committed_file(geodata_mirror, tmp_path, hash_seed):
    # In a fresh interpreter with a fixed string-hash seed: set and dict orders that depend on
    # hashing must not reach the file.
    out = tmp_path / "road_model.json"
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, ELIP_DATA_MIRROR="",
               PYTHONPATH=os.pathsep.join([str(PROJECT_ROOT), str(PROJECT_ROOT / "scripts")]))
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "build_road_model.py"),
                           str(geodata_mirror / STOPS), "--out", str(out)],
                          env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (GEODATA_DIR / "road_model.json").read_bytes(), \
        "rebuild differs from the committed geodata/road_model.json: run scripts/build_road_model.py"


@pytest.fixture(scope="module")
def stops(geodata_mirror):
    """Median position of the stops of each name, read with the csv module."""
    groups: dict[str, list] = {}
    with open(geodata_mirror / STOPS, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh, quotechar="'"):
            groups.setdefault(row[2].strip(), []).append((float(row[3]), float(row[4])))
    return {k: (float(np.median([p[0] for p in v])), float(np.median([p[1] for p in v]))) for k, v in groups.items()}


def _between(a, b, t):
    return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])


# Expected points: the stop named with that very house number, or, by the grid rule, the point
# between the two stops where the road crosses the avenues around the number (2610 Hewes Way is
# 62 % of the way from 23 Avenue to 28 Avenue).
@pytest.mark.parametrize("address,expected,within_m", [
    ("Terwillegar Community Recreation Centre, 2051 Leger Road NW", lambda s: s["2019 Leger Road"], 150),
    ("Unit 3, 6110 Currents Drive E", lambda s: s["6110 Currents Drive E"], 100),
    ("Suite 200, 2610 Hewes Way NW",
     lambda s: _between(s["Hewes Way & 23 Avenue"], s["Hewes Way & 28 Avenue"], 3.1 / 5), 150),
    ("Castle Downs Library, 106 Lakeside Landing, 15379 Castle Downs Rd",
     lambda s: _between(s["Castle Downs Rd & 153 Ave"], s["Castle Downs Rd & 156 Ave"], 0.79 / 3), 150),
])
def test_facility_on_a_named_road_lands_near_the_open_data_point(stops, address, expected, within_m):
    r = geocode_address(address)
    lat, lon = expected(stops)
    assert r.status == "ok" and r.method == "road"
    assert float(haversine_m(r.lat, r.lon, lat, lon)) < within_m


@pytest.mark.parametrize("address,stop", [
    ("Unit 3, 6110 Currents Drive E", "6110 Currents Drive E"),
    ("Suite 101, 1314 Carter Crest Road", "1314 Carter Crest Road"),
])
def test_facility_lands_near_a_house_number_stop_the_model_never_saw(geodata_mirror, stops, address, stop):
    # The model is built without the stop named with that house number: the number is placed
    # from the road's other numbered stops, then compared with the stop left out.
    model = build_road_model(geodata_mirror / STOPS, load_grid_model(), exclude=lambda n: n == stop)
    r = geocode_batch([(address, None, None)], roads=model, gazetteer=Gazetteer([]))[0]
    assert r.status == "ok" and r.method == "road"
    assert float(haversine_m(r.lat, r.lon, *stops[stop])) < 150
