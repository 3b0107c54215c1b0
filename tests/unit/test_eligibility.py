"""Eligibility end to end on the server side: the words sheets use, the import, the CSV export, the
review flow, and the newcomer predicate's status rule (whose JavaScript twin is checked in the browser)."""

import csv
import io

import pytest
from sqlalchemy import select

from elip_map.config import Settings
from elip_map.directory.models import Organization, Service
from elip_map.exporters import export_text
from elip_map.importers.run import import_file
from elip_map.rules.eligibility import parse_eligibility, parse_fee

SETTINGS = Settings()

# Semicolons, a BOM, header words as partner sheets spell them, and eligibility the way people write it.
MESSY_SHEET = (
    "\ufeffAgency Name;Street Address;Postal Code;Who is eligible?;Cost;Contact E-mail;Preferred Language;Last Verified\n"
    'Bridge Settlement;10010 105 St NW;T5J 1C4;"PR; refugee claimants";Free;Intake@Bridge.example ;Arabic;2025-03-01\n'
    "Open Door Drop-in;9538 107 Ave NW;T5H 0Z4;Open to All;low-cost;mailto:hello@opendoor.example;French;January 5, 2026\n"
    "Study Hub;10230 Jasper Ave;T5J 4P6;International Students / TFWs, 18+;$25 per term;;;\n"
    "Mystery Program;10050 Jasper Ave;T5J 1V7;call us;;;Martian;\n"
    "Blank Eligibility;10404 Jasper Ave;T5J 1Z3;;FREE;;;\n"
)


@pytest.mark.parametrize("words, statuses", [
    ("PR; refugee claimants", ["permanent-resident", "refugee-claimant"]),
    ("open to all", ["everyone"]),
    ("Permanent Residents, Protected Persons", ["permanent-resident", "protected-person"]),
    ("Refugee claimant", ["refugee-claimant"]),
    ("Convention refugees and CUAET arrivals", ["protected-person", "cuaet"]),
    ("Naturalized citizens / visitors", ["visitor", "citizen"]),
    ("TFWs", ["temporary-worker"]),
    ("", []),
    ("ask at the desk", []),
])
def test_status_words_people_write(words, statuses):
    assert parse_eligibility(words).statuses == statuses


def test_ages_and_gender_are_read_beside_statuses():
    found = parse_eligibility("Women 18+, PR only")
    assert (found.statuses, found.minimum_age, found.maximum_age, found.gender) == (["permanent-resident"], 18, None, "women")
    youth = parse_eligibility("Youth 15-30")
    assert (youth.minimum_age, youth.maximum_age, youth.statuses) == (15, 30, [])


@pytest.mark.parametrize("words, fee", [("Free", "free"), ("no fee", "free"), ("Low cost", "low-cost"),
                                        ("sliding scale", "low-cost"), ("$40", "fee"), ("Fee applies", "fee"),
                                        ("", None), ("see website", None)])
def test_fee_words(words, fee):
    assert parse_fee(words) == fee


def _import(db, tmp_path, text=MESSY_SHEET):
    path = tmp_path / "partners.csv"
    path.write_bytes(text.encode("utf-8"))
    return import_file(db, path, settings=SETTINGS)


def _service(session, org_name):
    return session.scalars(select(Service).join(Organization).where(Organization.name == org_name)).one()


def test_eligibility_words_imported_from_a_messy_sheet(db, tmp_path):
    report = _import(db, tmp_path)
    assert report.applied
    with db.session() as s:
        bridge = _service(s, "Bridge Settlement")
        assert bridge.eligible_statuses == "permanent-resident;refugee-claimant"
        assert (bridge.fee, bridge.fees, bridge.eligibility) == ("free", "Free", "PR; refugee claimants")
        assert _service(s, "Open Door Drop-in").eligible_statuses == "everyone"
        assert _service(s, "Open Door Drop-in").fee == "low-cost"
        hub = _service(s, "Study Hub")
        assert (hub.eligible_statuses, hub.minimum_age, hub.fee) == ("temporary-worker;international-student", 18, "fee")
        mystery = _service(s, "Mystery Program")
        # Unrecognised words: statuses stay unknown (never "nobody"), the words stay as the note.
        assert (mystery.eligible_statuses, mystery.eligibility) == (None, "call us")
        blank = _service(s, "Blank Eligibility")
        assert (blank.eligible_statuses, blank.eligibility, blank.fee) == (None, None, "free")
        org = s.scalars(select(Organization).where(Organization.name == "Bridge Settlement")).one()
        assert (org.contact_email, org.contact_language) == ("Intake@Bridge.example", "ar")
        door = s.scalars(select(Organization).where(Organization.name == "Open Door Drop-in")).one()
        assert (door.contact_email, door.contact_language) == ("hello@opendoor.example", "fr")
        assert door.locations[0].last_verified.isoformat() == "2026-01-05"
    messages = {r.organization: " ".join(r.messages) for r in report.rows}
    assert "'call us' not recognised" in messages["Mystery Program"]
    assert "contact language 'Martian'" in messages["Mystery Program"]


