"""Account operations on a database session: create users, log in with limits, server-side sessions.

Pure of Flask: the CLI, the web layer and the tests all call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..directory.models import Organization, utcnow
from ..i18n import reader_translator
from .models import ROLES, LoginAttempt, Role, User, UserSession
from .passwords import check_password_policy, dummy_hash, hash_password, needs_rehash, verify_password

log = logging.getLogger(__name__)

# Failed logins allowed in the window, per account and per client address (OWASP ASVS 6.3.1).
LOGIN_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30
DEFAULT_SESSION_MINUTES = 120


class AccountError(ValueError):
    """Bad input for an account operation; the message is meant for the person who typed it."""


class TooManyAttempts(Exception):
    """Login refused for a while after repeated failures."""


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased, e.g. ' Ana@Example.ORG ' -> 'ana@example.org'."""
    return (email or "").strip().lower()


def _check_email(email: str) -> str:
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 300:
        _ = reader_translator()
        raise AccountError(_("“{email}” is not an email address.", email=email))
    return email


def create_user(session: Session, email: str, password: str, role: str, *, organization_id: int | None = None,
                display_name: str | None = None) -> User:
    """Add an account; partners must belong to an existing organization, staff to none."""
    email = _check_email(email)
    if role not in ROLES:
        _ = reader_translator()
        raise AccountError(_("The role must be one of {roles}, not “{role}”.", roles=", ".join(ROLES),
                                              role=role))
    if role == Role.PARTNER.value:
        if organization_id is None:
            _ = reader_translator()
            raise AccountError(_("A partner account needs an organization (--organization ID)."))
        if session.get(Organization, organization_id) is None:
            _ = reader_translator()
            raise AccountError(_("There is no organization with id {id}.", id=organization_id))
    elif organization_id is not None:
        _ = reader_translator()
        raise AccountError(_("A staff account is not tied to an organization."))
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        _ = reader_translator()
        raise AccountError(_("An account for {email} already exists.", email=email))
    check_password_policy(password, email=email)
    user = User(email=email, role=role, organization_id=organization_id, display_name=display_name,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    log.info("account created: user %s (%s)", user.id, role)
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and end every open session of that user (e.g. a reset by staff)."""
    check_password_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_all_sessions(session, user.id)


def _failures(session: Session, column, value: str, since: dt.datetime) -> int:
    return session.scalar(select(func.count(LoginAttempt.id)).where(column == value, LoginAttempt.at >= since)) or 0


def authenticate(session: Session, email: str, password: str, *, ip: str = "unknown",
                 now: dt.datetime | None = None) -> User | None:
    """The active user with this email and password; None (failure recorded) or TooManyAttempts.

    Failed attempts are rows in the database, so the limit holds across every worker process; they
    are written in the caller's transaction, so a failure returns instead of raising (no rollback).
    """
    now = now or utcnow()
    email = normalise_email(email)
    since = now - LOGIN_WINDOW
    if (_failures(session, LoginAttempt.email, email, since) >= MAX_FAILURES_PER_EMAIL
            or _failures(session, LoginAttempt.ip, ip, since) >= MAX_FAILURES_PER_IP):
        raise TooManyAttempts("Too many failed logins. Wait 15 minutes and try again.")
    user = find_user(session, email) if email else None
    ok = verify_password(user.password_hash if user else dummy_hash(), password or "")
    if not ok or user is None or not user.active:
        session.add(LoginAttempt(email=email[:300], ip=ip[:64], at=now))
        # Housekeeping: attempts older than the window no longer count for anything.
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * LOGIN_WINDOW))
        log.info("failed login from %s", ip)
        return None
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, *, minutes: int = DEFAULT_SESSION_MINUTES,
                  now: dt.datetime | None = None) -> str:
    """A fresh random session token for the cookie; only its hash is stored."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                            expires_at=now + dt.timedelta(minutes=minutes)))
    # Housekeeping: expired sessions are of no use to anyone.
    session.execute(delete(UserSession).where(UserSession.expires_at < now))
    return token


@dataclass(frozen=True)
class SessionUser:
    """What a request needs to know about its user: a plain snapshot, safe to keep after the DB session."""

    id: int
    email: str
    role: str
    organization_id: int | None
    display_name: str | None
    token: str

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF.value

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER.value

    # Flask-Login's user protocol: the "id" it keeps in the cookie is the session token.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.token

    @property
    def label(self) -> str:
        return self.email


def load_session(session: Session, token: str | None, *, now: dt.datetime | None = None) -> SessionUser | None:
    """The user behind a live session token, or None (unknown, expired, ended or deactivated)."""
    if not token:
        return None
    now = now or utcnow()
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is None or row.expires_at < now or not row.user.active:
        return None
    u = row.user
    return SessionUser(u.id, u.email, u.role, u.organization_id, u.display_name, token)


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def end_all_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.email)))


def ensure_admin_from_env(session: Session, environ: dict[str, str] | None = None) -> User | None:
    """Create the first staff account from ELIP_ADMIN_EMAIL + ELIP_ADMIN_PASSWORD when no staff exists yet.

    A fresh install has no default password: without these variables nobody can log in until
    `elip-map user add --role staff` is run.
    """
    env = os.environ if environ is None else environ
    email, password = env.get("ELIP_ADMIN_EMAIL", "").strip(), env.get("ELIP_ADMIN_PASSWORD", "")
    if not email or not password:
        return None
    if session.scalar(select(User.id).where(User.role == Role.STAFF.value).limit(1)) is not None:
        return None
    return create_user(session, email, password, Role.STAFF.value, display_name="Administrator")
