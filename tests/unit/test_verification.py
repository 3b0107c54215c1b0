"""The verification cycle against a real SMTP server on 127.0.0.1 (aiosmtpd), the real CLI, and the
link pages through the real Flask app: one mail per organization, restarts, bounces, link safety."""

from __future__ import annotations

import datetime as dt
import email.policy
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from elip_map.config import Settings
from elip_map.directory.models import Location, Organization, Schedule, utcnow
from elip_map.directory.storage import open_database
from elip_map.directory.audit import audit_entries
from elip_map.review.models import ChangeRequest
from elip_map.verification.campaign import LEASE, bounced_mails, deliver_pending, queue_campaign
from elip_map.verification.mailer import parse_smtp_url
from elip_map.verification.models import MailStatus, VerificationMail
from elip_map.testing import free_port, make_org
from tests.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://map.elip.test"
SECRET = "test-secret-for-links"
LINK = re.compile(r"https://map\.elip\.test/verify/\S+")


@pytest.fixture
def smtp():
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


def add_orgs(session, contacts):
    """One organization per (name, contact e-mail or None, language)."""
    ids = {}
    for name, email, language in contacts:
        org_id, _loc, _svc = make_org(session, name)
        org = session.get(Organization, org_id)
        org.contact_email, org.contact_language = email, language
        ids[name] = org_id
    return ids


def run_cli(db_url, smtp_url, *args, wait=True):
    env = {**os.environ, "DATABASE_URL": db_url, "ELIP_SMTP_URL": smtp_url, "ELIP_PUBLIC_URL": PUBLIC,
           "ELIP_SECRET_KEY": SECRET, "ELIP_MAIL_FROM": "ELIP <map@elip.test>", "ELIP_MAIL_REPLY_TO": "staff@elip.test"}
    cmd = [sys.executable, "-m", "elip_map", "campaign", "send", *args]
    if not wait:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


CONTACTS = [("Bridge Settlement", "intake@bridge.example", "en"), ("Centre d'accueil", "info@accueil.example", "fr"),
            ("Arabic Family Centre", "hello@afc.example", "ar"), ("No Contact Org", None, None)]


def test_campaign_sends_exactly_one_mail_per_organization(tmp_path, smtp):
    url = f"sqlite:///{tmp_path / 'campaign.sqlite3'}"
    db = open_database(url)
    with db.session() as s:
        add_orgs(s, CONTACTS)
    db.dispose()

    done = run_cli(url, smtp.url)
    assert done.returncode == 0, done.stderr
    assert "queued 3 mail(s)" in done.stdout and "sent 3" in done.stdout
    assert "1 have no contact e-mail" in done.stdout
    received = smtp.recorder.messages
    assert sorted(r for m in received for r in m.recipients) == sorted(c[1] for c in CONTACTS if c[1])
    by_to = {m.recipients[0]: m for m in received}
    # Each in the contact's language, naming its organization, with a personal absolute link on ELIP_PUBLIC_URL.
    assert by_to["intake@bridge.example"].message["Subject"] == "Please check your listings on the ELIP Service Map"
    assert "Bridge Settlement main office" in by_to["intake@bridge.example"].text
    assert "Vérifiez" in by_to["info@accueil.example"].message["Subject"]
    assert re.search(r"[\u0600-\u06ff]", by_to["hello@afc.example"].message["Subject"])
    links = [LINK.search(m.text).group(0) for m in received]
    assert len(set(links)) == 3 and all(urlsplit(link).scheme == "https" for link in links)
    assert by_to["intake@bridge.example"].message["Reply-To"] == "staff@elip.test"

    again = run_cli(url, smtp.url)
    assert again.returncode == 0, again.stderr
    assert "queued 0 mail(s); 3 organization(s) already have a live link" in again.stdout
    assert len(smtp.recorder.messages) == 3


