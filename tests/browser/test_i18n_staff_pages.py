"""The partner, staff, coverage and refusal pages in Spanish and Arabic, in real headless Chromium, signed in
as the role each page is for: no English interface word is left on the screen (data and proper nouns excepted,
listed below), ``lang``/``dir`` are right, and nothing scrolls sideways at 360 px outside wide tables.

Spanish is checked word by word against the English of the interface (a word of the English catalogue that
the Spanish catalogue never uses is a leftover); Arabic, written in another script, by any Latin word at all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from elip_map.accounts.models import User
from elip_map.config import Settings
from elip_map.directory.audit import record_audit
from elip_map.directory.models import (Address, DuplicateSuspect, Location, Organization, Service, ServiceAtLocation,
                                       ServiceType)
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.geocoding.chain import geocode_address
from elip_map.geocoding.notes import ACTOR_COMMAND_LINE, ACTOR_COMMAND_LINE_IMPORT
from elip_map.i18n import catalogue
from elip_map.review.changes import submit_change
from elip_map.testing import PASSWORD, hash_password

pytestmark = pytest.mark.browser
# Screenshots for a person to look at: ELIP_SCREENSHOTS=dir, else the test's temporary folder.
SHOTS = Path(os.environ["ELIP_SCREENSHOTS"]) if os.environ.get("ELIP_SCREENSHOTS") else None

PARTNER, STAFF = "partner@centre.example", "staff@elip.example"
# Data as the fixture stores it, and names that stay as they are in every language.
DATA = ["Newcomer Centre", "Office", "English classes", "10010 105 Street NW", "T5J 1C4", "Edmonton", "AB",
        "partners.csv", "amina", "+1 780-424-7709", "780-424-7709", "780 555 0199", "780-555-0199", "Office renamed", PARTNER, STAFF]
PROPER_NOUNS = ["ELIP", "2SFCA", "E2SFCA", "GeoJSON", "CSV", "API", "UTC", "Leaflet", "OpenStreetMap",
                "Open Government Licence – City of Edmonton", "--organization ID", "LINC", "CLB", "2SLGBTQI+", "CUAET",
                "km"]
# Patterns of data: e-mail addresses, addresses and paths, language codes in brackets, ISO dates and times.
DATA_PATTERNS = [r"\S+@\S+", r"/[\w/.-]*", r"\((?:[a-z]{2,3})(?:-[A-Za-z]+)?\)", r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?"]
PAGES = {  # path: who may open it
    "/partner": PARTNER, "/staff/review": STAFF, "/staff/health": STAFF, "/staff/audit": STAFF,
    "/staff/users": STAFF, "/coverage": STAFF,
}

# Everything a person can read or hear, except data cells the page only shows (neighbourhood names of the
# City's open data in the coverage table, map tooltips).
READABLE = """
var skip = "script, style, [hidden], td[data-dash-column=neighbourhood], td[data-dash-column=ward], " +
           ".leaflet-tooltip, .coverage-details h3, .elip-card-name";
