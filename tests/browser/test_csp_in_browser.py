"""The Content-Security-Policy in real headless Chromium: every page (newcomer, about, login, 404, partner,
each staff page, coverage) works under the policy the server sends and logs no violation.

Violations are caught twice: a ``securitypolicyviolation`` listener installed before any page script runs,
and the browser's console (Chromium logs "Refused to ..." for each blocked script, style, image or frame).
The basemap tiles come from a second local server, another origin, as OpenStreetMap's would.
"""

from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from elip_map.accounts.models import User
from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.testing import PASSWORD, add_location, hash_password

pytestmark = pytest.mark.browser

# A 1x1 PNG, the tile every request gets.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


class _Tiles(BaseHTTPRequestHandler):
    """Tiles for the map; ``/frame?URL`` is another site's page showing URL in an iframe."""
    hits = 0

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.startswith("/frame?"):
            target = self.path.split("?", 1)[1]
            body = f'<!doctype html><title>other site</title><iframe id="f" src="{target}"></iframe>'.encode()
            ctype = "text/html"
        else:
            type(self).hits += 1
            body, ctype = PNG, "image/png"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def tile_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)  # the system picks a free port: no race with others
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _build(tmp_path, tile_server, **extra):
    url = f"sqlite:///{tmp_path / 'csp.sqlite3'}"
    database = open_database(url)
    hashed = hash_password(PASSWORD)
    with database.session() as s:
        loc = add_location(s, "Newcomer Centre", "Office", lat=53.5444, lon=-113.4909, phone="780-555-0199")
        s.add_all([User(email="partner@centre.example", role="partner", organization_id=loc.organization_id,
                        password_hash=hashed),
                   User(email="staff@elip.example", role="staff", password_hash=hashed)])
    database.dispose()
    settings = Settings(database_url=url, tile_url=tile_server + "/{z}/{x}/{y}.png", secret_key="t" * 40, **extra)
    return create_app(settings, load_sample=False)


@pytest.fixture
def app(tmp_path, clear_pages_state, tile_server):
    return _build(tmp_path, tile_server)


def _listen(dash_duo) -> None:
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})


def _visit(dash_duo, path: str, ready: str, seen: dict) -> None:
    dash_duo.wait_for_page(f"{dash_duo.server_url}{path}")
    dash_duo.wait_for_element(ready, timeout=20)
    time.sleep(1.0)  # late callbacks, tiles and lazy styles
    found = dash_duo.driver.execute_script("return window.__cspViolations || ['listener missing']")
    found += [entry["message"] for entry in dash_duo.get_logs() or []]
    seen[path] = found


def _log_in(dash_duo, email: str) -> None:
    dash_duo.wait_for_page(f"{dash_duo.server_url}/login")
    dash_duo.wait_for_element("#login-email").send_keys(email)
    dash_duo.find_element("#login-password").send_keys(PASSWORD + Keys.ENTER)
    until(lambda: "/login" not in dash_duo.driver.current_url, timeout=10)


def test_csp001_no_page_logs_a_violation(dash_duo, app):
    dash_duo.start_server(app)
    _listen(dash_duo)
    seen: dict[str, list] = {}
    _visit(dash_duo, "/", "#home-map .leaflet-tile-loaded", seen)        # tiles from the other origin drew
    _visit(dash_duo, "/?ui=ar", "#home-map .leaflet-marker-icon, #home-map .leaflet-interactive", seen)
    _visit(dash_duo, "/about", "main h1", seen)
    _visit(dash_duo, "/login", "#login-email", seen)
    _visit(dash_duo, "/no-such-page", "main h1", seen)
    assert _Tiles.hits > 0

    _log_in(dash_duo, "partner@centre.example")
    _visit(dash_duo, "/partner", "#partner-name", seen)
    dash_duo.driver.delete_all_cookies()

    _log_in(dash_duo, "staff@elip.example")
    for path, ready in (("/staff/review", "main h1"), ("/staff/audit", "main h1"), ("/staff/users", "main h1"),
                        ("/staff/health", "main h1"), ("/coverage", "#coverage-map .leaflet-interactive")):
        _visit(dash_duo, path, ready, seen)

    assert len(seen) == 11
    assert {path: found for path, found in seen.items() if found} == {}


def _framed(dash_duo, other_site: str, path: str) -> str:
    """What another site's iframe of ``path`` shows once it has settled: the framed document's URL, with
    ' PAGE' when our page drew in it (Chromium's chrome-error:// page when the frame was refused)."""
    driver = dash_duo.driver
    driver.get(f"{other_site}/frame?{dash_duo.server_url}{path}")
    frame = dash_duo.wait_for_element("#f")
    last = {"url": "(never read)"}

    def settled(_driver):
        driver.switch_to.frame(frame)
        try:
            url, drawn = driver.execute_script(
                "return [document.URL, !!document.querySelector('#login-email, #home-map')]")
        finally:
            driver.switch_to.default_content()
        last["url"] = url
        if drawn:
            return f"{url} PAGE"
        return url if url.startswith("chrome-error://") else False  # about:blank or still loading: wait

    try:
        return WebDriverWait(driver, 30, poll_frequency=0.2).until(settled)
    except TimeoutException:
        return f"neither drawn nor refused after 30 s: {last['url']}"


def test_csp002_only_the_newcomer_page_and_only_for_listed_sites_shows_in_a_frame(dash_duo, tmp_path,
                                                                                   clear_pages_state, tile_server):
    # The other site is the tile server: same host, another port, so another origin.
    other = tile_server.replace("127.0.0.1", "localhost")  # and another host name: listed below
    app = _build(tmp_path, tile_server, frame_origins=(other,))
    dash_duo.start_server(app)
    assert _framed(dash_duo, tile_server, "/login").startswith("chrome-error://")       # a login page: never
    assert _framed(dash_duo, tile_server, "/staff/review").startswith("chrome-error://")
    assert _framed(dash_duo, tile_server, "/").startswith("chrome-error://")            # not a listed site
    assert _framed(dash_duo, other, "/").endswith("PAGE")                               # the listed site
    assert _framed(dash_duo, other, "/login").startswith("chrome-error://")
