"""Data health (/staff/health): counts first, then locations to place by hand (drag the pin), geocoding methods
that disagree (choose one of their positions with the same pin), stale listings, verification mail that
bounced or got no reply, organization contacts, suspected duplicates."""

from __future__ import annotations

import dash
import dash_leaflet as dl
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from elip_map.accounts.permissions import account_or_none, database, require_staff, settings
from elip_map.components.staff_ui import (EDMONTON_CENTER, account_bar, pin_map, refusal, rendering_for_a_visitor,
                                          simple_table)
from elip_map.geocoding.selfcheck import disagreement_rows, parse_choice, pin_start
from elip_map.review import ids
from elip_map.review.changes import Conflict, InvalidChange, ReviewError, pending_requests, place_pin
from elip_map.review.health import duplicate_suspects, needs_attention, stale_locations
from elip_map.review.tx import in_transaction
from elip_map.review.views import language_options
from elip_map.verification.contacts import contact_rows, mail_health, set_contact

dash.register_page(__name__, path="/staff/health", name="Data health", title="Data health — ELIP Service Map")

STALE_COLUMNS = [("organization", "Organization"), ("name", "Location"), ("address", "Address"),
                 ("last_verified", "Last verified")]
ATTENTION_COLUMNS = [("organization", "Organization"), ("name", "Location"), ("address", "Address"),
                     ("note", "Why")]
DISAGREE_COLUMNS = [("organization", "Organization"), ("name", "Location"), ("address", "Address"),
                    ("methods", "Methods"), ("apart", "Apart")]
HEALTH_CHOICE = "staff-health-choice"
HEALTH_ALTERNATIVES = "staff-health-alternatives"
DUPLICATE_COLUMNS = [("source_file", "File"), ("rows", "Rows"), ("location_id", "Location id"), ("reason", "Reason")]
BOUNCE_COLUMNS = [("organization", "Organization"), ("to", "Address"), ("status", "Status"), ("error", "Mail server said")]
NO_REPLY_COLUMNS = [("organization", "Organization"), ("to", "Address"), ("sent", "Sent"), ("expires", "Link expires")]
CONTACT_COLUMNS = [("organization", "Organization"), ("email", "Contact e-mail"), ("language", "Language"),
                   ("phone", "Phone")]


def _counts(items: list[tuple[str, int, str]]) -> html.Ul:
    """The numbers a steward checks first, each a link to its section."""
    return html.Ul([html.Li(html.A([html.Strong(str(n), className="elip-count-number"), html.Span(label)],
                                   href=f"#{anchor}", className="elip-count-card" + (" is-zero" if not n else "")))
                    for label, n, anchor in items], className="elip-health-counts", id="staff-health-counts")


def _contact_tool(rows) -> html.Div:
    return html.Div([
        html.P("The verification e-mail goes to this private contact, in its language. It is never shown on "
               "public pages or in the public API."),
        html.Div([html.Label("Organization", htmlFor=ids.HEALTH_CONTACT_ORG),
                  dcc.Dropdown(id=ids.HEALTH_CONTACT_ORG, options=[{"label": r["organization"], "value": r["value"]}
                                                                   for r in rows], placeholder="Pick an organization")],
                 className="elip-field"),
        html.Div([html.Label("Contact e-mail", htmlFor=ids.HEALTH_CONTACT_EMAIL),
                  dcc.Input(id=ids.HEALTH_CONTACT_EMAIL, type="email", autoComplete="off")], className="elip-field"),
        html.Div([html.Label("Preferred language", htmlFor=ids.HEALTH_CONTACT_LANG),
                  dcc.Dropdown(id=ids.HEALTH_CONTACT_LANG, options=language_options(), placeholder="Type a language")],
                 className="elip-field"),
        html.Div([html.Label("Contact phone", htmlFor=ids.HEALTH_CONTACT_PHONE),
                  dcc.Input(id=ids.HEALTH_CONTACT_PHONE, type="tel", autoComplete="off")], className="elip-field"),
        html.Button("Save contact", id=ids.HEALTH_CONTACT_SAVE, className="elip-action", n_clicks=0),
        html.Div(id=ids.HEALTH_CONTACT_MESSAGE, role="status", **{"aria-live": "polite"}),
    ], className="elip-form")


