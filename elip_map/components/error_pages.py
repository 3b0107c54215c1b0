"""Plain error pages (403, 404, 405, 413, 500...) in the reader's language, with the way back.

Flask's own pages are English and name the status code's jargon ("Forbidden"); a newcomer reading
Tigrinya gets a sentence in Tigrinya and a link to the map instead. No traceback, no request detail.
"""

from __future__ import annotations

from markupsafe import escape

from ..i18n import N_, negotiate_ui, text_direction, translator

_MESSAGES = {
    400: N_("The page could not understand this request. Reload the page and try again."),
    403: N_("This page is only for ELIP staff or partner organizations who are logged in."),
    404: N_("This address does not lead to a page of the map. It may be mistyped or old."),
    405: N_("The page could not understand this request. Reload the page and try again."),
    413: N_("This file is too large. Send a smaller file."),
    429: N_("Too many requests at once. Wait a minute and try again."),
    503: N_("The service map is temporarily unavailable. Please try again in a few minutes."),
}
_DEFAULT = N_("Something went wrong on our side. Please try again in a few minutes.")
_TITLES = {403: N_("Not allowed"), 404: N_("Page not found"), 503: N_("Service temporarily unavailable")}


def error_message(status: int, ui: str | None) -> str:
    """The plain sentence for an error status in the reader's language (for answers that are not pages)."""
    return translator(negotiate_ui(ui))(_MESSAGES.get(status, _DEFAULT))


def error_page(status: int, ui: str) -> str:
    """The whole HTML page for an error status (ui already negotiated); every text is escaped."""
    ui = negotiate_ui(ui)
    _ = translator(ui)
    title = _(_TITLES.get(status, N_("Sorry, this did not work")))
    body = _(_MESSAGES.get(status, _DEFAULT))
    home = "/" if ui == "en" else f"/?ui={ui}"
    return (f'<!DOCTYPE html><html lang="{escape(ui)}" dir="{text_direction(ui)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)} — '
            f'{escape(_("ELIP Service Map"))}</title><link rel="stylesheet" href="/assets/elip_map.css"></head>'
            f'<body><main id="main" class="elip-main"><h1>{escape(title)}</h1><p>{escape(body)}</p>'
            f'<p><a href="{escape(home)}">{escape(_("Go to Find services"))}</a></p></main></body></html>')
