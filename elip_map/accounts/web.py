"""Wire accounts into the Flask server behind Dash: secret key, cookies, CSRF, login/logout, route gates.

Dash callbacks all go through ``/_dash-update-component``, so the gates here protect page URLs only;
every callback that reads or writes non-public data also calls :func:`require_staff` or
:func:`require_account` itself (see :mod:`elip_map.accounts.permissions`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, abort, redirect, request, session
from markupsafe import escape
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from sqlalchemy.exc import IntegrityError
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import Settings
from ..directory.storage import Database
from ..directory.users import ROLE_WORDS
from ..i18n import N_, reader_translator, reader_ui, text_direction, translator
from .passwords import WeakPassword
from .service import (DEFAULT_SESSION_MINUTES, AccountError, TooManyAttempts, authenticate, end_session,
                      ensure_admin_from_env, load_session, start_session)

log = logging.getLogger(__name__)

CSRF_COOKIE = "_csrf_token"  # the cookie Dash's renderer reads to send the X-CSRFToken header
SESSION_COOKIE = "elip_session"
LOGIN_URL = "/login"
STAFF_PREFIX = "/staff"
PARTNER_PREFIX = "/partner"
# Static files never need a session or a CSRF cookie.
_STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/favicon.ico")


def resolve_secret_key(settings: Settings) -> str:
    """The configured key; in development a random per-process key (sessions end at restart)."""
    if settings.secret_key:
        return settings.secret_key
    if settings.production:
        raise RuntimeError("ELIP_SECRET_KEY must be set in production (ELIP_PRODUCTION=1): it signs the "
                           "session cookies and must be the same in every worker.")
    log.warning("ELIP_SECRET_KEY is not set: using a random key for this process only. Logins end when it "
                "restarts and do not work with several workers; set ELIP_SECRET_KEY in production.")
    return secrets.token_urlsafe(48)


def safe_next(target: str | None, default: str) -> str:
    """A local path to go to after login, never another site: safe_next('//evil.example', '/') -> '/'."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def home_for(user) -> str:
    return "/staff/review" if user.is_staff else "/partner"


def gate(path: str, user, staff_prefixes: tuple[str, ...] = (STAFF_PREFIX,)) -> int | None:
    """HTTP status refusing this path to this user (401 anonymous, 403 wrong role), or None to allow.

    Staff may open partner pages (to edit any organization directly); partners never staff pages.
    ``staff_prefixes`` are the staff-only paths (the factory adds ``/coverage`` unless it is public).
    """
    is_staff_path = any(path == p or path.startswith(p + "/") for p in staff_prefixes)
    is_partner_path = path == PARTNER_PREFIX or path.startswith(PARTNER_PREFIX + "/")
    if not (is_staff_path or is_partner_path):
        return None
    if user is None:
        return 401
    if is_staff_path and not user.is_staff:
        return 403
    return None


def current_account():
    """The logged-in user of this request (a plain SessionUser), or None."""
    user = current_user
    return user if getattr(user, "is_authenticated", False) else None


FORBIDDEN_PAGE = """<!doctype html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — {site}</title><link rel="stylesheet" href="/assets/elip_map.css">
<link rel="stylesheet" href="/assets/elip_review.css"></head>
<body class="elip-staff-page"><main id="main" class="elip-refusal-page">
<h1>{heading}</h1>
<p>{signed_in}</p>
<p>{how}</p>
<p class="elip-actions"><a class="elip-action" href="{home}">{home_label}</a>
<a class="elip-action" href="/">{public}</a></p>
<form method="post" action="/auth/logout"><input type="hidden" name="csrf_token" value="{csrf}">
<button type="submit" class="elip-action elip-secondary">{switch}</button></form>
</main></body></html>"""


def forbidden_page(user, path: str, csrf: str, ui: str | None = None) -> str:
    """The 403 page in the reader's language: who is signed in and how to get access (every value escaped)."""
    ui = ui or reader_ui()
    _ = translator(ui)
    who = getattr(user, "email", None) or _("unknown")
    role = getattr(user, "role", None)
    partner = not getattr(user, "is_staff", False)
    # The sentence is translated whole, then the escaped values go into its escaped placeholders.
    signed_in = str(escape(_("You are signed in as {who} ({role}). Your account cannot open {path}."))).format(
        who=f'<strong><bdi dir="ltr">{escape(who)}</bdi></strong>',
        role=escape(_(ROLE_WORDS[role]) if role in ROLE_WORDS else _("no role")),
        path=f'<bdi dir="ltr"><code>{escape(path)}</code></bdi>')
    return FORBIDDEN_PAGE.format(
        lang=escape(ui), dir=text_direction(ui), title=escape(_("No access")), site=escape(_("ELIP Service Map")),
        heading=escape(_("This page is for ELIP staff")), signed_in=signed_in,
        how=escape(_("To get access, ask an ELIP staff member to give your account the staff role (they manage "
                     "accounts at Staff → Accounts), or sign in with your staff account.")),
        home=PARTNER_PREFIX if partner else "/staff/review",
        home_label=escape(_("Back to your organization's listings") if partner else _("Staff pages")),
        public=escape(_("Find services (public map)")), switch=escape(_("Log out and sign in as someone else")),
        csrf=escape(csrf))


