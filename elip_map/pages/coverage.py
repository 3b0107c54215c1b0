"""Coverage (staff): where newcomers live, where services are, and where the gaps are."""

from __future__ import annotations

import json

import dash
import dash_leaflet as dl
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.dash_table import DataTable
from dash.exceptions import PreventUpdate
from flask import abort

from elip_map.components import coverage_ids as ids
from elip_map.components import coverage_panel as panel
from elip_map.components.filter_panel import dropdown_labels
from elip_map.components.rendering import rendering_for_a_visitor
from elip_map.components.staff_ui import map_words
from elip_map.coverage import view as cv
from elip_map.coverage.access import request_allowed
from elip_map.coverage.measures import DEFAULT_CATCHMENT_KM, METHODS
from elip_map.coverage.runtime import (coverage_cache, database, directory_languages, pins_geojson, settings,
                                       zones_geojson)
from elip_map.directory.languages import language_name
from elip_map.directory.taxonomy import BY_SLUG, SERVICE_TYPES
from elip_map.i18n import N_, negotiate_ui, page_title, reader_ui, translator
from elip_map.refdata import DWELLING_LANGUAGE_COLUMNS
from elip_map.rules.region import EDMONTON_CENTER

dash.register_page(__name__, path="/coverage", name=N_("Coverage"), title=page_title(N_("Coverage")), nav=False)

ANY = "any"
DEFAULT_SERVICE = "language-training"


def js(name: str) -> dict:
    """Reference to a function in window.elipCoverage.map (assets/coverage.js)."""
    return {"variable": f"elipCoverage.map.{name}"}


def _guard() -> None:
    """Callbacks are routes: refuse them too when the view is not allowed (not only the layout)."""
    if not request_allowed():
        abort(403)


VIEW = (ids.SERVICE, ids.LANGUAGE, ids.CATCHMENT, ids.METHOD)  # the choices every figure of the view depends on


def _view(dependency) -> list:
    """The view's choices as callback dependencies (``Input`` or ``State``), in the order of ``_table``'s arguments."""
    return [dependency(component, "value") for component in VIEW]


def _points():
    """The cache and every public location, read once per directory version."""
    cache = coverage_cache()
    with database().session() as session:
        _version, points = cache.points(session)
    return cache, points


def _language(value: str | None) -> str | None:
    return None if not value or value == ANY else value


def _table(service: str, language: str | None, catchment: float, method: str | None):
    method = method if method in METHODS else "2sfca"
    try:
        km = float(catchment if catchment is not None else DEFAULT_CATCHMENT_KM)
        cv.check_inputs(service, _language(language), km, method)
    except (TypeError, ValueError):  # a forged or impossible input (CoverageError too): keep what is shown
        raise PreventUpdate from None
    with database().session() as session:
        return coverage_cache().table(session, service, _language(language), km, method)


def _language_options(codes, ui: str = "en") -> list[dict]:
    _ = translator(ui)
    census = set(DWELLING_LANGUAGE_COLUMNS)
    options = [{"label": _("Any language"), "value": ANY}]
    for code in sorted(set(codes) | census, key=lambda c: language_name(c, ui)):
        name = f"{language_name(code, ui)} ({code})"
        options.append({"label": _("{language} — census 2016 demand", language=name) if code in census else name,
                        "value": code})
    return options


EMPTY = {"type": "FeatureCollection", "features": []}


