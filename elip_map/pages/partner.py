"""Partner listing check (/partner): see every location as the public does, confirm it or propose corrections.

Staff open the same page for any organization (``?org=ID``); for them a correction is saved at once.
Every callback checks the session's user and organization on the server.
"""

from __future__ import annotations

import uuid

import dash
from babel.dates import get_day_names
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from flask import abort

from elip_map.accounts.permissions import account_or_none, database, require_account, settings
from elip_map.components.card import listing_card
from elip_map.components.filter_panel import dropdown_labels
from elip_map.components.staff_ui import (EDMONTON_CENTER, account_bar, diff_table, neighbourhood_outlines, pin_map,
                                          refusal, rendering_for_a_visitor, simple_table)
from elip_map.review import ids
from elip_map.review.changes import ReviewError
from elip_map.review.forms import hours_to_form
from elip_map.review.partner_actions import partner_action, partner_preview
from elip_map.review.views import (editor_values, language_options, organization_for, organization_listings,
                                   organization_options, request_rows, type_options)
from elip_map.i18n import N_, babel_locale, negotiate_ui, page_title, reader_translator, reader_ui, translator
from elip_map.review.changes import FEE_WORDS, STATUS_WORDS
from elip_map.rules.eligibility import FEES, STATUS_SLUGS
from elip_map.rules.phones import local_form

dash.register_page(__name__, path="/partner", name=N_("Your listings"), title=page_title(N_("Your listings")))

REQUEST_COLUMNS = [("submitted", N_("Sent")), ("location", N_("Location")), ("changes", N_("Changes")),
                   ("status", N_("Status")), ("note", N_("Staff note"))]
REQUESTS_CAPTION = N_("Requests and their status")


def _columns(_) -> list[tuple[str, str]]:
    return [(key, _(heading)) for key, heading in REQUEST_COLUMNS]


def _text(id_, label, **kw):
    return html.Div([html.Label(label, htmlFor=id_), dcc.Input(id=id_, type="text", debounce=True, **kw)],
                    className="elip-field")