def trust_proxies(server: Flask, count: int) -> None:
    """Read the client's address and scheme from the last ``count`` X-Forwarded-For/-Proto entries.

    Only the entries added by our own proxies are believed (werkzeug's ProxyFix): with ``count`` 0 the
    headers are ignored, so a client cannot dodge the per-address login limit by writing its own.
    """
    if count > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count)


def init_auth(app, settings: Settings, database: Database, *, staff_prefixes: tuple[str, ...] = (STAFF_PREFIX,)) -> None:
    """Register sessions, CSRF protection, login/logout routes and the /staff and /partner gates on ``app.server``."""
    server: Flask = app.server
    trust_proxies(server, settings.trusted_proxies)
    minutes = settings.session_minutes or DEFAULT_SESSION_MINUTES
    server.secret_key = resolve_secret_key(settings)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=minutes),
        REMEMBER_COOKIE_DURATION=dt.timedelta(minutes=minutes),  # remember-me is never offered; bounded anyway
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_SAMESITE="Lax",
        # The token lives as long as the session it is bound to (logins expire in the database); a time
        # limit would break a newcomer's long-open map page for no gain.
        WTF_CSRF_TIME_LIMIT=None,
    )
    CSRFProtect(server)

    manager = LoginManager()
    manager.session_protection = "basic"
    manager.init_app(server)

    @manager.user_loader
    def _load(token: str):
        with database.session() as s:
            return load_session(s, token)

    try:
        with database.session() as s:
            if ensure_admin_from_env(s):
                log.info("first staff account created from ELIP_ADMIN_EMAIL")
    except (AccountError, WeakPassword) as exc:
        raise RuntimeError(f"ELIP_ADMIN_EMAIL / ELIP_ADMIN_PASSWORD: {exc}") from None
    except IntegrityError:  # another worker created it at the same moment
        pass

    @server.errorhandler(CSRFError)
    def _csrf_refused(exc: CSRFError):
        _ = reader_translator()
        return Response(_("The page could not understand this request. Reload the page and try "
                                            "again."), status=400, mimetype="text/plain")

    @server.errorhandler(403)
    def _forbidden(_exc):
        user = current_account()
        if user is None or request.path.startswith("/_dash"):  # a callback: Dash shows its own error
            return Response("Forbidden", status=403, mimetype="text/plain")
        return Response(forbidden_page(user, request.path, generate_csrf()), status=403, mimetype="text/html")

    @server.before_request
    def _gate():
        refused = gate(request.path, current_account(), staff_prefixes)
        if refused is None:
            return None
        if refused == 401 and request.method == "GET":
            return redirect(f"{LOGIN_URL}?{urlencode({'next': request.full_path.rstrip('?')})}")
        abort(refused)

    @server.after_request
    def _csrf_cookie(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Only pages get the token: never static files or cacheable API answers (a shared cache must not
        # hand one visitor's cookies to another). Each page load refreshes it before it can expire.
        if response.mimetype == "text/html" and not request.path.startswith(_STATIC_PREFIXES):
            # Readable by the page's JavaScript on purpose (Dash copies it into the X-CSRFToken header);
            # it is useless without the HttpOnly session cookie it is bound to.
            response.set_cookie(CSRF_COOKIE, generate_csrf(), samesite="Lax", secure=settings.production,
                                httponly=False)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith((STAFF_PREFIX, PARTNER_PREFIX, LOGIN_URL, "/auth/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @server.post("/auth/login")
    def _login():
        email = request.form.get("email", "")
        password = request.form.get("password", "")
        target = request.form.get("next", "")
        try:
            # The client's own address: behind ELIP_TRUSTED_PROXIES proxies, ProxyFix has set it from
            # X-Forwarded-For; otherwise that header is ignored (a client could write anything there).
            user = authenticate(database, email, password, ip=request.remote_addr or "unknown")
        except TooManyAttempts as exc:
            wait = math.ceil(exc.wait.total_seconds() / 60)
            return redirect(f"{LOGIN_URL}?{urlencode({'error': 'locked', 'wait': wait, 'next': target})}", code=303)
        account = None
        if user is not None:
            with database.session() as s:
                account = load_session(s, start_session(s, user, minutes=minutes))
        if account is None:
            return redirect(f"{LOGIN_URL}?{urlencode({'error': 'failed', 'next': target})}", code=303)
        session.clear()  # a new session at login: nothing from before survives (session fixation)
        session.permanent = True
        login_user(account, remember=False)
        return redirect(safe_next(target, home_for(account)), code=303)

    @server.post("/auth/logout")
    def _logout():
        user = current_account()
        if user is not None:
            with database.session() as s:
                end_session(s, user.get_id())  # server-side: a copied cookie is dead too
        logout_user()
        session.clear()
        return redirect("/", code=303)