def test_campaign_for_one_organization_and_stale_only(tmp_path, smtp):
    url = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    db = open_database(url)
    with db.session() as s:
        ids = add_orgs(s, CONTACTS[:3])
        fresh = s.scalars(select(Location).where(Location.organization_id == ids["Bridge Settlement"])).one()
        fresh.last_verified = dt.date.today()
    db.dispose()
    one = run_cli(url, smtp.url, "--organization", str(ids["Centre d'accueil"]))
    assert one.returncode == 0 and [m.recipients for m in smtp.recorder.messages] == [["info@accueil.example"]]
    stale = run_cli(url, smtp.url, "--stale-only")
    assert stale.returncode == 0, stale.stderr
    # Bridge was verified today; Centre d'accueil already has its live link: only the Arabic centre is left.
    assert [m.recipients for m in smtp.recorder.messages][1:] == [["hello@afc.example"]]


def test_restart_mid_campaign_neither_resends_nor_loses(tmp_path, smtp):
    url = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    contacts = [(f"Org {i}", f"contact{i}@org{i}.example", "en") for i in range(5)]
    db = open_database(url)
    with db.session() as s:
        add_orgs(s, contacts)
    smtp.recorder.hold_after = 2  # the server stalls on the third mail...
    proc = run_cli(url, smtp.url, wait=False)
    assert smtp.recorder.held.wait(60), proc.stderr.read() if proc.poll() is not None else "sender never got there"
    proc.send_signal(signal.SIGKILL)  # ...and the sender dies in the middle of it
    proc.wait(30)
    smtp.recorder.release.set()
    assert len(smtp.recorder.messages) == 2

    restarted = run_cli(url, smtp.url)
    assert restarted.returncode == 0, restarted.stderr
    assert "queued 0 mail(s)" in restarted.stdout
    # The mail the dead sender had claimed is left alone while it might still be on its way...
    assert len(smtp.recorder.messages) == 4
    # ...and taken up once its lease is over (time passing, shown by moving the claim back).
    with db.session() as s:
        s.execute(update(VerificationMail).where(VerificationMail.status == MailStatus.SENDING.value)
                  .values(claimed_at=utcnow() - LEASE - dt.timedelta(minutes=1)))
    final = run_cli(url, smtp.url)
    assert final.returncode == 0, final.stderr
    recipients = sorted(r for m in smtp.recorder.messages for r in m.recipients)
    assert recipients == sorted(c[1] for c in contacts)  # every organization once: none lost, none twice
    with db.session() as s:
        assert set(s.scalars(select(VerificationMail.status))) == {MailStatus.SENT.value}
    db.dispose()


def _queue(db, **kw):
    with db.session() as s:
        return queue_campaign(s, secret_key=SECRET, public_url=PUBLIC, link_days=30, stale_months=12, **kw)


def test_a_bounce_is_recorded_for_the_data_health_page(db, smtp):
    with db.session() as s:
        add_orgs(s, [("Gone Org", "nobody@bounce.example", "en"), ("Fine Org", "ok@fine.example", "en")])
    _queue(db)
    result = deliver_pending(db, parse_smtp_url(smtp.url), sender="map@elip.test", reply_to=None)
    assert (result.sent, result.bounced) == (1, 1)
    assert [m.recipients for m in smtp.recorder.messages] == [["ok@fine.example"]]
    with db.session() as s:
        (bounce,) = bounced_mails(s)
        assert (bounce["organization"], bounce["to"], bounce["status"]) == ("Gone Org", "nobody@bounce.example", "bounced")
        assert "550" in bounce["error"]
        assert [e.action for e in audit_entries(s, action="verification.bounce")] == ["verification.bounce"]