def _pin_tool(options, tile_url, attribution):
    return html.Div([
        html.Label("Location to place or check", htmlFor=ids.HEALTH_LOCATION),
        dcc.Dropdown(id=ids.HEALTH_LOCATION, options=options, value=None, placeholder="Pick a location"),
        dcc.Store(id=ids.HEALTH_VERSION),
        dcc.RadioItems(id=HEALTH_CHOICE, options=[], value=None, className="elip-choice"),
        pin_map(ids.HEALTH_MAP, ids.HEALTH_MARKER, None, tile_url=tile_url, tile_attribution=attribution,
                extra=[dl.LayerGroup(id=HEALTH_ALTERNATIVES)]),
        html.Label("Latitude", htmlFor=ids.HEALTH_LAT), dcc.Input(id=ids.HEALTH_LAT, type="text"),
        html.Label("Longitude", htmlFor=ids.HEALTH_LON), dcc.Input(id=ids.HEALTH_LON, type="text"),
        html.Button("Save pin", id=ids.HEALTH_SAVE, className="elip-action", n_clicks=0),
        html.Div(id=ids.HEALTH_MESSAGE, role="status", **{"aria-live": "polite"}),
    ])


def layout(**_unused):
    """Three lists for the data steward, each with what to do about it."""
    cfg = settings()
    user = account_or_none() if rendering_for_a_visitor() else None
    if user is None or not user.is_staff:
        return html.Main([refusal(user, "/staff/health"), html.Div(_pin_tool([], None, ""), hidden=True),
                          html.Div(_contact_tool([]), hidden=True)], id="main")
    with database().session() as s:
        stale = stale_locations(s, cfg.stale_months)
        attention = needs_attention(s)
        disagree = disagreement_rows(s)
        duplicates = duplicate_suspects(s)
        pending = len(pending_requests(s))
        mail = mail_health(s)
        contacts = contact_rows(s)
    options = [{"label": f"{r['organization']} — {r['name'] or r['address']}", "value": r["location_id"]}
               for r in attention + disagree]
    return html.Main([
        account_bar(user), html.H1("Data health"),
        _counts([("stale listings", len(stale), "health-stale"), ("need attention", len(attention), "health-attention"),
                 ("geocoding disagreements", len(disagree), "health-disagree"),
                 ("corrections waiting for review", pending, "health-pending"),
                 ("bounced e-mails", len(mail["bounced"]), "health-mail"),
                 ("no reply to verification", len(mail["unanswered"]), "health-mail"),
                 ("suspected duplicates", len(duplicates), "health-duplicates")]),
        html.P([f"{pending} partner corrections are waiting for review: ",
                html.A("open the review queue", href="/staff/review")], id="health-pending"),
        html.H2(f"Locations to place by hand ({len(attention)})", id="health-attention"),
        html.P("The geocoder could not place these with confidence, so they are not on the public map. Pick one, "
               "drag the pin to the entrance (or type the coordinates) and save."),
        _pin_tool(options, cfg.tile_url or None, cfg.tile_attribution),
        html.Div(simple_table(ATTENTION_COLUMNS, attention, "Locations whose geocode needs attention"),
                 className="elip-table-wrap"),
        html.H2(f"Geocoding methods that disagree ({len(disagree)})", id="health-disagree"),
        html.P("Two methods put these more than 300 m apart, so one is wrong. Pick the location above, choose "
               "the right position (or drag the pin) and save."),
        html.Div(simple_table(DISAGREE_COLUMNS, disagree, "Locations whose geocoding methods disagree"),
                 className="elip-table-wrap"),
        html.H2(f"Stale listings ({len(stale)})", id="health-stale"),
        html.P(f"Not verified in the last {cfg.stale_months} months: ask the partner to check them."),
        html.Div(simple_table(STALE_COLUMNS, stale, "Stale listings, oldest first"), className="elip-table-wrap"),
        html.H2(f"Verification e-mail ({len(mail['bounced'])} bounced, {len(mail['unanswered'])} without reply)",
                id="health-mail"),
        html.P("Bounced: the mail server refused the address; correct the contact below and run the campaign again. "
               "No reply: sent over two weeks ago, neither confirmed nor corrected; call the organization."),
        html.Div(simple_table(BOUNCE_COLUMNS, mail["bounced"], "Bounced verification e-mails", id="staff-health-bounced"),
                 className="elip-table-wrap"),
        html.Div(simple_table(NO_REPLY_COLUMNS, mail["unanswered"], "Verification e-mails without a reply",
                              id="staff-health-unanswered"), className="elip-table-wrap"),
        html.H2("Organization contacts", id="health-contacts"),
        _contact_tool(contacts),
        html.Div(simple_table(CONTACT_COLUMNS, contacts, "Contacts (organizations without one first)"),
                 className="elip-table-wrap"),
        html.H2(f"Suspected duplicates ({len(duplicates)})", id="health-duplicates"),
        html.Div(simple_table(DUPLICATE_COLUMNS, duplicates, "Rows an import thought were the same location"),
                 className="elip-table-wrap"),
    ], id="main", className="elip-staff-main")


