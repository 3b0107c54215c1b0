"""The listing card: one location as the public sees it (newcomer list, partner page).

Takes a plain listing dict from :func:`elip_map.listing.load_listings`; every value is passed to Dash
as text, so nothing from the data is ever interpreted as HTML. ``assets/elip_map.js`` (``card``)
builds the same structure in the browser for the filtered list.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from babel.dates import get_day_names
from dash import html

from ..directory.languages import language_name
from ..directory.taxonomy import BY_SLUG
from ..i18n import babel_locale, format_date, format_number, negotiate_ui, translator
from ..rules.hours import clock
from .eligibility_text import eligibility_line, fee_line


def weekday_names(ui: str) -> list[str]:
    """Short weekday names Monday..Sunday in the reader's language (CLDR, via Babel)."""
    names = get_day_names("abbreviated", locale=babel_locale(negotiate_ui(ui)))
    return [names[i] for i in range(7)]


def ltr(text: str) -> html.Bdi:
    """Left-to-right data (phone, address, hours, date) as an isolated run: in an Arabic page
    "780-555-0199" would otherwise read "0199-555-780"."""
    return html.Bdi(text, dir="ltr")


def hours_children(hours, days: list[str]) -> list:
    """display_hours (elip_map.rules.hours) as page content: each time range an isolated left-to-right run,
    on one line with its day (a phone's narrow column broke "Tue 9:00–" / "19:00")."""
    out: list = []
    for i, r in enumerate(hours or []):
        day = html.Span([f"{days[r[0] - 1]} ", ltr(f"{clock(r[1])}–{clock(r[2])}")], className="elip-nowrap")
        out += ([", "] if i else []) + [day]
    return out


def directions_url(lat: float, lon: float, address: str | None = None) -> str:
    """A link that opens the route in the phone's maps app (and Google Maps on the web elsewhere): to the
    street address when there is one (a pin may be an estimate), otherwise to the pin."""
    if address:
        return f"https://www.google.com/maps/dir/?api=1&destination={quote(address, safe='')}"
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
    hours = hours_children(listing.get("hours"), weekday_names(ui))
    if listing.get("hours_note"):
        hours += [" · "] * bool(hours) + [listing["hours_note"]]
    row(_("Hours"), hours or _("Hours not known"))
    row(_("Accessibility"), listing.get("accessibility"))
    # "Can I use it?": who is served (or "ask about eligibility"), then the organization's own words.
    row(_("Eligibility"), " · ".join(x for x in (eligibility_line(listing, ui, status), listing.get("eligibility")) if x))
    row(_("Fees"), fee_line(listing, ui))

    actions: list = []
    # The same words on every card: their names say whose they are (assets/elip_map.js, card, does the same).
    whose = " – ".join(x for x in (listing.get("organization"), listing.get("name")) if x)

    def named(words: str) -> dict:
        return {"aria-label": f"{words} – {whose}"} if whose else {}

    for phone in listing.get("phones") or []:
        shown = phone["display"] + (f" ext. {phone['ext']}" if phone.get("ext") else "")
        label = _("Call {phone}", phone="\x00").split("\x00")
        # One inline run inside the flex button: as separate flex items, "Call " lost its space ("Call780-…").
        actions.append(html.A(html.Span([label[0], ltr(shown), label[-1]]), href=f"tel:{phone['tel']}",
                              className="elip-action"))
    if listing.get("website"):
        actions.append(html.A(_("Website"), href=listing["website"], className="elip-action", target="_blank",
                              rel="noopener noreferrer", **named(_("Website"))))
    if listing.get("lat") is not None and listing.get("lon") is not None:
        actions.append(html.A(_("Directions"), href=directions_url(listing["lat"], listing["lon"], listing.get("address")),
                              className="elip-action", target="_blank", rel="noopener noreferrer",
                              **named(_("Directions"))))
    if show_on_map:
        # assets/elip_map.js turns a click on any [data-show] button into "select this pin".
        actions.append(html.Button(_("Show on map"), className="elip-action elip-show", type="button",
                                   **{"data-show": listing["id"]}, **named(_("Show on map"))))
    distance = None
    if distance_km is not None:
        km = format_number(distance_km, negotiate_ui(ui), digits=1)
        distance = html.P(_("{km} km away", km=km), className="elip-card-distance")
    verified = listing.get("last_verified")
    if verified:
        label = _("Last verified: {date}", date="\x00").split("\x00")
        shown_date = format_date(verified, ui, length="long")
        # Isolated, direction from its own words: "2 يناير 2026" reads right to left, "January 2, 2026" left to right.
        verified_line = [label[0], html.Bdi(shown_date), label[-1]]
    else:
        verified_line = _("Not verified yet")
    children = [
        html.H3(listing.get("organization") or "", className="elip-card-org"),
        html.P(listing["name"], className="elip-card-name") if listing.get("name") else None,
        distance,
        html.P(ltr(listing["address"]), className="elip-card-address") if listing.get("address") else None,
        html.Dl(rows, className="elip-card-facts"),
        html.P(actions, className="elip-card-actions"),
        html.P(verified_line, className="elip-card-verified"),
    ]
    return html.Li(html.Article([c for c in children if c is not None]),
                   className="elip-card is-selected" if selected else "elip-card",
                   **{"data-location-id": listing["id"]})
