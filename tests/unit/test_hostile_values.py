"""Issue 16, findings 3 and 5 (value level): hostile values through every door, on SQLite and PostgreSQL.

Each test goes through the real entry points (``import_file``, ``submit_change``, ``approve``) and
asserts what a person sees: a refusal in plain words naming the row and column, nothing of the bad
value stored, nothing published where it should not be, and no traceback. PostgreSQL enforces
``VARCHAR(n)`` and SQLite does not: the same refusal must happen on both.
"""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select

from elip_map.accounts.models import User
from elip_map.config import Settings
from elip_map.directory.models import DuplicateSuspect, Location, Organization, Phone, Service
from elip_map.importers.dump import table_dump
from elip_map.importers.report import ImportRefused
from elip_map.importers.run import import_file
from elip_map.review.changes import InvalidChange, approve, location_snapshot, submit_change, validate_payload
from elip_map.testing import add_location, hash_password, PASSWORD

SETTINGS = Settings()
ROW = {"Organization": "Probe Society", "Location": "Main office", "Address": "10010 105 Street NW",
       "Postal Code": "T5J 1C4", "Phone": "780-424-7709", "Website": "https://probe.example.org"}
# The lengths PostgreSQL enforces on these columns, read from the migration's DDL by hand.
LOCATION_NAME_LIMIT, ROW_NUMBERS_LIMIT = 300, 200
PYTHON_WORDS = ("Traceback", "object has no attribute", "unhashable", "Error:", "psycopg", "sqlalchemy")


def write_csv(path, rows):
    columns = list(ROW) + [k for r in rows for k in r if k not in ROW]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, list(dict.fromkeys(columns)))
        writer.writeheader()
        for r in rows:
            writer.writerow({**ROW, **r})
    return path


def hsds(tmp_path, loc=None, svc=None, **org):
    """One organization, one location, one service, in HSDS 3 JSON: hostile parts override the defaults."""
    location = {"id": "l1", "name": "Main", "latitude": 53.5444, "longitude": -113.4909,
                "addresses": [{"address_1": "10010 105 Street NW", "city": "Edmonton", "state_province": "AB",
                               "postal_code": "T5J 1C4", "country": "CA"}],
                "phones": [{"number": "780-424-7709"}], **(loc or {})}
    service = {"id": "s1", "name": "Help", "url": "https://probe.example.org",
               "service_at_locations": [{"location_id": "l1"}], **(svc or {})}
    doc = [{"id": "o1", "name": "Probe Society", "website": "https://probe.example.org", "locations": [location],
            "services": [service], **org}]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def published(db) -> list[tuple[float, float]]:
    with db.session() as s:
        return [(loc.latitude, loc.longitude) for loc in s.scalars(select(Location)) if loc.is_public]


def plain(message: str) -> bool:
    return not any(word in message for word in PYTHON_WORDS)


# --- lengths, checked before the write ---------------------------------------------------------------

def test_a_400_character_location_name_is_refused_naming_row_and_column(db, tmp_path):
    before = table_dump(db.engine)
    path = write_csv(tmp_path / "long.csv", [{"Location": "L" * 400}])
    with pytest.raises(ImportRefused) as err:
        import_file(db, path, settings=SETTINGS, geocode=False)
    (row,) = err.value.report.rows
    assert row.row == 2 and row.status == "rejected"
    assert row.messages == [f"column 'Location' has 400 characters; at most {LOCATION_NAME_LIMIT} fit"]
    assert table_dump(db.engine) == before


