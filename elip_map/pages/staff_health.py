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
from elip_map.components.filter_panel import dropdown_labels
from elip_map.i18n import N_, negotiate_ui, page_title, reader_translator, reader_ui, translator
from elip_map.geocoding.selfcheck import disagreement_rows, parse_choice, pin_start
from elip_map.review import ids
from elip_map.review.changes import Conflict, InvalidChange, ReviewError, pending_requests, place_pin
from elip_map.review.health import duplicate_suspects, needs_attention, stale_locations
from elip_map.review.tx import in_transaction
from elip_map.review.views import language_options
from elip_map.verification.contacts import contact_rows, mail_health, set_contact

dash.register_page(__name__, path="/staff/health", name=N_("Data health"), title=page_title(N_("Data health")))

# (key, heading): headings are message ids, translated when the table is drawn.
STALE_COLUMNS = [("organization", N_("Organization")), ("name", N_("Location")), ("address", N_("Address")),
                 ("last_verified", N_("Last verified"))]
ATTENTION_COLUMNS = [("organization", N_("Organization")), ("name", N_("Location")), ("address", N_("Address")),
                     ("note", N_("Why"))]
DISAGREE_COLUMNS = [("organization", N_("Organization")), ("name", N_("Location")), ("address", N_("Address")),
                    ("methods", N_("Methods")), ("apart", N_("Apart"))]
HEALTH_CHOICE = "staff-health-choice"
HEALTH_ALTERNATIVES = "staff-health-alternatives"
DUPLICATE_COLUMNS = [("source_file", N_("File")), ("rows", N_("Rows")), ("location_id", N_("Location id")),
                     ("reason", N_("Reason"))]
BOUNCE_COLUMNS = [("organization", N_("Organization")), ("to", N_("Address")), ("status_text", N_("Status")),
                  ("error", N_("Mail server said"))]
NO_REPLY_COLUMNS = [("organization", N_("Organization")), ("to", N_("Address")), ("sent", N_("Sent")),
                    ("expires", N_("Link expires"))]
CONTACT_COLUMNS = [("organization", N_("Organization")), ("email", N_("Contact e-mail")), ("language", N_("Language")),
                   ("phone", N_("Phone"))]


def _table(columns, rows, caption, _, **kwargs):
    return simple_table([(key, _(heading)) for key, heading in columns], rows, caption, **kwargs)


def _counts(items: list[tuple[str, int, str]]) -> html.Ul:
    """The numbers a steward checks first, each a link to its section."""
    return html.Ul([html.Li(html.A([html.Strong(str(n), className="elip-count-number"), html.Span(label)],
                                   href=f"#{anchor}", className="elip-count-card" + (" is-zero" if not n else "")))
                    for label, n, anchor in items], className="elip-health-counts", id="staff-health-counts")


def _contact_tool(rows, ui) -> html.Div:
    _ = translator(ui)
    return html.Div([
        html.P(_("The verification e-mail goes to this private contact, in its language. It is never shown on "
                 "public pages or in the public API.")),
        html.Div([html.Label(_("Organization"), htmlFor=ids.HEALTH_CONTACT_ORG),
                  dcc.Dropdown(id=ids.HEALTH_CONTACT_ORG, options=[{"label": r["organization"], "value": r["value"]}
                                                                   for r in rows], placeholder=_("Pick an organization"),
                               labels=dropdown_labels(ui))],
                 className="elip-field"),
        html.Div([html.Label(_("Contact e-mail"), htmlFor=ids.HEALTH_CONTACT_EMAIL),
                  dcc.Input(id=ids.HEALTH_CONTACT_EMAIL, type="email", autoComplete="off")], className="elip-field"),
        html.Div([html.Label(_("Preferred language"), htmlFor=ids.HEALTH_CONTACT_LANG),
                  dcc.Dropdown(id=ids.HEALTH_CONTACT_LANG, options=language_options(ui=ui),
                               placeholder=_("Type a language"), labels=dropdown_labels(ui))],
                 className="elip-field"),
        html.Div([html.Label(_("Contact phone"), htmlFor=ids.HEALTH_CONTACT_PHONE),
                  dcc.Input(id=ids.HEALTH_CONTACT_PHONE, type="tel", autoComplete="off")], className="elip-field"),
        html.Button(_("Save contact"), id=ids.HEALTH_CONTACT_SAVE, className="elip-action", n_clicks=0),
        html.Div(id=ids.HEALTH_CONTACT_MESSAGE, role="status", **{"aria-live": "polite"}),
    ], className="elip-form")


def _pin_tool(options, tile_url, attribution, ui):
    _ = translator(ui)
    return html.Div([
        html.Label(_("Location to place or check"), htmlFor=ids.HEALTH_LOCATION),
        dcc.Dropdown(id=ids.HEALTH_LOCATION, options=options, value=None, placeholder=_("Pick a location"),
                     labels=dropdown_labels(ui)),
        dcc.Store(id=ids.HEALTH_VERSION),
        dcc.RadioItems(id=HEALTH_CHOICE, options=[], value=None, className="elip-choice"),
        pin_map(ids.HEALTH_MAP, ids.HEALTH_MARKER, None, tile_url=tile_url, tile_attribution=attribution,
                extra=[dl.LayerGroup(id=HEALTH_ALTERNATIVES)], ui=ui),
        html.Label(_("Latitude"), htmlFor=ids.HEALTH_LAT), dcc.Input(id=ids.HEALTH_LAT, type="text"),
        html.Label(_("Longitude"), htmlFor=ids.HEALTH_LON), dcc.Input(id=ids.HEALTH_LON, type="text"),
        html.Button(_("Save pin"), id=ids.HEALTH_SAVE, className="elip-action", n_clicks=0),
        html.Div(id=ids.HEALTH_MESSAGE, role="status", **{"aria-live": "polite"}),
    ])


