"""Find services: the newcomer page at "/" (map and list, filters, nearest first, shareable URL).

Filtering, ranking and the list are computed in the browser (``assets/elip_map.js``); the server
only places the "near" text and serves the directory once per page load (``/api/locations.feed``, decoded by ``assets/elip_feed.js``).
"""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from flask import current_app, request

from elip_map import ids
from elip_map.components.eligibility_text import STATUS_ANSWERS
from elip_map.components.filter_panel import filter_panel
from elip_map.components.home_context import (RESULTS_PAGE, browser_labels, near_answer, page_address, page_context,
                                              qr_data_uri, split_param)
from elip_map.components.low_data import LOW_DATA_COOKIE, low_data_switch, low_data_wanted, offline_note
from elip_map.components.service_map import service_map
from elip_map.i18n import N_, negotiate_ui, page_title, translator

dash.register_page(__name__, path="/", name=N_("Find services"), title=page_title(N_("ELIP Service Map")), nav=True, order=0)

__all__ = ["RESULTS_PAGE", "layout"]  # RESULTS_PAGE: the benchmark reads the page size from here


def _day(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= 7 else None


OUTLINES_URL = "home-outlines-url"


def layout(ui=None, service=None, lang=None, hood=None, q=None, near=None, open=None, day=None, status=None, data=None,
           **_unused):
    """The page for one URL: every filter starts from the query string, so a shared link reproduces the view."""
    ui = negotiate_ui(ui)
    _ = translator(ui)
    ctx = page_context(current_app.config)
    values = {"service": split_param(service), "lang": split_param(lang), "hood": hood if isinstance(hood, str) else None,
              "q": q if isinstance(q, str) else "", "near": near if isinstance(near, str) else "",
              "open": open == "now", "day": _day(day), "status": status if status in STATUS_ANSWERS else ""}
    languages = sorted(set(ctx["languages"]) | set(values["lang"]))
    settings = current_app.config["ELIP_SETTINGS"]
    labels = browser_labels(ui, languages, stale_months=settings.stale_months, sample=ctx["sample"])
    low = low_data_wanted(data, request.headers.get("Save-Data"), request.cookies.get(LOW_DATA_COOKIE))
    return html.Main([
        dcc.Store(id=ids.HOME_DATA_URL, data=ctx["data_url"]),
        # Outlines are fetched only once the map is on screen (assets/elip_offline.js, outlines).
        dcc.Store(id=OUTLINES_URL, data=None if low or not ctx["has_boundaries"] else ctx["boundaries_url"]),
        dcc.Store(id=ids.HOME_DATA),
        dcc.Store(id=ids.HOME_TILE_URL, data=None if low else ctx["tile_url"]),
        dcc.Store(id=ids.HOME_TILE_SINK),
        dcc.Store(id=ids.HOME_LABELS, data=labels),
        dcc.Store(id=ids.HOME_NEAR),
        dcc.Store(id=ids.HOME_LIMIT, data=RESULTS_PAGE),
        dcc.Store(id=ids.HOME_SELECTED),
        dcc.Location(id=ids.HOME_URL, refresh=False),
        html.H1(_("Find services for newcomers in Edmonton")),
        low_data_switch(ui, low),
        offline_note(ui),
        html.Div([
            filter_panel(ui, values, languages, ctx["hood_options"], ctx["near_available"]),
            html.Button(_("Show map"), id=ids.HOME_VIEW_TOGGLE, type="button", className="elip-button elip-toggle",
                        **{"aria-controls": ids.HOME_LAYOUT}),
            html.Div([
                html.Section([
                    html.H2(_("Results"), id="home-results-heading", tabIndex="-1"),
                    html.Div(id="home-print-summary", className="elip-print-only"),
                    html.P([_("Results:"), " ", html.Strong("…", id=ids.HOME_RESULT_COUNT)], className="elip-count",
                           **{"aria-live": "polite", "aria-atomic": "true"}),
                    html.P(id=ids.HOME_STATUS, className="elip-status", role="status"),
                    _share_tools(_),
                    html.Div([
                        html.P(_("Could not load the services. Check your connection and try again.")),
                        html.Button(_("Try again"), id="home-retry", type="button", className="elip-button"),
                    ], id="home-error", className="elip-empty", role="alert", style={"display": "none"}),
                    html.Div([
                        html.P(_("No services match these filters.")),
                        html.Button(_("Show nearest services of any type"), id=ids.HOME_WIDEN, type="button",
                                    className="elip-button"),
                        html.Button(_("Clear filters"), id=f"{ids.HOME_CLEAR_FILTERS}-empty", type="button",
                                    className="elip-button elip-secondary"),
                    ], id=ids.HOME_EMPTY, className="elip-empty", style={"display": "none"}),
                    # The count above, the status, this box, the list and "show more" are filled by
                    # assets/elip_map.js (plain DOM, text only), never by a Dash callback.
                    html.Ol(id=ids.HOME_RESULTS, className="elip-results", **{"aria-labelledby": "home-results-heading"}),
                    # Listings without a map position: findable like the others, under their own heading.
                    html.Div([
                        html.H3([_("Call or visit online"), " (", html.Span(id="home-unplaced-count"), ")"],
                                id="home-unplaced-heading"),
                        html.P(_("These services are not on the map: they have no street address, or their address "
                                 "is being checked. Call them, write to them or visit their website."),
                               className="elip-hint"),
                        html.P(_.ngettext("{n} listing could not be placed on the map yet.",
                                          "{n} listings could not be placed on the map yet.", ctx["unplaced"]),
                               className="elip-hint") if ctx["unplaced"] else None,
                        html.Ol(id="home-results-unplaced", className="elip-results",
                                **{"aria-labelledby": "home-unplaced-heading"}),
                    ], id=ids.HOME_UNPLACED, className="elip-unplaced", style={"display": "none"}),
                    html.Button(_("Show more results"), id=ids.HOME_MORE, type="button", className="elip-button",
                                style={"display": "none"}),
                ], className="elip-list-pane"),
                html.Section(service_map(ui, None if low else ctx["tile_url"], ctx["tile_attribution"],
                                         ctx["has_boundaries"] and not low, boundaries_url=None),
                             className="elip-map-pane", **{"aria-label": _("Map")}),
            ], id=ids.HOME_LAYOUT, className="elip-panes show-list"),
        ], className="elip-home low-data" if low else "elip-home"),
    ], id="main", className="elip-main")


def _share_tools(_) -> html.Div:
    """Print, share and a QR code of this search (for posters and flyers at partner offices)."""
    return html.Div([
        html.Div([
            html.Button(_("Print this list"), id="home-print", type="button", className="elip-button elip-secondary"),
            html.Button(_("Share"), id="home-share", type="button", className="elip-button elip-secondary"),
        ], className="elip-tool-row"),
        html.P(id="home-share-message", className="elip-hint", role="status"),
        html.Details([
            html.Summary(_("QR code of this search")),
            html.Img(id="home-qr", alt=_("QR code: a phone camera opens this search"), className="elip-qr"),
        ], className="elip-qr-box"),
    ], className="elip-tools")


clientside_callback(ClientsideFunction("elip_lowdata", "outlines"), Output(ids.HOME_MAP_HOODS, "url"),
                    Input(ids.HOME_VIEW_TOGGLE, "n_clicks"), Input(OUTLINES_URL, "data"))

clientside_callback(ClientsideFunction("elip_map", "tilesFor"), Output(ids.HOME_TILE_SINK, "data"),
                    Input(ids.HOME_TILE_URL, "data"))

clientside_callback(ClientsideFunction("elip_map", "fetchData"),
                    Output(ids.HOME_DATA, "data"), Input(ids.HOME_DATA_URL, "data"))

# The count, status, list, "no match" box and "show more" button are written by the browser code in one
# step with the map (assets/elip_map.js, render): as callback outputs they lagged the list by 20-50 ms.
clientside_callback(
    ClientsideFunction("elip_map", "render"),
    Output(ids.HOME_MAP_POINTS, "data"), Output(ids.HOME_MAP, "viewport", allow_duplicate=True),
    Input(ids.HOME_DATA, "data"), Input(ids.HOME_FILTER_SERVICE, "value"), Input(ids.HOME_FILTER_LANG, "value"),
    Input(ids.HOME_FILTER_HOOD, "value"), Input(ids.HOME_FILTER_TEXT, "value"), Input(ids.HOME_FILTER_OPEN, "value"),
    Input(ids.HOME_FILTER_DAY, "value"), Input(ids.HOME_NEAR, "data"), Input(ids.HOME_LIMIT, "data"),
    Input(ids.HOME_FILTER_STATUS, "value"), State(ids.HOME_LABELS, "data"), prevent_initial_call="initial_duplicate",
)

clientside_callback(ClientsideFunction("elip_map", "limit"), Output(ids.HOME_LIMIT, "data"), Input(ids.HOME_MORE, "n_clicks"),
                    State(ids.HOME_LABELS, "data"), prevent_initial_call=True)

clientside_callback(
    ClientsideFunction("elip_map", "select"),
    Output(ids.HOME_MAP_SELECTED, "data"), Output(ids.HOME_MAP, "viewport"),
    Input(ids.HOME_SELECTED, "data"), Input(ids.HOME_MAP_POINTS, "clickData"),
    State(ids.HOME_DATA, "data"), prevent_initial_call=True,
)

clientside_callback(ClientsideFunction("elip_map", "nearLayer"), Output(ids.HOME_MAP_NEAR, "data"), Input(ids.HOME_NEAR, "data"))

clientside_callback(
    ClientsideFunction("elip_map", "locate"),
    Output(ids.HOME_NEAR, "data", allow_duplicate=True), Output(ids.HOME_NEAR_MESSAGE, "children", allow_duplicate=True),
    Input(ids.HOME_LOCATE_BUTTON, "n_clicks"), State(ids.HOME_LABELS, "data"), prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("elip_map", "syncUrl"),
    Output(ids.HOME_URL, "search"),
    Output(ids.HOME_FILTER_SERVICE, "value", allow_duplicate=True), Output(ids.HOME_FILTER_LANG, "value", allow_duplicate=True),
    Output(ids.HOME_FILTER_HOOD, "value", allow_duplicate=True), Output(ids.HOME_FILTER_TEXT, "value", allow_duplicate=True),
    Output(ids.HOME_FILTER_OPEN, "value", allow_duplicate=True), Output(ids.HOME_FILTER_DAY, "value", allow_duplicate=True),
    Output(ids.HOME_NEAR_INPUT, "value"), Output(ids.HOME_FILTER_STATUS, "value", allow_duplicate=True),
    Input(ids.HOME_FILTER_SERVICE, "value"), Input(ids.HOME_FILTER_LANG, "value"), Input(ids.HOME_FILTER_HOOD, "value"),
    Input(ids.HOME_FILTER_TEXT, "value"), Input(ids.HOME_FILTER_OPEN, "value"), Input(ids.HOME_FILTER_DAY, "value"),
    Input(ids.HOME_NEAR, "data"), Input(ids.HOME_URL, "search"), Input(ids.HOME_FILTER_STATUS, "value"),
    State(ids.HOME_LABELS, "data"), prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("elip_map", "toggleView"),
    Output(ids.HOME_LAYOUT, "className"), Output(ids.HOME_VIEW_TOGGLE, "children"),
    Input(ids.HOME_VIEW_TOGGLE, "n_clicks"), State(ids.HOME_LAYOUT, "className"), State(ids.HOME_LABELS, "data"),
    prevent_initial_call=True,
)

_FILTER_OUTPUTS = (Output(ids.HOME_FILTER_SERVICE, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_LANG, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_HOOD, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_TEXT, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_OPEN, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_DAY, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_STATUS, "value", allow_duplicate=True))

clientside_callback(ClientsideFunction("elip_map", "clearFilters"), *_FILTER_OUTPUTS,
                    Input(ids.HOME_CLEAR_FILTERS, "n_clicks"), Input(f"{ids.HOME_CLEAR_FILTERS}-empty", "n_clicks"),
                    prevent_initial_call=True)

clientside_callback(ClientsideFunction("elip_map", "widen"), *_FILTER_OUTPUTS, Input(ids.HOME_WIDEN, "n_clicks"),
                    prevent_initial_call=True)


# allow_duplicate on the near store keeps this callback out of Dash's ordering graph for syncUrl. Without it,
# syncUrl -> near box -> place_near -> near store -> syncUrl is a loop, and Dash's renderer holds a callback in
# a loop until nothing else is pending; when a superseded server request (the QR code) is dropped instead of
# completing, it never looks again. Back pressed during a filter change then left the boxes on the newer search
# while the address showed the older one (tests/browser/test_home.py::test_home007).
@callback(Output(ids.HOME_NEAR, "data", allow_duplicate=True), Output(ids.HOME_NEAR_MESSAGE, "children"),
          Input(ids.HOME_NEAR_BUTTON, "n_clicks"), Input(ids.HOME_NEAR_INPUT, "value"), State(ids.HOME_LABELS, "data"),
          prevent_initial_call="initial_duplicate")
def place_near(_clicks, text, labels):
    """The reader searched near a place: put it on the map, or say plainly why not (keeping the last view)."""
    store, message = near_answer(text, (labels or {}).get("ui", "en"), current_app.config)
    return (dash.no_update if store is None and message else store), message


@callback(Output("home-qr", "src"), Input(ids.HOME_URL, "search"), State(ids.HOME_URL, "pathname"))
def qr_code(search, pathname):
    """The QR code follows the address bar (a filter change writes ``search``, not ``href``), so a printed
    or shown code opens exactly this search."""
    return qr_data_uri(page_address(request.host_url, pathname, search))
