"""Named roads (and the edges of the numbered grid), offline: points known along each road, from
the transit stops, and the grid rule to find a house number between them.

Edmonton numbers buildings on named roads by the grid: 2019 Leger Road sits where Leger Road
crosses the line of 20.19 Avenue, and 15379 Castle Downs Road near 153 Avenue. So a road is kept
as the points where it is known to cross grid lines, per axis ("north": avenue lines, "east":
street lines), and a number is interpolated between the two known crossings around it:

- known crossings come from stops named "<named road> & <numbered road>" ("Hewes Way & 28
  Avenue") and from stops named with a house number that fits the grid rule ("2019 Leger Road");
- a road's own numbers: every house-number stop, grid rule or not ("6110 Currents Drive E");
- other stops on the road (two named roads, "Leger Way & Leger Road") only say where the road
  passes: they serve to find where two named roads meet.

Between two known crossings, where the grid model is calibrated, the answer is put on the grid
line itself (the road's position along it interpolated in grid space); elsewhere it is
interpolated between the two points.

The same table holds the numbered roads too, as lines: where the triangulated grid refuses an
address at its edge, the road's own corners (and its stops at named roads) can still place it.

The model is built by ``scripts/build_road_model.py`` into ``geodata/road_model.json``; nothing here
reads the stops at run time. A road that is unknown, a number outside the known part of a road, or
known points too far apart: each is refused with a reason.
"""

from __future__ import annotations

import bisect
import csv
import functools
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import GEODATA_DIR
from .grid import GridModel, haversine_m, load_grid_model
from .parse import GridRoad, NamedRoadRef, canonical_address_text, read_grid_piece, read_named_piece

DEFAULT_ROAD_MODEL_PATH = GEODATA_DIR / "road_model.json"
ROAD_MODEL_FORMAT = 2
# Columns of a known point: grid value on its axis, lat, lon, exact (1) or estimated (0), its grid
# coordinates east and north, and whether the grid model is trusted there (1: calibrated corners
# within TRUST_SUPPORT_M, so the position read backwards into grid space is good).
POINT_COLUMNS = ("value", "lat", "lon", "exact", "east", "north", "trusted")
AXES = ("north", "east")
SEEN = "seen"        # positions of a road's other stops (no grid value): for crossings of two named roads
# Beyond the last known crossing, a number is still placed up to half a block further (the stop
# sits at the corner; buildings continue a little). Further than that is not known.
SPAN_MARGIN = 0.5
# With a trusted grid at both ends, a road is followed this many blocks past its last known point.
EXTRAPOLATE_UNITS = 2.0
# The grid model must place the answer with at most this support (see GridModel.locate).
GRID_SUPPORT_M = 1000.0
MAX_GAP_UNITS = 12.0
TRUST_SUPPORT_M = 500.0
# Two known points further apart than this may have a bend between them: refuse.
MAX_GAP_M = 1500.0
# A house-number stop fits the grid rule when its number and its reversed-grid position agree
# within this many blocks (else the road is numbered its own way, like "91 Ozerna Road").
HOUSE_RULE_TOLERANCE = 1.5
# Stops at "the same" crossing further apart than this are a road crossing a line twice.
SAME_CROSSING_SPREAD_M = 400.0
# A known point of a road this close to a grid line (in blocks) means the road passes that line there.
NEAR_LINE_UNITS = 1.5
# Two named roads whose nearest known points are closer than this are taken to cross there.
PAIR_NEAR_M = 200.0

_PIECE_SPLIT = ("&", "@")


@dataclass(frozen=True)
class RoadHit:
    lat: float
    lon: float
    precision_m: float
    detail: str          # "between 23 Avenue and 28 Avenue", for the note


@dataclass(frozen=True)
class RoadMiss:
    reason: str          # plain words for staff


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine for one pair, without numpy's per-call cost (the chain calls this per address)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(math.sqrt(h))


def grid_road_key(road: GridRoad) -> str:
    """``GridRoad("STREET", 103, "A")`` -> ``"103A STREET NW"`` (the road table's key)."""
    return road.label().upper()


def _corner_quadrant(a: GridRoad, b: GridRoad) -> str:
    """"66 Street & 6 Avenue SW": the quadrant written on either road is the corner's."""
    return next((r.quadrant for r in (a, b) if r.quadrant != "NW"), "NW")


