"""Build the gazetteer (``geodata/gazetteer.csv``) from the shipped open data.

Sources, all in the data mirror (``$ELIP_DATA_MIRROR`` or ../shared/geodata):
- ETS stop names that name a place rather than a road ("Southgate Transit Centre", "Londonderry
  Mall N Entrance", "111 Ave @ Stadium TC"): the median of the place's stops;
- LRT stations (``edmonton_lrt_stops_*.geojson``): the median of each station's platforms;
- ALIASES below: well-known names for a point the open data already has, each with its distance
  allowance (the square is beside the station, not on it);
- TOWNS below: the centres of the neighbouring municipalities (approximate town-centre points,
  entered by hand from public maps), marked outside the city.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from .gazetteer import CAMPUS, LANDMARK, LRT_STATION, MALL, MUNICIPALITY, SQUARE, TRANSIT_CENTRE, Place, place_key
from .grid import haversine_m
from .parse import canonical_address_text, read_grid_piece, read_named_piece
from .roads import read_stops

STOPS_NAME = "ets_bus_stops_2026-07.txt"
LRT_PATTERN = "edmonton_lrt_stops_*.geojson"
STOP_SOURCE = "ETS stops (Open Government Licence - City of Edmonton)"
LRT_SOURCE = "LRT stops (Open Government Licence - City of Edmonton)"

# name, key of the entry it stands beside, kind, allowance in metres (how far the place can be).
ALIASES = [
    ("Sir Winston Churchill Square", "CHURCHILL STATION", SQUARE, 150),
    ("Churchill Square", "CHURCHILL STATION", SQUARE, 150),
    ("City Hall", "CHURCHILL STATION", LANDMARK, 200),
    ("West Edmonton Mall", "WEST EDMONTON MALL TRANSIT CENTRE", MALL, 400),
    ("Southgate Centre", "SOUTHGATE TRANSIT CENTRE", MALL, 250),
    ("Mill Woods Town Centre", "MILL WOODS TRANSIT CENTRE", MALL, 250),
    ("Millwoods Town Centre", "MILL WOODS TRANSIT CENTRE", MALL, 250),
    ("Kingsway Mall", "KINGSWAY RAH TRANSIT CENTRE", MALL, 400),
    ("Royal Alexandra Hospital", "KINGSWAY RAH TRANSIT CENTRE", LANDMARK, 400),
    ("Capilano Mall", "CAPILANO TRANSIT CENTRE", MALL, 300),
    ("Bonnie Doon Centre", "BONNIE DOON MALL", MALL, 200),
    ("Northgate Centre", "NORTHGATE MALL", MALL, 200),
    ("University of Alberta", "UNIVERSITY STATION", CAMPUS, 700),
    ("MacEwan University", "MACEWAN STATION", CAMPUS, 400),
    ("Concordia University of Edmonton", "CONCORDIA UNIVERSITY", CAMPUS, 300),
    ("Commonwealth Stadium", "STADIUM STATION", LANDMARK, 300),
]

# Neighbouring municipalities: approximate town centres (public maps), about 3 km allowance.
TOWNS = [
    ("St. Albert", 53.6305, -113.6256), ("Sherwood Park", 53.5412, -113.2957),
    ("Spruce Grove", 53.5447, -113.9008), ("Stony Plain", 53.5264, -114.0069),
    ("Beaumont", 53.3566, -113.4150), ("Leduc", 53.2650, -113.5510), ("Nisku", 53.3360, -113.5300),
    ("Devon", 53.3631, -113.7322), ("Fort Saskatchewan", 53.7125, -113.2131),
    ("Morinville", 53.8003, -113.6464), ("Ardrossan", 53.5580, -113.1450), ("Acheson", 53.5480, -113.7640),
]
TOWN_PRECISION_M = 3000.0

_ENTRANCE_RE = re.compile(r"\s+(?:(?:N|S|E|W|NORTH|SOUTH|EAST|WEST)\s+)?(?:ENTRANCE|ENT)(?:\s+NEARSIDE)?$")


def _kind(key: str) -> str:
    if "TRANSIT CENTRE" in key:
        return TRANSIT_CENTRE
    if any(w in key.split() for w in ("MALL", "PLAZA", "COLLECTION")) or key.endswith((" SQUARE", "PARK CENTRE")):
        return MALL
    if any(w in key.split() for w in ("UNIVERSITY", "COLLEGE", "CAMPUS")):
        return CAMPUS
    return LANDMARK


def _place_piece(piece: str) -> str | None:
    """A stop-name piece that names a place (not a road, not a loop), without its entrance words."""
    piece = _ENTRANCE_RE.sub("", piece.strip())
    if not piece or piece[0].isdigit() or read_grid_piece(piece) or read_named_piece(piece):
        return None
    if piece.endswith((" LOOP", " SB", " NB")) or piece[-1].isdigit():
        return None
    return piece


def _grouped(points: dict[str, list], source: str, kind_of) -> list[Place]:
    out = []
    for pts in points.values():
        arr = np.asarray([(p[0], p[1]) for p in pts])
        lat, lon = float(np.median(arr[:, 0])), float(np.median(arr[:, 1]))
        spread = float(np.max(haversine_m(arr[:, 0], arr[:, 1], lat, lon)))
        if spread > 600:
            continue   # one name for places far apart: not one place
        display = pts[0][2]
        out.append(Place(display, lat, lon, kind_of(place_key(display)), max(50.0, round(spread + 50)), False, source))
    return out


def build_places(mirror: Path, *, lrt: bool = True) -> list[Place]:
    """Every place of the gazetteer; ``lrt=False`` leaves the LRT file out (the benchmark's held-out check)."""
    stops: dict[str, list] = defaultdict(list)
    for name, lat, lon in read_stops(mirror / STOPS_NAME):
        norm = canonical_address_text(name)
        pieces = [p.strip() for p in re.split(r"[@&]", norm)]
        if len(pieces) == 2 and "@" not in norm:
            continue   # a crossing of two roads
        for piece in pieces:
            place = _place_piece(piece)
            if place:
                key = place_key(place)
                stops[key].append((lat, lon, " ".join(w.capitalize() for w in key.split())))
    places = _grouped(stops, STOP_SOURCE, _kind)
    towns = {place_key(t[0]) for t in TOWNS}
    # A stop named after a neighbouring town (Spruce Grove Transit Centre) is outside the city.
    places = [Place(p.name, p.lat, p.lon, p.kind, p.precision_m, True, p.source)
              if any(place_key(p.name).startswith(t + " ") for t in towns) else p for p in places]
    stations: dict[str, list] = defaultdict(list)
    lrt_files = sorted(mirror.glob(LRT_PATTERN)) if lrt else []
    if lrt_files:
        for f in json.loads(lrt_files[-1].read_text(encoding="utf-8"))["features"]:
            desc = f["properties"]["lrt_stop_description"].strip()
            lon, lat = f["geometry"]["coordinates"][:2]
            stations[place_key(desc)].append((lat, lon, desc))
    places += _grouped(stations, LRT_SOURCE, lambda key: LRT_STATION)
    by_key = {place_key(p.name): p for p in places}
    for name, target, kind, allowance in ALIASES:
        base = by_key.get(target)
        if base is None:
            print(f"alias {name!r}: no entry {target!r} in the open data, left out", file=sys.stderr)
            continue
        places.append(Place(name, base.lat, base.lon, kind, float(allowance), False,
                            f"beside {base.name}; {base.source}"))
    for name, lat, lon in TOWNS:
        places.append(Place(name, lat, lon, MUNICIPALITY, TOWN_PRECISION_M, True, "town centre, approximate"))
    return places
