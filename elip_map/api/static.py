"""Static files for returning visitors: cached for a year when their address is versioned, and sent
brotli- or gzip-compressed from a copy made once per file, not per request.

Dash fingerprints its bundles (``dash_leaflet.v1_1_3m….js``) and our assets (``?m=<mtime>``), so a
new release has new addresses: those answers may be kept for a year without asking again. Async
chunks (``async-dropdown.js``) have no version in their address; they are kept for a day, then
revalidated with their ETag.
"""

from __future__ import annotations

import re

import rjsmin
from dash.fingerprint import check_fingerprint
from flask import Flask, Response, request

from ..directory.fingerprint import VersionedCache
from .encodings import Precompressed

YEAR = 365 * 24 * 3600
DAY = 24 * 3600
# A versioned or fingerprinted address: its answer never changes, so a browser keeps it and never asks again.
IMMUTABLE = f"public, max-age={YEAR}, immutable"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json")
SUITES = "/_dash-component-suites/"
ASSETS = "/assets/"


def cache_policy(path: str, args) -> str | None:
    """Cache-Control for a static path, or None for anything that is not a static file."""
    if path.startswith(SUITES):
        _in_package, fingerprinted = check_fingerprint(path.rsplit("/", 1)[-1])
        return IMMUTABLE if fingerprinted else f"public, max-age={DAY}"
    if path.startswith(ASSETS):
        return IMMUTABLE if args.get("m") else "public, no-cache"
    return None


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def minify_script(source: str) -> str:
    """Our own JavaScript as shipped: comments and indentation are for readers of the repository, not for
    a prepaid phone plan (the service worker, about 4 KB compressed, loses a third)."""
    return rjsmin.jsmin(source)


def shipped_body(path: str, data: bytes) -> bytes:
    """The bytes a browser gets for a static file: our own scripts and stylesheets without their comments
    and indentation (Dash's bundles come minified already), anything else as it is.
    shipped_body('/assets/a.js', b'var a = 1;  // why') -> b'var a=1;'"""
    if not path.startswith(ASSETS):
        return data
    if path.endswith(".js"):
        return minify_script(data.decode("utf-8")).encode("utf-8")
    if path.endswith(".css"):  # our stylesheets hold no "/*" inside a string: comments go, each rule stays
        text = _CSS_COMMENT.sub("", data.decode("utf-8"))
        return "\n".join(line.strip() for line in text.splitlines() if line.strip()).encode("utf-8")
    return data


# Answers that are the same for everyone, signed in or not.
PUBLIC_PREFIXES = (SUITES, ASSETS, "/api/", "/_favicon.ico", "/sw.js", "/manifest.webmanifest")


def without_cookie_vary(vary: str) -> str:
    """'Accept-Encoding, Cookie' -> 'Accept-Encoding'."""
    return ", ".join(v.strip() for v in vary.split(",") if v.strip() and v.strip().lower() != "cookie")


class PublicVary:
    """WSGI wrapper: no ``Vary: Cookie`` on public files.

    Flask adds it to every answer of a request that touched the session (the CSRF token does), after
    every hook has run. A first visit gets its cookie half-way through loading, so on the next visit
    the browser's cached copies, stored under "no cookie", no longer matched and were all fetched again.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(PUBLIC_PREFIXES):
            return self.app(environ, start_response)

        def start(status, headers, exc_info=None):
            headers = [(k, without_cookie_vary(v) if k.lower() == "vary" else v) for k, v in headers]
            return start_response(status, [(k, v) for k, v in headers if v or k.lower() != "vary"], exc_info)

        return self.app(environ, start)


def init_static(server: Flask) -> None:
    """Register the hook; it runs before Flask-Compress, which leaves an encoded answer alone."""
    copies = VersionedCache(size=256)  # a few dozen files; keyed by address and content tag
    server.wsgi_app = PublicVary(server.wsgi_app)

    @server.after_request
    def _static(response: Response) -> Response:
        policy = cache_policy(request.path, request.args)
        if policy is None or request.method != "GET":
            return response
        response.headers["Cache-Control"] = policy
        if response.status_code != 200 or "Content-Encoding" in response.headers \
                or not (response.mimetype or "").startswith(COMPRESSIBLE):
            return response
        response.direct_passthrough = False  # Flask's send_file hands a file: read it once here
        key = f"{request.full_path}|{response.get_etag()[0] or ''}"
        # Minified and compressed once per file and version, on its first request.
        body = copies.get_or_build(key, lambda: Precompressed.of(shipped_body(request.path, response.get_data())))
        data, encoding = body.choose(request.accept_encodings)
        response.set_data(data)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        return response
