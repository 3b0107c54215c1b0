"""The coverage page in real headless Chromium: the choropleth and the ranked table follow the selectors,
clicking a neighbourhood shows its figures and nearest services, and text from data stays text."""

from __future__ import annotations

import re

import pytest
from dash.testing.wait import until

from elip_map.config import Settings
from elip_map.directory.models import Language, Location, Organization, Service, ServiceAtLocation, ServiceType
from elip_map.directory.storage import bump_directory_version, open_database
from elip_map.factory import create_app

pytestmark = pytest.mark.browser
XSS_NAME = "<img src=x onerror=window.__pwned=1>"

ZONE_FILLS = "return Array.from(document.querySelectorAll('#coverage-map path.coverage-zone')).map(p => p.getAttribute('fill'))"
PIN_COUNT = "return document.querySelectorAll('#coverage-map path.coverage-pin').length"
FIRST_ROW = "#coverage-table td[data-dash-column='neighbourhood']"     # the first data row's cell


def add(session, org_name, lat, lon, slug, langs=()):
    org = session.query(Organization).filter_by(name_key=org_name.lower()).one_or_none()
    if org is None:
        org = Organization(name=org_name, name_key=org_name.lower())
        session.add(org)
    loc = Location(organization=org, name=None, location_key=f"{org_name}-{lat}-{lon}", latitude=lat, longitude=lon,
                   geocode_status="ok")
    svc = Service(organization=org, name=f"{slug} at {org_name}")
    svc.types = [ServiceType(slug=slug)]
    svc.languages = [Language(code=c) for c in langs]
    session.add_all([loc, svc, ServiceAtLocation(service=svc, location=loc)])


@pytest.fixture
def app(tmp_path, clear_pages_state):
    url = f"sqlite:///{tmp_path / 'coverage.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        add(s, "Downtown Centre", 53.5444, -113.4909, "language-training", ["ar"])     # City Hall
        add(s, XSS_NAME, 53.5705, -113.4655, "language-training")                      # north-east of downtown
        add(s, "Mill Woods Jobs", 53.4556, -113.4249, "employment")                    # south-east
        add(s, "West End Jobs", 53.5200, -113.6200, "employment")                      # west
        bump_directory_version(s)
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", coverage_public=True), load_sample=False)


