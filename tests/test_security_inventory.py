"""Route and callback inventory: nothing private reaches anyone without the right login.

Every /staff and /partner page, every Flask route under those paths and every server callback that
touches staff or partner components is called anonymously (and as the wrong partner), exactly as an
attacker would: straight at the URL or at Dash's /_dash-update-component with forged inputs.
"""

from __future__ import annotations

import json
import re

import dash
import pytest
from sqlalchemy import func, select

from elip_map.accounts.models import User
from elip_map.config import Settings
from elip_map.directory.audit import record_audit
from elip_map.directory.models import Address, Location, Organization, Service, ServiceAtLocation, ServiceType
from elip_map.directory.storage import open_database
from elip_map.review.changes import submit_change
from elip_map.review.models import ChangeRequest
from elip_map.testing import PASSWORD, hash_password

# Strings that only exist in private data: none may appear in any answer to the wrong person.
SECRET_B = "SECRET-B-REQUEST-7f3a"
SECRET_EMAIL = "b-partner-4c1d@orgb.example"
SECRET_AUDIT = "AUDIT-ONLY-91be"
SECRET_CONTACT = "contact-b-9e2f@orgb.example"  # an organization's private verification contact
PROTECTED_PREFIXES = ("staff-", "partner-")


def _seed(database):
    hashed = hash_password(PASSWORD)
    with database.session() as s:
        ids = {}
        for key in ("a", "b"):
            org = Organization(name=f"Org {key.upper()}", name_key=f"org {key}",
                               contact_email=SECRET_CONTACT if key == "b" else None)
            loc = Location(organization=org, name=f"Org {key.upper()} office", location_key=f"{key}-office",
                           latitude=53.54, longitude=-113.49, geocode_status="ok")
            loc.addresses.append(Address(address_1="10010 105 Street NW", city="Edmonton", postal_code="T5J 1C4"))
            svc = Service(organization=org, name=f"Service {key}")
            svc.types.append(ServiceType(slug="employment"))
            s.add_all([org, loc, svc, ServiceAtLocation(service=svc, location=loc)])
            s.flush()
            ids[f"{key}_org"], ids[f"{key}_loc"] = org.id, loc.id
        users = {"staff": User(email="staff@elip.example", role="staff", password_hash=hashed),
                 "pa": User(email="a@orga.example", role="partner", organization_id=ids["a_org"], password_hash=hashed),
                 "pb": User(email=SECRET_EMAIL, role="partner", organization_id=ids["b_org"], password_hash=hashed)}
        s.add_all(users.values())
        s.flush()
        req = submit_change(s, users["pb"], ids["b_loc"], {"accessibility": SECRET_B})
        ids["b_req"] = req.id
        record_audit(s, users["staff"], "location.edit", "location", ids["b_loc"], None, {"note": SECRET_AUDIT})
    return ids


@pytest.fixture
def site(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    ids = _seed(open_database(url))
    app = create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret"), load_sample=False)
    return app, ids


def _client(app):
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # sets the CSRF cookie
    return client


def _csrf(client) -> str:
    return client.get_cookie("_csrf_token").value


def _login(client, email):
    r = client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client)})
    assert r.status_code == 303 and "error" not in r.headers["Location"], r.headers.get("Location")
    client.get("/")  # fresh CSRF cookie for the new session
    return client


# A <wbr> between two strings of a Dash layout: staff tables draw a long e-mail with break points in it.
_WBR_BETWEEN = re.compile(r'"\s*,\s*\{"props":\s*\{"children":\s*null\},\s*"type":\s*"Wbr",'
                          r'\s*"namespace":\s*"dash_html_components"\}\s*,\s*"')


def _text_of(body: bytes | str) -> str:
    """An answer's text with the break points inside words taken out, so a secret drawn in pieces
    ("contact-", <wbr>, "b-9e2f@orgb.", <wbr>, "example") is still found whole."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return _WBR_BETWEEN.sub("", text)


def _no_secrets(body: bytes | str) -> None:
    text = _text_of(body)
    for secret in (SECRET_B, SECRET_EMAIL, SECRET_AUDIT, SECRET_CONTACT):
        assert secret not in text


def _protected_pages() -> list[str]:
    return sorted(p["path"] for p in dash.page_registry.values()
                  if p["path"].startswith(("/staff", "/partner")))


def _split_output(output: str) -> list[tuple[str, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [(p.rsplit(".", 1)[0], p.rsplit(".", 1)[1].split("@")[0]) for p in parts]


def _body(dep: dict, forged: dict) -> dict:
    """The JSON Dash's renderer would send for this callback, with forged input values."""
    def item(spec):
        if spec["id"].startswith("{"):
            return []  # pattern-matching: no components matched
        return {"id": spec["id"], "property": spec["property"],
                "value": forged.get((spec["id"], spec["property"]), forged.get(spec["property"], 1))}

    outputs = [[] if i.startswith("{") else {"id": i, "property": p} for i, p in _split_output(dep["output"])]
    inputs = [item(i) for i in dep["inputs"]]
    first = next((i for i in inputs if isinstance(i, dict)), None)
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": inputs, "state": [item(s) for s in dep["state"]],
            "changedPropIds": [f"{first['id']}.{first['property']}"] if first else []}


