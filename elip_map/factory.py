"""Build the Dash app: one place that wires settings, database, reference data and pages together."""

from __future__ import annotations

import dash
from flask import g

from .config import Settings
from .directory.storage import open_database
from .paths import ASSETS_DIR, PACKAGE_DIR


def create_app(settings: Settings | None = None, *, load_sample: bool = True) -> dash.Dash:
    """Create the app; on an empty database, load the bundled sample directory first.

    Reference data (boundaries, demand) is loaded here once, read-only; directory data is read from
    the database per request, never kept in a module global.
    """
    settings = settings or Settings.from_env()
    database = open_database(settings.database_url)
    if load_sample:
        from .directory.sample import load_sample_if_empty

        load_sample_if_empty(database)

    app = dash.Dash(
        "elip_map",
        use_pages=True,
        pages_folder=str(PACKAGE_DIR / "pages"),
        assets_folder=str(ASSETS_DIR),
        title="ELIP Service Map",
        update_title=None,
        compress=True,
        suppress_callback_exceptions=False,
    )
    server = app.server
    server.config["ELIP_SETTINGS"] = settings
    server.config["ELIP_DATABASE"] = database
    server.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + 1024 * 1024

    @server.before_request
    def _attach():
        g.settings = settings
        g.database = database

    app.layout = dash.html.Div([dash.page_container])
    return app