def layout(service: str | None = None, language: str | None = None, ui: str | None = None, **_unused):
    """The coverage view; ``?service=slug&language=code`` preselect the view.

    The layout carries no data (Dash also embeds every page's layout in each page's HTML for
    validation): the map layers come from a guarded callback once the page loads.
    """
    ui = negotiate_ui(ui)
    _ = translator(ui)
    if rendering_for_a_visitor() and not request_allowed():
        return html.Main([html.H1(_("Coverage")),
                          html.P([_("The coverage view is for ELIP staff."), " ",
                                  html.A(_("Sign in as staff"), href="/login?next=/coverage")])],
                         id="main", className="elip-main")
    with database().session() as session:
        codes = directory_languages(session)
    service = service if service in BY_SLUG else DEFAULT_SERVICE
    languages = _language_options(codes, ui)
    language = language if language in {o["value"] for o in languages} else ANY
    tile_url = settings().tile_url
    map_children = [dl.TileLayer(url=tile_url, attribution=settings().tile_attribution, maxZoom=19)] if tile_url else []
    map_children += [
        dl.GeoJSON(id=ids.ZONES, data=EMPTY, style=js("zoneStyle"),
                   onEachFeature=js("zoneTooltip"), hideout={"colours": {}}, attribution=_(panel.ATTRIBUTION)),
        dl.GeoJSON(id=ids.SELECTED_ZONE, data=EMPTY,
                   style=js("selectedStyle"), interactive=False),
        dl.GeoJSON(id=ids.PINS, data=EMPTY, filter=js("pinFilter"), pointToLayer=js("pinToLayer"),
                   hideout={"service": service, "language": _language(language)}),
        dl.ScaleControl(position="bottomleft", imperial=False),
    ]
    controls = html.Div([
        html.Div([html.Label(_("Service type"), htmlFor=ids.SERVICE),
                  dcc.Dropdown(id=ids.SERVICE, value=service, clearable=False, labels=dropdown_labels(ui),
                               options=[{"label": _(t.label), "value": t.slug} for t in SERVICE_TYPES])],
                 className="coverage-control"),
        html.Div([html.Label(_("Language offered"), htmlFor=ids.LANGUAGE),
                  dcc.Dropdown(id=ids.LANGUAGE, value=language, clearable=False, options=languages,
                               labels=dropdown_labels(ui))],
                 className="coverage-control"),
        html.Div([html.Label(_("Measure on the map"), htmlFor=ids.MEASURE),
                  dcc.Dropdown(id=ids.MEASURE, value=panel.DEFAULT_MEASURE, clearable=False, labels=dropdown_labels(ui),
                               options=[{"label": _(m.label), "value": k} for k, m in panel.MEASURES.items()])],
                 className="coverage-control"),
        html.Div([html.Label(_("Catchment (km, straight line)"), htmlFor=ids.CATCHMENT),
                  # Whole numbers only: "0.5" sat on top of "1" on a phone (and kept its English decimal point);
                  # the box beside the slider shows the value chosen.
                  dcc.Slider(id=ids.CATCHMENT, min=0.5, max=10, step=0.5, value=DEFAULT_CATCHMENT_KM,
                             marks={v: str(v) for v in (1, 2, 3, 5, 10)})],
                 className="coverage-control coverage-control-wide"),
        html.Div([html.Label(_("Access score"), htmlFor=ids.METHOD),
                  dcc.Dropdown(id=ids.METHOD, value="2sfca", clearable=False, labels=dropdown_labels(ui), options=[
                      {"label": _("2SFCA: everything within the catchment counts fully"), "value": "2sfca"},
                      {"label": _("Enhanced 2SFCA: nearer services count more"), "value": "e2sfca"}])],
                 className="coverage-control"),
    ], className="coverage-controls")
    exports = html.Div([
        html.Button(_("Download table (CSV)"), id=ids.DOWNLOAD_CSV, type="button", className="coverage-button"),
        html.Button(_("Download layer (GeoJSON)"), id=ids.DOWNLOAD_GEOJSON, type="button", className="coverage-button"),
        html.Button(_("Print view"), id=ids.PRINT, type="button", className="coverage-button"),
        dcc.Download(id=ids.DOWNLOAD),
        dcc.Store(id=ids.PRINT_SINK),
        dcc.Store(id=ids.RTL_SINK),
    ], className="coverage-exports")
    return html.Main([
        map_words(ui),
        html.Div(panel.print_header(panel.view_title(service, _language(language), DEFAULT_CATCHMENT_KM, ui=ui), ui=ui),
                 id=ids.PRINT_TITLE, className="coverage-print-only"),
        html.H1(_("Coverage: where the gaps are")),
        html.P(_("For ELIP staff and planners. Pick a service type (and a language); the map and the table rank "
                 "neighbourhoods from worst served."), className="coverage-lede"),
        controls,
        html.P(id=ids.SUMMARY, className="coverage-summary", **{"aria-live": "polite"}),
        html.P(id=ids.DEMAND_NOTE, className="coverage-note"),
        html.Div([
            html.Div([dl.Map(map_children, id=ids.MAP, center=EDMONTON_CENTER, zoom=10, minZoom=9, maxZoom=18,
                             className="coverage-map", attributionControl=True),
                      html.Div(id=ids.LEGEND, className="coverage-legend")], className="coverage-map-column"),
            html.Section(id=ids.DETAILS, className="coverage-details", **{"aria-live": "polite"}),
        ], className="coverage-body"),
        exports,
        html.H2(_("Neighbourhoods, worst served first")),
        DataTable(id=ids.TABLE, columns=panel.table_columns(ui), data=[], sort_action="native",
                  filter_action="native", filter_options={"placeholder_text": _("Filter…")},
                  page_action="native", page_size=25,
                  sort_by=[], style_table={"overflowX": "auto"}, cell_selectable=True,
                  style_cell={"fontFamily": "inherit", "padding": "4px 8px"},
                  style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "start"} for c in ("neighbourhood", "ward")]),
        panel.how_to_read(ui),
        html.Footer([html.P(_(s)) for s in panel.SOURCES] + [html.P(_(panel.ATTRIBUTION))], className="coverage-sources"),
        dcc.Store(id=ids.SELECTED),
        dcc.Store(id=ids.LOAD, data=0),
    ], id="main", className="elip-main coverage-page")


