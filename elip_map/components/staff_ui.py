"""Building blocks shared by the login, partner and staff pages (Dash components from plain data).

All text from the database is passed as component children or props, never as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import dash_leaflet as dl
from dash_extensions.javascript import Namespace
from dash import dcc, html
from flask_wtf.csrf import generate_csrf

from ..directory.users import ROLE_WORDS  # noqa: F401 - re-exported for the pages
from ..i18n import N_, reader_translator, translator
from ..rules.region import EDMONTON_CENTER
from .rendering import rendering_for_a_visitor  # noqa: F401 - re-exported for the pages

STAFF_LINKS = (("/staff/review", N_("Review queue")), ("/staff/health", N_("Data health")),
               ("/staff/audit", N_("Audit log")), ("/staff/users", N_("Accounts")), ("/partner", N_("Edit listings")),
               ("/coverage", N_("Coverage")))
# Hand-written in assets/elip_review.js: copies a dragged marker's new position into its `position` prop.
DRAG_END = {"dragend": Namespace("elip", "review")("pinDragEnd")}


def csrf_field() -> dcc.Input:
    token = generate_csrf() if rendering_for_a_visitor() else ""
    return dcc.Input(type="hidden", name="csrf_token", value=token)




# DataTable's controls (coverage ranking), by the data attribute assets/elip_review.js reads: the
# case-sensitivity button's title is fixed English; the page buttons show only an icon and have no name.
TABLE_WORDS = {"data-filter-case": N_("Match capital letters (on or off)"), "data-first-page": N_("First page"),
               "data-previous-page": N_("Previous page"), "data-next-page": N_("Next page"),
               "data-last-page": N_("Last page"), "data-page-number": N_("Go to page")}


def map_words(ui: str | None = None) -> html.Span:
    """The reader's words for Leaflet's zoom buttons, the number boxes' steppers and DataTable's controls
    (the libraries' own English, or no name at all), which assets/elip_review.js puts on them."""
    _ = translator(ui) if ui else reader_translator()
    return html.Span(id="elip-map-words", hidden=True, **{"data-zoom-in": _("Zoom in"), "data-zoom-out": _("Zoom out"),
                                                         "data-increase": _("Increase value"),
                                                         "data-decrease": _("Decrease value")},
                     **{key: _(text) for key, text in TABLE_WORDS.items()})


def account_bar(user, ui: str | None = None) -> html.Div:
    """Who is signed in, links for staff, and a logout button (a POST with the CSRF token)."""
    if user is None:
        return html.Div()
    _ = translator(ui) if ui else reader_translator()  # else the request's language: cookie, then Accept-Language
    links = [html.A(_(label), href=href, className="elip-nav-link") for href, label in STAFF_LINKS] if user.is_staff else []
    return html.Div([
        map_words(ui),
        html.Nav(links, className="elip-staff-nav", **{"aria-label": _("Staff pages")}) if links else None,
        html.Form([csrf_field(), html.Span(_("Signed in as {email} ({role})", email=user.email,
                                                                  role=_(ROLE_WORDS.get(user.role, user.role))),
                                           className="elip-signed-in"),
                   html.Button(_("Log out"), type="submit", className="elip-action")],
                  action="/auth/logout", method="post", className="elip-account-bar"),
    ])


def refusal(user, path: str, ui: str | None = None) -> html.Div:
    """What an unauthorized visitor sees instead of the page: no data at all."""
    _ = translator(ui) if ui else reader_translator()
    if user is None:
        return html.Div([html.P(_("Please log in to see this page.")),
                         html.A(_("Log in"), href=f"/login?next={path}", className="elip-action")],
                        className="elip-refusal", role="alert")
    return html.Div(html.P(_("Your account cannot open this page.")), className="elip-refusal", role="alert")


# What a data cell may not split: a time range ("9:00–17:00", one thing, which an Arabic line would also
# draw as "17:00–9:00" unless isolated left to right), and where a long token (an e-mail, a web address, a
# file name) may break: after @ . / _ - (never inside an ordinary word; the table scrolls for anything else).
_TIME_RANGE = re.compile(r"\d{1,2}:\d{2}\s?[–-]\s?\d{1,2}:\d{2}")
_BREAK_AFTER = re.compile(r"(?<=[@./_-])(?=[^@./_\-\s])")
LONG = 16  # characters: a longer token with a letter gets break opportunities ("780-555-0199" stays whole)
PIECE, REST = 8, 6  # no piece shorter than this, no tail shorter than that: "partner@ org.example", not "org. example"


def cell_parts(text: str) -> list[tuple[str, str]]:
    """A cell's text as ("text" | "range" | "break", piece) parts: time ranges kept whole, a break
    opportunity inside each long token after its separators. Joining the pieces gives the text back."""
    parts: list[tuple[str, str]] = []

    def plain(piece: str) -> None:
        last = 0
        for token in re.finditer(r"\S+", piece):
            if len(token.group()) < LONG or not re.search(r"[^\W\d_]", token.group()):
                continue
            start = token.start()
            for cut in (token.start() + m.start() for m in _BREAK_AFTER.finditer(token.group())):
                if cut - start < PIECE or token.end() - cut < REST:
                    continue
                parts.append(("text", piece[last:cut]))
                parts.append(("break", ""))
                last = start = cut
        if piece[last:]:
            parts.append(("text", piece[last:]))

    last = 0
    for m in _TIME_RANGE.finditer(text):
        plain(text[last:m.start()])
        parts.append(("range", m.group()))
        last = m.end()
    plain(text[last:])
    return [p for p in parts if p != ("text", "")]


def cell(text: str) -> list | str:
    """A data cell's children: see :func:`cell_parts`. A range is a left-to-right isolate that does not wrap;
    a break is <wbr> (nothing is added to what a person copies)."""
    parts = cell_parts(text)
    if all(kind == "text" for kind, _ in parts):
        return text
    return [html.Bdi(piece, dir="ltr", className="elip-time-range") if kind == "range" else
            html.Wbr() if kind == "break" else piece for kind, piece in parts]


def diff_table(rows: Iterable[Mapping[str, str]], caption: str | None = None) -> html.Table:
    """Each changed field, now and proposed, headed in the reader's language (``caption`` already translated)."""
    _ = reader_translator()
    return html.Table([
        html.Caption(caption or _("Proposed changes")),
        html.Thead(html.Tr([html.Th(_("Field"), scope="col"), html.Th(_("Now"), scope="col"),
                            html.Th(_("Proposed"), scope="col")])),
        html.Tbody([html.Tr([html.Th(r["field"], scope="row"), html.Td(cell(r["before"]), dir="auto"),
                             html.Td(cell(r["after"]), dir="auto")])
                    for r in rows]),
    ], className="elip-diff", tabIndex="0")  # it scrolls sideways on a phone: keyboards must reach it too


def simple_table(columns: list[tuple[str, str]], rows: Iterable[Mapping], caption: str, **kwargs) -> html.Table:
    """A plain accessible table: columns are (key, heading). It scrolls sideways on a phone, so it takes
    the keyboard focus too (axe: scrollable-region-focusable). Each cell takes its direction from its own
    text: on an Arabic page "11713 82 St NW" would otherwise be drawn "St NW 11713 82"."""
    kwargs.setdefault("tabIndex", "0")
    return html.Table([
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(h, scope="col") for _, h in columns])),
        html.Tbody([html.Tr([html.Td(cell(str(r.get(k, "") if r.get(k) is not None else "")), dir="auto") for k, _ in columns])
                    for r in rows]),
    ], className="elip-table", **kwargs)


def neighbourhood_outlines() -> dl.GeoJSON:
    """The city's neighbourhood outlines under a pin, so a partner sees where the pin is without a basemap."""
    return dl.GeoJSON(url="/api/neighbourhoods.geojson", id="pin-map-neighbourhoods", interactive=False,
                      style={"color": "#5a4b8a", "weight": 1, "fill": False, "opacity": 0.7})


def pin_map(map_id: str, marker_id: str | None, position=None, *, tile_url: str | None = None,
            tile_attribution: str = "", extra=None, ui: str | None = None) -> dl.Map:
    """A small map with one draggable pin (drag it where the door is)."""
    _ = translator(ui) if ui else reader_translator()
    children = [dl.TileLayer(url=tile_url, attribution=tile_attribution, maxZoom=19)] if tile_url else []
    if marker_id:
        children.append(dl.Marker(id=marker_id, position=list(position or EDMONTON_CENTER), draggable=True,
                                  eventHandlers=DRAG_END, title=_("Drag to the building's entrance"),
                                  alt=_("Map pin")))
    children.extend(extra or [])
    return dl.Map(children, id=map_id, center=list(position or EDMONTON_CENTER), zoom=15 if position else 11,
                  style={"height": "320px"}, className="elip-pin-map")
