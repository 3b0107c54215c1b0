"""Security headers on every answer (flask-talisman): a Content-Security-Policy that allows only what the
pages use, who may frame which page, HSTS in production, and ``no-store`` where private data travels.

Talisman keys its per-view options on Flask's view function, but every Dash page is one catch-all view
(``/<path:path>``), so :class:`PathTalisman` chooses the options from the request's path instead: the
newcomer page may be framed by the sites an operator lists (``ELIP_FRAME_ORIGINS``), every other page by
the site itself only. The options are built afresh for each request (nothing shared is mutated).

What the pages need, measured in Chromium (tests/browser/test_security_headers.py visits every page and
fails on any violation):

- scripts: our own files plus Dash's inline renderer start-up script, allowed by its hash
  (``Dash.csp_hashes``), never ``'unsafe-inline'``;
- styles: our files, plus the ``<style>`` elements Dash's and dash-leaflet's components inject at run
  time (without ``'unsafe-inline'`` Chromium blocks five of them on the newcomer page alone), hence
  ``'unsafe-inline'`` for styles only; scripts never need ``'unsafe-eval'`` or ``'unsafe-inline'``;
- images: our files, ``data:`` (Leaflet's and the QR code's inline images) and the basemap tile host
  named by ``ELIP_TILE_URL``;
- the service worker and the web app manifest come from the site itself.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_talisman import Talisman

NEWCOMER_PATHS = frozenset({"/"})
CALLBACK_PATH = "/_dash-update-component"
# Answers that may carry staff or partner data: never kept by a browser or a shared cache.
PRIVATE_PREFIXES = (CALLBACK_PATH, "/staff", "/partner", "/auth/", "/login", "/verify/")
ONE_YEAR = 365 * 24 * 3600
# Answers a browser renders as a document (or runs as a worker), where a policy, framing rules and a
# referrer policy mean something. A script, a stylesheet, JSON or an image is governed by the policy of
# the page that loads it: repeating 1 KB of headers on each of 25 such answers cost a phone about 25 KB on
# a first visit and every 304 of a return visit (bench/bench_page_weight.py).
DOCUMENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml", "application/xml", "text/xml",
                            "application/pdf"})
WORKER_PATHS = frozenset({"/sw.js"})


def tile_origin(template: str | None) -> str | None:
    """The origin of a tile URL template, as CSP writes it: 'https://{s}.tile.example/{z}/{x}/{y}.png' ->
    'https://*.tile.example'; None for no basemap or a template on the site itself."""
    if not template or not template.startswith(("http://", "https://")):
        return None
    parts = urlsplit(template.replace("{s}", "subdomain"))
    host = parts.hostname or ""
    if not host:
        return None
    if template.split("//", 1)[1].startswith("{s}."):
        host = "*." + host.split(".", 1)[1]
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def content_security_policy(script_hashes: list[str], tiles: str | None, frame_ancestors: tuple[str, ...]) -> dict:
    """The policy for one answer (pure: the caller supplies the hashes, the tile origin and the framers)."""
    images = ["'self'", "data:"] + ([tiles] if tiles else [])
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "font-src": "'self'",
        "connect-src": "'self'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": ["'self'", *frame_ancestors],
    }


def is_document(path: str, mimetype: str | None) -> bool:
    """Whether an answer gets the document headers: is_document('/sw.js', 'text/javascript') -> True."""
    return path in WORKER_PATHS or (mimetype or "").lower() in DOCUMENT_TYPES


def frame_ancestors_for(path: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Other sites allowed to frame ``path``: the configured ones for the newcomer page, none elsewhere."""
    return allowed if path in NEWCOMER_PATHS else ()


class PathTalisman(Talisman):
    """Talisman whose options depend on the request's path (see the module's docstring)."""

    def __init__(self, app: Flask, options_for: Callable[[str], dict], **kwargs):
        self._options_for = options_for
        super().__init__(app, **kwargs)

    def _get_local_options(self) -> dict:  # Talisman's hook for per-view options
        return self._options_for(request.path)

    def _set_response_headers(self, response: Response) -> Response:
        # A 304 has no body and Flask calls it text/html; the browser keeps the stored answer's headers.
        if response.status_code != 304 and is_document(request.path, response.mimetype):
            return super()._set_response_headers(response)
        # Not a document: only what still protects a subresource (no MIME sniffing; HTTPS from now on).
        if self.x_content_type_options:
            response.headers["X-Content-Type-Options"] = "nosniff"
        self._set_hsts_headers(response.headers)
        return response

    def _set_referrer_policy_headers(self, headers) -> None:
        # A route that chose a stricter policy keeps it (a verification link's page sends no referrer at all).
        headers.setdefault("Referrer-Policy", self.referrer_policy)


def init_headers(app, settings) -> None:
    """Security headers for every answer of ``app.server``; ``app`` is the Dash app (its inline-script hashes)."""
    server: Flask = app.server
    tiles = tile_origin(settings.tile_url)
    framers = tuple(settings.frame_origins or ())
    production = bool(settings.production)

    def options_for(path: str) -> dict:
        others = frame_ancestors_for(path, framers)
        return {
            # Behind TLS-terminating proxies the request is plain HTTP; redirecting is the proxy's job, and
            # a redirect on 127.0.0.1 would break development. HSTS tells browsers to stay on HTTPS.
            "force_https": False,
            # X-Frame-Options cannot list other sites: left out where frame-ancestors lists some.
            "frame_options": None if others else "SAMEORIGIN",
            "frame_options_allow_from": None,
            "content_security_policy": content_security_policy(list(dict.fromkeys(app.csp_hashes())), tiles, others),
            "content_security_policy_nonce_in": [],
            "permissions_policy": {"geolocation": "(self)", "camera": "()", "microphone": "()"},
            "document_policy": {},
            "feature_policy": {},
        }

    PathTalisman(
        server, options_for,
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_max_age=ONE_YEAR,
        strict_transport_security_include_subdomains=False,
        session_cookie_secure=production,
        session_cookie_samesite="Lax",
        referrer_policy="same-origin",
    )

    @server.after_request
    def _private_answers_are_not_kept(response: Response) -> Response:
        if request.path.startswith(PRIVATE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response