@callback(Output(ids.HEALTH_MARKER, "position"), Output(ids.HEALTH_MAP, "viewport"), Output(ids.HEALTH_VERSION, "data"),
          Output(HEALTH_CHOICE, "options"), Output(HEALTH_ALTERNATIVES, "children"),
          Input(ids.HEALTH_LOCATION, "value"), prevent_initial_call=True)
def pick_location(location_id):
    """A location was picked: start the pin where it is (or the city centre); show both positions of a disagreement."""
    require_staff()
    with database().session() as s:
        row = next((r for r in needs_attention(s) + disagreement_rows(s) if r["location_id"] == location_id), None)
    if row is None:
        return no_update, no_update, None, [], []
    pin, zoom, choices = pin_start(row, EDMONTON_CENTER)
    return pin, {"center": pin, "zoom": zoom}, row["version"], choices, [_alternative(c) for c in choices]


def _alternative(choice: dict):
    return dl.CircleMarker(center=parse_choice(choice["value"]), radius=8, children=dl.Tooltip(choice["label"]))


@callback(Output(ids.HEALTH_MARKER, "position", allow_duplicate=True), Input(HEALTH_CHOICE, "value"),
          prevent_initial_call=True)
def choose_position(value):
    """Staff chose one method's position: the pin goes there (then "Save pin")."""
    require_staff()
    return parse_choice(value) or no_update


clientside_callback(
    ClientsideFunction("elip_review", "pinToFields"),
    Output(ids.HEALTH_LAT, "value"), Output(ids.HEALTH_LON, "value"), Input(ids.HEALTH_MARKER, "position"),
)


@callback(Output(ids.HEALTH_MESSAGE, "children"), Input(ids.HEALTH_SAVE, "n_clicks"),
          State(ids.HEALTH_LOCATION, "value"), State(ids.HEALTH_LAT, "value"), State(ids.HEALTH_LON, "value"),
          State(ids.HEALTH_VERSION, "data"), prevent_initial_call=True)
def save_pin(_clicks, location_id, lat, lon, version):
    """Staff pressed "Save pin"."""
    staff = require_staff()
    if [lat, lon] == [str(c) for c in EDMONTON_CENTER]:  # the marker never moved from its starting point
        return html.P("Drag the pin onto the building first (or type its coordinates).", className="elip-error")
    try:
        in_transaction(database(), lambda s: place_pin(s, staff, location_id, float(lat), float(lon), int(version)))
    except (InvalidChange, Conflict, ReviewError) as exc:   # InvalidChange is a ValueError: it goes first
        return html.P(str(exc), className="elip-error")
    except (TypeError, ValueError):
        return html.P("Pick a location and give a latitude and longitude.", className="elip-error")
    return html.P("Pin saved: the location is on the public map now.", className="elip-ok")


@callback(Output(ids.HEALTH_CONTACT_EMAIL, "value"), Output(ids.HEALTH_CONTACT_LANG, "value"),
          Output(ids.HEALTH_CONTACT_PHONE, "value"), Input(ids.HEALTH_CONTACT_ORG, "value"), prevent_initial_call=True)
def pick_contact(organization_id):
    """An organization was picked: show its contact."""
    require_staff()
    with database().session() as s:
        row = next((r for r in contact_rows(s) if r["value"] == organization_id), None)
    return (row["email"], row["language"] or None, row["phone"]) if row else ("", None, "")


@callback(Output(ids.HEALTH_CONTACT_MESSAGE, "children"), Input(ids.HEALTH_CONTACT_SAVE, "n_clicks"),
          State(ids.HEALTH_CONTACT_ORG, "value"), State(ids.HEALTH_CONTACT_EMAIL, "value"),
          State(ids.HEALTH_CONTACT_LANG, "value"), State(ids.HEALTH_CONTACT_PHONE, "value"), prevent_initial_call=True)
def save_contact(_clicks, organization_id, email, language, phone):
    """Staff pressed "Save contact"."""
    staff = require_staff()
    try:
        in_transaction(database(), lambda s: set_contact(s, staff, organization_id, email, language, phone))
    except (InvalidChange, ReviewError) as exc:
        return html.P(str(exc), className="elip-error")
    return html.P("Contact saved. The next campaign writes to it.", className="elip-ok")
