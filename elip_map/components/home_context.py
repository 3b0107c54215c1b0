"""What the newcomer page needs per request: the feed's versioned address, the languages and
neighbourhoods to offer, and the answer to a "near" search in the reader's language."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

import segno
from dash import html
from babel.dates import get_date_format, get_month_names
from babel.numbers import get_decimal_symbol

from ..api import outlines_url
from ..directory.fingerprint import directory_fingerprint
from ..directory.languages import language_name
from ..directory.listings import count_unplaced, public_language_codes
from ..directory.search_words import search_table
from ..directory.storage import DATASET_KEY, get_meta
from ..directory.taxonomy import SERVICE_TYPES
from ..geocoding.near import gazetteer, project_geocoder, resolve_near
from ..i18n import N_, N_plural, babel_locale, intl_locale, plural_table, translate_all, translator
from ..review.health import stale_cutoff
from ..spatial.neighbourhoods import Neighbourhoods
from .card import weekday_names
from .eligibility_text import browser_eligibility_labels

# Strings the browser renders itself (list cards, counts, messages), sent once per page load.
BROWSER_MESSAGES = (
    N_("Services"), N_("Languages"), N_("Hours"), N_("Hours not known"), N_("Accessibility"), N_("Eligibility"),
    N_("Fees"), N_("Call {phone}"), N_("Website"), N_("Directions"), N_("Show on map"), N_("{km} km away"),
    N_("Last verified: {date}"), N_("Not verified yet"), N_("Loading services…"),
    N_("Could not load the services. Please reload the page."), N_("Nearest first, from {place}"),
    N_("Showing {shown} of {n}"), N_("Location is not available in this browser."), N_("your location"),
    N_("Your browser did not share your location. Type a street address or a neighbourhood in the box instead."),
    N_("Show list"), N_("Show map"),
    N_("See details"), N_("Email {email}"), N_("about {km} km away"),
    N_("The address, phone and other details of this service are not saved on this phone. Connect to the internet "
       "to see them."),
    N_("The address, phone and other details of this service did not arrive in time (slow connection). They will be "
       "asked for again."),
    N_("Sample listing, not verified by ELIP: call before you go."), N_("Address being checked: call before you go."),
    N_("No street address: call or visit online."),
    N_("Nearest first, from about {place}"), N_("Link to this search"),
    N_("Link copied: paste it in a message or an e-mail."), N_("Copy this link:"), N_("Service type"),
    N_("Search by name"), N_("Open now"), N_("Open on"), N_("Near"), N_("All services"), N_("Search"),
    N_("Printed on {date}"), N_("Source: ELIP Service Map, {url}"), N_("Map layers"), N_("Neighbourhood"),
    N_("Zoom in"), N_("Zoom out"), N_("Close this box"),
    N_("Getting every address and phone number for printing ({done} of {total})…"),
    N_("Address and phone not available when this list was printed."),
    N_("Missing details: some services below are printed without their address and phone, which were not "
       "available on this device. To get them, print again with “Print this list” while connected to the internet."),
)

# Counts the browser writes, each with its plural forms (the browser picks one per count: m.plural).
BROWSER_PLURALS = (
    N_plural("{n} service", "{n} services"),
    N_plural("{n} service here: zoom in", "{n} services here: zoom in"),
    N_plural("Last checked more than {n} month ago: call before you go.",
             "Last checked more than {n} months ago: call before you go."),
)


# Cards written per step: the first ones at each filter change, and as many more per "Show more results".
# Building a card takes about 0.1 ms in Chromium here, so 25 rather than 50 keeps a filter change within
# its 50 ms budget (bench/bench_filter.py); every result stays reachable through the button.
RESULTS_PAGE = 25


def browser_labels(ui: str, languages: list[str], *, stale_months: int = 12, sample: bool = False,
                   today: dt.date | None = None) -> dict:
    """Everything the browser needs to write cards in the reader's language.

    Numbers and dates are written the way Babel (CLDR) writes them for the language: the browser gets
    the decimal sign, the long date pattern and the month names rather than its own locale's idea.
    ``stale_before`` is the date before which a listing's last check is too old to trust without a call.
    """
    _ = translator(ui)
    locale = babel_locale(ui)
    months = get_month_names("wide", context="format", locale=locale)
    return {"ui": ui, "locale": intl_locale(ui), "page": RESULTS_PAGE, "t": translate_all(ui, BROWSER_MESSAGES),
            "plural": {one: plural_table(ui, one, many) for one, many in BROWSER_PLURALS},
            "types": {t.slug: _(t.label) for t in SERVICE_TYPES},
            "langs": {c: language_name(c, ui) for c in languages}, "days": weekday_names(ui),
            "decimal": get_decimal_symbol(locale), "date": {"pattern": get_date_format("long", locale=locale).pattern,
                                                            "months": [months[i] for i in range(1, 13)]},
            "stale_months": stale_months, "stale_before": stale_cutoff(today or dt.date.today(), stale_months).isoformat(),
            "sample": sample, "words": search_table(ui, languages), "elig": browser_eligibility_labels(ui)}


def split_param(value) -> list[str]:
    """A multi-valued query parameter, comma-separated or repeated: split_param('food,health') -> ['food', 'health']."""
    if not value:
        return []
    values = value if isinstance(value, list) else [value]
    return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


def page_context(config: Mapping) -> dict:
    """Per-request facts for the page, read from the database named in the app's config."""
    database = config["ELIP_DATABASE"]
    settings = config["ELIP_SETTINGS"]
    hoods: Neighbourhoods = config["ELIP_NEIGHBOURHOODS"]
    with database.session() as session:
        fingerprint = directory_fingerprint(session)
        # Same version, same answer: computed once per directory version (like the feed), not per page
        # load; the language query alone took 120-140 ms at 10,000 locations on SQLite.
        languages, unplaced = config["ELIP_API_CACHE"].get_or_build(
            f"page-facts-{fingerprint}", lambda: (public_language_codes(session), count_unplaced(session)))
        dataset = get_meta(session, DATASET_KEY)
    return {
        "data_url": f"/api/locations.feed?v={fingerprint}",
        "fingerprint": fingerprint,
        "languages": languages,
        "unplaced": unplaced,
        "sample": dataset == "bundled-sample",
        "hood_options": hoods.options,
        "has_boundaries": bool(hoods.geojson_bytes),
        "boundaries_url": outlines_url(hoods),
        "near_available": project_geocoder() is not None,
        "tile_url": settings.tile_url or None,
        "tile_attribution": settings.tile_attribution,
    }


