"""Staff pages people can work in: the audit log in words with names and filters, the friendly 403,
/coverage behind the login at the HTTP level, data-health counts, bounces and contacts."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from elip_map.accounts.models import User
from elip_map.directory.models import Organization
from elip_map.verification.models import VerificationMail
from tests.unit.test_review_pages import _approve, _call, _staff, site  # noqa: F401 - the shared site fixture
from elip_map.testing import PASSWORD


def _render(client, path, search=""):
    """The page as Dash renders it for this client (the layout callback, as the browser calls it)."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    r = client.post("/_dash-update-component", json=body,
                    headers={"X-CSRFToken": client.get_cookie("_csrf_token").value})
    assert r.status_code == 200
    return _strings(r.get_json()["response"]["_pages_content"]["children"])


def _strings(node) -> str:
    """Every text and id of a rendered component tree, in order, one per line (what a reader sees)."""
    out: list[str] = []

    def walk(n):
        if isinstance(n, str):
            out.append(n)
        elif isinstance(n, list):
            if any(isinstance(x, dict) and x.get("type") == "Wbr" for x in n) and all(
                    isinstance(x, str) or x.get("type") == "Wbr" for x in n):  # <wbr> only lets one word break
                out.append("".join(x for x in n if isinstance(x, str)))
                return
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            props = n.get("props", {})
            if isinstance(props.get("id"), str):
                out.append(f"#{props['id']}")
            walk(props.get("children"))
            for key in ("value", "label"):
                if isinstance(props.get(key), str):
                    out.append(props[key])
    walk(node)
    return "\n".join(out)


def _partner(app):
    client = app.server.test_client()
    client.get("/login")
    client.post("/auth/login", data={"email": "b@orgb.example", "password": PASSWORD,
                                     "csrf_token": client.get_cookie("_csrf_token").value})
    return client


def test_audit_diff_view_shows_names_not_json(site):
    app, database, ids = site
    with database.session() as s:
        s.get(User, s.scalars(select(User.id).where(User.email == "staff1@elip.example")).one()).display_name = "Amina Staff"
    client = _staff(app)
    _approve(client, ids["r1"])
    page = _render(client, "/staff/audit")
    # Who by name, what in words, which listing by its organization and name, before/after as text.
    assert "Amina Staff (staff1@elip.example)" in page
    assert "Approved a correction" in page and "Org B — From request one" in page
    assert "Location name\nPlaced\nFrom request one" in page
    assert '{"name"' not in page and '"services"' not in page  # no raw JSON snapshot
    # Filters: by person, by organization, by date; and the CSV export of the same selection.
    assert "Approved a correction" not in _render(client, "/staff/audit", "?who=nobody-like-this")
    assert "Approved a correction" in _render(client, "/staff/audit", f"?org={ids['org']}")
    assert "Approved a correction" not in _render(client, "/staff/audit", "?since=2999-01-01")
    assert "Approved a correction" in _render(client, "/staff/audit", "?since=2000-01-01&until=2999-12-31")
    filtered = client.get(f"/staff/audit.csv?org={ids['org']}&who=staff1").get_data(as_text=True)
    assert "request.approve" in filtered and "request.submit" not in filtered  # submitted by the partner
    assert "request.submit" in client.get("/staff/audit.csv").get_data(as_text=True)


def test_partner_opening_a_staff_page_gets_a_friendly_403(site):
    app, _, _ = site
    client = _partner(app)
    page = client.get("/staff/health")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert "b@orgb.example" in text and "partner" in text and "ask an ELIP staff member" in text
    assert 'href="/partner"' in text


def test_anonymous_coverage_redirects_to_login(site):
    app, _, _ = site
    client = app.server.test_client()
    page = client.get("/coverage")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=%2Fcoverage")
    assert _partner(app).get("/coverage").status_code == 403
    assert _staff(app).get("/coverage").status_code == 200


