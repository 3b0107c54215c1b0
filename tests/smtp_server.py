"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it received, for the verification tests.

Recipients whose address contains ``bounce`` are refused for good (550), as a real server refuses an
unknown mailbox. ``hold_after`` makes the server stall before accepting the n-th message, so a test
can stop the sender in the middle of a campaign.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field

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
