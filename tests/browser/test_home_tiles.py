"""On a phone the list comes before the basemap: no map tile is asked for until the first results are on
screen, in real headless Chromium at 360 px; on a wide screen the map beside the list gets its tiles too.
The tiles come from a local server on another port, as a tile host's would."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dash.testing.wait import until

from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.testing import add_location, free_port

pytestmark = pytest.mark.browser

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
# Runs before any page script: the time (page clock) the first result card appears in the list.
WATCH_LIST = """
window.__firstCardAt = null;
new MutationObserver(function (changes, observer) {
  if (document.querySelector('#home-results [data-location-id]')) {
    window.__firstCardAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
TILE_STARTS = """return performance.getEntriesByType('resource')
  .filter(e => e.name.indexOf(arguments[0]) === 0).map(e => e.startTime);"""


class _Tiles(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)


@pytest.fixture
def tiles():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Tiles)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app(tmp_path, clear_pages_state, tiles):
    url = f"sqlite:///{tmp_path / 'tiles.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        for i, (lat, lon) in enumerate([(53.5444, -113.4909), (53.5701, -113.4650), (53.5102, -113.5205)]):
            add_location(s, f"Centre {i}", f"Office {i}", lat=lat, lon=lon, phone="780-555-0199")
    database.dispose()
    return create_app(Settings(database_url=url, tile_url=tiles + "/{z}/{x}/{y}.png"), load_sample=False)


def _open(dash_duo, width: int, height: int) -> None:
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_LIST})
    driver.set_window_size(width, height)
    driver.get(dash_duo.server_url + "/?ui=en")  # a fresh load in this window
    dash_duo.wait_for_text_to_equal("#result-count", "3", timeout=20)


def test_tiles001_phone_draws_the_list_before_asking_for_tiles(dash_duo, app, tiles):
    dash_duo.start_server(app)
    _open(dash_duo, 360, 640)
    driver = dash_duo.driver
    assert driver.execute_script("return window.matchMedia('(max-width: 799px)').matches")  # the phone layout
    until(lambda: driver.execute_script(TILE_STARTS, tiles), timeout=20)  # the map still gets its tiles
    first_card = driver.execute_script("return window.__firstCardAt")
    first_tile = min(driver.execute_script(TILE_STARTS, tiles))
    assert first_card is not None and first_tile >= first_card, (first_card, first_tile)
    assert driver.find_elements("css selector", "#home-map img.leaflet-tile")
    assert dash_duo.get_logs() == []


def test_tiles002_wide_screen_map_gets_its_tiles(dash_duo, app, tiles):
    dash_duo.start_server(app)
    _open(dash_duo, 1280, 900)
    driver = dash_duo.driver
    until(lambda: driver.execute_script(TILE_STARTS, tiles), timeout=20)
    dash_duo.wait_for_element("#home-map .leaflet-tile-loaded", timeout=20)
    assert dash_duo.get_logs() == []