def test_server_down_is_retried_later_with_back_off(db, smtp):
    with db.session() as s:
        add_orgs(s, [("Patient Org", "wait@patient.example", "en")])
    _queue(db)
    down = parse_smtp_url(f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    first = deliver_pending(db, down, sender="map@elip.test", reply_to=None)
    assert (first.sent, first.retry) == (0, 1)
    with db.session() as s:
        mail = s.scalars(select(VerificationMail)).one()
        assert mail.status == "queued" and mail.attempts == 1 and mail.next_attempt_at > utcnow()
    up = parse_smtp_url(smtp.url)
    assert deliver_pending(db, up, sender="map@elip.test", reply_to=None).sent == 0  # not due yet
    later = deliver_pending(db, up, sender="map@elip.test", reply_to=None,
                            clock=lambda: utcnow() + dt.timedelta(hours=1))
    assert later.sent == 1 and [m.recipients for m in smtp.recorder.messages] == [["wait@patient.example"]]


def test_each_partner_gets_the_mail_in_its_preferred_language(db, smtp):
    """Punjabi, Arabic, Chinese (Mandarin and Cantonese), Tigrinya contacts each read their own language,
    decoded from MIME as a mail program would; an unknown preference gets English. Arabic has an HTML
    part marked right to left; weekday names are the language's own."""
    people = [("Punjabi Org", "pa@org.example", "pa"), ("Arabic Org", "ar@org.example", "ar"),
              ("Mandarin Org", "zh@org.example", "zh"), ("Cantonese Org", "yue@org.example", "yue"),
              ("Tigrinya Org", "ti@org.example", "ti"), ("Dari Org", "prs@org.example", "fa-AF"),
              ("Klingon Org", "tlh@org.example", "tlh")]
    with db.session() as s:
        ids = add_orgs(s, people)
        loc = s.scalars(select(Location).where(Location.organization_id == ids["Arabic Org"])).one()
        s.add(Schedule(location_id=loc.id, weekday=1, opens_at=dt.time(9), closes_at=dt.time(17)))
    _queue(db)
    result = deliver_pending(db, parse_smtp_url(smtp.url), sender="ELIP <map@elip.test>", reply_to=None)
    assert result.sent == len(people)
    mails = {m.recipients[0]: m for m in smtp.recorder.messages}
    gurmukhi, arabic, han, ethiopic = r"[\u0A00-\u0A7F]", r"[\u0600-\u06FF]", r"[\u4e00-\u9fff]", r"[\u1200-\u137F]"
    expected = {"pa@org.example": ("pa", gurmukhi, "ਨਮਸਕਾਰ"), "ar@org.example": ("ar", arabic, "مرحبًا"),
                "zh@org.example": ("zh-Hans", han, "您好"), "yue@org.example": ("zh-Hant", han, "您好"),
                "ti@org.example": ("ti", ethiopic, "ሰላም"), "prs@org.example": ("prs", arabic, "سلام"),
                "tlh@org.example": ("en", r"Please check", "Hello")}
    for to, (tag, script, greeting) in expected.items():
        mail = mails[to]
        assert mail.message["Content-Language"] == tag, to
        assert re.search(script, mail.message["Subject"]), (to, mail.message["Subject"])  # RFC 2047, decoded
        assert mail.text.startswith(greeting), (to, mail.text[:40])
        assert mail.message.get_body(preferencelist=("plain",)).get_content_charset() == "utf-8"
        link = LINK.search(mail.text).group(0)
        assert f'href="{link}"' in mail.html  # the same personal link in both parts
    assert "Mandarin Org" in mails["zh@org.example"].text and "简" not in mails["yue@org.example"].text
    assert "请" in mails["zh@org.example"].text and "請" in mails["yue@org.example"].text  # simplified vs traditional
    # Right to left where the language is, left to right elsewhere; data lines keep their own direction.
    assert re.search(r'<html lang="ar" dir="rtl">', mails["ar@org.example"].html)
    assert re.search(r'<html lang="prs" dir="rtl">', mails["prs@org.example"].html)
    assert re.search(r'<html lang="pa" dir="ltr">', mails["pa@org.example"].html)
    assert '<bdi dir="auto">- Arabic Org main office' in mails["ar@org.example"].html
    # Monday in Arabic (CLDR's short name), not "Mon".
    assert "الاثنين 9:00-17:00" in mails["ar@org.example"].text and "Mon " not in mails["ar@org.example"].text
    # The raw bytes on the wire are MIME-encoded (no bare UTF-8 in headers).
    assert all(ord(ch) < 128 for ch in mails["pa@org.example"].message.as_string(policy=email.policy.SMTP)[:400])


# --- the link pages --------------------------------------------------------------------------------

@pytest.fixture
def linked(tmp_path, clear_pages_state, geodata_mirror):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'links.sqlite3'}"
    db = open_database(url)
    with db.session() as s:
        ids = add_orgs(s, [("Bridge Settlement", "a@bridge.example", "en"), ("Other Agency", "b@other.example", "fr")])
    _queue(db)
    with db.session() as s:
        bodies = {m.organization_id: m.body for m in s.scalars(select(VerificationMail))}
    links = {name: urlsplit(LINK.search(bodies[oid]).group(0)).path for name, oid in ids.items()}
    app = create_app(Settings(database_url=url, secret_key=SECRET, public_url=PUBLIC, tile_url="",
                              data_mirror=geodata_mirror), load_sample=False)
    yield {"client": app.server.test_client(), "links": links, "db": db, "ids": ids}
    db.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_link_opens_only_its_own_organization(linked):
    page = linked["client"].get(linked["links"]["Bridge Settlement"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Bridge Settlement main office" in text and "Other Agency" not in text
    other = linked["client"].get(linked["links"]["Other Agency"]).get_data(as_text=True)
    assert "Other Agency main office" in other and "Bridge" not in other
    assert 'lang="fr"' in other  # the contact's language


def test_confirm_marks_listings_verified_and_change_enters_review_then_link_is_used(linked):
    client, path, db = linked["client"], linked["links"]["Bridge Settlement"], linked["db"]
    token = _csrf(client.get(path).get_data(as_text=True))
    done = client.post(path + "/confirm", data={"csrf_token": token})
    assert done.status_code == 200 and "marked as checked today" in done.get_data(as_text=True)
    org_id = linked["ids"]["Bridge Settlement"]
    with db.session() as s:
        loc = s.scalars(select(Location).where(Location.organization_id == org_id)).one()
        assert loc.last_verified == dt.date.today()
        loc_id, svc_id = loc.id, loc.services[0].id
        other_loc = s.scalars(select(Location).where(Location.organization_id == linked["ids"]["Other Agency"])).one()
        assert other_loc.last_verified is None

    form = {"csrf_token": token, f"loc-{loc_id}-phone": "780 555 0199", f"svc-{loc_id}-{svc_id}-fee": "free",
            f"svc-{loc_id}-{svc_id}-statuses": ["refugee-claimant", "permanent-resident"],
            f"svc-{loc_id}-{svc_id}-eligibility": "", f"loc-{other_loc.id}-name": "Hijacked"}
    sent = client.post(path + "/change", data=form)
    assert sent.status_code == 200 and "changes were sent" in sent.get_data(as_text=True)
    with db.session() as s:
        (request,) = s.scalars(select(ChangeRequest)).all()
        assert request.status == "pending" and request.location_id == loc_id
        assert request.payload["phone"] == "+17805550199"
        assert request.payload["services"][str(svc_id)]["statuses"] == ["permanent-resident", "refugee-claimant"]
        assert s.get(Location, other_loc.id).name == "Other Agency main office"

    replay = client.get(path)
    assert replay.status_code == 410 and "already used" in replay.get_data(as_text=True)
    assert "Bridge" not in replay.get_data(as_text=True)
    again = client.post(path + "/change", data=form)
    assert again.status_code == 410
    with db.session() as s:
        assert len(s.scalars(select(ChangeRequest)).all()) == 1


def test_problems_in_a_proposal_are_written_in_the_mails_language(linked):
    """A French contact's link: a wrong postal code is refused in French, whatever the browser asks for."""
    client, path, db = linked["client"], linked["links"]["Other Agency"], linked["db"]
    page = client.get(path, headers={"Accept-Language": "en"})
    assert 'lang="fr"' in page.get_data(as_text=True)
    with db.session() as s:
        loc = s.scalars(select(Location).where(Location.organization_id == linked["ids"]["Other Agency"])).one()
    form = {"csrf_token": _csrf(page.get_data(as_text=True)), f"loc-{loc.id}-postal_code": "99999"}
    refused = client.post(path + "/change", data=form, headers={"Accept-Language": "en"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "« 99999 » n’est pas un code postal canadien" in text and "is not a Canadian postal code" not in text


def test_tampered_forged_and_expired_links_are_refused_plainly(linked):
    from elip_map.verification.links import make_token

    client, path = linked["client"], linked["links"]["Bridge Settlement"]
    token = path.rsplit("/", 1)[1]
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    for bad in (tampered, "/verify/" + token.split(".")[0], "/verify/nonsense"):
        page = client.get(bad)
        text = page.get_data(as_text=True)
        assert page.status_code == 400 and "This link does not work" in text and "Bridge" not in text
    with linked["db"].session() as s:
        other = s.scalars(select(VerificationMail).where(
            VerificationMail.organization_id == linked["ids"]["Other Agency"])).one()
        forged = make_token("a-guessed-key", other.id, other.nonce)  # right row and nonce, wrong key
        wrong_nonce = make_token(SECRET, other.id, "guessed-nonce")
    for bad in (forged, wrong_nonce):
        page = client.get("/verify/" + bad)
        assert page.status_code == 400 and "Other Agency" not in page.get_data(as_text=True)
    with linked["db"].session() as s:
        s.execute(update(VerificationMail).values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    expired = client.get(path)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert "Bridge" not in expired.get_data(as_text=True)


def test_phone_is_shown_as_people_write_it_and_sending_it_back_unchanged_is_no_change(linked):
    """The stored +17804247709 is shown as 780-424-7709 (how Edmonton's listings print it); a partner who
    only presses "send" on the form as shown has changed nothing, so nothing enters the review queue."""
    client, path, db = linked["client"], linked["links"]["Bridge Settlement"], linked["db"]
    page = client.get(path).get_data(as_text=True)
    assert 'value="780-424-7709"' in page and "+17804247709" not in page
    with db.session() as s:
        loc = s.scalars(select(Location).where(Location.organization_id == linked["ids"]["Bridge Settlement"])).one()
    form = {"csrf_token": _csrf(page), f"loc-{loc.id}-phone": "780-424-7709", f"loc-{loc.id}-postal_code": "T5J 1C4"}
    answer = client.post(path + "/change", data=form)
    assert answer.status_code == 422 and "nothing" in answer.get_data(as_text=True).lower()
    with db.session() as s:
        assert s.scalars(select(ChangeRequest)).all() == []


def test_the_reader_can_switch_the_link_page_to_another_language_and_keeps_it(linked):
    """An English contact's link read by a colleague in French: the page's menu switches it, the form's
    buttons keep the choice, and a refused postal code is then explained in French."""
    client, path, db = linked["client"], linked["links"]["Bridge Settlement"], linked["db"]
    page = client.get(path).get_data(as_text=True)
    assert 'lang="en"' in page
    with db.session() as s:
        until = s.scalars(select(VerificationMail.expires_at).where(
            VerificationMail.organization_id == linked["ids"]["Bridge Settlement"])).one()
    assert f"works until \u2068{until:%B} {until.day}, {until.year}\u2069." in page  # a date people read, kept whole
    menu = re.findall(r'<a class="elip-ui-link" href="([^"]+)" lang="([^"]+)"', page)
    assert len(menu) == 14 and (f"{path}?ui=fr", "fr") in menu and (f"{path}?ui=ar", "ar") in menu
    french = client.get(path + "?ui=fr").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in french and "Bridge Settlement main office" in french
    assert f'action="{path}/change?ui=fr"' in french and f'action="{path}/confirm?ui=fr"' in french
    arabic = client.get(path + "?ui=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    with db.session() as s:
        loc = s.scalars(select(Location).where(Location.organization_id == linked["ids"]["Bridge Settlement"])).one()
    form = {"csrf_token": _csrf(french), f"loc-{loc.id}-postal_code": "99999"}
    refused = client.post(path + "/change?ui=fr", data=form)
    assert refused.status_code == 422 and "« 99999 » n’est pas un code postal canadien" in refused.get_data(as_text=True)
    # A language the map does not offer falls back to the mail's own.
    assert '<html lang="en" dir="ltr">' in client.get(path + "?ui=xx-unknown").get_data(as_text=True)
