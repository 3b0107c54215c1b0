"""Card details on demand, in real headless Chromium: the feed carries no phone or address, a drawn card
gets them from /api/details; opened again with no network, the cards seen before show their saved
details and the others say, in the reader's language, that theirs are not saved on this phone."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dash.testing.wait import until

from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.testing import add_location

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offline_kit import saved, set_offline, wait_until_kept  # noqa: E402

pytestmark = pytest.mark.browser

N = 30  # more than one page of cards (25)
FEED_TEXT = """const done = arguments[arguments.length - 1];
fetch(arguments[0]).then(r => r.text()).then(done, () => done(''));"""


def phone(i: int) -> str:
    return f"780-555-{1000 + i}"


@pytest.fixture
def app(tmp_path, clear_pages_state):
    url = f"sqlite:///{tmp_path / 'cards.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        for i in range(N):
            add_location(s, f"Centre {i:02d}", f"Office {i:02d}", lat=53.50 + i * 0.003, lon=-113.50,
                         phone=phone(i), address=f"{10000 + i} 101 Street NW")
    database.dispose()
    return create_app(Settings(database_url=url, tile_url=""), load_sample=False)


def _card(dash_duo, i: int):
    return dash_duo.driver.execute_script(
        "const h = [...document.querySelectorAll('.elip-card-org')].find(e => e.textContent === arguments[0]);"
        " return h ? h.closest('.elip-card').textContent : null;", f"Centre {i:02d}")


def test_details001_cards_fetch_their_details_and_keep_them_offline(dash_duo, app):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    dash_duo.wait_for_text_to_equal("#result-count", str(N), timeout=20)
    # The first page of cards gets its phones and addresses, fetched apart from the feed.
    until(lambda: all(_card(dash_duo, i) and phone(i) in _card(dash_duo, i) for i in range(25)), timeout=20)
    assert f"{10000 + 3} 101 Street NW" in _card(dash_duo, 3)
    feed_url = driver.execute_script("return window.elip.map.dataUrl")
    feed = driver.execute_async_script(FEED_TEXT, feed_url)
    assert "Centre 03" in feed and phone(3) not in feed and "101 Street NW" not in feed
    asked = [u for u in driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
             if "/api/details?" in u]
    assert asked and all("&v=" in u for u in asked)
    # Cards 26-30 are beyond the first page: never drawn, never fetched.
    assert _card(dash_duo, N - 1) is None

    # The worker has taken over and saved the feed and the details seen.
    until(lambda: any(p.startswith("/api/details?") for p in saved(driver)), timeout=20)
    wait_until_kept(driver)

    set_offline(driver, True)
    dash_duo.server.stop()
    driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_text_to_equal("#result-count", str(N), timeout=30)
    until(lambda: _card(dash_duo, 0) and phone(0) in _card(dash_duo, 0), timeout=10)
    assert all(phone(i) in _card(dash_duo, i) for i in range(25))  # saved details, no network
    # "Show more": the next cards' details were never fetched, and say so.
    dash_duo.find_element("#home-more").click()
    until(lambda: _card(dash_duo, N - 1) is not None, timeout=10)
    until(lambda: "not saved on this phone" in _card(dash_duo, N - 1), timeout=10)
    assert phone(N - 1) not in _card(dash_duo, N - 1)
    assert "Connect to the internet" in _card(dash_duo, N - 1)
