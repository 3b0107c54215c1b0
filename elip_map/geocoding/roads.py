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
  passes.

Every stop on a road also gives its course: the road's path, its stops in order along it (see
``_build_paths``). Where a number is not between two known crossings, the path is followed to it;
two named roads meet where their paths cross (once), or where they come within ``PAIR_APPROACH_M``
of each other (once), else the meeting is refused. Any answer on a grid line is refused when another
stop of the road stands by the same line far from it (a loop, a crescent).

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
from . import notes as N
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

# Paths: every stop on a road, in order along it (see ``_build_paths``). Stops closer than this are
# one point of the path (the stops on both sides of one corner).
PATH_MERGE_M = 40.0
# Two stops of a road further apart than this, with none between, split its path in two pieces:
# the road may bend, leave and come back, or be two roads of one name.
PATH_GAP_M = 1200.0
# Columns of a path point: piece, distance along the piece (m), lat, lon, grid north and east
# (read backwards from the position, shifted to agree with the known crossings), distance along
# the piece to the nearest known crossing on each axis (-1: none on this piece), trusted grid.
PATH_COLUMNS = ("piece", "s", "lat", "lon", "north", "east", "anchor_n", "anchor_e", "trusted")
# A path answer further along the road than this from any known crossing on its axis is a guess.
PATH_REACH_M = 1500.0
# Past either end of a piece, the road's last stretch is continued straight for at most one block
# and this many metres (chosen on a validation split inside the training stops, never the
# benchmark's held-out places: two blocks added refusals' worth of answers 300-750 m off).
PATH_PAST_END_UNITS = 1.0
PATH_PAST_END_M = 400.0
# How much precision a path answer loses per metre from its nearest known crossing.
PATH_PRECISION_PER_M = 0.15
# Added to every path answer's precision so that it is, like the grid's, about the 90th percentile
# of the error: on validation splits inside the training stops (five seeds, 124 path answers; never
# the benchmark's held-out places) the error was within the precision for 76 % of them without it,
# 90 % with 120 m (the error hardly follows the precision: a floor, not a factor).
PATH_PRECISION_EXTRA_M = 120.0
# The same, for a point interpolated straight between two known points off the grid line (a road
# between two stops) and for two named roads met where their courses come closest: on validation
# splits inside the training stops (twenty seeds, which share places: 72 and 20 answers; never the
# benchmark's held-out places) the error was within the stated precision for 69 % and 65 % of them;
# with 30 m and 60 m added, 93 % and 90 %. Positions do not change.
BETWEEN_PRECISION_EXTRA_M = 30.0
APPROACH_PRECISION_EXTRA_M = 60.0

# A stop of the road this close to a grid line (in grid units, read from its path), more than
# SAME_CROSSING_SPREAD_M from an answer on that line, makes the answer ambiguous (a loop, a crescent,
# a road running almost along the line). Chosen on validation splits inside the training stops
# (five seeds, 458 named-road crossings; never the benchmark's held-out places): 1.0, 1.5, 2.0, 2.5
# and 3.0 units kept 91.8, 92.5, 91.8, 92.2 and 92.1 % of answers within 300 m, against 89.8 %
# without the check; 1.5 refused the fewest of the best.
PATH_NEAR_LINE_UNITS = 1.5

# Without paths: two named roads whose nearest known points are closer than this meet there.
PAIR_NEAR_M = 200.0
# With paths: two named roads whose courses do not cross but come this close meet where they do
# (the stops at one corner stand within about 60 m of it, ``holdout.JOIN_M``, so two roads' last
# stops before their corner are within about twice that). On the validation splits (294 crossings of
# two named roads): 100 m placed 4 (median 118 m, all within 300 m), 150 m placed 9 (median 92 m,
# all within 300 m), 200 m placed 13 with 3 beyond 300 m.
PAIR_APPROACH_M = 150.0

_PIECE_SPLIT = ("&", "@")
# Longitude scale at Edmonton (53.55° N): degrees of longitude to comparable lengths on a flat plane.
COS_LAT = math.cos(math.radians(53.55))


@dataclass(frozen=True)
class RoadHit:
    lat: float
    lon: float
    precision_m: float
    detail: str          # "between 23 Avenue and 28 Avenue", for the note


@dataclass(frozen=True)
class RoadMiss:
    reason: str          # plain words for staff
    ambiguous: bool = False  # the road passes that line in more than one place (not merely unknown there)


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine for one pair, without numpy's per-call cost (the chain calls this per address)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(math.sqrt(h))


def _closest_on_segment(p, a, b) -> tuple[float, float]:
    ab = (b[0] - a[0], b[1] - a[1])
    den = ab[0] ** 2 + ab[1] ** 2
    t = 0.0 if den == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1]) / den))
    return a[0] + t * ab[0], a[1] + t * ab[1]


