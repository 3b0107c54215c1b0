"""The newcomer page as an installable, offline-capable web app: manifest, service worker, places.

The service worker must be served from the site root to control "/" (a worker's scope is its own
folder at most), so it is a Flask route, not a file under /assets/. Its release tag changes whenever
its code or any shipped bundle changes, so a new release replaces the old app shell in every phone.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import dash
import dash_leaflet
from flask import Blueprint, Response, current_app, request

from ..i18n import negotiate_ui, text_direction, translator
from ..paths import ASSETS_DIR
from .encodings import Precompressed
from .static import minify_script

pwa = Blueprint("elip_pwa", __name__)
WORKER_SOURCE = Path(__file__).with_name("service_worker.js")
THEME = "#0b5cad"
LOW_DATA_COOKIE = "elip_data"  # "low" or "full": the reader's choice (components/low_data.py)
YEAR = 365 * 24 * 3600


@functools.cache
def app_icon() -> str:
    """The installed app's icon and the browser tab's, by an address that names its content: kept for a
    year (api/static.py), so the tab, the manifest and the service worker fetch it once, not four times."""
    digest = hashlib.sha1((ASSETS_DIR / "icon.svg").read_bytes()).hexdigest()[:10]
    return f"/assets/icon.svg?m={digest}"


def head_tags(ui: str) -> str:
    """Manifest link and theme colour for the page's <head> (the page registers the worker itself)."""
    query = "" if ui == "en" else f"?ui={ui}"
    return (f'<link rel="manifest" href="/manifest.webmanifest{query}">'
            f'<meta name="theme-color" content="{THEME}">')


def release_tag(worker_source: str, assets_dir: Path = ASSETS_DIR) -> str:
    """Changes when the worker, Dash, dash-leaflet or any of our assets change."""
    h = hashlib.sha1(worker_source.encode())
    h.update(f"{dash.__version__}|{dash_leaflet.__version__}".encode())
    for asset in sorted(assets_dir.glob("*")):
        if asset.is_file():
            h.update(asset.name.encode() + asset.read_bytes())
    return h.hexdigest()[:12]


def worker_script() -> bytes:
    source = WORKER_SOURCE.read_text(encoding="utf-8")
    return minify_script(source.replace("__RELEASE__", release_tag(source))).encode()


@functools.cache
def _worker_body() -> Precompressed:
    """Built once per process: the worker and the files it names do not change while it runs."""
    return Precompressed.of(worker_script())


@functools.cache
def _worker_tag() -> str:
    """The worker's ETag, hashed once with the body it names rather than at every navigation."""
    return hashlib.sha1(_worker_body().raw).hexdigest()[:16]


def manifest(ui: str) -> dict:
    """The web app manifest in the reader's language (installed app name, colours, start page)."""
    _ = translator(ui)
    start = "/" if ui == "en" else f"/?ui={ui}"
    return {"name": _("ELIP Service Map"), "short_name": _("ELIP Service Map"),
            "description": _("Find services for newcomers in Edmonton"), "lang": ui, "dir": text_direction(ui),
            "start_url": start, "scope": "/", "display": "standalone", "background_color": "#ffffff",
            "theme_color": THEME,
            "icons": [{"src": app_icon(), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]}


def _small(body: bytes | Precompressed, mimetype: str, cache: str) -> Response:
    body = body if isinstance(body, Precompressed) else Precompressed.of(body, quality=11)  # a few KB: ~10 ms
    data, encoding = body.choose(request.accept_encodings)
    response = Response(data, mimetype=mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = cache
    return response


@pwa.get("/sw.js")
def service_worker() -> Response:
    """The worker, from the root so that it may control the whole site; always revalidated."""
    body, tag = _worker_body(), _worker_tag()
    # The browser asks for the worker at every navigation: unchanged, it gets a 304 without the body.
    if request.if_none_match.contains(tag):
        response = Response(status=304)
        response.headers["Cache-Control"] = "no-cache"
        response.vary.add("Accept-Encoding")
    else:
        response = _small(body, "text/javascript", "no-cache")
    response.set_etag(tag)
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@pwa.get("/manifest.webmanifest")
def web_manifest() -> Response:
    body = json.dumps(manifest(negotiate_ui(request.args.get("ui"))), ensure_ascii=False).encode()
    return _small(body, "application/manifest+json", "public, max-age=86400")


@pwa.get("/api/places.json")
def places() -> Response:
    """Neighbourhood names and centres, so "near Alberta Avenue" works offline (a few KB, kept by the worker)."""
    rows = current_app.config["ELIP_NEIGHBOURHOODS"].rows
    # Four decimals are 11 m, far finer than a neighbourhood's centre needs to be to rank by distance.
    body = json.dumps([{"name": r["name"], "lat": round(r["lat"], 4), "lon": round(r["lon"], 4)} for r in rows],
                      ensure_ascii=False, separators=(",", ":")).encode()
    return _small(body, "application/json", "public, max-age=86400")


@pwa.after_app_request
def remember_low_data(response: Response) -> Response:
    """The low-data choice made with the switch holds on the next visits (the page's URL drops it)."""
    choice = request.args.get("data")
    if request.method == "GET" and request.path == "/" and choice in ("low", "full"):
        response.set_cookie(LOW_DATA_COOKIE, choice, max_age=YEAR, samesite="Lax", secure=request.is_secure)
    return response
