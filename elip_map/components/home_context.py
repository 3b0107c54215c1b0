"""What the newcomer page needs per request: the feed's versioned address, the languages and
neighbourhoods to offer, and the answer to a "near" search in the reader's language."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from ..api import outlines_url
from ..directory.fingerprint import directory_fingerprint
from ..directory.listings import count_unplaced, public_language_codes
from ..geocoding.near import project_geocoder, resolve_near
from ..i18n import translator
from ..spatial.neighbourhoods import Neighbourhoods


def split_param(value) -> list[str]:
    """A multi-valued query parameter, comma-separated or repeated: split_param('food,health') -> ['food', 'health']."""
    if not value:
        return []
    values = value if isinstance(value, list) else [value]
    return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


def page_context(config: Mapping) -> dict:
    """Per-request facts for the page, read from the database named in the app's config."""
    database = config["ELIP_DATABASE"]
    settings = config["ELIP_SETTINGS"]
    hoods: Neighbourhoods = config["ELIP_NEIGHBOURHOODS"]
    with database.session() as session:
        fingerprint = directory_fingerprint(session)
        # Same version, same answer: computed once per directory version (like the feed), not per page
        # load; the language query alone took 120-140 ms at 10,000 locations on SQLite.
        languages, unplaced = config["ELIP_API_CACHE"].get_or_build(
            f"page-facts-{fingerprint}", lambda: (public_language_codes(session), count_unplaced(session)))
    return {
        "data_url": f"/api/locations.feed?v={fingerprint}",
        "fingerprint": fingerprint,
        "languages": languages,
        "unplaced": unplaced,
        "hood_options": hoods.options,
        "has_boundaries": bool(hoods.geojson_bytes),
        "boundaries_url": outlines_url(hoods),
        "near_available": project_geocoder() is not None,
        "tile_url": settings.tile_url or None,
        "tile_attribution": settings.tile_attribution,
    }


def near_answer(text: str | None, ui: str, config: Mapping) -> tuple[dict | None, str]:
    """The "near" store value and the message to show, in the reader's language."""
    _ = translator(ui)
    geocode = project_geocoder()
    if geocode is not None:
        geocode = functools.partial(geocode, settings=config.get("ELIP_SETTINGS"))
    answer = resolve_near(text or "", config["ELIP_NEIGHBOURHOODS"], geocode)
    if answer["status"] == "ok":
        return {"lat": answer["lat"], "lon": answer["lon"], "label": answer["label"], "query": (text or "").strip()}, ""
    if answer["status"] == "empty":
        return None, ""
    if answer["status"] == "unavailable":
        return None, _("Searching near an address is not available right now. Try a neighbourhood name; "
                       "the other filters still work.")
    return None, _("Could not find “{place}” in Edmonton. Try a postal code, an intersection like "
                   "118 Avenue & 82 Street, or a neighbourhood name.", place=answer["label"])
