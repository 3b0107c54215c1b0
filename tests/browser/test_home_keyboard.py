"""The newcomer page with a keyboard only (and what a screen reader is told), on the bundled sample: every
filter is reached with Tab and used with Enter and the arrows, the focus ring is visible wherever the focus
is, an action never drops the focus on the page's body, and every page's skip link leads into that page."""

from __future__ import annotations

import re
import shutil
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from elip_map.config import Settings
from elip_map.factory import create_app

pytestmark = pytest.mark.browser



@pytest.fixture
def app(sample_database, tmp_path, geodata_mirror, clear_pages_state):
    copy = tmp_path / "sample.sqlite3"
    shutil.copy(sample_database, copy)
    return create_app(Settings(database_url=f"sqlite:///{copy}", tile_url="", data_mirror=geodata_mirror),
                      load_sample=False)


def open_home(dash_duo, app, query="", size=(1280, 900), media=()):
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(*size)
    if media:
        dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [dict(m) for m in media]})
    dash_duo.driver.get(f"{dash_duo.server_url}/{query}")
    until(lambda: (dash_duo.find_element("#result-count").text or "…").strip().isdigit(), timeout=15)
    time.sleep(0.5)  # the map's first clusters and the filter panel's keyboard fixes settle


def press(driver, *keys, pause=0.4):
    ActionChains(driver).send_keys(*keys).perform()
    time.sleep(pause)


def focused(driver) -> dict:
    return driver.execute_script(
        "var e = document.activeElement; return {tag: e.tagName, id: e.id, text: (e.textContent || '').trim()}")


def start_keyboard_from(driver, css):
    """Focus an element the way a keyboard user arrived there (a key press first, so :focus-visible holds)."""
    press(driver, Keys.SHIFT, pause=0.1)  # any key: Chromium then shows the ring for a scripted focus
    driver.execute_script("var e = document.querySelector(arguments[0]); e.scrollIntoView({block: 'center'}); e.focus()",
                          css)


def luminance(rgb: str) -> float:
    """WCAG 2 relative luminance of a CSS "rgb(r, g, b)" colour."""
    channels = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


RING = """
// The focus ring drawn for the focused element: its own outline or that of the box around it (Dash draws
// text boxes as an input inside a bordered box), and the first opaque background behind it.
var e = document.activeElement, ring = null;
for (var n = e, i = 0; n && i < 3; n = n.parentElement, i++) {
  var s = getComputedStyle(n);
  if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) { ring = s; break; }
}
var bg = null;
for (var b = e.parentElement; b && !bg; b = b.parentElement) {
  var c = getComputedStyle(b).backgroundColor;
  if (c && c !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(c)) bg = c;
}
return {id: e.id, width: ring ? parseFloat(ring.outlineWidth) : 0, color: ring ? ring.outlineColor : null,
        background: bg || 'rgb(255, 255, 255)'};
"""


def test_keyboard001_neighbourhood_and_day_dropdowns_are_reached_with_tab_and_used_with_keys(dash_duo, app):
    """Both drop-downs of the filter panel were skipped by Tab: the page had taken their only Tab stop away."""
    open_home(dash_duo, app)
    driver = dash_duo.driver
    start_keyboard_from(driver, ".elip-filter-group:nth-of-type(4) summary")
    assert focused(driver)["text"] == "Neighbourhood"
    press(driver, Keys.ENTER)  # opens the group
    press(driver, Keys.TAB)
    assert focused(driver)["id"] == "home-filter-hood"
    press(driver, Keys.ENTER)
    press(driver, "Strathcona")
    press(driver, Keys.ARROW_DOWN)
    press(driver, Keys.ENTER, pause=1)
    chosen = dash_duo.find_element("#home-filter-hood").text
    assert "Strathcona" in chosen
    assert parse_qs(urlsplit(driver.current_url).query).get("hood"), driver.current_url
    assert focused(driver)["id"] == "home-filter-hood"  # the focus comes back to the drop-down

    start_keyboard_from(driver, ".elip-filter-group:nth-of-type(5) summary")
    press(driver, Keys.ENTER)
    press(driver, Keys.TAB)  # "Open now"
    press(driver, Keys.TAB)
    assert focused(driver)["id"] == "home-filter-day"
    press(driver, Keys.ENTER)
    press(driver, Keys.ARROW_DOWN)
    press(driver, Keys.ENTER, pause=1)
    assert parse_qs(urlsplit(driver.current_url).query).get("day"), driver.current_url
    # Shift+Tab from the drop-down goes back to "Open now", not to a hidden stop a screen reader cannot name.
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert driver.execute_script("return document.activeElement.type") == "checkbox"


