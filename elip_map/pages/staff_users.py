"""Accounts (/staff/users): list accounts, add staff or partner accounts, reset a password."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html

from elip_map.accounts.models import ROLES
from elip_map.accounts.permissions import account_or_none, database, require_staff
from elip_map.accounts.user_admin import USER_COLUMNS, manage_user, user_rows
from elip_map.components.staff_ui import ROLE_WORDS, account_bar, refusal, rendering_for_a_visitor, simple_table
from elip_map.components.filter_panel import dropdown_labels
from elip_map.i18n import N_, negotiate_ui, page_title, reader_translator, translator
from elip_map.review import ids
from elip_map.review.views import organization_options

dash.register_page(__name__, path="/staff/users", name=N_("Accounts"), title=page_title(N_("Accounts")))


def _forms(org_options, ui):
    _ = translator(ui)
    return html.Div([
        html.H2(_("Add an account")),
        html.Label(_("Email"), htmlFor=ids.USERS_EMAIL), dcc.Input(id=ids.USERS_EMAIL, type="email"),
        html.Label(_("Role"), htmlFor=ids.USERS_ROLE),
        dcc.Dropdown(id=ids.USERS_ROLE, options=[{"label": _(ROLE_WORDS.get(r, r)), "value": r} for r in ROLES],
                     value="partner", labels=dropdown_labels(ui)),
        html.Label(_("Organization (partners)"), htmlFor=ids.USERS_ORG),
        dcc.Dropdown(id=ids.USERS_ORG, options=org_options, placeholder=_("Select…"), labels=dropdown_labels(ui)),
        html.Label(_("First password (tell them to keep it private)"), htmlFor=ids.USERS_PASSWORD),
        dcc.Input(id=ids.USERS_PASSWORD, type="password", autoComplete="new-password"),
        html.Button(_("Add account"), id=ids.USERS_ADD, className="elip-action", n_clicks=0),
        html.H2(_("Reset a password, or disable an account")),
        html.P(_("Either way the account's open sessions end at once. Disable the accounts of people who left.")),
        html.Label(_("Email"), htmlFor=ids.USERS_RESET_EMAIL), dcc.Input(id=ids.USERS_RESET_EMAIL, type="email"),
        html.Label(_("New password"), htmlFor=ids.USERS_RESET_PASSWORD),
        dcc.Input(id=ids.USERS_RESET_PASSWORD, type="password", autoComplete="new-password"),
        html.Button(_("Reset password"), id=ids.USERS_RESET, className="elip-action", n_clicks=0),
        html.Button(_("Disable or enable account"), id=ids.USERS_TOGGLE, className="elip-action", n_clicks=0),
        html.Div(id=ids.USERS_MESSAGE, role="status", **{"aria-live": "polite"}),
    ])


def _table(rows, _):
    return simple_table([(key, _(heading)) for key, heading in USER_COLUMNS], rows, _("Accounts"))


def layout(ui=None, **_unused):
    """Accounts and the two forms (staff only)."""
    ui = negotiate_ui(ui)
    user = account_or_none() if rendering_for_a_visitor() else None
    if user is None or not user.is_staff:
        return html.Main([refusal(user, "/staff/users", ui), html.Div([_forms([], ui), html.Div(id=ids.USERS_TABLE)],
                                                                        hidden=True)], id="main")
    with database().session() as s:
        rows, orgs = user_rows(s), organization_options(s)
    _ = translator(ui)
    return html.Main([account_bar(user, ui), html.H1(_("Accounts")),
                      html.Div(_table(rows, _), id=ids.USERS_TABLE),
                      _forms(orgs, ui)], id="main")


@callback(Output(ids.USERS_MESSAGE, "children"), Output(ids.USERS_TABLE, "children"),
          Output(ids.USERS_PASSWORD, "value"), Output(ids.USERS_RESET_PASSWORD, "value"),
          Input(ids.USERS_ADD, "n_clicks"), Input(ids.USERS_RESET, "n_clicks"), Input(ids.USERS_TOGGLE, "n_clicks"),
          State(ids.USERS_EMAIL, "value"), State(ids.USERS_ROLE, "value"), State(ids.USERS_ORG, "value"),
          State(ids.USERS_PASSWORD, "value"), State(ids.USERS_RESET_EMAIL, "value"),
          State(ids.USERS_RESET_PASSWORD, "value"), prevent_initial_call=True)
def on_manage(_add, _reset, _toggle, email, role, org, password, reset_email, reset_password):
    """Staff pressed "Add account", "Reset password" or "Disable or enable" (passwords are cleared either way)."""
    staff = require_staff()
    ok, message, rows = manage_user(database(), staff, ctx.triggered_id == ids.USERS_ADD, email=email, role=role,
                                    organization_id=org, password=password, reset_email=reset_email,
                                    reset_password=reset_password, toggle=ctx.triggered_id == ids.USERS_TOGGLE,
                                    ui=negotiate_ui(None))
    return html.P(message, className="elip-ok" if ok else "elip-error"), _table(rows, reader_translator()), "", ""
