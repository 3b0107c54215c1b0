"""About: who makes the map, where the data comes from, licences and attribution."""

from __future__ import annotations

import dash
from dash import html

from elip_map.i18n import N_, negotiate_ui, translator

dash.register_page(__name__, path="/about", name=N_("About"), title="About — ELIP Service Map", nav=True, order=90)


def layout(ui=None, **_unused):
    """The About page in the reader's language."""
    ui = negotiate_ui(ui)
    _ = translator(ui)
    return html.Main([
        html.H1(_("About this map")),
        html.P(_("The Edmonton Local Immigration Partnership (ELIP) made this map so newcomers can find services "
                 "near them, staff can see where services are missing, and partner organizations can keep their "
                 "listings correct.")),
        html.H2(_("Data sources")),
        html.Ul([
            html.Li(_("Service listings: partner organizations and their public listings. Each listing shows the "
                      "date it was last verified; check with the organization before you go.")),
            html.Li(_("Neighbourhood boundaries: City of Edmonton Open Data.")),
            html.Li(_("Map tiles: © OpenStreetMap contributors, under the Open Database License (ODbL).")),
        ]),
        html.H2(_("Licences and attribution")),
        html.P(_("Contains information licensed under the Open Government Licence – City of Edmonton.")),
        html.P(_("Listing text stays in the language the organization wrote it in.")),
        html.H2(_("Privacy")),
        html.P(_("Your location, when you share it, is used only in your browser to sort results. It is never "
                 "stored or sent to our server.")),
    ], id="main", className="elip-main elip-prose")
