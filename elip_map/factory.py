"""Build the Dash app: one place that wires settings, database, reference data and pages together."""

from __future__ import annotations

import logging
from html import escape as html_escape
from urllib.parse import parse_qs

import dash
from dash import ClientsideFunction, Input, Output, dcc, html
from flask import Flask, current_app, g, request
from werkzeug.exceptions import HTTPException

from . import ids
from .accounts.web import init_auth
from .api import init_api
from .api.callback_guard import CALLBACK_PATH, check_callback_request, is_input_error
from .api.headers import init_headers
from .api.health import database_problem, init_health, is_database_unavailable, is_page
from .api.pwa import app_icon, head_tags
from .api.static import init_static
from .components.page_assets import slim_config, slim_tags
from .components.error_pages import error_message, error_page
from .components.navbar import footer, nav_pages, navbar, sample_banner
from .config import Settings, require_safe_for_production
from .coverage.access import coverage_allowed
from .directory.storage import DATASET_KEY, get_meta, open_database
from .hsds.api import init_hsds
from .i18n import COOKIE_MAX_AGE, COOKIE_NAME, N_, negotiate_ui, remember_choice, text_direction, translator
from .importers.sample import load_sample_if_empty
from .paths import ASSETS_DIR, PACKAGE_DIR
from .review.web import init_review_routes
from .spatial.neighbourhoods import load_neighbourhoods_for_app
from .verification.web import init_verification_routes

log = logging.getLogger(__name__)
LOADING = N_("Loading…")


class ElipDash(dash.Dash):
    """Dash with ``<html lang dir>`` set on the server, so a ``?ui=ar`` link (or an Arabic browser on its
    first visit) paints right-to-left at once."""

    def interpolate_index(self, **kwargs):
        # One icon for the tab and the installed app: the manifest's SVG, which the browser fetches anyway
        # (Dash's favicon.ico was a second file, 0.5 KB of a first visit on a prepaid plan).
        kwargs["favicon"] = f'<link rel="icon" type="image/svg+xml" href="{app_icon()}">'
        page = super().interpolate_index(**kwargs)
        try:
            ui = negotiate_ui(request.args.get("ui"))  # URL, else cookie, else Accept-Language
        except RuntimeError:  # outside a request (never in practice): keep Dash's page
            return page
        page = page.replace("</head>", head_tags(ui) + "</head>", 1)  # installable app (api/pwa.py)
        page = page.replace("<html>", f'<html lang="{ui}" dir="{text_direction(ui)}">', 1)
        # Dash's placeholder until its scripts run (seconds on a slow phone), in the reader's language.
        return page.replace("\n        Loading...\n", "\n        " + html_escape(translator(ui)(LOADING)) + "\n", 1)

    # Each page loads only the bundles it uses (components/page_assets.py): no DataTable for newcomers.
    def _generate_scripts_html(self) -> str:
        return slim_tags(super()._generate_scripts_html(), request.path)

    def _generate_css_dist_html(self):
        return slim_tags(super()._generate_css_dist_html(), request.path)

    def _config(self):
        return slim_config(super()._config(), request.path)


def _remember_ui(response):
    """A ``ui=`` the reader chose is kept in a cookie, so their next visit without it opens in that language."""
    if response.mimetype == "text/html":  # the same URL answers in the language of the cookie or the browser
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    chosen = remember_choice(request.args.get("ui"), request.cookies.get(COOKIE_NAME))
    if chosen and response.status_code < 400:
        settings = current_app.config["ELIP_SETTINGS"]
        response.set_cookie(COOKIE_NAME, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                            secure=bool(getattr(settings, "production", False)))
    return response


RETRY_AFTER_SECONDS = "120"


def _plain(status: int):
    """A one-sentence answer in the reader's language, for callers that are not pages (callbacks, the API)."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    return error_message(status, request.args.get("ui")), status, headers


def _answer(status: int, exc=None):
    """Errors on pages get a plain page in the reader's language; the API and Dash's own routes get one
    sentence (400, 500, 503) or keep werkzeug's answer (``exc``) for the rest."""
    if request.path.startswith(("/api/", "/_dash-", "/_reload-hash", "/auth/")):
        return _plain(status) if status in (400, 500, 503) or exc is None else exc
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if status == 503:
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    return error_page(status, request.args.get("ui")), status, headers


def _error_page(exc):
    """An HTTP error (404, 403, 413, 500...) in the reader's language."""
    return _answer(getattr(exc, "code", None) or 500, exc)


def _unhandled(exc: Exception):
    """An exception nothing handled: a database that cannot be reached is 503 (temporarily unavailable), a
    callback that could not use its inputs is 400 (a forged or garbled request: a page of ours never sends
    it), anything else 500 with the traceback in the server log. The person gets a sentence, never a trace."""
    if is_database_unavailable(exc):
        log.error("database unavailable on %s: %s", request.path, " ".join(str(exc).split())[:300])
        return _answer(503)
    if request.path == CALLBACK_PATH and is_input_error(exc):
        log.warning("refused a callback request its callback could not use: %s: %s", type(exc).__name__,
                    " ".join(str(exc).split())[:200])
        return _answer(400)
    log.exception("Exception on %s [%s]", request.path, request.method)
    return _answer(500)


