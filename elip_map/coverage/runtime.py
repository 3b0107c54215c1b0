"""The coverage page's data on the running app: one cache per app, and the GeoJSON the map is sent.

The cache lives in ``current_app.extensions`` (one per app and worker, never a module global);
zones come from the reference data once per app, service points once per directory version.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..directory.models import Language
from .view import CoverageCache, ServicePoints, Zones
from .zones import load_zones

EXTENSION_KEY = "elip_coverage"


def coverage_cache() -> CoverageCache:
    """This app's coverage cache, created on first use (loading the reference data once)."""
    cache = current_app.extensions.get(EXTENSION_KEY)
    if cache is None:
        # Two first requests at once may both load; the first stored wins and both are identical.
        cache = current_app.extensions.setdefault(EXTENSION_KEY, CoverageCache(load_zones()))
    return cache


def directory_languages(session) -> list[str]:
    """Language codes listed anywhere in the directory (for the selector; cheaper than loading points)."""
    return sorted(session.execute(select(Language.code).distinct()).scalars())


def database():
    return current_app.config["ELIP_DATABASE"]


def settings():
    return current_app.config["ELIP_SETTINGS"]


def zones_geojson(zones: Zones) -> dict:
    """Neighbourhood outlines with their number and name only: the colours travel separately (hideout)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": number, "geometry": geom, "properties": {"number": number, "name": name}}
        for number, name, geom in zip(zones.number, zones.name, zones.geometry)
    ]}


def pins_geojson(points: ServicePoints) -> dict:
    """Every public location with the service types and languages it offers (the browser filters).

    ``id`` is a string ("loc-12"), never 0 (dash-leaflet fills a missing or 0 id with the position).
    """
    types: list[set[str]] = [set() for _ in range(len(points))]
    langs: list[set[str]] = [set() for _ in range(len(points))]
    for site, t, lang in zip(points.inc_site.tolist(), points.inc_type.tolist(), points.inc_lang.tolist()):
        slug = points.type_slugs[t]
        types[site].add(slug)
        if lang >= 0:
            langs[site].add(f"{slug}|{points.lang_codes[lang]}")
    features = []
    for i in range(len(points)):
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(points.lon[i]), 5), round(float(points.lat[i]), 5)]},
            "properties": {"id": f"loc-{int(points.location_id[i])}", "label": points.label[i],
                           "types": sorted(types[i]), "offers": sorted(langs[i])},
        })
    return {"type": "FeatureCollection", "features": features}
