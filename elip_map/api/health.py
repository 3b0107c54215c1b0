"""Is the service able to answer? ``/healthz`` for load balancers and monitors, and the test the pages use
to say "temporarily unavailable" instead of showing an empty map when the database is gone."""

from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# Paths that are not pages: they answer for themselves (static files, the API, Dash's own routes).
NOT_PAGES = ("/assets/", "/_dash-", "/_favicon", "/favicon.ico", "/api/", "/hsds/", "/healthz", "/sw.js",
             "/manifest.webmanifest", "/static/", "/_reload-hash", "/auth/", "/verify/")


def is_database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means the database cannot be reached or used at all (down, unreachable, locked)."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def database_problem(database) -> str | None:
    """None when the database answers a query now, else the name of what went wrong (no details: they may
    name hosts and users)."""
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means: not able to serve data
        return type(exc).__name__
    return None


def is_page(path: str) -> bool:
    return not path.startswith(NOT_PAGES)


def init_health(server: Flask, database) -> None:
    @server.get("/healthz")
    def healthz():
        problem = database_problem(database)
        body = {"status": "ok" if problem is None else "unavailable", "database": problem or "ok"}
        response = jsonify(body)
        response.status_code = 200 if problem is None else 503
        response.headers["Cache-Control"] = "no-store"
        return response
