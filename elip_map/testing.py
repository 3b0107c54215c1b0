"""Helpers for the project's tests (and anyone testing against it), kept in the package so that
plain ``pytest`` and ``python -m pytest`` both find them (geopandas' ``testing.py`` is the model).

- accounts: the test password, one cached argon2id hash of it, :func:`add_user` and :func:`log_in_browser`;
- in the test's browser, :func:`tick` a filter box inside its folded group;
- a tiny directory builder (:func:`add_location`, and :func:`add_partner_office` for the partner pages);
- Dash callback requests exactly as the browser sends them (:func:`callback_body`, :func:`post_callback`,
  :func:`render_page`), with the CSRF token read from Dash's cookie;
- :class:`FakeNominatim`, a real HTTP server on 127.0.0.1 that answers like Nominatim's ``/search``;
- :func:`serve_answers`, a real HTTP server on 127.0.0.1 answering GETs from a function (a data portal);
- where the test data lives, and a free port on 127.0.0.1.

Nothing here runs at import time, and no application module imports this one.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .accounts.passwords import hash_password as _hash_password
from .directory.models import (Address, Language, Location, Organization, Phone, Schedule, Service,
                               ServiceAtLocation, ServiceType)
from .directory.users import User
from .paths import PROJECT_ROOT

TEST_DATA = PROJECT_ROOT / "tests" / "data"
SHARED = PROJECT_ROOT.parent / "shared"
SHARED_GEODATA = SHARED / "geodata"
SHARED_PARTNERS = SHARED / "partners"

# --- accounts ----------------------------------------------------------------------------------------

PASSWORD = "river valley trails 42"


@functools.lru_cache(maxsize=4)
def hash_password(password: str) -> str:
    """A real argon2id hash, made once per test run: hashing is slow on purpose, and most tests are not about it."""
    return _hash_password(password)


def add_user(session, email: str, role: str, organization_id: int | None = None, **fields) -> User:
    """An account that signs in with :data:`PASSWORD` (``fields``: display_name, active, ...)."""
    user = User(email=email, role=role, organization_id=organization_id, password_hash=hash_password(PASSWORD),
                **fields)
    session.add(user)
    session.flush()
    return user


def free_port() -> int:
    """A port nobody listens on now, on 127.0.0.1 (two test runs on one machine never share one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a tiny directory --------------------------------------------------------------------------------

def add_location(session, org_name, loc_name, *, lat=53.55, lon=-113.5, status="ok", closed=False, types=("food",),
                 langs=("en",), address="10010 105 Street NW", postal_code=None, website=None, phone=None, hours=(),
                 hood=None, verified=None, service_name=None, location_key=None):
    """One organization (reused by name) with one location offering one service: enough for a page."""
    org = session.query(Organization).filter_by(name=org_name).one_or_none()
    if org is None:
        org = Organization(name=org_name, name_key=org_name.casefold(), website=website)
        session.add(org)
    loc = Location(organization=org, name=loc_name, location_key=location_key or f"{org_name}|{loc_name}", latitude=lat,
                   longitude=lon, geocode_status=status, closed=closed, neighbourhood_number=hood, last_verified=verified)
    loc.addresses.append(Address(address_1=address, city="Edmonton", state_province="AB", postal_code=postal_code))
    if phone:
        loc.phones.append(Phone(number=phone))
    for weekday, opens, closes in hours:
        loc.schedules.append(Schedule(weekday=weekday, opens_at=opens, closes_at=closes))
    service = Service(organization=org, name=service_name or f"{loc_name} service")
    service.types = [ServiceType(slug=s) for s in types]
    service.languages = [Language(code=c) for c in langs]
    session.add(service)
    session.add(ServiceAtLocation(service=service, location=loc))
    session.flush()
    return loc


def make_org(session, name: str, *, lat=53.5461, lon=-113.4938, verified=None, status="ok") -> tuple[int, int, int]:
    """An organization with a main office (address, postal code, phone) offering English classes in English:
    the review and verification tests' listing. Returns the ids of the organization, location and service."""
    loc = add_location(session, name, f"{name} main office", lat=lat, lon=lon, status=status, verified=verified,
                       types=("language-training",), postal_code="T5J 1C4", phone="+17804247709",
                       service_name="English classes", location_key=f"{name}-main")
    return loc.organization_id, loc.id, loc.services[0].id


def add_partner_office(session, *, contact_email=None):
    """The partner pages' directory: "Newcomer Centre", one placed office offering English classes, its
    partner (partner@centre.example) and a staff member (staff@elip.example, "Sam Staff"). Returns the office."""
    office = add_location(session, "Newcomer Centre", "Office", lat=53.5444, lon=-113.4909, types=("language-training",),
                          langs=(), postal_code="T5J 1C4", service_name="English classes", location_key="office")
    office.organization.contact_email = contact_email
    add_user(session, "partner@centre.example", "partner", office.organization_id)
    add_user(session, "staff@elip.example", "staff", display_name="Sam Staff")
    return office


def log_in_browser(dash_duo, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login page in the test's browser, as a person types it (Enter sends the form)."""
    dash_duo.wait_for_page(f"{dash_duo.server_url}/login")
    dash_duo.wait_for_element("#login-email").send_keys(email)
    dash_duo.find_element("#login-password").send_keys(password + "\n")


def tick(dash_duo, selector: str) -> None:
    """Click a box or radio button as a person would: first unfold the filter group it sits in."""
    box = dash_duo.find_element(selector)
    group = box.find_element("xpath", "ancestor::details")
    if not group.get_attribute("open"):
        group.find_element("css selector", "summary").click()
    box.click()


# --- Dash callbacks, as the browser calls them ---------------------------------------------------------

def csrf_token(client) -> str:
    """The CSRF token Dash's front end sends back as X-CSRFToken (from the ``_csrf_token`` cookie)."""
    return client.get_cookie("_csrf_token").value


def login(client, email: str, password: str = PASSWORD):
    """Sign in through the real login form; returns the client with a fresh CSRF cookie for the session."""
    client.get("/login")
    r = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})
    assert r.status_code == 303 and "error" not in r.headers["Location"], r.headers.get("Location")
    client.get("/")
    return client


