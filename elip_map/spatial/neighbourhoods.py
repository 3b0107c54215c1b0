"""Neighbourhood and ward of a point, by point-in-polygon on the City's boundaries.

CONTRACT (used by geocoding and import; implementation owned by the reference-data work):
``assign_neighbourhoods(lats, lons)`` returns one :class:`NeighbourhoodMatch` per point, in order;
a point outside every neighbourhood gets ``outside_city=True`` and no number/name/ward; a point with a
missing coordinate (None/NaN) gets ``outside_city=False`` and no number/name/ward (unknown, not outside).

:class:`NeighbourhoodIndex` does the work on any GeoDataFrame (tests pass tiny hand-built polygons);
the module functions use the committed ``geodata/neighbourhoods.geojson``, loaded once per process and
never changed afterwards (safe to share between requests and threads).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely import STRtree


@dataclass(frozen=True)
class NeighbourhoodMatch:
    number: str | None
    name: str | None
    ward: str | None
    outside_city: bool


@dataclass(frozen=True)
class NeighbourhoodPlace:
    """A neighbourhood found by name, with a point inside it to search from."""

    number: str
    name: str
    ward: str | None
    lat: float
    lon: float


UNKNOWN = NeighbourhoodMatch(None, None, None, False)
OUTSIDE = NeighbourhoodMatch(None, None, None, True)

# A typed name this similar (RapidFuzz ratio, 0-100) to exactly one neighbourhood still finds it:
# "Mill Woods Town Center" -> "Mill Woods Town Centre"; far enough from 100 to miss real neighbours.
FUZZY_CUTOFF = 90

# Names people still use for neighbourhoods the City has renamed: normalised former name -> number.
FORMER_NAMES = {"oliver": "1151"}  # renamed Wîhkwêntôwin (and renumbered from 1150)


def normalise_name(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: ``"Wîhkwêntôwin" -> "wihkwentowin"``."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", plain.casefold()).strip()


class NeighbourhoodIndex:
    """Point-in-polygon and name lookup over neighbourhood polygons (EPSG:4326), read-only.

    Parameters
    ----------
    gdf : GeoDataFrame with ``neighbourhood_number``, ``name``, ``ward`` and polygon ``geometry`` in
        EPSG:4326 (as returned by ``elip_map.refdata.load_neighbourhoods``).

    Example
    -------
    >>> index = NeighbourhoodIndex(load_neighbourhoods())  # doctest: +SKIP
    >>> index.assign([53.5444], [-113.4909])[0].name  # doctest: +SKIP
    'Downtown'
    """

    def __init__(self, gdf):
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs("EPSG:4326")
        self._numbers = [str(n) for n in gdf["neighbourhood_number"]]
        self._names = [str(n) for n in gdf["name"]]
        wards = gdf["ward"] if "ward" in gdf.columns else [None] * len(gdf)
        self._wards = [None if w is None or (isinstance(w, float) and np.isnan(w)) else str(w) for w in wards]
        self._geoms = np.asarray(gdf.geometry.values, dtype=object)
        shapely.prepare(self._geoms)
        self._tree = STRtree(self._geoms)
        self._matches = [NeighbourhoodMatch(n, m, w, False) for n, m, w in zip(self._numbers, self._names, self._wards)]
        self._by_name: dict[str, int] = {}
        for i, name in enumerate(self._names):
            self._by_name.setdefault(normalise_name(name), i)
        position = {n: i for i, n in enumerate(self._numbers)}
        for former, number in FORMER_NAMES.items():
            if number in position:
                self._by_name.setdefault(former, position[number])
        self._points: list[tuple[float, float] | None] = [None] * len(self._names)

    def __len__(self) -> int:
        return len(self._names)

    @property
    def names(self) -> list[str]:
        """Every neighbourhood name, sorted (for a "near" box's suggestions)."""
        return sorted(self._names, key=normalise_name)

    def assign(self, lats: Sequence[float], lons: Sequence[float]) -> list[NeighbourhoodMatch]:
        """One match per point, in order; vectorised (10,000 points in a few milliseconds).

        A point on the shared edge of two neighbourhoods goes to the one listed first (lowest number),
        so the answer never depends on timing or order of the query.
        """
        lat = np.asarray(lats, dtype=float).reshape(-1)
        lon = np.asarray(lons, dtype=float).reshape(-1)
        if lat.shape != lon.shape:
            raise ValueError(f"{lat.size} latitudes but {lon.size} longitudes")
        known = np.isfinite(lat) & np.isfinite(lon)
        result: list[NeighbourhoodMatch] = [UNKNOWN] * lat.size
        known_idx = np.flatnonzero(known)
        for i in known_idx:
            result[i] = OUTSIDE
        if known_idx.size:
            points = shapely.points(lon[known_idx], lat[known_idx])
            point_pos, poly_pos = self._tree.query(points, predicate="intersects")
            # Lowest polygon position per point: sort by (point, polygon) and keep the first of each point.
            order = np.lexsort((poly_pos, point_pos))
            point_pos, poly_pos = point_pos[order], poly_pos[order]
            first = np.ones(point_pos.size, dtype=bool)
            first[1:] = point_pos[1:] != point_pos[:-1]
            for p, g in zip(point_pos[first], poly_pos[first]):
                result[known_idx[p]] = self._matches[g]
        return result

    def find(self, name: str) -> NeighbourhoodPlace | None:
        """A neighbourhood by name (case-, accent- and punctuation-insensitive), or None.

        Example: ``index.find("mill woods town centre").name == "Mill Woods Town Centre"``; the former
        name "Oliver" finds Wîhkwêntôwin. The point returned is inside the neighbourhood.
        """
        key = normalise_name(name or "")
        i = self._by_name.get(key)
        if i is None and len(key) >= 4:
            i = self._closest(key)
        if i is None:
            return None
        point = self._points[i]
        if point is None:
            p = self._geoms[i].representative_point()
            point = self._points[i] = (round(p.y, 6), round(p.x, 6))  # idempotent: safe if two threads race
        return NeighbourhoodPlace(self._numbers[i], self._names[i], self._wards[i], point[0], point[1])

    def _closest(self, key: str) -> int | None:
        """The one name within FUZZY_CUTOFF of a misspelling; None when none or several tie."""
        from rapidfuzz import fuzz, process

        found = process.extract(key, list(self._by_name), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=2)
        if not found or (len(found) == 2 and found[0][1] == found[1][1]):
            return None
        return self._by_name[found[0][0]]


@lru_cache(maxsize=1)
def default_index() -> NeighbourhoodIndex:
    """The index over the committed boundaries, built on first use and then shared read-only."""
    from ..refdata import load_neighbourhoods

    return NeighbourhoodIndex(load_neighbourhoods())


def assign_neighbourhoods(lats: Sequence[float], lons: Sequence[float]) -> list[NeighbourhoodMatch]:
    """Neighbourhood, ward and outside-the-city flag for each point (see the module docstring)."""
    return default_index().assign(lats, lons)


def find_neighbourhood(name: str) -> NeighbourhoodPlace | None:
    """A current neighbourhood by name, with a point inside it; None when no name matches."""
    return default_index().find(name)


def neighbourhood_names() -> list[str]:
    """All current neighbourhood names, sorted."""
    return default_index().names
