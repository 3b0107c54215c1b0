"""The newcomer page in real headless Chromium: map and list agree with the directory, filters run in
the browser, near ranks nearest first, the URL reproduces the view, languages, phone layout, safety."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from dash.testing import errors as dash_errors
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from elip_map.api.feed import feature_collection
from elip_map.config import Settings  # noqa: E402
from elip_map.directory.listings import load_listings  # noqa: E402
from elip_map.directory.storage import open_database  # noqa: E402
from elip_map.factory import create_app  # noqa: E402
from elip_map.directory.search_words import search_table  # noqa: E402
from elip_map.rules.filters import distance_km, matches, with_named  # noqa: E402
from elip_map.testing import add_location, tick  # noqa: E402

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
    """Every open listing as the page gets it: placed ones and the ones the map cannot show."""
    with app.server.config["ELIP_DATABASE"].session() as s:
        return feature_collection(load_listings(s, include_unplaced=True))["features"]


def placed(features):
    return [f for f in features if f["geometry"]]


def listed_ids(dash_duo, selector="[data-location-id]"):
    return [el.get_attribute("data-location-id") for el in dash_duo.find_elements(selector)]


def listed_placed_ids(dash_duo):
    return listed_ids(dash_duo, "[data-location-id]:not([data-unplaced])")


def wait_count(dash_duo, n):
    """The count shown, and every card drawn with its details (cards are redrawn when they arrive)."""
    dash_duo.wait_for_text_to_equal("#result-count", str(n), timeout=10)
    until(lambda: dash_duo.driver.execute_script(DETAILS_SETTLED), timeout=10)


DETAILS_SETTLED = """const m = window.elip && window.elip.map;
if (!m || !m.details) return true;
return [...document.querySelectorAll('[data-location-id]')].every(
    c => m.details[c.dataset.locationId] || m.detailsMissing[c.dataset.locationId]);"""


def map_point_count(dash_duo):
    """Locations drawn on the map: single markers plus the numbers inside clusters."""
    return dash_duo.driver.execute_script("""
        let n = 0;
        document.querySelectorAll('#home-map .leaflet-overlay-pane path[fill="#0b5cad"]').forEach(() => n++);
        document.querySelectorAll('#home-map .marker-cluster').forEach(el => n += parseInt(el.innerText, 10));
        return n;""")


def click_check(dash_duo, checklist_id, value):
    """Open the checklist's group if folded, then tick the box with this value (as a person would)."""
    tick(dash_duo, f"#{checklist_id} input[value='{value}']")


def test_home001_loads_and_filters_match_directory(dash_duo, app):
    dash_duo.start_server(app)
    features = expected_features(app)
    wait_count(dash_duo, len(features))
    assert sorted(listed_ids(dash_duo)) == sorted(f["properties"]["id"] for f in features)
    # The row the map cannot show is listed, under its own heading, with the reason in plain words.
    unplaced = dash_duo.find_element("#home-unplaced")
    assert "Call or visit online" in unplaced.text and "Address being checked" in unplaced.text
    assert listed_ids(dash_duo, "#home-unplaced [data-unplaced='true']") == [
        f["properties"]["id"] for f in features if not f["geometry"]]

    click_check(dash_duo, "home-filter-service", "language-training")
    click_check(dash_duo, "home-filter-lang", "ar")
    criteria = {"types": ["language-training"], "langs": ["ar"]}
    wanted = sorted(f["properties"]["id"] for f in features if matches(f["properties"], criteria))
    assert len(wanted) == 2
    wait_count(dash_duo, len(wanted))
    assert sorted(listed_ids(dash_duo)) == wanted
    until(lambda: map_point_count(dash_duo) == len(wanted), timeout=5)
    assert not dash_duo.find_element("#home-unplaced").is_displayed()  # no unplaced row matches: no empty heading

    # One truth table, two languages: the browser's predicate agrees with elip_map.rules.filters row by row.
    from truth_tables import DAYS, FOLD_TABLE, HOURS_TABLE, TRUTH_TABLE

    for props, criteria_row, expected, why in TRUTH_TABLE:
        got = dash_duo.driver.execute_script("return window.elip.map.matches(arguments[0], arguments[1])",
                                             props, criteria_row)
        assert got is expected, why
    for text, expected in FOLD_TABLE:
        assert dash_duo.driver.execute_script("return window.elip.map.normalize(arguments[0])", text) == expected, text
    for rows, expected in HOURS_TABLE:
        assert dash_duo.driver.execute_script("return window.elip.map.formatHours(arguments[0], arguments[1])",
                                              rows, DAYS) == expected
    assert dash_duo.get_logs() == []


