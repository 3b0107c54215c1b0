"""The compact locations feed: the features of :func:`feature_collection` without the card details
(``DETAIL_FIELDS``, fetched a page of cards at a time from ``/api/details``), in a fraction of the bytes.

A newcomer on a prepaid plan pays for every repeated key. GeoJSON repeats ``"properties"``,
``"coordinates"`` and every field name 10,000 times; this feed sends columns instead:

- one array per field, one entry per location (``null`` where a field is empty);
- service types, languages, neighbourhoods, organizations and weekly hours as integer codes into
  small tables sent once;
- positions as fixed-point integers (``scale`` per degree) measured from an ``origin``, ``null``
  for a listing not placed on the map yet (the decoder gives it ``geometry: null``);
- ids as integers (``id_prefix`` restores ``loc-12``); rows in list order, so the decoder makes the
  ``sort`` key from the row number instead of sending it;
- the search text is rebuilt by the decoder from organization, name and services (the folding rule
  of ``elip_map.rules.text`` and its browser twin); only a row whose text differs (an organization's
  other name) carries its own.

``assets/elip_feed.js`` (``elip.feed.decode``) is the browser twin of :func:`decode_feed`: both turn
one document into the features the page already uses (the unit and browser tests hold the three
together on one truth table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..directory.listings import COORD_DECIMALS
from ..rules.text import fold
from .feed import FEED_FIELDS, is_empty

FORMAT = "elip-feed/2"
# The first shape also carried every card's details; a copy a phone saved before is still read (its extra
# columns are left alone).
READABLE = (FORMAT, "elip-feed/1")
SCALE = 10 ** COORD_DECIMALS
ID_PREFIX = "loc-"
SORT_WIDTH = 7  # the decoder's sort key: row number, zero-padded, so string order is list order

# Fields sent as plain columns (text, or lists of text/objects); coded fields are handled apart.
PLAIN_FIELDS = ("name", "unplaced", "services", "elig", "elig_unknown", "ages", "gender", "fee_levels")
CODED_FIELDS = ("organization", "types", "langs", "hours", "hood", "hood_name", "text")
assert set(PLAIN_FIELDS) | set(CODED_FIELDS) | {"sort"} == set(FEED_FIELDS), "every feed field is sent"


class _Codes:
    """Values to small integers, in order of first use: ``code('food') -> 0``; ``table`` is the legend."""

    def __init__(self):
        self.table: list = []
        self._index: dict = {}

    def code(self, value, key=None) -> int:
        key = value if key is None else key
        if key not in self._index:
            self._index[key] = len(self.table)
            self.table.append(value)
        return self._index[key]


def search_text(organization: str | None, name: str | None, services: list[str] | None) -> str:
    """The text a row is searched by, when nothing else is known about it (twin: ``searchText`` in JS)."""
    return fold(" ".join([organization or "", name or "", *(services or [])]))


def _fixed(value: float | None) -> int | None:
    return None if value is None else round(value * SCALE)


def encode_feed(listings: Iterable[Mapping]) -> dict:
    """Listings (in list order) as one compact document; unplaced listings keep ``null`` positions."""
    rows = [item for item in listings]
    types, langs, orgs, hoods, hours = _Codes(), _Codes(), _Codes(), _Codes(), _Codes()
    lats = [_fixed(r.get("lat")) if r.get("lon") is not None else None for r in rows]
    lons = [_fixed(r.get("lon")) if r.get("lat") is not None else None for r in rows]
    placed_lat = [v for v in lats if v is not None]
    placed_lon = [v for v in lons if v is not None]
    origin = [min(placed_lat) if placed_lat else 0, min(placed_lon) if placed_lon else 0]
    cols: dict[str, list] = {name: [] for name in ("id", "lat", "lon", "org", "types", "langs", "hours", "hood",
                                                   "text", *PLAIN_FIELDS)}
    for r, lat, lon in zip(rows, lats, lons):
        ident = str(r["id"])
        if not ident.startswith(ID_PREFIX) or not ident[len(ID_PREFIX):].isdigit():
            raise ValueError(f"location id {ident!r} is not {ID_PREFIX}<number>")
        cols["id"].append(int(ident[len(ID_PREFIX):]))
        cols["lat"].append(None if lat is None else lat - origin[0])
        cols["lon"].append(None if lon is None else lon - origin[1])
        cols["org"].append(None if is_empty(r.get("organization")) else orgs.code(r["organization"]))
        # A set of types (or languages) is one code: a city has a few hundred combinations, not 10,000.
        row_types, row_langs = list(r.get("types") or []), list(r.get("langs") or [])
        cols["types"].append(types.code(row_types, tuple(row_types)) if row_types else None)
        cols["langs"].append(langs.code(row_langs, tuple(row_langs)) if row_langs else None)
        text = r.get("text") or ""
        cols["text"].append(None if text == search_text(r.get("organization"), r.get("name"), r.get("services"))
                            else text)
        rows_of_hours = [list(h) for h in r.get("hours") or []]
        cols["hours"].append(hours.code(rows_of_hours, repr(rows_of_hours)) if rows_of_hours else None)
        hood, hood_name = r.get("hood") or "", r.get("hood_name") or ""
        cols["hood"].append(hoods.code([hood, hood_name], (hood, hood_name)) if hood or hood_name else None)
        for name in PLAIN_FIELDS:
            value = r.get(name)
            cols[name].append(None if is_empty(value) else value)
    return {"format": FORMAT, "n": len(rows), "scale": SCALE, "origin": origin, "id_prefix": ID_PREFIX,
            "types": types.table, "langs": langs.table, "orgs": orgs.table, "hoods": hoods.table,
            "hours": hours.table, "cols": cols}


def decode_feed(doc: Mapping) -> list[dict]:
    """The features the page uses (``feature_collection``'s shape without the card details, ``sort`` = row
    order), from one document."""
    if doc.get("format") not in READABLE:
        raise ValueError(f"not an {FORMAT} document")
    cols, scale, (lat0, lon0) = doc["cols"], doc["scale"], doc["origin"]
    features = []
    for i in range(doc["n"]):
        ident = f"{doc['id_prefix']}{cols['id'][i]}"
        props: dict = {"id": ident}
        org = cols["org"][i]
        hood = cols["hood"][i]
        coded = {
            "organization": None if org is None else doc["orgs"][org],
            "types": [] if cols["types"][i] is None else list(doc["types"][cols["types"][i]]),
            "langs": [] if cols["langs"][i] is None else list(doc["langs"][cols["langs"][i]]),
            "text": cols["text"][i] if cols["text"][i] is not None else search_text(
                None if org is None else doc["orgs"][org], cols["name"][i], cols["services"][i]),
            "hours": [] if cols["hours"][i] is None else [list(h) for h in doc["hours"][cols["hours"][i]]],
            "hood": None if hood is None else doc["hoods"][hood][0],
            "hood_name": None if hood is None else doc["hoods"][hood][1],
            "sort": str(i).zfill(SORT_WIDTH),
        }
        for key in FEED_FIELDS:
            value = coded[key] if key in coded else cols[key][i]
            if not is_empty(value):
                props[key] = value
        lat, lon = cols["lat"][i], cols["lon"][i]
        geometry = None if lat is None or lon is None else {
            "type": "Point", "coordinates": [round((lon + lon0) / scale, COORD_DECIMALS),
                                             round((lat + lat0) / scale, COORD_DECIMALS)]}
        features.append({"type": "Feature", "id": ident, "geometry": geometry, "properties": props})
    return features
