"""The listing card: one location as the public sees it (newcomer list, partner page).

Takes a plain listing dict from :func:`elip_map.listing.load_listings`; every value is passed to Dash
as text, so nothing from the data is ever interpreted as HTML. ``assets/elip_map.js`` (``card``)
builds the same structure in the browser for the filtered list.
"""

from __future__ import annotations

from collections.abc import Mapping

from babel.dates import get_day_names
from dash import html

from ..directory.languages import language_name
from ..directory.taxonomy import BY_SLUG
from ..i18n import babel_locale, format_date, format_number, negotiate_ui, translator
from ..rules.hours import display_hours
from .eligibility_text import eligibility_line, fee_line


def weekday_names(ui: str) -> list[str]:
    """Short weekday names Monday..Sunday in the reader's language (CLDR, via Babel)."""
    names = get_day_names("abbreviated", locale=babel_locale(negotiate_ui(ui)))
    return [names[i] for i in range(7)]


def directions_url(lat: float, lon: float) -> str:
    """A link that opens the route in the phone's maps app (and Google Maps on the web elsewhere)."""
    return f"https://www.google.com/maps/dir/?api=1&destination={lat:.5f}%2C{lon:.5f}"


def type_label(slug: str, ui: str) -> str:
    """Translated service-type label: type_label('food', 'fr') -> 'Alimentation'."""
    service_type = BY_SLUG.get(slug)
    return translator(ui)(service_type.label) if service_type else slug


def listing_card(listing: Mapping, ui: str = "en", *, distance_km: float | None = None,
                 selected: bool = False, show_on_map: bool = True, status: str | None = None) -> html.Li:
    """A list entry for one location, with every detail a newcomer needs before going there."""
    _ = translator(ui)
    rows: list = []

    def row(label: str, value) -> None:
        if value:
            rows.extend([html.Dt(label), html.Dd(value)])

    types = ", ".join(type_label(s, ui) for s in listing.get("types") or [])
    services = listing.get("services") or []
    row(_("Services"), [types] + ([html.Span(" · " + " · ".join(services), className="elip-card-services")] if services else []))
    row(_("Languages"), ", ".join(language_name(c, negotiate_ui(ui)) for c in listing.get("langs") or []))
    hours = " · ".join(x for x in (display_hours(listing.get("hours"), weekday_names(ui)), listing.get("hours_note")) if x)
    row(_("Hours"), hours or _("Hours not known"))
    row(_("Accessibility"), listing.get("accessibility"))
    # "Can I use it?": who is served (or "ask about eligibility"), then the organization's own words.
    row(_("Eligibility"), " · ".join(x for x in (eligibility_line(listing, ui, status), listing.get("eligibility")) if x))
    row(_("Fees"), fee_line(listing, ui))

    actions: list = []
    for phone in listing.get("phones") or []:
        shown = phone["display"] + (f" ext. {phone['ext']}" if phone.get("ext") else "")
        actions.append(html.A(_("Call {phone}", phone=shown), href=f"tel:{phone['tel']}", className="elip-action"))
    if listing.get("website"):
        actions.append(html.A(_("Website"), href=listing["website"], className="elip-action", target="_blank",
                              rel="noopener noreferrer"))
    if listing.get("lat") is not None and listing.get("lon") is not None:
        actions.append(html.A(_("Directions"), href=directions_url(listing["lat"], listing["lon"]),
                              className="elip-action", target="_blank", rel="noopener noreferrer"))
    if show_on_map:
        # assets/elip_map.js turns a click on any [data-show] button into "select this pin".
        actions.append(html.Button(_("Show on map"), className="elip-action elip-show", type="button",
                                   **{"data-show": listing["id"]}))
    distance = None
    if distance_km is not None:
        km = format_number(distance_km, negotiate_ui(ui), digits=1)
        distance = html.P(_("{km} km away", km=km), className="elip-card-distance")
    verified = listing.get("last_verified")
    children = [
        html.H3(listing.get("organization") or "", className="elip-card-org"),
        html.P(listing["name"], className="elip-card-name") if listing.get("name") else None,
        distance,
        html.P(listing["address"], className="elip-card-address") if listing.get("address") else None,
        html.Dl(rows, className="elip-card-facts"),
        html.P(actions, className="elip-card-actions"),
        html.P(_("Last verified: {date}", date=format_date(verified, ui)) if verified else _("Not verified yet"), className="elip-card-verified"),
    ]
    return html.Li(html.Article([c for c in children if c is not None]),
                   className="elip-card is-selected" if selected else "elip-card",
                   **{"data-location-id": listing["id"]})