def test_home006_listing_text_is_never_html(dash_duo, app):
    """A listing named like an HTML tag shows as text, and selecting it runs nothing."""
    features = expected_features(app)
    dash_duo.start_server(app)
    wait_count(dash_duo, len(features))
    card = next(el for el in dash_duo.find_elements("[data-location-id]") if XSS_NAME in el.text)
    assert card.find_element(By.CSS_SELECTOR, "h3").text == XSS_NAME
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
    card.find_element(By.CSS_SELECTOR, "button.elip-show").click()
    until(lambda: "is-selected" in card.get_attribute("class"), timeout=5)
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
    # The pin's popup shows the same name, as text.
    until(lambda: XSS_NAME in dash_duo.driver.execute_script(
        "const p = document.querySelector('.leaflet-popup-content'); return p ? p.textContent : ''"), timeout=5)
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, ".leaflet-popup img") == []

    # Keyboard only: every result with something to press (all placed ones, unplaced ones with a phone, a website
    # or an e-mail) is reachable with Tab, and Enter on "show on map" highlights its pin.
    props = [f["properties"] for f in features]
    reachable = {p["id"] for f, p in zip(features, props) if f["geometry"] or p.get("phones") or p.get("website")}
    dash_duo.find_element("h1").click()
    reached, selected_with_keyboard = set(), False
    for _ in range(250):
        dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
        focused = dash_duo.driver.switch_to.active_element
        fid = dash_duo.driver.execute_script(
            "const c = arguments[0].closest('[data-location-id]'); return c && c.dataset.locationId", focused)
        if fid:
            reached.add(fid)
            if not selected_with_keyboard and "elip-show" in (focused.get_attribute("class") or ""):
                focused.send_keys(Keys.ENTER)
                selected = dash_duo.find_element(f"[data-location-id='{fid}']")
                until(lambda: "is-selected" in selected.get_attribute("class"), timeout=5)
                until(lambda: dash_duo.driver.execute_script(
                    "return document.querySelectorAll('#home-map path[fill=\"#ffd400\"]').length") == 1, timeout=5)
                selected_with_keyboard = True
        if len(reached) == len(reachable):
            break
    assert reached == reachable
    assert selected_with_keyboard
    assert dash_duo.get_logs() == []  # an alert() or a broken image would show up here


def ranked_ids(features, criteria, lat, lon):
    """The order the page must show: nearest first (ties by name), computed from the directory."""
    pairs = [(distance_km(lat, lon, f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]),
              f["properties"]["sort"], f["properties"]["id"]) for f in placed(features)
             if matches(f["properties"], criteria)]
    return [fid for _d, _s, fid in sorted(pairs)]


def search_near(dash_duo, text):
    """Type over the near box and press Enter, as a person does (clearing the box first would end "near").
    A person sees what they typed before pressing Enter: on a loaded machine keys can reach the box before
    it has focus, so the box is checked, and typed again when it does not hold the text."""
    box = dash_duo.find_element("#home-near-input")
    for _ in range(3):
        box.click()
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(text)
        try:
            until(lambda: box.get_attribute("value") == text, timeout=2)
            break
        except dash_errors.TestingTimeoutError:
            continue
    assert box.get_attribute("value") == text, f"the near box holds {box.get_attribute('value')!r}"
    box.send_keys(Keys.ENTER)