def _editor(ui, tile_url, attribution, options=(), value=None):
    _ = translator(ui)
    names = get_day_names("wide", locale=babel_locale(ui))
    days = [names[i] for i in range(7)]
    # Real time inputs (the phone's own time picker, typed times always readable), 24-hour HH:MM values.
    hours = html.Fieldset([html.Legend(_("Opening hours (leave both empty when closed that day)"))] + [
        html.Div([html.Span(day, className="elip-day", **{"aria-hidden": "true"}),
                  # Wrapping labels name each box for screen readers ("Monday opens").
                  html.Label([html.Span(_("{day} opens", day=day), className="elip-visually-hidden"),
                              dcc.Input(id={"type": ids.PARTNER_OPENS, "day": i + 1}, type="time", step=300,
                                        className="elip-time")]),
                  html.Span(_("to"), className="elip-hours-to", **{"aria-hidden": "true"}),
                  html.Label([html.Span(_("{day} closes", day=day), className="elip-visually-hidden"),
                              dcc.Input(id={"type": ids.PARTNER_CLOSES, "day": i + 1}, type="time", step=300,
                                        className="elip-time")])], className="elip-hours-row")
        for i, day in enumerate(days)], className="elip-hours")
    return html.Section([
        html.H2(_("Propose a correction"), id="partner-editor-heading"),
        html.Label(_("Location"), htmlFor=ids.PARTNER_LOCATION),
        dcc.Dropdown(id=ids.PARTNER_LOCATION, options=list(options), value=value, clearable=False,
                     placeholder=_("Select…"), labels=dropdown_labels(ui)),
        dcc.Store(id=ids.PARTNER_BASE_VERSION), dcc.Store(id=ids.PARTNER_SUBMISSION),
        dcc.Store(id=ids.PARTNER_PIN_START),
        _text(ids.PARTNER_NAME, _("Location name")),
        _text(ids.PARTNER_ADDRESS, _("Street address")),
        _text(ids.PARTNER_POSTAL, _("Postal code")),
        _text(ids.PARTNER_PHONE, _("Phone")),
        _text(ids.PARTNER_ACCESSIBILITY, _("Accessibility")),
        hours,
        _text(ids.PARTNER_HOURS_NOTE, _("Hours note (holidays, by appointment)")),
        dcc.Checklist(id=ids.PARTNER_CLOSED, options=[{"label": _("This location has closed"), "value": "closed"}],
                      value=[], className="elip-checks", inputClassName="elip-check-input",
                      labelClassName="elip-check-label"),
        html.H3(_("Services at this location")),
        html.Div(id=ids.PARTNER_SERVICES),
        html.H3(_("Map pin")),
        html.P(_("Drag the pin onto the building's entrance, or type its latitude and longitude.")),
        html.Div([
            pin_map(ids.PARTNER_MAP, ids.PARTNER_MARKER, None, tile_url=tile_url, tile_attribution=attribution,
                    extra=[neighbourhood_outlines()], ui=ui),
            html.Div([html.P(_("Address"), className="elip-field-label"),
                      html.P(id=ids.PARTNER_PIN_ADDRESS, className="elip-pin-address", dir="auto",
                             **{"data-empty": _("No street address yet")})], className="elip-pin-side"),
        ], className="elip-pin-row"),
        html.Div([_text(ids.PARTNER_LAT, _("Latitude"), inputMode="decimal"),
                  _text(ids.PARTNER_LON, _("Longitude"), inputMode="decimal")], className="elip-latlon"),
        html.Div([html.Button(_("Review my correction"), id=ids.PARTNER_PREVIEW, className="elip-action", n_clicks=0),
                  html.Button(_("This listing is still correct"), id=ids.PARTNER_STILL_CORRECT,
                              className="elip-action elip-secondary", n_clicks=0)], className="elip-actions"),
        # The summary before sending: what will change, then the one button that sends it.
        html.Section([html.H3(_("Check before sending"), id="partner-summary-heading", tabIndex="-1"),
                      html.Div(id=ids.PARTNER_SUMMARY),
                      html.Button(_("Send correction"), id=ids.PARTNER_SUBMIT, className="elip-action", n_clicks=0)],
                     id=ids.PARTNER_SUMMARY_BOX, hidden=True, className="elip-summary",
                     **{"aria-labelledby": "partner-summary-heading"}),
        html.Div(id=ids.PARTNER_MESSAGE, role="status", **{"aria-live": "polite"}),
    ], className="elip-editor")


def layout(org=None, ui=None, **_unused):
    """The partner's organization: public listing cards, the correction form and the request statuses."""
    ui = negotiate_ui(ui)
    _ = translator(ui)
    cfg = settings()
    user = account_or_none() if rendering_for_a_visitor() else None
    body, options, requests, picker = [], [], [], None
    with database().session() as s:
        organization = organization_for(s, user, org)
        if user is not None and user.is_staff:
            picker = html.Form([html.Label(_("Organization"), htmlFor="partner-org-select"),
                                html.Select([html.Option(o["label"], value=str(o["value"]),
                                                         selected=organization is not None and o["value"] == organization.id)
                                             for o in organization_options(s)], id="partner-org-select", name="org"),
                                html.Button(_("Open"), type="submit", className="elip-action"),
                                dcc.Input(type="hidden", name="ui", value=ui)],
                               method="get", action="/partner", id=ids.PARTNER_ORG)
        if organization is not None:
            listings = organization_listings(s, user, organization.id)
            options = [{"label": item["label"], "value": item["location_id"]} for item in listings]
            # The cards' headings are h3 (as on the newcomer page): an h2 above them keeps the outline whole.
            body = [html.H1(organization.name),
                    html.H2(_("Your listings")),
                    html.P(_("Each card shows the location exactly as newcomers see it on the map.")),
                    html.Div([html.Div([html.Ul(listing_card(item, ui, show_on_map=False), className="elip-cards"),
                                        html.P(_("Not shown to the public: {why}", why=item["why_hidden"]),
                                               className="elip-warning")
                                        if not item["public"] else None]) for item in listings],
                             id=ids.PARTNER_LISTINGS)]
            requests = request_rows(s, user, organization.id)
    if user is None or organization is None:
        head = [refusal(user, "/partner", ui)] if user is None else [
            account_bar(user, ui), picker, html.P(_("Pick an organization.") if user.is_staff else
                                              _("Your account is not linked to an organization; ask ELIP staff."))]
        editor = _editor(ui, cfg.tile_url or None, cfg.tile_attribution)
        return html.Main(head + [html.Div(editor, hidden=True), html.Div(id=ids.PARTNER_REQUESTS, hidden=True),
                                 html.Div(id=ids.PARTNER_LISTINGS, hidden=True)], id="main")
    editor = _editor(ui, cfg.tile_url or None, cfg.tile_attribution, options, options[0]["value"] if options else None)
    return html.Main([account_bar(user, ui), picker, *body, editor,
                      html.Section([html.H2(_("Your correction requests")),
                                    html.Div(simple_table(_columns(_), requests, _(REQUESTS_CAPTION)),
                                             id=ids.PARTNER_REQUESTS)])], id="main")


