"""The partner page for a keyboard and screen-reader user: a heading outline without gaps (a screen reader's
list of headings), the skip link into the page, and a visible focus ring on its text boxes."""

from __future__ import annotations

import time

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from elip_map.testing import log_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def app(partner_office_app):
    return partner_office_app


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_partner_keyboard001_outline_skip_link_and_focus_ring(dash_duo, app, ui):
    dash_duo.start_server(app)
    log_in_browser(dash_duo, "partner@centre.example")
    until(lambda: dash_duo.driver.current_url.endswith("/partner"), timeout=10)
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url}/partner?ui={ui}")
    until(lambda: driver.find_elements("css selector", "#partner-listings .elip-card"), timeout=15)
    dash_duo.wait_for_element(".elip-skip", timeout=10)
    time.sleep(0.5)

    levels = driver.execute_script("return [...document.querySelectorAll('main h1, main h2, main h3, main h4')]"
                                   ".filter(h => h.offsetParent).map(h => Number(h.tagName[1]))")
    assert levels[0] == 1 and levels.count(1) == 1
    assert [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1] == []  # no level skipped going down

    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert "elip-skip" in driver.execute_script("return document.activeElement.className")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.execute_script("return !!document.activeElement.closest('main')")

    driver.execute_script("document.getElementById('partner-name').scrollIntoView({block: 'center'})")
    driver.execute_script("document.getElementById('partner-location').focus()")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    time.sleep(0.3)
    ring = driver.execute_script("""
        var e = document.activeElement;
        for (var n = e, i = 0; n && i < 3; n = n.parentElement, i++) {
          var s = getComputedStyle(n);
          if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) return [e.id, parseFloat(s.outlineWidth)];
        }
        return [e.id, 0];""")
    assert ring == ["partner-name", 3]
