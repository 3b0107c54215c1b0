"""Printing the list and a pin's popup, in real headless Chromium, now that a card's address and phone
come from /api/details a page of cards at a time: a printout carries every listed card with its address
and phone (fetched in batches of at most 100 before the print dialog), says so plainly when some could
not be fetched, and a popup opened before its card's details arrived gets its address when they do."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offline_kit import saved, set_offline, wait_until_kept
from test_home import wait_count

from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.i18n import translator
from elip_map.testing import add_location

pytestmark = pytest.mark.browser

PLACED = 140  # more than one batch of details (100) beyond the first page of cards (25)
UNPLACED = 3
TOTAL = PLACED + UNPLACED
LIMIT = 100  # the server's limit on ids per details request (api/feed.py)
HOSTILE_ADDRESS = "<b>1 Bold</b> Street NW"
MISSING_NOTE = ("Missing details: some services below are printed without their address and phone, which were not "
                "available on this device. To get them, print again with “Print this list” while connected to the "
                "internet.")
CARD_NOTE = "Address and phone not available when this list was printed."
SLOW_NOTE = ("The address, phone and other details of this service did not arrive in time (slow connection). They will "
             "be asked for again.")

# window.print() replaced by what a browser does around its print dialog: "beforeprint", the page as it
# is then (every card drawn, the print stylesheet applied when the test emulates print media), "afterprint".
PRINT_STUB = """
window.__prints = [];
window.print = function () {
  window.dispatchEvent(new Event('beforeprint'));
  const cards = [...document.querySelectorAll('[data-location-id]')];
  window.__prints.push({
    cards: cards.map(c => [c.dataset.locationId, c.textContent, c.getClientRects().length > 0]),
    summary: document.getElementById('home-print-summary').textContent,
    summaryShown: document.getElementById('home-print-summary').getClientRects().length > 0});
  window.dispatchEvent(new Event('afterprint'));
};"""


def phone(i: int) -> str:
    return f"780-555-{2000 + i}"


def address(i: int) -> str:
    return HOSTILE_ADDRESS if i == PLACED - 1 else f"{10000 + i} 101 Street NW"


@pytest.fixture
def app(tmp_path, clear_pages_state):
    url = f"sqlite:///{tmp_path / 'print.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        for i in range(TOTAL):
            placed = i < PLACED
            add_location(s, f"Centre {i:03d}", f"Office {i:03d}", lat=53.45 + (i % 12) * 0.01 if placed else None,
                         lon=-113.60 + (i // 12) * 0.01 if placed else None, status="ok" if placed else "needs-attention",
                         phone=phone(i), address=address(i))
    database.dispose()
    return create_app(Settings(database_url=url, tile_url=""), load_sample=False)


def name_of(card_text: str) -> int:
    return int(re.search(r"Centre (\d{3})", card_text).group(1))


def details_requests(driver) -> list[list[str]]:
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [parse_qs(urlsplit(u).query)["ids"][0].split(",") for u in urls if "/api/details?" in u]


def print_media(driver, on: bool) -> None:
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print" if on else ""})


def known_details(driver) -> int:
    return driver.execute_script("return Object.keys(window.elip.map.details).length")


def test_print001_every_card_printed_with_its_address_and_phone(dash_duo, app):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    wait_count(dash_duo, TOTAL)
    assert known_details(driver) < TOTAL  # the screen fetched a page of cards, not the whole list
    driver.execute_script(PRINT_STUB)
    print_media(driver, True)
    try:
        driver.execute_script("document.getElementById('home-print').click()")  # hidden from print media, not from a click
        until(lambda: driver.execute_script("return window.__prints.length") == 1, timeout=30)
        printed = driver.execute_script("return window.__prints[0]")
    finally:
        print_media(driver, False)
    cards = printed["cards"]
    assert len(cards) == TOTAL and all(shown for _, _, shown in cards)
    assert sorted(name_of(text) for _, text, _ in cards) == list(range(TOTAL))
    for _, text, _ in cards:
        i = name_of(text)
        assert phone(i) in text and address(i) in text, text
        assert CARD_NOTE not in text
    assert printed["summaryShown"] and MISSING_NOTE not in printed["summary"]
    assert f"{TOTAL} services" in printed["summary"]
    # Fetched in batches the server accepts, and each card asked for once.
    asked = details_requests(driver)
    assert asked and max(len(ids) for ids in asked) <= LIMIT
    flat = [i for ids in asked for i in ids]
    assert len(flat) == len(set(flat)) == TOTAL
    # The hostile address is text on paper too.
    assert driver.execute_script("return document.querySelectorAll('.elip-card b').length") == 0
    # Back on screen: a page of cards again, and the status line is empty.
    until(lambda: len(dash_duo.find_elements("[data-location-id]")) < TOTAL, timeout=5)
    assert dash_duo.find_element("#home-share-message").text == ""
    assert dash_duo.get_logs() == []


def test_print002_offline_prints_what_is_known_and_says_so_in_arabic(dash_duo, app):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + "/?ui=ar")
    dash_duo.wait_for_text_to_equal("#result-count", str(TOTAL), timeout=20)
    until(lambda: known_details(driver) >= 25, timeout=20)
    known = set(driver.execute_script("return Object.keys(window.elip.map.details)"))
    dash_duo.server.stop()  # no network from here on: no details can be fetched
    driver.execute_script(PRINT_STUB)
    driver.execute_script("document.getElementById('home-print').click()")
    until(lambda: driver.execute_script("return window.__prints.length") == 1, timeout=30)
    printed = driver.execute_script("return window.__prints[0]")
    _ = translator("ar")
    assert _(MISSING_NOTE) != MISSING_NOTE and _(CARD_NOTE) != CARD_NOTE  # translated, not the English
    assert _(MISSING_NOTE) in printed["summary"]
    cards = printed["cards"]
    assert len(cards) == TOTAL
    for card_id, text, _shown in cards:
        i = name_of(text)
        if card_id in known:
            assert phone(i) in text and _(CARD_NOTE) not in text
        else:
            assert phone(i) not in text and _(CARD_NOTE) in text
    assert 0 < len(known) < TOTAL


def test_print003_ctrl_p_fetches_first(dash_duo, app):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    wait_count(dash_duo, TOTAL)
    driver.execute_script(PRINT_STUB)
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("p").key_up(Keys.CONTROL).perform()
    until(lambda: driver.execute_script("return window.__prints.length") == 1, timeout=30)
    cards = driver.execute_script("return window.__prints[0].cards")
    assert len(cards) == TOTAL
    assert all(phone(name_of(text)) in text for _, text, _ in cards)
    assert dash_duo.get_logs() == []


def test_print004_browser_menu_print_marks_what_is_missing_then_fetches_it(dash_duo, app):
    """The browser's own print cannot wait: the printout says which cards lack their details, and the
    next print has them all."""
    dash_duo.start_server(app)
    driver = dash_duo.driver
    wait_count(dash_duo, TOTAL)
    driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    try:
        cards = driver.execute_script(
            "return [...document.querySelectorAll('[data-location-id]')].map(c => [c.dataset.locationId, c.textContent])")
        summary = dash_duo.find_element("#home-print-summary").get_attribute("textContent")
        known = set(driver.execute_script("return Object.keys(window.elip.map.details)"))
    finally:
        driver.execute_script("window.dispatchEvent(new Event('afterprint'))")
    assert len(cards) == TOTAL and MISSING_NOTE in summary
    lacking = [text for card_id, text in cards if card_id not in known]
    assert lacking and all(CARD_NOTE in text and phone(name_of(text)) not in text for text in lacking)
    assert all(CARD_NOTE not in text for card_id, text in cards if card_id in known)
    until(lambda: known_details(driver) == TOTAL, timeout=30)
    assert max(len(ids) for ids in details_requests(driver)) <= LIMIT
    driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    try:
        summary = dash_duo.find_element("#home-print-summary").get_attribute("textContent")
        texts = driver.execute_script("return [...document.querySelectorAll('[data-location-id]')].map(c => c.textContent)")
    finally:
        driver.execute_script("window.dispatchEvent(new Event('afterprint'))")
    assert MISSING_NOTE not in summary and len(texts) == TOTAL
    assert all(phone(name_of(t)) in t and CARD_NOTE not in t for t in texts)
    assert dash_duo.get_logs() == []


# A details request that never answers, as on a weak signal: like a real fetch, it ends only when aborted.
HANGING_DETAILS = """window.__realFetch = window.fetch;
window.fetch = function (url, opts) {
  if (String(url).indexOf('/api/details') === -1) return window.__realFetch(url, opts);
  return new Promise(function (resolve, reject) {
    const signal = opts && opts.signal;
    if (signal) signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });
};"""


def test_print006_a_details_request_that_never_answers_does_not_hold_the_print_back(dash_duo, app):
    """A weak signal can leave a request unanswered for minutes: the print waits a bounded time, then
    prints what is known and says what is missing."""
    dash_duo.start_server(app)
    driver = dash_duo.driver
    wait_count(dash_duo, TOTAL)
    known = set(driver.execute_script("return Object.keys(window.elip.map.details)"))
    driver.execute_script(PRINT_STUB + "window.elip.map.detailsWaitMs = 1500;" + HANGING_DETAILS)
    driver.execute_script("document.getElementById('home-print').click()")
    until(lambda: driver.execute_script("return window.__prints.length") == 1, timeout=30)
    printed = driver.execute_script("return window.__prints[0]")
    assert MISSING_NOTE in printed["summary"] and len(printed["cards"]) == TOTAL
    lacking = [text for card_id, text, _ in printed["cards"] if card_id not in known]
    assert lacking and all(CARD_NOTE in text and phone(name_of(text)) not in text for text in lacking)
    # On screen, cards whose details are given up on say the connection was slow, not that the phone is offline.
    driver.execute_script("document.getElementById('home-more').click()")
    slow = "return [...document.querySelectorAll('.elip-card-unsaved')].map(n => n.textContent)"
    until(lambda: SLOW_NOTE in driver.execute_script(slow), timeout=15)
    assert UNSAVED not in driver.execute_script(slow)
    time.sleep(2)  # the requests "Show more" asked again hang too, until given up after detailsWaitMs (1.5 s)
    driver.execute_script("window.fetch = window.__realFetch")
    # The ids given up are asked again: a second print, with the network back, has every card whole.
    driver.execute_script("document.getElementById('home-print').click()")
    until(lambda: driver.execute_script("return window.__prints.length") == 2, timeout=30)
    cards = driver.execute_script("return window.__prints[1].cards")
    assert len(cards) == TOTAL and all(phone(name_of(text)) in text for _, text, _ in cards), [t[:300] for _, t, _ in cards if phone(name_of(t)) not in t][:2]


POPUP_TEXT = "const p = document.querySelector('.leaflet-popup-content'); return p ? p.textContent : ''"
SLOW_DETAILS = """const real = window.fetch;
window.fetch = function (url, opts) {
  if (String(url).indexOf('/api/details') === -1) return real(url, opts);
  return new Promise(r => setTimeout(r, 2500)).then(() => real(url, opts));
};"""


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_popup001_pin_beyond_the_cards_gets_its_address_when_it_arrives(dash_duo, app, ui):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + f"/?ui={ui}")
    dash_duo.wait_for_text_to_equal("#result-count", str(TOTAL), timeout=20)
    until(lambda: known_details(driver) >= 25, timeout=20)
    # The last placed listing, far beyond the first page of cards, holds the hostile address.
    pid = driver.execute_script(
        "return Object.values(window.elip.map.byId).find(f => f.properties.organization === arguments[0]).properties.id",
        f"Centre {PLACED - 1:03d}")
    assert driver.execute_script("return !window.elip.map.details[arguments[0]]", pid)
    driver.execute_script(SLOW_DETAILS)  # its details come well after its popup opens
    driver.execute_script("window.elip.map.choose(arguments[0])", pid)
    until(lambda: f"Centre {PLACED - 1:03d}" in driver.execute_script(POPUP_TEXT), timeout=10)
    assert HOSTILE_ADDRESS not in driver.execute_script(POPUP_TEXT)  # opened before the details came
    until(lambda: HOSTILE_ADDRESS in driver.execute_script(POPUP_TEXT), timeout=10)
    assert driver.find_elements("css selector", ".leaflet-popup-content b, .leaflet-popup-content img") == []
    assert f"Centre {PLACED - 1:03d}" in driver.execute_script(POPUP_TEXT)
    # The address is a left-to-right run inside the popup, which follows the page's direction.
    direction = driver.execute_script(
        "return getComputedStyle(document.querySelector('.leaflet-popup-content')).direction")
    assert direction == ("rtl" if ui == "ar" else "ltr")
    runs = driver.execute_script(
        "return [...document.querySelectorAll('.leaflet-popup-content bdi[dir=ltr]')].map(b => b.textContent)")
    assert len(runs) == 1 and runs[0].startswith(HOSTILE_ADDRESS)
    assert dash_duo.get_logs() == []


UNSAVED = ("The address, phone and other details of this service are not saved on this phone. Connect to the "
           "internet to see them.")


def test_popup002_offline_a_pin_never_seen_says_why_it_has_no_address(dash_duo, app):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    dash_duo.wait_for_text_to_equal("#result-count", str(TOTAL), timeout=20)
    until(lambda: known_details(driver) >= 25, timeout=20)
    pid = driver.execute_script(
        "return Object.values(window.elip.map.byId).find(f => f.properties.organization === arguments[0]).properties.id",
        f"Centre {PLACED - 1:03d}")
    dash_duo.server.stop()  # no network from here on: its details cannot come
    driver.execute_script("window.elip.map.choose(arguments[0])", pid)
    until(lambda: UNSAVED in driver.execute_script(POPUP_TEXT), timeout=15)
    assert f"Centre {PLACED - 1:03d}" in driver.execute_script(POPUP_TEXT)
    assert HOSTILE_ADDRESS not in driver.execute_script(POPUP_TEXT)


def test_print005_offline_printout_holds_every_card_seen_before(dash_duo, app):
    """Cards seen on an earlier visit ("Show more") were saved a page at a time; opened again with no
    network, the printout asks for other sets of cards, which the service worker answers from what it
    saved: every card seen prints with its phone, only the others are marked."""
    dash_duo.start_server(app)
    driver = dash_duo.driver
    wait_count(dash_duo, TOTAL)
    until(lambda: driver.execute_script("return !!navigator.serviceWorker.controller"), timeout=20)
    dash_duo.find_element("#home-more").click()
    until(lambda: known_details(driver) >= 50, timeout=20)
    wait_count(dash_duo, TOTAL)
    seen = set(driver.execute_script("return Object.keys(window.elip.map.details)"))
    asked = len(details_requests(driver))
    assert asked >= 2
    until(lambda: sum(p.startswith("/api/details?") for p in saved(driver)) >= asked, timeout=20)
    # The worker says when the visit is kept whole (the page, its bundles): only then is it safe offline.
    wait_until_kept(driver)

    set_offline(driver, True)
    dash_duo.server.stop()
    driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_text_to_equal("#result-count", str(TOTAL), timeout=30)
    until(lambda: known_details(driver) >= 25, timeout=20)
    driver.execute_script(PRINT_STUB)
    driver.execute_script("document.getElementById('home-print').click()")
    until(lambda: driver.execute_script("return window.__prints.length") == 1, timeout=30)
    printed = driver.execute_script("return window.__prints[0]")
    assert len(printed["cards"]) == TOTAL and MISSING_NOTE in printed["summary"]
    with_phone = {card_id for card_id, text, _ in printed["cards"] if phone(name_of(text)) in text}
    assert with_phone == seen
    assert all(CARD_NOTE in text for card_id, text, _ in printed["cards"] if card_id not in seen)
