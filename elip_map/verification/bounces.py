"""Bounces that arrive after the SMTP conversation: delivery status notifications in a mailbox.

A mail server that accepted a verification mail and later fails to deliver it sends a report to the
mail's envelope sender (Return-Path). Each mail leaves with its own envelope sender (VERP, see
``mailer.verp_address``): ``bounces+<token>@domain`` from ``ELIP_BOUNCE_ADDRESS``, where the token names
the mail row and is signed with ``ELIP_SECRET_KEY``, so the report says by its own address which mail
failed, and a forged report (a token that does not verify) changes nothing.

Reports are read as RFC 3464 ``multipart/report; report-type=delivery-status`` (what Postfix, Exim,
Sendmail, Microsoft 365 and Gmail send), and, failing that, as the plain-text bounce bodies older
servers write (qmail's "failure notice", "Mail delivery failed"). ``Action: failed`` with a 5.x.x
status is a bounce; ``Action: delayed`` (4.x.x) is not: the server is still trying. When a report
carries no token (``ELIP_BOUNCE_ADDRESS`` unset, or a server that rewrote the address), the original
Message-ID in the returned headers names the mail, but only together with the failed recipient's
address.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hmac
import mailbox
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.utils import getaddresses

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.models import utcnow
from ..geocoding.notes import BOUNCE_GAVE_UP, BOUNCE_NO_REASON, BOUNCE_REPORTED
from .campaign import mark_bounced
from .mailer import bounce_token, split_address
from .models import MailStatus, VerificationMail

_TOKEN = re.compile(r"^(\d{1,12})-([0-9a-f]{20})$")
# make_msgid(idstring="verify.<nonce[:12]>") in campaign.deliver_pending writes this into every Message-ID.
_MESSAGE_ID_KEY = re.compile(r"\.verify\.([A-Za-z0-9_-]{12})@")
# Not inside an IP address or a version number: '[10.5.2.1]' holds no status 5.2.1.
_ENHANCED = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)")
_BASIC_PERMANENT = re.compile(r"(?:^|\s|\()(5[0-5]\d)[\s-]")
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "X-Original-Recipient", "To")
# Subjects and senders of bounce bodies that are not RFC 3464 reports.
_BOUNCE_SUBJECT = re.compile(r"undeliver|delivery (?:status notification|failure|has failed|failed)|returned mail|"
                             r"failure notice|mail delivery failed|could not be delivered|non-?delivery|"
                             r"delivery problem", re.I)
_DAEMON = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon)@", re.I)
_DELAY_WORDS = re.compile(r"\bdelayed\b|will (?:continue to )?retry|will be retried|still trying|has not yet been "
                          r"delivered|attempts will continue|warning only", re.I)
_PERMANENT_WORDS = re.compile(r"permanent (?:error|failure)|giving up|not going to try again|"
                              r"user unknown|no such user|mailbox unavailable|does not exist", re.I)


def token_in(bounce_address: str, address: str) -> str | None:
    """The token of a VERP address made from ``bounce_address``, or None for any other address."""
    base, domain = split_address(bounce_address)
    local, their_domain = split_address(address)
    prefix = f"{base}+".lower()
    if their_domain != domain or not local.lower().startswith(prefix):
        return None
    return local[len(prefix):].lower() or None


def mail_for_token(session: Session, secret_key: str, token: str) -> VerificationMail | None:
    """The mail a token names, only when its signature is right (compared in constant time)."""
    match = _TOKEN.match(token)
    if not match:
        return None
    mail = session.get(VerificationMail, int(match.group(1)))
    if mail is None or not hmac.compare_digest(bounce_token(secret_key, mail.id, mail.nonce), token):
        return None
    return mail


# --- reading a report -------------------------------------------------------------------------------

@dataclass
class Recipient:
    address: str
    action: str  # failed, delayed, delivered, relayed, expanded (RFC 3464), or as read from a plain bounce
    status: str = ""  # '5.1.1'
    diagnostic: str = ""


@dataclass
class Report:
    """What a message in the bounce mailbox says, as far as this product needs it."""

    is_report: bool  # a delivery report (standard or plain text) at all
    recipients: list[Recipient] = field(default_factory=list)
    addressed_to: list[str] = field(default_factory=list)  # where the report was delivered (envelope)
    original_message_ids: list[str] = field(default_factory=list)
    message_id: str = ""


def _field(value) -> str:
    """'rfc822; a@b.example' -> 'a@b.example'; unfolded, without the type prefix."""
    text = " ".join(str(value or "").split())
    return text.split(";", 1)[1].strip() if ";" in text else text


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    text = payload if isinstance(payload, str) else part.get_payload(decode=True).decode("utf-8", "replace")
    return [HeaderParser().parsestr(block) for block in re.split(r"\r?\n\s*\r?\n", text.strip()) if block.strip()]


def _headers_of(part: Message) -> Message | None:
    """The returned original message's headers (text/rfc822-headers or message/rfc822)."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        return payload[0]
    if isinstance(payload, str):
        return HeaderParser().parsestr(payload)
    return None