def _protected_callbacks(client) -> list[dict]:
    deps = client.get("/_dash-dependencies").json
    found = [d for d in deps if not d.get("clientside_function")
             and any(i.startswith(PROTECTED_PREFIXES) or f'"{PROTECTED_PREFIXES[0]}' in i or '"partner-' in i
                     for i, _ in _split_output(d["output"]))]
    return found


def _forged(ids) -> dict:
    # Values of the types the pages' components send (anything else is refused with 400 before any
    # callback runs, api/callback_guard.py), so each request reaches the callback's own permission check.
    return {"value": ids["b_loc"], ("staff-review-request", "value"): ids["b_req"],
            ("staff-review-note", "value"): "note", ("partner-closed", "value"): ["closed"],
            "position": [53.55, -113.5], "n_clicks": 1, "data": 1}


def test_inventory_finds_the_pages_and_callbacks(site):
    app, _ = site
    client = _client(app)
    assert {"/partner", "/staff/review", "/staff/audit", "/staff/health", "/staff/users"} <= set(_protected_pages())
    outputs = " ".join(d["output"] for d in _protected_callbacks(client))
    for expected in ("staff-review-detail", "staff-review-message", "partner-name", "partner-message",
                     "staff-users-message", "staff-health-message", "staff-health-marker"):
        assert expected in outputs


def test_anonymous_page_requests_are_sent_to_login(site):
    app, _ = site
    client = _client(app)
    rules = [r.rule for r in app.server.url_map.iter_rules() if r.rule.startswith(("/staff", "/partner"))]
    for path in _protected_pages() + rules:
        r = client.get(path)
        assert r.status_code in (302, 401, 403), path
        if r.status_code == 302:
            assert r.headers["Location"].startswith("/login?next="), path
        _no_secrets(r.data)
        post = client.post(path, headers={"X-CSRFToken": _csrf(client)})
        assert post.status_code in (401, 403, 405), path


def _render_page(client, path: str, search: str = ""):
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": _csrf(client)})


def test_anonymous_page_content_through_the_router_has_no_data(site):
    app, _ = site
    client = _client(app)
    for path in _protected_pages():
        r = _render_page(client, path)
        assert r.status_code == 200
        _no_secrets(r.data)
        assert "Please log in" in r.get_data(as_text=True), path
    _no_secrets(client.get("/").data)  # the validation layout Dash embeds in every page
    _no_secrets(client.get("/_dash-layout").data)


def test_anonymous_callback_calls_are_refused(site):
    app, ids = site
    client = _client(app)
    callbacks = _protected_callbacks(client)
    assert len(callbacks) >= 7
    for dep in callbacks:
        r = client.post("/_dash-update-component", json=_body(dep, _forged(ids)),
                        headers={"X-CSRFToken": _csrf(client)})
        assert r.status_code in (401, 403), dep["output"]
        _no_secrets(r.data)


def test_partner_cannot_call_staff_callbacks_or_pages(site):
    app, ids = site
    client = _login(_client(app), "a@orga.example")
    for dep in _protected_callbacks(client):
        if "staff-" not in dep["output"]:
            continue
        r = client.post("/_dash-update-component", json=_body(dep, _forged(ids)),
                        headers={"X-CSRFToken": _csrf(client)})
        assert r.status_code == 403, dep["output"]
        _no_secrets(r.data)
    assert client.get("/staff/review").status_code == 403
    assert client.get("/staff/audit.csv").status_code == 403
    for path in ("/staff/review", "/staff/audit", "/staff/users", "/staff/health"):
        r = _render_page(client, path)
        _no_secrets(r.data)
        assert "cannot open this page" in r.get_data(as_text=True)


def test_partner_a_cannot_read_or_change_organization_b(site):
    app, ids = site
    client = _login(_client(app), "a@orga.example")
    page = _render_page(client, "/partner").get_data(as_text=True)
    assert "Org A office" in page and "Org B" not in page
    forged_org = _render_page(client, "/partner", search=f"?org={ids['b_org']}")
    assert forged_org.status_code == 200
    text = forged_org.get_data(as_text=True)
    assert "Org A office" in text and "Org B" not in text  # ?org= is ignored for partners
    deps = {d["output"]: d for d in _protected_callbacks(client)}
    load = next(d for o, d in deps.items() if "partner-name.value" in o)
    r = client.post("/_dash-update-component", json=_body(load, {"value": ids["b_loc"]}),
                    headers={"X-CSRFToken": _csrf(client)})
    assert r.status_code == 403
    _no_secrets(r.data)
    act = next(d for o, d in deps.items() if "partner-message.children" in o)
    forged = {("partner-location", "value"): ids["b_loc"], ("partner-name", "value"): "Taken over",
              ("partner-base-version", "data"): 1, ("partner-submission", "data"): "forged-1",
              ("partner-closed", "value"): [], "n_clicks": 1}
    r = client.post("/_dash-update-component", json=_body(act, forged), headers={"X-CSRFToken": _csrf(client)})
    assert "another organization" in r.get_data(as_text=True)
    _no_secrets(r.data)
    with open_database(app.server.config["ELIP_SETTINGS"].database_url).session() as s:
        assert s.scalar(select(func.count(ChangeRequest.id))) == 1  # only B's own request
        assert s.get(Location, ids["b_loc"]).name == "Org B office"


