"""The newcomer page offline and on low data, in real headless Chromium (network cut with Chromium's
own offline emulation): the last results with the date they were saved, "near" a neighbourhood from
saved data, and a low-data page that asks for no map tiles or outlines."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from elip_map.config import Settings
from elip_map.directory.listings import load_listings
from elip_map.factory import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offline_kit import saved, set_offline, wait_until_kept  # noqa: E402

pytestmark = pytest.mark.browser

@pytest.fixture
def app(tmp_path, geodata_mirror, clear_pages_state):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'off.sqlite3'}", tile_url="https://tiles.invalid/{z}/{x}/{y}.png",
                        data_mirror=geodata_mirror)
    return create_app(settings, load_sample=True)


def public_count(app) -> int:
    """Every open listing the page counts: on the map or in "Call or visit online"."""
    with app.server.config["ELIP_DATABASE"].session() as s:
        return len(load_listings(s, include_unplaced=True))


def test_off001_opened_offline_shows_last_results_with_their_date_and_near_works(dash_duo, app):
    n = public_count(app)
    dash_duo.start_server(app)
    driver = dash_duo.driver
    dash_duo.wait_for_text_to_equal("#result-count", str(n), timeout=20)
    assert dash_duo.find_element("#home-offline").get_attribute("hidden")  # online: no offline note
    # One visit is enough: the worker takes over and keeps the page, its answers and the feed.
    # The worker says when the visit is kept whole; by then the page itself and its bundles are saved.
    wait_until_kept(driver)
    kept = set(saved(driver))
    assert "/" in kept and any(p.startswith("/_dash-component-suites/") for p in kept)

    # Chromium's offline emulation cuts the page's own requests; a service worker's requests are not
    # covered by it (a separate target), so the server is stopped too: nothing answers any more.
    set_offline(driver, True)
    dash_duo.server.stop()
    started = time.time()
    driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_text_to_equal("#result-count", str(n), timeout=10)
    shown_after = time.time() - started
    # When the list was written, in the page's own clock (milliseconds since the navigation began).
    in_page = driver.execute_script("return window.elip.map.lastRender && window.elip.map.lastRender.at")
    note = dash_duo.find_element("#home-offline")
    until(lambda: note.is_displayed(), timeout=5)
    assert note.text.startswith("Offline: these are the services saved on ") and str(time.gmtime().tm_year) in note.text
    # the first page of cards: 25 on the map plus the first of "Call or visit online" (at least 5 of them)
    assert min(n, 25) <= len(dash_duo.find_elements("[data-location-id]")) <= n
    print(f"offline page: {n} results written {in_page:.0f} ms after navigation start "
          f"({shown_after * 1000:.0f} ms as seen by the test driver)")

    # "Near" a neighbourhood, from the centres the worker saved: the list is ranked from there.
    box = dash_duo.find_element("#home-near-input")
    box.send_keys("Alberta Avenue")
    box.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#home-status", "Alberta Avenue", timeout=30)
    distances = [float(el.text.split()[0]) for el in dash_duo.find_elements(".elip-card-distance")]
    assert distances and distances == sorted(distances)

    # A place never searched cannot be found offline: said plainly, the page keeps working.
    box.clear()
    box.send_keys("10111 Nowhere Street")
    box.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#home-near-message", "You are offline", timeout=30)


def test_off002_low_data_shows_the_list_only_and_asks_for_no_tiles_or_outlines(dash_duo, app):
    n = public_count(app)
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + "/?data=low")
    dash_duo.wait_for_text_to_equal("#result-count", str(n), timeout=20)
    time.sleep(1)
    assert not dash_duo.find_element(".elip-map-pane").is_displayed()
    assert not dash_duo.find_element("#home-view-toggle").is_displayed()
    # the first page of cards: 25 on the map plus the first of "Call or visit online" (at least 5 of them)
    assert min(n, 25) <= len(dash_duo.find_elements("[data-location-id]")) <= n
    fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in fetched if "tiles.invalid" in u or "neighbourhoods.geojson" in u]
    # The choice is remembered: the next visit without the parameter is still on low data.
    driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_text_to_equal("#result-count", str(n), timeout=20)
    assert dash_duo.find_element(".elip-lowdata-link").text == "Show the map and outlines"
    dash_duo.find_element(".elip-lowdata-link").click()
    dash_duo.wait_for_text_to_equal(".elip-lowdata-link", "Low data: list only, no map", timeout=20)
    until(lambda: dash_duo.find_element(".elip-map-pane").is_displayed() or driver.get_window_size()["width"] < 700,
          timeout=10)


def test_off003_phone_fetches_outlines_only_when_the_map_is_opened(dash_duo, app):
    n = public_count(app)
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.set_window_size(360, 640)
    driver.get(dash_duo.server_url + "/?ui=en")  # a fresh load in the phone-sized window
    dash_duo.wait_for_text_to_equal("#result-count", str(n), timeout=20)
    time.sleep(1)

    def outline_requests():
        return [u for u in driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
                if "neighbourhoods.geojson" in u]

    assert outline_requests() == []  # the list alone: no outlines downloaded
    dash_duo.find_element("#home-view-toggle").click()
    until(lambda: len(outline_requests()) == 1, timeout=10)
