"""Partner and staff pages at 360 px in real Chromium: readable time inputs, a language picker that
finds "Arabic" first, no sideways scrolling, the summary before sending, and axe-core finding no
serious or critical violation. Screenshots go to the test's tmp folder (and ELIP_SCREENSHOTS if set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from elip_map.accounts.models import User
from elip_map.config import Settings
from elip_map.directory.models import Organization
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.review.changes import submit_change
from elip_map.testing import add_partner_office, log_in_browser
from tests.axe import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def app(tmp_path, clear_pages_state, geodata_mirror):
    url = f"sqlite:///{tmp_path / 'trust.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        office = add_partner_office(s, contact_email="intake@centre.example")
        partner = s.query(User).filter_by(email="partner@centre.example").one()
        submit_change(s, partner, office.id, {"name": "Office (main floor)"})
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret",
                               data_mirror=geodata_mirror), load_sample=False)


def _shots_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("ELIP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _no_sideways_scroll(dash_duo) -> bool:
    return dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shoot(dash_duo, folder, name):
    dash_duo.driver.save_screenshot(str(folder / f"{name}.png"))


def test_trust001_partner_time_and_language_inputs_at_360px(dash_duo, app, tmp_path):
    shots = _shots_dir(tmp_path)
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    log_in_browser(dash_duo, "partner@centre.example")
    until(lambda: dash_duo.driver.current_url.endswith("/partner"), timeout=10)
    dash_duo.wait_for_element("#partner-services .elip-service-edit", timeout=15)

    # Time: a real time input, wide enough to read, typed the way people type it.
    times = dash_duo.find_elements(".elip-hours input")  # Monday opens, Monday closes, Tuesday opens, ...
    assert len(times) == 14
    monday, closes = times[0], times[1]
    assert monday.get_attribute("type") == "time" and monday.size["width"] >= 100
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", monday)
    _shoot(dash_duo, shots, "partner-hours-360")
    monday.click()
    monday.send_keys("0930A")
    closes.click()
    closes.send_keys("0500P")
    until(lambda: monday.get_attribute("value") == "09:30" and closes.get_attribute("value") == "17:00", timeout=5)

    # Language: typing "Arabic" offers Arabic itself first (named also in Arabic), not "Algerian Arabic".
    trigger = dash_duo.find_element("[id*='partner-svc-langs']")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", trigger)
    trigger.click()
    box = dash_duo.wait_for_element(".dash-dropdown-search", timeout=5)
    box.send_keys("Arabic")
    until(lambda: "Algerian" in dash_duo.find_element(".dash-dropdown-options").text, timeout=5)
    first = dash_duo.find_elements(".dash-dropdown-options .dash-dropdown-option")[0]
    assert first.text.startswith("Arabic — العربية"), first.text
    first.click()
    box.send_keys(Keys.ESCAPE)
    until(lambda: "Arabic" in dash_duo.find_element("[id*='partner-svc-langs']").text, timeout=5)
    assert _no_sideways_scroll(dash_duo)
    _shoot(dash_duo, shots, "partner-360")

    dash_duo.find_element("#partner-preview").click()
    dash_duo.wait_for_contains_text("#partner-summary", "Mon 9:30–17:00", timeout=15)
    summary = dash_duo.find_element("#partner-summary").text
    assert "Opening hours" in summary and "Languages" in summary and "Arabic" in summary
    assert _no_sideways_scroll(dash_duo)
    assert serious_violations(dash_duo.driver) == []
    _shoot(dash_duo, shots, "partner-summary-360")
    dash_duo.find_element("#partner-submit").click()
    dash_duo.wait_for_contains_text("#partner-message", "What happens next", timeout=15)
    dash_duo.driver.set_window_size(1280, 900)
    _shoot(dash_duo, shots, "partner-1280")
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("path, marker", [("/staff/health", "#staff-health-counts"),
                                          ("/staff/audit", "#staff-audit-entries"),
                                          ("/staff/review", "#main h1")])
def test_trust002_staff_pages_fit_a_phone_and_pass_axe(dash_duo, app, tmp_path, path, marker):
    shots = _shots_dir(tmp_path)
    dash_duo.start_server(app)
    log_in_browser(dash_duo, "staff@elip.example")
    until(lambda: dash_duo.driver.current_url.endswith("/staff/review"), timeout=10)
    dash_duo.driver.set_window_size(360, 640)
    dash_duo.wait_for_page(f"{dash_duo.server_url}{path}")
    dash_duo.wait_for_element(marker, timeout=15)
    assert _no_sideways_scroll(dash_duo), path
    heading = dash_duo.find_element("#main h1")
    assert heading.location["x"] >= 8  # a margin, not flush with the screen's edge
    assert serious_violations(dash_duo.driver) == [], path
    name = path.strip("/").replace("/", "-")
    _shoot(dash_duo, shots, f"{name}-360")
    dash_duo.driver.set_window_size(1280, 900)
    _shoot(dash_duo, shots, f"{name}-1280")
    assert serious_violations(dash_duo.driver) == [], path


def test_trust003_partner_on_a_staff_page_sees_who_and_how(dash_duo, app, tmp_path):
    dash_duo.start_server(app)
    log_in_browser(dash_duo, "partner@centre.example")
    until(lambda: dash_duo.driver.current_url.endswith("/partner"), timeout=10)
    dash_duo.driver.set_window_size(360, 640)
    dash_duo.driver.get(f"{dash_duo.server_url}/staff/audit")
    text = dash_duo.wait_for_element("h1").text + dash_duo.find_element("main").text
    assert "This page is for ELIP staff" in text and "partner@centre.example" in text
    assert _no_sideways_scroll(dash_duo)
    assert serious_violations(dash_duo.driver) == []
    _shoot(dash_duo, _shots_dir(tmp_path), "forbidden-360")


def test_trust004_verification_link_page_on_a_phone(dash_duo, app, tmp_path):
    """The page a verification e-mail opens: readable at 360 px, in the contact's language (Arabic: right to
    left), no serious axe violation; "still correct" answers in place."""
    from sqlalchemy import select
    from urllib.parse import urlsplit

    from elip_map.verification.campaign import queue_campaign
    from elip_map.verification.models import VerificationMail

    database = app.server.config["ELIP_DATABASE"]
    with database.session() as s:
        org = s.scalars(select(Organization)).one()
        org.contact_language = "ar"
    with database.session() as s:
        queue_campaign(s, secret_key="test-only-secret", public_url="https://map.elip.test", link_days=30,
                       stale_months=12)
        body = s.scalars(select(VerificationMail.body)).one()
    path = urlsplit(next(w for w in body.split() if w.startswith("https://map.elip.test/verify/"))).path
    shots = _shots_dir(tmp_path)
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    dash_duo.driver.get(dash_duo.server_url + path)
    heading = dash_duo.wait_for_element("h1", timeout=10)
    assert "Newcomer Centre" in heading.text
    assert dash_duo.driver.execute_script("return document.documentElement.dir") == "rtl"
    assert _no_sideways_scroll(dash_duo)
    assert serious_violations(dash_duo.driver) == []
    _shoot(dash_duo, shots, "verify-ar-360")
    # The reader can switch language: the menu opens on the page, every language readable, nothing sideways.
    dash_duo.find_element(".elip-verify-langs summary").click()
    links = dash_duo.driver.find_elements("css selector", ".elip-verify-langs a")
    until(lambda: len(links) == 14 and all(a.is_displayed() for a in links), timeout=5)
    assert _no_sideways_scroll(dash_duo)
    _shoot(dash_duo, shots, "verify-ar-360-languages")
    dash_duo.find_element(".elip-verify-langs summary").click()
    dash_duo.driver.set_window_size(1280, 900)
    _shoot(dash_duo, shots, "verify-ar-1280")
    dash_duo.find_element("form[action$='/confirm'] button").click()
    assert dash_duo.wait_for_element(".elip-ok", timeout=10).text
