"""Flask routes that feed the newcomer page's browser code: the directory (compact feed and GeoJSON)
and the outlines.

The locations documents are rebuilt only when the directory changes (their ETag is a fingerprint of
the directory), so the browser revalidates with one cheap query and gets ``304 Not Modified``; each
is compressed once per version (brotli and gzip), never per request.
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, request

from ..directory.fingerprint import VersionedCache, directory_fingerprint
from ..directory.listings import load_listings
from .compact import encode_feed
from .encodings import Precompressed
from .feed import feature_collection

api = Blueprint("elip_api", __name__, url_prefix="/api")
GEOJSON_MIMETYPE = "application/geo+json"
JSON_MIMETYPE = "application/json"


def _conditional(body: bytes | Precompressed, etag: str, mimetype: str) -> Response:
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


def _versioned_document(kind: str, pack, mimetype: str) -> Response:
    """One directory document (built by ``pack(listings)``), cached and compressed once per version."""
    database = current_app.config["ELIP_DATABASE"]
    cache: VersionedCache = current_app.config["ELIP_API_CACHE"]
    with database.session() as session:
        key = directory_fingerprint(session)
        etag = f"{kind}-{key}"
        if request.if_none_match.contains(etag):
            return _conditional(b"", etag, mimetype)

        def build() -> Precompressed:
            raw = json.dumps(pack(load_listings(session)), ensure_ascii=False, separators=(",", ":")).encode()
            return Precompressed.of(raw)

        body = cache.get_or_build(etag, build)
    return _conditional(body, etag, mimetype)


@api.get("/locations.feed")
def locations_feed() -> Response:
    """Every public location in the compact column feed the newcomer page reads (``api/compact.py``)."""
    return _versioned_document("feed", encode_feed, JSON_MIMETYPE)


@api.get("/locations.geojson")
def locations_geojson() -> Response:
    """Every public location as plain GeoJSON (for other tools; the page reads the compact feed)."""
    return _versioned_document("geojson", feature_collection, GEOJSON_MIMETYPE)


@api.get("/neighbourhoods.geojson")
def neighbourhoods_geojson() -> Response:
    """Simplified neighbourhood outlines (reference data, fixed for the life of the process)."""
    hoods = current_app.config["ELIP_NEIGHBOURHOODS"]
    body = hoods.geojson_bytes or b'{"type":"FeatureCollection","features":[]}'
    etag = hashlib.sha1(body).hexdigest()[:16]
    cache: VersionedCache = current_app.config["ELIP_API_CACHE"]
    return _conditional(cache.get_or_build(f"hoods-{etag}", lambda: Precompressed.of(body)), etag, GEOJSON_MIMETYPE)


def init_api(server) -> None:
    """Register the routes (they compress their own answers, once per version)."""
    server.config["ELIP_API_CACHE"] = VersionedCache(size=8)  # feed, GeoJSON, outlines, of two versions
    server.register_blueprint(api)
