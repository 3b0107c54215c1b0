"""The coverage page without a browser: its pure builders, the staff gate on layout and callbacks
(callbacks are routes), and the exports produced through Dash's real callback endpoint."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

from elip_map.components import coverage_ids as ids
from elip_map.components import coverage_panel as panel
from elip_map.config import Settings
from elip_map.coverage.access import coverage_allowed
from elip_map.directory.models import Location, Organization, Service, ServiceAtLocation, ServiceType
from elip_map.directory.storage import bump_directory_version, open_database

# --- pure builders -------------------------------------------------------------------------------

@pytest.mark.parametrize("values, worse_high, expected_bins, expected_classes, expected_colours", [
    ([0, 1, 2, 3, None], True, [(0.0, 1.5), (1.5, 3.0)], [0, 0, 1, 1, -1], ["#fde725", "#440154"]),
    ([0, 1, 2, 3, None], False, [(0.0, 1.5), (1.5, 3.0)], [0, 0, 1, 1, -1], ["#440154", "#fde725"]),
    ([0, 0, 0, 0], True, [(0.0, 0.0)], [0, 0, 0, 0], ["#440154"]),          # ties: one class, not empty ones
    ([None, None], True, [], [-1, -1], []),
])
def test_classify(values, worse_high, expected_bins, expected_classes, expected_colours):
    bins, cls, colours = panel.classify(values, worse_high, classes=2)
    assert bins == expected_bins and cls.tolist() == expected_classes and colours == expected_colours


def _table() -> pd.DataFrame:
    table = pd.DataFrame({
        "gap_rank": pd.array([1, 2, None], dtype="Int64"),
        "neighbourhood_number": ["1010", "1020", "1030"],
        "neighbourhood": ["<b>North</b>", "Two", "Three"],
        "ward": ["W1", "W1", "W2"],
        "demand": pd.array([1000, 500, None], dtype="Int64"),
        "nearest_km": [1.0, np.nan, 6.0],
        "services_within_catchment": [1, 0, 0],
        "access_score": [0.5, 0.0, 0.0],
        "gap_index": [433.3, 500.0, np.nan],
    })
    table.attrs.update(demand_label="Residents", demand_note="note", city_access=1.176)
    return table


def test_darkest_colour_marks_the_worst_served_whichever_way_the_measure_runs():
    gap, _legend = panel.zone_colours(_table(), "gap_index")
    assert gap["1020"] == panel.PALETTE[0] and gap["1030"] == panel.NO_DATA
    access, _legend = panel.zone_colours(_table(), "access_score")
    assert access["1020"] == panel.PALETTE[0] and access["1010"] != panel.PALETTE[0]


def test_legend_counts_the_grey_neighbourhoods():
    _fill, legend = panel.zone_colours(_table(), "gap_index")
    text = json.dumps(legend.to_plotly_json(), default=lambda o: o.to_plotly_json())
    assert "No census figure (1)" in text


def test_table_records_are_json_ready():
    records = panel.table_records(_table())
    assert json.loads(json.dumps(records))[2]["gap_rank"] is None
    assert records[0]["id"] == "1010" and records[1]["nearest_km"] is None


@pytest.mark.parametrize("from_map, click, cell, expected", [
    (True, {"properties": {"number": "1010", "name": "x"}}, None, "1010"),
    (False, None, {"row": 3, "column": 1, "column_id": "neighbourhood", "row_id": "2010"}, "2010"),
    (False, None, None, None),
    (True, {"properties": {}}, None, None),
])
def test_clicked_number(from_map, click, cell, expected):
    assert panel.clicked_number(from_map, click, cell) == expected


def test_details_show_figures_and_say_when_nothing_is_near():
    text = str(panel.details(_table(), "1020", []))
    assert "Two (1020)" in text and "none in the directory" in text and "No matching service anywhere" in text
    assert "Click a neighbourhood" in str(panel.details(_table(), None, []))


def test_export_stem():
    assert panel.export_stem("housing", "ar", 2.0) == "coverage_housing_ar_2km"
    assert panel.export_stem("housing", None, 1.5) == "coverage_housing_1.5km"
    assert panel.export_stem("housing", None, 2, "e2sfca") == "coverage_housing_2km_e2sfca"


class _User:
    def __init__(self, is_staff: bool):
        self.is_staff = is_staff


@pytest.mark.parametrize("production, public, user, allowed", [
    (False, False, None, False), (False, True, None, True), (True, False, None, False), (True, True, None, False),
    (True, False, _User(True), True), (True, False, _User(False), False), (False, False, _User(False), False),
    (False, False, _User(True), True),
])
def test_coverage_allowed(production, public, user, allowed):
    assert coverage_allowed(Settings(production=production, coverage_public=public), user) is allowed


# --- the running app: gate and exports through /_dash-update-component -----------------------------

@pytest.fixture
def directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'coverage.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        org = Organization(name="Centre", name_key="centre")
        loc = Location(organization=org, name="Downtown", location_key="dt", latitude=53.5444, longitude=-113.4909,
                       geocode_status="ok")
        svc = Service(organization=org, name="LINC")
        svc.types = [ServiceType(slug="language-training")]
        s.add_all([loc, svc, ServiceAtLocation(service=svc, location=loc)])
        bump_directory_version(s)
    database.dispose()
    return url


# HTTPS, because production cookies are Secure; the Referer, because CSRF checks it over HTTPS.
HTTPS = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/coverage"}}


def _client(app):
    client = app.server.test_client()
    assert client.get("/", base_url=HTTPS["base_url"]).status_code == 200          # sets the CSRF cookie
    return client


def _post(client, body):
    headers = {**HTTPS["headers"], "X-CSRFToken": client.get_cookie("_csrf_token").value}
    return client.post("/_dash-update-component", json=body, base_url=HTTPS["base_url"], headers=headers)


def _download(client, button: str, method: str = "2sfca"):
    body = {
        "output": f"{ids.DOWNLOAD}.data", "outputs": {"id": ids.DOWNLOAD, "property": "data"},
        "inputs": [{"id": ids.DOWNLOAD_CSV, "property": "n_clicks", "value": 1 if button == ids.DOWNLOAD_CSV else None},
                   {"id": ids.DOWNLOAD_GEOJSON, "property": "n_clicks",
                    "value": 1 if button == ids.DOWNLOAD_GEOJSON else None}],
        "state": [{"id": ids.SERVICE, "property": "value", "value": "language-training"},
                  {"id": ids.LANGUAGE, "property": "value", "value": "any"},
                  {"id": ids.CATCHMENT, "property": "value", "value": 2},
                  {"id": ids.METHOD, "property": "value", "value": method}],
        "changedPropIds": [f"{button}.n_clicks"],
    }
    return _post(client, body)


def _render(client, path="/coverage"):
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    return _post(client, body)


def test_exports_through_the_callback_open_and_parse(directory, clear_pages_state):
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=directory, tile_url="", secret_key="test-only-secret-key-of-at-least-32-bytes", coverage_public=True),
                     load_sample=False)
    client = _client(app)
    r = _download(client, ids.DOWNLOAD_CSV)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    data = r.get_json()["response"][ids.DOWNLOAD]["data"]
    assert data["filename"] == "coverage_language-training_2km.csv"
    rows = list(csv.DictReader(io.StringIO(data["content"])))
    assert len(rows) == 406 and rows[0]["gap_rank"] == "1"
    downtown = next(r for r in rows if r["neighbourhood"] == "Downtown")
    assert float(downtown["nearest_km"]) < 1.5

    r = _download(client, ids.DOWNLOAD_GEOJSON)
    data = r.get_json()["response"][ids.DOWNLOAD]["data"]
    layer = json.loads(data["content"])
    assert data["filename"].endswith(".geojson") and len(layer["features"]) == 406
    assert {"gap_rank", "demand", "nearest_km", "access_score"} <= set(layer["features"][0]["properties"])

    # The enhanced method gives the neighbourhood around the service a score too, under its own name.
    r = _download(client, ids.DOWNLOAD_CSV, method="e2sfca")
    data = r.get_json()["response"][ids.DOWNLOAD]["data"]
    assert data["filename"] == "coverage_language-training_2km_e2sfca.csv"
    rows = {r["neighbourhood"]: r for r in csv.DictReader(io.StringIO(data["content"]))}
    assert float(rows["Downtown"]["access_score"]) > 0


@pytest.mark.parametrize("settings", [dict(production=True), dict(production=True, coverage_public=True),
                                      dict(production=False)], ids=["production", "production-switch-on", "no-login"])
def test_without_staff_login_page_and_callbacks_are_refused(directory, clear_pages_state, settings):
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=directory, tile_url="", secret_key="test-only-secret-key-of-at-least-32-bytes", **settings),
                     load_sample=False)
    client = _client(app)
    page = _render(client).get_data(as_text=True)
    assert "for ELIP staff" in page and "gap_rank" not in page and "Downtown" not in page
    for button in (ids.DOWNLOAD_CSV, ids.DOWNLOAD_GEOJSON):
        r = _download(client, button)
        assert r.status_code == 403
        assert "Downtown" not in r.get_data(as_text=True)


def test_forged_inputs_change_nothing(directory, clear_pages_state):
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=directory, tile_url="", secret_key="test-only-secret-key-of-at-least-32-bytes", coverage_public=True),
                     load_sample=False)
    client = _client(app)
    body = {
        "output": f"{ids.DOWNLOAD}.data", "outputs": {"id": ids.DOWNLOAD, "property": "data"},
        "inputs": [{"id": ids.DOWNLOAD_CSV, "property": "n_clicks", "value": 1},
                   {"id": ids.DOWNLOAD_GEOJSON, "property": "n_clicks", "value": None}],
        "state": [{"id": ids.SERVICE, "property": "value", "value": "<script>"},
                  {"id": ids.LANGUAGE, "property": "value", "value": "any"},
                  {"id": ids.CATCHMENT, "property": "value", "value": "lots"},
                  {"id": ids.METHOD, "property": "value", "value": "2sfca"}],
        "changedPropIds": [f"{ids.DOWNLOAD_CSV}.n_clicks"],
    }
    r = _post(client, body)
    # A number box that sends "lots" is refused before the callback runs: 400 and one sentence, no download.
    assert r.status_code == 400
    assert b"Traceback" not in r.data and b"content" not in r.data


def test_anonymous_first_visit_still_validates_every_coverage_id(directory, clear_pages_state):
    # Dash builds its id-validation layout once, from whoever asks first; if that held only the
    # "staff only" notice, every page would log "ID not found in layout" errors in the browser.
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=directory, tile_url="", secret_key="test-only-secret-key-of-at-least-32-bytes", production=True),
                     load_sample=False)
    client = _client(app)  # the first request, anonymous
    known = {c.id for c in app.validation_layout._traverse() if isinstance(getattr(c, "id", None), str)}
    assert {ids.ZONES, ids.PINS, ids.TABLE, ids.SERVICE} <= known
    page = _render(client).get_data(as_text=True)
    assert "for ELIP staff" in page and ids.TABLE not in page
