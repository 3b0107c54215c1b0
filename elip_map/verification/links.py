"""Personal verification links: signed (itsdangerous), expiring, bound to one mail row and its nonce.

The signature proves the link was made here; the row says whose it is, until when it works and
whether it was already used for a change. A forged, expired, used or unknown link is refused with a
reason a person can act on, and never shows any organization's data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..directory.models import utcnow
from .models import VerificationMail

SALT = "elip-verification-link"
LINK_PATH = "/verify/"


class LinkRefused(Exception):
    """Why a link opens nothing: ``reason`` is one of 'invalid', 'expired', 'used'."""

    def __init__(self, reason: str, language: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.language = language  # the mail's language when the link was genuine


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    if not secret_key:
        raise ValueError("ELIP_SECRET_KEY must be set to sign verification links (the same key as the web server's)")
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, mail_id: int, nonce: str) -> str:
    return _serializer(secret_key).dumps({"m": mail_id, "n": nonce})


def link_url(public_url: str, token: str) -> str:
    """The absolute link a mail carries: link_url('https://map.example.org/', 't') -> 'https://map.example.org/verify/t'."""
    return public_url.rstrip("/") + LINK_PATH + token


@dataclass(frozen=True)
class OpenedLink:
    mail_id: int
    organization_id: int
    language: str
    expires_at: dt.datetime


def open_link(session: Session, secret_key: str, token: str, max_age_days: int,
              now: dt.datetime | None = None) -> VerificationMail:
    """The mail row a link belongs to, or LinkRefused. The row's own expiry and use are checked too,
    so shortening ELIP_VERIFY_LINK_DAYS or using the link for a change ends it at once."""
    now = now or utcnow()
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age_days * 86400)
    except SignatureExpired:
        # Only a genuine (signed) link reaches here: it is safe to say it expired.
        raise LinkRefused("expired") from None
    except BadSignature:
        raise LinkRefused("invalid") from None
    try:
        mail = session.get(VerificationMail, int(data["m"]))
    except (TypeError, ValueError, KeyError):
        raise LinkRefused("invalid") from None
    if mail is None or mail.nonce != data.get("n"):
        raise LinkRefused("invalid")
    if mail.used_at is not None:
        raise LinkRefused("used", mail.language)
    if now >= mail.expires_at:
        raise LinkRefused("expired", mail.language)
    return mail