def split_output(output: str) -> list[tuple[str, str]]:
    """Dash's output spec as (id, property) pairs: '..a.children...b.data..' -> [('a', 'children'), ('b', 'data')]."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [(p.rsplit(".", 1)[0], p.rsplit(".", 1)[1].split("@")[0]) for p in parts]


def callback_body(dep: dict, values: dict, trigger: str | None = None, default=None) -> dict:
    """The JSON Dash's renderer sends for the callback ``dep`` (an entry of /_dash-dependencies).

    ``values`` maps "id.property" to a value; anything else gets ``default``. Pattern-matching inputs
    match no component. ``trigger`` defaults to the first input.
    """
    def item(spec):
        if spec["id"].startswith("{"):
            return []
        return {"id": spec["id"], "property": spec["property"],
                "value": values.get(f"{spec['id']}.{spec['property']}", default)}

    outputs = [[] if i.startswith("{") else {"id": i, "property": p} for i, p in split_output(dep["output"])]
    inputs = [item(i) for i in dep["inputs"]]
    if trigger is None:
        first = next((i for i in inputs if isinstance(i, dict)), None)
        trigger = f"{first['id']}.{first['property']}" if first else ""
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": inputs, "state": [item(s) for s in dep["state"]], "changedPropIds": [trigger]}


def post_callback(client, body: dict, **kwargs):
    """POST one callback request with the CSRF header, as the browser does."""
    headers = {**kwargs.pop("headers", {}), "X-CSRFToken": csrf_token(client)}
    return client.post("/_dash-update-component", json=body, headers=headers, **kwargs)


def call_callback(client, output_part: str, values: dict, trigger: str):
    """Call the server callback whose output names ``output_part``; returns the response."""
    dep = next(d for d in client.get("/_dash-dependencies").json
               if output_part in d["output"] and not d.get("clientside_function"))
    return post_callback(client, callback_body(dep, values, trigger))


def page_body(path: str, search: str = "") -> dict:
    """The request Dash's page router makes when the browser opens ``path``."""
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}


def render_page(client, path: str, search: str = "", **kwargs):
    """Render a page's layout through Dash's router callback, as a visitor's browser does."""
    return post_callback(client, page_body(path, search), **kwargs)


# --- a Nominatim-speaking server ------------------------------------------------------------------------

# A Nominatim-shaped answer for a house in downtown Edmonton.
HOUSE = {"place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.", "osm_type": "node",
         "lat": "53.5461", "lon": "-113.4938", "category": "building", "type": "yes", "place_rank": 30,
         "importance": 0.1, "addresstype": "building", "name": "",
         "display_name": "Test building, Edmonton, Alberta, Canada",
         "boundingbox": ["53.546", "53.5462", "-113.494", "-113.4936"]}
CALGARY = dict(HOUSE, lat="51.0447", lon="-114.0719", display_name="Somewhere, Calgary, Alberta, Canada")


class FakeNominatim(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "ok"        # ok | empty | slow | 429 | 500 | garbage | outside | flaky
        self.delay = 0.6        # seconds the "slow" mode waits
        self.requests: list[dict] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeNominatim

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        with self.server._lock:
            self.server.requests.append({"path": parts.path, "query": parse_qs(parts.query),
                                         "user_agent": self.headers.get("User-Agent"), "t": time.monotonic()})
            n = len(self.server.requests)
        mode = self.server.mode
        if parts.path != "/search":
            return self._send(404, b"[]")
        if mode == "slow":
            time.sleep(self.server.delay)
            return self._send(200, json.dumps([HOUSE]).encode())
        if mode == "429":
            return self._send(429, b'{"error": "Too Many Requests"}')
        if mode == "500":
            return self._send(500, b"internal error")
        if mode == "garbage":
            return self._send(200, b"<html>not json</html>", "text/html")
        if mode == "flaky" and n == 1:
            return self._send(500, b"try again")
        if mode == "empty":
            return self._send(200, b"[]")
        if mode == "outside":
            return self._send(200, json.dumps([CALGARY]).encode())
        return self._send(200, json.dumps([HOUSE]).encode())


def start_fake_nominatim() -> FakeNominatim:
    server = FakeNominatim()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- any other HTTP server ------------------------------------------------------------------------------

@contextlib.contextmanager
def serve_answers(answer):
    """A threaded HTTP server on 127.0.0.1 whose GETs are answered by ``answer(path) -> bytes | None``
    (None is a 404); yields ``(base_url, requested_paths)``, and stops on leaving."""
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            requested.append(self.path)
            body = answer(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