@callback(Output(ids.ZONES, "data"), Output(ids.PINS, "data"), Input(ids.LOAD, "data"))
def load_layers(_load):
    """The page opened: send the neighbourhood outlines and every public location once."""
    _guard()
    cache, points = _points()
    return zones_geojson(cache.zones), pins_geojson(points)


@callback(Output(ids.ZONES, "hideout"), Output(ids.PINS, "hideout"), Output(ids.TABLE, "data"),
          Output(ids.LEGEND, "children"), Output(ids.SUMMARY, "children"), Output(ids.DEMAND_NOTE, "children"),
          Output(ids.PRINT_TITLE, "children"), Input(ids.MEASURE, "value"), *_view(Input))
def update_view(measure, service, language, catchment, method):
    """The staff member changed the service, language, measure or catchment: recolour, re-rank."""
    _guard()
    table = _table(service, language, catchment, method)
    ui = reader_ui()
    colours, legend = panel.zone_colours(table, measure if measure in panel.MEASURES else panel.DEFAULT_MEASURE, ui)
    title = panel.view_title(service, _language(language), float(catchment), table.attrs["method"], ui)
    return ({"colours": colours}, {"service": service, "language": _language(language)}, panel.table_records(table),
            legend, f"{title}. {panel.summary_text(table, ui)}", panel.demand_words(table, ui)[1],
            panel.print_header(title, ui=ui))


@callback(Output(ids.SELECTED, "data"), Input(ids.ZONES, "clickData"), Input(ids.TABLE, "active_cell"),
          prevent_initial_call=True)
def select_zone(click, cell):
    """A neighbourhood was clicked on the map or in the table."""
    _guard()
    number = panel.clicked_number(ctx.triggered_id == ids.ZONES, click, cell)
    if number is None:
        raise PreventUpdate
    return number


@callback(Output(ids.DETAILS, "children"), Output(ids.SELECTED_ZONE, "data"),
          Input(ids.SELECTED, "data"), *_view(Input))
def show_details(number, service, language, catchment, method):
    """Show the selected neighbourhood's figures and nearest services, and outline it on the map."""
    _guard()
    table = _table(service, language, catchment, method)
    cache, points = _points()
    nearest = cv.nearest_services(cache.zones, points, number, service, _language(language)) if number else []
    return panel.details(table, number, nearest, reader_ui()), panel.selected_outline(cache.zones, number)


@callback(Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_CSV, "n_clicks"), Input(ids.DOWNLOAD_GEOJSON, "n_clicks"),
          *_view(State), prevent_initial_call=True)
def download(_csv, _geojson, service, language, catchment, method):
    """The staff member asked for the ranked table (CSV) or the layer (GeoJSON)."""
    _guard()
    table = _table(service, language, catchment, method)
    stem = panel.export_stem(service, _language(language), float(catchment), table.attrs["method"])
    if ctx.triggered_id == ids.DOWNLOAD_CSV:
        return {"content": cv.table_to_csv(table), "filename": f"{stem}.csv", "type": "text/csv"}
    layer = cv.table_to_geojson(coverage_cache().zones, table)
    return {"content": json.dumps(layer, ensure_ascii=False), "filename": f"{stem}.geojson",
            "type": "application/geo+json"}


clientside_callback(ClientsideFunction("elip_coverage", "print"), Output(ids.PRINT_SINK, "data"),
                    Input(ids.PRINT, "n_clicks"), prevent_initial_call=True)
clientside_callback(ClientsideFunction("elip_coverage", "rtlStart"), Output(ids.RTL_SINK, "data"),
                    Input(ids.TABLE, "data"), prevent_initial_call=True)