def test_requests_without_csrf_token_are_refused(site):
    app, ids = site
    client = _client(app)
    r = client.post("/auth/login", data={"email": "a@orga.example", "password": PASSWORD})
    assert r.status_code == 400  # login form without its token
    _login(client, "a@orga.example")
    deps = {d["output"]: d for d in _protected_callbacks(client)}
    act = next(d for o, d in deps.items() if "partner-message.children" in o)
    forged = {("partner-location", "value"): ids["a_loc"], ("partner-name", "value"): "Via forged form",
              ("partner-closed", "value"): [], "n_clicks": 1, "value": None, "data": None}
    assert client.post("/_dash-update-component", json=_body(act, forged)).status_code == 400
    assert client.post("/_dash-update-component", json=_body(act, forged),
                       headers={"X-CSRFToken": "not-the-token"}).status_code == 400
    assert client.post("/auth/logout").status_code == 400
    with open_database(app.server.config["ELIP_SETTINGS"].database_url).session() as s:
        assert s.scalar(select(func.count(ChangeRequest.id))) == 1
    ok = client.post("/_dash-update-component", json=_body(act, forged), headers={"X-CSRFToken": _csrf(client)})
    assert ok.status_code == 200 and "Sent: request" in ok.get_data(as_text=True)


def test_dash_dependencies_and_layout_hold_no_private_data(site):
    """What Dash sends every visitor (dependencies, the layout, the validation layout embedded in each
    page) holds no private string, although staff pages do show those strings to staff."""
    app, ids = site
    staff = _login(_client(app), "staff@elip.example")
    assert SECRET_AUDIT in _render_page(staff, "/staff/audit").get_data(as_text=True)  # the check can fail
    assert SECRET_CONTACT in _text_of(_render_page(staff, "/staff/health").get_data(as_text=True))
    anonymous = _client(app)
    _no_secrets(json.dumps(anonymous.get("/_dash-dependencies").json))
    _no_secrets(anonymous.get("/_dash-layout").data)
    for path in ("/", "/staff/audit", "/staff/review", "/partner", "/coverage"):
        _no_secrets(anonymous.get(path).data)


def test_coverage_callbacks_refuse_anonymous_callers_in_production(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    app = create_app(Settings(database_url=url, tile_url="", production=True, secret_key="p" * 40), load_sample=False)
    client = app.server.test_client()
    https = {"base_url": "https://localhost"}
    client.get("/", **https)
    headers = {"X-CSRFToken": _csrf(client), "Referer": "https://localhost/coverage"}
    deps = [d for d in client.get("/_dash-dependencies", **https).json
            if "coverage-" in d["output"] and not d.get("clientside_function")]
    assert deps, "the coverage page registers server callbacks"
    for dep in deps:
        r = client.post("/_dash-update-component", json=_body(dep, {"value": "language-training", ("coverage-catchment-slider", "value"): 15,
                                                                     "n_clicks": 1}),
                        headers=headers, **https)
        assert r.status_code in (401, 403), dep["output"]


def test_the_hsds_api_answers_anyone_without_private_data(site):
    app, _ = site
    client = _client(app)
    for kind in ("organizations", "services", "service_at_locations"):
        r = client.get(f"/hsds/{kind}?full=true&full_service=true&per_page=200", headers={"Accept-Encoding": "identity"})
        assert r.status_code == 200 and r.get_json()["total_items"] >= 1, kind
        _no_secrets(r.data)
        for item in r.get_json()["contents"]:
            _no_secrets(client.get(f"/hsds/{kind}/{item['id']}", headers={"Accept-Encoding": "identity"}).data)
    _no_secrets(client.get("/hsds/").data)
    assert client.post("/hsds/organizations", headers={"X-CSRFToken": _csrf(client)}).status_code == 405


def test_card_details_answer_anyone_without_private_data(site):
    """/api/details is public (the newcomer page's cards): never a contact, a pending correction or an audit note."""
    app, ids = site
    client = _client(app)
    r = client.get(f"/api/details?ids=loc-{ids['a_loc']},loc-{ids['b_loc']}", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200 and set(r.get_json()["details"]) == {f"loc-{ids['a_loc']}", f"loc-{ids['b_loc']}"}
    _no_secrets(r.data)
