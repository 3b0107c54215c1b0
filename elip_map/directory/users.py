"""The account table: who may sign in, with which role, for which organization.

It lives with the directory because the audit log and change requests point at it; signing in,
passwords and sessions are the accounts room's business (``elip_map.accounts``).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .models import Base, Organization, utcnow


class Role(str, enum.Enum):
    STAFF = "staff"
    PARTNER = "partner"


ROLES = tuple(r.value for r in Role)
# A role as people read it (the account pages, the 403 page and the audit log's account entries).
ROLE_WORDS = {Role.STAFF.value: N_("ELIP staff"), Role.PARTNER.value: N_("partner organization")}


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased and trimmed: the login identity.
    email: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    # argon2id PHC string; never the password itself.
    password_hash: Mapped[str] = mapped_column(String(300), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization | None] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF.value

    def __repr__(self) -> str:  # never include the hash
        return f"<User {self.id} {self.email} {self.role}>"
