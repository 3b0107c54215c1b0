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


# Every pin in the page: its listing, where it is drawn, and where that listing is.
PINS = """const m = window.elip.map;
return [...document.querySelectorAll('#home-map .leaflet-overlay-pane path[data-pin]')].map(node => {
  let marker = null;
  m.cluster.layer.eachLayer(l => { if (l.getElement && l.getElement() === node) marker = l; });
  const f = m.byId[node.getAttribute('data-pin')], at = marker.getLatLng();
  return [node.getAttribute('data-pin'), node.getAttribute('aria-label'), [at.lat, at.lng],
          [f.geometry.coordinates[1], f.geometry.coordinates[0]], [f.properties.organization, f.properties.name].join(' – ')];
});"""
# The listings of these organizations whose place is inside the map's view.
IN_VIEW = """const m = window.elip.map, b = m.cluster.map.getBounds(), orgs = arguments[0];
return Object.values(m.byId).filter(f => f.geometry && orgs.includes(f.properties.organization)
  && b.contains([f.geometry.coordinates[1], f.geometry.coordinates[0]])).map(f => f.properties.id);"""


def test_home_map003_pins_kept_through_a_narrower_filter_stay_true_to_their_listing(dash_duo, app):
    """A pin still wanted after a filter change is left where it is; every pin shown must still be one
    listed result, drawn at its listing's place and named after it, with none shown twice."""
    dash_duo.start_server(app)
    wait_count(dash_duo, N)
    until(lambda: dash_duo.driver.execute_script("return !!(window.elip.map.cluster && window.elip.map.cluster.layer)"),
          timeout=5)
    # Past the clustering's last zoom (15), over the sites: each site in view is its own pin.
    dash_duo.driver.execute_script("window.elip.map.cluster.map.setView([53.5454, -113.4950], 16, {animate: false})")
    everyone = sorted(f"Org {i}" for i in range(N))
    until(lambda: len(dash_duo.driver.execute_script(PINS)) == len(dash_duo.driver.execute_script(IN_VIEW, everyone)),
          timeout=5)
    assert len(dash_duo.driver.execute_script(PINS)) > 10  # enough pins in view for the check to mean something

    steps = [("home-filter-service", "language-training", {f"Org {i}" for i in range(N) if i % 3 == 0}),
             ("home-filter-lang", "ar", {f"Org {i}" for i in range(N) if i % 3 == 0 and i % 4 == 0}),
             ("home-filter-service", "language-training", {f"Org {i}" for i in range(N) if i % 4 == 0}),
             ("home-filter-lang", "ar", set(everyone))]
    for checklist, value, orgs in steps:
        click_check(dash_duo, checklist, value)
        wait_count(dash_duo, len(orgs))
        expected = set(dash_duo.driver.execute_script(IN_VIEW, sorted(orgs)))
        until(lambda expected=expected: {p[0] for p in dash_duo.driver.execute_script(PINS)} == expected, timeout=5)
        pins = dash_duo.driver.execute_script(PINS)
        assert len(pins) == len(expected)  # none shown twice
        for _id, label, drawn, place, name in pins:
            assert label == name and label.split(" – ")[0] in orgs
            assert drawn == pytest.approx(place, abs=1e-9)
    assert dash_duo.get_logs() == []
