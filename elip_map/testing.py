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

from argon2 import PasswordHasher

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


@functools.lru_cache(maxsize=4)
def quick_hash(password: str) -> str:
    """A real argon2id hash with the smallest work factors, for tests about login limits that make dozens
    of password checks (the check costs what the stored hash says; a real one takes about a second here)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)
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


# --- a database that goes away ----------------------------------------------------------------------------

class TcpRelay:
    """A TCP relay on 127.0.0.1 to a real server (PostgreSQL): ``cut()`` drops every connection and stops
    listening, exactly what a database host that goes down looks like to the app (connection refused).

    relay = TcpRelay("127.0.0.1", 5432); url = f"postgresql+psycopg://postgres@127.0.0.1:{relay.port}/test"
    """

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # the listener was closed: the relay is cut
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with contextlib.suppress(OSError):  # wakes the accepting thread; close() alone leaves it listening
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()


# --- hostile import files ---------------------------------------------------------------------------
# Generated, never committed: each reproduces an attack on the importer (issue 16) in a few lines, so a
# reader sees what the bytes are. The unit tests and bench/bench_hostile.py share them.

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XLSX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/></Types>')
_XLSX_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
XLSX_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{SHEET_NS}" xmlns:r="{_REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_XLSX_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
XLSX_STYLES = (  # style 1 is a date (built-in number format 14)
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{SHEET_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>')
HEADER_CELLS = [("A1", "Organization"), ("B1", "Address")]
GOOD_ROW = [("A2", "Bissell Centre"), ("B2", "10527 96 St NW")]


def xml_text(value) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def sheet_xml(rows, *, dimension: str | None = None, prolog: str = "", tail: str = "") -> str:
    """A worksheet part: rows of (number, [(cell ref, value)]); text as inline strings, numbers as <v>,
    and a value starting with '<' taken as the cell's raw XML."""
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<worksheet xmlns="{SHEET_NS}">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for number, cells in rows:
        out.append(f'<row r="{number}">')
        for ref, value in cells:
            if isinstance(value, (int, float)):
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif isinstance(value, str) and value.startswith("<"):
                out.append(value)
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{xml_text(value)}</t></is></c>')
        out.append("</row>")
    out.append(f"</sheetData>{tail}</worksheet>")
    return "".join(out)


def xlsx_bytes(sheet: str | bytes, *, styles: str | bytes = XLSX_STYLES, shared: str | bytes | None = None,
               workbook: str = XLSX_WORKBOOK, level: int = 6) -> bytes:
    """A minimal XLSX package written by hand, so a test controls every byte (openpyxl writes only valid ones)."""
    shared = shared if shared is not None else f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_NS}"/>'
    return zip_of({"[Content_Types].xml": _XLSX_CONTENT_TYPES, "_rels/.rels": _XLSX_ROOT_RELS,
                   "xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": _XLSX_WORKBOOK_RELS,
                   "xl/styles.xml": styles, "xl/sharedStrings.xml": shared, "xl/worksheets/sheet1.xml": sheet},
                  level=level)


def zip_of(members: dict, *, level: int = 6) -> bytes:
    import io  # delayed: only tests that build archives need it
    import zipfile  # delayed: only tests that build archives need it

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_spaces_member(package: bytes, name: str, megabytes: int) -> bytes:
    """``package`` with member ``name`` replaced by ``megabytes`` MB of spaces, deflated (a zip bomb: about
    1 KB packed per MB). Its sizes and CRC are honest, so only the unpacked size gives it away."""
    import io  # delayed: only tests that build archives need it
    import zipfile  # delayed: only tests that build archives need it
    import zlib  # delayed: only tests that build archives need it

    chunk = b" " * (1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)  # the same bytes for every MB after a reset
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    packed = block * megabytes + packer.flush()
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info, source.read(info.filename))
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.header_offset = buffer.tell()
        info.CRC, info.compress_size, info.file_size = crc, len(packed), megabytes << 20
        buffer.write(info.FileHeader(False))
        buffer.write(packed)
        archive.filelist.append(info)
        archive.NameToInfo[name] = info
        archive.start_dir = buffer.tell()
    return buffer.getvalue()