def test_data_health_counts_bounces_and_contacts(site):
    app, database, ids = site
    with database.session() as s:
        s.add(VerificationMail(campaign="c", organization_id=ids["org"], to_address="nobody@bounce.example",
                               language="en", subject="s", body="b", nonce="n1", status="bounced",
                               last_error="550 5.1.1 No such user here", created_by="test",
                               expires_at=__import__("datetime").datetime(2999, 1, 1)))
    client = _staff(app)
    page = _render(client, "/staff/health")
    block = page.split("#staff-health-counts", 1)[1].split("#health-pending", 1)[0]
    # stale: both open locations never verified; needs attention: "Lost"; no geocoders disagree; 2 pending
    # corrections; 1 bounce.
    assert re.findall(r"^(\d+)\n", block, re.M) == ["2", "1", "0", "2", "1", "0", "0"]
    assert "nobody@bounce.example" in page and "550 5.1.1" in page

    saved = _call(client, "staff-health-contact-message.children",
                  {"staff-health-contact-save.n_clicks": 1, "staff-health-contact-org.value": ids["org"],
                   "staff-health-contact-email.value": "intake@orgb.example",
                   "staff-health-contact-language.value": "ar", "staff-health-contact-phone.value": "780 555 0100"},
                  "staff-health-contact-save.n_clicks")
    assert "Contact saved" in saved
    bad = _call(client, "staff-health-contact-message.children",
                {"staff-health-contact-save.n_clicks": 2, "staff-health-contact-org.value": ids["org"],
                 "staff-health-contact-email.value": "not an address"}, "staff-health-contact-save.n_clicks")
    assert "is not an e-mail address" in bad
    with database.session() as s:
        org = s.get(Organization, ids["org"])
        assert (org.contact_email, org.contact_language, org.contact_phone) == ("intake@orgb.example", "ar", "+17805550100")
    # Never public: not in the public API or the newcomer page.
    feed = client.get("/api/locations.geojson").get_data(as_text=True)
    assert "intake@orgb.example" not in feed and "+17805550100" not in json.dumps(feed)
    partner_page = _render(_partner(app), "/partner")
    assert "intake@orgb.example" not in partner_page


def test_data_health_reasons_are_in_the_readers_language(site):
    from babel.messages.pofile import read_po

    from elip_map.directory.models import DuplicateSuspect, Location
    from elip_map.geocoding.chain import geocode_address
    from elip_map.i18n import catalogue_path

    app, database, ids = site
    with database.session() as s:
        # What the geocoder and the importer store (in English), for "Lost" (needs attention).
        s.get(Location, ids["lost"]).geocode_note = geocode_address("", None, "St. Albert").message
        s.add(DuplicateSuspect(location_id=ids["placed"], source_file="partners.csv", row_numbers="4, 9",
                               reason="rows 4, 9 name the same organization and address; they were merged into "
                                      "one listing"))
    with catalogue_path("fr").open("rb") as fh:
        fr = {m.id: m.string for m in read_po(fh) if isinstance(m.id, str)}
    outside = "{municipality} is outside Edmonton and does not use Edmonton's numbered grid"
    merged = "rows {rows} name the same organization and address; they were merged into one listing"
    client = _staff(app)
    french = _render(client, "/staff/health", "?ui=fr")
    assert fr[outside].format(municipality="St. Albert") in french
    assert fr[merged].format(rows="4, 9") in french
    assert "does not use Edmonton's numbered grid" not in french and "they were merged" not in french
    english = _render(client, "/staff/health")
    assert "St. Albert is outside Edmonton and does not use Edmonton's numbered grid" in english
    assert "rows 4, 9 name the same organization and address; they were merged into one listing" in english


def test_a_centreline_note_on_the_data_health_page_is_in_the_readers_language(site):
    from babel.messages.pofile import read_po

    from elip_map.directory.models import Location
    from elip_map.i18n import catalogue_path

    app, database, ids = site
    stored = "the road crosses that line in more than one place; no method could place this address"
    with database.session() as s:
        s.get(Location, ids["lost"]).geocode_note = stored
    client = _staff(app)
    for ui in ("fr", "uk"):
        with catalogue_path(ui).open("rb") as fh:
            po = {m.id: m.string for m in read_po(fh) if isinstance(m.id, str)}
        page = _render(client, "/staff/health", f"?ui={ui}")
        expected = "; ".join([po["the road crosses that line in more than one place"],
                              po["no method could place this address"]])
        assert expected in page and "more than one place" not in page
    assert stored in _render(client, "/staff/health")


