"""The newcomer page's locations feed: public listings packed as compact GeoJSON for the browser,
which filters and ranks them itself (``elip_map.rules.filters`` is the Python twin)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# The browser needs these for filtering, ranking and the card; the rest stays on the server.
FEATURE_FIELDS = ("organization", "name", "address", "unplaced", "types", "langs", "services", "phones", "website",
                  "email", "accessibility", "eligibility", "fees", "elig", "elig_unknown", "ages", "gender", "fee_levels",
                  "hours", "hours_note", "last_verified", "hood",
                  "hood_name", "text", "sort")
# What only a drawn card shows: fetched a page of cards at a time (``/api/details``), never with the feed.
# A reader sees 25 cards of 10,000 locations; sending every address, phone and note up front was half of
# the feed's bytes.
DETAIL_FIELDS = ("address", "phones", "website", "email", "accessibility", "eligibility", "fees", "hours_note",
                 "last_verified")
# What the map, the filters, the ranking and the card's heading need: the compact feed's fields.
FEED_FIELDS = tuple(f for f in FEATURE_FIELDS if f not in DETAIL_FIELDS)
DETAIL_ID = re.compile(r"loc-[0-9]{1,12}")
MAX_DETAIL_IDS = 100  # a page of cards is 25-30; "show more" adds 25


def is_empty(value) -> bool:
    """Left out of the feed and the details alike: nothing, empty text or an empty list."""
    return value in (None, "", [])


def details_table(listings: Iterable[Mapping]) -> dict[str, dict]:
    """Each listing's card details by id, empty values left out (as the feed does)."""
    return {item["id"]: {k: item[k] for k in DETAIL_FIELDS if not is_empty(item.get(k))} for item in listings}


def detail_ids(text: str | None) -> list[str] | None:
    """The ids asked for, in order, without repeats; None when the list is malformed or too long.
    detail_ids('loc-3,loc-1,loc-3') -> ['loc-3', 'loc-1']"""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not parts or len(parts) > MAX_DETAIL_IDS or not all(DETAIL_ID.fullmatch(p) for p in parts):
        return None
    return list(dict.fromkeys(parts))


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