def _service_rows(values: dict, ui: str) -> list:
    _ = translator(ui)
    rows = []
    for sid, svc in values["snapshot"]["services"].items():
        rows.append(html.Fieldset([
            html.Legend(values["service_names"].get(sid, _("Service {id}", id=sid))),
            html.Label(_("Service types")),
            dcc.Dropdown(id={"type": ids.PARTNER_SVC_TYPES, "sid": sid}, options=type_options(ui), value=svc["types"],
                         multi=True, placeholder=_("Select…"), labels=dropdown_labels(ui)),
            html.Label(_("Languages spoken (type to search, e.g. Arabic)")),
            dcc.Dropdown(id={"type": ids.PARTNER_SVC_LANGS, "sid": sid},
                         options=language_options(svc["languages"], ui), value=svc["languages"], multi=True,
                         placeholder=_("Type a language"), labels=dropdown_labels(ui)),
            html.Fieldset([
                html.Legend(_("Who can use it (leave all empty if you are not sure)")),
                dcc.Checklist(id={"type": ids.PARTNER_SVC_STATUSES, "sid": sid},
                              options=[{"label": _(STATUS_WORDS[slug]), "value": slug} for slug in STATUS_SLUGS],
                              value=svc.get("statuses") or [], className="elip-checks",
                              inputClassName="elip-check-input", labelClassName="elip-check-label"),
            ], className="elip-statuses"),
            html.Div([
                html.Label([_("Youngest age"), dcc.Input(id={"type": ids.PARTNER_SVC_MIN_AGE, "sid": sid}, type="number",
                                                      min=0, max=120, value=svc.get("minimum_age"))]),
                html.Label([_("Oldest age"), dcc.Input(id={"type": ids.PARTNER_SVC_MAX_AGE, "sid": sid}, type="number",
                                                    min=0, max=120, value=svc.get("maximum_age"))]),
                html.Label([_("Only for"), dcc.Dropdown(id={"type": ids.PARTNER_SVC_GENDER, "sid": sid},
                                                        options=[{"label": _("Women"), "value": "women"},
                                                                 {"label": _("Men"), "value": "men"}],
                                                        value=svc.get("gender") or None, placeholder=_("Anyone"),
                                                        labels=dropdown_labels(ui))]),
            ], className="elip-ages"),
            html.Label([_("Eligibility note (your own words)"),
                        dcc.Input(id={"type": ids.PARTNER_SVC_ELIGIBILITY, "sid": sid}, type="text",
                                  value=svc["eligibility"])], className="elip-block-label"),
            html.Fieldset([html.Legend(_("Fee")), dcc.RadioItems(
                id={"type": ids.PARTNER_SVC_FEE, "sid": sid},
                options=[{"label": _("Not known"), "value": ""}] + [{"label": _(FEE_WORDS[f]), "value": f} for f in FEES],
                value=svc.get("fee") or "",
                className="elip-checks elip-inline", labelClassName="elip-check-label")]),
            html.Label([_("Fees note (amounts, who pays)"),
                        dcc.Input(id={"type": ids.PARTNER_SVC_FEES, "sid": sid}, type="text", value=svc["fees"])],
                       className="elip-block-label"),
        ], className="elip-service-edit"))
    return rows