def test_home002_near_a_neighbourhood_ranks_nearest_first(dash_duo, app):
    dash_duo.start_server(app)
    features = expected_features(app)
    wait_count(dash_duo, len(features))
    search_near(dash_duo, "alberta avenue")
    dash_duo.wait_for_contains_text("#home-status", "Alberta Avenue", timeout=10)
    place = app.server.config["ELIP_NEIGHBOURHOODS"].find("Alberta Avenue")
    expected = ranked_ids(features, {}, place["lat"], place["lon"])
    until(lambda: listed_placed_ids(dash_duo) == expected, timeout=5)
    # A neighbourhood's centre is not the reader's door: the distance says "about".
    distances = [float(el.text.split()[1]) for el in dash_duo.find_elements(".elip-card-distance")]
    assert all(el.text.startswith("about ") for el in dash_duo.find_elements(".elip-card-distance"))
    assert distances == sorted(distances) and len(distances) == len(expected)
    assert "near=alberta+avenue" in dash_duo.driver.current_url

    # An address, placed by the project's offline geocoder, ranks the same way.
    chain = pytest.importorskip("elip_map.geocoding.chain")
    address = "118 Avenue and 82 Street"
    point = chain.geocode_query(address)
    assert point is not None and point.status == "ok"
    search_near(dash_duo, address)
    dash_duo.wait_for_contains_text("#home-status", address, timeout=10)
    expected = ranked_ids(features, {}, point.lat, point.lon)
    until(lambda: listed_placed_ids(dash_duo) == expected, timeout=5)
    assert expected[0] == next(f["properties"]["id"] for f in features if f["properties"]["name"] == "Language centre")

    search_near(dash_duo, "Nowhere Near Anything 123")
    # Either "could not find ..." (geocoder installed) or "not available right now" (no geocoder): said plainly,
    # and the previous nearest-first view stays.
    until(lambda: dash_duo.find_element("#home-near-message").text.strip() != "", timeout=10)
    assert address in dash_duo.find_element("#home-status").text
    assert listed_placed_ids(dash_duo) == expected
    assert len(listed_ids(dash_duo)) == len(features)
    assert dash_duo.get_logs() == []


def test_home003_shared_url_reproduces_the_view_and_back_works(dash_duo, app):
    features = expected_features(app)
    dash_duo.start_server(app)
    query = {"service": "language-training,information-orientation", "lang": "ar", "q": "settlment"}
    dash_duo.driver.get(dash_duo.server_url + "/?" + urlencode(query))
    # The page also sends its phrase table: "settlment" names the "information and orientation" type too.
    languages = sorted({c for f in features for c in f["properties"].get("langs") or []})
    criteria = with_named({"types": query["service"].split(","), "langs": ["ar"], "q": "settlment"},
                          search_table("en", languages))
    wanted = sorted(f["properties"]["id"] for f in features if matches(f["properties"], criteria))
    assert wanted  # typo-tolerant: "settlment" finds "Settlement"
    wait_count(dash_duo, len(wanted))
    assert sorted(listed_ids(dash_duo)) == wanted
    assert dash_duo.find_element("#home-filter-text").get_attribute("value") == "settlment"

    box = dash_duo.find_element("#home-filter-text")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    wait_count(dash_duo, len([f for f in features if matches(f["properties"], {**criteria, "q": ""})]))
    until(lambda: "q=" not in dash_duo.driver.current_url, timeout=5)

    dash_duo.driver.back()
    until(lambda: "q=settlment" in dash_duo.driver.current_url, timeout=5)
    wait_count(dash_duo, len(wanted))
    until(lambda: dash_duo.find_element("#home-filter-text").get_attribute("value") == "settlment", timeout=5)
    assert dash_duo.get_logs() == []


def test_home004_french_and_arabic_interfaces(dash_duo, app):
    features = expected_features(app)
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?ui=fr")
    wait_count(dash_duo, len(features))
    html_el = dash_duo.find_element("html")
    assert (html_el.get_attribute("lang"), html_el.get_attribute("dir")) == ("fr", "ltr")
    assert dash_duo.find_element("h1").text == "Trouver des services pour les nouveaux arrivants à Edmonton"
    labels = [el.get_attribute("textContent").strip() for el in dash_duo.find_elements("#home-filter-lang label")]
    assert "arabe" in labels and "somali" in labels
    dash_duo.wait_for_contains_text(".elip-card", "Langues", timeout=5)

    dash_duo.find_element(".elip-ui-summary").click()  # the language picker opens
    dash_duo.find_element("a.elip-ui-link[data-ui='ar']").click()
    until(lambda: "ui=ar" in dash_duo.driver.current_url, timeout=5)
    wait_count(dash_duo, len(features))
    html_el = dash_duo.find_element("html")
    assert (html_el.get_attribute("lang"), html_el.get_attribute("dir")) == ("ar", "rtl")
    assert dash_duo.find_element("h1").text == "ابحث عن خدمات للقادمين الجدد في إدمونتون"
    # Right-to-left for real: the filter panel sits on the right of the results on a wide screen.
    filters = dash_duo.find_element(".elip-filters").rect
    results = dash_duo.find_element(".elip-list-pane").rect
    assert filters["x"] > results["x"]
    # Listing text stays as the organization wrote it.
    assert "Newcomer Centre" in dash_duo.find_element("#home-results").text
    assert dash_duo.get_logs() == []


