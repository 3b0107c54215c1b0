"""What a person reads in languages with long words or written right to left: on a 360 px phone words
stay whole (a label column must not squeeze its value into "Працевлаштуванн / я"), and English addresses
inside Arabic sentences keep their order ("10111 104 Avenue", never "Avenue 104 10111")."""

from __future__ import annotations

import datetime as dt

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from elip_map.config import Settings
from elip_map.directory.models import Location
from elip_map.directory.storage import open_database
from elip_map.directory.users import User
from elip_map.factory import create_app
from elip_map.review.changes import submit_change
from elip_map.testing import add_location, add_partner_office, log_in_browser

pytestmark = pytest.mark.browser

# Every word of the elements matched by the selector, with the number of lines it is drawn on: a word cut
# by the line end has boxes on two lines. Line tops within 2 px are one line.
WORD_LINES = """
const out = [];
for (const root of document.querySelectorAll(arguments[0])) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = [];
      for (const r of range.getClientRects()) {
        if (r.width > 0 && !tops.some(t => Math.abs(t - r.top) < 2)) tops.push(r.top);
      }
      out.push([m[0], tops.length]);
    }
  }
}
return out;
"""


def broken_words(dash_duo, selector):
    words = dash_duo.driver.execute_script(WORD_LINES, selector)
    assert words, f"nothing drawn under {selector}"
    return [word for word, lines in words if lines > 1]


@pytest.fixture
def app(tmp_path, geodata_mirror, clear_pages_state):
    """One listing with the service types whose Ukrainian names are longest, and the partner pages' office."""
    url = f"sqlite:///{tmp_path / 'phone.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        add_location(s, "Catholic Social Services", "Immigration and Settlement", lat=53.5560, lon=-113.4650,
                     types=("employment", "information-orientation", "interpretation-translation"), langs=("uk", "en"),
                     hours=[(day, dt.time(9), dt.time(19)) for day in range(1, 7)])
        add_partner_office(s)
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", data_mirror=geodata_mirror, secret_key="test-only-secret"),
                      load_sample=False)


def test_phone001_card_facts_keep_long_words_whole(dash_duo, app):
    """In Ukrainian the longest label ("Хто може отримати") took the card's left column at its full width,
    leaving the services too little room: "Працевлаштування" (employment) was cut in two, and opening
    hours broke inside a time range ("вт 9:00–" / "19:00")."""
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    dash_duo.driver.get(dash_duo.server_url + "/?ui=uk")
    until(lambda: dash_duo.driver.find_elements("css selector", "#home-results .elip-card-facts dd"), timeout=15)
    facts = dash_duo.find_element("#home-results .elip-card-facts").text
    assert "Працевлаштування" in facts and "9:00–19:00" in facts
    assert broken_words(dash_duo, "#home-results .elip-card-facts") == []
    # A day stays with its hours: each "сб 9:00–19:00" is drawn on one line.
    assert broken_words(dash_duo, "#home-results .elip-card-facts .elip-nowrap") == []
    days = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#home-results .elip-card-facts .elip-nowrap')]"
        ".map(e => new Set([...e.getClientRects()].map(r => Math.round(r.top))).size)")
    assert days == [1] * 6
    assert dash_duo.get_logs() == []


def test_phone002_correction_summary_keeps_words_whole(dash_duo, app):
    """The partner's "now and after" table on a phone: "Field" and "Location name" read as words, not
    "Fiel / d" and "Loc / atio / n"."""
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    log_in_browser(dash_duo, "partner@centre.example")
    until(lambda: dash_duo.driver.current_url.endswith("/partner"), timeout=10)
    until(lambda: dash_duo.find_element("#partner-name").get_attribute("value") == "Office", timeout=15)
    name = dash_duo.find_element("#partner-name")
    name.send_keys(" and English classes, second floor, room 204 beside the elevator" + Keys.TAB)
    dash_duo.find_element("#partner-preview").click()
    dash_duo.wait_for_contains_text("#partner-summary", "room 204", timeout=15)
    assert broken_words(dash_duo, "#partner-summary th") == []
    assert dash_duo.get_logs() == []


def char_positions(dash_duo, element, text):
    """Left edge on screen of each character of ``text`` inside ``element``, None when it is not there."""
    return dash_duo.driver.execute_script("""
        const [root, wanted] = arguments;
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(wanted);
            if (at === -1) continue;
            return [...wanted].map((_c, i) => {
                const r = document.createRange();
                r.setStart(node, at + i); r.setEnd(node, at + i + 1);
                return r.getClientRects()[0].left;
            });
        }
        return null;""", element, text)


def search_near(dash_duo, text):
    box = dash_duo.find_element("#home-near-input")
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text)
    until(lambda: box.get_attribute("value") == text, timeout=5)
    box.send_keys(Keys.ENTER)


