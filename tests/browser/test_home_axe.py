"""axe-core (WCAG 2.x A and AA rules) on the public pages with the bundled sample: no serious or critical
violation on "/", "/about" and "/login", on a phone (360 px) and a desktop (1280 px), in every interface
language, also with every filter group open; and no console errors.

axe-core comes from the npm registry, pinned, fetched by ``scripts/test.sh`` into ``.cache/axe``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from dash.testing.wait import until

from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.factory import create_app

try:  # the bundled sample moves to the importers package
    from elip_map.importers.sample import load_sample_if_empty
except ImportError:
    from elip_map.directory.sample import load_sample_if_empty

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ("/", "/about", "/login")
SIZES = ((360, 640), (1280, 900))


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        message = "axe-core is missing: run scripts/test.sh (it fetches axe-core from npm into .cache/axe)"
        if os.environ.get("CI"):
            pytest.fail(message)  # never skipped silently in CI
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample_database(tmp_path_factory) -> Path:
    """The bundled sample imported once for the module; each test serves a copy."""
    path = tmp_path_factory.mktemp("axe") / "sample.sqlite3"
    database = open_database(f"sqlite:///{path}")
    assert load_sample_if_empty(database)
    database.dispose()
    return path


@pytest.fixture
def app(sample_database, tmp_path, geodata_mirror, clear_pages_state):
    copy = tmp_path / "sample.sqlite3"
    shutil.copy(sample_database, copy)
    return create_app(Settings(database_url=f"sqlite:///{copy}", tile_url="", data_mirror=geodata_mirror),
                      load_sample=False)


def serious_violations(driver, axe_source: str) -> list[str]:
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(axe_source)
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
           .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                         .map(v => v.id + ': ' + v.help + ' -> ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
           .catch(e => done(['axe failed: ' + e]));""", WCAG_TAGS)
    return result


def page_ready(dash_duo, path):
    if path == "/":
        until(lambda: (dash_duo.find_element("#result-count").text or "…").strip().isdigit(), timeout=15)
    else:
        dash_duo.wait_for_element("main, h1", timeout=10)


@pytest.mark.parametrize("ui", ["en", "fr", "ar"])
def test_home_axe001_no_serious_violations(dash_duo, app, axe_source, ui):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.set_script_timeout(60)
    found = {}
    for width, height in SIZES:
        driver.set_window_size(width, height)
        for path in PAGES:
            driver.get(f"{dash_duo.server_url}{path}?ui={ui}")
            page_ready(dash_duo, path)
            found[(path, width)] = serious_violations(driver, axe_source)
            if path == "/":  # with every filter group open, and the QR code shown
                driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
                found[(path + " (filters open)", width)] = serious_violations(driver, axe_source)
    assert {k: v for k, v in found.items() if v} == {}
    assert dash_duo.get_logs() == []
