"""The newcomer page's "near" box: a neighbourhood name first, then a named place (gazetteer:
transit centres, LRT stations, malls, neighbouring towns), then the project's geocoder.

Kept apart from the page so the rule (what counts as found, what the reader is told) has unit tests.
"""

from __future__ import annotations

from ..spatial.neighbourhoods import Neighbourhoods
from .chain import geocode_query
from .gazetteer import find_place

_UNPLACED_STATUSES = frozenset({"needs-attention", "not-found", "failed", "error", "outside-city"})


def resolve_near(text: str, neighbourhoods: Neighbourhoods, geocode=None, places=find_place) -> dict:
    """Place the "near" box's text: a neighbourhood name, a named place, then the project's geocoder.

    Returns {"status": "ok", "lat", "lon", "label"} or {"status": "not-found" | "unavailable",
    "label"}; ``geocode`` is ``geocode_query(text)`` or None when the geocoder is not installed;
    ``places`` is ``find_place`` (typo-tolerant) or None to skip named places.
    """
    text = (text or "").strip()
    if not text:
        return {"status": "empty", "label": ""}
    hood = neighbourhoods.find(text)
    if hood:
        return {"status": "ok", "lat": hood["lat"], "lon": hood["lon"], "label": hood["name"]}
    place = places(text) if places is not None else None
    if place is not None:
        return {"status": "ok", "lat": round(place.lat, 5), "lon": round(place.lon, 5), "label": place.name}
    if geocode is None:
        return {"status": "unavailable", "label": text}
    try:
        result = geocode(text)
    except Exception:  # a geocoder failure must not break the page; the reader gets a message instead
        return {"status": "unavailable", "label": text}
    lat = getattr(result, "lat", None) if result is not None else None
    lon = getattr(result, "lon", None) if result is not None else None
    status = str(getattr(result, "status", "ok") or "ok")
    if lat is None or lon is None or status in _UNPLACED_STATUSES:
        return {"status": "not-found", "label": text}
    return {"status": "ok", "lat": round(float(lat), 5), "lon": round(float(lon), 5), "label": text}


def project_geocoder():
    """The project's offline geocoder for the "near" box (``geocode_query``)."""
    return geocode_query
