"""Bounces that arrive after sending: each verification mail leaves with its own signed envelope sender
(VERP), a relay on 127.0.0.1 (aiosmtpd) accepts the mails and later reports failures as Postfix does,
into a real maildir, and `elip-map campaign bounces` records them for the data-health page."""

from __future__ import annotations

import email
import email.policy
import mailbox
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from elip_map.cli import cli
from elip_map.directory.audit import audit_entries
from elip_map.directory.models import Organization
from elip_map.directory.storage import open_database
from elip_map.testing import free_port
from elip_map.verification.bounces import mail_for_token, read_report, token_in
from elip_map.verification.contacts import mail_health
from elip_map.verification.models import MailStatus, VerificationMail
from tests.smtp_server import SmtpServer, delivery_report, deliver_to_maildir
from tests.unit.test_verification import PUBLIC, SECRET, add_orgs

BOUNCES = "bounces@map.elip.test"
FROM = "map@elip.test"
VERP = re.compile(r"^bounces\+(\d+)-([0-9a-f]{20})@map\.elip\.test$")
GONE = ("5.1.1", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table")
SLOW = ("4.4.1", "connect to mx.slow.example[192.0.2.7]:25: Connection timed out")
ORGS = [("Gone Org", "nobody@gone.example", "en"), ("Slow Org", "wait@slow.example", "fr"),
        ("Fine Org", "ok@fine.example", "en"), ("Old Server Org", "left@oldmx.example", "en")]


@pytest.fixture
def relay(tmp_path):
    """The relay: accepts every mail; later reports gone.example as failed (5.1.1) and slow.example as
    delayed (4.4.1) to the mail's envelope sender, delivered into the bounce mailbox (a maildir)."""
    server = SmtpServer(free_port())
    server.recorder.report_to = tmp_path / "bounces"
    server.recorder.later = {"gone.example": ("failed", GONE[0], GONE[1].format(rcpt="nobody@gone.example")),
                             "slow.example": ("delayed", SLOW[0], SLOW[1])}
    server.start()
    yield server
    server.stop()


@pytest.fixture
def directory(db_url):
    """Four organizations with contacts, on SQLite and on PostgreSQL."""
    url = db_url
    db = open_database(url)
    with db.session() as s:
        ids = add_orgs(s, ORGS)
    yield {"url": url, "db": db, "ids": ids}
    db.dispose()


def _cli(url, smtp_url, *args, bounce_address=BOUNCES):
    env = {"DATABASE_URL": url, "ELIP_SMTP_URL": smtp_url, "ELIP_PUBLIC_URL": PUBLIC, "ELIP_SECRET_KEY": SECRET,
           "ELIP_MAIL_FROM": f"ELIP <{FROM}>", "ELIP_BOUNCE_ADDRESS": bounce_address}
    return CliRunner().invoke(cli, ["campaign", *args], env=env)


def _bounced(db) -> list[str]:
    with db.session() as s:
        return sorted(row["organization"] for row in mail_health(s)["bounced"])


def _audited(db) -> list[int]:
    with db.session() as s:
        return sorted(int(e.entity_id) for e in audit_entries(s, action="verification.bounce"))


def _statuses(db) -> dict[str, str]:
    with db.session() as s:
        return dict(s.execute(select(Organization.name, VerificationMail.status).join(VerificationMail.organization)).all())


def _received(relay, address):
    return next(m for m in relay.recorder.messages if m.recipients == [address])


def test_each_mail_leaves_with_its_own_signed_envelope_sender(directory, relay):
    sent = _cli(directory["url"], relay.url, "send")
    assert sent.exit_code == 0, sent.output
    assert "sent 4" in sent.output
    senders = {m.recipients[0]: m.sender for m in relay.recorder.messages}
    assert len(set(senders.values())) == 4 and all(VERP.match(s) for s in senders.values())
    with directory["db"].session() as s:
        for address, sender in senders.items():
            mail = mail_for_token(s, SECRET, token_in(BOUNCES, sender))
            assert mail is not None and mail.to_address == address  # the address names its own mail
            assert mail_for_token(s, "another-secret", token_in(BOUNCES, sender)) is None
    # The From and Reply-To people see are unchanged.
    assert all(m.message["From"].addresses[0].addr_spec == FROM for m in relay.recorder.messages)


def test_without_a_bounce_address_the_envelope_sender_is_the_from_address(directory, relay):
    sent = _cli(directory["url"], relay.url, "send", bounce_address="")
    assert sent.exit_code == 0, sent.output
    assert {m.sender for m in relay.recorder.messages} == {FROM}


def test_later_bounces_in_the_maildir_are_recorded_once(directory, relay, tmp_path):
    db, inbox_path = directory["db"], tmp_path / "bounces"
    assert _cli(directory["url"], relay.url, "send").exit_code == 0
    # The relay has reported gone.example (failed) and slow.example (delayed). An old server answers in
    # plain text, as qmail does, to the envelope sender of the mail it could not deliver.
    old = _received(relay, "left@oldmx.example")
    deliver_to_maildir(inbox_path, QMAIL.format(sender=old.sender, rcpt="left@oldmx.example",
                                                 message_id=old.message["Message-ID"]).encode())
    assert len(mailbox.Maildir(inbox_path)) == 3
    assert _bounced(db) == []

    first = _cli(directory["url"], relay.url, "bounces", "--maildir", str(inbox_path))
    assert first.exit_code == 0, first.output
    assert "read 3 message(s): 2 bounce(s) recorded" in first.output
    assert "1 delay notice(s)" in first.output
    assert "bounced: nobody@gone.example (5.1.1 550 5.1.1" in first.output
    # The staff health page's bounced list and count, and the audit log, name exactly the two.
    assert _bounced(db) == ["Gone Org", "Old Server Org"]
    ids = directory["ids"]
    assert _audited(db) == sorted([ids["Gone Org"], ids["Old Server Org"]])
    assert _statuses(db) == {"Gone Org": "bounced", "Slow Org": "sent", "Fine Org": "sent", "Old Server Org": "bounced"}
    with db.session() as s:
        gone = next(r for r in mail_health(s)["bounced"] if r["organization"] == "Gone Org")
        assert gone["to"] == "nobody@gone.example" and "User unknown" in gone["error"]
        # Stored in English, word for word as before the reasons were note templates.
        assert gone["error"] == "delivery report: 5.1.1 " + GONE[1].format(rcpt="nobody@gone.example")

    # Read messages moved to the 'processed' folder: the next run reads nothing and records nothing.
    box = mailbox.Maildir(inbox_path)
    assert len(box) == 0 and len(box.get_folder("processed")) == 3
    second = _cli(directory["url"], relay.url, "bounces", "--maildir", str(inbox_path))
    assert second.exit_code == 0 and "read 0 message(s): 0 bounce(s) recorded" in second.output
    # Even the same reports again (a run that stopped before moving them) record nothing new.
    for message in box.get_folder("processed"):
        box.add(message)
    third = _cli(directory["url"], relay.url, "bounces", "--maildir", str(inbox_path))
    assert third.exit_code == 0 and "0 bounce(s) recorded" in third.output and "2 already recorded" in third.output
    assert _audited(db) == sorted([ids["Gone Org"], ids["Old Server Org"]])
    assert _bounced(db) == ["Gone Org", "Old Server Org"]


def test_forged_and_unrelated_mail_in_the_bounce_box_changes_nothing(directory, relay, tmp_path):
    db, inbox_path = directory["db"], tmp_path / "forged"
    assert _cli(directory["url"], relay.url, "send").exit_code == 0
    fine = _received(relay, "ok@fine.example")
    mail_id = VERP.match(fine.sender).group(1)
    headers = f"From: ELIP <{FROM}>\nTo: ok@fine.example\nMessage-ID: {fine.message['Message-ID']}\nSubject: x"
    fail = ("failed", "5.1.1", "550 5.1.1 User unknown")
    # A well-formed report to a bounce address whose signature is wrong (the right mail id, a made-up hex).
    deliver_to_maildir(inbox_path, delivery_report(f"bounces+{mail_id}-0123456789abcdef0123@map.elip.test",
                                                   "ok@fine.example", *fail, headers))
    # One signed for this site's address but with another secret.
    deliver_to_maildir(inbox_path, delivery_report(f"bounces+{mail_id}-{'f' * 20}@map.elip.test",
                                                   "ok@fine.example", *fail, headers))
    # No token at all, and the real Message-ID, but about someone else's address.
    deliver_to_maildir(inbox_path, delivery_report(FROM, "stranger@else.example", *fail, headers))
    # An out-of-office reply to the genuine envelope sender: not a bounce.
    deliver_to_maildir(inbox_path, AUTO_REPLY.format(sender=fine.sender).encode())
    # Human mail that happens to land in the box.
    deliver_to_maildir(inbox_path, b"From: someone@else.example\nTo: bounces@map.elip.test\nSubject: hello\n\nhi\n")

    result = _cli(directory["url"], relay.url, "bounces", "--maildir", str(inbox_path))
    assert result.exit_code == 0, result.output
    assert "read 5 message(s): 0 bounce(s) recorded" in result.output and "5 not about a verification" in result.output
    assert _statuses(db)["Fine Org"] == "sent" and _bounced(db) == [] and _audited(db) == []


def test_reports_without_a_token_are_matched_by_message_id_and_recipient_in_an_mbox(directory, relay, tmp_path):
    db = directory["db"]
    relay.recorder.report_to = tmp_path / "unused"
    assert _cli(directory["url"], relay.url, "send", bounce_address="").exit_code == 0
    gone = _received(relay, "nobody@gone.example")
    assert gone.sender == FROM  # no VERP: the report goes to the From address, with the original headers
    headers = "\n".join(f"{k}: {v}" for k, v in gone.message.items())
    box_path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(box_path)
    status, diagnostic = GONE[0], GONE[1].format(rcpt="nobody@gone.example")
    box.add(delivery_report(FROM, "nobody@gone.example", "failed", status, diagnostic, headers))
    box.add(delivery_report(FROM, "wait@slow.example", "delayed", *SLOW, headers))
    box.flush()
    before = box_path.read_bytes()

    for run in range(2):
        result = _cli(directory["url"], relay.url, "bounces", "--mbox", str(box_path), bounce_address="")
        assert result.exit_code == 0, result.output
        assert f"read 2 message(s): {1 - run} bounce(s) recorded" in result.output
    assert _bounced(db) == ["Gone Org"] and _audited(db) == [directory["ids"]["Gone Org"]]
    assert box_path.read_bytes() == before  # the mbox is only read


def test_a_server_that_gave_up_and_a_mail_that_reached_its_reader(directory, relay, tmp_path):
    db = directory["db"]
    relay.recorder.later["slow.example"] = ("failed", "4.4.7", "delivery time expired after 5 days")
    assert _cli(directory["url"], relay.url, "send").exit_code == 0
    with db.session() as s:  # Gone Org's link was opened: the mail reached someone after all
        gone = s.scalars(select(VerificationMail).where(VerificationMail.organization_id == directory["ids"]["Gone Org"])).one()
        gone.opened_at = gone.created_at
    result = _cli(directory["url"], relay.url, "bounces", "--maildir", str(tmp_path / "bounces"))
    assert result.exit_code == 0, result.output
    assert "0 bounce(s) recorded; 1 gave up" in result.output and "1 about e-mails whose link was opened" in result.output
    assert "the receiving server gave up: wait@slow.example (4.4.7" in result.output
    # Given up after retrying is not a refused address, but the mail never arrived: staff see it, as "failed".
    assert _statuses(db) == {"Gone Org": "sent", "Slow Org": "failed", "Fine Org": "sent", "Old Server Org": "sent"}
    assert _bounced(db) == ["Slow Org"] and _audited(db) == [directory["ids"]["Slow Org"]]
    with db.session() as s:
        (slow,) = mail_health(s)["bounced"]
    assert slow["error"] == "delivery report, the receiving server gave up: 4.4.7 delivery time expired after 5 days"
    assert (slow["status"], slow["status_text"]) == ("failed", "gave up after retrying")


def test_the_bounce_mailbox_must_be_named_and_exist(directory, relay, tmp_path):
    missing = _cli(directory["url"], relay.url, "bounces", "--maildir", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "is not a maildir" in missing.output and "Traceback" not in missing.output
    none = _cli(directory["url"], relay.url, "bounces")
    assert none.exit_code == 2 and "--maildir DIR or --mbox FILE" in none.output


# --- reading bounce bodies ------------------------------------------------------------------------------

QMAIL = """Return-Path: <>
Delivered-To: {sender}
Date: 30 Nov 2026 19:12:44 -0000
From: MAILER-DAEMON@oldmx.example
To: {sender}
Subject: failure notice

Hi. This is the qmail-send program at oldmx.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<{rcpt}>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <{sender}>
Message-ID: {message_id}
Subject: Please check your listings on the ELIP Service Map
"""

EXIM = """From: Mail Delivery System <Mailer-Daemon@mx.example>
To: {sender}
Subject: Mail delivery failed: returning message to sender

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {rcpt}
    host mx.example [192.0.2.1]
    SMTP error from remote mail server after RCPT TO:<{rcpt}>:
    550 5.1.1 The email account that you tried to reach does not exist.
"""

EXIM_DELAY = """From: Mail Delivery System <Mailer-Daemon@mx.example>
To: {sender}
Subject: Warning: message 1abc-000 delayed 24 hours

This message was created automatically by mail delivery software.
A message that you sent has not yet been delivered to one or more of its
recipients after more than 24 hours on the queue on mx.example.

  {rcpt}
    host mx.example [10.5.2.1]: a status-looking IP address is not a status
    Delay reason: SMTP error from remote mail server after RCPT TO:<{rcpt}>:
    451 4.2.2 Mailbox full, try again later
No action is required on your part. Delivery attempts will continue for some time.
"""

AUTO_REPLY = """From: Intake Desk <ok@fine.example>
To: {sender}
Subject: Automatic reply: Please check your listings on the ELIP Service Map
Auto-Submitted: auto-replied

I am out of the office until December 8 and will have limited access to e-mail.
"""


@pytest.mark.parametrize("text, action, status", [
    (QMAIL, "failed", "5.1.1"), (EXIM, "failed", "5.1.1"), (EXIM_DELAY, "delayed", "4.2.2"),
    (AUTO_REPLY, None, None),
])
def test_plain_text_bounce_bodies_are_read_and_replies_are_not_bounces(text, action, status):
    sender, rcpt = "bounces+7-0123456789abcdef0123@map.elip.test", "person@dest.example"
    message = email.message_from_string(text.format(sender=sender, rcpt=rcpt, message_id="<1.2@x>"),
                                        policy=email.policy.default)
    report = read_report(message)
    about = [r for r in report.recipients if r.address == rcpt]
    if action is None:
        assert not report.is_report and about == []
        return
    assert report.is_report and [(r.action, r.status) for r in about] == [(action, status)]
    assert token_in(BOUNCES, sender) in [token_in(BOUNCES, a) for a in report.addressed_to]


def test_a_standard_report_is_read_field_by_field(tmp_path):
    data = delivery_report("bounces+3-aaaaaaaaaaaaaaaaaaaa@map.elip.test", "Nobody@Gone.example", "failed", "5.2.2",
                           "552 5.2.2 Mailbox full", "Message-ID: <9.9.9.verify.abcdefghijkl@map.elip.test>")
    report = read_report(email.message_from_bytes(data, policy=email.policy.default))
    (line,) = report.recipients
    assert (line.address, line.action, line.status, line.diagnostic) == (
        "Nobody@Gone.example", "failed", "5.2.2", "552 5.2.2 Mailbox full")
    assert report.original_message_ids == ["<9.9.9.verify.abcdefghijkl@map.elip.test>"]
    assert "bounces+3-aaaaaaaaaaaaaaaaaaaa@map.elip.test" in report.addressed_to
    assert token_in(BOUNCES, "BOUNCES+3-AAAAAAAAAAAAAAAAAAAA@Map.Elip.Test") == "3-aaaaaaaaaaaaaaaaaaaa"
    assert token_in(BOUNCES, "bounces+3-aaaa@other.example") is None
