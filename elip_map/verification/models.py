"""The verification mail queue (migration 0004): one row per mail, which is also the link's record.

The queue is a table so it survives restarts: a row is claimed (``sending``) before the SMTP
conversation and marked ``sent`` right after it, each step in its own commit. The link carried by
the mail names the row and its nonce; the row says whether the link was used and when it expires.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..directory.models import Base, Organization, utcnow


class MailStatus(str, enum.Enum):
    QUEUED = "queued"      # waiting to be sent (again, after a temporary failure: see next_attempt_at)
    SENDING = "sending"    # claimed by a sender; reclaimed after the lease if that sender stopped
    SENT = "sent"          # the SMTP server accepted it
    BOUNCED = "bounced"    # refused for good (unknown mailbox, 5xx): staff must fix the address
    FAILED = "failed"      # gave up after the last retry


class VerificationMail(Base):
    __tablename__ = "verification_mail"
    __table_args__ = (Index("ix_verification_mail_status", "status", "next_attempt_at"),
                      Index("ix_verification_mail_org", "organization_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign: Mapped[str] = mapped_column(String(40), nullable=False)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), nullable=False)
    to_address: Mapped[str] = mapped_column(String(300), nullable=False)
    language: Mapped[str] = mapped_column(String(12), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    # Random per mail and part of the signed link: a link can only ever name its own row.
    nonce: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(20), default=MailStatus.QUEUED.value, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    created_by: Mapped[str] = mapped_column(String(300), nullable=False)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Set when the link sent a change: from then on it opens nothing (a replay gets a plain refusal).
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship()