def test_a_too_long_row_is_rejected_and_the_other_rows_import(db, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", [{}, {"Organization": "Other", "City": "C" * 121}])
    report = import_file(db, path, settings=SETTINGS, geocode=False)
    assert [(r.row, r.status) for r in report.rows] == [(2, "imported"), (3, "rejected")]
    assert report.rows[1].messages == ["column 'City' has 121 characters; at most 120 fit"]
    with db.session() as s:
        assert s.scalars(select(Organization.name)).all() == ["Probe Society"]


def test_our_export_columns_too_long_for_the_table_are_refused_too(db, tmp_path):
    path = write_csv(tmp_path / "export.csv", [{"Latitude": "53.5444", "Longitude": "-113.4909",
                                                "geocode_status": "ok", "geocode_method": "m" * 41}])
    before = table_dump(db.engine)
    with pytest.raises(ImportRefused):
        import_file(db, path, settings=SETTINGS, geocode=False)
    assert table_dump(db.engine) == before


def test_sixty_identical_rows_fit_the_duplicate_list(db, tmp_path):
    path = write_csv(tmp_path / "sixty.csv", [{}] * 60)
    report = import_file(db, path, settings=SETTINGS, geocode=False)
    assert report.counts()["duplicate-merged"] == 59
    with db.session() as s:
        suspect = s.scalars(select(DuplicateSuspect)).one()
    assert len(suspect.row_numbers) <= ROW_NUMBERS_LIMIT
    assert suspect.row_numbers.startswith("2, 3, 4") and suspect.row_numbers.endswith("61 (60 rows)")
    assert "2, 3" in suspect.reason and "61" in suspect.reason  # the reason keeps every row
    again = import_file(db, path, settings=SETTINGS, geocode=False)  # a re-import adds no second suspect
    assert again.applied
    with db.session() as s:
        assert len(s.scalars(select(DuplicateSuspect)).all()) == 1


@pytest.mark.parametrize("loc, svc, org, named", [
    ({"name": "L" * 400}, None, {}, "name has 400 characters; at most 300 fit"),
    (None, {"name": "S" * 301}, {}, "service name has 301 characters; at most 300 fit"),
    ({"x_elip": {"geocode": {"status": "ok", "method": "m" * 41}}}, None, {}, "geocode method has 41 characters"),
    ({"x_elip": {"ward": "w" * 101}}, None, {}, "ward has 101 characters; at most 100 fit"),
], ids=["location-name", "service-name", "geocode-method", "ward"])
def test_hsds_values_too_long_refuse_the_file_and_write_nothing(db, tmp_path, loc, svc, org, named):
    before = table_dump(db.engine)
    with pytest.raises(ImportRefused) as err:
        import_file(db, hsds(tmp_path, loc, svc, **org), settings=SETTINGS, geocode=False)
    assert named in str(err.value) and plain(str(err.value))
    assert "Probe Society" in str(err.value)
    assert table_dump(db.engine) == before


# --- wrong types and nulls where HSDS has text ----------------------------------------------------------

@pytest.mark.parametrize("loc, svc, org, named", [
    (None, None, {"name": 12345}, "name must be text, not a number"),
    (None, None, {"name": ["Probe"]}, "name must be text, not a list"),
    (None, None, {"description": {"en": "x"}}, "description must be text, not an object"),
    ({"name": {"en": "Main"}}, None, {}, "location name must be text, not an object"),
    ({"addresses": [{"address_1": ["10010"]}]}, None, {}, "address_1 must be text, not a list"),
    ({"addresses": {"address_1": "x"}}, None, {}, "addresses must be a list of objects, not an object"),
    ({"phones": {"number": "780"}}, None, {}, "phones must be a list of objects"),
    ({"x_elip": {"geocode": {"status": "ok", "precision_m": "abc"}}}, None, {}, "precision_m 'abc' is not a number"),
    ({"x_elip": {"source_url": {"a": 1}}}, None, {}, "source_url must be text, not an object"),
    ({"x_elip": ["a"]}, None, {}, "x_elip must be an object, not a list"),
    (None, {"languages": [{"code": ["en"]}]}, {}, "language code must be text, not a list"),
    (None, {"name": None}, {}, "has no name"),
], ids=["org-number", "org-list", "org-object", "loc-name-object", "address-list", "addresses-object",
        "phones-object", "precision-text", "source-url-object", "x-elip-list", "language-list", "service-null"])
def test_hsds_wrong_types_are_refused_in_plain_words(db, tmp_path, loc, svc, org, named):
    before = table_dump(db.engine)
    with pytest.raises(ImportRefused) as err:
        import_file(db, hsds(tmp_path, loc, svc, **org), settings=SETTINGS, geocode=False)
    assert named in str(err.value), str(err.value)
    assert plain(str(err.value)), str(err.value)
    assert table_dump(db.engine) == before


# --- positions inside the region -----------------------------------------------------------------------

@pytest.mark.parametrize("lat, lon", [(95, -113.49), (53.54, 200), (1e308, 1e308), (float("nan"), -113.49),
                                      (float("inf"), -113.49), (45.42, -75.69)],
                         ids=["lat-95", "lon-200", "1e308", "nan", "inf", "ottawa"])
def test_an_hsds_position_outside_the_region_is_refused_and_nothing_is_published(db, tmp_path, lat, lon):
    # Our own export's extension says the pin is good: it must not matter.
    path = hsds(tmp_path, {"latitude": lat, "longitude": lon, "addresses": [],
                           "x_elip": {"geocode": {"status": "ok", "method": "grid"}}})
    report = import_file(db, path, settings=SETTINGS, geocode=False)
    assert any(note.startswith("row 1, Probe Society / Main: ") and "left out" in note for note in report.file_notes)
    assert published(db) == []
    with db.session() as s:
        loc = s.scalars(select(Location)).one()
        assert (loc.latitude, loc.longitude, loc.geocode_status) == (None, None, "needs-attention")


@pytest.mark.parametrize("lat, lon", [("95", "-113.49"), ("53.54", "200"), ("1e308", "-113.49"), ("nan", "-113.49"),
                                      ("inf", "-113.49"), ("45.42", "-75.69")],
                         ids=["lat-95", "lon-200", "1e308", "nan", "inf", "ottawa"])
def test_a_spreadsheet_position_outside_the_region_is_refused(db, tmp_path, lat, lon):
    report = import_file(db, write_csv(tmp_path / "pin.csv", [{"Latitude": lat, "Longitude": lon}]),
                         settings=SETTINGS, geocode=False)
    assert report.rows[0].status == "corrected" and "left out" in report.rows[0].text
    assert published(db) == []


# --- web addresses and phones ------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 'https://probe.example.org/"><script>alert(1)</script>'])
def test_a_website_that_is_not_http_is_refused_in_a_spreadsheet(db, tmp_path, url):
    report = import_file(db, write_csv(tmp_path / "web.csv", [{"Website": url}]), settings=SETTINGS, geocode=False)
    assert report.rows[0].status == "corrected" and "left out" in report.rows[0].text
    with db.session() as s:
        assert s.scalars(select(Service.website)).all() == [None]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "JaVaScRiPt:alert(1)"])
