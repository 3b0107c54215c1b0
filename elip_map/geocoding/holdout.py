"""The held-out split of the stops, by place rather than by stop name.

The stops file spells one corner several ways: "Hewes Way & 28 Avenue" and "28 Avenue & Hewes
Way", "Ellerslie Rd SW & 91 St" and "91 Street SW & Ellerslie Road", a house-number stop on the
same corner. Split by name, one spelling lands in the model and the other in the test set: the
model then "predicts" a corner it was given, and the benchmark flatters it. So names are grouped
first, by what they name (the corner key) and by where they stand (stops of different names
within ``JOIN_M`` of each other are one place), and whole groups are held out.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np

from .grid import haversine_m
from .parse import INTERSECTION, GridRoad, NamedRoadRef, parse_address, read_grid_piece, read_named_piece
from .roads import axis_of, corner_quadrant, in_quadrant, name_pieces, signed_value, grid_road_key

# Stops of different names this close stand at one place (the stops around one corner are within
# about 60 m of each other; two neighbouring corners are at least about 100 m apart).
JOIN_M = 60.0


def corner_key(name: str) -> str | None:
    """What a stop name designates, the same for every spelling of it; None when it names neither a
    corner nor a house number.

    >>> corner_key("Hewes Way & 28 Avenue") == corner_key("28 Ave NW & Hewes Way")
    True
    """
    parsed = parse_address(name)
    if parsed.kind == INTERSECTION:
        xy = parsed.grid_xy()
        if xy is not None:
            return f"grid:{round(xy[0], 3)}:{round(xy[1], 3)}"
    pieces = name_pieces(name)
    if len(pieces) == 1:
        ref = read_named_piece(pieces[0])
        return f"house:{ref.key}:{ref.house}" if ref is not None and ref.house is not None else None
    if len(pieces) != 2:
        return None
    refs = [read_grid_piece(p) or read_named_piece(p) for p in pieces]
    if None in refs or any(isinstance(r, NamedRoadRef) and r.house is not None for r in refs):
        return None
    grids = [r for r in refs if isinstance(r, GridRoad)]
    q = corner_quadrant(*grids) if len(grids) == 2 else (grids[0].quadrant if grids else "NW")
    parts = []
    for r in refs:
        if isinstance(r, GridRoad):
            axis = axis_of(r)
            parts.append(f"{axis}:{signed_value(axis, r.value, q)}" if len(grids) == 1
                         else grid_road_key(in_quadrant(r, q)))
        else:
            parts.append(f"road:{r.key}")
    return "corner:" + "&".join(sorted(parts))


def _hash01(text: str, seed: str) -> float:
    return int(hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def heldout_names(stops: list[tuple[str, float, float]], held_grid_corners: set[tuple[float, float]],
                  fraction: float = 0.2, seed: str = "elip-roads") -> set[str]:
    """Names of the stops to hold out: whole places, never one spelling of a place.

    A place that holds a numbered intersection follows the grid model's own split
    (``held_grid_corners``, its (east, north) pairs), so a corner left out of the grid is left out
    of the road model too; any other place is held out by a hash of its smallest key.
    """
    pos: dict[str, list] = defaultdict(list)
    for name, lat, lon in stops:
        pos[name].append((lat, lon))
    names = sorted(n for n in pos if corner_key(n) is not None)
    keys = [corner_key(n) for n in names]
    parent = list(range(len(names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        join(i, first.setdefault(k, i))
    # Every stop position (not the per-name median: one name may stand at two corners).
    owner, lat, lon = [], [], []
    for i, n in enumerate(names):
        for la, lo in pos[n]:
            owner.append(i)
            lat.append(la)
            lon.append(lo)
    lat_a, lon_a, order = np.asarray(lat), np.asarray(lon), np.argsort(lat)
    window = JOIN_M / 111_000.0
    for x, i in enumerate(order):
        for j in order[x + 1:]:
            if lat_a[j] - lat_a[i] > window:
                break
            if owner[i] != owner[j] and float(haversine_m(lat_a[i], lon_a[i], lat_a[j], lon_a[j])) <= JOIN_M:
                join(owner[i], owner[j])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(names)):
        groups[find(i)].append(i)
    held: set[str] = set()
    for members in groups.values():
        grid = [tuple(float(v) for v in keys[i].split(":")[1:]) for i in members if keys[i].startswith("grid:")]
        if grid:
            out = any(g in held_grid_corners for g in grid)
        else:
            out = _hash01(min(keys[i] for i in members), seed) < fraction
        if out:
            held.update(names[i] for i in members)
    return held
