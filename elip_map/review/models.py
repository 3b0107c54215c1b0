"""Change requests (table added by migration 0002; the audit log lives in ``directory.audit``)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..directory.models import Base, Location, utcnow


class RequestStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ChangeRequest(Base):
    """A partner's proposed correction to one location, waiting for a staff decision."""

    __tablename__ = "change_request"
    __table_args__ = (Index("ix_change_request_status", "status"), Index("ix_change_request_org", "organization_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), nullable=False)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"))
    # Field changes, e.g. {"phone": "+17805550100", "pin": {"lat": .., "lon": ..}, "closed": true}.
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    # The listing as it was when the partner asked: the review diff and the conflict check use it.
    before: Mapped[dict] = mapped_column(JSON, nullable=False)
    base_version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.PENDING.value, nullable=False)
    # Client-made id of one submission: a retried or doubled post is stored once.
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    # Compare-and-set counter: a decision changes the status only where the version is still the one the
    # reviewer read, so of two reviewers deciding at the same moment exactly one wins (migration 0005).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", nullable=False)

    __mapper_args__ = {"version_id_col": version}

    location: Mapped[Location | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