@pytest.mark.parametrize("ui", ["en", "ar"])
@pytest.mark.parametrize("size", [(360, 640), (1280, 900)])
def test_keyboard002_focus_ring_is_visible_on_text_boxes_and_on_the_navigation_bar(dash_duo, app, ui, size):
    """A ring of at least 2 px with 3:1 against what is around it (WCAG 1.4.11), on the near and name boxes
    (they showed a 1 px border in another colour) and on the dark navigation bar (the red ring had 1.8:1)."""
    open_home(dash_duo, app, f"?ui={ui}", size)
    driver = dash_duo.driver
    rings = {}
    start_keyboard_from(driver, ".elip-lowdata-link")
    press(driver, Keys.TAB)
    rings["near"] = driver.execute_script(RING)
    press(driver, Keys.TAB)  # Search
    press(driver, Keys.TAB)  # Use my location
    press(driver, Keys.TAB)
    rings["name"] = driver.execute_script(RING)
    start_keyboard_from(driver, ".elip-skip")
    press(driver, Keys.TAB)  # the brand link, on the navigation bar
    rings["brand"] = driver.execute_script(RING)
    press(driver, Keys.TAB)
    rings["nav link"] = driver.execute_script(RING)

    assert [r["id"] for r in (rings["near"], rings["name"])] == ["home-near-input", "home-filter-text"]
    weak = {k: r for k, r in rings.items() if r["width"] < 2 or contrast(r["color"], r["background"]) < 3}
    assert weak == {}


def ax_buttons(driver) -> list[str]:
    """The names a screen reader hears for the page's buttons (Chromium's accessibility tree)."""
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = driver.execute_cdp_cmd("Accessibility.queryAXTree", {"nodeId": root, "role": "button"})["nodes"]
    return [n.get("name", {}).get("value", "") for n in nodes if not n.get("ignored")]


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_keyboard003_map_clusters_are_named_by_what_they_hold(dash_duo, app, ui):
    """A cluster was a button named "10"; its name now says what it is and what pressing it does, and still
    holds the number shown (label in name: the Arabic for "two services here" has no digit)."""
    open_home(dash_duo, app, f"?ui={ui}")
    driver = dash_duo.driver
    until(lambda: driver.find_elements("css selector", ".marker-cluster"), timeout=10)
    clusters = driver.execute_script(
        "return [...document.querySelectorAll('.marker-cluster')].map(c => [c.textContent.trim(), c.title])")
    names = ax_buttons(driver)
    assert [n for n in names if n.strip().isdigit()] == []
    assert [(shown, title) for shown, title in clusters
            if not any(shown in n and title in n for n in names)] == []
    if ui == "en":
        assert sorted(int(re.match(r"(\d+) services here: zoom in$", n).group(1))
                      for n in names if re.match(r"\d+ services here", n)) == sorted(int(c[0]) for c in clusters)


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_keyboard004_map_does_not_fly_when_the_reader_asks_for_less_motion(dash_duo, app, motion):
    open_home(dash_duo, app, media=[{"name": "prefers-reduced-motion", "value": motion}])
    driver = dash_duo.driver
    until(lambda: driver.execute_script("return !!(window.elip.map.leafletMap)"), timeout=10)
    driver.execute_script("""
        var map = window.elip.map.leafletMap; window.flights = [];
        ['flyTo', 'flyToBounds'].forEach(function (name) {
          var real = map[name];
          map[name] = function () { window.flights.push(name); return real.apply(this, arguments); };
        });""")
    start_keyboard_from(driver, ".elip-show")
    press(driver, Keys.ENTER, pause=1.5)
    zoom = driver.execute_script("return window.elip.map.leafletMap.getZoom()")
    flights = driver.execute_script("return window.flights")
    if motion == "reduce":
        assert (flights, zoom) == ([], 15)
    else:
        assert flights == ["flyTo"]