def test_home005_phone_layout(dash_duo, app, tmp_path):
    features = expected_features(app)
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    dash_duo.driver.get(dash_duo.server_url + "/")
    wait_count(dash_duo, len(features))
    width = dash_duo.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal scrolling on a phone: {width}"
    map_pane = dash_duo.find_element(".elip-map-pane")
    assert not map_pane.is_displayed()  # one pane at a time on a phone
    small = dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('.elip-action, .elip-button')]
            .filter(el => el.offsetParent !== null && el.getBoundingClientRect().height < 44).length""")
    assert small == 0, "buttons under 44 px"
    # Compact filters: each box beside its label, several per line, every target at least 24 x 24 px (WCAG 2.5.8).
    dash_duo.find_element("#home-filter-service").find_element(By.XPATH, "ancestor::details/summary").click()
    boxes = dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('#home-filter-service label')].map(l => {  // the whole label is the target
            const r = l.getBoundingClientRect(), i = l.querySelector('input').getBoundingClientRect(),
                  x = l.querySelector('input').parentNode.nextElementSibling.getBoundingClientRect();
            return [r.width, r.height, Math.abs((i.top + i.bottom) / 2 - (x.top + x.bottom) / 2), r.top]; })""")
    assert all(w >= 24 and h >= 24 for w, h, _mid, _top in boxes)
    assert all(mid < 4 for _w, _h, mid, _top in boxes), "a box sits above its label"
    assert len({round(top) for *_rest, top in boxes}) < len(boxes), "one choice per line"
    dash_duo.driver.save_screenshot(str(tmp_path / "home-360x640-list.png"))
    dash_duo.find_element("#home-view-toggle").click()
    until(lambda: map_pane.is_displayed(), timeout=5)
    # Leaflet draws only what is in view on a narrow screen: some, and never more than the directory has.
    until(lambda: 0 < map_point_count(dash_duo) <= len(features), timeout=5)
    dash_duo.driver.save_screenshot(str(tmp_path / "home-360x640-map.png"))
    assert dash_duo.get_logs() == []


def test_home007_back_pressed_at_once_shows_the_previous_address_state(dash_duo, app):
    """A person ticks a filter and presses Back straight away, before anything has settled: once the page is
    quiet, the boxes, the count and the address bar all describe the same (previous) search."""
    features = expected_features(app)
    dash_duo.start_server(app)
    wait_count(dash_duo, len(features))
    driver = dash_duo.driver

    def state():
        ticked = driver.execute_script(
            "return [...document.querySelectorAll('#home-filter-service input:checked')].map(b => b.value)")
        query = parse_qs(urlsplit(driver.current_url).query)
        return (query.get("service", [""])[0].split(",") if query.get("service") else [], ticked,
                dash_duo.find_element("#result-count").text)

    shown = []
    for slug in ("language-training", "employment", "youth"):
        click_check(dash_duo, "home-filter-service", slug)
        until(lambda: slug in (parse_qs(urlsplit(driver.current_url).query).get("service") or [""])[0], timeout=5)
        driver.back()  # at once: the page is still answering the filter change
        until(lambda: "service=" not in driver.current_url, timeout=5)
        try:  # before the fix, Dash held the page's address callback back for good: the boxes kept the newer search
            until(lambda: dash_duo.redux_state_rqs == [], timeout=10)
        except dash_errors.TestingTimeoutError:
            pending = [r["callback"].get("clientside_function") or r["callback"]["output"] for r in dash_duo.redux_state_rqs]
            raise AssertionError(f"after Back: {state()}, callbacks never run: {pending}") from None
        time.sleep(0.5)  # any late answer lands within this
        shown.append(state())
    assert shown == [([], [], str(len(features)))] * 3
    assert dash_duo.get_logs() == []