def _status_class(status: str) -> str:
    match = _ENHANCED.search(status or "")
    return match.group(1) if match else ""


def _plain_text(message: Message) -> str:
    texts = []
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.is_multipart():
            try:
                texts.append(part.get_content() if isinstance(part, EmailMessage) else str(part.get_payload()))
            except (LookupError, ValueError):
                texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(texts)


def read_report(message: Message) -> Report:
    """Everything a delivery report says about the recipients it is about, and where it was delivered."""
    envelope = [addr for header in _ENVELOPE_HEADERS for _name, addr in getaddresses(message.get_all(header) or [])
                if addr]
    report = Report(is_report=False, addressed_to=envelope, message_id=str(message.get("Message-ID") or "").strip())
    if message.get_content_type() == "multipart/report":
        for part in message.walk():
            kind = part.get_content_type()
            if kind in ("message/delivery-status", "message/global-delivery-status"):
                blocks = _blocks(part)
                for block in blocks[:1]:  # the per-message fields: Postfix names the envelope sender there
                    if block.get("X-Postfix-Sender"):
                        report.addressed_to.append(_field(block["X-Postfix-Sender"]))
                for block in blocks[1:]:
                    address = _field(block.get("Final-Recipient") or block.get("Original-Recipient"))
                    if address:
                        report.recipients.append(Recipient(
                            address=address, action=str(block.get("Action") or "").strip().lower(),
                            status=str(block.get("Status") or "").strip(),
                            diagnostic=_field(block.get("Diagnostic-Code"))))
                        original = _field(block.get("Original-Recipient"))
                        if original and original.lower() != address.lower():
                            report.recipients.append(Recipient(original, report.recipients[-1].action,
                                                               report.recipients[-1].status,
                                                               report.recipients[-1].diagnostic))
            elif kind in ("text/rfc822-headers", "message/rfc822", "message/global-headers"):
                headers = _headers_of(part)
                if headers is not None and headers.get("Message-ID"):
                    report.original_message_ids.append(str(headers["Message-ID"]).strip())
        report.is_report = bool(report.recipients)
    if not report.is_report:
        _read_plain_bounce(message, report)
    return report


def _read_plain_bounce(message: Message, report: Report) -> None:
    """A bounce written as plain text: recognised by its sender or subject, never by the body alone (an
    out-of-office reply also comes back to the envelope sender, and is not a bounce)."""
    sender = " ".join(addr for _name, addr in getaddresses(message.get_all("From") or []))
    if not (_DAEMON.match(sender.strip()) or _BOUNCE_SUBJECT.search(str(message.get("Subject") or ""))):
        return
    text = _plain_text(message)
    statuses = [".".join(m) for m in _ENHANCED.findall(text)]
    permanent = next((s for s in statuses if s.startswith("5")), "")
    basic = _BASIC_PERMANENT.search(text)
    # An explicit 5.x.x settles it; otherwise a delay notice's words win over loose ones such as
    # "this is not a permanent error" or a 5xx the remote server said before the sender retried.
    if permanent:
        action, status = "failed", permanent
    elif any(s.startswith("4") for s in statuses) or _DELAY_WORDS.search(text):
        action, status = "delayed", next((s for s in statuses if s.startswith("4")), "4.0.0")
    elif basic or _PERMANENT_WORDS.search(text):
        action, status = "failed", basic.group(1) if basic else "5.0.0"
    else:
        return
    diagnostic = next((line.strip() for line in text.splitlines() if status in line), "")[:300]
    envelope = {a.lower() for a in report.addressed_to}
    for address in dict.fromkeys(_ADDRESS.findall(text)):
        if address.lower() not in envelope:
            report.recipients.append(Recipient(address, action, status, diagnostic))
    report.original_message_ids.extend(re.findall(r"(?im)^\s*Message-ID:\s*(<[^>\s]+>)", text))
    report.is_report = bool(report.recipients)


# --- recording ---------------------------------------------------------------------------------------

@dataclass
class BounceScan:
    """What one pass over the bounce mailbox did (the command prints it)."""

    read: int = 0
    recorded: list[tuple[int, str, str]] = field(default_factory=list)  # (organization id, address, reason)
    gave_up: list[tuple[int, str, str]] = field(default_factory=list)
    delayed: int = 0
    already: int = 0
    reached: int = 0  # reports about mails whose link was opened: not recorded
    ignored: int = 0


def _find_mail(session: Session, report: Report, secret_key: str, bounce_address: str | None
               ) -> VerificationMail | None:
    tokens = [t for t in (token_in(bounce_address, a) for a in report.addressed_to) if t] if bounce_address else []
    if tokens:
        # A report sent to a VERP address is believed only if its token verifies: no fallback for a forgery.
        mails = {m.id: m for m in (mail_for_token(session, secret_key, t) for t in tokens) if m is not None}
        return next(iter(mails.values())) if len(mails) == 1 else None
    failed = {r.address.lower() for r in report.recipients}
    for message_id in report.original_message_ids:
        match = _MESSAGE_ID_KEY.search(message_id)
        if not match:
            continue
        for mail in session.scalars(select(VerificationMail).where(
                VerificationMail.nonce.startswith(match.group(1), autoescape=True))):
            # The Message-ID is seen by everyone who got the mail: it counts only with the right recipient.
            if mail.to_address.lower() in failed:
                return mail
    return None