def test_why_a_verification_mail_did_not_arrive_is_in_the_readers_language(site):
    """The bounce reasons the mail rooms store (English, with the server's own words inside) and the
    mail's status read in French and Arabic on the data-health page; the stored English is untouched."""
    import datetime as dt

    from babel.messages.pofile import read_po

    from elip_map.i18n import catalogue_path

    app, database, ids = site
    # Written out by hand, as verification/bounces.py stored them before they were templates.
    stored = {
        "refused@bounce.example": ("bounced", "delivery report: 5.1.1 550 5.1.1 User unknown in virtual mailbox table"),
        "slow@bounce.example": ("failed", "delivery report, the receiving server gave up: 4.4.7 delivery time expired"),
        "vague@bounce.example": ("bounced", "delivery report: reported undeliverable"),
    }
    with database.session() as s:
        for n, (address, (status, error)) in enumerate(stored.items()):
            s.add(VerificationMail(campaign="c", organization_id=ids["org"], to_address=address, language="en",
                                   subject="s", body="b", nonce=f"n{n}", status=status, last_error=error,
                                   created_by="test", expires_at=dt.datetime(2999, 1, 1)))
    client = _staff(app)
    refused, slow = "5.1.1 550 5.1.1 User unknown in virtual mailbox table", "4.4.7 delivery time expired"
    for ui in ("fr", "ar"):
        with catalogue_path(ui).open("rb") as fh:
            po = {m.id: m.string for m in read_po(fh) if isinstance(m.id, str)}
        # Arabic: the note opens with a right-to-left mark, each value in its own isolate (FSI ... PDI).
        rtl = ui == "ar"
        wrap = (lambda v: f"\u2068{v}\u2069") if rtl else (lambda v: v)
        mark = "\u200f" if rtl else ""
        page = _render(client, "/staff/health", f"?ui={ui}")
        assert mark + po["delivery report: {reason}"].format(reason=wrap(refused)) in page
        assert mark + po["delivery report, the receiving server gave up: {reason}"].format(reason=wrap(slow)) in page
        assert mark + po["delivery report: {reason}"].format(reason=wrap(po["reported undeliverable"])) in page
        assert po["bounced"] in page.split("\n") and po["gave up after retrying"] in page.split("\n")
        assert "delivery report" not in page and "reported undeliverable" not in page
    english = _render(client, "/staff/health").split("\n")
    assert all(error in english for _status, error in stored.values())
    assert "bounced" in english and "gave up after retrying" in english
    with database.session() as s:
        assert {m.to_address: (m.status, m.last_error) for m in s.scalars(select(VerificationMail))} == stored


def test_a_bounce_in_the_audit_log_reads_in_the_readers_language(site):
    from babel.messages.pofile import read_po

    from elip_map.i18n import catalogue_path
    from elip_map.review.audit_view import entry_diff

    app, _database, _ids = site
    after = {"mail_id": 3, "to": "slow@bounce.example",
             "error": "delivery report, the receiving server gave up: 4.4.7 delivery time expired"}
    with catalogue_path("fr").open("rb") as fh:
        fr = {m.id: m.string for m in read_po(fh) if isinstance(m.id, str)}
    with app.server.test_request_context("/staff/audit?ui=fr"):
        rows = {r["field"]: r["after"] for r in entry_diff(None, after)}
    assert rows[fr["Error"]] == fr["delivery report, the receiving server gave up: {reason}"].format(
        reason="4.4.7 delivery time expired")
    assert rows[fr["To"]] == "slow@bounce.example"
    with app.server.test_request_context("/staff/audit"):
        assert {r["field"]: r["after"] for r in entry_diff(None, after)}["Error"] == after["error"]


def test_audit_log_speaks_the_pages_language_also_for_who_acted_when_not_a_person(site):
    """?ui=fr on the audit page: actions and non-person actors ("mail server", an import) read in French,
    although the staff member's browser and cookie say English; the CSV keeps the stored English."""
    from babel.messages.pofile import read_po

    from elip_map.directory.audit import record_audit
    from elip_map.i18n import catalogue_path

    app, database, ids = site
    with database.session() as s:
        record_audit(s, "mail server", "verification.bounce", "organization", ids["org"], None, {"to": "x@y.example"})
        record_audit(s, "import: partners-2026.csv", "import", "organization", ids["org"], None, None)
        record_audit(s, "command line (amina): import list.xlsx", "import", "organization", ids["org"], None, None)
    with catalogue_path("fr").open("rb") as fh:
        fr = {m.id: m.string for m in read_po(fh) if isinstance(m.id, str)}
    client = _staff(app)
    page = _render(client, "/staff/audit", "?ui=fr")
    assert fr["mail server"] in page.splitlines()
    assert fr["import: {source}"].format(source="partners-2026.csv") in page.splitlines()
    assert fr["command line ({user}): import {file}"].format(user="amina", file="list.xlsx") in page.splitlines()
    assert fr["Imported a file"] in page.splitlines() and "Imported a file" not in page
    english = _render(client, "/staff/audit")
    assert "mail server" in english.splitlines() and "import: partners-2026.csv" in english.splitlines()
    assert "import: partners-2026.csv" in client.get("/staff/audit.csv").get_data(as_text=True)


def test_the_system_actor_written_below_the_notes_room_is_the_declared_one():
    """directory/audit.py cannot import the notes (it sits below them): its label must stay the declared one,
    or the audit page would show it untranslated."""
    from elip_map.directory.audit import _actor
    from elip_map.geocoding.notes import ACTOR_SYSTEM

    assert _actor(None) == (None, ACTOR_SYSTEM())