def _in_quadrant(road: GridRoad, quadrant: str) -> GridRoad:
    return GridRoad(road.kind, road.number, road.letter, quadrant)


def _signed_value(axis: str, number: float, quadrant: str | None) -> float:
    quadrant = quadrant or "NW"
    if axis == "north":
        return -number if quadrant in ("SW", "SE") else number
    return number if quadrant in ("NE", "SE") else -number


def _axis_of(road: GridRoad) -> str:
    """The axis a numbered road gives a value on: an avenue is a "north" line."""
    return "north" if road.kind == "AVENUE" else "east"


def _value_label(axis: str, value: float) -> str:
    """How a point on an axis reads: "23 Avenue", "103.5 Street", "number 2019"."""
    if axis == "house":
        return f"number {round(value * 100)}"
    number = abs(value)
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return f"{text} {'Avenue' if axis == 'north' else 'Street'}"


class RoadModel:
    """Known points along each road, per axis, sorted by grid value."""

    def __init__(self, roads: dict[str, dict[str, np.ndarray]], crossings: dict[str, tuple[float, float]],
                 quadrants: dict[str, str] | None = None, *, meta: dict | None = None,
                 grid: GridModel | None = None):
        self.roads = roads
        self.grid = grid
        self.crossings = crossings
        self.quadrants = quadrants or {}
        self.meta = dict(meta or {})
        coef = self.meta.get("precision_coef", {})
        self._a = float(coef.get("a", 40.0))
        self._b = float(coef.get("b", 0.5))
        self._est = float(coef.get("estimated", 80.0))

    @classmethod
    def empty(cls) -> RoadModel:
        """A model that knows no road (the chain without this method, for comparisons)."""
        return cls({}, {})

    def __bool__(self) -> bool:
        return bool(self.roads)

    def knows(self, key: str) -> bool:
        return key in self.roads

    # -- queries -------------------------------------------------------------------------------
    def _along(self, key: str, axis: str, value: float) -> RoadHit | RoadMiss:
        res = self._along_raw(key, axis, value)
        if isinstance(res, RoadHit) and axis in AXES:
            # A road that also passes this grid line somewhere else (a loop, a crescent): which
            # crossing is meant cannot be known from the number.
            other_axis = "east" if axis == "north" else "north"
            pts = self.roads.get(key, {}).get(other_axis)
            col = 5 if axis == "north" else 4
            if pts is not None and len(pts):
                near_line = pts[(pts[:, 6] == 1) & (np.abs(pts[:, col] - value) <= NEAR_LINE_UNITS)]
                if len(near_line):
                    d = haversine_m(near_line[:, 1], near_line[:, 2], res.lat, res.lon)
                    if float(np.max(d)) > SAME_CROSSING_SPREAD_M:
                        return RoadMiss(f"{key.title()} passes {_value_label(axis, value)} in more than one "
                                        "place: say which (a cross street or a house number)")
        return res

    def _along_raw(self, key: str, axis: str, value: float) -> RoadHit | RoadMiss:
        """The point of road ``key`` at grid ``value`` on ``axis``, between its known points.

        Where the two known points around the value have a trusted grid position, the answer is
        put on the grid line itself (the grid model, ~60 m) at the road's interpolated crossing;
        else it is interpolated between the two points' positions.
        """
        pts = self.roads.get(key, {}).get(axis)
        label = key.title()
        if pts is None or len(pts) == 0:
            what = {"north": "on the avenue lines", "east": "on the street lines", "house": "with a number"}[axis]
            return RoadMiss(f"no known point of {label} {what}")
        vs = pts[:, 0]
        reach = EXTRAPOLATE_UNITS if (axis != "house" and self.grid is not None and len(pts) >= 2
                                      and pts[0, 6] and pts[-1, 6]) else SPAN_MARGIN
        if value < vs[0] - reach or value > vs[-1] + reach:
            lo, hi = sorted((abs(vs[0]), abs(vs[-1])))
            return RoadMiss(f"{_value_label(axis, value)} is outside the part of {label} the open data "
                            f"covers ({_value_label(axis, lo)} to {_value_label(axis, hi)})")
        if len(pts) == 1:
            end = pts[0]
            extra = abs(value - end[0]) * (400.0 if axis == "house" else 200.0)
            prec = self._a + extra + (0.0 if end[3] else self._est)
            return RoadHit(float(end[1]), float(end[2]), prec, f"next to {_value_label(axis, end[0])}")
        i = min(max(bisect.bisect_right(vs.tolist(), value), 1), len(pts) - 1)
        a, b = pts[i - 1].tolist(), pts[i].tolist()
        t = 0.0 if b[0] == a[0] else (value - a[0]) / (b[0] - a[0])
        outside = t < 0 or t > 1
        gap = _metres(a[1], a[2], b[1], b[2])
        exact = 0.0 if (a[3] and b[3]) else self._est
        if (axis != "house" and self.grid is not None and a[6] and b[6] and gap <= MAX_GAP_M
                and abs(b[0] - a[0]) <= MAX_GAP_UNITS):
            # Along the road in grid space, then onto the grid line by the grid model.
            other = 4 if axis == "north" else 5     # the other grid coordinate: east or north
            c = a[other] + t * (b[other] - a[other])
            east, north = (c, value) if axis == "north" else (value, c)
            lat, lon, support = self.grid.locate([east], [north])
            if not np.isnan(lat[0]) and support[0] <= GRID_SUPPORT_M:
                beyond = max(0.0, -t, t - 1) * abs(b[0] - a[0])
                prec = (float(self.grid.precision_m(support[0])) + self._b * min(abs(t), abs(1 - t)) * min(gap, 600.0)
                        + exact + 100.0 * beyond)
                detail = (f"between {_value_label(axis, a[0])} and {_value_label(axis, b[0])}" if not outside
                          else f"beyond {_value_label(axis, (a if t < 0 else b)[0])}")
                return RoadHit(float(lat[0]), float(lon[0]), prec, detail + ", on the grid line")
        if outside:
            if min(abs(value - vs[0]), abs(value - vs[-1])) > SPAN_MARGIN:
                lo, hi = sorted((abs(vs[0]), abs(vs[-1])))
                return RoadMiss(f"{_value_label(axis, value)} is outside the part of {label} the open data "
                                f"covers ({_value_label(axis, lo)} to {_value_label(axis, hi)})")
            end = a if t < 0 else b
            extra = abs(value - end[0]) * (400.0 if axis == "house" else 200.0)
            prec = self._a + extra + (0.0 if end[3] else self._est)
            return RoadHit(float(end[1]), float(end[2]), prec, f"next to {_value_label(axis, end[0])}")
        if gap > MAX_GAP_M:
            return RoadMiss(f"the known points of {label} around {_value_label(axis, value)} are "
                            f"{gap / 1000:.1f} km apart: it may bend in between")
        lat = a[1] + t * (b[1] - a[1])
        lon = a[2] + t * (b[2] - a[2])
        near = min(t, 1 - t) * gap
        prec = self._a + self._b * near + exact
        return RoadHit(float(lat), float(lon), float(prec),
                       f"between {_value_label(axis, a[0])} and {_value_label(axis, b[0])}")

    def locate_house(self, ref: NamedRoadRef | GridRoad, house: int) -> RoadHit | RoadMiss:
        """A house number on a road, by the grid rule.

        Example
        -------
        >>> hit = load_road_model().locate_house(read_named_piece("2019 Leger Road"), 2019)
        >>> round(hit.lat, 2), round(hit.lon, 2)
        (53.46, -113.58)
        """
        if isinstance(ref, GridRoad):
            key, quadrant = grid_road_key(ref), ref.quadrant
            axes = ("north",) if ref.kind == "STREET" else ("east",)
        else:
            key, quadrant = ref.key, ref.quadrant
            axes = AXES
        if key not in self.roads:
            return RoadMiss(f"{key.title()} is not among the roads the open data names")
        quadrant = quadrant or self.quadrants.get(key, "NW")
        own = self.roads[key].get("house")
        # Stops named with numbers on this very road: between two of them is the best known.
        if own is not None and len(own) >= 2 and axes == AXES and own[0, 0] <= house / 100.0 <= own[-1, 0]:
            res = self._along(key, "house", house / 100.0)
            if isinstance(res, RoadHit):
                return res
        hits: list[RoadHit] = []
        misses: list[RoadMiss] = []
        for axis in axes:
            res = self._along(key, axis, _signed_value(axis, house / 100.0, quadrant))
            (hits if isinstance(res, RoadHit) else misses).append(res)
        if not hits and own is not None and len(own) and axes == AXES:
            res = self._along(key, "house", house / 100.0)
            if isinstance(res, RoadHit):
                return res
        if not hits:
            return misses[0] if len(misses) == 1 else RoadMiss(
                f"number {house} does not fit the known part of {key.title()}")
        if len(hits) == 2:
            d = float(haversine_m(hits[0].lat, hits[0].lon, hits[1].lat, hits[1].lon))
            if d > 300.0:
                return RoadMiss(f"number {house} fits {key.title()} in two places {d / 1000:.1f} km apart")
            return RoadHit((hits[0].lat + hits[1].lat) / 2, (hits[0].lon + hits[1].lon) / 2,
                           max(h.precision_m for h in hits) + d / 2, hits[0].detail)
        return hits[0]

    def locate_grid_corner(self, a: GridRoad, b: GridRoad) -> RoadHit | RoadMiss:
        """Two numbered roads, along each one's own known points (where the triangulated grid
        refused): both answers must agree, or the one road that is known is used."""
        hits, misses = [], []
        q = _corner_quadrant(a, b)
        for road, other in ((a, b), (b, a)):
            axis = _axis_of(other)
            res = self._along(grid_road_key(_in_quadrant(road, q)), axis, _signed_value(axis, other.value, q))
            (hits if isinstance(res, RoadHit) else misses).append(res)
        if not hits:
            return misses[0]
        if len(hits) == 2:
            d = float(haversine_m(hits[0].lat, hits[0].lon, hits[1].lat, hits[1].lon))
            if d > 300.0:
                return RoadMiss(f"{a.label()} and {b.label()} do not meet where the open data puts them")
            return RoadHit((hits[0].lat + hits[1].lat) / 2, (hits[0].lon + hits[1].lon) / 2,
                           max(h.precision_m for h in hits), hits[0].detail)
        return hits[0]

    def locate_cross(self, named: NamedRoadRef, other: GridRoad | NamedRoadRef) -> RoadHit | RoadMiss:
        """Where a named road meets a numbered one ("Hewes Way & 28 Avenue") or another named one."""
        if isinstance(other, GridRoad):
            if named.key not in self.roads:
                return RoadMiss(f"{named.key.title()} is not among the roads the open data names")
            axis = _axis_of(other)
            return self._along(named.key, axis, _signed_value(axis, other.value, other.quadrant))
        pair = "|".join(sorted((named.key, other.key)))
        if pair in self.crossings:
            lat, lon = self.crossings[pair]
            return RoadHit(lat, lon, self._a, "a named crossing")
        a, b = self._points(named.key), self._points(other.key)
        if a is None or b is None:
            missing = named.key if a is None else other.key
            return RoadMiss(f"{missing.title()} is not among the roads the open data names")
        d = haversine_m(a[:, 0][:, None], a[:, 1][:, None], b[:, 0][None, :], b[:, 1][None, :])
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        if d[i, j] > PAIR_NEAR_M:
            return RoadMiss(f"no known point where {named.key.title()} meets {other.key.title()}")
        return RoadHit(float((a[i, 0] + b[j, 0]) / 2), float((a[i, 1] + b[j, 1]) / 2),
                       self._a + self._est + float(d[i, j]), "nearest known points of both roads")

    def _points(self, key: str) -> np.ndarray | None:
        road = self.roads.get(key)
        if not road:
            return None
        arrs = [pts[:, 1:3] for pts in road.values() if len(pts)]
        return np.vstack(arrs) if arrs else None

    # -- storage -------------------------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "format": ROAD_MODEL_FORMAT,
            "meta": self.meta,
            "quadrants": self.quadrants,
            "crossings": {k: [round(v[0], 6), round(v[1], 6)] for k, v in sorted(self.crossings.items())},
            "roads": {k: {a: [[round(float(p[0]), 3), round(float(p[1]), 6), round(float(p[2]), 6), int(p[3]),
                               round(float(p[4]), 3), round(float(p[5]), 3), int(p[6])]
                              for p in pts] for a, pts in sorted(road.items())}
                      for k, road in sorted(self.roads.items())},
        }

    @classmethod
    def from_json(cls, data: dict, grid: GridModel | None = None) -> RoadModel:
        if data.get("format") != ROAD_MODEL_FORMAT:
            raise ValueError(f"road model format {data.get('format')!r} is not {ROAD_MODEL_FORMAT}: rebuild "
                             "it with scripts/build_road_model.py")
        roads = {k: {a: np.asarray(p, dtype=float).reshape(-1, len(POINT_COLUMNS)) for a, p in r.items()}
                 for k, r in data["roads"].items()}
        crossings = {k: (float(v[0]), float(v[1])) for k, v in data.get("crossings", {}).items()}
        return cls(roads, crossings, data.get("quadrants", {}), meta=data.get("meta"), grid=grid)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")


