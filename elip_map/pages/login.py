"""Log in: a plain form posted to /auth/login (works without JavaScript; CSRF token in a hidden field)."""

from __future__ import annotations

import dash
from dash import dcc, html

from elip_map.accounts.permissions import account_or_none
from elip_map.i18n import N_, page_title, negotiate_ui, translator
from elip_map.accounts.web import safe_next
from elip_map.components.staff_ui import account_bar, csrf_field, rendering_for_a_visitor
from elip_map.review import ids

dash.register_page(__name__, path="/login", name=N_("Log in"), title=page_title(N_("Log in")))

ERRORS = {
    "failed": N_("Wrong email or password."),
}


def _wait_minutes(wait) -> int:
    """Minutes to wait, from the query (forgeable, so only a whole number from 1 to 60 is believed)."""
    try:
        return min(60, max(1, int(wait)))
    except (TypeError, ValueError):
        return 15


def layout(error=None, next=None, ui=None, wait=None, **_unused):  # noqa: A002 - "next" is the query parameter's name
    """The login form, or who is signed in."""
    _ = translator(negotiate_ui(ui))
    user = account_or_none() if rendering_for_a_visitor() else None
    if user is not None:
        return html.Main([html.H1(_("Signed in")), account_bar(user),
                          html.P(html.A(_("Continue"), href="/staff/review" if user.is_staff else "/partner"))],
                         id="main")
    message = _(ERRORS[error]) if error in ERRORS else None
    if error == "locked":  # the wait grows with each failure (back-off), so say how long it is now
        message = _.ngettext("Too many failed logins. Try again in {n} minute, or ask ELIP staff to reset your "
                             "password.", "Too many failed logins. Try again in {n} minutes, or ask ELIP staff to "
                             "reset your password.", _wait_minutes(wait))
    return html.Main([
        html.H1(_("Log in")),
        html.P(_("For ELIP staff and partner organizations. Newcomers do not need an account.")),
        html.P(message, id=ids.LOGIN_ERROR, role="alert", className="elip-error") if message else
        html.P(id=ids.LOGIN_ERROR),
        html.Form([
            csrf_field(),
            dcc.Input(type="hidden", name="next", value=safe_next(next, "")),
            html.Label(_("Email"), htmlFor=ids.LOGIN_EMAIL),
            dcc.Input(id=ids.LOGIN_EMAIL, type="email", name="email", required=True, autoComplete="username"),
            html.Label(_("Password"), htmlFor=ids.LOGIN_PASSWORD),
            dcc.Input(id=ids.LOGIN_PASSWORD, type="password", name="password", required=True,
                      autoComplete="current-password"),
            html.Button(_("Log in"), type="submit", className="elip-action"),
        ], id=ids.LOGIN_FORM, action="/auth/login", method="post", className="elip-form"),
        html.P(_("Forgot your password? Ask ELIP staff to reset it.")),
    ], id="main")
