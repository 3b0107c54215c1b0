"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it received, for the verification tests.

Recipients whose address contains ``bounce`` are refused for good (550), as a real server refuses an
unknown mailbox. ``hold_after`` makes the server stall before accepting the n-th message, so a test
can stop the sender in the middle of a campaign.

As a relay does, the server can also accept a message and fail to deliver it later: with
``report_to`` (a maildir, the mailbox of the bounce address) and ``later`` (recipient domain ->
action, status, diagnostic), it writes the delivery status notification Postfix would send to the
message's envelope sender (``delivery_report``) into that maildir, as local delivery would.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import mailbox
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid
from pathlib import Path

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def text(self) -> str:
        """The plain-text part, decoded (a multipart mail's own content is its parts, not text)."""
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str | None:
        """The HTML part, decoded, or None when the mail has none."""
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else None


@dataclass
class Recorder:
    messages: list[Received] = field(default_factory=list)
    hold_after: int | None = None  # stall the RCPT of message number hold_after + 1
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _rcpts: int = 0
    report_to: Path | None = None
    later: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # domain -> (action, status, diagnostic)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "bounce" in address:
            return "550 5.1.1 No such user here"
        self._rcpts += 1
        if self.hold_after is not None and self._rcpts > self.hold_after and not self.release.is_set():
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "421 4.3.2 Shutting down"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        for rcpt in envelope.rcpt_tos:
            outcome = self.later.get(rcpt.rpartition("@")[2])
            if outcome and self.report_to is not None and envelope.mail_from:
                headers = envelope.content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("utf-8", "replace")
                deliver_to_maildir(self.report_to, delivery_report(envelope.mail_from, rcpt, *outcome, headers))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int):
        self.recorder = Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=port)
        self.port = port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.recorder.release.set()
        time.sleep(0.1)
        self.controller.stop()


def delivery_report(envelope_sender: str, recipient: str, action: str, status: str, diagnostic: str,
                    original_headers: str, reporting_mta: str = "mx.relay.test") -> bytes:
    """The RFC 3464 report a Postfix relay sends to ``envelope_sender`` about ``recipient``: a
    multipart/report with a human explanation, a message/delivery-status part (per-message fields, then
    the recipient's) and the original message's headers as text/rfc822-headers. Local delivery then adds
    Return-Path and Delivered-To, as Postfix's local(8) and Dovecot's LDA do."""
    failed = action == "failed"
    report = MIMEMultipart("report", report_type="delivery-status")
    report["Return-Path"] = "<>"
    report["Delivered-To"] = envelope_sender
    report["Date"] = formatdate(localtime=False)
    report["From"] = f"MAILER-DAEMON@{reporting_mta} (Mail Delivery System)"
    report["Subject"] = "Undelivered Mail Returned to Sender" if failed else "Delayed Mail (still being retried)"
    report["To"] = envelope_sender
    report["Auto-Submitted"] = "auto-replied"
    report["Message-ID"] = make_msgid(domain=reporting_mta)
    report.preamble = "This is a MIME-encapsulated message.\n"
    human = ("I'm sorry to have to inform you that your message could not be delivered to one or more recipients."
             if failed else "Your message could not be delivered for 4 hours. It will be retried until it is 5 days old.")
    notification = MIMEText(f"This is the mail system at host {reporting_mta}.\n\n{human}\n\n<{recipient}>: {diagnostic}\n")
    notification["Content-Description"] = "Notification"
    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = f"dns; {reporting_mta}"
    per_message["X-Postfix-Queue-ID"] = "4AB12C3D45"
    per_message["X-Postfix-Sender"] = f"rfc822; {envelope_sender}"
    per_message["Arrival-Date"] = formatdate(localtime=False)
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Original-Recipient"] = f"rfc822;{recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Remote-MTA"] = f"dns; mx.{recipient.rpartition('@')[2]}"
    per_recipient["Diagnostic-Code"] = f"smtp; {diagnostic}"
    if not failed:
        per_recipient["Will-Retry-Until"] = formatdate(time.time() + 4 * 86400, localtime=False)
    status_part = MIMEBase("message", "delivery-status")
    del status_part["MIME-Version"]
    status_part["Content-Description"] = "Delivery report"
    status_part.set_payload([per_message, per_recipient])
    headers_part = MIMEText(original_headers.strip() + "\n", "rfc822-headers")
    del headers_part["MIME-Version"]
    headers_part["Content-Description"] = "Undelivered Message Headers"
    del notification["MIME-Version"]
    for part in (notification, status_part, headers_part):
        report.attach(part)
    return report.as_bytes()


def deliver_to_maildir(path: Path, data: bytes) -> None:
    """Deliver one message into the maildir at ``path`` (created when missing), as an MDA would."""
    mailbox.Maildir(path, create=True).add(data)
