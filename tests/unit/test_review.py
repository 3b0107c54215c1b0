"""Corrections and staff review: validation, authorization, optimistic locking, audit, data health."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from elip_map.directory.audit import audit_csv, audit_entries
from elip_map.directory.models import DuplicateSuspect, Location
from elip_map.directory.storage import directory_version
from elip_map.review.changes import (AlreadyDecided, Conflict, InvalidChange, ReviewError, approve, diff_rows, direct_edit,
                                     location_snapshot, mark_still_correct, place_pin, refresh_request,
                                     reject, submit_change, validate_payload)
from elip_map.review.health import duplicate_suspects, needs_attention, stale_cutoff, stale_locations
from elip_map.review.models import ChangeRequest
from elip_map.review.tx import in_transaction
from elip_map.rules.phones import to_e164
from elip_map.testing import add_user, make_org


@pytest.fixture
def world(db):
    with db.session() as s:
        a_org, a_loc, a_svc = make_org(s, "Org A")
        b_org, b_loc, _ = make_org(s, "Org B", lat=None, lon=None, status="needs-attention")
        staff = add_user(s, "staff@elip.example", "staff")
        staff2 = add_user(s, "staff2@elip.example", "staff")
        pa = add_user(s, "a@orga.example", "partner", a_org)
        pb = add_user(s, "b@orgb.example", "partner", b_org)
    return {"db": db, "a_org": a_org, "a_loc": a_loc, "a_svc": a_svc, "b_org": b_org, "b_loc": b_loc,
            "staff": staff, "staff2": staff2, "pa": pa, "pb": pb}


SNAP = {"name": "Main", "phone": "+17804247709", "postal_code": "T5J 1C4", "hours": [], "closed": False,
        "pin": None, "services": {"3": {"name": "ESL", "types": ["language-training"], "languages": ["en"],
                                        "eligibility": "", "fees": ""}}}


@pytest.mark.parametrize("payload, expected", [
    ({"phone": "(780) 555-0199"}, {"phone": "+17805550199"}),
    ({"postal_code": "t5j1c4", "name": " New  name "}, {"name": "New name"}),  # same postcode: no change
    ({"hours": [[2, 540, 1020], [1, 540, 1020]]}, {"hours": [[1, 540, 1020], [2, 540, 1020]]}),
    ({"closed": True}, {"closed": True}),
    ({"pin": {"lat": "53.55", "lon": -113.5}}, {"pin": {"lat": 53.55, "lon": -113.5}}),
    ({"services": {"3": {"languages": ["ar", "en", "ar"]}}}, {"services": {"3": {"languages": ["ar", "en"]}}}),
])
def test_validate_payload_cleans_and_keeps_only_changes(payload, expected):
    assert validate_payload(payload, SNAP) == expected


@pytest.mark.parametrize("payload, message", [
    ({"phone": "12"}, "not a"),
    ({"postal_code": "90210"}, "not a Canadian postal code"),
    ({"hours": [[1, 1000, 900]]}, "must open before they close"),
    ({"pin": {"lat": 48.85, "lon": 2.35}}, "outside the Edmonton region"),
    ({"closed": "yes"}, "yes or no"),
    ({"services": {"99": {"name": "x"}}}, "not offered at this location"),
    ({"services": {"3": {"types": ["made-up"]}}}, "Unknown service types"),
    ({"services": {"3": {"languages": ["klingon"]}}}, "Unknown language codes"),
    ({"owner_id": 4}, "Unknown fields"),
    ({"name": "Main"}, "Nothing was changed"),
    ("not a dict", "expected form"),
])
def test_validate_payload_explains_problems(payload, message):
    with pytest.raises(InvalidChange, match=message):
        validate_payload(payload, SNAP)


def test_phone_to_e164():
    assert to_e164("780.424.7709 ") == "+17804247709"


def test_diff_rows_are_readable():
    rows = diff_rows(SNAP, {"phone": "+17805550199", "services": {"3": {"languages": ["ar", "en"]}}})
    assert rows[0] == {"field": "Phone", "before": "+17804247709", "after": "+17805550199"}
    assert rows[1]["field"] == "ESL: Languages" and rows[1]["after"] == "Arabic and English"


def test_partner_proposes_staff_approves_everything_applies_and_is_audited(world):
    db = world["db"]
    payload = {"name": "Downtown office", "phone": "780-555-0199", "hours": [[1, 540, 1020]], "hours_note": "Closed holidays",
               "address_1": "10020 100 Street NW", "pin": {"lat": 53.5444, "lon": -113.4909},
               "services": {str(world["a_svc"]): {"languages": ["ar", "en"], "types": ["employment", "language-training"]}}}
    with db.session() as s:
        version_before = directory_version(s)
        req = submit_change(s, world["pa"], world["a_loc"], payload, submission_id="sub-1")
    with db.session() as s:
        assert s.get(Location, world["a_loc"]).name == "Org A main office"  # pending: listing unchanged
        approve(s, world["staff"], req.id, "Checked with the front desk")
    with db.session() as s:
        loc = s.get(Location, world["a_loc"])
        snap = location_snapshot(loc)
        assert snap["name"] == "Downtown office" and snap["phone"] == "+17805550199"
        assert snap["hours"] == [[1, 540, 1020]] and snap["hours_note"] == "Closed holidays"
        assert snap["address_1"] == "10020 100 Street NW"
        assert snap["pin"] == {"lat": 53.5444, "lon": -113.4909} and loc.geocode_status == "manual"
        assert snap["services"][str(world["a_svc"])]["languages"] == ["ar", "en"]
        assert loc.last_verified == dt.date.today() and loc.version == 2
        assert s.get(ChangeRequest, req.id).status == "approved"
        assert directory_version(s) == version_before + 1
        entries = audit_entries(s, entity_type="location", entity_id=world["a_loc"])
        assert [e.action for e in entries] == ["request.approve"]
        assert entries[0].actor_label == "staff@elip.example"
        assert entries[0].before["name"] == "Org A main office" and entries[0].after["name"] == "Downtown office"


def test_partner_cannot_touch_another_organization(world):
    db = world["db"]
    with db.session() as s:
        with pytest.raises(ReviewError, match="another organization"):
            submit_change(s, world["pa"], world["b_loc"], {"name": "Hijacked"})
        with pytest.raises(ReviewError, match="another organization"):
            mark_still_correct(s, world["pa"], world["b_loc"])
        with pytest.raises(ReviewError, match="Only ELIP staff"):
            direct_edit(s, world["pa"], world["a_loc"], {"name": "x"}, 1)
    with db.session() as s:
        assert s.scalar(select(func.count(ChangeRequest.id))) == 0
        assert s.get(Location, world["b_loc"]).name == "Org B main office"
        req = submit_change(s, world["pb"], world["b_loc"], {"name": "B new"})
    with db.session() as s, pytest.raises(ReviewError, match="Only ELIP staff"):
        approve(s, world["pa"], req.id)


def _second_request_after_the_first_applied(world, second: dict) -> ChangeRequest:
    """Two requests for Org A's office made from the same version; staff approve the first (a new phone)."""
    with world["db"].session() as s:
        r1 = submit_change(s, world["pa"], world["a_loc"], {"phone": "780-555-0101"})
        r2 = submit_change(s, world["pa"], world["a_loc"], second)
    with world["db"].session() as s:
        approve(s, world["staff"], r1.id)
    return r2