def _billion_laughs(root: str) -> str:
    """A document type whose entity &lol9; expands to 10^9 'lol's (1 GB)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    return f"<!DOCTYPE {root} [{entities}]>"


def _cells_typed_oddly() -> bytes:
    rows = [(1, HEADER_CELLS), (2, GOOD_ROW),
            (3, [("A3", '<c r="A3"><f>1+1</f></c>'), ("B3", "1 Main St")]),  # a formula with no saved value
            (4, [("A4", '<c r="A4" t="n"><f>A1&amp;"x"</f><v>not a number</v></c>'), ("B4", "2 Main St")]),
            (5, [("A5", '<c r="A5" t="s"><v>99</v></c>'), ("B5", "3 Main St")]),  # no shared string 99
            (6, [("A6", '<c r="A6" t="b"><v>maybe</v></c>'), ("B6", "4 Main St")]),
            (7, [("A7", '<c r="A7" t="d"><v>yesterday</v></c>'), ("B7", "5 Main St")]),
            (8, [("A8", '<c r="A8" t="e"><f>1/0</f><v>#DIV/0!</v></c>'), ("B8", "6 Main St")]),
            (9, [("A9", "Org 9"), ("B9", '<c r="B9" s="1"><v>1e308</v></c>')])]  # a date in year 10^305
    return xlsx_bytes(sheet_xml(rows))


def _damaged(offset: int) -> bytes:
    """A workbook whose packed sheet has one byte flipped: a zlib or CRC error when read."""
    good = xlsx_bytes(sheet_xml([(1, HEADER_CELLS), (2, GOOD_ROW)] + [
        (r, [(f"A{r}", f"Organization {r}"), (f"B{r}", f"{r} 101 St NW")]) for r in range(3, 200)]), level=1)
    start = good.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 60
    flipped = bytearray(good)
    flipped[start + offset] ^= 0x55
    return bytes(flipped)


_NOISE = bytes((n * 7919 + 13) % 256 for n in range(200_000))
_JSON_ODD = (b"null", b"[1, 2, 3]", b'"text"', b'{"organizations": {}}', b'{"organizations": [[]]}',
             b'{"organizations": [{"name": 5, "locations": "x"}]}',
             b'{"organizations": [{"name": "A", "locations": [1, [], null]}]}',
             b'{"organizations": [{"name": "A", "services": [{"name": "S", "attributes": [1]}]}]}',
             b'[{"name": "A", "locations": [{"name": "L", "addresses": [[]]}]}]',
             b'{"organizations": [{"name": "A", "locations": [{"name": "L", "latitude": 1e999}]}]}',
             b'\xef\xbb\xbf{"organizations": [\xff]}')
_WIDE_ROW = "<row>" + "<c><v>1</v></c>" * 300 + "</row>"

# name -> () -> (file name, bytes). Generators, not bytes: the zip bombs take a second or two each to build.
HOSTILE_FILES = {
    # openpyxl trusted <dimension>: one far cell in a 2 KB file made it fill 1,048,576 x 16,384 cells.
    "xlsx-far-cell": lambda: ("far.xlsx", xlsx_bytes(sheet_xml(
        [(1, HEADER_CELLS), (2, GOOD_ROW), (1048576, [("XFD1048576", "x")])], dimension="A1:XFD1048576"))),
    "xlsx-declared-only": lambda: ("declared.xlsx", xlsx_bytes(sheet_xml(
        [(1, HEADER_CELLS), (2, GOOD_ROW)], dimension="A1:XFD1048576"))),
    # A styles part of two million formats: 360 KB packed, gigabytes as openpyxl objects.
    "xlsx-huge-styles": lambda: ("styles.xlsx", xlsx_bytes(
        sheet_xml([(1, HEADER_CELLS), (2, GOOD_ROW)]), level=9, styles=XLSX_STYLES.replace(
            '<cellXfs count="2">',
            '<cellXfs count="2000002">' + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * 2_000_000))),
    # 16,384 rows of 300 numbers without cell references: 170 KB packed, past a minute for the old reader.
    "xlsx-16384x300": lambda: ("wide.xlsx", xlsx_bytes(
        sheet_xml([(1, HEADER_CELLS)]).replace("</sheetData>", _WIDE_ROW * 16384 + "</sheetData>"), level=9)),
    # Billion laughs in each part an XLSX reader parses.
    "xlsx-entity-bomb-sheet": lambda: ("laughs.xlsx", xlsx_bytes(sheet_xml(
        [(1, HEADER_CELLS), (2, [("A2", '<c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c>')])],
        prolog=_billion_laughs("worksheet")))),
    "xlsx-entity-bomb-strings": lambda: ("laughs2.xlsx", xlsx_bytes(
        sheet_xml([(1, HEADER_CELLS), (2, [("A2", '<c r="A2" t="s"><v>0</v></c>'), ("B2", "1 St")])]),
        shared=f'<?xml version="1.0"?>{_billion_laughs("sst")}<sst xmlns="{SHEET_NS}"><si><t>&lol9;</t></si></sst>')),
    "xlsx-entity-bomb-workbook": lambda: ("laughs3.xlsx", xlsx_bytes(
        sheet_xml([(1, HEADER_CELLS), (2, GOOD_ROW)]),
        workbook=XLSX_WORKBOOK.replace("?>", "?>" + _billion_laughs("workbook"), 1).replace('"Sheet1"', '"&lol9;"'))),
    "xlsx-entity-bomb-styles": lambda: ("laughs4.xlsx", xlsx_bytes(
        sheet_xml([(1, HEADER_CELLS), (2, GOOD_ROW)]),
        styles=XLSX_STYLES.replace("?>", "?>" + _billion_laughs("styleSheet"), 1).replace('"Calibri"', '"&lol9;"'))),
    # A sheet part that unpacks to a gigabyte of spaces, 1 MB packed.
    "xlsx-zip-bomb": lambda: ("zipbomb.xlsx", with_spaces_member(
        xlsx_bytes(sheet_xml([(1, HEADER_CELLS)])), "xl/worksheets/sheet1.xml", 1024)),
    "xlsx-flipped-a": lambda: ("flipped1.xlsx", _damaged(0)),
    "xlsx-flipped-b": lambda: ("flipped2.xlsx", _damaged(333)),
    "xlsx-flipped-c": lambda: ("flipped3.xlsx", _damaged(900)),
    "xlsx-truncated": lambda: ("cut.xlsx", _damaged(0)[:1500]),
    "xlsx-not-a-workbook": lambda: ("zip.xlsx", zip_of({"hello.txt": b"not a workbook"})),
    "xlsx-formula-and-odd-types": lambda: ("typed.xlsx", _cells_typed_oddly()),
    "xlsx-merged-everything": lambda: ("merged.xlsx", xlsx_bytes(sheet_xml(
        [(1, HEADER_CELLS), (2, GOOD_ROW)], tail='<mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>'))),
    "xlsx-million-strings": lambda: ("strings.xlsx", xlsx_bytes(sheet_xml([(1, HEADER_CELLS), (2, GOOD_ROW)]), shared=(
        f'<?xml version="1.0"?><sst xmlns="{SHEET_NS}">' + "<si><t>x</t></si>" * 3_000_000 + "</sst>"), level=9)),
    # CSV: a million columns; 600,000 short rows (10 MB); 3 million blank rows; one 5 MB cell; a BOM then
    # bytes that are not UTF-8; a NUL byte; formulas.
    "csv-million-columns": lambda: ("columns.csv", b"Organization,Address" + b",x" * 1_000_000 + b"\n"),
    "csv-600k-rows": lambda: ("rows.csv", b"Organization,Address\n" + b"".join(
        b"Org %06d,%d St\n" % (n, n % 100) for n in range(600_000))),
    "csv-blank-rows": lambda: ("blank.csv", b"Organization,Address\n" + b",\n" * 3_000_000),
    "csv-huge-cell": lambda: ("cell.csv", b'Organization,Address\n"' + b"a" * 5_000_000 + b'",1 St\n'),
    "csv-open-quote": lambda: ("quote.csv", b'Organization,Address\n"Bissell,1 St\n' + b"x,y\n" * 1000),
    "csv-bom-bad-utf8": lambda: ("bom.csv", b"\xef\xbb\xbfOrganization,Address\nCaf\xe9 \xff\xfe,1 St\n"),
    "csv-nul": lambda: ("nul.csv", b"Organization,Address\nA\x00B,1 St\n"),
    "csv-formula": lambda: ("formula.csv", b'Organization,Address\n=HYPERLINK("http://x","y"),1 St\n@SUM(1),2 St\n'),
    # JSON nested 100,000 deep, and shapes the HSDS reader did not expect ({"organizations": [[]]} crashed it).
    "json-nested-lists": lambda: ("nested.json", b"[" * 100_000 + b"]" * 100_000),
    "json-nested-objects": lambda: ("nested2.json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    **{f"json-odd-{n}": (lambda text=text, n=n: (f"odd{n}.json", text)) for n, text in enumerate(_JSON_ODD)},
    # Garbage under every name the importer accepts.
    **{f"garbage-{suffix}": (lambda suffix=suffix: (f"garbage.{suffix}", _NOISE))
       for suffix in ("csv", "xlsx", "json", "zip", "txt")},
    "garbage-pk": lambda: ("pk.xlsx", b"PK\x03\x04" + _NOISE),
    "empty-csv": lambda: ("empty.csv", b""),
    "empty-xlsx": lambda: ("empty.xlsx", b""),
    # An HSDS tabular package whose organization table unpacks to a gigabyte.
    "zip-package-bomb": lambda: ("package.zip", with_spaces_member(zip_of({
        "datapackage.json": b'{"resources": [{"name": "organization", "path": "organization.csv"}]}',
        "organization.csv": b"id,name\n"}), "organization.csv", 1024)),
}
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
