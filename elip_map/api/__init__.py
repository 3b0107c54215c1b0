"""Flask routes that feed the newcomer page's browser code: the directory as GeoJSON and the outlines.

The locations document is rebuilt only when the directory changes (its ETag is a fingerprint of the
directory), so the browser revalidates with one cheap query and gets ``304 Not Modified``.
"""

from __future__ import annotations

import gzip
import hashlib
import json

from flask import Blueprint, Response, current_app, request

from ..directory.fingerprint import VersionedCache, directory_fingerprint
from ..directory.listings import load_listings
from .feed import feature_collection

api = Blueprint("elip_api", __name__, url_prefix="/api")
GEOJSON_MIMETYPE = "application/geo+json"


def _conditional(body: bytes, etag: str, mimetype: str, gzipped: bytes | None = None) -> Response:
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    elif gzipped is not None and "gzip" in request.accept_encodings:
        # Compressed once per directory version, not per request (Flask-Compress would redo it each time).
        response = Response(gzipped, mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(body, mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    # Revalidate every time: an approved correction must show at the next page load.
    response.headers["Cache-Control"] = "public, no-cache"
    return response


@api.get("/locations.geojson")
def locations_geojson() -> Response:
    """Every open location as GeoJSON, placed or not (the page filters it in the browser)."""
    database = current_app.config["ELIP_DATABASE"]
    cache: VersionedCache = current_app.config["ELIP_API_CACHE"]
    with database.session() as session:
        key = directory_fingerprint(session)
        if request.if_none_match.contains(key):
            return _conditional(b"", key, GEOJSON_MIMETYPE)

        def build() -> tuple[bytes, bytes]:
            collection = feature_collection(load_listings(session, include_unplaced=True))
            raw = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
            return raw, gzip.compress(raw, compresslevel=6)

        body, gzipped = cache.get_or_build(key, build)
    return _conditional(body, key, GEOJSON_MIMETYPE, gzipped)


@api.get("/neighbourhoods.geojson")
def neighbourhoods_geojson() -> Response:
    """Simplified neighbourhood outlines (reference data, fixed for the life of the process)."""
    hoods = current_app.config["ELIP_NEIGHBOURHOODS"]
    body = hoods.geojson_bytes or b'{"type":"FeatureCollection","features":[]}'
    etag = hashlib.sha1(body).hexdigest()[:16]
    return _conditional(body, etag, GEOJSON_MIMETYPE, hoods.geojson_gzip)


def init_api(server) -> None:
    """Register the routes (they compress their own answers, once per version)."""
    server.config["ELIP_API_CACHE"] = VersionedCache()
    server.register_blueprint(api)
