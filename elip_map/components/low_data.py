"""Low-data mode and the offline note: the newcomer page for a prepaid plan or no signal at all.

Low data (asked for with the switch, remembered in a cookie, or signalled by the browser's
``Save-Data: on`` header) turns off map tiles and neighbourhood outlines and shows the list only:
tiles are the largest thing the page would fetch. The offline note is filled in by
``assets/elip_offline.js`` when the results come from the copy the phone saved.
"""

from __future__ import annotations

from dash import html

from ..api.pwa import LOW_DATA_COOKIE
from ..i18n import translator

__all__ = ["LOW_DATA_COOKIE", "low_data_switch", "low_data_wanted", "offline_note"]


def low_data_wanted(param: str | None, save_data: str | None, cookie: str | None) -> bool:
    """The reader's explicit choice (link, then cookie) wins over the browser's Save-Data hint."""
    for choice in (param, cookie):
        if choice in ("low", "full"):
            return choice == "low"
    return (save_data or "").strip().lower() == "on"


def low_data_switch(ui: str, low: bool) -> html.P:
    """A plain link (a full page load), so the map's scripts and tiles are simply not asked for."""
    _ = translator(ui)
    ui_part = "" if ui == "en" else f"&ui={ui}"
    if low:
        return html.P(html.A(_("Show the map and outlines"), href=f"?data=full{ui_part}", className="elip-lowdata-link"),
                      className="elip-lowdata")
    return html.P(html.A(_("Low data: list only, no map"), href=f"?data=low{ui_part}", className="elip-lowdata-link"),
                  className="elip-lowdata")


def offline_note(ui: str) -> html.P:
    """Hidden until the page runs on the saved copy; the browser puts the date in ``{date}``."""
    _ = translator(ui)
    return html.P(id="home-offline", className="elip-offline", role="status", hidden=True,
                  **{"data-saved": _("Offline: these are the services saved on {date}."),
                     "data-near": _("You are offline: only neighbourhood names and places you searched before "
                                    "can be found.")})
