"""The newcomer page's filters: near box, service types, languages, neighbourhood, text and hours.

Checkbox lists (not drop-downs) for service types and languages: every choice is visible, reachable by
keyboard, read by screen readers and large enough to tap on a phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dash import dcc, html

from .. import ids
from ..directory.languages import language_name
from ..directory.taxonomy import SERVICE_TYPES
from ..i18n import negotiate_ui, translator
from .card import weekday_names
from .eligibility_text import WHO_I_AM, WHO_I_AM_HINT, status_options


def service_options(ui: str) -> list[dict]:
    _ = translator(ui)
    return [{"label": _(t.label), "value": t.slug} for t in SERVICE_TYPES]


def language_options(codes: Sequence[str], ui: str) -> list[dict]:
    """Languages named in the reader's language, sorted as the reader would look for them."""
    ui = negotiate_ui(ui)
    options = [{"label": language_name(c, ui), "value": c} for c in codes]
    return sorted(options, key=lambda o: o["label"].casefold())


def dropdown_labels(ui: str) -> dict:
    """The drop-down's own words (search box, "no options found", select all...) in the reader's language."""
    _ = translator(ui)
    return {"select_all": _("Select all"), "deselect_all": _("Deselect all"),
            "selected_count": _("{num_selected} selected"), "search": _("Search…"), "clear_search": _("Clear search"),
            "clear_selection": _("Clear selection"), "no_options_found": _("No options found")}


def _group(title: str, body, open_: bool = False) -> html.Details:
    return html.Details([html.Summary(title), body], open=open_, className="elip-filter-group")


def filter_panel(ui: str, values: Mapping, languages: Sequence[str], hood_options: Sequence[Mapping],
                 near_available: bool) -> html.Section:
    """The filter form; ``values`` holds the initial state read from the URL."""
    _ = translator(ui)
    days = weekday_names(ui)
    near_hint = (_("Address, intersection, postal code or neighbourhood") if near_available
                 else _("Neighbourhood name"))
    near = html.Div([
        html.Label(_("Near"), htmlFor=ids.HOME_NEAR_INPUT),
        html.Div([
            dcc.Input(id=ids.HOME_NEAR_INPUT, type="search", value=values.get("near") or "", placeholder=near_hint,
                      autoComplete="street-address", className="elip-input", debounce=True),
            html.Button(_("Search"), id=ids.HOME_NEAR_BUTTON, type="button", className="elip-button"),
        ], className="elip-near-row"),
        html.Button(_("Use my location"), id=ids.HOME_LOCATE_BUTTON, type="button", className="elip-button elip-secondary"),
        html.P(_("Your location stays in your browser: it is never stored."), className="elip-hint"),
        html.P(id=ids.HOME_NEAR_MESSAGE, className="elip-message", role="status"),
    ], className="elip-near")
    text = html.Div([
        html.Label(_("Search by name"), htmlFor=ids.HOME_FILTER_TEXT),
        dcc.Input(id=ids.HOME_FILTER_TEXT, type="search", value=values.get("q") or "", debounce=0.3,
                  placeholder=_("e.g. English classes"), className="elip-input"),
    ], className="elip-field")
    hood = html.Div([
        html.Label(_("Neighbourhood"), htmlFor=ids.HOME_FILTER_HOOD),
        dcc.Dropdown(id=ids.HOME_FILTER_HOOD, options=list(hood_options), value=values.get("hood") or None,
                     searchable=True, clearable=True, placeholder=_("Any neighbourhood"), className="elip-dropdown",
                     labels=dropdown_labels(ui)),
    ], className="elip-field")
    hours = html.Div([
        dcc.Checklist(id=ids.HOME_FILTER_OPEN, options=[{"label": _("Open now"), "value": "open"}],
                      value=["open"] if values.get("open") else [],
                      className="elip-checks", inputClassName="elip-check-input", labelClassName="elip-check-label"),
        html.Label(_("Open on"), htmlFor=ids.HOME_FILTER_DAY),
        dcc.Dropdown(id=ids.HOME_FILTER_DAY, options=[{"label": d, "value": i + 1} for i, d in enumerate(days)],
                     value=values.get("day"), placeholder=_("Any day"), clearable=True, searchable=False, className="elip-dropdown",
                     labels=dropdown_labels(ui)),
        html.P(_("Only listings with known hours are shown when you choose a time."), className="elip-hint"),
    ], className="elip-field")
    # "Who I am": optional, plain words; the answer stays in the URL (status=<slug>), never on the server.
    who = dcc.RadioItems(id=ids.HOME_FILTER_STATUS, options=status_options(ui), value=values.get("status") or "",
                         className="elip-checks", inputClassName="elip-check-input", labelClassName="elip-check-label")
    service_values = values.get("service") or []
    lang_values = values.get("lang") or []
    return html.Section([
        html.H2(_("Filters"), className="elip-visually-hidden"),
        near,
        text,
        _group(_(WHO_I_AM), html.Div([html.P(_(WHO_I_AM_HINT), className="elip-hint"), who]),
               open_=bool(values.get("status"))),
        _group(_("Service type"), dcc.Checklist(
            id=ids.HOME_FILTER_SERVICE, options=service_options(ui), value=list(service_values),
            className="elip-checks", inputClassName="elip-check-input", labelClassName="elip-check-label"),
            open_=bool(service_values)),
        _group(_("Languages spoken"), dcc.Checklist(
            id=ids.HOME_FILTER_LANG, options=language_options(languages, ui), value=list(lang_values),
            className="elip-checks", inputClassName="elip-check-input", labelClassName="elip-check-label"),
            open_=bool(lang_values)),
        _group(_("Neighbourhood"), hood, open_=bool(values.get("hood"))),
        _group(_("Hours"), hours, open_=bool(values.get("open") or values.get("day"))),
        html.Button(_("Clear filters"), id=ids.HOME_CLEAR_FILTERS, type="button", className="elip-button elip-secondary"),
    ], className="elip-filters", **{"aria-label": _("Filters")})
