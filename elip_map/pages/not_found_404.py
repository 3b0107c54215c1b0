"""Page not found: say so plainly and offer the way back."""

from __future__ import annotations

import dash
from dash import html

from elip_map.i18n import N_, page_title, negotiate_ui, translator

dash.register_page(__name__, path="/404", name=N_("Page not found"), title=page_title(N_("Page not found")))


def layout(ui=None, **_unused):
    ui = negotiate_ui(ui)
    _ = translator(ui)
    return html.Main([html.H1(_("Page not found")),
                      html.P(_("This address does not lead to a page of the map. It may be mistyped or old.")),
                      html.P(html.A(_("Go to Find services"), href="/" if ui == "en" else f"/?ui={ui}"))],
                     id="main", className="elip-main")
