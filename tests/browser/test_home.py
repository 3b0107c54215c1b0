"""The newcomer page in real headless Chromium: map and list agree with the directory, filters run in
the browser, near ranks nearest first, the URL reproduces the view, languages, phone layout, safety."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "unit"))
from test_listing import add_location  # noqa: E402  (the same tiny directory builder as the unit tests)

from elip_map.config import Settings  # noqa: E402
from elip_map.directory.storage import open_database  # noqa: E402
from elip_map.factory import create_app  # noqa: E402
from elip_map.filters import distance_km, matches  # noqa: E402
from elip_map.listing import feature_collection, load_listings  # noqa: E402

pytestmark = pytest.mark.browser
XSS_NAME = "<img src=x onerror=alert(1)>"
T = dt.time


@pytest.fixture
def directory(tmp_path):
    """A small directory on SQLite: varied types and languages, one unplaced row, one hostile name."""
    url = f"sqlite:///{tmp_path / 'home.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        add_location(s, "Newcomer Centre", "Language centre", lat=53.5705, lon=-113.4655, types=("language-training",),
                     langs=("ar", "en"), hood="1010", phone="+17804247709", website="https://example.org",
                     hours=[(1, T(9), T(17)), (2, T(9), T(17))], verified=dt.date(2026, 2, 1),
                     service_name="English classes (LINC)")
        add_location(s, "Newcomer Centre", "Downtown office", lat=53.5440, lon=-113.5090,
                     types=("employment", "information-orientation"), langs=("ar", "fr", "en"))
        add_location(s, "Africa Centre", "Main office", lat=53.5930, lon=-113.5300,
                     types=("community-connections", "youth"), langs=("so", "en"))
        add_location(s, "FRAP", "Bureau", lat=53.5200, lon=-113.4900, types=("francophone", "information-orientation"),
                     langs=("fr",), address="8627 91 Street NW")
        add_location(s, "Catholic Social Services", "Immigration and Settlement", lat=53.5560, lon=-113.4650,
                     types=("language-training", "information-orientation"), langs=("ar", "ti", "en"))
        add_location(s, "Mill Woods Library", "Branch", lat=53.4570, lon=-113.4300, types=("language-training",),
                     langs=("pa", "en"), hours=[(6, T(10), T(17))])
        add_location(s, XSS_NAME, XSS_NAME, lat=53.5350, lon=-113.5600, types=("food",), langs=("en",))
        add_location(s, "Unplaced Org", "Somewhere", lat=None, lon=None, status="needs-attention")
    database.dispose()
    return url


@pytest.fixture
def app(directory, geodata_mirror, clear_pages_state):
    settings = Settings(database_url=directory, tile_url="", data_mirror=geodata_mirror)
    return create_app(settings, load_sample=False)


def expected_features(app):
    with app.server.config["ELIP_DATABASE"].session() as s:
        return feature_collection(load_listings(s))["features"]


def listed_ids(dash_duo):
    return [el.get_attribute("data-location-id") for el in dash_duo.find_elements("[data-location-id]")]


def wait_count(dash_duo, n):
    dash_duo.wait_for_text_to_equal("#result-count", str(n), timeout=10)


def map_point_count(dash_duo):
    """Locations drawn on the map: single markers plus the numbers inside clusters."""
    return dash_duo.driver.execute_script("""
        let n = 0;
        document.querySelectorAll('#home-map .leaflet-overlay-pane path[fill="#0b5cad"]').forEach(() => n++);
        document.querySelectorAll('#home-map .marker-cluster').forEach(el => n += parseInt(el.innerText, 10));
        return n;""")


def click_check(dash_duo, checklist_id, value):
    """Open the checklist's group if folded, then tick the box with this value (as a person would)."""
    box = dash_duo.find_element(f"#{checklist_id} input[value='{value}']")
    details = box.find_element(By.XPATH, "ancestor::details")
    if not details.get_attribute("open"):
        details.find_element(By.TAG_NAME, "summary").click()
    box.click()


def test_home001_loads_and_filters_match_directory(dash_duo, app):
    dash_duo.start_server(app)
    features = expected_features(app)
    wait_count(dash_duo, len(features))
    assert sorted(listed_ids(dash_duo)) == sorted(f["properties"]["id"] for f in features)
    dash_duo.wait_for_element("#home-unplaced")  # honest about the row the map cannot show
    assert "1" in dash_duo.find_element("#home-unplaced").text

    click_check(dash_duo, "home-filter-service", "language-training")
    click_check(dash_duo, "home-filter-lang", "ar")
    criteria = {"types": ["language-training"], "langs": ["ar"]}
    wanted = sorted(f["properties"]["id"] for f in features if matches(f["properties"], criteria))
    assert len(wanted) == 2
    wait_count(dash_duo, len(wanted))
    assert sorted(listed_ids(dash_duo)) == wanted
    until(lambda: map_point_count(dash_duo) == len(wanted), timeout=5)
    assert dash_duo.get_logs() == []