def test_keyboard005_show_on_map_on_a_phone_keeps_the_focus_on_screen(dash_duo, app):
    """On a phone "Show on map" hides the list it is in: the focus fell to <body>, and the next Tab began
    again at the top of the page."""
    open_home(dash_duo, app, size=(360, 640))
    driver = dash_duo.driver
    start_keyboard_from(driver, ".elip-show")
    press(driver, Keys.ENTER, pause=1)
    assert "show-map" in dash_duo.find_element("#home-layout").get_attribute("class")
    now = focused(driver)
    assert (now["tag"], now["id"]) == ("BUTTON", "home-view-toggle")
    press(driver, Keys.ENTER, pause=1)  # "Show list": back to the list, the focus still on the toggle
    assert "show-list" in dash_duo.find_element("#home-layout").get_attribute("class")
    assert focused(driver)["id"] == "home-view-toggle"


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_keyboard006_skip_link_leads_into_the_page_on_every_page(dash_duo, app, ui):
    """The skip link pointed at the newcomer page's results heading on every page: elsewhere it led nowhere
    and the next Tab went on through the navigation bar."""
    open_home(dash_duo, app, f"?ui={ui}")
    driver = dash_duo.driver
    seen = {}
    for path in ("/", "/about", "/login"):
        driver.get(f"{dash_duo.server_url}{path}?ui={ui}")
        dash_duo.wait_for_element("main h1", timeout=10)
        dash_duo.wait_for_element(".elip-skip", timeout=10)
        time.sleep(0.5)
        press(driver, Keys.TAB)
        skip = driver.execute_script("var a = document.activeElement; return a.classList.contains('elip-skip') && "
                                     "[a.textContent, a.getAttribute('lang') || document.documentElement.lang]")
        press(driver, Keys.ENTER)
        press(driver, Keys.TAB)
        seen[path] = (skip, driver.execute_script("return !!document.activeElement.closest('main')"))
    words = {"en": ("Skip to results", "Skip to main content"), "ar": ("انتقل إلى النتائج", "انتقل إلى المحتوى الرئيسي")}[ui]
    assert seen == {"/": ([words[0], ui], True), "/about": ([words[1], ui], True), "/login": ([words[1], ui], True)}


def ax_names(driver, role: str) -> list[str]:
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = driver.execute_cdp_cmd("Accessibility.queryAXTree", {"nodeId": root, "role": role})["nodes"]
    return [n.get("name", {}).get("value", "") for n in nodes if not n.get("ignored")]


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_keyboard007_card_links_and_buttons_are_told_apart_out_of_context(dash_duo, app, ui):
    """A screen reader's list of links read "Directions, Directions, Directions…": each card's links and its
    "Show on map" now carry the organization and location they are for, after the words shown."""
    open_home(dash_duo, app, f"?ui={ui}")
    driver = dash_duo.driver
    until(lambda: driver.execute_script(  # the cards are drawn again when their details (website...) arrive
        "return [...document.querySelectorAll('#home-results > li, #home-results-unplaced > li')]"
        ".every(li => window.elip.map.details[li.dataset.locationId])"), timeout=10)
    time.sleep(0.3)
    cards = driver.execute_script("""
        return [...document.querySelectorAll('#home-results > li, #home-results-unplaced > li')].map(li => ({
          whose: [li.querySelector('.elip-card-org').textContent, (li.querySelector('.elip-card-name') || {}).textContent]
                 .filter(Boolean).join(' – '),
          shown: [...li.querySelectorAll('.elip-card-actions a[target], .elip-card-actions button')]
                 .map(a => a.textContent.trim())}));""")
    assert len(cards) >= 20
    expected = sorted(f"{shown} – {card['whose']}" for card in cards for shown in card["shown"])
    names = ax_names(driver, "link") + ax_names(driver, "button")
    heard = sorted(n for n in names if any(n.startswith(f"{w} – ") for c in cards for w in c["shown"]))
    assert heard == expected


