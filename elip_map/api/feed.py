"""The newcomer page's locations feed: public listings packed as compact GeoJSON for the browser,
which filters and ranks them itself (``elip_map.rules.filters`` is the Python twin)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# The browser needs these for filtering, ranking and the card; the rest stays on the server.
FEATURE_FIELDS = ("organization", "name", "address", "unplaced", "types", "langs", "services", "phones", "website",
                  "email", "accessibility", "eligibility", "fees", "elig", "elig_unknown", "ages", "gender", "fee_levels",
                  "hours", "hours_note", "last_verified", "hood",
                  "hood_name", "text", "sort")


def feature_collection(listings: Iterable[Mapping]) -> dict:
    """Listings as a GeoJSON FeatureCollection with string ids and 5-decimal coordinates.

    A listing without a map position has ``"geometry": null`` (allowed by RFC 7946) and ``unplaced``
    saying why: the page lists it under "Call or visit online" instead of leaving it out.
    Empty values are dropped to keep the download small; the browser treats a missing key as empty.
    """
    features = []
    for item in listings:
        placed = item.get("lat") is not None and item.get("lon") is not None
        props = {"id": item["id"]}
        for key in FEATURE_FIELDS:
            value = item.get(key)
            if value not in (None, "", []):
                props[key] = value
        features.append({"type": "Feature", "id": item["id"],
                         "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]} if placed else None,
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}
