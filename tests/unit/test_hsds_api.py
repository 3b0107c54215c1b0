"""The read-only HSDS API under /hsds/: conforms to its OpenAPI document (schemathesis), every answer
validates against HSDS 3.0, only public listings appear, never a private field, pages and filters
behave, answers are cached by directory state and gzip'd.

ELIP_SCHEMATHESIS_EXAMPLES sets how many generated requests per endpoint (default 8, bounded for CI).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os

import dash
import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from sqlalchemy import select

from elip_map.accounts.models import User
from elip_map.config import Settings
from elip_map.directory.models import Address, Location, Organization, Service, ServiceAtLocation, ServiceType
from elip_map.directory.storage import bump_directory_version
from elip_map.factory import create_app
from elip_map.hsds.validate import problems
from elip_map.review.models import ChangeRequest

EXAMPLES = int(os.environ.get("ELIP_SCHEMATHESIS_EXAMPLES", "8"))
PRIVATE = ("PRIVATE-STAFF-NOTE", "PRIVATE-GEOCODE-NOTE", "private-source.example", "PRIVATE-CLOSED-PLACE",
           "PRIVATE-UNPLACED-PLACE", "partner-contact@private.example", "PRIVATE-PENDING-CORRECTION",
           "verify-contact@private-contact.example", "+17805550177", "780-555-0177")
ITEM = {"organizations": "organization", "services": "service", "service_at_locations": "service_at_location",
        "taxonomies": "taxonomy", "taxonomy_terms": "taxonomy_term"}


def _reset_pages():
    dash._pages.PAGE_REGISTRY.clear()
    dash._pages.CONFIG.clear()
    dash._pages.CONFIG.__dict__.clear()


def _add_private_data(database) -> None:
    """Staff notes, geocode notes, a closed and an unplaced place, a partner login, a pending correction."""
    with database.session() as s:
        loc = s.scalars(select(Location).where(Location.closed.is_(False), Location.geocode_status == "ok")
                        .order_by(Location.id)).first()
        loc.notes, loc.geocode_note, loc.source_url = "PRIVATE-STAFF-NOTE", "PRIVATE-GEOCODE-NOTE", "https://private-source.example/x"
        # The organization's private verification contact (only `elip-map export --private` carries it).
        loc.organization.contact_email = "verify-contact@private-contact.example"
        loc.organization.contact_phone, loc.organization.contact_language = "+17805550177", "so"
        org = Organization(name="Quiet Org", name_key="quiet org")
        s.add(org)
        for name, closed, status in (("PRIVATE-CLOSED-PLACE", True, "ok"), ("PRIVATE-UNPLACED-PLACE", False, "needs-attention")):
            place = Location(organization=org, name=name, location_key=name, latitude=53.5, longitude=-113.5,
                             closed=closed, geocode_status=status)
            place.addresses.append(Address(address_1="1 Test Street", city="Edmonton"))
            svc = Service(organization=org, name=f"{name} service")
            svc.types = [ServiceType(slug="food")]
            s.add_all([place, svc, ServiceAtLocation(service=svc, location=place)])
        user = User(email="partner-contact@private.example", role="partner", organization=loc.organization,
                    password_hash="x")
        s.add(user)
        s.flush()
        s.add(ChangeRequest(organization_id=loc.organization_id, location_id=loc.id, before={},
                            payload={"notes": "PRIVATE-PENDING-CORRECTION"}, base_version=loc.version,
                            submitted_by_id=user.id))
        bump_directory_version(s)


@pytest.fixture(scope="module")
def hsds_app(tmp_path_factory):
    _reset_pages()
    url = f"sqlite:///{tmp_path_factory.mktemp('hsds') / 'directory.sqlite3'}"
    app = create_app(Settings(database_url=url, tile_url=""))  # loads the bundled sample directory
    database = app.server.config["ELIP_DATABASE"]
    _add_private_data(database)
    yield app
    _reset_pages()


@pytest.fixture(scope="module")
def client(hsds_app):
    return hsds_app.server.test_client()


@pytest.fixture(scope="module")
def api_schema(hsds_app):
    return schemathesis.openapi.from_wsgi("/hsds/openapi.json", hsds_app.server)


def _check_body(path: str, body: dict) -> None:
    """What every 200 answer must satisfy: HSDS-valid objects and no private text."""
    text = json.dumps(body)
    assert not [p for p in PRIVATE if p in text]
    parts = path.strip("/").split("/")[1:]  # after 'hsds'
    if not parts:
        assert problems(body, "api_details") == []
    elif len(parts) == 1 and parts[0] in ITEM:
        assert problems(body, "page") == []
        for item in body["contents"]:
            assert problems(item, ITEM[parts[0]]) == []
    elif len(parts) == 2 and parts[0] in ITEM:
        assert problems(body, ITEM[parts[0]]) == []


# schemathesis' own pytest decorator (from_fixture) reads a pytest attribute that pytest 9 removed, so the
# operations are driven here with its Hypothesis strategies: the same generated cases and checks.
OPERATIONS = ["/", "/organizations", "/organizations/{id}", "/services", "/services/{id}", "/service_at_locations",
              "/service_at_locations/{id}", "/taxonomies", "/taxonomies/{id}", "/taxonomy_terms", "/taxonomy_terms/{id}"]


# Invalid requests are made for the lists only: any text is a valid id, and '/' takes no parameter.
CASES = [(path, GenerationMode.POSITIVE) for path in OPERATIONS] + [
    (path, GenerationMode.NEGATIVE) for path in OPERATIONS if path != "/" and not path.endswith("}")]


@pytest.mark.parametrize("path, mode", CASES)
def test_the_api_conforms_to_its_openapi_document(api_schema, path, mode):
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                         database=None)
    def run(case):
        # The in-process WSGI transport does not undo gzip as an HTTP client does; gzip is tested below.
        response = case.call_and_validate(headers={"Accept-Encoding": "identity"})
        if response.status_code == 200:
            _check_body(case.formatted_path, response.json())

    run()


def _all(client, path: str, per_page: int = 7, **params) -> list[dict]:
    items, page = [], 1
    while True:
        body = client.get(path, query_string={"page": page, "per_page": per_page, **params}).get_json()
        _check_body(path, body)
        items.extend(body["contents"])
        assert body["size"] == len(body["contents"]) <= per_page
        if body["last_page"]:
            assert body["total_items"] == len(items) and body["page_number"] == body["total_pages"] or body["empty"]
            return items
        page += 1


def test_pages_cover_exactly_the_public_listings(client, hsds_app):
    with hsds_app.server.config["ELIP_DATABASE"].session() as s:
        public_orgs = {o.name for o in s.scalars(select(Organization)) if any(loc.is_public for loc in o.locations)}
        public_links = sum(1 for link in s.scalars(select(ServiceAtLocation))
                           if link.location.is_public and link.service.status == "active")
    orgs = _all(client, "/hsds/organizations")
    assert {o["name"] for o in orgs} == public_orgs and len(orgs) == len(public_orgs)
    assert "Quiet Org" not in public_orgs
    links = _all(client, "/hsds/service_at_locations", per_page=9)
    assert len(links) == public_links == len({link["id"] for link in links})
    assert len(_all(client, "/hsds/taxonomy_terms", per_page=6)) == 20


def test_every_public_record_by_id_is_full_and_valid(client):
    for org in _all(client, "/hsds/organizations", per_page=50):
        full = client.get(f"/hsds/organizations/{org['id']}").get_json()
        _check_body("/hsds/organizations/x", full)
        assert full["locations"] and all("addresses" in loc for loc in full["locations"])
    for svc in _all(client, "/hsds/services", per_page=50):
        full = client.get(f"/hsds/services/{svc['id']}").get_json()
        _check_body("/hsds/services/x", full)
        assert full["organization"]["id"] == svc["organization_id"]
        assert all(link["location"]["id"] == link["location_id"] for link in full["service_at_locations"])
    missing = client.get("/hsds/services/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and "error" in missing.get_json()


def test_filters(client):
    terms = {t["code"]: t["id"] for t in _all(client, "/hsds/taxonomy_terms", per_page=50)}
    services = _all(client, "/hsds/services", per_page=50, full="true")
    food = _all(client, "/hsds/services", per_page=50, taxonomy_term_id=terms["food"])
    expected = {s["id"] for s in services if any(a["taxonomy_term"]["code"] == "food" for a in s.get("attributes", []))}
    assert expected and {s["id"] for s in food} == expected
    org = services[0]["organization_id"]
    assert {s["id"] for s in _all(client, "/hsds/services", organization_id=org)} == {
        s["id"] for s in services if s["organization_id"] == org}
    word = services[0]["name"].split()[0].casefold()
    found = _all(client, "/hsds/services", search=word.upper())
    assert services[0]["id"] in {s["id"] for s in found}
    accented = [s for s in services if "Accès" in s["name"] or "Accès" in s["organization"]["name"]]
    assert accented and {s["id"] for s in accented} <= {s["id"] for s in _all(client, "/hsds/services", search="acces")}
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()
    assert client.get("/hsds/services", query_string={"modified_after": future}).get_json()["empty"] is True
    assert len(_all(client, "/hsds/services", per_page=50, modified_after="2000-01-01T00:00:00Z")) == len(services)
    bad = client.get("/hsds/organizations?per_page=500")
    assert bad.status_code == 400 and "per_page" in bad.get_json()["error"]


def test_root_and_openapi(client):
    root = client.get("/hsds/").get_json()
    assert root["version"] == "3.0" and root["openapi_url"].endswith("/hsds/openapi.json")
    document = client.get("/hsds/openapi.json").get_json()
    assert {"/organizations", "/organizations/{id}", "/services", "/services/{id}", "/service_at_locations",
            "/taxonomies", "/taxonomy_terms"} <= set(document["paths"])


def test_answers_are_gzip_cached_and_follow_the_directory(hsds_app, client):
    first = client.get("/hsds/organizations?per_page=200", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(first.data))
    etag = first.headers["ETag"]
    assert client.get("/hsds/organizations?per_page=200", headers={"If-None-Match": etag}).status_code == 304
    database = hsds_app.server.config["ELIP_DATABASE"]
    with database.session() as s:  # a staff edit: the next pull must see it
        loc = s.scalars(select(Location).where(Location.name == "PRIVATE-UNPLACED-PLACE")).one()
        loc.geocode_status, loc.name = "manual", "Now Public Place"
        bump_directory_version(s)
    fresh = client.get("/hsds/organizations?per_page=200", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.get_json()["total_items"] == body["total_items"] + 1
    with database.session() as s:  # put it back for the other tests of this module
        loc = s.scalars(select(Location).where(Location.name == "Now Public Place")).one()
        loc.geocode_status, loc.name = "needs-attention", "PRIVATE-UNPLACED-PLACE"
        bump_directory_version(s)
