"""Sending one message through the SMTP server named by ELIP_SMTP_URL, and telling a bounce from a
temporary failure (which the queue retries with back-off).

Each message can leave with its own envelope sender (VERP, ``bounces+<token>@domain``): a delivery
report that comes back later then names its mail by the address it is sent to (see ``bounces``).
The token is ``<mail id>-<20 hex digits of HMAC-SHA256>`` under ``ELIP_SECRET_KEY``: hexadecimal,
because some mail systems fold an address's local part to lower case, which would break a base64
signature such as itsdangerous'.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from urllib.parse import unquote, urlsplit

from ..i18n import text_direction


class MailConfigError(ValueError):
    """ELIP_SMTP_URL is missing or not a mail server address."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    ssl: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str | None) -> SmtpTarget:
    """parse_smtp_url('smtp://127.0.0.1:2525') -> SmtpTarget('127.0.0.1', 2525, False, None, None)."""
    if not url:
        raise MailConfigError("ELIP_SMTP_URL is not set: say which mail server sends the verification e-mails "
                              "(for example smtp://user:password@mail.example.org:587)")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailConfigError(f"ELIP_SMTP_URL must look like smtp://host:port or smtps://host:port, not '{parts.scheme}://…'")
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    return SmtpTarget(parts.hostname, port, parts.scheme == "smtps",
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


_BOUNCE_SALT = b"elip-bounce-address"


def bounce_token(secret_key: str, mail_id: int, nonce: str) -> str:
    """bounce_token('k', 12, 'n') -> '12-<20 hex digits>': names mail 12 and proves this site made it."""
    if not secret_key:
        raise MailConfigError("ELIP_SECRET_KEY must be set to sign the bounce addresses (the same key as the web "
                              "server's)")
    digest = hmac.new(secret_key.encode(), _BOUNCE_SALT + f":{mail_id}:{nonce}".encode(), hashlib.sha256).hexdigest()
    return f"{mail_id}-{digest[:20]}"


def split_address(address: str) -> tuple[str, str]:
    """split_address('Bounces@Map.Example.org') -> ('Bounces', 'map.example.org')."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return local, domain.lower()


def verp_address(bounce_address: str, token: str) -> str:
    """verp_address('bounces@map.example.org', '12-ab') -> 'bounces+12-ab@map.example.org'."""
    local, domain = split_address(bounce_address)
    return f"{local}+{token}@{domain}"


class Bounce(Exception):
    """The server refused the recipient for good (5xx): retrying cannot help, the address must change."""


class TemporaryFailure(Exception):
    """The server or network failed in a way a later attempt may not (4xx, connection refused, timeout)."""


_URL = re.compile(r"https?://[^\s<>\"]+")


def html_body(body: str, language: str) -> str:
    """The plain text as an HTML page in its language and direction, so a mail program shows Arabic,
    Persian or Dari right to left (plain text has no way to say so); each paragraph keeps its line
    breaks, each link is a link, and data lines (addresses, phones) get their own direction."""
    paragraphs = []
    for block in body.split("\n\n"):
        lines = []
        for line in block.split("\n"):
            parts, last = [], 0
            for m in _URL.finditer(line):
                parts.append(escape(line[last:m.start()]))
                url = escape(m.group(0))
                parts.append(f'<a href="{url}" dir="ltr">{url}</a>')
                last = m.end()
            parts.append(escape(line[last:]))
            text = "".join(parts)
            lines.append(f'<bdi dir="auto">{text}</bdi>' if line.startswith("- ") else text)
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    lang = escape(language)
    return (f'<!DOCTYPE html>\n<html lang="{lang}" dir="{text_direction(language)}"><head><meta charset="utf-8"></head>'
            f'<body dir="{text_direction(language)}">\n' + "\n".join(paragraphs) + "\n</body></html>\n")


def build_message(*, sender: str, reply_to: str | None, to: str, subject: str, body: str, message_id_domain: str,
                  key: str, language: str | None = None) -> EmailMessage:
    """A UTF-8 message; with ``language``, it says so (Content-Language) and carries an HTML part in that
    language's direction beside the plain text."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    # The same id on a retry: a mail server or reader that saw it once can drop the copy.
    message["Message-ID"] = make_msgid(idstring=key, domain=message_id_domain)
    message.set_content(body, charset="utf-8")
    if language:  # after the content: set_content clears every Content-* header
        message.add_alternative(html_body(body, language), subtype="html", charset="utf-8")
        message["Content-Language"] = language
    return message


def send(target: SmtpTarget, message: EmailMessage, timeout: float = 30, envelope_from: str | None = None) -> None:
    """Hand one message to the server; Bounce or TemporaryFailure when it is not accepted.
    ``envelope_from`` is the MAIL FROM (where reports of a later failure go); default: the From address."""
    try:
        if target.ssl:
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=timeout)
        with client:
            client.ehlo()
            if not target.ssl and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(message, from_addr=envelope_from)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        detail = "; ".join(f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                           for code, msg in exc.recipients.values())
        if codes and all(code >= 500 for code in codes):
            raise Bounce(detail) from None
        raise TemporaryFailure(detail) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        if exc.smtp_code >= 500 and isinstance(exc, smtplib.SMTPDataError):
            raise Bounce(f"{exc.smtp_code} {text}") from None
        raise TemporaryFailure(f"{exc.smtp_code} {text}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"{exc.__class__.__name__}: {exc}") from None
