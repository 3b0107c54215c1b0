"""The newcomer map after filter changes that update the clustered layer in place (assets/elip_map.js,
showPoints): the map must keep showing exactly the listed results, before and after zooming, with no
spare marker left visible or countable."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from test_home import click_check, map_point_count, wait_count  # noqa: E402

from elip_map.config import Settings  # noqa: E402
from elip_map.directory.storage import open_database  # noqa: E402
from elip_map.factory import create_app  # noqa: E402
from elip_map.testing import add_location  # noqa: E402

pytestmark = pytest.mark.browser
N = 60  # close together around the map's centre: clusters at the first zoom, singles further in


@pytest.fixture
def app(tmp_path, geodata_mirror, clear_pages_state):
    url = f"sqlite:///{tmp_path / 'clusters.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        for i in range(N):
            types = ("language-training",) if i % 3 == 0 else ("employment",)
            langs = ("ar", "en") if i % 4 == 0 else ("en",)
            add_location(s, f"Org {i}", f"Site {i}", lat=53.5400 + (i % 10) * 0.0012, lon=-113.5000 + (i // 10) * 0.0020,
                         types=types, langs=langs)
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", data_mirror=geodata_mirror), load_sample=False)


def zoom_in(dash_duo, levels):
    """Zoom the Leaflet map itself (dash-leaflet then redraws the clusters from its index on moveend)."""
    dash_duo.driver.execute_script("const m = window.elip.map.cluster.map; m.setZoom(m.getZoom() + arguments[0], "
                                   "{animate: false})", levels)


def test_home_map001_in_place_updates_match_the_list(dash_duo, app):
    dash_duo.start_server(app)
    wait_count(dash_duo, N)
    until(lambda: map_point_count(dash_duo) == N, timeout=10)
    until(lambda: dash_duo.driver.execute_script("return !!(window.elip.map.cluster && window.elip.map.cluster.layer)"),
          timeout=5)

    language = sum(1 for i in range(N) if i % 3 == 0)
    click_check(dash_duo, "home-filter-service", "language-training")
    wait_count(dash_duo, language)
    assert dash_duo.driver.execute_script("return window.elip.map.lastRender.inPlace") is True
    until(lambda: map_point_count(dash_duo) == language, timeout=5)

    both = sum(1 for i in range(N) if i % 3 == 0 and i % 4 == 0)
    click_check(dash_duo, "home-filter-lang", "ar")
    wait_count(dash_duo, both)
    until(lambda: map_point_count(dash_duo) == both, timeout=5)

    # Zooming redraws from the same (filtered) index: still only the listed results, now spread out.
    zoom_in(dash_duo, 3)
    until(lambda: map_point_count(dash_duo) == both, timeout=5)

    click_check(dash_duo, "home-filter-lang", "ar")
    click_check(dash_duo, "home-filter-service", "language-training")
    wait_count(dash_duo, N)
    until(lambda: map_point_count(dash_duo) == N, timeout=5)
    assert dash_duo.get_logs() == []


def test_home_map002_show_more_reaches_every_result(dash_duo, app):
    """Only a first page of cards is written per filter change; "Show more results" reaches all of them."""
    from elip_map.pages.home import RESULTS_PAGE

    dash_duo.start_server(app)
    wait_count(dash_duo, N)
    seen = len(dash_duo.find_elements("#home-results > li"))
    assert seen == min(N, RESULTS_PAGE)
    while seen < N:
        assert str(N) in dash_duo.find_element("#home-status").text
        dash_duo.find_element("#home-more").click()
        until(lambda: len(dash_duo.find_elements("#home-results > li")) > seen, timeout=5)
        seen = len(dash_duo.find_elements("#home-results > li"))
    assert seen == N
    until(lambda: not dash_duo.find_element("#home-more").is_displayed(), timeout=5)
    assert dash_duo.find_element("#home-status").text == ""
    assert dash_duo.get_logs() == []