var out = [document.title], joined = new Set();
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  var node = walker.currentNode, el = node.parentElement;
  if (!el || el.closest(skip) || !node.textContent.trim()) continue;
  // A cell whose long e-mail or address may break (<wbr>) is read whole: "partner@" alone is not a word.
  var cell = el.closest("td");
  if (cell && cell.querySelector("wbr")) {
    if (!joined.has(cell)) { joined.add(cell); out.push(cell.textContent.trim()); }
    continue;
  }
  var st = getComputedStyle(el);
  if (st.display === "none" || st.visibility === "hidden") continue;
  if (el.closest("details:not([open]) > :not(summary)")) continue;
  out.push(node.textContent.trim());
}
document.querySelectorAll("[title], [aria-label], [placeholder], [alt]").forEach(function (el) {
  if (el.closest(skip)) return;
  ["title", "aria-label", "placeholder", "alt"].forEach(function (a) { if (el.getAttribute(a)) out.push(el.getAttribute(a)); });
});
return out;
"""


# Table headers drawn on more lines than they have words: a word broken in two ("قبل" as "قب" over "ل").
BROKEN_HEADERS = """
function lines(th) {  // the lines its text is drawn on (a sort icon beside it is not text)
  var tops = [], walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    var range = document.createRange(); range.selectNodeContents(walker.currentNode);
    Array.from(range.getClientRects()).forEach(function (r) {
      if (r.width && !tops.some(function (t) { return Math.abs(t - r.top) < 4; })) tops.push(r.top);
    });
  }
  return tops.length;
}
return Array.from(document.querySelectorAll("main th")).filter(function (th) {
  var text = th.textContent.trim();
  return text && lines(th) > text.split(/\\s+/).length;
}).map(function (th) { return th.textContent.trim(); });
"""


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}


def english_leftovers(texts: list[str], ui: str) -> list[str]:
    """Texts that still carry English interface words on a page in ``ui``.

    The English words are those of the interface's own English messages (the source catalogue) plus the
    common function words, minus every word the language's own catalogue uses (Spanish writes "Error",
    "no" and "total" too)."""
    english = set().union(*(_words(m) for m in catalogue("en"))) | {
        "the", "and", "with", "your", "this", "that", "for", "from", "are", "not", "has", "have", "will", "there",
        "here", "please", "click", "select", "loading", "search", "options", "found", "filter", "data"}
    own = set().union(*(_words(m) for m in catalogue(ui).values()))
    left = []
    for text in texts:
        rest = text
        for allowed in sorted(DATA + PROPER_NOUNS, key=len, reverse=True):
            rest = rest.replace(allowed, " ")
        for pattern in DATA_PATTERNS:
            rest = re.sub(pattern, " ", rest)
        if ui in {"ar", "fa", "prs", "zh-Hans", "zh-Hant", "pa", "uk", "ti", "am"}:
            if re.search(r"[A-Za-z]{3,}", rest):
                left.append(text)
        elif (_words(rest) & english) - own:
            left.append(text)
    return left


def test_the_leftover_check_finds_english(tmp_path):
    """The check itself: an English label on a Spanish or Arabic page is found; data and names are not."""
    assert english_leftovers(["Propose a correction", "Organización", "Newcomer Centre — Office"], "es") == [
        "Propose a correction"]
    assert english_leftovers(["Save pin", "احفظ الدبوس", "partner@centre.example (ar)", "2026-11-30 20:00 UTC"],
                             "ar") == ["Save pin"]


@pytest.fixture
def app(tmp_path, clear_pages_state):
    url = f"sqlite:///{tmp_path / 'staff-i18n.sqlite3'}"
    database = open_database(url)
    hashed = hash_password(PASSWORD)
    with database.session() as s:
        org = Organization(name="Newcomer Centre", name_key="newcomer centre", contact_email="intake@centre.example",
                           contact_language="ar")
        loc = Location(organization=org, name="Office", location_key="office", latitude=53.5444,
                       longitude=-113.4909, geocode_status="ok")
        loc.addresses.append(Address(address_1="10010 105 Street NW", city="Edmonton", postal_code="T5J 1C4"))
        svc = Service(organization=org, name="English classes")
        svc.types.append(ServiceType(slug="language-training"))
        # A location the geocoder could not place, and rows an import merged: their reasons are stored in
        # English and shown in the reader's language on the data-health page.
        lost = Location(organization=org, name="Office", location_key="office-po-box", geocode_status="needs-attention",
                        geocode_note=geocode_address("PO Box 123").message)
        s.add_all([org, loc, lost, svc, ServiceAtLocation(service=svc, location=loc)])
        s.flush()
        s.add(DuplicateSuspect(location_id=loc.id, source_file="partners.csv", row_numbers="4, 9",
                               reason="rows 4, 9 name the same organization and address; they were merged into "
                                      "one listing"))
        partner = User(email=PARTNER, role="partner", organization_id=org.id, password_hash=hashed)
        s.add_all([partner, User(email=STAFF, role="staff", password_hash=hashed)])
        s.flush()
        submit_change(s, partner, loc.id, {"phone": "780 555 0199", "name": "Office renamed"})  # a pending request
        # An import and a new account in the audit log, as their writers store them (field names, row counts
        # by status and the role in English).
        record_audit(s, ACTOR_COMMAND_LINE_IMPORT(user="amina", file="partners.csv"), "import", "import",
                     "partners.csv", None, {"file": "partners.csv", "rows": {"duplicate-merged": 1, "imported": 2},
                                            "locations_created": 1, "locations_updated": 0})
        record_audit(s, ACTOR_COMMAND_LINE(), "user.create", "user", partner.id, None,
                     {"email": PARTNER, "role": "partner", "organization_id": org.id})
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret"), load_sample=False)


def _log_in(dash_duo, email, ui):
    dash_duo.driver.delete_all_cookies()
    dash_duo.wait_for_page(f"{dash_duo.server_url}/login?ui={ui}")
    dash_duo.wait_for_element("#login-email").send_keys(email)
    dash_duo.find_element("#login-password").send_keys(PASSWORD + Keys.ENTER)
    until(lambda: "/login" not in dash_duo.driver.current_url, timeout=10)


def _ready(dash_duo, path):
    """Wait until the page has drawn what its callbacks fill in."""
    until(lambda: dash_duo.driver.find_elements("css selector", "main h1"), timeout=15)
    if path == "/partner":
        until(lambda: dash_duo.find_element("#partner-name").get_attribute("value") == "Office", timeout=15)
        dash_duo.find_element("#partner-preview").click()  # the summary before sending, with its diff table
        until(lambda: dash_duo.driver.find_elements("css selector", "#partner-summary table, #partner-summary ul"),
              timeout=10)
    elif path == "/staff/review":
        until(lambda: dash_duo.driver.find_elements("css selector", "#staff-review-detail table"), timeout=15)
    elif path == "/coverage":
        until(lambda: dash_duo.driver.find_elements("css selector", ".coverage-legend li"), timeout=30)
        # The ranking table draws later than the map (its bundle loads on demand): its filter row and page
        # buttons carry the library's own English unless the page translates them.
        until(lambda: dash_duo.driver.find_elements("css selector", ".dash-table-container input.dash-filter--case")
              and dash_duo.driver.find_elements("css selector", ".dash-table-container button.next-page"), timeout=30)


# DataTable's own controls on /coverage, as a reader of each language must find them (title and accessible name).
TABLE_CONTROLS = {
    "es": {"input.dash-filter--case": "Distinguir mayúsculas (activar o desactivar)",
           "button.previous-page": "Página anterior", "button.next-page": "Página siguiente"},
    "ar": {"input.dash-filter--case": "مطابقة الأحرف الكبيرة (تشغيل أو إيقاف)",
           "button.previous-page": "الصفحة السابقة", "button.next-page": "الصفحة التالية"},
}


def _table_controls(dash_duo, ui) -> dict:
    """Each DataTable control's distinct (title, aria-label) pairs, by selector."""
    return {selector: {(el.get_attribute("title"), el.get_attribute("aria-label"))
                       for el in dash_duo.find_elements(f".dash-table-container {selector}")}
            for selector in TABLE_CONTROLS[ui]}


