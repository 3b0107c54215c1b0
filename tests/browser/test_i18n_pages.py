"""Every public page in every interface language, in real headless Chromium at 360 px: no English
interface text on a non-English page, lang/dir right, no horizontal scroll, glyphs drawn (no tofu),
search in the reader's words, and one screenshot per language of the newcomer page."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from truth_tables import NAMED_TABLE, PHRASE_TABLE  # noqa: E402

from elip_map.config import Settings  # noqa: E402
from elip_map.directory.storage import open_database  # noqa: E402
from elip_map.factory import create_app  # noqa: E402
from elip_map.i18n import SUPPORTED_UI, catalogue, translator  # noqa: E402
from elip_map.testing import add_location  # noqa: E402

pytestmark = pytest.mark.browser
# Screenshots for a person to look at: ELIP_SCREENSHOTS=dir, else the test's temporary folder.
SHOTS = Path(os.environ["ELIP_SCREENSHOTS"]) if os.environ.get("ELIP_SCREENSHOTS") else None

# Data and proper nouns that stay as they are on every page (checked by the test, not guessed):
# listing text (as the organization wrote it), the project's name, map and licence names, an example
# address, and the autonyms in the language picker.
DATA = ["Newcomer Centre", "Language centre", "English classes (LINC)", "Downtown office", "Africa Centre",
        "Main office", "Mill Woods Library", "Branch", "10010 105 Street NW, Edmonton, AB", "780-424-7709",
        "https://example.org", "Main office service", "Branch service", "Downtown office service",
        "Language centre service"]
PROPER_NOUNS = ["ELIP", "LINC", "CLB", "2SLGBTQI+", "OpenStreetMap", "Open Database License", "ODbL", "Leaflet",
                "Open Government Licence – City of Edmonton", "118 Avenue & 82 Street", "English", "Français",
                "Tagalog", "Español", "Soomaali", "km"]
PAGES = ["/", "/about", "/login", "/no-such-page", "/assets/no-such-file.css"]
NON_LATIN = {"ar", "zh-Hans", "zh-Hant", "pa", "uk", "ti", "am", "fa", "prs"}

# Everything a person can read or hear: text, and the attributes screen readers and tooltips use.
READABLE = """
var out = [document.title];
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  var node = walker.currentNode, el = node.parentElement;
  if (!el || el.closest("script, style, [hidden]") || !node.textContent.trim()) continue;
  var st = getComputedStyle(el);
  if (st.display === "none" || st.visibility === "hidden") continue;
  if (el.closest("details:not([open]) > :not(summary)")) continue;
  out.push(node.textContent.trim());
}
document.querySelectorAll("[title], [aria-label], [placeholder], [alt]").forEach(function (el) {
  ["title", "aria-label", "placeholder", "alt"].forEach(function (a) { if (el.getAttribute(a)) out.push(el.getAttribute(a)); });
});
return out;
"""


@pytest.fixture
def app(tmp_path, geodata_mirror, clear_pages_state):
    url = f"sqlite:///{tmp_path / 'i18n.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        add_location(s, "Newcomer Centre", "Language centre", lat=53.5705, lon=-113.4655, types=("language-training",),
                     langs=("ar", "en"), hood="1010", phone="+17804247709", website="https://example.org",
                     hours=[(1, dt.time(9), dt.time(17))], verified=dt.date(2026, 2, 1),
                     service_name="English classes (LINC)")
        add_location(s, "Newcomer Centre", "Downtown office", lat=53.5440, lon=-113.5090,
                     types=("employment",), langs=("ar", "fr", "en"))
        add_location(s, "Africa Centre", "Main office", lat=53.5930, lon=-113.5300, types=("food",), langs=("so", "en"))
        add_location(s, "Mill Woods Library", "Branch", lat=53.4570, lon=-113.4300, types=("language-training",),
                     langs=("pa", "en"))
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", data_mirror=geodata_mirror), load_sample=False)


def _english_leftovers(texts: list[str], ui: str) -> list[str]:
    """Interface text that is still English on a page in ``ui``."""
    english = {m for m in catalogue("en") if translator(ui)(m) != m}
    third_party = {"Zoom in", "Zoom out", "Layers", "Search", "No options found", "Loading...", "Select...",
                   "Select All", "Deselect All", "Clear search", "Clear selection", "Not Found", "Forbidden"}
    left = []
    for text in texts:
        if text in english or text in third_party:
            left.append(text)
            continue
        if ui in NON_LATIN:  # in a non-Latin page, any Latin word that is not data or a proper noun
            rest = text
            for allowed in sorted(DATA + PROPER_NOUNS, key=len, reverse=True):
                rest = rest.replace(allowed, " ")
            if re.search(r"[A-Za-z]{3,}", rest):
                left.append(text)
    return left


def _load(dash_duo, path: str, ui: str):
    dash_duo.driver.get(f"{dash_duo.server_url}{path}{'&' if '?' in path else '?'}ui={ui}")
    if path == "/":
        until(lambda: dash_duo.find_element("#result-count").text not in ("", "…"), timeout=10)
        until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, ".leaflet-control-zoom-in[aria-label]"), timeout=10)
    else:
        until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, "main h1"), timeout=10)


@pytest.mark.parametrize("ui", SUPPORTED_UI)
def test_i18n001_every_page_in_the_readers_language_at_360px(dash_duo, app, ui, tmp_path):
    dash_duo.start_server(app)
    # A real 360 px viewport (a headless window cannot be made narrower than about 500 px).
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 360, "height": 640, "deviceScaleFactor": 1, "mobile": True})
    for path in PAGES:
        _load(dash_duo, path, ui)
        root = dash_duo.find_element("html")
        direction = "rtl" if ui in {"ar", "fa", "prs"} else "ltr"
        assert (root.get_attribute("lang"), root.get_attribute("dir")) == (ui, direction), path
        texts = dash_duo.driver.execute_script(READABLE)
        if ui != "en":
            left = _english_leftovers(texts, ui)
            assert left == [], (ui, path, left)
        width = dash_duo.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[1] == 360 and width[0] <= width[1], (ui, path, "horizontal scroll", width)
        if path == "/":
            # The language picker opens within the screen.
            dash_duo.find_element(".elip-ui-summary").click()
            box = dash_duo.driver.execute_script(
                "var r = document.querySelector('.elip-ui-links').getBoundingClientRect(); return [r.left, r.right];")
            assert box[0] >= 0 and box[1] <= width[1], (ui, box)
            texts = dash_duo.driver.execute_script(READABLE)
            assert "繁體中文" in texts and "ትግርኛ" in texts
            # Keyboard: Escape closes the picker and gives focus back to its button.
            dash_duo.find_element("a.elip-ui-link[data-ui='es']").send_keys(Keys.ESCAPE)
            until(lambda: dash_duo.driver.execute_script(
                "return !document.querySelector('.elip-ui-picker').open && "
                "document.activeElement === document.querySelector('.elip-ui-summary')"), timeout=3)
            shots = SHOTS or tmp_path
            shots.mkdir(parents=True, exist_ok=True)
            dash_duo.driver.save_screenshot(str(shots / f"home-{ui}-360.png"))
    assert [e for e in dash_duo.get_logs() if "404" not in e.get("message", "")] == []


# Two different letters of a script drawn on a canvas: if the font lacks the script, both become the
# same empty box ("tofu") and their pixels are identical.
TOFU = """
function draw(ch) {
  var c = document.createElement("canvas"); c.width = 40; c.height = 40;
  var g = c.getContext("2d"); g.font = "28px " + getComputedStyle(document.body).fontFamily;
  g.fillText(ch, 4, 30); return c.toDataURL();
}
return arguments[0].map(function (pair) { return draw(pair[0]) !== draw(pair[1]); });
"""
SCRIPTS = {"Ethiopic": ("አ", "ማ"), "Gurmukhi": ("ਪ", "ਜ"), "Han": ("英", "语"), "Arabic": ("ع", "ر"),
           "Cyrillic": ("ж", "ї")}


def test_i18n002_every_script_has_glyphs(dash_duo, app):
    dash_duo.start_server(app)
    _load(dash_duo, "/about", "am")
    drawn = dash_duo.driver.execute_script(TOFU, list(SCRIPTS.values()))
    assert dict(zip(SCRIPTS, drawn)) == {name: True for name in SCRIPTS}, "install fonts-noto-core and fonts-noto-cjk"


@pytest.mark.parametrize("ui, query, shown", [
    ("zh-Hans", "英语课", {"Language centre", "Branch"}),
    ("es", "clases de inglés", {"Language centre", "Branch"}),
    ("ar", "عربي", {"Language centre", "Downtown office"}),
    ("uk", "курси англійської", {"Language centre", "Branch"}),
    ("pa", "ਅੰਗਰੇਜ਼ੀ ਕਲਾਸਾਂ", {"Language centre", "Branch"}),
    ("so", "cunto", {"Main office"}),
])
def test_i18n003_search_in_the_readers_words(dash_duo, app, ui, query, shown):
    dash_duo.start_server(app)
    _load(dash_duo, "/?q=" + query, ui)
    until(lambda: dash_duo.find_element("#result-count").text == str(len(shown)), timeout=10)
    names = {el.text for el in dash_duo.find_elements(".elip-card-name")}
    assert names == shown
    # The browser's phrase matcher agrees with the Python twin on the same table.
    for q, expected in NAMED_TABLE:
        got = dash_duo.driver.execute_script("return window.elip.map.namedConcepts(arguments[0], arguments[1])", q, PHRASE_TABLE)
        assert got == expected, q
    assert dash_duo.get_logs() == []
