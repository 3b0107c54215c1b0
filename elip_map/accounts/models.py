"""Users, their server-side sessions and login attempts (tables added by migration 0002).

Sessions live in the database, not only in the signed cookie, so that logout and a staff password
reset really end a session on every gunicorn worker.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..directory.models import Base, utcnow
from ..directory.users import ROLES, Role, User  # noqa: F401  (the account table lives with the directory)


class UserSession(Base):
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # sha256 of the random token kept in the cookie: a database leak does not hand out live sessions.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One row per password check that was let through (who, from where, when): the record of attempts."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_email_at", "email", "at"), Index("ix_login_attempt_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(300), nullable=False)
    ip: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class LoginThrottle(Base):
    """Failed-login counter for one account (``email:<address>``) or one client (``ip:<address>``).

    A login reserves its password check here before making it: the row is locked, checked and counted in
    one transaction (migration 0005), so parallel requests cannot all read "no failures yet" and guess at
    once. ``next_at`` is the earliest time another check may be made (exponential back-off, no hard lock).
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False)
    last_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    next_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