@pytest.mark.parametrize("ui", ["es", "ar"])
def test_i18n010_partner_and_staff_pages_speak_the_readers_language(dash_duo, app, ui, tmp_path):
    dash_duo.start_server(app)
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 360, "height": 640, "deviceScaleFactor": 1, "mobile": True})
    shots = SHOTS or tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    found = {}
    for who in (PARTNER, STAFF):
        _log_in(dash_duo, who, ui)
        for path in [p for p, role in PAGES.items() if role == who] + (["/staff/review"] if who == PARTNER else []):
            dash_duo.driver.get(f"{dash_duo.server_url}{path}?ui={ui}")
            if who == PARTNER and path.startswith("/staff"):  # the refusal page, in the reader's language
                until(lambda: dash_duo.driver.find_elements("css selector", "main h1"), timeout=10)
            else:
                _ready(dash_duo, path)
            root = dash_duo.find_element("html")
            assert (root.get_attribute("lang"), root.get_attribute("dir")) == (ui, "rtl" if ui == "ar" else "ltr"), path
            if path == "/coverage":
                assert _table_controls(dash_duo, ui) == {sel: {(text, text)} for sel, text in TABLE_CONTROLS[ui].items()}
            left = english_leftovers(dash_duo.driver.execute_script(READABLE), ui)
            if left:
                found[path + (" (partner)" if who == PARTNER and path.startswith("/staff") else "")] = left
            broken = dash_duo.driver.execute_script(BROKEN_HEADERS)
            if broken:
                found[path + " (headers broken inside a word)"] = broken
            dash_duo.driver.save_screenshot(str(shots / f"{path.strip('/').replace('/', '-')}-{who.split('@')[0]}"
                                                         f"-{ui}-360.png"))
    assert found == {}, found