def test_cov001_service_type_changes_choropleth_and_table(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/coverage")
    dash_duo.wait_for_element(FIRST_ROW, timeout=20)
    until(lambda: len(set(dash_duo.driver.execute_script(ZONE_FILLS))) > 2, timeout=10)
    fills_before = dash_duo.driver.execute_script(ZONE_FILLS)
    rows_before = dash_duo.find_element("#coverage-table tbody").text
    assert len(fills_before) > 300                     # every neighbourhood is drawn
    until(lambda: dash_duo.driver.execute_script(PIN_COUNT) == 2, timeout=10)   # two language-training sites

    dash_duo.select_dcc_dropdown("#coverage-service-select", value="Employment")
    until(lambda: dash_duo.driver.execute_script(ZONE_FILLS) != fills_before, timeout=10)
    # Laurel stays the worst served (most newcomers, nothing within 2 km), but its figures change.
    until(lambda: dash_duo.find_element("#coverage-table tbody").text != rows_before, timeout=10)
    until(lambda: dash_duo.driver.execute_script(PIN_COUNT) == 2, timeout=10)
    assert "Employment" in dash_duo.find_element("#coverage-summary").text
    assert dash_duo.get_logs() == []


def test_cov002_clicking_a_row_shows_figures_and_nearest_services_as_text(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/coverage?service=language-training")
    dash_duo.wait_for_element(FIRST_ROW, timeout=20)
    # Filter the table to Downtown and click it: its nearest service is the City Hall one.
    filter_input = dash_duo.find_element("#coverage-table th[data-dash-column='neighbourhood'] input")
    filter_input.send_keys("Downtown\n")
    until(lambda: dash_duo.find_element(FIRST_ROW).text == "Downtown", timeout=10)
    dash_duo.find_element(FIRST_ROW).click()
    dash_duo.wait_for_contains_text("#coverage-details", "Downtown", timeout=10)
    details = dash_duo.find_element("#coverage-details").text
    assert "Downtown Centre" in details
    assert XSS_NAME in details                          # shown as text, not run as HTML
    assert dash_duo.driver.execute_script("return window.__pwned === undefined")
    assert dash_duo.get_logs() == []


def test_cov003_language_view_says_which_census_it_uses(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/coverage?language=ar")
    dash_duo.wait_for_contains_text("#coverage-demand-note", "2016", timeout=20)
    until(lambda: dash_duo.driver.execute_script(PIN_COUNT) == 1, timeout=10)   # only one speaks Arabic
    assert "Arabic" in dash_duo.find_element("#coverage-summary").text
    # The print header (hidden on screen) names the view, the date, the sources and the licence.
    printed = dash_duo.driver.execute_script("return document.getElementById('coverage-print-title').textContent")
    assert "Language training in Arabic, 2 km catchment" in printed
    assert re.search(r"Printed on [A-Z][a-z]{2} \d{1,2}, 20\d\d", printed)  # the date as English writes it
    assert "Contains information licensed under the Open Government Licence – City of Edmonton." in printed
    assert dash_duo.get_logs() == []


COLUMN_BOXES = """var box = document.querySelector('#coverage-table .dash-spreadsheet-container');
var cells = Array.from(document.querySelectorAll('#coverage-table tr:nth-child(3) td')).map(td => {
  var r = td.getBoundingClientRect(); return [td.getAttribute('data-dash-column'), r.left, r.right]; });
var b = box.getBoundingClientRect();
return {scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, left: b.left, right: b.right, cells: cells};"""


@pytest.mark.parametrize("width", [1280, 360])
def test_cov004_arabic_table_reads_from_the_right_and_keeps_its_columns_narrow(dash_duo, app, width):
    """In Arabic the table once grew every column to the full page width (9,800 px for 8 columns): only the
    rank showed, the neighbourhood names were thousands of pixels away. A right-to-left reader starts at the
    right, so the rank and the neighbourhood must be there, visible without scrolling, on a desk and a phone."""
    dash_duo.driver.set_window_size(width, 900)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/coverage?ui=ar")
    dash_duo.wait_for_element(FIRST_ROW, timeout=20)

    def laid_out():
        got = dash_duo.driver.execute_script(COLUMN_BOXES)
        cells = {name: (left, right) for name, left, right in got["cells"]}
        rank, hood = cells["gap_rank"], cells["neighbourhood"]
        inside = lambda c: got["left"] - 1 <= c[0] and c[1] <= got["right"] + 1   # noqa: E731
        return (inside(rank) and inside(hood) and rank[0] >= hood[1] - 1         # rank right of the name
                and all(right - left < 400 for left, right in cells.values()), got)

    until(lambda: laid_out()[0], timeout=10)
    got = laid_out()[1]
    if width >= 1280:
        assert got["scrollWidth"] <= got["clientWidth"] + 2     # eight narrow columns fit a desk screen
    assert dash_duo.get_logs() == []


def test_cov005_catchment_marks_do_not_overlap_on_a_phone(dash_duo, app):
    """At 360 px the "0.5" and "1" marks under the catchment slider ran together ("0.51")."""
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/coverage?ui=fr")
    until(lambda: dash_duo.driver.find_elements("css selector", "#coverage-catchment-slider .dash-slider-mark"), timeout=20)
    marks = dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('#coverage-catchment-slider .dash-slider-mark')]
            .map(m => { const r = m.getBoundingClientRect(); return [m.textContent, r.left, r.right]; })
            .sort((a, b) => a[1] - b[1])""")
    assert len(marks) >= 4
    gaps = [later[1] - earlier[2] for earlier, later in zip(marks, marks[1:])]
    assert min(gaps) >= 8, f"marks run together: {marks}"
    assert all("." not in text for text, *_ in marks)  # no English decimal point on a French page
    assert dash_duo.get_logs() == []