def _segment_gap(p1, p2, q1, q2) -> tuple[float, tuple[float, float]]:
    """Shortest distance between segments p1-p2 and q1-q2 that do not cross (plane points; a
    segment may be a single point) and the midpoint of their closest pair: the closest pair of two
    segments that do not cross always has an end of one of them."""
    best = (math.inf, (0.0, 0.0))
    for p, a, b in ((p1, q1, q2), (p2, q1, q2), (q1, p1, p2), (q2, p1, p2)):
        c = _closest_on_segment(p, a, b)
        d = math.hypot(p[0] - c[0], p[1] - c[1])
        if d < best[0]:
            best = (d, ((p[0] + c[0]) / 2, (p[1] + c[1]) / 2))
    return best


def _segments(line: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """A polyline (rows of x, y) as its segments; a single point as one segment of no length."""
    return [(line[i], line[min(i + 1, len(line) - 1)]) for i in range(max(len(line) - 1, 1))]


def grid_road_key(road: GridRoad) -> str:
    """``GridRoad("STREET", 103, "A")`` -> ``"103A STREET NW"`` (the road table's key)."""
    return road.label().upper()


def corner_quadrant(a: GridRoad, b: GridRoad) -> str:
    """"66 Street & 6 Avenue SW": the quadrant written on either road is the corner's."""
    return next((r.quadrant for r in (a, b) if r.quadrant != "NW"), "NW")


def in_quadrant(road: GridRoad, quadrant: str) -> GridRoad:
    """The same numbered road in the corner's quadrant (a road written without one is read as NW)."""
    return GridRoad(road.kind, road.number, road.letter, quadrant)


def signed_value(axis: str, number: float, quadrant: str | None) -> float:
    """A road number as a grid coordinate: south of the avenue baseline and west of the street
    baseline count down, so one value names one line across all four quadrants.

    >>> signed_value("north", 23.0, "SW"), signed_value("east", 66.0, "NW")
    (-23.0, -66.0)
    """
    quadrant = quadrant or "NW"
    if axis == "north":
        return -number if quadrant in ("SW", "SE") else number
    return number if quadrant in ("NE", "SE") else -number


def axis_of(road: GridRoad) -> str:
    """The axis a numbered road gives a value on: an avenue is a "north" line."""
    return "north" if road.kind == "AVENUE" else "east"


def _value_label(axis: str, value: float) -> str:
    """How a point on an axis reads: "23 Avenue", "103.5 Street", "number 2019"."""
    if axis == "house":
        return N.HOUSE_NUMBER(house=round(value * 100))
    number = abs(value)
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return f"{text} {'Avenue' if axis == 'north' else 'Street'}"


class RoadModel:
    """Known points along each road, per axis, sorted by grid value."""

    def __init__(self, roads: dict[str, dict[str, np.ndarray]], crossings: dict[str, tuple[float, float]],
                 quadrants: dict[str, str] | None = None, *, meta: dict | None = None,
                 grid: GridModel | None = None, paths: dict[str, np.ndarray] | None = None):
        self.roads = roads
        self.paths = paths or {}
        self._path_cache: dict[str, tuple[list, list]] = {}
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
    def _along(self, key: str, axis: str, value: float, *, numbering: bool = False) -> RoadHit | RoadMiss:
        res = self._along_checked(key, axis, value, numbering=numbering)
        if isinstance(res, RoadHit) and axis in AXES and self._stops_near_line_elsewhere(
                key, axis, value, res.lat, res.lon, numbering=numbering):
            return RoadMiss(N.ROAD_PASSES_TWICE(road=key.title(), point=_value_label(axis, value)), ambiguous=True)
        return res

    def _along_checked(self, key: str, axis: str, value: float, *, numbering: bool = False) -> RoadHit | RoadMiss:
        res = self._along_raw(key, axis, value)
        if axis in AXES and key in self.paths:
            path = self._along_path(key, axis, value, numbering=numbering)
            if isinstance(res, RoadMiss):
                # Not between two known crossings: follow the road through all its stops instead.
                return path if isinstance(path, RoadHit) or path.ambiguous else res
            if isinstance(path, RoadHit):
                # Two readings of one road: its known crossings alone, and its course through all
                # its stops. Far apart, one of them has joined two different stretches of the road.
                if _metres(res.lat, res.lon, path.lat, path.lon) > SAME_CROSSING_SPREAD_M:
                    return RoadMiss(N.ROAD_POINTS_DISAGREE(road=key.title(), point=_value_label(axis, value)))
                if not res.detail.endswith("on the grid line"):
                    # A straight line between two known crossings (or the nearest one) cuts the
                    # road's bends; its path follows them (p90 237 -> 218 m on the validation split).
                    return path
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
                        return RoadMiss(N.ROAD_PASSES_TWICE(road=key.title(), point=_value_label(axis, value)), ambiguous=True)
        return res

    def _stops_near_line_elsewhere(self, key: str, axis: str, value: float, lat: float, lon: float, *,
                                   numbering: bool = False) -> bool:
        """Whether some stop of the road stands by the same grid line far from the answer.

        A loop or a crescent meets a line twice; a road that runs almost along the line meets it
        at a point that a small error in either moves far. Either way a stop of the road within
        ``PATH_NEAR_LINE_UNITS`` of the line, more than ``SAME_CROSSING_SPREAD_M`` from the answer, means
        the answer is one of several places (the known crossings alone cannot tell: they may all
        lie on one side of the loop).
        """
        if key not in self.paths:
            return False
        col, other = (4, 5) if axis == "north" else (5, 4)
        for p, _, _ in self._path_pieces(key)[0]:
            for i, row in enumerate(p):
                if abs(row[col] - value) > PATH_NEAR_LINE_UNITS or _metres(row[2], row[3], lat, lon) <= SAME_CROSSING_SPREAD_M:
                    continue
                if numbering and not any(abs(q[col] - row[col]) >= abs(q[other] - row[other])
                                         for q in p[max(i - 1, 0):i + 2] if q is not row):
                    # A house number: only where the road runs along the axis is it numbered by
                    # these lines (the avenues number a north-south stretch, not an east-west one).
                    continue
                return True
        return False

    def _along_path(self, key: str, axis: str, value: float, *, numbering: bool = False) -> RoadHit | RoadMiss:
        """Where the road's path (its stops in order, see ``_build_paths``) reaches grid ``value``.

        Each stop's grid position is read backwards from the calibrated grid, then shifted so that
        the road's known crossings read exactly: between two known crossings the road's own shape
        decides where a line is met, beyond them the grid's. With ``numbering`` (a house number),
        only where the road runs along the axis counts: a north-south road is numbered by the
        avenues it passes.
        """
        col, anchor_col = (4, 6) if axis == "north" else (5, 7)
        other_col = 5 if axis == "north" else 4
        hits: list[tuple[float, float, float]] = []
        for p, lo, hi in self._path_pieces(key)[0 if axis == "north" else 1]:
            if value < lo - PATH_PAST_END_UNITS or value > hi + PATH_PAST_END_UNITS:
                continue
            for a, b in zip(p, p[1:]):
                ca, cb = a[col], b[col]
                if ca == cb or not (min(ca, cb) <= value <= max(ca, cb)):
                    continue
                if numbering and abs(cb - ca) < abs(b[other_col] - a[other_col]):
                    continue
                t = (value - ca) / (cb - ca)
                unanchored = a[anchor_col] < 0 or b[anchor_col] < 0
                if unanchored and not (a[8] and b[8]):
                    continue    # no known crossing on this piece, and the grid is not calibrated here
                reach = 0.0 if unanchored else a[anchor_col] + t * (b[anchor_col] - a[anchor_col])
                if reach > PATH_REACH_M:
                    continue
                gap = _metres(a[2], a[3], b[2], b[3])
                prec = (self._a + PATH_PRECISION_PER_M * reach + self._b * min(t, 1 - t) * min(gap, 600.0)
                        + (self._est if unanchored else 0.0))
                hits.append((a[2] + t * (b[2] - a[2]), a[3] + t * (b[3] - a[3]), prec))
            hits.extend(self._past_ends(p, col, other_col, anchor_col, value, numbering))
        label = _value_label(axis, value)
        if not hits:
            return RoadMiss(N.OUTSIDE_KNOWN_PART(point=label, road=key.title()))
        lat0, lon0 = hits[0][0], hits[0][1]
        spread = max(_metres(lat0, lon0, h[0], h[1]) for h in hits)
        if spread > SAME_CROSSING_SPREAD_M:
            return RoadMiss(N.ROAD_PASSES_TWICE(road=key.title(), point=label), ambiguous=True)
        lat = sum(h[0] for h in hits) / len(hits)
        lon = sum(h[1] for h in hits) / len(hits)
        return RoadHit(lat, lon, max(h[2] for h in hits) + spread / 2 + PATH_PRECISION_EXTRA_M,
                       N.NEAR_STOPS(point=label))

    def _path_pieces(self, key: str) -> tuple[list, list]:
        """The road's path as plain lists, per piece, with each piece's range of north and of east
        values (Python floats: a path has a few dozen points, and numpy's per-call cost on arrays
        that small was most of the chain's time on named roads)."""
        cached = self._path_cache.get(key)
        if cached is None:
            pts = self.paths[key].tolist()
            pieces: dict[float, list] = {}
            for row in pts:
                pieces.setdefault(row[0], []).append(row)
            by_axis: tuple[list, list] = ([], [])
            for p in pieces.values():
                if len(p) < 2:
                    continue
                for k, col in ((0, 4), (1, 5)):
                    vals = [r[col] for r in p]
                    by_axis[k].append((p, min(vals), max(vals)))
            cached = self._path_cache[key] = by_axis
        return cached

    def _past_ends(self, p: list, col: int, other_col: int, anchor_col: int, value: float,
                   numbering: bool) -> list[tuple[float, float, float]]:
        """A little past either end of a piece, the road's last stretch continued straight."""
        out = []
        for end, step in ((0, 1), (len(p) - 1, -1)):
            if abs(value - p[end][col]) > PATH_PAST_END_UNITS:
                continue
            j = end + step
            while 0 <= j < len(p) and abs(p[j][1] - p[end][1]) < PATH_MERGE_M * 4:
                j += step
            if not 0 <= j < len(p):
                continue
            dv = p[end][col] - p[j][col]
            if dv == 0 or (numbering and abs(dv) < abs(p[end][other_col] - p[j][other_col])):
                continue
            beyond = (value - p[end][col]) / dv      # in units of the last stretch, past the end
            if beyond <= 0:
                continue
            if p[end][anchor_col] < 0 and not p[end][8]:
                continue
            lat = float(p[end][2] + beyond * (p[end][2] - p[j][2]))
            lon = float(p[end][3] + beyond * (p[end][3] - p[j][3]))
            far = _metres(p[end][2], p[end][3], lat, lon)
            if far > PATH_PAST_END_M:
                continue
            reach = max(p[end][anchor_col], 0.0) + far
            out.append((lat, lon, self._a + PATH_PRECISION_PER_M * reach + 0.5 * far
                        + (self._est if p[end][anchor_col] < 0 else 0.0)))
        return out

    def _along_raw(self, key: str, axis: str, value: float) -> RoadHit | RoadMiss:
        """The point of road ``key`` at grid ``value`` on ``axis``, between its known points.

        Where the two known points around the value have a trusted grid position, the answer is
        put on the grid line itself (the grid model, ~60 m) at the road's interpolated crossing;
        else it is interpolated between the two points' positions.
        """
        pts = self.roads.get(key, {}).get(axis)
        label = key.title()
        if pts is None or len(pts) == 0:
            what = {"north": N.NO_POINT_ON_AVENUES, "east": N.NO_POINT_ON_STREETS,
                    "house": N.NO_POINT_WITH_NUMBER}[axis]
            return RoadMiss(what(road=label))
        vs = pts[:, 0]
        reach = EXTRAPOLATE_UNITS if (axis != "house" and self.grid is not None and len(pts) >= 2
                                      and pts[0, 6] and pts[-1, 6]) else SPAN_MARGIN
        if value < vs[0] - reach or value > vs[-1] + reach:
            lo, hi = sorted((abs(vs[0]), abs(vs[-1])))
            return RoadMiss(N.OUTSIDE_KNOWN_SPAN(point=_value_label(axis, value), road=label,
                                                 low=_value_label(axis, lo), high=_value_label(axis, hi)))
        if len(pts) == 1:
            end = pts[0]
            extra = abs(value - end[0]) * (400.0 if axis == "house" else 200.0)
            prec = self._a + extra + (0.0 if end[3] else self._est)
            return RoadHit(float(end[1]), float(end[2]), prec, N.NEXT_TO(point=_value_label(axis, end[0])))
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
                detail = (N.BETWEEN_ON_LINE(point=_value_label(axis, a[0]), other=_value_label(axis, b[0]))
                          if not outside else N.BEYOND_ON_LINE(point=_value_label(axis, (a if t < 0 else b)[0])))
                return RoadHit(float(lat[0]), float(lon[0]), prec, detail)
        if outside:
            if min(abs(value - vs[0]), abs(value - vs[-1])) > SPAN_MARGIN:
                lo, hi = sorted((abs(vs[0]), abs(vs[-1])))
                return RoadMiss(N.OUTSIDE_KNOWN_SPAN(point=_value_label(axis, value), road=label,
                                                     low=_value_label(axis, lo), high=_value_label(axis, hi)))
            end = a if t < 0 else b
            extra = abs(value - end[0]) * (400.0 if axis == "house" else 200.0)
            prec = self._a + extra + (0.0 if end[3] else self._est)
            return RoadHit(float(end[1]), float(end[2]), prec, N.NEXT_TO(point=_value_label(axis, end[0])))
        if gap > MAX_GAP_M:
            return RoadMiss(N.ROAD_MAY_BEND(road=label, point=_value_label(axis, value), km=f"{gap / 1000:.1f}"))
        lat = a[1] + t * (b[1] - a[1])
        lon = a[2] + t * (b[2] - a[2])
        near = min(t, 1 - t) * gap
        prec = self._a + self._b * near + exact + BETWEEN_PRECISION_EXTRA_M
        return RoadHit(float(lat), float(lon), float(prec),
                       N.BETWEEN(point=_value_label(axis, a[0]), other=_value_label(axis, b[0])))

    def locate_house(self, ref: NamedRoadRef | GridRoad, house: int) -> RoadHit | RoadMiss:
        """A house number on a road, by the grid rule.

        Example
        -------
        >>> hit = load_road_model().locate_house(read_named_piece("2019 LEGER ROAD"), 2019)   # canonical text
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
            return RoadMiss(N.ROAD_UNKNOWN(road=key.title()))
        # No quadrant written: every quadrant the road is known in (a road crossing the avenue
        # baseline has a 1300 in NW and another in SW), else the one its stops name most.
        quadrants = [quadrant] if quadrant else (self._quadrants_known(key) or [self.quadrants.get(key, "NW")])
        own = self.roads[key].get("house")
        # Stops named with numbers on this very road: between two of them is the best known.
        if own is not None and len(own) >= 2 and axes == AXES and own[0, 0] <= house / 100.0 <= own[-1, 0]:
            res = self._along(key, "house", house / 100.0)
            if isinstance(res, RoadHit):
                return res
        hits: list[RoadHit] = []
        misses: list[RoadMiss] = []
        for quadrant in quadrants:
            for axis in axes:
                res = self._along(key, axis, signed_value(axis, house / 100.0, quadrant), numbering=True)
                (hits if isinstance(res, RoadHit) else misses).append(res)
        if not hits and own is not None and len(own) and axes == AXES:
            res = self._along(key, "house", house / 100.0)
            if isinstance(res, RoadHit):
                return res
        if not hits:
            # "Passes that line in more than one place" says more than "does not fit" (and tells
            # staff what to add: a cross street).
            ambiguous = [m for m in misses if m.ambiguous]
            return ambiguous[0] if ambiguous else misses[0] if len(misses) == 1 else RoadMiss(
                N.NUMBER_DOES_NOT_FIT(house=house, road=key.title()))
        if len(hits) >= 2:
            d = max(_metres(a.lat, a.lon, b.lat, b.lon) for a in hits for b in hits)
            if d > 300.0:
                return RoadMiss(N.NUMBER_FITS_TWICE(house=house, road=key.title(), km=f"{d / 1000:.1f}"))
            return RoadHit(sum(h.lat for h in hits) / len(hits), sum(h.lon for h in hits) / len(hits),
                           max(h.precision_m for h in hits) + d / 2, hits[0].detail)
        return hits[0]

    def _quadrants_known(self, key: str) -> list[str]:
        """The quadrants (NW, SW, NE, SE) the road's stops stand in, by their grid position at least
        one unit from either baseline (nearer, a stop tells no side)."""
        path = self.paths.get(key)
        if path is not None:
            pts = path[:, 4:6]
        else:
            known = [pts[:, [5, 4]] for axis, pts in self.roads.get(key, {}).items() if axis in AXES and len(pts)]
            if not known:
                return []
            pts = np.vstack(known)
        found = {("S" if north < 0 else "N") + ("E" if east > 0 else "W")
                 for north, east in pts.tolist() if abs(north) >= 1.0 and abs(east) >= 1.0}
        return [q for q in ("NW", "SW", "NE", "SE") if q in found]

    def locate_grid_corner(self, a: GridRoad, b: GridRoad) -> RoadHit | RoadMiss:
        """Two numbered roads, along each one's own known points (where the triangulated grid
        refused): both answers must agree, or the one road that is known is used."""
        hits, misses = [], []
        q = corner_quadrant(a, b)
        for road, other in ((a, b), (b, a)):
            axis = axis_of(other)
            res = self._along(grid_road_key(in_quadrant(road, q)), axis, signed_value(axis, other.value, q))
            (hits if isinstance(res, RoadHit) else misses).append(res)
        if not hits:
            return misses[0]
        if len(hits) == 2:
            d = float(haversine_m(hits[0].lat, hits[0].lon, hits[1].lat, hits[1].lon))
            if d > 300.0:
                return RoadMiss(N.CORNER_MISPLACED(road=a.label(), other=b.label()))
            return RoadHit((hits[0].lat + hits[1].lat) / 2, (hits[0].lon + hits[1].lon) / 2,
                           max(h.precision_m for h in hits), hits[0].detail)
        return hits[0]

    def locate_cross(self, named: NamedRoadRef, other: GridRoad | NamedRoadRef) -> RoadHit | RoadMiss:
        """Where a named road meets a numbered one ("Hewes Way & 28 Avenue") or another named one."""
        if isinstance(other, GridRoad):
            if named.key not in self.roads:
                return RoadMiss(N.ROAD_UNKNOWN(road=named.key.title()))
            axis = axis_of(other)
            return self._along(named.key, axis, signed_value(axis, other.value, other.quadrant))
        pair = "|".join(sorted((named.key, other.key)))
        if pair in self.crossings:
            lat, lon = self.crossings[pair]
            return RoadHit(lat, lon, self._a, N.NAMED_CROSSING())
        a, b = self._points(named.key), self._points(other.key)
        if a is None or b is None:
            missing = named.key if a is None else other.key
            return RoadMiss(N.ROAD_UNKNOWN(road=missing.title()))
        if self.paths:
            # Where the courses of both roads cross. The nearest known points of both roads (the
            # rule below) put such crossings a median 200 m off, some over 300 m.
            return self._paths_meet(named.key, other.key)
        # A model without paths (built with ``paths=False``, as before them): the nearest known
        # points of both roads, kept so the benchmark can compare both in one run.
        d = haversine_m(a[:, 0][:, None], a[:, 1][:, None], b[:, 0][None, :], b[:, 1][None, :])
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        if d[i, j] > PAIR_NEAR_M:
            return RoadMiss(N.NO_MEETING_POINT(road=named.key.title(), other=other.key.title()))
        return RoadHit(float((a[i, 0] + b[j, 0]) / 2), float((a[i, 1] + b[j, 1]) / 2),
                       self._a + self._est + float(d[i, j]), N.NEAREST_POINTS())

    def _paths_meet(self, a: str, b: str) -> RoadHit | RoadMiss:
        """Where the courses of two named roads (their paths) cross, when they do, once."""
        pa, pb = self.paths.get(a), self.paths.get(b)
        if pa is None or pb is None:
            return self._nearest_approach(a, b) or RoadMiss(N.PATHS_TOO_SHORT(road=a.title(), other=b.title()))
        cos = COS_LAT
        found = []
        for p in (pa[pa[:, 0] == k] for k in np.unique(pa[:, 0])):
            for q in (pb[pb[:, 0] == k] for k in np.unique(pb[:, 0])):
                for i in range(len(p) - 1):
                    for j in range(len(q) - 1):
                        x1, y1, x2, y2 = p[i, 3] * cos, p[i, 2], p[i + 1, 3] * cos, p[i + 1, 2]
                        x3, y3, x4, y4 = q[j, 3] * cos, q[j, 2], q[j + 1, 3] * cos, q[j + 1, 2]
                        den = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
                        if den == 0:
                            continue
                        t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / den
                        u = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / den
                        if 0 <= t <= 1 and 0 <= u <= 1:
                            found.append((y1 + t * (y2 - y1), (x1 + t * (x2 - x1)) / cos,
                                          min(t, 1 - t) * _metres(p[i, 2], p[i, 3], p[i + 1, 2], p[i + 1, 3])
                                          + min(u, 1 - u) * _metres(q[j, 2], q[j, 3], q[j + 1, 2], q[j + 1, 3])))
        if not found:
            return self._nearest_approach(a, b) or RoadMiss(N.COURSES_DO_NOT_MEET(road=a.title(), other=b.title()))
        if max(_metres(found[0][0], found[0][1], f[0], f[1]) for f in found) > SAME_CROSSING_SPREAD_M:
            return RoadMiss(N.MEET_TWICE(road=a.title(), other=b.title()))
        lat, lon, far = found[0]
        return RoadHit(lat, lon, self._a + self._est + self._b * far, N.COURSES_CROSS())

    def _lines(self, key: str) -> list[np.ndarray]:
        """A road as pieces of (x, y) in metres on a local plane: its path's pieces, or each of its
        stops alone when it has no path."""
        path = self.paths.get(key)
        if path is not None:
            pieces = [path[path[:, 0] == k][:, 2:4] for k in np.unique(path[:, 0])]
        else:
            pts = self._points(key)
            pieces = [] if pts is None else [pt[None, :] for pt in pts]
        return [np.column_stack([pc[:, 1] * COS_LAT * 111_320.0, pc[:, 0] * 111_320.0]) for pc in pieces]

    def _nearest_approach(self, a: str, b: str) -> RoadHit | RoadMiss | None:
        """Two roads whose known courses do not cross but come within ``PAIR_APPROACH_M`` of each
        other, in one place: they meet there (each course ends at its last stop, which stands a few
        dozen metres from the corner; past it the road goes on unseen). None when they never come
        that close; a miss when they do in two places."""
        close = [gap for pa in self._lines(a) for a1, a2 in _segments(pa) for pb in self._lines(b)
                 for b1, b2 in _segments(pb) if (gap := _segment_gap(a1, a2, b1, b2))[0] <= PAIR_APPROACH_M]
        if not close:
            return None
        d, (x, y) = min(close, key=lambda c: c[0])
        if any(math.hypot(c[1][0] - x, c[1][1] - y) > SAME_CROSSING_SPREAD_M for c in close):
            return RoadMiss(N.MEET_TWICE(road=a.title(), other=b.title()))
        lat, lon = y / 111_320.0, x / (COS_LAT * 111_320.0)
        return RoadHit(lat, lon, self._a + self._est + d + APPROACH_PRECISION_EXTRA_M, N.NEAREST_POINTS())

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
            **({"paths": {k: [[int(p[0]), round(float(p[1]), 1), round(float(p[2]), 6), round(float(p[3]), 6),
                                round(float(p[4]), 3), round(float(p[5]), 3), round(float(p[6]), 1),
                                round(float(p[7]), 1), int(p[8])] for p in pts]
                           for k, pts in sorted(self.paths.items())}} if self.paths else {}),
        }

    @classmethod
    def from_json(cls, data: dict, grid: GridModel | None = None) -> RoadModel:
        if data.get("format") != ROAD_MODEL_FORMAT:
            raise ValueError(f"road model format {data.get('format')!r} is not {ROAD_MODEL_FORMAT}: rebuild "
                             "it with scripts/build_road_model.py")
        roads = {k: {a: np.asarray(p, dtype=float).reshape(-1, len(POINT_COLUMNS)) for a, p in r.items()}
                 for k, r in data["roads"].items()}
        crossings = {k: (float(v[0]), float(v[1])) for k, v in data.get("crossings", {}).items()}
        paths = {k: np.asarray(p, dtype=float).reshape(-1, len(PATH_COLUMNS)) for k, p in data.get("paths", {}).items()}
        return cls(roads, crossings, data.get("quadrants", {}), meta=data.get("meta"), grid=grid, paths=paths)

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

        self._cos = COS_LAT
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


def name_pieces(name: str) -> list[str]:
    """The roads a stop name (or a typed crossing) names, split at "&" or "@", in canonical text
    (``canonical_address_text``): the model's build, its held-out split and the benchmark must cut
    names the same way.

    >>> name_pieces("Hewes Way @ 28 Ave")
    ['HEWES WAY', '28 AVE']
    """
    norm = canonical_address_text(name)
    for sep in _PIECE_SPLIT:
        norm = norm.replace(sep, "&")
    return [p.strip() for p in norm.split("&") if p.strip()]


def is_heldout(name: str, fraction: float = 0.2, seed: str = "elip-roads") -> bool:
    """The deterministic held-out split by stop name (a hash, so it never drifts)."""
    h = int(hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return h < fraction


def build_road_model(stops_path: Path, grid: GridModel, *, exclude=None, meta: dict | None = None,
                     paths: bool = True) -> RoadModel:
    """Build the road table from the stops; stops whose name ``exclude(name)`` is true are left out.
    ``paths=False`` builds the model without the roads' paths (known crossings only, as before)."""
    inverse = InverseGrid(grid)
    exact: dict[tuple[str, str, float], list[tuple[float, float]]] = defaultdict(list)
    estimated: dict[str, list[tuple[float, float]]] = defaultdict(list)
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    quads: dict[str, list[str]] = defaultdict(list)
    off_rule: set[str] = set()
    for name, lat, lon in read_stops(stops_path):
        if exclude is not None and exclude(name):
            continue
        pieces = name_pieces(name)
        if len(pieces) == 2:
            refs = [read_grid_piece(p) or read_named_piece(p) for p in pieces]
            if None in refs or any(isinstance(r, NamedRoadRef) and r.house is not None for r in refs):
                continue
            a, b = refs
            if isinstance(a, GridRoad) and isinstance(b, GridRoad):
                if a.kind == b.kind:
                    continue
                q = corner_quadrant(a, b)
                for road, other in ((a, b), (b, a)):
                    axis = axis_of(other)
                    exact[(grid_road_key(in_quadrant(road, q)), axis,
                           round(signed_value(axis, other.value, q), 3))].append((lat, lon))
                continue
            for road, other in ((a, b), (b, a)):
                if isinstance(road, NamedRoadRef):
                    if road.quadrant:
                        quads[road.key].append(road.quadrant)
                    if isinstance(other, GridRoad):
                        axis = axis_of(other)
                        q = other.quadrant if other.quadrant != "NW" else (road.quadrant or "NW")
                        if q != "NW":
                            quads[road.key].append(q)
                        exact[(road.key, axis, round(signed_value(axis, other.value, q), 3))].append((lat, lon))
                    else:
                        estimated[road.key].append((lat, lon))
                else:
                    named_q = other.quadrant if isinstance(other, NamedRoadRef) else None
                    q = road.quadrant if road.quadrant != "NW" else (named_q or "NW")
                    estimated[grid_road_key(in_quadrant(road, q))].append((lat, lon))
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
                    want = signed_value(axis, ref.house / 100.0, q)
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
    quadrants = {k: max(sorted(set(v)), key=v.count) for k, v in quads.items() if v}   # ties: the same every run
    meta = dict(meta or {})
    meta.update({"roads": len(final), "named_crossings": len(crossings),
                 "house_stops_off_grid_rule": sorted(off_rule), "crossed_twice_dropped": twice})
    road_paths = _build_paths(final, inverse, grid) if paths else {}
    if paths:
        meta["paths"] = len(road_paths)
    return RoadModel(final, crossings, quadrants, meta=meta, grid=grid, paths=road_paths)


