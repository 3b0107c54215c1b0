"""Server-side checks for Dash callbacks and layouts: every Input, State and Store is forgeable.

A callback that reads or writes non-public data starts with ``require_staff()`` or
``require_account()``; they abort the request with 401/403, which Dash passes through as the HTTP
status, so no data is computed for an unauthorized caller.
"""

from __future__ import annotations

from flask import abort, current_app, has_request_context

from .web import current_account


def account_or_none():
    """The logged-in user, or None (also outside a request, e.g. when Dash collects layouts)."""
    if not has_request_context():
        return None
    return current_account()


def require_account():
    user = account_or_none()
    if user is None:
        abort(401)
    return user


def require_staff():
    user = require_account()
    if not user.is_staff:
        abort(403)
    return user


def database():
    """The app's database (set by create_app on the Flask config)."""
    return current_app.config["ELIP_DATABASE"]


def settings():
    return current_app.config["ELIP_SETTINGS"]
