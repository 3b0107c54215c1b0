"""The newcomer page walked end to end in real headless Chromium: every listing findable (with or without
a map position), right-to-left pages that keep phone numbers readable, the phone journey after "near",
pins that open their cards, "near" that understands people, trust signals, print, share and QR."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import zxingcpp
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_home import (
    DETAILS_SETTLED,
    click_check,
    expected_features,
    listed_ids,
    placed,
    search_near,
    wait_count,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "unit"))
from test_listing import add_location

from elip_map.config import Settings
from elip_map.directory.models import Location
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.rules.filters import matches

pytestmark = pytest.mark.browser
T = dt.time
PLACED = 40  # more than one page of 25 cards
PHONE = "+17805550199"
PHONE_SHOWN = "780-555-0199"
STALE_DATE = dt.date(2023, 1, 15)


@pytest.fixture
def app(tmp_path, geodata_mirror, clear_pages_state):
    """40 placed listings spread over the city, a food bank with no street address, one whose address is
    being checked, one last verified in 2023 and one with a phone number to read in Arabic."""
    url = f"sqlite:///{tmp_path / 'journeys.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        for i in range(PLACED - 3):
            add_location(s, f"Agency {i:02d}", f"Site {i:02d}", lat=53.45 + (i % 8) * 0.02, lon=-113.62 + (i // 8) * 0.05,
                         types=("employment",) if i % 2 else ("language-training",), langs=("en",),
                         hours=[(1, T(9), T(17))] if i % 3 == 0 else (), verified=dt.date.today())
        add_location(s, "Newcomer Centre", "Language centre", lat=53.5705, lon=-113.4655, phone=PHONE,
                     address="11713 82 St NW", types=("language-training",), langs=("ar", "en"),
                     hours=[(1, T(9), T(17))], verified=dt.date.today())
        add_location(s, "Old Listing Society", "Main office", lat=53.5300, lon=-113.5200, types=("employment",),
                     verified=STALE_DATE)
        add_location(s, "Zed Last Agency", "Far corner", lat=53.6200, lon=-113.3700, types=("employment",),
                     verified=dt.date.today())
        food = add_location(s, "Edmonton's Food Bank", "Food hampers", lat=None, lon=None, status="needs-attention",
                            address="", types=("food",), phone="+17804253722", service_name="Food bank hampers")
        food.organization.email = "info@foodbank.example.ca"
        add_location(s, "Checking Address Org", "Office", lat=None, lon=None, status="needs-attention",
                     address="99999 Unknown Road", types=("employment",), phone="+17805550100")
        add_location(s, "Closed Org", "Gone", closed=True)
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", data_mirror=geodata_mirror, stale_months=12),
                      load_sample=False)


def open_locations(app):
    with app.server.config["ELIP_DATABASE"].session() as s:
        return s.query(Location).filter_by(closed=False).count()


def card_text(dash_duo, name):
    return next(el.text for el in dash_duo.find_elements("[data-location-id]") if name in el.text)


def test_home_j001_unplaced_listings_are_found_by_name_and_filter_and_counts_add_up(dash_duo, app):
    features = expected_features(app)
    unplaced = [f["properties"]["id"] for f in features if not f["geometry"]]
    assert len(unplaced) == 2 and len(placed(features)) == PLACED
    dash_duo.start_server(app)
    # Every open listing of the directory is counted: the map's and the "call or visit online" ones.
    wait_count(dash_duo, open_locations(app))
    assert len(features) == open_locations(app)
    until(lambda: sorted(listed_ids(dash_duo, "[data-unplaced='true']")) == sorted(unplaced), timeout=5)
    assert dash_duo.find_element("#home-unplaced-count").text == "2"

    # A name search in the URL (a shared link) finds the food bank although it has no map position.
    dash_duo.driver.get(dash_duo.server_url + "/?q=food+bank")
    wanted = [f["properties"]["id"] for f in features if matches(f["properties"], {"q": "food bank"})]
    assert wanted == [f["properties"]["id"] for f in features if f["properties"]["organization"] == "Edmonton's Food Bank"]
    wait_count(dash_duo, len(wanted))
    assert listed_ids(dash_duo) == wanted
    card = dash_duo.find_element(f"[data-location-id='{wanted[0]}']")
    assert card.get_attribute("data-unplaced") == "true"
    assert "No street address: call or visit online." in card.text
    assert card.find_element(By.CSS_SELECTOR, "a[href^='mailto:']").get_attribute("href") == "mailto:info@foodbank.example.ca"
    assert card.find_elements(By.CSS_SELECTOR, ".elip-show") == []  # nothing to show on a map
    assert "No services match" not in dash_duo.find_element("#home-results").text

    # And by filter: the service type "employment" takes placed and unplaced listings alike.
    dash_duo.driver.get(dash_duo.server_url + "/")
    wait_count(dash_duo, len(features))
    click_check(dash_duo, "home-filter-service", "employment")
    wanted = sorted(f["properties"]["id"] for f in features if matches(f["properties"], {"types": ["employment"]}))
    wait_count(dash_duo, len(wanted))
    assert sorted(listed_ids(dash_duo)) == wanted or len(wanted) > 25  # more than a page: count is what matters
    checking = card_text(dash_duo, "Checking Address Org")
    assert "Address being checked: call before you go." in checking
    assert dash_duo.get_logs() == []


def char_positions(dash_duo, element, text):
    """Left edge on screen of each character of ``text`` inside ``element`` (Range.getClientRects)."""
    return dash_duo.driver.execute_script("""
        const [root, wanted] = arguments;
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const at = node.data.indexOf(wanted);
            if (at === -1) continue;
            const xs = [];
            for (let i = 0; i < wanted.length; i++) {
                const r = document.createRange();
                r.setStart(node, at + i); r.setEnd(node, at + i + 1);
                xs.push(r.getClientRects()[0].left);
            }
            return xs;
        }
        return null;""", element, text)


def test_home_j002_left_to_right_data_reads_left_to_right_on_the_arabic_page(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?ui=ar&q=newcomer")
    wait_count(dash_duo, 1)
    assert dash_duo.find_element("html").get_attribute("dir") == "rtl"
    card = dash_duo.find_element("[data-location-id]")
    call = card.find_element(By.CSS_SELECTOR, "a[href^='tel:']")
    assert PHONE_SHOWN in call.text
    xs = char_positions(dash_duo, call, PHONE_SHOWN)
    assert xs is not None and xs == sorted(xs) and len(set(xs)) == len(xs), f"phone not read left to right: {xs}"
    # The Arabic word for "call" sits to the right of the number, as Arabic reads, a space apart (not glued on).
    word_x, number_right, space = dash_duo.driver.execute_script("""
        const a = arguments[0], words = document.createTreeWalker(a, NodeFilter.SHOW_TEXT).nextNode();
        const r = document.createRange(); r.setStart(words, 0); r.setEnd(words, words.data.trimEnd().length);
        const probe = document.createElement("span"); probe.textContent = "\u00a0"; a.appendChild(probe);
        const space = probe.getBoundingClientRect().width; probe.remove();
        return [r.getBoundingClientRect().left, a.querySelector("bdi").getBoundingClientRect().right, space]""", call)
    assert word_x > xs[-1]
    assert word_x - number_right >= 0.8 * space, "the word and the number are glued together"
    # An address typed in the boxes is shown in its own direction (dir="auto" behaviour), not "Avenue 104 10111".
    for box in ("#home-near-input", "#home-filter-text"):
        assert dash_duo.driver.execute_script(
            "return getComputedStyle(document.querySelector(arguments[0])).unicodeBidi", box) == "plaintext"
    # The street address and the opening hours keep their order too ("11713 82 St NW", "9:00–17:00").
    address = card.find_element(By.CSS_SELECTOR, ".elip-card-address")
    xs = char_positions(dash_duo, address, "11713 82 St NW")
    assert xs == sorted(xs), "address scrambled"
    xs = char_positions(dash_duo, card, "9:00–17:00")
    assert xs == sorted(xs), "hours reversed"
    # Dates are written the Babel way for Arabic (month name from CLDR), as an isolated run that takes the
    # direction of its own words (an Arabic date reads right to left: the year is at its left end).
    from babel.dates import format_date

    date = card.find_element(By.CSS_SELECTOR, ".elip-card-verified bdi")
    shown = format_date(dt.date.today(), "long", locale="ar")
    assert date.text == shown
    year = str(dt.date.today().year)
    xs = char_positions(dash_duo, date, year)
    day_x = char_positions(dash_duo, date, shown.split()[0])
    assert xs[0] < day_x[0], "the Arabic date does not read right to left"
    assert dash_duo.driver.execute_script(
        "return getComputedStyle(arguments[0]).unicodeBidi", card.find_element(By.CSS_SELECTOR, "bdi")) == "isolate"
    assert dash_duo.get_logs() == []


def test_home_j003_phone_journey_near_focus_map_toggle_and_popup(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    dash_duo.driver.get(dash_duo.server_url + "/")
    wait_count(dash_duo, open_locations(app))
    search_near(dash_duo, "Downtown")
    dash_duo.wait_for_contains_text("#home-status", "Downtown", timeout=10)
    assert dash_duo.find_element("#home-status").get_attribute("role") == "status"  # announced
    # Cards are redrawn in place when their details arrive: the first card is looked up afresh each time.
    def first():
        return dash_duo.find_element("#home-results > li")

    def focused_first_in_view():
        active = dash_duo.driver.switch_to.active_element
        card = first()
        top = dash_duo.driver.execute_script("return arguments[0].getBoundingClientRect().top", card)
        return active.get_attribute("data-location-id") == card.get_attribute("data-location-id") and -1 <= top < 640  # in view (scrolling may leave a sub-pixel offset)

    until(focused_first_in_view, timeout=5)
    # Once the cards' details have come (address, phones: the card grows), the reader is still at its top.
    until(lambda: dash_duo.driver.execute_script(DETAILS_SETTLED), timeout=10)
    time.sleep(0.3)  # a frame or two for a late layout shift to show
    assert focused_first_in_view(), "the first card moved out of view when its details arrived"

    # Map and list toggle; "Show on map" on a card switches to the map and opens that pin's popup.
    toggle = dash_duo.find_element("#home-view-toggle")
    toggle.click()
    until(lambda: dash_duo.find_element(".elip-map-pane").is_displayed(), timeout=5)
    toggle.click()
    until(lambda: first().is_displayed(), timeout=5)
    name = first().find_element(By.CSS_SELECTOR, "h3").text
    first_id = first().get_attribute("id")
    first().find_element(By.CSS_SELECTOR, ".elip-show").click()
    until(lambda: dash_duo.find_element(".elip-map-pane").is_displayed(), timeout=5)
    until(lambda: name in dash_duo.driver.execute_script(
        "const p = document.querySelector('.leaflet-popup-content'); return p ? p.textContent : ''"), timeout=5)
    popup = dash_duo.find_element(".leaflet-popup-content")
    assert popup.is_displayed()
    zoom = dash_duo.driver.execute_script("return window.elip.map.leafletMap.getZoom()")
    until(lambda: dash_duo.driver.execute_script("return window.elip.map.leafletMap.getZoom()") == 15, timeout=5)
    assert zoom <= 15  # neighbouring streets stay in view
    # "See details" in the popup goes back to the card.
    popup.find_element(By.CSS_SELECTOR, "a[data-card]").click()
    until(lambda: first().is_displayed(), timeout=5)
    until(lambda: dash_duo.driver.switch_to.active_element.get_attribute("id") == first_id, timeout=5)
    assert dash_duo.get_logs() == []


def selected_card(dash_duo):
    """The id of the card marked selected, read from the page as it is now (cards are redrawn in place)."""
    return dash_duo.driver.execute_script(
        "const c = document.querySelector('.elip-card.is-selected'); return c ? c.getAttribute('data-location-id') : null")


def test_home_j004_a_pin_beyond_the_first_page_opens_its_card(dash_duo, app):
    features = expected_features(app)
    dash_duo.start_server(app)
    wait_count(dash_duo, len(features))
    # Listed by name: "Zed Last Agency" is the last placed listing, far beyond the 25 cards drawn.
    last = next(f for f in features if f["properties"]["organization"] == "Zed Last Agency")
    fid = last["properties"]["id"]
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, f"[data-location-id='{fid}']") == []
    lon, lat = last["geometry"]["coordinates"]
    dash_duo.driver.execute_script("window.elip.map.leafletMap.setView([arguments[0], arguments[1]], 18, {animate: false})",
                                   lat, lon)
    pin = dash_duo.wait_for_element(f"[data-pin='{fid}']", timeout=10)
    assert pin.get_attribute("aria-label") == "Zed Last Agency – Far corner"  # an accessible name
    assert pin.get_attribute("tabindex") == "0"  # reachable by keyboard
    pin.send_keys(Keys.ENTER)  # the keyboard does what a click does
    # The card is redrawn in place when its details arrive, so it is looked up afresh each time.
    until(lambda: selected_card(dash_duo) == fid, timeout=5)
    until(lambda: "Zed Last Agency" in dash_duo.driver.execute_script(
        "const p = document.querySelector('.leaflet-popup-content'); return p ? p.textContent : ''"), timeout=5)
    # Clicking another pin beyond the first page works too.
    other = next(f for f in features if f["properties"]["organization"] == "Old Listing Society")
    oid = other["properties"]["id"]
    lon, lat = other["geometry"]["coordinates"]
    dash_duo.driver.execute_script("window.elip.map.leafletMap.setView([arguments[0], arguments[1]], 18, {animate: false})",
                                   lat, lon)
    dash_duo.wait_for_element(f"[data-pin='{oid}']", timeout=10).click()
    until(lambda: selected_card(dash_duo) == oid, timeout=5)
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("typed, found", [("Millwoods", "Mill Woods Town Centre"), ("Mill Woods", "Mill Woods Town Centre"),
                                          ("downtwn", "Downtown")])
def test_home_j005_misspelled_neighbourhoods_are_found(dash_duo, app, typed, found):
    dash_duo.start_server(app)
    wait_count(dash_duo, open_locations(app))
    search_near(dash_duo, typed)
    dash_duo.wait_for_contains_text("#home-status", found, timeout=10)
    assert dash_duo.find_element("#home-near-message").text == ""
    # From a neighbourhood's centre, distances say so.
    assert dash_duo.find_element(".elip-card-distance").text.startswith("about ")
    assert dash_duo.get_logs() == []


def test_home_j006_a_calgary_postal_code_is_explained_and_the_view_kept(dash_duo, app):
    dash_duo.start_server(app)
    wait_count(dash_duo, open_locations(app))
    search_near(dash_duo, "T5J 2R4")  # an Edmonton postal code: placed at its area's centre, and said so
    dash_duo.wait_for_contains_text("#home-status", "the centre of postal area T5J", timeout=10)
    before = listed_ids(dash_duo)
    search_near(dash_duo, "T2P 2M5")
    dash_duo.wait_for_contains_text("#home-near-message", "T2P 2M5 is in Calgary", timeout=10)
    assert "the centre of postal area T5J" in dash_duo.find_element("#home-status").text
    assert listed_ids(dash_duo) == before
    assert dash_duo.get_logs() == []


def test_home_j007_stale_listing_is_flagged_and_open_now_and_day_live_in_the_url(dash_duo, app):
    features = expected_features(app)
    dash_duo.start_server(app)
    wait_count(dash_duo, len(features))
    dash_duo.driver.get(dash_duo.server_url + "/?q=old+listing")
    wait_count(dash_duo, 1)
    card = dash_duo.find_element("[data-location-id]")
    assert "Last checked more than 12 months ago: call before you go." in card.text
    dash_duo.driver.get(dash_duo.server_url + "/?q=newcomer")
    wait_count(dash_duo, 1)
    assert "Last checked" not in dash_duo.find_element("[data-location-id]").text
    assert "(" not in dash_duo.find_element("[data-location-id]").text  # no neighbourhood numbers or ids

    # A shared link with a day: the filter starts there; ticking "open now" joins the URL; Back undoes it.
    dash_duo.driver.get(dash_duo.server_url + "/?day=1")
    monday = [f for f in features if matches(f["properties"], {"day": 1})]
    wait_count(dash_duo, len(monday))
    click_check(dash_duo, "home-filter-open", "open")
    until(lambda: parse_qs(urlsplit(dash_duo.driver.current_url).query).get("open") == ["now"], timeout=5)
    assert parse_qs(urlsplit(dash_duo.driver.current_url).query).get("day") == ["1"]
    # A person presses Back after the page has settled: Dash's page router also answers each address change
    # from the server, and a late answer for the previous address could otherwise land after Back.
    until(lambda: dash_duo.redux_state_rqs == [], timeout=10)
    dash_duo.driver.back()
    def back_state():
        return dash_duo.driver.current_url, dash_duo.find_element("#home-filter-open input").is_selected()

    try:
        until(lambda: "open=" not in back_state()[0] and not back_state()[1], timeout=10)
    except Exception as exc:
        raise AssertionError(f"after Back: {back_state()}") from exc
    assert parse_qs(urlsplit(dash_duo.driver.current_url).query).get("day") == ["1"]
    wait_count(dash_duo, len(monday))
    assert dash_duo.get_logs() == []


def test_home_j008_print_lists_every_result(dash_duo, app):
    features = expected_features(app)
    dash_duo.start_server(app)
    wait_count(dash_duo, len(features))
    assert len(dash_duo.find_elements("[data-location-id]")) < len(features)  # the screen shows a page at a time
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
        shown = driver.execute_script(
            "return [...document.querySelectorAll('[data-location-id]')].filter(c => c.getClientRects().length).length")
        assert shown == len(features)
        assert not dash_duo.find_element(".elip-map-pane").is_displayed()
        assert not dash_duo.find_element(".elip-filters").is_displayed()
        summary = dash_duo.find_element("#home-print-summary").text
        assert "All services" in summary and f"{len(features)} services" in summary
        assert str(dt.date.today().year) in summary and "Source: ELIP Service Map" in summary
    finally:
        driver.execute_script("window.dispatchEvent(new Event('afterprint'))")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert dash_duo.get_logs() == []


def decode_qr(dash_duo) -> str:
    """Read the QR code the browser shows, pixel by pixel, with an independent decoder (zxing-cpp)."""
    pixels = dash_duo.driver.execute_script("""
        const img = document.getElementById('home-qr'), n = 3 * img.naturalWidth;
        const c = document.createElement('canvas'); c.width = c.height = n;
        const g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, n, n); g.drawImage(img, 0, 0, n, n);
        const d = g.getImageData(0, 0, n, n).data, out = [];
        for (let i = 0; i < d.length; i += 4) out.push(d[i]);
        return [n, out];""")
    size, values = pixels
    image = np.array(values, dtype=np.uint8).reshape(size, size)
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1
    return codes[0].text


def test_home_j009_share_and_qr_code_of_the_current_search(dash_duo, app):
    dash_duo.start_server(app)
    wait_count(dash_duo, open_locations(app))
    click_check(dash_duo, "home-filter-service", "employment")
    until(lambda: "service=employment" in dash_duo.driver.current_url, timeout=5)
    dash_duo.find_element(".elip-qr-box summary").click()
    until(lambda: (dash_duo.find_element("#home-qr").get_attribute("src") or "").startswith("data:image/svg"), timeout=10)
    until(lambda: decode_qr(dash_duo) == dash_duo.driver.current_url, timeout=10)

    # "Share" without the Web Share API (desktop Chromium): the link is copied, or shown to copy.
    dash_duo.find_element("#home-share").click()
    until(lambda: dash_duo.find_element("#home-share-message").text != "", timeout=5)
    message = dash_duo.find_element("#home-share-message")
    assert "Link copied" in message.text or (
        message.find_element(By.TAG_NAME, "input").get_attribute("value") == dash_duo.driver.current_url)
    assert dash_duo.get_logs() == []


def test_home_j010_load_error_is_its_own_state(dash_duo, app):
    dash_duo.start_server(app)
    wait_count(dash_duo, open_locations(app))
    dash_duo.driver.execute_script("window.dash_clientside.set_props('home-data-url', {data: '/api/missing.geojson'})")
    until(lambda: dash_duo.find_element("#home-error").is_displayed(), timeout=10)
    assert "Could not load the services" in dash_duo.find_element("#home-error").text
    assert not dash_duo.find_element("#home-empty").is_displayed()  # not "no services match"
    assert dash_duo.find_element("#home-retry").is_displayed()
    # The skip link is visible when it has the focus (dark on light, not white on white).
    dash_duo.driver.execute_script("document.querySelector('.elip-skip').focus()")
    colours = dash_duo.driver.execute_script(
        "const s = getComputedStyle(document.querySelector('.elip-skip')); return [s.color, s.backgroundColor, "
        "document.querySelector('.elip-skip').getBoundingClientRect().top]")
    assert colours[0] != colours[1] and colours[2] >= 0


def test_home_j011_use_my_location_focuses_the_nearest_result(dash_duo, app):
    features = expected_features(app)
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.set_window_size(360, 640)
    driver.get(dash_duo.server_url + "/")
    wait_count(dash_duo, len(features))
    # The phone says it stands beside the Newcomer Centre's language centre (53.5705, -113.4655).
    driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"], "origin": dash_duo.server_url})
    driver.execute_cdp_cmd("Emulation.setGeolocationOverride", {"latitude": 53.5706, "longitude": -113.4656, "accuracy": 10})
    dash_duo.find_element("#home-locate-button").click()
    dash_duo.wait_for_contains_text("#home-status", "your location", timeout=10)
    nearest = next(f["properties"]["id"] for f in features if f["properties"].get("name") == "Language centre")
    until(lambda: driver.switch_to.active_element.get_attribute("data-location-id") == nearest, timeout=5)
    card = dash_duo.find_element(f"[data-location-id='{nearest}']")
    assert -1 <= driver.execute_script("return arguments[0].getBoundingClientRect().top", card) < 640  # sub-pixel scroll offset
    assert not card.find_element("css selector", ".elip-card-distance").text.startswith("about")  # a real position
    assert "near=" not in driver.current_url  # the position stays in the browser
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("ui, next_step", [("en", "Type a street address or a neighbourhood"),
                                           ("ar", "اكتب عنوان شارع أو اسم حي")])
def test_home_j011b_location_refused_says_what_to_do_instead(dash_duo, app, ui, next_step):
    """A phone that refuses to share its position: the person is told, in their language, to type a
    place instead, and the list stays as it was (no dead end)."""
    features = expected_features(app)
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.set_window_size(360, 640)
    driver.get(dash_duo.server_url + f"/?ui={ui}")
    wait_count(dash_duo, len(features))
    driver.execute_cdp_cmd("Browser.setPermission", {"permission": {"name": "geolocation"}, "setting": "denied",
                                                    "origin": dash_duo.server_url})
    dash_duo.find_element("#home-locate-button").click()
    until(lambda: next_step in driver.find_element("css selector", "body").text, timeout=10)
    assert len(driver.find_elements("css selector", "[data-location-id]")) >= min(len(features), 1)
