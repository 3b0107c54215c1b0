"""Staff tables' data cells on a 360 px phone, in English and Arabic, in real headless Chromium: no word of a
data cell is drawn across two lines unless it is longer than its cell ("partner@org.examp|le", "Sett|lement"
were), and a time range reads in order on one line ("9:00–17:00", never "17:00–9:00" or split at the dash).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from dash.testing.wait import until
from sqlalchemy import select

from elip_map.config import Settings
from elip_map.directory.models import Schedule
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.review.changes import approve, submit_change
from elip_map.testing import add_location, add_user
from elip_map.verification.campaign import confirm_still_correct, queue_campaign
from elip_map.verification.contacts import set_contact
from elip_map.verification.models import VerificationMail
from tests.browser.test_i18n_staff_pages import _log_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ["ELIP_SCREENSHOTS"]) if os.environ.get("ELIP_SCREENSHOTS") else None
STAFF = "staff@elip.example"
LONG_EMAIL = "partner.coordinator@newcomer-centre.example.org"
CONTACT = "partner@org.example"  # it fits a phone's column: split as "partner@org.examp|le" it was

# Each data cell's words (its text split on white space), located with Range.getClientRects: a word drawn on
# more than one line is broken, unless it is wider than its cell (drawn alone, unbroken, in the cell's font)
# and each of its line breaks comes after @ . / _ - ("partner.coordinator@|newcomer-|centre.example.org").
# Time ranges ("9:00–17:00"): the opening time must be drawn left of the closing time, on the same line.
CELLS = """
function flat(td) {  // the cell's text and, per character, its text node and offset
  var chars = [], walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT), text = "";
  while (walker.nextNode()) {
    var node = walker.currentNode;
    for (var i = 0; i < node.textContent.length; i++) { chars.push([node, i]); }
    text += node.textContent;
  }
  return {text: text, chars: chars};
}
function range(f, start, end) {
  var r = document.createRange();
  r.setStart(f.chars[start][0], f.chars[start][1]);
  r.setEnd(f.chars[end - 1][0], f.chars[end - 1][1] + 1);
  return r;
}
function lines(r) {
  var tops = [];
  Array.from(r.getClientRects()).forEach(function (rect) {
    if (rect.width && !tops.some(function (t) { return Math.abs(t - rect.top) < 4; })) tops.push(rect.top);
  });
  return tops.length;
}
function alone(td, word) {  // the word's width drawn on one line in the cell's own font
  var span = document.createElement("span");
  span.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
  span.textContent = word;
  td.appendChild(span);
  var width = span.getBoundingClientRect().width;
  td.removeChild(span);
  return width;
}
function top(f, i) {  // the top of the line character i is drawn on (null for one not drawn)
  var rects = range(f, i, i + 1).getClientRects();
  return rects.length ? rects[0].top : null;
}
var broken = [], ranges = [], words = 0;
document.querySelectorAll("main td").forEach(function (td) {
  var f = flat(td), st = getComputedStyle(td);
  var room = td.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
  var re = /\\S+/g, m;
  while ((m = re.exec(f.text))) {
    words++;
    if (lines(range(f, m.index, m.index + m[0].length)) < 2) continue;
    // Drawn on two lines or more: only a word wider than its cell may be, and only after @ . / _ -.
    var longer = alone(td, m[0]) > room + 0.5, last = null;
    for (var i = m.index; i < m.index + m[0].length; i++) {
      var t = top(f, i);
      if (t === null) continue;
      if (last !== null && Math.abs(t - last) >= 4 && !(longer && "@./_-".indexOf(f.text[i - 1]) >= 0)) {
        broken.push(m[0].slice(0, i - m.index) + "|" + m[0].slice(i - m.index) + " (in: " + f.text + ")");
        break;
      }
      last = t;
    }
  }
  var times = /(\\d{1,2}:\\d{2})\\s?[\u2013-]\\s?(\\d{1,2}:\\d{2})/g;
  while ((m = times.exec(f.text))) {
    var open = range(f, m.index, m.index + m[1].length).getClientRects()[0];
    var closeStart = m.index + m[0].length - m[2].length;
    var close = range(f, closeStart, closeStart + m[2].length).getClientRects()[0];
    var whole = lines(range(f, m.index, m.index + m[0].length));
    ranges.push({text: m[0], inOrder: open.left < close.left, oneLine: whole === 1});
  }
});
return {broken: broken, ranges: ranges, words: words, cellText: Array.from(document.querySelectorAll("main td"))
        .map(function (td) { return td.textContent; })};