def _order_along(xy: np.ndarray) -> list[list[int]]:
    """Points of one road (projected metres) in order along it, in pieces.

    The minimum spanning tree joins each stop to its nearest neighbours along the road; edges longer
    than ``PATH_GAP_M`` are cut (pieces). In each piece, the tree's longest path is the road's
    course; every point of the piece is ordered by where it projects on that course.
    """
    from scipy.sparse.csgraph import breadth_first_order, connected_components, minimum_spanning_tree  # delayed: builds only
    from scipy.spatial.distance import pdist, squareform  # delayed: builds only

    n = len(xy)
    if n == 1:
        return [[0]]
    d = squareform(pdist(xy))
    mst = minimum_spanning_tree(d).toarray()
    mst[mst > PATH_GAP_M] = 0.0
    tree = mst + mst.T
    count, labels = connected_components(tree != 0, directed=False)
    pieces = []
    for c in range(count):
        members = np.nonzero(labels == c)[0]
        if len(members) == 1:
            pieces.append([int(members[0])])
            continue

        def farthest(start: int) -> tuple[int, np.ndarray, np.ndarray]:
            order, pred = breadth_first_order(tree != 0, start, directed=False)
            dist = np.full(n, -1.0)
            dist[start] = 0.0
            for v in order[1:]:
                dist[v] = dist[pred[v]] + tree[v, pred[v]]
            return int(np.argmax(dist)), dist, pred

        end_a, _, _ = farthest(int(members[0]))
        end_b, _, pred = farthest(end_a)
        course = [end_b]
        while course[-1] != end_a:
            course.append(int(pred[course[-1]]))
        line = xy[course]
        seg = np.diff(line, axis=0)
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])
        proj = {}
        for m in members:
            rel = xy[m] - line[:-1]
            t = np.clip(np.einsum("ij,ij->i", rel, seg) / np.maximum(np.einsum("ij,ij->i", seg, seg), 1e-9), 0, 1)
            dist = np.hypot(*(line[:-1] + seg * t[:, None] - xy[m]).T)
            j = int(np.argmin(dist))
            proj[int(m)] = (float(cum[j] + t[j] * np.hypot(*seg[j])), int(m))
        pieces.append([m for _, m in sorted(proj.values())])
    return sorted(pieces, key=lambda p: p[0])