FORM_STATES = (
    State(ids.PARTNER_LOCATION, "value"), State(ids.PARTNER_NAME, "value"), State(ids.PARTNER_ADDRESS, "value"),
    State(ids.PARTNER_POSTAL, "value"), State(ids.PARTNER_PHONE, "value"), State(ids.PARTNER_ACCESSIBILITY, "value"),
    State(ids.PARTNER_HOURS_NOTE, "value"), State({"type": ids.PARTNER_OPENS, "day": ALL}, "value"),
    State({"type": ids.PARTNER_CLOSES, "day": ALL}, "value"), State(ids.PARTNER_CLOSED, "value"),
    State(ids.PARTNER_LAT, "value"), State(ids.PARTNER_LON, "value"), State(ids.PARTNER_PIN_START, "data"),
    State({"type": ids.PARTNER_SVC_TYPES, "sid": ALL}, "id"), State({"type": ids.PARTNER_SVC_TYPES, "sid": ALL}, "value"),
    State({"type": ids.PARTNER_SVC_LANGS, "sid": ALL}, "value"),
    State({"type": ids.PARTNER_SVC_ELIGIBILITY, "sid": ALL}, "value"),
    State({"type": ids.PARTNER_SVC_FEES, "sid": ALL}, "value"),
    State({"type": ids.PARTNER_SVC_STATUSES, "sid": ALL}, "value"), State({"type": ids.PARTNER_SVC_FEE, "sid": ALL}, "value"),
    State({"type": ids.PARTNER_SVC_MIN_AGE, "sid": ALL}, "value"),
    State({"type": ids.PARTNER_SVC_MAX_AGE, "sid": ALL}, "value"),
    State({"type": ids.PARTNER_SVC_GENDER, "sid": ALL}, "value"),
)


def form_from_states(location_id, name, address, postal, phone, accessibility, hours_note, opens, closes, closed,
                     lat, lon, pin_start, svc_ids, svc_types, svc_langs, svc_elig, svc_fees, svc_statuses, svc_fee,
                     svc_min, svc_max, svc_gender) -> tuple:
    """(location id, the form as partner_action and partner_preview read it) from the FORM_STATES values."""
    services = {i["sid"]: {"types": t or [], "languages": lg or [], "eligibility": e or "", "fees": f or "",
                           "statuses": st or [], "fee": fee or "", "minimum_age": lo, "maximum_age": hi,
                           "gender": g or ""}
                for i, t, lg, e, f, st, fee, lo, hi, g in zip(svc_ids, svc_types, svc_langs, svc_elig, svc_fees,
                                                              svc_statuses, svc_fee, svc_min, svc_max, svc_gender)}
    return location_id, dict(name=name, address_1=address, postal_code=postal, phone=phone,
                             accessibility=accessibility, hours_note=hours_note, opens=opens, closes=closes,
                             closed="closed" in (closed or []), lat=lat, lon=lon, services=services,
                             pin_start=pin_start)