@pytest.mark.parametrize("ui, words", [("en", "Close this box"), ("ar", "أغلق هذا المربع")])
def test_keyboard008_a_pins_box_closes_with_a_button_named_in_the_pages_language(dash_duo, app, ui, words):
    """Leaflet names the close button of a pin's box "Close popup", in English on every page."""
    open_home(dash_duo, app, f"?ui={ui}")
    driver = dash_duo.driver
    start_keyboard_from(driver, ".elip-show")
    press(driver, Keys.ENTER)
    until(lambda: driver.find_elements("css selector", ".leaflet-popup-close-button"), timeout=10)
    assert words in ax_buttons(driver)
    start_keyboard_from(driver, ".leaflet-popup-close-button")
    press(driver, Keys.ENTER)
    assert driver.find_elements("css selector", ".leaflet-popup") == []


def test_keyboard009_show_more_for_the_last_page_hands_the_focus_to_the_first_new_card(dash_duo, app):
    """The button hides itself once every result is shown: the focus fell to <body>."""
    open_home(dash_duo, app)
    driver = dash_duo.driver
    start_keyboard_from(driver, "#home-more")
    shown_before = []
    for _ in range(10):
        if not dash_duo.find_element("#home-more").is_displayed():
            break
        shown_before = [li.get_attribute("data-location-id")
                        for li in driver.find_elements("css selector", "#home-results > li, #home-results-unplaced > li")]
        press(driver, Keys.ENTER, pause=1)
    assert not dash_duo.find_element("#home-more").is_displayed()
    now = driver.execute_script("var e = document.activeElement; return [e.tagName, e.getAttribute('data-location-id')]")
    all_ids = [li.get_attribute("data-location-id")
               for li in driver.find_elements("css selector", "#home-results > li, #home-results-unplaced > li")]
    first_new = [i for i in all_ids if i not in shown_before][0]
    assert now == ["LI", first_new]


@pytest.mark.parametrize("button", ["home-clear-filters-empty", "home-widen"])
def test_keyboard010_the_no_match_box_hands_the_focus_to_the_results_when_it_hides(dash_duo, app, button):
    """Its "Clear filters" and "Show nearest services of any type" hid the box they are in: focus on <body>."""
    open_home(dash_duo, app, "?service=food&hood=5151")  # Strathcona Junction: no food bank in the sample
    driver = dash_duo.driver
    until(lambda: dash_duo.find_element("#home-empty").is_displayed(), timeout=10)
    start_keyboard_from(driver, f"#{button}")
    press(driver, Keys.ENTER, pause=1)
    until(lambda: int(dash_duo.find_element("#result-count").text) > 0, timeout=10)
    assert focused(driver)["id"] == "home-results-heading"


def ax_name_of(driver, css: str) -> str:
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": css})["nodeId"]
    ax = driver.execute_cdp_cmd("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"]
    return ax[0].get("name", {}).get("value", "")


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_keyboard011_dropdowns_are_named_by_their_label_then_their_value(dash_duo, app, ui):
    """Dash named the drop-down by its value alone: "Any neighbourhood, button", never "Neighbourhood"."""
    open_home(dash_duo, app, f"?ui={ui}&day=2")
    driver = dash_duo.driver
    driver.execute_script("document.querySelectorAll('.elip-filter-group').forEach(d => d.open = true)")
    time.sleep(0.5)
    heard = {css: ax_name_of(driver, css) for css in ("#home-filter-hood", "#home-filter-day")}
    shown = driver.execute_script("""return Object.fromEntries(['#home-filter-hood', '#home-filter-day'].map(css => {
        var b = document.querySelector(css);
        return [css, document.querySelector('label[for="' + b.id + '"]').textContent + ' ' + b.textContent.trim()]; }))""")
    assert heard == shown
    if ui == "en":
        assert heard == {"#home-filter-hood": "Neighbourhood Any neighbourhood", "#home-filter-day": "Open on Tue"}