# Flask-Compress (Dash's ``compress=True``) compresses each dynamic answer (pages, layout, callbacks) as it
# goes. Chromium accepts zstd and brotli alike and Flask-Compress would pick zstd at level 3; brotli at
# quality 5 costs about as little CPU and gives smaller bodies, so it comes first. Read once, when Dash
# starts Flask-Compress, hence set on the Flask app before Dash gets it.
COMPRESSION = {"COMPRESS_ALGORITHM": ["br", "zstd", "gzip", "deflate"],
               "COMPRESS_ALGORITHM_STREAMING": ["br", "zstd", "deflate"], "COMPRESS_BR_LEVEL": 5}


def _flask_server() -> Flask:
    server = Flask("elip_map")  # the name Dash would give it
    server.config.update(COMPRESSION)
    return server


def create_app(settings: Settings | None = None, *, load_sample: bool = True) -> dash.Dash:
    """Create the app; on an empty database, load the bundled sample directory first.

    Reference data (boundaries) is loaded here once, read-only; directory data is read from the
    database per request, never kept in a module global.
    """
    settings = settings or Settings.from_env()
    require_safe_for_production(settings)
    database = open_database(settings.database_url)
    if load_sample:
        load_sample_if_empty(database)
    neighbourhoods = load_neighbourhoods_for_app(settings)

    app = ElipDash(
        "elip_map",
        server=_flask_server(),
        use_pages=True,
        pages_folder=str(PACKAGE_DIR / "pages"),
        assets_folder=str(ASSETS_DIR),
        title="ELIP Service Map",
        update_title=None,
        compress=True,
        suppress_callback_exceptions=False,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    server = app.server
    server.config["ELIP_SETTINGS"] = settings
    server.config["ELIP_DASH_APP"] = app  # the callback guard reads the components' declared types
    server.config["ELIP_DATABASE"] = database
    server.config["ELIP_NEIGHBOURHOODS"] = neighbourhoods
    server.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + 1024 * 1024
    if settings.secret_key:
        server.secret_key = settings.secret_key

    @server.before_request
    def _attach():
        g.settings = settings
        g.database = database

    @server.before_request
    def _refuse_forged_callbacks():
        if check_callback_request():
            return _plain(400)
        return None

    @server.before_request
    def _pages_need_the_database():
        # A page without its data is an empty map: say "temporarily unavailable" in the reader's language.
        if request.method == "GET" and is_page(request.path) and database_problem(database):
            return error_page(503, request.args.get("ui")), 503, {"Content-Type": "text/html; charset=utf-8",
                                                                   "Retry-After": RETRY_AFTER_SECONDS,
                                                                   "Cache-Control": "no-store"}
        return None

    server.after_request(_remember_ui)
    server.register_error_handler(HTTPException, _error_page)
    server.register_error_handler(500, _error_page)
    server.register_error_handler(Exception, _unhandled)
    init_headers(app, settings)
    init_health(server, database)
    init_api(server)
    init_hsds(server)
    init_static(server)

    # Sessions, CSRF, login/logout, and the gates: /staff (and /coverage unless opened for development) and /partner.
    staff_prefixes = ("/staff",) if coverage_allowed(settings) else ("/staff", "/coverage")
    init_auth(app, settings, database, staff_prefixes=staff_prefixes)
    init_review_routes(server, database)
    init_verification_routes(server, database, settings)

    app.layout = html.Div([
        html.Header([html.Div(id=ids.SHELL_NAV), html.Div(id=ids.SHELL_BANNER)], className="elip-header"),
        dash.page_container,
        html.Div(id=ids.SHELL_FOOTER),
        dcc.Store(id=ids.SHELL_DIR_SINK),
    ], className="elip-shell")
    _register_shell_callbacks(app)
    return app


def shell_parts(pathname: str | None, search: str | None, on_sample: bool, registry) -> tuple:
    """Navigation, banner and footer for one URL (pure: the callback only adds the database fact)."""
    ui = negotiate_ui((parse_qs((search or "").lstrip("?")).get("ui") or [None])[0])
    return navbar(ui, pathname or "/", nav_pages(registry)), (sample_banner(ui) if on_sample else None), footer(ui)


def _register_shell_callbacks(app: dash.Dash) -> None:
    # Registered on the app (not with the global @callback): tests and workers build several apps.
    @app.callback(Output(ids.SHELL_NAV, "children"), Output(ids.SHELL_BANNER, "children"),
                  Output(ids.SHELL_FOOTER, "children"),
                  Input("_pages_location", "pathname"), Input("_pages_location", "search"))
    def render_shell(pathname, search):
        """A page was opened: navigation, sample-data banner and footer in the reader's language."""
        with current_app.config["ELIP_DATABASE"].session() as session:
            on_sample = get_meta(session, DATASET_KEY) == "bundled-sample"
        return shell_parts(pathname, search, on_sample, dash.page_registry)

    app.clientside_callback(ClientsideFunction("elip_map", "setDir"), Output(ids.SHELL_DIR_SINK, "data"),
                            Input("_pages_location", "search"))