def _about(report: Report, mail: VerificationMail) -> list[Recipient]:
    """The report's lines about the mail's recipient (a report names one recipient per mail we send)."""
    mine = [r for r in report.recipients if r.address.lower() == mail.to_address.lower()]
    return mine or report.recipients


def record_report(session: Session, message: Message, *, secret_key: str, bounce_address: str | None,
                  scan: BounceScan, now: dt.datetime | None = None) -> str:
    """Read one message of the bounce mailbox and record what it proves; returns what it was
    ('bounced', 'gave-up', 'delayed', 'already', 'reached', 'ignored') and counts it in ``scan``."""
    outcome = _outcome(session, message, secret_key, bounce_address, now or utcnow(), scan)
    scan.read += 1
    if outcome in ("delayed", "already", "reached", "ignored"):
        setattr(scan, outcome, getattr(scan, outcome) + 1)
    return outcome


def _outcome(session, message, secret_key, bounce_address, now, scan) -> str:
    try:
        report = read_report(message)
    except (ValueError, LookupError, TypeError, AttributeError, IndexError):
        return "ignored"  # a message the mail parser cannot make sense of is no evidence of anything
    mail = _find_mail(session, report, secret_key, bounce_address) if report.is_report else None
    if mail is None:
        return "ignored"
    lines = _about(report, mail)
    failed = [r for r in lines if r.action == "failed"]
    if not failed:
        return "delayed" if any(r.action == "delayed" for r in lines) else "ignored"
    if mail.status in (MailStatus.BOUNCED.value, MailStatus.FAILED.value):
        return "already"
    if mail.opened_at or mail.confirmed_at or mail.used_at:
        return "reached"  # someone opened its link: the mail reached the organization after all
    line = failed[0]
    # Action: failed with 5.x.x is a bounce; with 4.x.x the receiving server gave up after retrying.
    permanent = (_status_class(line.status) or line.status[:1]) == "5"
    reason = " ".join(p for p in (line.status, line.diagnostic) if p) or BOUNCE_NO_REASON()
    error = (BOUNCE_REPORTED if permanent else BOUNCE_GAVE_UP)(reason=reason)
    mark_bounced(session, mail, error[:2000], permanent=permanent, now=now)
    (scan.recorded if permanent else scan.gave_up).append((mail.organization_id, mail.to_address, reason))
    return "bounced" if permanent else "gave-up"


def parse_message(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def scan_messages(session_factory, messages: Iterable[tuple[object, bytes]], *, secret_key: str,
                  bounce_address: str | None, done=None) -> BounceScan:
    """Record every message, each in its own transaction; ``done(key)`` is called once a message's
    outcome is committed (the maildir reader moves it out of the inbox then)."""
    scan = BounceScan()
    for key, data in messages:
        with session_factory() as session:
            record_report(session, parse_message(data), secret_key=secret_key, bounce_address=bounce_address,
                          scan=scan)
        if done is not None:
            done(key)
    return scan


# --- the mailboxes Postfix and Dovecot deliver to ------------------------------------------------------

class MailboxError(ValueError):
    """The bounce mailbox cannot be read (the message says why, in plain words)."""


class MaildirInbox:
    """A Maildir (new/, cur/, tmp/): every message in it is read, then moved into its ``.processed``
    folder (Maildir++, as Dovecot shows subfolders), so the next run reads only new arrivals and a
    person can still look at what was read."""

    def __init__(self, path):
        try:
            self.box = mailbox.Maildir(path, factory=None, create=False)
            self.box.keys()  # lists new/ and cur/: fails here, not halfway, when they are missing
        except (mailbox.NoSuchMailboxError, FileNotFoundError, NotADirectoryError):
            raise MailboxError(f"{path} is not a maildir (a folder with new, cur and tmp inside)") from None
        self.processed = self.box.add_folder("processed")

    def messages(self):
        for key in list(self.box.keys()):
            try:
                yield key, self.box.get_bytes(key)
            except KeyError:  # taken away meanwhile (another reader): nothing to do
                continue

    def done(self, key) -> None:
        try:
            message = self.box.get_message(key)
        except KeyError:
            return
        self.processed.add(message)
        self.box.discard(key)


class MboxInbox:
    """An mbox file: read, never changed (the mail server may be appending to it); the database's
    record of each mail's status keeps a second run from recording anything twice."""

    def __init__(self, path):
        try:
            self.box = mailbox.mbox(path, create=False)
            self.keys = list(self.box.keys())
        except (mailbox.NoSuchMailboxError, FileNotFoundError, IsADirectoryError):
            raise MailboxError(f"{path} is not an mbox file") from None

    def messages(self):
        for key in self.keys:
            yield key, self.box.get_bytes(key)

    def done(self, key) -> None:
        return None