def near_answer(text: str | None, ui: str, config: Mapping) -> tuple[dict | None, str | list]:
    """The "near" store value and the message to show, in the reader's language (page content)."""
    _ = translator(ui)
    geocode = project_geocoder()
    if geocode is not None:
        geocode = functools.partial(geocode, settings=config.get("ELIP_SETTINGS"))
    answer = resolve_near(text or "", config["ELIP_NEIGHBOURHOODS"], geocode, places=gazetteer())
    if answer["status"] == "ok":
        store = {"lat": answer["lat"], "lon": answer["lon"], "label": answer["label"], "query": (text or "").strip()}
        # A centre is not the reader's door: distances then read "about 2.0 km", from a place said as such.
        if answer.get("precision") == "postal-area":
            store.update(approx=True, label=_("the centre of postal area {area}", area=answer["area"]))
        elif answer.get("precision") == "neighbourhood":
            store.update(approx=True, label=_("the centre of {place}", place=answer["label"]))
        return store, ""
    if answer["status"] == "elsewhere":
        return None, _isolating(_, N_("{code} is in {place}, not in Edmonton. This map lists services in Edmonton: "
                                      "try an Edmonton address, postal code or neighbourhood."),
                                code=answer["label"], place=answer["place"])
    if answer["status"] == "empty":
        return None, ""
    if answer["status"] == "unavailable":
        return None, _("Searching near an address is not available right now. Try a neighbourhood name; "
                       "the other filters still work.")
    return None, _isolating(_, N_("Could not find “{place}” in Edmonton. Try a postal code, an intersection like "
                                  "{example}, or a neighbourhood name."),
                            place=answer["label"], example="118 Avenue & 82 Street")


def _isolating(_, message: str, **values: str) -> list:
    """A translated sentence as page content, each value an isolated run in its own direction (<bdi>): what
    the reader typed and the example address are English inside an Arabic sentence, where
    "118 Avenue & 82 Street" read "Avenue & 82 Street 118"."""
    parts = _(message, **{name: f"\x00{name}\x00" for name in values}).split("\x00")
    return [html.Bdi(values[part]) if i % 2 else part for i, part in enumerate(parts) if i % 2 or part]


# A QR code holds about 2,900 bytes at its lowest error correction; a search address is far shorter.
QR_MAX_URL = 1500


def page_address(host_url: str, pathname: str | None, search: str | None) -> str:
    """The address in the reader's address bar: page_address('http://h/', '/', '?q=x') -> 'http://h/?q=x'."""
    return host_url.rstrip("/") + (pathname or "/") + (search or "")


def qr_data_uri(url: str | None) -> str | None:
    """An SVG QR code of ``url`` as a data: address for an <img>, or None for no or an over-long address.

    Error correction "M" survives a creased or smudged flyer; only http(s) addresses are encoded.
    """
    if not url or len(url) > QR_MAX_URL or not url.lower().startswith(("http://", "https://")):
        return None
    code = segno.make(url, error="m", micro=False)
    return code.svg_data_uri(scale=4, border=4, dark="#000", light="#fff")
