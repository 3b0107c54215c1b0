"""Where the reader lands after "near": at the top of the nearest service's card, and still there once the
cards' details (address, phones) have arrived and made the cards taller."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from dash.testing.wait import until

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_home import DETAILS_SETTLED, search_near  # noqa: E402

from elip_map.config import Settings  # noqa: E402
from elip_map.directory.listings import load_listings  # noqa: E402
from elip_map.factory import create_app  # noqa: E402

pytestmark = pytest.mark.browser

FIRST_CARD_TOP = """const card = document.querySelector('#home-results > li'), pane = document.querySelector('.elip-list-pane');
return [card.getBoundingClientRect().top - pane.getBoundingClientRect().top, document.activeElement === card];"""


@pytest.fixture
def app(tmp_path, geodata_mirror, clear_pages_state):
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'scroll.sqlite3'}", tile_url="",
                               data_mirror=geodata_mirror), load_sample=True)


@pytest.mark.parametrize("place", ["Alberta Avenue", "Downtown"])
def test_scroll001_near_lands_on_the_first_card_and_stays_when_details_arrive(dash_duo, app, place):
    with app.server.config["ELIP_DATABASE"].session() as s:
        n = len(load_listings(s, include_unplaced=True))
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1280, 900)  # wide: the list scrolls in its own pane beside the map
    dash_duo.wait_for_text_to_equal("#result-count", str(n), timeout=20)
    search_near(dash_duo, place)
    dash_duo.wait_for_contains_text("#home-status", place, timeout=10)
    until(lambda: dash_duo.driver.execute_script(DETAILS_SETTLED), timeout=10)
    time.sleep(0.3)  # a frame or two for a late shift to show
    top, focused = dash_duo.driver.execute_script(FIRST_CARD_TOP)
    assert focused, "the nearest service's card is not the one in focus"
    assert -1 <= top <= 2, f"the first card's top is {top:.0f} px from the top of the list (its heading hidden)"