def _build_paths(roads: dict[str, dict[str, np.ndarray]], inverse: InverseGrid,
                 grid: GridModel) -> dict[str, np.ndarray]:
    """Each road followed through every stop on it (see ``PATH_COLUMNS``)."""
    cos = COS_LAT
    out: dict[str, np.ndarray] = {}
    for key in sorted(roads):
        rows = []     # lat, lon, exact north, exact east (nan when unknown)
        for axis, pts in sorted(roads[key].items()):
            for p in pts:
                rows.append((p[1], p[2], p[0] if axis == "north" else np.nan, p[0] if axis == "east" else np.nan))
        # Stops closer than PATH_MERGE_M are one point (in file order, so the build is deterministic).
        merged: list[list] = []
        for lat, lon, n, e in sorted(rows, key=lambda r: (r[0], r[1], np.nan_to_num(r[2]), np.nan_to_num(r[3]))):
            for m in merged:
                if _metres(lat, lon, m[0] / m[4], m[1] / m[4]) <= PATH_MERGE_M and (np.isnan(n) or np.isnan(m[2])) \
                        and (np.isnan(e) or np.isnan(m[3])):
                    m[0] += lat
                    m[1] += lon
                    m[4] += 1
                    m[2] = n if np.isnan(m[2]) else m[2]
                    m[3] = e if np.isnan(m[3]) else m[3]
                    break
            else:
                merged.append([lat, lon, n, e, 1])
        if len(merged) < 2:
            continue
        arr = np.array([[m[0] / m[4], m[1] / m[4], m[2], m[3]] for m in merged])
        xy = np.column_stack([arr[:, 1] * cos * 111_320.0, arr[:, 0] * 111_320.0])
        rows_out = []
        for piece, order in enumerate(_order_along(xy)):
            if len(order) < 2:
                continue
            p = arr[order]
            seg = np.hypot(*np.diff(xy[order], axis=0).T)
            s = np.concatenate([[0.0], np.cumsum(seg)])
            east, north = inverse.many(p[:, 0], p[:, 1])
            _, _, support = grid.locate(east, north)
            fixed, reach = [], []
            for raw, exact in ((north, p[:, 2]), (east, p[:, 3])):
                known = ~np.isnan(exact)
                if known.any():
                    # Shift the read-back values so the known crossings read exactly, the shift
                    # interpolated along the road between them.
                    fixed.append(raw + np.interp(s, s[known], exact[known] - raw[known]))
                    reach.append(np.min(np.abs(s[:, None] - s[known][None, :]), axis=1))
                else:
                    fixed.append(raw)
                    reach.append(np.full(len(s), -1.0))
            for i in range(len(order)):
                rows_out.append([piece, s[i], p[i, 0], p[i, 1], fixed[0][i], fixed[1][i], reach[0][i], reach[1][i],
                                 int(bool(support[i] <= TRUST_SUPPORT_M))])
        if rows_out:
            out[key] = np.asarray(rows_out, dtype=float)
    return out
