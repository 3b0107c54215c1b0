"""Neighbourhood boundaries: read the City's GeoJSON, simplify it as a coverage, write a compact copy.

The City's file is about 2.9 MB with 65,000 vertices and long descriptions; the map and the
point-in-polygon lookup need a fraction of that. Simplifying each polygon on its own would open slivers
between neighbours, so the boundaries are first made an exact coverage (``shapely.coverage_clean``:
shared edges get identical vertices) and then simplified together (``shapely.coverage_simplify``), which
moves every shared edge the same way for both sides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from ..spatial.crs import to_metric, to_wgs84
from .sources import RefDataError

# Visvalingam-Whyatt tolerance in metres (about the square root of the triangle area removed).
SIMPLIFY_TOLERANCE_M = 8.0
# 5 decimals of a degree is about 1 m here (0.7 m east-west): well below the simplification tolerance,
# and it keeps the file under 500 KB.
COORD_DECIMALS = 5
REQUIRED_PROPERTIES = ("name", "neighbourhood_number", "civic_ward_name", "district")


@dataclass(frozen=True)
class Neighbourhood:
    number: str
    name: str
    ward: str | None
    district: str | None
    geometry: object  # shapely (Multi)Polygon in EPSG:4326


@dataclass(frozen=True)
class SimplifyFigures:
    neighbourhoods: int
    vertices_before: int
    vertices_after: int
    max_hausdorff_m: float
    area_before_km2: float
    area_after_km2: float
    overlap_after_m2: float
    holes_before: int
    holes_after: int
    holes_area_before_m2: float
    holes_area_after_m2: float


def nice_name(props: dict) -> str:
    """The name people read: the City's descriptive name, else the upper-case name in title case."""
    descriptive = (props.get("descriptive_name") or "").strip()
    if descriptive:
        return descriptive
    return " ".join(w.capitalize() for w in str(props.get("name") or "").split())


def read_neighbourhoods(path: Path) -> list[Neighbourhood]:
    """Parse the City's neighbourhood GeoJSON, sorted by number; a clear error if it is not usable."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RefDataError(f"{path.name} is not valid GeoJSON (it may be truncated): {exc}") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise RefDataError(f"{path.name} holds no neighbourhood features.")
    result: list[Neighbourhood] = []
    seen: set[str] = set()
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        missing = [p for p in REQUIRED_PROPERTIES if p not in props]
        if missing:
            raise RefDataError(f"{path.name}: feature {i} lacks the properties {', '.join(missing)}.")
        number = str(props["neighbourhood_number"]).strip()
        if not number or number in seen:
            raise RefDataError(f"{path.name}: feature {i} has an empty or repeated neighbourhood number {number!r}.")
        seen.add(number)
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RefDataError(f"{path.name}: feature {i} ({number}) has no usable geometry: {exc}") from None
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise RefDataError(f"{path.name}: feature {i} ({number}) is a {geom.geom_type}, not a polygon.")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        result.append(Neighbourhood(number, nice_name(props), props.get("civic_ward_name") or None,
                                    props.get("district") or None, geom))
    result.sort(key=lambda n: (len(n.number), n.number))
    return result


def _project(geoms: np.ndarray, fn) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.column_stack(fn(xy[:, 0], xy[:, 1])))


def _as_multipolygon(geom) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    return MultiPolygon([p for g in polys for p in (g.geoms if isinstance(g, MultiPolygon) else [g])])


def _holes(geom) -> tuple[int, float]:
    """Number and total area of the holes in a (multi)polygon: gaps between neighbourhoods."""
    parts = geom.geoms if hasattr(geom, "geoms") else [geom]
    rings = [Polygon(r) for p in parts for r in p.interiors]
    return len(rings), float(sum(r.area for r in rings))


def simplify_coverage(neighbourhoods: list[Neighbourhood], tolerance_m: float = SIMPLIFY_TOLERANCE_M
                      ) -> tuple[list[Neighbourhood], SimplifyFigures]:
    """Clean and simplify the boundaries as one coverage in metres; return them in EPSG:4326, rounded.

    The figures compare the result with the City's original: the largest Hausdorff distance of any
    neighbourhood (metres), total area, overlap between neighbours and holes in the city outline.
    """
    original_4326 = np.array([n.geometry for n in neighbourhoods], dtype=object)
    original = _project(original_4326, to_metric)
    cleaned = shapely.coverage_clean(original)
    simplified = shapely.coverage_simplify(cleaned, tolerance_m)
    back = _project(simplified, to_wgs84)
    rounded = shapely.transform(back, lambda xy: np.round(xy, COORD_DECIMALS))
    # Rounding can leave a neighbour's vertex lying on an edge without a matching vertex (collinear
    # points on one latitude); a second clean nodes those edges again. Its snapping distance is far
    # below the rounding step, so it only inserts or drops existing vertices. (A distance of exactly 0
    # emptied three neighbourhoods with GEOS 3.14.1, hence the tiny positive value.)
    rounded = shapely.transform(shapely.coverage_clean(rounded, snapping_distance=1e-9),
                                lambda xy: np.round(xy, COORD_DECIMALS))
    empty = [n.number for n, g in zip(neighbourhoods, rounded) if g.is_empty]
    if empty:
        raise RefDataError(f"Simplifying emptied neighbourhoods {', '.join(empty)}; the build was stopped.")
    rounded = np.array([_as_multipolygon(g if g.is_valid else shapely.make_valid(g)) for g in rounded], dtype=object)

    result_m = _project(rounded, to_metric)
    union_before = shapely.union_all(original)
    union_after = shapely.coverage_union_all(result_m) if shapely.coverage_is_valid(result_m) else shapely.union_all(result_m)
    figures = SimplifyFigures(
        neighbourhoods=len(neighbourhoods),
        vertices_before=int(shapely.get_num_coordinates(original).sum()),
        vertices_after=int(shapely.get_num_coordinates(rounded).sum()),
        max_hausdorff_m=float(np.max(shapely.hausdorff_distance(original, result_m))),
        area_before_km2=float(union_before.area / 1e6),
        area_after_km2=float(union_after.area / 1e6),
        overlap_after_m2=float(max(shapely.area(result_m).sum() - union_after.area, 0.0)),
        holes_before=_holes(union_before)[0],
        holes_after=_holes(union_after)[0],
        holes_area_before_m2=_holes(union_before)[1],
        holes_area_after_m2=_holes(union_after)[1],
    )
    out = [Neighbourhood(n.number, n.name, n.ward, n.district, g) for n, g in zip(neighbourhoods, rounded)]
    return out, figures


def _coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), COORD_DECIMALS) for v in obj]
        return [_coords(o) for o in obj]
    return obj


def neighbourhoods_geojson(neighbourhoods: list[Neighbourhood]) -> str:
    """Compact, deterministic GeoJSON text: one feature per line, fixed key order, rounded coordinates."""
    lines = []
    for n in neighbourhoods:
        geom = mapping(n.geometry)
        feature = {
            "type": "Feature",
            "properties": {"neighbourhood_number": n.number, "name": n.name, "ward": n.ward, "district": n.district},
            "geometry": {"type": geom["type"], "coordinates": _coords(geom["coordinates"])},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
