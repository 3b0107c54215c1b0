"""About: who makes the map, where the data comes from, licences and attribution."""

from __future__ import annotations

import dash
from dash import html

from elip_map.i18n import N_, page_title, SUPPORTED_UI, negotiate_ui, review_status, translator, ui_autonym

dash.register_page(__name__, path="/about", name=N_("About"), title=page_title(N_("About")), nav=True, order=90)


PURPOSE = N_("The Edmonton Local Immigration Partnership (ELIP) made this map so newcomers can find services near "
             "them, staff can see where services are missing, and partner organizations can keep their listings "
             "correct.")
DATA_SOURCES = (
    N_("Service listings: partner organizations and their public listings. Each listing shows the date it was last "
       "verified; check with the organization before you go."),
    N_("Neighbourhood boundaries: City of Edmonton Open Data."),
    N_("Map tiles: © OpenStreetMap contributors, under the Open Database License (ODbL)."),
)


def layout(ui=None, **_unused):
    """The About page in the reader's language."""
    ui = negotiate_ui(ui)
    _ = translator(ui)
    return html.Main([
        html.H1(_("About this map")),
        html.P(_(PURPOSE)),
        html.H2(_("Data sources")),
        html.Ul([html.Li(_(text)) for text in DATA_SOURCES]),
        html.H2(_("Licences and attribution")),
        html.P(_("Contains information licensed under the Open Government Licence – City of Edmonton.")),
        html.P(_("Listing text stays in the language the organization wrote it in.")),
        html.H2(_("Languages of this site")),
        html.P(_("The site speaks these languages. A translation marked “not yet reviewed” was written by the "
                 "project team and has not yet been checked by a fluent community translator.")),
        translation_status(ui),
        html.P(_("Do you read one of these languages well? Help newcomers: tell ELIP staff which words are wrong "
                 "or unclear, or offer to review a translation.")),
        html.H2(_("Privacy")),
        html.P(_("Your location, when you share it, is used only in your browser to sort results. It is never "
                 "stored or sent to our server.")),
    ], id="main", className="elip-main elip-prose")


def translation_status(ui: str) -> html.Table:
    """Each interface language by its own name, with whether a fluent community translator has checked it."""
    _ = translator(ui)
    rows = [html.Tr([html.Th(ui_autonym(code), lang=code, scope="row"),
                     html.Td(_("Source language") if code == "en" else
                             _("Reviewed by a community translator") if review_status(code) else
                             _("Not yet reviewed by a community translator"))],
                    **{"data-ui": code})
            for code in SUPPORTED_UI]
    return html.Table([html.Thead(html.Tr([html.Th(_("Language"), scope="col"), html.Th(_("Translation"), scope="col")])),
                       html.Tbody(rows)], className="elip-table elip-translation-status", tabIndex="0")