def test_phone003_english_places_read_in_order_in_arabic_sentences(dash_duo, app):
    """An address in the Arabic "nearest first, from ..." line and in the "could not find" message (its
    example intersection and what the reader typed) keeps its order: "10111 104 Avenue" showed as
    "Avenue 104 10111" and "118 Avenue & 82 Street" as "Avenue & 82 Street 118"."""
    chain = pytest.importorskip("elip_map.geocoding.chain")
    address = "118 Avenue and 82 Street"
    point = chain.geocode_query(address)
    assert point is not None and point.status == "ok"
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?ui=ar")
    until(lambda: dash_duo.driver.find_elements("css selector", "#home-results [data-location-id]"), timeout=15)
    search_near(dash_duo, address)
    dash_duo.wait_for_contains_text("#home-status", address, timeout=10)
    xs = char_positions(dash_duo, dash_duo.find_element("#home-status"), address)
    assert xs == sorted(xs), f"address scrambled in the status line: {xs}"

    typed = "12345 Nowhere Near Anything"
    search_near(dash_duo, typed)
    dash_duo.wait_for_contains_text("#home-near-message", "118 Avenue & 82 Street", timeout=10)
    message = dash_duo.find_element("#home-near-message")
    for text in ("118 Avenue & 82 Street", typed):
        xs = char_positions(dash_duo, message, text)
        assert xs is not None and xs == sorted(xs), f"{text!r} scrambled in the message: {xs}"
    assert dash_duo.get_logs() == []


def test_phone004_map_controls_are_thumb_sized(dash_duo, app):
    """On a phone the map's zoom buttons were 30 px square and a pin's "See details" link 24 px high."""
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.set_window_size(360, 640)
    driver.get(dash_duo.server_url + "/")
    until(lambda: driver.find_elements("css selector", "#home-results [data-location-id]"), timeout=15)
    dash_duo.find_element("#home-view-toggle").click()
    until(lambda: dash_duo.find_element("#home-map").is_displayed(), timeout=5)
    sizes = "return [...document.querySelectorAll(arguments[0])].map(e => [e.offsetWidth, e.offsetHeight])"
    zoom = driver.execute_script(sizes, "#home-map .leaflet-control-zoom a")
    assert len(zoom) == 2 and all(w >= 44 and h >= 44 for w, h in zoom), zoom
    pid = driver.find_element("css selector", "#home-results [data-location-id]").get_attribute("data-location-id")
    driver.execute_script("window.elip.map.choose(arguments[0])", pid)
    until(lambda: driver.execute_script(sizes, ".leaflet-popup .elip-popup-link"), timeout=10)
    link = driver.execute_script(sizes, ".leaflet-popup .elip-popup-link")
    assert all(h >= 44 for _w, h in link), link
    assert dash_duo.get_logs() == []


def test_phone005_correction_form_boxes_are_thumb_sized(dash_duo, app):
    """Each box of the partner's correction form, as drawn (Dash's bordered container, which clipped the field
    inside it), is at least 44 px high and shows the whole field."""
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    log_in_browser(dash_duo, "partner@centre.example")
    until(lambda: dash_duo.driver.current_url.endswith("/partner"), timeout=10)
    until(lambda: dash_duo.find_element("#partner-name").get_attribute("value") == "Office", timeout=15)
    boxes = dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('.elip-editor .dash-input-container')]
            .filter(c => c.offsetParent !== null)
            .map(c => { const b = c.getBoundingClientRect(), i = c.querySelector('input').getBoundingClientRect();
                        return [c.querySelector('input').id, b.height, i.top >= b.top - 0.5 && i.bottom <= b.bottom + 0.5]; })""")
    assert len(boxes) >= 6
    assert [b for b in boxes if b[1] < 44 or not b[2]] == []
    assert dash_duo.get_logs() == []


def test_phone006_review_queue_choice_reads_in_order_in_arabic(dash_duo, app):
    """A pending request in the Arabic review queue's list ("#1 · Newcomer Centre · Office · date") was drawn
    out of order, its number and date pulled to the ends of the line."""
    database = app.server.config["ELIP_DATABASE"]
    with database.session() as s:
        partner = s.query(User).filter_by(email="partner@centre.example").one()
        office = s.query(Location).filter_by(location_key="office").one()
        request = submit_change(s, partner, office.id, {"name": "Office, second floor"})
        label = f"#{request.id} · Newcomer Centre · Office · {request.submitted_at:%Y-%m-%d}"
    dash_duo.start_server(app)
    log_in_browser(dash_duo, "staff@elip.example")
    until(lambda: "/staff" in dash_duo.driver.current_url, timeout=10)
    dash_duo.driver.set_window_size(360, 640)  # too narrow for the whole label: the box cuts it
    dash_duo.driver.get(dash_duo.server_url + "/staff/review?ui=ar")
    dash_duo.wait_for_element("#staff-review-request", timeout=15).click()
    option = dash_duo.wait_for_element("[role=option]", timeout=10)
    until(lambda: label in option.text, timeout=10)
    xs = char_positions(dash_duo, option, label)
    assert xs is not None and xs == sorted(xs), f"{label!r} drawn out of order: {xs}"
    # Chosen, the long label is cut to fit its box: the number that tells requests apart stays in view.
    option.click()
    dash_duo.wait_for_contains_text("#staff-review-request-value", label, timeout=10)
    box = dash_duo.find_element("#staff-review-request-value")
    number = f"#{label.split()[0][1:]} · "
    xs = char_positions(dash_duo, box, number)
    left, right = dash_duo.driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right]", box)
    assert xs is not None and all(left <= x < right for x in xs), f"{number!r} cut off: {xs} in {left}-{right}"
    assert dash_duo.get_logs() == []
