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

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..directory.models import Organization, utcnow
from ..directory.storage import Database
from ..i18n import reader_translator
from .models import ROLES, LoginAttempt, LoginThrottle, Role, User, UserSession
from .passwords import check_password_policy, dummy_hash, hash_password, needs_rehash, verify_password

log = logging.getLogger(__name__)

# Failed logins: a few are free, then each further password check must wait, the wait doubling up to a
# longest wait. Back-off instead of a hard lock, so a person who mistyped is never shut out for long and a
# guesser gets a handful of tries an hour (OWASP ASVS 6.3.1). The per-address limit is generous: one shared
# office address (a settlement agency, a proxy) must not lock every colleague out.
LOGIN_WINDOW = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=1)  # a counter idle this long starts again from zero
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 50


@dataclass(frozen=True)
class Backoff:
    """``free`` failures without waiting, then ``first_wait`` doubling at each failure up to ``longest_wait``."""

    free: int
    first_wait: dt.timedelta
    longest_wait: dt.timedelta

    def wait_after(self, failures: int) -> dt.timedelta:
        """Wait before the next check, e.g. ACCOUNT_BACKOFF.wait_after(6) -> 60 s."""
        if failures < self.free:
            return dt.timedelta(0)
        return min(self.longest_wait, self.first_wait * 2 ** min(failures - self.free, 20))


ACCOUNT_BACKOFF = Backoff(MAX_FAILURES_PER_EMAIL, dt.timedelta(seconds=30), LOGIN_WINDOW)
ADDRESS_BACKOFF = Backoff(MAX_FAILURES_PER_IP, dt.timedelta(seconds=1), dt.timedelta(minutes=1))
DEFAULT_SESSION_MINUTES = 120


class AccountError(ValueError):
    """Bad input for an account operation; the message is meant for the person who typed it."""


class TooManyAttempts(Exception):
    """Login refused for a while after repeated failures; ``wait`` says for how long."""

    def __init__(self, wait: dt.timedelta):
        super().__init__(f"Too many failed logins. Try again in {max(1, int(wait.total_seconds()))} seconds.")
        self.wait = wait


def login_email(email: str) -> str:
    """The sign-in identity, trimmed and lower-cased so that case never makes a second account:
    ' Ana@Example.ORG ' -> 'ana@example.org' (a listing's e-mail keeps its case: importers' read_email)."""
    return (email or "").strip().lower()


def _check_email(email: str) -> str:
    email = login_email(email)
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
    return session.scalar(select(User).where(User.email == login_email(email)))


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and end every open session of that user (e.g. a reset by staff)."""
    check_password_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_all_sessions(session, user.id)


def _throttle_keys(email: str, ip: str) -> list[tuple[str, Backoff]]:
    """The counters a login touches, in one fixed order (so two transactions never wait on each other in a circle)."""
    return [(f"email:{email}"[:320], ACCOUNT_BACKOFF), (f"ip:{ip}"[:320], ADDRESS_BACKOFF)]


def _insert_missing(session: Session, keys: list[str], now: dt.datetime) -> None:
    """Create the counters not there yet. A write first: SQLite takes its write lock here, so what this
    transaction reads next is the latest and nobody else can change it before the commit."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[dialect]
    rows = [{"key": k, "failures": 0, "last_at": now, "next_at": now} for k in keys]
    session.execute(insert(LoginThrottle).values(rows).on_conflict_do_nothing(index_elements=["key"]))


def reserve_check(database: Database, email: str, ip: str, now: dt.datetime) -> None:
    """Count one password check against the account and the address before it is made, or refuse it.

    One short transaction that locks both counters (PostgreSQL: ``SELECT ... FOR UPDATE``; SQLite: the
    write lock taken by the first statement), decides, and records the attempt; committed before the
    slow hash check, so parallel requests see each other's reservations and at most the free number of
    a burst is checked. Raises TooManyAttempts with the wait.
    """
    keyed = _throttle_keys(email, ip)
    for _ in range(3):  # again only if housekeeping removed a counter between our insert and our lock
        with database.session() as session:
            _insert_missing(session, [k for k, _ in keyed], now)
            rows = {r.key: r for r in session.scalars(select(LoginThrottle).where(
                LoginThrottle.key.in_([k for k, _ in keyed])).order_by(LoginThrottle.key).with_for_update())}
            if len(rows) < len(keyed):
                continue
            waits = [rows[k].next_at - now for k, _ in keyed if rows[k].next_at > now]
            if waits:
                raise TooManyAttempts(max(waits))
            for key, backoff in keyed:
                row = rows[key]
                failures = 0 if now - row.last_at >= FORGET_AFTER else row.failures
                row.failures, row.last_at = failures + 1, now
                row.next_at = now + backoff.wait_after(row.failures)
            session.add(LoginAttempt(email=email[:300], ip=ip[:64], at=now))
            return
    raise TooManyAttempts(dt.timedelta(seconds=1))


def _forget_failures(session: Session, email: str, ip: str) -> None:
    """A right password: the account starts afresh, and this check no longer counts against the address."""
    (email_key, _), (ip_key, _) = _throttle_keys(email, ip)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == email_key))
    session.execute(update(LoginThrottle).where(LoginThrottle.key == ip_key, LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1))
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))


def _housekeeping(database: Database, now: dt.datetime) -> None:
    """Drop counters and attempts nobody needs any more; a failure here only postpones the cleaning."""
    try:
        with database.session() as session:
            session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * LOGIN_WINDOW))
            # SKIP LOCKED: a counter a login is using right now is left for next time (no waiting, no deadlock).
            idle = (select(LoginThrottle.key).where(LoginThrottle.last_at < now - FORGET_AFTER, LoginThrottle.next_at < now)
                    .with_for_update(skip_locked=True))
            session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(idle.scalar_subquery())))
    except DBAPIError as exc:  # e.g. a lock held by a login in progress: clean next time
        log.info("login housekeeping postponed: %s", exc.__class__.__name__)


def authenticate(database: Database, email: str, password: str, *, ip: str = "unknown",
                 now: dt.datetime | None = None) -> User | None:
    """The active user with this email and password (detached, plain columns loaded), or None; TooManyAttempts
    while the account or the address must wait.

    Takes the database, not a session: the check is reserved and committed first (:func:`reserve_check`),
    the slow hash is compared outside any transaction, and only a success writes again.
    """
    now = now or utcnow()
    email = login_email(email)
    reserve_check(database, email, ip, now)
    with database.session() as session:
        user = find_user(session, email) if email else None
        password_hash = user.password_hash if user is not None and user.active else None
    ok = verify_password(password_hash or dummy_hash(), password or "") and password_hash is not None
    if not ok:
        log.info("failed login from %s", ip)
        _housekeeping(database, now)
        return None
    with database.session() as session:
        _forget_failures(session, email, ip)
        user = session.get(User, user.id)
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
