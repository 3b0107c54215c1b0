"""Find services: the newcomer page (built out in the newcomer-page work)."""

import dash
from dash import html

dash.register_page(__name__, path="/", title="Find services — ELIP Service Map")

layout = html.Main([html.H1("ELIP Service Map")], id="main")
