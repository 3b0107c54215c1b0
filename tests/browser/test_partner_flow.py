"""The whole correction flow in headless Chromium: a partner proposes (fields and a dragged pin), staff
approve, and the newcomer page shows the new data."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from elip_map.directory.models import Location
from elip_map.review.models import ChangeRequest
from elip_map.testing import log_in_browser

pytestmark = pytest.mark.browser
NEW_NAME = "Office renamed by partner"


@pytest.fixture
def app(partner_office_app):
    return partner_office_app


def _value(dash_duo, selector):
    return dash_duo.find_element(selector).get_attribute("value")


def test_part001_partner_proposes_staff_approves_newcomer_page_shows_it(dash_duo, app):
    dash_duo.start_server(app)
    database = app.server.config["ELIP_DATABASE"]

    log_in_browser(dash_duo, "partner@centre.example")
    until(lambda: dash_duo.driver.current_url.endswith("/partner"), timeout=10)
    until(lambda: _value(dash_duo, "#partner-name") == "Office", timeout=15)
    assert "English classes" in dash_duo.find_element("#partner-listings").text  # the public card
    until(lambda: (_value(dash_duo, "#partner-lat") or "").startswith("53.544"), timeout=10)

    name = dash_duo.find_element("#partner-name")
    name.clear()
    name.send_keys(NEW_NAME + Keys.TAB)
    marker = dash_duo.find_element("#partner-map .leaflet-marker-icon")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", marker)
    ActionChains(dash_duo.driver).drag_and_drop_by_offset(marker, 60, 40).perform()
    until(lambda: not (_value(dash_duo, "#partner-lat") or "").startswith("53.544"), timeout=10)
    dragged = (float(_value(dash_duo, "#partner-lat")), float(_value(dash_duo, "#partner-lon")))
    # A summary of the change comes first; sending is the second, deliberate step.
    assert not dash_duo.find_element("#partner-submit").is_displayed()
    dash_duo.find_element("#partner-preview").click()
    dash_duo.wait_for_contains_text("#partner-summary", NEW_NAME, timeout=15)
    assert "Map pin" in dash_duo.find_element("#partner-summary").text
    dash_duo.find_element("#partner-submit").click()
    dash_duo.wait_for_contains_text("#partner-message", "Sent: request", timeout=15)
    assert "What happens next" in dash_duo.find_element("#partner-message").text
    dash_duo.wait_for_contains_text("#partner-requests", "waiting for review", timeout=10)  # the status in words
    with database.session() as s:
        request = s.query(ChangeRequest).one()
        assert request.payload["name"] == NEW_NAME
        assert request.payload["pin"] == {"lat": round(dragged[0], 6), "lon": round(dragged[1], 6)}
        assert dragged[0] < 53.5444 and dragged[1] > -113.4909  # dragged down and right: south-east

    dash_duo.find_element(".elip-account-bar button").click()  # log out
    until(lambda: dash_duo.driver.current_url.rstrip("/") == dash_duo.server_url.rstrip("/"), timeout=10)
    log_in_browser(dash_duo, "staff@elip.example")
    until(lambda: dash_duo.driver.current_url.endswith("/staff/review"), timeout=10)
    dash_duo.wait_for_contains_text("#staff-review-detail", NEW_NAME, timeout=15)
    assert "Map pin" in dash_duo.find_element("#staff-review-detail").text
    dash_duo.find_element("#staff-review-approve").click()
    dash_duo.wait_for_contains_text("#staff-review-message", "approved and applied", timeout=15)

    dash_duo.wait_for_page(f"{dash_duo.server_url}/")
    dash_duo.wait_for_contains_text("#home-results", NEW_NAME, timeout=20)
    with database.session() as s:
        loc = s.query(Location).one()
        assert (loc.name, loc.geocode_status) == (NEW_NAME, "manual")
        assert (loc.latitude, loc.longitude) == (round(dragged[0], 6), round(dragged[1], 6))
    assert dash_duo.get_logs() == []
