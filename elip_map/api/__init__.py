"""Flask routes that feed the newcomer page's browser code: the directory (compact feed and GeoJSON)
and the outlines.

The locations documents are rebuilt only when the directory changes (their ETag is a fingerprint of
the directory), so the browser revalidates with one cheap query and gets ``304 Not Modified``; each
is compressed once per version (brotli and gzip), never per request.
"""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

from flask import Blueprint, Response, current_app, request

from ..directory.fingerprint import VersionedCache, directory_fingerprint
from ..directory.listings import load_listings
from .compact import encode_feed
from .encodings import Precompressed
from .feed import detail_ids, details_table, feature_collection
from .pwa import pwa
from .static import IMMUTABLE

api = Blueprint("elip_api", __name__, url_prefix="/api")
GEOJSON_MIMETYPE = "application/geo+json"
JSON_MIMETYPE = "application/json"
OUTLINE_DECIMALS = 4


def conditional_response(body: bytes | Precompressed, etag: str, mimetype: str) -> Response:
    """A 304 when the browser already holds ``etag``, else the body (compressed as the browser accepts);
    public so the page-weight bench rebuilds its baseline with the same revalidation as the app."""
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    elif isinstance(body, Precompressed):
        data, encoding = body.choose(request.accept_encodings)
        response = Response(data, mimetype=mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
    else:
        response = Response(body, mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    # Revalidate every time: an approved correction must show at the next page load.
    response.headers["Cache-Control"] = "public, no-cache"
    return response


def _versioned_document(kind: str, raw, mimetype: str, quality: int) -> Response:
    """One directory document (its bytes from ``raw(session, key)``), cached and compressed once per version."""
    database = current_app.config["ELIP_DATABASE"]
    cache: VersionedCache = current_app.config["ELIP_API_CACHE"]
    with database.session() as session:
        key = directory_fingerprint(session)
        etag = f"{kind}-{key}"
        if request.if_none_match.contains(etag):
            return conditional_response(b"", etag, mimetype)
        body = cache.get_or_build(etag, lambda: Precompressed.of(raw(session, key), quality=quality))
    return conditional_response(body, etag, mimetype)


class PageDocuments(NamedTuple):
    """What the newcomer page reads of one directory version: the compact feed's text and each card's
    details as its JSON text."""

    feed: bytes
    details: dict[str, str]


def page_documents(session, key: str) -> PageDocuments:
    """The feed and the card details of directory version ``key``, built together from one load of the
    listings: each loading 10,000 listings on its own cost a worker two peaks of about 40 MB."""
    cache: VersionedCache = current_app.config["ELIP_API_CACHE"]

    def build() -> PageDocuments:
        listings = load_listings(session, include_unplaced=True)
        # Each card's details kept as its JSON text: a tenth of the memory of 10,000 dictionaries, and an
        # answer is then only joined, not serialised again.
        details = {i: _compact_json(d) for i, d in details_table(listings).items()}
        return PageDocuments(_compact_json(encode_feed(listings)).encode(), details)

    return cache.get_or_build(f"page-{key}", build)


@api.get("/locations.feed")
def locations_feed() -> Response:
    """Every public location in the compact column feed the newcomer page reads (``api/compact.py``)."""
    # Brotli's best level: about 2 s of one worker once per directory version, 15% fewer bytes for every reader.
    return _versioned_document("feed", lambda session, key: page_documents(session, key).feed, JSON_MIMETYPE,
                               quality=11)


@api.get("/locations.geojson")
def locations_geojson() -> Response:
    """Every public location as plain GeoJSON (for other tools; the page reads the compact feed)."""
    def raw(session, _key) -> bytes:
        return _compact_json(feature_collection(load_listings(session, include_unplaced=True))).encode()

    return _versioned_document("geojson", raw, GEOJSON_MIMETYPE, quality=5)  # 3x larger: a fast level


@api.get("/details")
def card_details() -> Response:
    """The details of a page of cards (``?ids=loc-1,loc-2&v=<directory fingerprint>``), public fields only.

    Asked for with the fingerprint of the feed the page holds, the answer may be kept for a year (a new
    directory version has a new address); without it, or with an older one, it is revalidated. An id that
    is not a public listing (closed, unknown) is simply absent from the answer.
    """
    ids = detail_ids(request.args.get("ids"))
    if ids is None:
        return Response("ids: up to 100 location ids (loc-<number>), separated by commas\n", status=400,
                        mimetype="text/plain")
    database = current_app.config["ELIP_DATABASE"]
    with database.session() as session:
        key = directory_fingerprint(session)
        etag = f"details-{key}-" + hashlib.sha1(",".join(ids).encode()).hexdigest()[:16]
        if request.if_none_match.contains(etag):
            return conditional_response(b"", etag, JSON_MIMETYPE)
        table = page_documents(session, key).details
    body = ('{"v":' + _compact_json(key) + ',"details":{'
            + ",".join(f"{_compact_json(i)}:{table[i]}" for i in ids if i in table) + "}}").encode()
    response = conditional_response(body, etag, JSON_MIMETYPE)
    if request.args.get("v") == key:
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def _compact_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rounded(coords, digits: int):
    """Coordinates rounded, and a point that rounds onto the one before it dropped."""
    if coords and isinstance(coords[0][0], (int, float)):
        ring: list = []
        for point in coords:
            point = [round(c, digits) for c in point]
            if not ring or point != ring[-1]:
                ring.append(point)
        return ring
    return [_rounded(c, digits) for c in coords]


def compact_outlines(geojson: bytes | None, digits: int = OUTLINE_DECIMALS) -> bytes:
    """Outlines only, as the map draws them: 4 decimals (about 10 m, finer than the drawn line at city
    zoom), no names or ids (the layer is not interactive), no spaces. A sixth of the bytes less."""
    if not geojson:
        return b'{"type":"FeatureCollection","features":[]}'
    doc = json.loads(geojson)
    features = [{"type": "Feature", "properties": {},
                 "geometry": {"type": f["geometry"]["type"], "coordinates": _rounded(f["geometry"]["coordinates"], digits)}}
                for f in doc.get("features", []) if f.get("geometry")]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()


def outlines(hoods) -> tuple[str, Precompressed]:
    """The outlines document and its version (a hash of its content), built once per process."""
    cache: VersionedCache = current_app.config["ELIP_API_CACHE"]

    def build():
        body = compact_outlines(hoods.geojson_bytes)
        return hashlib.sha1(body).hexdigest()[:16], Precompressed.of(body)

    return cache.get_or_build(f"hoods-{id(hoods)}", build)


def outlines_url(hoods) -> str:
    """Versioned address of the outlines: the browser keeps them for a year, a new version has a new address."""
    return f"/api/neighbourhoods.geojson?v={outlines(hoods)[0]}"


@api.get("/neighbourhoods.geojson")
def neighbourhoods_geojson() -> Response:
    """Simplified neighbourhood outlines (reference data, fixed for the life of the process)."""
    etag, body = outlines(current_app.config["ELIP_NEIGHBOURHOODS"])
    response = conditional_response(body, etag, GEOJSON_MIMETYPE)
    if request.args.get("v") == etag:
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def init_api(server) -> None:
    """Register the routes (they compress their own answers, once per version)."""
    # feed, GeoJSON, card details and page facts of a few versions; outlines
    server.config["ELIP_API_CACHE"] = VersionedCache(size=16)
    server.register_blueprint(api)
    server.register_blueprint(pwa)