"""


@pytest.fixture
def app(tmp_path, clear_pages_state):
    url = f"sqlite:///{tmp_path / 'cells.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        office = add_location(s, "Newcomer Centre", "Downtown Office", lat=53.5444, lon=-113.4909,
                              types=("language-training",), postal_code="T5J 1C4", location_key="office",
                              service_name="English classes", phone="+17804247709")
        branch = add_location(s, "Newcomer Centre", "Mill Woods Branch", lat=53.46, lon=-113.43, location_key="mw")
        s.add_all([Schedule(location=office, weekday=day, opens_at=dt.time(9), closes_at=dt.time(17)) for day in (1, 2)])
        s.add(Schedule(location=branch, weekday=4, opens_at=dt.time(10), closes_at=dt.time(18)))
        office.organization.contact_email = CONTACT
        office.organization.contact_language = "ar"
        partner = add_user(s, LONG_EMAIL, "partner", office.organization_id, display_name="Amina Haddad")
        staff = add_user(s, STAFF, "staff", display_name="Sam Staff")
        # Pending: a longer name, a sentence, new hours (the review queue shows it); approved: the branch's hours.
        submit_change(s, partner, office.id, {
            "name": "Downtown Office and Settlement Services", "phone": "780 555 0199",
            "description": "English conversation circles and settlement counselling for newcomers",
            "hours": [[1, 540, 1020], [2, 540, 1020], [5, 600, 960]]})
        approve(s, staff, submit_change(s, partner, branch.id, {"hours": [[4, 600, 1080], [6, 600, 840]]}).id, "")
        queue_campaign(s, secret_key="test-only-secret", public_url="https://map.elip.test", link_days=14,
                       stale_months=12)
        confirm_still_correct(s, s.scalars(select(VerificationMail)).one())
        set_contact(s, staff, office.organization_id, LONG_EMAIL, "ar", "780-555-0199")  # after the campaign
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret"), load_sample=False)


PAGES = {"/staff/audit": ".elip-audit-entry table", "/staff/review": "#staff-review-detail table",
         "/staff/health": "main table"}


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_data_cells_keep_words_whole_and_time_ranges_in_order_on_a_phone(dash_duo, app, ui, tmp_path):
    dash_duo.start_server(app)
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 360, "height": 640, "deviceScaleFactor": 1, "mobile": True})
    shots = SHOTS or tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    _log_in(dash_duo, STAFF, ui)
    found, seen = {}, {}
    for path, ready in PAGES.items():
        dash_duo.driver.get(f"{dash_duo.server_url}{path}?ui={ui}")
        until(lambda: dash_duo.driver.find_elements("css selector", ready), timeout=15)
        result = dash_duo.driver.execute_script(CELLS)
        seen[path] = result
        if result["broken"]:
            found[f"{path}: words broken"] = result["broken"]
        wrong = [r["text"] for r in result["ranges"] if not (r["inOrder"] and r["oneLine"])]
        if wrong:
            found[f"{path}: time ranges split or reversed"] = wrong
        dash_duo.driver.save_screenshot(str(shots / f"cells-{path.strip('/').replace('/', '-')}-{ui}-360.png"))
    assert found == {}, found
    # The pages really held what the check is about: time ranges in the audit and review tables, long
    # sentences and e-mail addresses, short and long, in cells.
    assert {r["text"] for r in seen["/staff/audit"]["ranges"]} >= {"10:00–18:00", "10:00–14:00"}
    assert {r["text"] for r in seen["/staff/review"]["ranges"]} >= {"9:00–17:00", "10:00–16:00"}
    assert any(LONG_EMAIL in text for text in seen["/staff/health"]["cellText"])
    assert any(text == CONTACT for text in seen["/staff/audit"]["cellText"])
    assert any("settlement counselling" in text for text in seen["/staff/review"]["cellText"])