@callback(
    Output(ids.PARTNER_NAME, "value"), Output(ids.PARTNER_ADDRESS, "value"), Output(ids.PARTNER_POSTAL, "value"),
    Output(ids.PARTNER_PHONE, "value"), Output(ids.PARTNER_ACCESSIBILITY, "value"),
    Output(ids.PARTNER_HOURS_NOTE, "value"), Output({"type": ids.PARTNER_OPENS, "day": ALL}, "value"),
    Output({"type": ids.PARTNER_CLOSES, "day": ALL}, "value"), Output(ids.PARTNER_CLOSED, "value"),
    Output(ids.PARTNER_SERVICES, "children"), Output(ids.PARTNER_MARKER, "position"),
    Output(ids.PARTNER_MAP, "viewport"), Output(ids.PARTNER_BASE_VERSION, "data"),
    Output(ids.PARTNER_SUBMISSION, "data"), Output(ids.PARTNER_PIN_START, "data"),
    Input(ids.PARTNER_LOCATION, "value"),
)
def load_editor(location_id):
    """A location was picked: fill the form with its current values."""
    user = require_account()
    if location_id is None:
        raise dash.exceptions.PreventUpdate
    with database().session() as s:
        try:
            values = editor_values(s, user, location_id)
        except ReviewError:  # not this user's location (or none): the same 403 either way
            abort(403)
    snap = values["snapshot"]
    opens, closes = hours_to_form(snap["hours"])
    pin = [snap["pin"]["lat"], snap["pin"]["lon"]] if snap["pin"] else list(EDMONTON_CENTER)
    return (snap["name"], snap["address_1"], snap["postal_code"], local_form(snap["phone"]), snap["accessibility"],
            snap["hours_note"], opens, closes, ["closed"] if snap["closed"] else [], _service_rows(values, reader_ui()), pin,
            {"center": pin, "zoom": 16 if snap["pin"] else 11}, values["version"], uuid.uuid4().hex, pin)


clientside_callback(
    ClientsideFunction("elip_review", "pinToFields"),
    Output(ids.PARTNER_LAT, "value"), Output(ids.PARTNER_LON, "value"), Input(ids.PARTNER_MARKER, "position"),
)


clientside_callback(
    """function (address, postal) {
        var empty = (document.getElementById("partner-pin-address") || {dataset: {}}).dataset.empty;
        return [address, postal].filter(Boolean).join(", ") || empty || "";
    }""",
    Output(ids.PARTNER_PIN_ADDRESS, "children"), Input(ids.PARTNER_ADDRESS, "value"), Input(ids.PARTNER_POSTAL, "value"),
)


@callback(Output(ids.PARTNER_SUMMARY, "children"), Output(ids.PARTNER_SUMMARY_BOX, "hidden"),
          Input(ids.PARTNER_PREVIEW, "n_clicks"), *FORM_STATES, prevent_initial_call=True)
def preview(_clicks, *states):
    """The partner pressed "Review my correction": show what would change, or what to fix."""
    user = require_account()
    location_id, form = form_from_states(*states)
    result = partner_preview(database(), user, location_id, form)
    if not result.ok:
        return html.Ul([html.Li(p) for p in result.problems], className="elip-error", role="alert"), False
    _ = reader_translator()
    return diff_table(result.rows, _("Your correction: now and after")), False


@callback(
    Output(ids.PARTNER_MESSAGE, "children"), Output(ids.PARTNER_REQUESTS, "children"),
    Output(ids.PARTNER_SUBMISSION, "data", allow_duplicate=True),
    Output(ids.PARTNER_BASE_VERSION, "data", allow_duplicate=True),
    Output(ids.PARTNER_SUMMARY_BOX, "hidden", allow_duplicate=True),
    Input(ids.PARTNER_SUBMIT, "n_clicks"), Input(ids.PARTNER_STILL_CORRECT, "n_clicks"),
    State(ids.PARTNER_BASE_VERSION, "data"), State(ids.PARTNER_SUBMISSION, "data"), *FORM_STATES,
    prevent_initial_call=True,
)
def act(_send, _still, base_version, submission_id, *states):
    """The partner pressed "Send correction" (after the summary) or "Still correct"."""
    user = require_account()
    location_id, form = form_from_states(*states)
    result = partner_action(database(), user, ctx.triggered_id, location_id, base_version, submission_id, form)
    _ = reader_translator()
    return (html.P(result.message, className="elip-ok" if result.ok else "elip-error", role="status"),
            simple_table(_columns(_), result.requests, _(REQUESTS_CAPTION)),
            uuid.uuid4().hex if result.ok else no_update,
            result.version if result.version is not None else no_update, result.ok or no_update)