@functools.lru_cache(maxsize=4)
def load_road_model(path: Path | None = None) -> RoadModel:
    """The shipped model with the shipped grid (read-only, loaded once per process); an empty one
    if the file is missing."""
    path = Path(path) if path else DEFAULT_ROAD_MODEL_PATH
    if not path.is_file():
        return RoadModel.empty()
    return RoadModel.from_json(json.loads(path.read_text(encoding="utf-8")), grid=load_grid_model())


# -- building from the stops --------------------------------------------------------------------

class InverseGrid:
    """Position -> grid coordinates, by the calibrated grid model read backwards.

    Linear inside the triangulation of the control points (in projected metres); outside it, a
    local affine fit on the nearest corners.
    """

    def __init__(self, grid: GridModel):
        from scipy.interpolate import LinearNDInterpolator  # delayed: scipy is heavy, only builds need it
        from scipy.spatial import cKDTree  # delayed: as above

        self._cos = math.cos(math.radians(53.55))
        xy = np.column_stack([grid.lon * self._cos, grid.lat])
        vals = np.column_stack([grid.east, grid.north])
        self._xy, self._vals = xy, vals
        self._lin = LinearNDInterpolator(xy, vals)
        self._tree = cKDTree(xy)

    def many(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised ``__call__`` (outside the triangulation: one local fit per point)."""
        q = np.column_stack([np.asarray(lon, dtype=float) * self._cos, np.asarray(lat, dtype=float)])
        v = self._lin(q) if len(q) else np.zeros((0, 2))
        bad = np.nonzero(np.isnan(v).any(axis=1))[0]
        for i in bad:
            v[i] = self(float(lat[i]), float(lon[i]))
        return v[:, 0], v[:, 1]

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        q = np.array([lon * self._cos, lat])
        v = self._lin(q[None, :])[0]
        if not np.isnan(v).any():
            return float(v[0]), float(v[1])
        _, idx = self._tree.query(q, k=8)
        A = np.column_stack([self._xy[idx], np.ones(len(idx))])
        coef, *_ = np.linalg.lstsq(A, self._vals[idx], rcond=None)
        out = np.array([q[0], q[1], 1.0]) @ coef
        return float(out[0]), float(out[1])


def read_stops(path: Path) -> list[tuple[str, float, float]]:
    """(name, lat, lon) of every ETS stop (no header; text quoted with single quotes)."""
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh, quotechar="'"):
            if len(row) >= 5:
                out.append((row[2].strip(), float(row[3]), float(row[4])))
    return out


def _pieces(name: str) -> list[str]:
    norm = canonical_address_text(name)
    for sep in _PIECE_SPLIT:
        norm = norm.replace(sep, "&")
    return [p.strip() for p in norm.split("&") if p.strip()]


def is_heldout(name: str, fraction: float = 0.2, seed: str = "elip-roads") -> bool:
    """The deterministic held-out split by stop name (a hash, so it never drifts)."""
    h = int(hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return h < fraction


def build_road_model(stops_path: Path, grid: GridModel, *, exclude=None, meta: dict | None = None) -> RoadModel:
    """Build the road table from the stops; stops whose name ``exclude(name)`` is true are left out."""
    inverse = InverseGrid(grid)
    exact: dict[tuple[str, str, float], list[tuple[float, float]]] = defaultdict(list)
    estimated: dict[str, list[tuple[float, float]]] = defaultdict(list)
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    quads: dict[str, list[str]] = defaultdict(list)
    off_rule: set[str] = set()
    for name, lat, lon in read_stops(stops_path):
        if exclude is not None and exclude(name):
            continue
        pieces = _pieces(name)
        if len(pieces) == 2:
            refs = [read_grid_piece(p) or read_named_piece(p) for p in pieces]
            if None in refs or any(isinstance(r, NamedRoadRef) and r.house is not None for r in refs):
                continue
            a, b = refs
            if isinstance(a, GridRoad) and isinstance(b, GridRoad):
                if a.kind == b.kind:
                    continue
                q = _corner_quadrant(a, b)
                for road, other in ((a, b), (b, a)):
                    axis = _axis_of(other)
                    exact[(grid_road_key(_in_quadrant(road, q)), axis,
                           round(_signed_value(axis, other.value, q), 3))].append((lat, lon))
                continue
            for road, other in ((a, b), (b, a)):
                if isinstance(road, NamedRoadRef):
                    if road.quadrant:
                        quads[road.key].append(road.quadrant)
                    if isinstance(other, GridRoad):
                        axis = _axis_of(other)
                        q = other.quadrant if other.quadrant != "NW" else (road.quadrant or "NW")
                        if q != "NW":
                            quads[road.key].append(q)
                        exact[(road.key, axis, round(_signed_value(axis, other.value, q), 3))].append((lat, lon))
                    else:
                        estimated[road.key].append((lat, lon))
                else:
                    named_q = other.quadrant if isinstance(other, NamedRoadRef) else None
                    q = road.quadrant if road.quadrant != "NW" else (named_q or "NW")
                    estimated[grid_road_key(_in_quadrant(road, q))].append((lat, lon))
            if isinstance(a, NamedRoadRef) and isinstance(b, NamedRoadRef):
                pairs["|".join(sorted((a.key, b.key)))].append((lat, lon))
        elif len(pieces) == 1:
            ref = read_named_piece(pieces[0])
            if ref is None or ref.house is None:
                continue
            # The number itself is a known point of the road's own numbering, grid rule or not.
            exact[(ref.key, "house", round(ref.house / 100.0, 3))].append((lat, lon))
            east, north = inverse(lat, lon)
            fitted = False
            for axis, got in (("north", north), ("east", east)):
                for q in ((ref.quadrant,) if ref.quadrant else ("NW", "SW", "NE", "SE")):
                    want = _signed_value(axis, ref.house / 100.0, q)
                    if abs(want - got) <= HOUSE_RULE_TOLERANCE:
                        exact[(ref.key, axis, round(want, 3))].append((lat, lon))
                        fitted = True
                        if q != "NW":
                            quads[ref.key].append(q)
                        break
                if fitted:
                    break
            if not fitted:
                off_rule.add(name)
                estimated[ref.key].append((lat, lon))

    roads: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))

    def grid_position(lat: float, lon: float) -> tuple[float, float, int]:
        east, north = inverse(lat, lon)
        _, _, support = grid.locate([east], [north])
        return east, north, int(bool(support[0] <= TRUST_SUPPORT_M))

    twice = 0
    for (key, axis, value), pts in exact.items():
        arr = np.asarray(pts)
        mlat, mlon = float(np.median(arr[:, 0])), float(np.median(arr[:, 1]))
        if float(np.max(haversine_m(arr[:, 0], arr[:, 1], mlat, mlon))) > SAME_CROSSING_SPREAD_M:
            twice += 1     # a crescent crossing the same line twice: which one is meant is unknown
            continue
        east, north, trusted = grid_position(mlat, mlon)
        if axis == "north":
            north = value
        elif axis == "east":
            east = value
        roads[key][axis].append([value, mlat, mlon, 1, east, north, trusted])
    for key, pts in estimated.items():
        # Other stops on the road: positions only. Their grid value read backwards was tried as
        # interpolation points and placed some crossings 1 km off where suburbs bend the grid, so
        # they only serve to find where two named roads meet.
        for lat, lon in pts:
            roads[key][SEEN].append([0.0, lat, lon, 0, 0.0, 0.0, 0])
    final: dict[str, dict[str, np.ndarray]] = {}
    for key, by_axis in roads.items():
        final[key] = {}
        for axis, pts in by_axis.items():
            pts.sort(key=lambda p: p[0])
            final[key][axis] = np.asarray(pts, dtype=float).reshape(-1, len(POINT_COLUMNS))
    crossings = {}
    for pair, pts in pairs.items():
        arr = np.asarray(pts)
        crossings[pair] = (float(np.median(arr[:, 0])), float(np.median(arr[:, 1])))
    quadrants = {k: max(set(v), key=v.count) for k, v in quads.items() if v}
    meta = dict(meta or {})
    meta.update({"roads": len(final), "named_crossings": len(crossings),
                 "house_stops_off_grid_rule": sorted(off_rule), "crossed_twice_dropped": twice})
    return RoadModel(final, crossings, quadrants, meta=meta, grid=grid)
