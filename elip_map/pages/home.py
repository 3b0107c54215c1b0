"""Find services: the newcomer page at "/" (map and list, filters, nearest first, shareable URL).

Filtering, ranking and the list are computed in the browser (``assets/elip_map.js``); the server
only places the "near" text and serves the directory once per page load (``/api/locations.feed``, decoded by ``assets/elip_feed.js``).
"""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from flask import current_app, request

from elip_map import ids
from elip_map.components.card import weekday_names
from elip_map.components.filter_panel import filter_panel
from elip_map.components.home_context import near_answer, page_context, split_param
from elip_map.components.service_map import service_map
from elip_map.directory.languages import language_name
from elip_map.directory.taxonomy import SERVICE_TYPES
from elip_map.i18n import N_, negotiate_ui, translate_all, translator
from elip_map.components.low_data import LOW_DATA_COOKIE, low_data_switch, low_data_wanted, offline_note

dash.register_page(__name__, path="/", name=N_("Find services"), title="ELIP Service Map", nav=True, order=0)

# Strings the browser renders itself (list cards, counts, messages), sent once per page load.
BROWSER_MESSAGES = (
    N_("Services"), N_("Languages"), N_("Hours"), N_("Hours not known"), N_("Accessibility"), N_("Eligibility"),
    N_("Fees"), N_("Call {phone}"), N_("Website"), N_("Directions"), N_("Show on map"), N_("{km} km away"),
    N_("Last verified: {date}"), N_("Not verified yet"), N_("Loading services…"),
    N_("Could not load the services. Please reload the page."), N_("Nearest first, from {place}"),
    N_("Showing {shown} of {n}"), N_("Location is not available in this browser."), N_("your location"),
    N_("Your browser did not share your location."), N_("Show list"), N_("Show map"),
)


OUTLINES_URL = "home-outlines-url"

# Cards written per step: the first ones at each filter change, and as many more per "Show more results".
# Building a card takes about 0.1 ms in Chromium here, so 25 rather than 50 keeps a filter change within
# its 50 ms budget (bench/bench_filter.py); every result stays reachable through the button.
RESULTS_PAGE = 25


def browser_labels(ui: str, languages: list[str]) -> dict:
    """Everything the browser needs to write cards in the reader's language."""
    _ = translator(ui)
    return {"ui": ui, "page": RESULTS_PAGE, "t": translate_all(ui, BROWSER_MESSAGES),
            "types": {t.slug: _(t.label) for t in SERVICE_TYPES},
            "langs": {c: language_name(c, ui) for c in languages}, "days": weekday_names(ui)}


def layout(ui=None, service=None, lang=None, hood=None, q=None, near=None, data=None, **_unused):
    """The page for one URL: every filter starts from the query string, so a shared link reproduces the view."""
    ui = negotiate_ui(ui)
    _ = translator(ui)
    ctx = page_context(current_app.config)
    values = {"service": split_param(service), "lang": split_param(lang), "hood": hood if isinstance(hood, str) else None,
              "q": q if isinstance(q, str) else "", "near": near if isinstance(near, str) else ""}
    languages = sorted(set(ctx["languages"]) | set(values["lang"]))
    unplaced = ctx["unplaced"]
    low = low_data_wanted(data, request.headers.get("Save-Data"), request.cookies.get(LOW_DATA_COOKIE))
    return html.Main([
        dcc.Store(id=ids.HOME_DATA_URL, data=ctx["data_url"]),
        # Outlines are fetched only once the map is on screen (assets/elip_offline.js, outlines).
        dcc.Store(id=OUTLINES_URL, data=None if low or not ctx["has_boundaries"] else ctx["boundaries_url"]),
        dcc.Store(id=ids.HOME_DATA),
        dcc.Store(id=ids.HOME_LABELS, data=browser_labels(ui, languages)),
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
                    html.P([_("Results:"), " ", html.Strong("…", id=ids.HOME_RESULT_COUNT)], className="elip-count",
                           **{"aria-live": "polite", "aria-atomic": "true"}),
                    html.P(id=ids.HOME_STATUS, className="elip-status"),
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
                    html.Button(_("Show more results"), id=ids.HOME_MORE, type="button", className="elip-button",
                                style={"display": "none"}),
                    html.P(_("{n} listings could not be placed on the map yet.", n=unplaced), id=ids.HOME_UNPLACED,
                           className="elip-hint") if unplaced else None,
                ], className="elip-list-pane"),
                html.Section(service_map(ui, None if low else ctx["tile_url"], ctx["tile_attribution"],
                                         ctx["has_boundaries"] and not low, boundaries_url=None),
                             className="elip-map-pane", **{"aria-label": _("Map")}),
            ], id=ids.HOME_LAYOUT, className="elip-panes show-list"),
        ], className="elip-home low-data" if low else "elip-home"),
    ], id="main", className="elip-main")


clientside_callback(ClientsideFunction("elip_lowdata", "outlines"), Output(ids.HOME_MAP_HOODS, "url"),
                    Input(ids.HOME_VIEW_TOGGLE, "n_clicks"), Input(OUTLINES_URL, "data"))

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
    State(ids.HOME_LABELS, "data"), prevent_initial_call="initial_duplicate",
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
    Output(ids.HOME_NEAR_INPUT, "value"),
    Input(ids.HOME_FILTER_SERVICE, "value"), Input(ids.HOME_FILTER_LANG, "value"), Input(ids.HOME_FILTER_HOOD, "value"),
    Input(ids.HOME_FILTER_TEXT, "value"), Input(ids.HOME_NEAR, "data"), Input(ids.HOME_URL, "search"),
    State(ids.HOME_LABELS, "data"), prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("elip_map", "toggleView"),
    Output(ids.HOME_LAYOUT, "className"), Output(ids.HOME_VIEW_TOGGLE, "children"),
    Input(ids.HOME_VIEW_TOGGLE, "n_clicks"), State(ids.HOME_LABELS, "data"), prevent_initial_call=True,
)

_FILTER_OUTPUTS = (Output(ids.HOME_FILTER_SERVICE, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_LANG, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_HOOD, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_TEXT, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_OPEN, "value", allow_duplicate=True),
                   Output(ids.HOME_FILTER_DAY, "value", allow_duplicate=True))

clientside_callback(ClientsideFunction("elip_map", "clearFilters"), *_FILTER_OUTPUTS,
                    Input(ids.HOME_CLEAR_FILTERS, "n_clicks"), Input(f"{ids.HOME_CLEAR_FILTERS}-empty", "n_clicks"),
                    prevent_initial_call=True)

clientside_callback(ClientsideFunction("elip_map", "widen"), *_FILTER_OUTPUTS, Input(ids.HOME_WIDEN, "n_clicks"),
                    prevent_initial_call=True)


@callback(Output(ids.HOME_NEAR, "data"), Output(ids.HOME_NEAR_MESSAGE, "children"),
          Input(ids.HOME_NEAR_BUTTON, "n_clicks"), Input(ids.HOME_NEAR_INPUT, "value"), State(ids.HOME_LABELS, "data"))
def place_near(_clicks, text, labels):
    """The reader searched near a place: put it on the map, or say plainly why not."""
    return near_answer(text, (labels or {}).get("ui", "en"), current_app.config)