def test_conflicting_approvals_one_applies_other_refused_nothing_lost(world):
    db = world["db"]
    r2 = _second_request_after_the_first_applied(world, {"phone": "780-555-0202", "name": "Renamed"})
    with db.session() as s, pytest.raises(Conflict, match="older version of the listing"):
        approve(s, world["staff2"], r2.id)
    with db.session() as s:
        loc = s.get(Location, world["a_loc"])
        assert loc.phones[0].number == "+17805550101" and loc.name == "Org A main office"
        assert s.get(ChangeRequest, r2.id).status == "pending"  # still there for a decision
        assert s.get(ChangeRequest, r2.id).payload["name"] == "Renamed"


def test_simultaneous_approvals_from_two_threads(world):
    db = world["db"]
    with db.session() as s:
        ids = [submit_change(s, world["pa"], world["a_loc"], {"phone": f"780-555-01{i}0"}).id for i in range(2)]
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def run(staff, rid):
        def work(session):
            barrier.wait(timeout=10) if not results.get(-rid) else None
            results[-rid] = "started"
            approve(session, staff, rid)
        try:
            in_transaction(db, work)
            results[rid] = "applied"
        except Conflict as exc:
            results[rid] = str(exc)

    threads = [threading.Thread(target=run, args=(st, rid)) for st, rid in zip((world["staff"], world["staff2"]), ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    outcomes = [results[i] for i in ids]
    assert outcomes.count("applied") == 1
    assert any("older version" in o or "same moment" in o for o in outcomes if o != "applied")
    winner = ids[outcomes.index("applied")]
    with db.session() as s:
        loc = s.get(Location, world["a_loc"])
        assert loc.version == 2
        assert loc.phones[0].number == s.get(ChangeRequest, winner).payload["phone"]
        statuses = sorted(s.get(ChangeRequest, i).status for i in ids)
        assert statuses == ["approved", "pending"]
        assert len(audit_entries(s, action="request.approve")) == 1


def test_reject_needs_a_note_and_keeps_listing(world):
    db = world["db"]
    with db.session() as s:
        req = submit_change(s, world["pa"], world["a_loc"], {"closed": True})
    with db.session() as s, pytest.raises(ReviewError, match="Say why"):
        reject(s, world["staff"], req.id, "  ")
    with db.session() as s:
        reject(s, world["staff"], req.id, "Still open: we visited")
    with db.session() as s:
        assert s.get(Location, world["a_loc"]).closed is False
        assert s.get(ChangeRequest, req.id).review_note == "Still open: we visited"
        with pytest.raises(AlreadyDecided, match="Already decided: staff@elip.example rejected this request"):
            approve(s, world["staff"], req.id)


def test_already_decided_says_who_and_when_in_the_readers_language():
    decided = AlreadyDecided("rejected", "ana@elip.example", dt.datetime(2026, 11, 30, 19, 41, 5))
    assert str(decided) == ("Already decided: ana@elip.example rejected this request on Nov 30, 2026, 7:41:05\u202fPM "
                            "(UTC). Your decision was not recorded.")
    assert decided.text("fr") == ("Déjà décidé : ana@elip.example a refusé cette demande le 30 nov. 2026, 19:41:05 "
                                  "(UTC). Votre décision n’a pas été enregistrée.")
    assert "another staff member approved" in str(AlreadyDecided("approved", None, dt.datetime(2026, 11, 30)))


def test_still_correct_updates_last_verified_without_breaking_pending_requests(world):
    db = world["db"]
    with db.session() as s:
        req = submit_change(s, world["pa"], world["a_loc"], {"name": "New name"})
    with db.session() as s:
        mark_still_correct(s, world["pa"], world["a_loc"], today=dt.date(2026, 11, 20))
    with db.session() as s:
        loc = s.get(Location, world["a_loc"])
        assert loc.last_verified == dt.date(2026, 11, 20) and loc.version == 1
        assert audit_entries(s, action="location.still-correct")[0].after == {"last_verified": "2026-11-20"}
        approve(s, world["staff"], req.id)


def test_staff_pin_and_direct_edit_check_versions(world):
    db = world["db"]
    with db.session() as s:
        place_pin(s, world["staff"], world["b_loc"], 53.57, -113.42, base_version=1)
    with db.session() as s:
        loc = s.get(Location, world["b_loc"])
        assert (loc.latitude, loc.longitude, loc.geocode_status, loc.version) == (53.57, -113.42, "manual", 2)
        assert not needs_attention(s)
        with pytest.raises(Conflict):
            direct_edit(s, world["staff"], world["b_loc"], {"name": "Stale form"}, base_version=1)
    with db.session() as s:
        direct_edit(s, world["staff"], world["b_loc"], {"name": "Fresh form"}, base_version=2)
        assert [e.action for e in audit_entries(s, entity_id=world["b_loc"])] == ["location.edit", "location.pin"]


def test_same_submission_is_stored_once(world):
    db = world["db"]
    for _ in range(3):
        in_transaction(db, lambda s: submit_change(s, world["pa"], world["a_loc"], {"name": "Once"},
                                                    submission_id="same-id"), retry_on_duplicate=True)
    with db.session() as s:
        assert s.scalar(select(func.count(ChangeRequest.id))) == 1


def test_failed_validation_stores_nothing(world):
    db = world["db"]
    with pytest.raises(InvalidChange):
        with db.session() as s:
            submit_change(s, world["pa"], world["a_loc"], {"phone": "not a phone", "postal_code": "xx"})
    with db.session() as s:
        assert s.scalar(select(func.count(ChangeRequest.id))) == 0
        assert audit_entries(s) == []


@pytest.mark.parametrize("today, months, cutoff", [
    (dt.date(2026, 11, 25), 12, dt.date(2025, 11, 25)),
    (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2026, 1, 15), 3, dt.date(2025, 10, 15)),
])
def test_stale_cutoff(today, months, cutoff):
    assert stale_cutoff(today, months) == cutoff


def test_data_health_lists(world):
    db = world["db"]
    with db.session() as s:
        make_org(s, "Org C", verified=dt.date(2026, 10, 1))
        make_org(s, "Org D", verified=dt.date(2024, 1, 1))
        s.add(DuplicateSuspect(location_id=world["a_loc"], source_file="partners.csv", row_numbers="4, 9",
                               reason="same organization and address"))
    with db.session() as s:
        stale = [r["organization"] for r in stale_locations(s, 12, today=dt.date(2026, 11, 25))]
        assert stale == ["Org A", "Org B", "Org D"]  # never verified first, then oldest
        assert [r["organization"] for r in needs_attention(s)] == ["Org B"]
        assert duplicate_suspects(s)[0]["rows"] == "4, 9"


def test_audit_csv_neutralises_formulas(world):
    db = world["db"]
    with db.session() as s:
        from elip_map.directory.audit import record_audit
        record_audit(s, "=HYPERLINK(\"x\")", "import", "organization", 1, None, {"name": "=1+1"})
    with db.session() as s:
        text = audit_csv(audit_entries(s))
    assert "'=HYPERLINK" in text and "\n=" not in text


def test_a_request_changed_under_a_reviewer_is_refused_in_the_readers_language(world):
    """Staff 2 opened the request; meanwhile staff re-based it (still pending, one version on).
    Staff 2's decision is refused in the reader's language, as the other refusals are."""
    db = world["db"]
    r2 = _second_request_after_the_first_applied(world, {"name": "Renamed"})
    with db.session() as late:
        seen = late.get(ChangeRequest, r2.id)  # what staff 2 saw (held: the session keeps that version)
        assert seen.status == "pending"
        with db.session() as s:
            refresh_request(s, world["staff"], r2.id)
        with Flask(__name__).test_request_context("/?ui=fr"), pytest.raises(ReviewError) as refused:
            reject(late, world["staff2"], r2.id, "Not this one")
    assert not isinstance(refused.value, AlreadyDecided)
    assert str(refused.value) == ("Un autre relecteur vient de modifier cette demande ; examinez-la de nouveau, "
                                  "puis décidez.")
    with db.session() as s:
        assert s.get(ChangeRequest, r2.id).status == "pending"  # nothing recorded: staff 2 looks again


def test_conflicting_request_can_be_rebased_for_a_fresh_review(world):
    db = world["db"]
    r2 = _second_request_after_the_first_applied(world, {"phone": "780-555-0101", "name": "Renamed"})
    with db.session() as s:
        with pytest.raises(ReviewError, match="Only ELIP staff"):
            refresh_request(s, world["pa"], r2.id)
        req = refresh_request(s, world["staff2"], r2.id)
        assert req.payload == {"name": "Renamed"}  # the phone already matches: it drops out of the diff
        assert req.base_version == 2 and req.before["phone"] == "+17805550101"
    with db.session() as s:
        approve(s, world["staff2"], r2.id)
    with db.session() as s:
        assert s.get(Location, world["a_loc"]).name == "Renamed"
        assert [e.action for e in audit_entries(s, entity_type="change_request", action="request.refresh")] == [
            "request.refresh"]


def test_the_same_correction_sent_again_while_it_waits_is_not_queued_twice(world):
    """A partner who reloads and sends the same correction again is told it is already waiting (with its
    number), and staff get one request to read; a different correction, or the same one after the
    first was decided, is still sent."""
    db = world["db"]

    def send(payload, sub):
        return in_transaction(db, lambda s: submit_change(s, world["pa"], world["a_loc"], payload, submission_id=sub,
                                                          refuse_duplicate=True).id)

    first = send({"name": "Renamed office"}, "form-1")
    with pytest.raises(ReviewError, match=f"already waiting for ELIP staff as request #{first}"):
        send({"name": " Renamed  office "}, "form-2")      # the same correction, typed again after a reload
    other = send({"name": "Renamed office", "phone": "780-555-0199"}, "form-3")
    assert other != first
    with db.session() as s:
        assert s.scalar(select(func.count(ChangeRequest.id))) == 2
        reject(s, world["staff"], first, "Please spell it as on your sign.")
    again = send({"name": "Renamed office"}, "form-4")
    assert again not in (first, other)
