"""axe-core (WCAG 2.x A and AA rules) on the public pages with the bundled sample: no serious or critical
violation on "/", "/about" and "/login", on a phone (360 px) and a desktop (1280 px), also with every
filter group open; the newcomer page in every interface language at phone width; and no console errors.

axe-core comes from the npm registry, pinned, fetched by ``scripts/test.sh`` into ``.cache/axe``.
"""

from __future__ import annotations

import shutil

import pytest
from dash.testing.wait import until

from elip_map.config import Settings
from elip_map.factory import create_app
from elip_map.i18n.locales import SUPPORTED_UI, text_direction
from tests.axe import require_axe, serious_violations

pytestmark = pytest.mark.browser
PAGES = ("/", "/about", "/login")
SIZES = ((360, 640), (1280, 900))



@pytest.fixture
def app(sample_database, tmp_path, geodata_mirror, clear_pages_state):
    require_axe()
    copy = tmp_path / "sample.sqlite3"
    shutil.copy(sample_database, copy)
    return create_app(Settings(database_url=f"sqlite:///{copy}", tile_url="", data_mirror=geodata_mirror),
                      load_sample=False)


def page_ready(dash_duo, path):
    if path == "/":
        until(lambda: (dash_duo.find_element("#result-count").text or "…").strip().isdigit(), timeout=15)
    else:
        dash_duo.wait_for_element("main, h1", timeout=10)


def open_every_filter_group(driver):
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.mark.parametrize("ui", ["en", "fr", "ar"])
def test_home_axe001_no_serious_violations(dash_duo, app, ui):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.set_script_timeout(60)
    found = {}
    for width, height in SIZES:
        driver.set_window_size(width, height)
        for path in PAGES:
            driver.get(f"{dash_duo.server_url}{path}?ui={ui}")
            page_ready(dash_duo, path)
            found[(path, width)] = serious_violations(driver)
            if path == "/":  # with every filter group open, and the QR code shown
                open_every_filter_group(driver)
                found[(path + " (filters open)", width)] = serious_violations(driver)
    assert {k: v for k, v in found.items() if v} == {}
    assert dash_duo.get_logs() == []


def test_home_axe002_newcomer_page_in_every_interface_language_at_phone_width(dash_duo, app):
    """One browser session for all fourteen languages (the language changes by URL), so that CI pays for
    one server and one Chromium, not fourteen."""
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.set_script_timeout(60)
    driver.set_window_size(360, 640)
    found, shown = {}, {}
    for ui in SUPPORTED_UI:
        driver.get(f"{dash_duo.server_url}/?ui={ui}")
        page_ready(dash_duo, "/")
        shown[ui] = driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]")
        open_every_filter_group(driver)
        found[ui] = serious_violations(driver)
    assert shown == {ui: [ui, text_direction(ui)] for ui in SUPPORTED_UI}
    assert {k: v for k, v in found.items() if v} == {}
    assert dash_duo.get_logs() == []
