"""Staff pages through Dash's callback endpoint, as the browser calls them: direct edits, conflicting
approvals by two staff members, pins for needs-attention locations, accounts and password resets."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from elip_map.accounts.models import User
from elip_map.accounts.service import authenticate
from elip_map.config import Settings
from elip_map.directory.audit import audit_entries
from elip_map.directory.models import Location
from elip_map.directory.storage import open_database
from elip_map.review.changes import submit_change
from elip_map.review.models import ChangeRequest
from elip_map.testing import PASSWORD, add_location, add_user, call_callback, login


@pytest.fixture
def site(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'pages.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        placed = add_location(s, "Org B", "Placed", lat=53.54, lon=-113.49, langs=(), location_key="placed")
        lost = add_location(s, "Org B", "Lost", lat=None, lon=None, status="needs-attention", langs=(),
                            location_key="lost")
        org_id = placed.organization_id
        partner = add_user(s, "b@orgb.example", "partner", org_id)
        add_user(s, "staff1@elip.example", "staff")
        add_user(s, "staff2@elip.example", "staff")
        r1 = submit_change(s, partner, placed.id, {"name": "From request one"}).id
        r2 = submit_change(s, partner, placed.id, {"name": "From request two"}).id
        ids = {"org": org_id, "placed": placed.id, "lost": lost.id, "r1": r1, "r2": r2}
    app = create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret"), load_sample=False)
    return app, database, ids


def _staff(app, email="staff1@elip.example"):
    return login(app.server.test_client(), email)


def _call(client, output_part: str, values: dict, trigger: str) -> str:
    """Call the server callback whose output names ``output_part`` with these input/state values."""
    r = call_callback(client, output_part, values, trigger)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r.get_data(as_text=True)


def _approve(client, request_id):
    return _call(client, "staff-review-message.children",
                 {"staff-review-approve.n_clicks": 1, "staff-review-request.value": request_id,
                  "staff-review-note.value": "ok"}, "staff-review-approve.n_clicks")


def test_two_staff_approve_conflicting_requests_one_applies_other_sees_conflict(site):
    app, database, ids = site
    one, two = _staff(app), _staff(app, "staff2@elip.example")
    assert "approved and applied" in _approve(one, ids["r1"])
    answer = _approve(two, ids["r2"])
    assert "older version of the listing" in answer and "Nothing was applied" in answer
    with database.session() as s:
        assert s.get(Location, ids["placed"]).name == "From request one"
        assert s.get(ChangeRequest, ids["r2"]).status == "pending"
        assert s.get(ChangeRequest, ids["r2"]).payload == {"name": "From request two"}
    refreshed = _call(two, "staff-review-message.children",
                      {"staff-review-refresh.n_clicks": 1, "staff-review-request.value": ids["r2"]},
                      "staff-review-refresh.n_clicks")
    assert "now compared with the current listing" in refreshed and "From request one" in refreshed
    assert "approved and applied" in _approve(two, ids["r2"])
    with database.session() as s:
        assert s.get(Location, ids["placed"]).name == "From request two"


def test_review_detail_shows_diff(site):
    app, _, ids = site
    answer = _call(_staff(app), "staff-review-detail.children", {"staff-review-request.value": ids["r1"]},
                   "staff-review-request.value")
    assert "From request one" in answer and "Placed" in answer and "b@orgb.example" in answer


def test_staff_edit_a_listing_directly(site):
    app, database, ids = site
    client = _staff(app)
    page = _call(client, "_pages_content.children", {"_pages_location.pathname": "/partner",
                                                      "_pages_location.search": f"?org={ids['org']}"},
                 "_pages_location.search")
    assert "Org B" in page and "Not shown to the public" in page  # the needs-attention location
    answer = _call(client, "partner-message.children",
                   {"partner-submit.n_clicks": 1, "partner-location.value": ids["placed"],
                    "partner-base-version.data": 1, "partner-name.value": "Edited by staff",
                    "partner-phone.value": "780 555 0100", "partner-closed.value": []}, "partner-submit.n_clicks")
    assert "Saved" in answer
    with database.session() as s:
        loc = s.get(Location, ids["placed"])
        assert loc.name == "Edited by staff" and loc.phones[0].number == "+17805550100"
        assert audit_entries(s, action="location.edit")[0].actor_label == "staff1@elip.example"


def test_staff_place_a_pin_for_a_needs_attention_location(site):
    app, database, ids = site
    client = _staff(app)
    answer = _call(client, "staff-health-message.children",
                   {"staff-health-save.n_clicks": 1, "staff-health-location.value": ids["lost"],
                    "staff-health-lat.value": "53.5601", "staff-health-lon.value": "-113.4102",
                    "staff-health-version.data": 1}, "staff-health-save.n_clicks")
    assert "Pin saved" in answer
    with database.session() as s:
        loc = s.get(Location, ids["lost"])
        assert (loc.latitude, loc.longitude, loc.geocode_status) == (53.5601, -113.4102, "manual")
        assert audit_entries(s, action="location.pin")[0].after["pin"] == {"lat": 53.5601, "lon": -113.4102}


def test_staff_add_account_and_reset_password_never_logs_it(site, caplog):
    caplog.set_level(logging.DEBUG)
    app, database, ids = site
    client = _staff(app)
    new_password, reset_to = "a fresh partner passphrase", "another fresh passphrase"
    weak = _call(client, "staff-users-message.children",
                 {"staff-users-add.n_clicks": 1, "staff-users-email.value": "new@orgb.example",
                  "staff-users-role.value": "partner", "staff-users-org.value": ids["org"],
                  "staff-users-password.value": "password1"}, "staff-users-add.n_clicks")
    assert "too common" in weak
    added = _call(client, "staff-users-message.children",
                  {"staff-users-add.n_clicks": 1, "staff-users-email.value": "new@orgb.example",
                   "staff-users-role.value": "partner", "staff-users-org.value": ids["org"],
                   "staff-users-password.value": new_password}, "staff-users-add.n_clicks")
    assert "created" in added and new_password not in added
    reset = _call(client, "staff-users-message.children",
                  {"staff-users-reset.n_clicks": 1, "staff-users-reset-email.value": "b@orgb.example",
                   "staff-users-reset-password.value": reset_to}, "staff-users-reset.n_clicks")
    assert "sessions have ended" in reset and reset_to not in reset
    assert authenticate(database, "new@orgb.example", new_password).organization_id == ids["org"]
    assert authenticate(database, "b@orgb.example", reset_to) is not None
    with database.session() as s:
        assert [e.action for e in audit_entries(s, entity_type="user")] == ["user.reset-password", "user.create"]
        hashes = " ".join(s.scalars(select(User.password_hash)))
    for secret in (new_password, reset_to, PASSWORD):
        assert secret not in caplog.text and secret not in hashes


def test_a_refused_password_is_explained_in_the_staff_members_language(site):
    app, database, ids = site
    client = _staff(app)
    client.set_cookie("elip_ui", "fr")

    def said(answer: str) -> str:
        return json.loads(answer)["response"]["staff-users-message"]["children"]["props"]["children"]

    answer = _call(client, "staff-users-message.children",
                   {"staff-users-add.n_clicks": 1, "staff-users-email.value": "new@orgb.example",
                    "staff-users-role.value": "partner", "staff-users-org.value": ids["org"],
                    "staff-users-password.value": "Password123!"}, "staff-users-add.n_clicks")
    assert said(answer) == ("Ce mot de passe est trop courant : il figure sur les listes que les pirates essaient en "
                            "premier. Choisissez une phrase de trois ou quatre mots que personne ne devinerait.")
    reset = _call(client, "staff-users-message.children",
                  {"staff-users-reset.n_clicks": 1, "staff-users-reset-email.value": "b@orgb.example",
                   "staff-users-reset-password.value": " " * 8}, "staff-users-reset.n_clicks")
    assert said(reset).startswith("Les caractères ou les mots répétés (comme « aaaa », « abcabc » ou seulement des "
                                  "espaces) sont faciles à deviner.")
    with database.session() as s:
        assert s.scalar(select(User).where(User.email == "new@orgb.example")) is None


def test_audit_page_and_csv_for_staff(site):
    app, _, ids = site
    client = _staff(app)
    _approve(client, ids["r1"])
    csv_text = client.get("/staff/audit.csv").get_data(as_text=True)
    assert csv_text.startswith("id,at,actor,action") and "request.approve" in csv_text
    assert "From request one" in csv_text


def test_staff_disable_an_account_ends_its_sessions(site):
    app, database, _ = site
    partner = login(app.server.test_client(), "b@orgb.example")
    assert partner.get("/partner").status_code == 200
    client = _staff(app)
    answer = _call(client, "staff-users-message.children",
                   {"staff-users-toggle.n_clicks": 1, "staff-users-reset-email.value": "b@orgb.example"},
                   "staff-users-toggle.n_clicks")
    assert "disabled" in answer
    assert partner.get("/partner").status_code == 302  # logged out everywhere
    assert authenticate(database, "b@orgb.example", PASSWORD) is None
    own = _call(client, "staff-users-message.children",
                {"staff-users-toggle.n_clicks": 1, "staff-users-reset-email.value": "staff1@elip.example"},
                "staff-users-toggle.n_clicks")
    assert "cannot disable your own account" in own


def test_partner_still_correct_updates_last_verified(site):
    app, database, ids = site
    partner = login(app.server.test_client(), "b@orgb.example")
    answer = _call(partner, "partner-message.children",
                   {"partner-still-correct.n_clicks": 1, "partner-location.value": ids["placed"]},
                   "partner-still-correct.n_clicks")
    assert "marked as verified" in answer and "From request one" in answer  # its requests are listed
    with database.session() as s:
        loc = s.get(Location, ids["placed"])
        assert loc.last_verified is not None and loc.version == 1  # pending requests stay valid
        assert audit_entries(s, action="location.still-correct")[0].actor_label == "b@orgb.example"


def test_staff_health_lists_disagreements_and_picking_a_location_still_starts_the_pin(site):
    app, database, ids = site
    client = _staff(app)
    page = _call(client, "_pages_content.children", {"_pages_location.pathname": "/staff/health",
                                                      "_pages_location.search": ""}, "_pages_location.pathname")
    assert "Geocoding methods that disagree (0)" in page
    answer = _call(client, "staff-health-marker.position", {"staff-health-location.value": ids["lost"]},
                   "staff-health-location.value")
    assert "staff-health-choice" in answer and '"options":[]' in answer.replace(" ", "")
