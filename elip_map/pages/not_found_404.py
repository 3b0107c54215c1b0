"""Page not found: say so plainly and offer the way back."""

from __future__ import annotations

import dash
from dash import html

from elip_map.i18n import N_, negotiate_ui, translator

dash.register_page(__name__, path="/404", name=N_("Page not found"), title="ELIP Service Map")


def layout(ui=None, **_unused):
    _ = translator(negotiate_ui(ui))
    return html.Main([html.H1(_("Page not found")), html.P(html.A(_("Go to Find services"), href="/"))],
                     id="main", className="elip-main")