def layout(ui=None, **_unused):
    """Three lists for the data steward, each with what to do about it."""
    ui = negotiate_ui(ui)
    _ = translator(ui)
    cfg = settings()
    user = account_or_none() if rendering_for_a_visitor() else None
    if user is None or not user.is_staff:
        return html.Main([refusal(user, "/staff/health", ui), html.Div(_pin_tool([], None, "", ui), hidden=True),
                          html.Div(_contact_tool([], ui), hidden=True)], id="main")
    with database().session() as s:
        stale = stale_locations(s, cfg.stale_months, ui=ui)
        attention = needs_attention(s, ui=ui)
        disagree = disagreement_rows(s, ui=ui)
        duplicates = duplicate_suspects(s, ui=ui)
        pending = len(pending_requests(s))
        mail = mail_health(s, ui=ui)
        contacts = contact_rows(s)
    options = [{"label": f"{r['organization']} — {r['name'] or r['address']}", "value": r["location_id"]}
               for r in attention + disagree]
    return html.Main([
        account_bar(user, ui), html.H1(_("Data health")),
        _counts([(_("stale listings"), len(stale), "health-stale"),
                 (_("need attention"), len(attention), "health-attention"),
                 (_("geocoding disagreements"), len(disagree), "health-disagree"),
                 (_("corrections waiting for review"), pending, "health-pending"),
                 (_("bounced e-mails"), len(mail["bounced"]), "health-mail"),
                 (_("no reply to verification"), len(mail["unanswered"]), "health-mail"),
                 (_("suspected duplicates"), len(duplicates), "health-duplicates")]),
        html.P([_.ngettext("{n} partner correction is waiting for review:",
                           "{n} partner corrections are waiting for review:", pending), " ",
                html.A(_("open the review queue"), href="/staff/review" if ui == "en" else f"/staff/review?ui={ui}")],
               id="health-pending"),
        html.H2(_("Locations to place by hand ({count})", count=len(attention)), id="health-attention"),
        html.P(_("The geocoder could not place these with confidence, so they are not on the public map. Pick one, "
                 "drag the pin to the entrance (or type the coordinates) and save.")),
        _pin_tool(options, cfg.tile_url or None, cfg.tile_attribution, ui),
        html.Div(_table(ATTENTION_COLUMNS, attention, _("Locations whose geocode needs attention"), _),
                 className="elip-table-wrap", tabIndex="0"),
        html.H2(_("Geocoding methods that disagree ({count})", count=len(disagree)), id="health-disagree"),
        html.P(_("Two methods put these more than 300 m apart, so one is wrong. Pick the location above, choose "
                 "the right position (or drag the pin) and save.")),
        html.Div(_table(DISAGREE_COLUMNS, disagree, _("Locations whose geocoding methods disagree"), _),
                 className="elip-table-wrap", tabIndex="0"),
        html.H2(_("Stale listings ({count})", count=len(stale)), id="health-stale"),
        html.P(_.ngettext("Not verified in the last {n} month: ask the partner to check them.",
                          "Not verified in the last {n} months: ask the partner to check them.", cfg.stale_months)),
        html.Div(_table(STALE_COLUMNS, stale, _("Stale listings, oldest first"), _), className="elip-table-wrap", tabIndex="0"),
        html.H2(_("Verification e-mail ({bounced} bounced, {unanswered} without reply)",
                  bounced=len(mail["bounced"]), unanswered=len(mail["unanswered"])), id="health-mail"),
        html.P(_("Bounced: the mail server refused the address; correct the contact below and run the campaign "
                 "again. No reply: sent over two weeks ago, neither confirmed nor corrected; call the organization.")),
        html.Div(_table(BOUNCE_COLUMNS, mail["bounced"], _("Bounced verification e-mails"), _,
                        id="staff-health-bounced"), className="elip-table-wrap", tabIndex="0"),
        html.Div(_table(NO_REPLY_COLUMNS, mail["unanswered"], _("Verification e-mails without a reply"), _,
                        id="staff-health-unanswered"), className="elip-table-wrap", tabIndex="0"),
        html.H2(_("Organization contacts"), id="health-contacts"),
        _contact_tool(contacts, ui),
        html.Div(_table(CONTACT_COLUMNS, contacts, _("Contacts (organizations without one first)"), _),
                 className="elip-table-wrap", tabIndex="0"),
        html.H2(_("Suspected duplicates ({count})", count=len(duplicates)), id="health-duplicates"),
        html.Div(_table(DUPLICATE_COLUMNS, duplicates, _("Rows an import thought were the same location"), _),
                 className="elip-table-wrap", tabIndex="0"),
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
    pin, zoom, choices = pin_start(row, EDMONTON_CENTER, reader_ui())
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
        _ = reader_translator()
        return html.P(_("Drag the pin onto the building first (or type its coordinates)."),
                      className="elip-error")
    try:
        in_transaction(database(), lambda s: place_pin(s, staff, location_id, float(lat), float(lon), int(version)))
    except (InvalidChange, Conflict, ReviewError) as exc:   # InvalidChange is a ValueError: it goes first
        return html.P(str(exc), className="elip-error")
    except (TypeError, ValueError):
        _ = reader_translator()
        return html.P(_("Pick a location and give a latitude and longitude."), className="elip-error")
    _ = reader_translator()
    return html.P(_("Pin saved: the location is on the public map now."), className="elip-ok")


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
    _ = reader_translator()
    return html.P(_("Contact saved. The next campaign writes to it."), className="elip-ok")
