"""The read-only HSDS 3.0 API under ``/hsds/``: how 211s and other directories pull our public listings.

Answers are built once per directory state (keyed by the directory fingerprint, as the newcomer
feed is), compressed once, and revalidated with an ETag. Only public listings appear, and never the
staff-facing details (notes, geocode provenance, pending corrections).
"""

from __future__ import annotations

import gzip
import hashlib
import json

from flask import Blueprint, Response, current_app, request, url_for

from ..directory.fingerprint import VersionedCache, directory_fingerprint
from .catalogue import BadQuery, api_details, build_catalogue, page_of
from .openapi import LISTS, openapi_document

hsds_api = Blueprint("elip_hsds", __name__, url_prefix="/hsds")
_KINDS = {path.strip("/"): (path.strip("/"), filters) for path, _, filters, _ in LISTS}
_OPENAPI = json.dumps(openapi_document(), ensure_ascii=False, separators=(",", ":")).encode()


def _pack(document) -> tuple[bytes, bytes]:
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return raw, gzip.compress(raw, compresslevel=6)


def _send(body: bytes, gzipped: bytes | None, etag: str, status: int = 200) -> Response:
    if status == 200 and request.if_none_match.contains(etag):
        response = Response(status=304)
    elif gzipped is not None and "gzip" in request.accept_encodings:
        response = Response(gzipped, status=status, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(body, status=status, mimetype="application/json")
    response.vary.add("Accept-Encoding")
    if status == 200:
        response.set_etag(etag)
        # Revalidate every time: an approved correction must reach the next pull.
        response.headers["Cache-Control"] = "public, no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public, read-only data
    return response


def _error(status: int, message: str) -> Response:
    body = json.dumps({"error": message}).encode()
    return _send(body, None, "", status)


def _answer(build) -> Response:
    """The cached answer for this URL in the directory's current state (``build(catalogue)`` makes it)."""
    database = current_app.config["ELIP_DATABASE"]
    catalogues: VersionedCache = current_app.config["ELIP_HSDS_CATALOGUES"]
    answers: VersionedCache = current_app.config["ELIP_HSDS_ANSWERS"]
    with database.session() as session:
        fingerprint = directory_fingerprint(session)
        etag = hashlib.sha1(f"{fingerprint}|{request.full_path}".encode()).hexdigest()[:20]
        if request.if_none_match.contains(etag):
            return _send(b"", None, etag)
        catalogue = catalogues.get_or_build(fingerprint, lambda: build_catalogue(session))
    try:
        body, gzipped = answers.get_or_build(etag, lambda: _pack(build(catalogue)))
    except BadQuery as exc:
        return _error(400, str(exc))
    except LookupError:
        return _error(404, "no public record has this id")
    return _send(body, gzipped, etag)


@hsds_api.get("/")
def root() -> Response:
    """HSDS version and where the OpenAPI document is (the HSDS ``/`` endpoint)."""
    body, gzipped = _pack(api_details(url_for("elip_hsds.openapi", _external=True)))
    return _send(body, gzipped, hashlib.sha1(body).hexdigest()[:20])


@hsds_api.get("/openapi.json")
def openapi() -> Response:
    return _send(_OPENAPI, None, hashlib.sha1(_OPENAPI).hexdigest()[:20])


@hsds_api.get("/<any(organizations, services, service_at_locations, taxonomies, taxonomy_terms):kind>")
def listing(kind: str) -> Response:
    """One page of a list, after the HSDS filters (search, taxonomy_term_id, organization_id, modified_after …)."""
    field, filters = _KINDS[kind]
    return _answer(lambda cat: page_of(getattr(cat, field), request.args, filters=filters))


@hsds_api.get("/<any(organizations, services, service_at_locations, taxonomies, taxonomy_terms):kind>/<object_id>")
def one(kind: str, object_id: str) -> Response:
    """One fully nested record by id."""
    def build(cat):
        found = cat.by_id(kind, object_id)
        if found is None:
            raise LookupError(object_id)
        return found

    return _answer(build)


def init_hsds(server) -> None:
    """Register the HSDS API (it caches and compresses its own answers, per directory state)."""
    server.config["ELIP_HSDS_CATALOGUES"] = VersionedCache(size=2)  # the directory now, and just before
    # Recent answers (a page of 200 fully nested organizations is a few hundred kB): bounded memory.
    server.config["ELIP_HSDS_ANSWERS"] = VersionedCache(size=64)
    server.register_blueprint(hsds_api)
