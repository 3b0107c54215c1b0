"""The newcomer page's "near" box: a neighbourhood name first, then a named place (gazetteer:
transit centres, LRT stations, malls, neighbouring towns), then the project's geocoder.

Kept apart from the page so the rule (what counts as found, what the reader is told) has unit tests.
"""

from __future__ import annotations

from ..rules.postal import FSA_RE, canonical_postal_code, postal_or_fsa
from ..rules.text import fold
from ..spatial.neighbourhoods import Neighbourhoods, closest_key
from .chain import geocode_query
from .gazetteer import find_place

_UNPLACED_STATUSES = frozenset({"needs-attention", "not-found", "failed", "error", "outside-city"})

# Areas people name that are not one of the City's neighbourhoods: where "near Mill Woods" starts.
AREA_ALIASES = {"mill woods": "Mill Woods Town Centre", "millwoods town centre": "Mill Woods Town Centre",
                "clareview": "Clareview Town Centre", "old strathcona": "Strathcona", "whyte avenue": "Strathcona"}

# Where a Canadian postal code is when it is not Edmonton's: the first letter gives the province, and
# the forward sortation areas (first three characters) of Alberta's other cities give the city
# (Canada Post's published FSA list). Edmonton's own region (T5, T6, St. Albert, Sherwood Park...) is
# left to the geocoder.
PROVINCE_BY_LETTER = {"A": "Newfoundland and Labrador", "B": "Nova Scotia", "C": "Prince Edward Island",
                      "E": "New Brunswick", "G": "Quebec", "H": "Quebec", "J": "Quebec", "K": "Ontario",
                      "L": "Ontario", "M": "Ontario", "N": "Ontario", "P": "Ontario", "R": "Manitoba",
                      "S": "Saskatchewan", "V": "British Columbia", "X": "the Northwest Territories or Nunavut",
                      "Y": "Yukon"}
ALBERTA_CITY_BY_FSA = {
    **{f"T2{c}": "Calgary" for c in "ABCEGHJKLMNPRSTVWXYZ"},
    **{f"T3{c}": "Calgary" for c in "ABCEGHJKLMNPRSZ"},
    "T1Y": "Calgary", "T1X": "Calgary",
    "T4N": "Red Deer", "T4P": "Red Deer", "T4R": "Red Deer",
    "T1H": "Lethbridge", "T1J": "Lethbridge", "T1K": "Lethbridge",
    "T1A": "Medicine Hat", "T1B": "Medicine Hat", "T1C": "Medicine Hat",
    "T8V": "Grande Prairie", "T8W": "Grande Prairie", "T8X": "Grande Prairie",
    "T9H": "Fort McMurray", "T9J": "Fort McMurray", "T9K": "Fort McMurray",
    "T1W": "Canmore", "T1L": "Banff",
}
def _whole_code(text: str) -> str | None:
    """The text is a postal code or a forward sortation area, and nothing else: 'T2P 2M5', 'T5J'."""
    found = canonical_postal_code(text) or (FSA_RE.match(text or "") and text.strip().upper())
    return found or None


def postal_elsewhere(text: str) -> str | None:
    """The place a postal code belongs to when it is clearly not Edmonton's: 'T2P 2M5' -> 'Calgary'."""
    code = _whole_code(text)
    if not code:
        return None
    return ALBERTA_CITY_BY_FSA.get(code[:3]) or PROVINCE_BY_LETTER.get(code[0])


def _area(text: str, neighbourhoods: Neighbourhoods) -> dict | None:
    key = fold(text).replace(" ", "")
    aliases = {fold(k).replace(" ", ""): v for k, v in AREA_ALIASES.items()}
    found = aliases.get(key) or (aliases[closest_key(key, aliases)] if closest_key(key, aliases) else None)
    return neighbourhoods.find(found) if found else None


def resolve_near(text: str, neighbourhoods: Neighbourhoods, geocode=None, places=find_place) -> dict:
    """Place the "near" box's text: a neighbourhood or a well-known area, a named place, then the geocoder.

    Returns {"status": "ok", "lat", "lon", "label", "precision"} where ``precision`` says how the
    point was found ("neighbourhood": its centre; "postal-area": the centre of a postal area, named
    in ``area``; "point": an address or a place), {"status": "elsewhere", "label", "place"} for a
    postal code outside Edmonton, or {"status": "not-found" | "unavailable", "label"}.
    ``geocode`` is ``geocode_query(text)`` or None when the geocoder is not installed; ``places`` is
    the gazetteer's ``find_place(text)`` (transit centres, malls, campuses...) or None without it.
    """
    text = (text or "").strip()
    if not text:
        return {"status": "empty", "label": ""}
    hood = neighbourhoods.find(text) or _area(text, neighbourhoods)
    if hood:
        return {"status": "ok", "lat": hood["lat"], "lon": hood["lon"], "label": hood["name"], "precision": "neighbourhood"}
    elsewhere = postal_elsewhere(text)
    if elsewhere:
        return {"status": "elsewhere", "label": _whole_code(text), "place": elsewhere}
    place = places(text) if places is not None else None
    if place:
        fields = place if isinstance(place, dict) else {"lat": place.lat, "lon": place.lon, "name": place.name}
        return {"status": "ok", "lat": round(float(fields["lat"]), 5), "lon": round(float(fields["lon"]), 5),
                "label": fields.get("name") or text, "precision": "point"}
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
    answer = {"status": "ok", "lat": round(float(lat), 5), "lon": round(float(lon), 5), "label": text, "precision": "point"}
    if str(getattr(result, "method", "") or "").startswith("postal"):
        answer.update(precision="postal-area", area=(postal_or_fsa(text) or text.upper())[:3])
    return answer


def project_geocoder():
    """The project's offline geocoder for the "near" box (``geocode_query``)."""
    return geocode_query


def gazetteer():
    """The gazetteer's ``find_place`` (transit centres, LRT stations, malls, campuses):
    ``resolve_near(..., places=gazetteer())`` answers "near Kingsway Mall"."""
    return find_place
