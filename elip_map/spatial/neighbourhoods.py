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

import gzip
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from rapidfuzz import fuzz, process
from shapely import STRtree
from shapely.geometry import mapping, shape

from ..paths import GEODATA_DIR
from ..rules.text import fold

log = logging.getLogger(__name__)
NEIGHBOURHOODS_FILE = "neighbourhoods.geojson"


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


def closest_key(key: str, keys: Mapping[str, object]) -> str | None:
    """The one key within FUZZY_CUTOFF of a misspelling ("millwods" -> "millwoods"); None when none or
    several tie, so a typo never silently picks one of two neighbours."""
    if len(key) < 4:
        return None
    found = process.extract(key, list(keys), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=2)
    if not found or (len(found) == 2 and found[0][1] == found[1][1]):
        return None
    return found[0][0]


def read_boundaries(geodata_dir: Path | str = GEODATA_DIR):
    """The current neighbourhood boundaries (the derived ``geodata/neighbourhoods.geojson``) as a
    GeoDataFrame in EPSG:4326: ``neighbourhood_number`` (str), ``name``, ``ward``, ``district``, ``geometry``.

    Example
    -------
    >>> gdf = read_boundaries()  # doctest: +SKIP
    >>> len(gdf), gdf.crs.to_epsg()  # doctest: +SKIP
    (406, 4326)
    """
    import geopandas as gpd  # delayed: a web worker that never assigns neighbourhoods needs no geopandas

    path = Path(geodata_dir) / NEIGHBOURHOODS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} is missing from {Path(geodata_dir).name}/: run `elip-map refresh` "
                                "(or scripts/build_geodata.py) to build the reference data.")
    gdf = gpd.read_file(path)
    gdf["neighbourhood_number"] = gdf["neighbourhood_number"].astype(str)
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        gdf = gdf.set_crs("EPSG:4326", allow_override=True)
    return gdf[["neighbourhood_number", "name", "ward", "district", "geometry"]]


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
            self._by_name.setdefault(fold(name), i)
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
        return sorted(self._names, key=fold)

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
        key = fold(name or "")
        i = self._by_name.get(key)
        if i is None:
            found = closest_key(key, self._by_name)
            i = self._by_name[found] if found else None
        if i is None:
            return None
        point = self._points[i]
        if point is None:
            p = self._geoms[i].representative_point()
            point = self._points[i] = (round(p.y, 6), round(p.x, 6))  # idempotent: safe if two threads race
        return NeighbourhoodPlace(self._numbers[i], self._names[i], self._wards[i], point[0], point[1])


@lru_cache(maxsize=1)
def default_index() -> NeighbourhoodIndex:
    """The index over the committed boundaries, built on first use and then shared read-only."""
    return NeighbourhoodIndex(read_boundaries())


def assign_neighbourhoods(lats: Sequence[float], lons: Sequence[float]) -> list[NeighbourhoodMatch]:
    """Neighbourhood, ward and outside-the-city flag for each point (see the module docstring)."""
    return default_index().assign(lats, lons)


def find_neighbourhood(name: str) -> NeighbourhoodPlace | None:
    """A current neighbourhood by name, with a point inside it; None when no name matches."""
    return default_index().find(name)


def neighbourhood_names() -> list[str]:
    """All current neighbourhood names, sorted."""
    return default_index().names


# --- the page's model: names, centres and simplified outlines ---------------------------------------

class Neighbourhoods:
    """Neighbourhood names, centres and simplified outlines: read-only, loaded once per app.

    ``options`` feeds the searchable filter, ``find`` answers "near Alberta Avenue" without any
    geocoder, and ``geojson_bytes`` is the boundaries layer served by the API.
    """

    def __init__(self, rows: list[dict], geojson_bytes: bytes | None):
        self.rows = rows
        self.geojson_bytes = geojson_bytes
        self.geojson_gzip = gzip.compress(geojson_bytes, compresslevel=9) if geojson_bytes else None
        self._by_key = {fold(r["name"]): r for r in rows}
        by_number = {r["number"]: r for r in rows}
        for former, number in FORMER_NAMES.items():
            if number in by_number:
                self._by_key.setdefault(fold(former), by_number[number])
        self._spaceless = {k.replace(" ", ""): r for k, r in self._by_key.items()}

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def options(self) -> list[dict]:
        return [{"label": r["name"], "value": r["number"]} for r in self.rows]

    def find(self, text: str) -> dict | None:
        """The neighbourhood called ``text`` (case, accents, punctuation, spacing and a typo or two
        ignored: "Millwoods" and "mill woods" find Mill Woods Town Centre's neighbours by name), or None."""
        key = fold(text)
        if not key:
            return None
        row = self._by_key.get(key) or self._spaceless.get(key.replace(" ", ""))
        if row is None:
            found = closest_key(key.replace(" ", ""), self._spaceless)
            row = self._spaceless[found] if found else None
        return row

    def name_of(self, number: str | None) -> str | None:
        return next((r["name"] for r in self.rows if r["number"] == number), None)


def _title_name(props: Mapping) -> str:
    name = props.get("descriptive_name") or props.get("name") or ""
    return name if not name.isupper() else name.title()


def neighbourhoods_from_geojson(data: Mapping, *, tolerance_deg: float = 0.00015) -> Neighbourhoods:
    """Build :class:`Neighbourhoods` from a City of Edmonton neighbourhoods FeatureCollection.

    Outlines are simplified (about 15 m) and rounded to 5 decimals: the layer is a guide for the eye,
    and the full boundaries would weigh ~3 MB on a phone.
    """
    rows, features = [], []
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        geom = feature.get("geometry")
        number = str(props.get("neighbourhood_number") or props.get("number") or "").strip()
        name = _title_name(props)
        if not geom or not number or not name:
            continue
        polygon = shape(geom)
        centre = polygon.representative_point()
        rows.append({"number": number, "name": name, "lat": round(centre.y, 5), "lon": round(centre.x, 5)})
        small = shapely.set_precision(polygon.simplify(tolerance_deg, preserve_topology=True), 1e-5)
        features.append({"type": "Feature", "id": f"hood-{number}", "geometry": mapping(small),
                         "properties": {"id": f"hood-{number}", "name": name}})
    rows.sort(key=lambda r: fold(r["name"]))
    payload = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return Neighbourhoods(rows, payload.encode())


def load_neighbourhoods_for_app(settings) -> Neighbourhoods:
    """The neighbourhoods the page uses: the project's reference data, else the open-data mirror.

    Never fails: with no boundaries at all the page still works, without the layer and the filter.
    """
    # The reference-data build writes plain GeoJSON: read it with json, so a web worker needs no geopandas.
    candidates = [GEODATA_DIR / "neighbourhoods.geojson"]
    mirror = getattr(settings, "data_mirror", None)
    if mirror:
        candidates += sorted(mirror.glob("*neighbourhoods*.geojson"), reverse=True)
    for path in candidates:
        if path.is_file():
            try:
                return neighbourhoods_from_geojson(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("could not read neighbourhoods from %s: %s", path.name, exc)
    return Neighbourhoods([], None)