def test_a_website_that_is_not_http_is_refused_in_hsds(db, tmp_path, url):
    report = import_file(db, hsds(tmp_path, svc={"url": url}, website=url), settings=SETTINGS, geocode=False)
    assert sum("is not a web address starting with http:// or https://; left out" in n for n in report.file_notes) == 2
    with db.session() as s:
        assert s.scalars(select(Service.website)).all() == [None]
        assert s.scalars(select(Organization.website)).all() == [None]


@pytest.mark.parametrize("number", ["<script>alert(1)</script>780-424-7709", "780-424-7709 <img src=x onerror=alert(1)>"])
def test_a_phone_holding_markup_is_refused_in_a_spreadsheet_and_in_hsds(db, tmp_path, number):
    report = import_file(db, write_csv(tmp_path / "phone.csv", [{"Phone": number}]), settings=SETTINGS, geocode=False)
    assert "is not a phone number (it holds markup); left out" in report.rows[0].text
    report = import_file(db, hsds(tmp_path, {"phones": [{"number": number, "type": "<b>voice</b>"}]}),
                         settings=SETTINGS, geocode=False)
    assert any("holds markup" in n for n in report.file_notes)
    with db.session() as s:
        assert s.scalars(select(Phone)).all() == []


# --- partner corrections and staff edits ------------------------------------------------------------------

@pytest.fixture
def partner_world(db):
    with db.session() as s:
        loc = add_location(s, "Probe Society", "Main", website="https://probe.example.org")
        partner = User(email="p@probe.example", role="partner", organization_id=loc.organization_id,
                       password_hash=hash_password(PASSWORD))
        staff = User(email="staff@elip.example", role="staff", password_hash=hash_password(PASSWORD))
        s.add_all([partner, staff])
        s.flush()
        return {"db": db, "loc": loc.id, "svc": str(loc.services[0].id), "partner": partner, "staff": staff}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "https://x.org/<script>"])
def test_a_partner_correction_with_a_javascript_website_is_refused(partner_world, url):
    w = partner_world
    with pytest.raises(InvalidChange) as err:
        with w["db"].session() as s:
            submit_change(s, w["partner"], w["loc"], {"services": {w["svc"]: {"website": url}}})
    assert "is not a web address starting with http:// or https://" in str(err.value)
    with w["db"].session() as s:
        assert s.scalars(select(Service.website)).all() == [None]


def test_a_partner_correction_of_a_website_is_applied_when_it_is_http(partner_world):
    w = partner_world
    with w["db"].session() as s:
        request = submit_change(s, w["partner"], w["loc"], {"services": {w["svc"]: {"website": "www.probe.ca"}}})
        rid = request.id
    with w["db"].session() as s:
        approve(s, w["staff"], rid)
    with w["db"].session() as s:
        assert s.scalars(select(Service.website)).all() == ["https://www.probe.ca"]


@pytest.mark.parametrize("payload, named", [
    ({"phone": "<b>780-424-7709</b>"}, "is not a phone number"),
    ({"pin": {"lat": 95, "lon": -113.49}}, "outside the Edmonton region"),
    ({"pin": {"lat": "nan", "lon": -113.49}}, "is not a number"),
    ({"pin": {"lat": 1e308, "lon": 1e308}}, "outside the Edmonton region"),
    ({"name": "N" * 301}, "301 characters; at most 300 fit"),
    ({"services": {"SVC": {"name": "S" * 301}}}, "Service name has 301 characters"),
    ({"services": {"SVC": {"minimum_age": float("inf")}}}, "whole number of years"),
    ({"services": {"SVC": {"languages": [["en"]]}}}, "Unknown language codes"),
    ({"services": {"SVC": {"types": [{"a": 1}]}}}, "Unknown service types"),
    ({"services": {"SVC": {"statuses": [["x"]]}}}, "Unknown immigration statuses"),
], ids=["phone-markup", "pin-95", "pin-nan", "pin-1e308", "name-301", "service-name-301", "age-inf",
        "nested-language", "object-type", "nested-status"])
def test_hostile_corrections_are_refused_in_plain_words(partner_world, payload, named):
    w = partner_world
    payload = json.loads(json.dumps(payload).replace("SVC", w["svc"]))
    with w["db"].session() as s:
        snapshot = location_snapshot(s.get(Location, w["loc"]))
    with pytest.raises(InvalidChange) as err:
        validate_payload(payload, snapshot)
    assert named in str(err.value) and plain(str(err.value))