def test_csv_export_has_status_slugs_and_fee_but_never_contact_emails(db, tmp_path):
    _import(db, tmp_path)
    with db.session() as s:
        text = export_text(s, "csv")
    rows = {r["organization"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["Bridge Settlement"]["eligible_statuses"] == "permanent-resident;refugee-claimant"
    assert rows["Bridge Settlement"]["fee"] == "free"
    assert rows["Open Door Drop-in"]["eligible_statuses"] == "everyone"
    assert rows["Mystery Program"]["eligible_statuses"] == ""
    assert "bridge.example" not in text.lower() and "opendoor.example" not in text


def test_exported_csv_reimports_with_the_same_eligibility(db, tmp_path):
    _import(db, tmp_path)
    with db.session() as s:
        text = export_text(s, "csv")
        before = {svc.name: (svc.eligible_statuses, svc.fee, svc.minimum_age) for svc in s.scalars(select(Service))}
    again = tmp_path / "again.csv"
    again.write_text(text, encoding="utf-8")
    report = import_file(db, again, settings=SETTINGS)
    assert report.applied
    with db.session() as s:
        after = {svc.name: (svc.eligible_statuses, svc.fee, svc.minimum_age) for svc in s.scalars(select(Service))}
    assert after == before


# --- reviewed like any other change ------------------------------------------------------------

def test_partner_proposes_eligibility_and_staff_approval_applies_it(db):
    from elip_map.testing import add_user, make_org

    from elip_map.review.changes import InvalidChange, approve, diff_rows, submit_change

    with db.session() as s:
        org_id, loc_id, svc_id = make_org(s, "Bridge")
        partner = add_user(s, "p@bridge.example", "partner", org_id)
        staff = add_user(s, "staff@elip.example", "staff")
        ids = (partner.id, staff.id)
    from elip_map.accounts.models import User

    with db.session() as s:
        partner = s.get(User, ids[0])
        with pytest.raises(InvalidChange) as refused:
            submit_change(s, partner, loc_id, {"services": {str(svc_id): {"statuses": ["martian"], "fee": "cheap",
                                                                          "minimum_age": "old"}}})
        assert "Unknown immigration statuses: martian." in refused.value.problems
        assert "The fee must be free, low cost or fee." in refused.value.problems
        request = submit_change(s, partner, loc_id, {"services": {str(svc_id): {
            "statuses": ["refugee-claimant", "permanent-resident"], "fee": "free", "minimum_age": "18"}}})
        rows = {r["field"]: r["after"] for r in diff_rows(request.before, request.payload)}
        assert rows["English classes: Who can use it"] == "Permanent residents and Refugee claimants"  # the form's own words, as English joins two
        assert rows["English classes: Fee"] == "Free"
        request_id = request.id
    with db.session() as s:
        assert s.get(Service, svc_id).eligible_statuses is None  # nothing changes before review
        approve(s, s.get(User, ids[1]), request_id)
    with db.session() as s:
        svc = s.get(Service, svc_id)
        assert (svc.eligible_statuses, svc.fee, svc.minimum_age) == ("permanent-resident;refugee-claimant", "free", 18)


def test_hsds_eligibility_helper_names_statuses_and_fee(db, tmp_path):
    from elip_map.directory.eligibility import service_eligibility

    _import(db, tmp_path)
    with db.session() as s:
        bridge = service_eligibility(_service(s, "Bridge Settlement"))
        unknown = service_eligibility(_service(s, "Mystery Program"))
    assert bridge["eligible_statuses"] == ["permanent-resident", "refugee-claimant"]
    assert (bridge["fee"], bridge["eligibility_description"]) == ("free", "PR; refugee claimants")
    assert unknown["eligible_statuses"] == [] and unknown["eligibility_description"] == "call us"


def test_hsds_export_carries_eligibility_but_no_contact(db, tmp_path):
    import json

    _import(db, tmp_path)
    with db.session() as s:
        text = export_text(s, "hsds-json")
    services = {svc["name"]: svc for org in json.loads(text)["organizations"] for svc in org.get("services", [])}
    hub = services["Study Hub"]
    assert hub["minimum_age"] == 18 and hub["x_elip"]["eligible_statuses"] == ["temporary-worker", "international-student"]
    assert hub["x_elip"]["fee"] == "fee"
    assert "eligible_statuses" not in (services["Mystery Program"].get("x_elip") or {})  # unknown stays unknown
    assert "bridge.example" not in text.lower() and "opendoor.example" not in text
